"""Lesson 07, fix round y (review 16g): section 2 runs the eight through the module and shows the folded channels;
section 6 averages the trained attention by offset; the widget hides exercise 1's answer until asked."""

import json
import pathlib

import pytest
import torch

from vit_explained.plotting.lesson07 import plot_attention_offsets, plot_folded_channels
from vit_explained.t2t import attention_by_offset

NOTEBOOK = pathlib.Path(__file__).resolve().parents[1] / "notebooks" / "07_tokens_to_token_vit.ipynb"


def _sources():
    return ["".join(cell["source"]) for cell in json.loads(NOTEBOOK.read_text())["cells"]]


def test_section_2_runs_digits_not_noise_at_width_384():
    text = "\n".join(_sources())
    assert "torch.rand(13, 1, 400, 100)" not in text and "embed_dim=768" not in text
    assert "tall_digits = torch.cat([eight[None]" in text and "plot_folded_channels(" in text


def test_attention_by_offset_of_a_uniform_row_is_one():
    weights = torch.full((5, 12, 12), 1 / 12)
    assert torch.allclose(attention_by_offset(weights, 3, 4), torch.ones(5, 7))


def test_attention_by_offset_puts_self_attention_in_the_middle():
    grid = attention_by_offset(torch.eye(6)[None], 2, 3)  # every token attends only to itself
    expected = torch.zeros(3, 5)
    expected[1, 2] = 6.0
    assert torch.equal(grid, expected)
    right = torch.zeros(6, 6)
    for token in range(6):
        right[token, token + 1 if token % 3 < 2 else token] = 1.0  # the key one column right, where there is one
    assert attention_by_offset(right, 2, 3)[1, 3] == 6.0  # offset (0, +1)
    with pytest.raises(ValueError):
        attention_by_offset(torch.ones(5, 5), 2, 3)


def test_the_new_pictures_draw_and_refuse_bad_input():
    fig = plot_folded_channels(torch.rand(40, 10), torch.rand(8, 10, 3), channels=range(4), title="t")
    assert len(fig.axes) == 5
    with pytest.raises(ValueError):
        plot_folded_channels(torch.rand(40, 10), torch.rand(8, 10, 3), channels=[9])
    maps = {f"seed {s}": {"initial": torch.ones(23, 23), "trained": torch.rand(23, 23) + 0.5} for s in range(3)}
    assert len(plot_attention_offsets(maps, reach=5, title="t").axes) == 7  # six panels and a colour bar
    with pytest.raises(ValueError):
        plot_attention_offsets(maps, reach=12)

"""Lesson 02, fix round l: the silent-run claim, the anchors, the near-square reshape, one experiment per cell."""

import json
import math
import pathlib

import pytest
import torch

NOTEBOOKS = pathlib.Path(__file__).resolve().parents[1] / "notebooks"
LESSON = NOTEBOOKS / "02_soft_split_token_counting.ipynb"


def _cells(path: pathlib.Path) -> list[dict]:
    return json.loads(path.read_text())["cells"]


def _source(cell: dict) -> str:
    return "".join(cell["source"])


def _visible_code(path: pathlib.Path) -> list[str]:
    return [
        _source(c)
        for c in _cells(path)
        if c["cell_type"] == "code" and "hide-input" not in c["metadata"].get("tags", [])
    ]


@pytest.mark.parametrize(
    ("path", "anchor"),
    [(LESSON, "going-further-optional"), (NOTEBOOKS / "07_tokens_to_token_vit.ipynb", "6-does-t2t-help")],
)
def test_linked_anchors_exist(path, anchor):
    assert any(f'<a id="{anchor}"></a>' in _source(c) for c in _cells(path) if c["cell_type"] == "markdown")


def test_line_213_is_read_only_in_a_hidden_check():
    assert not any("line_213" in source for source in _visible_code(LESSON))


def test_one_experiment_per_cell():
    code = _visible_code(LESSON)
    assert not any("run_3 =" in s and "plot_line_on_border(" in s for s in code)
    assert not any(
        "wide_image =" in s and ("for img_size in (224, 208)" in s or "torch.arange(32, 513)" in s) for s in code
    )


@pytest.mark.parametrize(("n", "divides"), [(2500, True), (2240, False), (2450, True)])
def test_lucidrains_near_square_reshape_needs_h_to_divide_n(n, divides):
    """rearrange('b (h w) c -> b c h w', h=int(sqrt(n))): w = n / h, so 2450 tokens pass as 49 x 50, not a square."""
    h = int(math.sqrt(n))
    tokens = torch.zeros(1, n, 2)
    if divides:
        assert tokens.transpose(1, 2).reshape(1, 2, h, -1).shape == (1, 2, h, n // h)
    else:
        with pytest.raises(RuntimeError):
            tokens.transpose(1, 2).reshape(1, 2, h, -1)

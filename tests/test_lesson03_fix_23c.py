"""Lesson 03, review r23b: the Summary's scale bullet carries section 3's conditions, the softmax-rows figure
gives the spread of q, k and of the scores, the batch_first bug's larger values are explained as an average over
2 keys, exercise 3's checker names a softmax without dim= (and holds back torch's warning), and exercise 6's
checker names the (d three h) reading."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from einops import rearrange
from torch import nn

from tests import _notebook as nb
from vit_explained.exercises import ExerciseFailed
from vit_explained.exercises.lesson03 import check_attention, check_to_timm_qkv
from vit_explained.plotting.lesson03 import plot_softmax_rows

LESSON = nb.NOTEBOOKS / "03_attention_shapes.ipynb"
CELLS = nb.cells(LESSON)
SOURCES = nb.sources(LESSON)
SUMMARY = nb.unique_index(SOURCES, "## Summary")


def test_item_7_the_summary_bullet_states_section_3s_conditions():
    # review r24e: the set-up sentence moved under the table
    section_3 = nb.flat(SOURCES[nb.unique_index(SOURCES, "Measured on random unit-variance")])
    assert "random unit-variance $q$ and $k$" in section_3 and "the upstream gradient is i.i.d. normal" in section_3
    summary = nb.flat(SOURCES[SUMMARY])
    assert (
        "At initialisation, for independent unit-variance $q$, $k$ and an i.i.d. normal upstream gradient, "
        "$1/\\sqrt{d}$ keeps every row unsaturated at every head width, and the softmax passes back the same share "
        "of the gradient it receives at every $d$." in summary
    )


def test_item_2_the_rows_figure_gives_the_spread_of_q_k_and_of_the_scores():
    fig = plot_softmax_rows((64, 64), seeds=(0, 1))
    assert fig._suptitle.get_text().endswith("q, k components of spread 1; scores of spread √64 = 8")
    assert "(spread 1) and" not in fig._suptitle.get_text()
    mixed = plot_softmax_rows((4, 64), seed=0)
    assert mixed._suptitle.get_text().endswith("scores of spread √d")
    code = nb.unique_index(SOURCES, "fig = plots.plot_softmax_rows((64, 64),")
    assert any("image/png" in output.get("data", {}) for output in CELLS[code]["outputs"])


def test_item_5_the_larger_values_are_explained_by_2_keys_against_197():
    code = nb.unique_index(SOURCES, "mha_default = to_multihead(attn, batch_first=False)")
    assert "max |value|: 1.10 vs the correct 0.15" in nb.printed(CELLS[code])
    text = nb.flat(SOURCES[code + 1])
    assert text.startswith("That is the symptom: the right shape, wrong values (checked below).")
    assert "Their larger size is no general sign: each output here averages 2 keys' random values, not 197." in text
    assert "a trusted reference or leak test catches it" in text and "#appendix-b" in text
    assert nb.unique_index(SOURCES, "runs without a warning") == code  # the setup: 197 'sequences' of 2 tokens
    assert "197 'sequences', each 2 x 2" in nb.printed(CELLS[code])


# --- exercise 3: a softmax without dim= -------------------------------------------------------------------------


def _scores(q, k):
    return q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])


def no_dim_functional(q, k, v):
    return F.softmax(_scores(q, k)) @ v


def no_dim_module(q, k, v):
    return nn.Softmax()(_scores(q, k)) @ v


def no_dim_mT(q, k, v):
    return torch.nn.functional.softmax(q @ k.mT * q.shape[-1] ** -0.5) @ v


@pytest.mark.parametrize("wrong", [no_dim_functional, no_dim_module, no_dim_mT])
def test_item_6_a_softmax_without_dim_is_named_and_its_warning_held_back(wrong, capsys):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with pytest.raises(ExerciseFailed, match=r"^Not yet: .*your softmax has no dim=, so torch picked dim=1"):
            check_attention(wrong)
    assert not [w for w in caught if "Implicit dimension choice" in str(w.message)]
    assert "Implicit dimension choice" not in capsys.readouterr().err


def test_item_6_an_explicit_dim_1_keeps_its_own_message():
    with pytest.raises(ExerciseFailed, match=r"over the heads axis \(dim=1\)") as failed:
        check_attention(lambda q, k, v: F.softmax(_scores(q, k), dim=1) @ v)
    assert "no dim=" not in str(failed.value)


def right_functional(q, k, v):
    return F.softmax(_scores(q, k), dim=-1) @ v


def right_module(q, k, v):
    return nn.Softmax(dim=-1)(_scores(q, k)) @ v


def right_own_warning(q, k, v):  # a warning of the learner's own is still shown
    warnings.warn("my own note", UserWarning, stacklevel=1)
    return torch.softmax(q @ k.mT / q.shape[-1] ** 0.5, -1) @ v


@pytest.mark.parametrize("right", [right_functional, right_module, right_own_warning])
def test_item_6_right_answers_still_pass_and_other_warnings_are_shown(right, capsys):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        check_attention(right)
    assert "Correct!" in capsys.readouterr().out
    own = [w for w in caught if str(w.message) == "my own note"]
    assert bool(own) == (right is right_own_warning)


# --- exercise 6: the (d three h) reading ----------------------------------------------------------------------


def d_three_h_reshape(w, h):
    rows, dim_in = w.shape
    d = rows // (3 * h)
    return w.reshape(d, 3, h, dim_in).transpose(0, 1).reshape(rows, dim_in)


def d_three_h_einops(w, h):
    return rearrange(w, "(d three h) i -> (three d h) i", three=3, h=h)


def d_three_h_numpy(w, h):
    rows, dim_in = w.shape
    d = rows // (3 * h)
    return torch.from_numpy(np.ascontiguousarray(w.numpy().reshape(d, 3, h, dim_in).transpose(1, 0, 2, 3))).reshape(
        rows, dim_in
    )


@pytest.mark.parametrize("wrong", [d_three_h_reshape, d_three_h_einops, d_three_h_numpy])
def test_item_8_the_d_three_h_reading_gets_a_named_message(wrong):
    message = r"^Not yet: .*you read the rows as \(d three h\): reshape\(d, 3, h, D_in\)"
    with pytest.raises(ExerciseFailed, match=message):
        check_to_timm_qkv(wrong)

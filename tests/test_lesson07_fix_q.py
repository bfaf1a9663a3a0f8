"""Lesson 07, fix round q: exercise 3's checker names a missing softmax; every visible result is computed in a
visible cell."""

import json
from pathlib import Path

import pytest
import torch

from vit_explained.exercises import ExerciseFailed
from vit_explained.exercises.lesson07 import check_token_attention

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "07_tokens_to_token_vit.ipynb"


def _parts(tokens, qkv):
    return qkv(tokens).split(qkv.out_features // 3, dim=-1)


def no_softmax(tokens, qkv, proj):
    q, k, v = _parts(tokens, qkv)
    return v + proj(q @ k.mT * tokens.shape[-1] ** -0.5 @ v)


def no_softmax_no_scale(tokens, qkv, proj):
    q, k, v = _parts(tokens, qkv)
    return v + proj(q @ k.mT @ v)


def right(tokens, qkv, proj):
    q, k, v = _parts(tokens, qkv)
    return v + proj(torch.softmax(q @ k.mT * tokens.shape[-1] ** -0.5, dim=-1) @ v)


@pytest.mark.parametrize(
    ("wrong", "message"),
    [
        (no_softmax, "left out the softmax: the scaled scores"),
        (no_softmax_no_scale, "left out the softmax and the scale"),
    ],
)
def test_token_attention_names_a_missing_softmax(wrong, message):
    with pytest.raises(ExerciseFailed, match=f"^Not yet: .*{message}"):
        check_token_attention(wrong)


def test_the_right_token_attention_still_passes():
    check_token_attention(right)


def _cells():
    appendix = NOTEBOOK.with_name("07_tokens_to_token_vit_appendix.ipynb")  # the lesson, then its appendix notebook
    return json.loads(NOTEBOOK.read_text())["cells"] + json.loads(appendix.read_text())["cells"]


@pytest.mark.parametrize("name", ["def original_attention", "short_correct = {"])
def test_visible_results_are_computed_in_visible_cells(name):
    (cell,) = [cell for cell in _cells() if cell["cell_type"] == "code" and name in "".join(cell["source"])]
    assert "hide-input" not in cell["metadata"].get("tags", [])


def test_table_2_reconciliation_is_folded_with_its_output_kept():
    """Review 16e: the Table 2 MAC reconciliation sits in <details>; its code cell is folded, its printout stays."""
    (cell,) = [cell for cell in _cells() if cell["cell_type"] == "code" and "paper_macs = " in "".join(cell["source"])]
    assert "hide-input" in cell["metadata"]["tags"] and cell["outputs"]

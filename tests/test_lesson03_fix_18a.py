"""Round 18a, lesson 03: the compact saturation table, exercise 3's None message, exercise 5's float note."""

import pytest
import torch

from vit_explained.exercises import ExerciseFailed, lesson03
from vit_explained.softmax_scale import softmax_saturation, summarize_saturation


def test_saturation_table_has_one_row_per_ratio():
    runs = {d: [softmax_saturation(d, seed=s) for s in range(2)] for d in (16, 64)}
    table = summarize_saturation(runs, saturated_at=(64,), ratio_at=(16, 64)).table().splitlines()
    assert len(table) == 6 and table[0].startswith("d = 64 unless named")
    assert any(line.startswith("mean gradient at each query, no scale / scale") for line in table)


def test_attention_returning_none_is_named():
    def attention(q, k, v):
        (q @ k.transpose(-2, -1)).softmax(-1) @ v

    with pytest.raises(ExerciseFailed, match="returned None") as info:
        lesson03.check_attention(attention)
    assert "a number also works" not in str(info.value)


def test_memory_float_answer_passes_with_a_note(capsys):
    def as_float(batch=8, num_tokens=577, heads=16, bytes_per_element=4):
        return float(batch * heads * num_tokens**2 * bytes_per_element)

    def as_int(batch=8, num_tokens=577, heads=16, bytes_per_element=4):
        return batch * heads * num_tokens**2 * bytes_per_element

    lesson03.check_attention_memory(as_float)
    assert "You returned a float" in capsys.readouterr().out
    lesson03.check_attention_memory(as_int)
    assert "You returned a float" not in capsys.readouterr().out
    assert torch.tensor(1).item() == 1

"""Lesson 03, review r20f: the gradient at q does not grow with sqrt(d), the fused path's memory claim is scoped to
what appendix I measured, the query rule's bias is named, and exercise 1's hint gives the permute its job."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from tests import _notebook as nb
from vit_explained.exercises import lesson03

LESSON = Path(__file__).resolve().parents[1] / "notebooks" / "03_attention_shapes.ipynb"
SOURCES = nb.sources(LESSON)


def test_the_ratio_at_q_grows_more_slowly_than_sqrt_d_and_a_check_says_so():
    # review r20g: "9 to 17" was not printed in the lesson; the paragraph moved to appendix G, printed and checked
    appendix = nb.sources(LESSON.with_name("03_attention_shapes_appendix.ipynb"))
    code = nb.unique_index(appendix, "print(saturation.mean_lines())")
    text = nb.flat(appendix[code - 1])
    assert "about 9 times the scaled value at $d = 16$, 14 times at 64 and 17 times at 256" in text
    assert "query_ratio[256].mean / query_ratio[16].mean < math.sqrt(256 / 16) / 2" in appendix[code + 1]
    assert "9 to 17" not in "\n".join(SOURCES)


def test_fused_memory_claim_is_scoped_to_the_forward_pass_measured():
    text = nb.flat(SOURCES[nb.unique_index(SOURCES, "**Heads cost memory, not parameters:**")])
    assert "does not store it in the forward pass" in text
    assert "batch 1, one head), nor for the backward pass" in text  # review r23a: appendix I lists what is saved


def test_the_heads_average_is_split_into_ink_and_background_queries():
    appendix = nb.sources(LESSON.with_name("03_attention_shapes_appendix.ipynb"))  # appendix E (r20g)
    text = nb.flat(appendix[nb.unique_index(appendix, "The query (cyan), patch 10, is picked by one rule too")])
    assert "ink queries put 73 % there; this one ranks 43rd of 50" in text and "number to quote" not in text


def test_exercise_1_hint_gives_the_permute_the_move():
    hint = lesson03._SHAPE_HINTS["qkv_heads"] if hasattr(lesson03, "_SHAPE_HINTS") else None
    source = Path(lesson03.__file__).read_text()
    assert "(3, heads, d); the permute moves the 3 and the heads to the" in source
    assert "and moves the 3 and the heads to the front" not in source
    assert hint is None or "permute moves" in hint


def test_a_dtype_clash_in_a_product_is_named_as_such_not_as_a_missing_transpose():
    from vit_explained.exercises.lesson03 import _matmul_hint

    q = torch.rand(1, 2, 3, 4, dtype=torch.float64)
    k = torch.rand(1, 2, 3, 4)
    try:
        torch.baddbmm(torch.zeros(1), q.flatten(0, 1), k.flatten(0, 1).transpose(1, 2))
    except RuntimeError as error:
        hint = _matmul_hint(error, (1, 2, 3, 4))
    else:  # pragma: no cover - torch accepted mixed dtypes
        pytest.skip("this torch multiplies mixed dtypes")
    assert hint is not None and "mixed dtypes" in hint and "not transposed" not in hint


def test_section_3_training_names_the_d16_interval_and_one_learning_rate():
    text = nb.flat(SOURCES[nb.unique_index(SOURCES, "**In training.**")])
    assert "one learning rate" in text and "no detectable difference (+0.6 points [-0.9, +2.2])" in text

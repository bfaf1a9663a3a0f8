"""Lesson 08, review r20h_08: exercise 6's checker names vit-explain's missing keepdim (batched, where it raises, and
one image at a time, where it runs silently); exercise 5's checker names a float32 identity with float64 inputs and
an in-place update of an expanded identity; cell 23 says "fixed-key head"; section 3 says which chance it prints;
section 10 says Chefer et al.'s LRP map deletes faster than rollout; cell 0 names Chefer et al. (ICCV 2021)."""

from __future__ import annotations

import pytest
import torch

from tests import _notebook as nb
from vit_explained.exercises import ExerciseFailed, lesson08

LESSON = nb.NOTEBOOKS / "08_attention_maps.ipynb"


def _fails(function, check, match: str) -> None:
    with pytest.raises(ExerciseFailed, match=match):
        check(function)


def _max_fused(weights, *, per_image: bool = False, keepdim: bool = True):
    n = weights[0].shape[-1]
    eye = torch.eye(n, dtype=weights[0].dtype)
    if per_image:
        return [_max_fused([w[b : b + 1] for w in weights], keepdim=keepdim)[0] for b in range(weights[0].shape[0])]
    rolled = eye.expand_as(weights[0][:, 0])
    for w in weights:
        a = 0.5 * w.amax(1) + 0.5 * eye
        a = a / a.sum(-1, keepdim=True) if keepdim else a / a.sum(dim=-1)
        rolled = a @ rolled
    return [rolled]


def _top(rolled, cols):
    flat = rolled[:, 0, 1:].argmax(-1)
    return torch.stack([flat // cols, flat % cols], -1)


def no_keepdim_batched(weights, rows, cols):
    return _top(_max_fused(weights, keepdim=False)[0], cols)


def no_keepdim_per_image(weights, rows, cols):
    return torch.cat([_top(r, cols) for r in _max_fused(weights, per_image=True, keepdim=False)])


def right_loop(weights, rows, cols):
    return torch.cat([_top(r, cols) for r in _max_fused(weights, per_image=True)])


def right_batched(weights, rows, cols):
    return _top(_max_fused(weights)[0], cols)


def right_numpy(weights, rows, cols):
    import numpy as np

    n = weights[0].shape[-1]
    rolled = np.broadcast_to(np.eye(n), weights[0][:, 0].shape).copy()
    for w in weights:
        a = 0.5 * w.numpy().max(1) + 0.5 * np.eye(n)
        rolled = np.einsum("bij,bjk->bik", a / a.sum(-1)[..., None], rolled)
    flat = rolled[:, 0, 1:].argmax(-1)
    return torch.as_tensor(np.stack([flat // cols, flat % cols], -1))


def test_exercise_6_names_the_missing_keepdim_batched():
    _fails(no_keepdim_batched, lesson08.check_max_fusion_top_patch, "raised RuntimeError.*keepdim=True")


def test_exercise_6_names_the_missing_keepdim_one_image_at_a_time():
    _fails(no_keepdim_per_image, lesson08.check_max_fusion_top_patch, "one image at a time.*keepdim=True")


@pytest.mark.parametrize("answer", [right_loop, right_batched, right_numpy])
def test_exercise_6_right_answers_still_pass(answer, monkeypatch):
    monkeypatch.setattr(lesson08, "_on_digit_17", lambda function: "")
    lesson08.check_max_fusion_top_patch(answer)


def _chefer(weights, gradients, *, eye_dtype=None, in_place=False):
    n = weights[0].shape[-1]
    eye = torch.eye(n, dtype=eye_dtype or weights[0].dtype)
    relevance = eye.expand(weights[0].shape[0], n, n)
    if not in_place:
        relevance = relevance.clone()
    for a, g in zip(weights, gradients, strict=True):
        bar = (g * a).clamp(min=0).mean(1)
        if in_place:
            relevance += bar @ relevance
        else:
            relevance = relevance + bar @ relevance
    return relevance


def chefer_float32_identity(weights, gradients):
    return _chefer(weights, gradients, eye_dtype=torch.float32)


def chefer_in_place_on_expand(weights, gradients):
    return _chefer(weights, gradients, in_place=True)


def test_exercise_5_names_a_float32_identity():
    _fails(chefer_float32_identity, lesson08.check_chefer_rollout, r"torch.eye\(N\) is float32 unless told")


def test_exercise_5_names_an_in_place_update_of_an_expanded_identity():
    _fails(chefer_in_place_on_expand, lesson08.check_chefer_rollout, r"\.clone\(\) or \.repeat")


def test_exercise_5_right_answer_still_passes():
    lesson08.check_chefer_rollout(_chefer)


def _text(text: str) -> str:
    return nb.flat(nb.sources(LESSON)[nb.unique_index(nb.sources(LESSON), text)])


def test_cell_23_says_fixed_key_head_not_sink_like():
    cell = _text("Key columns")
    assert "fixed-key head" in cell and "sink-like" not in cell
    assert not any("sink-like" in nb.flat(s) for s in nb.sources(LESSON))


def test_section_3_says_which_chance_it_prints():
    cell = _text("favourable case for this head")
    assert "**chance rate for a random key** among the 50" in cell and "class token" in cell  # 24d: named


def test_section_10_compares_their_lrp_map_with_rollout():
    cell = _text("Verdict:** on this model and these 200 digits")
    assert "reverse ranking" not in cell and "their LRP map deletes faster than rollout" in cell


def test_cell_0_names_chefer_iccv_2021():
    assert "Chefer et al. (ICCV 2021)" in nb.flat(nb.sources(LESSON)[0])


def test_section_4_says_the_timm_facts_were_read_not_run():
    cell = _text("## 4 · Hooks, not a monkey-patch")
    assert "read in the code, not run: the course's venv has no timm" in cell


def test_appendix_compares_their_lrp_map_with_rollout():
    appendix = nb.flat(nb.all_text(nb.NOTEBOOKS / "08_attention_maps_appendix.ipynb"))
    assert "opposite ranking" not in appendix and "their LRP map deletes faster than rollout" in appendix

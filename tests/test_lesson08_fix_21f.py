"""Lesson 08, review r21g_08: section 5's key-column table gets each head's most frequent key, used for every digit,
as a fixed bar with a paired interval ("reads the stroke" only above it; appendix D's off-ink heads read against it
too); section 9 gives both verdicts, against the noise floor and by its own stated rule; section 11 says "about 13
(max) and 14 (mean)"; exercise 6's checker names both causes of the missing keepdim and of the reversed order."""

from __future__ import annotations

import pytest
import torch

from tests import _notebook as nb
from vit_explained.exercises import ExerciseFailed, lesson08

LESSON = nb.NOTEBOOKS / "08_attention_maps.ipynb"
APPENDIX = nb.NOTEBOOKS / "08_attention_maps_appendix.ipynb"
FAMILY_8 = "By the rule, read as a family of 8 at 99.4 % (Bonferroni)"  # 23c: appendix I's moved verdict
SUMMARY_9_RULE = (
    "the gradient-weighted map at once. By the rule (plain ρ against another digit's map) both move only from"
    " blocks 1-3."
)


def _at(text: str, path=LESSON) -> int:
    return nb.unique_index(nb.sources(path), text)


def test_key_columns_print_a_fixed_key_bar_with_paired_intervals():
    cells = nb.cells(APPENDIX)  # 22a: the fixed-bar table moved to appendix D
    at = _at("fixed_on_ink = key_on_ink[:, mode_key.flatten()]", APPENDIX)
    out = nb.printed(cells[at])
    assert "its most frequent top key, used for every digit: on ink (%); the top key minus it, paired" in out
    assert "block 1:  70.5 % +18.0 [+13.0, +23.5]" in out
    assert "block 0:  82.5 % -31.0 [-37.5, -24.5]" in out
    check = cells[at + 1]
    assert nb.hidden(check) and "[18.0, 12.0, 13.5, 15.0]" in nb.source(check) and "gap_low[1] > 0" in nb.source(check)
    # 22a: the paired gaps are read in appendix D, beside their table (same fact)
    appendix_reading = nb.flat(nb.sources(APPENDIX)[_at("that head is a **fixed-key** head", APPENDIX)])
    assert "12 to 18 points more often than their own most frequent key used for every digit" in appendix_reading
    assert "(each paired interval above 0)" in appendix_reading
    reading = nb.flat(nb.sources(LESSON)[_at("**Key columns**")])
    assert "three more heads often off the ink" not in reading
    summary = nb.flat(nb.sources(LESSON)[_at("## Summary")])
    assert "three more heads are often off-ink, above chance" not in summary
    # 22f: the Summary names the fact and points to appendix D, where the 12 to 18 points are printed
    assert "each head's gap to its most frequent key: appendix D" in summary  # 22i: cell 22's numbers
    assert "12 to 18 points" not in summary


def test_appendix_d_reads_the_off_ink_heads_against_their_own_fixed_key():
    cells = nb.cells(APPENDIX)
    at = _at("fixed_share = fixed_on_ink.float().mean(0)", APPENDIX)
    out = nb.printed(cells[at])
    bar = "against its most frequent key, used for every digit (82.5 % on ink): "
    assert bar + "-31.0 points, 95 % interval [-37.5, -24.5]" in out
    assert "block 1, top key on ink - its most frequent key on ink, paired: head 0 +18.0" in out
    check = nb.source(cells[at + 1])
    assert "bars == {(0, 0): 82.5, (3, 0): 41.0, (3, 2): 72.0}" in check
    assert "over_fixed[0, 0].difference.high < 0" in check
    text = nb.flat(nb.sources(APPENDIX)[_at("that head is a **fixed-key** head", APPENDIX)])
    assert "Chance is a low bar, though" in text and "block 0's head 0 (82.5 % on ink; paired -31.0 points)" in text


def test_section_9_states_both_verdicts_and_prints_the_rule():
    cells = nb.cells(LESSON)
    at = _at("rule_gaps = {")
    out = nb.printed(cells[at])
    assert "the rule, paired per digit" in out
    assert "classifier               +0.081 [+0.078, +0.085] / +0.067 [+0.037, +0.098]" in out
    assert "classifier + blocks 2-3  +0.061 [+0.057, +0.065] / -0.004 [-0.043, +0.034]" in out
    assert "classifier + blocks 1-3  -0.033 [-0.043, -0.024] / -0.115 [-0.170, -0.059]" in out
    assert nb.hidden(cells[at + 1]) and 'rule["classifier"][1] == (0.067, 0.037, 0.098)' in nb.source(cells[at + 1])
    verdict = nb.flat(nb.sources(LESSON)[_at("**Verdict** (ρ over 32 digits")])
    assert "Against the noise floor" in verdict and "By the rule (paired lines above)" in verdict
    # 22c: the rule corrected (a gap whose interval holds 0 is undecided, not moved) and read as a family of 8
    family = nb.flat(nb.sources(APPENDIX)[_at(FAMILY_8, APPENDIX)])  # 23c: moved to appendix I
    assert "has not moved at the classifier step (+0.067 [+0.026, +0.112]: still closer)" in family
    assert "not detectably closer (undecided; blocks 2-3: -0.004 [-0.057, +0.051])" in family
    assert "rollout -0.033 [-0.047, -0.021]" in family and "borderline" not in verdict
    opening = nb.flat(nb.sources(LESSON)[_at("## 9 · Sanity check")])
    assert "the gradient-weighted map changes at once." not in opening
    assert "changes beyond noise at once" in nb.flat(nb.sources(LESSON)[_at("**Verdict** (ρ over 32")])  # 22c, 23b
    assert "Moved, by the rule" not in opening  # 23b: the verdict comes after the rule's cell
    verdict = nb.flat(nb.sources(LESSON)[_at("**Verdict** (ρ over 32 digits")])
    assert "Both maps have moved from blocks 1-3" in verdict
    summary = nb.flat(nb.sources(LESSON)[_at("## Summary")])
    # 21j: the referent named
    assert "(ρ 0.98, below its floor), " + SUMMARY_9_RULE in summary  # 23c; 24a: 3 draws


def test_section_11_names_max_and_mean():
    text = nb.flat(nb.sources(LESSON)[_at("## 11 · jacobgil/vit-explain")])
    assert "about 13 (max) and 14 (mean) patches instead of 37" in text and "13 to 14 patches" not in text


def _rolled(weights, *, reverse: bool = False, columns: bool = False):
    eye = torch.eye(weights[0].shape[-1], dtype=weights[0].dtype)
    rolled = eye.expand_as(weights[0][:, 0])
    for w in weights[::-1] if reverse else weights:
        a = 0.5 * w.amax(1) + 0.5 * eye
        a = a / a.sum(-1)[:, None, :] if columns else a / a.sum(-1, keepdim=True)
        rolled = a @ rolled
    flat = rolled[:, 0, 1:].argmax(-1)
    return flat


def batched_columns(weights, rows, cols):
    flat = _rolled(weights, columns=True)
    return torch.stack([flat // cols, flat % cols], -1)


def walked_backwards(weights, rows, cols):
    flat = _rolled(weights, reverse=True)
    return torch.stack([flat // cols, flat % cols], -1)


def right_divmod(weights, rows, cols):
    flat = _rolled(weights)
    return torch.stack([torch.div(flat, cols, rounding_mode="floor"), torch.remainder(flat, cols)], -1)


def right_unravel(weights, rows, cols):
    import numpy as np

    flat = _rolled([w.double() for w in weights]).numpy()
    return torch.as_tensor(np.stack(np.unravel_index(flat, (rows, cols)), -1))


def right_list_of_pairs(weights, rows, cols):
    return torch.tensor([divmod(int(f), cols) for f in _rolled(weights)])


def test_exercise_6_names_both_causes_of_each_slip():
    with pytest.raises(ExerciseFailed, match=r"a\.sum\(-1\)\[:, None, :\]") as batched:
        lesson08.check_max_fusion_top_patch(batched_columns)
    assert "one image at a time" in str(batched.value) and "keepdim=True" in str(batched.value)
    with pytest.raises(ExerciseFailed, match="walked the list last to first") as backwards:
        lesson08.check_max_fusion_top_patch(walked_backwards)
    assert "reversed order, R = R @ mixed" in str(backwards.value)


@pytest.mark.parametrize("answer", [right_divmod, right_unravel, right_list_of_pairs])
def test_exercise_6_right_answers_pass(answer, monkeypatch):
    monkeypatch.setattr(lesson08, "_on_digit_17", lambda function: "")
    lesson08.check_max_fusion_top_patch(answer)


def test_section_3_tells_its_key_column_from_section_5s_top_patch():
    text = nb.flat(nb.sources(LESSON)[_at("One head of the last block on the first digit")])
    assert "A bright column is a key most queries read (not section 5's class-token top patch)" in text


def test_section_4_points_to_timm_files_and_lines():
    assert "files and lines in appendix J" in nb.flat(nb.sources(LESSON)[_at("## 4 · Hooks, not a monkey-patch")])
    timm = nb.flat(nb.sources(APPENDIX)[_at('<a id="appendix-j"></a>', APPENDIX)])
    assert "`set_fused_attn` at `timm/layers/config.py` line 139" in timm
    assert "`timm/models/vision_transformer.py` line 70" in timm and "`timm/layers/attention.py` line 100" in timm

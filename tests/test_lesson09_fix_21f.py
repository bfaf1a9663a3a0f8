"""Lesson 09, fix 21f (review r21e_09): the one-token arm compared with DeiT's class head under the same hard loss
(7 to 11, not the pooled 2 to 16); DeiT's averaged output recorded on the 7s (the 8-epoch hard arm rerun, identical
heads) and quoted beside the two heads; "does not pick up" scoped to the hard loss at 40 epochs with appendix B's
soft tau = 3 counts; the distillation interval read as too wide to detect 1-2 points; timm's
set_distilled_training in section 1; "held out from training"; timm 1.0.28's gate named in appendix A."""

from __future__ import annotations

from tests import _lesson09 as nb
from tests import _notebook
from vit_explained.distill import relabel_ablation
from vit_explained.evidence import proportion

MEASURED = "it calls 45, 41 and 42 of the 50 validation 7s a 1 (Wilson bounds 69 to 96 %)"  # fix 22i
LESSON, APPENDIX = nb.LESSON, nb.APPENDIX
EIGHT_EPOCH_CHECK = "# the numbers section 3 and the Summary quote from these runs"  # fix 22a: appendix B
EIGHT_EPOCH_READING = "**DeiT's averaged output** (what it returns at inference) was recorded"  # fix 22a: appendix B
AVERAGED_VAL, AVERAGED_TEST = [37, 38, 39], [78, 80, 81]  # of the 50 validation and the 100 test 7s
AVERAGED_CLAIM = (
    "**DeiT's averaged output** (what it returns at inference) was recorded in 8-epoch runs (rows above; 44 to"
    " 53 % accuracy): it calls 74 to 78 % of the 50 validation 7s a 1 (Wilson bounds 60 to 87 %), between its two"
    " heads."
)
CLAIM = "On every seed the distillation head calls most held-out 7s"
TIE = "**The one-token arm is a tie, not a trained answer.**"  # fix 22f: appendix B


def _summary() -> str:
    sources = _notebook.sources(LESSON)
    return nb.flat(sources[nb.unique_index(sources, "## Summary")].split("## Exercises")[0])


def _section_3_claim() -> str:
    sources = nb.sources(LESSON)
    return nb.flat(sources[nb.unique_index(sources, CLAIM)])


def _short_hard() -> list[dict]:
    return relabel_ablation()["arms"]["short-hard"]["runs"]


# --- 1: like with like -------------------------------------------------------------------------------------------


def test_the_one_token_arm_is_compared_with_the_class_head_under_the_same_hard_loss():
    summary = _summary()
    assert "2 to 16" not in summary
    # fix 22f (review r22e item 2): the one-token sentence moved from the Summary to appendix B (the tie named there)
    tie = nb.flat(nb.sources(LESSON)[nb.unique_index(nb.sources(LESSON), TIE)])
    assert "2 to 16" not in tie
    assert "one class token whose one head learns both targets calls 62 to 71 of the 100 test 7s a 1" in tie
    assert "DeiT's class head 7 to 11 under the same hard loss" in tie
    assert [sum(run["test_class_says_1"]) for run in _short_hard()] == [11, 7, 8]
    sources = nb.sources(LESSON)
    check = sources[nb.unique_index(sources, EIGHT_EPOCH_CHECK)]  # fix 22a: appendix B
    assert "(2, 16)" not in check and 'low_high(says_1("short-hard", "class")) == (7, 11)' in check
    without = nb.flat(sources[nb.unique_index(sources, "**Without the token**")])
    assert "2 to 16" not in without and "where DeiT's class head calls 7 to 11 under the same hard loss" in without


# --- 2: the averaged output ----------------------------------------------------------------------------------------


def test_the_short_hard_rerun_stores_the_averaged_output_and_keeps_the_heads():
    runs = _short_hard()
    assert [run["seed"] for run in runs] == [0, 1, 2]
    for run in runs:
        assert len(run["averaged_says_1"]) == 50 and len(run["test_averaged_says_1"]) == 100
        assert len(run["test_other_averaged_says_1"]) == 800
    # the rerun reproduced the stored heads exactly (the merge only added the averaged output)
    assert [sum(run["class_says_1"]) for run in runs] == [7, 6, 3]
    assert [sum(run["distillation_says_1"]) for run in runs] == [42, 43, 46]
    assert [run["val_accuracy"] for run in runs] == [0.518, 0.534, 0.444]
    assert [sum(run["averaged_says_1"]) for run in runs] == AVERAGED_VAL
    assert [sum(run["test_averaged_says_1"]) for run in runs] == AVERAGED_TEST
    # the 40-epoch arms were not rerun: they record only the averaged output's overall accuracy
    arms = relabel_ablation()["arms"]
    assert not any("averaged_says_1" in run for arm in ("relabel", "control") for run in arms[arm]["runs"])
    # fix 22i: the relabel arm run again (stored beside it) records it: 45, 41, 42 of the 50 validation 7s
    assert [sum(run["averaged_says_1"]) for run in arms["relabel-rerun"]["runs"]] == [45, 41, 42]


def test_section_3_prints_the_averaged_output_beside_the_two_heads_with_wilson_bounds():
    sources, cells = nb.sources(LESSON), nb.cells(LESSON)
    table = nb.unique_index(sources, 'short_hard = arms["short-hard"]')  # fix 22a: moved to appendix B
    printed = nb.printed(cells[table])
    assert "8-epoch students (44.4 to 53.4 % validation accuracy), 7 → 1 teacher, the same 50 7s" in printed
    lines = {line.split("  ")[1].strip(): line for line in printed.splitlines() if line.startswith("  ")}
    shares = [proportion(run["averaged_says_1"]) for run in _short_hard()]
    low, high = round(100 * min(s.low for s in shares)), round(100 * max(s.high for s in shares))
    assert lines["averaged output"].split()[-2:] == [f"[{low},", f"{high}]"]
    assert "distillation head" in lines and "class head" in lines
    check = sources[table + 1]
    assert nb.hidden(cells[table + 1]) and "averaged output" in check
    assert AVERAGED_CLAIM in nb.flat(sources[nb.unique_index(sources, EIGHT_EPOCH_READING)])  # appendix B
    claim = _section_3_claim()
    # fix 22i: the 40-epoch averaged output measured by the rerun replaces "not recorded" and the accuracy inference
    assert "**Not recorded at 40 epochs:**" not in claim and MEASURED in claim
    assert "95 % t-interval [-10.8, -4.3]" not in claim
    # fix 22c (review r22b item 3): the Summary quotes one set per bullet; these 8-epoch validation-7 rows are
    # appendix B's (the same numbers, printed and asserted there)
    assert "calls 45, 41 and 42 of the 50 validation 7s" in _summary() and "74 to 78 %" not in _summary()  # 22i
    assert "7.5 points [-10.8, -4.3]" not in _summary()
    rows = {line.split("  ")[1].strip(): line.split() for line in printed.splitlines() if line.startswith("  ")}
    assert rows["distillation head"][-5:-2] == ["84,", "86,", "92"] and rows["class head"][-5:-2] == ["14,", "12,", "6"]
    assert "74 to 78 % of the 50 validation 7s a 1 (Wilson bounds 60 to 87 %)" in AVERAGED_CLAIM


# --- 4, 5, 6, 8, 9 ---------------------------------------------------------------------------------------------------


def test_does_not_pick_up_is_scoped_to_the_hard_loss_at_40_epochs_with_the_soft_tau_3_counts():
    # fix 24a (review r23f item 4): goal 3 is a goal; the scoped result lives in section 3's claim
    claim = _section_3_claim()
    scoped = claim.replace("**", "").split("So, with the hard loss at 40 epochs,")[1]
    assert "the class head calls none of the 50 validation 7s a 1 on any of 3 seeds (Wilson upper bound 7 %)" in scoped
    # fix 23e (review r23e item 3): the bold sentence leads with DeiT's averaged output, then the two heads
    # fix 24e (review r24d item 3): the averaged output moved to "What DeiT returns at inference", same cell
    assert "So, with the hard loss at 40 epochs, the distillation head follows" in claim.replace("**", "")
    assert "What DeiT returns at inference is its two heads' average" in claim.replace("**", "")
    assert "it calls 45, 41 and 42 of the 50 validation 7s a 1" in claim.split("What DeiT returns at inference")[1]
    # per seed (the range "37 to 73" stays out of section 3's claim: an older negative pin), with its caveat
    # fix 22a (review r21k item 3): the soft tau = 3 counts moved to appendix B with the 8-epoch rows
    assert (
        "At soft τ = 3 (8-epoch students at ~43 % accuracy, cause untested) the class head calls 60, 73"
        " and 37 of the 100 test 7s a 1, the unchanged teacher's 2, 0 and 20."
        in nb.flat(nb.sources(LESSON)[nb.unique_index(nb.sources(LESSON), EIGHT_EPOCH_READING)])
    )
    arms = relabel_ablation()["arms"]
    says_1 = lambda arm: [sum(r["test_class_says_1"]) for r in arms[arm]["runs"]]  # noqa: E731
    assert says_1("short-soft-tau3") == [60, 73, 37] and says_1("short-soft-tau3-control") == [2, 0, 20]
    assert all(0.42 <= r["val_accuracy"] <= 0.436 for r in arms["short-soft-tau3"]["runs"])  # '~43 %'
    check = nb.sources(LESSON)[nb.unique_index(nb.sources(LESSON), EIGHT_EPOCH_CHECK)]  # fix 22a
    assert "== (37, 73)" in check and "== (0, 20)" in check
    assert '"class") == [60, 73, 37]' in check and '"class") == [2, 0, 20]' in check  # the per-seed counts quoted


def test_the_interval_is_read_as_too_wide_to_detect_one_to_two_points():
    sources = nb.sources(LESSON)
    section_2 = nb.flat(sources[nb.unique_index(sources, "## 2 · What DeiT contributes")])
    assert "+0.9 points [-4.5, +6.3]). The interval is too wide" in _summary()  # fix 22a: out of section 2
    assert "it holds Table 3's distillation gains" not in section_2
    summary = _summary()
    assert "contains the paper's Table 3 gains" not in summary
    assert "3 seeds cannot detect a gain of 1 to 2 points" in summary and "(1.2 to 1.6 points, on ImageNet)" in summary
    helps = nb.flat(sources[nb.unique_index(sources, "**Does distillation help here?**")])
    assert "too wide for 3 seeds to detect a gain of 1 to 2 points" in helps
    assert "It also holds the paper's Table 3 gains" not in helps
    assert "+0.9 points, 95 % t-interval [-4.5, +6.3]" in nb.all_printed(LESSON)  # half-width 5.4 points, over 2


def test_section_1_names_timms_set_distilled_training():
    sources = _notebook.sources(LESSON)
    text = nb.flat(sources[nb.unique_index(sources, "Both special tokens go through every block")])
    # fix 21j (review r21i): set_distilled_training and the averaged output read in timm v0.6.7's deit.py too
    assert (
        "timm's distilled DeiT (0.6.5 to 1.0.28; newer unchecked) returns the average in training mode too unless"
        in text
    )
    assert "`set_distilled_training(True)` was called, so fine-tuning without it trains the average" in text
    appendix_a = nb.flat(_notebook.all_text(APPENDIX))
    # fix 22c (review r22b item 5): the same range as section 1 (v0.6.7 read: the same branch)
    assert "| timm `VisionTransformerDistilled` | 0.6.5 to 1.0.28, the same branch |" in appendix_a


def test_the_validation_sevens_are_held_out_from_training_not_unseen():
    sources = _notebook.sources(LESSON)
    summary = nb.unique_index(sources, "## Summary")
    setup = nb.unique_index(sources, "## 3b · A planted mistake: does each head follow its own targets?")
    for text in sources[setup : summary + 1]:
        assert "unseen" not in text
    assert "the 50 validation 7s, held out from training" in nb.flat(sources[setup])
    assert "unseen" not in nb.flat(sources[0])


def test_appendix_a_names_timms_gate():
    text = nb.flat(_notebook.all_text(APPENDIX))
    assert "| | 1.0.28 on | `gate` (commit `63a83a6`, June 2026): `None` unless `gated=True`" in text
    assert "timm 1.0.28 adds `gate`, `None` unless `gated=True`" in text

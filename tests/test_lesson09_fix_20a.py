"""Lesson 09, fix 20a (review r19d_09): the soft tau = 3 arm's unchanged-teacher control and the soft arms' other
digits, a shuffled baseline for the two maps' agreement, relabel figures that name their digits and length (the short
runs in two rows), section 3 led by one small table with one test per claim (the seed-by-seed tests in appendix B),
DeiT's 10x lighter KL weight and the paper's tau = 3.0, lambda = 0.1, the Summary's class-head result, cell 37's
clause."""

from __future__ import annotations

import torch

from tests import _lesson09 as nb
from vit_explained.distill import map_agreement, relabel_ablation
from vit_explained.plotting.lesson09 import plot_relabel_ablation

LESSON = nb.NOTEBOOKS / "09_deit_distillation.ipynb"


def _section(sources: list[str], start: str, end: str) -> list[str]:
    first = nb.unique_index(sources, start)
    return sources[first : nb.unique_index(sources, end)]


# --- 1: the tau = 3 control ------------------------------------------------------------------------------------


def test_the_tau3_control_is_stored_with_the_other_digits():
    arms = relabel_ablation()["arms"]
    control = arms["short-soft-tau3-control"]
    assert control["loss"] == "soft-tau3" and control["epochs"] == 8
    assert [run["seed"] for run in control["runs"]] == [0, 1, 2]
    for run in control["runs"]:
        assert len(run["test_class_says_1"]) == 100 and len(run["test_other_class_says_1"]) == 800
        assert 0 < run["val_accuracy"] < 1


def test_the_table_prints_both_controls_and_their_validation_accuracy():
    sources, cells = nb.sources(LESSON), nb.cells(LESSON)
    i = nb.unique_index(sources, "median count of the 100 test 7s called 1")
    out = nb.printed(cells[i])
    assert "soft τ=3, teacher unchanged" in out and "hard, teacher unchanged" in out and "val acc" in out
    assert nb.hidden(cells[i + 1]) and "short-soft-tau3-control" in sources[i + 1]


def test_the_lead_no_longer_says_the_tau3_arm_has_no_control():
    sources = nb.sources(LESSON)
    lead = nb.unique_index(sources, "## 3b · A planted mistake: does each head follow its own targets?")  # fix 20c
    reading = nb.flat(sources[lead] + sources[lead + 3])
    assert "no unchanged-teacher control" not in reading and "leaks" not in reading


# --- 4: the shuffled baseline ----------------------------------------------------------------------------------


def test_map_agreement_baseline_pairs_different_digits():
    maps = torch.rand(50, 7, 7, generator=torch.Generator().manual_seed(0))
    same = map_agreement(maps, maps, shuffles=5)
    assert same.same_top == 1.0 and abs(same.median_cosine - 1) < 1e-6
    assert len(same.shuffled_same_top) == 5 and max(same.shuffled_same_top) < 0.5  # never a digit with itself


def test_the_chance_line_became_a_shuffled_baseline():
    sources, cells = nb.sources(LESSON), nb.cells(LESSON)
    i = nb.unique_index(sources, "agreement = map_agreement(class_maps, distillation_maps")
    out = nb.printed(cells[i])
    assert "1 of 49" not in out and "another digit's distillation map (20 shuffles)" in out
    assert "median cosine 0.40 to 0.45, same top patch on 3.0% to 6.2%" in out
    assert "(round(min(shuffled_cosine), 2), round(max(shuffled_cosine), 2)) == (0.40, 0.45)" in sources[i + 1]
    assert "0.40 to 0.45 and 3.0 to 6.2 % (20 shuffles)" in nb.flat(nb.all_text(LESSON))
    assert "by chance" not in nb.flat(sources[nb.unique_index(sources, "The maps overlap but are not the same")])


# --- 5: the figures' titles ------------------------------------------------------------------------------------


def test_relabel_figures_name_digits_and_length():
    sources = nb.sources(LESSON)
    # fix 20e (review r20d): section 3's figure became a teacher x head table naming its digits
    # fix 21c (review r21b): the table prints in the cell after the picture that builds called_1
    assert "% of the 50 held-out validation 7s called 1" in sources[nb.unique_index(sources, "called_1 = {") + 1]
    picture = sources[nb.unique_index(sources, '"09_relabel_40_epochs"')]
    assert 'digits="50 validation 7s", epochs=40' in picture
    short = sources[nb.unique_index(sources, '"09_relabel_short_arms"')]
    assert 'digits="100 test 7s", epochs=8, by_head=True' in short
    fig = plot_relabel_ablation(
        {"distillation head, a": [(0.9, 0.8, 0.95)] * 3, "class head, a": [(0.1, 0.05, 0.2)] * 3},
        digits="100 test 7s",
        epochs=8,
        by_head=True,
    )
    assert len(fig.axes) == 2 and "100 test 7s, 8-epoch students" in fig._suptitle.get_text()
    assert [t.get_text() for t in fig.axes[1].get_xticklabels()] == ["a"]
    assert fig.axes[0].get_ylabel() == "100 test 7s called 1 (%)"
    one = plot_relabel_ablation({"distillation head, a": [(0.9, 0.8, 0.95)] * 3}, digits="50 validation 7s", epochs=40)
    assert "50 validation 7s, 40-epoch students" in one.axes[0].get_title()


# --- 6: section 3 leads with one table, the seed-by-seed tests in appendix B -----------------------------------


def test_section_3_table_then_picture_then_one_test_per_claim():
    sources = nb.sources(LESSON)
    table = nb.unique_index(sources, "median count of the 100 test 7s called 1")
    picture = nb.unique_index(sources, '"09_relabel_short_arms"')
    tests = nb.unique_index(sources, "hard_apart = apart(")
    assert table < picture < tests
    section = "\n".join(_section(sources, "## 3 · Hard distillation", "## 4 · What"))
    assert "mcnemar(" not in section and "t_interval()" not in section


def test_appendix_b_holds_the_short_runs_seed_by_seed_after_the_exercises():
    sources = nb.sources(LESSON)
    exercises = nb.unique_index(sources, "### Exercise 1 ·")
    header = nb.unique_index(sources, "### The 8-epoch runs, seed by seed")
    counts = nb.unique_index(sources, "test 7s called 1, seeds 0, 1, 2")
    mcnemar = nb.unique_index(sources, "per_seed_tests[loss] = [mcnemar(")
    assert exercises < header < counts < mcnemar
    assert all(sources[i + 1].startswith("# @title A check of the claim above") for i in (counts, mcnemar))


def test_the_short_runs_reading_is_shorter():
    sources = nb.sources(LESSON)
    reading = sources[nb.unique_index(sources, "**The plumbing, at $\\tau = 1$.**")]
    assert len(reading) < 1600, len(reading)


# --- 3, 7, 8 ---------------------------------------------------------------------------------------------------


def test_deits_lighter_kl_and_the_papers_soft_settings():
    sources = nb.sources(LESSON)
    reading = nb.flat(sources[nb.unique_index(sources, "**The plumbing, at $\\tau = 1$.**")])
    assert "about 10 times lighter" in reading and "may not carry over to DeiT as run" in reading
    table3 = nb.flat(sources[nb.unique_index(sources, "**Hard wins in Table 3**")])
    assert "The soft rows use $\\tau = 3.0$ and $\\lambda = 0.1$" in table3


def test_cell_37_leans_on_the_test_sevens():
    text = nb.flat(nb.all_text(LESSON))
    # fix 20c (review r20b): the 8-epoch runs moved to appendix B; section 3 names them once, with their control
    # fix 20e (review r20d): that line now gives the one-token arm beside DeiT's class head and its control
    assert "**Without the token** (appendix B: 8-epoch runs, 3 seeds, the 100 test 7s)" in text
    assert "86 to 89 of 100 against 1 to 7" not in text


def test_the_summary_states_the_class_head_result_with_its_control():
    sources = nb.sources(LESSON)
    summary = nb.flat(sources[nb.unique_index(sources, "## Summary")])
    # fix 20e (review r20d): the Summary's bullet is one sentence; the count, its control and caveat in appendix B
    assert "37 to 73" not in summary and "intervals apart" not in summary
    moved = nb.flat(sources[nb.unique_index(sources, "**Section 3's class head in these runs.**")])
    assert "after soft $\\tau = 3$, 37 to 73 against 0 to 20" in moved

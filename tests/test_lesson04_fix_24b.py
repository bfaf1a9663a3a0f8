"""Lesson 04, review r24a_04: timm's init slopes quoted per seed (t over the seeds' slopes), not pooled, in Answer 6a
and the Summary; appendix B per seed throughout (its sentence softened); section 6b's table matches its printed
arms (RMS and detached arms moved to appendix A); gradient x ||x_L|| backed by a per-seed slope; Lemma 2 stated;
exercise 1's sign-slip message names the product rule."""

import re

import pytest
import torch

from tests import _notebook as nb
from vit_explained.exercises import ExerciseFailed
from vit_explained.exercises.lesson04 import check_gelu_slope
from vit_explained.plotting.lesson04 import depth_slope, seed_slope

LESSON = nb.NOTEBOOKS / "04_gelu_mlp_and_block.ipynb"
APPENDIX = nb.NOTEBOOKS / "04_gelu_mlp_and_block_appendix.ipynb"


def _flat(path, text: str) -> str:
    sources = nb.sources(path)
    return nb.flat(sources[nb.unique_index(sources, text)])


def test_seed_slope_is_a_t_interval_over_per_seed_slopes_wider_than_pooled() -> None:
    depths = (2, 4, 8, 16)
    values = {d: [d**-0.5 * (1 + 0.1 * s) * (1 + 0.05 * ((d + s) % 3)) for s in range(3)] for d in depths}
    slope, low, high = seed_slope(values)
    assert abs(slope - depth_slope(values)[0]) < 1e-12  # the same mean slope on a balanced design
    assert low < slope < high
    with pytest.raises(ValueError):
        seed_slope({2: [1.0, 2.0], 4: [1.0]})


def test_answer_6a_and_summary_quote_timm_per_seed_printed_and_asserted() -> None:
    cells, sources = nb.cells(APPENDIX), nb.sources(APPENDIX)  # printed in appendix B, asserted next to where computed
    printed = nb.printed(cells[nb.unique_index(sources, "print(init_arm_table(summary))")])
    assert "L^-0.044 [-0.104, +0.017]" in printed and "L^-0.243 [-0.304, -0.182]" in printed
    for computed, pinned in (("init_slope = {init: seed_slope(", "[-0.044, -0.104, 0.017]"),
                             ("wide_slope = {init: seed_slope(", "[-0.243, -0.304, -0.182]")):  # fmt: skip
        at = nb.unique_index(sources, computed)
        assert nb.hidden(cells[at + 1]) and pinned in nb.source(cells[at + 1])
    head = _flat(LESSON, "**6a · The gradient against depth.**")  # 24f: moved from Answer 6a into the set-up
    assert "appendix B finds no detectable fall at D = 64)" in head  # 24d: intervals printed only
    summary = nb.flat(nb.all_text(LESSON).split("## Summary")[1].split("## What this lesson")[0])
    assert "there is no detectable fall at D = 64." in summary
    for pooled in ("[-0.079, -0.009]", "[-0.285, -0.201]"):
        assert pooled not in nb.all_text(LESSON)


def test_appendix_b_is_per_seed_and_its_sentence_softened() -> None:
    printed = nb.all_printed(APPENDIX)
    assert "timm            0.16  0.16  0.16  0.32   L^-0.044 [-0.104, +0.017]" in printed
    assert "xavier x 0.25 - xavier x 0.5: +0.04 [-0.01, +0.09]" in printed
    assert "L^-0.046 [-0.097, +0.005]" in printed and "-0.10 [-0.26, +0.05]" in printed
    text = nb.all_text(APPENDIX)
    assert "(each interval is above 0)" not in text and "[-0.18, -0.03]" not in text
    prose = _flat(APPENDIX, "Xavier x 0.25 against x 0.5 shows no detectable difference")
    assert "(+0.04 [-0.01, +0.09], includes 0)" in prose and "$L^{-0.046}$ [-0.097, +0.005], include 0" in prose
    assert "but per seed their difference, -0.10 [-0.26, +0.05], includes 0" in prose
    assert "`seed_slope`" in _flat(APPENDIX, "## B · The fall and the initial weights")


def test_section_6b_table_lists_exactly_the_printed_arms() -> None:
    cells, sources = nb.cells(LESSON), nb.sources(LESSON)
    at = nb.unique_index(sources, "ablation = final_norm_ablation(depths, seeds)")
    # 24d: one sentence per arm, each arm in bold, instead of the table
    arms = re.findall(r"\*\*([^*]+)\*\*", sources[at - 1].split("the arms below test this")[1])
    arms = [arm[0].lower() + arm[1:] if arm.startswith("No ") else arm for arm in arms]
    printed = [line[:24].strip() for line in nb.printed(cells[at]).splitlines()[1:]]
    assert arms == printed == ["final LayerNorm", "no final step", "/ 1.33", "/ 1.33 after centring"]
    moved = _flat(APPENDIX, "**Section 6b's other arms** (moved from the lesson)")
    assert "| RMS, divisor detached | RMS; no backward through $\\sqrt{\\overline{x^2}+\\epsilon}$ |" in moved


def test_product_flat_backed_by_a_per_seed_slope_and_lemma_2_stated() -> None:
    cells, sources = nb.cells(APPENDIX), nb.sources(APPENDIX)  # 24d: moved to appendix A with its check
    at = nb.unique_index(sources, "product_slope = seed_slope(seeds_0_2)")
    assert "its slope, per seed (seeds 0-2, 7 depths): L^-0.005 [-0.108, +0.097]" in nb.printed(cells[at])
    assert "[-0.005, -0.108, 0.097]" in nb.source(cells[at + 1]) and nb.hidden(cells[at + 1])
    answer = nb.flat(sources[at + 2])  # 24d: the sentence moved with its cell
    assert "and its per-seed slope includes 0" in answer
    assert "Xiong et al.'s Lemma 2: $E\\|x_L\\|^2$ grows linearly in $L$ (their simplified model)." in answer
    assert "holds 0" not in " ".join(nb.sources(LESSON)[: nb.unique_index(nb.sources(LESSON), "## Summary")])


def test_exercise_1_sign_slip_names_the_product_rule() -> None:
    from scipy.stats import norm

    with pytest.raises(ExerciseFailed, match=r"the product rule gives Phi\(x\) \+ x\*phi\(x\), with a plus"):
        check_gelu_slope(lambda x: torch.as_tensor(norm.cdf(x.numpy()) - x.numpy() * norm.pdf(x.numpy())))

"""Lesson 04, fix 19d (review r19c_04): section 6 opens with its question, the theorem's bounds and the three
questions; the coincidence notes folded into the probe's details, placed after the probe's code; Answer 1 says
"bounded by O(1/sqrt(L))" and Lemma 2 proves the band; the warm-up result in Answer 3, after the curves, with a
hidden check; timm's DropPath schedule as Huang et al.'s linear decay shifted; the ViT paper's equations with
section 5's code and the identity claim right before its demonstration; the ending: summary first, the exercises
under their own heading, the library differences last."""

from __future__ import annotations

from tests import _notebook as nb

LESSON = nb.NOTEBOOKS / "04_gelu_mlp_and_block.ipynb"


def test_section_six_opens_with_its_question_then_bounds_and_questions() -> None:
    head = nb.source(nb.cells(LESSON)[nb.unique_index(nb.sources(LESSON), "## 6 · Where the norm sits")])
    paragraphs = head.split("\n\n")
    assert paragraphs[1].startswith("**Does the norm's place change the last block's gradient?**")
    assert "Theorem 1 gives upper bounds" in paragraphs[1] and "**The answer.**" not in head
    assert paragraphs[2].startswith("**6a · The gradient against depth.**")  # 20e; 22i: the roadmap list cut
    visible = nb.flat("\n".join(nb.source(c) for c in nb.cells(LESSON) if c["cell_type"] == "markdown"))
    for gone in ("**The $-0.5$ is a coincidence of the range.**", "assumes the *squared* norm", "shrinks about as"):
        assert gone not in visible, gone


def test_coincidence_notes_folded_after_the_probe_and_answer_one_a_bound() -> None:
    cells = nb.cells(LESSON)
    probe_cells = nb.cells(nb.NOTEBOOKS / "04_gelu_mlp_and_block_appendix.ipynb")  # 21a: the probe in appendix A
    probe = nb.unique_index([nb.source(c) for c in probe_cells], "def fc2_gradient(")
    assert nb.source(probe_cells[probe - 1]).startswith("Each dot of section 6a is this probe")
    assert "(`norm_placement.last_fc2_gradient`)" in nb.source(probe_cells[probe - 1])
    appendix_cells = nb.cells(nb.NOTEBOOKS / "04_gelu_mlp_and_block_appendix.ipynb")  # 20e: the details in appendix A
    folded = nb.flat("\n".join(nb.source(c) for c in appendix_cells))
    assert "<details><summary>How it was measured" in folded
    assert not nb.source(probe_cells[probe + 1]).startswith("<details>")
    # fix 20a: the coincidence note moved from these details to appendix A, with the same wording
    appendix = nb.sources(nb.NOTEBOOKS / "04_gelu_mlp_and_block_appendix.ipynb")
    folded = nb.flat(appendix[nb.unique_index(appendix, "**Two fits of the same four depths**")])  # 21c: retitled
    band = "lies between $(1 + \\ell/2)d$ and $(1 + 3\\ell/2)d$"
    # review r19d: Lemma 2 bounds the expectation, at their initialisation, with uniform attention
    assert "Lemma 2 bounds the *expected* squared stream norm of pre-norm" in folded
    assert "uniform attention ($W_Q = W_K = 0$)" in folded and band.replace("lies between", "") in folded
    assert "Theorem 1 rests on that band" in folded
    assert "is not shown to be a coincidence" in folded  # 21c: L^0.96 fits the same points
    answer = nb.flat(nb.source(cells[nb.unique_index(nb.sources(LESSON), "**Answer 6a.**")]))
    assert "coincidence" not in answer  # 21a: the answer quotes the printed slope
    assert "falls, about as $L^{-0.47}$" in answer  # 24d: the per-seed interval is printed, not quoted
    ablation = nb.flat(nb.source(cells[nb.unique_index(nb.sources(LESSON), "**6b · What makes pre-norm's fall?**")]))
    assert "coincidence" not in ablation


def test_warm_up_result_in_answer_three_after_the_curves_with_a_check() -> None:
    cells = nb.cells(LESSON)
    training = nb.flat(nb.source(cells[nb.unique_index(nb.sources(LESSON), '<a id="norm-training"></a>')]))
    assert "delayed post-norm's collapse" not in training.split("<details>")[0]
    figure = next(i for i, c in enumerate(cells) if 'save_figure(fig, "04_norm_training")' in nb.source(c))
    assert nb.hidden(cells[figure + 1]) and 'min(run["losses"]) < 0.9 * math.log(10)' in nb.source(cells[figure + 1])
    answer = nb.flat(nb.source(cells[figure + 2]))
    assert answer.startswith("**Answer 6c.**")  # 21a: the falls-then-climbs curve is the plot's; the answer keeps:
    tightened = (  # 22c
        "Without warm-up, post-norm's loss stayed above the dotted line; with one it dipped below, "
        "then rose back near its end (lr near 5e-3). A longer one is untested."
    )
    assert tightened in answer


def test_drop_path_schedule_is_huangs_linear_decay_shifted() -> None:
    text = nb.flat(
        nb.source(
            nb.cells(LESSON)[
                nb.unique_index(nb.sources(LESSON), "**Two more things timm's `Block` can put on a branch.**")
            ]
        )
    )
    assert "timm's schedule is Huang et al.'s linear decay, shifted by one block and stretched" in text
    assert "from 1 at the first block to 0.5 at the last" not in text


def test_equations_with_the_code_and_identity_claim_before_its_demonstration() -> None:
    cells = nb.cells(LESSON)
    head = nb.source(cells[nb.unique_index(nb.sources(LESSON), "## 5 · The block")])
    assert "equations 2-3" in head and "z'_{\\ell} = \\mathrm{MSA}" in head
    pointer = nb.unique_index(nb.sources(LESSON), "**The block is the identity plus two corrections.**")
    text = nb.source(cells[pointer])  # 21a: merged into the section's head, before the code that shows it
    assert text.index("equations 2-3") < text.index("**The block is the identity plus two corrections.**")
    assert "silent = copy.deepcopy(block)" in nb.source(cells[pointer + 1])


def test_ending_summary_first_exercises_own_cell_libraries_last() -> None:
    cells = nb.cells(LESSON)
    summary = nb.unique_index(nb.sources(LESSON), "## Summary")
    assert nb.source(cells[summary + 1]).startswith("## What this lesson does not show")
    assert "## Exercises" not in nb.source(cells[summary])
    exercises = nb.unique_index(nb.sources(LESSON), "## Exercises")
    assert summary < exercises < nb.unique_index(nb.sources(LESSON), "### Exercise 1")
    assert nb.source(cells[-1]).startswith("## Where the libraries differ")
    assert nb.unique_index(nb.sources(LESSON), "## Where the libraries differ") > nb.unique_index(
        nb.sources(LESSON), "### Exercise 6"
    )
    bullets = nb.source(cells[summary]).split("\n- ")
    fourth, fifth = bullets[4], bullets[5]
    assert fourth.startswith("A block is a **residual stream**") and "\n" not in fourth.strip()
    assert fifth.startswith("**Post-norm**") and "\n" not in fifth.strip()


def _slope(x):
    import math

    import torch

    return torch.special.ndtr(x) + x * torch.exp(-x * x / 2) / math.sqrt(2 * math.pi)


def test_gelu_slope_computed_in_float32_passes_with_a_note(capsys) -> None:
    import numpy as np
    import torch
    from scipy.stats import norm

    from vit_explained.exercises import lesson04

    right = (
        _slope,
        lambda x: torch.from_numpy(norm.cdf(x.double().numpy()) + x.double().numpy() * norm.pdf(x.double().numpy())),
        lambda x: 0.5 * (1 + torch.erf(x / np.sqrt(2))) + x * torch.exp(-0.5 * x**2) / np.sqrt(2 * np.pi),
    )
    for answer in right:
        lesson04.check_gelu_slope(answer)
        assert "computed in float32?" not in capsys.readouterr().out
    lesson04.check_gelu_slope(lambda x: _slope(x.float()).to(x.dtype))
    printed = capsys.readouterr().out
    assert printed.startswith("Correct!") and "float32 rounding: computed in float32?" in printed


def test_missing_keepdim_named_alone_when_sizes_are_d_against_n() -> None:
    import pytest
    import torch

    from vit_explained.exercises import ExerciseFailed, lesson04

    def no_keepdim(x, w, b, eps):
        return (x - x.mean(-1)) / torch.sqrt(x.var(-1, unbiased=False) + eps) * w + b

    def weight_reshaped(x, w, b, eps):
        centred = x - x.mean(-1, keepdim=True)
        return centred / torch.sqrt(x.var(-1, keepdim=True, unbiased=False) + eps) * w[:, None] + b

    with pytest.raises(ExerciseFailed) as caught:
        lesson04.check_layer_norm(no_keepdim)
    message = str(caught.value)
    assert "without keepdim=True" in message and "reshaped" not in message and len(message) < 300
    with pytest.raises(ExerciseFailed) as caught:
        lesson04.check_layer_norm(weight_reshaped)
    assert "reshaped" in str(caught.value)

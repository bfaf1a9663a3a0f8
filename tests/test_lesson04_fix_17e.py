"""Lesson 04, fresh review 17d (fix round 17e): warm-up scoped, flat-gradient link with its caveat, intervals printed
as plain text, the Monte-Carlo standard errors, the final-norm arms as visible one-liners, the linear-growth note."""

from pathlib import Path

import nbformat

LESSON = Path(__file__).resolve().parents[1] / "notebooks" / "04_gelu_mlp_and_block.ipynb"


def _cells():
    return nbformat.read(LESSON, as_version=4).cells


def _text(cell) -> str:
    return "".join(o.get("text", "") for o in cell.get("outputs", []))


def test_warm_up_sentence_is_scoped_and_the_link_keeps_its_caveat() -> None:
    prose = next(" ".join(c.source.split()) for c in _cells() if '<a id="norm-training"></a>' in c.source)
    assert "A warm-up delays post-norm's collapse" not in prose
    answer = next(" ".join(c.source.split()) for c in _cells() if c.source.startswith("**Answer 6c.**"))  # fix 19d
    # 22c: the scoped warm-up result, tightened to what the curves show
    assert "Without warm-up, post-norm's loss stayed above the dotted line; with one it dipped below" in answer
    appendix = nbformat.read(LESSON.with_name("04_gelu_mlp_and_block_appendix.ipynb"), as_version=4).cells
    moved = " ".join(" ".join(c.source.split()) for c in appendix if c.cell_type == "markdown")  # fix 20c: appendix F
    assert "Xiong et al.'s longer warm-ups were not tried" in moved
    assert "the link to the lesson's Answer 1 is untested here" in moved  # 18b; 18d: the link stated after Answer 1
    assert "appendix F" in prose  # the lesson points there
    summary = next(" ".join(c.source.split()) for c in _cells() if c.source.startswith("## Summary"))
    assert "50- or 150-step warm-up" in summary and "untested" in summary  # 22c: the scope, new wording


def test_quoted_intervals_print_as_plain_text() -> None:
    shown = "".join(_text(c) for c in _cells() if c.cell_type == "code")
    assert "none     +2.5 [-11.4, +16.5]   +64.4 [+51.0, +77.8]  3 of 3 / 0 of 3" in shown  # round 18a: one table
    appendix = nbformat.read(LESSON.with_name("04_gelu_mlp_and_block_appendix.ipynb"), as_version=4).cells
    moved = "".join(_text(c) for c in appendix if c.cell_type == "code")
    assert "post-norm - pre-norm slope: +0.45 [+0.30, +0.60]" in moved  # 21a: the Welch line in appendix A
    assert "Fisher's exact p: warm-up none: p = 0.10" in moved  # round 18a: Fisher's p folded; 20c: in appendix F


def test_monte_carlo_means_print_their_standard_error() -> None:
    cell = next(c for c in _cells() if c.source.startswith("gate_x = torch.tensor("))
    assert "-0.1545 ± 0.0005" in _text(cell)


def test_final_steps_are_visible_one_liners_with_plain_labels() -> None:
    appendix = nbformat.read(LESSON.with_name("04_gelu_mlp_and_block_appendix.ipynb"), as_version=4).cells  # 20e
    cell = next(c for c in appendix if "final_steps = {" in c.source)
    assert '"centred_fixed": lambda x, norm: (x - x.mean(dim=-1, keepdim=True)) / FIXED_NORM' in cell.source
    printed = _text(next(c for c in appendix if c.source.startswith("ablation_slope = ")))  # split in round 18b
    assert "  / 1.33 after centring  L^+0.065" in printed and "  final LayerNorm        L^-0.468" in printed


def test_nits() -> None:
    appendix = [
        " ".join(c.source.split())
        for c in nbformat.read(LESSON.with_name("04_gelu_mlp_and_block_appendix.ipynb"), as_version=4).cells
    ]
    # fix 19b: "Why an MLP at all?" moved to appendix N
    assert any("it only centres and rescales the whole token: it cannot gate one feature" in s for s in appendix)
    assert any(
        "At any D the same holds, eps aside" in s for s in appendix
    )  # round 19a: the geometry moved to appendix K
    # 18d: moved to appendix A; 20a: with the whole "-0.5 coincidence" note, now in appendix A itself
    assert any("Why the stream grows about linearly here: below." in s for s in appendix)

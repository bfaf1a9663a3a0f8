"""Round 18c, lesson 07: one point per visible cell (the trained stem moved to section 6, its bookkeeping in
plotting.lesson07; the original-code check split in three), wording to the printed intervals, a square grid in
exercise 2's checker."""

import pathlib

import pytest
import torch
import torch.nn.functional as F

from tests import _notebook as nb
from vit_explained.data import load_digits
from vit_explained.exercises import ExerciseFailed, lesson07
from vit_explained.plotting.lesson07 import (
    ink_following,
    stem_attention_changes,
    stem_attention_study,
    stored_stem_block,
    trained_fold_study,
    trained_stem_weights,
)

ROOT = pathlib.Path(__file__).resolve().parents[1]
LESSON = ROOT / "notebooks" / "07_tokens_to_token_vit.ipynb"
APPENDIX = LESSON.with_name("07_tokens_to_token_vit_appendix.ipynb")  # the lesson, then its appendix notebook


def _sources():
    return nb.sources(LESSON) + nb.sources(APPENDIX)


def _markdown_text():
    return "\n".join(
        "".join(c["source"]) for c in (nb.cells(LESSON) + nb.cells(APPENDIX)) if c["cell_type"] == "markdown"
    )


def _visible_code():
    return [
        "".join(c["source"])
        for c in (nb.cells(LESSON) + nb.cells(APPENDIX))
        if c["cell_type"] == "code" and "hide-input" not in c["metadata"].get("tags", [])
    ]


def test_the_trained_stem_sits_in_section_6_and_the_attention_study_in_going_further():
    sources = _sources()
    section_6 = next(i for i, s in enumerate(sources) if s.startswith("## 6. Does T2T help?"))
    summary = next(i for i, s in enumerate(sources) if s.startswith("## Summary"))
    fold = [i for i, s in enumerate(sources) if "trained_fold_study(val_48" in s]
    study = [i for i, s in enumerate(sources) if "stem_attention_study(val_48" in s]
    picture = [i for i, s in enumerate(sources) if "plot_trained_fold(" in s]
    # the attention study moved to Going further (after the exercises), and later the channels joined it there;
    # 21i (review r21h item 1): the channels' picture moved into section 6, the appendix keeps its numbers
    going_further = next(i for i, s in enumerate(sources) if s.startswith("## Going further"))
    appendix_fold = [i for i in fold if i >= len(nb.sources(LESSON))]
    # 22a (review r21l item 4): the picture went back to the appendix, into the cell that computes the study
    assert len(picture) == 1 and fold == appendix_fold == picture
    assert len(appendix_fold) == 1 and len(study) == 1
    assert section_6 < summary < going_further < appendix_fold[0] < study[0]
    assert not any("trained_stem_weights()" in s or "plot_trained_fold(" in s for s in sources[:going_further])
    assert "### What training does to the first token transformer" in sources[appendix_fold[0] - 1]


def test_one_print_and_one_figure_per_stem_cell():
    for marker, plot in (
        ("plot_trained_fold(", "plot_trained_fold("),  # 21i: the picture's cell (section 6)
        ("stem_attention_changes(", "plot_attention_offsets("),
    ):
        (cell,) = [s for s in _visible_code() if marker in s]
        assert cell.count("print(") == 1 and cell.count(plot) == 1, marker
        assert "lambda" not in cell and "paired_seeds(" not in cell and " for " not in cell, marker


def test_the_original_code_check_is_three_claim_and_cell_pairs():
    cells = nb.cells(LESSON) + nb.cells(APPENDIX)
    sources = _sources()
    for marker, claim in (
        ("ours_logits, original_logits = ours(square), original(square)", "Is `T2TViT` the original model?"),
        # 20c: the negative control shares the original-code cell, and its claim the markdown above it
        ("broken = (ours(square) - original(square))", "A negative control shows the test can\nfail"),
        ("original_default, one_eighth = ", "The next cell runs the original's token `Attention`"),
    ):
        (i,) = [i for i, s in enumerate(sources) if marker in s]
        assert cells[i - 1]["cell_type"] == "markdown" and claim in sources[i - 1], marker
    printed = nb.all_printed(LESSON) + "\n" + nb.all_printed(APPENDIX)
    assert "max |difference| of the logits (float64): below 1e-12" in printed and "5e+09 times" in printed


def test_wording_follows_the_printed_intervals():
    text = "\n".join(
        s
        for s, c in zip(_sources(), (nb.cells(LESSON) + nb.cells(APPENDIX)), strict=True)
        if c["cell_type"] == "markdown"
    )
    assert "This run cannot say how much the overlap alone carries." in text
    assert "not with the overlap alone" not in text
    # review r19d: "lies within" read as certainty; now "a 95 % t-interval over seeds of"
    assert "the scale's mean effect has a 95 % t-interval over seeds of [-1.2, +1.0] points" in text
    assert "about 1 point at most" not in text
    assert "cost about three times those of all 14 backbone layers" in text
    assert "at 1.32x the MACs (section 5)" in nb.flat(text) and "leaves out\nrun-to-run variance" in text
    assert "with about half the parameters and MACs" in text
    printed = nb.all_printed(LESSON) + "\n" + nb.all_printed(APPENDIX)
    assert "T2T module: 57,986 parameters with token transformers, 29,344 with a Linear in their place" in printed
    assert "3.0x the entries of all 14 backbone layers" in printed and "does 1.32x ViT-S/16" in _markdown_text()
    assert "1.3 of the T2T module's 2.0\npoints" in text or "1.3 of the T2T module's 2.0 points" in text


def test_the_package_reading_matches_the_direct_computation():
    stored = trained_stem_weights()
    images = F.interpolate(load_digits().val_images[:12], size=(48, 48), mode="bilinear")
    fold = trained_fold_study(images, stored, seeds=(0, 1))
    assert torch.equal(fold["follow"][1, "trained"], ink_following(stored_stem_block("seed1.trained", stored), images))
    assert fold["closest"]["initial"][0] == float(fold["follow"][0, "initial"].max(-1).values.mean())
    assert fold["maps"]["trained"].shape == (32, 12, 12) and len(fold["report"].splitlines()) == 3
    study = stem_attention_study(images, stored, seeds=(0, 1))
    changes = stem_attention_changes(study, seeds=(0, 1))
    assert changes["own"]["trained"][1] == study["by_offset"]["seed 1"]["trained"][11, 11].item()
    ratio = study["row_peak"]["trained"][0] / study["row_peak"]["initial"][0]
    assert changes["peak_ratio"][0] == ratio and len(changes["report"].splitlines()) == 6


def _fold(tokens, rows, cols):
    return tokens.transpose(1, 2).reshape(tokens.shape[0], tokens.shape[2], rows, cols)


def test_exercise_2_checks_a_square_grid():
    assert any(rows == cols for _, rows, cols, _ in lesson07.FOLD_CASES)
    lesson07.check_fold_tokens(_fold)

    def only_non_square(tokens, rows, cols):  # right on every non-square grid, transposed on a square one
        image = _fold(tokens, rows, cols)
        return image.transpose(2, 3) if rows == cols else image

    with pytest.raises(ExerciseFailed, match="4x4 grid"):
        lesson07.check_fold_tokens(only_non_square)
    course = (ROOT / "tools" / "course.py").read_text()
    assert "(torch.randn(2, 16, 3), 4, 4)" in course  # nbgrader's hidden cases hold a square grid too

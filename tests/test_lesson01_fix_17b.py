"""Lesson 01 fix round 17b: 'directly below' says what its test shows, the trained model's shuffle is drawn,
float32-noise values are bounded (not pinned, not printed), trained results are scoped to one model, section 8
is short."""

from __future__ import annotations

import re
from pathlib import Path

import torch

from tests import _notebook as nb
from tests._notebook import printed as _printed
from tests._notebook import source as _source

LESSON = Path(__file__).resolve().parents[1] / "notebooks" / "01_patches_and_embeddings.ipynb"


def _cells() -> list[dict]:
    return nb.cells(LESSON)


def test_directly_below_is_not_called_alike() -> None:
    text = "\n".join(_source(c) for c in _cells() if c["cell_type"] == "markdown")
    assert "directly below, alone, is alike" not in text and "the patch directly below is alike" not in text
    # round 17c: the patch below left the lesson for appendix A (section 6 prints rows and columns only)


SHUFFLED = "Shuffling the patches costs the trained model most of its accuracy"


def test_the_shuffled_digits_are_drawn_before_the_accuracy_sentence() -> None:
    cells = _cells()
    drawn = next(i for i, c in enumerate(cells) if "plot_shuffled_digits(" in _source(c))
    stated = next(i for i, c in enumerate(cells) if _source(c).startswith(SHUFFLED))  # 21f: a plain sentence first
    assert drawn < stated and any("image/png" in o.get("data", {}) for o in cells[drawn]["outputs"])


def test_no_float32_noise_is_printed_or_pinned() -> None:
    for cell in _cells():
        if cell["cell_type"] == "code" and "nbval-ignore-output" not in cell["metadata"].get("tags", []):
            assert not re.search(r"\d\.\de-0[6-8]", _printed(cell)), _printed(cell)
            assert '"1.5e-06"' not in _source(cell) and "1e-6 < rounding.max()" not in _source(cell)


def test_trained_results_are_scoped_to_one_model() -> None:
    text = "\n".join(_source(c) for c in _cells() if c["cell_type"] == "markdown")
    assert text.count("one trained model; intervals over digits, not training runs") == 1  # section 7's verdict
    summary = next(_source(c) for c in _cells() if _source(c).startswith("## Summary"))
    assert "for one trained model" in summary  # round 18b: the summary's one line keeps the scope


def test_section_8_is_short_and_points_to_lesson_06() -> None:
    (eight,) = [_source(c) for c in _cells() if _source(c).startswith("## 8 ·")]
    assert "Lesson 06" in eight and len(eight.split()) < 140  # round 17c: + the paper's caveat and DeiT's recipe


def test_plot_shuffled_digits_colours_right_and_wrong() -> None:
    from vit_explained.plotting.lesson01 import plot_shuffled_digits

    digits = torch.rand(3, 1, 28, 28)
    fig = plot_shuffled_digits(digits, digits.flip(-1), torch.tensor([1, 2, 3]), torch.tensor([1, 0, 3]))
    bottom = [ax.title for ax in fig.axes[3:]]
    assert [t.get_text() for t in bottom] == ["predicted 1", "predicted 0", "predicted 3"]
    assert [t.get_color() for t in bottom] == ["green", "red", "green"]

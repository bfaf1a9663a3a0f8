"""Lesson 01, fix round m: exercise 3's checker refuses a number as a weight; the notebook's claims."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch

from vit_explained.exercises import ExerciseFailed
from vit_explained.exercises.lesson01 import check_conv_to_linear

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "01_patches_and_embeddings.ipynb"
APPENDIX = NOTEBOOK.with_name("01_patches_and_embeddings_appendix.ipynb")  # fix round w: the evidence moved


def _reference(weight: torch.Tensor) -> torch.Tensor:
    return weight.permute(0, 2, 3, 1).reshape(weight.shape[0], -1)


@pytest.mark.parametrize("value", [0, 1.5, np.float64(2.0), "weight"])
def test_conv_to_linear_refuses_a_number(value: object) -> None:
    with pytest.raises(ExerciseFailed) as raised:
        check_conv_to_linear(lambda weight: value)
    message = str(raised.value)
    assert "return a torch.Tensor of shape (D, ph * pw * C)" in message
    assert "or a number" not in message


def test_conv_to_linear_accepts_a_tensor_or_an_array_and_refuses_a_list() -> None:
    check_conv_to_linear(_reference)
    check_conv_to_linear(lambda weight: _reference(weight).numpy())  # the lesson says numpy is fine
    with pytest.raises(ExerciseFailed, match="return a tensor, not a list"):
        check_conv_to_linear(lambda weight: _reference(weight).tolist())


def _sources(path: Path = NOTEBOOK) -> list[tuple[str, str]]:
    cells = json.loads(path.read_text())["cells"]
    return [(cell["cell_type"], "".join(cell["source"])) for cell in cells]


def test_random_kernel_range_and_sinusoid_order() -> None:
    sources = _sources()
    text = "\n".join(source for _, source in sources)
    appendix = "\n".join(source for _, source in _sources(APPENDIX))  # fix round x: the filters moved to appendix D
    assert "inside the range of 30 random kernels" in appendix  # the range itself: printed and asserted
    assert "no significant gain" not in text and "did no better than the learned 1-D table" in appendix  # 24f
    assert "global_pool='avg'" in appendix and "Appendix D.3, Figure 9" in appendix  # 21a: moved to appendix F
    moved = _sources(APPENDIX)  # 19b: the sinusoid part moved to appendix F
    picture = next(i for i, (_, s) in enumerate(moved) if "plot_sinusoid(" in s)
    checks = next(i for i, (_, s) in enumerate(moved) if "row 0, first 6 columns" in s)
    assert picture < checks  # the picture first, then its printed checks
    assert not any("plot_sinusoid(" in s for _, s in sources)
    shows = next(i for i, (_, s) in enumerate(sources) if "**What the picture shows.**" in s)
    # 24d: the picture and its print in one cell, after the text that says what to look for
    # fix round q: what to look for, then the print
    assert "display(fig)" in sources[shows + 2][1] and "change_bare" in sources[shows + 2][1]
    assert not any(s.startswith('<a id="appendix-c"></a>') for _, s in sources)  # fix round w: in the appendix
    appendix = _sources(APPENDIX)
    probe = next(i for i, (_, s) in enumerate(appendix) if s.startswith('<a id="appendix-c"></a>'))
    assert "**Does a larger table move the output more, in this untrained" in appendix[probe][1]


def test_plot_accuracies_draws_one_dot_and_bar_per_model() -> None:
    from vit_explained.evidence import proportion
    from vit_explained.plotting.lesson01 import plot_accuracies

    estimates = {"a": proportion([1] * 9 + [0]), "b": proportion([1, 0] * 10)}
    fig = plot_accuracies(estimates)
    (ax,) = fig.axes
    labels = [tick.get_text() for tick in ax.get_yticklabels()]
    assert labels == ["a (n = 10)", "b (n = 20)"]
    assert len(ax.lines) == 4  # a bar and a dot per model
    bar = ax.lines[0].get_xdata()
    assert bar[0] == pytest.approx(100 * estimates["a"].low) and bar[1] == pytest.approx(100 * estimates["a"].high)
    assert "95 % Wilson interval" in ax.get_xlabel()
    with pytest.raises(ValueError):
        plot_accuracies({})
    with pytest.raises(ValueError):
        plot_accuracies({"a": 0.5})


def test_section_7_picture_comes_before_the_folded_table() -> None:
    sources, appendix = _sources(), _sources(APPENDIX)
    assert not any("Section 7's evidence" in s for _, s in sources)  # fix round w: the table is in the appendix
    assert any("## B · Section 7's evidence" in s for _, s in appendix)
    # round 18a: the five accuracies' picture moved to appendix B too, before its table; section 7 points there
    picture = next(i for i, (_, s) in enumerate(appendix) if '"01_resolution_accuracies"' in s)
    table = next(i for i, (_, s) in enumerate(appendix) if "Section 7 makes five comparisons" in s)
    assert picture < table and not any('"01_resolution_accuracies"' in s for _, s in sources)
    assert any("appendix.ipynb#appendix-b) draws the five accuracies" in s for _, s in sources)

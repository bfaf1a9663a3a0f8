"""Lesson 02, review r19c (round 19f): the Summary's 31 x 31 is marked Going further, the chain figure's
scrambling note is also said in the prose before it, and section 7 ties `project` to section 4's identity."""

from __future__ import annotations

import torch
from torch import nn

from tests import _notebook as nb
from vit_explained.soft_split import SoftSplit

LESSON = nb.NOTEBOOKS / "02_soft_split_token_counting.ipynb"


def _markdown() -> list[str]:
    return [nb.flat(nb.source(c)) for c in nb.cells(LESSON) if c["cell_type"] == "markdown"]


def _cell_with(marker: str) -> str:
    found = [text for text in _markdown() if marker in text]
    assert len(found) == 1, marker
    return found[0]


def test_summary_marks_the_footprint_as_going_further():
    summary = _cell_with("## Summary")  # review r20d: the footprint bullet dropped (optional material)
    assert "31 x 31 pixels" not in summary and "(#token-footprint)" not in summary
    assert "Split 3 gives 15 + 2·8 = 31 pixels" in _cell_with('<a id="token-footprint"></a>')  # taught there


def test_the_prose_before_the_chain_figure_says_the_original_scrambles_it():
    texts = _markdown()
    index = next(i for i, text in enumerate(texts) if "shows only a narrow central strip" in text)
    assert (
        'the original code scrambles this image (Going further, "Non-square images and the original code"):'
        in texts[index]
    )
    assert texts[index + 1].startswith("One side through split 1:")  # the figure cell sits between; 22a: worked line
    assert "In short: a split whose kernel" in texts[index + 1]
    figure = next(nb.source(c) for c in nb.cells(LESSON) if "plot_t2t_chain(images" in nb.source(c))
    assert "note=" not in figure  # review r19c item 7: the note lives in the prose only


def test_section_7_ties_project_to_section_4s_identity():
    module = _cell_with("a `Linear` ends the module.")
    assert (
        "Split 3 and that `Linear` (`project`) together, on the reshaped 64-channel image, are a "
        "`Conv2d(64, 384, 3, 2, 1)`, by section 4's identity."
    ) in module
    assert "`Conv2d(C, D, k, s, p)` is `SoftSplit(k, s, p)`, then a `Linear`" in _cell_with(
        "## 4 · Soft split vs ViT's patch embedding"
    )


def test_split_3_and_project_equal_that_convolution():
    torch.manual_seed(0)
    conv = nn.Conv2d(64, 384, 3, 2, 1)
    image = torch.randn(2, 64, 28, 28)
    tokens = SoftSplit(3, 2, 1)(image)
    linear = tokens @ conv.weight.reshape(384, -1).T + conv.bias
    expected = conv(image).flatten(2).transpose(1, 2)
    assert linear.shape == (2, 196, 384)
    torch.testing.assert_close(linear, expected, rtol=1e-4, atol=1e-4)

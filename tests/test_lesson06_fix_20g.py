"""Lesson 06, review r20f: the conv stem is named as it is built (a 3x3 convolution, BatchNorm and ReLU, 8 channels),
so the locality control says what else it adds; the label-smoothing 4.6 is the cost at the training optimum."""

from __future__ import annotations

import inspect
from pathlib import Path

from tests import _notebook as nb
from vit_explained.conv_stem import ConvStem

LESSON = Path(__file__).resolve().parents[1] / "notebooks" / "06_train_a_vit.ipynb"
APPENDIX = LESSON.with_name("06_train_a_vit_appendix.ipynb")
SOURCES = nb.sources(LESSON)
APP_SOURCES = nb.sources(APPENDIX)  # review r23d: the locality control moved to appendix D


def test_conv_stem_is_described_as_built():
    source = inspect.getsource(ConvStem.__init__)  # the stem as the package builds it
    assert "nn.Conv2d(channels, width, kernel_size=3, padding=1)" in source
    assert "nn.BatchNorm2d(width)" in source and "nn.ReLU()" in source
    intro = nb.flat(SOURCES[nb.unique_index(SOURCES, "## 5 · A ViT and a CNN, compared fairly")])
    assert "one 3x3 conv (8 channels), BatchNorm and ReLU before the patchify" in intro
    control = nb.flat(APP_SOURCES[nb.unique_index(APP_SOURCES, "**The locality control**")])
    assert "little else" not in control
    # round 21b: tightened; the stem still names its BatchNorm and nonlinearity beside the locality it adds
    assert "plus this stem (a 3x3 convolution, BatchNorm and ReLU, 8 channels" in control
    reading = nb.flat(APP_SOURCES[nb.unique_index(APP_SOURCES, "So this stem does not reproduce")])
    assert "one 3x3 convolution of locality" not in reading


def test_the_smoothing_cost_is_stated_at_the_training_optimum():
    text = nb.flat(SOURCES[nb.unique_index(SOURCES, "a smoothed model caps its confidence")])
    assert "at the training optimum a confidently wrong digit costs about −ln(ε/K) = 4.6" in text
    assert "bounded near" not in text

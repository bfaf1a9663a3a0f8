"""Lesson 07's widget (review o): any (k, s, p) per soft split through the "custom" choice; the token counts are
count_tokens', the coverage line is checked against a direct pixel count, and invalid settings are named."""

import pytest
import torch

from vit_explained.soft_split import count_tokens
from vit_explained.t2t import t2t_chain
from vit_explained.widgets.lesson07 import CUSTOM, coverage_summary, locality_summary, t2t_chain_widget


@pytest.fixture(scope="module")
def widget():
    return t2t_chain_widget(splits=CUSTOM, custom=((3, 2, 1),) * 4)


def uncovered_by_unfold(size, kernel, stride, padding):
    """Rows of a size x 1 image that no window of nn.Unfold reads (each row numbered by its value + 1)."""
    image = torch.arange(1.0, size + 1).reshape(1, 1, size, 1)
    windows = torch.nn.functional.unfold(image, (kernel, 1), stride=(stride, 1), padding=(padding, 0))
    return size - len(set(windows.flatten().tolist()) - {0.0})


def test_the_sliders_set_the_chain_and_the_first_control_is_the_height(widget):
    assert next(iter(widget.controls)) == "height"
    assert widget.line.startswith("224x224 -> 112x112 = 12544 -> 56x56 = 3136 -> 28x28 = 784 -> 14x14 = 196 tokens")
    assert widget.line.endswith("coverage: every pixel and token lies in a window")
    widget.controls["number"].value = 3  # (3, 2, 1) three times
    assert widget.line.startswith("224x224 -> 112x112 = 12544 -> 56x56 = 3136 -> 28x28 = 784 tokens;")
    assert not widget.controls["k3"].disabled and widget.controls["k4"].disabled
    widget.controls["splits"].value = "no overlap: (4,4,0) (2,2,0) (2,2,0)"  # a preset: the sliders rest
    assert widget.line.startswith("224x224 -> 56x56 = 3136 -> 28x28 = 784 -> 14x14 = 196 tokens")
    assert all(widget.controls[name].disabled for name in ("number", "k1", "s1", "p1", "k3"))
    widget.controls["splits"].value = CUSTOM
    assert not widget.controls["p1"].disabled


@pytest.mark.parametrize("chain", [((5, 3, 1), (2, 2, 0)), ((9, 8, 4),), ((4, 6, 0), (3, 1, 2), (1, 1, 0))])
def test_custom_counts_are_count_tokens(widget, chain):
    sliders = {
        f"{name}{i}": value for i, split in enumerate(chain, 1) for name, value in zip("ksp", split, strict=True)
    }
    line, _ = widget.compute(height=100, width=60, splits=CUSTOM, number=len(chain), **sliders)
    height, width = 100, 60
    for kernel, stride, padding in chain:
        grid = count_tokens(height, width, kernel, stride, padding)
        assert f"{grid.rows}x{grid.cols} = {grid.total}" in line
        height, width = grid.rows, grid.cols
    assert locality_summary(chain) in line and coverage_summary(t2t_chain(100, 60, 3, splits=chain)) in line


@pytest.mark.parametrize("size", [16, 37, 100, 224])
@pytest.mark.parametrize("split", [(7, 4, 2), (3, 2, 1), (4, 6, 0), (5, 5, 0), (6, 4, 0), (2, 3, 1)])
def test_coverage_matches_unfold(size, split):
    stage = t2t_chain(size, size, 1, splits=(split,))
    missed = uncovered_by_unfold(size, *split)
    summary = coverage_summary(stage)
    if missed:
        assert f"split 1 misses {missed} rows and {missed} columns (px) of {size}x{size}" in summary
    else:
        assert summary == "coverage: every pixel and token lies in a window"


def test_a_gap_is_named_and_bad_settings_are_refused(widget):
    assert "windows overlap by -2 px (a gap)" in locality_summary(((4, 6, 0),))
    with pytest.raises(ValueError, match="0 <= p < k"):
        widget.compute(height=224, width=224, splits=CUSTOM, number=1, k1=3, s1=2, p1=3)
    with pytest.raises(ValueError, match="number of splits must be 1 to 4"):
        widget.compute(height=224, width=224, splits=CUSTOM, number=0)


def test_a_field_wider_than_the_digit_keeps_the_line(widget):
    sliders = {f"{name}{i}": v for i in range(1, 5) for name, v in zip("ksp", (7, 4, 2), strict=True)}
    line, fig = widget.compute(height=512, width=512, splits=CUSTOM, number=4, **sliders)
    assert line.startswith("512x512 -> 128x128 = 16384") and "no picture" in line and fig is None

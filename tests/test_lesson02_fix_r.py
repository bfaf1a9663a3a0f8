"""Lesson 02, fix round r: a shorter core (the chain's cost moved to Going further), a real edge on the photo,
the checker's pointer to an existing section, plainer openers, a legend on the window-grid figure."""

import json
from pathlib import Path

import matplotlib.pyplot as plt
import pytest
import torch

from vit_explained.exercises import ExerciseFailed
from vit_explained.exercises import lesson02 as ex
from vit_explained.images import sample_image
from vit_explained.plotting import lesson02 as plots

ROOT = Path(__file__).resolve().parents[1]
LESSON = ROOT / "notebooks" / "02_soft_split_token_counting.ipynb"


def _cells() -> list[dict]:
    return json.loads(LESSON.read_text())["cells"]


def _source(cell: dict) -> str:
    return "".join(cell["source"])


def _index(start: str) -> int:
    (index,) = [i for i, cell in enumerate(_cells()) if _source(cell).startswith(start)]
    return index


def test_core_prose_is_about_2500_words():
    cells = _cells()
    core = [_source(c) for c in cells[: _index("### Exercise 1")] if c["cell_type"] == "markdown"]
    assert sum(len(text.split()) for text in core) <= 2600
    assert _index("## Going further") < _index("### What the chain costs")
    cost = [i for i, c in enumerate(cells) if "43 times" in _source(c) or "(k / s)²" in _source(c)]
    assert cost and min(cost) > _index("## Going further")


def test_checker_points_to_a_section_that_exists():
    heading = "Non-square images and the original code"
    assert any(_source(c).startswith(f"### {heading}") for c in _cells())

    def divides(height, width, splits):  # the img_size // 16 slip: each side divided by the strides
        for _, stride, _ in splits:
            height, width = height // stride, width // stride
        return height, width

    with pytest.raises(ExerciseFailed, match=f"'{heading}'"):
        ex.check_final_grid(divides)


def test_edge_on_photo_is_cut_by_a_patch_border_and_held_by_one_window():
    rim = [(row, col) for row in (57, 58) for col in range(94, 98)]
    assert plots.tokens_holding(224, 224, rim, 16, 16, 0) == []
    assert plots.tokens_holding(224, 224, rim, 7, 4, 2) == [808]
    fig = plots.plot_edge_on_photo(sample_image(224), rim)
    zoom = fig.axes[1]
    legend = [text.get_text() for text in fig.legends[0].get_texts()]  # fix round x: outside the zoom
    assert legend[-1] == "soft window 808: holds it whole"
    (frame,) = [p for p in zoom.patches if p.get_edgecolor()[:3] == (1.0, 0.0, 0.0)]
    assert frame.get_xy() == (93.5, 53.5) and frame.get_width() == 7  # columns 94..100, rows 54..60
    plt.close(fig)
    with pytest.raises(ValueError, match="no window"):
        plots.plot_edge_on_photo(torch.rand(3, 32, 32), [(0, 0), (0, 20)])


def test_window_grid_has_a_lighter_photo_thick_frames_and_a_legend():
    fig = plots.plot_window_grid(torch.rand(1, 60, 100), 20, 10, 5)
    ax = fig.axes[0]
    assert ax.images[0].get_alpha() == 0.55 and ax.get_legend() is not None
    frames = [p for p in ax.patches if not p.get_fill() and p.get_gid() != "overlap" and p.get_linestyle() != "--"]
    assert frames and min(p.get_linewidth() for p in frames) >= 3
    plt.close(fig)


def test_plain_sentences_nits_and_the_bridge():
    cells = _cells()
    flat = " ".join(" ".join(_source(c).split()) for c in cells)
    assert (
        "A `Conv2d` with dilation 1, one group and `padding_mode='zeros'` (its default) is a soft split plus a `Linear`"
        in flat
    )  # round w
    assert "In that branch the convolutions replace the soft splits and the token transformers together" in flat
    assert "Why compare" not in flat and "**Letters**" not in flat and "**The question:**" in flat
    assert "(line 80's `num_patches`, used at line 118)" in flat
    printed = "".join("".join(o.get("text", "")) for c in cells if c["cell_type"] == "code" for o in c["outputs"])
    assert "400 - 175 = 225 = 15² image pixels" in printed
    assert "soft split 1: (1, 3136, 147) -> token layer (1, 3136, 64) -> image (1, 64, 56, 56)" in printed
    (strip,) = [_source(c) for c in cells if "plot_window_strip(60, kernel=20, stride=15" in _source(c)]
    assert 'save_figure(fig, "02_window_strip_dropped")' in strip


def test_paper_s_slip_says_use_k_minus_s():
    with pytest.raises(ExerciseFailed, match=r"use k - S as the stride") as raised:
        ex.check_split_for_grid(lambda size, grid: (2 * (size // grid) - 1, size // grid - 1, size // grid // 2))
    assert "7 - 3 = 4" not in str(raised.value)

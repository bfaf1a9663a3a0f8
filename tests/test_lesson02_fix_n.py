"""Lesson 02, fix round n: a trimmed Summary, section 2 leads with 'half a convolution', one 'why' per section,
the original-code forensics in a few cells and one note, a larger GIF, a lighter window-grid overlap."""

import json
import pathlib

import matplotlib
import matplotlib.pyplot as plt
import torch

from vit_explained.plotting import lesson02 as plots

NOTEBOOKS = pathlib.Path(__file__).resolve().parents[1] / "notebooks"
LESSON = NOTEBOOKS / "02_soft_split_token_counting.ipynb"
SOLUTIONS = NOTEBOOKS / "solutions" / "02_soft_split_token_counting_solutions.ipynb"


def _cells(path: pathlib.Path = LESSON) -> list[dict]:
    return json.loads(path.read_text())["cells"]


def _source(cell: dict) -> str:
    return "".join(cell["source"])


def _index(start: str) -> int:
    (index,) = [i for i, cell in enumerate(_cells()) if _source(cell).startswith(start)]
    return index


def test_summary_keeps_the_core_and_points_to_going_further():
    (summary,) = [_source(c) for c in _cells() if "## Summary" in _source(c)]
    flat = " ".join(summary.split())
    assert "overlap by `k - s` pixels" in flat and "floor((n + 2p - k) / s) + 1" in flat and "4 x 2 x 2 = 16" in flat
    # review r20f: a square token grid of img_size // 16 per side (200 x 200 stops, 209 x 209 runs)
    assert (
        "The original code assumes a square token grid of `img_size // 16` per side: true when 16 divides the side,"
        " and also for sides 16m + 1 and 16m + 2 ([Going further](#non-square))"
    ) in flat
    for forensics in ("208", "0f63dc9", "runs silently"):
        assert forensics not in flat


def test_section_4_leads_with_half_a_convolution_then_the_order_figure():
    cells = _cells()
    section = _index("## 4 · Soft split vs ViT's patch embedding")  # round 17b: after the formula
    assert "**A soft split is half a convolution.**" in _source(cells[section])
    (conv,) = [i for i, c in enumerate(cells) if "by_conv = conv(x)" in _source(c)]
    (order,) = [i for i, c in enumerate(cells) if "plot_flatten_orders(" in _source(c)]
    assert section < conv < order < _index("## 5 · A worked example")  # round 17a: the order figure beside it


def test_every_section_opens_with_a_plain_sentence_and_the_cost_is_optional():
    cells = _cells()
    for number in range(1, 8):  # fix round r: no cryptic "Why ...:" one-liners
        (heading,) = [_source(c) for c in cells if _source(c).lstrip().startswith(f"## {number} ·")
                      or f"\n## {number} ·" in _source(c)]  # fmt: skip
        after = heading.split(f"## {number} ·", 1)[1].split("\n\n", 2)[1]
        assert not after.startswith("Why"), (number, after[:40])
    section_3 = _source(cells[_index("## 2 · Counting tokens")])  # round 17b: section 2
    assert "3136" not in section_3 and "Performer" not in section_3  # review 18a: the costs in Going further
    assert _index("## Going further") < _index("### What the chain costs")  # fix round r: out of the core


def test_forensics_are_a_few_cells_and_one_note():
    cells = _cells()
    start, end = _index("### Non-square images and the original code"), _index("## Appendix (optional)")
    notes = [_source(c) for c in cells[start:end] if '<a id="note-02-versions"></a>' in _source(c)]
    assert len(notes) == 1 and "69d24fe" in notes[0] and "208 to 223" in notes[0]
    assert "3744ac6" not in notes[0]  # fix round o: the history line cut, not cited
    links = [_source(c) for c in cells if "(#note-02-versions)" in _source(c)]
    assert len(links) == 1  # fix round q: the img_size // 16 staircase (and its link) cut
    visible = [c for c in cells[start:end] if "hide-input" not in c["metadata"].get("tags", [])]
    assert len(visible) <= 16
    assert not any("69d24fe" in _source(c) for c in cells if '<a id="note-02-versions"></a>' not in _source(c))


def test_tokens_to_image_is_explained_once():
    said = [_source(c) for c in _cells() if "(B, N, D) -> (B, D, N) -> (B, D, rows, cols)" in _source(c)]
    assert len(said) == 1


def test_exercise_2_text_is_identical_and_drops_the_169_remark():
    lesson = [_source(c) for c in _cells() if _source(c).startswith("### Exercise 2")]
    solutions = [_source(c) for c in _cells(SOLUTIONS) if _source(c).startswith("### Exercise 2")]
    assert lesson == solutions and len(lesson) == 1 and "(169, 1, 0)" not in lesson[0]


def test_nits_letters_quote_and_performer_cost():
    cells = _cells()
    assert any("The T2T paper writes the formula with `S`, the overlap" in _source(c) for c in cells)
    assert '"the simple tokenization of input images fails to model the' in " ".join(
        " ".join(_source(c).split()) for c in cells
    )
    cost = _source(cells[_index("### What the chain costs")])
    assert "linear in `N` for a fixed number\nof features" in cost


def test_gif_frames_are_larger():
    frames = plots.soft_split_frames(torch.rand(1, 60, 100), 20, 10, 5, max_frames=2)
    assert frames[0].shape[:2] == (417, 1078)  # 1.5 x the 279 x 721 of fix round m


def test_window_grid_veils_the_shared_strips():
    fig = plots.plot_window_grid(torch.zeros(1, 30, 50), 10, 5, 2)
    ax = fig.axes[0]
    veils = [p for p in ax.patches if p.get_gid() == "overlap-veil"]
    strips = [p for p in ax.patches if p.get_gid() == "overlap"]
    assert len(veils) == len(strips) == 2
    assert all(matplotlib.colors.to_hex(p.get_facecolor()) == "#ffffff" for p in veils)
    assert all(ax.patches.index(v) < ax.patches.index(s) for v, s in zip(veils, strips, strict=True))  # under
    assert ax.xaxis.label.get_fontsize() >= 10
    plt.close(fig)

"""Lesson 02, fix round s: one through-line (the repo's convolution stem moved to Going further), what each token
of the chain holds (7, 15, 31 pixels), N² printed where it is first used, the GIF's padding orange in both panels."""

import json
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import torch

from vit_explained import T2T_SPLITS
from vit_explained.images import sample_image
from vit_explained.plotting import lesson02 as plots
from vit_explained.soft_split import Footprint, SoftSplit, chain_footprints, tokens_to_image
from vit_explained.t2t import t2t_chain

ROOT = Path(__file__).resolve().parents[1]
LESSON = ROOT / "notebooks" / "02_soft_split_token_counting.ipynb"


def _cells() -> list[dict]:
    return json.loads(LESSON.read_text())["cells"]


def _source(cell: dict) -> str:
    return "".join(cell["source"])


def _flat(text: str) -> str:
    return " ".join(text.split())


def _index(start: str) -> int:
    (index,) = [i for i, cell in enumerate(_cells()) if _source(cell).startswith(start)]
    return index


def _printed(cell: dict) -> str:
    return "".join("".join(output.get("text", "")) for output in cell.get("outputs", []))


def test_chain_footprints_are_7_15_31():
    assert chain_footprints(T2T_SPLITS) == [Footprint(7, 4, 2), Footprint(15, 8, 6), Footprint(31, 16, 14)]
    assert chain_footprints([(16, 16, 0)]) == [Footprint(16, 16, 0)]  # ViT's patch: itself


def test_footprint_matches_the_pixels_that_reach_a_token():
    probe = torch.zeros(1, 1, 64, 64, requires_grad=True)
    reached = probe
    for (k, s, p), stage in zip(T2T_SPLITS, t2t_chain(64, 64, 1), strict=True):
        reached = tokens_to_image(SoftSplit(k, s, p)(reached).sum(-1, keepdim=True), stage.grid.rows, stage.grid.cols)
    reached[0, 0, 2, 1].backward()
    rows, cols = probe.grad[0, 0].nonzero().unbind(1)
    last = chain_footprints(T2T_SPLITS)[-1]
    assert (int(rows.min()), int(rows.max())) == (2 * 16 - last.offset, 2 * 16 - last.offset + last.size - 1)
    assert (int(cols.min()), int(cols.max())) == (16 - last.offset, 16 - last.offset + last.size - 1)


def test_footprint_figure_frames_31_and_16():
    fig = plots.plot_token_footprint(sample_image(224), (3, 6))
    boxes = [p for p in fig.axes[1].patches if p.get_width() in (31, 16)]
    assert sorted((p.get_width(), p.get_xy()) for p in boxes) == [(16, (95.5, 47.5)), (31, (81.5, 33.5))]
    plt.close(fig)


def test_the_lesson_prints_each_stage_and_says_attention_mixes_globally():
    cells = _cells()
    (code,) = [c for c in cells if "footprints = chain_footprints(T2T_SPLITS)" in _source(c)]
    printed = _printed(code)
    for size, step in ((7, 4), (15, 8), (31, 16)):
        assert f"a token's window spans {size} x {size} pixels, step {step}" in printed  # fix round w: "window spans"
    text = " ".join(_flat(_source(c)) for c in cells if c["cell_type"] == "markdown")
    assert "7 + 2·4 = 15" in text and "15 + 2·8 = 31" in text and "mixes all tokens globally" in text
    assert _index("## Going further") < cells.index(code)  # round 17d: moved out of section 7, a pointer stays


def test_convolution_stem_is_in_going_further_and_section_4_prints_vit():
    cells = _cells()
    markdown = [i for i, c in enumerate(cells) if c["cell_type"] == "markdown"]
    (stem,) = [i for i in markdown if "tokens_type='convolution'" in _source(cells[i])]
    assert _index("## Going further") < stem
    section_2 = _source(cells[_index("## 4 · Soft split vs ViT's patch embedding")])
    assert "line 73" not in section_2 and "conolution" not in section_2
    (vit,) = [c for c in cells if "by_patches = patch_linear(" in _source(c)]  # round 17a: its own cell
    assert "equals ViT's Conv2d(3, 8, 16, 16)(x): True" in _printed(vit)


def test_n_squared_is_printed_right_after_it_is_first_stated():
    cells = _cells()
    section_2 = _source(cells[_index("## 2 · Counting tokens")])  # review 18a: N -> N² only, no variant yet
    assert "`N` tokens give `N²` attention entries per head" in _flat(section_2) and "Performer" not in section_2
    (cost,) = [c for c in cells if "readers = (" in _source(c)]  # the 3136² in Going further's cost section
    assert "N = 3136 tokens, N² = 9,834,496" in _printed(cost)


def test_wording_fixes():
    cells = _cells()
    text = " ".join(_flat(_source(c)) for c in cells if c["cell_type"] == "markdown")
    assert "neighbouring tokens share part of their input" in text and "feature positions" not in text  # round v
    assert "no window reaches the last padding row" not in text
    assert "a 2 x 4-pixel piece" in text and "With `k >= s` the floor drops" in text
    assert "| timm 1.0.29.dev0 | `aa4b585` (read in its source) | has no T2T-ViT model |" in text  # round v; 22a: table
    assert "The padding is orange there too" in text


def test_gif_matrix_tints_padding_orange():
    image = torch.rand(1, 12, 12) * 0.5 + 0.25  # no black image pixel
    frame = plots.soft_split_frames(image, 4, 2, 1, max_frames=2, size=(4, 1.5), dpi=50)[-1]  # every token shown
    orange = np.array([round(0.85 * 255 * v) for v in plt.matplotlib.colors.to_rgb(plots.PADDING_COLOR)])
    right = frame[:, int(0.62 * frame.shape[1]) :].reshape(-1, 3).astype(int)  # the token matrix's panel only
    assert (np.abs(right - orange).sum(axis=1) < 30).sum() > 0

"""Lesson 03, fix round w: the scale benchmark's extra seeds, the measured wording of what the fused path holds,
one index convention for the MNIST heads, the two extra MNIST pictures moved to the appendix, and the figure nits."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import torch

from vit_explained.plotting import lesson03 as plots
from vit_explained.softmax_scale import STORED_SCALE_TRAINING, scale_training_seeds, stored_scale_training

ROOT = Path(__file__).resolve().parents[1]
LESSON = ROOT / "notebooks" / "03_attention_shapes.ipynb"


def _cells() -> list:
    return nbformat.read(LESSON, as_version=4).cells


def test_the_packaged_scale_run_matches_the_benchmark_result():
    stored = json.loads((ROOT / "benchmarks" / "results" / "lesson03_scale.json").read_text())
    assert stored == json.loads(STORED_SCALE_TRAINING.read_text())


def test_scale_training_seeds_pairs_both_arms_per_width():
    stored = {"runs": [{"head_dim": 64, "arm": arm, "seed": seed} for arm in ("scaled", "unscaled") for seed in (0, 1)]}
    stored["runs"].append({"head_dim": 64, "arm": "scaled", "seed": 2})  # its unscaled twin is missing: not paired
    assert scale_training_seeds(stored) == {64: [0, 1]}
    assert scale_training_seeds(stored_scale_training())[64][:3] == [0, 1, 2]


def test_no_sentence_says_the_fused_path_never_holds_the_matrix():
    text = " ".join(c.source for c in _cells() if c.cell_type == "markdown")
    assert "never holds" not in text and "never held" not in text
    assert "supports no claim" not in text.replace("they support no claim", "")
    assert "Megatron" not in text


def test_section_4_names_d_n_squared_and_the_softmax():
    (section,) = [c.source for c in _cells() if c.source.startswith("## 4 ·")]
    assert "$D N^2$" in section and "not with $h$" in section and "O(h N^2)" in section


def test_the_extra_mnist_pictures_live_in_the_appendix_with_a_pointer():
    cells = _cells()
    # review r19b: the appendix is its own notebook, section E "where the trained head looks"
    appendix_cells = nbformat.read(LESSON.with_name("03_attention_shapes_appendix.ipynb"), as_version=4).cells
    appendix = next(i for i, c in enumerate(appendix_cells) if "## E · Where the trained head looks" in c.source)
    marker = "plots.plot_attention_matrix("  # the 50 x 50 matrix: appendix
    (index,) = [i for i, c in enumerate(appendix_cells) if marker in c.source]
    assert index > appendix and not any(marker in c.source for c in cells)
    # review r20g: section 0's trained half (the overlay, the four-head strip) moved to appendix E, before the matrix
    (overlay,) = [i for i, c in enumerate(appendix_cells) if "plots.plot_query_attention(" in c.source]
    assert appendix < overlay < index
    (pointer,) = [c.source for c in cells if "03_attention_shapes_appendix.ipynb#appendix-e) reads queries" in c.source]
    assert "Read head 0." in pointer  # the tiny example points there
    (heads_code,) = [c.source for c in appendix_cells if "plots.plot_query_heads(" in c.source]
    assert not any("plots.plot_query_heads(" in c.source for c in cells)
    assert "plots.token_name(" in heads_code


def test_attention_distance_dots_of_one_block_do_not_overlap():
    distances = torch.full((4, 4), 12.5)  # four heads at the same distance in every block
    lines = plots.plot_attention_distance(distances, 14.4).axes[0].get_lines()[:4]
    xs = [tuple(line.get_xdata()) for line in lines]
    assert len(set(xs)) == 4 and all(abs(x[0] - round(x[0])) < 0.3 for x in xs)


def test_the_fused_layout_strip_names_a_versioned_library():
    titles = [ax.get_title(loc="left") for ax in plots.plot_fused_layouts(heads=4).axes]
    assert any("transformers 5.23" in title for title in titles) and not any("Megatron" in t for t in titles)

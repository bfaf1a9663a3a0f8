"""Lesson 01, fix round s: the trained model's patch shuffle, the probe in an appendix, shorter texts."""

from __future__ import annotations

import json
from pathlib import Path

import torch

from vit_explained.plotting.lesson01 import plot_embedding_routes, plot_token_matrix
from vit_explained.positional import stored_resolution_run

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "01_patches_and_embeddings.ipynb"
SOLUTIONS = ROOT / "notebooks" / "solutions" / "01_patches_and_embeddings_solutions.ipynb"


def _sources(path=NOTEBOOK):
    return ["".join(cell["source"]) for cell in json.loads(path.read_text())["cells"]]


def _start(sources, text):
    return next(i for i, s in enumerate(sources) if s.startswith(text))


def test_the_stored_shuffle_run_is_one_seed_0_permutation_with_218_of_1000_right():
    stored = json.loads((ROOT / "vit_explained" / "checkpoints" / "lesson01_shuffle.json").read_text())
    assert stored == json.loads((ROOT / "benchmarks" / "results" / "lesson01_shuffle.json").read_text())
    assert stored["order"] == torch.randperm(49, generator=torch.Generator().manual_seed(0)).tolist()
    right = stored_resolution_run("lesson01_shuffle.json")["patches shuffled, 28x28 digits"]
    assert right.numel() == 1000 and int(right.sum()) == 218


def test_section_5_shows_the_trained_shuffle_and_the_probe_moves_to_appendix_c():
    sources = _sources()
    five, six = _start(sources, "## 5 ·"), _start(sources, "## 6 ·")
    shuffle = next(i for i in range(five, six) if "lesson01_shuffle.json" in sources[i])
    stated = next(i for i in range(shuffle, six) if sources[i].startswith("Shuffling the patches costs"))  # 21f
    assert "21.8 %" in sources[stated] and "97.4 %" in sources[stated]  # round 17b: after the digits' picture
    assert not any("for scale in (1, 3, 10)" in s for s in sources[five:six])
    appendix = _sources(NOTEBOOK.with_name("01_patches_and_embeddings_appendix.ipynb"))  # fix round w
    appendix_b, appendix_c = _start(appendix, '<a id="appendix-b"></a>'), _start(appendix, '<a id="appendix-c"></a>')
    assert appendix_b < appendix_c and "untrained one-block model" in appendix[appendix_c]
    assert any("table_scale_probe(0)" in s and "stored_table_scale()" in s for s in appendix[appendix_c:])
    # 21a: the initialisations moved from section 5's <details> to appendix F; section 5 names it
    # (21c: in the section's one appendix pointer, linked, at its end)
    assert any("appendix F" in s or "Appendix F" in s for s in sources[five:six])
    assert any(s.startswith("### How code starts the class token") and "trunc_normal_" in s for s in appendix)


def test_section_6_says_it_in_plain_words_and_leaves_the_statistics_to_appendix_a():
    sources = _sources()
    six, seven = _start(sources, "## 6 ·"), _start(sources, "## 7 ·")
    appendix = _sources(NOTEBOOK.with_name("01_patches_and_embeddings_appendix.ipynb"))
    # round 18d; 19c, 20a: the reading; 20c: the reading moved to appendix A, section 6 points there
    assert any("**Rows** are detected in every table: the shipped model" in s for s in appendix)
    assert "appendix-a" in "".join(sources[six:seven])  # one-line conclusions, the mechanics in appendix A
    assert not any("Bonferroni" in s or "bootstrap over" in s for s in sources[six:seven] if not s.startswith("#"))


def test_deit_table_5_quotes_the_vit_paper_and_the_summary_leaves_the_confound_to_appendix_a():
    sources = _sources()
    # round 17b: section 8 cut to three sentences and a pointer (DeiT's Table 5 left to lesson 09)
    assert "Lesson 06 measures a small ViT against a small CNN" in " ".join(sources[_start(sources, "## 8 ·")].split())
    summary = sources[_start(sources, "## Summary")]
    assert "confounded" not in summary  # round 18b: one line per section, the appendix's confound stays there


def test_exercise_4_is_a_short_bullet_list_in_both_notebooks():
    def exercise_4(path):
        return next(s for s in _sources(path) if s.startswith("### Exercise 5"))

    text = exercise_4(NOTEBOOK)
    assert text == exercise_4(SOLUTIONS) and text.count("\n- ") == 8 and len(text.split()) < 200


def test_the_rounding_colour_bar_carries_its_scale_in_its_label():
    tokens = torch.randn(6, 8)
    fig = plot_embedding_routes({"1. a": tokens, "2. b": tokens + 1e-6}, None, difference=("1. a", "2. b"))
    labels = [ax.get_ylabel() for ax in fig.axes]
    assert "x 1e-6" in labels or "x 1e-7" in labels


def test_the_token_matrix_axis_names_the_pixels_in_one_short_label():
    fig = plot_token_matrix(torch.rand(16, 48), 4, examples=(0, 1))
    label = next(ax.get_xlabel() for ax in fig.axes if ax.get_xlabel())
    assert label == "place in the row, 0 to 47: 16 pixels row by row, 3 per pixel (R, G, B)"


def test_the_shuffle_is_read_over_ten_permutations_and_seed_0_is_one_of_them():
    from vit_explained.positional import stored_shuffle_counts

    counts = stored_shuffle_counts()
    right = stored_resolution_run("lesson01_shuffle.json")["patches shuffled, 28x28 digits"]
    assert sorted(counts) == list(range(10)) and counts[0] == int(right.sum())
    assert (min(counts.values()), max(counts.values())) == (194, 326)
    sources = _sources()
    assert any("ranges from 19.4 % to 32.6 %: the lowest and the highest seed" in s for s in sources)

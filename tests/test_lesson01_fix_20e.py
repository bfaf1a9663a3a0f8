"""Lesson 01, review r20d_01's items (a cutting pass): each fails on the notebook before this fix (commit f7c431d)."""

from __future__ import annotations

from tests import _notebook as nb
from vit_explained.plotting.lesson01 import _MAP_LESSONS

LESSON = nb.NOTEBOOKS / "01_patches_and_embeddings.ipynb"
APPENDIX = nb.NOTEBOOKS / "01_patches_and_embeddings_appendix.ipynb"


def _visible_before_summary() -> list[dict]:
    cells = nb.cells(LESSON)
    end = nb.unique_index(nb.sources(LESSON), "## Summary")
    return [c for c in cells[:end] if not nb.hidden(c)]


def _section(start: str, end: str) -> list[dict]:
    cells, sources = nb.cells(LESSON), nb.sources(LESSON)
    return cells[nb.unique_index(sources, start) : nb.unique_index(sources, end)]


def test_main_path_is_shorter():
    assert len(_visible_before_summary()) <= 66  # was 71


def test_section6_is_one_figure_and_one_takeaway():
    six = _section("## 6 · Going deeper", "## 7 · Going deeper")
    visible = [c for c in six if not nb.hidden(c)]
    assert [c["cell_type"] for c in visible] == ["markdown", "code", "markdown"]
    figure = nb.source(visible[1])
    assert "01_learned_positions_fine_grid" in figure and "plot_position_similarity_pair" in figure
    # 24b: the interval lines (now with their level), their check and the verdicts moved to appendix A
    moved = nb.unique_index(nb.sources(APPENDIX), "section6_runs = {0: stored_shifted_positions(")
    out = nb.printed(nb.cells(APPENDIX)[moved])
    for line in (
        "8x8 s1, same row - neither: +0.451, 98.75 % interval [+0.213, +0.690]",
        "8x8 s1, same column - neither: +0.176, 98.75 % interval [+0.004, +0.387]",
        "8x8 s2, same row - neither: +0.479, 98.75 % interval [+0.258, +0.692]",
        "8x8 s2, same column - neither: +0.150, 98.75 % interval [-0.007, +0.334]",
    ):
        assert line in out
    takeaway = nb.flat(nb.sources(APPENDIX)[moved + 2])  # 22c: the verdicts in one sentence
    assert "on all three runs, same-row positions are more alike" in takeaway
    assert ("same-column ones on 8x8 s0 and, barely, on s1 (lower bound +0.004); s2 undecided") in takeaway  # 23c
    text = nb.flat(" ".join(nb.source(c) for c in six))
    assert "family of 20" not in text and "**The readings**" not in text and "family of 4" not in text
    hidden = [nb.source(c) for c in six if nb.hidden(c)]
    assert len(hidden) == 1 and nb.hidden(nb.cells(APPENDIX)[moved + 1])
    assert '(1, "same row - neither"): (0.451, 0.213, 0.69)' in nb.sources(APPENDIX)[moved + 1]


def test_moved_material_and_checks_live_in_appendix_a():
    sources = nb.sources(APPENDIX)
    table = nb.unique_index(sources, "**The readings**, on a table's inner patches")
    run = nb.unique_index(sources, "new_runs = {seed: stored_shifted_positions")
    assert table < run and "-> {'confirmed' if d.low > 0 else 'not confirmed'}" in sources[run]
    assert "assert [d.low > 0 for d in confirm.values()] == [True, True, True, False]" in sources[run + 1]
    assert nb.hidden(nb.cells(APPENDIX)[run + 1])
    assert "8x8 s2 (74.5% of moved test digits right)" in nb.printed(nb.cells(APPENDIX)[run])
    pair = nb.unique_index(sources, 'save_figure(fig, "01_learned_positions")')
    assert "assert near[5, 5].tolist() == [2, 0]" in sources[pair + 1]
    assert "most similar patch is (2, 0)" in nb.printed(nb.cells(APPENDIX)[pair])
    assert nb.unique_index(sources, "**The five exploratory tables**") > run


def test_summary_bullets_merged():
    summary = nb.flat(next(s for s in nb.sources(LESSON) if s.startswith("## Summary")))
    readings = "### Section 6's readings beyond"  # 24f: the Summary's trained-table bullet moved to appendix A
    kept = nb.flat(next(s for s in nb.sources(APPENDIX) if s.startswith(readings)))
    assert "same-row positions are more alike than neither in every table; same-column ones only sometimes" in kept
    assert (
        # 23c: the per-table families named in the summary
        ("weakly in 2 of 3 (fragile under appendix A's stricter correction)") in kept
    )
    assert "family of 20" not in summary and "Tested on new runs" not in summary


def test_section8_strided_cnn_caveat_and_wording():
    eight = _section("## 8 · The ViT paper's explanation", "## 9 · Explore")
    text = nb.flat(" ".join(nb.source(c) for c in eight if c["cell_type"] == "markdown"))
    assert "no grid step gives them back" not in text and "the tokens do not stay the same" in text
    assert "Azulay & Weiss 2019; Zhang 2019" in text and "in every layer" in text
    out = " ".join(nb.printed(c) for c in eight)
    assert "a stride-4 CNN stem" in out and "0.00 at 4 px, 0.00 at 8 px, 0.32 at 1 px" in out
    assert any("stem_gap[4] < 1e-5" in nb.source(c) for c in eight if nb.hidden(c))


def test_cell84_names_the_confound():
    appendix = LESSON.with_name("01_patches_and_embeddings_appendix.ipynb")  # 24f: moved to appendix B
    text = nb.flat(next(s for s in nb.sources(appendix) if s.startswith("**What the accuracies show**")))
    assert "The new-size drop mixes two changes: the resized table, and patches of larger digits" in text


def test_small_items():
    sources = nb.sources(LESSON)
    ex1 = sources[nb.unique_index(sources, "### Exercise 1 · Count the tokens")]
    details = ex1.index("<details>")
    assert details < ex1.index("(H // ph + 1) * (W // pw)") < ex1.index("</details>")
    assert "The checks printed below: token 0" in sources[nb.unique_index(sources, "token 14\nthe square below")] or (
        "The checks printed below" in nb.all_text(LESSON)
    )
    assert "The printed checks: token 0" not in nb.all_text(LESSON)
    text = nb.flat(nb.all_text(LESSON))
    # 24b: whole sentences
    assert "The picture shows the `permute` forgotten on the *kernel*; section 3 forgot it on the *image*." in text
    assert "not section 3's slip" not in text
    appendix = nb.flat(nb.all_text(APPENDIX))  # 21i: the naming aside moved to appendix F
    assert "ViT-S/16 (DeiT's DeiT-S; the name ViT-S came later, e.g. Steiner et al. 2021" in appendix
    assert "a model size DeiT introduced" not in text


def test_map_labels_every_box():
    assert "norm, class token" in _MAP_LESSONS

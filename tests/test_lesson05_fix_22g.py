"""Lesson 05, fix 22g (review r22f_05): cell 0 names its two measures and the fresh models' shape (4 blocks, MLP 2D);
"not measured" now covers trained models only, as fresh ViT-Ti-shaped models are measured by a stored bench run
(appendix F, printed and asserted) and quoted in cell 0 and the Answer; block 3's -2 % carries its 5-seed range;
section 1's optimizer caveats moved to appendix E. The main path does not grow."""

import json

from tests import _notebook as nb
from vit_explained.gradient_experiments import STORED_FRESH_SHAPES, stored_fresh_shapes

LESSON = nb.NOTEBOOKS / "05_where_gradients_flow.ipynb"
APPENDIX = nb.NOTEBOOKS / "05_where_gradients_flow_appendix.ipynb"
SOURCES, APP_SOURCES = nb.sources(LESSON), nb.sources(APPENDIX)
BENCH = nb.NOTEBOOKS.parent / "benchmarks" / "bench_lesson05_fresh_shapes.py"

FRESH_VS_TRAINED = "**Fresh against trained copies of this architecture** (all 256"  # 23b: section 5


def _short_answer() -> str:
    return SOURCES[0].split("**The short answer.**")[1].split("**The lesson in five steps**")[0]


def _answer() -> str:
    summary = SOURCES[nb.unique_index(SOURCES, "## Summary")]
    return nb.flat(summary[summary.index("**Answer to the question:**") :])


def test_item_1a_cell_0_names_both_measures_and_the_fresh_shape():
    short, cell_0 = _short_answer(), nb.flat(SOURCES[0])
    moved = nb.flat(_summary_block())  # 23d: moved from cell 0
    assert "Two measures" not in short and "Two measures" not in cell_0
    share = nb.flat(SOURCES[nb.unique_index(SOURCES, "**The MLP share**")])  # 24c: defined where they first appear
    assert "what the MLP route *carries*" in share and "what the cut gradient *keeps*" in share
    assert "(12 blocks, MLP 4D, timm init;" in moved and "(appendix F)" in moved  # 24a: the scope per line
    assert "Larger models were not measured" not in cell_0  # the old reason, wrong for fresh models


def test_item_1a_the_answer_names_the_scope_and_the_standard_shape():
    answer = _answer()
    # 23b: three bullets; 23e: the bound names its one gradient over 256 or 512 digits
    assert "**Fresh, 4 blocks, MLP 2D:** with one gradient over 256 or 512 digits, under half" in answer
    said = "ViT-Ti-shaped model (12 blocks, MLP 4D, timm init; 3 seeds, 64 digits in one gradient): 84-89 %"  # 24c
    assert said + " in block 0" in nb.flat(_summary_block())  # 23e; 24a: moved out of the Answer
    assert "larger models were not measured" not in answer
    assert "**Not measured:** trained models of a standard shape (no pretrained weights offline)" in answer


def test_item_1b_the_stored_run_has_vit_ti_shape_and_matches_the_prose():
    stored = stored_fresh_shapes()
    assert json.loads(STORED_FRESH_SHAPES.read_text()) == stored
    shape = stored["shape"]
    assert (shape["dim"], shape["depth"], shape["heads"], shape["mlp_dim"]) == (192, 12, 3, 768)
    assert stored["init"] == "timm" and [run["seed"] for run in stored["runs"]] == [0, 1, 2]
    assert "first 64 validation digits" in stored["probe"]
    block_0 = [round(100 * run["mlp_share"][0]) for run in stored["runs"]]
    assert (min(block_0), max(block_0)) == (84, 89)
    section_5 = nb.flat(SOURCES[nb.unique_index(SOURCES, FRESH_VS_TRAINED)])
    said = "At ViT-Ti's shape (12 blocks, MLP 4D, timm init; 3 fresh seeds, 64 digits in one gradient) block 0's share"
    said += " is 84-89 %"  # 23e: the stored run's one gradient named
    assert said + " and block 11's 4-9 % (appendix F)" in section_5  # 24c: block 11 too
    bench = BENCH.read_text()
    assert 'SHAPE["mlp_dim"] = 4 * SHAPE["dim"]' in bench and "SEEDS, PROBE = (0, 1, 2), 64" in bench
    assert (nb.NOTEBOOKS.parent / "benchmarks" / "results" / "lesson05_fresh_shapes.md").exists()


def test_item_1b_appendix_f_reads_prints_and_asserts_the_stored_run():
    at = nb.unique_index(APP_SOURCES, "fresh_shapes = stored_fresh_shapes()")
    assert nb.unique_index(APP_SOURCES, "### F ·") < at < nb.unique_index(APP_SOURCES, "### G ·")
    cells = nb.cells(APPENDIX)
    assert "block 0: 84 to 89 %; block 11: 4 to 9 %" in nb.printed(cells[at])
    assert nb.hidden(cells[at + 1]) and "== (84, 89)" in APP_SOURCES[at + 1]
    prose = APP_SOURCES[at - 1]
    assert "Block 0's share\nis 84 to 89 %" in prose and "no trained model of\nthis shape" in prose


def test_item_3_block_3_carries_its_five_seed_range():
    main = "\n".join(SOURCES[: nb.unique_index(SOURCES, "## Summary")])
    assert "Block 3's share is -2 % here (every seed, 512 digits: up to 17 %)" in main  # 23e: 512 digits per seed
    assert "  block 3: 10 % (5 seeds: 1..17)" in nb.all_printed(LESSON)


def test_section_1_keeps_one_sentence_on_the_update_and_the_caveats_move_to_appendix_e():
    update = nb.flat(SOURCES[nb.unique_index(SOURCES, "The **update** happens after backward")])
    assert "GradScaler" not in update  # 23c: the coupled steps named
    assert "unless you clip by the global norm or AMP skips the step (appendix E)" in update
    appendix_e = APP_SOURCES[nb.unique_index(APP_SOURCES, "### E ·")]
    assert "**The update in detail.**" in appendix_e and "`GradScaler`, which skips the whole step" in appendix_e


def test_the_main_path_does_not_grow():
    main = nb.main_path(LESSON)
    words = sum(len("".join(c["source"]).split()) for c in main if c["cell_type"] == "markdown")
    assert len(main) <= 40 and words <= 2448  # 23c brief: 40


def _summary_block() -> str:  # 23d: cell 0's measures and numbers moved to the Summary, before the Answer
    sources = nb.sources(nb.NOTEBOOKS / "05_where_gradients_flow.ipynb")
    return sources[
        nb.unique_index(sources, "**Answer to the question:**")
    ]  # 24c: one Summary cell (24a: the Answer first)

"""Lesson 01, review r19a_01's items: each fails on the notebook before this fix (commit e1cfc0a)."""

from __future__ import annotations

import base64
import io
import json

import torch
from PIL import Image

from tests import _notebook as nb
from vit_explained.positional import position_structure_report, row_minus_column, stored_shifted_positions
from vit_explained.pretrained import load_mnist_vit

LESSON = nb.NOTEBOOKS / "01_patches_and_embeddings.ipynb"
APPENDIX = nb.NOTEBOOKS / "01_patches_and_embeddings_appendix.ipynb"
BENCH = nb.ROOT / "benchmarks" / "bench_lesson01_canvas_grid.py"


def _main_path() -> list[dict]:
    cells = nb.cells(LESSON)
    return cells[: next(i for i, c in enumerate(cells) if nb.source(c).startswith("## Summary"))]


def _hidden_after(cells: list[dict], needle: str) -> str:
    at = next(i for i, c in enumerate(cells) if needle in nb.source(c))
    assert "hide-input" in cells[at + 1]["metadata"].get("tags", [])
    return nb.source(cells[at + 1])


def test_row_minus_column_is_the_direct_contrast_and_flips_with_the_grid() -> None:
    model = load_mnist_vit()
    shipped = row_minus_column(model, confidence=0.99)
    estimate = shipped.difference
    assert (round(estimate.estimate, 2), round(estimate.low, 2), round(estimate.high, 2)) == (0.29, 0.03, 0.55)
    report = position_structure_report(model, confidence=0.99).groups
    assert abs(estimate.estimate - (report["same row"].estimate - report["same column"].estimate)) < 1e-12
    table = model.pos_embedding.detach()  # transpose the grid: rows become columns, the contrast flips sign
    rows = table[:, 1:].reshape(1, 7, 7, -1).transpose(1, 2).reshape(1, 49, -1)
    flipped = row_minus_column(torch.cat([table[:, :1], rows], dim=1), (7, 7), confidence=0.99)
    assert abs(flipped.difference.estimate + estimate.estimate) < 1e-9


def test_item1_the_contrast_is_printed_for_every_table_and_checked() -> None:
    # round 19c: one table, "row - column" its third column; 20a: the family of 20's table, in appendix A
    needle = "reports_20 = {name: position_structure_report("
    printed = next(nb.printed(c) for c in nb.cells(APPENDIX) if needle in nb.source(c))
    for name, entry in (
        ("shipped, 7 x 7      ", "+0.29 [-0.04, +0.59] "),
        ("6x6 s0              ", "+0.26 [-0.47, +1.03] "),
        ("6x6 s1              ", "+0.36 [-0.36, +1.13] "),
        ("6x6 s2              ", "+0.32 [-0.41, +1.07] "),
        ("8x8 s0              ", "+0.24 [-0.18, +0.64] "),
    ):
        (line,) = [line for line in printed.splitlines() if line.startswith(name)]
        assert line[1 + 20 + 48 :].startswith(entry), (line, entry)
    cells = nb.cells(APPENDIX)
    check = _hidden_after(cells, "reports_20 = {name: position_structure_report(")
    assert 'shipped["row - column"].detectable' in check
    assert 'not any(row["row - column"].detectable for row in seeds)' in check
    assert 'not fine_row["row - column"].detectable' in check


def test_item1_prose_and_summary_do_not_imply_a_new_structure() -> None:
    text = nb.flat(nb.all_text(APPENDIX))  # 20a: the family of 20's reading moved to appendix A
    # round 19c (r19b item 1-2): the narrowing is not the patch count's alone; the equal estimates are not tested
    assert (
        "the column estimate did not change (+0.19 vs +0.19, the 6x6 runs' mean; "
        "their difference is not tested)" in text
    )
    assert "the 8 x 8 grid's 36 inner patches narrow the interval enough to clear 0" not in text
    assert "Whether the finer grid or the smaller patches made the columns show" not in text
    summary = next(nb.source(c) for c in nb.cells(LESSON) if nb.source(c).startswith("## Summary"))
    readings = "### Section 6's readings beyond"  # 24f: the Summary's trained-table bullet moved to appendix A
    kept = nb.flat(next(s for s in nb.sources(APPENDIX) if s.startswith(readings)))
    assert "columns are detected too" not in summary and "same-column ones only sometimes" in kept  # 20a; 20e


def test_item2_inner_patch_counts() -> None:
    text = nb.flat(nb.all_text(LESSON))
    assert "only 36 patches" not in text and "the 36 inner patches" in text  # 20e: the 6 x 6 runs are appendix A's
    doc = BENCH.read_text()
    assert "rest on 64 patches" not in doc and "36 inner patches, not 4 x 4 = 16" in nb.flat(doc)


def test_item3_inked_only_numbers_and_no_causal_claim() -> None:
    printed = nb.all_printed(APPENDIX)  # 20e: moved to appendix F
    assert "of them blank patches (one and the same vector): 62.0%" in printed
    assert "the 18,601 inked patches alone: mean |cosine| 0.14, variance along the 8 directions 10.6%" in printed
    text = nb.flat(nb.all_text(APPENDIX))
    assert "So adding loses little here" not in text and "consistent with adding costing little here" in text


def test_item4_main_path_is_shorter_and_the_side_material_is_in_the_appendix() -> None:
    main = _main_path()
    assert len(main) <= 95
    main_text = "\n".join(nb.source(c) for c in main)
    for moved in ("plot_sinusoid(", "digit_shuffle_widget(", "position_similarity_widget(", "patch_grid_widget(",
                  "digit_sequence = add_class_token(", "**The whole input step at once**"):  # fmt: skip
        assert moved not in main_text, moved
    appendix = nb.all_text(APPENDIX)
    assert '<a id="appendix-f"></a>' in appendix and '<a id="appendix-g"></a>' in appendix
    for moved in ("plot_sinusoid(", "digit_shuffle_widget(", "position_similarity_widget(", "patch_grid_widget(",
                  "digit_sequence = add_class_token("):  # fmt: skip
        assert moved in appendix, moved
    assert "row 0, first 6 columns: [0.0, 1.0, 0.0, 1.0, 0.0, 1.0]" in nb.all_printed(APPENDIX)  # checks moved too


def test_item5_one_pixel_cost_computation_and_no_rebinding() -> None:
    assert nb.all_printed(LESSON).count("times larger with a token per pixel") == 1
    sources = "\n".join(nb.sources(LESSON))
    assert "pixel_tokens" not in sources and "patch_tokens" not in sources


def test_item6_the_fine_grid_figure_is_larger() -> None:
    (cell,) = [c for c in nb.cells(LESSON) if "fine_table, (8, 8))}, scale=2," in nb.source(c)]
    (png,) = [o["data"]["image/png"] for o in cell["outputs"] if "image/png" in o.get("data", {})]
    width, height = Image.open(io.BytesIO(base64.b64decode(png))).size
    assert width * height >= 2 * 550 * 490  # at least twice the area of the old 550 x 490 picture


def test_item7_the_full_recipe_and_the_training_digits_are_printed_and_asserted() -> None:
    printed = nb.all_printed(LESSON)
    assert "50 epochs on 3,500 training digits" in printed
    assert "weight decay 0.05, cosine schedule, label smoothing 0.1" in printed and "scaling by up to 10%" in printed
    assert "len(mnist.train_images) == 3_500" in _hidden_after(nb.cells(LESSON), "checkpoint_info()  # the")


def test_item8_section_8_has_the_papers_data_size_evidence() -> None:
    text = nb.flat(nb.all_text(APPENDIX))  # 21a: section 8's quotes moved to appendix E; section 8 points there
    assert '"ViT-Large models underperform compared to ViT-Base models' in text and "Figure 3 (section 4.3" in text
    assert "ViT-L below ViT-B below the BiT ResNets" not in text and "DeiT-B's 81.8 %" in text  # 19d: the caption
    assert "Similarly, larger ViT variants overtake smaller ones as the dataset grows." in text


def test_item9_uva_and_timm_anchors() -> None:
    text = nb.flat(nb.all_text(LESSON))
    assert "`img_to_patch`" in text and "`permute(0, 2, 4, 1, 3, 5)`" in text
    appendix = nb.flat(nb.all_text(APPENDIX))
    assert "`strict_img_size=True`" in appendix and "`dynamic_img_pad=True`" in appendix
    assert "timm 1.0.28" in appendix and "timm 0.9.6" in appendix


def test_stored_tables_are_those_the_lesson_reads() -> None:
    canvas = stored_shifted_positions("lesson01_canvas_positions.safetensors")
    assert [round(row_minus_column(t, (6, 6), confidence=0.99).difference.estimate, 2) for t, _ in canvas.values()] == [
        0.26,
        0.36,
        0.32,
    ]
    assert json.loads(LESSON.read_text())["nbformat"] == 4

"""Lesson 07, review v: Table 7's hard-patch row said not reproduced (parameters and MACs printed beside the
table's), the Performer's extra parameters split into trained ones and fixed random features, published
single numbers said to carry no spread, the whole-stem run called an analogy, cells that read stored results
self-sufficient, and exercise checkers' long messages shortened."""

from pathlib import Path

import pytest
import torch

from tests import _notebook as nb
from vit_explained import ViT, count_parameters
from vit_explained.exercises import ExerciseFailed
from vit_explained.exercises.lesson07 import check_t2t_token_count

ROOT = Path(__file__).resolve().parents[1]
LESSON = ROOT / "notebooks" / "07_tokens_to_token_vit.ipynb"
APPENDIX = LESSON.with_name("07_tokens_to_token_vit_appendix.ipynb")  # the lesson, then its appendix notebook


def test_hard_patch_row_is_said_not_reproduced():
    with torch.device("meta"):
        hard = ViT(224, patch_size=16, num_classes=1000, dim=384, depth=14, heads=6, mlp_dim=3 * 384)
    assert count_parameters(hard) == 21_465_448
    text = nb.all_text(LESSON) + "\n" + nb.all_text(APPENDIX)
    assert "The hard-patch row is not reproduced" in text and "the paper's numbers imply 0.6G" in text.replace(
        "\n", " "
    )
    assert "21,465,448 parameters (Table 7: 21.1M), 4.54 GMACs (Table 7: 4.2G)" in (
        nb.all_printed(LESSON) + "\n" + nb.all_printed(APPENDIX)
    )


def test_performer_extra_parameters_split_into_trained_and_fixed():
    text, outputs = (
        (nb.all_text(LESSON) + "\n" + nb.all_text(APPENDIX)),
        (nb.all_printed(LESSON) + "\n" + nb.all_printed(APPENDIX)),
    )
    assert "4,480 more parameters" not in text and "384 more trained parameters" in text
    assert "+384 trained, plus two fixed 32x64 random-feature matrices (4,096)" in outputs


def test_single_published_numbers_carry_no_spread_claim():
    text = nb.all_text(LESSON) + "\n" + nb.all_text(APPENDIX)
    # round 18d: "one run each" only where a published gap is compared (the summary and Table 7's c-14 gap)
    assert text.lower().count("one run each") == 2
    # round x: the caveat is stated once, under the published table
    assert text.count("no spread over seeds or recipes is reported") == 1 and "no spread reported" not in text


def test_whole_stem_run_is_an_analogy_and_nits():
    text = nb.all_text(LESSON) + "\n" + nb.all_text(APPENDIX)
    assert "a different setup, is only an analogy" in text and "may be faster convergence" not in text
    assert "somewhat larger" in text
    assert "The right panel draws\nthe T2T module alone." in text
    assert "(12, 12, 4)" not in text and "divmod(24, first.cols)" in text


def test_cells_reading_stored_results_define_them():
    cells = nb.cells(LESSON) + nb.cells(APPENDIX)
    imports = next(
        i for i, cell in enumerate(cells) if "".join(cell["source"]).startswith("import math\nimport pathlib")
    )
    # 20a (review r19e item 8): pathlib and re are imported once, in the imports cell, not again in each check
    assert "import pathlib\nimport re\n" in "".join(cells[imports]["source"])
    for index, cell in enumerate(cells):
        source = "".join(cell["source"])
        if cell["cell_type"] == "code" and "results /" in source:
            assert index > imports and "results = pathlib.Path(" in source


def test_token_count_plus_one_message_is_short():
    def no_plus_one(height, width):
        for kernel, stride, padding in ((7, 4, 2), (3, 2, 1), (3, 2, 1)):
            height, width = (height + 2 * padding - kernel) // stride, (width + 2 * padding - kernel) // stride
        return height * width

    with pytest.raises(ExerciseFailed) as failed:
        check_t2t_token_count(no_plus_one)
    message = str(failed.value)
    assert "either the padding or the + 1 is missing" in message and len(message) < 300

"""Lesson 07, review u: Table 7's MACs recounted (4.54G for hard patches, so the T2T module costs about
0.24G), the attention row labelled untrained with the architectural claim (no mask), the widget after the
exercises, the meta-device cell's code hidden, exercise 4's no-padding message without a parenthesis, and the
seed-pair picture marking tied lines drawn over each other."""

from pathlib import Path

import pytest
import torch
from torch import nn

from tests import _notebook as nb
from vit_explained import ViT
from vit_explained._upstream import load_original_t2t
from vit_explained.cost import count_macs
from vit_explained.exercises import ExerciseFailed
from vit_explained.exercises.lesson07 import check_t2t_token_count
from vit_explained.plotting.lesson07 import plot_seed_pairs

ROOT = Path(__file__).resolve().parents[1]
LESSON = ROOT / "notebooks" / "07_tokens_to_token_vit.ipynb"
APPENDIX = LESSON.with_name("07_tokens_to_token_vit_appendix.ipynb")  # the lesson, then its appendix notebook


def test_hard_patch_row_of_table_7_recounted():
    image = torch.empty(1, 3, 224, 224, device="meta")
    with torch.device("meta"):
        hard = ViT(224, patch_size=16, num_classes=1000, dim=384, depth=14, heads=6, mlp_dim=3 * 384)
    assert round(sum(count_macs(hard, image).values()) / 1e9, 2) == 4.54
    text = nb.all_text(LESSON) + "\n" + nb.all_text(APPENDIX)
    assert "0.6G more MACs" not in text and "the T2T module costs 0.24G over hard patches" in text.replace("\n", " ")


def test_convolution_row_recounted_from_the_original_module(capsys):
    module = load_original_t2t("t2t_vit").T2T_module(224, tokens_type="convolution", in_chans=3, embed_dim=384)
    convolutions = nn.Sequential(module.soft_split0, module.soft_split1, module.project)
    macs = count_macs(convolutions, torch.empty(1, 3, 224, 224, device="meta"))["layers"]
    assert macs == 56 * 56 * 3 * 49 * 64 + 28 * 28 * 64 * 9 * 64 + 14 * 14 * 64 * 9 * 384


def test_attention_row_is_labelled_untrained_and_the_claim_is_architectural():
    text = nb.all_text(LESSON) + "\n" + nb.all_text(APPENDIX)
    assert "near uniform" not in text and "40 / 49" not in text
    assert "nothing masks a score" in text and "plot_local_and_global(" not in text  # review 16e: no untrained row
    assert "runs offline" in text


def test_widget_comes_before_the_exercises_and_the_stem_code_is_hidden():
    cells = nb.cells(LESSON) + nb.cells(APPENDIX)
    sources = ["".join(cell["source"]) for cell in cells]
    widget = next(i for i, source in enumerate(sources) if "t2t_chain_widget(" in source and "import" not in source)
    # review r20f item 6: after the Summary, before the exercises (exercise 1's answer is in the widget, hidden)
    summary = next(i for i, source in enumerate(sources) if source.startswith("## Summary"))
    exercises = next(i for i, source in enumerate(sources) if source.startswith("## Exercises"))
    assert summary < widget < exercises and sources[widget - 1].startswith("## Explore")
    (stem,) = [cell for cell, source in zip(cells, sources, strict=True) if "control_stem_parameters = {}" in source]
    assert "hide-input" in stem["metadata"]["tags"] and stem["outputs"]  # the printout stays
    assert "as in lesson 09" not in "\n".join(sources)


def test_no_padding_message_has_no_parenthesis():
    def no_padding(height, width):
        for kernel, stride, _ in ((7, 4, 2), (3, 2, 1), (3, 2, 1)):
            height, width = (height - kernel) // stride + 1, (width - kernel) // stride + 1
        return height * width

    with pytest.raises(ExerciseFailed) as failed:
        check_t2t_token_count(no_padding)
    message = str(failed.value)
    assert "either the padding or the + 1 is missing" in message and "(or," not in message


def test_tied_seed_lines_are_marked():
    fig = plot_seed_pairs([("a vs b", {"a": [5, 5, 6], "b": [5, 5, 4]})], total=10)
    # 23a (review r22i item 5): marked by drawing them side by side (jitter), not by an "x2" label
    labels = [text.get_text() for text in fig.axes[0].texts]
    assert labels == [] and "tied seeds drawn side by side" in fig.axes[0].get_title()
    starts = [line.get_xdata()[0] for line in fig.axes[0].lines[:2]]
    assert abs(starts[1] - starts[0]) >= 0.1

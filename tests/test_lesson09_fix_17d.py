"""Lesson 09, fix round 17d (fresh review 17d): the recipe named in a table, one 51x51 figure with row 1 boxed,
the teacher introduced with its size where it is first used, exercise 2's float-label message for either
target, why the explorer opens on block 2, and the crop picture's rule in its caption."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
import torch.nn.functional as F

from tests import _lesson09
from vit_explained.exercises import ExerciseFailed, lesson09
from vit_explained.plotting.lesson09 import plot_teacher_crops

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "09_deit_distillation.ipynb"


def _sources() -> list[str]:
    return ["".join(cell["source"]) for cell in _lesson09.cells(NOTEBOOK)]


def _index(sources: list[str], start: str) -> int:
    return next(i for i, s in enumerate(sources) if s.startswith(start))


def _message(answer) -> str:
    with pytest.raises(ExerciseFailed) as failed:
        lesson09.check_hard_distillation(answer)
    return str(failed.value)


def _float_true_labels(class_logits, distillation_logits, labels, teacher_logits):
    return 0.5 * F.cross_entropy(class_logits, labels.float()) + 0.5 * F.cross_entropy(
        distillation_logits, teacher_logits.argmax(-1)
    )


def _float_teacher_labels(class_logits, distillation_logits, labels, teacher_logits):
    return 0.5 * F.cross_entropy(class_logits, labels) + 0.5 * F.cross_entropy(
        distillation_logits, teacher_logits.argmax(-1).float()
    )


@pytest.mark.parametrize("answer", [_float_true_labels, _float_teacher_labels])
def test_float_labels_get_one_message_for_either_target(answer):
    message = _message(answer)
    assert "the true labels and the teacher's labels alike" in message
    assert "no .float() on either" in message


def test_the_recipe_table_names_deits_components_and_says_what_recipe_has():
    sources = _sources()
    section_2 = sources[_index(sources, "## 2 · ")]
    recipe = sources[_index(sources, '<a id="recipe"></a>')]  # fix 22a (review r21k item 7): the table in appendix C
    for component in (
        "RandAugment",
        "Mixup",
        "CutMix",
        "random erasing",
        "repeated augmentation",
        "stochastic depth",
        "label smoothing",
        "AdamW",
        "cosine schedule",
    ):
        row = next(line for line in recipe.splitlines() if line.startswith(f"| {component} |"))
        assert row.endswith("| yes |") == (component in ("AdamW", "cosine schedule")), row
        assert row.endswith(("| yes |", "| no |")), row
    assert "the same encoder" in section_2 and "ViT's architecture" not in section_2
    assert "06_train_a_vit.ipynb#over-fitting-runs" in section_2 and "`0282d2a`" in section_2


def test_one_slice_matrix_figure_and_it_boxes_row_1():
    sources = _sources()
    assert sum("plot_slice_matrix(" in s for s in sources) == 1
    section_1 = "\n".join(sources[: _index(sources, "## 2 · ")])
    assert "first look at the slice" not in section_1.lower()  # round 18d: section 4 says it (review 18c)


def test_the_teacher_and_its_size_come_where_it_is_first_used():
    sources = _sources()
    first = next(i for i, s in enumerate(sources) if "load_mnist_cnn()" in s and "import" not in s)
    assert (
        'print(f"teacher (SmallCNN) {teacher_parameters:,} parameters, student (DeiT) {deit_count:,}")'
        in (sources[first])
    )
    assert "(teacher_parameters, deit_count) == (93_962, 139_796)" in sources[first + 1]
    assert "`SmallCNN`, three 3x3 convolutions" in sources[first - 1]
    assert not any("introduced in section 3" in s or "section 3 introduces it" in s for s in sources)


def test_the_explorer_says_why_block_2():
    sources = _sources()
    explore = sources[_index(sources, "## 7 · Explore")]
    assert "In the last block both maps are\nnearly flat on this digit" in explore
    assert any("max(flat_margins) < 1.2" in s for s in sources)


def test_the_crop_caption_holds_the_rule():
    images = torch.rand(2, 1, 28, 28)
    fig = plot_teacher_crops(images, torch.rand(2, 3, 1, 28, 28), torch.zeros(2, 3), torch.zeros(2), caption="the rule")
    assert fig._supxlabel.get_text() == "the rule"
    fig = plot_teacher_crops(images, torch.rand(2, 3, 1, 28, 28), torch.zeros(2, 3), torch.zeros(2))
    assert fig._supxlabel is None  # no caption unless asked (the earlier behaviour)
    assert any("caption=rule" in s for s in _sources())

"""Lesson 09, fix round 17c: the explorer's title says "one patch to the right" only where the panels show it."""

import pytest
import torch

from vit_explained.data import load_mnist
from vit_explained.distill import load_mnist_deit
from vit_explained.widgets.lesson08 import TOKENS
from vit_explained.widgets.lesson09 import ROW_MAJOR_NOTE, deit_attention_explorer, one_patch_right, shift_note


@pytest.fixture(scope="module")
def explorer():
    data = load_mnist()
    images = torch.cat([data.test_images[:8], data.test_images[17:18]])  # the lesson's 9 digits
    labels = torch.cat([data.test_labels[:8], data.test_labels[17:18]])
    return deit_attention_explorer(
        load_mnist_deit(), images, labels, view="class | distillation", start=1, digit=7, block=2
    )


def _top(grid: torch.Tensor) -> tuple[int, int]:
    return divmod(int(grid.flatten().argmax()), grid.shape[-1])


def test_the_title_is_true_for_every_block_head_token_and_digit(explorer):
    """Over all 9 digits x 4 blocks x (4 heads and their mean) x 2 tokens: what the note says, the frames show."""
    failing = 0
    for digit in range(len(explorer.images)):
        for block in range(len(explorer.model.blocks)):
            for head in explorer.controls["head"].options:
                matrix = explorer.matrix_for(digit=digit, block=block, head=head, method="raw attention")
                pairs = {
                    t: (explorer.sliced(matrix, TOKENS.index(t), 1), explorer.sliced(matrix, TOKENS.index(t), 2))
                    for t in TOKENS
                }
                note = shift_note(pairs)
                for token, (wrong, right) in pairs.items():
                    (wrong_row, wrong_col), (right_row, right_col) = _top(wrong), _top(right)
                    shifted = (wrong_row, wrong_col) == (right_row, right_col + 1)
                    failing += not shifted
                    if note.startswith("a wrong slice's is one patch") or note.endswith(f"{token}: one patch right"):
                        assert shifted, (digit, block, head, token, note)
                    if not shifted:
                        assert note.startswith(ROW_MAJOR_NOTE), (digit, block, head, token, note)
                # the row-major rule itself holds everywhere
                for wrong, right in pairs.values():
                    assert torch.equal(wrong.flatten()[1:], right.flatten()[:-1])
    assert failing > 0  # the settings where 'one patch to the right' would be false exist (the review's point)


def test_one_patch_right_refuses_a_wrap_and_a_winning_special_column():
    right = torch.zeros(2, 3)
    right[0, 2] = 1.0  # last column: the shift wraps to (1, 0)
    wrong = torch.cat([torch.zeros(1), right.flatten()[:-1]]).view(2, 3)
    assert not one_patch_right(wrong, right)
    right = torch.zeros(2, 3)
    right[0, 0] = 1.0
    wrong = torch.cat([torch.tensor([2.0]), right.flatten()[:-1]]).view(2, 3)  # key 1 wins at (0, 0)
    assert not one_patch_right(wrong, right)
    wrong = torch.cat([torch.zeros(1), right.flatten()[:-1]]).view(2, 3)
    assert one_patch_right(wrong, right)


def test_the_opening_digit_has_a_clear_top_patch_and_a_true_title(explorer):
    _line, fig = explorer.compute(**explorer.values)
    title = fig._suptitle.get_text()
    assert "a wrong slice's is one patch to the right of the right one's" in title and title.count("\n") <= 1
    matrix = explorer.matrix_for(digit=7, block=2, head="mean", method="raw attention")
    for q in (0, 1):
        first, second = explorer.sliced(matrix, q, 2).flatten().topk(2).values
        assert first > 2 * second


def test_a_bad_block_is_refused():
    data = load_mnist()
    with pytest.raises(ValueError, match="block must be in"):
        deit_attention_explorer(load_mnist_deit(), data.test_images[:2], data.test_labels[:2], block=9)


def test_the_crop_boxes_replay_the_crops_and_ink_kept_counts_inked_pixels():
    from torch.nn import functional as F

    from vit_explained.distill import ink_kept, random_resized_boxes, random_resized_crops

    image = load_mnist().test_images[1]
    crops = random_resized_crops(image, 8, generator=torch.Generator().manual_seed(3))
    boxes = random_resized_boxes(28, 28, 8, generator=torch.Generator().manual_seed(3))
    for crop, (top, left, h, w) in zip(crops, boxes, strict=True):
        again = F.interpolate(image[None, :, top : top + h, left : left + w], size=(28, 28), mode="bilinear")
        assert torch.equal(again[0], crop)
    assert torch.equal(ink_kept(image, [(0, 0, 28, 28)]), torch.ones(1))
    assert float(ink_kept(image, [(0, 0, 1, 1)])[0]) == 0.0  # a corner keeps none of a centred digit's ink


def test_the_crop_teacher_benchmark_is_stored_and_shipped_identically():
    from pathlib import Path

    from vit_explained.distill import CROP_TEACHER, crop_teacher_benchmark

    stored = Path(__file__).resolve().parents[1] / "benchmarks" / "results" / "lesson09_crop_teacher.json"
    assert stored.read_bytes() == CROP_TEACHER.read_bytes()
    run = crop_teacher_benchmark()
    for group in ("under_half", "at_least_90"):
        by = run["relabelled"][group]
        assert len(by["shipped"]) == len(by["crop"]) > 100  # the same crops for both teachers
    assert run["cpu_seconds"] < 180  # under the 3 CPU-minute budget

"""Lesson 06, review r22f: the batch_first symptoms are stated for class-token pooling, and the mean-pooling case is
printed (live, seed 0) and quoted in check 4's prose and the recipe card; the loop's optimizer comment matches its
output; the benchmark's four runs are named sessions of 3 seeds; the ViT paper's ImageNet-21k result "overlapping";
the tally sentence "consistent with"; exercise 3's checker names the channel-sum slip; the main path did not grow."""

from __future__ import annotations

import pytest
import torch

from tests import _notebook as nb
from vit_explained.exercises import lesson06

LESSON = nb.NOTEBOOKS / "06_train_a_vit.ipynb"
CELLS = nb.cells(LESSON)
SOURCES = nb.sources(LESSON)
APPENDIX = nb.NOTEBOOKS / "06_train_a_vit_appendix.ipynb"
APP_CELLS = nb.cells(APPENDIX)
APP_SOURCES = nb.sources(APPENDIX)


def test_main_path_within_cap():
    main = nb.main_path(LESSON)
    words = nb.markdown_words(main)
    assert len(main) <= 58 and words <= 3580, (len(main), words)


def test_item_1_batch_first_symptoms_name_class_token_pooling():
    # 23b: the mean-pooling run moved to appendix F (#mean-pooling-bf) with its check; check 4 keeps a pointer
    i = nb.unique_index(APP_SOURCES, 'pool="mean") for bug in (BF, "none")')
    out = nb.printed(APP_CELLS[i])
    assert "mean pooling (seed 0, 150 steps), batch_first: step-0 gradient class_token 0, embed 0.33;" in out
    assert "last-20 mean loss 1.94, validation 38% (fixed model: 0.27, 89%)" in out
    check = nb.source(APP_CELLS[i + 1])
    assert nb.hidden(APP_CELLS[i + 1]) and 'pooled[BF].gradient_norms["class_token"] == 0.0' in check
    assert "== (1.94, 0.27, 0.38)" in check
    moved = nb.flat(nb.source(APP_CELLS[i + 2]))
    prose = nb.flat(nb.source(CELLS[nb.unique_index(SOURCES, "With `batch_first` off and class-token pooling")]))
    assert "With `batch_first` off and class-token pooling, the patch embedding's gradient is exactly 0" in prose
    assert "With mean pooling (seed 0, printed) the exact 0 moves to `class_token` and the loss ends at 1.94" in moved
    table = nb.source(CELLS[nb.unique_index(SOURCES, '<a id="symptom-table">')])
    assert "| `batch_first` (class-token pooling), SGD at Adam's rate, hand-written LayerNorm |" in table
    assert "| `batch_first` (`embed` with class-token pooling, `class_token` with mean) |" in table
    assert "after 150 steps: `batch_first` (class-token pooling), SGD" in nb.flat(nb.all_text(LESSON))
    assert "With mean pooling the `batch_first` bug is quieter: its loss ends at 1.94 after 150 steps" in moved


def test_item_2_loop_comment_true_to_its_output():
    code = nb.flat(nb.source(CELLS[nb.unique_index(SOURCES, "def train_loop(")]).replace("#", ""))
    assert "in these few steps" not in code
    assert "trains at this rate within a few hundred steps (SGD at 1e-2 does not: section 4, 150 steps)" in code
    assert "after 150 steps: `batch_first` (class-token pooling), SGD at Adam's rate" in nb.flat(nb.all_text(LESSON))


def test_items_6_to_8_wording():
    assert "the ViT is higher in 2 of its 4 sessions (means of 3 seeds, no interval)" in nb.all_printed(LESSON)
    text = nb.flat(nb.all_text(LESSON))
    assert "level at ImageNet-21k" not in text and "overlapping at ImageNet-21k" in text
    assert "(printed): the tally counts before" not in text
    assert "epochs 1-7 validation accuracy is above the training tally, which is counted before each step" in text


def _shift(mask):
    def answer(x):
        best = 10**9
        for image in mask(x):
            rows, cols = torch.where(image.any(1))[0], torch.where(image.any(0))[0]
            h, w = image.shape
            best = min(best, int(rows[0]), h - 1 - int(rows[-1]), int(cols[0]), w - 1 - int(cols[-1]))
        return best

    return answer


def test_item_9_channel_sum_slip_is_named():
    with pytest.raises(lesson06.ExerciseFailed, match=r"x\.sum\(1\) > 0.*\(x != 0\)\.any\(1\)"):
        lesson06.check_max_safe_shift(_shift(lambda x: x.sum(1) > 0))


@pytest.mark.parametrize(
    "mask", [lambda x: (x != 0).any(1), lambda x: x.abs().sum(1) > 0, lambda x: (x.abs() > 0).amax(1).bool()]
)
def test_item_9_right_answers_still_pass(mask, capsys):
    lesson06.check_max_safe_shift(_shift(mask))
    assert "Correct" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("mask", "message"),
    [
        (lambda x: (x > 0).any(1), "ink can be negative"),
        (lambda x: x.sum(1) != 0, "the channels can cancel"),
        (lambda x: x[:, 0] != 0, "first channel only"),
    ],
)
def test_item_9_other_slips_keep_their_messages(mask, message):
    with pytest.raises(lesson06.ExerciseFailed, match=message):
        lesson06.check_max_safe_shift(_shift(mask))

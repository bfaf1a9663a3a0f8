"""Lesson 06, fix round y (review 16g): the augmentation intervals and their difference printed, the lr-0.1
sentence and plot, recipe card item 5, the loop order in exercise 2's message and the summary, exercise 4's
messages without code or the answer, cell 14's timm version."""

from __future__ import annotations

import inspect
from pathlib import Path

import nbformat
import numpy as np

from vit_explained.exercises import lesson06

ROOT = Path(__file__).resolve().parents[1]
LESSON = ROOT / "notebooks" / "06_train_a_vit.ipynb"


def _cells():
    return nbformat.read(LESSON, as_version=4).cells


def _printed() -> str:
    return "\n".join(o.get("text", "") for c in _cells() if c.cell_type == "code" for o in c.get("outputs", []))


def test_the_augmentation_intervals_and_their_difference_are_printed_in_view():
    cells = _cells() + nbformat.read(LESSON.with_name("06_train_a_vit_appendix.ipynb"), as_version=4).cells
    (cell,) = [c for c in cells if c.cell_type == "code" and 'augmented = RUNS["augment"]' in c.source]  # round 21b
    assert "hide-input" not in cell.metadata.get("tags", [])
    text = "".join(o.get("text", "") for o in cell.outputs)
    for label in ("ViT augmented", "CNN-8 augmented", "ViT's - CNN-8's augmented"):
        assert label in text and "95 % [" in text and "corrected (99.75%)" in text
    assert "ViT augmented - unaugmented: -10.0 points" in text and "on 9 of 10 seeds" in text
    prose = [c.source for c in cells if c.source.startswith("Both models are **behind**")]
    assert len(prose) == 1 and "may not carry" in prose[0] and "so little carries" not in prose[0]


def test_the_lr_sentence_has_its_plot_and_numbers():
    cells = nbformat.read(ROOT / "notebooks" / "06_train_a_vit_appendix.ipynb", as_version=4).cells  # review 17c
    (i,) = [i for i, c in enumerate(cells) if "\n\nAt lr 0.1 the ViT falls to 53.5 %" in c.source]
    assert "fig = plot_lr_grid(" in cells[i - 1].source
    assert any("image/png" in o.get("data", {}) for o in cells[i - 1].outputs)
    assert "53.5 (18.3..72.8)" in _printed() and "97.2 (96.7..97.8)" in _printed()
    assert "#lr-grid" in "".join(c.source for c in _cells())  # the lesson's pointer


def test_recipe_card_and_summary_state_what_the_runs_show():
    text = "\n".join(c.source for c in _cells() if c.cell_type == "markdown")
    # r24c: card item 5 is one line; the same scope
    assert "add label smoothing" not in text and "; its effect on accuracy the runs cannot tell;" in text
    assert "`zero_grad` before backward, step after backward" in text
    assert "timm 1.0's" not in text  # review 17d: an unconfirmed version dropped
    # round 18a: the version confirmed in the timm source (timm/optim/_param_groups.py from v1.0.12 to 1.0.29.dev0)
    # review r21i: moved to appendix C, "1.0.12 to 1.0.28, and 1.0.29.dev0"
    appendix_cells = nbformat.read(LESSON.with_name("06_train_a_vit_appendix.ipynb"), as_version=4).cells
    appendix = "\n".join(c.source for c in appendix_cells)
    timm = "(`param_groups_weight_decay` read in its source, timm 1.0.12 to 1.0.28, and 1.0.29.dev0)"
    assert timm in " ".join(appendix.split()) and "#timm-decay" in text


def test_exercise_2_message_matches_the_lessons_loop():
    source = inspect.getsource(lesson06)
    assert "zero_grad before backward, step after backward" in source
    assert "model.train(), zero_grad, forward, loss, backward, step" not in source


def test_exercise_4_messages_name_the_slip_without_code():
    messages = [message for _, message in lesson06._INTERVAL_SLIPS + lesson06._SHOWN_SLIPS]
    assert all("ppf" not in message and "scipy" not in message for message in messages)


def test_the_verdict_checker_does_not_print_the_interval():
    def wrong(a, b):  # right everywhere but on the first case
        first_a, first_b = lesson06._shown_cases()[0]
        shown = lesson06._shown_by_rule(a, b)
        is_first = np.array_equal(np.asarray(a), first_a) and np.array_equal(np.asarray(b), first_b)
        return (not shown) if is_first else shown

    try:
        lesson06.check_clears_training_noise(wrong)
    except Exception as error:  # the checker's failure
        message = str(error)
    else:
        raise AssertionError("the checker passed a wrong answer")
    assert "your answer is" in message and "holds 0" in message and "[" not in message.split("your answer is")[1]

"""Lesson 06, review m: over-fitting defined as the validation loss rising while the training loss falls (shown in
the loss, not in accuracy), the stored runs' accuracy gap shrinking, the intro saying what trains in view, and
Adam's first step predicted as lr * sqrt(P)."""

from __future__ import annotations

import math
from pathlib import Path

import nbformat

from vit_explained import clinic

ROOT = Path(__file__).resolve().parents[1]
LESSON = ROOT / "notebooks" / "06_train_a_vit.ipynb"


def _markdown() -> str:
    return "\n".join(cell.source for cell in nbformat.read(LESSON, as_version=4).cells if cell.cell_type == "markdown")


def test_overfitting_is_the_accuracy_gap_with_the_loss_as_its_confidence_side():
    text = _markdown()  # review 16f: the gap is the usual sign; the loss's rise is its confidence side
    assert "the gap between training and validation grows" not in text.lower()
    assert "validation *loss* that rises while the training loss falls is its confidence\nside" in text
    appendix = nbformat.read(
        LESSON.with_name("06_train_a_vit_appendix.ipynb"), as_version=4
    ).cells  # review r21i: moved
    assert "consistent with growing confidence rather than more mistakes" in "\n".join(c.source for c in appendix)
    assert "(yet)" not in text  # round q: no forecast
    assert "stops carrying over" not in text


def test_stored_runs_accuracy_gap_shrinks_while_the_loss_rises():
    runs = clinic.stored_runs()["overfitting"]
    summary = clinic.overfitting_summary(runs, window=5)
    for name, seed_runs in runs["curves"].items():
        for seed, run in zip(runs["seeds"], seed_runs, strict=True):
            low = summary.lowest[name, seed]
            gap_low = run["train_accuracy"][low - 1] - run["val_accuracy"][low - 1]
            gap_end = run["train_accuracy"][-1] - run["val_accuracy"][-1]
            assert gap_end < gap_low
            assert run["val_accuracy"][-1] > run["val_accuracy"][low - 1]


def test_intro_says_what_trains_in_view():
    intro = nbformat.read(LESSON, as_version=4).cells[0].source
    assert "8x8 digits" in intro
    # round 21b: the token count is stated where the picture draws the patches (section 1)
    assert "16 patch tokens" in "\n".join(cell.source for cell in nbformat.read(LESSON, as_version=4).cells)
    assert "MNIST ViT is loaded" in " ".join(intro.split()) and "#appendix-c" in intro


def test_adam_first_step_is_lr_sqrt_p():
    n_weights = sum(p.numel() for p in clinic.BlogViT("none").parameters() if p.requires_grad)
    assert n_weights == 9674
    assert abs(clinic.first_step_size("none", "adam", lr=1e-2) - 1e-2 * math.sqrt(n_weights)) < 0.005


def test_overfitting_rises_matches_windowed_rise_and_prints_one_line_per_model():
    runs = clinic.stored_runs()["overfitting"]
    rise, text = clinic.overfitting_rises(runs, short={"SmallCNN width 8": "CNN-8"})
    for name, seed_runs in runs["curves"].items():
        for seed, run in zip(runs["seeds"], seed_runs, strict=True):
            assert rise[name, seed] == clinic.windowed_rise(run["val_loss"], window=5, margin=0.05)
    lines = text.splitlines()
    assert len(lines) == 3 and lines[0].startswith("ViT, 5-epoch") and lines[1].startswith("CNN-8, 5-epoch")
    assert lines[2].endswith("from epoch 97 on (ViT), 78 (CNN-8)")


def test_readings_table_reads_both_intervals_and_the_verdict():
    from vit_explained.evidence import paired_seeds

    paired = {"a - b": paired_seeds([0.9, 0.8, 0.85, 0.95], [0.7, 0.6, 0.68, 0.72])}
    read, table = clinic.readings_table(paired, 1 - 0.05 / 16)
    (low95, high95), (low, high) = read["a - b"]
    assert low < low95 < high95 < high and low95 > 0
    assert "a - b" in table and "99.69 % (corrected)" in table
    assert clinic.reading_verdict(low95, high95, (low, high)) in table

"""Lesson 06's one-call helpers (brief fix06t item 2, review r30c minor 9): each gives what the lesson's inline code
gave before it moved into the package (the old code is repeated here, verbatim in substance)."""

from __future__ import annotations

import inspect
import math

import pytest
import torch

from vit_explained import clinic
from vit_explained.data import load_digits
from vit_explained.evidence import paired_seeds
from vit_explained.plotting.lesson06 import label_smoothing_floor

RUNS = clinic.stored_runs()
LAST = 20


@pytest.fixture(scope="module")
def first_batch():
    digits = load_digits()
    batch = torch.randperm(len(digits.train_images), generator=torch.Generator().manual_seed(0))[:64]
    return digits.train_images[batch], digits.train_labels[batch]


def test_label_smoothing_floor_is_the_old_arithmetic():
    for epsilon, k in ((0.1, 10), (0.3, 4), (0.0, 10)):
        keep = 1 - epsilon + epsilon / k
        old = -(keep * math.log(keep) + (1 - keep) * math.log((1 - keep) / (k - 1))) if epsilon else 0.0
        assert abs(label_smoothing_floor(epsilon, k) - old) < 1e-12
    assert round(label_smoothing_floor(0.1, 10), 2) == 0.50


def test_input_check_is_the_old_cell(first_batch):
    images, labels = first_batch
    got = clinic.input_check(images, labels, RUNS["input_scale"], LAST)
    cases = {name: clinic.START_CASES[name] for name in ("fixed model", "pixels x255")}
    assert got.start == clinic.step_0_losses(cases, images, labels)
    scale = clinic.input_scale_table(images, RUNS["input_scale"], LAST)
    assert got.scale.text == scale.text and got.scale.cost == scale.cost
    old = paired_seeds(scale.val["x1"], scale.val["x255"])
    assert got.paired.difference.values == old.difference.values
    lines = got.text.splitlines()
    assert (
        lines[0] == "fixed model  loss at step 0 2.49 (seed 0)"
        and lines[1] == "pixels x255  loss at step 0 2.50 (seed 0)"
    )
    # brief fix06_38a item b: section 4 prints no interval (verdict words start in section 5); the line moved to
    # appendix H, printed by clinic.input_scale_verdict
    assert lines[-1] == "validation accuracy lost to the scale, seed by seed: 11, 19, 15 points"
    # brief fix06_38f: the lesson prints the range lines it computes in view, then .runs_text (no string filtering)
    assert got.scale.ranges == [
        "the input just before the model, pixels x1: 0 to 1, mean 0.31, std 0.38",
        "the input just before the model, pixels x255: 0 to 255, mean 78.29, std 96.35",
    ]
    assert got.runs_text.splitlines() == [*lines[:2], *lines[4:]] and lines[2:4] == got.scale.ranges
    runs = got.runs_text.splitlines()
    assert len(runs) == 5 and not any("just before the model" in line for line in runs)
    assert "95 %" not in got.text
    assert (
        clinic.input_scale_verdict(got.paired)
        == "x1 - x255, validation: +15.0 points, 95 % [+4.0, +26.0]: x255 leans worse (3 seeds: exploratory)"
    )


def test_gradient_check_is_the_old_cell():
    runs = clinic.stored_clinic_runs(RUNS)
    got = clinic.gradient_check(runs, seeds=range(2))
    norms = {bug: r.gradient_norms for bug, r in runs.items()}
    blog = clinic.LAYER_NORM_NO_CENTRING
    ratios = {
        bug: {part: norms["none"][part] / norms[bug][part] for part in norms["none"]}
        for bug in (blog, "LayerNorm x - mean / std")
    }
    quiet = {part: norms["none"][part] / norms["no activation in the MLP"][part] for part in norms["none"]}
    drawn = {
        bug: {p: 1 / r for p, r in ratio.items()}
        for bug, ratio in {**ratios, "no activation in the MLP": quiet}.items()
    }
    assert got.norms == norms and got.ratios == ratios and got.quiet_ratio == quiet and got.drawn == drawn
    default = inspect.signature(torch.nn.MultiheadAttention).parameters["batch_first"].default
    assert got.batch_first_default is default is False
    first = got.text.splitlines()[:3]  # brief fix06_38a item g: seed 0's three facts, one per line
    assert first[0].endswith("embed gradient 0")
    assert first[1] == "seed 0, step 0: SGD's norms equal the fixed model's exactly"
    assert first[2].endswith("no MLP activation: 0.95-1.5x the fixed model's (the head's below 1x)")
    _, seed_ratios, _ = clinic.gradient_ratio_report(ratios, quiet, seeds=range(2))
    assert got.seed_ratios == seed_ratios


def test_below_one_clause_only_when_the_lowest_ratio_is_below_1():
    # audit a36c item 7: check 4's "(the head's below 1x)" is printed only when that part's ratio is below 1
    assert clinic.below_one({"head": 0.9545, "attn": 1.016, "mlp": 1.477}) == " (the head's below 1x)"
    assert clinic.below_one({"head": 1.0, "attn": 1.016, "mlp": 1.477}) == ""
    assert clinic.below_one({"embed": 1.2, "norm": 1.01}) == ""


def test_one_batch_report_is_the_old_cell():
    one_batch = RUNS["overfit"]
    text, dots, entropy = clinic.one_batch_report(one_batch)
    assert entropy == list(one_batch["label_entropy"].values())
    names = clinic.ONE_BATCH_NAMES
    old = [
        f"  {names.get(n, n):40} " + ", ".join(f"{x:.2f}" for x in v)
        for n, v in one_batch["last_loss"].items()
        if "400 steps" not in n
    ]
    # brief fix06_38a item g: the entropies on a line of their own
    assert text.splitlines()[2:-1] == old and len(old) == 5
    assert text.splitlines()[0] == "each seed's batch, the entropy of its label shares: 2.26, 2.28, 2.24"
    assert dots == {names.get(n, n): v for n, v in one_batch["last_loss"].items()}
    long_text = clinic.one_batch_report(one_batch, long_arms=True)[0]
    assert len(long_text.splitlines()) == 5 and "the fixed model at 10x (0.1), 400 steps  0.00, 0.00, 0.00" in long_text


def test_section_5_is_the_old_cell():
    got = clinic.section_5(RUNS)
    test = RUNS["compare"]["equal_steps"]["test"]
    assert clinic.SECTION_5_FAMILY == 20 and abs(got.corrected - (1 - 0.05 / 20)) < 1e-15
    headline = paired_seeds(RUNS["own_rate"]["test"]["SmallCNN width 8"], test["ViT"])
    rows, drawn = clinic.paired_table(
        test, clinic.SECTION_5_PAIRS, got.corrected, clinic.SHORT_NAMES, headline=(got.head, headline)
    )
    assert got.rows == rows and got.drawn == drawn and list(got.per_seed) == list(drawn)
    assert got.seed_points[got.head] == [100 * d for d in headline.difference.values]
    assert drawn[got.head][3] == "ahead" and [round(v, 1) for v in (drawn[got.head][0], *drawn[got.head][2])] == [
        2.9,
        0.8,
        5.0,
    ]


# brief fix06u items 2-3 (review r31a minors 5, 7-9): cells 60 and 64 call one helper each (the mnist-fast curve
# and its helper left the lesson in session 39: appendix C draws that run itself)
def test_section_5_table_is_the_old_cell_62():
    s5 = clinic.section_5(RUNS)
    text = clinic.section_5_table(s5, RUNS, 0.01)
    shown = (s5.head, "conv stem - ViT", "CNN-32 - ViT")
    header = ("a - b (seeds only)", "points", "95 % interval", clinic.level_label(s5.corrected), "verdict")
    assert clinic.text_table(header, [row for row in s5.rows if row[0] in shown]) in text
    best = clinic.best_rates(RUNS["lr"], {name: clinic.SHORT_NAMES[name] for name in RUNS["lr"]["val"]["0.01"]})
    rates = clinic.rate_lines(RUNS["lr"], best, RUNS["own_rate"], s5.test["ViT"], 0.01).splitlines()
    assert text.endswith("\n".join(rates[1:])) and rates[0] not in text  # the grid itself: appendix D


# brief quick06_37c (review r37d minor 1): cells 54 and 57 print named lines, not filtered table lines
def test_section_5_lines_split_the_table_by_name():
    s5 = clinic.section_5(RUNS)
    table = clinic.section_5_table(s5, RUNS, 0.01).splitlines()
    lines = clinic.section_5_lines(s5, RUNS, 0.01)
    rates = lines.rates.splitlines()
    assert [line.split(" ", 2)[:2] for line in rates] == [["rate", "chosen"], ["each", "at"]]
    assert all(line in table for line in rates + lines.rows.splitlines())
    assert not any(line.startswith(s5.head) for line in lines.rows.splitlines())  # the headline row: printed by hand
    assert len(rates) + len(lines.rows.splitlines()) + 1 == len(table)
    assert lines.rows.splitlines()[0].startswith("400 steps each; the plain ViT: ")


def test_overfitting_model_lines_are_overfitting_rises_lines_by_name():
    runs = RUNS["overfitting"]
    short = {"SmallCNN width 8": "CNN-8"}
    rise, text = clinic.overfitting_rises(runs, window=5, margin=0.05, short=short)
    named = clinic.overfitting_model_lines(runs, rise, short=short)
    assert list(named) == list(runs["curves"]) and text.splitlines()[:-1] == list(named.values())
    assert clinic.overfitting_model_lines(runs, rise)["ViT"] == named["ViT"] == text.splitlines()[0]


def test_section_5_family_rows_are_the_old_cell_64():
    s5 = clinic.section_5(RUNS)
    growth, aug, text = clinic.section_5_family_rows(RUNS, s5)
    size = RUNS["size"]["test"]
    lead = {n: paired_seeds(size[n]["SmallCNN width 8"], size[n]["ViT"]).difference.values for n in ("300", "1257")}
    assert list(growth.difference.values) == list(paired_seeds(lead["300"], lead["1257"]).difference.values)
    assert [round(100 * s.difference.mean, 1) for s in aug] == [-10.0, -4.0]
    assert [line.rsplit(": ", 1)[1] for line in text.splitlines()] == ["ahead", "behind", "behind"]


def test_smoothing_change_line_prints_both_paired_intervals():
    rise, acc = clinic.regulariser_changes(RUNS["regularisers"], RUNS["overfitting"]["curves"]["ViT"])[0][
        "label smoothing"
    ]
    line = clinic.smoothing_change_line(rise, acc)
    assert "-0.10, 95 % [-0.12, -0.07]" in line and "-0.4 points, 95 % [-6.6, +5.9]" in line and "seeds 0-2" in line

"""Lesson 06's table helpers in ``vit_explained.clinic``."""

import pytest
import torch

from vit_explained import clinic


def test_norm_ratio_ranges_reads_every_seed_and_part():
    reference = [{"embed": 1.0, "norm": 0.4, "head": 2.0}, {"embed": 3.0, "norm": 0.5, "head": 1.0}]
    broken = [{"embed": 0.1, "norm": 0.1, "head": 1.0}, {"embed": 0.01, "norm": 0.25, "head": 0.5}]
    assert clinic.norm_ratio_ranges(reference, broken) == pytest.approx((2.0, 300.0, 2.0, 4.0))


def test_norm_ratio_ranges_needs_one_dict_per_seed():
    with pytest.raises(ValueError, match="one dict per seed"):
        clinic.norm_ratio_ranges([{"embed": 1.0, "norm": 1.0}], [])


def test_paired_table_rows_and_drawn_agree():
    test = {"a": [0.9, 0.92, 0.91, 0.93], "b": [0.88, 0.9, 0.9, 0.9]}
    rows, drawn = clinic.paired_table(test, [("a", "b")], 0.99, {"a": "A", "b": "B"})
    ((label, points, narrow, wide, word),) = rows
    assert narrow.startswith("[") and wide.startswith("[")
    mean, (low, high), (wide_low, wide_high), drawn_word = drawn["A - B"]
    assert label == "A - B" and points == f"{mean:+.1f}" and word == drawn_word
    assert wide_low <= low <= mean <= high <= wide_high and mean == pytest.approx(2.0)
    assert word in ("ahead", "leans", "no detectable difference")


def test_overfitting_summary_finds_the_lowest_epoch_and_the_sign_test():
    run = {"val_loss": [1.0, 0.5, 0.7], "val_accuracy": [0.5, 0.8, 0.9], "train_accuracy": [0.6, 1.0, 1.0]}
    worse = {"val_loss": [0.4, 0.5, 0.6], "val_accuracy": [0.9, 0.8, 0.7], "train_accuracy": [1.0, 1.0, 1.0]}
    summary = clinic.overfitting_summary({"curves": {"ViT": [run, worse]}, "seeds": [0, 1], "epochs": 3})
    assert summary.lowest == {("ViT", 0): 2, ("ViT", 1): 1}
    assert summary.end_minus_lowest == pytest.approx([10.0, -20.0]) and summary.higher_at_end == 1
    assert summary.sign_p == pytest.approx(1.0) and "ViT seed 0: train accuracy 100 % from epoch 2" in summary.text


def test_overfitting_summary_sign_test_drops_ties():
    up = {"val_loss": [1.0, 0.5, 0.7], "val_accuracy": [0.5, 0.8, 0.9], "train_accuracy": [0.6, 1.0, 1.0]}
    level = {"val_loss": [1.0, 0.5, 0.7], "val_accuracy": [0.5, 0.8, 0.8], "train_accuracy": [0.6, 1.0, 1.0]}
    summary = clinic.overfitting_summary({"curves": {"ViT": [up, up, level]}, "seeds": [0, 1, 2], "epochs": 3})
    assert summary.higher_at_end == 2 and summary.sign_p == pytest.approx(0.5)  # 2 of the 2 that moved: p = 2 / 2**2
    assert "higher at the end on 2 of 3 runs, level on 1; sign test over the 2 that moved: p = 0.50" in summary.text


def test_plateau_and_clinic_summary():
    assert clinic.plateau([2.3] * 10 + [1.0] * 10) == 11  # the 5-step mean first falls 0.3 under ln 10 at step 11
    with pytest.raises(ValueError, match="never falls"):
        clinic.plateau([2.3] * 10)
    run = clinic.ClinicRun([2.3, 1.0, 0.5], {}, 0.75)
    assert clinic.clinic_summary({"none": run}, last=2).endswith("loss at step 0 2.30, at the end 0.75, validation 75%")


def test_step_0_losses_and_input_scale_table():
    images, labels = torch.rand(8, 1, 8, 8), torch.arange(8)
    start = clinic.step_0_losses({"fixed": (1, 1, "cls", True), "head x10": (10, 1, "cls", True)}, images, labels)
    assert start["head x10"][1] > 10 * start["fixed"][1]  # a larger head spreads the logits
    runs = {"x1": [{"losses": [1.0, 0.5], "val_accuracy": 0.9}], "x255": [{"losses": [1.0, 0.8], "val_accuracy": 0.7}]}
    scale = clinic.input_scale_table(images, {"runs": runs, "steps": 2}, last=1)
    assert scale.largest[255] == pytest.approx(255 * scale.largest[1]) and scale.cost == pytest.approx([20.0])
    assert scale.end == {"x1": [0.5], "x255": [0.8]} and "lost to the scale, seed by seed: 20 points" in scale.text


def test_reading_verdict_words():
    assert clinic.reading_verdict(0.8, 3.1, (0.2, 3.7)) == "ahead"
    assert clinic.reading_verdict(-3.1, -0.8, (-3.7, -0.2)) == "behind"
    assert clinic.reading_verdict(0.3, 3.6, (-0.5, 4.4)) == "leans"
    assert clinic.reading_verdict(0.3, 3.6) == "leans"  # 3 seeds: no corrected interval
    assert clinic.reading_verdict(-2.0, 3.3) == "no detectable difference"


def test_comparison_readings_and_lr_line_on_the_stored_runs():
    runs = clinic.stored_runs()
    readings = clinic.comparison_readings(runs, 1 - 0.05 / 6)
    assert [r.verdict for r in readings.rows] == ["ahead", "leans", "ahead", "ahead", "no detectable difference"]
    cnn8_both = readings.rows[1]
    assert [round(v, 1) for v in (*cnn8_both.interval, *cnn8_both.corrected)] == [0.3, 3.6, -0.5, 4.4]
    long = readings.rows[-1]  # 3 seeds: its corrected interval is wide, and it holds 0
    assert "1,860 steps" in readings.text
    assert long.corrected[0] < long.interval[0] < 0 < long.interval[1] < long.corrected[1]
    family = clinic.comparison_readings(runs, 1 - 0.05 / 16)  # section 5's family of sixteen
    assert [r.verdict for r in family.rows] == ["leans", "leans", "ahead", "ahead", "no detectable difference"]
    line = clinic.lr_line(runs["lr"], {"ViT": "ViT", "SmallCNN width 8": "CNN-8"})
    assert line.startswith("lr 0.003 / 0.01 / 0.03") and "ViT 93.7 (93.3..94.4)" in line and "\n" not in line


def test_recap_table_prints_the_ranges():
    text = clinic.recap_table([64, 33, 41], {"bug": (7.2, 334.4, 3.0, 7.4)}, [0.61, 0.27, 0.5])
    assert "step 33-64" in text and "7-334x, norms 3-7x" in text and "0.27-0.61" in text


def test_windowed_mean_and_its_rise_read_the_smoothed_curve():
    from vit_explained import clinic

    assert clinic.windowed([1.0, 2.0, 3.0, 4.0], window=2) == [1.5, 2.5, 3.5]
    # a noisy dip at epoch 3 does not set the lowest point; the windowed curve is lowest at epoch 5 (window 1-5)
    losses = [1.0, 0.9, 0.5, 0.9, 0.8, 1.0, 1.1, 1.2, 1.2, 1.2]
    low, start, rise = clinic.windowed_rise(losses, window=5, margin=0.05)
    curve = clinic.windowed(losses, 5)
    assert low == 5 and curve[low - 5] == min(curve)
    assert all(v > min(curve) + 0.05 for v in curve[start - 5 :]) and curve[start - 6] <= min(curve) + 0.05
    assert abs(rise - (curve[-1] - min(curve))) < 1e-12
    with pytest.raises(ValueError, match="ends within"):
        clinic.windowed_rise([1.0] * 10)
    with pytest.raises(ValueError, match="at least window"):
        clinic.windowed([1.0, 2.0], window=5)


def test_first_step_size_adam_ignores_the_gradient_scale_sgd_does_not():
    bug = "LayerNorm x - mean / std"
    adam = clinic.first_step_size("none", "adam") / clinic.first_step_size(bug, "adam")
    sgd = clinic.first_step_size("none", "sgd") / clinic.first_step_size(bug, "sgd")
    assert abs(adam - 1) < 0.05 and sgd > 5


def test_overfitting_seed_lines_reads_the_stored_runs_seed_by_seed():
    # brief fix06o item 2 (review r29b minor 2): cell 35's printing moved into the package
    found, text = clinic.overfitting_seed_lines(clinic.stored_runs()["overfitting"], window=5)
    assert found["lowest"] == [25, 29, 72] and found["full"] == [46, 51, 38]
    assert [round(g) for g in found["end_gap"]] == [11, 14, 16] and [round(g) for g in found["cnn_gap"]] == [8, 8, 7]
    assert (
        text.splitlines()[0]
        == "ViT, seeds 0-2: 5-epoch mean lowest at epoch 25, 29, 72; the end 0.10, 0.10, 0.09 above it"
    )


def test_size_leads_reads_both_budgets():
    # brief fix06o item 2 (review r29b minor 2): cell 65's printing moved into the package
    runs = clinic.stored_runs()
    budgets = {"400 steps": runs["size"], "20 epochs": runs["size_epochs"]}
    leads, growths, text = clinic.size_leads(budgets, 1 - 0.05 / 20)
    assert [round(100 * leads["400 steps"][n].difference.mean, 1) for n in (300, 600, 1257)] == [8.3, 4.9, 1.9]
    assert (
        all(clinic.verdict_word(g, 1 - 0.05 / 20) == "ahead" for g in growths.values()) and len(text.splitlines()) == 4
    )
    assert text.splitlines()[1].endswith("ahead; larger at 300 on 10 of 10 seeds")


def test_section_5_descriptions_match_the_models():
    # brief fix06_38g item d (review r38e minor 3): the descriptions cell 59 printed from a visible dict, now in clinic
    from vit_explained.cnn import SmallCNN

    assert set(clinic.DESCRIPTIONS) == set(clinic.SHORT_NAMES)
    for width in (8, 32):
        convs = [m for m in SmallCNN(width=width).features if isinstance(m, torch.nn.Conv2d)]
        channels = ", ".join(str(m.out_channels) for m in convs)
        assert clinic.DESCRIPTIONS[f"SmallCNN width {width}"] == f"{len(convs)} conv stages, {channels} channels"
        assert all(m.kernel_size == (3, 3) for m in convs)
    assert "1 block, D = 32, 2x2 patches" in clinic.DESCRIPTIONS["ViT"]
    assert "4x4 patches, stride 2" in clinic.DESCRIPTIONS["ViT, soft split"]
    assert "one 3x3 conv, 8 channels" in clinic.DESCRIPTIONS["ViT, conv stem"]
    # the ViT rows against QUICK and its variants: the hidden check after section 5's table

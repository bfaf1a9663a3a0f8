"""Lesson 06's debugging clinic and its widget: the bugs behave as the lesson says, the widget's line."""

import math

import pytest
import torch

from vit_explained import clinic
from vit_explained.widgets.lesson06 import TrainingWidget, training_widget


def test_clinic_model_shapes_and_bugs():
    images = torch.rand(4, 1, 8, 8)
    for bug in clinic.BUGS:
        assert clinic.BlogViT(bug)(images).shape == (4, 10), bug
    with pytest.raises(ValueError, match="bug"):
        clinic.BlogViT("typo")
    assert pytest.approx(2.302585, abs=1e-6) == clinic.CHANCE_LOSS


def test_layer_norm_bugs_are_the_blogs():
    x = torch.randn(3, 5, 8) * 3 + 5
    reference = torch.nn.functional.layer_norm(x, (8,), eps=1e-6)
    fixed, no_mean, precedence = (clinic._LayerNorm(8, bug) for bug in ("none", *clinic.BUGS[3:5]))
    torch.testing.assert_close(fixed(x), reference)
    std = torch.sqrt(x.var(-1, keepdim=True, unbiased=False) + 1e-6)
    w, b, eps = no_mean.weight, no_mean.bias, 1e-6
    torch.testing.assert_close(no_mean(x), w * x.mean(-1, keepdim=True) / (x.std(-1, keepdim=True) + eps) + b)
    torch.testing.assert_close(precedence(x), x - x.mean(-1, keepdim=True) / std)
    assert clinic.BUGS[3] == clinic.LAYER_NORM_NO_CENTRING == "LayerNorm w*x.mean/(x.std+eps)+b"


def test_blog_layer_norm_leaves_the_head_one_direction():
    images = torch.rand(40, 1, 8, 8)
    torch.manual_seed(0)
    assert clinic.feature_rank(clinic.BlogViT(clinic.LAYER_NORM_NO_CENTRING), images) == 1
    torch.manual_seed(0)
    assert clinic.feature_rank(clinic.BlogViT(), images) > 10


def test_redraw_qkv_rows_changes_only_the_named_rows():
    from vit_explained import ViT

    torch.manual_seed(0)
    model = ViT(
        image_size=8, patch_size=2, channels=1, num_classes=10, dim=32, depth=2, heads=4, mlp_dim=64, init="timm"
    )
    before = {name: p.detach().clone() for name, p in model.named_parameters()}
    torch.manual_seed(1)
    clinic.redraw_qkv_rows(model, rows=("q", "k"), init="torch")
    for name, p in model.named_parameters():
        if name.endswith("attn.qkv.weight"):
            torch.testing.assert_close(p[64:], before[name][64:])  # v rows untouched
            assert p[:64].abs().max() <= 1 / 32**0.5 and p[:64].std() > 3 * before[name][:64].std()
        else:
            torch.testing.assert_close(p, before[name])  # biases and every other layer untouched
    clinic.redraw_qkv_rows(model, rows=("v",), init="timm")
    assert abs(model.blocks[0].attn.qkv.weight[64:].std().item() - 0.02) < 0.004
    with pytest.raises(ValueError, match="rows"):
        clinic.redraw_qkv_rows(model, rows="qk")
    with pytest.raises(ValueError, match="qkv"):
        clinic.redraw_qkv_rows(torch.nn.Linear(3, 3))


def test_batch_first_bug_mixes_the_batch_and_starves_the_embedding():
    torch.manual_seed(0)
    buggy = clinic.BlogViT("MultiheadAttention without batch_first")
    images = torch.rand(6, 1, 8, 8)
    logits = buggy(images)
    assert torch.allclose(logits, logits[:1].expand_as(logits), atol=1e-5)  # every image gets the same answer
    torch.nn.functional.cross_entropy(logits, torch.arange(6)).backward()
    assert clinic.gradient_norms(buggy)["embed"] == 0.0


def test_batch_dependence_catches_batch_mixing_under_either_pooling():
    images, labels = torch.rand(8, 1, 8, 8), torch.arange(8) % 10
    for pool in ("cls", "mean"):
        torch.manual_seed(0)
        own, others = clinic.batch_dependence(clinic.BlogViT(pool=pool), images, labels, index=3)
        assert own > 1e-3 and others == 0.0, pool  # the fixed model keeps the images apart
    torch.manual_seed(0)
    own, others = clinic.batch_dependence(clinic.BlogViT("MultiheadAttention without batch_first"), images, labels)
    assert own == others == 0.0  # class-token pooling: the output ignores every image
    torch.manual_seed(0)
    buggy_mean = clinic.BlogViT("MultiheadAttention without batch_first", pool="mean")
    own, others = clinic.batch_dependence(buggy_mean, images, labels)
    assert own > 1e-3 and others > 1e-4  # mean pooling: image 0's loss reads the other images
    with pytest.raises(ValueError, match="index"):
        clinic.batch_dependence(buggy_mean, images, labels, index=8)


def test_permutation_test_separates_positions():
    torch.manual_seed(0)
    images = torch.rand(8, 1, 8, 8)
    assert clinic.permutation_change(clinic.BlogViT(positions=False), images) < 1e-5
    assert clinic.permutation_change(clinic.BlogViT(), images) > 1e-3


def test_run_is_deterministic_and_learns():
    one, two = (clinic.run(steps=40, lr=1e-2) for _ in range(2))
    assert one.losses == two.losses and len(one.losses) == 40
    assert abs(one.losses[0] - math.log(10)) < 0.4 and one.losses[-1] < one.losses[0]
    assert set(one.gradient_norms) >= {"embed", "attn", "mlp", "head"}
    with pytest.raises(ValueError, match="lr"):
        clinic.run(lr=0)


def test_widget_line_changes_with_its_bug_control_and_trains_on_demand(monkeypatch):
    from vit_explained.widgets import lesson06

    calls = []

    def fake_run(bug, **options):
        calls.append(bug)
        return clinic.ClinicRun([2.3, 2.0, 1.0] * 10, {"embed": 1.0}, 0.5)

    monkeypatch.setattr(lesson06, "run", fake_run)
    monkeypatch.setattr(lesson06, "_RUNS", {})
    w = training_widget()
    assert isinstance(w, TrainingWidget) and list(w.controls)[:2] == ["images", "bug"]  # the browser moves images
    assert w.line.startswith("ready to train") and "none" in w.line and calls == []
    w.controls["bug"].value = "no activation in the MLP"
    assert "no activation in the MLP" in w.line and calls == []  # the bug control changes the line
    w.train()
    assert calls == ["no activation in the MLP"] and "validation accuracy 50%" in w.line
    assert w.picture.value  # a loss picture
    w.train()
    assert calls == ["no activation in the MLP"]  # cached


def test_widget_steps_control_sets_the_run_length(monkeypatch):
    from vit_explained.widgets import lesson06

    lengths = []

    def fake_run(bug, **options):
        lengths.append(options["steps"])
        return clinic.ClinicRun([2.3] * options["steps"], {"embed": 1.0}, 0.5)

    monkeypatch.setattr(lesson06, "run", fake_run)
    monkeypatch.setattr(lesson06, "_RUNS", {})
    w = training_widget()
    assert w.controls["steps"].options == lesson06.STEP_CHOICES == (150, 300, 600)
    w.controls["steps"].value = 600
    assert "600 steps" in w.line and w.line.startswith("ready to train")
    w.train()
    assert lengths == [600] and "600 steps" in w.line and "validation accuracy 50%" in w.line
    w.controls["steps"].value = 150
    w.train()
    assert lengths == [600, 150]


def test_widget_seed_control_trains_that_seed_and_reads_the_step_0_gradient_norms(monkeypatch):
    from vit_explained.widgets import lesson06

    seeds = []

    def fake_run(bug, **options):
        seeds.append(options["seed"])
        norms = {"embed": 0.0 if options["seed"] == 3 else 0.44, "head": 1.3}
        return clinic.ClinicRun([2.3] * options["steps"], norms, 0.5)

    monkeypatch.setattr(lesson06, "run", fake_run)
    monkeypatch.setattr(lesson06, "_RUNS", {})
    w = training_widget()
    assert w.controls["seed"].options == lesson06.SEEDS and w.controls["seed"].value == 0
    w.train()
    assert "seed 0" in w.line and "step-0 gradient norms: embed 0.44, head 1.3" in w.line
    w.controls["seed"].value = 3
    assert w.line.startswith("ready to train") and "seed 3" in w.line
    w.train()
    assert seeds == [0, 3] and "step-0 gradient norms: embed 0, head 1.3" in w.line  # an exact 0 shows as 0
    assert w.line == w.compute(**w.values)[0]  # compute() is the line's source


def test_widget_reads_a_real_runs_step_0_gradient_norms():
    from vit_explained.widgets import lesson06

    real = clinic.run("MultiheadAttention without batch_first", steps=lesson06.STEPS, lr=1e-2, stop_after=2)
    line = lesson06.training_widget().compute(
        bug="none", optimizer="adam", lr=1e-2, pool="cls", positions=True, steps=150, seed=4
    )[0]
    assert line.startswith("ready to train") and "seed 4" in line
    assert real.gradient_norms["embed"] == 0.0 and set(real.gradient_norms) >= {"embed", "head"}


def test_widget_shows_the_packages_message_for_a_bad_setting(monkeypatch):
    from vit_explained.widgets import lesson06

    monkeypatch.setattr(lesson06, "_RUNS", {})
    w = training_widget()
    with pytest.raises(ValueError, match="unknown bug"):
        w.compute(**{**w.values, "bug": "not a bug"})
    w.compute = lambda **values: (_ for _ in ()).throw(ValueError("lr must be a positive learning rate"))
    w.update()
    assert w.line == "cannot show this: lr must be a positive learning rate"


def test_a_bug_that_fixes_a_control_greys_it_out_and_gives_it_back():
    from vit_explained.widgets.lesson06 import POSITIONS_BUG, SGD_BUG, training_widget

    w = training_widget()
    w.controls["optimizer"].value = "adam"
    w.controls["bug"].value = SGD_BUG
    assert w.controls["optimizer"].disabled and w.controls["optimizer"].value == "sgd"
    assert "sgd lr" in w.line
    w.controls["bug"].value = POSITIONS_BUG
    assert not w.controls["optimizer"].disabled and w.controls["optimizer"].value == "adam"
    assert w.controls["positions"].disabled and w.controls["positions"].value is False
    assert "no positions" in w.line
    w.controls["bug"].value = "none"
    assert not w.controls["positions"].disabled and w.controls["positions"].value is True


def test_widget_takes_the_clinics_runs_without_training_again(monkeypatch):
    from vit_explained.widgets import lesson06

    fake = clinic.ClinicRun(losses=[2.3] * lesson06.STEPS, val_accuracy=0.5, gradient_norms={})
    monkeypatch.setattr(lesson06, "_RUNS", {})
    monkeypatch.setattr(lesson06, "run", lambda *a, **k: pytest.fail("trained again"))
    w = training_widget({"none": fake, "SGD at Adam's learning rate": fake})
    w.train()
    assert w.line.startswith("none: adam lr 0.01, pool cls") and "validation accuracy 50%" in w.line
    w.controls["bug"].value = "SGD at Adam's learning rate"
    w.train()
    assert w.line.startswith("SGD at Adam's learning rate: sgd lr 0.01")
    assert lesson06._label("SGD at Adam's learning rate", "sgd", 0.1, "cls", True, 150).startswith(
        "SGD (momentum 0.9): sgd lr 0.1"
    )
    with pytest.raises(ValueError, match="steps"):
        training_widget({"none": clinic.ClinicRun(losses=[2.3] * 10, val_accuracy=0.5, gradient_norms={})})


def test_stored_clinic_runs_start_as_a_fresh_run():
    """The lesson reads the clinic's runs from the packaged copy: the same package code gives the same first steps."""
    stored = clinic.stored_clinic_runs()
    assert tuple(stored) == clinic.BUGS
    stored_runs = clinic.stored_runs()["clinic"]
    assert (stored_runs["steps"], stored_runs["lr"]) == (150, 1e-2)
    for bug, run in stored.items():
        assert len(run.losses) == 150 and 0 <= run.val_accuracy <= 1
        fresh = clinic.run(bug, steps=150, lr=1e-2, stop_after=12)
        assert len(fresh.losses) == 12
        assert fresh.losses == pytest.approx(run.losses[:12], abs=2e-3), bug
        assert fresh.gradient_norms.keys() == run.gradient_norms.keys(), bug
        for part, norm in run.gradient_norms.items():
            assert fresh.gradient_norms[part] == pytest.approx(norm, rel=1e-3, abs=1e-6), (bug, part)
    with pytest.raises(ValueError):
        clinic.run(steps=10, stop_after=0)


def test_selection_overstatement_and_sign_count():
    import numpy as np

    rng = np.random.default_rng(1)
    right = rng.random((6, 40)) < 0.8
    val = rng.random(6)
    by_test = clinic.selection_overstatement(right, val, "test", runs=3, splits=30)
    by_val = clinic.selection_overstatement(right, val, "validation", runs=3, splits=30)
    assert by_test.shape == by_val.shape == (30,)
    assert by_test.mean() > by_val.mean()  # keeping the best on the "test" half overstates
    same = np.tile(right[:1], (6, 1))  # identical runs: nothing to pick, no bias on any split
    assert np.allclose(
        clinic.selection_overstatement(same, val, "test", runs=3, splits=5).mean(),
        np.mean(clinic.selection_overstatement(same, val, "validation", runs=3, splits=5)),
    )
    with pytest.raises(ValueError):
        clinic.selection_overstatement(right, val[:3])
    with pytest.raises(ValueError):
        clinic.selection_overstatement(right, val, pick_by="train")
    assert clinic.sign_count([0.5, 0.6, 0.7], [0.5, 0.5, 0.8], digits=10) == (1, 1)
    assert clinic.sign_count([0.1 + 0.2], [0.3], digits=10) == (0, 0)  # float rounding is no win


def test_simulated_overstatement():
    import time

    import numpy as np
    from scipy import stats

    start = time.process_time()  # CPU time: in make test both cores are busy, so wall time would measure the others
    gaps = clinic.simulated_overstatement(runs=(1, 2, 5, 12), accuracy=0.9, digits=180, draws=4000)
    assert time.process_time() - start < 0.5  # milliseconds
    assert set(gaps) == {1, 2, 5, 12} and all(values.shape == (4000,) for values in gaps.values())
    assert abs(gaps[1].mean()) < 0.002  # one run: nothing to choose, no bias
    sigma = np.sqrt(0.9 * 0.1 / 180)  # expected max of k standard normals, times the binomial's spread
    for k in (2, 5, 12):
        expected = sigma * stats.norm.expect(lambda x, k=k: x * k * stats.norm.cdf(x) ** (k - 1))
        assert abs(gaps[k].mean() - expected) < 0.002, k
    assert np.array_equal(clinic.simulated_overstatement()[5], clinic.simulated_overstatement()[5])
    with pytest.raises(ValueError):
        clinic.simulated_overstatement(accuracy=1.2)
    with pytest.raises(ValueError):
        clinic.simulated_overstatement(runs=(0, 2))


def test_attention_at_step_0():
    from vit_explained import ViT

    torch.manual_seed(0)
    model = ViT(8, patch_size=2, channels=1, num_classes=10, dim=16, depth=1, heads=2, mlp_dim=32)
    images, labels = torch.rand(8, 1, 8, 8), torch.arange(8) % 10
    m = clinic.attention_at_step_0(model, images, labels)
    assert set(m) == {"logit std", "entropy", "q", "k", "v"}
    assert 0.9 < m["entropy"] <= 1.0 + 1e-6 and m["logit std"] > 0 and min(m["q"], m["k"], m["v"]) > 0
    assert model.blocks[0].attn.fused is False


def test_seeds_and_digits_interval():
    import numpy as np

    from vit_explained.evidence import paired_seeds

    rng = np.random.default_rng(0)
    a = (rng.random((10, 360)) < 0.96).astype(int)
    b = (rng.random((10, 360)) < 0.95).astype(int)
    mean, low, high = clinic.seeds_and_digits_interval(a, b)
    t = paired_seeds(a.mean(axis=1), b.mean(axis=1)).t_interval()
    assert mean == pytest.approx((a - b).mean()) and low < t.low < t.high < high  # wider: the digits add noise
    assert mean - low == pytest.approx(high - mean)
    # every digit alike within a seed: no digit noise, so exactly the paired t-interval over seeds
    same_a, same_b = np.repeat(a[:, :1], 360, axis=1), np.repeat(b[:, :1], 360, axis=1)
    t = paired_seeds(same_a.mean(axis=1), same_b.mean(axis=1)).t_interval()
    assert clinic.seeds_and_digits_interval(same_a, same_b)[1:] == pytest.approx((t.low, t.high))
    with pytest.raises(ValueError, match="seeds, digits"):
        clinic.seeds_and_digits_interval(a, b[:, :10])


def test_text_table():
    text = clinic.text_table(["pair", "mean"], [["CNN-8 - ViT", "+1.9"], ["a", "-10.0"]])
    assert text.splitlines() == ["pair          mean", "-----------  -----", "CNN-8 - ViT   +1.9", "a            -10.0"]
    with pytest.raises(ValueError, match="every row needs 2 cells"):
        clinic.text_table(["pair", "mean"], [["only one"]])


def test_stored_runs_ship_with_the_package_and_equal_the_benchmarks_copy():
    """A pip or Colab install has the runs lesson 06 reads: the packaged copy is package data (pyproject's
    ``checkpoints/*``) and byte for byte the one benchmarks/bench_lesson06.py writes to benchmarks/results."""
    import tomllib
    from pathlib import Path

    root = Path(clinic.__file__).resolve().parents[1]
    packaged = Path(clinic.__file__).resolve().parent / "checkpoints" / "lesson06_runs.json"
    assert packaged.read_bytes() == (root / "benchmarks" / "results" / "lesson06_runs.json").read_bytes()
    patterns = tomllib.loads((root / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]
    assert any(packaged.relative_to(packaged.parents[1]).match(p) for p in patterns["vit_explained"])
    assert set(clinic.stored_runs()) >= {"compare", "clinic", "selection"}


def test_the_widgets_slow_optimiser_prompt_holds():
    """Section 6's prompt: the SGD bug at lr 0.1 (seed 0, class token) is still at ln 10 after 150 steps and
    learns with 600 (about 7 s of training)."""
    short, long = (clinic.run("SGD at Adam's learning rate", steps=s, lr=0.1) for s in (150, 600))
    assert abs(sum(short.losses[-20:]) / 20 - math.log(10)) < 0.05 and short.val_accuracy < 0.15
    assert sum(long.losses[-20:]) / 20 < 0.5 and long.val_accuracy > 0.8


def test_verdict_word_reads_the_corrected_then_the_plain_interval():
    from vit_explained.evidence import paired_seeds

    level = 1 - 0.05 / 6
    clear = paired_seeds([0.9, 0.91, 0.92, 0.9, 0.93], [0.8, 0.8, 0.81, 0.8, 0.8])
    holds = paired_seeds([0.9, 0.8, 0.9, 0.8, 0.85], [0.85, 0.85, 0.85, 0.85, 0.85])
    assert clinic.verdict_word(clear, level) == "ahead"
    assert clinic.verdict_word(holds, level) == "no detectable difference"
    lean = next(  # a difference whose 95 % interval excludes 0 but whose corrected one does not
        s
        for shift in (i / 4000 for i in range(1, 200))
        for s in [paired_seeds([0.8 + shift + d for d in (0.0, 0.01, -0.01, 0.02, -0.02)], [0.8] * 5)]
        if s.t_interval().low > 0 and s.t_interval(level).low < 0
    )
    assert clinic.verdict_word(lean, level) == "leans"


def test_widget_images_control_draws_a_stored_run_at_once_beside_the_full_sets(monkeypatch):
    """Brief fix06a item 2: the first control (the training digits) moves to a stored run, in well under 1 s; the
    line and the picture change, and the picture draws the same setting on all 1,257 digits beside it."""
    import time

    from vit_explained.widgets import lesson06

    monkeypatch.setattr(lesson06, "_RUNS", {})
    monkeypatch.setattr(lesson06, "run", lambda *a, **k: pytest.fail("trained again"))
    stored = clinic.stored_runs()
    w = training_widget(clinic.stored_clinic_runs(stored), size_runs=clinic.stored_size_runs(stored))
    w.train()
    full_line, full_picture = w.line, w.picture.value
    assert [value for _, value in w.controls["images"].options] == [300, 600, 1257]
    for images in (300, 600):
        start = time.process_time()
        w.controls["images"].value = images
        assert time.process_time() - start < 1.0
        assert f", {images:,} training digits:" in w.line and w.line != full_line and w.picture.value != full_picture
        assert w.line == w.compute(**w.values)[0]
        assert w.beside(lesson06._key(w.values))[0].startswith("all 1,257 digits (none: adam lr 0.01")
    w.controls["images"].value = 1257
    assert w.line == full_line


def test_stored_size_runs_are_the_clinics_runs_on_size_subsets():
    """The widget's stored runs on fewer digits: every bug on 300 and 600 digits, and a fresh run starts the same."""
    runs = clinic.stored_size_runs()
    assert set(runs) == {(bug, n) for bug in clinic.BUGS for n in (300, 600)}
    assert all(len(r.losses) == 150 and len(r.val_losses) == 15 for r in runs.values())
    subset = clinic.training_subset(300)
    fresh = clinic.run("none", steps=150, lr=1e-2, data=subset, stop_after=12)
    assert fresh.losses == pytest.approx(runs[("none", 300)].losses[:12], abs=2e-3)
    small, large = clinic.training_subset(300).train_labels, clinic.training_subset(600).train_labels
    assert len(small) == 300 and torch.equal(small, large[:300])  # nested, as section 5's size runs
    assert clinic.training_subset(1257) is not None and len(clinic.training_subset(None).train_labels) == 1257
    with pytest.raises(ValueError, match="1257"):
        clinic.training_subset(2000)

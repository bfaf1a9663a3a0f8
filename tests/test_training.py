"""The training loop, evaluation helpers and the training command."""

import os
import subprocess
import sys

import pytest
import torch
from torch import nn

from vit_explained import ViT
from vit_explained.data import DigitSplit, load_digits
from vit_explained.train import main
from vit_explained.training import (
    PRESETS,
    History,
    Recipe,
    accuracy,
    evaluate,
    fit,
    fit_for_seconds,
    lr_factor,
    make_optimizer,
    predict,
)


@pytest.fixture(scope="module")
def tiny() -> DigitSplit:
    """300 training, 100 validation and 100 test digits (8x8): enough to see learning in a second.

    The test images are replaced by noise: nothing in training may read them."""
    data = load_digits()
    noise = torch.rand(100, 1, 8, 8)
    return DigitSplit(
        data.train_images[:300],
        data.train_labels[:300],
        data.val_images[:100],
        data.val_labels[:100],
        noise,
        torch.zeros(100, dtype=torch.int64),
    )


def tiny_vit(seed: int = 0, pool: str = "cls") -> ViT:
    torch.manual_seed(seed)
    return ViT(
        8, patch_size=2, num_classes=10, dim=32, depth=2, heads=4, mlp_dim=64, channels=1, pool=pool, init="torch"
    )


QUIET = {"progress": False, "device": "cpu"}


def test_training_reduces_the_loss_and_beats_chance_on_validation(tiny):
    model = tiny_vit()
    before = nn.functional.cross_entropy(predict(model, tiny.train_images), tiny.train_labels).item()
    history = fit(model, tiny, epochs=10, lr=3e-3, batch_size=32, warmup=0.0, schedule="constant", **QUIET)
    after = nn.functional.cross_entropy(predict(model, tiny.train_images), tiny.train_labels).item()
    assert isinstance(history, History) and len(history) == 10
    assert history.epoch == [float(e) for e in range(1, 11)]
    assert after < 0.5 * before
    assert history.train_loss[-1] < history.train_loss[0]
    assert history.final_val_accuracy > 0.5  # chance is 0.1
    assert history.val_accuracy[-1] == evaluate(model, tiny.val_images, tiny.val_labels)
    assert not model.training  # left in eval mode
    assert not hasattr(history, "test_accuracy")


def test_training_is_deterministic_for_a_seed(tiny):
    options = {"epochs": 2, "batch_size": 32, "max_shift": 1, "erase_probability": 0.5, **QUIET}
    runs = [fit(tiny_vit(), tiny, seed=3, **options) for _ in range(2)]
    assert runs[0].train_loss == runs[1].train_loss and runs[0].val_accuracy == runs[1].val_accuracy
    other = fit(tiny_vit(), tiny, seed=4, **options)
    assert other.train_loss != runs[0].train_loss


def _plain_loop(model, data, recipe):
    """The loop lesson 06 shows: shuffle, forward, loss, backward, step, with the schedule."""
    optimizer = torch.optim.Adam(model.parameters(), lr=recipe.lr)
    generator = torch.Generator().manual_seed(recipe.seed)
    total = recipe.epochs * -(-len(data.train_images) // recipe.batch_size)
    losses = []
    model.train()
    for _ in range(recipe.epochs):
        for index in torch.randperm(len(data.train_images), generator=generator).split(recipe.batch_size):
            for group in optimizer.param_groups:
                group["lr"] = recipe.lr * lr_factor(len(losses) / total, recipe.warmup, recipe.schedule)
            logits = model(data.train_images[index])
            loss = nn.functional.cross_entropy(logits, data.train_labels[index], label_smoothing=recipe.label_smoothing)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
    return losses


def test_fit_is_the_plain_loop(tiny):
    """Same seed, same steps: fit's per-epoch mean loss equals a hand-written loop's."""
    recipe = Recipe(dataset="digits", optimizer="adam", weight_decay=0.0, epochs=2, batch_size=50, lr=3e-3)
    losses = _plain_loop(tiny_vit(), tiny, recipe)
    history = fit(tiny_vit(), tiny, recipe, **QUIET)
    per_epoch = [sum(losses[:6]) / 6, sum(losses[6:]) / 6]
    assert history.train_loss == pytest.approx(per_epoch, rel=1e-5)


def test_seconds_budget_and_eval_every(tiny, monkeypatch):
    """The budget counts training steps only and stops at the first step past it. A fake clock (each
    reading 0.025 s later than the last) makes this independent of what else the machine is doing."""
    import types

    from vit_explained import training

    now = [0.0]

    def perf_counter() -> float:
        now[0] += 0.025
        return now[0]

    monkeypatch.setattr(training, "time", types.SimpleNamespace(perf_counter=perf_counter))
    history = fit_for_seconds(tiny_vit(), tiny, seconds=1.0, eval_every=0.3, **QUIET)
    assert 1.0 <= history.seconds[-1] < 1.1  # stopped at the first step past the budget
    assert len(history) >= 4  # evaluations near 0.3, 0.6, 0.9 s, and at the end
    gaps = [b - a for a, b in zip(history.seconds[:2], history.seconds[1:3], strict=True)]
    assert all(0.3 - 1e-9 <= gap < 0.4 for gap in gaps)
    assert history.seconds == sorted(history.seconds)


def test_frozen_parameters_are_left_alone(tiny):
    model = tiny_vit()
    with torch.no_grad():
        model.pos_embedding.zero_()
    model.pos_embedding.requires_grad_(False)
    fit(model, tiny, epochs=1, **QUIET)
    assert torch.count_nonzero(model.pos_embedding) == 0


def test_weight_decay_applies_to_weight_matrices_only():
    model = tiny_vit()
    optimizer = make_optimizer(model, "adamw", 1e-3, 0.1)
    decayed = {id(p) for p in optimizer.param_groups[0]["params"]}
    names = {name for name, p in model.named_parameters() if id(p) in decayed}
    assert "encoder.blocks.0.attn.qkv.weight" in names and "head.weight" in names
    assert not any(name.endswith(("bias", "pos_embedding", "class_token")) or ".norm" in name for name in names)
    assert optimizer.param_groups[1]["weight_decay"] == 0.0
    skipped = {
        name for name, p in model.named_parameters() if id(p) in {id(q) for q in optimizer.param_groups[1]["params"]}
    }
    assert skipped == model.no_weight_decay()


def test_schedule_warms_up_then_decays_to_zero():
    factors = [lr_factor(i / 100, 0.1, "cosine") for i in range(101)]
    assert factors[0] < 0.05 and max(factors) == pytest.approx(1.0, abs=0.02)
    assert factors.index(max(factors)) in (10, 11) and factors[-1] == pytest.approx(0.0, abs=1e-9)
    assert lr_factor(0.9, 0.1, "constant") == 1.0


def test_accuracy_and_evaluate_agree_with_a_direct_count(tiny):
    logits = torch.tensor([[2.0, 1.0, 0.0], [0.0, 3.0, 1.0], [0.0, 0.0, 5.0], [9.0, 0.0, 0.0]])
    assert accuracy(logits, torch.tensor([0, 1, 0, 0])) == 0.75
    model = tiny_vit()
    expected = (model(tiny.test_images).argmax(1) == tiny.test_labels).float().mean().item()
    assert evaluate(model, tiny.test_images, tiny.test_labels, batch_size=7) == pytest.approx(expected)
    with pytest.raises(ValueError, match="labels"):
        accuracy(logits, torch.tensor([0, 1]))


@pytest.mark.parametrize(
    ("options", "match"),
    [
        ({"epochs": 0}, "epochs"),
        ({"epochs": None}, "epochs"),
        ({"optimizer": "rmsprop"}, "optimizer"),
        ({"lr": 0.0}, "lr"),
        ({"warmup": 1.0}, "warmup"),
        ({"schedule": "linear"}, "schedule"),
        ({"label_smoothing": 1.0}, "label_smoothing"),
        ({"heads": 5}, "heads"),
        ({"learning_rate": 1e-3}, "learning_rate"),
    ],
)
def test_bad_options_are_rejected(tiny, options, match):
    with pytest.raises((ValueError, TypeError), match=match):
        fit(tiny_vit(), tiny, progress=False, **options)


def test_bad_budget_and_data_are_rejected(tiny):
    with pytest.raises(ValueError, match="seconds"):
        fit_for_seconds(tiny_vit(), tiny, seconds=-1.0, progress=False)
    with pytest.raises(TypeError, match="DigitSplit"):
        fit(tiny_vit(), (torch.zeros(4, 1, 8, 8), torch.zeros(4)), progress=False)


def test_presets_build_the_models_they_describe():
    data = load_digits()
    for name, recipe in PRESETS.items():
        if recipe.dataset == "digits":
            model = recipe.build_model(data)
            assert isinstance(model, ViT) and model.pool == recipe.pool, name
            assert model(data.val_images[:2]).shape == (2, 10)
    config = PRESETS["mnist"].vit_config(load_mnist_like())
    assert config["image_size"] == 28 and config["patch_size"] == PRESETS["mnist"].patch_size


def load_mnist_like() -> DigitSplit:
    images, labels = torch.zeros(10, 1, 28, 28), torch.arange(10)
    return DigitSplit(images, labels, images, labels, images, labels)


def test_cli_help_documents_the_options_and_the_presets(capsys, monkeypatch):
    # In this process (a new Python costs ~3 s; test_cli_command_prints_one_line_and_exits_2 runs the command
    # itself), at the width the command's help has when its output is piped: $COLUMNS, else 80.
    monkeypatch.setenv("COLUMNS", os.environ.get("COLUMNS", "80"))
    with pytest.raises(SystemExit) as exit_info:
        main(["--help"])
    assert exit_info.value.code == 0
    stdout = capsys.readouterr().out
    for option in ("--preset", "--dataset", "--epochs", "--seconds", "--lr", "--max-shift", "--out", "--seed"):
        assert option in stdout
    assert "--replace-shipped" in stdout and "mnist_vit.safetensors" in stdout
    for name, recipe in PRESETS.items():  # each preset's values
        assert f"{name}: {recipe.changes()}" in stdout


@pytest.mark.parametrize(
    ("argv", "match"),
    [
        (["--heads", "5"], "heads"),
        (["--lr", "-1"], "lr"),
        (["--epochs", "0"], "epochs"),
        (["--patch-size", "5"], "patch size"),
        (["--warmup", "1"], "warmup"),
        (["--out", "vit_explained/checkpoints/mnist_vit.safetensors"], "replace-shipped"),
        (["--threads", "0"], "--threads must be a positive int, got 0"),
        (["--seconds", "-3"], "--seconds must be positive (e.g. 60"),
    ],
)
def test_cli_rejects_bad_values_in_one_line(argv, match, capsys):
    # In this process (a new Python per case would cost ~2 s each); the next test runs one case as a command.
    try:
        code = main(["--preset", "naive-digits", *argv])  # a value the recipe refuses: returns 2
    except SystemExit as exit_info:  # a value argparse refuses: exits with 2
        code = exit_info.code
    printed = capsys.readouterr()
    assert code == 2 and printed.out == ""
    lines = printed.err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in printed.err and match in lines[0]


def test_cli_command_prints_one_line_and_exits_2():
    result = subprocess.run(
        [sys.executable, "-m", "vit_explained.train", "--preset", "naive-digits", "--heads", "5"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2 and result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr and "heads" in lines[0]


def test_cli_trains_and_saves_a_checkpoint(tmp_path, capsys):
    from vit_explained.pretrained import checkpoint_info, load_checkpoint

    out = tmp_path / "digits.safetensors"
    main(["--preset", "digits", "--epochs", "1", "--depth", "1", "--no-progress", "--threads", "1", "--out", str(out)])
    printed = capsys.readouterr().out
    assert printed.startswith("recipe: {'dataset': 'digits'")  # the recipe comes first
    assert "test accuracy (read once):" in printed and "(1 thread)" in printed
    info = checkpoint_info(out)
    assert info["config"]["depth"] == 1 and info["info"]["recipe"]["epochs"] == 1
    assert info["config"]["soft_split"] == list(PRESETS["digits"].soft_split)
    model = load_checkpoint(out)
    data = load_digits()
    assert evaluate(model, data.test_images, data.test_labels) == pytest.approx(info["info"]["test_accuracy"], abs=1e-4)
    assert evaluate(model, data.val_images, data.val_labels) == pytest.approx(info["info"]["val_accuracy"], abs=1e-4)


def test_model_code_does_not_import_the_command_line(fresh_imports):
    """Architecture lives beside the model: loading a checkpoint imports neither the CLI nor the loop.
    A fresh interpreter's vit_explained.train* modules after `import vit_explained.pretrained`
    (conftest.fresh_imports)."""
    found = fresh_imports["train_modules_after_pretrained"]
    assert found == [], f"import vit_explained.pretrained imports {found}"

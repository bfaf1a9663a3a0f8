"""The training loop, evaluation helpers and the training command."""

import subprocess
import sys

import pytest
import torch
from torch import nn

from vit_explained import ViT
from vit_explained.data import DigitSplit, load_digits
from vit_explained.train import PRESETS, build_model, main, reset_linear_layers
from vit_explained.training import History, _lr_factor, accuracy, evaluate, make_optimizer, predict, train


@pytest.fixture(scope="module")
def tiny() -> DigitSplit:
    """300 training and 100 test digits (8x8): enough to see learning in a second."""
    data = load_digits()
    return DigitSplit(data.train_images[:300], data.train_labels[:300], data.test_images[:100], data.test_labels[:100])


def tiny_vit(seed: int = 0, pool: str = "cls") -> ViT:
    torch.manual_seed(seed)
    return reset_linear_layers(
        ViT(8, patch_size=2, num_classes=10, dim=32, depth=2, heads=4, mlp_dim=64, channels=1, pool=pool)
    )


def test_training_reduces_the_loss_and_beats_chance(tiny):
    model = tiny_vit()
    before = nn.functional.cross_entropy(predict(model, tiny.train_images), tiny.train_labels).item()
    history = train(
        model, tiny, epochs=10, lr=3e-3, batch_size=32, warmup=0.0, schedule="constant", progress=False, device="cpu"
    )
    after = nn.functional.cross_entropy(predict(model, tiny.train_images), tiny.train_labels).item()
    assert isinstance(history, History) and len(history) == 10
    assert history.epoch == [float(e) for e in range(1, 11)]
    assert after < 0.5 * before
    assert history.train_loss[-1] < history.train_loss[0]
    assert history.final_test_accuracy > 0.5  # chance is 0.1
    assert not model.training  # left in eval mode


def test_training_is_deterministic_for_a_seed(tiny):
    options = {"epochs": 2, "batch_size": 32, "max_shift": 1, "erase_probability": 0.5, "progress": False}
    runs = [train(tiny_vit(), tiny, seed=3, device="cpu", **options) for _ in range(2)]
    assert runs[0].train_loss == runs[1].train_loss and runs[0].test_accuracy == runs[1].test_accuracy
    other = train(tiny_vit(), tiny, seed=4, device="cpu", **options)
    assert other.train_loss != runs[0].train_loss


def test_seconds_budget_and_eval_every(tiny):
    history = train(tiny_vit(), tiny, seconds=1.0, eval_every=0.3, progress=False, device="cpu")
    assert 1.0 <= history.seconds[-1] < 3.0
    assert len(history) >= 3
    assert history.seconds == sorted(history.seconds)


def test_frozen_parameters_are_left_alone(tiny):
    model = tiny_vit()
    with torch.no_grad():
        model.pos_embedding.zero_()
    model.pos_embedding.requires_grad_(False)
    train(model, tiny, epochs=1, progress=False, device="cpu")
    assert torch.count_nonzero(model.pos_embedding) == 0


def test_weight_decay_applies_to_weight_matrices_only():
    model = tiny_vit()
    optimizer = make_optimizer(model, "adamw", 1e-3, 0.1)
    decayed = {id(p) for p in optimizer.param_groups[0]["params"]}
    names = {name for name, p in model.named_parameters() if id(p) in decayed}
    assert "encoder.blocks.0.attn.qkv.weight" in names and "head.weight" in names
    assert not any(name.endswith(("bias", "pos_embedding", "class_token")) or ".norm" in name for name in names)
    assert optimizer.param_groups[1]["weight_decay"] == 0.0


def test_schedule_warms_up_then_decays_to_zero():
    factors = [_lr_factor(i / 100, 0.1, "cosine") for i in range(101)]
    assert factors[0] < 0.05 and max(factors) == pytest.approx(1.0, abs=0.02)
    assert factors.index(max(factors)) in (10, 11) and factors[-1] == pytest.approx(0.0, abs=1e-9)
    assert _lr_factor(0.9, 0.1, "constant") == 1.0


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
        ({"seconds": -1.0}, "seconds"),
        ({"optimizer": "rmsprop"}, "optimizer"),
        ({"lr": 0.0}, "lr"),
        ({"warmup": 1.0}, "warmup"),
        ({"schedule": "linear"}, "schedule"),
        ({"label_smoothing": 1.0}, "label_smoothing"),
    ],
)
def test_bad_options_are_rejected(tiny, options, match):
    with pytest.raises((ValueError, TypeError), match=match):
        train(tiny_vit(), tiny, progress=False, **options)


def test_bad_data_is_rejected():
    with pytest.raises(TypeError, match="DigitSplit"):
        train(tiny_vit(), (torch.zeros(4, 1, 8, 8), torch.zeros(4)), progress=False)


def test_presets_build_the_models_they_describe():
    model, config = build_model(PRESETS["mnist"], _mnist_like())
    assert isinstance(model, ViT) and model.pool == "cls" and config["image_size"] == 28
    assert config["patch_size"] == PRESETS["mnist"]["patch_size"]


def _mnist_like() -> DigitSplit:
    images = torch.zeros(10, 1, 28, 28)
    labels = torch.arange(10)
    return DigitSplit(images, labels, images, labels)


def test_cli_help_documents_the_options():
    result = subprocess.run(
        [sys.executable, "-m", "vit_explained.train", "--help"], capture_output=True, text=True, check=True
    )
    for option in ("--preset", "--dataset", "--epochs", "--seconds", "--lr", "--max-shift", "--out", "--seed"):
        assert option in result.stdout
    assert "mnist_vit.safetensors" in result.stdout


def test_cli_trains_and_saves_a_checkpoint(tmp_path, capsys):
    from vit_explained.pretrained import checkpoint_info, load_checkpoint

    out = tmp_path / "digits.safetensors"
    main(["--preset", "digits", "--epochs", "1", "--depth", "1", "--no-progress", "--out", str(out)])
    printed = capsys.readouterr().out
    assert "test accuracy:" in printed
    info = checkpoint_info(out)
    assert info["config"]["depth"] == 1 and info["info"]["recipe"]["epochs"] == 1
    model = load_checkpoint(out)
    data = load_digits()
    assert evaluate(model, data.test_images, data.test_labels) == pytest.approx(info["info"]["test_accuracy"], abs=1e-4)


def test_soft_split_embedding_is_overlapping_windows_then_a_linear():
    from vit_explained import SoftSplit
    from vit_explained.train import SoftSplitEmbedding, use_soft_split

    model = use_soft_split(
        ViT(28, patch_size=7, num_classes=10, dim=32, depth=1, heads=4, mlp_dim=64, channels=1), 10, 6, 0
    )
    assert isinstance(model.patch_embedding, SoftSplitEmbedding) and model.patch_embedding.grid == (4, 4)
    images = torch.rand(2, 1, 28, 28)
    windows = SoftSplit(10, 6, 0)(images)  # (B, 16, 100): neighbouring windows share pixels
    expected = windows @ model.patch_embedding.proj.weight.T + model.patch_embedding.proj.bias
    assert torch.allclose(model.patch_embedding(images), expected, atol=1e-6)
    assert model(images).shape == (2, 10)
    with pytest.raises(ValueError, match="token grid"):
        use_soft_split(ViT(28, patch_size=7, num_classes=10, dim=32, depth=1, heads=4, mlp_dim=64, channels=1), 3, 1, 1)

"""Hard distillation: the loss against its definition, a short training run, checkpoints and the command line."""

import pytest
import torch
import torch.nn.functional as F

from vit_explained import distill
from vit_explained.cnn import SmallCNN
from vit_explained.data import DigitSplit
from vit_explained.deit import DeiT


def test_hard_distillation_loss_is_half_labels_half_teacher_argmax():
    generator = torch.Generator().manual_seed(0)
    class_logits = torch.randn(6, 4, generator=generator, requires_grad=True)
    distillation_logits = torch.randn(6, 4, generator=generator, requires_grad=True)
    teacher_logits = torch.randn(6, 4, generator=generator, requires_grad=True)
    labels = torch.tensor([0, 1, 2, 3, 0, 1])
    loss = distill.hard_distillation_loss(class_logits, distillation_logits, labels, teacher_logits)
    # by hand: the negative log-softmax at the label / at the teacher's top class
    teacher_top = [max(range(4), key=lambda c: teacher_logits[i, c].item()) for i in range(6)]
    by_hand = 0.0
    for i in range(6):
        by_hand += -0.5 * torch.log_softmax(class_logits[i], 0)[labels[i]] / 6
        by_hand += -0.5 * torch.log_softmax(distillation_logits[i], 0)[teacher_top[i]] / 6
    torch.testing.assert_close(loss, by_hand)
    loss.backward()
    assert teacher_logits.grad is None  # the teacher only picks labels
    # soft teacher scores do not matter, only the argmax
    same = distill.hard_distillation_loss(class_logits, distillation_logits, labels, 10 * teacher_logits)
    torch.testing.assert_close(same, loss)
    assert not torch.allclose(
        loss, 0.5 * F.cross_entropy(class_logits, labels) + 0.5 * F.cross_entropy(distillation_logits, labels)
    )
    with pytest.raises(ValueError, match="shaped like teacher_logits"):
        distill.hard_distillation_loss(class_logits[:, :3], distillation_logits, labels, teacher_logits)


def tiny_split():
    generator = torch.Generator().manual_seed(0)
    images = torch.rand(60, 1, 8, 8, generator=generator)
    labels = (images[:, 0, :4].mean((1, 2)) > images[:, 0, 4:].mean((1, 2))).long()  # learnable: top vs bottom
    return DigitSplit(images[:40], labels[:40], images[40:50], labels[40:50], images[50:], labels[50:])


def test_fit_distils_and_keeps_the_best_validation_epoch():
    data = tiny_split()
    torch.manual_seed(0)
    teacher = SmallCNN(num_classes=2, width=4)
    teacher_fit = distill.fit(teacher, data, epochs=3, batch_size=16)
    assert len(teacher_fit.val_accuracy) == 3
    assert teacher_fit.best_val_accuracy == max(teacher_fit.val_accuracy)
    assert teacher_fit.val_accuracy.index(max(teacher_fit.val_accuracy)) + 1 == teacher_fit.best_epoch
    assert distill.accuracy_of(teacher, data.val_images, data.val_labels) == teacher_fit.best_val_accuracy
    torch.manual_seed(0)
    student = DeiT(8, patch_size=4, num_classes=2, dim=8, depth=1, heads=2, mlp_dim=16, channels=1)
    before = {k: v.clone() for k, v in student.state_dict().items()}
    result = distill.fit(student, data, teacher=teacher, epochs=2, batch_size=16)
    assert not student.training and not teacher.training
    assert any(not torch.equal(before[k], v) for k, v in student.state_dict().items())
    assert len(result.train_loss) == 2
    with pytest.raises(TypeError, match="only a DeiT"):
        distill.fit(SmallCNN(num_classes=2, width=4), data, teacher=teacher, epochs=1)
    with pytest.raises(TypeError, match="DigitSplit"):
        distill.fit(student, (data.train_images, data.train_labels), epochs=1)


def test_fit_is_deterministic():
    data = tiny_split()
    runs = []
    for _ in range(2):
        torch.manual_seed(0)
        model = SmallCNN(num_classes=2, width=4)
        runs.append((distill.fit(model, data, epochs=2, batch_size=16).train_loss, model.head.weight.detach().clone()))
    assert runs[0][0] == runs[1][0] and torch.equal(runs[0][1], runs[1][1])


def test_save_and_load_round_trip(tmp_path):
    torch.manual_seed(0)
    config = dict(image_size=8, patch_size=4, num_classes=2, dim=8, depth=1, heads=2, mlp_dim=16, channels=1)
    model = DeiT(**config).eval()
    path = distill.save_model(model, tmp_path / "m.safetensors", config, {"note": "test"})
    loaded = distill.load_model(path)
    assert isinstance(loaded, DeiT) and not loaded.training
    images = torch.rand(2, 1, 8, 8)
    torch.testing.assert_close(loaded(images), model(images))
    assert distill.checkpoint_metadata(path)["info"] == {"note": "test"}
    with pytest.raises(ValueError, match=r"\.safetensors"):
        distill.save_model(model, tmp_path / "m.pt", config)
    with pytest.raises(TypeError, match="one of"):
        distill.save_model(torch.nn.Linear(2, 2), tmp_path / "x.safetensors", {})
    with pytest.raises(FileNotFoundError, match="distill"):
        distill.load_model(tmp_path / "missing.safetensors")


def test_shipped_checkpoints_load_and_classify():
    from vit_explained.data import load_mnist

    deit, cnn = distill.load_mnist_deit(), distill.load_mnist_cnn()
    data = load_mnist()
    meta = distill.checkpoint_metadata(distill.MNIST_DEIT)
    assert meta["config"] == distill.DEIT_CONFIG
    accuracy = distill.accuracy_of(deit, data.test_images, data.test_labels)
    assert accuracy == pytest.approx(meta["info"]["test_accuracy"], abs=1e-4)
    teacher_accuracy = distill.accuracy_of(cnn, data.test_images, data.test_labels)
    assert teacher_accuracy == pytest.approx(
        distill.checkpoint_metadata(distill.MNIST_CNN)["info"]["test_accuracy"], abs=1e-4
    )


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--epochs", "0"], "--epochs must be a positive int, got 0"),
        (["--epochs", "x"], "invalid int value"),
        (["--out", "model.pt"], "--out must end in .safetensors"),
        (["--threads", "-1"], "--threads must be a positive int"),
    ],
)
def test_command_line_rejects_bad_arguments_in_one_line(argv, message, capsys):
    with pytest.raises(SystemExit) as exit_info:
        distill.main(argv)
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1 and "Traceback" not in err


def test_default_output_is_not_the_shipped_file():
    parser = distill._parser()
    args = parser.parse_args([])
    from pathlib import Path

    assert Path(args.out).resolve() != distill.MNIST_DEIT and Path(args.teacher_out).resolve() != distill.MNIST_CNN


def test_shipped_benchmark_results_equal_the_benchmark_table():
    """vit_explained/checkpoints/deit_benchmark.json (package data, lesson 09 reads it) says what
    benchmarks/results/deit.md says, seed by seed, and both come from the same command."""
    from pathlib import Path

    table = Path(__file__).resolve().parents[1] / "benchmarks" / "results" / "deit.md"
    text = table.read_text()
    rows = [line.split("|") for line in text.splitlines() if line.startswith(("| ViT |", "| DeiT |", "| CNN |"))]
    measured = {(cells[1].strip(), int(cells[2])): float(cells[5]) for cells in rows if len(cells) == 8}
    shipped = distill.benchmark_results()
    assert shipped["command"] in text
    assert set(shipped["test_accuracy"]) == {"ViT", "CNN", "DeiT"}
    for name, values in shipped["test_accuracy"].items():
        assert values == [measured[name, seed] for seed in shipped["seeds"]]
    assert len(measured) == 3 * len(shipped["seeds"])
    assert "checkpoints/*" in (table.parents[2] / "pyproject.toml").read_text()  # shipped as package data


@pytest.mark.parametrize("tau", [1.0, 3.0])
def test_soft_loss_kl_term_is_deits_times_the_number_of_classes(tau):
    # facebookresearch/deit losses.py (commit 7e160fe): the summed KL divided by outputs_kd.numel() = B x classes
    generator = torch.Generator().manual_seed(1)
    class_logits, student, teacher = (torch.randn(5, 7, generator=generator) for _ in range(3))
    labels = torch.tensor([0, 1, 2, 3, 4])
    deit = (
        F.kl_div(
            F.log_softmax(student / tau, dim=1), F.log_softmax(teacher / tau, dim=1), reduction="sum", log_target=True
        )
        * (tau * tau)
        / student.numel()
    )
    ours = distill.soft_distillation_loss(class_logits, student, labels, teacher, tau=tau, lam=1.0)
    assert torch.allclose(ours, 7 * deit)
    # DeiT's alpha = 0.5 (plain CE base) is the package's lam = 1 / (1 + classes), times 2 * classes / (1 + classes)
    deit_loss = 0.5 * F.cross_entropy(class_logits, labels) + 0.5 * deit
    ours = distill.soft_distillation_loss(class_logits, student, labels, teacher, tau=tau, lam=1 / 8)
    assert torch.allclose(ours, 14 / 8 * deit_loss)


def test_random_resized_crops_keep_the_shape_and_are_seeded():
    image = torch.rand(1, 28, 28)
    crops = distill.random_resized_crops(image, 5, generator=torch.Generator().manual_seed(0))
    again = distill.random_resized_crops(image, 5, generator=torch.Generator().manual_seed(0))
    assert crops.shape == (5, 1, 28, 28) and torch.equal(crops, again)
    whole = distill.random_resized_crops(image, 2, scale=(1.0, 1.0), generator=torch.Generator().manual_seed(0))
    assert whole.shape == (2, 1, 28, 28)  # a box of the whole area, up to the aspect ratio's rounding

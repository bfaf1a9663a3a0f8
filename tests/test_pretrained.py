"""The shipped MNIST checkpoint: it loads, is the ViT its metadata describes, and reaches its stated accuracy."""

import pytest
import torch

from vit_explained import ViT
from vit_explained.data import load_mnist
from vit_explained.pretrained import MNIST_VIT, checkpoint_info, load_checkpoint, load_mnist_vit, save_checkpoint
from vit_explained.training import evaluate


@pytest.fixture(scope="module")
def model() -> ViT:
    return load_mnist_vit()


def test_checkpoint_is_small_and_self_describing():
    assert MNIST_VIT.is_file() and MNIST_VIT.stat().st_size < 400_000
    info = checkpoint_info()
    assert info["config"]["pool"] == "cls" and info["config"]["channels"] == 1 and info["config"]["image_size"] == 28
    assert info["info"]["recipe"]["dataset"] == "mnist"
    assert info["info"]["test_correct"] == round(info["info"]["test_accuracy"] * 1000)


def test_model_loads_in_eval_mode_with_hookable_attention():
    model = load_mnist_vit()
    assert isinstance(model, ViT) and not model.training
    assert model.pool == "cls"
    assert len(model.encoder.blocks) == checkpoint_info()["config"]["depth"]
    seen = []
    handle = model.encoder.blocks[0].attn.attend.register_forward_hook(lambda m, i, o: seen.append(o.shape))
    model.encoder.blocks[0].attn.fused = False
    with torch.no_grad():
        model(torch.zeros(2, 1, 28, 28))
    handle.remove()
    tokens = model.num_patches + 1
    assert seen == [(2, model.encoder.blocks[0].attn.heads, tokens, tokens)]


def test_model_reaches_its_stated_accuracy(model):
    data = load_mnist()
    accuracy = evaluate(model, data.test_images, data.test_labels)
    info = checkpoint_info()["info"]
    assert accuracy == pytest.approx(info["test_accuracy"], abs=0.002)
    assert evaluate(model, data.val_images, data.val_labels) == pytest.approx(info["val_accuracy"], abs=0.002)
    assert accuracy >= 0.95


def test_checkpoint_is_the_preset_it_names():
    """Trained on the 3,500 training images by the recipe the `mnist` preset holds (the command that rebuilds it)."""
    import dataclasses

    from vit_explained.training import PRESETS

    assert checkpoint_info()["info"]["recipe"] == dataclasses.asdict(PRESETS["mnist"])


def test_save_and_load_round_trip(tmp_path, model):
    path = save_checkpoint(model, tmp_path / "copy.safetensors", checkpoint_info()["config"], {"note": "copy"})
    again = load_checkpoint(path)
    images = torch.rand(3, 1, 28, 28)
    for name, tensor in model.state_dict().items():  # float16 weights survive a second round trip exactly
        assert torch.equal(again.state_dict()[name], tensor), name
    with torch.no_grad():
        assert torch.allclose(again(images), model(images), atol=1e-5)
    assert checkpoint_info(path)["info"] == {"note": "copy"}


def test_bad_paths_are_rejected(tmp_path, model):
    with pytest.raises(FileNotFoundError, match=r"vit_explained\.train"):
        load_checkpoint(tmp_path / "missing.safetensors")
    with pytest.raises(ValueError, match="safetensors"):
        save_checkpoint(model, tmp_path / "model.pt", {})
    with pytest.raises(TypeError, match="ViT"):
        save_checkpoint(torch.nn.Linear(2, 2), tmp_path / "x.safetensors", {})

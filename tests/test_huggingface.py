"""from_huggingface: our ViT computes HF transformers' logits."""

import importlib
import importlib.util

import pytest
import torch

# transformers is imported by the first test that uses it (about 1 s; every pytest worker collects this module)
pytestmark = pytest.mark.skipif(not importlib.util.find_spec("transformers"), reason="transformers is not installed")


class _Transformers:
    def __getattr__(self, name):
        return getattr(importlib.import_module("transformers"), name)


transformers = _Transformers()

from vit_explained import ViT, from_huggingface  # noqa: E402

CONFIGS = [
    dict(
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=4,
        intermediate_size=64,
        image_size=32,
        patch_size=8,
        num_channels=3,
        num_labels=10,
    ),
    dict(
        hidden_size=48,
        num_hidden_layers=3,
        num_attention_heads=6,
        intermediate_size=96,
        image_size=28,
        patch_size=7,
        num_channels=1,
        num_labels=7,
        qkv_bias=False,
    ),
    dict(
        hidden_size=24,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=40,
        image_size=[24, 16],
        patch_size=4,
        num_channels=2,
        num_labels=3,
        layer_norm_eps=1e-6,
    ),
    dict(
        hidden_size=64,
        num_hidden_layers=2,
        num_attention_heads=8,
        intermediate_size=256,
        image_size=48,
        patch_size=16,
        num_channels=3,
        num_labels=1000,
    ),
]


@pytest.mark.parametrize("settings", CONFIGS)
def test_logits_agree(settings):
    torch.manual_seed(0)
    config = transformers.ViTConfig(**settings)
    hf_model = transformers.ViTForImageClassification(config).eval()
    ours = from_huggingface(hf_model)
    assert isinstance(ours, ViT)
    assert not ours.training
    size = settings["image_size"]
    height, width = (size, size) if isinstance(size, int) else size
    images = torch.randn(3, settings["num_channels"], height, width)
    with torch.no_grad():
        expected = hf_model(pixel_values=images).logits
        got = ours(images)
    assert got.shape == expected.shape
    torch.testing.assert_close(got, expected, rtol=1e-5, atol=1e-5)
    assert sum(p.numel() for p in ours.parameters()) == sum(p.numel() for p in hf_model.parameters())


def test_rejects_other_models():
    with pytest.raises(TypeError, match="ViTForImageClassification"):
        from_huggingface(torch.nn.Linear(3, 3))
    bert = transformers.BertForSequenceClassification(
        transformers.BertConfig(hidden_size=16, num_hidden_layers=1, num_attention_heads=2, intermediate_size=32)
    )
    with pytest.raises(TypeError, match="bert"):
        from_huggingface(bert)
    with pytest.raises(TypeError, match="classifier"):
        from_huggingface(transformers.ViTModel(transformers.ViTConfig(**CONFIGS[0])))
    with pytest.raises(TypeError):
        from_huggingface("google/vit-base-patch16-224")


# --- DeiT: from_huggingface_deit against DeiTForImageClassificationWithTeacher ----------------------------------

from vit_explained.attention_maps import capture_attention  # noqa: E402
from vit_explained.deit import DeiT  # noqa: E402
from vit_explained.huggingface import from_huggingface_deit  # noqa: E402

DEIT_CONFIGS = [
    dict(
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=4,
        intermediate_size=64,
        image_size=28,
        patch_size=4,
        num_channels=1,
        num_labels=10,
    ),
    dict(
        hidden_size=48,
        num_hidden_layers=3,
        num_attention_heads=3,
        intermediate_size=96,
        image_size=[28, 20],
        patch_size=4,
        num_channels=1,
        num_labels=7,
    ),
    dict(
        hidden_size=24,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=40,
        image_size=[16, 32],
        patch_size=8,
        num_channels=3,
        num_labels=3,
        qkv_bias=False,
        layer_norm_eps=1e-6,
    ),
    dict(
        hidden_size=64,
        num_hidden_layers=2,
        num_attention_heads=8,
        intermediate_size=128,
        image_size=48,
        patch_size=16,
        num_channels=3,
        num_labels=1000,
    ),
]


def deit_pair(settings, **extra):
    torch.manual_seed(0)
    config = transformers.DeiTConfig(**settings, **extra)
    hf_model = transformers.DeiTForImageClassificationWithTeacher(config).eval()
    with torch.no_grad():  # HF starts the special tokens at zero: make them differ so a swap would show
        hf_model.deit.embeddings.cls_token.normal_()
        hf_model.deit.embeddings.distillation_token.normal_()
        hf_model.deit.embeddings.position_embeddings.normal_(std=0.5)
    size = settings["image_size"]
    height, width = (size, size) if isinstance(size, int) else size
    images = torch.randn(3, settings["num_channels"], height, width)
    return hf_model, from_huggingface_deit(hf_model), images


@pytest.mark.parametrize("settings", DEIT_CONFIGS)
def test_deit_logits_agree(settings):
    hf_model, ours, images = deit_pair(settings)
    assert isinstance(ours, DeiT) and not ours.training
    with torch.no_grad():
        expected = hf_model(pixel_values=images)
        got = ours(images)
        class_logits, distillation_logits = ours.forward_heads(images)
    torch.testing.assert_close(got, expected.logits, rtol=1e-5, atol=1e-5)
    torch.testing.assert_close(class_logits, expected.cls_logits, rtol=1e-5, atol=1e-5)
    torch.testing.assert_close(distillation_logits, expected.distillation_logits, rtol=1e-5, atol=1e-5)
    assert not torch.allclose(class_logits, distillation_logits)  # the two heads really differ
    assert sum(p.numel() for p in ours.parameters()) == sum(p.numel() for p in hf_model.parameters())


@pytest.mark.parametrize("settings", DEIT_CONFIGS)
def test_deit_attention_maps_agree_with_eager(settings):
    hf_model, ours, images = deit_pair(settings, attn_implementation="eager")
    assert hf_model.config._attn_implementation == "eager"
    with torch.no_grad():
        expected = hf_model(pixel_values=images, output_attentions=True).attentions
        with capture_attention(ours) as got:
            ours(images)
    assert len(expected) == len(got) == settings["num_hidden_layers"]
    tokens = ours.num_patches + 2
    for hf_weights, our_weights in zip(expected, got, strict=True):
        assert our_weights.shape == (3, settings["num_attention_heads"], tokens, tokens)
        torch.testing.assert_close(our_weights, hf_weights, rtol=1e-5, atol=1e-6)


def test_deit_default_sdpa_returns_no_attention_weights():
    """HF's default attention is SDPA: output_attentions=True then gives no weights at all (a warning is
    logged), the same trap as timm's fused_attn; eager gives them."""
    hf_model, _, images = deit_pair(DEIT_CONFIGS[0])
    assert hf_model.config._attn_implementation == "sdpa"
    with torch.no_grad():
        output = hf_model(pixel_values=images, output_attentions=True)
    assert not output.attentions  # an empty tuple (or None): nothing to look at
    eager, _, _ = deit_pair(DEIT_CONFIGS[0], attn_implementation="eager")
    with torch.no_grad():
        assert len(eager(pixel_values=images, output_attentions=True).attentions) == 2
        torch.testing.assert_close(eager(pixel_values=images).logits, output.logits, rtol=1e-5, atol=1e-5)


def test_deit_training_mode_and_float64():
    hf_model, ours, images = deit_pair(DEIT_CONFIGS[1])
    hf_model.train()
    ours = from_huggingface_deit(hf_model)
    assert ours.training
    class_logits, distillation_logits = ours(images)  # training mode: both heads
    with torch.no_grad():
        expected = hf_model(pixel_values=images)
    torch.testing.assert_close(class_logits.detach(), expected.cls_logits, rtol=1e-5, atol=1e-5)
    torch.testing.assert_close(distillation_logits.detach(), expected.distillation_logits, rtol=1e-5, atol=1e-5)
    ours64 = from_huggingface_deit(hf_model.double().eval())
    assert next(ours64.parameters()).dtype == torch.float64
    with torch.no_grad():
        torch.testing.assert_close(ours64(images.double()), hf_model(pixel_values=images.double()).logits)


def test_deit_rejects_other_models():
    with pytest.raises(TypeError, match="DeiTForImageClassificationWithTeacher"):
        from_huggingface_deit(torch.nn.Linear(3, 3))
    vit = transformers.ViTForImageClassification(transformers.ViTConfig(**CONFIGS[0]))
    with pytest.raises(TypeError, match="'vit'"):
        from_huggingface_deit(vit)
    plain = transformers.DeiTForImageClassification(transformers.DeiTConfig(**DEIT_CONFIGS[0]))
    with pytest.raises(TypeError, match="WithTeacher"):
        from_huggingface_deit(plain)
    relu = transformers.DeiTForImageClassificationWithTeacher(
        transformers.DeiTConfig(**DEIT_CONFIGS[0], hidden_act="relu")
    )
    with pytest.raises(ValueError, match="relu"):
        from_huggingface_deit(relu)


def test_deit_sdpa_and_eager_keeps_the_log_and_returns_eager_weights():
    import logging

    from vit_explained.huggingface import deit_sdpa_and_eager

    config = dict(
        image_size=16,
        patch_size=8,
        num_channels=1,
        hidden_size=16,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=32,
        num_labels=3,
    )
    root = transformers.logging.get_logger()
    handlers = list(root.handlers)
    seen = deit_sdpa_and_eager(config, torch.randn(2, 1, 16, 16))
    assert not any(type(h).__name__ == "_Keep" for h in root.handlers)  # ours removed
    assert all(h in root.handlers for h in handlers if isinstance(h, logging.StreamHandler))  # the default is back
    assert seen.version == transformers.__version__ and seen.sdpa_implementation == "sdpa"
    assert len(seen.eager.attentions) == 2 and seen.eager.attentions[0].shape == (2, 2, 6, 6)
    assert not seen.sdpa.attentions or len(seen.sdpa.attentions) == 2  # 4.56 on: none; 4.41-4.55: eager fallback
    assert torch.allclose(seen.eager.logits, seen.sdpa.logits, atol=1e-5)
    text = str(seen)
    assert text.startswith(f"transformers {transformers.__version__}") and "(2, 2, 6, 6)" in text
    assert "cls_logits" in text and "distillation_logits" in text


def test_vit_layer_from_block_computes_what_the_block_computes():
    from vit_explained import Block
    from vit_explained.huggingface import vit_layer_from_block, vit_layer_output

    torch.manual_seed(0)
    block = Block(32, heads=4, mlp_dim=64).eval()
    x = torch.randn(2, 5, 32)
    layer = vit_layer_from_block(block)
    assert not layer.training and layer.layernorm_before.eps == layer.layernorm_after.eps == block.norm1.eps == 1e-6
    with torch.no_grad():
        torch.testing.assert_close(vit_layer_output(layer, x), block(x), atol=1e-5, rtol=1e-5)
    with pytest.raises(ValueError, match="qkv bias"):
        vit_layer_from_block(Block(32, heads=4, mlp_dim=64, qkv_bias=False))

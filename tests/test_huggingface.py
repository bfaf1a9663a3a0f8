"""from_huggingface: our ViT computes HF transformers' logits."""

import pytest
import torch

transformers = pytest.importorskip("transformers")

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

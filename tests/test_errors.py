"""Bad input gets a ValueError/TypeError that names the value and what would work."""

import pytest
import torch

from vit_explained import (
    MLP,
    Attention,
    PatchEmbedding,
    SoftSplit,
    T2TViT,
    Tokens2Token,
    ViT,
    count_tokens,
    from_huggingface,
    gelu,
    patchify,
    sinusoid_encoding,
    tokens_to_image,
    unpatchify,
)


def test_image_not_divisible_by_patch():
    with pytest.raises(ValueError, match="image height 225 is not divisible by patch size 16"):
        ViT(225, patch_size=16, num_classes=10, dim=32, depth=1, heads=2, mlp_dim=64)
    with pytest.raises(ValueError, match="image width 30 is not divisible by patch size 4"):
        PatchEmbedding((32, 30), 4, 3, 8)
    with pytest.raises(ValueError, match="not divisible by patch size 5"):
        patchify(torch.zeros(1, 3, 10, 12), 5)


def test_dim_not_divisible_by_heads():
    with pytest.raises(ValueError, match="dim 100 is not divisible by heads 3"):
        Attention(100, 3)
    with pytest.raises(ValueError, match="dim 64 is not divisible by heads 5"):
        ViT(32, patch_size=8, num_classes=10, dim=64, depth=1, heads=5, mlp_dim=128)
    with pytest.raises(ValueError, match="not divisible by heads 7"):
        T2TViT(32, in_channels=1, num_classes=10, embed_dim=64, depth=1, heads=7, mlp_ratio=2.0)


def test_wrong_channels_or_size_at_forward():
    model = ViT(32, patch_size=8, num_classes=10, dim=32, depth=1, heads=4, mlp_dim=64, channels=3)
    with pytest.raises(ValueError, match="expected 3 channel"):
        model(torch.zeros(2, 1, 32, 32))
    with pytest.raises(ValueError, match="expected images of height x width 32x32, got 64x32"):
        model(torch.zeros(2, 3, 64, 32))
    t2t = Tokens2Token((40, 20), 1, token_dim=8, embed_dim=16)
    with pytest.raises(ValueError, match="expected 1 channel"):
        t2t(torch.zeros(1, 3, 40, 20))
    with pytest.raises(ValueError, match="40x20"):
        t2t(torch.zeros(1, 1, 20, 40))
    with pytest.raises(ValueError, match="width D = 32"):
        Attention(32, 4)(torch.zeros(1, 5, 16))
    with pytest.raises(ValueError, match="width D = 8"):
        MLP(8, 16)(torch.zeros(1, 5, 6))


def test_non_4d_images():
    model = ViT(32, patch_size=8, num_classes=10, dim=32, depth=1, heads=4, mlp_dim=64)
    with pytest.raises(ValueError, match=r"4-D \(B, C, H, W\), got 3-D.*unsqueeze\(0\)"):
        model(torch.zeros(3, 32, 32))
    with pytest.raises(ValueError, match="4-D"):
        patchify(torch.zeros(32, 32), 8)
    with pytest.raises(ValueError, match="4-D"):
        SoftSplit(3, 2, 1)(torch.zeros(1, 5, 8, 8, 1))
    with pytest.raises(TypeError, match=r"torch.Tensor of shape \(B, C, H, W\)"):
        model([[0.0]])
    with pytest.raises(ValueError, match=r"3-D \(B, N, D\)"):
        Attention(8, 2)(torch.zeros(4, 8))


def test_unknown_pool_method_or_approximation():
    with pytest.raises(ValueError, match="unknown pool 'max'; choose one of 'cls', 'mean'"):
        ViT(32, patch_size=8, num_classes=10, dim=32, depth=1, heads=4, mlp_dim=64, pool="max")
    with pytest.raises(ValueError, match="unknown method 'linear'; choose one of 'conv', 'unfold', 'rearrange'"):
        PatchEmbedding(32, 8, 3, 16, method="linear")
    with pytest.raises(ValueError, match="unknown approximate 'fast'"):
        gelu(torch.zeros(1), approximate="fast")


@pytest.mark.parametrize("bad", [0, -1])
def test_non_positive_kernel_stride_patch(bad):
    with pytest.raises(ValueError, match=f"kernel must be a positive int, got {bad}"):
        count_tokens(10, 10, bad, 1, 0)
    with pytest.raises(ValueError, match=f"stride must be a positive int, got {bad}"):
        SoftSplit(3, bad, 1)
    with pytest.raises(ValueError, match=f"patch_size must be a positive int, got {bad}"):
        PatchEmbedding(32, bad, 3, 16)
    with pytest.raises(ValueError, match="patch_size"):
        patchify(torch.zeros(1, 1, 4, 4), (2, bad))


def test_wrong_types():
    with pytest.raises(TypeError, match=r"kernel must be a positive int, got 3.5 \(float\)"):
        count_tokens(10, 10, 3.5, 1, 0)
    with pytest.raises(TypeError, match="padding must be an int >= 0"):
        count_tokens(10, 10, 3, 1, "1")
    with pytest.raises(ValueError, match="padding must be an int >= 0, got -1"):
        count_tokens(10, 10, 3, 1, -1)
    with pytest.raises(ValueError, match="image_size must be an int or a"):
        ViT((32, 32, 3), patch_size=8, num_classes=10, dim=32, depth=1, heads=4, mlp_dim=64)


def test_kernel_larger_than_padded_image():
    with pytest.raises(
        ValueError, match=r"kernel 9 is larger than the padded image height 7 \(height 5 \+ 2 \* padding 1\)"
    ):
        count_tokens(5, 20, 9, 1, 1)
    with pytest.raises(ValueError, match="larger than the padded image width"):
        SoftSplit(5, 1, 0)(torch.zeros(1, 1, 10, 4))


def test_image_too_small_for_t2t_chain():
    with pytest.raises(ValueError, match="too small for the T2T chain"):
        Tokens2Token(2, 3)
    with pytest.raises(ValueError, match="soft split 1"):
        T2TViT((2, 64), in_channels=3, num_classes=10, embed_dim=32, depth=1, heads=4, mlp_ratio=2.0)


def test_non_vit_model_for_from_huggingface():
    with pytest.raises(TypeError, match="expects a transformers ViTForImageClassification, got Sequential"):
        from_huggingface(torch.nn.Sequential())


def test_unpatchify_and_fold_mismatches():
    with pytest.raises(ValueError, match="has 4 patches, got N = 5"):
        unpatchify(torch.zeros(1, 5, 12), 2, 4, 4)
    with pytest.raises(ValueError, match=r"cannot reshape 10 tokens into a 3x3 grid"):
        tokens_to_image(torch.zeros(1, 10, 4), 3, 3)


def test_bad_sizes_elsewhere():
    with pytest.raises(ValueError, match="num_tokens must be a positive int"):
        sinusoid_encoding(0, 8)
    with pytest.raises(ValueError, match="depth must be a positive int, got 0"):
        ViT(32, patch_size=8, num_classes=10, dim=32, depth=0, heads=4, mlp_dim=64)
    with pytest.raises(ValueError, match="num_classes must be a positive int"):
        ViT(32, patch_size=8, num_classes=0, dim=32, depth=1, heads=4, mlp_dim=64)
    with pytest.raises(ValueError, match="mlp_ratio must be positive"):
        T2TViT(32, in_channels=1, num_classes=10, embed_dim=32, depth=1, heads=4, mlp_ratio=0)
    with pytest.raises(TypeError, match="expected a PatchEmbedding"):
        PatchEmbedding(8, 4, 3, 8).copy_weights_from(torch.nn.Linear(2, 2))

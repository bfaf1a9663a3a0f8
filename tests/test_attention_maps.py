"""capture_attention against weights recomputed by hand; attention_rollout against a plain loop."""

import itertools

import pytest
import torch

from vit_explained import T2TViT, ViT
from vit_explained.attention_maps import (
    attention_modules,
    attention_rollout,
    capture_attention,
    class_token_attention,
    fuse_heads,
)


def small_vit(seed: int = 0, depth: int = 3, heads: int = 4) -> ViT:
    torch.manual_seed(seed)
    return ViT(image_size=12, patch_size=4, num_classes=5, dim=16, depth=depth, heads=heads, mlp_dim=32, channels=1)


def weights_by_hand(model: ViT, images: torch.Tensor) -> list[torch.Tensor]:
    """Run the blocks one by one; each block's attention sees norm1 of the residual stream."""
    from vit_explained.vit import add_class_token

    tokens = add_class_token(model.patch_embedding(images), model.class_token, model.pos_embedding)
    weights = []
    for block in model.blocks:
        _, block_weights = block.attn(block.norm1(tokens), return_attention=True)
        weights.append(block_weights)
        tokens = block(tokens)
    return weights


def random_stochastic(*shape: int, generator: torch.Generator) -> torch.Tensor:
    return torch.softmax(3 * torch.randn(*shape, generator=generator), dim=-1)


def test_captured_weights_equal_weights_recomputed_by_hand():
    model = small_vit().eval()
    images = torch.rand(2, 1, 12, 12)
    with capture_attention(model) as attentions:
        model(images)
    expected = weights_by_hand(model, images)
    assert len(attentions) == len(model.blocks) == 3
    for got, want in zip(attentions, expected, strict=True):
        assert got.shape == (2, 4, 10, 10)
        torch.testing.assert_close(got, want)
        torch.testing.assert_close(got.sum(-1), torch.ones(2, 4, 10))


def test_output_unchanged_and_weights_detached():
    model = small_vit(1)
    images = torch.rand(3, 1, 12, 12)
    fast = model(images)
    with capture_attention(model) as attentions:
        explicit = model(images)
    torch.testing.assert_close(explicit, fast, rtol=1e-5, atol=1e-5)
    assert explicit.requires_grad  # the model's own graph is untouched
    assert all(not w.requires_grad and w.grad_fn is None for w in attentions)


def test_hooks_removed_and_fused_restored():
    model = small_vit(2)
    modules = attention_modules(model)
    modules[1].fused = False  # a mixed setting must come back as it was
    before = [m.fused for m in modules]
    with capture_attention(model) as attentions:
        assert all(m.fused is False for m in modules)
        assert all(len(m.attend._forward_hooks) == 1 for m in modules)
        model(torch.rand(1, 1, 12, 12))
    assert [m.fused for m in modules] == before
    assert all(len(m.attend._forward_hooks) == 0 for m in modules)
    model(torch.rand(1, 1, 12, 12))
    assert len(attentions) == 3  # nothing recorded after the block


def test_cleanup_after_exception():
    model = small_vit(3)
    modules = attention_modules(model)
    with pytest.raises(ValueError, match="expected 1 channel"), capture_attention(model):
        model(torch.rand(1, 3, 12, 12))
    assert all(m.fused is True for m in modules)
    assert all(len(m.attend._forward_hooks) == 0 for m in modules)


def test_fused_path_alone_records_nothing():
    model = small_vit(4)
    seen = []
    handle = model.blocks[0].attn.attend.register_forward_hook(lambda _m, _i, out: seen.append(out))
    model(torch.rand(1, 1, 12, 12))
    handle.remove()
    assert seen == []


def test_each_forward_appends_one_tensor_per_block():
    model = small_vit(5, depth=2)
    with capture_attention(model) as attentions:
        model(torch.rand(1, 1, 12, 12))
        model(torch.rand(4, 1, 12, 12))
    assert [tuple(w.shape) for w in attentions] == [(1, 4, 10, 10)] * 2 + [(4, 4, 10, 10)] * 2


def test_t2t_vit_and_module_selection():
    torch.manual_seed(0)
    model = T2TViT(32, in_channels=1, num_classes=3, embed_dim=16, depth=2, heads=2, mlp_ratio=1.0, token_dim=8).eval()
    images = torch.rand(1, 1, 32, 32)
    with capture_attention(model) as everything:
        out = model(images)
    assert [w.shape[1] for w in everything] == [1, 1, 2, 2]  # two token transformers, then the blocks
    with capture_attention(model, [block.attn for block in model.blocks]) as backbone:
        model(images)
    assert len(backbone) == 2
    for got, want in zip(backbone, everything[2:], strict=True):
        torch.testing.assert_close(got, want)
    torch.testing.assert_close(model(images), out, rtol=1e-5, atol=1e-5)


def test_bad_inputs():
    with pytest.raises(ValueError, match=r"no vit_explained\.Attention"):
        attention_modules(torch.nn.Linear(2, 2))
    with pytest.raises(TypeError, match=r"torch\.nn\.Module"):
        attention_modules("model")
    with pytest.raises(TypeError, match=r"modules\[0\]"), capture_attention(small_vit(), [torch.nn.Softmax()]):
        pass


def rollout_by_hand(attentions: list[torch.Tensor]) -> torch.Tensor:
    """Abnar & Zuidema's recipe, one sample and one matrix at a time."""
    batch, _, tokens, _ = attentions[0].shape
    results = []
    for b in range(batch):
        joint = torch.eye(tokens, dtype=torch.float64)
        for weights in attentions:
            layer = weights[b].mean(0) * 0.5 + torch.eye(tokens, dtype=torch.float64) * 0.5
            for i in range(tokens):
                layer[i] = layer[i] / layer[i].sum()
            joint = layer @ joint  # the later layer acts on what the earlier ones mixed
        results.append(joint)
    return torch.stack(results)


@pytest.mark.parametrize(("layers", "heads", "tokens"), [(1, 1, 3), (4, 3, 5), (6, 2, 17)])
def test_rollout_equals_loop(layers, heads, tokens):
    generator = torch.Generator().manual_seed(layers)
    attentions = [random_stochastic(2, heads, tokens, tokens, generator=generator).double() for _ in range(layers)]
    rollout = attention_rollout(attentions)
    assert rollout.shape == (2, tokens, tokens)
    torch.testing.assert_close(rollout, rollout_by_hand(attentions))
    torch.testing.assert_close(rollout.sum(-1), torch.ones(2, tokens, dtype=torch.float64))


def test_one_layer_rollout_is_half_attention_half_identity():
    generator = torch.Generator().manual_seed(0)
    weights = torch.rand(3, 4, 6, 6, generator=generator)  # rows do not sum to 1: renormalising matters
    mixed = 0.5 * weights.mean(1) + 0.5 * torch.eye(6)
    torch.testing.assert_close(attention_rollout([weights]), mixed / mixed.sum(-1, keepdim=True))


def test_rollout_order_and_options():
    generator = torch.Generator().manual_seed(1)
    first, second = (random_stochastic(1, 1, 4, 4, generator=generator) for _ in range(2))
    torch.testing.assert_close(attention_rollout([first, second], residual=False), second[:, 0] @ first[:, 0])
    assert not torch.allclose(attention_rollout([first, second], residual=False), first[:, 0] @ second[:, 0])
    stacked = torch.stack([first, second], dim=1).squeeze(2)  # (1, 2 heads, 4, 4)
    torch.testing.assert_close(fuse_heads(stacked, "max"), torch.maximum(first, second)[:, 0])
    torch.testing.assert_close(fuse_heads(stacked, "min"), torch.minimum(first, second)[:, 0])
    rows = attention_rollout([stacked, stacked], head_fusion="max").sum(-1)
    torch.testing.assert_close(rows, torch.ones(1, 4))


def test_rollout_of_a_real_forward_pass_is_row_stochastic():
    model = small_vit(6).eval()
    with capture_attention(model) as attentions:
        model(torch.rand(2, 1, 12, 12))
    rollout = attention_rollout(attentions)
    torch.testing.assert_close(rollout.sum(-1), torch.ones(2, 10))
    assert (rollout >= 0).all()


def test_rollout_bad_inputs():
    good = torch.rand(1, 2, 5, 5)
    with pytest.raises(TypeError, match="list of"):
        attention_rollout(good)
    with pytest.raises(ValueError, match="empty"):
        attention_rollout([])
    with pytest.raises(ValueError, match="unsqueeze"):
        attention_rollout([good[:, 0]])
    with pytest.raises(ValueError, match="same batch"):
        attention_rollout([good, torch.rand(1, 2, 4, 4)])
    with pytest.raises(ValueError, match="head_fusion"):
        attention_rollout([good], head_fusion="median")


def test_class_token_attention_grid_order():
    rows, cols = 2, 3
    weights = torch.zeros(1, 2, 7, 7)
    weights[0, :, 0, 1:] = torch.arange(1.0, 7.0)  # patch k (row-major) gets value k + 1
    weights[0, :, 0, 0] = 100.0  # the class token's attention to itself must be dropped
    weights[0, :, 1:, 0] = -1.0  # the patches' attention to the class token is a column, not a row
    grid = class_token_attention(weights, (rows, cols))
    assert grid.shape == (1, 2, rows, cols)
    assert grid[0, 0].tolist() == [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]
    assert class_token_attention(weights[:, 0], (rows, cols)).shape == (1, rows, cols)


def test_class_token_attention_matches_patch_positions_of_a_vit():
    """Patch k of the token sequence is the patch at grid (k // cols, k % cols): an image lit in
    one patch gives that patch's token a distinctive embedding at that grid position."""
    from vit_explained.patches import patchify

    images = torch.zeros(1, 1, 8, 12)
    images[..., 4:8, 0:4] = 1.0  # grid position (1, 0) of a 2x3 grid
    lit = patchify(images, 4).sum(-1)  # (1, 6)
    square = torch.zeros(1, 7, 7)
    square[:, 0, 1:] = lit
    grid = class_token_attention(square, (2, 3))
    assert grid[0].nonzero().tolist() == [[1, 0]]


def test_class_token_attention_bad_inputs():
    with pytest.raises(ValueError, match="4x4 patch grid has 16 patches"):
        class_token_attention(torch.rand(1, 2, 10, 10), 4)
    with pytest.raises(ValueError, match=r"\(\.\.\., N, N\)"):
        class_token_attention(torch.rand(1, 2, 10, 9), 3)
    with pytest.raises(TypeError, match=r"torch\.Tensor"):
        class_token_attention([[1.0]], 1)


def test_plots_build_and_reject_bad_shapes():
    from vit_explained.plotting.lesson08 import (
        plot_attention_matrix,
        plot_class_token_heads,
        plot_rollout_layers,
    )

    images = torch.rand(2, 1, 12, 12)
    maps = torch.rand(2, 4, 3, 3)
    fig = plot_class_token_heads(images, maps, labels=["a", "b"], block=2)
    assert len(fig.axes) == 2 * 5 + 1  # images x (input + heads), and the colour bar
    assert fig.axes[1].get_title() == "head 0"
    fig = plot_rollout_layers(images, maps[:, :3])
    assert [ax.get_title() for ax in fig.axes[:4]] == ["input", "block 0", "blocks 0-1", "blocks 0-2"]
    fig = plot_rollout_layers(images, maps[:, :2], self_share=[0.5, 0.25])
    assert fig.axes[2].get_title() == "blocks 0-1\n(class token: 0.25)"
    with pytest.raises(ValueError, match="one value per depth"):
        plot_rollout_layers(images, maps[:, :2], self_share=[0.5])
    fig = plot_rollout_layers(images, maps[:, :2], self_share=[0.5, 0.25], share_over=8)
    assert fig.axes[1].get_title() == "block 0\n(class token: 0.50,\nmean over 8 digits)"
    assert len(plot_attention_matrix(torch.rand(10, 10), grid=(3, 3)).axes) == 2
    with pytest.raises(ValueError, match="one per image"):
        plot_class_token_heads(images, maps[:1])
    with pytest.raises(ValueError, match="gray"):
        plot_rollout_layers(torch.rand(2, 3, 12, 12), maps)
    with pytest.raises(ValueError, match="one caption per image"):
        plot_rollout_layers(images, maps, labels=["a"])
    with pytest.raises(ValueError, match="square matrix"):
        plot_attention_matrix(torch.rand(2, 10, 10))
    with pytest.raises(ValueError, match="grid 2x2"):
        plot_attention_matrix(torch.rand(10, 10), grid=(2, 2))


# --- special tokens, discard ratio, gradient-weighted rollout, deletion curves ------------------------------------


def test_token_attention_with_two_special_tokens():
    from vit_explained.attention_maps import token_attention

    rows, cols = 2, 3
    weights = torch.zeros(1, 1, 8, 8)
    weights[0, 0, 0, 2:] = torch.arange(1.0, 7.0)  # the class token's row
    weights[0, 0, 1, 2:] = -torch.arange(1.0, 7.0)  # the distillation token's row
    weights[0, 0, :2, :2] = 100.0  # the special tokens' columns must be dropped
    assert token_attention(weights, (rows, cols), special_tokens=2).tolist() == [[[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]]]
    assert torch.equal(
        token_attention(weights, (rows, cols), query=1, special_tokens=2), -weights[..., 0, 2:].reshape(1, 1, 2, 3)
    )
    assert torch.equal(
        class_token_attention(weights, (rows, cols), special_tokens=2), weights[:, :, 0, 2:].reshape(1, 1, 2, 3)
    )
    with pytest.raises(ValueError, match="special_tokens"):
        token_attention(weights, (rows, cols))  # 8 tokens are not 1 + 6
    with pytest.raises(ValueError, match="query"):
        token_attention(weights, (rows, cols), query=8, special_tokens=2)


def jacobgil_rollout(attentions, discard_ratio):
    """jacobgil/vit-explain's rollout loop (mean fusion), one image at a time, rows normalised with keepdim."""
    batch = attentions[0].shape[0]
    out = []
    for b in range(batch):
        result = torch.eye(attentions[0].size(-1))
        for attention in attentions:
            fused = attention[b : b + 1].mean(axis=1).clone()
            flat = fused.view(fused.size(0), -1)
            _, indices = flat.topk(int(flat.size(-1) * discard_ratio), -1, False)
            indices = indices[indices != 0]
            flat[0, indices] = 0
            identity = torch.eye(fused.size(-1))
            a = (fused + 1.0 * identity) / 2
            a = a / a.sum(dim=-1, keepdim=True)
            result = torch.matmul(a, result)
        out.append(result[0])
    return torch.stack(out)


@pytest.mark.parametrize("discard_ratio", [0.0, 0.3, 0.9])
def test_discard_ratio_matches_vit_explain(discard_ratio):
    generator = torch.Generator().manual_seed(3)
    attentions = [random_stochastic(2, 3, 10, 10, generator=generator) for _ in range(3)]
    expected = jacobgil_rollout(attentions, discard_ratio)
    got = attention_rollout(attentions, discard_ratio=discard_ratio)
    torch.testing.assert_close(got, expected)
    torch.testing.assert_close(got.sum(-1), torch.ones(2, 10))
    with pytest.raises(ValueError, match="discard_ratio"):
        attention_rollout(attentions, discard_ratio=1.0)


def chefer_by_autograd(model, images, target, special_tokens):
    """Chefer et al.'s relevance, image by image, with the attention recomputed by hand and its
    gradient from autograd (retain_grad): no hooks, no package helper."""
    from vit_explained.deit import DeiT, add_special_tokens
    from vit_explained.vit import add_class_token

    relevances = []
    for index in range(len(images)):
        image = images[index : index + 1]
        if special_tokens == 2:
            tokens = add_special_tokens(
                model.patch_embedding(image), model.class_token, model.distillation_token, model.pos_embedding
            )
        else:
            tokens = add_class_token(model.patch_embedding(image), model.class_token, model.pos_embedding)
        weights = []
        for block in model.blocks:
            q, k, v = block.attn.project_qkv(block.norm1(tokens))
            attention = torch.softmax(q @ k.transpose(-2, -1) * block.attn.scale, dim=-1)
            attention.retain_grad()
            weights.append(attention)
            mixed = block.attn.proj((attention @ v).transpose(1, 2).reshape(1, tokens.shape[1], -1))
            tokens = tokens + mixed
            tokens = tokens + block.mlp(block.norm2(tokens))
        features = model.encoder.norm(tokens)
        if isinstance(model, DeiT):
            logits = (model.head(features[:, 0]) + model.head_dist(features[:, 1])) / 2
        else:
            logits = model.head(features[:, 0])
        logits[0, target[index]].backward()
        relevance = torch.eye(tokens.shape[1])
        for attention in weights:
            cam = (attention.grad[0] * attention[0]).clamp(min=0).mean(0)
            relevance = relevance + cam @ relevance
        relevances.append(relevance.detach())
    return torch.stack(relevances)


@pytest.mark.parametrize("kind", ["vit", "deit"])
def test_gradient_weighted_rollout_equals_autograd(kind):
    from vit_explained.attention_maps import gradient_weighted_attention
    from vit_explained.deit import DeiT

    torch.manual_seed(1)
    options = dict(patch_size=4, num_classes=5, dim=16, depth=3, heads=4, mlp_dim=32, channels=1)
    model = (ViT((12, 8), **options) if kind == "vit" else DeiT((12, 8), **options)).eval()
    images = torch.rand(3, 1, 12, 8)
    target = torch.tensor([0, 3, 4])
    relevance, logits = gradient_weighted_attention(model, images, target)
    assert all(p.grad is None for p in model.parameters())  # only the attention's gradients were taken
    expected = chefer_by_autograd(model, images, target, 1 if kind == "vit" else 2)
    torch.testing.assert_close(relevance, expected, rtol=1e-4, atol=1e-6)
    torch.testing.assert_close(logits, model(images).detach())
    assert all(p.requires_grad for p in model.parameters())
    assert all(m.fused for m in attention_modules(model)) and not any(
        m.attend._forward_hooks for m in attention_modules(model)
    )
    # None = each image's predicted class; an int = that class for every image
    predicted, _ = gradient_weighted_attention(model, images)
    torch.testing.assert_close(
        predicted, chefer_by_autograd(model, images, logits.argmax(-1), 1 if kind == "vit" else 2), rtol=1e-4, atol=1e-6
    )
    two, _ = gradient_weighted_attention(model, images, 2)
    torch.testing.assert_close(
        two, chefer_by_autograd(model, images, [2, 2, 2], 1 if kind == "vit" else 2), rtol=1e-4, atol=1e-6
    )


def test_gradient_weighted_rollout_pure_function_and_errors():
    from vit_explained.attention_maps import gradient_weighted_attention, gradient_weighted_rollout

    generator = torch.Generator().manual_seed(0)
    weights = [random_stochastic(2, 3, 6, 6, generator=generator) for _ in range(2)]
    gradients = [torch.randn(2, 3, 6, 6, generator=generator) for _ in range(2)]
    relevance = torch.eye(6).expand(2, 6, 6)
    for w, g in zip(weights, gradients, strict=True):
        cams = torch.stack([sum(torch.relu(g[:, h] * w[:, h]) for h in range(3)) / 3])[0]
        relevance = relevance + torch.einsum("bij,bjk->bik", cams, relevance)
    torch.testing.assert_close(gradient_weighted_rollout(weights, gradients), relevance)
    # all-negative gradients: nothing is relevant beyond the identity
    torch.testing.assert_close(gradient_weighted_rollout(weights, [-w for w in weights]), torch.eye(6).expand(2, 6, 6))
    with pytest.raises(ValueError, match="backward"):
        gradient_weighted_rollout(weights, [None, None])
    with pytest.raises(ValueError, match="one"):
        gradient_weighted_rollout(weights, gradients[:1])
    model = small_vit().eval()
    with pytest.raises(ValueError, match="targets"):
        gradient_weighted_attention(model, torch.rand(2, 1, 12, 12), 7)
    from vit_explained.deit import DeiT

    deit = DeiT(12, patch_size=4, num_classes=3, dim=8, depth=1, heads=2, mlp_dim=8, channels=1)  # training mode
    with pytest.raises(ValueError, match="eval"):
        gradient_weighted_attention(deit, torch.rand(1, 1, 12, 12))


def test_capture_attention_gradients_records_each_block():
    from vit_explained.attention_maps import capture_attention_gradients

    model = small_vit().eval()
    images = torch.rand(2, 1, 12, 12)
    with capture_attention_gradients(model) as record:
        model(images)[:, 1].sum().backward()
    assert len(record.weights) == len(record.gradients) == 3
    assert all(g.shape == (2, 4, 10, 10) for g in record.gradients)
    for weights, manual in zip(record.weights, weights_by_hand(model, images), strict=True):
        torch.testing.assert_close(weights, manual.detach())
    assert all(m.fused for m in model.modules() if hasattr(m, "fused"))


def test_deletion_curve_against_a_loop():
    from vit_explained.attention_maps import deletion_auc, deletion_curve

    model = small_vit().eval()
    images = torch.rand(2, 1, 12, 12)
    labels = torch.tensor([1, 3])
    scores = torch.rand(2, 3, 3)
    curves = deletion_curve(model, images, labels, scores, batch_size=4)
    assert curves.shape == (2, 10)
    for b in range(2):
        order = scores[b].flatten().argsort(descending=True)
        image = images[b].clone()
        expected = [torch.softmax(model(image[None]), -1)[0, labels[b]].item()]
        for patch in order.tolist():
            r, c = divmod(patch, 3)
            image[:, 4 * r : 4 * r + 4, 4 * c : 4 * c + 4] = 0.0
            expected.append(torch.softmax(model(image[None]), -1)[0, labels[b]].item())
        torch.testing.assert_close(curves[b], torch.tensor(expected), rtol=1e-5, atol=1e-6)
    flat = torch.ones(1, 5)
    assert deletion_auc(flat).item() == pytest.approx(1.0)
    assert deletion_auc(torch.tensor([[1.0, 0.0, 0.0]])).item() == pytest.approx(0.25)
    with pytest.raises(ValueError, match="one map per image"):
        deletion_curve(model, images, labels, scores[:1])


def test_ink_share_and_inked_patches():
    from vit_explained.attention_maps import ink_share, inked_patches

    images = torch.zeros(1, 1, 8, 12)
    images[..., 0:2, 0:2] = 1.0  # ink in patch (0, 0) of a 2x3 grid
    assert inked_patches(images, (2, 3)).tolist() == [[[True, False, False], [False, False, False]]]
    maps = torch.ones(1, 2, 3)
    assert ink_share(maps, images).item() == pytest.approx(1 / 6)
    maps[0, 0, 0] = 5.0
    assert ink_share(maps, images).item() == pytest.approx(5 / 10)


def test_new_plots_build_and_reject_bad_input():
    from vit_explained.plotting.lesson08 import plot_deletion_curves, plot_map_columns
    from vit_explained.plotting.lesson09 import plot_distillation_setup, plot_special_token_maps, plot_token_sequence

    images, maps = torch.rand(2, 1, 12, 12), torch.rand(2, 3, 3, 3)
    fig = plot_map_columns(images, maps, titles=["a", "b", "c"], labels=["x", "y"], title="t")
    assert [ax.get_title() for ax in fig.axes[:4]] == ["input", "a", "b", "c"]
    with pytest.raises(ValueError, match="titles"):
        plot_map_columns(images, maps, titles=["a"])
    fig = plot_deletion_curves({"rollout": torch.rand(4, 10), "random order": torch.rand(4, 10)})
    assert [text.get_text().split(" (area")[0] for text in fig.axes[0].get_legend().get_texts()] == [
        "rollout",
        "random order",
    ]
    with pytest.raises(ValueError, match="P \\+ 1"):
        plot_deletion_curves({"bad": torch.rand(10)})
    with pytest.raises(TypeError, match="non-empty dict"):
        plot_deletion_curves({})
    fig = plot_special_token_maps(images, maps[:, 0], maps[:, 1], labels=["x", "y"])
    assert [ax.get_title() for ax in fig.axes[:3]] == ["input", "class token", "distillation token"]
    with pytest.raises(ValueError, match="distillation_maps"):
        plot_special_token_maps(images, maps[:, 0], maps)
    assert "N = 2 + 49 = 51" in plot_token_sequence((7, 7)).axes[0].get_title()
    assert "N = 1 + 6 = 7" in plot_token_sequence((2, 3), special_tokens=1).axes[0].get_title()
    with pytest.raises(ValueError, match="special_tokens"):
        plot_token_sequence((7, 7), special_tokens=3)
    texts = [text.get_text() for text in plot_distillation_setup().axes[0].texts]
    assert any("argmax" in text for text in texts) and any("head_dist" in text for text in texts)
    assert any("0.5 * CE(class)" in text and "0.5 * CE(distill.)" in text for text in texts)
    assert any(
        "0.7 * CE(class)" in text for text in (t.get_text() for t in plot_distillation_setup(weight=0.3).axes[0].texts)
    )
    with pytest.raises(ValueError, match="weight"):
        plot_distillation_setup(weight=1.5)


def test_coarse_deletion_curve_reads_the_full_curve_at_its_counts():
    from vit_explained.attention_maps import deletion_auc, deletion_counts, deletion_curve

    model = small_vit().eval()
    images, labels, scores = torch.rand(3, 1, 12, 12), torch.tensor([1, 3, 0]), torch.rand(3, 3, 3)
    counts = deletion_counts(9, 4)
    assert counts == [0, 4, 8, 9]
    assert deletion_counts(9, 9) == [0, 9] and deletion_counts(9, 1) == list(range(10))
    full = deletion_curve(model, images, labels, scores)
    coarse = deletion_curve(model, images, labels, scores, counts=counts, batch_size=5)
    assert coarse.shape == (3, 4)
    torch.testing.assert_close(coarse, full[:, counts], rtol=1e-5, atol=1e-6)
    # the area on uneven steps: trapezoids at the fractions deleted, 0, 4/9, 8/9, 1
    curve = torch.tensor([[1.0, 0.5, 0.0, 0.0]])
    assert deletion_auc(curve, counts).item() == pytest.approx((1.5 * 4 / 9 + 0.5 * 4 / 9) / 2)
    # every count given: the same area as the default
    torch.testing.assert_close(deletion_auc(full, list(range(10))), deletion_auc(full))
    for bad in ([0, 4, 4, 9], [1, 4, 9], [0, 4, 8], [0, 4.0, 9], [0]):
        with pytest.raises(ValueError, match="counts must be increasing"):
            deletion_curve(model, images, labels, scores, counts=bad)
    with pytest.raises(ValueError, match="4 entries but the curves have 10"):
        deletion_auc(full, counts)
    with pytest.raises(ValueError, match="step"):
        deletion_counts(9, 0)


def test_deletion_plot_takes_the_counts():
    from vit_explained.plotting.lesson08 import plot_deletion_curves

    fig = plot_deletion_curves({"rollout": torch.rand(4, 4)}, counts=[0, 4, 8, 9])
    line = fig.axes[0].get_lines()[0]
    assert line.get_xdata().tolist() == pytest.approx([0, 4 / 9, 8 / 9, 1])
    with pytest.raises(ValueError, match="counts has 3 entries"):
        plot_deletion_curves({"rollout": torch.rand(4, 4)}, counts=[0, 4, 9])


def test_deletion_curves_run_each_distinct_image_once():
    """Several maps at once give each map's own curve; an image two maps (or two counts) share, such as
    the intact image or one whose deleted patches were blank already, goes through the model once."""
    from vit_explained.attention_maps import deletion_counts, deletion_curve, deletion_curves

    model = small_vit().eval()
    images = torch.rand(3, 1, 12, 12)
    images[:, :, :4, :] = 0.0  # the top row of patches is blank: deleting it changes nothing
    labels = torch.tensor([1, 3, 0])
    maps = {"a": torch.rand(3, 3, 3), "b": torch.rand(3, 3, 3), "blank first": torch.rand(3, 3, 3)}
    maps["blank first"][:, 0, :] += 10
    counts = deletion_counts(9, 2)
    seen = []
    handle = model.register_forward_hook(lambda _m, inputs, _o: seen.append(len(inputs[0])))
    together = deletion_curves(model, images, labels, maps, counts=counts, batch_size=7)
    handle.remove()
    for name, scores in maps.items():
        torch.testing.assert_close(together[name], deletion_curve(model, images, labels, scores, counts=counts))
    runs = sum(seen)
    assert runs < 3 * len(maps) * len(counts)  # intact and fully deleted images shared; blank deletions free
    torch.testing.assert_close(together["blank first"][:, 1], together["blank first"][:, 0])  # 2 blank patches gone
    with pytest.raises(ValueError, match="same patch grid"):
        deletion_curves(model, images, labels, {"a": torch.rand(3, 3, 3), "b": torch.rand(3, 1, 9)})


def test_insertion_curves_read_the_image_with_only_the_top_patches():
    """Reading k of an insertion curve is the true class's probability on the image with only the map's
    top counts[k] patches in place (the rest set to fill); the first reading is the blank image, the
    last the intact one; a higher area is better."""
    from vit_explained.attention_maps import insertion_areas

    model = small_vit().eval()
    images, labels = torch.rand(2, 1, 12, 12), torch.tensor([2, 4])
    scores = torch.rand(2, 3, 3)
    counts = [0, 2, 5, 9]
    curves, areas = insertion_areas(model, images, labels, {"map": scores}, counts=counts, fill=0.25)
    with torch.no_grad():
        for k, kept in enumerate(counts):
            order = scores.flatten(1).argsort(-1, descending=True)[:, :kept]
            mask = torch.zeros(2, 9).scatter_(1, order, 1.0).reshape(2, 1, 3, 3)
            mask = mask.repeat_interleave(4, -2).repeat_interleave(4, -1)
            shown = images * mask + 0.25 * (1 - mask)
            expected = model(shown).softmax(-1).gather(1, labels[:, None])[:, 0]
            torch.testing.assert_close(curves["map"][:, k], expected)
    torch.testing.assert_close(areas["map"], torch.trapezoid(curves["map"], x=torch.tensor(counts) / 9.0, dim=-1))


def test_rollout_chain_prints_each_block_and_the_product():
    from vit_explained.plotting.lesson08 import plot_rollout_chain

    first = torch.tensor([[0.5, 0.25, 0.25], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]])
    second = torch.tensor([[0.5, 0.5, 0.0], [0.0, 0.5, 0.5], [0.0, 0.0, 1.0]])
    fig = plot_rollout_chain([first, second])
    axes = fig.axes
    assert [ax.get_title() for ax in axes] == ["Ã_1: block 1", "Ã_0: block 0", "R = Ã_1 @ Ã_0"]
    product = (second @ first).numpy()
    shown = [text.get_text() for text in axes[2].texts]
    assert shown == [f"{value:.2f}" for value in product.flatten()]
    assert [label.get_text() for label in axes[0].get_xticklabels()] == ["cls", "p1", "p2"]
    with pytest.raises(ValueError, match="same square"):
        plot_rollout_chain([first, torch.rand(2, 2)])
    with pytest.raises(TypeError, match="non-empty list"):
        plot_rollout_chain(first)
    with pytest.raises(ValueError, match="2 to 5 tokens"):
        plot_rollout_chain([torch.eye(7)])


def test_deletion_plot_panels_bands_and_reference():
    from vit_explained.plotting.lesson08 import plot_deletion_curves

    generator = torch.Generator().manual_seed(0)
    curves = {name: torch.rand(20, 4, generator=generator) for name in ("rollout", "ink first", "random order")}
    stroke = {"rollout, stroke first": torch.rand(20, 4, generator=generator)}
    fig = plot_deletion_curves(curves, counts=[0, 4, 8, 9], stroke_first=stroke, reference="ink first")
    left, right = fig.axes[:2]
    names = [text.get_text().split(" (area")[0] for text in left.get_legend().get_texts()]
    assert names == ["ink first, reference", "rollout", "random order"]  # the reference first, not twice
    assert [t.get_text().split(" (area")[0] for t in right.get_legend().get_texts()] == [
        "ink first, reference",
        "rollout, stroke first",
    ]
    lines = {line.get_label().split(" (area")[0]: line for line in left.get_lines() if line.get_label()[0] != "_"}
    # the reference is traced again by a thin dashed line on top of every curve, outside the legend
    trace = [line for line in left.get_lines() if line.get_label()[0] == "_"]
    assert len(trace) == 1 and trace[0].get_linestyle() == "--"
    assert trace[0].get_zorder() > max(line.get_zorder() for line in lines.values())
    assert (trace[0].get_ydata() == lines["ink first, reference"].get_ydata()).all()
    # every curve its own dash and marker, so one lying on another stays visible; the stroke-first version keeps
    # its base map's colour
    assert len({(line.get_linestyle(), line.get_marker()) for line in lines.values()}) == 3
    assert right.get_lines()[1].get_color() == lines["rollout"].get_color()
    assert len(left.collections) == 2 and len(right.collections) == 1  # a band per curve, none for the reference
    band = left.collections[0].get_paths()[0].vertices[:, 1]
    mean = curves["rollout"].double().mean(0).numpy()
    assert band.min() <= mean.min() + 1e-9 and band.max() >= mean.max() - 1e-9  # the band holds the mean curve
    assert not plot_deletion_curves(curves, bands=False).axes[0].collections
    with pytest.raises(ValueError, match="reference must name one of the curves"):
        plot_deletion_curves(curves, reference="rollout, stroke first")
    with pytest.raises(TypeError, match="stroke_first"):
        plot_deletion_curves(curves, stroke_first={})
    with pytest.raises(ValueError, match="P \\+ 1"):
        plot_deletion_curves(curves, stroke_first={"bad": torch.rand(10)})


def test_attention_matrix_colorbar_is_labelled_and_widget_picture_is_large():
    from vit_explained.plotting.lesson08 import plot_attention_matrix, plot_map_columns

    fig = plot_attention_matrix(torch.softmax(torch.randn(10, 10), -1), grid=(3, 3))
    assert "attention weight" in fig.axes[1].get_ylabel()
    assert all(label.get_fontsize() >= 9 for label in fig.axes[1].get_yticklabels())
    small = plot_map_columns(torch.rand(1, 1, 12, 12), torch.rand(1, 1, 3, 3), titles=["a"])
    large = plot_map_columns(torch.rand(1, 1, 12, 12), torch.rand(1, 1, 3, 3), titles=["a"], panel=3.0)
    assert large.get_size_inches()[0] > 1.8 * small.get_size_inches()[0]
    assert "cyan line: the 0.5 contour" in small.axes[-1].get_ylabel()  # the outline is named where it is drawn
    bare = plot_map_columns(torch.rand(1, 1, 12, 12), torch.rand(1, 1, 3, 3), titles=["a"], outline=False)
    assert "cyan" not in bare.axes[-1].get_ylabel()


def test_randomisation_table_reads_the_draws():
    from vit_explained.attention_maps import accuracy_and_agreement, last_block_update_share, randomisation_table

    model = small_vit(seed=2).eval()
    g = torch.Generator().manual_seed(0)
    images, labels = torch.rand(6, 1, 12, 12, generator=g), torch.randint(0, 5, (6,), generator=g)
    state = torch.random.get_rng_state()
    table, trained = randomisation_table(
        model, (images[:4], labels[:4]), (images, labels), (3, 3), init="torch", draws=2
    )
    assert torch.equal(torch.random.get_rng_state(), state)  # the caller's random numbers are left alone
    assert set(trained) == {"rollout", "gradient-weighted"} and trained["rollout"].shape == (4, 3, 3)
    assert {key: len(value) for key, value in table.per_draw.items()} == {
        (part, method): 2 for part in ("last block", "every layer") for method in ("rollout", "gradient-weighted")
    }
    assert all(r.n == 4 for values in table.per_draw.values() for r in values)  # one ρ per map digit
    assert len(table.every_layer_maps) == 2 and table.redrawn_update.shape == (2, 6)
    with torch.no_grad():
        decisions = model(images).argmax(-1)
    assert accuracy_and_agreement(model, images, labels, decisions)[1] == 1.0  # agrees with itself
    assert table.trained_accuracy == (decisions == labels).float().mean().item()
    assert torch.allclose(table.trained_update, last_block_update_share(model, images))
    text = str(table)
    assert "2 draws each" in text and "mean over the 4 digits" in text and "on 6 test digits" in text
    assert "every layer, rollout:" in text and "of 2 draws with a 95 % interval clear of 0" in text


# --- lesson 08's comparison helpers ------------------------------------------------------------------------------


def test_compare_maps_table_and_levels():
    from vit_explained.attention_maps import compare_maps
    from vit_explained.evidence import paired_difference

    g = torch.Generator().manual_seed(0)
    a = torch.rand(200, generator=g)
    b = a + 0.03 + 0.05 * torch.randn(200, generator=g)
    same = a + 1e-6 * torch.randn(200, generator=g)
    family = compare_maps(
        {"area: a - b": (a, b), "area: a - a": (a, same), "share: a - b": (a, b)}, points=["share: a - b"]
    )
    assert len(family) == 3 and abs(family.confidence - (1 - 0.05 / 3)) < 1e-12
    assert family["area: a - b"].difference.high < 0 and not family["area: a - a"].detectable
    assert family.at_95("area: a - b").difference.low > family["area: a - b"].difference.low  # wider at 98.3 %
    assert family["area: a - b"].difference.estimate == paired_difference(a, b).difference.estimate
    text = str(family)
    lines = text.splitlines()
    assert len(lines) == 4 and all(len(line) < 95 for line in lines)
    assert lines[0].endswith("at 98.3 %")
    assert lines[1].split()[-2:] == ["A", "lower"] and lines[2].endswith("no diff.")
    assert "-0.000" not in text and "-2.6" in lines[3]  # points for shares
    with pytest.raises(KeyError, match="no comparison"):
        family["missing"]
    with pytest.raises(ValueError, match="points names labels"):
        compare_maps({"x": (a, b)}, points=["y"])
    with pytest.raises(ValueError, match="non-empty"):
        compare_maps({})


def test_agreement_ink_and_stroke_helpers():
    from vit_explained.attention_maps import (
        agreement_table,
        ink_per_patch,
        map_agreement,
        relative_patch_norms,
        stroke_first,
    )

    g = torch.Generator().manual_seed(1)
    x, y = torch.rand(30, 12, generator=g), torch.rand(30, 12, generator=g)
    same = map_agreement(x, x)
    assert torch.allclose(same["cosine"], torch.ones(30)) and same["same top patch"].all()
    assert torch.equal(same["top 5 in common"], torch.ones(30))
    table = agreement_table({"itself": same, "another": map_agreement(x, y)})
    assert table.splitlines()[1].startswith("itself   1.00 [1.00, 1.00]   100 % [")
    with pytest.raises(ValueError, match="same shape"):
        map_agreement(x, y[:, :5])

    images = torch.zeros(2, 1, 4, 6)
    images[0, 0, 0, 0] = 0.25  # faint ink in patch (0, 0) of a 2x3 grid of 2x2 patches
    images[1, 0, 3, 5] = 1.0  # patch (1, 2)
    ink = ink_per_patch(images, (2, 3))
    assert ink.shape == (2, 2, 3) and ink[0, 0, 0] == 0.25 and ink[1, 1, 2] == 1 and ink.sum() == 1.25
    scores = torch.rand(2, 2, 3, generator=g)
    ranked = stroke_first(scores, images)
    assert ranked[0].flatten().argmax() == 0 and ranked[1].flatten().argmax() == 5  # the stroke first
    blank = ranked[0].flatten()[1:]
    assert torch.equal(blank.argsort(), scores[0].flatten()[1:].argsort())  # the map's own order after it
    with pytest.raises(ValueError, match="non-negative"):
        stroke_first(-scores, images)

    stream = torch.ones(2, 5, 3)
    stream[0, 2] *= 4  # one patch token with four times the norm
    relative = relative_patch_norms(stream)
    assert relative.shape == (2, 4) and relative[0, 1] == 4 and torch.equal(relative[1], torch.ones(4))


def test_lesson08_experiment_helpers_match_their_parts():
    from vit_explained.attention_maps import (
        class_map_agreements,
        compare_agreements,
        deletion_areas,
        deletion_auc,
        deletion_curves,
        gradient_weighted_attention,
        map_agreement,
        rollout_settings,
    )

    model = small_vit().eval()
    images = torch.rand(6, 1, 12, 12, generator=torch.Generator().manual_seed(1))
    labels = torch.tensor([0, 1, 2, 3, 4, 0])
    with capture_attention(model) as attentions, torch.no_grad():
        model(images)
    maps = rollout_settings(attentions, {"plain": ("mean", 0.0), "max": ("max", 0.5)}, (3, 3))
    assert torch.equal(maps["plain"], class_token_attention(attention_rollout(attentions), (3, 3)))
    assert maps["max"].shape == (6, 3, 3)
    counts = [0, 1, 3, 9]
    for fill in (0.0, 0.3):
        curves, areas = deletion_areas(model, images, labels, maps, counts=counts, fill=fill)
        expected = deletion_curves(model, images, labels, maps, counts=counts, fill=fill)
        assert all(torch.equal(curves[name], expected[name]) for name in maps)
        assert all(torch.equal(areas[name], deletion_auc(expected[name], counts)) for name in maps)

    others = {"same": (images, labels), "other class": (images, (labels + 1) % 5)}
    scores = class_map_agreements(model, (images, labels), others, (3, 3))
    assert torch.allclose(scores["same"]["cosine"], torch.ones(6), atol=1e-5)
    reference = class_token_attention(gradient_weighted_attention(model, images, labels)[0], (3, 3)).flatten(1)
    other = class_token_attention(gradient_weighted_attention(model, images, (labels + 1) % 5)[0], (3, 3)).flatten(1)
    assert torch.allclose(scores["other class"]["cosine"], map_agreement(reference, other)["cosine"])
    family = compare_agreements(scores, {"same - other": ("same", "other class")})
    assert family.labels == ("cosine: same - other", "same top patch: same - other", "top 5 in common: same - other")
    assert family["cosine: same - other"].difference.estimate >= 0
    assert family.single[1].difference.scale == 100  # shares read in percentage points


def test_top_patch_norms_picks_each_heads_top_patch_and_splits_by_ink():
    from vit_explained.attention_maps import top_patch_norms

    images = torch.zeros(2, 1, 4, 4)
    images[:, :, :2, :2] = 1.0  # patch (0, 0) of a 2x2 grid holds ink, the others none
    weights = torch.zeros(2, 2, 5, 5)
    weights[:, 0, 0, 1] = 1.0  # head 0: top patch 0 (ink)
    weights[:, 1, 0, 4] = 1.0  # head 1: top patch 3 (no ink)
    stream = torch.ones(2, 5, 3)
    stream[:, 4] *= 4.0  # patch 3's token: 4 times the others' norm
    found = top_patch_norms({"out": stream}, weights, images, (2, 2))
    assert found.off_ink.tolist() == [[False, True], [False, True]]
    off, on = found.norms["out"]
    assert torch.allclose(off, torch.full((2,), 4.0)) and torch.allclose(on, torch.ones(2))
    assert found.relative["out"].shape == (2, 4)


def test_map_comparisons_select_keeps_the_family_level():
    from vit_explained.attention_maps import compare_maps

    generator = torch.Generator().manual_seed(0)
    pairs = {f"c{i}": (torch.rand(30, generator=generator), torch.rand(30, generator=generator)) for i in range(4)}
    family = compare_maps(pairs)
    part = family.select("c2", "c0")
    assert part.labels == ("c2", "c0") and part.confidence == family.confidence == 1 - 0.05 / 4
    assert part["c0"] is family["c0"] and part.at_95("c2") is family.at_95("c2")
    assert str(part).splitlines()[1].startswith("c2")


def test_effective_patches():
    from vit_explained.attention_maps import effective_patches

    maps = torch.zeros(2, 3, 7, 7)
    maps[0, :, 0, 0] = 0.3  # one patch
    maps[1, :, :2, :2] = 5.0  # four patches, evenly, not normalised
    maps[1, 2] = 1.0  # all 49
    out = effective_patches(maps)
    assert out.shape == (2, 3)
    assert torch.allclose(out[0], torch.ones(3))
    assert torch.allclose(out[1], torch.tensor([4.0, 4.0, 49.0]))
    with pytest.raises(ValueError):
        effective_patches(torch.ones(5))


def test_rank_correlation_reads_rankings_per_image():
    from vit_explained.attention_maps import rank_correlation

    a = torch.rand(3, 4, 5, generator=torch.Generator().manual_seed(0))
    b = torch.stack([a[0] * 3 + 1, -a[1], torch.rand(4, 5, generator=torch.Generator().manual_seed(1))])
    rho = rank_correlation(a, b)  # (3,): the same ranking, the reverse, another one
    assert rho.shape == (3,) and rho.dtype == torch.float64
    assert torch.allclose(rho[:2], torch.tensor([1.0, -1.0], dtype=torch.float64))
    assert abs(rho[2]) < 1
    with pytest.raises(ValueError, match="same shape"):
        rank_correlation(a, b[:, :2])


def test_randomised_copy_redraws_only_the_part_and_leaves_the_model():
    from vit_explained.attention_maps import randomised_copy

    model = small_vit(seed=1)
    with torch.no_grad():
        model.class_token.fill_(1.0)
    before = {name: p.clone() for name, p in model.named_parameters()}
    torch.manual_seed(0)
    last = randomised_copy(model, lambda m: m.blocks[-1], init="timm")
    for name, p in model.named_parameters():  # the model itself is untouched
        assert torch.equal(p, before[name])
    changed = {name for name, p in last.named_parameters() if not torch.equal(p, before[name])}
    assert changed and all(f"blocks.{len(model.blocks) - 1}." in name for name in changed)
    whole = randomised_copy(model, init="timm")
    assert torch.equal(whole.class_token, torch.zeros_like(whole.class_token))
    assert not torch.equal(whole.pos_embedding, model.pos_embedding)
    assert {name for name, _ in whole.named_parameters()} == set(before)  # the same parameters, re-drawn
    with pytest.raises(ValueError, match="init"):
        randomised_copy(model, init="xavier")


def _wide_vit(init: str, seed: int) -> ViT:
    torch.manual_seed(seed)
    options = dict(patch_size=4, num_classes=10, dim=64, depth=2, heads=4, mlp_dim=128, channels=1)
    return ViT(image_size=28, init=init, **options)


@pytest.mark.parametrize("init", ["torch", "timm", "jax"])
def test_randomised_copy_draws_as_a_fresh_vit_with_the_same_init(init):
    """A re-drawn copy (of a model trained from another init) has each parameter's spread of a fresh ViT(init=init)."""
    from vit_explained.attention_maps import randomised_copy

    trained = _wide_vit("timm" if init != "timm" else "torch", seed=0)  # started from another init
    with torch.no_grad():
        for p in trained.parameters():
            p.mul_(3.0).add_(0.5)  # far from any init, as training leaves it
    torch.manual_seed(1)
    redrawn = randomised_copy(trained, init=init)
    fresh = _wide_vit(init, seed=2)
    for (name, got), (_, expected) in zip(redrawn.named_parameters(), fresh.named_parameters(), strict=True):
        assert got.shape == expected.shape
        if expected.std() == 0:  # constants: LayerNorm ones and zeros, zero biases and class token, a zero head
            assert torch.equal(got, expected), name
        else:
            assert abs(got.std() / expected.std() - 1) < 0.2, name
            assert abs(got.mean()) < 3 * expected.std() / got.numel() ** 0.5 + 1e-3, name


def test_randomised_copy_of_the_last_block_with_torch_init():
    """Only the part is re-drawn, at PyTorch's default spread (1/sqrt(fan-in) uniform: std 1/sqrt(3 * fan-in))."""
    from vit_explained.attention_maps import randomised_copy

    model = _wide_vit("timm", seed=0)
    torch.manual_seed(0)
    copy = randomised_copy(model, lambda m: m.blocks[-1], init="torch")
    qkv = copy.blocks[-1].attn.qkv.weight
    assert abs(qkv.std() * (3 * qkv.shape[1]) ** 0.5 - 1) < 0.05  # PyTorch's, not timm's std 0.02
    assert torch.equal(copy.blocks[0].attn.qkv.weight, model.blocks[0].attn.qkv.weight)
    assert torch.equal(copy.head.weight, model.head.weight)


def test_rollout_and_gradient_maps_match_the_separate_functions():
    from vit_explained.attention_maps import gradient_weighted_attention, rollout_and_gradient_maps

    model = small_vit(seed=2).eval()
    images = torch.rand(2, 1, 12, 12, generator=torch.Generator().manual_seed(0))
    labels = torch.tensor([1, 3])
    maps = rollout_and_gradient_maps(model, images, labels, (3, 3))
    with capture_attention(model) as weights, torch.no_grad():
        model(images)
    relevance, _ = gradient_weighted_attention(model, images, labels)
    assert set(maps) == {"rollout", "gradient-weighted"}
    assert torch.allclose(maps["rollout"], class_token_attention(attention_rollout(weights), (3, 3)), atol=1e-6)
    assert torch.allclose(maps["gradient-weighted"], class_token_attention(relevance, (3, 3)), atol=1e-6)


def test_block_streams_records_one_block_and_removes_its_hooks():
    from vit_explained.attention_maps import block_streams
    from vit_explained.vit import add_class_token

    model = small_vit(seed=3).eval()
    images = torch.rand(2, 1, 12, 12, generator=torch.Generator().manual_seed(0))
    into, out_of, attention = block_streams(model, model.blocks[-1], images)
    with torch.no_grad():
        stream = add_class_token(model.patch_embedding(images), model.class_token, model.pos_embedding)
        for block in model.blocks[:-1]:
            stream = block(stream)
        _, weights = model.blocks[-1].attn(model.blocks[-1].norm1(stream), return_attention=True)
        after = model.blocks[-1](stream)
    assert into.shape == (2, 10, 16) and attention.shape == (2, 4, 10, 10)
    assert torch.allclose(into, stream, atol=1e-6) and torch.allclose(out_of, after, atol=1e-5)
    assert torch.allclose(attention, weights, atol=1e-6)
    block = model.blocks[-1]
    assert not block._forward_pre_hooks and not block._forward_hooks and block.attn.fused


def test_class_token_maps_by_block_matches_one_pass_and_any_chunk():
    from vit_explained.attention_maps import class_token_maps_by_block, effective_patches

    model = small_vit(seed=4).eval()
    images = torch.rand(5, 1, 12, 12, generator=torch.Generator().manual_seed(0))
    own, rolled, spread = class_token_maps_by_block(model, images, (3, 3), chunk=2)  # chunks of 2, 2 and 1
    with capture_attention(model) as weights, torch.no_grad():
        model(images)
    assert len(own) == len(rolled) == len(spread) == len(model.blocks)
    for k in range(len(model.blocks)):
        per_head = class_token_attention(weights[k], (3, 3))
        assert torch.allclose(own[k], per_head.mean(1), atol=1e-6)
        assert torch.allclose(spread[k], effective_patches(per_head), atol=1e-5)
        expected = class_token_attention(attention_rollout(weights[: k + 1]), (3, 3))
        assert rolled[k].shape == (5, 3, 3) and torch.allclose(rolled[k], expected, atol=1e-6)


def test_cascade_steps_redraw_from_the_classifier_down():
    from vit_explained.attention_maps import cascade_steps

    model = small_vit(depth=3)
    steps = cascade_steps(model)
    names = [name for name, _ in steps]
    assert names == [
        "classifier",
        "classifier + block 2",
        "classifier + blocks 1-2",
        "classifier + blocks 0-2",
        "every layer",
    ]
    parts = [{id(m) for m in part.modules() if m is not part} for part in (f(model) for _, f in steps[:-1])]
    assert all(a < b for a, b in itertools.pairwise(parts))  # one block more per step
    assert id(model.blocks[0]) in parts[-1] and id(model.blocks[0]) not in parts[-2] and steps[-1][1] is None


def test_cascade_table_reads_each_step_and_leaves_the_random_numbers():
    from vit_explained.attention_maps import _class_token_spread, cascade_table, class_token_maps_by_block

    model = small_vit(seed=3).eval()
    g = torch.Generator().manual_seed(1)
    images, labels = torch.rand(5, 1, 12, 12, generator=g), torch.randint(0, 5, (5,), generator=g)
    state = torch.random.get_rng_state()
    table = cascade_table(model, (images[:3], labels[:3]), (images, labels), (3, 3), init="torch", draws=2)
    assert torch.equal(torch.random.get_rng_state(), state)
    assert list(table.rows) == [
        "classifier",
        "classifier + block 2",
        "classifier + blocks 1-2",
        "classifier + blocks 0-2",
        "every layer",
    ]
    assert all(len(rows) == 2 and all(len(draw) == 4 for draw in rows) for rows in table.rows.values())
    assert table.column("classifier", 0) == pytest.approx([1.0, 1.0])  # rollout never reads the head
    # per digit: (draws, B) per step and method; the table's cells are their means over the digits
    assert all(rho.shape == (2, 3) for by in table.per_digit.values() for rho in by.values())
    for step in table.rows:
        for index, method in enumerate(("rollout", "gradient-weighted")):
            means = table.per_digit[step][method].mean(1).tolist()
            assert means == pytest.approx(table.column(step, index))
        torch.testing.assert_close(table.mean_rho(step, "rollout"), table.per_digit[step]["rollout"].mean(0))
    with pytest.raises(KeyError, match="no step"):
        table.mean_rho("head", "rollout")
    per_block = class_token_maps_by_block(model, images[:3], (3, 3))[2]
    assert table.trained_spread == pytest.approx([s.mean().item() for s in per_block])
    assert table.trained_spread == _class_token_spread(model, images[:3], (3, 3))
    assert all(len(s) == 3 for draws in table.spreads.values() for s in draws)
    # the head's re-draw leaves every block's attention, so every spread, as trained
    assert table.spreads["classifier"][0] == pytest.approx(table.trained_spread, rel=1e-5)
    text = str(table)
    assert (
        text.startswith("2 draws per step")
        and "classifier + blocks 1-2" in text
        and "the linear head (fc_norm is Identity here)" in text
        and "+1.00 .. +1.00" in text
    )
    # the picture's maps: the first digit, trained, then each step's first draw; the head's step keeps rollout
    from vit_explained.attention_maps import rank_correlation, rollout_and_gradient_maps
    from vit_explained.plotting.lesson08 import plot_cascade

    trained = rollout_and_gradient_maps(model, images[:1], labels[:1], (3, 3))
    assert list(table.first_maps) == ["rollout", "gradient-weighted"]
    assert all(m.shape == (1 + len(table.rows), 3, 3) for m in table.first_maps.values())
    for method, maps in table.first_maps.items():
        torch.testing.assert_close(maps[0], trained[method][0])
    torch.testing.assert_close(table.first_maps["rollout"][1], trained["rollout"][0])
    for method, maps in table.draw_maps.items():  # every map digit's, the first digit's first
        assert maps.shape == (3, 1 + len(table.rows), 3, 3)  # the three map digits
        torch.testing.assert_close(maps[0], table.first_maps[method])
        rho = rank_correlation(maps[:, 1 + list(table.rows).index("every layer")], maps[:, 0])
        torch.testing.assert_close(rho, table.per_digit["every layer"][method][0])  # the first draw's ρ
    fig = plot_cascade(images[0], table.first_maps, list(table.rows))
    titles = [ax.get_title() for ax in fig.axes]
    assert "trained" in titles and all(
        any(t.startswith(f"{name}\nρ ") for t in titles) for name in ("classifier", "+ blocks 1-2", "every layer")
    )
    assert "classifier\nρ +1.00" in titles  # the classifier's step leaves rollout (the top row) as trained
    with pytest.raises(ValueError):
        plot_cascade(images[0], table.first_maps, list(table.rows)[:2])
    with pytest.raises(TypeError):
        plot_cascade(images[0], [table.first_maps["rollout"]], list(table.rows))


def test_cascade_scales_each_panel_to_its_own_largest_weight():
    from vit_explained.plotting.lesson08 import plot_cascade

    trained = torch.tensor([[0.1, 0.2], [0.3, 0.4]])
    bright = torch.tensor([[0.0, 0.0], [0.0, 4.0]])  # one bright re-draw: 10 times the trained map's largest
    maps = {"rollout": torch.stack([trained, trained / 20]), "gradient-weighted": torch.stack([trained, bright])}
    fig = plot_cascade(torch.zeros(1, 8, 8), maps, ["classifier"], shared=False)
    heat = [ax.images[0].get_array() for ax in fig.axes if ax.images and ax.images[0].get_cmap().name != "gray"]
    assert len(heat) == 4  # two rows of (trained, re-drawn)
    for panel in heat:
        assert abs(float(panel.max()) - 1.0) < 1e-6  # every panel to its own largest: a faint re-draw stays readable
    assert abs(float(heat[1].min()) - 0.25) < 1e-6  # its ranking kept: 0.1 / 0.4 of its own largest
    assert "own largest" in fig._suptitle.get_text() and "ρ ignores scale" in fig._suptitle.get_text()


def test_redrawn_rollouts_pick_the_extreme_and_nearest_zero_draws():
    from vit_explained.attention_maps import (
        ink_share,
        inked_patches,
        randomisation_table,
        rank_correlation,
        redrawn_rollouts,
    )
    from vit_explained.plotting.lesson08 import plot_redrawn_rollouts

    model = small_vit(seed=4).eval()
    g = torch.Generator().manual_seed(2)
    images, labels = torch.rand(4, 1, 12, 12, generator=g), torch.randint(0, 5, (4,), generator=g)
    table, trained = randomisation_table(model, (images, labels), (images, labels), (3, 3), init="torch", draws=3)
    shown = redrawn_rollouts(table, trained, images, (3, 3))
    means = [r.estimate for r in table.per_draw["every layer", "rollout"]]
    assert shown.picked[0] == max(range(3), key=means.__getitem__)
    assert shown.picked[1] == min(range(3), key=means.__getitem__)
    assert shown.picked[2] == min(range(3), key=lambda d: abs(means[d]))
    assert shown.names == ["trained"] + [f"draw {d + 1}" for d in shown.picked]
    assert torch.equal(shown.maps[0], trained["rollout"][0]) and shown.maps.shape == (4, 3, 3)
    for k, d in enumerate(shown.picked):
        assert torch.equal(shown.maps[k + 1], table.every_layer_maps[d]["rollout"][0])
        own = rank_correlation(trained["rollout"][:1], table.every_layer_maps[d]["rollout"][:1])[0]
        assert shown.own_rho[k] == pytest.approx(own.item())
    flat = inked_patches(images, (3, 3)).flatten(1).float().mean(1)
    expected = 100 * (ink_share(table.every_layer_maps[1]["rollout"], images) - flat)
    assert list(shown.ink_above_flat) == ["trained", "draw 1", "draw 2", "draw 3"]
    torch.testing.assert_close(shown.ink_above_flat["draw 2"], expected)
    text = str(shown)
    assert "mean over the 4 digits" in text and text.count("rollout of the first digit") == 4
    fig = plot_redrawn_rollouts(images[0], shown.maps, shown.names, shown.own_rho)
    assert f"ρ {shown.own_rho[0]:+.2f}" in " ".join(ax.get_title() for ax in fig.axes)
    with pytest.raises(ValueError):
        plot_redrawn_rollouts(images[0], shown.maps, shown.names[:2], shown.own_rho)


def test_mean_attention_distance_against_a_loop_and_a_uniform_look():
    from vit_explained.attention_maps import mean_attention_distance
    from vit_explained.plotting.lesson08 import plot_attention_distance

    model = small_vit(seed=5, depth=2, heads=2).eval()
    images = torch.rand(3, 1, 12, 12, generator=torch.Generator().manual_seed(3))
    distances = mean_attention_distance(model, images, (3, 3), 4)
    assert distances.shape == (2, 2)
    with capture_attention(model) as weights, torch.no_grad():
        model(images)
    centres = [(4 * r, 4 * c) for r in range(3) for c in range(3)]
    for block, w in enumerate(weights):
        for head in range(2):
            total = 0.0
            for b in range(3):
                for q in range(9):
                    row = w[b, head, 1 + q, 1:].double()
                    row = row / row.sum()
                    total += sum(
                        row[k].item() * ((centres[q][0] - y) ** 2 + (centres[q][1] - x) ** 2) ** 0.5
                        for k, (y, x) in enumerate(centres)
                    )
            assert distances[block, head].item() == pytest.approx(total / 27, rel=1e-6)
    # the patch size as a pair gives the same
    assert mean_attention_distance(model, images, (3, 3), (4, 4)).equal(distances)
    fig = plot_attention_distance(distances, patch_size=4)
    assert len(fig.axes[0].collections) == 2  # one set of dots per head
    assert fig.axes[0].get_ylim()[0] == 0 and len(fig.axes[0].lines) == 1
    fig = plot_attention_distance(distances, patch_size=4, uniform=14.4)
    ax = fig.axes[0]
    assert [line.get_ydata()[0] for line in ax.lines] == [4, 14.4] and ax.get_ylim() == (0, pytest.approx(14.4 * 1.15))
    assert "uniform look (14.4 px)" in [t.get_text() for t in ax.get_legend().get_texts()]
    with pytest.raises(ValueError):
        plot_attention_distance(distances[0], patch_size=4)


def test_class_token_logits_equal_the_models_and_fall_back():
    from vit_explained.attention_maps import class_token_logits
    from vit_explained.vit import ViT

    torch.manual_seed(0)
    images = torch.rand(6, 1, 28, 28)
    for pool in ("cls", "mean"):
        options = {"patch_size": 4, "channels": 1, "num_classes": 10, "dim": 32, "depth": 3, "heads": 4, "mlp_dim": 64}
        model = ViT(28, **options, pool=pool).eval()
        with torch.no_grad():
            assert torch.allclose(class_token_logits(model, images), model(images), atol=1e-5)
    model.train()  # training mode: model(images) itself
    with torch.no_grad():
        assert torch.allclose(class_token_logits(model, images), model(images), atol=1e-5)
    model = ViT(28, patch_size=4, channels=1, num_classes=10, dim=32, depth=2, heads=2, mlp_dim=64).eval()
    seen = []
    handle = model.blocks[-1].register_forward_hook(lambda *args: seen.append(1))
    with torch.no_grad():  # a hooked model runs in full, so the hook is called
        assert torch.allclose(class_token_logits(model, images), model(images), atol=1e-5)
    handle.remove()
    assert len(seen) == 2


def test_class_pair_maps_picks_the_smallest_gaps_and_matches_one_map_at_a_time():
    from vit_explained.attention_maps import class_pair_maps, gradient_weighted_attention

    model = small_vit(2).eval()
    images = torch.rand(6, 1, 12, 12)
    pairs = class_pair_maps(model, images, (3, 3), count=4, seed=1)
    assert pairs.three_maps.shape == (4, 3, 3, 3) and pairs.unrelated_maps.shape == (4, 3, 3)
    assert torch.equal(pairs.picked, pairs.gap.argsort()[:4]) and pairs.gap[pairs.picked].diff().ge(0).all()
    assert (pairs.other_class != pairs.best_three[pairs.picked, 0]).all()  # never the likeliest class
    with torch.no_grad():
        assert torch.allclose(pairs.probabilities, model(images).softmax(-1))
    for row, index in enumerate(pairs.picked.tolist()):
        for rank in range(3):
            alone, _ = gradient_weighted_attention(model, images[index : index + 1], int(pairs.best_three[index, rank]))
            assert torch.allclose(pairs.three_maps[row, rank], class_token_attention(alone, (3, 3))[0], atol=1e-6)
    previous = int(pairs.picked[-1])  # roll(1): the first picked image's unrelated map is the last one's
    alone, _ = gradient_weighted_attention(model, images[previous : previous + 1], int(pairs.other_class[0]))
    assert torch.allclose(pairs.unrelated_maps[0], class_token_attention(alone, (3, 3))[0], atol=1e-6)
    with pytest.raises(ValueError, match="count"):
        class_pair_maps(model, images, (3, 3), count=7)


def test_deletion_curves_zoom_panel_shows_the_first_fraction():
    from vit_explained.plotting.lesson08 import plot_deletion_curves

    curves = {"rollout": torch.rand(4, 10), "ink first": torch.rand(4, 10)}
    fig = plot_deletion_curves(curves, reference="ink first", zoom=0.3)
    left, right = fig.axes
    assert right.get_xlim() == pytest.approx((0, 0.3)) and left.get_xlim()[1] >= 1
    assert left.get_legend() is not None and right.get_legend() is None
    assert "first 30 %" in right.get_title()
    with pytest.raises(ValueError, match="zoom"):
        plot_deletion_curves(curves, zoom=1.5)


def test_cascade_adds_a_row_on_one_scale_under_each_method():
    from vit_explained.plotting.lesson08 import plot_cascade

    trained = torch.tensor([[0.1, 0.2], [0.3, 0.4]])
    maps = {"rollout": torch.stack([trained, trained / 20]), "gradient-weighted": torch.stack([trained, trained])}
    fig = plot_cascade(torch.zeros(1, 8, 8), maps, ["classifier"])  # shared=True: the default
    heat = [ax.images[0].get_array() for ax in fig.axes if ax.images and ax.images[0].get_cmap().name != "gray"]
    assert len(heat) == 8  # four rows: each method on its own scales, then on one scale
    assert abs(float(heat[1].max()) - 1.0) < 1e-6  # own scale: the faint re-draw drawn to its own largest
    assert abs(float(heat[3].max()) - 1 / 20) < 1e-6  # one scale: the faint re-draw stays faint
    labels = [ax.get_ylabel() for ax in fig.axes if ax.get_ylabel()]
    assert labels[:2] == ["rollout\n(own scale)", "rollout\n(one scale)"]
    assert "one scale" in fig._suptitle.get_text()

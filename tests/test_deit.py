"""DeiT: token layout, the two heads in training and eval mode, errors; its checkpoint and the distillation loss."""

import pytest
import torch

from vit_explained.attention_maps import capture_attention, class_token_attention, token_attention
from vit_explained.deit import DeiT, add_special_tokens
from vit_explained.vit import ViT


def small_deit(**overrides):
    torch.manual_seed(0)
    options = dict(patch_size=4, num_classes=5, dim=16, depth=2, heads=4, mlp_dim=32, channels=1)
    options.update(overrides)
    return DeiT((12, 8), **options)


def test_token_layout_and_shapes():
    model = small_deit().eval()
    assert model.grid == (3, 2) and model.num_patches == 6
    assert model.pos_embedding.shape == (1, 8, 16)  # class, distillation, 6 patches
    images = torch.rand(3, 1, 12, 8)
    features = model.forward_features(images)
    assert features.shape == (3, 8, 16)
    tokens = add_special_tokens(
        model.patch_embedding(images), model.class_token, model.distillation_token, model.pos_embedding
    )
    torch.testing.assert_close(tokens[:, 0], (model.class_token + model.pos_embedding[:, 0]).expand(3, 1, 16)[:, 0])
    torch.testing.assert_close(
        tokens[:, 1], (model.distillation_token + model.pos_embedding[:, 1]).expand(3, 1, 16)[:, 0]
    )
    torch.testing.assert_close(tokens[:, 2:], model.patch_embedding(images) + model.pos_embedding[:, 2:])
    assert not torch.equal(model.class_token, model.distillation_token)


def test_heads_read_their_own_token_and_eval_averages():
    model = small_deit().eval()
    images = torch.rand(2, 1, 12, 8)
    with torch.no_grad():
        features = model.forward_features(images)
        class_logits, distillation_logits = model.forward_heads(images)
        averaged = model(images)
    torch.testing.assert_close(class_logits, model.head(features[:, 0]))
    torch.testing.assert_close(distillation_logits, model.head_dist(features[:, 1]))
    torch.testing.assert_close(averaged, (class_logits + distillation_logits) / 2)
    model.train()  # no dropout anywhere: training mode computes the same two heads
    with torch.no_grad():
        both = model(images)
    assert isinstance(both, tuple) and len(both) == 2
    torch.testing.assert_close(both[0], class_logits)
    torch.testing.assert_close(both[1], distillation_logits)


def test_shares_the_vit_parts_and_parameter_count():
    deit = small_deit()
    vit = ViT((12, 8), patch_size=4, num_classes=5, dim=16, depth=2, heads=4, mlp_dim=32, channels=1)
    extra = 16 + 16 + (16 * 5 + 5)  # distillation token, one more position, the second head
    assert sum(p.numel() for p in deit.parameters()) == sum(p.numel() for p in vit.parameters()) + extra
    assert type(deit.encoder) is type(vit.encoder) and type(deit.patch_embedding) is type(vit.patch_embedding)


def test_is_a_vit_with_its_own_tokens_heads_and_weight_decay():
    deit = small_deit()
    assert isinstance(deit, ViT) and deit.num_special_tokens == 2 and ViT.num_special_tokens == 1
    assert deit.no_weight_decay() == small_deit().no_weight_decay()
    assert {"class_token", "distillation_token", "pos_embedding", "head_dist.bias"} <= deit.no_weight_decay()
    assert "head_dist.weight" not in deit.no_weight_decay()
    for init in ("jax", "torch", "timm"):  # every ViT initialisation reaches both heads alike
        model = small_deit(init=init)
        assert model.head.weight.std() > 0 or init == "jax"
        assert torch.equal(model.head.weight == 0, model.head_dist.weight == 0)
    with pytest.raises(ValueError, match=r"pool.*'mean'"):
        small_deit(pool="mean")  # each head reads its own token


def test_vit_only_helpers_refuse_a_deit(tmp_path):
    from vit_explained.pretrained import save_checkpoint
    from vit_explained.vit_map import trace_vit

    with pytest.raises(TypeError, match=r"distill\.save_model"):
        save_checkpoint(small_deit(), tmp_path / "deit.safetensors", config={})
    with pytest.raises(TypeError, match="one class token"):
        trace_vit(small_deit(), torch.rand(1, 1, 12, 8))


def test_attention_maps_of_both_special_tokens():
    model = small_deit().eval()
    images = torch.rand(2, 1, 12, 8)
    with capture_attention(model) as attentions, torch.no_grad():
        model(images)
    last = attentions[-1]
    assert last.shape == (2, 4, 8, 8)
    class_map = class_token_attention(last, model.grid, special_tokens=2)
    distillation_map = token_attention(last, model.grid, query=1, special_tokens=2)
    torch.testing.assert_close(class_map, last[:, :, 0, 2:].reshape(2, 4, 3, 2))
    torch.testing.assert_close(distillation_map, last[:, :, 1, 2:].reshape(2, 4, 3, 2))


def test_bad_arguments_name_the_value():
    with pytest.raises(TypeError):
        DeiT(28, 4, num_classes=10, dim=16, depth=1, heads=2, mlp_dim=8)  # patch_size is keyword-only
    with pytest.raises(ValueError, match="not divisible by heads"):
        small_deit(heads=3)
    with pytest.raises(ValueError, match="num_classes"):
        small_deit(num_classes=0)
    with pytest.raises(ValueError, match="12x8"):
        small_deit()(torch.rand(1, 1, 8, 12))
    with pytest.raises(ValueError, match="channel"):
        small_deit()(torch.rand(1, 3, 12, 8))


@pytest.mark.parametrize("mask_kind", ["none", "additive", "boolean", "causal"])
def test_timm_style_attention_paths_agree_on_every_mask(mask_kind):
    """The unfused path (timm 1.0.26's resolve_self_attn_mask) equals SDPA's meaning of each mask."""
    from vit_explained.deit import TimmStyleAttention, resolve_mask

    torch.manual_seed(0)
    attention = TimmStyleAttention(12, 3).eval()
    x = torch.randn(2, 6, 12)
    mask, causal = None, mask_kind == "causal"
    if mask_kind == "additive":
        mask = torch.randn(2, 1, 6, 6)
        mask[..., 1:, 0] = float("-inf")
    elif mask_kind == "boolean":
        mask = torch.rand(6, 6) > 0.4
        mask.fill_diagonal_(True)
    with torch.no_grad():
        fused = attention(x, attn_mask=mask, is_causal=causal)
        attention.fused_attn = False
        seen = []
        handle = attention.attn_drop.register_forward_hook(lambda _m, _i, out: seen.append(out))
        explicit = attention(x, attn_mask=mask, is_causal=causal)
        handle.remove()
    torch.testing.assert_close(explicit, fused, atol=1e-5, rtol=1e-5)
    scores = torch.zeros(6, 6)
    bias = resolve_mask(scores, mask, causal)
    if mask_kind == "boolean":
        assert torch.equal(torch.isinf(bias), ~mask)
    if mask_kind == "causal":
        assert torch.equal(torch.isinf(bias), torch.ones(6, 6, dtype=torch.bool).triu(1))
        assert torch.all(seen[0].triu(1) == 0)
    if mask_kind == "none":
        assert bias is None


def test_timm_style_block_passes_mask_and_is_causal():
    from vit_explained.deit import TimmStyleAttention, TimmStyleBlock

    attention = TimmStyleAttention(8, 2)
    block = TimmStyleBlock(torch.nn.LayerNorm(8), attention, torch.nn.LayerNorm(8), torch.nn.Identity())
    seen = {}
    attention.register_forward_pre_hook(lambda _m, _a, kwargs: seen.update(kwargs), with_kwargs=True)
    block(torch.randn(1, 3, 8))
    assert seen == {"attn_mask": None, "is_causal": False}


def _qa_forward(attn):  # the Q&A's one-argument my_forward
    def my_forward(x):
        return attn.proj(attn.qkv(x)[..., : x.shape[-1]])

    return my_forward


def test_qa_patch_on_timm_says_when_timm_is_absent(monkeypatch):
    import importlib.util

    from vit_explained.deit import qa_patch_on_timm

    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None)
    assert qa_patch_on_timm(_qa_forward, _qa_forward).startswith("timm is not installed")


def _lesson09_fixed_forward(attn_obj):
    """A copy of lesson 09's ``make_fixed_forward`` (section 5), kept in step with the notebook."""
    from torch import nn

    def my_forward(x, attn_mask=None, is_causal=False, **kwargs):
        B, N, C = x.shape
        qkv = attn_obj.qkv(x).reshape(B, N, 3, attn_obj.num_heads, C // attn_obj.num_heads).permute(2, 0, 3, 1, 4)
        q, k, v = qkv.unbind(0)
        skip = nn.Identity()  # for a timm without q_norm/k_norm (before 0.9.0) or norm (before 1.0.16)
        q, k = getattr(attn_obj, "q_norm", skip)(q), getattr(attn_obj, "k_norm", skip)(k)
        attn = (q @ k.transpose(-2, -1)) * attn_obj.scale
        if attn_mask is not None:
            attn = attn + attn_mask
        attn = attn.softmax(dim=-1)
        attn = attn_obj.attn_drop(attn)
        attn_obj.attn_map = attn.detach()
        attn_obj.cls_attn_map = attn_obj.attn_map[:, :, 0, 2:]
        x = (attn @ v).transpose(1, 2).reshape(B, N, C)
        x = getattr(attn_obj, "norm", skip)(x)
        return attn_obj.proj_drop(attn_obj.proj(x))

    return my_forward


def test_lesson09_fixed_forward_is_the_notebooks():
    import json
    from pathlib import Path

    notebook = json.loads((Path(__file__).parents[1] / "notebooks" / "09_deit_distillation.ipynb").read_text())
    cell = next("".join(c["source"]) for c in notebook["cells"] if "def make_fixed_forward" in "".join(c["source"]))
    # round 18c (review 18b): the lesson shows the minimal fix (DeiT's q_norm, k_norm and norm are identities);
    # the getattr version above, for older timm and qk_norm models, is the solutions' (appendix A says so)
    assert "getattr" not in cell and "attn = (q @ k.transpose(-2, -1)) * attn_obj.scale" in cell


def test_lesson09_fixed_forward_without_norm_as_in_old_timm():
    """timm 1.0.15 and earlier have no ``norm`` (and before 0.9.0 no ``q_norm``/``k_norm``): the fix still runs."""
    from vit_explained.deit import TimmStyleAttention

    torch.manual_seed(0)
    attn = TimmStyleAttention(16, 4).eval()
    x = torch.randn(2, 8, 16)
    with torch.no_grad():
        expected = attn(x)
        del attn.norm, attn.q_norm, attn.k_norm  # the attributes an older timm lacks
        torch.testing.assert_close(_lesson09_fixed_forward(attn)(x), expected, atol=1e-5, rtol=1e-5)
    assert attn.cls_attn_map.shape == (2, 4, 6)


def test_qa_patch_on_timm_with_timm():
    pytest.importorskip("timm")
    from vit_explained.deit import qa_patch_on_timm

    line = qa_patch_on_timm(_qa_forward, _lesson09_fixed_forward)
    assert "cannot be imported" in line or line.endswith("the same logits: True")

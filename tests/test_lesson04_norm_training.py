"""Lesson 04's post-norm model for the training benchmark, and the stored run the lesson reads."""

import copy
import math

import pytest
import torch
from torch import nn

from vit_explained import Block, ViT
from vit_explained.norm_placement import (
    PLACEMENTS,
    PostNormBlock,
    norm_training_conditions,
    norm_training_table,
    stored_norm_training_runs,
    window_loss,
    with_norm_placement,
)


def small_vit(seed: int = 0) -> ViT:
    torch.manual_seed(seed)
    return ViT(8, patch_size=4, num_classes=3, dim=16, depth=3, heads=2, mlp_dim=32, channels=1, init="jax")


def test_post_norm_block_equals_post_norm_by_hand():
    torch.manual_seed(0)
    block = Block(16, heads=2, mlp_dim=32)
    post = copy.deepcopy(block)
    post.__class__ = PostNormBlock
    tokens = torch.randn(2, 5, 16)  # (B, N, D)
    with torch.no_grad():
        after_attention = nn.functional.layer_norm(
            tokens + block.attn(tokens), (16,), block.norm1.weight, block.norm1.bias, block.norm1.eps
        )
        by_hand = nn.functional.layer_norm(
            after_attention + block.mlp(after_attention), (16,), block.norm2.weight, block.norm2.bias, block.norm2.eps
        )
        torch.testing.assert_close(post(tokens), by_hand)
        assert not torch.allclose(block(tokens), by_hand)  # pre-norm computes something else
    assert [name for name, _ in post.named_parameters()] == [name for name, _ in block.named_parameters()]


def test_pre_norm_placement_is_the_package_vit_and_post_norm_only_reorders():
    reference = small_vit()
    images = torch.rand(4, 1, 8, 8)
    pre = with_norm_placement(copy.deepcopy(reference), "pre-norm")
    post = with_norm_placement(copy.deepcopy(reference), "post-norm")
    with torch.no_grad():
        torch.testing.assert_close(pre(images), reference(images), rtol=0, atol=0)
        tokens = reference.patch_embedding(images)
        tokens = torch.cat([reference.class_token.expand(4, -1, -1), tokens], dim=1) + reference.pos_embedding
        for block in reference.blocks:  # norm(x + branch(x)), the same modules
            tokens = block.norm1(tokens + block.attn(tokens))
            tokens = block.norm2(tokens + block.mlp(tokens))
        by_hand = reference.head(reference.encoder.norm(tokens)[:, 0])
        torch.testing.assert_close(post(images), by_hand)
    assert all(type(block) is PostNormBlock for block in post.blocks)
    post_state, reference_state = post.state_dict(), reference.state_dict()
    assert post_state.keys() == reference_state.keys()
    assert all(torch.equal(post_state[name], reference_state[name]) for name in reference_state)
    back = with_norm_placement(post, "pre-norm")
    with torch.no_grad():
        torch.testing.assert_close(back(images), reference(images), rtol=0, atol=0)


def test_with_norm_placement_refuses_bad_input():
    with pytest.raises(ValueError, match="placement must be one of"):
        with_norm_placement(small_vit(), "sandwich")
    with pytest.raises(TypeError, match="must be a ViT"):
        with_norm_placement(nn.Linear(2, 2), "post-norm")
    assert PLACEMENTS == ("pre-norm", "post-norm")


def test_window_loss_and_a_run_that_stopped():
    run = {"losses": [3.0, 2.0, 1.0, 0.0]}
    assert window_loss(run, 1, 2) == 2.5
    assert window_loss(run, 2, 4) == 1.0
    assert window_loss(run, 3, 6) == math.inf


def test_stored_run_holds_the_whole_grid():
    stored = stored_norm_training_runs()
    recipe = stored["recipe"]
    conditions = norm_training_conditions(stored["runs"])
    warmups = (0, *recipe["warmup_steps"])  # none, then each warm-up length
    assert len(conditions) == len(PLACEMENTS) * len(warmups) * len(recipe["lrs"])
    for (placement, warmup, lr), group in conditions.items():
        assert placement in PLACEMENTS and warmup in warmups and lr in recipe["lrs"]
        assert [run["seed"] for run in group] == recipe["seeds"]
        for run in group:
            assert 0 <= run["val_accuracy"] <= 1
            assert run["diverged"] or len(run["losses"]) == recipe["steps"]
    table = norm_training_table(stored["runs"]).splitlines()
    assert len(table) == 1 + len(conditions)
    assert table[0].startswith("placement") and "loss 276-300" in table[0]

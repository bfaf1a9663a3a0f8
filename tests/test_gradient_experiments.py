"""Lesson 05's experiment functions (vit_explained.gradient_experiments): shapes, seeds and what each measures."""

import pytest
import torch
import torch.nn.functional as F

from vit_explained.gradient_experiments import (
    backward_pass,
    fc1_scaling_growth,
    freeze_and_cut,
    freeze_cut_table,
    gradient_rms_per_entry,
    mnist_ratio_summary,
    mnist_vit_maker,
    route_norms,
    route_table,
    scaled_qkv_gradients,
    skip_over_mlp,
    small_digit_vit,
    stored_full_checkpoints,
    tensors_with_gradient,
    v_over_qk,
)
from vit_explained.gradient_hooks import RouteCut, cut_mlp_route, qkv_gradient_norms, record_residual_routes


@pytest.fixture(scope="module")
def batch():
    generator = torch.Generator().manual_seed(0)
    return torch.rand(8, 1, 8, 8, generator=generator), torch.randint(0, 10, (8,), generator=generator)


def test_small_digit_vit_is_seeded_and_fused_gives_the_same_gradients(batch):
    images, labels = batch
    a, b, fused = small_digit_vit(3), small_digit_vit(3), small_digit_vit(3, fused=True)
    assert all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters(), strict=True))
    assert not any(block.attn.fused for block in a.blocks) and all(block.attn.fused for block in fused.blocks)
    logits = backward_pass(a, images, labels)
    assert logits.shape == (8, 10) and not logits.requires_grad
    backward_pass(fused, images, labels)
    for p, q in zip(a.parameters(), fused.parameters(), strict=True):
        torch.testing.assert_close(p.grad, q.grad, rtol=1e-4, atol=1e-6)
    assert tensors_with_gradient(a) == 56
    assert not torch.equal(small_digit_vit(4).blocks[0].attn.qkv.weight, a.blocks[0].attn.qkv.weight)


def test_tensors_with_gradient_counts_only_what_got_one(batch):
    model = small_digit_vit()
    assert tensors_with_gradient(model) == 0
    for block in model.blocks:
        block.mlp.requires_grad_(False)
    backward_pass(model, *batch)
    assert tensors_with_gradient(model) == 56 - 16


def test_mnist_vit_maker_is_seeded_with_the_torch_init():
    a, b = mnist_vit_maker(1)(), mnist_vit_maker(1)()
    assert all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters(), strict=True))
    assert not torch.equal(mnist_vit_maker(2)().head.weight, a.head.weight)


def test_route_norms_and_skip_over_mlp_agree_with_the_recorded_routes(batch):
    route = {"skip": torch.full((2, 3, 4), 1.0), "total": torch.full((2, 3, 4), 3.0)}
    assert route_norms(route) == pytest.approx((24**0.5, 2 * 24**0.5))
    images, labels = batch
    model = small_digit_vit(1, fused=True)
    with record_residual_routes(model) as routes:
        F.cross_entropy(model(images), labels).backward()
    expected = [skip / mlp for skip, mlp in map(route_norms, routes.values())]
    assert skip_over_mlp(small_digit_vit(1, fused=True), images, labels) == pytest.approx(expected)
    assert len(expected) == 4


def test_v_over_qk():
    assert v_over_qk({"q": 1.0, "k": 2.0, "v": 10.0}) == 5.0


def test_mnist_ratio_summary_reads_each_cut_and_the_stored_runs():
    class Cut:  # what mnist_ratio_summary reads from an mlp_route_cut result
        def __init__(self, *ratios):
            self.qkv_norms = {block: {"q": 1.0, "k": 0.5, "v": r} for block, r in enumerate(ratios)}

    summary = mnist_ratio_summary(Cut(2.0, 3.0), [Cut(10.0, 20.0), Cut(30.0, 40.0)])
    assert summary["start"] == [10.0, 20.0] and summary["fresh"] == [10.0, 20.0, 30.0, 40.0]
    assert summary["trained"] == [2.0, 3.0]
    stored = [r for run in stored_full_checkpoints()["runs"] for r in run["v_over_qk"]]
    assert summary["runs"] == [2.0, 3.0, *stored] and len(stored) == 8  # seeds 1 and 2, 4 blocks each


def test_gradient_rms_per_entry_grows_for_the_norms_when_the_layers_after_them_grow(batch):
    norm_rms, qkv_rms = gradient_rms_per_entry(*batch)
    up_norm, _ = gradient_rms_per_entry(*batch, after_norms=5.0)
    assert norm_rms > 0 and qkv_rms > 0 and up_norm > 5 * norm_rms


def test_scaled_qkv_gradients_match_p_grad_and_catch_d_out(batch):
    images, labels = batch
    plain = scaled_qkv_gradients(images, labels, "", seed=0)
    model = small_digit_vit(0)
    backward_pass(model, images, labels)
    assert plain.norms == pytest.approx(qkv_gradient_norms(model)["block 0"], rel=1e-5)
    v_up = scaled_qkv_gradients(images, labels, "v", seed=0)
    assert v_up.norms["v"] != pytest.approx(plain.norms["v"]) and v_up.d_out > 0 and plain.d_out > 0
    with pytest.raises(ValueError, match="scale_rows"):
        scaled_qkv_gradients(images, labels, "x", seed=0)


def _cut(skip, mlp):
    return RouteCut(skip, mlp, [], [], [], [], [], {}, [])


def test_route_table_gives_the_fresh_range_and_the_trained_value():
    fresh = [_cut([2.0, 4.0], [1.0, 1.0]), _cut([3.0, 5.0], [2.0, 1.0])]
    lines = route_table(_cut([0.069, 0.5], [0.120, 0.25]), fresh).splitlines()
    assert lines[2].split("|")[1].split() == ["at", "init", "(2", "seeds)", "trained"]
    assert lines[3].split() == ["0", "|", "2.000", "to", "3.000", "0.069", "|", "1.000", "to", "2.000", "0.120"]
    assert lines[4].split()[2:6] == ["4.000", "to", "5.000", "0.500"]
    assert lines[-1].endswith("over 2 seeds x 2 blocks: 1.5 to 5.0")


def test_freeze_and_cut_and_its_table(batch):
    images, labels = batch
    full, frozen, cut = small_digit_vit(), small_digit_vit(), small_digit_vit()
    for block in frozen.blocks:
        block.mlp.requires_grad_(False)
    backward_pass(full, images, labels)
    backward_pass(frozen, images, labels)
    with cut_mlp_route(cut):
        backward_pass(cut, images, labels)
    changes = freeze_and_cut(full, frozen, cut)
    assert sorted(changes) == [0, 1, 2, 3]
    assert all(c["freeze"].relative < 1e-6 and c["cut"].relative > 0.01 for c in changes.values())
    assert changes[3]["fc1"].relative < 1e-6 < changes[0]["fc1"].relative
    g, g_cut = full.blocks[1].attn.qkv.weight.grad, cut.blocks[1].attn.qkv.weight.grad
    assert changes[1]["share"] == pytest.approx((((g - g_cut) * g).sum() / (g * g).sum()).item(), rel=1e-4)
    rows = freeze_cut_table(changes).splitlines()[2:]
    assert [row.split()[2] for row in rows] == ["True"] * 4
    assert [row.split()[-1] for row in rows] == ["True", "True", "True", "False"]
    assert rows[1].split()[4] == f"{changes[1]['share']:.0%}"
    short = freeze_cut_table(changes, with_change=False).splitlines()
    assert len(short[2].split()) == len(rows[0].split()) - 1 and [row.split()[4] for row in short[2:]] == [
        row.split()[4] for row in rows
    ]


def test_fc1_scaling_growth_is_one_at_scale_one_and_grows_norm2(batch):
    norm_growth, qkv_growth = fc1_scaling_growth(*batch, seed=0, scale=1.0)
    assert norm_growth == pytest.approx(1.0) and qkv_growth == pytest.approx(1.0)
    norm_growth, _ = fc1_scaling_growth(*batch, seed=0)
    assert norm_growth > 1.2  # the layer after norm2 grew, so norm2's gradient grows

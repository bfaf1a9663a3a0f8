"""Lesson 04's package helpers: the pre-norm/post-norm gradient probe and the dropout/DropPath mask figure."""

import math

import pytest
import torch
from torch import nn

from vit_explained import Block
from vit_explained.norm_placement import (
    FINAL_NORMS,
    final_norm_ablation,
    final_norm_sigma,
    gradients_by_depth,
    last_fc2_gradient,
    pre_norm_stream_norm,
    stream_norms_by_depth,
    token_similarity,
    weight_scale_ablation,
    xavier_init,
)
from vit_explained.plotting.lesson04 import drop_masks, plot_depth_gradients, plot_drop_masks


def test_xavier_init_draws_q_k_v_separately():
    torch.manual_seed(0)
    dim = 48
    blocks = [Block(dim, heads=4, mlp_dim=4 * dim)]
    xavier_init(blocks, separate_qkv=True)
    qkv = blocks[0].attn.qkv
    assert qkv.weight.abs().max() <= math.sqrt(6 / (2 * dim))
    assert qkv.weight.abs().max() > math.sqrt(6 / (4 * dim))  # wider than Xavier on the fused (3D, D) weight
    assert all((layer.bias == 0).all() for layer in blocks[0].modules() if isinstance(layer, nn.Linear))
    xavier_init(blocks, separate_qkv=False)
    assert qkv.weight.abs().max() <= math.sqrt(6 / (4 * dim))


def test_last_fc2_gradient_is_seeded_and_leaves_the_global_state():
    torch.manual_seed(3)
    before = torch.get_rng_state()
    first = last_fc2_gradient(post_norm=False, depth=2, seed=0, dim=16)
    assert torch.equal(torch.get_rng_state(), before)
    assert first == last_fc2_gradient(post_norm=False, depth=2, seed=0, dim=16)
    assert first != last_fc2_gradient(post_norm=True, depth=2, seed=0, dim=16)
    assert first > 0


def test_gradients_by_depth_shape():
    values = gradients_by_depth((1, 2), (0, 1))
    assert set(values) == {"post-norm", "pre-norm"}
    assert all(set(by_depth) == {1, 2} and all(len(v) == 2 for v in by_depth.values()) for by_depth in values.values())


def test_drop_masks_per_number_and_per_sample():
    masks = drop_masks(batch=5, tokens=3, features=4, p=0.4, seed=2)
    for mask in masks.values():
        assert mask.shape == (5, 3, 4)
        assert all(value == 0 or math.isclose(value, 1 / 0.6, rel_tol=1e-6) for value in mask.unique().tolist())
    per_sample = masks["DropPath"].flatten(1)
    assert (per_sample == per_sample[:, :1]).all()
    with pytest.raises(ValueError):
        drop_masks(2, 2, 2, p=1.0, seed=0)


def test_plot_drop_masks_draws_both_grids():
    fig = plot_drop_masks(batch=2, tokens=2, features=3, p=0.5, seed=0)
    axes = fig.get_axes()
    assert len(axes) == 2
    assert all(len(ax.patches) == 2 * 2 * 3 for ax in axes)
    assert "dropout" in axes[0].get_title() and "DropPath" in axes[1].get_title()
    with pytest.raises(ValueError):
        plot_drop_masks(batch=0)


def test_pre_norm_stream_norm_is_seeded_grows_with_depth_and_leaves_the_global_state():
    state = torch.random.get_rng_state()
    first = pre_norm_stream_norm(2, seed=0)
    assert torch.equal(state, torch.random.get_rng_state())
    assert first == pre_norm_stream_norm(2, seed=0)
    norms = stream_norms_by_depth((1, 8), (0, 1))
    assert set(norms) == {1, 8} and all(len(values) == 2 for values in norms.values())
    assert min(norms[8]) > max(norms[1]) > math.sqrt(64) * 0.8  # the stream starts near sqrt(D) and grows


def test_plot_depth_gradients_takes_another_guide_and_labels():
    fig = plot_depth_gradients({"stream": {2: [10.0, 11.0], 8: [19.0, 20.0]}}, power=0.5, ylabel="norm", title="t")
    ax = fig.axes[0]
    assert ax.get_ylabel() == "norm" and ax.get_title() == "t"
    assert any("sqrt{L}" in text.get_text() and "+0.5" in text.get_text() for text in ax.get_legend().get_texts())


def test_squared_stream_norm_is_the_mean_of_squares():
    plain, squared = pre_norm_stream_norm(2, seed=0), pre_norm_stream_norm(2, seed=0, squared=True)
    assert squared >= plain**2 * (1 - 1e-6)  # mean of squares >= square of the mean
    assert squared < plain**2 * 1.2  # token norms are close to each other
    assert stream_norms_by_depth((2,), (0,), squared=True) == {2: [squared]}


def test_plot_stream_growth_draws_linear_axes_and_the_lemma_band():
    from vit_explained.plotting.lesson04 import plot_stream_growth

    fig = plot_stream_growth({2: [110.0, 120.0], 8: [350.0, 370.0]}, dim=64)
    ax = fig.axes[0]
    assert ax.get_xscale() == "linear" and ax.get_yscale() == "linear"
    assert any("Lemma 2" in text.get_text() and "d = 64" in text.get_text() for text in ax.get_legend().get_texts())
    with pytest.raises(ValueError):
        plot_stream_growth({}, dim=64)


def test_final_norm_switch_changes_only_the_final_step():
    default = last_fc2_gradient(False, depth=2, seed=0, dim=16)
    assert default == last_fc2_gradient(False, depth=2, seed=0, dim=16, final_norm="layernorm")
    values = {name: last_fc2_gradient(False, depth=2, seed=0, dim=16, final_norm=name) for name in FINAL_NORMS}
    assert len(set(values.values())) == len(FINAL_NORMS) and all(value > 0 for value in values.values())
    post = last_fc2_gradient(True, depth=2, seed=0, dim=16)
    assert post == last_fc2_gradient(True, depth=2, seed=0, dim=16, final_norm="none")  # post-norm ignores it
    with pytest.raises(ValueError, match="final_norm"):
        last_fc2_gradient(False, depth=2, seed=0, final_norm="rmsnorm")


def test_weight_scale_changes_only_the_size_of_the_same_draws():
    default = last_fc2_gradient(False, depth=2, seed=0, dim=16)
    assert default == last_fc2_gradient(False, depth=2, seed=0, dim=16, weight_scale=1.0)
    halved = last_fc2_gradient(False, depth=2, seed=0, dim=16, weight_scale=0.5)
    assert halved > 0 and halved != default
    full, half = (pre_norm_stream_norm(4, 0, dim=16, weight_scale=scale) for scale in (1.0, 0.5))
    assert half < full  # smaller branches: a smaller stream
    arms = weight_scale_ablation((2, 4), (0, 1), scales=(0.5,), dim=16)
    assert list(arms) == [0.5] and arms[0.5][2][0] == halved and len(arms[0.5][4]) == 2


def test_final_norm_ablation_removes_the_fall():
    from vit_explained.plotting.lesson04 import depth_slope

    ablation = final_norm_ablation((2, 4, 8, 16), (0, 1, 2))
    assert set(ablation) == set(FINAL_NORMS)
    slopes = {name: depth_slope(values) for name, values in ablation.items()}
    assert slopes["layernorm"][2] < 0  # falls with the LayerNorm
    assert all(slopes[name][1] < 0 < slopes[name][2] for name in ("none", "fixed", "centred_fixed"))  # flat
    assert slopes["detached_sigma"][2] < 0  # falls like the LayerNorm: the backward path through sigma is not it


def test_final_norm_ablation_runs_only_the_named_arms():
    some = final_norm_ablation((2,), (0,), names=("none", "fixed"))
    assert list(some) == ["none", "fixed"] and some["fixed"][2] == [last_fc2_gradient(False, 2, 0, final_norm="fixed")]
    with pytest.raises(ValueError, match="final_norm must be one of"):
        final_norm_ablation((2,), (0,), names=("batchnorm",))


def test_fixed_arm_divides_by_the_layer_norms_starting_sigma():
    import inspect

    from vit_explained.norm_placement import _pre_norm_stream, _random_stack

    fixed_norm = inspect.signature(last_fc2_gradient).parameters["fixed_norm"].default
    sigmas = [final_norm_sigma(2, seed) for seed in (0, 1, 2)]  # the LayerNorm's divisor at 2 blocks
    assert fixed_norm == round(sum(sigmas) / len(sigmas), 2)
    blocks, layer_norm, _, tokens, _ = _random_stack(2, 0, 64, True)  # the same divisor, read off nn.LayerNorm
    with torch.no_grad():
        stream = _pre_norm_stream(blocks, tokens)
        centred = stream - stream.mean(-1, keepdim=True)
        divisor = centred.norm(dim=-1) / layer_norm(stream).norm(dim=-1)  # weight 1, bias 0: centred / sigma
    assert math.isclose(divisor.mean().item(), sigmas[0], rel_tol=1e-3)
    rms_norm = stream.norm(dim=-1).pow(2).mean().sqrt().item()
    assert 0.9 < sigmas[0] / (rms_norm / 8) < 1.1  # about ||x|| / sqrt(D), not ||x||


def test_centred_fixed_and_detached_sigma_change_one_thing_each():
    from torch import nn

    from vit_explained.norm_placement import _final_step

    torch.manual_seed(0)
    stream, layer_norm = torch.randn(2, 3, 16) * 5 + 2, nn.LayerNorm(16)
    centred = _final_step("centred_fixed", layer_norm, stream, 4.0)
    assert torch.allclose(centred, (stream - stream.mean(-1, keepdim=True)) / 4.0)
    assert torch.allclose(centred.mean(-1), torch.zeros(2, 3), atol=1e-6)  # centred, unlike "fixed"
    leaf = stream.clone().requires_grad_()
    detached = _final_step("detached_sigma", layer_norm, leaf, 4.0)
    assert torch.allclose(detached, layer_norm(stream), atol=1e-5)  # LayerNorm's forward values
    weights = torch.randn(2, 3, 16)
    (detached * weights).sum().backward()  # sigma held constant: the gradient is (w - mean(w)) / sigma
    sigma = (stream.var(-1, unbiased=False, keepdim=True) + layer_norm.eps).sqrt()
    assert torch.allclose(leaf.grad, (weights - weights.mean(-1, keepdim=True)) / sigma, atol=1e-5)


def test_token_similarity_rises_with_depth():
    state = torch.random.get_rng_state()
    shallow = token_similarity(2, seed=0)
    assert torch.equal(state, torch.random.get_rng_state())
    assert shallow == token_similarity(2, seed=0)
    assert -1 <= shallow < token_similarity(16, seed=0) <= 1
    from vit_explained.norm_placement import _pre_norm_stream, _random_stack

    blocks, _, _, tokens, _ = _random_stack(3, 1, 16, True)  # the same value by a loop over pairs
    with torch.no_grad():
        stream = _pre_norm_stream(blocks, tokens)
    b, n, _ = stream.shape
    pairs = [
        torch.nn.functional.cosine_similarity(stream[i, j], stream[i, k], dim=0).item()
        for i in range(b)
        for j in range(n)
        for k in range(n)
        if j != k
    ]
    assert math.isclose(token_similarity(3, seed=1, dim=16), sum(pairs) / len(pairs), rel_tol=1e-5)


def test_stream_growth_summary_rows_and_table():
    from vit_explained.norm_placement import stream_growth_summary, stream_growth_table

    squared = {4: [90.0, 110.0], 2: [64.0, 64.0]}  # out of order on purpose
    rows = stream_growth_summary(squared, seeds=(0,), dim=64)
    assert [row["depth"] for row in rows] == [2, 4]
    assert rows[0]["squared"] == 64.0 and rows[0]["norm"] == 8.0 and rows[0]["norm_step"] is None
    assert rows[1]["squared_range"] == (90.0, 110.0) and abs(rows[1]["norm_step"] - (10.0 - 8.0) / 2) < 1e-12
    assert rows[1]["band"] == (3 * 64, 7 * 64) and 0 < rows[0]["cosine"] < rows[1]["cosine"] < 1
    table = stream_growth_table(rows).splitlines()
    assert (
        len(table) == 3
        and "Lemma 2" in table[0]
        and "||x_L||  + per block" in table[0]
        and "+1.0" in table[2]
        and "192 to 448" in table[2]
    )


def test_the_stream_norm_grows_more_slowly_beyond_16_blocks():
    """Lesson 04 says the norm grows by 1.3 to 1.4 per block over 2-16 blocks; its appendix prints seed 0 at 32 and
    64 blocks, below the 2-16 line; here the steps themselves shrink: seed 0 at 16, 32 and 64 blocks."""
    from vit_explained.norm_placement import pre_norm_stream_norm

    norms = {depth: pre_norm_stream_norm(depth, 0, squared=True) ** 0.5 for depth in (16, 32, 64)}
    step_16_32, step_32_64 = (norms[32] - norms[16]) / 16, (norms[64] - norms[32]) / 32
    assert step_32_64 < step_16_32 < 1.2


# --- fix round 6: the init-scale arm (Xavier, PyTorch's default, timm's std 0.02) ---


def test_init_scale_ablation_changes_only_the_init():
    from vit_explained.norm_placement import INITS, init_scale_ablation, pre_norm_stream_norm, timm_init

    arms = init_scale_ablation((2, 4), (0,))
    assert list(arms) == list(INITS) == ["xavier", "torch", "timm"]
    assert arms["xavier"][2] == [last_fc2_gradient(False, 2, 0)]  # the default init is Xavier
    assert len({arms[init][4][0] for init in INITS}) == 3  # the init changes the gradient
    assert init_scale_ablation((2,), (0,), inits=("timm",)) == {"timm": {2: [arms["timm"][2][0]]}}
    # small branches: the stream barely grows with timm's init, much more with Xavier's
    assert pre_norm_stream_norm(4, 0, init="timm") < pre_norm_stream_norm(4, 0, init="xavier")
    with pytest.raises(ValueError, match="init must be one of"):
        last_fc2_gradient(False, 2, 0, init="kaiming")
    block = Block(64, heads=4, mlp_dim=256)
    timm_init([block])
    assert abs(block.mlp.fc1.weight.std().item() - 0.02) < 0.002 and block.mlp.fc1.bias.abs().max() == 0


def test_init_scales_are_std_times_sqrt_fan_in():
    from vit_explained.norm_placement import init_scales

    scales = init_scales(48)
    assert set(scales) == {"xavier", "torch", "timm"} and set(scales["timm"]) == {"qkv", "proj", "fc1", "fc2"}
    assert abs(scales["torch"]["fc2"] - 1 / math.sqrt(3)) < 0.03  # PyTorch's default: the same at every width
    assert abs(scales["timm"]["qkv"] - 0.02 * math.sqrt(48)) < 0.01  # a fixed std grows with sqrt(D)
    assert abs(scales["timm"]["fc2"] - 0.02 * math.sqrt(4 * 48)) < 0.02
    assert abs(scales["xavier"]["fc1"] - math.sqrt(2 / 5)) < 0.03
    assert init_scales(48, inits=("timm",)).keys() == {"timm"}


def test_stored_init_runs_are_packaged_and_match_a_fresh_run():
    from pathlib import Path

    import vit_explained.norm_placement as norm_placement

    root = Path(__file__).resolve().parents[1]
    stored = root / "benchmarks" / "results" / "lesson04_init.json"
    assert norm_placement.STORED_INIT_RUNS.read_bytes() == stored.read_bytes()  # the packaged copy is the run's
    runs = norm_placement.stored_init_runs()
    assert runs["dim"] == 768 and runs["depths"] == [2, 4, 8, 16] and runs["seeds"] == [0, 1, 2]
    assert set(runs["gradients"]) == set(norm_placement.INITS) and list(runs["gradients"]["timm"]) == [2, 4, 8, 16]
    for init in norm_placement.INITS:  # the shallowest point of seed 0, recomputed here
        fresh = last_fc2_gradient(False, 2, 0, dim=768, init=init)
        assert abs(fresh / runs["gradients"][init][2][0] - 1) < 1e-4


def test_stored_depth_runs_are_packaged_and_match_a_fresh_run():
    from pathlib import Path

    import vit_explained.norm_placement as norm_placement

    root = Path(__file__).resolve().parents[1]
    stored = root / "benchmarks" / "results" / "lesson04_depth.json"
    assert norm_placement.STORED_DEPTH_RUNS.read_bytes() == stored.read_bytes()  # the packaged copy is the run's
    runs = norm_placement.stored_depth_runs()
    assert runs["dim"] == 64 and runs["depths"] == [16, 32, 64, 128] and runs["seeds"] == [0, 1, 2, 3, 4]
    assert list(runs["gradients"]) == list(runs["stream_squared"]) == [16, 32, 64, 128]
    assert abs(last_fc2_gradient(False, 16, 0) / runs["gradients"][16][0] - 1) < 1e-4  # seed 0, recomputed
    assert abs(pre_norm_stream_norm(16, 0, squared=True) / runs["stream_squared"][16][0] - 1) < 1e-4

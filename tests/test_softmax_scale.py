"""softmax_saturation: its statistics recomputed by hand (the gradients by the softmax's chain rule, not
autograd), the sqrt(d) growth of the spread, and its errors."""

import math

import pytest
import torch

from vit_explained.softmax_scale import SATURATED, score_gradient, softmax_saturation


def by_hand(head_dim, num_keys, samples, seed):
    generator = torch.Generator().manual_seed(seed)
    q, k = torch.randn(2, samples, num_keys, head_dim, generator=generator)
    upstream = torch.randn(samples, num_keys, num_keys, generator=generator)
    out = {}
    for name, scale in (("unscaled", 1.0), ("scaled", 1 / math.sqrt(head_dim))):
        scores = q @ k.transpose(-2, -1) * scale
        a = scores.softmax(-1)
        d_scores = a * (upstream - (upstream * a).sum(-1, keepdim=True))  # softmax's vector-Jacobian product
        top = a.max(-1).values
        out[name] = {
            "spread": scores.std().item(),
            "max_weight": top.mean().item(),
            "saturated": (top > SATURATED).float().mean().item(),
            "entropy": -(a * a.clamp_min(1e-30).log()).sum(-1).mean().item(),
            "grad_q": (scale * d_scores @ k).norm(dim=-1).mean().item(),
            "grad_k": (scale * d_scores.transpose(-2, -1) @ q).norm(dim=-1).mean().item(),
        }
        rows = d_scores.norm(dim=-1)
        saturated = top > SATURATED
        out[name]["grad_scores"] = rows.mean().item()
        for key, chosen in (("grad_scores_saturated", rows[saturated]), ("grad_scores_unsaturated", rows[~saturated])):
            out[name][key] = chosen.mean().item() if chosen.numel() else math.nan
    return out


@pytest.mark.parametrize(("head_dim", "num_keys", "samples", "seed"), [(4, 9, 3, 0), (64, 50, 2, 1), (64, 197, 2, 0)])
def test_statistics_equal_a_computation_by_hand(head_dim, num_keys, samples, seed):
    measured = softmax_saturation(head_dim, num_keys, samples, seed)
    expected = by_hand(head_dim, num_keys, samples, seed)
    for setting in ("unscaled", "scaled"):
        for key, value in expected[setting].items():
            assert measured[setting][key] == pytest.approx(value, rel=1e-5, abs=1e-7, nan_ok=True), (setting, key)


def test_the_scale_keeps_the_spread_at_one_and_the_rows_unsaturated():
    for head_dim in (16, 256):
        stats = softmax_saturation(head_dim, num_keys=100, samples=4)
        assert stats["unscaled"]["spread"] / math.sqrt(head_dim) == pytest.approx(1, abs=0.1)
        assert stats["scaled"]["spread"] == pytest.approx(1, abs=0.1) and stats["scaled"]["saturated"] == 0
    assert softmax_saturation(256, num_keys=100, samples=4)["unscaled"]["saturated"] > 0.5


def test_bad_arguments_name_the_value():
    with pytest.raises(ValueError, match="head_dim"):
        softmax_saturation(0)
    with pytest.raises(TypeError, match="num_keys"):
        softmax_saturation(8, num_keys=2.5)


def test_score_gradient_equals_autograd():
    generator = torch.Generator().manual_seed(5)
    scores = (6 * torch.randn(3, 4, 11, generator=generator, dtype=torch.float64)).requires_grad_()
    upstream = torch.randn(3, 4, 11, generator=generator, dtype=torch.float64)
    weights = scores.softmax(dim=-1)
    (weights * upstream).sum().backward()
    torch.testing.assert_close(score_gradient(weights.detach(), upstream), scores.grad, rtol=0, atol=1e-12)
    one_hot = torch.zeros(5)
    one_hot[2] = 1
    assert torch.equal(score_gradient(one_hot, torch.randn(5, generator=generator)), torch.zeros(5))
    with pytest.raises(ValueError, match="same shape"):
        score_gradient(weights, upstream[..., :3])


def test_saturated_rows_pass_back_less_and_the_scale_keeps_the_score_gradient_fixed():
    small, large = softmax_saturation(16, num_keys=100, samples=4), softmax_saturation(256, num_keys=100, samples=4)
    for stats in (small, large):
        unscaled = stats["unscaled"]
        assert unscaled["grad_scores_saturated"] < unscaled["grad_scores_unsaturated"] / 3
        assert math.isnan(stats["scaled"]["grad_scores_saturated"])  # no saturated rows with the scale
    assert large["unscaled"]["grad_scores"] < small["unscaled"]["grad_scores"]  # falls as d grows
    assert large["scaled"]["grad_scores"] == pytest.approx(small["scaled"]["grad_scores"], rel=0.1)


def test_init_saturation_follows_the_weight_variance_of_each_init():
    """q's variance is D times the weight variance on LayerNormed tokens; the unscaled spread is sqrt(d) q-var."""
    from vit_explained.softmax_scale import INITS, init_saturation

    dim, heads = 256, 4
    weight_variance = {"trunc_normal(.02)": 0.02**2, "xavier, fused qkv": 2 / (4 * dim), "xavier, per q/k/v": 1 / dim}
    weight_variance["nn.MultiheadAttention"] = 2 / (4 * dim)  # review r35a M1: its xavier_uniform_ on in_proj_weight
    for init in INITS:
        stats = init_saturation(init, dim=dim, heads=heads, num_tokens=64, seed=1)
        assert stats["saturated_scaled"] <= stats["saturated"]
        if init in weight_variance:  # zero bias: q's variance is D x the weight variance
            q_variance = dim * weight_variance[init]
            assert stats["q_spread"] ** 2 == pytest.approx(q_variance, rel=0.1), init
            assert stats["spread"] == pytest.approx(math.sqrt(dim // heads) * q_variance, rel=0.15), init
    state = torch.random.get_rng_state()
    init_saturation("torch default", dim=64, heads=2, num_tokens=8)
    assert torch.equal(state, torch.random.get_rng_state())  # the global random state is untouched
    with pytest.raises(ValueError, match="init must be one of"):
        init_saturation("kaiming")


def test_score_gradient_norm_for_random_upstream_follows_the_stated_formula():
    """The docstring's formula: E ||a * (g - <g, a>)||^2 = ||a||^2 - 2 sum(a^3) + ||a||^4 for g ~ N(0, 1)."""
    generator = torch.Generator().manual_seed(0)
    for sharpness in (0.5, 4.0, 16.0):
        a = (torch.randn(1, 50, generator=generator, dtype=torch.float64) * sharpness).softmax(-1).expand(40000, 50)
        g = torch.randn(40000, 50, generator=generator, dtype=torch.float64)
        measured = score_gradient(a, g).pow(2).sum(-1).mean().item()
        norm2 = a[0].pow(2).sum().item()
        expected = norm2 - 2 * a[0].pow(3).sum().item() + norm2**2
        assert abs(measured / expected - 1) < 0.05


def test_summarize_saturation_reads_the_runs_seed_by_seed():
    from vit_explained.softmax_scale import summarize_saturation

    runs = {d: [softmax_saturation(d, num_keys=20, samples=2, seed=seed) for seed in range(2)] for d in (4, 16, 64)}
    summary = summarize_saturation(runs, saturated_at=(64,), ratio_at=(16, 64), reference_dim=64)
    unscaled = [run["unscaled"] for run in runs[64]]
    assert summary.saturated[64].values == tuple(stats["saturated"] for stats in unscaled)
    ratios = [u["grad_scores"] / s["scaled"]["grad_scores"] for u, s in zip(unscaled, runs[64], strict=True)]
    assert summary.mean_ratio[64].values == pytest.approx(ratios)
    assert summary.scaled_saturated == max(run["scaled"]["saturated"] for seeds in runs.values() for run in seeds)
    q_ratios = [u["grad_q"] / s["scaled"]["grad_q"] for u, s in zip(unscaled, runs[64], strict=True)]
    assert summary.query_ratio[64].values == pytest.approx(q_ratios)
    assert (
        len(summary.main_lines().splitlines()) == 3
    )  # section 3: the saturated share, what those rows pass back, the mean
    assert "mean gradient at each query" in summary.mean_lines() and "d =   16:" in summary.mean_lines()
    text = str(summary)
    assert "at every d from 4 to 64" in text and "d =   16:" in text and "no scale, d = 64" in text
    with pytest.raises(ValueError, match="no results for head width 1024"):
        summarize_saturation(runs)


def test_init_saturation_reads_nn_multiheadattention_as_built():
    """Review r35a M1: the "nn.MultiheadAttention" row is the module's own init (q, k from its in_proj_weight and
    in_proj_bias on the same LayerNormed tokens), recomputed here by hand from torch's module."""
    from torch import nn

    from vit_explained import Attention
    from vit_explained.softmax_scale import init_saturation

    dim, heads, tokens_n, seed = 64, 4, 33, 3
    with torch.random.fork_rng(devices=[]), torch.no_grad():
        torch.manual_seed(seed)
        Attention(dim, heads)  # the same draws as init_saturation makes before the module
        mha = nn.MultiheadAttention(dim, heads)
        tokens = torch.nn.functional.layer_norm(torch.randn(1, tokens_n, dim), (dim,))
        q, k, _ = torch.nn.functional.linear(tokens, mha.in_proj_weight, mha.in_proj_bias).chunk(3, dim=-1)
        q, k = (t.reshape(1, tokens_n, heads, dim // heads).transpose(1, 2) for t in (q, k))
        top = (q @ k.transpose(-2, -1)).softmax(-1).max(-1).values
    stats = init_saturation("nn.MultiheadAttention", dim=dim, heads=heads, num_tokens=tokens_n, seed=seed)
    assert stats["saturated"] == pytest.approx((top > SATURATED).float().mean().item())
    assert stats["q_spread"] == pytest.approx(q.std().item(), rel=1e-5)

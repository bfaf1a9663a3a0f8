"""Lesson 04, review j: exercise 1 refuses a finite difference; exercise 6 names four more slips."""

import math

import pytest
import torch

from vit_explained.exercises import ExerciseFailed
from vit_explained.exercises.lesson04 import check_gelu_slope, check_post_norm_block


def rejected(checker, answer, *fragments):
    with pytest.raises(ExerciseFailed) as error:
        checker(answer)
    for fragment in fragments:
        assert fragment in str(error.value), str(error.value)


def _gelu(t):
    return t * 0.5 * (1 + torch.erf(t / math.sqrt(2)))


def central_difference(x):
    h = 1e-6
    return (_gelu(x.double() + h) - _gelu(x.double() - h)) / (2 * h)


def central_difference_constant(x):
    return (_gelu(x + 1e-5) - _gelu(x - 1e-5)) / 2e-5


def forward_difference(x):
    step = 1e-7
    return (_gelu(x + step) - _gelu(x)) / step


@pytest.mark.parametrize("answer", [central_difference, central_difference_constant, forward_difference])
def test_gelu_slope_refuses_a_finite_difference_from_its_source(answer):
    rejected(check_gelu_slope, answer, "finite difference", "product rule")


def slope_with_names(x):  # right, with a + and a - on names: not a finite difference
    cdf = 0.5 * (1 + torch.erf(x / math.sqrt(2)))
    density = torch.exp(-0.5 * x * x) / math.sqrt(2 * math.pi)
    return cdf + x * density


def test_gelu_slope_still_accepts_the_formula(capsys):
    check_gelu_slope(slope_with_names)
    assert "Correct!" in capsys.readouterr().out


def mlp_reads_x(x, block):
    h = block.norm1(x + block.attn(x))
    return block.norm2(h + block.mlp(x))


def second_residual_from_x(x, block):
    h = block.norm1(x + block.attn(x))
    return block.norm2(x + block.mlp(h))


def residual_to_the_unnormalised_sum(x, block):
    a = x + block.attn(x)  # post-norm renames the stream: the residual adds h = norm1(a), not a
    return block.norm2(a + block.mlp(block.norm1(a)))


def norm2_missing(x, block):
    h = block.norm1(x + block.attn(x))
    return h + block.mlp(h)


def norms_on_the_branches(x, block):
    h = x + block.norm1(block.attn(x))
    return h + block.norm2(block.mlp(h))


def norm_on_the_residual_term(x, block):
    h = block.norm1(x) + block.attn(x)  # review r31c minor 10: one term normalised, not the sum
    return block.norm2(h) + block.mlp(h)


@pytest.mark.parametrize(
    ("answer", "fragment"),
    [
        (mlp_reads_x, "the MLP reads x"),
        (norm_on_the_residual_term, "normalise the sum, not one term"),
        (second_residual_from_x, "the second residual adds x"),
        (residual_to_the_unnormalised_sum, "adds the un-normalised sum x + attn(x)"),
        (norm2_missing, "norm2 is missing"),
        (norms_on_the_branches, "applied to the branches' outputs"),
    ],
)
def test_post_norm_block_names_four_more_slips(answer, fragment):
    rejected(check_post_norm_block, answer, fragment)


def test_post_norm_block_still_accepts_the_right_block(capsys):
    def answer(x, block):
        x = block.norm1(x + block.attn(x))
        return block.norm2(x + block.mlp(x))

    check_post_norm_block(answer)
    assert "Correct!" in capsys.readouterr().out


def _erf_gelu(t):
    return t * 0.5 * (1 + torch.erf(t / math.sqrt(2)))


@pytest.mark.parametrize(
    ("answer", "public"),
    [
        (lambda x: torch.vmap(torch.func.grad(_erf_gelu))(x.reshape(-1)).reshape(x.shape), "torch.func.grad"),
        (lambda x: torch.func.jvp(_erf_gelu, (x,), (torch.ones_like(x),))[1], "torch.func.jvp"),
    ],
)
def test_gelu_slope_names_torch_func_as_a_learner_calls_it(answer, public):
    """r28 item 5 (review r27f minor 12): the refusal names torch.func.grad / jvp, not torch._functorch's modules."""
    with pytest.raises(ExerciseFailed) as refused:
        check_gelu_slope(answer)
    assert f"called {public}" in str(refused.value) and "_functorch" not in str(refused.value)


def test_drop_path_names_a_b_by_1_mask():
    """r28 item 5 (review r27f minor 12): a (B, 1) mask is named by its shape."""
    from vit_explained.exercises.lesson04 import check_drop_path

    def drop_path(x, p, training):
        if not training or p == 0:
            return x
        return x * (torch.rand(x.shape[0], 1) >= p).to(x.dtype) / (1 - p)

    with pytest.raises(ExerciseFailed) as refused:
        check_drop_path(drop_path)
    assert "(B, 1)" in str(refused.value)


def test_parallel_block_names_attention_weights_returned():
    """r29o (review r29b minor 12): attn called with its weights flag returns (output, weights); the message says so."""
    from vit_explained.exercises.lesson04 import check_parallel_block

    def answer(x, block):
        return block.attn(block.norm1(x), True)

    with pytest.raises(ExerciseFailed, match=r"attn returned \(output, weights\)"):
        check_parallel_block(answer)


def test_parallel_block_names_a_branch_added_twice():
    """r31 item 6 (review r30c minor 13): attn(h) twice in place of mlp(h) names mlp's missing term."""
    from vit_explained.exercises.lesson04 import check_parallel_block

    def twice(x, block):
        h = block.norm1(x)
        return x + block.attn(h) + block.attn(h)

    with pytest.raises(ExerciseFailed, match="attn is added twice and mlp's term is missing"):
        check_parallel_block(twice)


def test_parallel_block_names_attention_indexed_like_multihead_attention():
    """r31u item 4 (review r31a minor 12): block.attn(h)[0], nn.MultiheadAttention's habit, is named."""
    from vit_explained.exercises.lesson04 import check_parallel_block

    def first(x, block):
        h = block.norm1(x)
        return x + block.attn(h)[0] + block.mlp(h)

    rejected(check_parallel_block, first, "returns one tensor, not (out, weights)", "[0] takes the first image's")


def _post_norm_with(norm1, norm2):
    def answer(x, block):
        h = norm1(block, x + block.attn(x))
        return norm2(block, h + block.mlp(h))

    return answer


@pytest.mark.parametrize(
    ("answer", "fragments"),
    [
        (
            _post_norm_with(
                lambda b, t: torch.nn.functional.layer_norm(t, t.shape[-1:], b.norm1.weight, b.norm1.bias),
                lambda b, t: torch.nn.functional.layer_norm(t, t.shape[-1:], b.norm2.weight, b.norm2.bias),
            ),
            ("eps=1e-06", "F.layer_norm's default is 1e-5"),
        ),
        (
            _post_norm_with(
                lambda b, t: torch.nn.functional.layer_norm(t, t.shape[-1:]),
                lambda b, t: torch.nn.functional.layer_norm(t, t.shape[-1:]),
            ),
            ("a fresh LayerNorm (weight 1, bias 0)",),
        ),
        (
            _post_norm_with(
                lambda b, t: torch.nn.functional.layer_norm(t, t.shape[-1:], eps=1e-6),
                lambda b, t: torch.nn.functional.layer_norm(t, t.shape[-1:], eps=1e-6),
            ),
            ("a fresh LayerNorm (weight 1, bias 0)",),
        ),
    ],
)
def test_post_norm_block_names_exercise_fours_layer_norm_slips(answer, fragments):
    """r31u item 4 (review r31a minor 11): F.layer_norm's default eps and a fresh LayerNorm, named as in exercise 4."""
    rejected(check_post_norm_block, answer, *fragments)


def test_post_norm_block_names_attention_indexed_like_multihead_attention():
    def first(x, block):
        h = block.norm1(x + block.attn(x)[0])
        return block.norm2(h + block.mlp(h))

    rejected(check_post_norm_block, first, "returns one tensor, not (out, weights)")


@pytest.mark.parametrize("module", [False, True])
def test_layer_norm_refusal_says_nn_layer_norm_calls_the_function(module):
    """r31u item 4 (review r31a minor 13): a learner who typed nn.LayerNorm reads why F.layer_norm is named."""
    from vit_explained.exercises.lesson04 import check_layer_norm

    def answer(x, weight, bias, eps):
        if not module:
            return torch.nn.functional.layer_norm(x, x.shape[-1:], weight, bias, eps)
        norm = torch.nn.LayerNorm(x.shape[-1], eps=eps, dtype=x.dtype)
        with torch.no_grad():
            norm.weight.copy_(weight)
            norm.bias.copy_(bias)
        return norm(x)

    rejected(check_layer_norm, answer, "your function called torch.nn.functional.layer_norm (nn.LayerNorm calls it)")


# --- review r33c minors 1-3: the res-post order, a returned shape, the float32 message's parentheses ---


def res_post_mlp_half(x, block):
    h = block.norm1(x + block.attn(x))
    return h + block.norm2(block.mlp(h))  # the res-post order (Swin V2): the norm on the branch's output


def timm_res_post_block(x, block):
    h = x + block.norm1(block.attn(x))  # timm's ResPostBlock: both branches' outputs normalised
    return h + block.norm2(block.mlp(h))


def test_post_norm_block_names_the_res_post_order():
    rejected(check_post_norm_block, res_post_mlp_half, "res-post order", "post-norm normalises the sum")
    rejected(check_post_norm_block, timm_res_post_block, "applied to the branches' outputs", "ResPostBlock")


def test_post_norm_block_accepts_the_formula_and_refuses_the_reference_class(capsys):
    """r34a item 6 (review r34a minor 7): exercise 5's box names PostNormBlock as the check's reference; calling it
    is refused, as block(x) is (exercises 4 and 5 ask for the block from its parts)."""

    def one_line(x, block):
        h = block.norm1(x + block.attn(x))
        return block.norm2(h + block.mlp(h))

    def with_the_class(x, block):
        from vit_explained.norm_placement import PostNormBlock

        return PostNormBlock.forward(block, x)

    check_post_norm_block(one_line)
    assert "Correct!" in capsys.readouterr().out
    rejected(check_post_norm_block, with_the_class, "don't call PostNormBlock.forward", "block.norm1, block.attn")


def test_gelu_slope_names_a_returned_shape():
    rejected(check_gelu_slope, lambda x: x.shape, "returned a shape (a torch.Size, as x.shape)")
    rejected(check_gelu_slope, lambda x: torch.zeros(2, 3).shape, "returned a shape")  # not a 1-tuple message


def test_gelu_slope_float32_message_closes_its_parentheses():
    with pytest.raises(ExerciseFailed) as error:
        check_gelu_slope(
            lambda x: (
                0.5 * (1 + torch.erf(x.float() / math.sqrt(2)))
                + x.float() * torch.exp(-0.5 * x.float() ** 2) / math.sqrt(2 * math.pi)
            )
        )
    text = str(error.value)
    assert "your result is float32" in text and text.count("(") == text.count(")") and text.endswith(")")


# --- r35a item 3 (review r34f minor 3): a stencil whose offsets sit in a tensor, a list or a loop is refused ---

_STEP6 = 0.01
OFFSETS6 = torch.tensor([-3.0, -2.0, -1.0, 1.0, 2.0, 3.0], dtype=torch.float64) * _STEP6  # review r34f's stencil
WEIGHTS6 = torch.tensor([-1 / 60, 3 / 20, -3 / 4, 3 / 4, -3 / 20, 1 / 60], dtype=torch.float64) / _STEP6


def stencil_offsets_outside(x):  # review r34f's answer: within 1.5e-13 of the slope, above the 2e-15 tolerance
    return (_gelu(x.double().unsqueeze(-1) + OFFSETS6) * WEIGHTS6).sum(-1)


def stencil_offsets_inside(x):
    h = 0.01
    offsets = torch.tensor([-3.0, -2.0, -1.0, 1.0, 2.0, 3.0], dtype=torch.float64) * h
    weights = torch.tensor([-1 / 60, 3 / 20, -3 / 4, 3 / 4, -3 / 20, 1 / 60], dtype=torch.float64) / h
    return (_gelu(x.double()[..., None] + offsets) * weights).sum(-1)


def stencil_in_a_loop(x):
    h, total = 0.01, 0
    for k, w in zip((-3, -2, -1, 1, 2, 3), (-1 / 60, 3 / 20, -3 / 4, 3 / 4, -3 / 20, 1 / 60), strict=True):
        total = total + w * _gelu(x.double() + k * h) / h
    return total


def stencil_over_a_list_of_offsets(x):
    pairs = zip((-0.03, -0.02, -0.01, 0.01, 0.02, 0.03), (-1 / 60, 3 / 20, -3 / 4, 3 / 4, -3 / 20, 1 / 60), strict=True)
    return sum(w * _gelu(x.double() + o) for o, w in pairs) / 0.01


def test_the_six_point_stencil_misses_the_tolerance_so_its_values_refuse_it():
    grid = torch.linspace(-6.0, 6.0, 241, dtype=torch.float64)
    leaf = grid.clone().requires_grad_(True)
    (reference,) = torch.autograd.grad(torch.nn.functional.gelu(leaf).sum(), leaf)
    assert 2e-15 < (stencil_offsets_outside(grid) - reference).abs().max().item() < 1e-12


@pytest.mark.parametrize(
    "answer", [stencil_offsets_outside, stencil_offsets_inside, stencil_in_a_loop, stencil_over_a_list_of_offsets]
)
def test_gelu_slope_refuses_a_stencil_with_its_offsets_in_a_tensor_or_a_loop(answer):
    rejected(check_gelu_slope, answer, "finite difference", "product rule")


def slope_with_offsets_of_its_own(x):  # right: adds and subtracts terms that read x, and constants above 0.1
    x = x.double()
    log_density = -(x**2) / 2 - 0.5 * math.log(2 * math.pi)
    cdf = 0.5 * torch.erfc(-(x + 0.0 * x) / math.sqrt(2))
    return cdf + x * torch.exp(log_density - 0.0 * x)


def test_gelu_slope_still_accepts_formulas_that_add_terms_to_x(capsys):
    check_gelu_slope(slope_with_offsets_of_its_own)
    assert "Correct!" in capsys.readouterr().out


# --- r35a item 3 (review r34f minor 4, review r34e minor 8): rounded constants and forward-mode AD named ---


def slope_with_four_digit_constants(x):
    return 0.5 * (1 + torch.erf(x / 1.4142)) + x * torch.exp(-(x**2) / 2) * 0.3989


def slope_with_eight_digit_constants(x):
    return 0.5 * (1 + torch.erf(x / 1.41421356)) + x * torch.exp(-(x**2) / 2) * 0.39894228


def test_gelu_slope_names_a_constant_typed_with_few_digits():
    rejected(
        check_gelu_slope, slope_with_four_digit_constants, "close", "a constant typed with few digits", "math.sqrt(2)"
    )
    rejected(check_gelu_slope, slope_with_eight_digit_constants, "2e-15", "A constant typed with few digits")


def slope_by_forward_mode(x):
    import torch.autograd.forward_ad as forward_ad

    with forward_ad.dual_level():
        dual = forward_ad.make_dual(x, torch.ones_like(x))
        return forward_ad.unpack_dual(_gelu(dual)).tangent


def test_gelu_slope_names_forward_mode_autograd_by_its_public_name():
    rejected(check_gelu_slope, slope_by_forward_mode, "torch.autograd.forward_ad", "not autograd")
    with pytest.raises(ExerciseFailed) as error:
        check_gelu_slope(slope_by_forward_mode)
    assert "_functorch" not in str(error.value)


# --- r35a (review r34e minor 7): a head width fixed at 64 is named as a width, not as 64 heads ---


def macs_with_head_width_64(dim, mlp_dim, tokens):
    attention_matrix = 2 * tokens * tokens * 64 * (dim // 64)  # heads of width 64, as many as fit
    return tokens * (4 * dim * dim + 2 * dim * mlp_dim) + attention_matrix


def test_block_macs_names_a_head_width_fixed_at_64():
    from vit_explained.exercises.lesson04 import _fixed_heads_slip, check_block_macs

    rejected(check_block_macs, macs_with_head_width_64, "fixes the head width at 64", "64 of the D = 100 features")
    d, n = 200, 50  # 64 and 48 heads would both cover 192 features: the width is named, not a head count
    right = n * (4 * d * d + 2 * d * 800) + 2 * n * n * d
    message = _fixed_heads_slip(d, n, right, macs_with_head_width_64(d, 800, n))
    assert message is not None and "fixes the head width at 64" in message and "192 of the D = 200" in message


# --- quick 35a item 1 (audit a35a): stencils typed with x.dtype, named before the call, or over module-level steps ---


def stencil_typed_with_the_input(x):  # x.dtype reads the input's type, not its values
    h = 1e-4
    offsets = torch.tensor([-1.0, 1.0], dtype=x.dtype) * h
    values = _gelu(x[..., None] + offsets)
    return (values[..., 1] - values[..., 0]) / (2 * h)


def stencil_on_a_named_grid(x):
    h = 1e-4
    offsets = torch.tensor([-1.0, 1.0]) * h
    grid = x[..., None] + offsets
    values = _gelu(grid)
    return (values[..., 1] - values[..., 0]) / (2 * h)


def stencil_on_a_named_grid_inline(x):  # GELU written out on the grid: erf reads it
    h = 1e-4
    offsets = torch.tensor([-2.0, -1.0, 1.0, 2.0], dtype=x.dtype) * h
    weights = torch.tensor([1.0, -8.0, 8.0, -1.0], dtype=x.dtype) / (12 * h)
    grid = x[..., None] + offsets
    return (grid * 0.5 * (1 + torch.erf(grid / math.sqrt(2))) * weights).sum(-1)


STEPS = (-1e-4, 1e-4)
STEPS_ARRAY = __import__("numpy").array([-5e-5, 5e-5])


def stencil_over_module_steps(x):
    low, high = [_gelu(x + s) for s in STEPS]
    return (high - low) / 2e-4


def stencil_over_a_module_array(x):
    low, high = [_gelu(x + float(s)) for s in STEPS_ARRAY]
    return (high - low) / 1e-4


@pytest.mark.parametrize(
    "answer",
    [
        stencil_typed_with_the_input,
        stencil_on_a_named_grid,
        stencil_on_a_named_grid_inline,
        stencil_over_module_steps,
        stencil_over_a_module_array,
    ],
)
def test_gelu_slope_names_stencils_typed_named_or_stepped_from_outside(answer):
    rejected(check_gelu_slope, answer, "finite difference", "x plus offsets", "product rule")


def slope_with_constants_typed_like_x(x):  # right: constants built with x.dtype and x.device
    root_two = torch.tensor(2.0, dtype=x.dtype, device=x.device).sqrt()
    density = torch.exp(-(x**2) / 2) / torch.tensor(2 * math.pi, dtype=x.dtype).sqrt()
    return 0.5 * (1 + torch.erf(x / root_two)) + x * density


def test_gelu_slope_accepts_constants_typed_like_x(capsys):
    check_gelu_slope(slope_with_constants_typed_like_x)
    assert "Correct!" in capsys.readouterr().out


def test_gelu_slope_close_message_names_a_finite_difference_it_cannot_read():
    namespace = {"torch": torch, "math": math}  # no source to read: only the values judge it
    exec(
        "def wide(x):\n    h = 1e-2\n    g = lambda t: t * 0.5 * (1 + torch.erf(t / math.sqrt(2)))\n"
        "    return (g(x + h) - g(x - h)) / (2 * h)\n",
        namespace,
    )
    rejected(check_gelu_slope, namespace["wide"], "close", "or a finite difference?", "and the product rule")


# --- fix 35b M1 (review r35a M1): the float64 tolerance, 2e-15, refuses a finite difference by its values ---

SQRT2 = math.sqrt(2)


def reviewer_stencil_fixed_step(x):  # review r35a: accepted 14 of 200 times under the 1e-12 tolerance
    h = 1 / 200
    g = _gelu
    return (g(x + 3 * h) - 9 * g(x + 2 * h) + 45 * g(x + h) - 45 * g(x - h) + 9 * g(x - 2 * h) - g(x - 3 * h)) / (
        60 * h
    )


def reviewer_stencil_dtype_step(x):  # review r35a: accepted 200 of 200 times under the 1e-12 tolerance
    h = torch.finfo(x.dtype).eps ** (1 / 7)
    g = _gelu
    return (g(x + 3 * h) - 9 * g(x + 2 * h) + 45 * g(x + h) - 45 * g(x - h) + 9 * g(x - 2 * h) - g(x - 3 * h)) / (
        60 * h
    )


def test_the_reviewers_seven_point_stencils_are_refused_every_time():
    for _ in range(50):  # the fixed step: once passed on some random points
        rejected(check_gelu_slope, reviewer_stencil_fixed_step, "2e-15", "finite difference")
    for _ in range(5):
        rejected(check_gelu_slope, reviewer_stencil_dtype_step, "2e-15", "finite difference")


def _density(x):
    return torch.exp(-(x**2) / 2) / math.sqrt(2 * math.pi)


def _by_scipy(x):
    from scipy.stats import norm

    t = x.numpy()
    return torch.from_numpy(norm.cdf(t) + t * norm.pdf(t))


def _by_scipy_erf(x):
    import numpy as np
    from scipy.special import erf

    t = x.numpy()
    return torch.from_numpy(0.5 * (1 + erf(t / np.sqrt(2))) + t * np.exp(-(t**2) / 2) / np.sqrt(2 * np.pi))


def _by_normal(x):
    normal = torch.distributions.Normal(0.0, 1.0)
    return normal.cdf(x) + x * normal.log_prob(x).exp()


RIGHT_SLOPES = {
    "erf": lambda x: 0.5 * (1 + torch.erf(x / SQRT2)) + x * _density(x),
    "erfc": lambda x: 0.5 * torch.erfc(-x / SQRT2) + x * _density(x),
    "special.ndtr": lambda x: torch.special.ndtr(x) + x * _density(x),
    "Normal cdf, log_prob.exp": _by_normal,
    "scipy.stats.norm": _by_scipy,
    "scipy.special.erf": _by_scipy_erf,
    "torch.pi": lambda x: 0.5 * (1 + torch.erf(x / 2**0.5)) + x * torch.exp(-(x**2) / 2) / (2 * torch.pi) ** 0.5,
    "16-digit constants": lambda x: (
        0.5 * (1 + torch.erf(x * 0.7071067811865476)) + x * torch.exp(-0.5 * x * x) * 0.3989422804014327
    ),
    "log-space density": lambda x: (
        0.5 * (1 + torch.erf(x / SQRT2)) + x * torch.exp(-(x**2) / 2 - 0.5 * math.log(2 * math.pi))
    ),
    "float64 inside, cast back": lambda x: (
        0.5 * (1 + torch.erf(x.double() / SQRT2)) + x.double() * _density(x.double())
    ).to(x.dtype),
}


@pytest.mark.parametrize("name", list(RIGHT_SLOPES))
def test_gelu_slope_accepts_right_answers_written_many_ways(name, capsys):
    check_gelu_slope(RIGHT_SLOPES[name])
    assert capsys.readouterr().out.startswith("Correct!")


def _check_points(random_points):
    grid = torch.linspace(-6.0, 6.0, 241, dtype=torch.float64)
    grid[120] = 0.0
    extra = 3 * torch.randn(random_points, dtype=torch.float64, generator=torch.Generator().manual_seed(35))
    return torch.cat([grid, extra])


def _autograd(x):
    leaf = x.clone().requires_grad_(True)
    (slope,) = torch.autograd.grad(torch.nn.functional.gelu(leaf).sum(), leaf)
    return slope


def test_right_answers_land_within_5e16_of_autograd():
    """Exercise 1's box: 'the formula lands within 5e-16' (the check's grid and 3,000 random points; at most 4.4e-16,
    scipy's erf; the others 2.2e-16)."""
    x = _check_points(3000)
    reference = _autograd(x)
    for name, answer in RIGHT_SLOPES.items():
        assert (answer(x) - reference).abs().max().item() < 5e-16, name


def _central_weights(points):
    """Exact weights c_k of the central first-derivative stencil sum_k c_k (f(x + k h) - f(x - k h)) / h."""
    from fractions import Fraction

    m = points // 2
    rows = [[Fraction(k) ** (2 * p + 1) for k in range(1, m + 1)] + [Fraction(p == 0, 2)] for p in range(m)]
    for i in range(m):  # Gauss-Jordan on exact fractions
        rows[i] = [v / rows[i][i] for v in rows[i]]
        for r in range(m):
            if r != i:
                rows[r] = [a - rows[r][i] * b for a, b in zip(rows[r], rows[i], strict=True)]
    return [float(row[-1]) for row in rows]


def test_no_central_stencil_comes_within_3e15_at_any_step():
    """Exercise 1's box: 'no finite difference we tried comes within 3e-15 (central ones of 3 to 121 points, each
    at the best step tried)': the check's grid alone, differences taken in pairs (the most accurate grouping), 300
    steps each (above 13 points, 101 from 0.1 to 0.6, where the best steps lie). A finer sweep (400 steps) found
    8.3e-14 at 7 points, 3e-14 at 9, 1.8e-14 at 11, 3.3e-15 at 121 and 3.1e-15 at 201 (audit a35b): the margin
    over the 2e-15 tolerance is about 1.5x."""
    import numpy as np

    x = _check_points(0)
    reference = _autograd(x)
    for points in (3, 5, 7, 9, 11, 13, 21, 41, 61, 81, 121):
        weights = _central_weights(points)
        best = min(
            (sum(c * (_gelu(x + k * h) - _gelu(x - k * h)) for k, c in enumerate(weights, 1)) / h - reference)
            .abs()
            .max()
            .item()
            for h in (np.logspace(-6, math.log10(0.6), 300) if points <= 13 else np.linspace(0.1, 0.6, 101))
        )
        assert best > 3e-15, (points, best)
        if points <= 11:
            assert best > 1.5e-14, (points, best)  # five times the 2e-15 tolerance and more

"""Lesson 04, review r22h: section 6a states its setup (Xavier-uniform weights, 4 heads, 8 x 16 random tokens,
random labels, a 10-class head on token 0) and Answer 6a quotes the std-0.02 (timm) slopes of appendix B; cell 50's
torch.randn row; 'this trained model' before the knockouts; Answer 6c's 9 runs are 3 seeds at 3 warm-ups;
exercise 1 names math.erf on a tensor, exercise 5 names pre-norm on the attention half only."""

import math

import pytest
import torch

from tests import _notebook as nb
from vit_explained.exercises import ExerciseFailed
from vit_explained.exercises.lesson04 import check_gelu_slope, check_post_norm_block
from vit_explained.norm_placement import last_fc2_gradient

LESSON = nb.NOTEBOOKS / "04_gelu_mlp_and_block.ipynb"
APPENDIX = nb.NOTEBOOKS / "04_gelu_mlp_and_block_appendix.ipynb"


def _section(text: str) -> str:
    sources = nb.sources(LESSON)
    return nb.flat(sources[nb.unique_index(sources, text)])


def test_section_6a_states_the_setup_its_result_depends_on() -> None:
    head = _section("**6a · The gradient against depth.**")
    setup = "(D = 64, 4 heads, Xavier-uniform weights; 8 x 16 random tokens, random labels; a 10-class head on token 0)"
    assert setup in head
    doc = " ".join(last_fc2_gradient.__doc__.split())  # the probe's own description says the same
    for fact in ("4 heads", "Xavier weights", "8 sequences of 16 random tokens", "10-class head on the first token"):
        assert fact in doc, fact
    assert "random labels" in doc


def test_answer_6a_quotes_the_std_002_slopes_of_appendix_b() -> None:
    answer = _section("**Answer 6a.**")
    # 24b (r24a_04): per seed (t over the seeds' slopes), not the pooled 12-point intervals
    quoted = "with std-0.02 weights, appendix B finds no detectable fall at D = 64)"  # 24d: the intervals printed there
    head = _section("**6a · The gradient against depth.**")  # 24f: the caveat moved into the 6a set-up
    assert quoted in head and "[-0.104, +0.017]" not in answer and "[-0.104, +0.017]" not in head
    printed = nb.all_printed(APPENDIX)
    assert "timm            0.16  0.16  0.16  0.32   L^-0.044 [-0.104, +0.017]" in printed
    assert "L^-0.243 [-0.304, -0.182]" in printed


def test_cell_50_torch_randn_row_and_the_knockout_model() -> None:
    bugs = _section("Version **a** never subtracts the mean")
    assert "only as errors of order 0.1**, easy to wave off in a printout; a standardised input hides both" in bugs
    assert "loose tolerance" not in bugs
    assert _section("Silence every block's MLP branch").startswith("Does this trained model use its MLPs?")


def test_answer_6c_says_the_nine_runs_are_three_seeds() -> None:
    answer = _section("**Answer 6c.**")
    assert "near chance in all 9 runs (3 seeds, reused at 3 warm-ups)" in answer


def _message(checker, answer) -> str:
    with pytest.raises(ExerciseFailed) as error:
        checker(answer)
    return str(error.value)


def test_exercise_1_names_math_erf_on_a_tensor() -> None:
    def with_math_erf(x):
        return 0.5 * (1 + math.erf(x / math.sqrt(2))) + x * torch.exp(-x * x / 2) / math.sqrt(2 * math.pi)

    def with_math_exp(x):
        return 0.5 * (1 + torch.erf(x / math.sqrt(2))) + x * math.exp(-x * x / 2) / math.sqrt(2 * math.pi)

    for slip in (with_math_erf, with_math_exp):
        message = _message(check_gelu_slope, slip)
        assert "use torch.erf" in message and "math.erf takes one number" in message

    def right_torch(x):
        return 0.5 * (1 + torch.erf(x / math.sqrt(2))) + x * torch.exp(-x * x / 2) / math.sqrt(2 * math.pi)

    def right_normal(x):
        normal = torch.distributions.Normal(torch.zeros((), dtype=x.dtype), torch.ones((), dtype=x.dtype))
        return normal.cdf(x) + x * normal.log_prob(x).exp()

    def right_special(x):
        return torch.special.ndtr(x) + x * torch.exp(-0.5 * x**2) / (2 * math.pi) ** 0.5

    for right in (right_torch, right_normal, right_special):
        check_gelu_slope(right)


def test_exercise_5_names_pre_norm_on_the_attention_half_only() -> None:
    def attention_half_pre_norm(x, block):
        h = block.norm1(x + block.attn(block.norm1(x)))
        return block.norm2(h + block.mlp(h))

    message = _message(check_post_norm_block, attention_half_pre_norm)
    assert "pre-norm on the attention half only" in message

    def both_halves(x, block):  # the symmetric slip keeps its own message
        h = block.norm1(x + block.attn(block.norm1(x)))
        return block.norm2(h + block.mlp(block.norm2(h)))

    assert "pre-norm and post-norm together" in _message(check_post_norm_block, both_halves)

    def right(x, block):
        h = block.norm1(x + block.attn(x))
        return block.norm2(h + block.mlp(h))

    def right_two_steps(x, block):
        x = block.norm1(x + block.attn(x))
        y = block.mlp(x)
        return block.norm2(y + x)

    def right_with_layer_norm(x, block):
        n1, n2 = block.norm1, block.norm2
        h = torch.nn.functional.layer_norm(x + block.attn(x), n1.normalized_shape, n1.weight, n1.bias, n1.eps)
        return torch.nn.functional.layer_norm(h + block.mlp(h), n2.normalized_shape, n2.weight, n2.bias, n2.eps)

    for answer in (right, right_two_steps, right_with_layer_norm):
        check_post_norm_block(answer)


def test_the_figure_s_n_is_named_where_the_figure_is_introduced() -> None:
    """The lesson's N counts tokens (as lessons 03, 05, 06, 08 do); lesson 01's map labels N the patches and the
    blocks' input (B, N + 1, D): the sentence before the figure says so."""
    intro = _section("## 0 · The block at a glance")
    said = "`(N, D) = (197, 768)` tokens it receives (the figure counts 196 patches; a block sees all 197 tokens)."
    assert said in intro  # 24f: the figure's 196 patches and a block's 197 tokens
    source = (nb.ROOT / "vit_explained" / "vit_map.py").read_text()
    assert '"(B, N, D)"' in source and '"(B, N + 1, D)"' in source  # the figure's labels

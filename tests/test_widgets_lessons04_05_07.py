"""Lessons 04, 05 and 07's widgets: compute/update with a few settings, and an invalid one each."""

import pytest
import torch

from vit_explained import Block, count_parameters, count_tokens
from vit_explained.norm_placement import (
    gradients_by_depth,
    last_fc2_gradient,
    pre_norm_stream_norm,
    stream_norms_by_depth,
)
from vit_explained.widgets.lesson04 import (
    ResidualStreamWidget,
    block_budget,
    block_budget_widget,
    depth_experiment,
    depth_profiles,
    stream_and_gradient,
)
from vit_explained.widgets.lesson05 import FREEZABLE, freeze_and_backward, gradient_freeze_widget, small_digit_vit
from vit_explained.widgets.lesson07 import SPLIT_CHAINS, t2t_chain_widget


def printed(widget):
    (output,) = widget.output.outputs
    return output["text"]


# --- lesson 04 --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("dim", "ratio"), [(768, 4.0), (192, 4.0), (384, 3.0), (64, 0.5)])
def test_block_budget_equals_count_parameters(dim, ratio):
    budget = block_budget(dim, ratio)
    with torch.device("meta"):
        block = Block(dim, 1, round(dim * ratio))
    assert sum(budget.values()) == count_parameters(block)
    if ratio == 4.0:
        assert sum(budget.values()) == 12 * dim**2 + 13 * dim


def test_block_budget_widget_line_follows_the_dim_slider_and_rejects_a_zero_width():
    widget = block_budget_widget()
    assert widget.line == (
        "D = 768, D_mlp = 3072, qkv bias on: 7,087,872 parameters per block; MLP 66.6 %, attention 33.3 %"
    )
    widget.controls["dim"].value = 384
    assert widget.line.startswith("D = 384, D_mlp = 1536, qkv bias on: 1,774,464 parameters per block")
    widget.controls["dim"].min = 0
    widget.controls["dim"].value = 0
    assert widget.line == "cannot show this: dim must be a positive int, got 0"


def test_block_budget_widget_t2t_preset_matches_exercise_5_without_a_qkv_bias():
    # T2T-ViT-14's block (D = 384, ratio 3) has no qkv bias: exercise 5's count, 1,478,016
    widget = block_budget_widget(dim=384, mlp_ratio=3, qkv_bias=False)
    assert widget.line == (
        "D = 384, D_mlp = 1152, qkv bias off: 1,478,016 parameters per block; MLP 60.0 %, attention 39.9 %"
    )
    with torch.device("meta"):
        block = Block(384, 6, 1152, qkv_bias=False)
    assert sum(block_budget(384, 3.0, False).values()) == count_parameters(block) == 1_478_016
    widget.controls["qkv_bias"].value = True  # the bias adds 3D
    assert widget.line.startswith("D = 384, D_mlp = 1152, qkv bias on: 1,479,168 parameters per block")


@pytest.mark.parametrize("dim", [64, 192, 768, 1280])
def test_block_budget_mlp_share_at_ratio_4_is_the_exact_form(dim):
    budget = block_budget(dim, 4.0)
    assert budget["mlp"] / sum(budget.values()) == pytest.approx((8 * dim + 5) / (12 * dim + 13), rel=1e-12)


@pytest.mark.parametrize("post_norm", [False, True])
def test_stream_and_gradient_gives_norm_placements_numbers(post_norm):
    norms, gradient = stream_and_gradient(post_norm, 3, 1)
    assert len(norms) == 4 and gradient == last_fc2_gradient(post_norm, 3, 1)
    if post_norm:  # a fresh LayerNorm's output: norm sqrt(D) for every token
        assert norms[1:] == pytest.approx([8.0] * 3, abs=1e-3)
    else:
        assert norms[-1] == pytest.approx(pre_norm_stream_norm(3, 1, squared=True) ** 0.5, rel=1e-6)  # RMS token norm
        assert norms[0] < norms[1] < norms[2] < norms[3]


def test_depth_experiment_equals_norm_placements_functions_and_is_shared_with_the_widget():
    designs, squared = depth_experiment((1, 3), (0, 2))
    assert designs == gradients_by_depth((1, 3), (0, 2))
    assert squared == stream_norms_by_depth((1, 3), (0, 2), squared=True)
    profiles = depth_profiles((1, 3), (0, 2))  # the widget's values: the same cached runs
    assert profiles["pre-norm"][3][1] == designs["pre-norm"][3]


def test_residual_stream_widget_line_follows_the_depth_slider_and_the_toggle():
    profiles = depth_profiles((1, 2), (0, 1))
    assert set(profiles) == {"pre-norm", "post-norm"} and len(profiles["pre-norm"][2][0]) == 3
    widget = ResidualStreamWidget(depth=2, design="pre-norm", depths=(1, 2), seeds=(0, 1))
    assert list(widget.controls) == ["depth", "design", "final_norm"]  # the browser test moves the first: the depth
    norms, gradients = profiles["pre-norm"][2]
    expected = f"the stream's RMS token norm {norms[0]:.1f} -> {norms[-1]:.1f}; last fc2 gradient"
    assert widget.line.startswith("pre-norm, L = 2 blocks: ") and expected in widget.line
    assert f"{sum(gradients) / 2:.2f} (mean of 2 seeds); final LayerNorm on: " in widget.line and widget.picture.value
    with_norm, without = widget.head_norms["pre-norm"][2]
    assert widget.line.endswith(f"the head reads token 0 at norm {with_norm:.1f}") and abs(with_norm - 8.0) < 0.01
    widget.controls["final_norm"].value = "off"  # the head reads the grown stream itself
    assert widget.line.endswith(f"final LayerNorm off: the head reads the stream's token 0 itself, norm {without:.1f}")
    assert without > with_norm
    widget.controls["final_norm"].value = "on"
    widget.controls["depth"].value = 1
    assert widget.line.startswith("pre-norm, L = 1 block: ")
    widget.controls["design"].value = "post-norm"
    assert widget.line.startswith("post-norm, L = 1 block: the stream's RMS token norm ")
    assert widget.line.split(" -> ")[1].startswith("8.0;")  # normalised after the block: sqrt(D) = 8
    assert widget.final_mean_norm == widget.profiles["post-norm"][1][0][-1]
    assert f"-> {widget.final_mean_norm:.1f};" in widget.line
    assert printed(widget) == widget.line + "\n"
    with pytest.raises(ValueError, match="design must be one of"):
        widget.compute(depth=1, design="sandwich")
    with pytest.raises(ValueError, match="final_norm must be"):
        widget.compute(depth=1, design="pre-norm", final_norm="maybe")


# the stream widget's picture (each control changes it): tests/test_lesson04_stream_widget.py


# --- lesson 05 --------------------------------------------------------------------------------------


def test_freezing_a_part_zeroes_exactly_its_gradients_and_leaves_the_rest_unchanged():
    model = small_digit_vit()
    names = [name for name, _ in model.named_parameters()]
    mlp = freeze_and_backward("mlp")
    assert sorted(mlp.without_gradient) == sorted(mlp.frozen) == sorted(n for n in names if ".mlp." in n)
    assert mlp.others_unchanged and mlp.total == len(names) == 56
    assert all(mlp.groups[(f"block {i}", "mlp")] == 0.0 for i in range(4))
    assert all(mlp.groups[(f"block {i}", "qkv")] > 0 for i in range(4))
    one = freeze_and_backward("qkv", "block 3")
    assert one.without_gradient == ["encoder.blocks.3.attn.qkv.weight", "encoder.blocks.3.attn.qkv.bias"]
    assert freeze_and_backward("positions").without_gradient == ["pos_embedding"]
    assert freeze_and_backward("nothing").without_gradient == []
    for part in FREEZABLE:
        assert freeze_and_backward(part).others_unchanged


def test_freeze_widget_line_follows_the_freeze_dropdown_and_rejects_unknown_parts():
    widget = gradient_freeze_widget()
    assert widget.line.startswith("froze mlp (every block): 16 of 56 parameter tensors get no gradient")
    widget.controls["freeze"].value = "norms"
    assert widget.line.startswith("froze norms (every block and the final norm): 18 of 56 parameter tensors")
    assert widget.line.endswith("the others get exactly the gradients they get with nothing frozen")
    with pytest.raises(ValueError, match="freeze must be one of"):
        widget.compute(freeze="attention", where="every block")
    with pytest.raises(ValueError, match="where must be"):
        widget.compute(freeze="mlp", where="block 9")


# --- lesson 07 --------------------------------------------------------------------------------------


def test_t2t_chain_widget_line_follows_the_height_slider():
    widget = t2t_chain_widget()
    assert widget.line.startswith(
        "224x224 -> 56x56 = 3136 -> 28x28 = 784 -> 14x14 = 196 tokens; the backbone sees 197 with the class token"
    )
    widget.controls["height"].value = 400
    widget.controls["width"].value = 100
    assert widget.line.startswith("400x100 -> 100x25 = 2500 -> 50x13 = 650 -> 25x7 = 175 tokens")


@pytest.fixture(scope="module")
def t2t_widget():
    """One widget for the cases that call its compute (pure: the controls and picture are not read); building
    one draws its first picture."""
    return t2t_chain_widget()


@pytest.mark.parametrize("splits", list(SPLIT_CHAINS))
def test_t2t_chain_widget_counts_equal_count_tokens(splits, t2t_widget):
    line, fig = t2t_widget.compute(height=100, width=60, splits=splits)
    height, width = 100, 60
    for kernel, stride, padding in SPLIT_CHAINS[splits]:
        grid = count_tokens(height, width, kernel, stride, padding)
        height, width = grid.rows, grid.cols
        assert f"{grid.rows}x{grid.cols} = {grid.total}" in line
    assert fig is not None


def test_t2t_chain_widget_too_small_an_image_shows_the_package_message():
    widget = t2t_chain_widget()
    widget.controls["splits"].value = "four splits: (3,2,1) x 4"
    assert widget.line.startswith("224x224 -> 112x112")
    with pytest.raises(ValueError, match="too small for the T2T chain"):
        widget.compute(height=2, width=2, splits="T2T-ViT: (7,4,2) (3,2,1) (3,2,1)")
    with pytest.raises(ValueError, match="splits must be one of"):
        widget.compute(height=224, width=224, splits="five")

"""Lessons 04, 05 and 07's plotting helpers: they draw, return a closed pyplot figure, and reject bad input."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pytest
import torch

from vit_explained import t2t_chain
from vit_explained.plotting.lesson04 import (
    depth_slope,
    plot_block_diagram,
    plot_depth_gradients,
    plot_final_norm_ablation,
    plot_gelu,
    plot_norm_axes,
    plot_parallel_block_diagram,
    plot_parameter_budget,
)
from vit_explained.plotting.lesson05 import plot_gradient_norms
from vit_explained.plotting.lesson07 import (
    pipeline_steps,
    plot_gradient_masks,
    plot_soft_split_overlap,
    plot_stage_cost,
    plot_t2t_pipeline,
    plot_t2t_stages,
    plot_token_transformer,
    token_transformer_boxes,
)


def test_lesson04_figures():
    fig = plot_gelu((-1.0, 1.0))
    assert len(fig.axes) == 3 and not plt.get_fignums()  # closed: shown once, by the notebook
    fig = plot_parameter_budget({"embeddings": 10, "qkv": 30, "mlp": 60}, "tiny")
    assert fig.axes[0].get_title() == "tiny: 100 parameters"
    with pytest.raises(ValueError, match="low < high"):
        plot_gelu((1.0, -1.0))
    with pytest.raises(ValueError, match="ints >= 0"):
        plot_parameter_budget({"mlp": -1})


def test_lesson04_depth_slope_and_gradient_picture():
    exact = {depth: [3.0 * depth**-0.5] * 3 for depth in (2, 4, 8, 16)}  # exactly 1/sqrt(L): slope -0.5
    slope, low, high = depth_slope(exact)
    assert abs(slope + 0.5) < 1e-12 and abs(low - slope) < 1e-9 and abs(high - slope) < 1e-9
    noisy = {2: [1.0, 1.1], 4: [0.7, 0.8], 8: [0.5, 0.6]}
    slope, low, high = depth_slope(noisy)
    assert low < slope < high < 0
    fig = plot_depth_gradients({"pre-norm": noisy, "post-norm": {2: [1.0, 1.0], 8: [1.1, 0.9]}})
    assert fig.axes[0].get_xscale() == "log" and len(fig.axes[0].get_legend().get_texts()) == 3
    assert not plt.get_fignums()
    with pytest.raises(ValueError, match="two or more depths"):
        depth_slope({2: [1.0, 2.0, 3.0]})
    with pytest.raises(ValueError, match="empty"):
        plot_depth_gradients({})


def test_lesson04_block_diagram():
    fig = plot_block_diagram()
    post, pre = fig.axes
    assert post.get_title().startswith("post-norm") and pre.get_title().startswith("pre-norm")
    labels = [[t.get_text() for t in ax.texts] for ax in (post, pre)]
    for texts in labels:  # both draw every part of a block
        assert {"norm1", "norm2", "attention", "MLP"} <= set(texts) and texts.count("+") == 2


def test_lesson04_parallel_block_diagram_draws_one_sum_against_two():
    fig = plot_parallel_block_diagram()
    sequential, parallel = fig.axes
    assert sequential.get_title().startswith("sequential") and parallel.get_title().startswith("parallel")
    texts = [[t.get_text() for t in ax.texts] for ax in (sequential, parallel)]
    assert {"norm1", "norm2", "attention", "MLP"} <= set(texts[0]) and texts[0].count("+") == 2
    assert {"attention", "MLP"} <= set(texts[1]) and texts[1].count("+") == 1 and "norm2" not in texts[1]
    assert "final norm" not in texts[0] and not plt.get_fignums()


def test_lesson04_final_norm_ablation_shows_each_arm_with_its_interval():
    slopes = {"layernorm": (-0.47, -0.56, -0.38), "none": (0.08, -0.004, 0.17), "fixed": (-0.01, -0.11, 0.09)}
    fig = plot_final_norm_ablation(slopes)
    (ax,) = fig.axes
    assert [label.get_text() for label in ax.get_yticklabels()] == list(slopes)
    assert len(ax.containers) == 3 and any(t.get_text() == "+0.080 [-0.004, +0.170]" for t in ax.texts)
    assert ax.get_xlim()[0] < -0.56 and ax.get_xlim()[1] > 0.17 and not plt.get_fignums()
    legend = [text.get_text() for text in ax.get_legend().get_texts()]
    assert any(text.startswith("black: interval below 0") for text in legend)  # 20e: red is post-norm
    assert any(text.startswith("grey: interval reaches 0") for text in legend)
    colours = [matplotlib.colors.to_hex(c.lines[0].get_color()) for c in ax.containers]
    black, grey = matplotlib.colors.to_hex("k"), matplotlib.colors.to_hex("0.6")
    assert colours == [black, grey, grey]
    with pytest.raises(ValueError, match="slopes is empty"):
        plot_final_norm_ablation({})
    with pytest.raises(ValueError, match="low <= slope <= high"):
        plot_final_norm_ablation({"none": (0.5, 0.0, 0.1)})


def test_lesson04_norm_axes_outline_a_row_and_a_column():
    fig = plot_norm_axes(batch=3, tokens=4, features=8)
    layer, batch = fig.axes
    assert layer.get_title().startswith("LayerNorm") and batch.get_title().startswith("BatchNorm")
    red = [[p for p in ax.patches if p.get_facecolor()[:3] == matplotlib.colors.to_rgb("tab:red")] for ax in fig.axes]
    assert len(red[0]) == 8 and len(red[1]) == 3 * 4  # one token's D features; one feature over B x N tokens
    assert not plt.get_fignums()
    with pytest.raises(ValueError, match="batch must be at least 2"):
        plot_norm_axes(batch=1)
    with pytest.raises(ValueError, match="features must be a positive int"):
        plot_norm_axes(features=0)


def test_lesson05_figure_draws_frozen_groups_and_rejects_empty_input():
    groups = {("block 0", "qkv"): 0.1, ("block 0", "mlp"): 0.0, ("head", "head"): 0.4}
    fig = plot_gradient_norms(groups, {"block 0": {"q": 0.01, "k": 0.02, "v": 0.3}})
    assert len(fig.axes) == 2
    labels = [text.get_text() for text in fig.axes[0].get_legend().get_texts()]
    assert labels == ["qkv", "mlp", "head", "no gradient (frozen)"]  # the frozen mlp keeps its colour
    with pytest.raises(ValueError, match="groups is empty"):
        plot_gradient_norms({})
    with pytest.raises(ValueError, match="every gradient norm in groups is 0"):
        plot_gradient_norms({("head", "head"): 0.0})


def test_lesson07_figures_draw_and_reject_bad_input():
    fig = plot_t2t_stages([("rgb", torch.rand(3, 8, 8)), ("map", torch.randn(4, 4))], title="t")
    assert len(fig.axes) == 2
    fig2 = plot_stage_cost(["a b", "c"], [3136, 197], [3136**2, 6 * 197**2], [1, 14])
    assert len(fig2.axes) == 2
    with pytest.raises(ValueError, match="one channel"):
        plot_t2t_stages([("maps", torch.randn(64, 4, 4))])
    with pytest.raises(TypeError, match=r"torch\.Tensor"):
        plot_t2t_stages([("array", [[0.0]])])
    with pytest.raises(ValueError, match="same non-zero length"):
        plot_stage_cost(["a"], [1, 2], [1], [1])


def test_lesson07_pipeline_lists_every_step_with_its_shape():
    steps = pipeline_steps(t2t_chain(224, 224, 3), embed_dim=384, depth=14)
    assert [kind for kind, _, _ in steps] == [
        "image", "split", "transformer", "reshape", "split", "transformer", "reshape", "split", "project", "backbone"
    ]  # fmt: skip
    assert [shape for _, _, shape in steps] == [
        "3 x 224 x 224", "3136 x 147", "3136 x 64", "64 x 56 x 56", "784 x 576", "784 x 64", "64 x 28 x 28",
        "196 x 576", "196 x 384", "197 x 384",
    ]  # fmt: skip
    assert "14 blocks" in steps[-1][1] and "k 7, s 4, p 2" in steps[1][1]
    tall = pipeline_steps(t2t_chain(400, 100, 1, token_dim=32), embed_dim=48, depth=2)
    assert [shape for _, _, shape in tall][1:4] == ["2500 x 49", "2500 x 32", "32 x 100 x 25"]
    fig = plot_t2t_pipeline(t2t_chain(224, 224, 3), 384, 14, title="t")
    assert len(fig.axes) == 1 and not plt.get_fignums()
    texts = [text.get_text() for text in fig.axes[0].texts]
    assert "3136 x 147" in texts and texts.count("reshape") == 2
    with pytest.raises(ValueError, match="stages is empty"):
        plot_t2t_pipeline([], 384, 14)
    with pytest.raises(ValueError, match="depth"):
        pipeline_steps(t2t_chain(224, 224, 3), 384, 0)


def test_lesson07_soft_split_overlap_draws_windows_and_rejects_bad_input():
    image = torch.rand(28, 28)
    fig = plot_soft_split_overlap(image, 7, 4, 2, row=3, col=2, windows=3, title="t")
    assert len(fig.axes) == 2 + 3 and not plt.get_fignums()
    assert "neighbours share 3 columns" in fig.axes[0].get_title()
    assert "7 x 7 tokens of 16" in fig.axes[1].get_title()
    assert [ax.get_ylabel() for ax in fig.axes[2:]] == ["token 23", "token 24", "token 25"]
    plot_soft_split_overlap(image.unsqueeze(0), 3, 2, 1, row=0, windows=2)  # (1, H, W) works too
    with pytest.raises(ValueError, match="do not overlap"):
        plot_soft_split_overlap(image, 4, 4, 0, row=0)
    with pytest.raises(ValueError, match="col \\+ windows"):
        plot_soft_split_overlap(image, 7, 4, 2, row=3, col=6, windows=3)
    with pytest.raises(ValueError, match="one grayscale picture"):
        plot_soft_split_overlap(torch.rand(3, 28, 28), 7, 4, 2, row=0)
    with pytest.raises(ValueError, match="padding must be between"):
        plot_soft_split_overlap(image, 7, 4, 7, row=0)


def test_lesson07_soft_split_overlap_outlines_do_not_hide_each_other():
    """Neighbouring windows share their top and bottom rows: every other outline steps inside its window."""
    fig = plot_soft_split_overlap(torch.rand(28, 28), 7, 4, 2, row=3, col=2, windows=3)
    outlines = [p for p in fig.axes[0].patches if p.get_zorder() == 3]  # the windows, over the shared strips
    assert [(round(p.get_y(), 6), round(p.get_height(), 6)) for p in outlines] == [(11.5, 7), (11.8, 6.4), (11.5, 7)]
    shared = [p for p in fig.axes[0].patches if p.get_fill()]
    assert len(shared) == 2 and all(p.get_width() == 3 for p in shared)


def test_lesson07_token_transformer_diagram_shows_widths_and_the_skip_through_v():
    boxes = token_transformer_boxes(49, 64)
    assert [shape for _, shape, *_ in boxes] == [
        "N x 49",
        "N x 49",
        "N x 192",
        "N x N",
        "N x 64",
        "N x 64",
        "N x 64",
        "N x 64",
    ]
    assert "49 -> 3 x 64" in boxes[2][0] and "sqrt(49)" in boxes[3][0]
    fig = plot_token_transformer(576, 64, title="stage 2")
    texts = [text.get_text() for text in fig.axes[0].texts]
    assert "skip connection: v, already 64 wide" in texts and any("576 wide" in text for text in texts)
    assert not plt.get_fignums() and fig._suptitle.get_text() == "stage 2"
    with pytest.raises(ValueError, match="token_dim"):
        token_transformer_boxes(49, 0)


def test_lesson07_stage_cost_points_to_bars_too_thin_to_see():
    # four (3, 2, 1) splits: 12,544 tokens first, so 784 tokens' 615k entries are under 1 % of the axis
    tokens = [12_544, 3_136, 784, 197]
    fig = plot_stage_cost(
        ["T2T transformer 1", "T2T transformer 2", "T2T transformer 3", "backbone"],
        tokens,
        [n * n for n in tokens[:3]] + [6 * 197**2],
        [1, 1, 1, 14],
    )
    arrows = [t.get_text() for t in fig.axes[1].texts if t.arrow_patch is not None]
    assert arrows == ["615k", "233k", "x14\n3.3M"]
    assert [t.get_text() for t in fig.axes[0].texts if t.arrow_patch is not None] == ["197"]


def test_lesson07_gradient_masks_count_the_pixels_used_and_reject_bad_input():
    window = torch.zeros(28, 28, dtype=torch.bool)
    window[10:17, 10:17] = True
    fig = plot_gradient_masks([("one window", window), ("all", torch.ones(5, 5))], title="t")
    assert [ax.get_title() for ax in fig.axes] == ["one window:\n49 of 784 pixels", "all:\n25 of 25 pixels"]
    with pytest.raises(ValueError, match="empty"):
        plot_gradient_masks([])
    with pytest.raises(ValueError, match=r"one mask \(H, W\)"):
        plot_gradient_masks([("batch", torch.ones(1, 4, 4))])
    with pytest.raises(TypeError, match=r"torch\.Tensor"):
        plot_gradient_masks([("list", [[1, 0]])])


def test_lesson07_gradient_masks_mark_the_token_cell_and_draw_a_pixel_grid():
    corner = torch.zeros(28, 28, dtype=torch.bool)
    corner[:17, :17] = True
    fig = plot_gradient_masks([("corner", corner, (0, 0, 16)), ("no cell", corner)])
    outlines = [p for p in fig.axes[0].patches if p.get_edgecolor()[:3] == (1.0, 0.0, 0.0)]
    assert len(outlines) == 1 and (outlines[0].get_width(), outlines[0].get_xy()) == (16, (-0.5, -0.5))
    assert not fig.axes[1].patches
    assert list(fig.axes[0].get_xticks()) == [0, 8, 16, 24] and len(fig.axes[0].get_xticks(minor=True)) == 8
    with pytest.raises(ValueError, match="outside"):
        plot_gradient_masks([("too far", corner, (20, 0, 16))])
    with pytest.raises(ValueError, match="name, mask"):
        plot_gradient_masks([("one item",)])


def test_lesson07_gradient_masks_mark_the_field_centre_off_the_cell_centre():
    interior = torch.zeros(48, 48, dtype=torch.bool)
    interior[2:33, 2:33] = True  # the 31 x 31 field of the interior final token, centred on pixel 17 = 16 * 1 + 1
    fig = plot_gradient_masks([("interior", interior, (16, 16, 16), (17, 17)), ("no centre", interior, (16, 16, 16))])
    crosses = [line for line in fig.axes[0].lines if line.get_marker() == "x"]
    assert len(crosses) == 1 and (list(crosses[0].get_xdata()), list(crosses[0].get_ydata())) == ([17], [17])
    assert not [line for line in fig.axes[1].lines if line.get_marker() == "x"]
    with pytest.raises(ValueError, match="centre"):
        plot_gradient_masks([("off", interior, (16, 16, 16), (48, 0))])


def test_plot_mlp_diagram_draws_four_columns_in_proportion():
    from vit_explained.plotting.lesson04 import plot_mlp_diagram

    fig = plot_mlp_diagram(dim=768, mlp_dim=3072)
    ax = fig.axes[0]
    texts = " ".join(text.get_text() for text in ax.texts)
    assert "expand" in texts and "gate" in texts and "contract" in texts and "3072" in texts


def test_mlp_gates_are_phi_of_fc1_and_leave_no_hook():
    from vit_explained import ViT
    from vit_explained.plotting.lesson04 import mlp_gates

    torch.manual_seed(0)
    model = ViT(8, patch_size=4, num_classes=3, dim=16, depth=2, heads=2, mlp_dim=24, channels=1).eval()
    images = torch.rand(2, 1, 8, 8)
    gates = mlp_gates(model, images, block=1)
    assert gates.shape == (2, 5, 24) and gates.min() >= 0 and gates.max() <= 1
    seen = {}
    handle = model.encoder.blocks[1].mlp.act.register_forward_hook(lambda module, args, out: seen.update(z=args[0]))
    with torch.no_grad():
        model(images)
    handle.remove()
    torch.testing.assert_close(gates, torch.distributions.Normal(0.0, 1.0).cdf(seen["z"]))
    assert not model.encoder.blocks[1].mlp.fc1._forward_hooks  # its hook removed


def test_plot_token_gates_draws_one_row_per_token_and_boxes_the_patches():
    from matplotlib.patches import Rectangle

    from vit_explained.plotting.lesson04 import plot_token_gates

    gates = {"class token": torch.full((10,), 0.9), "background patch": torch.zeros(10), "stroke": torch.rand(10)}
    fig = plot_token_gates(torch.rand(8, 8), gates, {"background patch": 0, "stroke": 3}, patch_size=4)
    image_ax, gate_ax = fig.axes[:2]
    assert gate_ax.images[0].get_array().shape == (3, 10)
    labels = [tick.get_text() for tick in gate_ax.get_yticklabels()]
    assert labels == ["class token: 100 % open", "background patch: 0 % open", labels[2]]
    boxes = [patch for patch in image_ax.patches if isinstance(patch, Rectangle)]
    border, *patch_boxes = boxes  # the image's border first, then the named patches
    assert border.get_xy() == (-0.5, -0.5) and (border.get_width(), border.get_height()) == (8, 8)
    assert [box.get_xy() for box in patch_boxes] == [
        (-0.5, -0.5),
        (3.5, 3.5),
    ]  # patch 3 of a 2 x 2 grid: row 1, column 1
    grid = sorted((line.get_xdata()[0], line.get_ydata()[0]) for line in image_ax.lines)  # one vertical, one horizontal
    assert len(grid) == 2 and 3.5 in grid[0] + grid[1]
    with pytest.raises(ValueError, match="gates"):
        plot_token_gates(torch.rand(8, 8), {}, {}, patch_size=4)


def test_drop_path_rates_are_timms_linear_schedule():
    from vit_explained.plotting.lesson04 import drop_path_rates

    assert drop_path_rates(0.1, 12) == torch.linspace(0, 0.1, 12).tolist()
    assert drop_path_rates(0.1, 1) == [0.0] and drop_path_rates(0.2, 2) == [0.0, pytest.approx(0.2)]
    with pytest.raises(ValueError):
        drop_path_rates(1.0, 4)


def test_init_arm_rows_and_table():
    from vit_explained.plotting.lesson04 import init_arm_rows, init_arm_table, seed_slope

    depths = (2, 4, 8, 16)
    steep = {d: [d**-0.5 * (1 + 0.01 * s) for s in range(3)] for d in depths}
    flat = {d: [d**-0.1 * (1 + 0.02 * s) for s in range(3)] for d in depths}
    size = {"qkv": 1.0, "proj": 0.99, "fc1": 0.63, "fc2": 1.26}
    rows = init_arm_rows(64, {"a": (steep, size, 32.0), "b": (flat, size, 8.0)}, {"b": "a"})
    assert [row["arm"] for row in rows] == ["a", "b"] and rows[0]["difference"] is None and rows[1]["versus"] == "a"
    assert rows[0]["growth"] == 4.0 and rows[1]["slope"] == seed_slope(flat)  # per seed, t over seeds (not pooled)
    assert abs(rows[1]["difference"][0] - 0.4) < 1e-3  # -0.1 - (-0.5): the slope of the ratio
    table = init_arm_table(rows).splitlines()
    assert len(table) == 3 and "difference of slopes" in table[0]
    assert table[0].split()[2:6] == ["qkv", "proj", "fc1", "fc2"] and table[1].split()[2:6] == [
        "1.00",
        "0.99",
        "0.63",
        "1.26",
    ]
    assert rows[0]["fc1"] == 0.63 and rows[0]["proj"] == 0.99
    assert "L^-0.500" in table[1] and "b - a: +0.40" in table[2] and table[1].rstrip().endswith("4.00")


def test_lesson04_slope_text_rounds_and_never_prints_minus_zero():
    from vit_explained.plotting.lesson04 import slope_text

    assert slope_text((-0.4681, -0.5562, -0.3809)) == "L^-0.47 [-0.56, -0.38]"
    assert slope_text((-0.001, -0.0049, 0.004)) == "L^+0.00 [+0.00, +0.00]"
    assert slope_text((0.0812, -0.0043, 0.1651), digits=3) == "L^+0.081 [-0.004, +0.165]"


def test_lesson04_norm_training_figure_has_a_panel_per_warmup_and_a_line_per_seed():
    from vit_explained.plotting.lesson04 import plot_norm_training

    runs = [
        {"placement": placement, "warmup_steps": warmup, "lr": lr, "seed": seed, "losses": [2.3] * 30}
        for placement in ("pre-norm", "post-norm")
        for warmup in (0, 5)
        for lr in (1e-3, 5e-3)
        for seed in (0, 1, 2)
    ]
    fig = plot_norm_training(runs, lr=5e-3)
    assert len(fig.axes) == 2
    for ax in fig.axes:  # 6 runs, the chance line and the near-chance rule (0.9 ln 10, dotted)
        assert len(ax.lines) == 8
        assert ax.lines[-1].get_linestyle() == "--" and ax.lines[-2].get_linestyle() == ":"
    assert "no warm-up" in fig.axes[0].get_title() and "5 steps" in fig.axes[1].get_title()
    with pytest.raises(ValueError, match="no stored run"):
        plot_norm_training(runs, lr=1e-2)

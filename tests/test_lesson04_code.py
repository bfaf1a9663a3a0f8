"""Lesson 04: behaviour tests (package functions, checkers, widgets, figures), folded from the per-round files."""

from __future__ import annotations

import json
import math
import re
import statistics
from pathlib import Path

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch
from torch import nn

import vit_explained.norm_placement as norm_placement
from vit_explained import Block, ViT
from vit_explained.evidence import _t_quantile
from vit_explained.exercises import ExerciseFailed, lesson04
from vit_explained.exercises.lesson04 import (
    _BATCH_HINT,
    _MASK_HINT,
    _block_macs,
    check_block_macs,
    check_drop_path,
    check_gelu_slope,
    check_parallel_block,
    check_post_norm_block,
)
from vit_explained.mlp import gelu
from vit_explained.norm_placement import (
    FINAL_NORMS,
    FINAL_STEP_LABELS,
    FIXED_NORM,
    _final_step,
    _random_stack,
    branch_alignment,
    fc2_gradient_profile,
    final_norm_sigma,
    fisher_exact,
    gradient_profiles,
    last_fc2_gradient,
    random_stack,
    stored_norm_training_runs,
    training_notes,
    training_summary,
    training_table,
    xavier_init,
)
from vit_explained.plotting.lesson04 import (
    _DESIGN_COLOURS,
    _DIAGRAM_TEXT,
    GATE_CLASSES,
    GATE_GRID,
    STORED_MLP_KNOCKOUT,
    collapse_steps,
    depth_report,
    depth_slope,
    drop_path_rates,
    gate_classes,
    gate_overlap,
    gate_report,
    mlp_knockout_correct,
    plot_depth_gradients,
    plot_drop_path_rates,
    plot_final_norm_ablation,
    plot_gelu_gate,
    plot_gradient_profile,
    plot_norm_training,
    plot_one_token_gates,
    plot_parameter_budget,
    plot_token_through_block,
    sampled_gate_means,
    seed_slope,
    slope_difference,
    stored_mlp_knockout,
    token_through_block,
)
from vit_explained.widgets.lesson04 import gelu_gate_widget, residual_stream_widget

ROOT = Path(__file__).resolve().parents[1]

# --- from test_lesson04_fix_17b.py ---


def _17b_text(cell) -> str:
    return "".join(o.get("text", "") for o in cell.outputs)


def _17b_visible_words(source: str) -> int:
    return len(re.sub(r"<details>.*?</details>", "", source, flags=re.S).split())


def test_depth_stacks_share_no_block() -> None:
    for seed in (0, 1, 2):
        short, deep = _random_stack(2, seed, 64, True), _random_stack(16, seed, 64, True)
        assert not torch.equal(short[0][0].mlp.fc2.weight, deep[0][0].mlp.fc2.weight)


def test_checker_messages_name_the_slip_without_the_answer() -> None:
    import math

    import pytest

    from vit_explained.exercises import ExerciseFailed, lesson04

    with pytest.raises(ExerciseFailed, match=r"phi\(x\) alone: .*Phi\(x\)"):
        lesson04.check_gelu_slope(lambda x: torch.exp(-0.5 * x**2) / math.sqrt(2 * math.pi))
    with pytest.raises(ExerciseFailed, match=r"the term Phi\(x\) is missing"):
        lesson04.check_gelu_slope(lambda x: x * torch.exp(-0.5 * x**2) / math.sqrt(2 * math.pi))
    suspects = lesson04._post_norm_suspects(lesson04.Block(8, heads=2, mlp_dim=16), torch.randn(1, 3, 8))
    assert "norm1(x + attn(x))" not in suspects[0][1]


# --- from test_lesson04_fix_17c.py ---


def _17c_text(cell) -> str:
    return "".join(o.get("text", "") for o in cell.outputs)


def test_token_through_block_matches_the_block() -> None:
    torch.manual_seed(0)
    block = Block(16, heads=2, mlp_dim=64).eval()
    x = torch.randn(1, 5, 16)
    steps = token_through_block(block, x, token=3)
    assert next(iter(steps)) == "input x" and list(steps)[-1] == "+ mlp: output" and len(steps) == 9
    with torch.no_grad():
        out = block(x)[0, 3]
        normed = block.norm1(x[0, 3])
    assert abs(steps["+ mlp: output"] - out.pow(2).mean().sqrt().item()) < 1e-6
    assert abs(steps["norm1"] - normed.pow(2).mean().sqrt().item()) < 1e-6
    fig = plot_token_through_block(steps)
    assert len(fig.axes) == 1 and len(fig.axes[0].patches) == 9


# --- from test_lesson04_fix_17f.py ---


def _17f_text(cell: dict) -> str:
    return "".join("".join(o.get("text", "")) for o in cell.get("outputs", []))


def test_centred_arm_sentence_and_readable_labels() -> None:
    fig = plot_final_norm_ablation({"fixed": (0.1, 0.0, 0.2), "none": (0.1, 0.0, 0.2)}, labels={"fixed": "/ 1.33"})
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == ["/ 1.33", "none"]


# --- from test_lesson04_fix_18a.py ---


def _18a_text(cell) -> str:
    return "".join(o.get("text", "") for o in cell.get("outputs", []))


def _18a_rejected(checker, answer) -> str:
    with pytest.raises(ExerciseFailed) as error:
        checker(answer)
    return str(error.value)


def test_training_table_one_row_per_warm_up() -> None:
    summary = training_summary(stored_norm_training_runs())
    lines = training_table(summary).splitlines()
    assert len(lines) == 5 and lines[0] == "accuracy pre-norm - post-norm, points [95 % t-interval over 3 paired seeds]"
    assert " ".join(lines[2].split()) == "none +2.5 [-11.4, +16.5] +64.4 [+51.0, +77.8] 3 of 3 / 0 of 3"
    assert [line.split()[0] for line in lines[2:]] == ["none", "50", "150"]
    notes = training_notes(summary)
    assert "+/-13.9 points" in notes and notes.count("p = 0.10") == 4 and "not 9" in notes


def test_linear_growth_diagnostic_is_printed() -> None:
    alignment, norms = branch_alignment(depth=16, seed=0)
    assert abs(alignment) < 0.01 and norms[-1] > 1.5 * norms[0]


def test_exercise_five_names_the_sandwich_norm_and_the_double_norm() -> None:
    def sandwich(x, block):
        h = x + block.norm1(block.attn(block.norm1(x)))
        return h + block.norm2(block.mlp(block.norm2(h)))

    def pre_and_post(x, block):
        h = block.norm1(x + block.attn(block.norm1(x)))
        return block.norm2(h + block.mlp(block.norm2(h)))

    assert "sandwich norm (CogView's Sandwich-LN)" in _18a_rejected(check_post_norm_block, sandwich)
    assert "pre-norm and post-norm together" in _18a_rejected(check_post_norm_block, pre_and_post)


def test_exercise_two_names_a_constant_count() -> None:
    message = _18a_rejected(check_block_macs, lambda dim, mlp_dim, tokens: 123_456_789)
    assert "returned 123,456,789 for both (64, 256, 101) and (100, 300, 50)" in message and "not a formula" in message
    assert "for both" in _18a_rejected(check_block_macs, lambda dim, mlp_dim, tokens: 1)


# --- from test_lesson04_fix_18c.py ---


def _18c_next_visible(cells: list, index: int):
    """The first cell after `index` a reader sees: hidden check cells are skipped."""
    return next(c for c in cells[index + 1 :] if "hide-input" not in c.metadata.get("tags", []))


def test_gelu_figure_has_a_zoom_inset_on_the_dip() -> None:
    from vit_explained.plotting.lesson04 import plot_gelu

    fig = plot_gelu()
    (zoom,) = fig.axes[0].child_axes
    assert zoom.get_xlim() == (-3.0, 1.0) and zoom.get_ylim()[0] < -0.17 < 0 < zoom.get_ylim()[1]


# --- from test_lesson04_fix_18d.py ---


def _18d_flat(source: str) -> str:
    return " ".join(source.split())


def test_random_stack_is_the_probes_stack() -> None:
    public, private = random_stack(2, 0), _random_stack(2, 0, 64, True)
    assert torch.equal(public[3], private[3]) and torch.equal(public[4], private[4])
    assert torch.equal(public[0][1].mlp.fc2.weight, private[0][1].mlp.fc2.weight)


# --- from test_lesson04_fix_19a.py ---


def test_dashed_line_label_is_honest() -> None:
    fig = plot_depth_gradients({"a": {2: [1.0, 1.1], 8: [0.5, 0.6]}}, guide_label="mine")
    assert "mine" in [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    plt.close(fig)


def test_gate_widget_draws_n_gates_and_they_converge() -> None:
    widget = gelu_gate_widget(x=-0.5)
    assert list(widget.controls) == ["x", "draws"] and widget.controls["draws"].description == "draw n gates"
    picture = widget.picture.value
    widget.controls["draws"].value = 1000
    assert widget.picture.value != picture and "1,000 sampled gates per x" in widget.line
    grid = torch.tensor(GATE_GRID, dtype=torch.float64)
    misses = [(sampled_gate_means(n) - gelu(grid)).abs().max().item() for n in (10, 10_000)]
    assert misses[1] < misses[0] / 5


def test_one_token_gates_figure_draws_three_classes() -> None:
    fig = plot_one_token_gates(torch.linspace(-2, 2, 32))
    assert len(fig.axes[0].collections) == 3  # fix 19c: three gate classes
    plt.close(fig)


# --- from test_lesson04_fix_19b.py ---


def test_gate_classes_split_by_phi_and_the_figure_draws_three() -> None:
    z = torch.tensor([-3.0, -1.0, -0.2, 0.0, 0.5, 2.0], dtype=torch.float64)
    classes = gate_classes(z)
    assert [int(mask.sum()) for mask, _ in classes.values()] == [2, 3, 1]  # Phi: >1/2 | 0.1..1/2 | <0.1
    assert abs(sum(share for _, share in classes.values()) - 1) < 1e-12
    fig = plot_one_token_gates(z)
    labels = [text.get_text() for text in fig.axes[0].get_legend().get_texts()]
    assert any(label.startswith("Phi(z) 0.1-1/2") for label in labels) and not any("off" in label for label in labels)
    assert len(fig.axes[0].collections) == 3
    plt.close(fig)


def test_collapse_steps_definition() -> None:
    runs = [
        {"placement": "post-norm", "lr": 5e-3, "warmup_steps": 2, "seed": 0, "losses": [2.3, 1.0, 1.0, 2.3, 2.3, 2.3]},
        {"placement": "post-norm", "lr": 5e-3, "warmup_steps": 0, "seed": 0, "losses": [2.3] * 6},
        {"placement": "pre-norm", "lr": 5e-3, "warmup_steps": 0, "seed": 0, "losses": [1.0] * 6},
    ]
    assert collapse_steps(runs, window=1) == {(0, 0): None, (2, 0): 3}
    assert collapse_steps(runs, window=1, placement="pre-norm") == {(0, 0): 6}  # below to the end
    assert collapse_steps(runs, window=2)[2, 0] == 4


def test_block_diagram_says_each_branch_reads_a_normalised_copy() -> None:
    assert "a normalised copy" in _DIAGRAM_TEXT[True][1]


# --- from test_lesson04_fix_19c.py ---


def test_gate_classes_named_by_their_gate() -> None:
    assert GATE_CLASSES == ("gate > 1/2", "gate 0.1-1/2", "gate < 0.1")
    z = torch.tensor([-1.3, -1.2, 0.1], dtype=torch.float64)
    assert [int(mask.sum()) for mask, _ in gate_classes(z).values()] == [1, 1, 1]


def test_gate_figure_has_one_labelled_panel() -> None:
    fig = plot_one_token_gates(torch.linspace(-3, 2, 128))
    assert len(fig.axes) == 1 and not fig.axes[0].images  # the 8 x 16 heatmap without axis labels is gone
    assert fig.axes[0].get_xlabel() and fig.axes[0].get_ylabel()
    plt.close(fig)


def test_fixed_norm_is_sigma_at_two_blocks() -> None:
    sigmas = [final_norm_sigma(2, seed) for seed in (0, 1, 2)]
    assert round(sum(sigmas) / 3, 2) == FIXED_NORM and min(sigmas) > 1.31 and max(sigmas) < 1.36


# --- from test_lesson04_fix_19d.py ---


def _19d_slope(x):
    import math

    import torch

    return torch.special.ndtr(x) + x * torch.exp(-x * x / 2) / math.sqrt(2 * math.pi)


def test_gelu_slope_computed_in_float32_is_named(capsys) -> None:
    """r34a item 1 (review r34a minor 1): float64 answers are compared to 1e-12 (2e-15 since fix 35b), so a float32
    computation returned as float64 (off by about 1e-7) no longer passes with a note: it is refused, and the message
    names float32."""
    import numpy as np
    import pytest
    import torch
    from scipy.stats import norm

    from vit_explained.exercises import ExerciseFailed, lesson04

    right = (
        _19d_slope,
        lambda x: torch.from_numpy(norm.cdf(x.double().numpy()) + x.double().numpy() * norm.pdf(x.double().numpy())),
        lambda x: 0.5 * (1 + torch.erf(x / np.sqrt(2))) + x * torch.exp(-0.5 * x**2) / np.sqrt(2 * np.pi),
    )
    for answer in right:
        lesson04.check_gelu_slope(answer)
        assert capsys.readouterr().out.startswith("Correct!")
    with pytest.raises(ExerciseFailed) as error:
        lesson04.check_gelu_slope(lambda x: _19d_slope(x.float()).to(x.dtype))
    assert "more than the 2e-15 the check allows" in str(error.value) and "float32" in str(error.value)


def test_missing_keepdim_named_alone_when_sizes_are_d_against_n() -> None:
    import pytest
    import torch

    from vit_explained.exercises import ExerciseFailed, lesson04

    def no_keepdim(x, w, b, eps):
        return (x - x.mean(-1)) / torch.sqrt(x.var(-1, unbiased=False) + eps) * w + b

    def weight_reshaped(x, w, b, eps):
        centred = x - x.mean(-1, keepdim=True)
        return centred / torch.sqrt(x.var(-1, keepdim=True, unbiased=False) + eps) * w[:, None] + b

    with pytest.raises(ExerciseFailed) as caught:
        lesson04.check_layer_norm(no_keepdim)
    message = str(caught.value)
    assert "without keepdim=True" in message and "reshaped" not in message and len(message) < 300
    with pytest.raises(ExerciseFailed) as caught:
        lesson04.check_layer_norm(weight_reshaped)
    assert "reshaped" in str(caught.value)


# --- from test_lesson04_fix_20a.py ---


def _20a_slope_by_python_floats(x: torch.Tensor) -> torch.Tensor:
    values = [
        0.5 * (1 + math.erf(v / math.sqrt(2))) + v * math.exp(-v * v / 2) / math.sqrt(2 * math.pi)
        for v in x.flatten().tolist()
    ]
    return torch.tensor(values).reshape(x.shape)


def _20a_parallel_through_a_list(x: torch.Tensor, block: Block) -> torch.Tensor:
    h = block.norm1(x)
    return torch.tensor((x + block.attn(h) + block.mlp(h)).tolist())


@pytest.mark.parametrize(
    ("check", "answer"),
    [
        (lesson04.check_gelu_slope, _20a_slope_by_python_floats),
        (lesson04.check_parallel_block, _20a_parallel_through_a_list),
    ],
)
def test_float32_message_names_torch_tensor_default(check, answer) -> None:
    with pytest.raises(ExerciseFailed) as failure:
        check(answer)
    assert "`torch.tensor(...)` defaults to float32: pass dtype=x.dtype" in str(failure.value)


# --- from test_lesson04_fix_20c.py ---


def test_ablation_guide_names_the_bound_and_closes_its_figure() -> None:
    fig = plot_final_norm_ablation({"layernorm": (-0.47, -0.56, -0.38)})
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert "slope -0.5 (the L^-1/2 of Xiong et al.'s upper bound)" in legend and not plt.get_fignums()


def test_training_figure_draws_the_near_chance_threshold() -> None:
    runs = [
        {"lr": 5e-3, "warmup_steps": w, "seed": 0, "placement": p, "losses": [2.3] * 30}
        for w in (0, 50)
        for p in ("pre-norm", "post-norm")
    ]
    fig = plot_norm_training(runs, lr=5e-3)
    for ax in fig.axes:
        levels = [line.get_ydata()[0] for line in ax.get_lines() if len(set(line.get_ydata())) == 1]
        assert any(abs(y - 0.9 * math.log(10)) < 1e-12 for y in levels)  # in every panel
    assert "near-chance rule (on the last 25 steps' mean), 0.9 ln 10 = 2.07" in [
        t.get_text() for t in fig.axes[0].get_legend().get_texts()
    ]
    plt.close(fig)


# --- from test_lesson04_fix_20e.py ---


def test_final_step_labels_list_the_arms_in_order() -> None:
    assert list(FINAL_STEP_LABELS) == [  # 22f: the RMS arms added after the five
        "layernorm",
        "none",
        "fixed",
        "centred_fixed",
        "detached_sigma",
        "rms",
        "detached_rms",
    ]


def test_training_table_header() -> None:
    header = "accuracy pre-norm - post-norm, points [95 % t-interval over 3 paired seeds]"
    assert training_table(training_summary(stored_norm_training_runs())).splitlines()[0] == header


def test_post_norm_is_red_in_every_figure() -> None:
    assert _DESIGN_COLOURS == {"post-norm": "tab:red", "pre-norm": "tab:blue"}
    runs = [
        {"lr": 5e-3, "warmup_steps": 0, "seed": 0, "placement": p, "losses": [2.3] * 30}
        for p in ("pre-norm", "post-norm")
    ]
    fig = plot_norm_training(runs, lr=5e-3)
    by_label = {line.get_label(): matplotlib.colors.to_hex(line.get_color()) for line in fig.axes[0].get_lines()}
    assert by_label["post-norm"] == matplotlib.colors.to_hex("tab:red")
    assert by_label["pre-norm"] == matplotlib.colors.to_hex("tab:blue")
    assert matplotlib.colors.to_hex("tab:orange") not in by_label.values()
    plt.close(fig)
    values = {1: [1.0, 1.1], 2: [0.9, 1.0], 4: [0.8, 0.85]}
    fig = plot_depth_gradients({"pre-norm": values, "post-norm": values})  # order must not decide the colour
    lines = {line.get_label().split(":")[0]: matplotlib.colors.to_hex(line.get_color()) for line in fig.axes[0].lines}
    assert lines["post-norm"] == matplotlib.colors.to_hex("tab:red") and lines["pre-norm"] == matplotlib.colors.to_hex(
        "tab:blue"
    )
    plt.close(fig)


# --- from test_lesson04_fix_20h.py ---
def test_silu_slope_is_named():
    with pytest.raises(ExerciseFailed, match="slope of SiLU"):
        check_gelu_slope(lambda x: torch.sigmoid(x) * (1 + x * torch.sigmoid(-x)))


def test_the_exact_slope_still_passes():
    def slope(x: torch.Tensor) -> torch.Tensor:
        cdf = 0.5 * (1 + torch.erf(x / math.sqrt(2)))
        return cdf + x * torch.exp(-0.5 * x**2) / math.sqrt(2 * math.pi)

    check_gelu_slope(slope)


# --- from test_lesson04_fix_21c.py ---


def test_ablation_legend_no_longer_says_matched_only_over_the_range() -> None:
    fig = plot_final_norm_ablation({"layernorm": (-0.47, -0.56, -0.38)})
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert "slope -0.5 (the L^-1/2 of Xiong et al.'s upper bound)" in legend  # 21f: reworded
    assert not any("matched here only" in line for line in legend) and not plt.get_fignums()


def test_parameter_chart_axis_ends_near_its_longest_bar() -> None:
    fig = plot_parameter_budget({"embeddings": 1_000_000, "qkv": 21_000_000, "mlp": 56_000_000}, "tiny")
    right = fig.axes[0].get_xlim()[1]
    assert 56 < right < 60 and not plt.get_fignums()


# --- from test_lesson04_fix_21f.py ---


def _21f_pdf(x):
    return torch.exp(-0.5 * x**2) / math.sqrt(2 * math.pi)


def test_ablation_legend_names_the_bound() -> None:
    fig = plot_final_norm_ablation({"layernorm": (-0.47, -0.56, -0.38)})
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    plt.close(fig)
    assert "slope -0.5 (the L^-1/2 of Xiong et al.'s upper bound)" in legend
    assert not any("linear in L" in line for line in legend)


def test_x_over_x_slope_fails_as_not_finite() -> None:
    def over_x(x):  # (x Phi(x)) / x: right everywhere but x = 0, where it is 0 / 0
        cdf = 0.5 * (1 + torch.erf(x / math.sqrt(2)))
        return (x * cdf) / x + x * _21f_pdf(x)

    with pytest.raises(ExerciseFailed, match="not finite"):
        check_gelu_slope(over_x)


def test_three_right_slopes_still_pass() -> None:
    def by_erf(x):
        return 0.5 * (1 + torch.erf(x / math.sqrt(2))) + x * _21f_pdf(x)

    def by_erfc(x):
        phi = 0.5 * torch.erfc(-x / math.sqrt(2))
        return phi + x * torch.exp(-(x**2) / 2) * (2 * math.pi) ** -0.5

    def by_numpy(x):
        from scipy.stats import norm

        values = x.detach().numpy()
        return norm.cdf(values) + values * norm.pdf(values)

    for answer in (by_erf, by_erfc, by_numpy):
        check_gelu_slope(answer)
    assert np.isfinite(by_numpy(torch.zeros(1))).all()


# --- from test_lesson04_fix_22a.py ---


def test_legend_quotes_the_given_interval() -> None:
    values = {2: [1.0, 1.2, 0.9], 4: [0.7, 0.8, 0.75], 8: [0.5, 0.55, 0.45]}
    fig = plot_depth_gradients({"pre-norm": values}, intervals={"pre-norm": (-0.47, -0.62, -0.32)})
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    plt.close(fig)
    assert "pre-norm: slope -0.47 [-0.62, -0.32]" in labels
    fig = plot_depth_gradients({"pre-norm": values})  # without: the pooled least-squares interval, as before
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    plt.close(fig)
    assert not any("[-0.62, -0.32]" in label for label in labels)


# --- from test_lesson04_fix_22c.py ---


NEAR_CHANCE = 0.9 * math.log(10)


def _22c_first_residual_missing(x, block):
    h = block.norm1(block.attn(x))
    return block.norm2(h + block.mlp(h))


def _22c_right_one_line(x, block):
    return block.norm2(block.norm1(x + block.attn(x)) + block.mlp(block.norm1(x + block.attn(x))))


def _22c_right_named(x, block):
    after_attention = x + block.attn(x)
    h = block.norm1(after_attention)
    out = h + block.mlp(h)
    return block.norm2(out)


def _22c_right_reused(x, block):
    x = block.norm1(x + block.attn(x))
    x = block.norm2(x + block.mlp(x))
    return x


def test_warm_up_reading_matches_the_stored_curves() -> None:
    runs = [r for r in stored_norm_training_runs()["runs"] if r["placement"] == "post-norm" and r["lr"] == 5e-3]
    assert all(min(r["losses"]) > NEAR_CHANCE for r in runs if not r["warmup_steps"])
    warmed = [r for r in runs if r["warmup_steps"]]
    assert len(warmed) == 6
    for run in warmed:
        w, losses = run["warmup_steps"], run["losses"]
        means = [statistics.mean(losses[i - 10 : i]) for i in range(10, 301)]  # means[k] ends at step k + 10
        assert min(means[int(0.8 * w) - 10 : w + 15]) < NEAR_CHANCE < statistics.mean(losses[w + 25 : w + 50])


def test_post_norm_checker_names_the_missing_first_residual() -> None:
    with pytest.raises(ExerciseFailed) as error:
        check_post_norm_block(_22c_first_residual_missing)
    assert "the first residual is missing" in str(error.value)


def test_post_norm_checker_names_the_missing_norm1() -> None:  # review r25d_04 item 7
    def no_norm1(x, block):
        h = x + block.attn(x)
        return block.norm2(h + block.mlp(h))

    with pytest.raises(ExerciseFailed) as error:
        check_post_norm_block(no_norm1)
    assert "norm1 is missing: the MLP reads the un-normalised sum" in str(error.value)
    assert "differs from" not in str(error.value)


@pytest.mark.parametrize("answer", [_22c_right_one_line, _22c_right_named, _22c_right_reused])
def test_post_norm_checker_still_accepts_right_answers(answer, capsys) -> None:
    check_post_norm_block(answer)
    assert "Correct!" in capsys.readouterr().out


# --- from test_lesson04_fix_22f.py ---


def reviewers_slope(x):  # right (review r22e's example): e + 1 and e - 1 for the same name, no call on them
    e = torch.erf(x / math.sqrt(2))
    upper = (e + 1) / 2
    lower = -(e - 1) / 2
    return upper + 0 * lower + x * torch.exp(-x * x / 2) / math.sqrt(2 * math.pi)


def shifted_names(x):  # right: one call on a + 1 - 1 beside a plain call, 1 no small step
    a = x / math.sqrt(2)
    cdf = 0.25 * (torch.erf(a) + 1) + 0.25 * (torch.erf(a + 1 - 1) + 1)
    return cdf + x * torch.exp(-(a**2)) / math.sqrt(2 * math.pi)


def central_with_default(x, h=1e-5):
    def g(t):
        return t * 0.5 * (1 + torch.erf(t / math.sqrt(2)))

    return (g(x + h) - g(x - h)) / (2 * h)


def backward_difference(x):
    def g(t):
        return t * 0.5 * (1 + torch.erf(t / math.sqrt(2)))

    return (g(x) - g(x - 1e-6)) / 1e-6


def test_rms_arms_divide_by_the_uncentred_rms() -> None:
    assert FINAL_NORMS[-2:] == ("rms", "detached_rms") and FINAL_STEP_LABELS["rms"] == "RMS, no centring"
    torch.manual_seed(0)
    stream, layer_norm = torch.randn(2, 3, 16) * 5 + 2, nn.LayerNorm(16)
    rms = (stream.pow(2).mean(-1, keepdim=True) + layer_norm.eps).sqrt()
    assert torch.allclose(_final_step("rms", layer_norm, stream, 4.0), stream / rms)  # not centred
    leaf = stream.clone().requires_grad_()
    weights = torch.randn(2, 3, 16)
    (_final_step("detached_rms", layer_norm, leaf, 4.0) * weights).sum().backward()
    assert torch.allclose(leaf.grad, weights / rms, atol=1e-6)


@pytest.mark.parametrize("answer", [reviewers_slope, shifted_names])
def test_finite_difference_detector_accepts_right_answers_with_plus_and_minus_one(answer, capsys) -> None:
    check_gelu_slope(answer)
    assert "Correct!" in capsys.readouterr().out


@pytest.mark.parametrize("answer", [central_with_default, backward_difference])
def test_finite_differences_are_still_named(answer) -> None:
    with pytest.raises(ExerciseFailed, match="finite difference"):
        check_gelu_slope(answer)


# --- from test_lesson04_fix_22i.py ---


def _22i_message(checker, answer) -> str:
    with pytest.raises(ExerciseFailed) as error:
        checker(answer)
    return str(error.value)


def test_section_6a_states_the_setup_its_result_depends_on() -> None:
    doc = " ".join(last_fc2_gradient.__doc__.split())  # the probe's own description says the same
    for fact in ("4 heads", "Xavier weights", "8 sequences of 16 random tokens", "10-class head on the first token"):
        assert fact in doc, fact
    assert "random labels" in doc


def test_exercise_1_names_math_erf_on_a_tensor() -> None:
    def with_math_erf(x):
        return 0.5 * (1 + math.erf(x / math.sqrt(2))) + x * torch.exp(-x * x / 2) / math.sqrt(2 * math.pi)

    def with_math_exp(x):
        return 0.5 * (1 + torch.erf(x / math.sqrt(2))) + x * math.exp(-x * x / 2) / math.sqrt(2 * math.pi)

    for slip in (with_math_erf, with_math_exp):
        message = _22i_message(check_gelu_slope, slip)
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

    message = _22i_message(check_post_norm_block, attention_half_pre_norm)
    assert "pre-norm on the attention half only" in message

    def both_halves(x, block):  # the symmetric slip keeps its own message
        h = block.norm1(x + block.attn(block.norm1(x)))
        return block.norm2(h + block.mlp(block.norm2(h)))

    assert "pre-norm and post-norm together" in _22i_message(check_post_norm_block, both_halves)

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


# --- from test_lesson04_fix_24b.py ---


def test_seed_slope_is_a_t_interval_over_per_seed_slopes_wider_than_pooled() -> None:
    depths = (2, 4, 8, 16)
    values = {d: [d**-0.5 * (1 + 0.1 * s) * (1 + 0.05 * ((d + s) % 3)) for s in range(3)] for d in depths}
    slope, low, high = seed_slope(values)
    assert abs(slope - depth_slope(values)[0]) < 1e-12  # the same mean slope on a balanced design
    assert low < slope < high
    with pytest.raises(ValueError):
        seed_slope({2: [1.0, 2.0], 4: [1.0]})


def test_exercise_1_sign_slip_names_the_slip_without_the_answer() -> None:
    """r30 (review r29d minor 2): the sign slip's message names the wrong sign, not the right formula."""
    from scipy.stats import norm

    with pytest.raises(ExerciseFailed, match=r"the second term's sign is wrong") as failed:
        check_gelu_slope(lambda x: torch.as_tensor(norm.cdf(x.numpy()) - x.numpy() * norm.pdf(x.numpy())))
    message = str(failed.value)
    for answer in ("Phi(x) + x*phi(x)", "Phi(x) + x * phi(x)", "with a plus"):
        assert answer not in message, message


# --- from test_lesson04_fix_24d.py ---


INTERVAL = re.compile(r"\[[-+]?\d")


POINTER = re.compile(r"\bappendix\b", re.IGNORECASE)


def test_xavier_init_draws_qkv_with_the_stated_bound() -> None:
    blocks = [Block(64, heads=4, mlp_dim=256)]
    torch.manual_seed(0)
    xavier_init(blocks)
    bound, qkv = math.sqrt(6 / (2 * 64)), blocks[0].attn.qkv.weight
    assert qkv.abs().max() <= bound and qkv.abs().max() > 0.95 * bound  # the stated bound, not sqrt(6 / 4D)


# --- from test_lesson04_fix_l.py ---
def _l_message(answer) -> str:
    with pytest.raises(ExerciseFailed) as error:
        check_block_macs(answer)
    return str(error.value)


def _l_linears(d: int, m: int, n: int) -> int:
    return n * (4 * d * d + 2 * d * m)


def test_the_linears_plus_the_matrix_is_the_right_count():
    assert all(
        _block_macs(d, m, n) == _l_linears(d, m, n) + 2 * n * n * d for d, m, n in ((64, 256, 101), (100, 300, 50))
    )


def test_one_n_dropped_is_named_as_n_times_d_not_as_one_head():
    text = _l_message(lambda d, m, n: _l_linears(d, m, n) + 2 * n * d)
    assert "counted as N x D each" in text and "one head" not in text and "h = " not in text, text


def test_d_dropped_is_named_as_n_squared_not_as_one_head():
    text = _l_message(lambda d, m, n: _l_linears(d, m, n) + 2 * n * n)
    assert "counted as N^2 each" in text and "one head" not in text and "h = " not in text, text


def test_a_hard_coded_constant_gets_the_generic_message():
    text = _l_message(lambda d, m, n: 1_453_955_328)
    # round 18a: a constant is named as one (the same count at two sizes), still no false heads slip
    assert "for both (64, 256, 101) and (100, 300, 50)" in text and "heads" not in text, text


def test_a_huge_multiplier_gets_the_generic_message():
    text = _l_message(lambda d, m, n: _l_linears(d, m, n) + 1001 * 2 * n * n * d)
    assert "count qkv" in text and "x 1001" not in text, text


def test_a_plausible_heads_factor_is_still_named():
    text = _l_message(lambda d, m, n: _l_linears(d, m, n) + 8 * 2 * n * n * d)  # x 8 heads: 8 divides 64
    assert "x 8)" in text, text
    text = _l_message(lambda d, m, n: _l_linears(d, m, n) + 2 * n * n * d // 8)
    assert "one head only" in text and "h = 8" in text, text


def test_the_first_case_n_collides_with_no_plausible_head_count():
    text = _l_message(lambda d, m, n: 0)
    assert "(64, 256, 101)" in text and "heads" not in text and 101 > 64, text


def test_the_stream_widget_title_breaks_at_the_semicolons():
    from vit_explained.widgets.lesson04 import residual_stream_widget

    widget = residual_stream_widget()
    line, fig = widget.compute(16, "pre-norm", "fixed")
    title = fig._suptitle.get_text()
    assert title.replace(";\n", "; ") == line and title.count(";\n") == line.count("; ") >= 2, title


# --- from test_lesson04_fix_m.py ---
def test_final_step_toggle_disabled_for_post_norm() -> None:
    widget = residual_stream_widget(depth=2)
    toggle = widget.controls["final_norm"]
    assert not toggle.disabled
    widget.controls["design"].value = "post-norm"
    assert toggle.disabled
    assert "final-step toggle is for pre-norm only" not in widget.line  # "on": nothing to explain
    widget.controls["design"].value = "pre-norm"
    toggle.value = "fixed"
    widget.controls["design"].value = "post-norm"
    assert toggle.disabled and "final-step toggle is for pre-norm only" in widget.line
    assert widget.line == widget.compute(**widget.values)[0]
    widget.controls["design"].value = "pre-norm"
    assert not toggle.disabled and "pre-norm only" not in widget.line


def test_depth_guide_says_shape_only() -> None:
    designs = {
        name: {d: [1.0 / d**0.5 * (1 + 0.01 * s) for s in range(3)] for d in (2, 4, 8, 16)}
        for name in ("post-norm", "pre-norm")
    }
    fig = plot_depth_gradients(designs, guide="pre-norm")
    labels = [line.get_label() for line in fig.axes[0].get_lines()]
    assert "slope -0.5, for reference" in labels


# --- from test_lesson04_fix_n.py ---


def test_stored_timm64_runs_are_packaged_and_match_a_fresh_run() -> None:
    stored = ROOT / "benchmarks" / "results" / "lesson04_timm64.json"
    assert norm_placement.STORED_TIMM64_RUNS.read_bytes() == stored.read_bytes()  # the packaged copy is the run's
    runs = norm_placement.stored_timm64_runs()
    assert runs["dim"] == 64 and runs["depths"] == [2, 4, 8, 16] and runs["seeds"] == [0, 1, 2]
    assert list(runs["gradients"]) == [2, 4, 8, 16] and all(len(v) == 3 for v in runs["gradients"].values())
    fresh = norm_placement.last_fc2_gradient(False, 2, 0, init="timm")  # the shallowest point of seed 0
    assert abs(fresh / runs["gradients"][2][0] - 1) < 1e-4
    assert [round(value, 2) for value in depth_slope(runs["gradients"])] == [-0.04, -0.08, -0.01]


def test_stored_timm384_runs_are_packaged_and_match_a_fresh_run() -> None:
    """r26e M1: Answer 6a prints the D = 384 slope from this stored run (appendix B computes it live)."""
    stored = ROOT / "benchmarks" / "results" / "lesson04_timm384.json"
    assert norm_placement.STORED_TIMM384_RUNS.read_bytes() == stored.read_bytes()
    runs = norm_placement.stored_timm384_runs()
    assert runs["dim"] == 384 and runs["depths"] == [2, 4, 8, 16] and runs["seeds"] == [0, 1, 2]
    fresh = norm_placement.last_fc2_gradient(False, 2, 0, dim=384, init="timm")
    assert abs(fresh / runs["gradients"][2][0] - 1) < 1e-4
    arms = norm_placement.stored_init_arms()
    assert list(arms) == ["std 0.02, D = 64", "std 0.02, D = 384", "std 0.02, D = 768", "Xavier, D = 768"]
    assert [round(v, 3) + 0.0 for v in seed_slope(arms["std 0.02, D = 384"])] == [-0.049, -0.079, -0.019]


def test_depth_figure_draws_a_third_line_with_its_slope() -> None:
    xavier = {d: [1.0 / d**0.5 * (1 + 0.01 * s) for s in range(3)] for d in (2, 4, 8, 16)}
    drawn = {"post-norm (Xavier)": xavier, "pre-norm (Xavier)": xavier, "pre-norm, timm init": xavier}
    fig = plot_depth_gradients(drawn, guide="pre-norm (Xavier)")
    labels = [line.get_label() for line in fig.axes[0].get_lines()]
    assert sum(label.startswith("pre-norm, timm init: slope") for label in labels) == 1
    assert len(fig.axes[0].collections) == 3 * 4


def test_depth_figure_legend_can_be_placed() -> None:
    xavier = {d: [1.0 / d**0.5 * (1 + 0.01 * s) for s in range(3)] for d in (2, 4, 8, 16)}
    fig = plot_depth_gradients({"a": xavier, "b": xavier}, legend_at=(0.0, 0.14))
    fig.canvas.draw()
    legend = fig.axes[0].get_legend().get_window_extent().transformed(fig.axes[0].transAxes.inverted())
    assert abs(legend.x0) < 0.05 and abs(legend.y0 - 0.14) < 0.05


# --- from test_lesson04_fix_o.py ---


def _o_message(checker, answer) -> str:
    with pytest.raises(ExerciseFailed) as caught:
        checker(answer)
    return str(caught.value)


def test_gate_overlap_counts_switching_units_and_its_baselines() -> None:
    is_open = torch.tensor([[1, 1, 0, 0], [1, 0, 1, 0]], dtype=torch.bool)  # rates 1/2 and 1/2
    overlap = gate_overlap(is_open)
    assert overlap["switching"] == 2 and overlap["nested"] == 0
    assert overlap["independent"] == pytest.approx(4 * 0.5)  # 1 - 1/4 - 1/4 per unit
    assert overlap["independent_sd"] == pytest.approx(math.sqrt(4 * 0.5 * 0.5))
    nested = torch.tensor([[1, 1, 1, 0], [1, 0, 0, 0]], dtype=torch.bool)
    assert gate_overlap(nested)["switching"] == gate_overlap(nested)["nested"] == 2


def test_depth_report_prints_every_slope_and_the_paired_deepest_depth() -> None:
    falling = {d: [d**-0.5 * (1 + 0.01 * s) for s in range(3)] for d in (2, 4, 8, 16)}
    flat = {d: [1.0 + 0.01 * s for s in range(3)] for d in (2, 4, 8, 16)}
    report = depth_report({"post-norm": flat, "pre-norm": falling}, {"stored": falling})
    assert list(report.slope) == ["post-norm", "pre-norm", "stored"]
    assert report.slope["pre-norm"] == depth_slope(falling) and round(report.slope["pre-norm"][0], 2) == -0.5
    assert "depth 16:" in report.text and "t-interval of the mean difference" in report.text
    assert report.deepest.consistent and report.text.count("L^") == 3


def test_training_summary_matches_the_stored_runs() -> None:
    stored = stored_norm_training_runs()
    summary = training_summary(stored)
    assert list(summary.gaps) == [0, 50, 150]
    assert summary.at_chance == {"post-norm": {0: 3, 50: 3, 150: 3}, "pre-norm": {0: 0, 50: 0, 150: 0}}
    diverged = sum(run["diverged"] for run in stored["runs"] if run["lr"] == 5e-3 and run["placement"] == "post-norm")
    assert diverged == 9 and round(summary.widest, 1) == 13.9
    assert summary.text.startswith("lr 1e-3, ") and "\nlr 5e-3, " in summary.text  # not 1e-03
    file = json.loads((ROOT / "benchmarks" / "results" / "lesson04_norm_training.json").read_text())
    assert len(file["runs"]) == len(stored["runs"]) == 36


def test_gelu_slope_names_the_exponent_sign_slip() -> None:
    def grows(x):  # exp(+x^2 / 2): the density grows instead of decaying
        return 0.5 * (1 + torch.erf(x / math.sqrt(2))) + x * torch.exp(0.5 * x**2) / math.sqrt(2 * math.pi)

    message = _o_message(check_gelu_slope, grows)
    assert "wrong sign" in message and "grows" in message and "differs" not in message


def test_messages_name_the_slip_without_the_code() -> None:
    def erf_slip(x):
        return 0.5 * (1 + torch.erf(x)) + x * torch.exp(-0.5 * x**2) / math.sqrt(2 * math.pi)

    message = _o_message(check_gelu_slope, erf_slip)
    assert "wrong argument" in message and "sqrt(2)" not in message

    def three_axes(x, p, training):  # a (B, 1, 1) mask: grows a 2-D x
        if not training or p == 0:
            return x
        return x * (torch.rand(x.shape[0], 1, 1) >= p).to(x.dtype) / (1 - p)

    message = _o_message(check_drop_path, three_axes)
    assert "hard-coded" in message and "x.dim()" not in message and "(1,) *" not in message


def test_logits_with_activation_swaps_every_block_and_puts_them_back() -> None:
    from torch import nn

    from vit_explained import GELU, ViT
    from vit_explained.plotting.lesson04 import logits_with_activation

    torch.manual_seed(0)
    model = ViT(8, patch_size=4, num_classes=3, dim=16, depth=2, heads=2, mlp_dim=32, channels=1).eval()
    images = torch.rand(5, 1, 8, 8)
    own = [block.mlp.act for block in model.encoder.blocks]
    with torch.no_grad():
        expected = model(images)
    torch.testing.assert_close(logits_with_activation(model, images, chunk=2), expected)  # chunks: the same numbers
    relu = logits_with_activation(model, images, nn.ReLU())
    assert not torch.allclose(relu, expected)
    assert [block.mlp.act for block in model.encoder.blocks] == own and all(type(a) is GELU for a in own)
    for block in model.encoder.blocks:  # the same as swapping by hand
        block.mlp.act = nn.ReLU()
    with torch.no_grad():
        torch.testing.assert_close(model(images), relu)


# --- from test_lesson04_fix_p.py ---


def _p_block_macs(dim, mlp_dim, tokens):
    return tokens * (4 * dim * dim + 2 * dim * mlp_dim) + 2 * tokens * tokens * dim


@pytest.mark.parametrize(
    ("table", "expected"),
    [  # scipy.stats.fisher_exact's two-sided p for the same tables
        ((9, 9, 0, 9), 2 / math.comb(18, 9)),
        ((3, 3, 0, 3), 0.1),
        ((2, 5, 1, 6), 0.5454545454545454),
        ((4, 10, 7, 9), 0.16980233388902116),
        ((0, 5, 0, 5), 1.0),
    ],
)
def test_fisher_exact_matches_known_values(table, expected):
    assert fisher_exact(*table) == pytest.approx(expected, rel=1e-12)


def test_training_summary_counts_each_warmup_and_does_not_pool_the_shared_seeds():
    summary = training_summary(stored_norm_training_runs())
    assert summary.shared_seeds == (0, 1, 2)
    lines = summary.text.splitlines()
    assert lines[-2].count("3 of 3 against 0 of 3") == 3
    assert lines[-1].startswith(
        "the warm-ups share the same 3 seeds (0, 1, 2), so this is 3 independent runs per design, not 9"
    )
    assert "pooled" not in summary.text and "p = 4e-05" not in summary.text


def test_block_macs_names_a_cost_that_grows_with_n_squared():
    def no_attention_matrix(dim, mlp_dim, tokens):
        return _p_block_macs(dim, mlp_dim, tokens) - 2 * tokens * tokens * dim

    with pytest.raises(ExerciseFailed) as error:
        check_block_macs(no_attention_matrix)
    assert "a cost that grows with N^2" in str(error.value) and "N^2 D each" not in str(error.value)


def test_post_norm_block_names_the_missing_mlp_residual():
    def no_second_residual(x, block):
        h = block.norm1(x + block.attn(x))
        return block.norm2(block.mlp(h))

    with pytest.raises(ExerciseFailed) as error:
        check_post_norm_block(no_second_residual)
    assert "the MLP half's residual is missing" in str(error.value)


# --- from test_lesson04_fix_q2.py ---


def test_slope_difference_is_welch() -> None:
    depths = (2, 4, 8, 16)
    noisy = {d: [d**0.0 * f for f in (0.7, 1.0, 1.4)] for d in depths}  # flat, wide spread
    tight = {d: [d**-0.5 * f for f in (0.98, 1.0, 1.02)] for d in depths}  # falling, narrow spread
    difference, low, high, df = slope_difference(noisy, tight)
    assert math.isclose(difference, depth_slope(noisy)[0] - depth_slope(tight)[0])
    errors = [(fit[2] - fit[0]) / _t_quantile(0.975, 10) for fit in (depth_slope(noisy), depth_slope(tight))]
    expected_df = (errors[0] ** 2 + errors[1] ** 2) ** 2 / (errors[0] ** 4 / 10 + errors[1] ** 4 / 10)
    assert math.isclose(df, expected_df) and 10 <= df < 20  # Welch-Satterthwaite, not the pooled 20
    half = _t_quantile(0.975, df) * math.hypot(*errors)
    assert math.isclose(high - difference, half) and math.isclose(difference - low, half)


def test_depth_report_prints_the_welch_difference() -> None:
    depths = (2, 4, 8, 16)
    flat = {d: [1.0 + 0.1 * s for s in range(3)] for d in depths}
    falling = {d: [d**-0.5 * (1 + 0.01 * s) for s in range(3)] for d in depths}
    report = depth_report({"post-norm": flat, "pre-norm": falling}, {})
    assert report.difference == slope_difference(flat, falling)
    assert report.text.splitlines()[-1].startswith("post-norm - pre-norm slope: +0.50 [")
    assert "Welch's t" in report.text


# --- from test_lesson04_fix_s.py ---
def test_high_lr_gap_per_warmup_has_an_interval_above_zero() -> None:
    summary = training_summary(stored_norm_training_runs())
    assert list(summary.high_intervals) == [0, 50, 150]
    rounded = {w: [round(100 * v, 0) for v in (t.estimate, t.low, t.high)] for w, t in summary.high_intervals.items()}
    assert rounded == {0: [64, 51, 78], 50: [71, 59, 83], 150: [69, 55, 83]}
    for warmup, interval in summary.high_intervals.items():
        pre, post = (
            [run["val_accuracy"] for run in summary.seeds[(name, warmup, 5e-3)]] for name in ("pre-norm", "post-norm")
        )
        assert abs(interval.estimate - statistics.mean(a - b for a, b in zip(pre, post, strict=True))) < 1e-12
        assert interval.low > 0
    assert "lr 5e-3, accuracy pre-norm - post-norm" in summary.text and "+64.4 [+51.0, +77.8]" in summary.text


def test_fisher_p_per_warmup_is_printed_and_is_the_floor_for_three_runs() -> None:
    summary = training_summary(stored_norm_training_runs())
    assert summary.fisher == {0: fisher_exact(3, 3, 0, 3), 50: fisher_exact(3, 3, 0, 3), 150: fisher_exact(3, 3, 0, 3)}
    assert round(fisher_exact(3, 3, 0, 3), 10) == 0.1
    assert summary.text.count("(p = 0.10)") == 3 and "smallest 3 runs per design can give" in summary.text


# --- from test_lesson04_fix_t.py ---


def test_gate_report_prints_the_shares_the_overlap_and_every_pair() -> None:
    is_open = torch.tensor([[1, 1, 0, 0], [1, 0, 1, 0], [0, 0, 0, 1]], dtype=torch.bool)
    report = gate_report(is_open, ["class token", "background patch", "stroke patch"])
    assert report.overlap == gate_overlap(is_open)
    assert report.pairs[(0, 1)] == (1, pytest.approx(4 * 0.5 * 0.5)) and report.pairs[(0, 2)][0] == 0
    assert list(report.pairs) == [(0, 1), (0, 2), (1, 2)]
    lines = report.text.splitlines()
    shares = "class token 50 %; background patch 50 %; stroke patch 25 %"
    assert lines[0] == f"share of the 4 units open (Phi > 0.5): {shares}"
    assert "class/background 1 vs 1.0 ± 0.9" in lines[-1] and len(lines) == 5
    with pytest.raises(ValueError, match="one name per row"):
        gate_report(is_open, ["only one"])


def test_mlp_knockout_silences_every_mlp_branch_on_a_copy() -> None:
    torch.manual_seed(0)
    model = ViT(8, patch_size=4, num_classes=3, dim=16, depth=2, heads=2, mlp_dim=32, channels=1).eval()
    before = {name: value.clone() for name, value in model.state_dict().items()}
    images, labels = torch.rand(6, 1, 8, 8), torch.tensor([0, 1, 2, 0, 1, 2])
    correct = mlp_knockout_correct(model, images, labels, chunk=4)
    assert all(torch.equal(before[name], value) for name, value in model.state_dict().items())  # model unchanged
    with torch.no_grad():
        assert torch.equal(correct["intact"], model(images).argmax(1) == labels)
        for block in model.encoder.blocks:
            block.mlp.fc2.weight.zero_()
            block.mlp.fc2.bias.zero_()
        assert torch.equal(correct["no_mlp"], model(images).argmax(1) == labels)


def test_the_stored_knockout_is_the_benchmarks_file() -> None:
    stored = stored_mlp_knockout()
    assert set(stored) == {"intact", "no_mlp", "mean_mlp", "relu", "relu_changed"}  # relu: round 17b
    assert all(v.shape == (1000,) and v.dtype == torch.bool for v in stored.values())
    assert round(100 * stored["intact"].float().mean().item(), 1) == 97.4
    assert round(100 * stored["no_mlp"].float().mean().item(), 1) == 43.0
    results = json.loads((ROOT / "benchmarks" / "results" / "lesson04_mlp_knockout.json").read_text())
    assert results == json.loads(STORED_MLP_KNOCKOUT.read_text())


def test_drop_path_rate_figure_draws_timms_schedule() -> None:
    fig = plot_drop_path_rates(0.1, 12)
    (line,) = fig.axes[0].lines
    assert list(line.get_ydata()) == drop_path_rates(0.1, 12) and list(line.get_xdata()) == list(range(12))
    assert fig.axes[0].get_xlabel() == "block index"


def test_gate_figure_names_phi_as_the_keep_probability() -> None:
    fig = plot_gelu_gate(0.5)
    assert fig.axes[1].get_title() == "x kept with probability Phi(x)"


# --- from test_lesson04_fix_u.py ---
def _u_feature_mask_drop_path(x: torch.Tensor, p: float, training: bool) -> torch.Tensor:
    if not training or p == 0:
        return x
    mask = (torch.rand(x.shape[-1], dtype=x.dtype) < 1 - p).to(x.dtype)
    return x * mask / (1 - p)


def _u_all_kept_drop_path(x: torch.Tensor, p: float, training: bool) -> torch.Tensor:
    return x / (1 - p) if training and p > 0 else x


@pytest.mark.parametrize("drop_path", [_u_feature_mask_drop_path, _u_all_kept_drop_path])
def test_drop_path_mask_not_per_sample(drop_path) -> None:
    with pytest.raises(ExerciseFailed, match="not per sample"):
        check_drop_path(drop_path)


def test_parallel_block_returning_x() -> None:
    with pytest.raises(ExerciseFailed, match="the branches are missing"):
        check_parallel_block(lambda x, block: x + 0.0)


def test_gelu_slope_nan() -> None:
    with pytest.raises(ExerciseFailed, match="not finite"):
        check_gelu_slope(lambda x: torch.full_like(x, float("nan")))


def test_gate_report_prints_pair_sd() -> None:
    is_open = torch.zeros(2, 100, dtype=torch.bool)
    is_open[0, :50] = True
    is_open[1, 25:75] = True
    text = gate_report(is_open, ["a token", "b token"]).text
    assert "a/b 25 vs 25.0 ± 4.3" in text and "binomial" not in text


def test_depth_guide_is_a_reference_slope() -> None:
    designs = {"pre-norm": {d: [1.0 / d**0.5 + 0.01 * s for s in range(3)] for d in (2, 4, 8, 16)}}
    labels = [line.get_label() for line in plot_depth_gradients(designs).axes[0].get_lines()]
    assert "slope -0.5, for reference" in labels and not any("Xiong" in label for label in labels)


# --- from test_lesson04_fix_v.py ---


def test_gate_report_baselines() -> None:
    is_open = torch.zeros(3, 8, dtype=torch.bool)
    is_open[0, :3] = is_open[1, 2:5] = is_open[2, 5:] = True
    assert gate_report(is_open, ["a", "b", "c"], baselines=False).text.count("\n") == 1
    assert "independent" in gate_report(is_open, ["a", "b", "c"]).text


# --- from test_lesson04_fix_w.py ---


@pytest.mark.parametrize("post_norm", [False, True])
def test_profile_ends_at_the_last_block_probe(post_norm: bool) -> None:
    profile = fc2_gradient_profile(post_norm, depth=4, seed=1, dim=16)
    assert len(profile) == 4 and all(value > 0 for value in profile)
    assert profile[-1] == last_fc2_gradient(post_norm, 4, seed=1, dim=16)


def test_profiles_by_design_and_seed_leave_the_random_state() -> None:
    state = torch.random.get_rng_state()
    profiles = gradient_profiles(seeds=(0, 1), depth=3, dim=16)
    assert torch.equal(state, torch.random.get_rng_state())
    assert list(profiles) == ["post-norm", "pre-norm"] and all(len(runs) == 2 for runs in profiles.values())
    assert profiles["pre-norm"][1] == fc2_gradient_profile(False, 3, seed=1, dim=16)


def test_plot_gradient_profile_draws_one_line_and_band_per_design() -> None:
    fig = plot_gradient_profile({"post-norm": [[1.0, 2.0, 3.0], [1.5, 2.5, 2.0]], "pre-norm": [[1.0, 0.5, 0.3]] * 2})
    ax = fig.axes[0]
    assert len(ax.lines) == 2 and len(ax.collections) == 2 and ax.get_yscale() == "log"
    plt.close(fig)
    with pytest.raises(ValueError):
        plot_gradient_profile({})


def test_checker_messages_point_to_sections() -> None:
    source = Path(lesson04.__file__).read_text()
    assert "exp(-x^2 / 2) / sqrt(2 pi)" not in source and "scale by weight first" not in source
    assert source.count("{_PHI_HINT}") == 3 and "Normal(0.0, 1.0).log_prob(x).exp()" in source


def test_cached_profiles_are_the_package_function() -> None:
    from vit_explained.widgets.lesson04 import cached_gradient_profiles, depth_experiment

    designs, _ = depth_experiment((3,), (0, 1))
    cached = cached_gradient_profiles(3, (0, 1))
    assert cached == gradient_profiles(seeds=(0, 1), depth=3)
    assert [run[-1] for run in cached["pre-norm"]] == designs["pre-norm"][3]


def test_mean_ablation_on_its_own_reference_changes_nothing() -> None:
    from vit_explained import ViT
    from vit_explained.plotting.lesson04 import mlp_knockout_correct, mlp_mean_ablation_correct

    torch.manual_seed(0)
    model = ViT(8, patch_size=4, num_classes=3, dim=16, depth=2, heads=2, mlp_dim=32, channels=1).eval()
    image, label = torch.rand(1, 1, 8, 8), torch.tensor([1])
    # one reference image: its branch means are its own branch outputs, so the prediction is the intact one
    assert torch.equal(
        mlp_mean_ablation_correct(model, image, label, image), mlp_knockout_correct(model, image, label)["intact"]
    )
    before = [block.mlp.fc2.weight.clone() for block in model.encoder.blocks]
    images, labels = torch.rand(6, 1, 8, 8), torch.randint(0, 3, (6,))
    assert mlp_mean_ablation_correct(model, images, labels, torch.rand(5, 1, 8, 8), chunk=2).shape == (6,)
    assert all(
        torch.equal(a, b.mlp.fc2.weight) for a, b in zip(before, model.encoder.blocks, strict=True)
    )  # model unchanged
    assert all(not block.mlp._forward_hooks for block in model.encoder.blocks)


def test_stored_knockout_has_the_mean_ablation_arm() -> None:
    from vit_explained.plotting.lesson04 import stored_mlp_knockout

    stored = stored_mlp_knockout()
    assert list(stored) == ["intact", "no_mlp", "mean_mlp", "relu", "relu_changed"] and all(
        len(v) == 1000 for v in stored.values()
    )
    assert round(100 * stored["mean_mlp"].float().mean().item(), 1) == 50.7


# --- from test_lesson04_fix_x.py ---


def _x_visible(cells: list) -> list:
    return [c for c in cells if "hide-input" not in c.metadata.get("tags", [])]


def test_stored_gelu_relu_runs_are_paired_by_seed() -> None:
    import json

    from vit_explained.plotting.lesson04 import STORED_GELU_RELU, stored_gelu_relu

    stored = json.loads(STORED_GELU_RELU.read_text())
    trained = stored_gelu_relu()
    assert stored["recipe"]["epochs"] == 6 and stored["recipe"]["seeds"] == [0, 1, 2]
    assert [len(trained[name]) for name in ("gelu", "relu")] == [3, 3]
    assert all(len(run["val_accuracy"]) == 6 and 0.1 < run["val_accuracy"][-1] <= 1 for run in stored["runs"])
    results = Path(__file__).resolve().parents[1] / "benchmarks" / "results" / "lesson04_gelu_relu.json"
    assert results.read_text() == STORED_GELU_RELU.read_text()  # the packaged copy is the benchmark's file


# --- from test_lesson04_fix_ew_k.py ---
def _ew_k_rejected(checker, answer):
    with pytest.raises(ExerciseFailed) as error:
        checker(answer)
    return str(error.value)


@pytest.mark.parametrize(
    "answer",
    [
        lambda x, block: block(x),
        lambda x, block: block.norm2(block(x)),  # block(x) inside a longer answer
        lambda x, block: block.forward(x),
    ],
)
def test_post_norm_block_refuses_a_call_of_the_block_by_name(answer):
    message = _ew_k_rejected(check_post_norm_block, answer)
    assert "don't call block(x)" in message and "write the post-norm order yourself" in message


def test_post_norm_block_still_accepts_an_answer_from_the_parts(capsys):
    def answer(x, block):
        h = block.norm1(x + block.attn(x))
        return block.norm2(h + block.mlp(h))

    check_post_norm_block(answer)
    assert "Correct!" in capsys.readouterr().out


def test_drop_path_hints_are_short_and_still_given():
    assert len(_MASK_HINT) < 160 and len(_BATCH_HINT) < 160
    flat = _ew_k_rejected(
        check_drop_path, lambda x, p, t: x * (torch.rand(x.shape[0]) >= p) / (1 - p) if t and p else x
    )
    assert "align the mask with the batch axis" in flat and "(B, 1, ..., 1)" not in flat  # no shape handed over
    fixed = _ew_k_rejected(check_drop_path, lambda x, p, t: x * (torch.rand(7, 1, 1) >= p) / (1 - p) if t and p else x)
    assert "hard-coded" in fixed


def test_the_vit_map_labels_the_blocks_input_n_plus_one() -> None:
    """Fix 22i: lesson 01's map labels N the patches and the blocks' input (B, N + 1, D)."""
    source = (ROOT / "vit_explained" / "vit_map.py").read_text()
    assert '"(B, N, D)"' in source and '"(B, N + 1, D)"' in source  # the figure's labels


# --- review r25a_04 item 8: two slips named ---


def _phi_density(x: torch.Tensor) -> torch.Tensor:
    return torch.exp(-0.5 * x**2) / math.sqrt(2 * math.pi)


@pytest.mark.parametrize(
    "answer",
    [
        lambda x: 0.5 * (1 + torch.erf(x / 2)) + x * _phi_density(x),
        lambda x: 0.5 * (1 + torch.erf(0.5 * x)) + x * torch.exp(-(x**2) / 4) / (2 * math.sqrt(math.pi)),
        lambda x: 0.5 * torch.erfc(-x / 2) + x * _phi_density(x),
    ],
)
def test_gelu_slope_names_the_missing_sqrt_two(answer) -> None:
    message = _18a_rejected(check_gelu_slope, answer)
    assert "sqrt(2)" in message and "x / 2" in message and "differs" not in message


def _affine_first(x, weight, bias, eps):
    scaled = x * weight + bias
    return (scaled - scaled.mean(-1, keepdim=True)) / torch.sqrt(scaled.var(-1, keepdim=True, unbiased=False) + eps)


def _affine_first_rsqrt(x, weight, bias, eps):
    scaled = weight * x + bias
    centred = scaled - scaled.mean(dim=-1, keepdim=True)
    return centred * torch.rsqrt((centred**2).mean(dim=-1, keepdim=True) + eps)


def _affine_first_numpy(x, weight, bias, eps):
    scaled = x.numpy() * weight.numpy() + bias.numpy()
    centred = scaled - scaled.mean(axis=-1, keepdims=True)
    return centred / np.sqrt(centred.var(axis=-1, keepdims=True) + eps)


@pytest.mark.parametrize("answer", [_affine_first, _affine_first_rsqrt, _affine_first_numpy])
def test_layer_norm_names_weight_and_bias_before_normalising(answer) -> None:
    message = _18a_rejected(lesson04.check_layer_norm, answer)
    assert "weight and bias are applied before normalising" in message and "differs" not in message


def _right_slope(x):
    return 0.5 * (1 + torch.erf(x / math.sqrt(2))) + x * _phi_density(x)


def _right_layer_norm(x, weight, bias, eps):
    centred = x - x.mean(-1, keepdim=True)
    return centred / torch.sqrt((centred**2).mean(-1, keepdim=True) + eps) * weight + bias


def _right_layer_norm_einsum(x, weight, bias, eps):
    centred = x - x.mean(-1, keepdim=True)
    scale = torch.rsqrt(x.var(-1, keepdim=True, unbiased=False) + eps)
    return torch.einsum("...d,d->...d", centred * scale, weight) + bias


def test_right_answers_still_pass_beside_the_new_slips(capsys) -> None:
    check_gelu_slope(_right_slope)
    lesson04.check_layer_norm(_right_layer_norm)
    lesson04.check_layer_norm(_right_layer_norm_einsum)
    assert capsys.readouterr().out.count("Correct!") == 3


def test_block_flop_split_matches_attention_cost_and_section_two() -> None:
    """r28m item 3 (review r28d minor 5): the FLOP split's parts, its crossings at N = D_mlp and 2D + D_mlp."""
    from vit_explained.cost import attention_cost
    from vit_explained.plotting.lesson04 import block_flop_split, plot_flop_split

    split = block_flop_split(197)
    assert split == {
        "qkv + proj": 2 * 197 * 4 * 768**2,
        "attention matrix": attention_cost(197, 768, heads=12).matmul_flops,
        "MLP": 2 * 197 * 2 * 768 * 3072,
    }
    assert [round(100 * v / sum(split.values()), 1) for v in split.values()] == [32.0, 4.1, 63.9]
    for dim, mlp_dim in ((64, 128), (768, 3072)):
        at = block_flop_split(mlp_dim, dim, mlp_dim, 4)
        assert at["attention matrix"] == at["MLP"]
        crossing = block_flop_split(2 * dim + mlp_dim, dim, mlp_dim, 4)
        assert crossing["attention matrix"] == crossing["MLP"] + crossing["qkv + proj"]
    with pytest.raises(ValueError, match="tokens"):
        block_flop_split(0)
    fig = plot_flop_split()
    assert len(fig.axes) == 2 and len(fig.axes[1].get_lines()) >= 4


def test_token_gates_slope_by_autograd_matches_the_closed_form() -> None:
    """r29o (review r29b M1 and minor 1): section 2's gate report takes GELU's slope by autograd; it equals the
    closed form Phi(z) + z phi(z) that exercise 1 asks for."""
    from vit_explained.plotting.lesson04 import token_gates

    z = torch.linspace(-4, 3, 50, dtype=torch.float64)
    report = token_gates(z, token=7)
    phi = 0.5 * (1 + torch.erf(z / math.sqrt(2)))
    closed = (phi + z * torch.exp(-(z**2) / 2) / math.sqrt(2 * math.pi)).abs()
    torch.testing.assert_close(report.slope, closed, rtol=0, atol=1e-12)
    assert torch.equal(report.lower, phi <= 0.5)
    lines = report.text.splitlines()
    assert lines[0] == f"token 7: {int((z > 0).sum())} of 50 units have a gate above one half (z > 0)"
    assert len(lines) == 6 and lines[4].startswith("the two lower bands (gate <= 1/2, so z <= 0)")  # r31 item 5


def test_paired_accuracy_table_rows_and_paired_means() -> None:
    """r29o (review r29b minor 2): section 6's table, built in the package from the stored runs."""
    runs = norm_placement.stored_norm_training_runs()["runs"]
    lines = norm_placement.paired_accuracy_table(runs).splitlines()
    assert len(lines) == 2 + len(norm_placement.NORM_TRAINING_ROWS)
    headline = "pre-norm 74.4 (68.4..78.8) +64.4 (+58.4..+68.8) 81.7 (79.8..83.6) +2.5 (-3.6..+7.4)"
    reference = "post-norm 10.0 (10.0..10.0) 79.1 (72.4..87.2)"  # the reference row: no paired column
    assert " ".join(lines[2].split()) == headline and " ".join(lines[3].split()) == reference


def test_paired_accuracy_table_splits_into_accuracy_and_paired_tables() -> None:
    """r29p item 2 (review r29c minor 6): section 6 prints the accuracy table, then the paired differences."""
    runs = norm_placement.stored_norm_training_runs()["runs"]
    accuracy = norm_placement.paired_accuracy_table(runs, part="accuracy").splitlines()
    paired = norm_placement.paired_accuracy_table(runs, part="paired").splitlines()
    assert len(accuracy) == 2 + len(norm_placement.NORM_TRAINING_ROWS) and len(paired) == len(accuracy) - 1
    assert " ".join(accuracy[2].split()) == "pre-norm 74.4 (68.4..78.8) 81.7 (79.8..83.6)"
    assert " ".join(paired[2].split()) == "pre-norm +64.4 (+58.4..+68.8) +2.5 (-3.6..+7.4)"
    assert not any(line.startswith("post-norm ") for line in paired)  # the reference row: nothing to pair with
    with pytest.raises(ValueError):
        norm_placement.paired_accuracy_table(runs, part="both sides")


def test_paired_accuracy_table_rows_pick_the_arms_and_say_no_warm_up() -> None:
    """r30 (review r29d minor 9): section 6 prints the no-warm-up rows only; the warm-up rows stay in appendix F."""
    runs = norm_placement.stored_norm_training_runs()["runs"]
    accuracy = norm_placement.paired_accuracy_table(runs, part="accuracy", rows=("pre-norm", "post-norm")).splitlines()
    assert accuracy[0] == "validation accuracy %, no warm-up: mean (3 seeds' range)" and len(accuracy) == 4
    assert [line.split()[0] for line in accuracy[2:]] == ["pre-norm", "post-norm"]
    paired = norm_placement.paired_accuracy_table(runs, part="paired", rows=("pre-norm",)).splitlines()
    assert len(paired) == 3 and " ".join(paired[2].split()) == "pre-norm +64.4 (+58.4..+68.8) +2.5 (-3.6..+7.4)"
    full = norm_placement.paired_accuracy_table(runs, part="accuracy").splitlines()
    assert full[0] == "validation accuracy %: mean (3 seeds' range)"  # warm-up rows included: no "no warm-up"


def test_fixed_backward_arm_keeps_the_layernorm_forward_and_the_fixed_backward() -> None:
    """r30 (review r29d minor 3): the cleaner arm's forward values are the LayerNorm's; its gradient is the fixed
    divisor's (centred), so it changes only the backward factor 1/sigma."""
    norm = nn.LayerNorm(16).double()
    stream = (
        3 * torch.randn(2, 5, 16, dtype=torch.float64, generator=torch.Generator().manual_seed(0)) + 1
    ).requires_grad_(True)
    out = norm_placement._final_step(norm_placement.FIXED_BACKWARD, norm, stream, norm_placement.FIXED_NORM)
    torch.testing.assert_close(out, norm(stream))
    weights = torch.randn(2, 5, 16, dtype=torch.float64, generator=torch.Generator().manual_seed(1))
    (grad,) = torch.autograd.grad((out * weights).sum(), stream)
    centred = norm_placement._final_step("centred_fixed", norm, stream, norm_placement.FIXED_NORM)
    (expected,) = torch.autograd.grad((centred * weights).sum(), stream)
    torch.testing.assert_close(grad, expected)
    arm = norm_placement.final_norm_ablation((2, 16), (0,), names=(norm_placement.FIXED_BACKWARD,))
    assert set(arm) == {norm_placement.FIXED_BACKWARD} and all(
        v > 0 for vs in arm[norm_placement.FIXED_BACKWARD].values() for v in vs
    )


def test_mlp_knockout_figure_draws_one_bar_per_arm_with_its_wilson_interval() -> None:
    """r31u item 3 (review r31a minor 5): the knockout's picture, three bars with their 95 % intervals."""
    from vit_explained.evidence import proportion
    from vit_explained.plotting.lesson04 import plot_mlp_knockout, stored_mlp_knockout

    knockout = stored_mlp_knockout()
    arms = {name: knockout[key].tolist() for name, key in (("intact", "intact"), ("zero", "no_mlp"))}
    fig = plot_mlp_knockout(arms)
    ax = fig.axes[0]
    assert [round(bar.get_width(), 1) for bar in ax.patches] == [97.4, 43.0]
    texts = [text.get_text() for text in ax.texts]
    assert f"{proportion(arms['zero']).estimate * 100:.1f} % [40.0, 46.1]" in texts and "chance (10 %)" in texts
    with pytest.raises(ValueError):
        plot_mlp_knockout({})
    plt.close(fig)


# --- review r31b_04 minor 10: erf(x) for erf(x / sqrt(2)), with the matching density, named ---


def test_gelu_slope_names_erf_of_x_with_its_own_density() -> None:
    def erf_of_x(x):  # Phi(x) written as (1 + erf(x)) / 2, differentiated consistently
        return 0.5 * (1 + torch.erf(x)) + x * torch.exp(-(x**2)) / math.sqrt(math.pi)

    message = _18a_rejected(check_gelu_slope, erf_of_x)
    assert "erf(x)" in message and "sqrt(2)" in message and "differs" not in message


def test_gate_summary_two_lines_and_stream_spread_without_a_sqrt_guide() -> None:
    """r32z items 1 and 3 (review r32b MAJOR 1, minor 2): section 2 prints the open count and the mean slopes only
    (the bands' shares: appendix H); the spread figure draws the data alone, no sqrt(L) curve."""
    from vit_explained.plotting.lesson04 import plot_stream_spread, token_gates

    z = torch.linspace(-4, 3, 50, dtype=torch.float64)
    summary = token_gates(z, token=7).summary.splitlines()
    assert len(summary) == 2 and summary[0].startswith("token 7:") and summary[1].startswith("mean |GELU slope|")
    fig = plot_stream_spread({2: [1.3, 1.35], 16: [3.5, 3.7]})
    assert len(fig.axes[0].lines) == 1 and "sqrt" not in fig.axes[0].get_legend_handles_labels()[1][0]

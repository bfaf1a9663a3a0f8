"""Lesson 05 behaviour tests: package functions, checkers, widgets and plots, folded from the per-round test files."""

from __future__ import annotations

import json
import math
import sys
import warnings
from pathlib import Path

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch
import torch.nn.functional as F
from matplotlib.patches import Circle

from vit_explained.attention_backward import HeadWeights, attention_forward
from vit_explained.data import load_digits
from vit_explained.evidence import t_interval
from vit_explained.exercises import ExerciseFailed
from vit_explained.exercises import lesson05 as exercises
from vit_explained.exercises import lesson05 as exercises05
from vit_explained.exercises.lesson05 import (
    check_cut_block,
    check_frozen_attention_parts,
    check_route_ratio,
    check_softmax_backward,
    check_w_k_gradient,
    check_w_q_gradient,
    check_w_v_gradient,
)
from vit_explained.gradient_experiments import (
    STORED_FRESH_SHAPES,
    STORED_FULL_CHECKPOINTS,
    SaturationSweep,
    freeze_cut_table,
    residual_route_norms,
    saturation_sweep,
    skip_over_mlp,
    small_digit_vit,
    small_model_cuts,
    stored_fresh_shapes,
    stored_full_checkpoints,
    stored_training_checkpoints,
    v_over_qk,
    v_over_qk_by_block,
)
from vit_explained.gradient_hooks import GradientRecorder, mlp_route_cut
from vit_explained.plotting.lesson05 import (
    _GRAPH_EDGES,
    _GRAPH_NODES,
    _HALF_WIDTH,
    REFERENCE_LABEL,
    ROUTE_COLORS,
    plot_cut_changes,
    plot_derivation_point,
    plot_freeze_and_cut,
    plot_gradient_norms,
    plot_share_arrows,
    plot_softmax_saturation,
    plot_two_routes,
    share_arrows,
)
from vit_explained.pretrained import load_mnist_vit
from vit_explained.widgets import lesson05
from vit_explained.widgets.lesson05 import (
    MODELS,
    _batch,
    _block_0_heads,
    cut_and_backward,
    derivation_curves,
    derivation_point,
    derivation_widget,
    freeze_and_backward,
    gradient_freeze_widget,
)

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
matplotlib.use("Agg")

from benchmarks.bench_lesson05_training import full_table
from tests import _notebook as nb

ROOT = Path(__file__).resolve().parents[1]
LESSON = nb.NOTEBOOKS / "05_where_gradients_flow.ipynb"
NOTEBOOK = LESSON
APPENDIX = nb.NOTEBOOKS / "05_where_gradients_flow_appendix.ipynb"
SOLUTIONS = nb.NOTEBOOKS / "solutions" / "05_where_gradients_flow_solutions.ipynb"


# --- from test_lesson05_fix17a.py ---


def _17a_w_q_gradient(x, k, grad_scores):
    return torch.einsum("bnd,bne->de", grad_scores @ k / k.shape[-1] ** 0.5, x)


@pytest.mark.parametrize(
    ("wrong", "named"),
    [
        (lambda x, k, g: torch.einsum("bnd,bne->de", g @ k, x), "scale is missing"),
        (lambda x, k, g: _17a_w_q_gradient(x, k, g) * k.shape[-1], "multiplied by sqrt"),
        (lambda x, k, g: _17a_w_q_gradient(x, k, g) / k.shape[-1] ** 0.5, "applied twice"),
    ],
)
def test_scale_messages_state_the_scores_formula_not_the_answer(wrong, named):
    with pytest.raises(ExerciseFailed) as failed:
        check_w_q_gradient(wrong)
    message = str(failed.value)
    assert named in message and "S = Q K^T / sqrt(d)" in message  # the formula the learner missed
    assert "dQ = dS K" not in message and "?" in message  # a question, not the answer


def test_right_answer_still_passes(capsys):
    check_w_q_gradient(_17a_w_q_gradient)
    assert "Correct!" in capsys.readouterr().out


def test_stored_training_benchmark_is_the_packaged_copy_with_3_seeds_and_4_checkpoints():
    stored = stored_training_checkpoints()
    assert stored == json.loads((ROOT / "benchmarks" / "results" / "lesson05_training.json").read_text())
    assert [run["seed"] for run in stored["runs"]] == [0, 1, 2]
    for run in stored["runs"]:
        assert [point["epoch"] for point in run["checkpoints"]] == stored["checkpoints_epochs"] == [0, 1, 2, 4]
        for point in run["checkpoints"]:
            assert len(point["v_over_qk"]) == len(point["mlp_share"]) == 4
            assert all(r > 0 for r in point["v_over_qk"]) and all(-1 < s < 1 for s in point["mlp_share"])
    assert stored["seconds"] < 180


# --- from test_lesson05_fix18a.py ---


def _18a_run(seed, shares):
    return {
        "seed": seed,
        "epochs": 50,
        "steps": 2750,
        "v_over_qk": [1.5, 2.0, 2.5, 3.0],
        "mlp_share": shares,
        "val_accuracy": 0.96,
    }


def test_the_reader_gives_none_until_the_full_run_is_stored_and_reads_it_after(tmp_path):
    assert stored_full_checkpoints(tmp_path / "missing.json") is None
    stored = {"date": "2026-12-05", "runs": [_18a_run(1, [0.9, 0.8, 0.7, 0.5]), _18a_run(2, [0.92, 0.6, 0.3, 0.1])]}
    (tmp_path / "lesson05_full.json").write_text(json.dumps(stored))
    assert stored_full_checkpoints(tmp_path / "lesson05_full.json") == stored
    assert STORED_FULL_CHECKPOINTS.parent == ROOT / "vit_explained" / "checkpoints"
    if STORED_FULL_CHECKPOINTS.exists():  # once the lead has run it: the packaged copy is the results' bytes
        packaged = stored_full_checkpoints()
        assert packaged == json.loads((ROOT / "benchmarks" / "results" / "lesson05_full.json").read_text())
        assert all(r["epochs"] == 50 and len(r["mlp_share"]) == 4 for r in packaged["runs"])


def test_the_full_table_has_one_row_per_seed_and_a_range_over_seeds():
    table = full_table([_18a_run(1, [0.9, 0.8, 0.7, 0.5]), _18a_run(2, [0.92, 0.6, 0.3, 0.1])])
    lines = table.splitlines()
    assert len(lines) == 2 + 3 and lines[2].startswith("| 1 | 96.0% | 90%; 1.5")
    assert "(2 seeds: 90..92)" in lines[-1] and "(2 seeds: 10..50)" in lines[-1]


# --- from test_lesson05_fix18b.py ---


def test_the_replication_is_stored_read_and_stated_with_its_range():
    from vit_explained.gradient_experiments import stored_full_checkpoints

    stored = stored_full_checkpoints()
    assert [run["seed"] for run in stored["runs"]] == [1, 2] and {run["epochs"] for run in stored["runs"]} == {50}
    cells = nb.cells(LESSON) + nb.cells(APPENDIX)
    (reader,) = [c for c in cells if "stored_full_checkpoints()" in nb.source(c) and "over_seeds(" in nb.source(c)]
    printed = "".join("".join(o.get("text", "")) for o in reader["outputs"])
    assert "block 0: " in printed and "(3 seeds: 90..96)" in printed
    text = " ".join(nb.flat(nb.source(c)) for c in cells if c["cell_type"] == "markdown")
    assert text.count("3 trained runs of the same recipe") == 1  # 22a; 23b: section 5's wording
    assert "3 runs in all (seeds 0, 1, 2)" in nb.all_printed(
        APPENDIX
    )  # 23b: a narrower legend; the route table moved to appendix D
    assert "not yet replicated" not in text


# --- from test_lesson05_fix18c.py ---


def test_small_model_cuts_gives_each_seed_its_own_digits():
    torch.manual_seed(0)
    images, labels = torch.rand(8, 1, 8, 8), torch.randint(0, 10, (8,))
    cuts = small_model_cuts(images, labels, seeds=[0, 1], per_seed=4)
    by_hand = mlp_route_cut(lambda: small_digit_vit(1, fused=True), images[4:8], labels[4:8])
    assert len(cuts) == 2 and cuts[1].qkv_share == by_hand.qkv_share


def test_derivation_picture_titles_the_ratio_and_draws_w_v_dark():
    from vit_explained.widgets.lesson05 import derivation_widget

    widget = derivation_widget(c=10 ** (9 / 8))
    line, fig = widget.compute(**widget.values)
    ratio = line.split("ratio v / q = ")[1]
    assert fig.axes[0].get_title().endswith(f"c = 13.3: ratio v / q = {ratio}")
    w_v = [line for line in fig.axes[0].lines if line.get_label() == "||dW_v||"]
    assert w_v and w_v[0].get_color() == "0.2"


# --- from test_lesson05_fix18d.py ---


def test_freeze_panel_names_the_model():
    from vit_explained.widgets.lesson05 import gradient_freeze_widget

    widget = gradient_freeze_widget(freeze="mlp", experiment="freeze and cut, side by side", model="trained MNIST ViT")
    _, figure = widget.compute(**widget.values)
    assert figure.axes[0].get_title().startswith("trained MNIST ViT\nFreeze: gradient norms")


def test_exercise_1_names_a_matrix_product():
    import pytest

    from vit_explained.exercises import ExerciseFailed, lesson05

    def left(a, g):
        return a @ (g - (g * a).sum(-1, keepdim=True))

    def right(a, g):
        return (g - (g * a).sum(-1, keepdim=True)) @ a

    for slip in (left, right):
        with pytest.raises(ExerciseFailed, match="as matrices"):
            lesson05.check_softmax_backward(slip)


def test_exercise_1_right_answers_still_pass(capsys):
    from vit_explained.exercises import lesson05

    lesson05.check_softmax_backward(lambda a, g: a * (g - (g * a).sum(-1, keepdim=True)))
    lesson05.check_softmax_backward(lambda a, g: a * g - a * torch.einsum("...ij,...ij->...i", a, g)[..., None])
    assert capsys.readouterr().out.count("Correct!") == 2


# --- from test_lesson05_fix18e.py ---


def _18e_row_entropy(a: torch.Tensor) -> torch.Tensor:
    return -(a * torch.log(a.clamp_min(1e-300))).sum(-1) / math.log(a.shape[-1])


def test_widget_picture_is_the_mean_over_heads_and_spread_at_the_peak():
    peak = 10 ** (9 / 8)
    x, _, heads = _block_0_heads()
    by_head = []
    for head in heads:
        scaled = head._replace(w_q=peak * head.w_q, w_k=peak * head.w_k)
        q, k = x[0] @ scaled.w_q.T + scaled.b_q, x[0] @ scaled.w_k.T + scaled.b_k  # image 0, (N, d) each
        by_head.append(torch.softmax(q @ k.T / math.sqrt(q.shape[-1]), dim=-1))
    point = derivation_point(peak)
    torch.testing.assert_close(point.attention, torch.stack(by_head).mean(0))
    assert _18e_row_entropy(point.attention).min() > 0.5  # every row of the picture spread at the peak
    assert derivation_point(100.0).attention.max(-1).values.min() > 0.45  # sharp at c = 100: half on one key
    widget = derivation_widget(c=peak)
    _, fig = widget.compute(**widget.values)
    assert fig.axes[1].get_title() == "A, image 0, mean over heads 0-3"


# --- from test_lesson05_fix_17b.py ---


def test_v_over_qk_by_block_is_the_recorders_ratio():
    digits = torch.rand(8, 1, 8, 8, generator=torch.Generator().manual_seed(0))
    labels = torch.arange(8)
    by_block = v_over_qk_by_block(small_digit_vit(1, init="torch"), digits, labels)
    model = small_digit_vit(1, init="torch")
    with GradientRecorder(model) as recorder:
        torch.nn.functional.cross_entropy(model(digits), labels).backward()
    assert by_block == [v_over_qk(n) for n in recorder.qkv_by_layer().values()] and len(by_block) == 4


def test_table_header_names_what_is_compared():
    changes = {
        0: {
            "freeze": type("C", (), {"relative": 0.0})(),
            "fc1": type("C", (), {"relative": 0.2})(),
            "cut": type("C", (), {"relative": 0.5})(),
            "share": 0.3,
        }
    }
    assert freeze_cut_table(changes, title="frozen copy vs full").splitlines()[0] == "frozen copy vs full"
    assert freeze_cut_table(changes).splitlines()[0].startswith("qkv.weight.grad g of the frozen")


def test_exercise_messages():
    with pytest.raises(ExerciseFailed, match=r"must use row i's own sum\.$"):  # a row sum without keepdim
        check_softmax_backward(lambda a, g: a * (g - (g * a).sum(-1)))
    with pytest.raises(ExerciseFailed) as failed:  # named once each, two spellings of one part
        check_frozen_attention_parts(lambda: {"embeddings", "norm1", "norm2", "mlps", "mlp", "final norm"})
    message = str(failed.value)
    assert "both name the part 'mlp'" in message and "keep one of the two." in message
    assert "should be named once" not in message


def test_share_arrows_geometry_and_picture():
    tips = share_arrows(0.31, 0.61)
    (mx, my), (cx, cy) = tips["g - g_cut"], tips["g_cut"]
    assert mx == pytest.approx(0.31) and (mx * mx + my * my) ** 0.5 == pytest.approx(0.61)  # share, change
    assert (cx + mx, cy + my) == pytest.approx((1.0, 0.0))  # g = g_cut + (g - g_cut)
    with pytest.raises(ValueError, match="at least"):
        share_arrows(0.5, 0.4)
    fig = plot_share_arrows({"a": (0.31, 0.61), "b": (0.96, 0.97)}, title="t")
    assert len(fig.axes) == 2 and [ax.get_title() for ax in fig.axes] == ["a", "b"]
    sources = nb.sources(LESSON) + nb.sources(APPENDIX)
    picture = nb.unique_index(sources, 'plot_share_arrows({f"small model at init, block {b}"')  # 20e: back in section 5
    assert nb.unique_index(sources, "## 5 · Cut the MLP route") < picture < nb.unique_index(sources, "## Summary")
    definition = sources[picture + 1]  # the share's definition, right below its picture: the facts it states
    assert "negative when" in definition and "against $g$" in definition


# --- from test_lesson05_fix_17c.py ---


def test_exercise_1_refuses_autograd_by_name():
    def by_autograd(a, grad_a):
        s = torch.log(a).detach().requires_grad_()
        return torch.autograd.grad(torch.softmax(s, dim=-1), s, grad_a)[0]

    with pytest.raises(ExerciseFailed, match=r"not autograd.*torch\.autograd\.grad"):
        check_softmax_backward(by_autograd)


# --- from test_lesson05_fix_17d.py ---


def test_curves_are_drawn_only_up_to_the_current_c_on_fixed_axes():
    curves = SaturationSweep(
        factors=[1.0, 10.0, 100.0],
        w_q={"1/sqrt(d)": [1e-3, 1e-2, 3e-3]},
        w_v={"1/sqrt(d)": [0.1, 0.12, 0.1]},
        entropy={"1/sqrt(d)": [1.0, 0.5, 0.1]},
    )
    at_1 = plot_derivation_point(curves, 1.0, (1e-3, 0.1), np.full((17, 17), 1 / 17))
    at_10 = plot_derivation_point(curves, 10.0, (1e-2, 0.12), np.full((17, 17), 1 / 17))
    drawn = [len(line.get_xdata()) for line in at_1.axes[0].lines[:2]]
    assert drawn == [1, 1] and [len(line.get_xdata()) for line in at_10.axes[0].lines[:2]] == [2, 2]
    assert at_1.axes[0].get_xlim() == at_10.axes[0].get_xlim()  # the x axis does not move with c
    assert at_1.axes[0].get_ylim() == at_10.axes[0].get_ylim()  # nor the y axis: the rest stays unseen
    right = at_1.axes[1]
    # 19b: every fourth token index ticked, token 0 named "cls"
    assert [t.get_text() for t in right.get_xticklabels()] == ["cls", "4", "8", "12", "16"]
    assert list(right.get_xticks()) == [0, 4, 8, 12, 16]
    assert [t.get_text() for t in right.get_yticklabels()] == ["cls", "4", "8", "12", "16"]


# --- from test_lesson05_fix_17f.py ---


def test_the_whole_sweep_is_drawn_faintly_and_the_guess_comes_first():
    curves = SaturationSweep(
        factors=[1.0, 10.0, 100.0],
        w_q={"1/sqrt(d)": [1e-3, 1e-2, 3e-3]},
        w_v={"1/sqrt(d)": [0.1, 0.12, 0.1]},
        entropy={"1/sqrt(d)": [1.0, 0.5, 0.1]},
    )
    fig = plot_derivation_point(curves, 1.0, (1e-3, 0.1), np.full((17, 17), 1 / 17))
    faint = [line for line in fig.axes[0].lines if line.get_alpha() is not None and line.get_alpha() < 0.5]
    assert [len(line.get_xdata()) for line in faint] == [3, 3]
    sources = nb.sources(LESSON) + nb.sources(APPENDIX)
    widget = nb.unique_index(sources, "derivation = derivation_widget(")
    assert "derivation_widget()  # opens at c = 1" in sources[widget] and "Guess first" in sources[widget - 1]  # 18c
    assert "whole sweep is drawn faintly" in sources[widget - 1] and "leaves out the biases" not in sources[widget - 1]


# --- from test_lesson05_fix_19a.py ---


def test_derivation_widget_opens_at_c_1_with_a_button_to_its_peak():
    from vit_explained.widgets.lesson05 import derivation_widget

    cells, sources = (nb.cells(LESSON) + nb.cells(APPENDIX)), (nb.sources(NOTEBOOK) + nb.sources(APPENDIX))
    at = nb.unique_index(sources, "derivation = derivation_widget(")
    assert "derivation_widget()  # opens at c = 1" in sources[at]
    stored = "".join("".join(o["data"]["text/plain"]) for o in cells[at]["outputs"] if "data" in o)
    assert "DerivationWidget: c = 1 (scores x 1)" in stored
    assert "It opens at $c = 1$" in sources[at - 1] and "**go to the peak: c = 13.3**" in sources[at - 1]
    widget = derivation_widget()
    assert widget.values["c"] == 1 and widget.peak_button.description == "go to the peak: c = 13.3"
    widget.peak_button.click()
    assert widget.values["c"] == 10 ** (9 / 8) and widget.line.startswith("c = 13.3")
    widget.controls["scale"].value = "no scale"
    assert widget.peak_button.description.startswith("go to the peak: c = ")


# --- from test_lesson05_fix_19b.py ---


def test_row_shares_and_the_table_columns():
    from vit_explained.gradient_experiments import freeze_cut_table
    from vit_explained.gradient_hooks import GradientChange, mlp_share, row_shares

    g = torch.randn(6, 4, generator=torch.Generator().manual_seed(0))
    g_cut = g.clone()
    g_cut[4:] = 0  # only the v rows lose their MLP part: the whole of it
    rows = row_shares(g, g_cut)
    assert rows["q"] == 0 and rows["k"] == 0 and abs(rows["v"] - 1) < 1e-12
    assert abs(rows["v"] - mlp_share(g[4:], g_cut[4:])) < 1e-12
    same = GradientChange(0.0, 1.0)
    changes = {0: {"freeze": same, "cut": GradientChange(0.5, 0.5), "share": 0.25, "fc1": same, "rows": rows}}
    table = freeze_cut_table(changes, with_change=False, rows=True)
    assert "q rows k rows v rows" in table
    assert table.splitlines()[-1].split("|")[2].split() == ["25%", "0%", "0%", "100%"]
    assert "q rows" not in freeze_cut_table(changes, with_change=False)


def test_derivation_heatmap_labels_token_indices():
    from vit_explained.gradient_experiments import SaturationSweep
    from vit_explained.plotting.lesson05 import plot_derivation_point

    curves = SaturationSweep(
        factors=[1.0, 10.0],
        w_q={"1/sqrt(d)": [1e-3, 1e-2]},
        w_v={"1/sqrt(d)": [0.1, 0.1]},
        entropy={"1/sqrt(d)": [1.0, 0.5]},
    )
    flat = plot_derivation_point(curves, 1.0, (1e-3, 0.1), np.full((17, 17), 1 / 17))
    right = flat.axes[1]
    assert [t.get_text() for t in right.get_yticklabels()] == ["cls", "4", "8", "12", "16"]
    assert any("near uniform" in t.get_text() for t in right.texts)
    sharp = np.eye(17)
    assert not plot_derivation_point(curves, 10.0, (1e-2, 0.1), sharp).axes[1].texts  # no note on a pattern
    sources = nb.sources(LESSON) + nb.sources(APPENDIX)
    assert (
        "derivation_widget()  # opens at c = 1" in sources[nb.unique_index(sources, "derivation = derivation_widget()")]
    )


# --- from test_lesson05_fix_19c.py ---


def test_small_vit_qkv_init_changes_only_the_qkv_layers():
    from vit_explained.gradient_experiments import small_digit_vit, small_vit_qkv_init

    base, swapped = small_digit_vit(1, init="torch"), small_vit_qkv_init(1, init="torch", qkv_init="timm")
    for (name, a), b in zip(base.state_dict().items(), swapped.state_dict().values(), strict=True):
        assert torch.equal(a, b) != ("attn.qkv" in name), name
    qkv = swapped.blocks[0].attn.qkv
    assert abs(qkv.weight.std().item() - 0.02) < 0.002 and torch.count_nonzero(qkv.bias) == 0
    back = small_vit_qkv_init(1, init="timm", qkv_init="torch").blocks[0].attn.qkv
    assert back.weight.std().item() > 0.05 and torch.count_nonzero(back.bias) > 0


def test_token_gradient_norms_is_zero_on_patches_at_the_top():
    from vit_explained.data import load_digits
    from vit_explained.gradient_experiments import small_digit_vit, token_gradient_norms

    digits = load_digits()
    norms = token_gradient_norms(small_digit_vit(), digits.train_images[:8], digits.train_labels[:8])
    assert len(norms) == 4 and norms[3][1] == 0.0 and all(cls > 100 * patch for cls, patch in norms)


def test_route_cut_keeps_row_shares_per_chunk():
    from vit_explained.gradient_experiments import small_digit_vit
    from vit_explained.gradient_hooks import mlp_route_cut

    images, labels = torch.rand(8, 1, 8, 8), torch.arange(8)
    cut = mlp_route_cut(lambda: small_digit_vit(0, fused=True), images, labels, chunk=4)
    assert len(cut.qkv_row_share_per_chunk) == 4 and all(len(block) == 2 for block in cut.qkv_row_share_per_chunk)
    assert set(cut.qkv_row_share_per_chunk[0][0]) == {"q", "k", "v"}


# --- from test_lesson05_fix_20a.py ---


def test_factor_chain_helper_draws_two_log_panels():
    torch = pytest.importorskip("torch")
    from vit_explained.data import load_digits
    from vit_explained.gradient_experiments import qk_factor_chain, small_digit_vit
    from vit_explained.plotting.lesson05 import plot_factor_chain

    digits = load_digits()
    with torch.random.fork_rng():
        chain = qk_factor_chain(small_digit_vit(), digits.train_images[:64], digits.train_labels[:64])
    assert round(1 / chain["M"]) == 459 and round(chain["dW_v / dW_q"]) == 314
    fig = plot_factor_chain(chain)
    assert [ax.get_yscale() for ax in fig.axes] == ["log", "log", "log"]


# --- from test_lesson05_fix_20c.py ---


def test_qkv_cut_size_is_the_length_of_the_cut_gradient():
    from vit_explained.gradient_experiments import small_digit_vit
    from vit_explained.gradient_hooks import cut_mlp_route, mlp_route_cut

    torch.manual_seed(0)
    images, labels = torch.rand(8, 1, 8, 8), torch.randint(0, 10, (8,))
    result = mlp_route_cut(lambda: small_digit_vit(1), images, labels)
    whole, severed = small_digit_vit(1), small_digit_vit(1)
    torch.nn.functional.cross_entropy(whole(images), labels).backward()
    with cut_mlp_route(severed):
        torch.nn.functional.cross_entropy(severed(images), labels).backward()
    direct = [
        (b.attn.qkv.weight.grad.double().norm() / a.attn.qkv.weight.grad.double().norm()).item()
        for a, b in zip(whole.blocks, severed.blocks, strict=True)
    ]
    got = result.qkv_cut_size
    assert all(abs(x - y) < 1e-4 for x, y in zip(got, direct, strict=True)), (got, direct)


# --- from test_lesson05_fix_22a.py ---


def test_item_6_factor_chart_splits_sizes_and_ratios_to_d_o():
    from vit_explained.plotting.lesson05 import plot_factor_chain

    chain = {"K": 0.1, "V - Vbar": 0.06, "averaging": 2.8, "M": 1 / 459, "dQ / dO": 1 / 319, "dV / dO": 1 / 4.1}
    chain |= {"K - Kbar": 0.064, "averaging, centred": 1.7}  # 24c: the chart draws the centred keys
    chain |= {"dV / dQ": 78.0, "sums": 4.0, "dW_v / dW_q": 314.0}
    fig = plot_factor_chain(chain)
    sizes, ratios, _ = fig.axes
    assert sizes.get_ylabel() == "size of one entry (RMS)" and ratios.get_ylabel() == "ratio to dO (RMS per entry)"
    assert [t.get_text() for t in ratios.get_xticklabels()] == ["dQ / dO", "dV / dO"]
    assert "dQ / dO" not in [t.get_text() for t in sizes.get_xticklabels()]
    weights = fig.axes[2].get_xticklabels()[1].get_text()  # r28b minor 2: 314 here vs section 3's 316 (biases too)
    assert weights.startswith("weights only (no biases)")


def test_item_7_widget_legend_says_a_dot_in_a_ring_is_unchanged():
    from vit_explained.plotting.lesson05 import REFERENCE_LABEL

    assert "filled dot inside a ring = unchanged" in REFERENCE_LABEL


def test_item_8_comment_and_float32_note_when_returned_directly(capsys):
    from pathlib import Path

    from vit_explained.exercises import lesson05

    source = Path(lesson05.__file__).read_text()
    assert "# --- exercise 7: cut the skip routes" in source and "exercise 7: cut the MLP route" not in source

    def float32_direct(a, grad_a):
        a, grad_a = a.float(), grad_a.float()
        return a * (grad_a - (a * grad_a).sum(-1, keepdim=True))

    def float32_cast_back(a, grad_a):
        return float32_direct(a, grad_a).double()

    def float64(a, grad_a):
        return a * (grad_a - (a * grad_a).sum(-1, keepdim=True))

    note = "right to float32's precision"
    for answer, noted in ((float32_direct, True), (float32_cast_back, True), (float64, False)):
        lesson05.check_softmax_backward(answer)
        out = capsys.readouterr().out
        assert "Correct!" in out and (note in out) == noted, answer.__name__
    assert torch.get_default_dtype() == torch.float32


# --- from test_lesson05_fix_22c.py ---


def test_item_1_route_overlap_agrees_with_the_mlp_route_cut():
    from vit_explained.gradient_experiments import route_overlap, small_digit_vit
    from vit_explained.gradient_hooks import mlp_route_cut

    torch.manual_seed(0)
    images, labels = torch.rand(16, 1, 8, 8), torch.arange(16) % 10
    routes = route_overlap(lambda: small_digit_vit(0), images, labels)
    cut = mlp_route_cut(lambda: small_digit_vit(0), images, labels, chunk=16)
    assert all(abs(a - b) < 1e-4 for a, b in zip(routes.mlp_share, cut.qkv_share, strict=True))
    assert all(abs(a - b) < 1e-4 for a, b in zip(routes.mlp_left, cut.qkv_cut_size, strict=True))
    assert routes.attention_share[-1] == 0.0  # the top block has no attention above it
    assert abs(routes.own_mlp_share[-1] - routes.mlp_share[-1]) < 1e-9  # and only its own MLP
    assert abs(routes.no_branch_left[-1] - routes.mlp_left[-1]) < 1e-9


def test_item_6_the_widget_legend_sits_below_the_axes():
    from vit_explained.plotting.lesson05 import plot_freeze_and_cut

    groups = {("block 0", "qkv"): 1.0, ("block 0", "mlp"): 0.0, ("head", "head"): 0.5}
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    fig = plot_freeze_and_cut(groups, [0.5], cut=[True], freeze_title="f", cut_title="c", reference=groups)
    left = fig.axes[0]
    FigureCanvasAgg(fig).draw()
    renderer = fig.canvas.get_renderer()
    legend, axes = left.get_legend().get_window_extent(renderer), left.get_window_extent(renderer)
    assert legend.y1 < axes.y0  # below the axes: clear of the y tick labels and the title
    assert legend.y0 >= 0 and legend.x0 >= 0


# --- from test_lesson05_fix_22g.py ---

BENCH_22g = nb.NOTEBOOKS.parent / "benchmarks" / "bench_lesson05_fresh_shapes.py"


def test_item_1b_the_stored_run_has_vit_ti_shape_and_matches_the_prose():
    stored = stored_fresh_shapes()
    assert json.loads(STORED_FRESH_SHAPES.read_text()) == stored
    shape = stored["shape"]
    assert (shape["dim"], shape["depth"], shape["heads"], shape["mlp_dim"]) == (192, 12, 3, 768)
    assert stored["init"] == "timm" and [run["seed"] for run in stored["runs"]] == [0, 1, 2]
    assert "first 64 validation digits" in stored["probe"]
    block_0 = [round(100 * run["mlp_share"][0]) for run in stored["runs"]]
    assert (min(block_0), max(block_0)) == (84, 89)
    # the prose that quotes the stored run: appendix F only (moved from section 5; from the Summary in r28b minor 6)
    app_sources = nb.sources(APPENDIX)
    appendix_f = nb.flat(app_sources[nb.unique_index(app_sources, "**A standard shape.**")])
    assert "84 to 89 %" in appendix_f and "4 to 9 % in block 11" in appendix_f and "3 seeds" in appendix_f
    assert "MLP 768 = 4D, timm init" in appendix_f and "on the first 64 validation digits" in appendix_f  # r27b minor 6
    sources = nb.sources(LESSON)
    summary = nb.flat(sources[nb.unique_index(sources, "**Answer to the question:**")])
    assert "84-89 %" not in summary and "12 blocks" not in summary
    bench = BENCH_22g.read_text()
    assert 'SHAPE["mlp_dim"] = 4 * SHAPE["dim"]' in bench and "SEEDS, PROBE = (0, 1, 2), 64" in bench
    assert (nb.NOTEBOOKS.parent / "benchmarks" / "results" / "lesson05_fresh_shapes.md").exists()


# --- from test_lesson05_fix_22j.py ---


def test_item_1_the_dk_pattern_message_names_a_column_of_ds_not_dks_formula():
    slip = lambda x, k, gs: torch.einsum("bnd,bne->de", gs.mT @ k, x) / k.shape[-1] ** 0.5  # noqa: E731
    with pytest.raises(ExerciseFailed) as error:
        check_w_q_gradient(slip)
    message = str(error.value)
    assert "you used dS^T (the keys' pattern, a column of dS)" in message
    assert "s dS K, a row of dS" in message
    assert "dK's formula" not in message and "dS^T K is" not in message


@pytest.mark.parametrize(
    "right",
    [
        lambda x, k, gs: torch.einsum("bnd,bne->de", gs @ k, x) / k.shape[-1] ** 0.5,
        lambda x, k, gs: ((gs @ k).mT @ x).sum(0) / k.shape[-1] ** 0.5,
        lambda x, k, gs: sum((gs[b] @ k[b]).T @ x[b] for b in range(x.shape[0])) / k.shape[-1] ** 0.5,
    ],
)
def test_item_1_right_answers_still_pass(right, capsys):
    check_w_q_gradient(right)
    assert "Correct" in capsys.readouterr().out


# --- from test_lesson05_fix_23c.py ---


def test_item_1_the_package_cuts_norm2_for_mlps_and_norm1_above_for_attention():
    import inspect

    from vit_explained import gradient_experiments as ge

    cuts = inspect.getsource(ge._qkv_gradients_with_cuts)
    assert "norm2.register_forward_pre_hook" in cuts and "norm1.register_forward_pre_hook" in cuts
    assert "above = range(b + 1, len(model.blocks))" in inspect.getsource(ge.route_overlap)


# --- from test_lesson05_fix_23e.py ---


def test_item_1_small_model_cuts_keeps_its_default_and_can_share_the_digits():
    torch.manual_seed(0)
    images, labels = torch.rand(8, 1, 8, 8), torch.randint(0, 10, (8,))
    own = small_model_cuts(images, labels, seeds=[0, 1], per_seed=4)  # the old default: seed 1 on digits 4-8
    shared = small_model_cuts(images, labels, seeds=[0, 1], per_seed=4, same_digits=True)  # both on digits 0-4
    assert own[0].qkv_share == shared[0].qkv_share and own[1].qkv_share != shared[1].qkv_share
    alone = mlp_route_cut(lambda: small_digit_vit(1, fused=True), images[:4], labels[:4])
    assert alone.qkv_share == shared[1].qkv_share


# --- from test_lesson05_fix_24a.py ---


def test_item_4_a_share_over_several_batches_is_a_ratio_of_summed_gradients():
    from vit_explained.data import load_digits
    from vit_explained.gradient_experiments import small_digit_vit
    from vit_explained.gradient_hooks import mlp_route_cut

    digits = load_digits()
    images, labels = digits.train_images[:32], digits.train_labels[:32]
    torch.set_num_threads(1)
    whole = mlp_route_cut(lambda: small_digit_vit(0, fused=True), images, labels, chunk=16)  # one summed gradient
    per_batch = whole.qkv_share_per_chunk[0]  # block 0, one share per 16-digit batch
    alone = [
        mlp_route_cut(lambda: small_digit_vit(0, fused=True), images[i : i + 16], labels[i : i + 16]) for i in (0, 16)
    ]
    assert [round(a.qkv_share[0], 6) for a in alone] == [round(s, 6) for s in per_batch]  # the same per-batch shares
    assert abs(whole.qkv_share[0] - sum(per_batch) / 2) > 1e-3


def test_item_5_the_widget_title_names_no_batch_mean():  # r35a item 5: the table's one gradient, as in the lesson
    from vit_explained.widgets.lesson05 import gradient_freeze_widget

    trained = gradient_freeze_widget(experiment="freeze and cut, side by side", model="trained MNIST ViT")
    _, figure = trained.compute(**trained.values)
    assert figure.axes[1].get_title() == "Cut: MLP share of the qkv gradient (every block)"
    small = gradient_freeze_widget(experiment="freeze and cut, side by side")
    _, figure = small.compute(**small.values)
    assert "per-batch" not in figure.axes[1].get_title()


# --- from test_lesson05_fix_24c.py ---


def test_item_1_factor_chain_helper_returns_and_draws_the_centred_keys():
    torch = __import__("pytest").importorskip("torch")
    from vit_explained.data import load_digits
    from vit_explained.gradient_experiments import qk_factor_chain, small_digit_vit
    from vit_explained.plotting.lesson05 import plot_factor_chain

    digits = load_digits()
    with torch.random.fork_rng():
        chain = qk_factor_chain(small_digit_vit(), digits.train_images[:64], digits.train_labels[:64])
    assert round(chain["K - Kbar"], 3) == 0.064 and round(chain["averaging, centred"], 1) == 1.7
    assert abs(chain["K - Kbar"] * chain["V - Vbar"] / chain["averaging, centred"] - chain["M"]) < 1e-12
    fig = plot_factor_chain(chain)
    labels = [t.get_text() for t in fig.axes[0].get_xticklabels()]
    assert labels[0] == "K - K\u0304" and "K" not in labels
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert "0.064" in texts and "0.0022" in texts  # every bar a decimal; the caption explains the 1.7
    assert not any("/" in t for t in texts + [t.get_text() for t in fig.axes[1].texts])


# --- from test_lesson05_fix_l.py ---

TAIL_l = r"\.T reverses every axis"


@pytest.mark.parametrize("repeat", [0, 1])  # PyTorch warns about a batched .T once per process: twice must work
def test_w_v_batched_t_gets_the_tail(repeat):
    with pytest.raises(ExerciseFailed, match=TAIL_l):
        check_w_v_gradient(lambda x, a, g: (a.T @ g).transpose(-2, -1).sum(0) @ x.sum(0))


@pytest.mark.parametrize(
    ("check", "wrong"),
    [
        (check_w_v_gradient, lambda x, a, g: x @ x),  # a size mismatch with no .T anywhere
        (check_w_q_gradient, lambda x, k, s: x @ x),
        (check_w_k_gradient, lambda x, q, s: x @ x),
        (check_w_v_gradient, lambda x, a, g: 1 / 0),  # not a size mismatch
    ],
)
def test_no_tail_without_a_batched_t(check, wrong):
    with pytest.raises(ExerciseFailed) as failure:
        check(wrong)
    assert "reverses every axis" not in str(failure.value)
    assert "That was on inputs of shapes" in str(failure.value)


def test_w_q_batched_t_gets_the_tail():
    with pytest.raises(ExerciseFailed, match=TAIL_l):
        check_w_q_gradient(lambda x, k, s: (s @ k).T @ x)


def test_t_on_a_batch_without_an_error_is_judged_on_its_values():
    with pytest.raises(ExerciseFailed) as failure:  # a .T that raises nothing (undone by the permute): no tail
        check_w_v_gradient(lambda x, a, g: torch.einsum("bnd,bne->de", a.T.permute(2, 1, 0) @ g, x) * 2)
    assert "reverses every axis" not in str(failure.value)


@pytest.mark.parametrize(
    "answer",
    [
        lambda: ["mlp", "MLP", "norm1", "norm2", "final norm", "embeddings"],
        lambda: {"mlp", "MLP", "norm1", "norm2", "final norm", "embeddings"},
        lambda: {"mlp": True, "MLP": True, "norm1": True},
        lambda: ["final norm", "Final_Norm"],
    ],
)
def test_two_spellings_of_one_part_are_named(answer):
    with pytest.raises(ExerciseFailed, match="names are case-insensitive"):
        check_frozen_attention_parts(answer)


def test_the_same_spelling_twice_keeps_its_message():
    with pytest.raises(ExerciseFailed, match="each part should be named once"):
        check_frozen_attention_parts(lambda: ["mlp", "mlp", "norm1"])


def test_the_widget_opens_on_nothing_frozen_with_the_first_control_unchanged():
    from vit_explained.widgets.lesson05 import gradient_freeze_widget

    widget = gradient_freeze_widget(freeze="nothing", where="block 2", experiment="freeze")
    assert next(iter(widget.controls)) == "freeze"
    assert widget.line.startswith("froze nothing: 0 of 56 parameter tensors get no gradient")
    widget.controls["experiment"].value = "cut the MLP route"
    assert widget.line.startswith("cut the MLP route (block 2)")


@pytest.mark.parametrize("where", ["every block", "block 0", "block 1", "block 2", "block 3"])
def test_whatever_you_freeze_exactly_its_own_tensors_lose_their_gradient(where):
    from vit_explained.widgets.lesson05 import FREEZABLE, freeze_and_backward

    for part in FREEZABLE:
        run = freeze_and_backward(part, where)
        assert set(run.without_gradient) == set(run.frozen), (part, where)
        assert run.others_unchanged, (part, where)
        assert (part == "nothing") == (not run.frozen), (part, where)


# --- from test_lesson05_fix_m.py ---


@pytest.fixture(scope="module")
def head_and_inputs_m():
    torch.manual_seed(0)
    head = HeadWeights(*(0.02 * torch.randn(4, 16, dtype=torch.float64) for _ in range(3)))
    x = torch.randn(2, 9, 16, dtype=torch.float64)
    grad_out = torch.randn(2, 9, 4, dtype=torch.float64)
    return head, x, grad_out


def test_the_sweep_goes_from_uniform_to_saturated(head_and_inputs_m):
    head, x, grad_out = head_and_inputs_m
    sweep = saturation_sweep(x, grad_out, head, [1.0, 10.0, 3000.0])
    assert isinstance(sweep, SaturationSweep) and sweep.factors == [1.0, 10.0, 3000.0]
    for name in ("1/sqrt(d)", "no scale"):
        assert sweep.entropy[name][0] > 0.999 and sweep.entropy[name][-1] < 0.05
        assert sweep.w_q[name][1] > 10 * sweep.w_q[name][0]  # grows with the weights while near uniform
    assert sweep.entropy["no scale"][1] < sweep.entropy["1/sqrt(d)"][1]


@pytest.mark.parametrize("name, scale", [("1/sqrt(d)", 0.5), ("no scale", 1.0)])
def test_the_sweep_gradients_equal_autograd(head_and_inputs_m, name, scale):
    head, x, grad_out = head_and_inputs_m
    factor = 30.0
    sweep = saturation_sweep(x, grad_out, head, [factor])
    weights = [(factor * w).requires_grad_() for w in head[:3]]
    (attention_forward(x, HeadWeights(*weights), scale=scale) * grad_out).sum().backward()
    assert sweep.w_q[name][0] == pytest.approx(weights[0].grad.norm().item(), rel=1e-9)
    assert sweep.w_v[name][0] == pytest.approx(weights[2].grad.norm().item(), rel=1e-9)


def test_the_saturation_figure_has_two_log_x_panels(head_and_inputs_m):
    head, x, grad_out = head_and_inputs_m
    fig = plot_softmax_saturation(saturation_sweep(x, grad_out, head, [1.0, 10.0, 100.0]))
    assert len(fig.axes) == 2 and all(ax.get_xscale() == "log" for ax in fig.axes)
    assert fig.axes[1].get_yscale() == "log"
    assert len(fig.axes[1].lines) == 4


@pytest.mark.parametrize("part", ["nothing", "mlp", "qkv", "norms", "patch embedding", "head"])
def test_eight_digits_give_the_same_freeze_answer_as_sixty_four(part):
    from vit_explained.widgets.lesson05 import freeze_and_backward

    few, all_ = freeze_and_backward(part, digits=8), freeze_and_backward(part)
    assert few.frozen == all_.frozen and set(few.without_gradient) == set(all_.without_gradient)
    assert few.others_unchanged and all_.others_unchanged


def test_the_widget_opens_on_the_cut_and_the_first_control_switches_to_freeze():
    from vit_explained.widgets.lesson05 import gradient_freeze_widget

    widget = gradient_freeze_widget(freeze="nothing", where="block 2", experiment="cut the MLP route")
    assert next(iter(widget.controls)) == "freeze"
    assert widget.line.startswith("cut the MLP route (block 2): 56 of 56")
    assert widget.line.endswith(" 0 %")  # block 3, above the cut, gets no MLP share
    widget.controls["freeze"].value = "mlp"  # what the browser test does: move the first control
    assert widget.values["experiment"] == "freeze"
    assert widget.line == widget.compute(**widget.values)[0]
    assert widget.line.startswith("froze mlp (block 2): 4 of 56 parameter tensors get no gradient")


# --- from test_lesson05_fix_n.py ---


def test_the_plain_mean_slip_is_named(capsys):
    def plain_mean(a, grad_a):
        return a * (grad_a - grad_a.mean(dim=-1, keepdim=True))

    with pytest.raises(ExerciseFailed) as caught:
        exercises.check_softmax_backward(plain_mean)
    assert "weighted by a" in str(caught.value) + capsys.readouterr().out


def test_the_sweep_can_scale_only_w_q_and_w_k():
    torch.manual_seed(0)
    x, grad_out = torch.randn(2, 5, 6, dtype=torch.float64), torch.randn(2, 5, 3, dtype=torch.float64)
    head = HeadWeights(*(0.1 * torch.randn(3, 6, dtype=torch.float64) for _ in range(3)))
    both, qk = (
        saturation_sweep(x, grad_out, head, [1.0, 7.0]),
        saturation_sweep(x, grad_out, head, [1.0, 7.0], rows="qk"),
    )
    assert both.entropy == qk.entropy  # the scores depend on W_q and W_k only
    assert both.w_q["1/sqrt(d)"][0] == qk.w_q["1/sqrt(d)"][0]
    # dW_q = s (dS K)^T X and dA = dO V^T: scaling V too multiplies dW_q by the factor once more
    assert both.w_q["1/sqrt(d)"][1] == pytest.approx(7.0 * qk.w_q["1/sqrt(d)"][1], rel=1e-9)
    with pytest.raises(ValueError, match="rows"):
        saturation_sweep(x, grad_out, head, [1.0], rows="qx")


def test_the_trained_models_cut_is_the_lessons_table():
    """The widget's trained cut: the share of the one gradient summed over the lesson's 8 batches of 32 digits (the
    lesson's table, r35a item 5); the mean of the per-batch shares is appendix D's."""
    images, labels = _batch(256, MODELS[1])
    lesson = mlp_route_cut(load_mnist_vit, images, labels, chunk=32)
    widget = cut_and_backward("every block", MODELS[1])
    assert widget.qkv_share == pytest.approx(lesson.qkv_share, abs=1e-5)
    expected = [sum(block) / len(block) for block in lesson.qkv_share_per_chunk]
    assert list(widget.mean_share) == pytest.approx(expected, abs=1e-6)
    assert widget.batches == 8 and widget.same_forward and widget.with_gradient == widget.total


def test_the_widget_offers_both_models_and_opens_where_asked():
    widget = gradient_freeze_widget(
        freeze="nothing", where="every block", experiment="cut the MLP route", model=MODELS[1]
    )
    assert widget.controls["model"].options == MODELS
    assert next(iter(widget.controls)) == "freeze"  # the first control is unchanged
    assert widget.line.startswith("trained MNIST ViT, cut the MLP route (every block)")
    line, _ = widget.compute("mlp", "every block", "freeze", MODELS[1])
    frozen = freeze_and_backward("mlp", model=MODELS[1])
    assert len(frozen.without_gradient) == 16 and frozen.others_unchanged and "16 of" in line
    small = cut_and_backward("block 0")  # the fresh model's numbers are the same as before the model choice
    assert abs(small.qkv_share[0]) > 0.01 and all(abs(s) < 1e-6 for s in small.qkv_share[1:])
    with pytest.raises(ValueError, match="model"):
        widget.compute("nothing", "every block", "freeze", "resnet")


def test_the_dashed_mlp_route_runs_back_through_mlp_and_norm2():
    from matplotlib.patches import FancyBboxPatch

    from vit_explained.plotting.lesson05 import plot_two_routes

    ax = plot_two_routes(cut=False).axes[0]
    boxes = {}
    for patch in ax.patches:
        if isinstance(patch, FancyBboxPatch):
            x, y, w, h = patch.get_x(), patch.get_y(), patch.get_width(), patch.get_height()
            label = next(
                t.get_text()
                for t in ax.texts
                if x <= t.get_position()[0] <= x + w and y <= t.get_position()[1] <= y + h
            )
            boxes[label] = (x, y, w, h)
    dashed = [line for line in ax.lines if line.get_linestyle() == "--"]
    assert len(dashed) == 1
    xs, ys = dashed[0].get_data()
    for name in ("norm2", "mlp"):  # a horizontal stretch of the route crosses the box, inside its height
        x, y, w, h = boxes[name]
        assert any(
            y + 0.25 * h < y0 == y1 < y + 0.75 * h and min(x0, x1) < x and max(x0, x1) > x + w  # not along an edge
            for x0, x1, y0, y1 in zip(xs, xs[1:], ys, ys[1:], strict=False)
        ), name


# --- from test_lesson05_fix_o.py ---


def test_trained_cut_carries_the_t_interval_of_its_batches():
    result = lesson05.cut_and_backward("every block", "trained MNIST ViT")
    assert result.batches == 8 and len(result.share_interval) == 4
    for share, (low, high) in zip(result.mean_share, result.share_interval, strict=True):
        assert low < share < high
    small = lesson05.cut_and_backward("every block")  # one batch: no interval, its one share is the mean
    assert small.batches == 1 and small.share_interval == () and list(small.mean_share) == small.qkv_share


def test_interval_is_evidence_t_interval():
    shares = (0.5, 0.6, 0.7, 0.55)
    estimate = t_interval(list(shares))
    assert lesson05._interval(shares) == (estimate.low, estimate.high)


def test_widget_trained_view_draws_the_tables_share_without_whiskers():  # r35a item 5: one statistic
    widget = lesson05.gradient_freeze_widget(
        freeze="nothing", where="every block", experiment="cut the MLP route", model="trained MNIST ViT"
    )
    line, fig = widget.compute(**widget.values)
    ax = fig.axes[0]
    legend = ax.get_legend()
    assert legend is None or not any("t interval" in text.get_text() for text in legend.get_texts())
    assert line.endswith("blocks 0-3: 96, 82, 75, 54 %") and "mean over" not in line  # the lesson's table
    plt.close(fig)


def test_plot_cut_changes_refuses_mismatched_intervals():
    with pytest.raises(ValueError, match="one \\(low, high\\) per block"):
        plot_cut_changes(None, [0.5, 0.4], cut=[True, True], intervals=[(0.4, 0.6)])
    with pytest.raises(ValueError, match="share alone"):
        plot_cut_changes([0.5, 0.4], [0.5, 0.4], cut=[True, True], intervals=[(0.4, 0.6), (0.3, 0.5)])
    fig = plot_cut_changes(None, [0.5, 0.4], cut=[True, True], intervals=[(0.4, 0.6), (0.3, 0.5)])
    assert np.isclose(fig.axes[0].get_ylim()[0], -10.0)
    plt.close(fig)


def test_dk_label_clear_of_the_k_box():
    x, label = _GRAPH_NODES["K"][0], dict((end, place) for start, end, _, place in _GRAPH_EDGES if start == "K")
    # the label's centre lies right of the K box by more than half the label's drawn width (about 1.5 units)
    assert label["S"][0] - 0.75 > x + _HALF_WIDTH


# --- from test_lesson05_fix_p.py ---


def route_ratio_returning_handle_p(model, images, labels, block):
    kept = {}
    b = model.blocks[block]
    handles = [
        b.norm2.register_forward_pre_hook(lambda m, i: i[0].register_hook(lambda g: kept.update(total=g))),
        b.register_forward_hook(lambda m, i, o: o.register_hook(lambda g: kept.update(skip=g))),
    ]
    try:
        F.cross_entropy(model(images), labels).backward()
    finally:
        for handle in handles:
            handle.remove()
    return kept["skip"].norm() / (kept["total"] - kept["skip"]).norm()


def test_a_pre_hook_lambda_returning_the_handle_is_named():
    with pytest.raises(ExerciseFailed) as caught:
        check_route_ratio(route_ratio_returning_handle_p)
    message = str(caught.value)
    assert "RemovableHandle" in message
    assert "A forward pre-hook that returns something replaces the input" in message and "return None" in message


def test_numpy_note_does_not_ask_for_a_change(capsys):
    check_softmax_backward(lambda a, g: (a * (g - (g * a).sum(-1, keepdim=True))).numpy())
    out = capsys.readouterr().out
    assert "Correct!" in out and "One thing to change" not in out and "the checker accepts it" in out


# --- from test_lesson05_fix_q.py ---


def test_uniform_attention_gives_dq_from_the_key_value_average():
    """With exactly uniform attention (Q = 0), dQ_i = s dO_i M^T with M = (1/N) sum_j K_j (V_j - Vbar)^T."""
    generator = torch.Generator().manual_seed(3)
    n, d = 7, 4
    k, v, d_o = (torch.randn(n, d, generator=generator, dtype=torch.float64) for _ in range(3))
    q = torch.zeros(n, d, dtype=torch.float64, requires_grad=True)  # scores 0: A = 1/N exactly
    scale = d**-0.5
    (torch.softmax(scale * q @ k.T, dim=-1) @ v).backward(d_o)
    m = k.T @ (v - v.mean(dim=0)) / n
    torch.testing.assert_close(q.grad, scale * d_o @ m.T, rtol=1e-12, atol=1e-14)


def test_independent_tokens_shrink_m_like_one_over_sqrt_n():
    generator = torch.Generator().manual_seed(0)
    for n in (16, 64, 256):
        k, v = (torch.randn(200, n, 8, generator=generator, dtype=torch.float64) for _ in range(2))
        m = k.transpose(-2, -1) @ (v - v.mean(dim=-2, keepdim=True)) / n
        assert abs(m.pow(2).mean().sqrt().item() * n**0.5 - 1) < 0.1


def test_widget_shows_freeze_and_cut_side_by_side():
    widget = lesson05.gradient_freeze_widget(experiment="freeze and cut, side by side")
    assert widget.line.startswith(
        "froze mlp (every block): 16 of 56 tensors lose their gradient, the others unchanged; "
    )
    assert widget.line.endswith("56 of 56 keep one, MLP share of the qkv gradient, blocks 0-3: 31, 33, 19, -2 %")
    _, fig = widget.compute(**widget.values)
    assert len(fig.axes) == 2
    assert "\nFreeze:" in fig.axes[0].get_title() and fig.axes[1].get_title().startswith("Cut:")
    plt.close(fig)
    widget.controls["freeze"].value = "qkv"  # picking a part keeps both experiments
    assert widget.controls["experiment"].value == "freeze and cut, side by side"
    assert widget.line.startswith("froze qkv (every block): 8 of 56 tensors lose their gradient")
    widget.controls["where"].value = "block 0"
    assert "cut the MLP route (block 0) instead" in widget.line and widget.line.endswith(", 0, 0, 0 %")


def test_plot_freeze_and_cut_refuses_all_zero_groups():
    with pytest.raises(ValueError, match="nothing got a gradient"):
        plot_freeze_and_cut({("block 0", "mlp"): 0.0}, [0.1], cut=[True], freeze_title="", cut_title="")


# --- from test_lesson05_fix_r.py ---

GROUPS_r = {("block 0", "qkv"): 0.5, ("block 0", "mlp"): 0.0, ("head", "head"): 0.3}


NOTHING_FROZEN_r = {("block 0", "qkv"): 0.5, ("block 0", "mlp"): 0.4, ("head", "head"): 0.3}


def _r_rings(ax):
    return [line for line in ax.lines if line.get_markerfacecolor() == "none" and line.get_marker() == "o"]


def _r_solution(model, images, labels, block):
    grads = {}
    handles = [
        model.blocks[block].norm2.register_forward_pre_hook(
            lambda m, i: i[0].register_hook(lambda g: grads.update(total=g)) and None
        ),
        model.blocks[block].register_forward_hook(
            lambda m, i, o: o.register_hook(lambda g: grads.update(skip=g)) and None
        ),
    ]
    F.cross_entropy(model(images), labels).backward()
    for handle in handles:
        handle.remove()
    warnings.warn("a learner's own warning", UserWarning, stacklevel=1)
    ratio = grads["skip"].norm() / (grads["total"] - grads["skip"]).norm()
    return float(ratio.requires_grad_())


def test_freeze_panel_draws_the_nothing_frozen_norms_as_rings():
    fig = plot_freeze_and_cut(
        GROUPS_r, [0.5], cut=[True], freeze_title="freeze", cut_title="cut", reference=NOTHING_FROZEN_r
    )
    left = fig.axes[0]
    rings = _r_rings(left)
    assert sorted(line.get_ydata()[0] for line in rings) == [0.3, 0.4, 0.5]  # the frozen MLP's ring included
    assert all(line.get_zorder() < 2 for line in rings)  # behind the dots
    assert REFERENCE_LABEL in [text.get_text() for text in left.get_legend().get_texts()]
    assert fig.axes[1].yaxis.label.get_fontsize() >= 11


def test_no_rings_without_a_reference():
    assert not _r_rings(plot_gradient_norms(GROUPS_r).axes[0])


def test_saturation_x_label_can_say_the_scores_grow_as_c_squared():
    from vit_explained.attention_backward import HeadWeights
    from vit_explained.gradient_experiments import saturation_sweep

    torch.manual_seed(0)
    x, grad_out = torch.randn(2, 5, 6, dtype=torch.float64), torch.randn(2, 5, 3, dtype=torch.float64)
    head = HeadWeights(*(0.02 * torch.randn(3, 6, dtype=torch.float64) for _ in range(3)))
    sweep = saturation_sweep(x, grad_out, head, [1.0, 10.0], rows="qk")
    fig = plot_softmax_saturation(sweep, xlabel="c  (scores x $c^2$)")
    assert all(ax.get_xlabel() == "c  (scores x $c^2$)" for ax in fig.axes)
    assert "multiplied by" in plot_softmax_saturation(sweep).axes[0].get_xlabel()


def test_route_ratio_checker_lets_no_warning_leak(capsys):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any warning that leaks out of the checker fails the test
        check_route_ratio(_r_solution)
    assert "Correct" in capsys.readouterr().out


def test_route_ratio_wrong_value_message_is_unambiguous():
    with pytest.raises(ExerciseFailed, match=r"your ratio \(1\) differs from record_residual_routes's in block \d"):
        check_route_ratio(lambda *a: 1.0)


def test_exercise_4_accepts_a_per_image_loop_and_names_dks_pattern(capsys):
    from vit_explained.exercises.lesson05 import check_w_q_gradient

    def loop(x, k, grad_scores):
        total = torch.zeros(k.shape[-1], x.shape[-1], dtype=x.dtype)
        for image in range(x.shape[0]):
            total = total + (grad_scores[image] @ k[image] / k.shape[-1] ** 0.5).T @ x[image]
        return total

    check_w_q_gradient(loop)
    assert "Correct" in capsys.readouterr().out
    with pytest.raises(ExerciseFailed, match="the keys' pattern, a column of dS"):
        check_w_q_gradient(lambda x, k, g: ((g.mT @ k / k.shape[-1] ** 0.5).mT @ x).sum(0))


def test_qkv_rows_panels_write_small_ratios_with_one_decimal():
    from vit_explained.plotting.lesson05 import plot_qkv_rows

    fig = plot_qkv_rows(
        {
            "start": {"block 0": {"q": 0.01, "k": 0.02, "v": 1.0}},
            "trained": {"block 0": {"q": 0.1, "k": 0.2, "v": 0.34}},
        }
    )
    texts = [[t.get_text() for t in ax.texts] for ax in fig.axes]
    assert [ax.get_title() for ax in fig.axes] == ["start", "trained"]
    note = "the numbers at the bottom: v / max(q, k)"  # one short number under each block, the ratio named once
    assert texts == [["50x"], ["1.7x"]] and [ax.get_xlabel() for ax in fig.axes] == [note, note]


# --- from test_lesson05_fix_s.py ---


def test_exercise_1_names_the_sigmoid_slip_without_the_row_sum_formula():
    with pytest.raises(ExerciseFailed, match="sigmoid's derivative") as error:
        check_softmax_backward(lambda a, g: a * (1 - a) * g)
    assert "keepdim" not in str(error.value) and "(grad_a * a)" not in str(error.value)


@pytest.mark.parametrize(
    "constant",
    [
        lambda a, g: torch.zeros_like(a),
        lambda a, g: torch.ones(a.shape, dtype=a.dtype),
        lambda a, g: torch.arange(a.numel(), dtype=a.dtype).reshape(a.shape),  # not one value, still a constant
    ],
)
def test_exercise_1_names_a_result_that_ignores_its_inputs_a_constant(constant):
    with pytest.raises(ExerciseFailed, match="returns a constant"):
        check_softmax_backward(constant)


def test_exercise_3_names_a_stray_score_scale():
    def w_v(x, a, g):
        return torch.einsum("bnd,bne->de", a.mT @ g, x)

    check_w_v_gradient(w_v)
    for wrong in (lambda x, a, g: w_v(x, a, g) / g.shape[-1] ** 0.5, lambda x, a, g: w_v(x, a, g) * g.shape[-1] ** 0.5):
        with pytest.raises(ExerciseFailed, match=r"sqrt\(d\).*no scale"):
            check_w_v_gradient(wrong)


def test_exercise_8_names_the_dk_pattern_without_the_answer():
    with pytest.raises(ExerciseFailed, match=r"you used dS\^T \(the keys' pattern, a column of dS\)") as error:
        check_w_q_gradient(lambda x, k, g: torch.einsum("bnd,bne->de", g.mT @ k, x) / k.shape[-1] ** 0.5)
    assert "dQ =" not in str(error.value) and "without the transpose" not in str(error.value)


def test_exercise_6_names_an_attention_branch_detached_from_x():
    def detached_branch(block, x):
        h = x.detach() + block.attn(block.norm1(x).detach())
        return h.detach() + block.mlp(block.norm2(h))

    with pytest.raises(ExerciseFailed, match="x gets no gradient: the attention branch must stay attached"):
        check_cut_block(detached_branch)


def test_catch_x_and_d_out_gives_the_attention_input_and_the_heads_output_gradient():
    from vit_explained.gradient_experiments import small_digit_vit
    from vit_explained.gradient_hooks import catch_x_and_d_out

    model = small_digit_vit()
    images, labels = torch.randn(3, 1, 8, 8, generator=torch.Generator().manual_seed(0)), torch.tensor([1, 2, 3])
    attention = model.blocks[1].attn
    x, d_o = catch_x_and_d_out(model, attention, images, labels)
    assert not any(m._forward_pre_hooks for m in model.modules())  # the hooks are gone
    assert all(p.grad is None for p in model.parameters())  # no .grad touched
    batch, tokens, width = x.shape
    assert not x.requires_grad and d_o.dtype == torch.float64
    assert d_o.shape == (batch, attention.heads, tokens, width // attention.heads)
    caught = {}
    keep = [
        attention.register_forward_pre_hook(lambda module, args: caught.update(x=args[0])),
        attention.proj.register_forward_pre_hook(lambda module, args: caught.update(o=args[0])),
    ]
    (reference,) = torch.autograd.grad(torch.nn.functional.cross_entropy(model(images), labels), [caught["o"]])
    for handle in keep:
        handle.remove()
    torch.testing.assert_close(x, caught["x"].detach())
    torch.testing.assert_close(d_o, reference.double().unflatten(-1, (attention.heads, -1)).transpose(1, 2))


# --- from test_lesson05_fix_t.py ---


def test_qkv_panel_names_rows_with_their_bias():

    groups = {("block 0", "qkv"): 1.0}
    qkv = {"block 0": {"q": 1e-3, "k": 1e-3, "v": 0.3}}
    fig = plot_gradient_norms(groups, qkv)
    right = fig.axes[1]
    assert [t.get_text() for t in right.get_legend().get_texts()] == ["q rows", "k rows", "v rows"]
    assert "weight + bias" in right.get_title()


# --- from test_lesson05_fix_t_checkers.py ---


def softmax_backward_t_checkers(a, grad_a):
    return a * (grad_a - (grad_a * a).sum(dim=-1, keepdim=True))


def test_exercise_1_accepts_an_answer_computed_in_float32(capsys):
    exercises05.check_softmax_backward(lambda a, g: softmax_backward_t_checkers(a.float(), g.float()).double())
    assert "float32's precision" in capsys.readouterr().out


@pytest.mark.parametrize("factor, words", [(-1.0, "sign is flipped"), (2.0, r"times a constant \(2\)")])
def test_exercise_1_names_sign_and_constant_slips(factor, words):
    with pytest.raises(ExerciseFailed, match=words):
        exercises05.check_softmax_backward(lambda a, g: factor * softmax_backward_t_checkers(a, g))


def test_exercise_2_names_a_flipped_sign():
    with pytest.raises(ExerciseFailed, match="opposite sign"):
        exercises05.check_value_gradient(lambda a, g: -(a.mT @ g))


def test_exercise_3_names_a_constant_factor():
    def w_v_gradient(x, a, grad_out):
        return 3 * torch.einsum("bnd,bne->de", a.mT @ grad_out, x)

    with pytest.raises(ExerciseFailed, match="times a constant"):
        exercises05.check_w_v_gradient(w_v_gradient)


def test_exercises_2_to_4_name_a_memoised_answer():
    stored = {}

    def memoised(a, g):
        if "dv" not in stored:
            stored["dv"] = a.mT @ g + 1.0  # wrong, then returned whatever the inputs
        return stored["dv"].clone()

    with pytest.raises(ExerciseFailed, match=r"returns a constant dV \(the same tensor for two different inputs\)"):
        exercises05.check_value_gradient(memoised)


# --- from test_lesson05_fix_v.py ---


def test_qkv_rows_panels_share_one_y_axis():
    from vit_explained.plotting.lesson05 import plot_qkv_rows

    fig = plot_qkv_rows(
        {"start": {0: {"q": 0.01, "k": 0.02, "v": 1.0}}, "trained": {0: {"q": 0.1, "k": 0.2, "v": 0.34}}}
    )
    assert fig.axes[0].get_ylim() == fig.axes[1].get_ylim()
    assert fig.axes[0].get_ylim()[0] < 0.01 and fig.axes[0].get_ylim()[1] > 1.0


# --- from test_lesson05_fix_w.py ---


def test_residual_route_norms_give_skip_over_mlp():
    digits = load_digits()
    images, labels = digits.train_images[:16], digits.train_labels[:16]
    torch.set_num_threads(1)
    norms = residual_route_norms(small_digit_vit(1, fused=True), images, labels)
    ratios = skip_over_mlp(small_digit_vit(1, fused=True), images, labels)
    assert len(norms) == 4 and all(skip > 0 and mlp > 0 for skip, mlp in norms)
    assert all(abs(skip / mlp - r) < 1e-6 * r for (skip, mlp), r in zip(norms, ratios, strict=True))


def test_exercise_5_says_names_are_matched_loosely_in_both_notebooks():
    from vit_explained.exercises.lesson05 import _part_name

    solutions = NOTEBOOK.parent / "solutions" / "05_where_gradients_flow_solutions.ipynb"
    for path in (NOTEBOOK, solutions):
        text = "\n".join("".join(c["source"]) for c in json.loads(path.read_text())["cells"])
        assert "Names are matched loosely: `Final_Norm` counts as `final norm`." in text
    assert _part_name("Final_Norm") == "final norm"


# --- from test_lesson05_fix_x.py ---


def test_per_head_numbers_behind_the_answer():
    curves = derivation_curves("1/sqrt(d)")
    w_q = curves.w_q["1/sqrt(d)"]
    peak, hundred = derivation_point(curves.factors[w_q.index(max(w_q))]), derivation_point(100.0)
    assert abs(sum(n * n for n in peak.heads_w_q) ** 0.5 / peak.w_q - 1) < 1e-12  # the heads sum to the total
    assert max(hundred.heads_w_q[1:3]) < 1e-4 and hundred.heads_w_q[3] > 0.9 * hundred.w_q
    assert round(100 * hundred.heads_spread[3]) == 7 and hundred.heads_carried[3] > 0.5
    assert all(s > 0.99 for s in peak.heads_carried)  # at the peak nearly every row is still spread
    assert derivation_point(100.0) is hundred


def test_widget_picture_has_a_colourbar_and_opens_where_the_pattern_shows():
    widget = derivation_widget(c=10.0)
    _, fig = widget.compute(**widget.values)
    assert len(fig.axes) == 3 and fig.axes[2].get_ylabel() == "attention weight"  # the colourbar
    assert fig.axes[1].get_title() == "A, image 0, mean over heads 0-3" and "key token" in fig.axes[1].get_xlabel()
    assert "uniform 1/17" in [t.get_text() for t in fig.axes[2].get_yticklabels()]  # 19b: the bar names 1/N
    point = derivation_point(10.0)
    assert point.attention.max() > 3 / 17  # a visible pattern at c = 10 (mean over heads; uniform: 1/17)
    # 19a: opens at c = 1, the peak one click away
    assert "derivation_widget()  # opens at c = 1" in "\n".join(nb.sources(LESSON) + nb.sources(APPENDIX))


# --- from test_lesson05_fix_y.py ---


def _y_join_node(fig):
    ax = fig.axes[0]
    plus = [t for t in ax.texts if t.get_text() == "+" and t.get_fontsize() == 10]
    circles = [p for p in ax.patches if isinstance(p, Circle) and p.get_radius() < 0.15]
    assert len(plus) == 1 and len(circles) == 1
    return plus[0].get_color(), circles[0].get_edgecolor()


def test_the_cut_diagram_greys_the_one_input_plus():
    from matplotlib.colors import to_rgba

    text_color, edge = _y_join_node(plot_two_routes(cut=True))
    assert text_color == "0.75" and edge == to_rgba("0.75")
    text_color, edge = _y_join_node(plot_two_routes(cut=False))
    assert text_color == ROUTE_COLORS["skip"] and edge == to_rgba(ROUTE_COLORS["skip"])


def test_the_attention_picture_says_a_uniform_row_would_be_one_over_n():
    import numpy as np

    from vit_explained.gradient_experiments import SaturationSweep
    from vit_explained.plotting.lesson05 import plot_derivation_point

    curves = SaturationSweep(
        factors=[1.0, 10.0],
        w_q={"1/sqrt(d)": [1e-3, 1e-2]},
        w_v={"1/sqrt(d)": [0.1, 0.1]},
        entropy={"1/sqrt(d)": [1.0, 0.5]},
    )
    fig = plot_derivation_point(curves, 1.0, (1e-3, 0.1), np.full((17, 17), 1 / 17))
    assert fig.axes[1].get_xlabel() == "key token (0 = cls, 1-16 = patches)"  # 19b: token indices; 1/17 on the bar
    assert any("near uniform" in t.get_text() for t in fig.axes[1].texts)


def test_the_std_sweep_scales_the_built_model_so_its_002_point_is_the_factor_charts():
    """Appendix B's sweep (section 4's until r27b; review r25d_05 item 1): qkv weights x std / 0.02; at 0.02 the
    chart's dW_v / dW_q."""
    import copy

    from vit_explained.gradient_experiments import qk_factor_chain

    digits = load_digits()
    images, labels = digits.train_images[:64], digits.train_labels[:64]
    model = small_digit_vit()
    chain = qk_factor_chain(model, images, labels)
    gap = {}
    for std in (0.02, 0.04):
        scaled = copy.deepcopy(model)
        scaled.zero_grad(set_to_none=True)
        with torch.no_grad():
            for block in scaled.blocks:
                block.attn.qkv.weight.mul_(std / 0.02)
        F.cross_entropy(scaled(images), labels).backward()
        d_q, _, d_v = scaled.blocks[0].attn.qkv.weight.grad.chunk(3)
        gap[std] = (d_v.norm() / d_q.norm()).item()
    assert abs(gap[0.02] / chain["dW_v / dW_q"] - 1) < 1e-3 and round(gap[0.02]) == 314
    assert round(gap[0.02] / gap[0.04], 1) == 4.3  # the lesson's printed second ratio per doubling


def route_ratio_hook_never_fires(model, images, labels, block):
    kept = {}
    b = model.blocks[block]

    def on_h(module, inputs):  # hooks a copy that nothing uses: backward never reaches it
        inputs[0].clone().register_hook(lambda g: kept.update(h=g))

    handle = b.norm2.register_forward_pre_hook(on_h)
    try:
        F.cross_entropy(model(images), labels).backward()
    finally:
        handle.remove()
    return kept["h"].norm()


def test_a_tensor_hook_that_never_fired_gets_a_hint():  # review r26e minor 11
    with pytest.raises(ExerciseFailed) as caught:
        check_route_ratio(route_ratio_hook_never_fires)
    message = str(caught.value)
    assert "KeyError" in message and "A tensor hook that never fired" in message and "did backward run" in message


# --- from brief fix05m (review r28d minors 1, 7) ---


def test_mlp_and_attention_share_is_inclusion_exclusion_over_the_cuts():
    from vit_explained.gradient_experiments import (
        _qkv_gradients_with_cuts,
        mlp_and_attention_share,
        route_overlap,
        small_digit_vit,
    )

    torch.manual_seed(0)
    images, labels = torch.rand(16, 1, 8, 8), torch.arange(16) % 10
    joint = mlp_and_attention_share(lambda: small_digit_vit(0), images, labels)
    routes = route_overlap(lambda: small_digit_vit(0), images, labels)
    model = small_digit_vit(0).eval()
    whole = _qkv_gradients_with_cuts(model, images, labels)
    for b in range(4):
        neither = _qkv_gradients_with_cuts(model, images, labels, mlp=range(4), attention=range(b + 1, 4))[b]
        g = whole[b].flatten()
        kept = (neither.flatten() @ g / (g @ g)).item()  # the skips-only path's share
        # share(MLP or attention) = 1 - share(neither) = share(MLP) + share(attention) - share(both)
        union = routes.mlp_share[b] + routes.attention_share[b] - joint[b]
        assert abs(union - (1 - kept)) < 1e-9, b
    assert joint[-1] == 0.0  # the top block: no attention above it
    assert len(joint) == 4 and all(-1 < s < 1 for s in joint)


def test_fresh_v_over_qk_matches_the_recorder_and_leaves_the_global_generator_alone():
    """Section 3's 3-seed loop, now a package helper: the same per-block v / max(q, k) as a GradientRecorder pass on
    small_digit_vit(seed), 4 blocks a seed, and the caller's random numbers untouched (fork_rng)."""
    from vit_explained.gradient_experiments import fresh_v_over_qk, small_digit_vit
    from vit_explained.gradient_hooks import GradientRecorder

    digits = load_digits()
    images, labels = digits.train_images[:16], digits.train_labels[:16]
    torch.manual_seed(7)
    state = torch.get_rng_state()
    gaps = fresh_v_over_qk(images, labels, seeds=[0, 1])
    assert torch.equal(torch.get_rng_state(), state)
    assert len(gaps) == 8
    model = small_digit_vit(1)
    with GradientRecorder(model) as recorder:
        F.cross_entropy(model(images), labels).backward()
    expected = [q["v"] / max(q["q"], q["k"]) for q in recorder.qkv_by_layer().values()]
    assert gaps[4:] == pytest.approx(expected, rel=1e-6)


def test_section_3s_hf_sentence_holds_in_transformers_5():
    """r32b minor 10 (r33a density: the sentence now sits in appendix G): 'In HF transformers 5.23, ViTAttention keeps
    separate q_proj, k_proj and v_proj layers; with attn_implementation="eager" it returns A' (read in transformers
    5.23.0's modeling_vit.py)."""
    transformers = pytest.importorskip("transformers")
    if int(transformers.__version__.split(".")[0]) < 5:
        pytest.skip("the sentence names transformers 5.x")
    config = transformers.ViTConfig(
        hidden_size=32,
        num_hidden_layers=1,
        num_attention_heads=4,
        intermediate_size=64,
        image_size=8,
        patch_size=2,
        num_channels=1,
        attn_implementation="eager",
    )
    model = transformers.ViTModel(config).eval()
    attention = model.layers[0].attention
    assert type(attention).__name__ == "ViTAttention"
    assert {"q_proj", "k_proj", "v_proj"} <= {name for name, _ in attention.named_children()}
    assert all(isinstance(getattr(attention, n), torch.nn.Linear) for n in ("q_proj", "k_proj", "v_proj"))
    with torch.no_grad():
        attentions = model(torch.rand(2, 1, 8, 8), output_attentions=True).attentions
    assert attentions[0].shape == (2, 4, 17, 17)  # A: (B, heads, N, N), rows summing to 1
    torch.testing.assert_close(attentions[0].sum(-1), torch.ones(2, 4, 17))

"""Round 18c of lesson 05: the width sweep, the change column and the 5-seed helper."""

from pathlib import Path

import torch

from tests import _notebook as nb
from vit_explained.gradient_experiments import small_digit_vit, small_model_cuts
from vit_explained.gradient_hooks import mlp_route_cut

APPENDIX = nb.NOTEBOOKS / "05_where_gradients_flow_appendix.ipynb"  # fix 21a: the appendices A-I moved here

ROOT = Path(__file__).resolve().parents[1]


def _cells():
    return nb.cells(nb.NOTEBOOKS / "05_where_gradients_flow.ipynb") + nb.cells(APPENDIX)


def test_small_model_cuts_gives_each_seed_its_own_digits():
    torch.manual_seed(0)
    images, labels = torch.rand(8, 1, 8, 8), torch.randint(0, 10, (8,))
    cuts = small_model_cuts(images, labels, seeds=[0, 1], per_seed=4)
    by_hand = mlp_route_cut(lambda: small_digit_vit(1, fused=True), images[4:8], labels[4:8])
    assert len(cuts) == 2 and cuts[1].qkv_share == by_hand.qkv_share


def test_hundreds_scoped_to_d_32_with_a_printed_width_sweep():
    cells = _cells()
    text = " ".join(" ".join("".join(c["source"]).split()) for c in cells if c["cell_type"] == "markdown")
    assert text.count("in this D = 32 model") >= 3 and "Hundreds of times holds at D = 32 only" in text
    (sweep,) = [c for c in cells if "width_ratio = {" in "".join(c["source"])]
    printed = "".join("".join(o.get("text", "")) for o in sweep["outputs"])
    assert "D = 768" in printed and "ratio x D" in printed


def test_the_trained_table_prints_share_change_and_the_cut_size():
    # 19a: cut_size in appendix D
    (table,) = [c for c in _cells() if "batch_share = [t_interval(" in "".join(c["source"])]
    printed = "".join("".join(o.get("text", "")) for o in table["outputs"])
    assert "8 batches of 32" in printed and "95 % t interval" in printed  # 20c: ||g_cut|| / ||g|| a column of it
    assert "trained ||g_cut|| / ||g||" in printed
    (appendix,) = [c for c in _cells() if "whole_share = [" in "".join(c["source"])]  # 18e: the rest in appendix D
    printed = "".join("".join(o.get("text", "")) for o in appendix["outputs"])
    assert "all 256 digits in one gradient" in printed and "||g_cut||/||g||" in printed and "| 8 %" in printed


def test_derivation_picture_titles_the_ratio_and_draws_w_v_dark():
    from vit_explained.widgets.lesson05 import derivation_widget

    widget = derivation_widget(c=10 ** (9 / 8))
    line, fig = widget.compute(**widget.values)
    ratio = line.split("ratio v / q = ")[1]
    assert fig.axes[0].get_title().endswith(f"c = 13.3: ratio v / q = {ratio}")
    w_v = [line for line in fig.axes[0].lines if line.get_label() == "||dW_v||"]
    assert w_v and w_v[0].get_color() == "0.2"

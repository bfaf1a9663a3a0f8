"""Lesson 07's widget, review s: the ``token_layers`` toggle between the T2T paper's two token modules."""

import pytest

from vit_explained.cost import attention_cost
from vit_explained.widgets.lesson07 import PERFORMER_FEATURES, TOKEN_LAYERS, T2TChainWidget, t2t_chain_widget

T2T = "T2T-ViT: (7,4,2) (3,2,1) (3,2,1)"


def test_toggle_offers_the_two_token_modules_and_opens_on_the_transformer():
    widget = t2t_chain_widget()
    assert TOKEN_LAYERS == ("transformer", "performer") and PERFORMER_FEATURES == 32
    assert widget.controls["token_layers"].value == "transformer"
    assert "token layers" not in widget.line  # the transformer's line is the one the lesson prints


def test_performer_replaces_n_by_n_with_n_by_m_and_keeps_the_grids():
    widget = t2t_chain_widget()
    before, png = widget.line, widget.picture.value
    widget.controls["token_layers"].value = "performer"
    assert widget.line.endswith(f"token layers: performer, two N x {PERFORMER_FEATURES} feature maps instead of N x N")
    assert widget.line.split("; token layers")[0] == before.split("; token layers")[0]  # same grids and field
    assert widget.picture.value != png and widget.picture.layout.display != "none"


def test_performer_entries_in_compute():
    widget = T2TChainWidget(224, 224, T2T)
    _, transformer_fig = widget.compute(224, 224, T2T, token_layers="transformer")
    _, performer_fig = widget.compute(224, 224, T2T, token_layers="performer")
    titles = [ax.get_title() for ax in performer_fig.axes]
    assert any("TP = T2T token performer" in title for title in titles)
    assert any(f"TP: 2 x N x {PERFORMER_FEATURES} (phi(q), phi(k))" in title for title in titles)
    assert any("attention-matrix entries per image" in title for title in titles)
    labels = [tick.get_text() for tick in performer_fig.axes[-1].get_xticklabels()]
    assert labels[:2] == ["TP 1", "TP 2"]
    heights = sorted(round(p.get_height()) for p in performer_fig.axes[-1].patches)
    assert 2 * 3136 * PERFORMER_FEATURES in heights and 2 * 784 * PERFORMER_FEATURES in heights  # phi(q) and phi(k)
    assert 3136 * PERFORMER_FEATURES not in heights
    assert attention_cost(3136, 64, 1).matrix_entries not in heights
    transformer_heights = [round(p.get_height()) for p in transformer_fig.axes[-1].patches]
    assert 3136**2 in transformer_heights


def test_unknown_token_layers_is_refused():
    widget = t2t_chain_widget()
    with pytest.raises(ValueError, match="token_layers"):
        widget.compute(224, 224, T2T, token_layers="linformer")

"""Round 18a, lesson 01: Eq. 1 drawn by a helper, the token panels' colour bars, the similarity maps'
readable subset, and exercise 1's messages naming a slip without giving the answer."""

from __future__ import annotations

import pytest
import torch

from vit_explained.exercises import lesson01
from vit_explained.plotting.lesson01 import plot_embedding_routes, plot_eq1_sequence, plot_position_similarity_pair


def test_plot_eq1_sequence_labels_the_shapes_and_rows() -> None:
    fig = plot_eq1_sequence(196, 768)
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert sum("(197, 768)" in t for t in texts) == 3  # the stacked tokens, E_pos and z_0
    assert "196" in texts and "0" in texts  # the first and last token index
    assert any("D = 768" in t for t in texts)
    with pytest.raises(ValueError):
        plot_eq1_sequence(2, 768)


def test_route_colour_bars_sit_beside_their_own_panels() -> None:
    signed = torch.randn(10, 6)
    fig = plot_embedding_routes({"1. a": signed, "2. b": signed, "3. |a - b|": signed.abs()}, None)
    left = sorted(ax.get_position().x0 for ax in fig.axes)
    panels = [ax for ax in fig.axes if ax.get_title()]
    bars = [ax for ax in fig.axes if not ax.get_title()]
    assert len(panels) == 3 and len(bars) == 2 and len(left) == 5
    third = next(ax for ax in panels if ax.get_title().startswith("3."))
    shared, own = sorted(bars, key=lambda ax: ax.get_position().x0)
    assert shared.get_position().x0 < third.get_position().x0 < own.get_position().x0  # no panel between two bars


def test_similarity_pair_subset_draws_only_the_chosen_patches() -> None:
    torch.manual_seed(0)
    tables = {"a": (torch.randn(1, 50, 8), (7, 7)), "b": (torch.randn(1, 37, 8), (6, 6))}
    fig = plot_position_similarity_pair(tables, patches=[(0, 0), (3, 4)])
    image = fig.axes[0].images[0].get_array()
    assert image.shape == (7, 2 * 8 - 1)  # two 7 x 7 maps, one blank column between
    assert [t.get_text() for t in fig.axes[0].texts] == ["patch (0, 0)", "patch (3, 4)"]
    with pytest.raises(ValueError, match="off the 6 x 6 grid"):
        plot_position_similarity_pair(tables, patches=[(6, 0)])


@pytest.mark.parametrize(
    ("slip", "named"),
    [
        (lambda h, w, ph, pw: (h // pw) * (w // ph) + 1, "patch height and width swapped"),
        (lambda h, w, ph, pw: (h // ph + 1) * (w // pw), "the 1 added to one side before multiplying"),
        (lambda h, w, ph, pw: (h // ph) * (w // pw + 1), "the 1 added to one side before multiplying"),
        (lambda h, w, ph, pw: (h // ph + 1) * (w // pw + 1), "one extra row and one extra column"),
    ],
)
def test_token_count_messages_name_the_slip_without_the_fix(slip, named) -> None:
    with pytest.raises(AssertionError) as caught:
        lesson01.check_token_count(slip)
    message = str(caught.value)
    assert named in message
    for fix in ("divide the height by patch_height", "multiply first, then add 1", "added after multiplying",
                "H // ph rows and W // pw columns"):  # fmt: skip
        assert fix not in message

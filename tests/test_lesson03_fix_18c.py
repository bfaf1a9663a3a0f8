"""Round 18c (lesson 03): the explorer's query selection lives in the package."""

import pytest
import torch

from vit_explained.softmax_scale import SATURATED, scale_toggle_rows


def test_scale_toggle_rows_picks_the_saturated_row_the_scale_spreads_most():
    scores = torch.tensor([[0.0, 0.0, 0.0], [8.0, 0.0, 0.0], [20.0, 0.0, 0.0]])
    top_unscaled, top_scaled, query = scale_toggle_rows(scores, 0.25)
    assert torch.allclose(top_unscaled, scores.softmax(dim=-1).amax(dim=-1))
    assert torch.allclose(top_scaled, (scores * 0.25).softmax(dim=-1).amax(dim=-1))
    assert top_unscaled[0] < SATURATED and query == 1  # row 0 is not saturated; row 1 spreads more than row 2


def test_scale_toggle_rows_refuses_bad_input():
    with pytest.raises(ValueError, match=r"\(N, N\)"):
        scale_toggle_rows(torch.zeros(2, 3), 0.5)
    with pytest.raises(ValueError, match="no row"):
        scale_toggle_rows(torch.zeros(3, 3), 0.5)

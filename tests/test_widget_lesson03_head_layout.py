"""Lesson 03's head-layout explorer (review 18c): each split's line against the package's own split."""

import pytest
import torch

from vit_explained import Attention
from vit_explained.plotting.lesson03 import HEAD_SPLITS, panel_source, qkv_sources, split_heads_as
from vit_explained.widgets.lesson03 import head_layout_widget

N, D, H = 3, 8, 2


def package_split(sources: torch.Tensor) -> torch.Tensor:
    """Attention.project_qkv on one-hot tokens whose qkv output is ``sources`` (one code per entry)."""
    codes = (sources * torch.tensor([1000, 100, 10, 1])).sum(-1).double()  # (N, 3D), exact in float64
    attn = Attention(D, H, qkv_bias=False).double()
    with torch.no_grad():
        attn.qkv.weight.zero_()
        attn.qkv.weight[:, :N] = codes.T  # token n = e_n, so qkv(e_n) = codes[n]
        q, k, v = attn.project_qkv(torch.eye(D, dtype=torch.float64)[:N].unsqueeze(0))
    return torch.stack([q[0], k[0], v[0]])  # (3, h, N, d)


def codes_of(parts: torch.Tensor) -> torch.Tensor:
    return (parts * torch.tensor([1000, 100, 10, 1])).sum(-1).double()


def test_reshape_and_permute_is_the_packages_split():
    widget = head_layout_widget()
    right = package_split(qkv_sources(N, D, H))
    assert torch.equal(codes_of(widget.parts(HEAD_SPLITS[0])), right)
    line, _ = widget.compute(HEAD_SPLITS[0])
    assert line == widget.line and "damage none" in line


def test_reshape_without_permute_mixes_tokens():
    widget = head_layout_widget()
    parts = widget.parts(HEAD_SPLITS[1])
    assert not torch.equal(codes_of(parts), package_split(qkv_sources(N, D, H)))
    wrong_rows = int((parts[..., 0] != torch.arange(N).view(1, 1, -1, 1)).any(-1).sum())
    line, _ = widget.compute(HEAD_SPLITS[1])
    assert wrong_rows == 12 and "12 of 18 token slots hold another token's features (tokens mix)" in line
    assert "6 of 6 q/k/v panels" in line


def test_neox_layout_read_as_timm_swaps_roles_not_tokens():
    widget = head_layout_widget()
    line, fig = widget.compute(HEAD_SPLITS[2])
    assert "0 of 18 token slots" in line and "4 of 6 q/k/v panels" in line
    assert line.endswith("q1 <- k0, k0 <- v0, k1 <- q1, v0 <- k1")
    parts = widget.parts(HEAD_SPLITS[2])
    assert panel_source(parts[0, 1]) == "k0" and panel_source(parts[0, 0]) == "q0"
    # the package's split of a NeoX-laid-out output gives the same (wrong) panels
    assert torch.equal(codes_of(parts), package_split(qkv_sources(N, D, H, "h three d")))
    assert len(fig.axes) == 3 * H


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="split must be"):
        split_heads_as(qkv_sources(N, D, H), H, "transpose")
    with pytest.raises(ValueError, match="layout must be"):
        qkv_sources(N, D, H, "three d h")


# --- review 18c's exercise messages ---------------------------------------------------------------------------


def test_exercise_messages_name_the_slip_alone_and_in_lower_case():
    import math

    from vit_explained.exercises import ExerciseFailed
    from vit_explained.exercises.lesson03 import check_attention, check_attention_memory, check_split_merge

    def attention(q, k, v):  # k q^T
        return (k @ q.transpose(-2, -1) / math.sqrt(q.shape[-1])).softmax(-1) @ v

    with pytest.raises(ExerciseFailed) as failure:
        check_attention(attention)
    assert "k q^T" in str(failure.value) and "raised" not in str(failure.value), failure.value

    def split_heads(x, heads):
        return x.reshape(x.shape[0], x.shape[1], -1, 64).permute(0, 2, 1, 3)

    with pytest.raises(ExerciseFailed) as failure:
        check_split_merge(split_heads, lambda x: x)
    assert str(failure.value).startswith("Not yet: a reshape") and "raised" not in str(failure.value)

    with pytest.raises(ExerciseFailed, match=r"that counts N x d per head, not N x N$"):
        check_attention_memory(lambda: 8 * 16 * 577 * 64 * 4)


# --- review 18c's picture labels ------------------------------------------------------------------------------


def test_query_picture_labels_the_query_position_and_the_top_key():
    from vit_explained.plotting.lesson03 import plot_query_attention

    torch.manual_seed(0)
    weights = torch.rand(50).softmax(-1)
    fig = plot_query_attention(torch.rand(1, 28, 28), torch.randn(50), weights, (7, 7), 11)
    texts = [[t.get_text() for t in ax.texts] for ax in fig.axes[:5]]
    assert sum("query position" in t for t in texts) == 3  # the digit, the weights and the scores panel
    assert sum("top key" in t for t in texts) == 2  # on the weights and on the scores


def test_the_explorer_starts_at_a_chosen_split_and_draws_at_a_readable_size():
    widget = head_layout_widget(split=HEAD_SPLITS[1])  # the lesson shows the damaged state first (review 18d)
    line, fig = widget.compute(HEAD_SPLITS[1])
    assert widget.line == line and "tokens mix" in line
    width, height = fig.get_size_inches()
    assert width >= 10 and height >= 9  # about twice the first draft's 5.6 x 4.9 inches
    labels = [text for ax in fig.axes for text in ax.texts]
    assert labels and min(text.get_fontsize() for text in labels) >= 10

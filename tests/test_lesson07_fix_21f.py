"""Lesson 07, fixes for review r21g: the soft split + Linear = Conv2d sentence with its appendix link, the README
at the pinned commit cited by line, float32 named beside the attention memory, the +-0.5 points called an interval
for independent samples, the unexplained stripes dropped and the viridis panels labelled in arbitrary units, and
exercise 3's checker describing a returned tuple by types and shapes, never by its numbers."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pytest
import torch

from tests import _notebook as nb
from vit_explained.exercises import ExerciseFailed, lesson07
from vit_explained.plotting.lesson07 import plot_folded_channels

LESSON = nb.NOTEBOOKS / "07_tokens_to_token_vit.ipynb"


def _cell(text: str) -> str:
    sources = nb.sources(LESSON)
    return nb.flat(sources[nb.unique_index(sources, text)])


def test_soft_split_and_linear_is_a_conv2d_with_a_link_to_the_proof():
    section_1 = _cell("## 1. Soft splits, and how many tokens they make")
    # 24c (review r24b item 5): "one shared Linear applied to every token"
    assert "A soft split followed by one shared `Linear` applied to every token is exactly a `Conv2d(k, s, p)`" in (
        section_1
    )
    assert "(07_tokens_to_token_vit_appendix.ipynb#audits) checks it)" in section_1
    assert section_1.index("exactly a `Conv2d(k, s, p)`") > section_1.index("| Eq. 3: padding `p` |")  # after the table
    appendix = nb.sources(nb.NOTEBOOKS / "07_tokens_to_token_vit_appendix.ipynb")
    (proof,) = [s for s in appendix if "Unfold + Linear + reshape = Conv2d(kernel, stride, padding)" in s]
    assert "assert torch.allclose(linear_stem(pixels), conv_tokens, atol=1e-12)" in proof


def test_the_readme_numbers_cite_the_pinned_commit_and_line():
    section_6 = _cell("## 6. Does T2T help?")
    assert "| 21.5M | 4.8G | 81.5 % | T2T-ViT README at `0f63dc9`, line 63 |" in section_6
    assert "| 21.5M | 6.1G | 81.7 % | T2T-ViT README at `0f63dc9`, line 68 |" in section_6
    assert "| T2T-ViT README |" not in section_6


def test_the_interval_is_said_to_be_for_independent_samples():
    section_6 = _cell("## 6. Does T2T help?")
    appendix = nb.sources(nb.NOTEBOOKS / "07_tokens_to_token_vit_appendix.ipynb")  # 24c: moved to the Sources
    sources = nb.flat(appendix[nb.unique_index(appendix, "## Appendix · Sources")])
    assert "the 95 % interval for two *independent* samples of 50,000 images" in sources
    assert "that sampling 50,000 images puts on them" not in section_6 + sources


def test_the_attention_memory_is_float32():
    printed = nb.all_printed(LESSON)
    assert "MB/layer, float32" in printed
    assert "39.3 MB per image in float32 (4 bytes per entry)" in printed
    (check,) = [s for s in nb.sources(LESSON) if "first.matrix_bytes == 4 * first.matrix_entries" in s]
    assert check.startswith("# @title A check")


def test_no_unexplained_stripes_and_the_channels_are_in_arbitrary_units():
    caption = _cell("The folded map keeps the image's layout")
    assert "stripes" not in caption
    fig = plot_folded_channels(torch.rand(40, 10), torch.rand(8, 10, 3), range(2), window_means=torch.rand(10, 3))
    titles = [ax.get_title() for ax in fig.axes]
    assert [t.endswith("(arbitrary units)") for t in titles] == [False, False, True, True]
    plt.close(fig)


def _returns_a_pair(tokens, qkv, proj):
    q, k, v = qkv(tokens).chunk(3, dim=-1)
    weights = (q @ k.transpose(-2, -1) * tokens.shape[-1] ** -0.5).softmax(-1)
    return v + proj(weights @ v), weights


def test_exercise_3_describes_a_returned_tuple_by_types_and_shapes():
    with pytest.raises(ExerciseFailed) as failed:
        lesson07.check_token_attention(_returns_a_pair)
    message = str(failed.value)
    assert "returned a tuple of 2: (a Tensor of shape (" in message
    assert "tensor(" not in message and "e-0" not in message  # no raw numbers
    for wrong in (lambda t, qkv, proj: [qkv(t)], lambda t, qkv, proj: None, lambda t, qkv, proj: "out"):
        with pytest.raises(ExerciseFailed) as failed:
            lesson07.check_token_attention(wrong)
        assert "tensor(" not in str(failed.value)


def test_table_7s_flag_is_a_footnote_and_the_arms_findings_and_caveats_start_their_own_lines():
    section_6 = _cell("## 6. Does T2T help?")
    assert "hard patches (that row's" not in section_6  # no parenthesis inside the Table 7 sentence
    assert "points above hard patches², convolutions with the same windows get 1.3 of them" in section_6
    arms = nb.sources(LESSON)[nb.unique_index(nb.sources(LESSON), "**The `Linear` arm.**")]
    # 23a (review r22i item 1): no line breaks and no caveats in the main path; the caveats open the appendix's
    # paragraph for the arm they qualify
    # 24c (review r24b item 1): one sentence per arm with its interval; the sign test is printed
    assert "[+4.3, +13.3]).\n\n**The token-MLP arm.**" in arms and "\\\n" not in arms
    assert "only the soft\nsplits do. The token MLP matched" in arms
    assert "No benefit of attention was detected here.\n\n" in arms and "Each arm's caveats: appendix" in arms
    appendix = nb.flat(nb.all_text(nb.NOTEBOOKS / "07_tokens_to_token_vit_appendix.ipynb"))
    assert "**Section 6's `Linear` arm.** Caveat: the `Linear` removes" in appendix
    assert "**Section 6's token-MLP arm.** Caveat: 1.2 points" in appendix


def test_exercise_1_names_section_2s_picture_as_its_hint():
    sources = nb.sources(LESSON)
    exercise = nb.flat(sources[nb.unique_index(sources, "### Exercise 1 · What does one final token see?")])
    assert "its nested-windows picture, 7 then 15 then 31, is your hint." in exercise

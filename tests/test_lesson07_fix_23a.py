"""Lesson 07, fixes for review r22i (8.5): section 6 opens with one takeaway sentence and its caveats sit in the
appendix next to their arms; cell 63 names T2T's best-EMA-checkpoint selection; the Summary's recipe and Linear
bullets; cell 5's ViT-patch sentence; exercise 3's checker names all five wrong q, k, v orders; the Performer in
two sentences; the seed-pair picture jitters ties and keeps its labels inside the axis; the fold picture's colour
bars and caption; "at least 2.5 GB"."""

from __future__ import annotations

import re

import matplotlib.pyplot as plt
import pytest
import torch
from matplotlib.backends.backend_agg import FigureCanvasAgg

from tests import _notebook as nb
from vit_explained.exercises import ExerciseFailed
from vit_explained.exercises.lesson07 import check_token_attention
from vit_explained.plotting.lesson07 import plot_folded_channels, plot_seed_pairs

LESSON = nb.NOTEBOOKS / "07_tokens_to_token_vit.ipynb"
APPENDIX = nb.NOTEBOOKS / "07_tokens_to_token_vit_appendix.ipynb"


def _lesson_cell(text: str) -> str:
    sources = nb.sources(LESSON)
    return nb.flat(sources[nb.unique_index(sources, text)])


def _main_path() -> str:
    sources = nb.sources(LESSON)
    return "\n".join(sources[: nb.unique_index(sources, "## Summary")])


# --- item 1: section 6 reads as findings; the caveats moved next to their arms in the appendix ---------------


def test_section_6_opens_with_one_takeaway_sentence_that_quotes_the_printed_intervals():
    section_6 = _lesson_cell("## 6. Does T2T help?")
    verdict = section_6.split("**In short:** ")[1].split(" ### ")[0]
    assert verdict.count(". ") == 0 and verdict.endswith("hard patches.")  # one sentence
    cells, sources = nb.cells(LESSON), nb.sources(LESSON)
    printed = nb.printed(cells[nb.unique_index(sources, "t2t_arm = [count / 180")])  # 24a: the intervals cell
    assert "95 % t-interval of the mean difference [+4.3, +13.3] points" in printed and "+8.8 points" in printed
    assert "token transformers minus token MLP: -1.2 points, 95 % t-interval [-2.2, -0.2]" in printed
    # 24a (review r23f item 5): the verdict names the findings; the intervals follow once the arms are defined
    assert "+8.8" not in verdict and "1.2" not in verdict and "matched or beat them" in verdict
    arms = _lesson_cell("**The `Linear` arm.**")
    assert "+8.8 points (95 % t-interval [+4.3, +13.3]" in arms and "-1.2 points (95 % t-interval [-2.2, -0.2]" in arms
    assert "on 180 digits after 10 epochs (6 seeds)" in verdict and "Table 7's single runs" in verdict


def test_no_caveat_lines_or_line_breaks_in_the_main_path_and_one_pointer_to_them():
    main = _main_path()
    assert "Caveat:" not in main and "\\\n" not in main
    arms = _lesson_cell("**The `Linear` arm.**")
    assert arms.count('Each arm\'s caveats: appendix, "Sources".') == 1
    appendix = nb.sources(APPENDIX)
    sources_cell = appendix[nb.unique_index(appendix, "**Section 6's `Linear` arm.**")]
    paragraphs = [p for p in sources_cell.split("\n\n") if p.startswith("**Section 6's") and " arm.**" in p]
    assert [p.split("**")[1] for p in paragraphs] == ["Section 6's `Linear` arm.", "Section 6's token-MLP arm."]
    linear, mlp = (nb.flat(p) for p in paragraphs)
    assert "halves the T2T module's parameters" in linear and "+27.1 points [+17.1, +37.0] at 10 epochs" in linear
    assert "1.2 points are about 2 digits" in mlp and "not which part matters" in mlp
    # next to the token-layer arms' other limits, in the Sources section
    assert sources_cell.index("**What section 6's token-layer arms leave out.**") < sources_cell.index(paragraphs[0])


def test_the_summary_folds_the_ten_epoch_bullet_into_the_linear_finding():
    # the "Does T2T help?" bullet is capped at 4 findings and 800 characters (tests 19d, 20a): the Linear arm's
    # finding and its 10-epoch caveat form one bullet after it, in place of the separate "10 epochs" bullet
    summary = nb.sources(LESSON)[nb.unique_index(nb.sources(LESSON), "## Summary")]
    assert "- **10 epochs**" not in summary
    # 24c (review r24b item 2): one "Does T2T help?" line holds the Linear finding; its interval is section 6's
    (linear,) = [b for b in summary.split("\n- **") if b.startswith("Does T2T help?**")]
    linear = nb.flat(linear)
    assert "is 8.8 points lower after 10 epochs" in linear and "learns slower" not in linear
    assert "+27.1" not in linear and "[+4.3, +13.3]" not in linear
    arms = _lesson_cell("**The `Linear` arm.**")
    assert "+8.8 points (95 % t-interval [+4.3, +13.3])" in arms and "#whole-stem)" in arms
    appendix = nb.flat(nb.all_text(APPENDIX))  # the whole-stem numbers: the appendix's Sources
    assert "+27.1 points [+17.1, +37.0] at 10 epochs, +1.2 [-0.1, +2.5] at 93." in appendix


# --- items 3 and 9: the selection on the validation images; the recipe's changes counted ------------------------


def test_the_published_gaps_name_the_best_ema_checkpoint_selection():
    # 24c (review r24b item 1): section 6 names the selection and points to the appendix's Sources, which states it
    assert (
        'checkpoint selection are\nleft to the appendix: each number is one run (appendix, "Sources").'
        in (nb.sources(LESSON)[nb.unique_index(nb.sources(LESSON), "## 6. Does T2T help?")])
    )
    appendix = nb.flat(nb.all_text(APPENDIX))  # the fact, with its source line, in the appendix
    assert "T2T's `main.py` keeps the EMA checkpoint with the best top-1 of its 310 per-epoch evaluations" in appendix
    assert "upward by an amount the +-0.5 does not cover." in appendix
    assert (
        "validates with the EMA weights (`eval_metrics = ema_eval_metrics`) and keeps the best checkpoint" in appendix
    )


def test_the_summary_counts_the_recipe_changes_the_appendix_lists():
    summary = _lesson_cell("## Summary")
    # 24c (review r24b item 2): the recipe caveat left the Summary; section 6 points to the appendix's Sources
    assert "a different recipe" not in summary and "recipe" not in summary
    assert "Module, backbone and recipe all change together." in _lesson_cell("## 6. Does T2T help?")
    appendix = nb.sources(APPENDIX)
    recipes = appendix[nb.unique_index(appendix, "**The training recipes behind section 6's published numbers.**")]
    listed = recipes.split("Where the T2T\nrecipe differs from DeiT's:")[1].split("\n\n**")[0]
    assert len(re.findall(r"^- ", listed, re.M)) == 5


# --- item 4: cell 5 ----------------------------------------------------------------------------------------------


def test_cell_5_says_vit_patches_are_local_but_disjoint_and_linearly_embedded():
    why = _lesson_cell("**Why T2T exists.**")
    assert "(a ViT patch is a small window too)" not in why
    assert "ViT's patches are local too, but disjoint, and its embedding mixes a patch's pixels only linearly." in why
    assert why.index("but disjoint") < why.index("In T2T, neighbouring windows overlap")


# --- item 8: exercise 3's checker names every wrong order of q, k, v ----------------------------------------------


def _unpacking(order: str):
    def token_attention(tokens, qkv, proj):  # unpacks the three blocks under the names in `order`
        parts = dict(zip(order, qkv(tokens).chunk(3, dim=-1), strict=True))
        q, k, v = parts["q"], parts["k"], parts["v"]
        return v + proj(torch.softmax(q @ k.transpose(-2, -1) * tokens.shape[-1] ** -0.5, dim=-1) @ v)

    return token_attention


def _indexing(order: str):
    def token_attention(tokens, qkv, proj):  # picks each block by index, reshape(B, N, 3, token_dim)
        blocks = qkv(tokens).unflatten(-1, (3, -1))
        q, k, v = (blocks[..., order.index(name), :] for name in "qkv")
        scores = torch.einsum("bnd,bmd->bnm", q, k) / tokens.shape[-1] ** 0.5
        return v + proj(scores.softmax(-1) @ v)

    return token_attention


def _sdpa(order: str):
    def token_attention(tokens, qkv, proj):  # split by width, then scaled_dot_product_attention
        width = proj.in_features
        parts = dict(zip(order, qkv(tokens).split(width, dim=-1), strict=True))
        attended = torch.nn.functional.scaled_dot_product_attention(
            parts["q"], parts["k"], parts["v"], scale=tokens.shape[-1] ** -0.5
        )
        return parts["v"] + proj(attended)

    return token_attention


@pytest.mark.parametrize("write", [_unpacking, _indexing, _sdpa])
@pytest.mark.parametrize(
    ("order", "named"),
    [
        ("qvk", "as q, v, k"),
        ("kvq", "as k, v, q"),
        ("vqk", "as v, q, k"),
        ("vkq", "as v, k, q, the reverse order"),
        ("kqv", "k, q, v"),
    ],
)
def test_every_wrong_order_of_q_k_v_is_named(write, order, named):
    with pytest.raises(ExerciseFailed) as failed:
        check_token_attention(write(order))
    message = str(failed.value)
    assert "differs from TokenAttention's by up to" not in message  # not the generic message
    if order == "kqv":  # no `k, q, v =` in the source: named as the same numbers, the scores k q^T
        assert "k q^T instead of q k^T" in message or named in message
    else:
        assert named in message


@pytest.mark.parametrize("write", [_unpacking, _indexing, _sdpa])
def test_the_right_order_passes_written_three_ways(write):
    check_token_attention(write("qkv"))


def test_exercise_3_still_promises_the_order_of_q_k_v():
    exercise = _lesson_cell("### Exercise 3 · Token attention")
    assert "the order of `q`, `k`, `v`" in exercise


# --- item 2: the Performer in two sentences, with the appendix's printed numbers ---------------------------------


def test_the_performer_is_explained_with_the_appendixs_printed_count():
    cost = _lesson_cell("The quadratic cost moved to the front.")
    assert (
        "A Performer maps `q` and `k` to 32 random features and computes `phi(q) (phi(k)^T v)` divided by"
        " `phi(q) (phi(k)^T 1)`, with the same v-skip: no `N x N` matrix."  # 23c (review r23b item 5): normaliser
        in cost
    )
    assert "products 41-fold and the model from 6.09 to 4.78 GMACs." in cost
    printed = nb.all_printed(APPENDIX)
    assert "token attention products: 1.34 GMACs -> 32.2 M (41x fewer)" in printed
    assert "whole model: T2T-ViT_t-14 6.09 GMACs -> T2T-ViT-14 4.78" in printed
    assert "m == 32" in nb.all_text(APPENDIX)


# --- items 5 and 6: the two pictures ------------------------------------------------------------------------------


def test_the_interval_labels_stay_inside_the_panel():
    pairs = [("a vs b", {"a": [175, 173, 172, 174, 173, 174], "b": [145, 163, 161, 156, 163, 158]}),
             ("a vs c", {"a": [175, 173, 172, 174, 173, 174], "c": [177, 173, 175, 175, 178, 176]})]  # fmt: skip
    fig = plot_seed_pairs(pairs, 180)
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    renderer = canvas.get_renderer()
    panel = fig.axes[-1]
    box = panel.get_window_extent(renderer)
    for text in panel.texts:
        extent = text.get_window_extent(renderer)
        assert box.x0 <= extent.x0 and extent.x1 <= box.x1, text.get_text()
    # no label overlaps its own bar: each lies right of the right cap, or wholly above the bar
    assert len(panel.texts) == 2
    for row, text in enumerate(panel.texts):
        extent = text.get_window_extent(renderer)
        high = float(re.search(r", ([+-][\d.]+)\]$", text.get_text()).group(1))
        cap = panel.transData.transform((high, row))
        assert extent.x0 > cap[0] or extent.y0 > cap[1] + 2, text.get_text()
    plt.close(fig)


def test_the_folded_channels_have_colour_bars_and_the_caption_explains_the_bands():
    fig = plot_folded_channels(torch.rand(40, 10), torch.rand(8, 10, 3), range(2), window_means=torch.rand(10, 3))
    assert len(fig.axes) == 4  # the colour bars are child axes of the channel panels
    assert [len(ax.child_axes) for ax in fig.axes] == [0, 0, 1, 1]
    plt.close(fig)
    caption = _lesson_cell("The folded map keeps the image's layout")
    assert (
        "The two channels come from random weights (their long vertical bands follow the stretched digit; channel 0's"
        " bright last row holds the windows over the zero padding below the ink)" in caption
    )
    sources = nb.sources(LESSON)
    check = sources[nb.unique_index(sources, "pooled = F.avg_pool2d(images, kernel_size=7")]
    assert "vertical_step < horizontal_step / 5" in check and "feature_map[0, 0, -1].mean()" in check
    assert nb.hidden(nb.cells(LESSON)[nb.unique_index(sources, "pooled = F.avg_pool2d(images, kernel_size=7")])


# --- nit: the memory is a lower bound ------------------------------------------------------------------------------


def test_the_softmax_memory_is_a_lower_bound():
    cells, sources = nb.cells(LESSON), nb.sources(LESSON)
    printed = nb.printed(cells[nb.unique_index(sources, 'first, _ = costs["T2T transformer 1"]')])
    assert "at least 2.5 GB at batch 64 for the explicit softmax" in printed


def test_the_main_path_stays_within_its_cap():
    main = nb.main_path(LESSON)
    assert len(main) <= 50 and nb.markdown_words(main) <= 2948, (len(main), nb.markdown_words(main))

"""Lesson 05, review r23e: the fresh D = 32 bound is one gradient over the same 512 digits per seed, with the
64-digit batch spread printed apart (item 1); the ViT-Ti share names its one 64-digit gradient (item 2, the stored
benchmark); the Summary says only the class token's row of dO is non-zero in the top block (item 5); the hidden
checks name the cells they check (item 6); cell 9 says the two routes add at h (item 8)."""

from __future__ import annotations

import torch

from tests import _notebook as nb
from vit_explained.gradient_experiments import small_digit_vit, small_model_cuts
from vit_explained.gradient_hooks import mlp_route_cut

LESSON = nb.NOTEBOOKS / "05_where_gradients_flow.ipynb"
SOURCES, CELLS = nb.sources(LESSON), nb.cells(LESSON)


def _summary() -> str:
    at = nb.unique_index(SOURCES, "**Answer to the question:**")
    return nb.flat(SOURCES[at] + "\n" + SOURCES[at + 1])  # 24a: the Answer, then the Summary's bullets


def test_item_1_small_model_cuts_keeps_its_default_and_can_share_the_digits():
    torch.manual_seed(0)
    images, labels = torch.rand(8, 1, 8, 8), torch.randint(0, 10, (8,))
    own = small_model_cuts(images, labels, seeds=[0, 1], per_seed=4)  # the old default: seed 1 on digits 4-8
    shared = small_model_cuts(images, labels, seeds=[0, 1], per_seed=4, same_digits=True)  # both on digits 0-4
    assert own[0].qkv_share == shared[0].qkv_share and own[1].qkv_share != shared[1].qkv_share
    alone = mlp_route_cut(lambda: small_digit_vit(1, fused=True), images[:4], labels[:4])
    assert alone.qkv_share == shared[1].qkv_share


def test_item_1_one_gradient_over_512_digits_per_seed_and_the_batch_spread_printed_and_checked():
    at = nb.unique_index(SOURCES, "wide_cuts = small_model_cuts(")
    assert "per_seed=512, same_digits=True" in SOURCES[at] and not nb.hidden(CELLS[at])
    printed = nb.printed(CELLS[at])
    assert "MLP share over 5 seeds, one gradient over the same 512 digits each:" in printed
    assert "  block 0: 27 % (5 seeds: 12..40)" in printed and "  block 3: 10 % (5 seeds: 1..17)" in printed
    assert "seed 0, block 0, on 8 batches of 64 digits (one gradient each): 31..63 %" in printed
    check = SOURCES[at + 1]
    assert nb.hidden(CELLS[at + 1]) and "== (31, 63)" in check and "== 40" in check and "== (1, 17)" in check
    later = SOURCES[nb.unique_index(SOURCES, "small_low = [round(100 * min(")]
    assert "for c in wide_cuts" in later and "max(small_high) == 40" in later and "== 37" not in later
    summary = _summary()
    assert "at most 37 %" not in summary and "(5 seeds): the MLP route" not in summary
    printed = nb.printed(CELLS[at])  # 24c: the 512-digit bound and the batch spread stay in section 5
    assert (
        "MLP share over 5 seeds, one gradient over the same 512 digits each" in printed
        and "(5 seeds: 12..40)" in printed
    )
    assert "on 8 batches of 64 digits (one gradient each): 31..63 %" in printed
    said = "**Fresh, 4 blocks, MLP 2D:** with one gradient over 256 or 512 digits, under half through the MLPs"
    assert said + " in every block, except block 0" in summary
    share = nb.flat(SOURCES[nb.unique_index(SOURCES, "**The MLP share**")])  # 24c: said once, in section 5
    assert "the share is a ratio of summed gradients and depends on the batch" in share
    section_5 = "\n".join(SOURCES[at : nb.unique_index(SOURCES, "## Summary")])
    assert "(every seed, 512 digits: up to 17 %)" in section_5 and "up to 11 %" not in section_5


def test_item_2_the_vit_ti_share_names_its_one_64_digit_gradient():
    section_5 = nb.flat(SOURCES[nb.unique_index(SOURCES, "**Fresh against trained copies of this architecture**")])
    assert "timm init; 3 fresh seeds, 64 digits in one gradient) block 0's share is 84-89 %" in section_5
    assert "(12 blocks, MLP 4D, timm init; 3 seeds, 64 digits in one gradient): 84-89 % in block 0" in _summary()
    stored = (nb.ROOT / "benchmarks/results/lesson05_fresh_shapes.md").read_text()  # the benchmark's own record
    assert "on the first 64 validation digits" in stored


def test_item_5_the_top_block_has_one_non_zero_row_of_do():
    summary = _summary()
    assert "in the top block it alone gets gradient" not in summary
    top = nb.flat(SOURCES[nb.unique_index(SOURCES, "In block 3, $\\partial L/\\partial h$ is exactly 0")])  # 24c
    assert "in the top block $dO$ has one non-zero row, the class token's: only its query row gets" in top


def test_item_6_hidden_check_comments_name_the_right_cell():
    chain = nb.unique_index(SOURCES, "chain = qk_factor_chain(")  # 24a: the visible chart cell; 24c
    assert SOURCES[chain + 1].startswith("# @title A check of the chart and lines above and of the claims in the cell")
    assert "printed above" in SOURCES[chain + 2]  # the cell below quotes the lines the chart cell prints
    fresh = SOURCES[nb.unique_index(SOURCES, "every_fresh_share = [")]
    routes = SOURCES[nb.unique_index(SOURCES, "routes.own_mlp_share] == [61, 27, 42, 54]")]
    assert "cell 0" not in fresh and "cell 0" not in routes and "# the Summary: at most 40 %" in fresh
    assert " %" not in SOURCES[0]  # cell 0 quotes no number, so no check may point at it for one


def test_item_8_the_two_routes_add_at_h():
    text = nb.flat(SOURCES[nb.unique_index(SOURCES, "Backward runs through each block **from its end**")])
    assert "where the MLP route rejoins the skip" not in text
    assert "MLP first, back through `norm2`; the two routes add at $h$; then attention." in text


def test_item_1_appendix_f_says_its_small_model_ranges_mix_seed_and_batch():
    appendix = nb.sources(nb.NOTEBOOKS / "05_where_gradients_flow_appendix.ipynb")
    text = nb.flat(appendix[nb.unique_index(appendix, "### F · The share at initialisation")])
    assert "each on its own 64 digits, so these ranges mix the seed with the batch" in text
    assert "one gradient over the same 512 digits per seed: at most 40 %" in text
    assert "at most about a third" not in text and "at most 37 % in the small model here" in text

"""Lesson 08, review r19e: section 7's image-blind control measured (the validation digits' mean map of each kind,
applied to the test digits; paired gaps per block and for rollout, block 0 below it); section 12's reference on the
same 100 closest calls; Adebayo et al.'s four measures named; 'fixed-key head' in the Summary; the blank-last gap
is against rollout given the same change; a key for the grey near-flat panels; section 1's digit sets as a table."""

from __future__ import annotations

import pytest
import torch

from tests import _notebook as nb
from vit_explained import attention_maps as am
from vit_explained.plotting import lesson08 as plots

LESSON = nb.NOTEBOOKS / "08_attention_maps.ipynb"
APPENDIX = nb.NOTEBOOKS / "08_attention_maps_appendix.ipynb"


def _cell(text: str, path=LESSON) -> dict:
    return nb.cells(path)[nb.unique_index(nb.sources(path), text)]


def _summary() -> str:
    return nb.flat(nb.source(_cell("## Summary")))


def test_ink_lift_pairs_each_map_with_the_mean_map_on_the_same_digit():
    images = torch.zeros(2, 1, 4, 4)
    images[0, 0, :2, :2] = 1.0  # digit 0: ink in the top-left patch of a 2 x 2 grid
    images[1, 0, 2:, 2:] = 1.0  # digit 1: ink in the bottom-right patch
    maps = torch.tensor([[[1.0, 0.0], [0.0, 0.0]], [[0.0, 0.0], [0.0, 1.0]]])  # each map on its own digit's ink
    reference = torch.full((3, 2, 2), 0.25)  # a flat mean map: a quarter on the one inked patch
    lift = am.ink_lift_over_mean_map(maps, reference, images)
    assert lift.share.estimate == pytest.approx(1.0) and lift.blind.estimate == pytest.approx(0.25)
    assert lift.gap.difference.estimate == pytest.approx(0.75) and lift.gap.difference.scale == 100
    assert "+75.0" in lift.row() and "25.0" in lift.row()
    swapped = am.ink_lift_over_mean_map(maps.flip(0), reference, images)  # each map on the other digit: below
    assert swapped.gap.difference.estimate == pytest.approx(-0.25)
    with pytest.raises(ValueError, match="same grid"):
        am.ink_lift_over_mean_map(maps, torch.ones(3, 3, 3), images)


def test_section_7_measures_the_lift_over_the_image_blind_map():
    cell = _cell("am.ink_lift_over_mean_map(m, v, all_images)")
    assert "data.val_images[:500]" in nb.source(cell) and "lift.blind for lift in lift_own" in nb.source(cell)
    out = nb.printed(cell)
    assert "block 0, own       44.2 [43.0, 45.5]    51.5 [50.4, 52.6]    -7.3 [-7.8, -6.8]" in out
    assert "block 3, rollout   58.2 [57.5, 59.0]    52.7 [51.8, 53.7]    +5.5 [+5.2, +5.8]" in out
    finding = nb.flat(nb.source(_cell("**Reading the chart:**")))  # 20c: read off the chart, after it
    assert "block 0's is **below**, by 7.3 points" in finding
    assert "5.5 points above its image-blind map (95 % interval [5.2, 5.8])" in finding
    assert "a fixed map that never sees the test digit already earns about 20" in finding  # 20e wording
    check = nb.cells(LESSON)[nb.unique_index(nb.sources(LESSON), "printed_gaps_own = [-7.3, 17.3, 13.4, 5.7]")]
    assert nb.hidden(check) and "lift_own[0].gap.difference.high < 0" in nb.source(check)
    assert "blocks 2 and 3 are 13.4 and 5.7 above" in finding  # 21b: block 0 below, the others above, said once
    summary = _summary()
    assert "already puts 52.7 % there: looking at the digit adds 5.5 points (paired, [5.2, 5.8])" in summary
    assert "block 0's is 7.3 points below its image-blind map" in summary


def test_ink_figure_draws_the_image_blind_bars():
    est = am.ink_lift_over_mean_map(
        torch.ones(2, 2, 2), torch.ones(1, 2, 2), torch.ones(2, 1, 4, 4)
    ).share  # any Estimate in 0..1
    fig = plots.plot_ink_share_by_block([est], [est], 0.3, [est], [est])
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert "image-blind mean map of that kind" in labels
    with pytest.raises(ValueError, match="both"):
        plots.plot_ink_share_by_block([est], [est], 0.3, [est], None)


def test_section_12_reference_on_the_same_closest_calls():
    from vit_explained.data import load_mnist
    from vit_explained.pretrained import load_mnist_vit

    model, images = load_mnist_vit(), load_mnist().val_images[:40]
    grid = model.patch_embedding.grid
    result = am.closest_call_neighbour_cosines(model, images, grid, count=6)
    with torch.no_grad():
        best = model(images).softmax(-1).topk(2, dim=-1)
    assert torch.equal(result["picked"], (best.values[:, 0] - best.values[:, 1]).argsort()[:6])
    likeliest = best.indices[result["picked"], 0]
    maps = [
        am.class_token_attention(am.gradient_weighted_attention(model, images[i : i + 1], c[None])[0], grid).flatten()
        for i, c in zip(result["picked"].tolist(), likeliest, strict=True)
    ]
    expected = torch.nn.functional.cosine_similarity(maps[0], maps[1], dim=0)
    assert result["cosine"].shape == (6,) and result["cosine"][0].item() == pytest.approx(expected.item(), abs=1e-5)
    out = nb.printed(_cell("same_100 = am.closest_call_neighbour_cosines(", APPENDIX))  # 21b: appendix K
    assert "reference, the same 100 digits, digit i vs digit i + 1: cosine 0.40, 95 % interval [0.37, 0.43]" in out
    assert "runner-up - next digit: -0.033, 95 % interval [-0.067, +0.001]: no detectable difference" in out
    prose = nb.flat(nb.source(_cell("The two maps of the 7 share little", APPENDIX)))
    assert "the intervals are apart" not in prose and "the test digits' 0.47 above is another population" in prose
    assert "runner-up minus next digit shows no detectable difference" in prose
    # 22c: the same fact in plain words
    # 24d: the Summary drops appendix K's numbers and uses section 12's wording
    assert "about as much as another digit's map does (paired, no detectable difference)" in _summary()  # 24f
    assert "0.40" not in _summary() and "0.37" not in _summary()
    check = _cell("runner_vs_next = paired_difference(", APPENDIX)
    assert nb.hidden(check) and "not runner_vs_next.detectable" in nb.source(check)


def test_adebayo_measures_named_and_the_fixed_key_head():
    verdict = nb.flat(nb.source(_cell("**How the table is read.**")))  # 20c: the rule before the table
    assert "with and without absolute values, SSIM, HOG features" in verdict
    assert "This lesson uses plain ρ only" in verdict and "judge by eye and by rank correlation," not in verdict
    summary = _summary()
    assert "block 0's head 3 is a fixed-key head" in summary and "sink-like" not in summary


def test_blank_last_gap_is_against_rollout_given_the_same_change():
    text = nb.flat(nb.source(_cell("Moving only its blank patches last", APPENDIX)))  # 21b: appendix K
    assert "(its blank patches last too, not plain rollout)" in text and "2 % of its first four" in text


def test_near_flat_panels_have_a_key():
    maps = torch.rand(5, 3, 3, generator=torch.Generator().manual_seed(0)) ** 4  # peaked maps
    maps[3:] = 1.0  # the last two re-drawn maps flat
    steps = ["classifier", "classifier + block 3", "classifier + blocks 2-3", "every layer"]
    fig = plots.plot_cascade(torch.zeros(1, 6, 6), {"rollout": maps}, steps, shared=False, columns=4)
    keys = [t.get_text() for legend in fig.legends for t in legend.get_texts()]
    assert any(k.startswith("near-flat panel: grey scale") for k in keys)


def test_digit_sets_are_a_table():
    section_1 = nb.source(_cell("## 1 · The model and the digits"))
    assert "| set | size | used in |" in section_1 and section_1.count("\n| test |") == 4
    assert "\n| validation | 500 |" in section_1


def test_section_9_per_draw_grid_moved_to_appendix_i():
    out = nb.printed(_cell("am.noise_floor("))  # 21a: the references, printed beside the live step
    appendix = nb.NOTEBOOKS / "08_attention_maps_appendix.ipynb"
    steps = nb.printed(nb.cells(appendix)[nb.unique_index(nb.sources(appendix), "gap_table = {")])  # 21a: appendix I
    assert steps.count(" - other digits: ") == 0 and "[-0.052, -0.033]" not in steps
    assert out.count(" - other digits: ") == 0 and "[-0.052, -0.033]" not in out  # the grid is in appendix I
    assert "detectably closer on 8 of 10" not in out and "closer on " not in out  # 20c: counts in appendix I too
    assert "other digits (the 31 others, mean): 0.92" in out and "noise floor, + 2 % noise" in out  # the references
    assert steps.count("\nclassifier") == 5 and "\nevery layer" in steps  # 20c: one row per step
    grid = nb.cells(appendix)[nb.unique_index(nb.sources(appendix), "gaps_9 = {")]
    assert nb.printed(grid).count(" - other digits: ") == 10
    check = nb.cells(appendix)[nb.unique_index(nb.sources(appendix), "roll_1_3 = gaps_9[")]
    assert nb.hidden(check)

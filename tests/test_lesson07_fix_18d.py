"""Round 18d, lesson 07: the trained-stem figure shows the same channels in both rows and prints how far each
channel's map moved; the convolution stem of T2T-ViT_c-14 is linear in the original code; small wording fixes."""

import pathlib
import re

import matplotlib.pyplot as plt
import pytest
import torch
import torch.nn.functional as F

import vit_explained._upstream as upstream
from tests import _notebook as nb
from vit_explained.data import load_digits
from vit_explained.plotting.lesson07 import (
    draw_chain_windows,
    gradient_mask_panels,
    map_agreement,
    plot_gradient_masks,
    plot_trained_fold,
    stored_stem_block,
    trained_fold_study,
    trained_stem_weights,
)

ROOT = pathlib.Path(__file__).resolve().parents[1]
LESSON = ROOT / "notebooks" / "07_tokens_to_token_vit.ipynb"
APPENDIX = LESSON.with_name("07_tokens_to_token_vit_appendix.ipynb")  # the lesson, then its appendix notebook


def _markdown_text():
    return "\n".join(
        "".join(c["source"]) for c in (nb.cells(LESSON) + nb.cells(APPENDIX)) if c["cell_type"] == "markdown"
    )


def test_map_agreement_is_one_for_the_same_block_and_study_ranks_after_training():
    stored = trained_stem_weights()
    images = F.interpolate(load_digits().val_images[:6], size=(48, 48), mode="bilinear")
    block = stored_stem_block("seed0.trained", stored)
    assert torch.allclose(map_agreement(block, block, images), torch.ones(6, 32), atol=1e-5)
    fold = trained_fold_study(images, stored, seeds=(0, 1))
    assert fold["channels"] == fold["maps_follow"]["trained"].argsort(descending=True)[:4].tolist()
    assert fold["per_channel"].shape == (2, 32) and len(fold["same_map"]) == 2
    initial = stored_stem_block("seed1.initial", stored)
    direct = map_agreement(initial, stored_stem_block("seed1.trained", stored), images).mean(0)
    assert torch.allclose(fold["per_channel"][1], direct)


def test_the_trained_fold_draws_the_same_channels_in_both_rows():
    maps = {name: torch.rand(32, 12, 12) for name in ("initial", "trained")}
    follow = {name: torch.rand(32) for name in maps}
    fig = plot_trained_fold(torch.rand(48, 48), maps, follow, [5, 1, 9, 2])
    titles = [ax.get_title().split(":")[0] for ax in fig.axes if ax.get_title().startswith("channel")]
    assert titles == ["channel 5", "channel 1", "channel 9", "channel 2"] * 2
    plt.close(fig)
    with pytest.raises(ValueError):
        plot_trained_fold(torch.rand(48, 48), maps, follow, [])


def test_the_lesson_says_only_what_the_measure_prints():
    text = _markdown_text()
    assert "one direction" not in text and "did not remake" not in text
    assert "Both rows show the same 4 channels." in text and "0.76 to 0.82" in text and "0.08 to 0.99" in text
    printed = nb.all_printed(LESSON) + "\n" + nb.all_printed(APPENDIX)
    assert "0.76..0.82 on 3 seeds; single channels 0.08..0.99" in printed


def test_the_convolution_stem_is_linear_in_the_original_code():
    source = (pathlib.Path(upstream.__file__).parent / "t2t_vit" / "t2t_vit.py").read_text()
    stem = source.split("tokens_type == 'convolution'")[1].split("self.num_patches")[0]
    assert stem.count("nn.Conv2d(") == 3 and not re.search(r"ReLU|GELU|Norm|\bact", stem)
    text = " ".join(_markdown_text().split())
    # only __init__ is released: it defines three Conv2d and no activation module (review 19b: say no more than that)
    assert "defines three `Conv2d` and no activation or norm module" in text
    # the +0.7 is the Performer row; the token transformers add +0.9 over the convolution stem
    assert (
        "Table 7's T2T-ViT_t-14 is 0.9 points above the convolution stem T2T-ViT_c-14 (81.7 against 80.8 %,"
        " 6.1G against 4.6G MACs, a single run per model)" in text
    )
    assert "its Performer row gains less (+0.7: T2T-ViT-14, 81.5 %, 4.8G)" in text
    assert "**The `Linear` arm.**" in text
    assert "+8.8 points (95 % t-interval [+4.3, +13.3]" in text
    assert "none of them kept token transformers over thousands of tokens" not in text
    assert "on one backbone (one run each)" in text and "In one random draw, the largest change was 1.0 %" in text
    assert "A fifth of T2T-ViT_t-14's MACs" in text


def test_the_hidden_field_keeps_a_legend_entry_without_its_side():
    fig, ax = plt.subplots()
    draw_chain_windows(ax, torch.rand(1, 64, 64), ((4, 4, 0), (2, 2, 0), (2, 2, 0)), show_sides=False)
    labels = [text.get_text() for text in ax.get_legend().get_texts()]
    assert labels[-1] == "split 3 of 3: box hidden, it is the receptive field (tick show field)" and not any(
        "16 x 16" in t for t in labels
    )
    assert not [patch for patch in ax.patches if patch.get_edgecolor()[:3] == (1, 0, 0)]  # no red box drawn
    plt.close(fig)


def test_gradient_mask_panels_feed_plot_gradient_masks():
    masks = [torch.zeros(28, 28), torch.zeros(28, 28), torch.zeros(48, 48), torch.ones(28, 28)]
    panels = gradient_mask_panels(*masks, (3, 3), 4, 16)
    assert [len(panel) for panel in panels] == [4, 4, 4, 3] and panels[0][2] == (12, 12, 4)
    plt.close(plot_gradient_masks(panels))


def test_the_fold_picture_shows_the_window_means_beside_the_channels():
    from vit_explained.plotting.lesson07 import plot_folded_channels

    fig = plot_folded_channels(torch.rand(40, 10), torch.rand(8, 10, 3), range(2), window_means=torch.rand(10, 3))
    assert len(fig.axes) == 4 and fig.axes[1].get_title().startswith("window means")
    plt.close(fig)
    with pytest.raises(ValueError, match="window_means"):
        plot_folded_channels(torch.rand(40, 10), torch.rand(8, 10, 3), range(2), window_means=torch.rand(3, 10))
    text = " ".join(_markdown_text().split())
    assert "each window's mean pixel, folded the same way, is a smaller eight" in text

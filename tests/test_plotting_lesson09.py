"""Lesson 09's new figures: they build on valid input, say what they show and name bad input."""

from __future__ import annotations

import pytest
import torch

from vit_explained.plotting.lesson09 import (
    DEIT_TABLE3,
    DEIT_TABLE8,
    DEIT_TABLE8_FAILED,
    DEIT_TABLE8_FINE_TUNING_ONLY,
    plot_attention_call_chain,
    plot_deit_recipe_ablation,
    plot_paper_distillation,
    plot_seed_accuracies,
    plot_slice_matrix,
    plot_special_token_maps,
    plot_teacher_crops,
    plot_teacher_targets,
)


def test_teacher_targets_one_hot_beside_each_temperature():
    logits = torch.tensor([1.0, 4.0, 0.5, 3.0])
    fig = plot_teacher_targets(logits, temperatures=(1, 3, 10))
    assert [ax.get_title() for ax in fig.axes] == [
        "hard: one-hot argmax",
        "soft: softmax(Z_t / 1)",
        "soft: softmax(Z_t / 3)",
        "soft: softmax(Z_t / 10)",
    ]
    heights = [[bar.get_height() for bar in ax.patches[:4]] for ax in fig.axes]
    assert heights[0] == [0.0, 1.0, 0.0, 0.0]
    assert heights[1][1] > heights[2][1] > heights[3][1]  # a higher temperature flattens the target
    assert all(abs(sum(h) - 1) < 1e-9 for h in heights)
    with pytest.raises(ValueError, match=r"\(classes,\)"):
        plot_teacher_targets(torch.rand(2, 4))
    with pytest.raises(ValueError, match="positive"):
        plot_teacher_targets(logits, temperatures=(0,))


@pytest.mark.parametrize("special_tokens", [1, 2])
def test_slice_matrix_boxes_the_slices(special_tokens):
    tokens = special_tokens + 9
    fig = plot_slice_matrix(torch.rand(tokens, tokens).softmax(-1), special_tokens=special_tokens)
    start = special_tokens - 0.5
    whole = [(p.get_x(), p.get_y(), p.get_width(), p.get_height()) for p in fig.axes[0].patches]
    assert (start, -0.5, 9.0, tokens) in whole  # the patch columns, every query
    assert (start, -0.5, 9.0, 1.0) in whole  # row 0, the class token's map, outlined in the whole matrix too
    assert ((start, 0.5, 9.0, 1.0) in whole) == (special_tokens == 2)  # row 1, the distillation token's (round 17d)
    assert len(whole) == 3 + (special_tokens == 2)  # and the zoomed corner
    zoom = [
        tuple(round(v, 2) for v in (p.get_x(), p.get_y(), p.get_width(), p.get_height())) for p in fig.axes[-1].patches
    ]
    assert (start + 0.05, -0.45, 5.5 - start - 0.1, 0.9) in zoom  # row 0 from the patches on
    assert ((start + 0.05, 0.55, 5.5 - start - 0.1, 0.9) in zoom) == (special_tokens == 2)  # row 1 only on a DeiT
    assert ((0.55, -0.45, 0.9, 0.9) in zoom) == (special_tokens == 2)  # the slip's extra column
    legend = [text.get_text() for text in fig.legends[0].get_texts()]
    assert fig.legends[0].get_texts()[0].get_fontsize() >= 9
    assert any(f"[:, :, 0, {special_tokens}:]" in text for text in legend)
    with pytest.raises(ValueError, match=r"\(N, N\)"):
        plot_slice_matrix(torch.rand(3, 4))
    with pytest.raises(ValueError, match="special_tokens"):
        plot_slice_matrix(torch.rand(5, 5), special_tokens=3)


def test_special_token_maps_print_each_ink_share():
    images, maps = torch.rand(2, 1, 12, 12), torch.rand(2, 3, 3)
    fig = plot_special_token_maps(images, maps, maps, ink_shares=torch.tensor([[0.5, 0.25], [0.75, 0.125]]))
    titles = [ax.get_title() for ax in fig.axes[:6]]
    assert titles[1:3] == ["class token\n50% on ink", "distillation token\n25% on ink"]
    assert titles[4:6] == ["75% on ink", "12% on ink"]
    with pytest.raises(ValueError, match="ink_shares"):
        plot_special_token_maps(images, maps, maps, ink_shares=torch.rand(3, 2))


def test_plot_seed_accuracies_draws_one_dot_per_model_and_seed():
    runs = {"CNN": [0.95, 0.96, 0.94], "DeiT": [0.93, 0.92, 0.94], "ViT": [0.91, 0.94, 0.90]}
    fig = plot_seed_accuracies(runs, names={"CNN": "CNN teacher"})
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["CNN teacher", "DeiT", "ViT"]
    assert len(ax.lines) == 3  # one grey line per seed
    with pytest.raises(ValueError, match="same number"):
        plot_seed_accuracies({"CNN": [0.9], "DeiT": [0.9, 0.8]})


def test_seed_accuracies_axis_says_where_it_starts():
    fig = plot_seed_accuracies({"CNN": [0.955, 0.96], "ViT": [0.905, 0.94]})
    ax = fig.axes[0]
    assert ax.get_ylim() == (85, 100)
    assert "starts at 85 %" in ax.get_ylabel()


def test_slice_matrix_ticks_every_ten_and_marks_a_key():
    fig = plot_slice_matrix(torch.rand(51, 51).softmax(-1), special_tokens=2, mark_key=18)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["0", "10", "20", "30", "40", "50"]
    xticks = [t.get_text() for t in ax.get_xticklabels()]
    assert xticks == ["0", "10", "18", "30", "40", "50"]  # 20 gives way to the marked key
    assert ax.get_xticklabels()[2].get_color() == "#ff7f0e"
    with pytest.raises(ValueError, match="mark_key"):
        plot_slice_matrix(torch.rand(5, 5), mark_key=5)


def test_paper_distillation_bars_are_gains_over_no_distillation():
    fig = plot_paper_distillation()
    ax = fig.axes[0]
    heights = [round(bar.get_height(), 6) for bar in ax.patches]
    assert heights == [0.0, 0.0, 1.2, 1.2, 1.3, 1.6]  # 81.8, 81.8, 83.0, 83.0, 83.1, 83.4 against 81.8
    labels = [t.get_text() for t in ax.get_xticklabels()]
    assert labels[:3] == ["none", "soft", "hard"] and labels[-1] == "token\nboth heads"
    assert "Table 3" in ax.get_title() and "82.9" in ax.get_legend().get_texts()[0].get_text()
    assert DEIT_TABLE3["teacher"] == 82.9
    with pytest.raises(ValueError, match="none"):
        plot_paper_distillation({"soft": 80.0})


def test_deit_recipe_ablation_draws_every_row_of_table_8_and_stars_the_failed_runs():
    # review r29b minor 2: Table 8 as a picture, the full recipe first with its published spread
    fig = plot_deit_recipe_ablation()
    ax = fig.axes[0]
    bars = [bar for bar in ax.patches if bar.get_height() < 1]  # the horizontal bars (the band is a full-height patch)
    assert [round(bar.get_width(), 6) for bar in bars] == list(DEIT_TABLE8.values())
    assert [t.get_text() for t in ax.get_yticklabels()] == list(DEIT_TABLE8)
    labels = [t.get_text() for t in ax.texts]
    assert labels[0] == "81.8 ± 0.2" and sum(label.endswith("*") for label in labels) == len(DEIT_TABLE8_FAILED) == 2
    assert (
        "4.3*" in labels and "3.4*" in labels and "Table 8" in ax.get_title() and "did not train well" in ax.get_title()
    )
    # review r29c minor 1: the fine-tuning-only row is pale and says so (its 224-px model is the full recipe's)
    pale = [bar for bar in bars if bar.get_facecolor()[:3] == pytest.approx((0xDD / 255,) * 3)]
    assert [round(bar.get_width(), 6) for bar in pale] == [DEIT_TABLE8[row] for row in DEIT_TABLE8_FINE_TUNING_ONLY]
    assert DEIT_TABLE8_FINE_TUNING_ONLY == ("SGD for fine-tuning only",)
    assert labels.count("(changes only the 384-px fine-tuning)") == 1 and "pale" in ax.get_title()
    with pytest.raises(ValueError, match="full recipe"):
        plot_deit_recipe_ablation({"no Mixup": 78.7})


def test_attention_call_chain_names_the_patch_the_fused_path_and_the_hook():
    fig = plot_attention_call_chain()
    text = " ".join(t.get_text() for t in fig.axes[0].texts)
    for part in (
        "attn_mask=attn_mask, is_causal=is_causal",
        "nn.Module.__call__",
        "attn.forward = my_forward",
        "Attention.forward",
        "F.scaled_dot_product_attention",
        "attn_mask, is_causal)",  # review r32a minor 7: timm 1.0.26 passes is_causal to SDPA too
        "(q * scale)\n@ k.T",  # review r32a minor 7: timm (0.9.0 to 1.0.28) scales q before the product
        "nothing to hook",
        ".softmax(-1)",
        "self.attn_drop",
        "forward hook on attn_drop",
    ):
        assert part in text, part
    assert "Table" not in fig.axes[0].get_title()


def test_teacher_crops_title_each_crop_and_colour_the_relabelled_ones():
    originals, crops = torch.rand(2, 1, 28, 28), torch.rand(2, 3, 1, 28, 28)
    said, truth = torch.tensor([[3, 5, 3], [8, 8, 0]]), torch.tensor([3, 8])
    fig = plot_teacher_crops(originals, crops, said, truth)
    titles = [ax.title for ax in fig.axes]
    assert [t.get_text() for t in titles[:4]] == ["label 3", "teacher: 3", "teacher: 5", "teacher: 3"]
    red = [i for i, t in enumerate(titles) if t.get_color() == "#d62728"]
    assert red == [2, 7]  # the 5 given to a 3, the 0 given to an 8

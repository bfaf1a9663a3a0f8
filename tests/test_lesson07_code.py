"""Lesson 07's behaviour tests: package functions, checkers, pictures, widgets and the vendored original code.

Folded from the per-round files (tests/test_lesson07_fix_*.py, tests/test_lesson07_round16*.py): every test that
calls code, moved verbatim (same assertions, same tolerances), exact duplicates merged.
"""

from __future__ import annotations

import inspect
import math
import re
import time
from pathlib import Path

import matplotlib.figure
import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch
import torch.nn.functional as F
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.patches import Rectangle
from safetensors.torch import load_file
from torch import nn

import vit_explained._upstream as upstream
from vit_explained import T2TViT, ViT, count_parameters, t2t_chain, tokens_to_image
from vit_explained._upstream import copy_into_original, load_original_t2t, original_t2t_vit
from vit_explained.cost import count_macs
from vit_explained.data import load_digits
from vit_explained.exercises import ExerciseFailed, lesson07
from vit_explained.exercises import lesson07 as ex
from vit_explained.exercises.lesson07 import (
    _FIELD_SLIPS,
    ATTENTION_CASES,
    check_fold_tokens,
    check_receptive_field,
    check_t2t_token_count,
    check_token_attention,
)
from vit_explained.plotting import lesson07 as plotting
from vit_explained.plotting.lesson07 import (
    PARAMETER_PARTS_SPLIT,
    _short_stage,
    draw_chain_windows,
    gradient_mask_panels,
    ink_following,
    map_agreement,
    nested_windows,
    plot_arm_intervals,
    plot_attention_offsets,
    plot_folded_channels,
    plot_gradient_masks,
    plot_local_and_global,
    plot_nested_windows,
    plot_parameter_parts,
    plot_seed_pairs,
    plot_token_fold,
    plot_trained_attention_rows,
    plot_trained_fold,
    restructured_map,
    stem_attention_changes,
    stem_attention_study,
    stored_stem_block,
    trained_fold_study,
    trained_stem_weights,
)
from vit_explained.positional import sinusoid_encoding
from vit_explained.soft_split import SoftSplit, count_tokens
from vit_explained.t2t import T2T_SPLITS, Tokens2Token, TokenTransformer, attention_by_offset
from vit_explained.widgets.lesson07 import (
    FOLD_OPTIONS,
    T2TChainWidget,
    chain_summary,
    locality_summary,
    t2t_chain_widget,
)

# from test_lesson07_fix_18a.py


def _unflatten_fold(tokens, rows, cols):
    side = int(math.sqrt(tokens.shape[1]))
    return tokens.transpose(1, 2).unflatten(2, (side, side))


def _torch_fold(tokens, rows, cols):
    side = round(tokens.shape[1] ** 0.5)
    return F.fold(tokens.transpose(1, 2), (side, side), 1)


def _view_fold(tokens, rows, cols):
    side = math.isqrt(tokens.shape[1])
    return tokens.transpose(1, 2).view(tokens.shape[0], tokens.shape[2], side, side)


def _red_boxes(figure):
    from matplotlib.colors import to_rgba
    from matplotlib.patches import Rectangle

    red = to_rgba("red")
    return [p for p in figure.axes[0].patches if isinstance(p, Rectangle) and p.get_edgecolor() == red]


@pytest.mark.parametrize("fold", [_unflatten_fold, _torch_fold, _view_fold])
def test_square_fold_is_named_not_raw(fold):
    with pytest.raises(ExerciseFailed) as info:
        lesson07.check_fold_tokens(fold)
    message = str(info.value)
    assert message.startswith("Not yet") and "sqrt(N)" in message


def test_rounded_up_vit_count_is_named():
    with pytest.raises(ExerciseFailed, match="rounded up"):
        lesson07.check_t2t_token_count(lambda h, w: math.ceil(h / 16) * math.ceil(w / 16))
    assert torch.tensor(0).item() == 0


def test_widget_draws_the_red_field_box_only_when_the_field_shows():
    from vit_explained.widgets.lesson07 import t2t_chain_widget

    widget = t2t_chain_widget()
    assert widget.controls["show_field"].value is False
    line, hidden = widget.compute(**widget.values)
    assert "field hidden" in line and not _red_boxes(hidden)
    line, shown = widget.compute(**{**widget.values, "show_field": True})
    assert "31 x 31" in line and len(_red_boxes(shown)) == 1


# from test_lesson07_fix_18c.py


def test_the_package_reading_matches_the_direct_computation():
    stored = trained_stem_weights()
    images = F.interpolate(load_digits().val_images[:12], size=(48, 48), mode="bilinear")
    fold = trained_fold_study(images, stored, seeds=(0, 1))
    assert torch.equal(fold["follow"][1, "trained"], ink_following(stored_stem_block("seed1.trained", stored), images))
    assert fold["closest"]["initial"][0] == float(fold["follow"][0, "initial"].max(-1).values.mean())
    assert fold["maps"]["trained"].shape == (32, 12, 12) and len(fold["report"].splitlines()) == 3
    study = stem_attention_study(images, stored, seeds=(0, 1))
    changes = stem_attention_changes(study, seeds=(0, 1))
    assert changes["own"]["trained"][1] == study["by_offset"]["seed 1"]["trained"][11, 11].item()
    ratio = study["row_peak"]["trained"][0] / study["row_peak"]["initial"][0]
    assert changes["peak_ratio"][0] == ratio and len(changes["report"].splitlines()) == 6


# from test_lesson07_fix_18d.py


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


def test_the_hidden_field_keeps_a_legend_entry_without_its_side():
    fig, ax = plt.subplots()
    draw_chain_windows(ax, torch.rand(1, 64, 64), ((4, 4, 0), (2, 2, 0), (2, 2, 0)), show_sides=False)
    labels = [text.get_text() for text in ax.get_legend().get_texts()]
    assert labels[-1] == "split 3 of 3: box hidden until you tick show field" and not any(  # review r31c minor 10
        "16 x 16" in t for t in labels
    )
    assert not [patch for patch in ax.patches if patch.get_edgecolor()[:3] == (1, 0, 0)]  # no red box drawn
    plt.close(fig)


def test_gradient_mask_panels_feed_plot_gradient_masks():
    masks = [torch.zeros(28, 28), torch.zeros(28, 28), torch.zeros(48, 48), torch.ones(28, 28)]
    panels = gradient_mask_panels(*masks, (3, 3), 4, 16)
    assert [len(panel) for panel in panels] == [4, 4, 4, 3] and panels[0][2] == (12, 12, 4)
    plt.close(plot_gradient_masks(panels))


# from test_lesson07_fix_18e.py


def test_unfold_linear_reshape_is_a_conv2d():
    torch.manual_seed(1)
    stem = Tokens2Token(48, 1, token_dim=32, embed_dim=64).double()
    stem.token_transformers = nn.ModuleList(nn.Linear(s.token_length, 32).double() for s in stem.stages[:-1])
    layers = []
    for stage, layer in zip(stem.stages, [*stem.token_transformers, stem.project], strict=True):
        conv = nn.Conv2d(stage.in_channels, layer.out_features, stage.kernel, stage.stride, stage.padding).double()
        conv.weight.data.copy_(layer.weight.data.view_as(conv.weight))
        conv.bias.data.copy_(layer.bias.data)
        layers.append(conv)
    pixels = torch.rand(3, 1, 48, 48, dtype=torch.float64)
    with torch.no_grad():
        tokens = nn.Sequential(*layers)(pixels).flatten(2).transpose(1, 2)
        assert torch.allclose(stem(pixels), tokens, atol=1e-12)
        layers[0].weight.data[0, 0, 0, 0] += 1  # a negative control: one changed weight shows
        assert not torch.allclose(stem(pixels), nn.Sequential(*layers)(pixels).flatten(2).transpose(1, 2))


def test_exercise_1_adds_two_random_chains_so_a_lookup_table_fails():
    import pytest

    from vit_explained.exercises import lesson07 as ex
    from vit_explained.exercises.lesson07 import RECEPTIVE_FIELD_CASES, _random_chains, _receptive_field

    chains = _random_chains()
    assert len(chains) == 2 and all(1 <= len(c) <= 4 and all(1 <= s <= k for k, s, _ in c) for c in chains)
    table = {tuple(c): _receptive_field(c) for c in RECEPTIVE_FIELD_CASES}
    draws = [_random_chains(50) for _ in range(2)]
    assert draws[0] != draws[1]  # drawn afresh on every call
    assert not any(c in RECEPTIVE_FIELD_CASES for c in draws[0])
    for _ in range(5):  # the fixed cases' answers alone fail on every call
        with pytest.raises(Exception, match=r"Not yet: .*chain"):
            ex.check_receptive_field(lambda splits: table.get(tuple(splits), -1))
    ex.check_receptive_field(_receptive_field)  # the reference passes every call
    with pytest.raises(Exception, match="round down at each split"):
        ex.check_t2t_token_count(lambda h, w: h * w / 219.2)


# from test_lesson07_fix_19a.py


def test_the_folded_channels_figure_has_no_white_band_under_its_title():
    fig = plot_folded_channels(torch.rand(400, 100), torch.rand(64, 100, 25), range(4), title="t",
                               window_means=torch.rand(100, 25))  # fmt: skip
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    renderer = canvas.get_renderer()
    band = fig._suptitle.get_window_extent(renderer).y0 - max(
        ax.title.get_window_extent(renderer).y1 for ax in fig.axes
    )
    assert band / fig.dpi < 0.5, band / fig.dpi  # white between the title and the panels' titles; it was 0.85 in
    assert all(ax.title.get_fontsize() >= 9 for ax in fig.axes)
    plt.close(fig)


def test_the_hidden_last_split_is_named_split_n_of_n():
    fig, ax = plt.subplots()
    draw_chain_windows(ax, torch.rand(1, 64, 64), ((3, 2, 1),) * 4, show_sides=False)
    labels = [text.get_text() for text in ax.get_legend().get_texts()]
    assert labels[-1].startswith("split 4 of 4: box hidden") and len(labels) == 4
    plt.close(fig)


# from test_lesson07_fix_19b.py

T2T = "T2T-ViT: (7,4,2) (3,2,1) (3,2,1)"


def test_restructured_map_is_the_window_means_reshaped_back():
    image = torch.rand(64, 64)
    first = restructured_map(image, ((7, 4, 2), (3, 2, 1), (3, 2, 1)), 1)
    assert first.shape == (16, 16)
    padded = torch.nn.functional.pad(image, (2, 2, 2, 2))
    # token (3, 5): rows 4*3.., cols 4*5.. of the padded image
    assert torch.isclose(first[3, 5], padded[12:19, 20:27].mean())
    second = restructured_map(image, ((7, 4, 2), (3, 2, 1), (3, 2, 1)), 2)
    assert second.shape == (8, 8)
    assert torch.isclose(second[0, 0], torch.nn.functional.pad(first, (1, 1, 1, 1))[:3, :3].mean())
    with pytest.raises(ValueError, match="stage"):
        restructured_map(image, ((7, 4, 2),), 2)


def test_the_widget_draws_one_stages_folded_map_next_to_the_windows_under_a_second():
    widget = t2t_chain_widget()
    assert widget.controls["fold"].value == 0 and [v for _, v in FOLD_OPTIONS] == [0, 1, 2, 3]
    start = time.process_time()  # CPU time: in make test both cores are busy, so wall time would measure the others
    line, fig = widget.compute(224, 224, T2T, show_field=False, fold=1)
    assert time.process_time() - start < 1.0
    assert "fold back after split 1: the 64 x 64 digit's 256 tokens reshaped to 16 x 16" in line
    assert "(this 224x224 image's: 56 x 56)" in line
    assert len(fig.axes) == 4 and "re-structurization after split 1" in fig.axes[1].get_title()
    assert fig.axes[1].images[0].get_array().shape == (16, 16)
    line, fig = widget.compute(224, 224, T2T, show_field=False, fold=3)  # the last split feeds the backbone
    assert "split 3 is not followed by a token layer" in line and len(fig.axes) == 3
    off_line, off_fig = widget.compute(224, 224, T2T, show_field=False)
    assert "fold back" not in off_line and len(off_fig.axes) == 3


# from test_lesson07_fix_19d.py


def test_the_corner_panel_says_its_cross_is_the_centre_of_the_clipped_field():
    masks = [torch.zeros(28, 28), torch.zeros(28, 28), torch.zeros(48, 48), torch.ones(28, 28)]
    panels = gradient_mask_panels(*masks, (3, 3), 4, 16)
    # review r29c minor 9: the corner panel's title in two lines, not four
    assert "(cross: its 31x31 field's centre)" in panels[1][0] and panels[1][3] == (1, 1)
    assert panels[1][0].count("\n") == 1


# from test_lesson07_fix_20a.py


def test_nested_windows_geometry_and_drawing():
    assert nested_windows(T2T_SPLITS, 64) == [
        (30, 7, list(range(30, 37))),
        (26, 15, [26, 30, 34]),
        (18, 31, [18, 26, 34]),
    ]
    fig = plot_nested_windows(torch.rand(1, 64, 64), T2T_SPLITS)
    axes = fig.axes
    assert len(axes) == 3
    counts = [sum(isinstance(p, Rectangle) for p in ax.patches) for ax in axes]
    # the window over its parts: split 1 all its pixels; 20e (review r20d item 5): later splits only the middle
    # row's 3 parts, shaded, so the overlapping windows read
    assert counts == [1 + 49, 1 + 3, 1 + 3]
    assert all(p.get_fill() for p in axes[1].patches[:3]) and not axes[1].patches[-1].get_fill()
    assert "15 x 15 px" in axes[1].get_title() and "31 x 31 px" in axes[2].get_title()
    # review r29b minor 13: the zoomed split-1 panel has an inset of the whole image with the window outlined
    (inset,) = axes[0].child_axes
    assert "(inset: where)" in axes[0].get_title() and [p.get_width() for p in inset.patches] == [7]
    assert not axes[1].child_axes and not axes[2].child_axes


# from test_lesson07_fix_20c.py


def _message(check, function):
    with pytest.raises(ExerciseFailed) as failed:
        check(function)
    return str(failed.value)


def _attention(scale_of):
    def token_attention(tokens, qkv, proj):
        q, k, v = qkv(tokens).chunk(3, dim=-1)
        weights = (q @ k.transpose(-2, -1) * scale_of(tokens)).softmax(dim=-1)
        return v + proj(weights @ v)

    return token_attention


def test_exercise_1_names_the_overlap_slip_the_right_way_round():
    def field(splits, spacing=lambda k, s: k - s):
        side, jump = 1, 1
        for kernel, stride, _ in splits:
            side, jump = side + (kernel - 1) * jump, jump * spacing(kernel, stride)
        return side

    message = _message(lesson07.check_receptive_field, field)
    # review r30c minor 4: exercise 4's wording ("you used the paper's s as the stride"), spacing k - s named
    assert "you used the paper's s as the stride, spacing the windows by k - s" in message
    assert "you passed the overlap as the stride" not in message
    for right in (
        lambda splits: field(splits, lambda k, s: s),
        lambda splits: 1 + sum((k - 1) * math.prod(s for _, s, _ in splits[:i]) for i, (k, _, _) in enumerate(splits)),
        lambda splits: int(field(splits, lambda k, s: s) + 0.0),
    ):
        lesson07.check_receptive_field(right)


@pytest.mark.parametrize(
    "scale_of", [lambda t: t.shape[-2] ** -0.5, lambda t: 1 / t.shape[-2]], ids=["1/sqrt(N)", "1/N"]
)
def test_exercise_3_says_the_scale_depends_on_the_input_width(scale_of):
    message = _message(lesson07.check_token_attention, _attention(scale_of))
    assert "depends on a width, not on the number of tokens: T2T's code uses the input width, 1/sqrt(dim)" in message
    assert "width of the vectors being multiplied" not in message


def test_exercise_3_right_answers_still_pass():
    lesson07.check_token_attention(_attention(lambda t: t.shape[-1] ** -0.5))
    lesson07.check_token_attention(_attention(lambda t: 1 / math.sqrt(t.shape[-1])))

    def sdpa(tokens, qkv, proj):
        q, k, v = qkv(tokens).chunk(3, dim=-1)
        out = nn.functional.scaled_dot_product_attention(q, k, v, scale=tokens.shape[-1] ** -0.5)
        return v + proj(out)

    lesson07.check_token_attention(sdpa)
    assert torch.tensor(1.0).item() == 1.0


# from test_lesson07_fix_20e.py


def test_the_nested_windows_shade_only_the_middle_row():
    fig = plot_nested_windows(torch.rand(1, 64, 64), T2T_SPLITS)
    for ax in fig.axes[1:]:
        parts = ax.patches[:-1]
        assert len(parts) == 3 and all(p.get_fill() for p in parts)
        assert len({p.get_y() for p in parts}) == 1  # one row
        assert "middle row's 3" in ax.get_title()
    plt.close(fig)


def test_the_widget_legend_has_its_own_row_under_every_panel():
    widget = t2t_chain_widget()
    _, fig = widget.compute(height=224, width=224, splits="four splits: (3,2,1) x 4", show_field=False)
    renderer = FigureCanvasAgg(fig).get_renderer()
    fig.draw(renderer)
    legend = fig.axes[0].get_legend()
    assert legend.get_in_layout()  # a tight crop (the notebook's inline figure) keeps it
    top = legend.get_window_extent(renderer).y1
    legend.set_in_layout(False)  # the panels' own extent, without the legend
    assert all(top < ax.get_tightbbox(renderer).y0 for ax in fig.axes), "the legend overlaps a panel"
    assert legend._ncols == 2 and legend.get_texts()[-1].get_text().startswith("split 4 of 4: box hidden")
    plt.close(fig)


# from test_lesson07_fix_20f.py


def test_nested_window_titles_are_short_lines():
    import torch

    from vit_explained.plotting.lesson07 import plot_nested_windows
    from vit_explained.t2t import T2T_SPLITS

    fig = plot_nested_windows(torch.rand(1, 64, 64), T2T_SPLITS)
    for ax in fig.axes:
        for line in ax.get_title().splitlines():
            assert len(line) <= 50, line


# from test_lesson07_fix_21c.py


def test_the_legend_points_at_the_panel_that_shows_the_t2t_module():
    models = {
        "a": dict(zip(PARAMETER_PARTS_SPLIT, (387_046, 76_032, 20_692_224, 385_768), strict=True)),
        "b": dict(zip(PARAMETER_PARTS_SPLIT, (295_296, 76_032, 21_293_568, 385_768), strict=True)),
    }
    fig = plot_parameter_parts(models, title="parts")
    labels = [text.get_text() for text in fig.axes[0].get_legend().get_texts()]
    assert labels[0] == "T2T module / patch embedding (too thin here: see right)"
    plt.close(fig)


# from test_lesson07_fix_21f.py


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


def test_exercise_3_describes_a_returned_list_by_type_and_shape():
    # review r25b item 6: a .tolist() answer is named by type and shape, not dumped float by float
    with pytest.raises(ExerciseFailed) as failed:
        lesson07.check_token_attention(lambda t, qkv, proj: _reference(t, qkv, proj).tolist())
    message = str(failed.value)
    assert "returned a list of 2 x 10 x 64 floats;" in message and "torch.Tensor" in message
    assert len(message) < 300 and "(a float)" not in message
    assert lesson07._describe([[1, 2], [3, 4]]) == "a list of 2 x 2 ints"
    assert lesson07._describe(([1.0], [2.0, 3.0])).startswith("a tuple of 2: (")  # ragged: item by item


# from test_lesson07_fix_21i.py


def _reference(tokens, qkv, proj):
    q, k, v = qkv(tokens).split(qkv.out_features // 3, dim=-1)
    weights = torch.softmax(q @ k.transpose(1, 2) * tokens.shape[-1] ** -0.5, dim=-1)
    return v + proj(weights @ v)


@pytest.mark.parametrize(
    "wrong",
    [
        lambda t, qkv, proj: qkv(t)[:, :, :5] @ proj.weight,  # the reviewer's unrelated shape bug
        lambda t, qkv, proj: _reference(t, qkv, proj) + _reference(t, qkv, proj)[:, :, :3],  # sizes 64 and 3
        lambda t, qkv, proj: _reference(t, qkv, proj) @ torch.ones(5, 5),  # a product of other sizes
    ],
)
def test_other_shape_errors_get_no_skip_guess(wrong):
    with pytest.raises(ExerciseFailed) as failed:
        check_token_attention(wrong)
    assert "raised RuntimeError" in str(failed.value) and "input tokens x" not in str(failed.value)


@pytest.mark.parametrize(
    ("wrong", "message"),
    [
        (lambda t, qkv, proj: t + _reference(t, qkv, proj), "the output 64: the skip cannot be x."),  # r26c minor 9
        (lambda t, qkv, proj: _reference(t, qkv, proj) + t, "the output 64: the skip cannot be x."),
        (lambda t, qkv, proj: t + proj(t), "if it was the input tokens x, they go through qkv only"),
    ],
)
def test_the_dim_token_dim_mismatch_still_gets_the_skip_guess(wrong, message):
    with pytest.raises(ExerciseFailed, match=re.escape(message)):
        check_token_attention(wrong)


# from test_lesson07_fix_21k.py


def _detached_fold(tokens, rows, cols):
    return tokens.detach().transpose(1, 2).reshape(tokens.shape[0], -1, rows, cols)


def _numpy_fold(tokens, rows, cols):
    return torch.from_numpy(tokens.numpy().transpose(0, 2, 1).reshape(tokens.shape[0], -1, rows, cols))


@pytest.mark.parametrize("wrong", [_detached_fold, _numpy_fold])
def test_the_fold_checker_names_token_transformer_1_not_the_weightless_soft_split(wrong):
    with pytest.raises(ExerciseFailed) as failure:
        lesson07.check_fold_tokens(wrong)
    message = str(failure.value)
    assert "soft split 1" not in message
    assert re.search(r"stops token transformer 1 \(and everything before the fold\)", message), message


# from test_lesson07_fix_22a.py


def test_the_widget_draws_without_tight_layout(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("tight_layout costs most of a draw's CPU time")

    monkeypatch.setattr(matplotlib.figure.Figure, "tight_layout", refuse)
    widget = t2t_chain_widget()
    widget.compute(224, 224, T2T, show_field=False, fold=1)  # warm the digit cache
    start = time.process_time()
    for fold in (0, 1, 2):
        _, fig = widget.compute(224, 224, T2T, show_field=False, fold=fold)
        assert fig is not None and len(fig.axes) == (4 if fold else 3)
    assert time.process_time() - start < 3 * 1.0  # the 19b bound per draw; 0.07 CPU-s each on an idle machine
    _, fig = widget.compute(224, 224, "four splits: (3,2,1) x 4", token_layers="performer", fold=2)
    grid = fig.axes[0].get_gridspec()
    assert grid.wspace >= 0.225 and grid.bottom >= 0.2


def test_the_paired_seed_panels_explain_their_xn_labels():
    # 23a (review r22i item 5): tied seeds are jittered apart instead of labelled "x2"; the title says so
    fig = plot_seed_pairs([("a vs b", {"a": [10, 10, 12], "b": [9, 9, 8]})], 20)
    assert "tied seeds drawn side by side" in fig.axes[0].get_title()
    assert [t.get_text() for t in fig.axes[0].texts] == []
    starts = [line.get_xdata()[0] for line in fig.axes[0].lines[:2]]  # the two tied seeds
    assert abs(starts[1] - starts[0]) >= 0.1
    fig = plot_seed_pairs([("a vs b", {"a": [10, 11, 12], "b": [9, 9, 8]})], 20)
    assert "tied seeds" not in fig.axes[0].get_title()


# from test_lesson07_fix_22c.py


def _parts(tokens, qkv, proj):
    return qkv(tokens).split(proj.out_features, dim=-1)


def weights_transposed(tokens, qkv, proj):
    q, k, v = _parts(tokens, qkv, proj)
    a = torch.softmax(q @ k.transpose(-2, -1) * tokens.shape[-1] ** -0.5, dim=-1)
    return v + proj(a.transpose(-2, -1) @ v)


def weights_transposed_by_mT(tokens, qkv, proj):
    q, k, v = _parts(tokens, qkv, proj)
    return v + proj(torch.softmax(q @ k.mT / math.sqrt(tokens.shape[-1]), dim=-1).mT @ v)


def weights_transposed_by_einsum(tokens, qkv, proj):
    q, k, v = qkv(tokens).chunk(3, dim=-1)
    a = torch.softmax(torch.einsum("bnd,bmd->bnm", q, k) * tokens.shape[-1] ** -0.5, dim=-1)
    return v + proj(torch.einsum("bnm,bnd->bmd", a, v))


def right_by_hand(tokens, qkv, proj):
    q, k, v = _parts(tokens, qkv, proj)
    return v + proj(torch.softmax(q @ k.transpose(-2, -1) * tokens.shape[-1] ** -0.5, dim=-1) @ v)


def right_by_sdpa(tokens, qkv, proj):
    q, k, v = qkv(tokens).chunk(3, dim=-1)
    mixed = torch.nn.functional.scaled_dot_product_attention(q, k, v, scale=tokens.shape[-1] ** -0.5)
    return v + proj(mixed)


def right_transposed_twice(tokens, qkv, proj):  # (k q^T)^T is q k^T: the weights come out right
    q, k, v = _parts(tokens, qkv, proj)
    scores = (k @ q.transpose(-2, -1)).transpose(-2, -1) / tokens.shape[-1] ** 0.5
    return v + proj(torch.einsum("bnm,bmd->bnd", scores.softmax(-1), v))


@pytest.mark.parametrize("wrong", [weights_transposed, weights_transposed_by_mT, weights_transposed_by_einsum])
def test_transposed_weights_get_the_transposed_message(wrong):
    with pytest.raises(ExerciseFailed, match=r"^Not yet: .*you transposed the attention weights") as caught:
        lesson07.check_token_attention(wrong)
    assert "differs from TokenAttention's by up to" not in str(caught.value)
    assert "the transpose of the attention matrix" in str(caught.value)


@pytest.mark.parametrize("right", [right_by_hand, right_by_sdpa, right_transposed_twice])
def test_right_answers_still_pass(right, capsys):
    lesson07.check_token_attention(right)
    assert "Correct!" in capsys.readouterr().out


# from test_lesson07_fix_22e.py


def _softmax_in_place(tokens, qkv, proj):  # right values; exp_ saves s, then /= changes it
    q, k, v = qkv(tokens).chunk(3, dim=-1)
    s = q @ k.transpose(-2, -1) * tokens.shape[-1] ** -0.5
    s.exp_()
    s /= s.sum(-1, keepdim=True)
    return v + proj(s @ v)


def _attention_softmax(tokens, qkv, proj):
    q, k, v = qkv(tokens).chunk(3, dim=-1)
    return v + proj(torch.softmax(q @ k.transpose(-2, -1) * tokens.shape[-1] ** -0.5, dim=-1) @ v)


def _attention_by_hand(tokens, qkv, proj):  # the out-of-place form of the slip above
    q, k, v = qkv(tokens).split(proj.in_features, dim=-1)
    scores = (q @ k.transpose(-2, -1) / tokens.shape[-1] ** 0.5).exp()
    return v + proj(scores / scores.sum(-1, keepdim=True) @ v)


def _attention_sdpa(tokens, qkv, proj):
    q, k, v = qkv(tokens).chunk(3, dim=-1)
    return v + proj(torch.nn.functional.scaled_dot_product_attention(q, k, v, scale=tokens.shape[-1] ** -0.5))


def _fold_in_place(tokens, rows, cols):  # right values; mul saved the mask, then mul_ changes it
    mask = torch.ones_like(tokens)
    kept = tokens * mask
    mask.mul_(1)
    return kept.transpose(1, 2).reshape(tokens.shape[0], tokens.shape[2], rows, cols)


def _fold_transpose(tokens, rows, cols):
    return tokens.transpose(1, 2).reshape(tokens.shape[0], tokens.shape[2], rows, cols)


def _fold_permute(tokens, rows, cols):
    return tokens.permute(0, 2, 1).contiguous().view(tokens.shape[0], -1, rows, cols)


def _fold_unflatten(tokens, rows, cols):
    return tokens.mT.unflatten(-1, (rows, cols))


def _field_without_return(splits):
    field, jump = 1, 1
    for kernel, stride, _ in splits:
        field, jump = field + (kernel - 1) * jump, jump * stride


def _field_loop(splits):
    field, jump = 1, 1
    for kernel, stride, _ in splits:
        field, jump = field + (kernel - 1) * jump, jump * stride
    return field


def _field_backward(splits):
    field = 1
    for kernel, stride, _ in reversed(splits):
        field = (field - 1) * stride + kernel
    return field


def _field_sum(splits):
    strides = [1] + [stride for _, stride, _ in splits]
    return 1 + sum((kernel - 1) * math.prod(strides[: i + 1]) for i, (kernel, _, _) in enumerate(splits))


def test_the_slip_direction_from_the_code():
    from vit_explained.t2t import TokenAttention

    for dim, token_dim, factor in [(49, 32, 7 / 32**0.5), (147, 64, 147**0.5 / 8), (576, 64, 3.0)]:
        released = TokenAttention(dim, token_dim).scale
        assert released == pytest.approx(dim**-0.5)
        assert token_dim**-0.5 / released == pytest.approx(factor) and factor > 1


def test_an_in_place_softmax_is_named_not_raised():
    with pytest.raises(ExerciseFailed) as failure:
        lesson07.check_token_attention(_softmax_in_place)
    message = str(failure.value)
    assert "your output is right, but an in-place operation" in message and "exp_" in message
    assert "saved for the backward pass" in message and "torch.softmax" in message
    assert "no_grad" not in message and "detached" not in message


@pytest.mark.parametrize("answer", [_attention_softmax, _attention_by_hand, _attention_sdpa])
def test_three_right_token_attentions_still_pass(answer, capsys):
    lesson07.check_token_attention(answer)
    assert "Not yet" not in capsys.readouterr().out


def test_an_in_place_fold_slip_is_named_as_in_place():
    with pytest.raises(ExerciseFailed) as failure:
        lesson07.check_fold_tokens(_fold_in_place)
    message = str(failure.value)
    assert "your image is right, but an in-place operation" in message and "mul_" in message
    assert "saved for the backward pass" in message
    assert "no_grad" not in message and "detached" not in message and "numpy" not in message


@pytest.mark.parametrize("answer", [_fold_transpose, _fold_permute, _fold_unflatten])
def test_three_right_folds_still_pass(answer, capsys):
    lesson07.check_fold_tokens(answer)
    assert "Not yet" not in capsys.readouterr().out


def test_a_missing_return_is_named():
    with pytest.raises(ExerciseFailed) as failure:
        lesson07.check_receptive_field(_field_without_return)
    assert "returned None: did your function forget `return`?" in str(failure.value)


@pytest.mark.parametrize("answer", [_field_loop, _field_backward, _field_sum])
def test_three_right_fields_still_pass(answer, capsys):
    lesson07.check_receptive_field(answer)
    assert "Not yet" not in capsys.readouterr().out


# from test_lesson07_fix_22h.py


def field_previous_stride_only(splits):  # each window spaced by the previous split's stride alone: 19 for T2T
    field, previous = 1, 1
    for kernel, stride, _ in splits:
        field += (kernel - 1) * previous
        previous = stride
    return field


def field_loop(splits):
    field, jump = 1, 1
    for kernel, stride, _ in splits:
        field, jump = field + (kernel - 1) * jump, jump * stride
    return field


def field_recursion(splits):
    field = 1
    for kernel, stride, _ in reversed(splits):
        field = (field - 1) * stride + kernel
    return float(field)


def field_numpy(splits):
    import numpy as np

    k = np.array([s[0] for s in splits])
    jumps = np.cumprod([1] + [s[1] for s in splits[:-1]])
    return np.int64(1 + ((k - 1) * jumps).sum())


def test_exercise_1_names_the_previous_stride_slip():
    assert field_previous_stride_only(((7, 4, 2), (3, 2, 1), (3, 2, 1))) == 19
    with pytest.raises(ExerciseFailed, match=r"^Not yet: .*previous split's stride.*product of ALL earlier strides"):
        check_receptive_field(field_previous_stride_only)


@pytest.mark.parametrize("answer", [field_loop, field_recursion, field_numpy])
def test_right_answers_still_pass_22h(answer, capsys):
    check_receptive_field(answer)
    assert "Correct!" in capsys.readouterr().out


# from test_lesson07_fix_23a.py


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


# from test_lesson07_fix_23e.py


def _sdpa_23e(tokens, qkv, proj):
    q, k, v = qkv(tokens).chunk(3, dim=-1)
    out = F.scaled_dot_product_attention(q[:, None], k[:, None], v[:, None], scale=tokens.shape[-1] ** -0.5)[:, 0]
    return v + proj(out)


def _explicit(tokens, qkv, proj):
    q, k, v = qkv(tokens).chunk(3, dim=-1)
    weights = torch.softmax(q @ k.transpose(-2, -1) * tokens.shape[-1] ** -0.5, dim=-1)
    return v + proj(weights @ v)


def _einsum64(tokens, qkv, proj):
    q, k, v = qkv(tokens).double().chunk(3, dim=-1)
    weights = torch.softmax(torch.einsum("bnd,bmd->bnm", q, k) / tokens.shape[-1] ** 0.5, dim=-1)
    out = torch.einsum("bnm,bmd->bnd", weights, v).to(tokens.dtype)
    return v.to(tokens.dtype) + proj(out)


@pytest.mark.parametrize("answer", [_sdpa_23e, _explicit, _einsum64])
def test_right_answers_pass_the_gradient_check(answer):
    ex.check_token_attention(answer)


def test_a_detached_skip_is_still_named():
    def detached(tokens, qkv, proj):
        q, k, v = qkv(tokens).chunk(3, dim=-1)
        weights = torch.softmax(q @ k.transpose(-2, -1) * tokens.shape[-1] ** -0.5, dim=-1)
        return v.detach() + proj(weights @ v)

    with pytest.raises(ExerciseFailed, match="the skip \\(v\\) was detached"):
        ex.check_token_attention(detached)


def test_a_detached_key_is_still_caught():
    def cut_key(tokens, qkv, proj):
        q, k, v = qkv(tokens).chunk(3, dim=-1)
        weights = torch.softmax(q @ k.detach().transpose(-2, -1) * tokens.shape[-1] ** -0.5, dim=-1)
        return v + proj(weights @ v)

    with pytest.raises(ExerciseFailed, match="cut from autograd"):
        ex.check_token_attention(cut_key)


def test_tolerance_scales_with_the_gradient():
    big = torch.full((3, 3), 50.0)
    assert ex._gradient_close(big + 2e-4, big)  # float32 rounding at |g| = 50
    assert not ex._gradient_close(big * 1.01, big)


# from test_lesson07_fix_23f.py


def test_the_nested_windows_draw_one_shaded_part_and_the_others_dashed():
    # review r23d item 4: three overlapping 15-px parts read as three boxes, not as stripes of shade
    import matplotlib.pyplot as plt
    import torch

    from vit_explained.plotting.lesson07 import plot_nested_windows
    from vit_explained.t2t import T2T_SPLITS

    fig = plot_nested_windows(torch.rand(1, 64, 64), T2T_SPLITS)
    for ax in fig.axes[1:]:
        parts = ax.patches[:-1]
        assert [p.get_facecolor()[3] > 0 for p in parts] == [True, False, False]
        assert parts[0].get_linestyle() == "-" and all(p.get_linestyle() != "-" for p in parts[1:])
        assert "1 shaded, 2 dashed" in ax.get_title()
    plt.close(fig)


# from test_lesson07_fix_24a.py


def test_the_widget_counts_what_each_token_layer_stores():
    from vit_explained.widgets.lesson07 import PERFORMER_FEATURES, T2TChainWidget

    t2t = "T2T-ViT: (7,4,2) (3,2,1) (3,2,1)"
    widget = T2TChainWidget(224, 224, t2t)
    line, fig = widget.compute(224, 224, t2t, token_layers="performer")
    right = fig.axes[-1]
    assert right.get_title().startswith("attention-matrix entries per image")
    heights = {round(p.get_height()) for p in right.patches}
    assert 2 * 3136 * PERFORMER_FEATURES in heights and 2 * 784 * PERFORMER_FEATURES in heights
    assert "two N x 32 feature maps instead of N x N" in line
    _, fig = widget.compute(224, 224, t2t)
    assert fig.axes[-1].get_title().startswith("attention-matrix entries per image")


# from test_lesson07_fix_k.py


def field(sides, scaled):
    def receptive_field(splits):
        total, spacing = 1, 1
        for kernel, stride, padding in splits:
            total += (kernel - 1) * spacing + sides * padding * (spacing if scaled else 1)
            spacing *= stride
        return total

    return receptive_field


def test_v_k_q_unpacking_is_named():
    def token_attention(tokens, qkv, proj):
        v, k, q = qkv(tokens).split(proj.in_features, dim=-1)
        weights = torch.softmax(q @ k.transpose(1, 2) * tokens.shape[-1] ** -0.5, dim=-1)
        return v + proj(weights @ v)

    with pytest.raises(ExerciseFailed, match="as v, k, q, the reverse order"):
        check_token_attention(token_attention)


@pytest.mark.parametrize(
    ("sides", "scaled", "message"),
    [
        (2, True, r"\(kernel - 1 \+ 2 \* padding\) \* spacing"),
        (1, True, r"padding once per split, \(kernel - 1 \+ padding\) \* spacing"),
        (2, False, r"you added 2 \* padding pixels per split"),
    ],
)
def test_each_padding_slip_gets_its_own_message(sides, scaled, message):
    with pytest.raises(ExerciseFailed, match=message):
        check_receptive_field(field(sides, scaled))


def test_numpy_fold_is_not_told_to_convert_back():
    def fold_tokens(tokens, rows, cols):
        return tokens.detach().numpy().transpose(0, 2, 1).reshape(tokens.shape[0], -1, rows, cols)

    with pytest.raises(ExerciseFailed) as error:
        check_fold_tokens(fold_tokens)
    assert "as_tensor" not in str(error.value) and "cuts the gradient, even converted back" in str(error.value)


def test_count_tokens_is_forbidden_in_exercise_4():
    def t2t_token_count(height, width):
        for kernel, stride, padding in T2T_SPLITS:
            grid = count_tokens(height, width, kernel, stride, padding)
            height, width = grid.rows, grid.cols
        return height * width

    with pytest.raises(ExerciseFailed, match="count_tokens"):
        check_t2t_token_count(t2t_token_count)


# from test_lesson07_fix_l.py

CONTROL = {"overlap": [175, 173, 172, 174, 173, 174], "no overlap": [170, 166, 167, 167, 168, 169]}


SCALE = {"T2T's scale": [167, 166, 167, 167, 167, 172], "own scale": CONTROL["no overlap"]}


def field_forward(splits):
    side, spacing = 1, 1
    for kernel, stride, _ in splits:
        side, spacing = side + (kernel - 1) * spacing, spacing * stride
    return side


def count(height, width):
    for kernel, stride, padding in T2T_SPLITS:
        height = (height + 2 * padding - kernel) // stride + 1
        width = (width + 2 * padding - kernel) // stride + 1
    return height * width


def test_seed_pairs_draws_one_line_per_seed_and_the_intervals():
    fig = plot_seed_pairs([("a", CONTROL), ("b", SCALE)], total=180, title="t")
    first, second, intervals = fig.axes
    assert len(first.lines) == len(second.lines) == 6
    assert [tick.get_text() for tick in first.get_xticklabels()] == ["overlap", "no overlap"]
    assert first.get_ylim() == second.get_ylim()  # one accuracy scale
    labels = [text.get_text() for text in intervals.texts]
    assert labels[0] == "+3.1 [+2.5, +3.8]" and labels[1].endswith("[-1.2, +1.0]")
    # the first seed's line joins 175/180 and 170/180, in %
    np.testing.assert_allclose(first.lines[0].get_ydata(), [100 * 175 / 180, 100 * 170 / 180])


def test_seed_pairs_wraps_six_panels_into_two_rows_of_three():  # review r27c minor 6: readable at notebook width
    fig = plot_seed_pairs([(name, CONTROL) for name in "abcde"], total=180)
    assert len(fig.axes) == 6 and fig.get_size_inches()[0] <= 14
    rows = sorted({round(ax.get_position().y0, 2) for ax in fig.axes})
    assert len(rows) == 2 and [sum(round(ax.get_position().y0, 2) == y for ax in fig.axes) for y in rows] == [3, 3]
    fig = plot_seed_pairs([("a", CONTROL)] * 3, total=180)  # 4 panels: a row of 3, then one; no empty panels
    assert len(fig.axes) == 4
    with pytest.raises(ValueError):
        plot_seed_pairs([("a", CONTROL)], total=180, per_row=0)


def test_seed_pairs_can_leave_out_the_intervals_and_share_one_legend():  # review r29d minors 2 and 3
    fig = plot_seed_pairs([("a", CONTROL), ("b", SCALE)], total=180, title="t", intervals=False, shared_legend=True)
    assert len(fig.axes) == 2 and not any(ax.texts for ax in fig.axes)  # no interval panel
    assert [ax.get_title() for ax in fig.axes] == ["a", "b"]  # each panel: its label alone
    suptitle = fig._suptitle.get_text()
    assert suptitle.startswith("t\n") and suptitle.count("tied seeds drawn side by side") == 1  # the key, once
    assert fig.axes[0].get_ylim() == fig.axes[1].get_ylim()  # one accuracy scale still
    assert suptitle.endswith("every panel has the same accuracy axis, which does not start at 0")  # r30b minor 13
    default = plot_seed_pairs([("a", CONTROL)], total=180)  # the default keeps the per-panel key and the intervals
    assert len(default.axes) == 2 and "green overlap higher" in default.axes[0].get_title()


@pytest.mark.parametrize(
    "bad",
    [[], [("a", {"x": [1, 2]})], [("a", {"x": [1, 2], "y": [1]})], [("a", {"x": [1], "y": [1]})]],
)
def test_seed_pairs_refuses_bad_input(bad):
    with pytest.raises(ValueError):
        plot_seed_pairs(bad, total=180)


def test_widget_middle_panel_uses_short_labels():
    assert (
        _short_stage("T2T transformer 2") == "TT 2" and _short_stage("backbone (14 layers)") == "backbone\n(14 layers)"
    )
    _, fig = T2TChainWidget(224, 224, "no overlap: (4,4,0) (2,2,0) (2,2,0)").compute(
        224, 224, "no overlap: (4,4,0) (2,2,0) (2,2,0)"
    )
    middle = fig.axes[1]
    assert [tick.get_text() for tick in middle.get_xticklabels()] == ["TT 1", "TT 2", "backbone\n(14 layers)"]


@pytest.mark.parametrize("to_float", [float, lambda n: torch.tensor(float(n)), np.float64])
def test_field_accepts_a_whole_float(to_float, capsys):  # one policy (fix round p): 31.0 passes as 31
    check_receptive_field(lambda splits: to_float(field_forward(splits)))
    assert "Correct!" in capsys.readouterr().out


def test_field_refuses_a_fraction():
    with pytest.raises(ExerciseFailed, match=r"is the float \d+\.5; return a whole number \(an int\)"):
        check_receptive_field(lambda splits: field_forward(splits) + 0.5)


def test_count_accepts_a_whole_float(capsys):  # the same policy as exercise 1
    def count_with_floor(height, width):  # true division and math.floor: a float whole number
        sides = [float(height), float(width)]
        for kernel, stride, padding in T2T_SPLITS:
            sides = [math.floor((side + 2 * padding - kernel) / stride) + 1.0 for side in sides]
        return sides[0] * sides[1]

    check_t2t_token_count(count_with_floor)
    check_t2t_token_count(lambda h, w: torch.tensor(count(h, w)))  # a 0-d tensor too
    assert capsys.readouterr().out.count("Correct!") == 2


@pytest.mark.parametrize("answer", [None, 3.0, 7, np.float32(1.5), torch.tensor(2.0)])
def test_fold_refuses_none_and_scalars(answer):
    with pytest.raises(ExerciseFailed, match=r"return the folded image, a \(B, C, rows, cols\) tensor"):
        check_fold_tokens(lambda tokens, rows, cols: answer)


# from test_lesson07_fix_m.py


def attention_by_hand(tokens, qkv, proj):
    q, k, v = qkv(tokens).chunk(3, dim=-1)
    weights = torch.softmax(q @ k.transpose(-2, -1) / math.sqrt(tokens.shape[-1]), dim=-1)
    return v + proj(weights @ v)


@pytest.mark.parametrize(
    ("convert", "dtype"), [(torch.Tensor.half, "torch.float16"), (torch.Tensor.int, "torch.int32")]
)
def test_token_attention_names_a_changed_dtype(convert, dtype):
    def answer(tokens, qkv, proj):
        return convert(attention_by_hand(tokens, qkv, proj))

    with pytest.raises(ExerciseFailed) as failure:
        check_token_attention(answer)
    message = str(failure.value)
    assert f"your output is {dtype}, the tokens were torch.float32" in message
    assert "float32 or float64" in message and ".to(tokens.dtype)" in message


def test_token_attention_accepts_float64_as_exercise_2_does(capsys):
    """Review t: exercises 2 and 3 share one dtype policy: float32 or float64, compared to float32's precision."""
    check_token_attention(lambda tokens, qkv, proj: attention_by_hand(tokens, qkv, proj).double())
    out = capsys.readouterr().out
    assert "Correct!" in out and "Your output is float64, the tokens float32" in out


def test_token_attention_still_accepts_float32(capsys):
    check_token_attention(attention_by_hand)
    assert "Correct!" in capsys.readouterr().out


def test_parameter_parts_stacks_three_parts_per_model():
    from vit_explained.plotting.lesson07 import PARAMETER_PARTS, plot_parameter_parts

    models = {
        "small": {"embeddings": 400_000, "blocks": 20_000_000, "final norm + head": 390_000},
        "large": {"embeddings": 740_000, "blocks": 47_000_000, "final norm + head": 770_000},
    }
    fig = plot_parameter_parts(models, title="parts")
    ax = fig.axes[0]
    assert len(ax.patches) == len(models) * len(PARAMETER_PARTS)
    tops = sorted(round(p.get_y() + p.get_height(), 3) for p in ax.patches if p.get_x() < 0.5)
    assert tops[-1] == round(sum(models["small"].values()) / 1e6, 3)
    labels = [label.get_text() for label in ax.get_xticklabels()]
    assert "embeddings 0.40M" in labels[0] and "final norm + head 0.77M" in labels[1]  # thin parts under the name
    texts = [text.get_text() for text in ax.texts]
    assert "20.79M" not in texts and "20.00M" in texts and "48.5M" in texts


@pytest.mark.parametrize(
    "bad",
    [{}, {"m": {"embeddings": 1, "blocks": 2}}, {"m": {"embeddings": -1, "blocks": 2, "final norm + head": 3}}],
)
def test_parameter_parts_refuses_bad_input(bad):
    from vit_explained.plotting.lesson07 import plot_parameter_parts

    with pytest.raises(ValueError):
        plot_parameter_parts(bad)


# from test_lesson07_fix_n.py


@pytest.mark.parametrize("returned", [None, 1.0])
def test_token_attention_asks_for_a_tensor(returned):
    def answer(tokens, qkv, proj):
        return returned

    with pytest.raises(ExerciseFailed) as failure:
        check_token_attention(answer)
    message = str(failure.value)
    assert "return a (B, N, token_dim) torch.Tensor" in message
    assert "also works" not in message


def test_fold_names_a_fixed_tensor():
    fixed = {}

    def answer(tokens, rows, cols):
        if "image" not in fixed:  # the first call's fold, wrong (column by column), then returned every time
            fixed["image"] = tokens.transpose(1, 2).reshape(tokens.shape[0], -1, cols, rows).transpose(2, 3) + 1
        return fixed["image"].clone()

    with pytest.raises(ExerciseFailed, match="returns a fixed tensor instead of folding its argument `tokens`"):
        check_fold_tokens(answer)


def test_fold_still_accepts_the_right_fold(capsys):
    def fold(tokens, rows, cols):
        return tokens.transpose(1, 2).reshape(tokens.shape[0], tokens.shape[2], rows, cols)

    check_fold_tokens(fold)
    assert "Correct!" in capsys.readouterr().out


def test_widget_picture_labels_token_transformers_once_and_short():
    from vit_explained.widgets.lesson07 import t2t_chain_widget

    _, fig = t2t_chain_widget().compute(224, 224, "T2T-ViT: (7,4,2) (3,2,1) (3,2,1)")
    _, middle, right = fig.axes[:3]
    for ax in (middle, right):
        assert [tick.get_text() for tick in ax.get_xticklabels()][:2] == ["TT 1", "TT 2"]
    legend = [text.get_text() for text in fig.axes[0].get_legend().get_texts()]
    assert legend[0] == "split 1: 7 x 7 pixels, stride 4 px"


# from test_lesson07_fix_p.py


def attention_with_scale(scale):
    def answer(tokens, qkv, proj):
        q, k, v = qkv(tokens).chunk(3, dim=-1)
        return v + proj(torch.softmax(q @ k.transpose(-2, -1) * scale, dim=-1) @ v)

    return answer


def test_no_case_has_as_many_tokens_as_a_printed_scale():
    assert all(count not in (7, 24) for *_, count in ATTENTION_CASES)


@pytest.mark.parametrize(("scale", "width"), [(1 / 7, 49), (1 / 24, 576), (147**-0.5, 147)])
def test_a_hard_coded_scale_is_named_as_one(scale, width):
    with pytest.raises(ExerciseFailed) as failure:
        check_token_attention(attention_with_scale(scale))
    message = str(failure.value)
    assert f"your scale is 1/sqrt({width}), the number for {width}-wide tokens" in message
    assert "compute the scale from the tokens' width" in message
    assert "number of tokens" not in message


def test_the_right_scale_still_passes(capsys):
    def answer(tokens, qkv, proj):
        return attention_with_scale(tokens.shape[-1] ** -0.5)(tokens, qkv, proj)

    check_token_attention(answer)
    assert "Correct!" in capsys.readouterr().out


def test_field_messages_name_the_slip_without_the_recurrence():
    for _, message in _FIELD_SLIPS:
        for giveaway in (
            "product of the strides",
            "spacing *= stride",
            "(kernel - 1) times",
            "(f - 1) * stride",
            "reversed(splits)",
            "leave it out, (kernel - 1)",
        ):
            assert giveaway not in message, (giveaway, message)
    assert sum("section 2's picture" in message for _, message in _FIELD_SLIPS) >= 3


def test_fold_in_float64_is_judged_on_its_values():  # fix round s: either dtype; a wrong one gets its reason
    with pytest.raises(ExerciseFailed, match=r"^Not yet: .*reshaped \(B, N, C\) straight"):
        check_fold_tokens(lambda t, r, c: t.reshape(t.shape[0], t.shape[2], r, c).double())
    with pytest.raises(ExerciseFailed, match=r"^Not yet: .*torch.float16.*float32 or float64"):
        check_fold_tokens(lambda t, r, c: t.transpose(1, 2).reshape(t.shape[0], t.shape[2], r, c).half())


def test_local_and_global_draws_two_panels():
    digit = torch.rand(28, 28)
    window = torch.zeros(28, 28, dtype=torch.bool)
    window[10:17, 10:17] = True
    weights = torch.softmax(torch.randn(49), 0).reshape(7, 7)
    fig = plot_local_and_global(digit, window, weights, (12, 12, 4), title="t")
    image_axes = [ax for ax in fig.axes if ax.get_images()]
    assert len(image_axes) >= 2 and "49 of 784 pixels" in image_axes[0].get_title()
    assert "all 49 tokens get weight > 0" in image_axes[1].get_title()


@pytest.mark.parametrize("bad", [torch.rand(7, 7), torch.rand(28, 27)])
def test_local_and_global_refuses_a_grid_that_does_not_tile_the_digit(bad):
    with pytest.raises(ValueError):
        plot_local_and_global(
            torch.rand(28, 28), torch.zeros(28, 28), bad if bad.shape != (7, 7) else torch.rand(5, 5), (0, 0, 4)
        )


def test_widget_opens_on_t2ts_chain_with_custom_sliders_at_four_splits():
    widget = t2t_chain_widget(custom=((3, 2, 1),) * 4)
    assert widget.line.startswith("224x224 -> 56x56 = 3136 -> 28x28 = 784 -> 14x14 = 196 tokens;")


# from test_lesson07_fix_q.py


def _parts_q(tokens, qkv):
    return qkv(tokens).split(qkv.out_features // 3, dim=-1)


def no_softmax(tokens, qkv, proj):
    q, k, v = _parts_q(tokens, qkv)
    return v + proj(q @ k.mT * tokens.shape[-1] ** -0.5 @ v)


def no_softmax_no_scale(tokens, qkv, proj):
    q, k, v = _parts_q(tokens, qkv)
    return v + proj(q @ k.mT @ v)


def right(tokens, qkv, proj):
    q, k, v = _parts_q(tokens, qkv)
    return v + proj(torch.softmax(q @ k.mT * tokens.shape[-1] ** -0.5, dim=-1) @ v)


@pytest.mark.parametrize(
    ("wrong", "message"),
    [
        (no_softmax, "left out the softmax: the scaled scores"),
        (no_softmax_no_scale, "left out the softmax and the scale"),
    ],
)
def test_token_attention_names_a_missing_softmax(wrong, message):
    with pytest.raises(ExerciseFailed, match=f"^Not yet: .*{message}"):
        check_token_attention(wrong)


def test_the_right_token_attention_still_passes():
    check_token_attention(right)


# from test_lesson07_fix_r.py


def _attention_r(order, proj_last=True):
    def token_attention(tokens, qkv, proj):
        parts = dict(zip(order, qkv(tokens).split(proj.in_features, dim=-1), strict=True))
        q, k, v = parts["q"], parts["k"], parts["v"]
        weighted = torch.softmax(q @ k.transpose(1, 2) * tokens.shape[-1] ** -0.5, dim=-1) @ v
        return v + proj(weighted) if proj_last else proj(v + weighted)

    return token_attention


def _message_r(check, answer):
    with pytest.raises(ExerciseFailed) as failure:
        check(answer)
    return str(failure.value)


def _count(padding_sides):
    def count(height, width):
        for kernel, stride, padding in T2T_SPLITS:
            height = (height + padding_sides * padding - kernel) // stride + 1
            width = (width + padding_sides * padding - kernel) // stride + 1
        return height * width

    return count


@pytest.mark.parametrize(
    ("answer", "named"),
    [
        (_attention_r("vqk"), "as v, q, k"),
        (_attention_r("vkq"), "as v, k, q, the reverse order"),
        (_attention_r("qkv", proj_last=False), r"proj after adding v, proj(v + attention)"),
    ],
)
def test_attention_slips_are_named_without_the_fix(answer, named):
    message = _message_r(check_token_attention, answer)
    assert named in message
    assert ".split(" not in message and "q, k, v =" not in message and "v + proj(attention)" not in message


@pytest.mark.parametrize(("sides", "named"), [(1, "added the padding once"), (0, "or the + 1 is missing")])
def test_padding_slips_are_named_without_the_formula(sides, named):
    message = _message_r(check_t2t_token_count, _count(sides))
    assert named in message and "floor(" not in message and "2 * padding" not in message


# from test_lesson07_fix_s.py


def _fold(tokens, rows, cols):
    return tokens.transpose(1, 2).reshape(tokens.shape[0], tokens.shape[2], rows, cols)


def test_parameter_parts_split_draws_the_token_maker_alone():
    models = {
        "a": dict(zip(PARAMETER_PARTS_SPLIT, (387_046, 76_032, 20_692_224, 385_768), strict=True)),
        "b": dict(zip(PARAMETER_PARTS_SPLIT, (295_296, 76_032, 21_293_568, 385_768), strict=True)),
    }
    fig = plot_parameter_parts(models, title="parts")
    stacked, alone = fig.axes
    assert len(stacked.patches) == 2 * len(PARAMETER_PARTS_SPLIT)
    assert [round(p.get_width()) for p in alone.patches] == [387, 295]  # thousands
    assert [text.get_text().strip() for text in alone.texts] == ["387k", "295k"]
    labels = [label.get_text() for label in stacked.get_xticklabels()]
    assert all("T2T module" not in label and "class token + positions 0.08M" in label for label in labels)


def test_parameter_parts_refuses_mixed_parts():
    models = {
        "a": dict(zip(PARAMETER_PARTS_SPLIT, (1, 2, 3, 4), strict=True)),
        "b": {"embeddings": 1, "blocks": 2, "final norm + head": 3},
    }
    with pytest.raises(ValueError):
        plot_parameter_parts(models)


@pytest.mark.parametrize("convert", [lambda t: t, torch.Tensor.double])
def test_fold_passes_in_either_dtype(convert, capsys):
    check_fold_tokens(lambda t, r, c: convert(_fold(t, r, c)))
    assert capsys.readouterr().out.startswith("Correct!")


@pytest.mark.parametrize(
    ("wrong", "reason"),
    [
        (lambda t, r, c: t.reshape(t.shape[0], t.shape[2], r, c).double(), "reshaped"),
        (lambda t, r, c: _fold(t, r, c).double().detach(), "autograd cannot reach the tokens"),
        (lambda t, r, c: _fold(t, r, c).to(torch.bfloat16), "float32 or float64"),
        (lambda t, r, c: _fold(t, r, c).long(), "float32 or float64"),
    ],
)
def test_fold_says_not_yet_with_the_reason(wrong, reason):
    with pytest.raises(ExerciseFailed, match=r"^Not yet: ") as failure:
        check_fold_tokens(wrong)
    assert reason in str(failure.value)


# from test_lesson07_fix_t.py


@pytest.mark.parametrize(("rows", "cols", "channels"), [(3, 5, 4), (2, 4, 1), (1, 1, 3)])
def test_fold_picture_places_every_token_as_tokens_to_image_does(rows, cols, channels):
    fig = plot_token_fold(rows, cols, channels, token=rows * cols - 1)
    count = rows * cols
    strip = torch.arange(float(count))[None, :, None].expand(1, count, channels)
    image = tokens_to_image(strip, rows, cols)
    assert len(fig.fold_positions) == count
    for token, (row, col) in fig.fold_positions.items():
        assert bool((image[0, :, row, col] == token).all())
    titles = " ".join(ax.get_title() for ax in fig.axes)
    assert f"{channels} x {rows} x {cols}" in titles


@pytest.mark.parametrize("bad", [dict(rows=0), dict(token=15), dict(channels=0), dict(token=-1)])
def test_fold_picture_refuses_bad_input(bad):
    with pytest.raises(ValueError):
        plot_token_fold(**{"rows": 3, "cols": 5, "channels": 4, "token": 8, **bad})


def test_locality_line_names_gaps_and_grids_without_an_interior_token():
    assert "a 7 x 7 span with gaps" in locality_summary(((3, 4, 0), (2, 2, 0)))
    assert "31 x 31 pixel square" in locality_summary(((7, 4, 2), (3, 2, 1), (3, 2, 1)), (14, 14))
    small = locality_summary(((7, 4, 2), (3, 2, 1), (3, 2, 1)), (2, 2))
    assert small.startswith("the final grid is 2x2: no interior token")
    widget = t2t_chain_widget(height=32, width=32)  # 32 pixels end on 2 x 2 tokens
    assert "no interior token" in widget.line


# from test_lesson07_fix_u.py


def test_convolution_row_recounted_from_the_original_module(capsys):
    module = load_original_t2t("t2t_vit").T2T_module(224, tokens_type="convolution", in_chans=3, embed_dim=384)
    convolutions = nn.Sequential(module.soft_split0, module.soft_split1, module.project)
    macs = count_macs(convolutions, torch.empty(1, 3, 224, 224, device="meta"))["layers"]
    assert macs == 56 * 56 * 3 * 49 * 64 + 28 * 28 * 64 * 9 * 64 + 14 * 14 * 64 * 9 * 384


def test_no_padding_message_has_no_parenthesis():
    def no_padding(height, width):
        for kernel, stride, _ in ((7, 4, 2), (3, 2, 1), (3, 2, 1)):
            height, width = (height - kernel) // stride + 1, (width - kernel) // stride + 1
        return height * width

    with pytest.raises(ExerciseFailed) as failed:
        check_t2t_token_count(no_padding)
    message = str(failed.value)
    assert "either the padding or the + 1 is missing" in message and "(or," not in message


def test_tied_seed_lines_are_marked():
    fig = plot_seed_pairs([("a vs b", {"a": [5, 5, 6], "b": [5, 5, 4]})], total=10)
    # 23a (review r22i item 5): marked by drawing them side by side (jitter), not by an "x2" label
    labels = [text.get_text() for text in fig.axes[0].texts]
    assert labels == [] and "tied seeds drawn side by side" in fig.axes[0].get_title()
    starts = [line.get_xdata()[0] for line in fig.axes[0].lines[:2]]
    assert abs(starts[1] - starts[0]) >= 0.1


# from test_lesson07_fix_v.py


def test_token_count_plus_one_message_is_short():
    def no_plus_one(height, width):
        for kernel, stride, padding in ((7, 4, 2), (3, 2, 1), (3, 2, 1)):
            height, width = (height + 2 * padding - kernel) // stride, (width + 2 * padding - kernel) // stride
        return height * width

    with pytest.raises(ExerciseFailed) as failed:
        check_t2t_token_count(no_plus_one)
    message = str(failed.value)
    assert "either the padding or the + 1 is missing" in message and len(message) < 300


def test_no_padding_and_no_plus_one_give_the_same_count_at_every_size():  # review r28a minor 15: why one message
    from vit_explained.exercises.lesson07 import T2T_SPLITS

    def count(size, padded, plus_one):
        for kernel, stride, padding in T2T_SPLITS:
            size = (size + 2 * padding * padded - kernel) // stride + plus_one
        return size

    assert all(stride == 2 * padding for _, stride, padding in T2T_SPLITS)  # the message's reason
    assert all(count(n, False, 1) == count(n, True, 0) for n in range(15, 600))


# from test_lesson07_round16.py

ROOT = Path(__file__).resolve().parents[1]


CHECKPOINT = ROOT / "vit_explained" / "checkpoints" / "lesson07_trained_token_transformer.safetensors"


def _rows(seed: int = 0):
    stored = load_file(str(CHECKPOINT))
    tokens = SoftSplit(*T2T_SPLITS[0])(stored["digit"][None, None])
    rows = {}
    for name in ("initial", "trained"):
        prefix = f"seed{seed}.{name}."
        block = TokenTransformer(49, 32)
        block.load_state_dict({k[len(prefix) :]: v for k, v in stored.items() if k.startswith(prefix)})
        with torch.no_grad():
            rows[name] = block.attn(block.norm1(tokens), return_attention=True)[1][0, 0]
    return rows


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_trained_rows_are_peakier_not_more_local(seed):
    rows = _rows(seed)
    for weights in rows.values():
        assert torch.allclose(weights.sum(-1), torch.ones(144)) and bool((weights > 0).all())
    peak = {name: weights.max(-1).values.mean().item() for name, weights in rows.items()}
    assert peak["trained"] > 1.5 * peak["initial"]
    grid = torch.arange(144)
    near = ((grid[:, None] // 12 - grid // 12).abs() <= 1) & ((grid[:, None] % 12 - grid % 12).abs() <= 1)
    share = {name: (weights * near).sum(-1).mean().item() for name, weights in rows.items()}
    assert share["trained"] < share["initial"]


def test_overlap_passed_as_the_stride_is_named():
    def field(splits):
        side, spacing = 1, 1
        for kernel, stride, _ in splits:
            side += (kernel - 1) * spacing
            spacing *= kernel - stride  # the paper's s read as the overlap
        return side

    with pytest.raises(ExerciseFailed) as failure:
        check_receptive_field(field)
    message = str(failure.value)
    assert "used the paper's s as the stride" in message and "the stride is k - s" in message and "31" not in message


def test_plot_trained_attention_rows():
    digit = torch.rand(48, 48)
    rows = {"initial": torch.full((12, 12), 1 / 144), "trained": torch.rand(12, 12)}
    fig = plot_trained_attention_rows(digit, rows, (24, 24, 4), title="t")
    assert len(fig.axes) == 3  # two panels and one shared colour bar
    with pytest.raises(ValueError):
        plot_trained_attention_rows(digit, {"bad": torch.rand(5, 7)}, (0, 0, 4))
    with pytest.raises(ValueError):
        plot_trained_attention_rows(digit[0], rows, (0, 0, 4))


# from test_lesson07_round16y.py


def test_attention_by_offset_of_a_uniform_row_is_one():
    weights = torch.full((5, 12, 12), 1 / 12)
    assert torch.allclose(attention_by_offset(weights, 3, 4), torch.ones(5, 7))


def test_attention_by_offset_puts_self_attention_in_the_middle():
    grid = attention_by_offset(torch.eye(6)[None], 2, 3)  # every token attends only to itself
    expected = torch.zeros(3, 5)
    expected[1, 2] = 6.0
    assert torch.equal(grid, expected)
    right = torch.zeros(6, 6)
    for token in range(6):
        right[token, token + 1 if token % 3 < 2 else token] = 1.0  # the key one column right, where there is one
    assert attention_by_offset(right, 2, 3)[1, 3] == 6.0  # offset (0, +1)
    with pytest.raises(ValueError):
        attention_by_offset(torch.ones(5, 5), 2, 3)


def test_the_new_pictures_draw_and_refuse_bad_input():
    fig = plot_folded_channels(torch.rand(40, 10), torch.rand(8, 10, 3), channels=range(4), title="t")
    assert len(fig.axes) == 5
    with pytest.raises(ValueError):
        plot_folded_channels(torch.rand(40, 10), torch.rand(8, 10, 3), channels=[9])
    maps = {f"seed {s}": {"initial": torch.ones(23, 23), "trained": torch.rand(23, 23) + 0.5} for s in range(3)}
    assert len(plot_attention_offsets(maps, reach=5, title="t").axes) == 7  # six panels and a colour bar
    with pytest.raises(ValueError):
        plot_attention_offsets(maps, reach=12)


# The code halves of tests that also read the notebooks (their notebook pins are facts in test_lesson07_story.py).


def test_exercise_2_checks_a_square_grid():  # from test_lesson07_fix_18c.py
    assert any(rows == cols for _, rows, cols, _ in lesson07.FOLD_CASES)
    lesson07.check_fold_tokens(_fold)

    def only_non_square(tokens, rows, cols):  # right on every non-square grid, transposed on a square one
        image = _fold(tokens, rows, cols)
        return image.transpose(2, 3) if rows == cols else image

    with pytest.raises(ExerciseFailed, match="4x4 grid"):
        lesson07.check_fold_tokens(only_non_square)
    course = (ROOT / "tools" / "course.py").read_text()
    assert "(torch.randn(2, 16, 3), 4, 4)" in course  # nbgrader's hidden cases hold a square grid too


def test_the_convolution_stem_is_linear_in_the_original_code():  # from test_lesson07_fix_18d.py
    source = (Path(upstream.__file__).parent / "t2t_vit" / "t2t_vit.py").read_text()
    stem = source.split("tokens_type == 'convolution'")[1].split("self.num_patches")[0]
    assert stem.count("nn.Conv2d(") == 3 and not re.search(r"ReLU|GELU|Norm|\bact", stem)


def test_the_fold_picture_shows_the_window_means_beside_the_channels():  # from test_lesson07_fix_18d.py
    fig = plot_folded_channels(torch.rand(40, 10), torch.rand(8, 10, 3), range(2), window_means=torch.rand(10, 3))
    assert len(fig.axes) == 4 and fig.axes[1].get_title().startswith("window means")
    plt.close(fig)
    with pytest.raises(ValueError, match="window_means"):
        plot_folded_channels(torch.rand(40, 10), torch.rand(8, 10, 3), range(2), window_means=torch.rand(3, 10))


def test_chain_summary_of_a_one_token_chain():  # from test_lesson07_fix_20a.py::test_typos_labels_and_imports
    small = t2t_chain(16, 16, in_channels=1)
    assert small[-1].grid.total == 1 and chain_summary(small).endswith("1x1 = 1 token")
    assert chain_summary(t2t_chain(224, 224, in_channels=3)).endswith("= 196 tokens")


def test_the_channels_are_in_arbitrary_units():  # from test_lesson07_fix_21f.py
    fig = plot_folded_channels(torch.rand(40, 10), torch.rand(8, 10, 3), range(2), window_means=torch.rand(10, 3))
    titles = [ax.get_title() for ax in fig.axes]
    assert [t.endswith("(arbitrary units)") for t in titles] == [False, False, True, True]
    plt.close(fig)


def test_the_original_takes_square_images_only():  # from test_lesson07_fix_22e.py
    original = load_original_t2t("t2t_vit")
    source = inspect.getsource(original.T2T_module)
    assert "int(np.sqrt(new_HW)), int(np.sqrt(new_HW))" in source
    assert "self.num_patches = (img_size // (4 * 2 * 2)) * (img_size // (4 * 2 * 2))" in source


def test_the_gradient_mask_figure_is_two_rows_of_two():  # from test_lesson07_fix_22e.py (review r22d item 6)
    masks = [torch.zeros(28, 28), torch.zeros(28, 28), torch.zeros(48, 48), torch.ones(28, 28)]
    fig = plot_gradient_masks(gradient_mask_panels(*masks, (3, 3), 4, 16), title="t", columns=2)
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert len(visible) == 4 and len({round(ax.get_position().y0, 3) for ax in visible}) == 2
    width, height = fig.get_size_inches()
    assert width >= 6.4 and height >= 8
    plt.close(fig)
    one_row = plot_gradient_masks([("a", torch.ones(5, 5)), ("b", torch.ones(5, 5))])
    assert len({round(ax.get_position().y0, 3) for ax in one_row.axes}) == 1  # the default: one row
    plt.close(one_row)


def test_the_folded_channels_have_colour_bars():  # from test_lesson07_fix_23a.py
    fig = plot_folded_channels(torch.rand(40, 10), torch.rand(8, 10, 3), range(2), window_means=torch.rand(10, 3))
    assert len(fig.axes) == 4  # the colour bars are child axes of the channel panels
    assert [len(ax.child_axes) for ax in fig.axes] == [0, 0, 1, 1]
    plt.close(fig)


def test_the_vendored_performer_has_its_normaliser_and_v_skip():  # from test_lesson07_fix_23c.py
    vendored = (ROOT / "vit_explained" / "_upstream" / "t2t_vit" / "token_performer.py").read_text()
    assert "D = torch.einsum('bti,bi->bt', qp, kp.sum(dim=1))" in vendored  # phi(q) (phi(k)^T 1)
    assert "/ (D.repeat(1, 1, self.emb) + self.epsilon)" in vendored
    assert "y = v + self.dp(self.proj(y))" in vendored  # the same v-skip as the token transformer


def test_one_attention_label_in_the_plotting_module():  # from test_lesson07_fix_24c.py (item 5)
    source = Path(plotting.__file__).read_text()  # the widget's right panel and section 5's figure
    assert "stored attention terms" not in source and source.count("attention-matrix entries per image") >= 3


def test_the_widget_opens_on_t2ts_chain():  # from test_lesson07_fix_24e.py (item 8)
    widget = t2t_chain_widget(custom=((3, 2, 1),) * 4)
    assert widget.controls["splits"].value.startswith("T2T-ViT")


def _field_24g(splits):
    field, jump = 1, 1
    for kernel, stride, _ in splits:
        field, jump = field + (kernel - 1) * jump, jump * stride
    return field


def test_exercise_1_points_to_the_explore_section_for_the_16_times(capsys):  # from test_lesson07_fix_24g.py
    check_receptive_field(_field_24g)
    out = capsys.readouterr().out
    assert "Correct!" in out
    assert "has 16 times the attention entries (Explore, 'The T2T chain')." in out
    assert "(section 5)" not in out


def test_the_token_count_formula_the_lesson_states():  # from test_lesson07_fix_s.py
    for size in range(3, 400):
        assert count_tokens(size, size, 7, 4, 2)[0] == math.floor((size + 4 - 7) / 4) + 1 == (size + 1) // 4
        assert count_tokens(size, size, 3, 2, 1)[0] == math.floor((size + 2 - 3) / 2) + 1 == math.ceil(size / 2)


def test_hard_patch_row_of_table_7_recounted():  # from test_lesson07_fix_u.py
    image = torch.empty(1, 3, 224, 224, device="meta")
    with torch.device("meta"):
        hard = ViT(224, patch_size=16, num_classes=1000, dim=384, depth=14, heads=6, mlp_dim=3 * 384, qkv_bias=False)
    assert round(sum(count_macs(hard, image).values()) / 1e9, 2) == 4.54


def test_hard_patch_row_parameters():  # from test_lesson07_fix_v.py::test_hard_patch_row_is_said_not_reproduced
    with torch.device("meta"):
        hard = ViT(224, patch_size=16, num_classes=1000, dim=384, depth=14, heads=6, mlp_dim=3 * 384, qkv_bias=False)
    assert count_parameters(hard) == 21_449_320  # T2T-ViT-14's backbone has no qkv bias (r32c MAJOR)


def test_checkpoint_is_small_and_holds_three_seeds_before_and_after():  # from test_lesson07_round16.py
    assert CHECKPOINT.stat().st_size < 250_000  # 3 seeds x 2 token transformers (49 -> 32) and one digit
    stored = load_file(str(CHECKPOINT))
    assert stored["digit"].shape == (48, 48)
    keys = set(TokenTransformer(49, 32).state_dict())
    for seed in (0, 1, 2):
        for name in ("initial", "trained"):
            prefix = f"seed{seed}.{name}."
            assert {key[len(prefix) :] for key in stored if key.startswith(prefix)} == keys
    assert (ROOT / "benchmarks" / "bench_lesson07_trained_stem.py").exists()
    table = (ROOT / "benchmarks" / "results" / "lesson07_trained_stem.md").read_text()
    assert "| 0 | 175 |" in table and "| 1 | 173 |" in table and "| 2 | 172 |" in table  # the control's seeds 0-2


def test_negative_control_breaks_the_float64_match():  # from test_lesson07_round16.py
    config = dict(in_channels=1, num_classes=10, embed_dim=64, depth=2, heads=4, mlp_ratio=3, token_dim=16)
    torch.manual_seed(0)
    ours = T2TViT(64, **config).double().eval()
    for weight in ours.parameters():
        if weight.requires_grad:
            nn.init.normal_(weight, std=0.3)
    original = original_t2t_vit(64, **config).double().eval()
    copy_into_original(ours, original)
    square = torch.rand(2, 1, 64, 64, dtype=torch.float64)
    with torch.no_grad():
        assert (ours(square) - original(square)).abs().max().item() < 1e-12
        original.tokens_to_token.attention1.attn.scale = 16**-0.5
        assert (ours(square) - original(square)).abs().max().item() > 1e-6


def test_the_fixed_position_table_is_the_original_sinusoid_table():  # from test_lesson07_round16x.py
    original = load_original_t2t("t2t_vit").get_sinusoid_encoding(n_position=197, d_hid=384)[0]
    assert torch.allclose(sinusoid_encoding(197, 384), original, atol=1e-6)


def test_token_dim_64_against_384():  # from test_lesson07_round16x.py
    stage_1 = torch.empty(1, 3136, 147, device="meta")
    with torch.device("meta"):
        macs = {w: sum(count_macs(TokenTransformer(147, w), stage_1).values()) for w in (64, 384)}
    assert (round(macs[64] / 1e9, 2), round(macs[384] / 1e9, 2)) == (1.39, 9.47)


def test_trained_weight_on_ink_rises_on_every_seed():  # from test_lesson07_round16x.py
    stored = load_file(str(CHECKPOINT))
    images = F.interpolate(load_digits().val_images, size=(48, 48), mode="bilinear")
    windows = SoftSplit(*T2T_SPLITS[0])(images)
    ink = windows.amax(-1) > 0.5
    changes = []
    for seed in (0, 1, 2):
        share = {}
        for name in ("initial", "trained"):
            prefix = f"seed{seed}.{name}."
            block = TokenTransformer(49, 32)
            block.load_state_dict({k[len(prefix) :]: v for k, v in stored.items() if k.startswith(prefix)})
            with torch.no_grad():
                _, weights = block.attn(block.norm1(windows), return_attention=True)
            share[name] = float((weights[:, 0] * ink[:, None]).sum(-1).mean())
        changes.append(share["trained"] - share["initial"])
    assert all(0.02 < change < 0.03 for change in changes)


def test_the_widget_source_names_a_custom_chains_field():  # from test_lesson07_round16x.py::test_review_nits
    widget = (ROOT / "vit_explained" / "widgets" / "lesson07.py").read_text()
    assert "31 pixels at most" not in widget and "a custom chain whose field" in widget


# Stored results and vendored sources the lesson quotes (the file halves of tests that also read the notebooks).

RESULTS = ROOT / "benchmarks" / "results"
VENDORED = ROOT / "vit_explained" / "_upstream" / "t2t_vit"


def test_the_stored_token_transformer_ablation():  # from test_lesson07_fix_18b.py
    result = (RESULTS / "lesson07_token_transformer.md").read_text()
    rows = re.findall(r"^\| (\d+) \| ([\d.]+) % \| ([\d.]+) % \|", result, re.M)
    assert len(rows) == 6 and "[+4.3, +13.3]" in result


def test_the_stored_token_mlp_run():  # from test_lesson07_fix_19a.py and test_lesson07_fix_19c.py
    result = (RESULTS / "lesson07_token_mlp.md").read_text()
    assert "| 4 | 96.1 % | 98.9 % | -2.8 |" in result and "[-2.2, -0.2] points" in result
    assert "Intel" in result or "AMD" in result  # the machine is named
    assert re.search(r"Measured on 2026-12-\d\d", result)
    assert "runs (6 seeds x 2 arms) in this one invocation on the machine named above" in result
    assert "| seed | with token transformers | token MLP in their place |" in result
    assert "(stored)" not in result.split("| seed |")[1]
    counts = re.findall(r"^\| \d+ \| ([\d.]+) % \| ([\d.]+) % \|", result, re.M)
    assert len(counts) == 6
    rerun = [round(float(t2t) * 1.8) for t2t, _ in counts]
    assert f"with token transformers, this run: {rerun}" in result


def test_no_stored_result_says_learns_slower():  # from test_lesson07_fix_23c.py
    assert all("learns slower" not in " ".join(p.read_text().split()) for p in RESULTS.glob("lesson07*"))


def test_the_vendored_performer_sets_m_and_has_no_scale():  # from test_lesson07_fix_23d.py
    performer = (VENDORED / "token_performer.py").read_text()
    assert "self.m = int(self.emb * kernel_ratio)" in performer and "kernel_ratio=0.5" in performer
    assert "scale" not in performer and re.findall(r"math\.sqrt\((.*?)\)", performer) == ["self.m", "self.m"]
    assert "token_dim=64):" in (VENDORED / "t2t_vit.py").read_text()


def test_the_readme_lists_the_appendix_notebook():  # from test_lesson07_fix_21a.py (tools/readme.py)
    assert "(notebooks/07_tokens_to_token_vit_appendix.ipynb)" in (ROOT / "README.md").read_text()


def test_transformers_5_23_has_no_t2t_model():  # from test_lesson07_fix_23d.py: the version Going further names
    import transformers

    if transformers.__version__ == "5.23.0":  # the version the sentence names: no T2T model module
        names = [p.name for p in (Path(transformers.__file__).parent / "models").iterdir()]
        assert not any(name.startswith("t2t") or "tokens_to_token" in name for name in names)


def test_fold_picture_shades_each_feature_and_repeats_it_on_its_channel_plane():  # review r25a item 4
    rows, cols, channels = 3, 5, 4
    fig = plot_token_fold(rows, cols, channels, token=8)
    strip_ax, map_ax = fig.axes[:2]

    def colours(ax):
        return {
            (round(p.get_x(), 2), round(p.get_y(), 2)): tuple(round(v, 6) for v in p.get_facecolor())
            for p in ax.patches
        }

    strip, folded = colours(strip_ax), colours(map_ax)
    for token in range(rows * cols):
        shades = [strip[(float(token), float(feature))] for feature in range(channels)]
        assert len(set(shades)) == channels, token  # feature c of one token: its own shade
        assert sum(shades[0][:3]) > sum(shades[-1][:3])  # light (feature 0) to dark (the last feature)
        row, col = divmod(token, cols)
        for plane in range(channels):  # plane c, shifted up and right, holds feature c in the same shade
            assert folded[(round(col + 0.22 * plane, 2), round(row - 0.22 * plane, 2))] == shades[plane]


def test_the_token_mlp_stem_the_lesson_counts_is_the_benchmarks(monkeypatch):  # review r25c item 3
    """Section 6 counts the token-MLP stem on meta (Tokens2Token with each token transformer -> LayerNorm, Linear,
    GELU, Linear, hidden 96); the benchmark's stem has the same parameters, and the same as T2T's within 64."""
    monkeypatch.syspath_prepend(str(ROOT / "benchmarks"))
    from bench_lesson07_token_mlp import ARMS, build

    from vit_explained.t2t import Tokens2Token

    with torch.device("meta"):
        lesson_stem = Tokens2Token(48, 1, token_dim=32, embed_dim=64)
        original = count_parameters(lesson_stem)
        lesson_stem.token_transformers = nn.ModuleList(
            nn.Sequential(nn.LayerNorm(w), nn.Linear(w, 96), nn.GELU(), nn.Linear(96, 32)) for w in (49, 288)
        )
    bench_stem = build(ARMS[1]).stem
    assert count_parameters(lesson_stem) == count_parameters(bench_stem) == 57_922
    assert original == count_parameters(build(ARMS[0]).stem) == 57_986
    assert [block[1].out_features for block in bench_stem.token_transformers] == [96, 96]


# --- section 6's stored arms and section 4's parameter parts (review r26b minors 1 and 2) -----------------------


def test_the_package_copy_of_the_arms_equals_the_results_files():
    from vit_explained import t2t_arms

    results = Path(__file__).resolve().parents[1] / "benchmarks" / "results"
    counts, stored = t2t_arms.seed_counts(), t2t_arms._stored()["results"]
    assert set(counts) == set(stored) == {t2t_arms.REFERENCE, *t2t_arms.ARM_CHANGES} and t2t_arms.total() == 180
    for arm, name in stored.items():
        rows = re.findall(r"^\| (\d+) \|((?: [\d.]+ % \|)+)", (results / name).read_text(), re.M)
        assert [int(seed) for seed, _ in rows] == list(range(6)), name
        columns = list(
            zip(*[[round(float(v) * 1.8) for v in re.findall(r"([\d.]+) %", c)] for _, c in rows], strict=True)
        )
        column = 0 if arm == t2t_arms.REFERENCE else {"16x16 patches": 1, "2-layer patches": 2}.get(arm, 1)
        if name == "t2t_overlap_control.md" and arm != t2t_arms.REFERENCE:
            column = 1  # the no-overlap chain, beside T2T's
        assert list(columns[0]) == counts[t2t_arms.REFERENCE], name  # every file's first column: T2T's chain
        assert list(columns[column]) == counts[arm], (arm, name)


def test_the_arm_table_pairs_by_seed_and_prints_every_arm():
    from vit_explained import t2t_arms

    table = t2t_arms.arm_table()
    counts = t2t_arms.seed_counts()
    for arm in t2t_arms.ARM_CHANGES:
        differences = [(a - b) / 180 for a, b in zip(counts["token transformers"], counts[arm], strict=True)]
        assert table.runs[arm].difference.values == pytest.approx(differences), arm
        scope = "one: attention" if arm == "attention off" else "several"  # review r28a minor 2: a narrow table
        row = t2t_arms.ROW_LABELS.get(arm, arm)  # review r33b minor 4: the table's row says "no overlap"
        assert f"\n{row} | {scope} | " in f"\n{table}" and f"  {arm} | {t2t_arms.ARM_CHANGES[arm]}" in table.changes()
    assert max(len(line) for line in str(table).splitlines()) <= 100
    assert table.interval("size").estimate == pytest.approx(
        np.mean([(a - b) / 180 for a, b in zip(counts["2-layer patches"], counts["16x16 patches"], strict=True)])
    )
    assert [name for name, _ in t2t_arms.token_layer_pairs()] == [
        "token transformers vs Linear",
        "token transformers vs token MLP",
        "token transformers vs attention off",
    ]
    assert table.stems == {
        "token transformers": 57_986,
        "Linear": 29_344,
        "token MLP": 57_922,
        "2-layer patches": 57_844,
        "no overlap (appendix A)": 28_832,
    }
    chain = [(a - b) / 180 for a, b in zip(counts["no overlap (appendix A)"], counts["2-layer patches"], strict=True)]
    assert table.interval("chain").estimate == pytest.approx(np.mean(chain))  # review r27c M1
    assert "no-overlap chain (appendix A) minus 2-layer patches: +9.1 [+7.0, +11.1] points" in table.follow_ups()
    assert "minus 2-layer patches" not in str(table)  # review r32a minor 2: the lesson prints the table alone
    # review r34a item 4: one call prints the table with each arm's Bonferroni-corrected interval as its last column
    level = 1 - 0.05 / len(table.runs)
    corrected = table.table(level).splitlines()
    assert corrected[0].endswith("| [99.2 %, corrected]") and max(len(line) for line in corrected) <= 100
    for arm, row in zip(t2t_arms.ARM_CHANGES, corrected[1:], strict=True):
        wide = table.runs[arm].t_interval(level)
        scope = t2t_arms.ARM_SCOPE.get(arm, "several")
        narrow = t2t_arms._points(table.interval(arm))  # the 95 % column, as str(table) prints it
        label = t2t_arms.ROW_LABELS.get(arm, arm)
        assert row == f"{label} | {scope} | {narrow} | [{100 * wide.low:+.1f}, {100 * wide.high:+.1f}]"
        assert wide.low <= table.interval(arm).low and wide.high >= table.interval(arm).high  # wider
    assert "token MLP | several | -1.2 [-2.2, -0.2] | [-2.9, +0.4]" in corrected  # holds 0 once corrected


def test_stem_breakdown_splits_a_vit_and_a_t2t_vit_into_four_parts_that_add_up():
    from vit_explained.parameters import parameter_breakdown, stem_breakdown

    with torch.device("meta"):
        t2t_vit = T2TViT(224, in_channels=3, num_classes=1000, embed_dim=384, depth=14, heads=6, mlp_ratio=3)
        vit = ViT(224, patch_size=16, num_classes=10, dim=64, depth=3, heads=4, mlp_dim=128)
    for model, stem in ((t2t_vit, t2t_vit.tokens_to_token), (vit, vit.patch_embedding)):
        parts = stem_breakdown(model)
        assert list(parts) == ["T2T module / patch embedding", "class token + positions", "blocks", "final norm + head"]
        assert sum(parts.values()) == count_parameters(model) and parts[
            "T2T module / patch embedding"
        ] == count_parameters(stem)
        assert parts["class token + positions"] == model.class_token.numel() + model.pos_embedding.numel()
        assert parts["blocks"] == sum(count_parameters(block) for block in model.blocks)
        layers = parameter_breakdown(model, by="layer")
        assert parts["final norm + head"] == layers["final norm"] + layers["head"]
    assert stem_breakdown(t2t_vit)["T2T module / patch embedding"] == 387_046
    with pytest.raises(TypeError, match="patch_embedding or tokens_to_token"):
        stem_breakdown(nn.Linear(3, 4))


def test_scale_rows_draw_one_panel_per_scale_and_reject_bad_input():  # review r27d minor 5
    from vit_explained.plotting.lesson07 import plot_scale_rows

    scores = torch.linspace(-3, 3, 40)
    fig = plot_scale_rows(scores, {"1/7": 1 / 7, "1/24": 1 / 24})
    titles = [ax.get_title() for ax in fig.axes]
    assert len(titles) == 2 and titles[0].startswith("scores x 1/7: largest")
    peaks = [float(t.rsplit(" ", 1)[1]) for t in titles]
    assert peaks[0] > peaks[1] > 1 / 40  # a smaller scale flattens the row
    for bad in (torch.zeros(2, 3), torch.tensor([1.0]), torch.tensor([0.0, float("nan")])):
        with pytest.raises(ValueError, match="one query's finite scores"):
            plot_scale_rows(bad, {"1/7": 1 / 7})
    with pytest.raises(ValueError, match="at least one scale"):
        plot_scale_rows(scores, {})
    with pytest.raises(ValueError):
        plot_scale_rows(scores, {"-1": -1.0})
    # review r29b minor 1 (brief fix07o item 3): a panel can say it is hypothetical
    noted = plot_scale_rows(scores, {"1/7": 1 / 7, "1/24": 1 / 24}, notes={"1/24": "hypothetical"})
    assert [ax.get_title().endswith("\nhypothetical") for ax in noted.axes] == [False, True]
    with pytest.raises(ValueError, match="not drawn"):
        plot_scale_rows(scores, {"1/7": 1 / 7}, notes={"1/24": "hypothetical"})


def test_arm_intervals_draw_each_comparison_with_its_corrected_bar():  # review r31a minor 3 (brief fix07u item 1)
    from vit_explained.evidence import paired_seeds

    runs = {
        name: paired_seeds([c / 180 for c in a], [c / 180 for c in b], percent=True)
        for name, (a, b) in {"no overlap": CONTROL.values(), "own scale": SCALE.values()}.items()
    }
    fig = plot_arm_intervals(runs, 1 - 0.05 / 2, title="t")
    (ax,) = fig.axes
    assert ax.texts[0].get_text() == "+3.1 [+2.5, +3.8]"  # the 95 % interval, as labelled
    assert [t.get_text() for t in ax.get_yticklabels()] == ["no overlap", "own scale"]
    assert ax.get_xlabel().startswith("← the arm better  |  token transformers better →")  # the sign convention
    thin = [line for line in ax.lines if line.get_linewidth() == 1.2]  # the corrected bars, wider than the 95 % ones
    assert len(thin) == 2 and thin[0].get_xdata()[0] < 100 * runs["no overlap"].t_interval().low
    assert "97.5 %" in fig._suptitle.get_text()
    plt.close(fig)
    with pytest.raises(ValueError, match="at least one"):
        plot_arm_intervals({})


def test_the_arm_picture_names_the_verdicts_its_thin_bars_change():  # review r34f minor 1 (brief fix07_35a)
    from vit_explained.evidence import paired_seeds
    from vit_explained.plotting.lesson07 import thin_bar_changes

    t2t, mlp = [175, 173, 172, 174, 173, 174], [177, 173, 175, 175, 178, 176]  # the token MLP: below 0, not corrected
    runs = {
        "no overlap": paired_seeds(*[[c / 180 for c in v] for v in CONTROL.values()], percent=True),
        "token MLP": paired_seeds([c / 180 for c in t2t], [c / 180 for c in mlp], percent=True),
    }
    assert thin_bar_changes(runs, 1 - 0.05 / 6) == "the thin bars change one verdict, the token MLP's"
    assert thin_bar_changes({"no overlap": runs["no overlap"]}, 1 - 0.05 / 6) == "the thin bars change no verdict"
    fig = plot_arm_intervals(runs, 1 - 0.05 / 6, title="t")
    assert fig._suptitle.get_text().startswith("t; the thin bars change one verdict, the token MLP's\n")
    plt.close(fig)
    untitled = plot_arm_intervals(runs, 1 - 0.05 / 6)  # no title: the key line alone, as before
    assert untitled._suptitle.get_text().startswith("dot: mean over seeds")
    plt.close(untitled)


def test_the_arm_pictures_title_names_rows_by_their_labels():  # audit a35a item 7 (brief quick07_35a)
    from vit_explained.evidence import paired_seeds
    from vit_explained.plotting.lesson07 import thin_bar_changes

    t2t, mlp = [175, 173, 172, 174, 173, 174], [177, 173, 175, 175, 178, 176]  # below 0, not once corrected
    runs = {"no overlap (appendix A)": paired_seeds([c / 180 for c in t2t], [c / 180 for c in mlp], percent=True)}
    labels = {"no overlap (appendix A)": "no overlap"}  # as ROW_LABELS: the y-axis shows the label, not the key
    assert thin_bar_changes(runs, 1 - 0.05 / 6, labels) == "the thin bars change one verdict, the no overlap's"
    assert thin_bar_changes(runs, 1 - 0.05 / 6) == "the thin bars change one verdict, the no overlap (appendix A)'s"
    fig = plot_arm_intervals(runs, 1 - 0.05 / 6, title="t", labels=labels)
    assert fig._suptitle.get_text().startswith("t; the thin bars change one verdict, the no overlap's\n")
    assert [tick.get_text() for tick in fig.axes[0].get_yticklabels()] == ["no overlap"]  # title and axis agree
    plt.close(fig)

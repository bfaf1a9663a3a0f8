"""Lesson 08, fix round w: compare_maps' verdict column agrees with its printed interval."""

from __future__ import annotations

import torch


def test_compare_maps_says_touches_0_when_the_bound_prints_as_0():
    from vit_explained.attention_maps import compare_maps

    g = torch.Generator().manual_seed(0)
    b = torch.rand(200, generator=g, dtype=torch.float64)
    a = b + 0.0004 + 0.0001 * torch.randn(200, generator=g, dtype=torch.float64)  # low bound about +0.0004
    clear = b + 0.01 + 0.001 * torch.randn(200, generator=g, dtype=torch.float64)
    family = compare_maps({"tiny": (a, b), "clear": (clear, b)})
    assert family.at_95("tiny").difference.low > 0  # detectable, but only below the printed digits
    lines = str(family).splitlines()
    # the bound that prints as 0 is marked with a star, and the footnote says which end touches 0
    assert "[+0.000, +0.000]" in lines[1] and lines[1].split("]")[-1].split() == ["A", "higher*", "A", "higher*"]
    assert lines[2].split("]")[-1].split() == ["A", "higher", "A", "higher"]
    assert lines[-1].startswith("*: the interval leaves out 0") and "end nearest 0 rounds to 0" in lines[-1]
    assert "touches 0" not in "\n".join(lines[:-1])


def test_explorer_fusion_and_discard_drive_the_rollout_map_and_its_area():
    from vit_explained.attention_maps import attention_rollout, class_token_attention, deletion_areas
    from vit_explained.vit import ViT
    from vit_explained.widgets.lesson08 import maps_explorer

    torch.manual_seed(0)
    model = ViT(12, patch_size=4, num_classes=4, dim=16, depth=2, heads=2, mlp_dim=32, channels=1).eval()
    images, labels = torch.rand(3, 1, 12, 12), torch.tensor([0, 1, 2])
    w = maps_explorer(model, images, labels)
    assert next(iter(w.controls)) == "digit" and list(w.controls)[-2:] == ["fusion", "discard"]
    assert w.controls["fusion"].options == ("mean", "max", "min")
    assert [value for _, value in w.controls["discard"].options] == [0.0, 0.5, 0.9]
    default = w.line
    assert "fusion" not in default  # the defaults: plain rollout, the line as before
    base = {"digit": 1, "block": 1, "head": "mean", "class": "predicted", "redrawn": False}
    assert w.compute(**base)[0] == w.compute(**base, fusion="mean", discard=0.0)[0]
    with torch.no_grad():
        from vit_explained.attention_maps import capture_attention

        with capture_attention(model) as weights:
            model(images[1:2])
    for fusion in ("mean", "max", "min"):
        for discard in (0.0, 0.5, 0.9):
            expected = class_token_attention(attention_rollout(weights, fusion, discard_ratio=discard), (3, 3))[0]
            assert torch.allclose(w.rollout_map(1, 1, fusion, discard), expected, atol=1e-6)
            line, _ = w.compute(**base, fusion=fusion, discard=discard)
            _, areas = deletion_areas(model, images[1:2], labels[1:2], {"r": expected[None]}, counts=list(range(10)))
            rollout_part = line.split("rollout (")[-1]
            assert f"area {float(areas['r'][0]):.2f}" in rollout_part.split(";")[0]
            if (fusion, discard) != ("mean", 0.0):
                assert f"rollout: {fusion} fusion, discard {discard:g}" in line
    w.controls["fusion"].value = "max"
    w.controls["discard"].value = 0.9
    assert "rollout: max fusion, discard 0.9" in w.line
    import pytest

    with pytest.raises(ValueError, match="fusion must be one of"):
        w.rollout_map(0, 1, "median", 0.0)


def test_rollout_checker_is_neutral_about_a_constant_answer():
    import pytest

    from vit_explained.exercises import lesson08

    def zeros(matrices, keep):
        return torch.zeros_like(matrices[0])

    def ones(matrices, keep):
        return torch.ones_like(matrices[0])

    def fifth(matrices, keep):
        return torch.full_like(matrices[0], 0.2)

    with pytest.raises(AssertionError) as zero:
        lesson08.check_rollout(zeros)
    text = str(zero.value)
    assert "your result is all zeros" in text and "If you started R from zeros" in text
    for constant, shown in ((ones, "1"), (fifth, "0.2")):
        with pytest.raises(AssertionError) as caught:
            lesson08.check_rollout(constant)
        assert f"every entry of your result is the same number, {shown};" in str(caught.value)
        assert "you started" not in str(caught.value)


def test_deletion_figure_keeps_gray_for_the_reference_and_names_a_hidden_curve():
    from matplotlib.colors import to_hex

    from vit_explained.plotting.lesson08 import plot_deletion_curves

    g = torch.Generator().manual_seed(0)
    base = torch.linspace(0.9, 0.1, 5).expand(20, 5)
    curves = {f"order {i}": (base * (1 - 0.08 * i)).clone() for i in range(8)}
    curves["ink first"] = base + 0.01 * torch.rand(20, 5, generator=g)
    fig = plot_deletion_curves(curves, reference="ink first", counts=[0, 1, 2, 3, 4], mark_under=True)
    legend = fig.axes[0].get_legend()
    labels = {t.get_text(): line for t, line in zip(legend.get_texts(), legend.get_lines(), strict=True)}
    assert any(text.startswith("order 0") and text.endswith(", lies on ink first") for text in labels)
    assert not any(text.startswith("order 7") and "lies on" in text for text in labels)
    colours = {to_hex(line.get_color()) for text, line in labels.items() if not text.startswith("ink first")}
    assert to_hex("C7") not in colours and len(colours) == 8  # gray is the reference's alone
    plain = plot_deletion_curves(curves, reference="ink first", counts=[0, 1, 2, 3, 4])
    assert not any("lies on" in t.get_text() for t in plain.axes[0].get_legend().get_texts())


def test_attention_matrix_ticks_name_a_grid_rows_patches():
    from vit_explained.plotting.lesson08 import plot_attention_matrix

    fig = plot_attention_matrix(torch.softmax(torch.randn(10, 10), -1), grid=(3, 3))
    names = [label.get_text() for label in fig.axes[0].get_xticklabels()]
    assert names == ["cls", "row 0's patches", "row 1's patches", "row 2's patches"]


def test_cascade_figure_can_show_the_one_scale_rows_alone():
    import pytest

    from vit_explained.plotting.lesson08 import plot_cascade

    maps = {"rollout": torch.rand(3, 3, 3), "gradient-weighted": torch.rand(3, 3, 3)}
    steps = ["classifier", "classifier + block 1"]
    both = plot_cascade(torch.rand(1, 12, 12), maps, steps)
    light = plot_cascade(torch.rand(1, 12, 12), maps, steps, own=False)
    labels = [ax.get_ylabel() for ax in light.axes if ax.get_ylabel()]
    assert any("(one scale)" in label for label in labels) and not any("(own scale)" in label for label in labels)
    assert len(light.axes) < len(both.axes)  # two rows instead of four
    assert any(ax.get_title().startswith("classifier\nρ") for ax in light.axes)  # the ρ titles stay
    with pytest.raises(ValueError, match="needs shared=True"):
        plot_cascade(torch.rand(1, 12, 12), maps, steps, shared=False, own=False)

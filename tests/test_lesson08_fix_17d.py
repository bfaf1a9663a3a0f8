"""Lesson 08, fresh review 17d: exercise 6 prints integer patches for a float answer; the cascade figure scales each
panel to its own largest weight and names its peak."""

import torch


def test_exercise_6_prints_integer_patches_for_a_float_answer(capsys):
    from vit_explained.exercises.lesson08 import check_max_fusion_top_patch

    def as_floats(weights, rows, cols):
        eye = torch.eye(weights[0].shape[-1], dtype=weights[0].dtype)
        rolled = eye.expand_as(weights[0][:, 0])
        for w in weights:
            mixed = 0.5 * w.amax(1) + 0.5 * eye
            rolled = (mixed / mixed.sum(-1, keepdim=True)) @ rolled
        flat = rolled[:, 0, 1:].argmax(-1)
        return torch.stack([flat // cols, flat % cols], -1).double()  # right, but float64

    check_max_fusion_top_patch(as_floats)
    out = capsys.readouterr().out
    assert "top patch (" in out and ".0" not in out.split("On test digit 17")[1]


def test_cascade_own_scale_wrapped_titles_name_the_peak():
    from vit_explained.plotting.lesson08 import plot_cascade

    steps = ["classifier", "classifier + block 1", "every layer"]
    maps = {name: torch.rand(4, 3, 3, generator=torch.Generator().manual_seed(i)) for i, name in enumerate("ab")}
    maps["a"][1] *= 0.25  # a re-drawn map four times fainter
    fig = plot_cascade(torch.rand(1, 12, 12), maps, steps, shared=False, columns=2)
    rows = [ax.get_ylabel() for ax in fig.axes if ax.get_ylabel()]
    assert rows[:2] == ["a\n(own scales)", "a,\ncontinued"]
    titles = [ax.get_title() for ax in fig.axes if ax.get_title()]
    # round 18c: every panel's title gives its shape, peak / mean (the trained one too), which ignores scale
    assert sum("peak/mean" in t for t in titles) == 2 * (len(steps) + 1)
    shape = float(maps["a"][1].max() / maps["a"][1].mean())
    assert any(f"\npeak/mean {shape:.1f}" in t for t in titles)
    panel = fig.axes[2].images[-1].get_array()  # the first re-drawn panel of method a: scaled to its own largest
    assert abs(float(panel.max()) - 1.0) < 1e-6

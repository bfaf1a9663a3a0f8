"""Lesson 08's maps explorer: three maps and their deletion curves, computed as the package computes them."""

import torch

from vit_explained.attention_maps import (
    attention_rollout,
    capture_attention,
    class_token_attention,
    deletion_areas,
    ink_per_patch,
    with_article,
)
from vit_explained.vit import ViT
from vit_explained.widgets.lesson08 import MapsExplorer, attention_explorer, maps_explorer


def small_vit():
    torch.manual_seed(0)
    return ViT(12, patch_size=4, num_classes=4, dim=16, depth=2, heads=2, mlp_dim=32, channels=1).eval()


def test_three_maps_and_their_deletion_areas():
    model, images, labels = small_vit(), torch.rand(3, 1, 12, 12), torch.tensor([0, 1, 2])
    w = maps_explorer(model, images, labels)
    assert isinstance(w, MapsExplorer) and list(w.controls) == [
        "digit",
        "block",
        "head",
        "class",
        "redrawn",
        "fusion",
        "discard",
    ]  # no dead dropdowns
    line, fig = w.compute(digit=1, block=1, head=0)
    maps = {
        "raw attention": w.map_for(digit=1, block=1, head=0, method="raw attention", token="class"),
        "rollout": w.map_for(digit=1, block=1, head="mean", method="rollout", token="class"),
        "gradient-weighted": w.map_for(digit=1, block=1, head="mean", method="gradient-weighted", token="class"),
    }
    _, areas = deletion_areas(
        model, images[1:2], labels[1:2], {n: m[None] for n, m in maps.items()}, counts=list(range(10))
    )
    for name, area in areas.items():
        assert f"{name} (" in line and f"area {float(area[0]):.2f}" in line
    assert line.startswith("digit 1 (a 1, predicted") and "block 1, head 0" in line and "blocks 0-1" in line
    titles = [ax.get_title() for ax in fig.axes]
    panels = ["input", "raw attention", "rollout", f"gradient-weighted\n(class {int(w.predictions[1])})"]
    assert titles[:4] == panels and titles[4].startswith("deletion")  # r35a minor 10: the class the map is for
    assert all(p.grad is None for p in model.parameters())


def test_the_line_follows_the_controls():
    w = maps_explorer(small_vit(), torch.rand(2, 1, 12, 12), torch.tensor([0, 1]))
    first = w.line
    w.controls["digit"].value = 1
    assert w.line.startswith("digit 1") and w.line != first
    w.controls["head"].value = 1
    assert "head 1" in w.line and not w.controls["head"].disabled
    w.controls["block"].value = 0
    assert "block 0" in w.line and "blocks 0-0" not in w.line and w.picture.layout.display != "none"


def test_the_class_dropdown_picks_the_gradient_weighted_maps_class():
    from vit_explained.attention_maps import gradient_weighted_attention

    model, images = small_vit(), torch.rand(2, 1, 12, 12)
    w = maps_explorer(model, images, torch.tensor([0, 1]))
    assert w.controls["class"].value == "predicted"  # the default: each digit's predicted class
    assert w.controls["class"].label == "predicted (not the true class)"  # 24a: labelled apart from sections 8-10
    predicted = int(w.predictions[0])
    assert f"(class {predicted})" in w.line
    other = (predicted + 1) % 3
    w.controls["class"].value = other
    assert f"(class {other})" in w.line
    label = int(w.labels[0])
    if other != label:  # the gradient-weighted map's area reads p(the chosen class); the other two p(true class)
        assert f"the gradient-weighted map's: p(class {other})" in w.line
    block = w.controls["block"].value
    expected, _ = gradient_weighted_attention(model, images[:1], torch.tensor([other]))  # every block
    if block == len(model.blocks) - 1:
        got = w.weighted_map(0, block, other)
        rows, cols = w.grid
        torch.testing.assert_close(got, expected[0, 0, 1:].reshape(rows, cols), atol=1e-6, rtol=1e-5)
    assert not model.training and all(p.grad is None for p in model.parameters())


def test_redrawing_the_classifier_keeps_rollout_and_changes_the_gradient_weighted_map():
    from vit_explained.attention_maps import cascade_steps, gradient_weighted_attention, randomised_copy

    model, images, labels = small_vit(), torch.rand(2, 1, 12, 12), torch.tensor([0, 1])
    w = maps_explorer(model, images, labels)
    before = {k: v.detach().clone() for k, v in model.state_dict().items()}
    assert w.controls["redrawn"].value is False and "re-drawn" not in w.line
    w.controls["block"].value = len(model.blocks) - 1
    trained = w.weighted_map(0, w.controls["block"].value, "predicted")
    w.controls["redrawn"].value = True
    assert "classifier re-drawn" in w.line
    redrawn = w.weighted_map(0, w.controls["block"].value, "predicted", redrawn=True)
    assert not torch.allclose(trained, redrawn)  # the gradients come from another classifier
    with torch.random.fork_rng():  # cascade_table's first draw of the classifier
        torch.manual_seed(1)
        copy = randomised_copy(model, cascade_steps(model)[0][1], init="torch")
    expected, _ = gradient_weighted_attention(copy, images[:1], w.predictions[:1])  # the trained model's class
    rows, cols = w.grid
    torch.testing.assert_close(redrawn, expected[0, 0, 1:].reshape(rows, cols), atol=1e-6, rtol=1e-5)
    rollout = w.map_for(digit=0, block=w.controls["block"].value, head="mean", method="rollout", token="class")
    with capture_attention(copy) as attentions, torch.no_grad():  # rollout never reads the classifier
        copy(images[:1])
    torch.testing.assert_close(rollout, class_token_attention(attention_rollout(attentions), (rows, cols))[0])
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items())  # the trained model untouched
    assert all(p.grad is None for p in model.parameters())


def test_the_deletion_panel_draws_the_ink_first_curve_dashed_on_top_with_its_caption():
    model, images, labels = small_vit(), torch.rand(3, 1, 12, 12), torch.tensor([0, 1, 2])
    w = maps_explorer(model, images, labels)
    _, fig = w.compute(digit=2, block=1, head="mean")
    panel = fig.axes[4]
    assert "one digit: noisy; section 10 has the average" in panel.get_title()
    names = [line.get_label() for line in panel.get_lines()]
    assert names == ["ink first", "raw attention", "rollout", "gradient-weighted"]  # the reference first in the legend
    grey, *maps = panel.get_lines()
    # review r26b_08 minor 10: the model-free order was hidden under the rollout curve; it is now dashed, black, on top
    assert grey.get_color() == "black" and grey.get_linestyle() == "--"
    assert grey.get_zorder() > max(line.get_zorder() for line in maps)
    counts = sorted({min(k, 9) for k in w.counts} | {9})  # the explorer's counts on a 3x3 grid
    ink = {"ink": ink_per_patch(images[2:3], (3, 3))}
    curves, _ = deletion_areas(model, images[2:3], labels[2:3], ink, counts=counts)
    assert torch.allclose(torch.as_tensor(grey.get_ydata()), curves["ink"][0].double(), atol=1e-6)


def test_an_8_in_the_dropdown_and_the_line():
    """Review r34a minor 6: "an 8", not "a 8" (the dropdown, the line, the title); "a 7" as before."""
    torch.manual_seed(0)
    model = ViT(12, patch_size=4, num_classes=10, dim=16, depth=2, heads=2, mlp_dim=32, channels=1).eval()
    w = maps_explorer(model, torch.rand(2, 1, 12, 12), torch.tensor([8, 7]), names=["test digit 3", "test digit 0"])
    assert [label for label, _ in w.controls["digit"].options] == ["test digit 3: an 8", "test digit 0: a 7"]
    assert w.line.startswith("test digit 3 (an 8, predicted ")
    w.controls["digit"].value = 1
    assert w.line.startswith("test digit 0 (a 7, predicted ")
    assert [w.a_label(n) for n in (0, 1, 8, 11, 18, 80)] == ["a 0", "a 1", "an 8", "an 11", "an 18", "an 80"]
    # a34a audit item 6: one shared rule (with_article), in the base explorer too (lesson 09's subclasses it)
    base = attention_explorer(model, torch.rand(2, 1, 12, 12), torch.tensor([8, 7]))
    assert [label for label, _ in base.controls["digit"].options] == ["digit 0: an 8", "digit 1: a 7"]
    assert [with_article(n) for n in (7, 8, 11, 18, 80, 800)] == ["a 7", "an 8", "an 11", "an 18", "an 80", "an 800"]

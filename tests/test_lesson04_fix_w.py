"""Lesson 04, fix round w: the per-layer gradient profile (pre- vs post-norm at L = 16), the trained stream against
the same architecture at its own init, section 6 picture first with its statistics folded, "near chance" and
"zero-ablation" defined, and checker messages that point to the lesson's sections."""

from pathlib import Path

import matplotlib.pyplot as plt
import nbformat
import pytest
import torch

from vit_explained.exercises import lesson04
from vit_explained.norm_placement import fc2_gradient_profile, gradient_profiles, last_fc2_gradient
from vit_explained.plotting.lesson04 import plot_gradient_profile

LESSON = Path(__file__).resolve().parents[1] / "notebooks" / "04_gelu_mlp_and_block.ipynb"
APPENDIX = LESSON.with_name("04_gelu_mlp_and_block_appendix.ipynb")


def _cells(path: Path = LESSON) -> list:
    return nbformat.read(path, as_version=4).cells


@pytest.mark.parametrize("post_norm", [False, True])
def test_profile_ends_at_the_last_block_probe(post_norm: bool) -> None:
    profile = fc2_gradient_profile(post_norm, depth=4, seed=1, dim=16)
    assert len(profile) == 4 and all(value > 0 for value in profile)
    assert profile[-1] == last_fc2_gradient(post_norm, 4, seed=1, dim=16)


def test_profiles_by_design_and_seed_leave_the_random_state() -> None:
    state = torch.random.get_rng_state()
    profiles = gradient_profiles(seeds=(0, 1), depth=3, dim=16)
    assert torch.equal(state, torch.random.get_rng_state())
    assert list(profiles) == ["post-norm", "pre-norm"] and all(len(runs) == 2 for runs in profiles.values())
    assert profiles["pre-norm"][1] == fc2_gradient_profile(False, 3, seed=1, dim=16)


def test_plot_gradient_profile_draws_one_line_and_band_per_design() -> None:
    fig = plot_gradient_profile({"post-norm": [[1.0, 2.0, 3.0], [1.5, 2.5, 2.0]], "pre-norm": [[1.0, 0.5, 0.3]] * 2})
    ax = fig.axes[0]
    assert len(ax.lines) == 2 and len(ax.collections) == 2 and ax.get_yscale() == "log"
    plt.close(fig)
    with pytest.raises(ValueError):
        plot_gradient_profile({})


def test_section_six_probe_first_then_picture_statistics_folded_questions_numbered() -> None:
    """Fix 19b, 19c; 21a: the questions and 6a's intro in one cell, then the picture with its printed slopes, the
    check and Answer 6a. The probe's code, the Welch line and 'why pre-norm won' moved to appendix A."""
    cells = _cells()
    start = next(i for i, c in enumerate(cells) if c.source.startswith("## 6 · Where the norm sits"))
    # 22i: the 6a-6c roadmap list cut (it repeated the three headings); the three questions are the headings
    assert "**6a · The gradient against depth.**" in cells[start].source
    assert sum("**6c · And in training?**" in c.source for c in cells[start:]) == 1
    assert "6d" not in cells[start].source and "1. How" not in cells[start].source  # three questions, 6a-6c (20e)
    assert "**6a · The gradient against depth.**" in cells[start].source
    appendix = _cells(APPENDIX)
    why = next(c.source for c in appendix if c.source.startswith("**Why pre-norm won, which models"))
    assert "**Why pre-norm won.**" in why
    assert 'save_figure(fig, "04_depth_gradients")' in cells[start + 1].source
    assert "slope of the gradient against depth" in cells[start + 1].outputs[0]["text"]
    assert "hide-input" in cells[start + 2].metadata["tags"]
    assert cells[start + 3].source.startswith("**Answer 6a.**")  # round 18d: the answer after its printed intervals
    probe = next(i for i, c in enumerate(appendix) if "def fc2_gradient(" in c.source)
    assert appendix[probe - 1].source.startswith("Each dot of section 6a is this probe")
    welch = next(c for c in appendix if 'HTML(f"<details>' in c.source and "report.text" in c.source)
    assert "post-norm - pre-norm slope: +0.45 [+0.30, +0.60]" in welch.outputs[0]["text"]
    html = welch.outputs[-1]["data"]["text/html"]
    assert "<details>" in html and "Welch's t" in html
    shown = "".join(
        o.get("text", "")
        for c in cells[start : start + 4]
        if c.cell_type == "code" and "hide-input" not in c.metadata.get("tags", [])
        for o in c.outputs
    )
    assert "Welch" not in shown  # the statistics are in appendix A


def test_profile_cell_prints_its_ratios_and_draws_the_figure() -> None:
    # 24d (r24c_04 item 1): the picture moved back to the lesson's section 6a (shown once); appendix J prints
    assert not any("plot_gradient_profile(" in c.source for c in _cells(APPENDIX))
    cell = next(c for c in _cells() if "profiles = cached_gradient_profiles(16, seeds)" in c.source)
    text = "".join(o.get("text", "") for o in cell.outputs)
    assert "pre-norm: block 15 / block 0, per seed: 0.25, 0.20, 0.27" in text
    assert "post-norm: block 15 / block 0, per seed: 0.88, 0.41, 1.11" in text
    assert 'save_figure(fig, "04_gradient_profile")' in cell.source


def test_trained_stream_against_its_own_init() -> None:
    assert not any("def stream_norms(" in c.source for c in _cells())  # round x: moved to appendix I
    cell = next(c for c in _cells(APPENDIX) if c.source.startswith("def stream_norms("))
    assert 'ViT(**config, init="torch")' in cell.source and "stream_explorer" not in cell.source
    text = "".join(o.get("text", "") for o in cell.outputs)
    assert "trained MNIST ViT   1.6, 4.2, 6.5, 8.6, 12.7" in text and text.count("at init, seed") == 3


def test_definitions_and_wording() -> None:
    text = "\n".join(c.source for c in _cells() if c.cell_type == "markdown")
    moved = " ".join(" ".join(c.source.split()) for c in _cells(APPENDIX) if c.cell_type == "markdown")  # 20c
    assert "**near chance**" in text and "0.9 ln 10" in text and "eight at 10 %" in moved and "one at 17 %" in moved
    assert "**zero-ablation**" in text and "mean-ablation" in text
    assert "*Leveraging Batch Normalization for Vision Transformers*" in text
    code = "\n".join(c.source for c in _cells() if c.cell_type == "code")
    appendix = nbformat.read(LESSON.with_name("04_gelu_mlp_and_block_appendix.ipynb"), as_version=4).cells
    code += "\n".join(c.source for c in appendix if c.cell_type == "code")  # round 18a: LayerScale moved
    assert "h = stream + gamma * block.attn(block.norm1(stream))" in code


def test_checker_messages_point_to_sections() -> None:
    source = Path(lesson04.__file__).read_text()
    assert "exp(-x^2 / 2) / sqrt(2 pi)" not in source and "scale by weight first" not in source
    assert source.count("{_PHI_HINT}") == 3 and "Normal(0.0, 1.0).log_prob(x).exp()" in source


def test_cached_profiles_are_the_package_function() -> None:
    from vit_explained.widgets.lesson04 import cached_gradient_profiles, depth_experiment

    designs, _ = depth_experiment((3,), (0, 1))
    cached = cached_gradient_profiles(3, (0, 1))
    assert cached == gradient_profiles(seeds=(0, 1), depth=3)
    assert [run[-1] for run in cached["pre-norm"]] == designs["pre-norm"][3]


def test_mean_ablation_on_its_own_reference_changes_nothing() -> None:
    from vit_explained import ViT
    from vit_explained.plotting.lesson04 import mlp_knockout_correct, mlp_mean_ablation_correct

    torch.manual_seed(0)
    model = ViT(8, patch_size=4, num_classes=3, dim=16, depth=2, heads=2, mlp_dim=32, channels=1).eval()
    image, label = torch.rand(1, 1, 8, 8), torch.tensor([1])
    # one reference image: its branch means are its own branch outputs, so the prediction is the intact one
    assert torch.equal(
        mlp_mean_ablation_correct(model, image, label, image), mlp_knockout_correct(model, image, label)["intact"]
    )
    before = [block.mlp.fc2.weight.clone() for block in model.encoder.blocks]
    images, labels = torch.rand(6, 1, 8, 8), torch.randint(0, 3, (6,))
    assert mlp_mean_ablation_correct(model, images, labels, torch.rand(5, 1, 8, 8), chunk=2).shape == (6,)
    assert all(
        torch.equal(a, b.mlp.fc2.weight) for a, b in zip(before, model.encoder.blocks, strict=True)
    )  # model unchanged
    assert all(not block.mlp._forward_hooks for block in model.encoder.blocks)  # no hook left behind


def test_stored_knockout_has_the_mean_ablation_arm() -> None:
    from vit_explained.plotting.lesson04 import stored_mlp_knockout

    stored = stored_mlp_knockout()
    assert list(stored) == ["intact", "no_mlp", "mean_mlp", "relu", "relu_changed"] and all(
        len(v) == 1000 for v in stored.values()
    )
    assert round(100 * stored["mean_mlp"].float().mean().item(), 1) == 50.7

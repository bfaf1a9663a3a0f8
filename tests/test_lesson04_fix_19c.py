"""Lesson 04, fix 19c (review r19b_04): the MLP called the only step that can gate single features (LayerNorm is
nonlinear too); the one-token gate classes named by their gate, with GELU at the cut printed; FIXED_NORM's origin
(sigma at L = 2) printed and its match with the slope 1.33 called a coincidence; section 6 shows the picture before
the probe, with the Adam aside and the collapse analysis in appendix F; the ReLU swap and the trained seeds in
appendix C; the appendix pointers in one list; the summary's slopes with intervals; CaiT's LayerScale values;
DropPath's linear rule credited to Huang et al.; Yao et al.'s BatchNorm trade-off; the gate figure without its
unlabelled heatmap."""

from __future__ import annotations

import re

import matplotlib.pyplot as plt
import torch

from tests import _notebook as nb
from vit_explained.norm_placement import FIXED_NORM, final_norm_sigma
from vit_explained.plotting.lesson04 import GATE_CLASSES, gate_classes, plot_one_token_gates

LESSON = nb.NOTEBOOKS / "04_gelu_mlp_and_block.ipynb"
APPENDIX = nb.NOTEBOOKS / "04_gelu_mlp_and_block_appendix.ipynb"


def _main_path() -> list[dict]:
    cells = nb.cells(LESSON)
    return cells[: nb.unique_index(nb.sources(LESSON), "## Where the libraries differ")]


def test_mlp_is_the_only_step_that_can_gate_single_features() -> None:
    lesson = nb.flat("\n".join(nb.sources(LESSON)))
    appendix = nb.flat("\n".join(nb.sources(APPENDIX)))
    assert "only step that transforms one token's features nonlinearly" not in lesson
    assert "The MLP is the block's only step with an input-dependent gate on single features of a token" in lesson
    assert "(why LayerNorm and attention cannot: appendix N)" in lesson
    assert "transforms each token's features nonlinearly" not in appendix
    assert "The MLP is the only step that can gate each feature of a token on its own." in appendix


def test_gate_classes_named_by_their_gate_and_the_cut_printed() -> None:
    assert GATE_CLASSES == ("gate > 1/2", "gate 0.1-1/2", "gate < 0.1")
    cells = nb.cells(LESSON)
    at = nb.unique_index(nb.sources(LESSON), "first_digit = digits.test_images[:1]")
    printed = nb.printed(cells[at])
    assert "at the cut Phi(z) = 0.1: z = -1.28, GELU(z) = -0.128, 75 % of GELU's minimum -0.170" in printed
    assert "round(gelu(gate_cut).item(), 3) == -0.128" in nb.source(cells[at + 1]) and nb.hidden(cells[at + 1])
    prose = nb.flat(nb.source(cells[at - 1]))
    assert "off" not in prose.replace("offer", "")
    assert "at the cut $\\Phi(z) = 0.1$ GELU is still -0.128, 75 % of that minimum" in prose
    z = torch.tensor([-1.3, -1.2, 0.1], dtype=torch.float64)
    assert [int(mask.sum()) for mask, _ in gate_classes(z).values()] == [1, 1, 1]


def test_gate_figure_has_one_labelled_panel() -> None:
    fig = plot_one_token_gates(torch.linspace(-3, 2, 128))
    assert len(fig.axes) == 1 and not fig.axes[0].images  # the 8 x 16 heatmap without axis labels is gone
    assert fig.axes[0].get_xlabel() and fig.axes[0].get_ylabel()
    plt.close(fig)


def test_fixed_norm_is_sigma_at_two_blocks_printed_with_three_decimals() -> None:
    sigmas = [final_norm_sigma(2, seed) for seed in (0, 1, 2)]
    assert round(sum(sigmas) / 3, 2) == FIXED_NORM and min(sigmas) > 1.31 and max(sigmas) < 1.36
    cells = nb.cells(APPENDIX)  # 20e: the five-arm ablation moved to appendix A
    at = nb.unique_index(nb.sources(APPENDIX), "final_steps = {")
    # fix 20a: printed with 3 decimals; the note on its "coincidence" with the slope 1.33 is gone
    printed = "final LayerNorm's divisor sigma at L = 2, seeds 0-2: 1.328, 1.354, 1.317; mean 1.333; FIXED_NORM = 1.330"
    assert printed in nb.printed(cells[at])
    assert nb.hidden(cells[at + 1]) and "FIXED_NORM == 1.33" in nb.source(cells[at + 1])
    prose = nb.flat(nb.source(cells[nb.unique_index(nb.sources(APPENDIX), "**The five-arm final-step ablation**")]))
    assert "`FIXED_NORM` = 1.330 (about $\\sigma$ at L = 2)" in prose  # 20c: shorter


def test_section_six_picture_first_and_asides_moved_to_appendix_f() -> None:
    cells = nb.cells(LESSON)
    start = nb.unique_index(nb.sources(LESSON), "## 6 · Where the norm sits")
    picture = next(i for i, c in enumerate(cells) if 'save_figure(fig, "04_depth_gradients")' in nb.source(c))
    probe = nb.unique_index(nb.sources(APPENDIX), "def fc2_gradient(")  # 21a: the probe in appendix A
    assert start < picture and probe > 0
    lesson = "\n".join(nb.sources(LESSON))
    for gone in ("grads = torch.randn(5, 4", "collapse_steps(", "45-56", "142-171"):
        assert gone not in lesson, gone
    appendix = nb.cells(APPENDIX)
    f, g = nb.unique_index(nb.sources(APPENDIX), "## F ·"), nb.unique_index(nb.sources(APPENDIX), "## G ·")
    assert (
        f
        < nb.unique_index(nb.sources(APPENDIX), "grads = torch.randn(5, 4")
        < nb.unique_index(nb.sources(APPENDIX), "collapse = collapse_steps(")
        < g
    )
    assert nb.hidden(appendix[nb.unique_index(nb.sources(APPENDIX), "collapse = collapse_steps(") + 1])
    assert "Adam against SGD" in nb.flat(  # 21a: the lesson's pointer to appendix F is in its appendix list
        nb.source(nb.cells(LESSON)[nb.unique_index(nb.sources(LESSON), "**More in [04 · Appendix]")])
    )


def test_relu_swap_moved_to_appendix_c() -> None:
    cells = nb.cells(LESSON)
    section_one = cells[nb.unique_index(nb.sources(LESSON), "## 1 ·") : nb.unique_index(nb.sources(LESSON), "## 2 ·")]
    assert not any("stored_mlp_knockout" in nb.source(c) or "trained_gaps" in nb.source(c) for c in section_one)
    link = "[appendix C](04_gelu_mlp_and_block_appendix.ipynb)"
    pointer = [nb.source(c) for c in section_one if link in nb.source(c)]
    assert len(pointer) == 1
    appendix = nb.cells(APPENDIX)
    swap = nb.unique_index(nb.sources(APPENDIX), "swap = stored_mlp_knockout()")
    assert nb.unique_index(nb.sources(APPENDIX), "## C ·") < swap < nb.unique_index(
        nb.sources(APPENDIX), "## D ·"
    ) and nb.hidden(appendix[swap + 1])
    assert "paired t-interval -0.2 [-3.8, +3.4]" in nb.printed(appendix[swap])


def test_appendix_pointers_gathered_in_one_list() -> None:
    main = [nb.source(c) for c in _main_path() if c["cell_type"] == "markdown"]
    listing = nb.unique_index(nb.sources(LESSON), "**More in [04 · Appendix]")
    inline = [s for s in main if "appendix" in s.lower() and not s.startswith("**More in [04 · Appendix]")]
    links = sum(len(re.findall(r"\[appendix [A-O]\]", s)) for s in inline)
    assert links <= 5, links
    assert sum(s.count("appendix K") for s in main) == 1  # K named once inline, with one meaning
    text = nb.source(nb.cells(LESSON)[listing])
    for letter in "ABCDEFGHIJKLMNO":
        assert f"**{letter}**" in text, letter
    heading = next(s for s in nb.sources(APPENDIX) if s.startswith("## K ·"))
    assert heading.startswith("## K · LayerNorm, BatchNorm and the block as a class")


def test_summary_slopes_with_intervals_and_its_pointers() -> None:
    summary = nb.flat(nb.source(nb.cells(LESSON)[nb.unique_index(nb.sources(LESSON), "## Summary")]))
    # 24d: the intervals printed only, not in the Summary
    assert "about as $L^{-0.47}$" in summary and "Post-norm's shows no detectable trend." in summary
    printed = "".join(nb.printed(c) for c in nb.cells(LESSON))
    assert "pre-norm   L^-0.47 [-0.62, -0.32]" in printed and "post-norm  L^-0.02 [-0.29, +0.26]" in printed
    assert "ReLU changes" not in summary and "near zero" not in summary  # 22c: moved to the appendix's summary
    appendix = nb.sources(APPENDIX)
    assert "ReLU changes 22 of 1,000 predictions" in nb.flat(appendix[nb.unique_index(appendix, "## Summary")])
    assert "CaiT: 0.1 up to 18 blocks, 1e-5 at 24, 1e-6 deeper" in summary


def test_drop_path_credits_huang_and_layer_scale_gives_cait_values() -> None:
    text = nb.flat(
        nb.source(
            nb.cells(LESSON)[
                nb.unique_index(nb.sources(LESSON), "**Two more things timm's `Block` can put on a branch.**")
            ]
        )
    )
    assert "timm's schedule is Huang et al.'s linear decay, shifted by one block and stretched" in text  # 19d
    assert "Huang et al. scale each branch by its survival probability at test time" in text
    assert "CaiT uses 0.1 up to 18 blocks, 1e-5 at 24, 1e-6 deeper" in text


def test_batchnorm_trade_off_from_yao_et_al() -> None:
    sources = nb.sources(APPENDIX)  # fix 20e: moved to appendix K, the lesson keeps one pointer
    text = nb.flat(sources[nb.unique_index(sources, "**BatchNorm in a ViT** (moved from the lesson's section 4).")])
    assert '"as effective as the LN-based counterpart and is about 20% faster"' in text  # fix 20c: the abstract

"""Lesson 01, review r21j: section 8 measures locality (one pixel through one ViT block against one and two
3x3 convs, a picture before the numbers), section 8 gives the trained model's one-patch-shift cost as a number,
section 5 compares a mean change with a mean size, four cells read as full sentences, and exercise 5 calls the
reference with keywords."""

from __future__ import annotations

import torch

from tests import _notebook as nb

LESSON = nb.NOTEBOOKS / "01_patches_and_embeddings.ipynb"
SOLUTIONS = nb.NOTEBOOKS / "solutions" / "01_patches_and_embeddings_solutions.ipynb"


def _section_eight() -> list[dict]:
    sources = nb.sources(LESSON)
    start, end = nb.unique_index(sources, "## 8 ·"), nb.unique_index(sources, "## 9 ·")
    return nb.cells(LESSON)[start:end]


# --- items 1 and 5: the locality probe, one picture, printed and checked ---------------------------------------


def test_the_locality_probe_is_drawn_before_its_counts_and_checked() -> None:
    eight = _section_eight()
    (probe,) = [c for c in eight if "one_pixel_reach(" in nb.source(c)]
    assert not nb.hidden(probe) and "plot_pixel_reach(" in nb.source(probe)
    kinds = ["image" if "image/png" in o.get("data", {}) else "text" for o in probe["outputs"]]
    assert kinds[0] == "image"  # the picture first, then its numbers
    printed = nb.printed(probe)
    for line in (
        "after the input step (z0):   1 of    197 output positions change",  # 22f: z0, not the embedding
        "after one ViT block:    197 of    197 output positions change",
        "after one 3x3 conv:       9 of 50,176 output positions change",
        "after two 3x3 convs:     25 of 50,176 output positions change",
    ):
        assert line in printed, line
    check = eight[eight.index(probe) + 1]
    assert nb.hidden(check) and '"one ViT block": (197, 197)' in nb.source(check)
    assert '"two 3x3 convs": (25, 50_176)' in nb.source(check)


def test_the_text_rests_the_patch_cut_sentence_on_the_measurement() -> None:
    text = nb.flat(" ".join(nb.source(c) for c in _section_eight() if c["cell_type"] == "markdown"))
    said = "one changed pixel changes 1 of the 197 tokens after the input step (z0), "
    said += "and all 197 after one vit block"
    # 22f: z0 named (the class token and positions are in it), not the patch embedding
    assert said in text.lower()
    assert "One 3x3 conv changes 9 pixels, and two convs change 25" in text
    # 24b: the same point, qualified as the stem probe shows: the patch cut is local like a strided stem
    assert text.index("and two convs change 25") < text.index("what sets a ViT apart is the global attention")
    assert "strided CNNs are equivariant only to shifts by multiples of their stride" in text
    assert "ResNet-50's total stride" not in text  # 22i: dropped; it read as "a ViT is more shift-equivariant"


def test_one_pixel_reach_counts_neighbourhoods_and_every_token() -> None:
    from vit_explained import ViT
    from vit_explained.plotting.lesson01 import one_pixel_reach, plot_pixel_reach

    torch.manual_seed(0)
    image = torch.rand(1, 3, 32, 32)
    vit = ViT(image_size=32, patch_size=8, num_classes=10, dim=32, depth=1, heads=2, mlp_dim=64)
    reach = one_pixel_reach(image, vit, pixel=(10, 20))
    counts = {name: int(changed.sum()) for name, changed in reach.items()}
    assert counts == {"the input step (z0)": 1, "one ViT block": 17, "one 3x3 conv": 9, "two 3x3 convs": 25}
    assert reach["one 3x3 conv"][9:12, 19:22].all() and reach["two 3x3 convs"][8:13, 18:23].all()
    fig = plot_pixel_reach(image[0], reach, pixel=(10, 20))
    (block,) = [ax for ax in fig.axes if ax.get_title().startswith("one ViT block")]  # 22c: not the first panel
    assert len(fig.axes) >= 3 and "17 of 17 tokens" in block.get_title()


# --- item 2: the trained model's number in section 8 ---------------------------------------------------------------


def test_section_8_gives_the_one_patch_shift_cost_and_points_to_its_cell() -> None:
    text = nb.flat(" ".join(nb.source(c) for c in _section_eight() if c["cell_type"] == "markdown"))
    assert "a one-patch shift costs 9.2 points [7.3, 11.2] (1,000 digits, paired, 95 %), printed in" in text
    assert "With the table zeroed, 0 verdicts differ, as it must" in text  # 22f: an identity, said so
    appendix = nb.all_printed(nb.NOTEBOOKS / "01_patches_and_embeddings_appendix.ipynb")
    assert "shifted one patch - unshifted: -9.2 points, 95 % interval [-11.2, -7.3]" in appendix
    assert "table zeroed: 0 verdicts differ, shifted or not" in appendix


# --- item 3: like with like --------------------------------------------------------------------------------------


def test_the_untrained_shuffle_compares_a_mean_with_a_mean() -> None:
    appendix = nb.NOTEBOOKS / "01_patches_and_embeddings_appendix.ipynb"  # 22c: moved to appendix C
    sources = nb.sources(appendix)
    at = nb.unique_index(sources, "mean_change = (outputs[0] - outputs[1])")
    assert "with positions, mean change                0.013 (mean vs mean)" in nb.printed(nb.cells(appendix)[at])
    assert '"0.013"' in sources[at + 1] and nb.hidden(nb.cells(appendix)[at + 1])
    said = nb.flat(sources[at + 2])
    assert "each number moves by 0.013 on average, against a mean size of 0.8" in said
    assert "small next to the output's typical size" not in said


# --- item 4: full sentences; Table 8 in its own paragraph ---------------------------------------------------------


def test_the_four_cells_drop_their_colon_chains() -> None:
    text = nb.flat(nb.all_text(LESSON))
    for old in (
        "removes the positions from a model **trained with them**: not the paper's ablation",
        "The simplest 2-D kernel to write by hand; PyTorch's default corners.",
        "the paper's point is a CNN's 2-D locality in every layer (untrained layers here, shifts with wrap-around)",
        "(64.0 %, 64.0 % vs 64.2 %; one run each, no error bars)",
    ):
        assert old not in text, old
    shuffle = nb.source(nb.cells(LESSON)[nb.unique_index(nb.sources(LESSON), "Shuffling the patches costs")])
    paragraphs = shuffle.split("\n\n")
    (table8,) = [p for p in paragraphs if "Table 8" in p]
    assert table8.startswith("**What the paper found.**") and "Shuffling" not in table8


def test_the_main_path_stays_within_its_caps() -> None:
    import re

    cells = nb.cells(LESSON)
    visible = [c for c in cells if not nb.hidden(c)]
    end = next(i for i, c in enumerate(visible) if re.match(r"#+ .*Summary", nb.source(c)))
    main = visible[:end]
    assert len(main) <= 50
    assert sum(len(nb.source(c).split()) for c in main if c["cell_type"] == "markdown") <= 2966


# --- item 5 of the brief: exercise 5 calls the reference with keywords ---------------------------------------------


def test_exercise_5_calls_the_reference_with_keywords() -> None:
    for path in (LESSON, SOLUTIONS):
        prompt = nb.source(nb.cells(path)[nb.unique_index(nb.sources(path), "### Exercise 5")])
        assert "interpolate_positions(pos_embedding, new_grid=new_grid, old_grid=old_grid," in nb.flat(prompt)
        assert "it takes the **new** grid first" not in prompt

"""Lesson 01 fixes for review r24c_01: section 8 ties the paper's 2-D neighbourhood to sections 6 and 7; the locality
probe prints its reach in image pixels too; the record / shuffle / zeroed-table / picture cell and the reach / shift
cell are split; the Summary marks the appendix-only bullet and cuts bullet 8 to two sentences; Table 8's caption is
quoted; cells 33 and 44 say their evidence before their claim; exercise 1 names timm's check and appendix E."""

from __future__ import annotations

import json
import re

from tests import _notebook as nb

LESSON = nb.NOTEBOOKS / "01_patches_and_embeddings.ipynb"
APPENDIX = nb.NOTEBOOKS / "01_patches_and_embeddings_appendix.ipynb"
SOLUTIONS = nb.NOTEBOOKS / "solutions" / "01_patches_and_embeddings_solutions.ipynb"


def _text(start: str, path=LESSON) -> str:
    sources = nb.sources(path)
    return nb.flat(sources[nb.unique_index(sources, start)])


def _main_path() -> list[dict]:
    visible = [c for c in nb.cells(LESSON) if not nb.hidden(c)]
    end = next(i for i, c in enumerate(visible) if re.match(r"#+ .*Summary", nb.source(c)))
    return visible[:end]


def test_item1_the_2d_neighbourhood_is_tied_to_sections_6_and_7() -> None:
    eight = _text("In plain words: the patch cut follows only whole-patch shifts")
    said = "The 2-D neighbourhood is not built in: the 1-D table has to learn it (section 6: partly, in descriptive "
    said += "counts), and the resize puts it back (section 7: 2-D beats 1-D by 45.8 points, without fine-tuning)."
    assert said in eight
    assert eight.index("translation equivariance.") < eight.index(said)  # right after the paper's three properties
    six = _text("A table of token order only (the sinusoid line)")
    assert "These counts are descriptive, with no test" in six
    assert "2-D bilinear beats it by +45.8 points [+41.6, +50.2]" in _text("**What the accuracies show**", APPENDIX)


def test_item2_the_reach_is_printed_in_pixels_too() -> None:
    sources, cells = nb.sources(LESSON), nb.cells(LESSON)
    at = nb.unique_index(sources, "reach = one_pixel_reach(x, vit, pixel=(100, 100))")
    printed = nb.printed(cells[at])
    said = "the same reach in image pixels (1 patch token = a 16x16 window, 256 pixels per channel): "
    said += "the input step (z0) 256, one ViT block 50,176, one 3x3 conv 9, two 3x3 convs 25; the image has 50,176"
    assert said in printed
    assert nb.hidden(cells[at + 1]) and 'assert window == {"the input step (z0)": 256' in sources[at + 1]
    eight = _text("In plain words: the patch cut follows only whole-patch shifts")
    assert "In pixels, that token is a 16x16 window (256 pixels per channel)." in eight
    assert eight.index("One 3x3 conv changes 9 pixels") < eight.index("256 pixels per channel")


def test_item3_the_big_cells_are_split_within_the_cap() -> None:
    sources, cells = nb.sources(LESSON), nb.cells(LESSON)
    steps = ("checkpoint_info()", "shuffle_counts = stored_shuffle_counts()", "off_plain, off_shuffled = (")
    steps += ("guessed = mnist_vit(",)
    at = [nb.unique_index(sources, step) for step in steps]
    assert at == [at[0], at[0] + 2, at[0] + 4, at[0] + 6]  # four cells, each followed by its hidden check
    assert all(nb.hidden(cells[i + 1]) for i in at)
    assert "plot_shuffled_digits(" in sources[at[3]] and "plot_shuffled_digits(" not in sources[at[1]]
    reach = nb.unique_index(sources, "reach = one_pixel_reach(")
    shift = nb.unique_index(sources, "stem = nn.Sequential(")
    assert shift == reach + 2 and "one_pixel_reach(" not in sources[shift] and "stem_gap" not in sources[reach]
    assert "stem_gap[4] < 1e-5" in sources[shift + 1] and "counts == {" in sources[reach + 1]
    main = _main_path()
    assert len(main) <= 50 and nb.markdown_words(main) <= 2_900, (len(main), nb.markdown_words(main))
    lines = [sources[i].count("\n") + 1 for i in (*at, reach, shift)]
    assert max(lines) <= 21, lines  # was one cell of 38 lines and one of 31


def test_item4_the_summary_marks_the_appendix_bullet_and_cuts_bullet_8() -> None:
    summary = _text("## Summary")
    # 24f: the bullet moved to appendix A
    assert "- **A trained table (appendix A):**" in _text("### Section 6's readings beyond", APPENDIX)
    assert "(6 and appendix A)" not in summary
    bullet = next(b for b in summary.split("- **") if b.startswith("More data (8)"))
    bullet = bullet.split(" Next:")[0]
    assert bullet.count(". ") == 1 and bullet.rstrip().endswith(".")  # two sentences
    assert "DeiT" not in bullet and "9.2 points" not in bullet


def test_item5_table_8s_caption_is_quoted() -> None:
    text = _text("### The paper's Table 8 (section 5)", APPENDIX)  # 24f: moved to appendix B
    caption = "Results of the ablation study on positional embeddings with ViT-B/16 model evaluated on ImageNet "
    caption += "5-shot linear"
    assert f'Its caption reads "{caption}"' in text
    assert "Like the caption, D.4 does not name the pre-training data." in text
    assert "so 64.2 % is not the accuracy of a model trained on ImageNet alone" not in text  # unknown, not ruled out


def test_item6_evidence_before_claim() -> None:
    text = _text("The conv kernel **is** the `Linear` weight, reordered.")
    assert text.startswith("As printed, the three routes agree. The conv kernel **is** the `Linear` weight, reordered.")
    small = _text("Without positions, the output moves only by float32 rounding.")
    assert "With them, the largest change is 0.05, against the output's largest number, 3.4. The fresh table" in small
    assert "0.8 (appendix C)" not in small
    reading = _text("**What the accuracies show**", APPENDIX)  # 24f: moved to appendix B
    assert "- **Resized in 2-D.** Both kernels' intervals stay within 4 points of 28x28. Bicubic shows" in reading
    sources = nb.sources(LESSON)
    check = sources[nb.unique_index(sources, 'points["bilinear at the new size"] == (-2.0, -3.8, -0.3)')]
    assert 'min(points["new size"][1], points["bilinear at the new size"][1]) > -4' in check


def test_item7_exercise_1_names_timms_check_in_both_notebooks() -> None:
    # 24f: the timm aside moved to appendix E's "An image the patch does not divide"; exercise 1 points there
    said = (
        "timm's `PatchEmbed` (timm 1.0.28, `timm/layers/patch_embed.py`, tag v1.0.28, commit `8ef7380`) has two "
        "switches: with `strict_img_size=True` (the default) it asserts that the image is exactly `img_size`; with "
        "`strict_img_size=False` it asserts only that the patch divides each side. `dynamic_img_pad=True` pads"
    )
    assert said in _text("The `Conv2d` quietly reads a `224x224` crop", APPENDIX)
    lesson = _text("### Exercise 1 · Count the tokens")
    pointer = "(appendix E: an image the patch does not divide)"
    assert pointer in lesson
    assert lesson == _text("### Exercise 1 · Count the tokens", SOLUTIONS)
    assert json.loads(LESSON.read_text())["nbformat"] == 4

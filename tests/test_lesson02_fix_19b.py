"""Lesson 02, fix round 19b (review r19a_02): "held whole" told once in the main path, led by same-stride pairs;
the box rule stated once; the appendix table prints only its new row and says the padding moves the grid; the
cross-references name the right sections; T2T placed among overlapping patch embeddings; the appendix run of
lesson 07's module cut to what is new."""

import re

from tests import _notebook as nb

LESSON = nb.NOTEBOOKS / "02_soft_split_token_counting.ipynb"


def _cells() -> list[dict]:
    return nb.cells(LESSON)


def _index(text: str) -> int:
    (index,) = [i for i, c in enumerate(_cells()) if text in nb.source(c)]
    return index


def _markdown() -> list[str]:
    return [nb.flat(nb.source(c)) for c in _cells() if c["cell_type"] == "markdown"]


def test_section_3_leads_with_same_stride_pairs():
    cells = _cells()
    paragraph = nb.flat(nb.source(cells[_index("### Held whole, counted")]))  # round 22e: moved to the appendix
    # only the 2 x 4 result: the run rule, the box rule's statement and the padding ablation are in the appendix
    assert "(k - s + 1) x (k - s + 1)" not in paragraph and "padding-or-kernel" not in paragraph
    pair = "At stride 4, T2T's split 1 `(7, 4, 2)` holds it whole at 100 % of them, 4 x 4 patches at 19.1 %."
    assert pair in paragraph
    # round 19c (review r19b): the stride-16 pair and its caveat moved to Going further, "What each token holds"
    assert "77.6 %" not in paragraph and "At ViT's stride 16" not in paragraph and "(31, 16, 14)" not in paragraph
    printed = nb.printed(cells[_index("whole = {split: share_held_whole(224")])
    lines = printed.splitlines()
    assert lines[0] == (
        "2 x 4 piece on 224 x 224, placements held whole at stride 4: (4, 4, 0) 19.1 %, (7, 4, 2) 100.0 %"
    )
    footprint = nb.printed(cells[_index("footprints = chain_footprints(T2T_SPLITS)")])
    assert footprint.splitlines()[-1] == (
        "2 x 4 piece on 224 x 224, placements held whole at stride 16: (16, 16, 0) 77.6 %, (31, 16, 14) 100.0 %"
    )


def test_the_shares_print_once():
    text = nb.all_printed(LESSON)
    assert text.count("19.1 %") == 1 and text.count("77.6 %") == 1  # section 3, and the footprint
    assert text.count("19.1%") == text.count("77.6%") == 1  # round 21a: the controls table, once
    assert text.count("(31, 16, 14) 100.0 %") == 1
    assert "18.6%" in text  # round 21a: the controls table


def test_the_box_rule_is_stated_once_and_the_kernel_proof_is_merged():
    text = " ".join(_markdown())
    assert "Why the kernel wins" not in text and "**Terms**" not in text and "*Box rule*" not in text
    assert text.count("**The box rule.**") == 1 and text.count("box lies whole in some window") == 1
    assert "At ViT's stride 16, T2T's final tokens hold 100 %" in text  # once: in section 3, not again in the appendix
    assert text.count("T2T's final tokens hold 100 %") == 1
    rule = nb.flat(nb.source(_cells()[_index('<a id="box-rule"></a>**The box rule.**')]))
    assert "In the run strip above" in rule and "k - s + 1 = 4`: the run rule" in rule


def test_the_appendix_prints_only_the_new_row_and_names_the_grid_change():
    cells = _cells()
    row = _index("controls = {  # (kernel, stride, padding)")  # round 21a: one table
    table = {line[:13].strip(): line[45:].split() for line in nb.printed(cells[row]).splitlines()[2:]}
    assert table["(4, 4, 2)"] == ["1", "57", "48", "18.6%", "0"]
    assert "57 windows per side instead of 56 (T2T's 7 x 7 kernel keeps 56)" in nb.flat(nb.source(cells[row - 1]))
    assert "each row of the table changes one thing" not in " ".join(_markdown()).lower()
    claim = nb.flat(nb.source(cells[_index("Padding alone moves the share")]))
    assert "keeps the grid at 56 windows per side" in claim


def test_cross_references_name_the_right_section():
    text = nb.all_text(LESSON)
    assert "section 2's 4 x 6 image" not in text and "On section 1's 4 x 6 image" in text
    assert "section 3's coverage" not in text
    assert "# section 2's coverage" in text and "is section 2's coverage times `x`" in text
    assert "section 1's 4 x 6 image under `(3, 2, 1)`" in text


def test_t2t_among_overlapping_patch_embeddings():
    stem = nb.flat(nb.source(_cells()[_index('<a id="conv-stem"></a>')]))
    assert "*overlapping patch embedding*" in stem
    for cited in ('Xiao et al. 2021, "Early convolutions help transformers see better"', "CvT, Wu et al. 2021",
                  "PVTv2, Wang et al. 2022", "Overlap is not unique to T2T."):  # fmt: skip
        assert cited in stem, cited
    section_4 = nb.flat(nb.source(_cells()[_index("**A soft split is half a convolution.**")]))
    assert "with `k > s`, an overlapping patch embedding, like the convolutional stems of later ViTs" in section_4


def test_lesson_07_module_cut_to_what_is_new():
    cells = _cells()
    start = _index('<a id="chain-run"></a>')
    part = cells[start:]
    visible = [c for c in part if "hide-input" not in c["metadata"].get("tags", [])]
    assert len(visible) <= 5  # heading, reshape (prose + picture), run (prose + code); was 9
    assert not any("inspect.getsource" in nb.source(c) for c in part)
    assert sum("soft split 1: (1, 3136, 147)" in nb.printed(c) for c in cells) == 1  # the stage line prints once
    link = "lesson 07's appendix B](07_tokens_to_token_vit_appendix.ipynb#whole-module)"
    assert link in nb.flat(nb.source(cells[start]))
    check = nb.source(cells[_index("unfold_counts = [tokens_1") + 1])
    assert "torch.equal(stage_1[0], image_1)" in check and "unfold_counts == [3136, 784, 196]" in check


def test_no_round_wording():
    assert not re.search(r"\b(round|session) \d", nb.all_text(LESSON), re.IGNORECASE)

"""Lesson 07, review r24d: the Summary's field says what the token transformers add, section 3 keeps to the token
scale (the backbone's in appendix fact 3, labelled an inference), section 6 says what its intervals cover and lists
appendix A's overlap result, Table 6 printed where section 4 uses it, and the widget opens on T2T's own chain."""

from tests import _notebook as nb
from vit_explained.widgets.lesson07 import t2t_chain_widget

LESSON = nb.NOTEBOOKS / "07_tokens_to_token_vit.ipynb"
APPENDIX = nb.NOTEBOOKS / "07_tokens_to_token_vit_appendix.ipynb"


def _cell(path, text: str) -> dict:
    sources = nb.sources(path)
    return nb.cells(path)[nb.unique_index(sources, text)]


def test_the_main_path_does_not_grow():
    main = nb.main_path(LESSON)
    assert len(main) <= 50 and nb.markdown_words(main) <= 2756  # 2,756 before this fix


def test_the_summary_field_includes_the_token_transformers():  # item 3
    summary = nb.flat(nb.source(_cell(LESSON, "## Summary")))
    assert "31 x 31 pixels through the soft splits; with the token transformers, every pixel" in summary
    printed = nb.all_printed(LESSON)
    assert "soft splits only: 31 x 31" in printed
    assert "the first final token of Tokens2Token, token transformers included: 784" in printed


def test_section_3_keeps_to_the_token_scale_and_fact_3_labels_the_inference():  # item 2
    scale = nb.flat(nb.source(_cell(LESSON, "**The scale uses the input width: `qk_scale`.**")))
    assert "The released weights run it at 1/8 too" not in scale and "--pretrained" not in scale
    assert scale.count("backbone") == 1
    porters = nb.flat(nb.all_text(APPENDIX))
    assert "the released weights run it at 1/8 (fact 3): an inference from two reported results" in porters
    assert "So 1/8 is an inference from these two results, not a statement by the authors" in porters
    assert "timm's open PR #2426 reports 81.69 %" in porters and "without `--pretrained`" in porters


def test_section_6_says_what_the_interval_covers():  # item 4
    arms = nb.flat(nb.source(_cell(LESSON, "**The token-MLP arm.**")))
    assert "(95 % t-interval [-2.2, -0.2]). All seeds share these 180 digits" in arms
    assert "(8x8, upsampled to 48x48), so an interval covers seed variation only;" in arms
    assert "-1.2 points is about 2 digits. No benefit" in arms
    assert "2.2 of the 180 digits" in nb.all_printed(LESSON)


def test_the_overlap_row_with_its_interval_marked_several_changes():  # item 1
    printed = nb.all_printed(LESSON)
    assert (
        "no overlap (appendix A) | several changes: no overlap, smaller windows | +3.1 [+2.5, +3.8] (digits, 6 seeds)"
        in printed
    )
    check = nb.sources(LESSON)[nb.unique_index(nb.sources(LESSON), '"t2t_overlap_control.md").exists()')]
    assert check.startswith("# @title A check") and '["+3.1", "+2.5", "+3.8"]' in check


def test_table_6_is_printed_and_checked_in_section_4():  # item 5
    sources = nb.sources(LESSON)
    printing = nb.unique_index(sources, "the paper's Table 6, ViT, single runs")
    assert printing < nb.unique_index(sources, "## 5.")
    printed = nb.printed(nb.cells(LESSON)[printing])
    assert "8 x 768 (ViT-S/16 of the T2T paper) | 48.6M | 10.1G | 78.1 %" in printed
    assert "16 x 384 (ViT-DN, deep-narrow) | 24.5M | 5.5G | 79.0 %" in printed
    check = sources[printing + 1]
    assert check.startswith("# @title A check") and "== 0.9" in check and "[0.5, 0.54]" in check
    assert "(printed below): deep-narrow is 0.9 points higher" in nb.flat(sources[printing - 1])


def test_the_widget_opens_on_t2ts_chain_and_the_prose_names_the_four_split_preset():  # item 8
    widget = t2t_chain_widget(custom=((3, 2, 1),) * 4)
    assert widget.controls["splits"].value.startswith("T2T-ViT")
    explore = nb.flat(nb.source(_cell(LESSON, "## Explore · The T2T chain")))
    assert "It opens on T2T-ViT's own chain." in explore
    assert 'The preset "four splits: (3,2,1) x 4" has the same 31 x 31 field' in explore
    assert "16 times T2T's attention entries" in explore
    code = nb.sources(LESSON)[nb.unique_index(nb.sources(LESSON), "chain_explorer = t2t_chain_widget(")]
    assert "t2t_chain_widget(custom=four_splits)" in code and "t2t_chain_widget(splits=" not in code

"""Lesson 07, review r19e: the +-0.5-point sampling margin on the published gaps says what it leaves out,
selection on the same 50,000 validation images (T2T keeps its best checkpoint by that top-1)."""

from __future__ import annotations

from tests import _notebook as nb

LESSON = nb.NOTEBOOKS / "07_tokens_to_token_vit.ipynb"
APPENDIX = LESSON.with_name("07_tokens_to_token_vit_appendix.ipynb")  # the lesson, then its appendix notebook


def test_the_sampling_margin_names_the_selection_bias():
    cell = next(
        s for s in (nb.sources(LESSON) + nb.sources(APPENDIX)) if s.startswith("## Appendix · Sources")
    )  # 20c: moved there
    text = nb.flat(cell)
    assert "It also leaves out selection" in text
    assert "biased upward" in text and "the +-0.5 does not cover" in text


def test_t2t_vit_t_14_is_said_to_have_narrower_mlps_than_deit_s():
    text = nb.flat(nb.all_text(LESSON) + "\n" + nb.all_text(APPENDIX))
    assert "it is not narrower" not in text
    assert "has narrower MLPs (1152 hidden against 1536)" in text
    # 24c (review r24b item 2): the Summary's ratio line left; section 4 names both MLP ratios
    assert "DeiT-S**: 12 blocks of width 384, 6 heads, MLP ratio 4." in text and "6 heads, MLP ratio 3." in text

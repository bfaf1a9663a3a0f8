"""Lesson 07, fixes for review r23d_07 (items 7, 2, 5): section 3 tells porters, in its own words, that the backbone
runs at head_dim ** -0.5 = 1/8 and that the original's pretrained=True sets 384 ** -0.5 (2.45 times smaller, no
weights loaded), with the ratio printed and checked; the Summary's pointer names appendix A, where the no-overlap
numbers are; the negative control says that only the first token attention gets the slip."""

from __future__ import annotations

from tests import _notebook as nb

LESSON = nb.NOTEBOOKS / "07_tokens_to_token_vit.ipynb"
APPENDIX = nb.NOTEBOOKS / "07_tokens_to_token_vit_appendix.ipynb"


def _index(text: str) -> int:
    return nb.unique_index(nb.sources(LESSON), text)


def test_section_3_names_the_backbone_scale_for_porters_and_prints_the_ratio():
    # 24a (review r23f item 4): the porters' sentence left section 3 (appendix fact 3 covers it); the same facts,
    # the 2.45 ratio printed and checked, are looked up in the appendix
    cells = nb.cells(LESSON)
    index = _index("**The scale uses the input width: `qk_scale`.**")
    scale = nb.flat(nb.sources(LESSON)[index])
    # 24e (review r24d item 2): the backbone part tightened to one pointer; the 1/8 default is stated in fact 3
    # 24g (review r24f item 1): the pointer left the sentence defining ViT's scale; it follows the code quote
    assert "its fact 3 gives the released weights' backbone scale" in scale and "**For porters**" not in scale
    assert "backbone at `head_dim ** -0.5` = 1/8, as `T2TViT` does" in nb.flat(nb.all_text(APPENDIX))
    assert "qk_scale=384 ** -0.5" not in scale  # 21i's negative pin stands
    assert "pretrained=True" not in nb.printed(cells[index + 1])
    appendix_sources, appendix_cells = nb.sources(APPENDIX), nb.cells(APPENDIX)
    porters = nb.flat(appendix_sources[nb.unique_index(appendix_sources, "## Appendix · For porters")])
    assert "`qk_scale=384 ** -0.5`, only with `pretrained=True`, which loads no weights" in porters
    assert "the released weights run it at 1/8 (fact 3)" in porters
    assert "backbone scores at 1/8 over 384 ** -0.5: 2.45x" in nb.all_printed(APPENDIX)
    (check,) = [c for c in appendix_cells if "round(default_scale / branch_scale, 2) == 2.45" in nb.source(c)]
    assert nb.hidden(check)


def test_the_summary_points_to_section_6_and_appendix_a():
    summary = nb.flat(nb.sources(LESSON)[_index("## Summary")])
    # 24c (review r24b item 2): one recap line per section; section 6 points to appendix A
    assert "(section 6)." in summary and "the numbers are in section 6." not in summary
    assert "Its part A races T2T's chain" in nb.flat(nb.sources(LESSON)[_index("## 6. Does T2T help?")])


def test_the_negative_control_says_only_the_first_token_attention_is_perturbed():
    text = nb.flat(nb.sources(LESSON)[_index("Is `T2TViT` the original model?")])
    assert "only the first token attention gets the likely slip, 1/sqrt(token_dim) = 1/4 (not 1/7)" in text
    assert "the original's first token attention gets the likely slip" not in text


def test_the_main_path_did_not_grow():
    main = nb.main_path(LESSON)
    assert len(main) <= 50 and nb.markdown_words(main) <= 2940


def test_the_nested_windows_draw_one_shaded_part_and_the_others_dashed():
    # review r23d item 4: three overlapping 15-px parts read as three boxes, not as stripes of shade
    import matplotlib.pyplot as plt
    import torch

    from vit_explained.plotting.lesson07 import plot_nested_windows
    from vit_explained.t2t import T2T_SPLITS

    fig = plot_nested_windows(torch.rand(1, 64, 64), T2T_SPLITS)
    for ax in fig.axes[1:]:
        parts = ax.patches[:-1]
        assert [p.get_facecolor()[3] > 0 for p in parts] == [True, False, False]
        assert parts[0].get_linestyle() == "-" and all(p.get_linestyle() != "-" for p in parts[1:])
        assert "1 shaded, 2 dashed" in ax.get_title()
    plt.close(fig)

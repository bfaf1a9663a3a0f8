"""Lesson 07, fixes for review r21d: the checkpoint-selection sentence names only T2T's main.py, each model's MACs
ratio, the folded channels' caption says what the picture shows, Table 7's hard-patch row is flagged where its 2.0
is quoted, T2T-ViT_c-14's stem and the backbone's qk_scale are named in the lesson, the source scan lives in the
appendix, and the parameter picture's legend points at the panel that shows the T2T module."""

from __future__ import annotations

import matplotlib.pyplot as plt

from tests import _notebook as nb
from vit_explained.plotting.lesson07 import PARAMETER_PARTS_SPLIT, plot_parameter_parts

LESSON = nb.NOTEBOOKS / "07_tokens_to_token_vit.ipynb"
APPENDIX = nb.NOTEBOOKS / "07_tokens_to_token_vit_appendix.ipynb"


def _section(heading: str) -> str:
    sources = nb.sources(LESSON)
    return nb.flat(sources[nb.unique_index(sources, heading)])


def _main_path_text() -> str:
    cells = nb.cells(LESSON)
    summary = next(i for i, c in enumerate(cells) if nb.source(c).startswith("## Summary"))
    return nb.flat("\n".join(nb.source(c) for c in cells[:summary] if c["cell_type"] == "markdown"))


def test_checkpoint_selection_is_said_only_of_t2t_main_py():
    section_6 = _section("## 6. Does T2T help?")
    assert "picked on those same images" not in section_6  # it was said of every number, DeiT-S's included
    assert 'each number is one run (appendix, "Sources")' in section_6  # r22g item 3: the selection moved there
    sources = nb.sources(APPENDIX)  # the appendix shows the selection and the count
    appendix = nb.flat(sources[nb.unique_index(sources, "## Appendix · Sources")])
    selection = appendix.split("It also leaves out selection:")[1].split("**The paper's Table 6**")[0]
    assert (
        "each number is one run, and T2T's `main.py` keeps the EMA checkpoint with the best top-1 of its 310"
        " per-epoch evaluations on those same images" in selection
    )
    assert "DeiT" not in selection  # nothing said about DeiT-S's choice
    assert "keeps the best checkpoint by that top-1" in appendix
    assert "310 in all" in appendix and "one evaluation per epoch" in appendix


def test_each_models_macs_ratio_is_its_own():
    section_6 = _section("## 6. Does T2T help?")
    assert "T2T-ViT-14 is 1.7 points above DeiT-S at 4.8 against 4.6G MACs (1.04x)" in section_6
    assert "T2T-ViT_t-14 1.9 points at 1.32x the MACs (section 5)" in section_6
    assert "1.7 points above DeiT-S and T2T-ViT_t-14 1.9, at 1.32x" not in section_6
    (check,) = [s for s in nb.sources(LESSON) if 'published_t_14 = {"top-1": 81.7' in s]  # 24c: renamed
    assert 'round(table_7_macs["T2T module (T2T-ViT-14)"] / 4.6, 2) == 1.04' in check
    printed = nb.all_printed(LESSON)
    assert "6.09 GMACs, ViT-S/16: 4.60: 1.32x the MACs" in printed


def test_the_folded_channels_caption_matches_the_picture():
    sources = nb.sources(LESSON)
    caption = nb.flat(sources[nb.unique_index(sources, "The folded map keeps the image's layout")])
    assert "content noise" not in caption
    # 21i (review r21h item 5): only the upper loop shows clearly in the stored picture
    # 22a (review r21l item 3): "random features of each window" became the printed v / attention spread
    # 22c (review r22b items 4, 7): the sentence moved to the appendix with its spread; the loops' reading went
    appendix = nb.sources(APPENDIX)
    assert "mostly a feature of the token's own window" in nb.flat(
        appendix[nb.unique_index(appendix, "the attention term varies 14 times less than the `v` term")]
    )
    assert "The two channels come from random weights" in caption and "upper loop" not in caption
    # r21g item 4: the stripes had no reason shown (zero padding explains only the bottom one), so the clause went
    assert "bright stripes" not in caption and "the lower one is fainter." not in caption


def test_table_7s_hard_patch_row_is_flagged_where_its_2_0_is_quoted():
    section_6 = _section("## 6. Does T2T help?")
    quoted = section_6.split("the T2T module is 2.0 points above hard patches")[1][:140]
    # r21g item 5: the flag moved from a parenthesis to a footnote marked where the 2.0 is quoted
    assert quoted.startswith("², ")
    # 23c (review r23b item 2): the appendix's recount reproduces the 21.1M without the stem and table
    assert (
        "² The appendix recounts that row with section 5's counters (21.5M, 4.54G as built). Its 21.1M matches a"
        " count without the stem and position table; its 4.2G does not reproduce." in section_6
    )
    appendix = nb.flat(nb.all_text(APPENDIX))
    assert "21.47M and 4.54G" in appendix  # the recount the sentence points to
    # 23d (review r23c item 3): the Summary keeps the finding; the audit clause lives in the appendix's Sources
    summary = _section("## Summary")
    assert "2.0 points above hard patches on one backbone (one run each)." in summary and "21.1M" not in summary
    sources = nb.sources(APPENDIX)
    table_7 = nb.flat(sources[nb.unique_index(sources, "### The paper's Table 7")])
    assert "The 21.1M matches a count without the stem and position table; the 4.2G does not reproduce." in table_7


def test_the_convolution_stem_and_the_qk_scale_are_named_with_links():
    text = _main_path_text()
    appendix = nb.flat(nb.all_text(APPENDIX))  # 24c (review r24b item 1): the c-14 detail moved to the Sources
    assert (
        "T2T-ViT_c-14's released stem is built like section 6's `Linear` arm's: three `Conv2d`, (7, 4, 2), (3, 2, 1),"
        " (3, 2, 1), no activation defined (its forward is not released:" in appendix
    )
    assert "(07_tokens_to_token_vit_appendix.ipynb#audits)" in text
    porters = nb.flat(nb.sources(APPENDIX)[nb.unique_index(nb.sources(APPENDIX), "## Appendix · For porters")])
    assert (  # 21i (review r21h item 4): moved to the porters' note
        "The original's `t2t_vit_14` and `t2t_vit_t_14` also set the backbone's `qk_scale=384 ** -0.5`, only with"
        " `pretrained=True`, which loads no weights; the released weights run it at 1/8" in porters
    )
    assert "dead branch" not in text  # test_lesson07_fix_p's negative pin
    assert "(07_tokens_to_token_vit_appendix.ipynb#porters)" in text
    appendix = "\n".join(nb.sources(APPENDIX))
    assert '<a id="audits"></a>' in appendix and '<a id="porters"></a>' in appendix
    going_further = _section("## Going further · Where T2T stands today")
    assert "plain convolutions" not in going_further and "its forward is not released" in going_further
    checks = [s for s in nb.sources(LESSON) if s.startswith("# @title A check")]
    # 24a (review r23f item 4): the backbone's pretrained=True scale left section 3; appendix fact 3's check reads it
    appendix_checks = [s for s in nb.sources(APPENDIX) if s.startswith("# @title A check")]
    assert any("kwargs.setdefault('qk_scale', 384 ** -0.5)" in s for s in appendix_checks)
    # 24c (review r24b item 1): the c-14 paragraph and its check moved to the appendix's Sources
    assert any("assert linear_arm == [(7, 4, 2), (3, 2, 1), (3, 2, 1)]" in s for s in appendix_checks)
    assert not any("linear_arm ==" in s for s in checks)


def test_the_source_scan_and_the_conv2d_proof_moved_to_the_appendix():
    lesson, appendix = nb.sources(LESSON), nb.sources(APPENDIX)
    assert not any("conv_tokens = nn.Sequential" in s for s in lesson)
    i = nb.unique_index(appendix, "conv_tokens = nn.Sequential")
    assert "torch.allclose(linear_stem(pixels), conv_tokens, atol=1e-12)" in appendix[i]
    assert nb.hidden(nb.cells(APPENDIX)[i]) and appendix[i].startswith("# @title")
    (check,) = [s for s in lesson if 'published_t_14 = {"top-1": 81.7' in s]  # 24c: renamed
    assert len(check.splitlines()) <= 32  # 41 lines before the move


def test_the_legend_points_at_the_panel_that_shows_the_t2t_module():
    models = {
        "a": dict(zip(PARAMETER_PARTS_SPLIT, (387_046, 76_032, 20_692_224, 385_768), strict=True)),
        "b": dict(zip(PARAMETER_PARTS_SPLIT, (295_296, 76_032, 21_293_568, 385_768), strict=True)),
    }
    fig = plot_parameter_parts(models, title="parts")
    labels = [text.get_text() for text in fig.axes[0].get_legend().get_texts()]
    assert labels[0] == "T2T module / patch embedding (too thin here: see right)"
    plt.close(fig)


def test_the_main_path_does_not_grow():
    cells = nb.cells(LESSON)
    visible = [c for c in cells if not nb.hidden(c)]
    summary = next(i for i, c in enumerate(visible) if nb.source(c).startswith("## Summary"))
    words = sum(len(nb.source(c).split()) for c in visible[:summary] if c["cell_type"] == "markdown")
    assert summary <= 50 and words <= 2998, (summary, words)

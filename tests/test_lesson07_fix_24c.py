"""Lesson 07, review r24b: section 6 and the Summary cut to findings, the backbone scale's pointer, one label for
the attention entries, the last token named, and DeiT's epoch selection said only as far as it can be checked."""

import pathlib

from tests import _notebook as nb
from vit_explained.plotting import lesson07 as plotting

LESSON = nb.NOTEBOOKS / "07_tokens_to_token_vit.ipynb"
APPENDIX = nb.NOTEBOOKS / "07_tokens_to_token_vit_appendix.ipynb"


def _cell(path, text: str) -> str:
    sources = nb.sources(path)
    return nb.flat(sources[nb.unique_index(sources, text)])


def test_the_main_path_shrank_below_the_old_cap():
    main = nb.main_path(LESSON)
    assert len(main) <= 50 and nb.markdown_words(main) <= 2760  # 2,940 before this fix


def test_section_6_keeps_the_findings_and_moves_the_caveats_to_the_sources():  # item 1
    section_6 = nb.flat(
        "\n".join(
            nb.sources(LESSON)[
                nb.unique_index(nb.sources(LESSON), "## 6. Does T2T help?") : nb.unique_index(
                    nb.sources(LESSON), "## Summary"
                )
            ]
        )
    )
    for moved in ("+-0.5", "EMA checkpoint", "T2T-ViT_c-14's released stem", "+27.1", "at 93", "p = 0.062"):
        assert moved not in section_6, moved
    assert "| T2T-ViT_t-14 (token transformers, built here) | 21.5M | 6.1G | 81.7 % |" in section_6
    assert "the T2T module is 2.0 points above hard patches², convolutions with the same windows get 1.3" in section_6
    assert "are 2.7 points below 14 narrow ones" in section_6
    assert "Token transformers lead on all 6 seeds: +8.8 points (95 % t-interval [+4.3, +13.3])." in section_6
    assert "on these 180 digits, 10 epochs: -1.2 points (95 % t-interval [-2.2, -0.2])." in section_6
    assert "At 10 epochs these gaps measure speed as much as capacity" in section_6 and "#whole-stem)" in section_6
    appendix = nb.flat(nb.all_text(APPENDIX))
    assert "**On ImageNet**, T2T-ViT_c-14's released stem is built like section 6's `Linear` arm's" in appendix
    assert "the 95 % interval for two *independent* samples of 50,000 images" in appendix
    assert "keeps the EMA checkpoint with the best top-1 of its 310" in appendix
    assert "+27.1 points [+17.1, +37.0] at 10 epochs, +1.2 [-0.1, +2.5] at 93" in appendix
    sources = nb.sources(APPENDIX)
    imagenet = nb.unique_index(sources, "**On ImageNet**")
    check = nb.cells(APPENDIX)[imagenet + 1]
    assert nb.hidden(check) and "assert linear_arm == [(7, 4, 2), (3, 2, 1), (3, 2, 1)]" in nb.source(check)
    assert '<a id="sources"></a>' in nb.all_text(APPENDIX)


def test_the_summary_is_six_one_line_bullets_without_caveats():  # item 2
    summary = nb.sources(LESSON)[nb.unique_index(nb.sources(LESSON), "## Summary")]
    bullets = [line for line in summary.strip().splitlines()[1:] if line]
    assert len(bullets) == 6 and all(line.startswith("- ") for line in bullets)
    for caveat in ("one run each, DeiT's recipe", "longer training", "[", "sign test", "v`-skip"):
        assert caveat not in summary, caveat


def test_section_3_points_to_the_backbone_scale_of_the_pretrained_path():  # item 4
    scale = _cell(LESSON, "**The scale uses the input width: `qk_scale`.**")
    # 24e (review r24d item 2): tightened to one pointer; the evidence and the --pretrained branch are in fact 3
    assert (
        '[appendix, "For porters"](07_tokens_to_token_vit_appendix.ipynb#porters) measures what a wrong scale does'
        " to one trained layer, and its fact 3 gives the released weights' backbone scale." in scale
    )
    porters = nb.flat(nb.all_text(APPENDIX))
    assert "With `--pretrained`, `t2t_vit_t_14` sets `qk_scale=384 ** -0.5`" in porters


def test_wording_shared_linear_interior_token_and_one_attention_label():  # item 5
    assert "one shared `Linear` applied to every token is exactly a `Conv2d(k, s, p)`" in _cell(
        LESSON, "## 1. Soft splits"
    )
    assert "central" not in nb.all_text(LESSON)
    assert "one interior final token, row 2 and column 2 (from 0) of the 4 x 4 grid" in nb.flat(nb.all_text(LESSON))
    source = pathlib.Path(plotting.__file__).read_text()  # the widget's right panel and section 5's figure
    assert "stored attention terms" not in source and source.count("attention-matrix entries per image") >= 3


def test_deits_epoch_selection_is_said_only_as_far_as_it_is_checked():  # item 6
    sources = _cell(APPENDIX, "## Appendix · Sources")
    assert "The DeiT paper does not say whether DeiT-S's 79.8 % is its last or its best epoch" in sources
    assert "saves the last epoch's weights and prints the running best top-1" in sources
    section_6 = _cell(LESSON, "## 6. Does T2T help?")
    assert "DeiT's `main.py`" not in section_6

"""Lesson 07, fixes of 5 December 2026 (review r19c, 8.5): the `Linear` arm is one affine map of the pixels and a
31 x 31, stride-16 patch embedding only at interior tokens (the intermediate padding makes it position-dependent:
printed and checked); the token-MLP row names the whole swap and "removing attention did not hurt"; the T2T code's
training recipe stated (corrected on
review r19d: DeiT keeps an EMA too); section 6 gives each arm one paragraph and the Summary one line;
the masked-overlap run is named as tried and left out; the corner panel's cross is the centre of the clipped field."""

import re

import torch

from tests import _notebook as nb
from vit_explained.plotting.lesson07 import gradient_mask_panels

LESSON = nb.NOTEBOOKS / "07_tokens_to_token_vit.ipynb"
APPENDIX = LESSON.with_name("07_tokens_to_token_vit_appendix.ipynb")  # the lesson, then its appendix notebook


def _section_6(sources):
    start, end = nb.unique_index(sources, "## 6. Does T2T help?"), nb.unique_index(sources, "## Summary")
    return nb.flat("\n".join(sources[start:end]))


def test_the_linear_arm_is_a_patch_embedding_only_at_interior_tokens_printed_and_checked():
    sources = nb.sources(LESSON) + nb.sources(APPENDIX)
    text = _section_6(sources)
    assert "a linear patch embedding with overlapping 31 x 31 windows at stride 16" not in text
    # 20e (review r20d item 1): the patch-embedding argument moved to the Audits appendix with the border cells
    audits_text = nb.flat(sources[nb.unique_index(sources, "## Appendix · Audits")])
    assert "At interior tokens it is one linear patch embedding, 31 x 31 windows at stride 16." in audits_text
    assert "At the border the intermediate zero padding makes it position-dependent" in audits_text
    assert "At interior tokens it is one linear patch embedding" not in text
    # 20a (review r19e item 2): the border comparison moved to the audits appendix; section 6 points there
    # 23a (review r22i item 1): the `Linear` caveat that named the Audits moved to the appendix's Sources; section 6
    # still links there from its ImageNet paragraph
    # 24c (review r24b item 1): the ImageNet paragraph and its link moved to the appendix's Sources
    assert "4 of the 9 tokens" not in text
    assert '"Audits"](07_tokens_to_token_vit_appendix.ipynb#audits)' in nb.flat(nb.all_text(APPENDIX))
    caveats = nb.flat(sources[nb.unique_index(sources, "**Section 6's `Linear` arm.**")])
    assert 'appendix, "Audits")' in caveats
    audits = nb.flat(sources[nb.unique_index(sources, "## Appendix · Audits")])
    assert "4 of the 9 tokens equal it, the 5 on the top row and left column differ" in audits
    assert "by up to 0.026 in their weights, and the constant f(0) varies by up to 0.078 across tokens" in audits
    printed = nb.all_printed(LESSON) + "\n" + nb.all_printed(APPENDIX)
    line = (
        "tokens equal to that one patch embedding: 4 of 9, [(1, 1), (1, 2), (2, 1), (2, 2)] (row, column);"
        " the others' weights differ by up to 0.026, and f(0) varies by up to 0.078"
    )
    assert line in printed
    (check,) = [s for s in sources if "assert patch_tokens == [(1, 1), (1, 2), (2, 1), (2, 2)]" in s]
    assert check.startswith("# @title A check") and '== "0.026"' in check and '== "0.078"' in check


def test_the_token_mlp_row_names_the_whole_swap_and_the_conclusion_is_softened():
    sources = nb.sources(LESSON) + nb.sources(APPENDIX)
    text = _section_6(sources)
    assert "attention out, parameters held" not in text
    row = "the swap also removes the `v`-skip and a LayerNorm, so it shows that removing attention did not hurt"
    # the findings table's row became the arm's caveat (2026-12-05); 23a (review r22i item 1): the caveat moved to
    # the appendix's Sources, next to the token-MLP arm
    assert row in nb.flat(sources[nb.unique_index(sources, "**Section 6's token-MLP arm.**")])
    # review r19d: no bold on the claim, and it names the 180 digits
    # 23d (review r23c item 5): tightened to "no benefit of attention was detected here"
    assert "No benefit of attention was detected here" in text and "**attention was not" not in text
    caveat = nb.flat(sources[nb.unique_index(sources, "**Section 6's token-MLP arm.**")])  # 23a: moved there
    assert "removing attention did not hurt on these digits" in caveat
    everything = nb.flat(nb.all_text(LESSON) + "\n" + nb.all_text(APPENDIX))
    assert "was not what helped" not in everything


def test_the_t2t_recipe_is_stated_from_its_main_py():
    sources = nb.sources(LESSON) + nb.sources(APPENDIX)
    assert "not restated here" not in nb.flat(nb.all_text(LESSON) + "\n" + nb.all_text(APPENDIX))
    published = nb.flat(sources[nb.unique_index(sources, "## Appendix · Sources")])  # 20c: moved from section 6
    # yitu-opensource/T2T-ViT main.py at 0f63dc9: --opt adamw, --lr 5e-4, --weight-decay 0.05, --sched cosine,
    # --epochs 300, --aa rand-m9-mstd0.5-inc1, --mixup 0.8, --cutmix 1.0, --reprob 0.25, --smoothing 0.1,
    # --drop-path 0.1, --model-ema default True, --model-ema-decay 0.99996
    # DeiT's main.py (facebookresearch/deit 7e160fe) has the same defaults, model EMA included (review r19d)
    recipe = (
        "shares DeiT's defaults (DeiT's `main.py`, commit `7e160fe`): AdamW, lr 5e-4, weight decay 0.05, a cosine"
        " schedule, RandAugment m9, Mixup 0.8, CutMix 1.0, random erasing 0.25, label smoothing 0.1, drop-path 0.1,"
        " and a moving average of the weights (model EMA, decay 0.99996), which both keep on by default"
    )
    assert recipe in published and "DeiT's recipe plus EMA" not in published
    assert "DeiT's plus a weight EMA" not in nb.flat(sources[nb.unique_index(sources, "## 4. T2T-ViT_t-14 next to")])


def test_each_arm_has_one_paragraph_and_the_summary_one_line():
    sources = nb.sources(LESSON) + nb.sources(APPENDIX)
    text = _section_6(sources)
    linear, mlp = text.index("**The `Linear` arm.**"), text.index("**The token-MLP arm.**")
    assert linear < mlp and "**On ImageNet**" not in text  # 24c: the ImageNet paragraph is the appendix's
    assert "**On ImageNet**" in nb.all_text(APPENDIX)
    assert text.count("The token MLP matched or beat the token transformers") == 1
    summary = nb.flat(sources[nb.unique_index(sources, "## Summary")].split("## Exercises")[0])
    (bullet,) = [b for b in summary.split("- **") if b.startswith("Does T2T help?")]
    assert bullet.count("token MLP") == 1 and bullet.count("1.2 points") == 0  # 24c: one line, no numbers repeated
    assert "matched or beat them (section 6)" in bullet and len(bullet) < 800
    assert "no fresh digits" not in bullet and "5 of 6 seeds" not in bullet


def test_the_masked_overlap_run_is_named_as_tried_and_left_out():
    text = nb.flat(nb.all_text(LESSON) + "\n" + nb.all_text(APPENDIX))
    assert text.count("lesson07_masked_overlap.md") == 1
    assert "The overlap alone was tried too, by zeroing each window outside its token's stride cell" in text
    assert re.search(r"lesson07_masked_overlap\.md`\), and is left out: the masking itself broke training", text)


def test_the_corner_panel_says_its_cross_is_the_centre_of_the_clipped_field():
    masks = [torch.zeros(28, 28), torch.zeros(28, 28), torch.zeros(48, 48), torch.ones(28, 28)]
    panels = gradient_mask_panels(*masks, (3, 3), 4, 16)
    assert "(cross: centre of the full 31x31\nfield, clipped here)" in panels[1][0] and panels[1][3] == (1, 1)

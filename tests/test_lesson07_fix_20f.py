"""Lesson 07, review r20f: T2T's tokens are not "more local" than patches (the final field is larger; the overlap
and the stem's nonlinear mixing are what T2T adds), the token-MLP arm's wording (the soft splits still merge
neighbours; the t-interval and the sign test disagree at 5 %), and the nested-windows titles no longer collide."""

from __future__ import annotations

from pathlib import Path

from tests import _notebook as nb

LESSON = Path(__file__).resolve().parents[1] / "notebooks" / "07_tokens_to_token_vit.ipynb"
APPENDIX = LESSON.with_name("07_tokens_to_token_vit_appendix.ipynb")  # the lesson, then its appendix notebook
SOURCES = nb.sources(LESSON) + nb.sources(APPENDIX)


def test_locality_framing_says_what_t2t_adds():
    why = nb.flat(SOURCES[nb.unique_index(SOURCES, "**Why T2T exists.**")])
    assert "each token is one small window" not in why
    # 23a (review r22i item 4): the parenthesis read as a contradiction; ViT's patches are local too, but disjoint
    assert (
        "ViT's patches are local too, but disjoint, and its embedding mixes a patch's pixels only linearly." in why
    )  # r20f item 2: the 31 x 31 comparison sits by its result
    field = nb.flat(SOURCES[nb.unique_index(SOURCES, "The red square is the token's own cell")])
    assert "31 x 31 pixels, is larger than a ViT patch's 16 x 16: T2T adds overlap and nonlinear mixing" in field


def test_token_mlp_wording():
    arm = nb.flat(SOURCES[nb.unique_index(SOURCES, "**The token-MLP arm.**")])
    assert "no token sees another" not in arm and "no token layer mixes tokens; only the soft splits do" in arm
    # 21i (review r21h item 6): one caveat per arm; this one moved to the appendix's Sources
    appendix = nb.flat(nb.all_text(APPENDIX))
    assert "For the token-MLP arm the t-interval clears 0 at 5 %, the sign test does not (p = 0.062)" in appendix


def test_nested_window_titles_are_short_lines():
    import torch

    from vit_explained.plotting.lesson07 import plot_nested_windows
    from vit_explained.t2t import T2T_SPLITS

    fig = plot_nested_windows(torch.rand(1, 64, 64), T2T_SPLITS)
    for ax in fig.axes:
        for line in ax.get_title().splitlines():
            assert len(line) <= 50, line

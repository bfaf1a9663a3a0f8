"""Lesson 07, fixes of December 2026 (the review scored 8.5): the Linear-stem comparison says what it holds equal
and what not (the parameters); the attention study, the scale-only run, the Performer count and the 1/7-vs-1/8
illustration leave the main path; Tokens2Token.forward is listed whole after section 2; the trained-stem picture
states its channel rule; the folded-channels figure has no white band under its title; the widget's legend names
the hidden last split as "split n of n"."""

import matplotlib.pyplot as plt
import torch
from matplotlib.backends.backend_agg import FigureCanvasAgg

from tests import _notebook as nb
from vit_explained.plotting.lesson07 import draw_chain_windows, plot_folded_channels

LESSON = nb.NOTEBOOKS / "07_tokens_to_token_vit.ipynb"
APPENDIX = LESSON.with_name("07_tokens_to_token_vit_appendix.ipynb")  # the lesson, then its appendix notebook


def test_the_main_path_is_at_most_89_cells_and_the_moved_studies_keep_their_checks():
    cells, sources = (nb.cells(LESSON) + nb.cells(APPENDIX)), (nb.sources(LESSON) + nb.sources(APPENDIX))
    summary = nb.unique_index(sources, "## Summary")
    assert summary <= 89  # was 98
    further = nb.unique_index(sources, "## Going further")
    sources_6 = nb.unique_index(sources, "## Appendix · Sources")
    assert summary < further < sources_6
    for marker in ("stem_attention_study(val_48", "scale_run = paired_seeds("):
        (i,) = [i for i, s in enumerate(sources) if marker in s]
        assert further < i < sources_6, marker
        assert "hide-input" in cells[i + 1]["metadata"].get("tags", []), marker  # its check moved with it
    audits = nb.unique_index(sources, "## Appendix · Audits")
    porters = nb.unique_index(sources, "## Appendix · For porters")
    (performer,) = [i for i, s in enumerate(sources) if "performer_module = t2t_code.T2T_module(" in s]
    (eighth,) = [i for i, s in enumerate(sources) if "original_default, one_eighth = " in s]
    assert audits < performer < porters < eighth
    assert 'f"{gap:.3f}" == "0.022"' in sources[eighth + 1]  # its check follows it (the appendix draws its own x)
    assert not any("performer_module" in s or "one_eighth" in s for s in sources[:summary])


def test_the_whole_forward_is_listed_after_section_2():
    cells, sources = (nb.cells(LESSON) + nb.cells(APPENDIX)), (nb.sources(LESSON) + nb.sources(APPENDIX))
    # the 2026-12-05 cut: the listing moved to the appendix notebook's part B
    listing = nb.unique_index(sources, "print(inspect.getsource(Tokens2Token.forward))")
    assert listing > nb.unique_index(sources, "## Going further")
    assert "inspect.getsource(Tokens2Token.forward)" in sources[listing]
    printed = nb.printed(cells[listing])
    assert "def forward(self, images" in printed and "return self.project(self.soft_splits[-1](images))" in printed
    assert "## B · The whole module once" in sources[listing - 1]


def test_the_linear_comparison_says_what_it_holds_equal_and_a_matched_arm_holds_the_parameters():
    text = nb.flat(nb.all_text(LESSON) + "\n" + nb.all_text(APPENDIX))
    assert (
        # 23d (review r23c item 6): the Linear arm's halved stem is named where "nothing else" is said
        "with each token transformer replaced; nothing else in the model changed (the `Linear` arm halves the stem's"
        " parameters)"
        in text
        and "halves the T2T module's parameters" in text
    )
    assert "a **token MLP** (LayerNorm, Linear, GELU, Linear, hidden width 96:" in text
    assert "57,922 parameters against 57,986" in text
    # review r20b: the token-MLP arm shows attention was not needed here, not that it contributes nothing;
    # 23d (review r23c item 5): no benefit of attention was detected, and the swap also drops the v-skip and a norm
    assert (
        # 24c (review r24b item 1): one sentence per arm; the v-skip caveat is the appendix's (Sources)
        "No benefit of attention was detected here." in text
        and "the swap also removes the `v`-skip and a LayerNorm, so it shows that removing attention did not" in text
    )
    assert "not with the token transformers' attention" not in text
    printed = nb.all_printed(LESSON) + "\n" + nb.all_printed(APPENDIX)
    # review 19b: one line for this pair, signed as the prose reads it; 24a (review r23f item 2): one sign
    # convention everywhere, token transformers minus the arm
    line = (
        "token transformers minus token MLP: -1.2 points, 95 % t-interval [-2.2, -0.2]; 5 of 6 seeds favour the"
        " token MLP, 1 ties; sign test p = 0.062"
    )
    assert line in printed
    result = (nb.ROOT / "benchmarks" / "results" / "lesson07_token_mlp.md").read_text()
    assert "| 4 | 96.1 % | 98.9 % | -2.8 |" in result and "[-2.2, -0.2] points" in result
    (check,) = [s for s in (nb.sources(LESSON) + nb.sources(APPENDIX)) if "mlp_interval.high < 0" in s]
    assert check.startswith("# @title A check")


def test_the_shown_channels_follow_a_stated_and_checked_rule():
    sources = nb.sources(LESSON) + nb.sources(APPENDIX)
    text = nb.flat(nb.all_text(LESSON) + "\n" + nb.all_text(APPENDIX))
    assert "**Which channels are shown:** of the 32, the 4 with the highest |correlation| on this digit *after*" in text
    assert "shown: channels [0, 31, 7, 10], the 4 of 32 with the highest |corr.| on digit #0" in (
        nb.all_printed(LESSON) + "\n" + nb.all_printed(APPENDIX)
    )
    (check,) = [s for s in sources if 'max(digit_follow["trained"][others])' in s]
    assert check.startswith("# @title A check")


def test_the_folded_channels_figure_has_no_white_band_under_its_title():
    fig = plot_folded_channels(torch.rand(400, 100), torch.rand(64, 100, 25), range(4), title="t",
                               window_means=torch.rand(100, 25))  # fmt: skip
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    renderer = canvas.get_renderer()
    band = fig._suptitle.get_window_extent(renderer).y0 - max(
        ax.title.get_window_extent(renderer).y1 for ax in fig.axes
    )
    assert band / fig.dpi < 0.5, band / fig.dpi  # white between the title and the panels' titles; it was 0.85 in
    assert all(ax.title.get_fontsize() >= 9 for ax in fig.axes)
    plt.close(fig)


def test_the_hidden_last_split_is_named_split_n_of_n():
    fig, ax = plt.subplots()
    draw_chain_windows(ax, torch.rand(1, 64, 64), ((3, 2, 1),) * 4, show_sides=False)
    labels = [text.get_text() for text in ax.get_legend().get_texts()]
    assert labels[-1].startswith("split 4 of 4: box hidden") and len(labels) == 4
    plt.close(fig)

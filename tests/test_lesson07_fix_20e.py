"""Lesson 07, review r20d (score 8.5, length and density): section 6 keeps the published table, Table 7 and the
three digit runs with one caveat line each (the affine/Conv2d argument and the T2T-ViT_c-14 note moved to the
Audits appendix, the recap bullets dropped for the findings table), Table 7's forensics only in the appendix,
"longer training not run" on every digit result, the appendix's own cross-reference, the Performer pointer, two
channels named as random weights, the nested windows' middle row shaded, the widget legend in its own row, and
Table 7's wo-T2T row named in the opening as the paper's quantitative test.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import torch
from matplotlib.backends.backend_agg import FigureCanvasAgg

from tests import _notebook as nb
from vit_explained.plotting.lesson07 import plot_nested_windows
from vit_explained.t2t import T2T_SPLITS
from vit_explained.widgets.lesson07 import t2t_chain_widget

LESSON = nb.NOTEBOOKS / "07_tokens_to_token_vit.ipynb"
APPENDIX = LESSON.with_name("07_tokens_to_token_vit_appendix.ipynb")  # the lesson, then its appendix notebook


def _section_6(sources: list[str]) -> str:
    start = nb.unique_index(sources, "## 6. Does T2T help?")
    return nb.flat("\n".join(sources[start : nb.unique_index(sources, "## Summary")]))


def _audits(sources: list[str]) -> str:
    return nb.flat(sources[nb.unique_index(sources, "## Appendix · Audits")])


def test_section_6_is_shorter_and_its_moved_paragraphs_sit_in_the_audits_appendix():
    cells, sources = (nb.cells(LESSON) + nb.cells(APPENDIX)), (nb.sources(LESSON) + nb.sources(APPENDIX))
    section_6, audits = _section_6(sources), _audits(sources)
    start, summary = nb.unique_index(sources, "## 6. Does T2T help?"), nb.unique_index(sources, "## Summary")
    words = sum(len(nb.source(c).split()) for c in cells[start:summary] if c["cell_type"] == "markdown")
    assert words < 1100, words  # 1,346 before this fix
    for moved in ("With nothing nonlinear left", "defines three `Conv2d` and no activation or norm module"):
        assert moved not in section_6 and moved in audits, moved
    assert "**T2T-ViT_c-14's activation** (section 6)." in audits
    # the findings table stays, the recap bullets that repeated it are gone
    # 24c (review r24b item 1): the ImageNet paragraph moved to the appendix's Sources
    appendix = nb.flat(nb.all_text(APPENDIX))
    assert "**On ImageNet**" in appendix and "- On ImageNet, token layers add a little" not in section_6
    assert "- On digits, T2T's chain beats a chain without overlap" not in section_6
    assert "Data, scale and training differ, so the digit and ImageNet gaps are not comparable sizes." in appendix
    # each digit result ends on one caveat line
    # 23a (review r22i item 1): the caveats moved to the appendix's Sources, one paragraph per arm
    for arm in ("**Section 6's `Linear` arm.**", "**Section 6's token-MLP arm.**"):
        (paragraph,) = [p for s in sources for p in s.split("\n\n") if p.startswith(arm)]
        assert nb.flat(paragraph).count("Caveat:") == 1, arm


def test_table_7_forensics_only_in_the_audits_appendix():
    sources = nb.sources(LESSON) + nb.sources(APPENDIX)
    section_6, audits = _section_6(sources), _audits(sources)
    assert "21,078,376" not in section_6 and "21,094,120" not in section_6 and "21,078,376" in audits
    table_7 = nb.flat(sources[nb.unique_index(sources, "### The paper's Table 7")])  # moved to the appendix notebook
    assert "Its 21.1M and 4.2G disagree with this lesson's recount of that model, 21.47M and 4.54G" in table_7
    assert (
        nb.flat(nb.all_text(LESSON) + "\n" + nb.all_text(APPENDIX)).count("21,545,550 - 391,526 - 75,648") == 0
    )  # the old duplicate sum


def test_longer_training_is_named_on_every_digit_result_and_the_cross_reference_is_the_appendixs():
    sources = nb.sources(LESSON) + nb.sources(APPENDIX)
    # 23a (review r22i item 1): each arm's caveats, longer training among them, moved to the appendix's Sources
    (linear,) = [p for s in sources for p in s.split("\n\n") if p.startswith("**Section 6's `Linear` arm.**")]
    (mlp,) = [p for s in sources for p in s.split("\n\n") if p.startswith("**Section 6's token-MLP arm.**")]
    assert "longer training not run" in nb.flat(linear) and "longer training not run" in nb.flat(mlp)
    summary = nb.flat(sources[nb.unique_index(sources, "## Summary")].split("## Exercises")[0])
    # 24c (review r24b item 2): the Summary is a recap; the caveat is the appendix's (asserted above)
    assert "longer training" not in summary
    text = nb.flat(nb.all_text(LESSON) + "\n" + nb.all_text(APPENDIX))
    assert "whole-stem run section 6 cites" not in text
    assert "**The whole-stem run this appendix cites**" in text and "whole-stem run this appendix cites." in text


def test_the_performer_pointer_and_the_opening_name_their_evidence():
    sources = nb.sources(LESSON) + nb.sources(APPENDIX)
    widget = nb.flat(sources[nb.unique_index(sources, "## Explore · The T2T chain")])
    assert 'swaps in the Performer (named in section 5, counted in the appendix, "Audits")' in widget
    why = nb.flat(sources[nb.unique_index(sources, "**Why T2T exists.**")])
    assert "its quantitative test of the remedy is Table 7 (this lesson's section 6)" in why  # 23d: not the paper's


def test_the_folded_channels_are_two_and_named_random():
    cells, sources = (nb.cells(LESSON) + nb.cells(APPENDIX)), (nb.sources(LESSON) + nb.sources(APPENDIX))
    picture = nb.unique_index(sources, "plot_folded_channels(")
    assert "channels=range(2)" in sources[picture] and "(random weights)" in sources[picture]
    # review r21d: the picture shows the digit in both channels; the caption says what it shows
    # 21i (review r21h item 5): the caption says what the stored picture shows, the upper loop clearly
    # 22c (review r22b item 7): the visual reading of random-weight channels went; the caption names the weights
    caption = nb.flat(sources[picture + 2])
    assert "The two channels come from random weights" in caption and "the upper loop stands out" not in caption
    assert "shows only faintly" not in nb.flat(nb.all_text(LESSON) + "\n" + nb.all_text(APPENDIX))
    assert any("image/png" in output.get("data", {}) for output in cells[picture]["outputs"])


def test_the_nested_windows_shade_only_the_middle_row():
    fig = plot_nested_windows(torch.rand(1, 64, 64), T2T_SPLITS)
    for ax in fig.axes[1:]:
        parts = ax.patches[:-1]
        assert len(parts) == 3 and all(p.get_fill() for p in parts)
        assert len({p.get_y() for p in parts}) == 1  # one row
        assert "middle row's 3" in ax.get_title()
    plt.close(fig)


def test_the_widget_legend_has_its_own_row_under_every_panel():
    widget = t2t_chain_widget()
    _, fig = widget.compute(height=224, width=224, splits="four splits: (3,2,1) x 4", show_field=False)
    renderer = FigureCanvasAgg(fig).get_renderer()
    fig.draw(renderer)
    legend = fig.axes[0].get_legend()
    assert legend.get_in_layout()  # a tight crop (the notebook's inline figure) keeps it
    top = legend.get_window_extent(renderer).y1
    legend.set_in_layout(False)  # the panels' own extent, without the legend
    assert all(top < ax.get_tightbbox(renderer).y0 for ax in fig.axes), "the legend overlaps a panel"
    assert legend._ncols == 2 and legend.get_texts()[-1].get_text().startswith("split 4 of 4: box hidden")
    plt.close(fig)

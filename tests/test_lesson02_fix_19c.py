"""Lesson 02, fix round 19c (review r19b_02): section 3 keeps the run rule and the stride-4 pair (the stride-16 pair
moves beside the footprint); a window-size control in the appendix; section 7 shows the chain once in print; the
Summary and the Exercises in two cells, the Recap one sentence; d2l's form in the sweep; the GIF's centres above
the window's frame and a short run-strip title; cell 22's hidden check only for the floor rule."""

import matplotlib
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg

from tests import _notebook as nb

LESSON = nb.NOTEBOOKS / "02_soft_split_token_counting.ipynb"


def _cells() -> list[dict]:
    return nb.cells(LESSON)


def _index(text: str) -> int:
    (index,) = [i for i, c in enumerate(_cells()) if text in nb.source(c)]
    return index


def test_1_section_3_keeps_the_run_rule_and_the_stride_4_pair():
    cells = _cells()
    paragraph = nb.flat(nb.source(cells[_index("**Held whole, in one rule.**")]))  # review r20d: in the appendix
    main = nb.flat(nb.source(cells[_index("### Held whole, counted")]))  # round 22e: the pair moved to the appendix
    assert "19.1 %" in main and "pixels 5 to 8" in paragraph
    for moved in ("77.6 %", "(31, 16, 14)", "stride 16", "31 x 31", "mix all tokens", "Going further"):
        assert moved not in paragraph and moved not in main, moved
    code = _index("whole = {split: share_held_whole(224")
    assert "pairs" not in nb.source(cells[code]) and "chain_footprints" not in nb.source(cells[code])
    assert "stride 16" not in nb.printed(cells[code])
    footprint = _index("footprints = chain_footprints(T2T_SPLITS)")  # Going further, "What each token holds"
    assert _index("## Going further (optional)") < footprint
    assert "at stride 16: (16, 16, 0) 77.6 %, (31, 16, 14) 100.0 %" in nb.printed(cells[footprint])
    check = nb.source(cells[_index("assert list(at_16) == [(16, 16, 0), footprints[-1].as_split()]")])
    assert "[77.6, 100.0]" in check
    prose = nb.flat(nb.source(cells[_index("At ViT's stride 16, T2T's final tokens hold 100 %")]))
    notes = nb.flat(nb.source(cells[_index('<a id="footprint-notes"></a>')]))  # 22a: moved to the appendix
    assert (
        "attention mixes all tokens globally" in notes and "it is geometry, not accuracy" in prose
    )  # 22h: spelled out


def test_2_window_size_control():
    cells = _cells()
    row = _index("controls = {  # (kernel, stride, padding)")  # round 21a: the controls in one table
    assert "window_controls = (4, 4, 2), ((7, 7, 0), (5, 4, 1), (8, 4, 2), (5, 2, 2))" in nb.source(cells[row + 1])
    table = {line[:13].strip(): line[45:].split() for line in nb.printed(cells[row]).splitlines()[2:]}
    assert [table[split] for split in ("(7, 7, 0)", "(5, 4, 1)", "(8, 4, 2)", "(5, 2, 2)")] == [
        ["1", "32", "147", "49.9%", "1"],
        ["2", "56", "75", "50.2%", "0"],
        ["5", "56", "192", "100.0%", "2"],
        ["4", "112", "75", "100.0%", "2"],
    ]
    check = nb.source(cells[row + 1])
    assert nb.hidden(cells[row + 1]) and "[49.9, 50.2, 100.0, 100.0]" in check and "(k - s + 1 >= max(piece))" in check
    claim = nb.flat(nb.source(cells[_index("Padding alone moves the share")]))
    assert "credit the overlap, a run `k - s + 1 >= 4`" in claim and "not the window's size" in claim
    assert "credit the kernel" not in claim and "49.9 %" in claim and "50.2 %" in claim


def test_2_the_rule_holds_for_the_splits_the_check_sweeps():
    from vit_explained.soft_split import share_held_whole

    for k, s, p in ((7, 7, 0), (5, 4, 1), (8, 4, 2), (7, 4, 2), (6, 4, 1), (11, 8, 3), (9, 6, 4)):
        assert (share_held_whole(224, (2, 4), k, s, p) == 1) == (k - s + 1 >= 4)


def test_3_section_7_prints_one_chain():
    cells = _cells()
    start, end = _index("## 7 · The whole T2T chain, counted"), _index("## Summary")
    section = cells[start:end]
    visible = [nb.source(c) for c in section if not nb.hidden(c)]
    assert not any("Tokens2Token(224" in text for text in visible)  # the meta listing is gone
    assert not any("SoftSplit(k=7" in nb.printed(c) for c in section)
    assert sum("show_chain(" in text and "def show_chain" not in text for text in visible) == 0
    (call,) = [c for c in section if "tall = show_chain(400, 100, 1)" in nb.source(c)]
    assert "show_chain(224" not in nb.source(call)
    assert "400 x 100 x 1 -> 100 x 25 = 2500 tokens" in nb.printed(call)
    figure = _index("fig = plot_t2t_module(224, 224, 3")
    check = cells[figure + 1]
    assert nb.hidden(check) and "Tokens2Token(224" in nb.source(check) and "fig.axes[0].texts" in nb.source(check)
    assert "(576, 384, 196)" in nb.source(check)


def test_4_summary_and_exercises_in_two_cells():
    cells = _cells()
    summary, exercises = _index("## Summary"), _index("## Exercises")
    assert exercises == summary + 1
    recap = nb.source(cells[exercises])
    recap = recap[recap.index("> **Recap.**") : recap.index('<a id="note-run-all">')]
    assert nb.flat(recap).count(". ") == 0 and "56 -> 28" not in recap and "floor(" not in recap


def test_5_d2l_form_in_the_sweep():
    cells = _cells()
    code = _index("forms = {  # each gives the windows along one side")
    assert '"d2l, p_total = 2p": lambda n, k, s, p: math.floor((n - k + 2 * p + s) / s)' in nb.source(cells[code])
    assert "every form == count_tokens == nn.Unfold in 1184 of 1184 cases" in nb.printed(cells[code])
    prose = nb.flat(nb.source(cells[code - 1]))
    assert "`floor((n - k + p_total + s) / s)`, with `p_total = 2p`" in prose
    assert "len(forms) == 4" in nb.source(cells[code + 1])


def test_6_gif_centres_sit_above_the_window_frame():
    from vit_explained.images import sample_image
    from vit_explained.plotting import new_figure
    from vit_explained.plotting.lesson02 import WINDOW_COLOR, _FrameDrawer

    fig = new_figure(figsize=(7.44, 2.88), dpi=145)
    FigureCanvasAgg(fig)
    drawer = _FrameDrawer(sample_image((60, 100), grayscale=True), 20, 10, 5, fig)
    assert drawer.centres.get_zorder() > drawer.window.get_zorder()
    frame = drawer.render(15)  # window 15: row 1, column 5; row 0's centres 4..6 lie on its top edge
    cyan = np.array(matplotlib.colors.to_rgb(WINDOW_COLOR)) * 255
    height = frame.shape[0]
    for x, y in drawer.corners[4:7]:
        px, py = drawer.left.transData.transform((x + 9.5, y + 9.5))
        pixel = frame[round(height - py), round(px)]
        assert np.abs(pixel - cyan).max() < 40, (x, y, pixel)


def test_6_run_strip_title_is_short():
    from vit_explained.plotting.lesson02 import plot_run_strip

    title = plot_run_strip(20, 7, 4, 2).axes[0].get_title()
    assert title == "(7, 4, 2): pixels 5..8 fit in window 1; add pixel 9 and no window holds the run"


def test_7_cell_22_checks_only_the_floor_rule():
    cells = _cells()
    strip = _index('save_figure(fig, "02_window_strip_dropped")')
    check = nb.source(cells[strip + 1])
    assert nb.hidden(cells[strip + 1]) and "max((n + 2 * p - k) % s - p, 0)" in check
    for moved in ("window_coverage(8, 8", "count_tokens(224, 224, 7, 4, 2)", "math.ceil(n / 2)"):
        assert moved not in check, moved
    # round 20a (review r19c item 4): the coverage checks stay after section 2's coverage picture; the pads check
    # moved with the centring detail to the appendix
    earlier = _index("unpadded, padded_cov = window_coverage(8, 8, 3, 2, 0)")
    assert earlier < strip and nb.hidden(cells[earlier]) and "math.ceil(n / 2)" in nb.source(cells[earlier])
    assert _index("assert pads == {0: 55, 1: 55, 2: 56, 3: 56}") > _index("## Appendix (optional)")

"""Lesson 02, fix round 18d (review 18c): checker messages, split cells 12-13, caveats, section 3 shorter."""

import json
import pathlib

import pytest

from vit_explained.exercises import ExerciseFailed
from vit_explained.exercises import lesson02 as ex

NOTEBOOK = pathlib.Path(__file__).parents[1] / "notebooks" / "02_soft_split_token_counting.ipynb"


def _failure(answer) -> str:
    with pytest.raises(ExerciseFailed) as failed:
        ex.check_lost_pixels(answer)
    return str(failed.value)


def test_missing_pixel_without_padding_has_no_window_minus_p_note():
    def one_short(n, k, s, p):  # drops the first lost pixel: the first wrong case is (60, 20, 15, 0)
        return ex.lost_pixels_reference(n, k, s, p)[1:]

    message = _failure(one_short)
    assert "padding 0)" in message and "leaves it out" in message and "starts at pixel -" not in message


def test_missing_pixel_with_padding_names_where_window_0_starts():
    message = ex._why_wrong([1], [0, 1], (10, 3, 2, 2))
    assert message.startswith("pixel 0 is in no window") and "window 0 starts at pixel -2, 2 pixels before" in message


def _markdown() -> list[str]:
    cells = json.loads(NOTEBOOK.read_text())["cells"]
    return ["".join(c["source"]) for c in cells if c["cell_type"] == "markdown"]


def _cells() -> list[dict]:
    return json.loads(NOTEBOOK.read_text())["cells"]


def _index(start: str) -> int:
    return next(i for i, c in enumerate(_cells()) if "".join(c["source"]).startswith(start))


def test_overstatements_are_qualified():
    text = " ".join(" ".join(_markdown()).split())
    assert "A hard split whose patch side divides the image loses no pixel" in text
    assert "A hard split loses no pixel" not in text
    caveat = "(geometry only: the token layers in between mix all tokens"
    assert "T2T's final tokens hold 100 %: every placement" in text  # 19c
    assert "That 100 % is geometry, not a measured gain." in text  # 22a: the caveat once, in section 3
    assert caveat not in text  # review r20d: the Summary's footprint bullet dropped; the footprint keeps its caveat
    assert "Between splits, the token layers' attention mixes all tokens globally." in text
    assert "`padding_mode='zeros'` (its default)" in text


def test_padding_cells_split_each_picture_with_its_claim():
    cells = _cells()
    coverage = _index("from vit_explained.plotting.lesson02 import plot_coverage")
    assert "".join(cells[coverage - 1]["source"]).startswith("**What the padding adds.**")
    assert "224" not in "".join(cells[coverage - 1]["source"])  # the 8 x 8 picture's claim only
    t2t = next(i for i, c in enumerate(cells) if "**T2T's 7 x 7 split**" in "".join(c["source"]))  # round 19a: merged
    code = "".join(cells[t2t + 1]["source"])
    assert "plot_window_strips(20, kernel=7, stride=4, paddings=(2, 3))" in code and "range(4)" in code
    printed = "".join("".join(o.get("text", "")) for o in cells[t2t + 1]["outputs"])
    assert "pad 0 gives 55 windows, pad 1 gives 55 windows, pad 2 gives 56 windows, pad 3 gives 56 windows" in printed
    # review r19c item 4: the T2T 7 x 7 centring moved to Going further, its check right after the figure
    assert _index("## Going further (optional)") < t2t and "assert pads ==" in "".join(cells[t2t + 2]["source"])


def test_fold_identity_in_the_appendix_factorised_recount_short():
    cells = _cells()
    appendix = _index("## Appendix (optional)")
    fold = _index('<a id="fold-identity"></a>')
    assert fold > appendix and "fold(unfold(tiny))" in "".join(cells[fold + 1]["source"])
    assert not any("fold(unfold(" in "".join(c["source"]) for c in cells[:appendix] if c["cell_type"] == "code")
    assert "def coverage(" in "".join(cells[_index("def coverage(")]["source"]) and _index("def coverage(") < appendix
    # round 21a: the recount is one commented line of the controls table's hidden check
    table = next(i for i, c in enumerate(cells) if "controls = {  # (kernel, stride, padding)" in "".join(c["source"]))
    assert "a row share times a column share" in "".join(cells[table + 1]["source"])
    assert not any("How the share is counted" in "".join(c["source"]) for c in cells)


def test_glossary_once_and_note_1_says_what_is_printed():
    text = " ".join(" ".join(_markdown()).split())
    assert text.count("**Terms**") == 0  # round 19b: each term defined once, where first used
    assert text.lower().index("held whole") == text.lower().index("**held whole.** call a piece") + 2  # review r20d
    assert text.count("Call a piece *held whole*") == 1  # 22a: defined once, in section 3
    assert text.count("*run rule*") == 1 and "The *run rule*: on a side whose pixels are all covered" in text
    assert text.count("**The box rule.**") == 1 and "so the rule holds on both sides at once" in text
    assert "(printed above)" not in text and "the sizes whose position table has the 170 rows it needs" in text


def test_window_strips_titles():
    from vit_explained.plotting.lesson02 import plot_window_strips

    fig = plot_window_strips(20, 7, 4, (2, 3, 0))
    titles = [ax.get_title().splitlines()[1] for ax in fig.axes]
    assert titles == [
        "window j is centred on image pixel 4j + 1",
        "window j is centred on image pixel 4j",
        "window j is centred on image pixel 4j + 3",
    ]


def test_widget_frames_the_windows_holding_the_piece():
    from vit_explained.plotting.lesson02 import tokens_holding
    from vit_explained.widgets.lesson02 import soft_split_widget

    widget = soft_split_widget(kernel=7, stride=4, padding=2, height=30, width=40)
    assert widget.values["piece"] is False and "piece" not in widget.line  # off at the start: the lesson's view
    values = {**widget.values, "piece": True, "piece_row": 5, "piece_col": 9}
    line, fig = widget.compute(**values)
    assert line.endswith("the 2 x 4 piece at (row 5, col 9) is held whole by 1 window (framed red)")
    pixels = [(5 + i, 9 + j) for i in range(2) for j in range(4)]
    assert tokens_holding(30, 40, pixels, 7, 4, 2) == [12]  # row 1, column 2 of the 7 x 10 grid
    framed = [p for p in fig.axes[0].patches if p.get_edgecolor()[:3] == (1.0, 0.0, 0.0) and p.get_linewidth() == 3.0]
    assert [(p.get_x(), p.get_y(), p.get_width()) for p in framed] == [(2 * 4 - 0.5, 1 * 4 - 0.5, 7)]
    hard, _ = widget.compute(**{**values, "kernel": 4, "stride": 4, "padding": 0})
    assert hard.endswith("is held whole by 0 windows")  # a 4 x 4 patch border cuts it
    clamped, _ = widget.compute(**{**values, "piece_row": 200, "piece_col": 200})
    assert "the 2 x 4 piece at (row 28, col 36)" in clamped  # moved inside the 30 x 40 crop
    widget.controls["piece"].value = True
    assert "held whole by" in widget.line

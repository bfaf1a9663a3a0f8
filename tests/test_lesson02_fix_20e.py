"""Lesson 02, review r20d_02 (round 20e): the original code also needs 16 to divide the side (200 x 200 stops);
section 3 keeps the line example and one held-whole sentence (the run rule, the strip and the controls move to the
appendix); a (5, 2, 2) row separates window size from overlap; the Summary drops the footprint; the widget's
neighbour frames show on the coverage shading; per-model attention totals; the coverage picture before its numbers;
the lucidrains sentence names its commit."""

import matplotlib

from tests import _notebook as nb

LESSON = nb.NOTEBOOKS / "02_soft_split_token_counting.ipynb"


def _at(text: str) -> int:
    return nb.unique_index(nb.sources(LESSON), text)


def test_1_square_200_stops_and_the_summary_says_16_divides():
    cells = nb.cells(LESSON)
    code = _at("square_image = torch.rand(1, 1, 200, 200")
    assert (
        nb.printed(cells[code]).splitlines()[-1]
        == "209 x 209, 52 -> 26 -> 13 per side, position table of 170 rows: runs, output (1, 170, 8)"
    )
    assert nb.printed(cells[code]).splitlines()[-2] == (
        "200 x 200, 50 -> 25 -> 13 per side = 169 tokens, position table of 145 rows: RuntimeError: The size of "
        "tensor a (170) must match the size of tensor b (145) at non-singleton dimension 1"
    )
    check = nb.source(cells[code + 1])
    assert nb.hidden(cells[code + 1]) and "== (200 // 16) ** 2 + 1 == 145" in check and "square_outcome ==" in check
    prose = nb.flat(nb.source(cells[code - 1]))
    assert (
        "A **square** 200 x 200 image stops too: the chain rounds up" in prose
        and "for sides 16m, 16m + 1 and 16m + 2 (209 runs)" in prose
    )
    summary = nb.flat(nb.source(cells[_at("## Summary")]))
    assert "a square token grid of `img_size // 16` per side" in summary and "whose side 16 divides" not in summary


def test_2_section_3_is_the_line_example_and_one_sentence():
    cells, sources = nb.cells(LESSON), nb.sources(LESSON)
    section_3, section_4 = _at("## 3 · Why overlap"), _at("## 4 ·")
    main = " ".join(sources[section_3:section_4])
    appendix = " ".join(sources[_at("### Held whole, counted") : _at("**Held whole, in one rule.**")])  # round 22e
    assert "tokens_holding(4, 6, line" in main and "19.1 %" in appendix
    for moved in ("*run rule*", "147", "49.9 %", "plot_run_strip", "worst_run", "lesson 07, section 6"):
        assert moved not in main, moved
    sentence = nb.flat(sources[_at("**Held whole.** Call a piece")])
    moved = nb.flat(sources[_at("### Held whole, counted")])  # round 22e: the pair and its caveat moved there
    assert "That 100 % is geometry, not a measured gain." in moved and "(#held-whole)" in sentence  # 21a
    held, rule = _at("### Held whole, counted"), _at("**Held whole, in one rule.**")
    code = _at("no_overlap_7 = share_held_whole(224")
    assert _at("## Appendix (optional)") < held < rule == code - 1 and nb.hidden(cells[code + 1])
    assert "lesson 07, section 6" in sources[rule] and "longest_held_run(32" in sources[code + 1]


def test_3_a_smaller_window_with_enough_overlap_reaches_100():
    cells, sources = nb.cells(LESSON), nb.sources(LESSON)
    row = _at("controls = {  # (kernel, stride, padding)")  # round 21a: the controls in one table
    table = {line[:13].strip(): line[45:].split() for line in nb.printed(cells[row]).splitlines()[2:]}
    assert table["(5, 2, 2)"] == ["4", "112", "75", "100.0%", "2"]
    assert "count_tokens(224, 224, 5, 2, 2).rows == 112" in sources[row + 1]
    text = " ".join(nb.flat(s) for s in sources)
    assert "Four more splits tell these apart" not in text
    assert "The [box rule](#box-rule) tells these apart; the rows below illustrate it" in text
    assert "`(5, 2, 2)`, whose window of 5 is smaller than T2T's 7" in text


def test_4_widget_neighbour_frames_show_on_the_coverage_shading():
    from vit_explained.widgets.lesson02 import soft_split_widget

    explorer = soft_split_widget(kernel=20, stride=15, padding=0, height=60, width=100, coverage=True)
    _, fig = explorer.compute(**explorer.values)
    frames = [p for p in fig.axes[0].patches if p.get_gid() == "frame"]
    colours = sorted(matplotlib.colors.to_hex(p.get_edgecolor()) for p in frames)
    assert colours == ["#000000", "#ff00ff", "#ffffff"] and all(p.get_linewidth() >= 3 for p in frames)
    caption = fig.axes[0].get_xlabel().replace("\n", " ")
    assert "white: its right neighbour" in caption and "thick black: its lower neighbour" in caption
    plain = soft_split_widget(kernel=20, stride=15, padding=0, height=60, width=100)
    _, fig = plain.compute(**plain.values)
    assert not any(p.get_gid() == "frame" for p in fig.axes[0].patches)


def test_5_summary_drops_the_footprint():
    summary = nb.flat(nb.source(nb.cells(LESSON)[_at("## Summary")]))
    assert "31 x 31" not in summary and "token-footprint" not in summary


def test_6_per_model_attention_totals():
    cells = nb.cells(LESSON)
    code = _at("model_token, model_main = ")
    assert nb.printed(cells[code]).splitlines()[-1] == (
        "per model: the 2 token layers 10,449,152 entries, the 14 main blocks 3,226,944: 3.2 times as many"
    )
    assert "round(model_token / model_main, 1) == 3.2" in nb.source(cells[code + 1]) and nb.hidden(cells[code + 1])
    assert "3.2 times the entries of all 14 main blocks" in nb.flat(nb.source(cells[_at("### What the chain costs")]))
    assert 3136**2 + 784**2 == 10_449_152 and 14 * 6 * 196**2 == 3_226_944


def test_7_coverage_picture_before_its_numbers_and_the_lucidrains_commit():
    cells = nb.cells(LESSON)
    definition = _at("def coverage(height: int, width: int")
    assert "print(" not in nb.source(cells[definition]) and nb.printed(cells[definition]) == ""
    picture = _at("fig = plot_coverage(8, 8")
    source = nb.source(cells[picture])
    assert source.index("display(fig)") < source.index("print(")
    assert nb.printed(cells[picture]) == (
        "windows per pixel on section 1's 4 x 6 image: hard split [1] soft split [1, 2, 4]\n"
    )
    note = nb.flat(nb.source(cells[_at('<a id="note-02-versions"></a>')]))
    assert (
        "scrambles any grid that is not `h x (n / h)`, e.g. a non-square image's;"
        " at `69d24fe` its position table is cut to fit" in note
    )

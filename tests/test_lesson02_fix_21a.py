"""Lesson 02, round 21a (review r20h_02): cell 26 in short sentences; the held-whole controls and the photo piece in
one appendix table; the Summary's lost-pixel bullet; permalinks for the cited commits; the T2T paper's Sec. 4.3
ablation, as reported; the main path no longer than before."""

from __future__ import annotations

import re

from tests import _notebook as nb

LESSON = nb.NOTEBOOKS / "02_soft_split_token_counting.ipynb"
TABLE = "controls = {  # (kernel, stride, padding)"


def _main_path() -> list[dict]:
    cells = nb.cells(LESSON)
    summary = nb.unique_index(nb.sources(LESSON), "## Summary\n")
    return [c for c in cells[:summary] if not c["metadata"].get("jupyter", {}).get("source_hidden")]


def test_1_main_path_is_no_longer():
    main = _main_path()
    words = sum(len(nb.source(c).split()) for c in main if c["cell_type"] == "markdown")
    assert len(main) <= 48 and words <= 2215, (len(main), words)


def test_2_held_whole_paragraph_is_short_sentences():
    text = nb.flat(nb.source(nb.cells(LESSON)[nb.unique_index(nb.sources(LESSON), "**Held whole.** Call a piece")]))
    sentences = [s for s in re.split(r"(?<=[.)])\s+(?=[A-Z`])", text) if s]
    assert max(len(s.split()) for s in sentences) <= 24, sentences
    assert "like for like" not in text and "tabulates the controls" in text and "(#held-whole)" in text


def test_3_one_table_of_controls_with_the_photo_piece():
    cells, sources = nb.cells(LESSON), nb.sources(LESSON)
    row = nb.unique_index(sources, TABLE)
    assert nb.unique_index(sources, "## Appendix (optional)") < row
    lines = nb.printed(cells[row]).splitlines()
    table = {line[:13].strip(): line[45:].split() for line in lines[2:]}
    assert list(table) == [
        "(4, 4, 0)",
        "(4, 4, 2)",
        "(7, 7, 0)",
        "(5, 4, 1)",
        "(7, 4, 2)",
        "(8, 4, 2)",
        "(5, 2, 2)",
        "(16, 16, 0)",
        "(31, 16, 14)",
    ]
    assert [r[3] for r in table.values()] == [
        "19.1%",
        "18.6%",
        "49.9%",
        "50.2%",
        "100.0%",
        "100.0%",
        "100.0%",
        "77.6%",
        "100.0%",
    ]
    assert [r[4] for r in table.values()] == ["0", "0", "1", "0", "1", "2", "2", "0", "2"]  # the photo piece
    assert "plot_edge_on_photo(photo, rim)" in sources[row] and nb.hidden(cells[row + 1])
    # the old separate cells are gone: one table, no second print of the controls or the photo piece
    assert not any(
        'print(f"({kernel}, {stride}, {pad}): window' in s or "row_held}/{len(row_starts)}" in s for s in sources
    )
    assert not any("tokens that hold all of it" in nb.printed(c) for c in cells)


def test_4_summary_has_the_lost_pixel_rule():
    summary = nb.flat(nb.sources(LESSON)[nb.unique_index(nb.sources(LESSON), "## Summary\n")])
    assert "`max(r - p, 0)` image pixels are lost" in summary and "(exercise 4)" in summary
    assert "With `s > k` the gaps between windows are lost too" in summary


def test_5_commits_are_permalinks():
    note = nb.sources(LESSON)[nb.unique_index(nb.sources(LESSON), '<a id="note-02-versions"></a>')]
    t2t = "https://github.com/yitu-opensource/T2T-ViT/blob/0f63dc9558f4d192de926504dbddfa1b3f5db6ca/models/t2t_vit.py"
    lucid = "https://github.com/lucidrains/vit-pytorch/blob/69d24fe9e3024c0d4b02761123b8583a24ebed1e/vit_pytorch/t2t.py"
    timm = (
        "https://github.com/huggingface/pytorch-image-models/tree/aa4b5850c1543fa488abf260f18390eda46cf85d/timm/models"
    )
    for link in (f"{t2t}#L80", f"{t2t}#L89", f"{t2t}#L96", f"{t2t}#L118", f"{lucid}#L22", f"{lucid}#L72", timm):
        assert f"({link})" in note, link
    assert "as master" not in note  # 0f63dc9 is the newer commit; the file is unchanged since 0a64ffc
    text = nb.all_text(LESSON)  # the line numbers cited in Going further link to the same commit
    for line in (73, 76, 213):
        assert f"]({t2t}#L{line})" in text, line


def test_6_the_papers_ablation_is_cited_as_reported():
    cells, sources = nb.cells(LESSON), nb.sources(LESSON)
    i = nb.unique_index(sources, "None of this is accuracy.")
    text = nb.flat(sources[i])
    assert "Sec. 4.3, Table 7, arXiv 2101.11986 v3" in text and "It reports 79.5 %" in text
    assert "80.8 %" in text and "81.5 %" in text and "do not separate overlap from the token layers" in text
    assert nb.hidden(cells[i + 1]) and '"hard 16 x 16 patches": 79.5' in sources[i + 1]
    table_7 = nb.all_text(nb.NOTEBOOKS / "07_tokens_to_token_vit_appendix.ipynb")  # lesson 07 prints the table
    for row in ("| 21.1M | 4.2G | 79.5 % |", "| 21.5M | 4.8G | 81.5 % |", "| 21.3M | 4.6G | 80.8 % |"):
        assert row in table_7, row


def test_7_over_reaching_leads_cut():
    text = nb.flat(" ".join(nb.source(c) for c in _main_path() if c["cell_type"] == "markdown"))
    assert "keep short edges whole" not in text and "can hold a short one whole (section 3)" in text
    assert "why T2T's 7 x 7 split pads 2" not in text
    assert "its forward are in" not in text

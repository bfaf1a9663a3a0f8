"""Lesson 02, fix round q: the exact Sec. 3.1 quote, the conv stem as a comparison, the k - s + 1 summary, the GIF
sentence, the trimmed optional part and the run T2T chain."""

import json
import pathlib

NOTEBOOKS = pathlib.Path(__file__).resolve().parents[1] / "notebooks"
LESSON = NOTEBOOKS / "02_soft_split_token_counting.ipynb"
UPSTREAM = pathlib.Path(__file__).resolve().parents[1] / "vit_explained" / "_upstream" / "t2t_vit" / "t2t_vit.py"


def _cells() -> list[dict]:
    return json.loads(LESSON.read_text())["cells"]


def _source(cell: dict) -> str:
    return "".join(cell["source"])


def _flat(text: str) -> str:
    return " ".join(text.split())


def _visible(cells: list[dict]) -> list[dict]:
    return [c for c in cells if "hide-input" not in c["metadata"].get("tags", [])]


def test_sec_3_1_is_quoted_exactly_and_not_paraphrased():
    text = _flat(" ".join(_source(c) for c in _cells()))
    quote = (
        '"to avoid information loss in generating tokens from the re-structurizated image, we split it into patches'
        " with overlapping. As such, each patch is correlated with surrounding patches to establish a prior that there"
        ' should be stronger correlations between surrounding tokens"'  # round 22h: the sentence whole
    )
    assert quote in text and "paraphrased" not in text


def test_the_conv_stem_is_a_comparison_not_the_method():
    lines = UPSTREAM.read_text().splitlines()
    assert "just for comparison with conolution, not our model" in lines[72]
    (cell,) = [
        _flat(_source(c))
        for c in _cells()
        if "tokens_type='convolution'" in _source(c) and c["cell_type"] == "markdown"
    ]
    assert (
        "as a comparison, not the paper's method" in cell
        and '"just for comparison with conolution, not our model"' in cell
    )


def test_summary_says_k_minus_s_plus_1():
    (summary,) = [_flat(_source(c)) for c in _cells() if "## Summary" in _source(c)]
    # fix round w: the Summary points to the box rule (section 3 since round 17a), stated there
    # round 17c: the rule itself moved to Going further
    # round 18a: no link (the box rule moved to the appendix; fewer forward links in the main path)
    assert "short pieces stay whole in some token." not in summary and "(#box-rule)" not in summary  # round 21a
    # round 22e (review r22d item 3): the 1-D run rule, stated and derived in section 3, not the appendix's box rule
    rule = "any `k - s + 1` neighbouring pixels of a row or column lie in one window (section 3)"
    assert rule in summary
    assert "short line" not in summary


def test_gif_sentence_says_three_rows_per_frame():
    (cell,) = [_flat(_source(c)) for c in _cells() if "### The window, sliding" in _source(c)]
    assert "21 frames" in cell and "three rows per frame (two in the last)" in cell


def test_the_chain_runs_through_the_t2t_module_and_is_checked():
    cells = _cells()  # fix round r: the run chain uses lesson 07's Tokens2Token (soft split, token layer, reshape)
    (run,) = [i for i, c in enumerate(cells) if "unfold_counts = [tokens_1" in _source(c)]  # round 17a
    printed = "".join("".join(o.get("text", [])) for o in cells[run]["outputs"])
    for number, n, length in ((1, 3136, 147), (2, 784, 576), (3, 196, 576)):
        assert f"soft split {number}: (1, {n}, {length})" in printed
    assert "hide-input" in cells[run + 1]["metadata"]["tags"] and "unfold_counts == [3136, 784, 196]" in _source(
        cells[run + 1]
    )


def test_optional_part_is_at_most_20_visible_cells():
    cells = _cells()
    start = next(i for i, c in enumerate(cells) if "## Going further (optional)" in _source(c))
    end = next(i for i in range(start + 1, len(cells)) if _source(cells[i]).startswith("## "))
    # round 18a: Going further down to four topics (was <= 28 from here to the end); the rest is an appendix
    assert len(_visible(cells[start:end])) <= 18
    assert [_source(c).split("\n", 1)[0] for c in cells[start:end] if _source(c).startswith("### ")] == [
        "### The same formula in PyTorch's docs, d2l and the T2T paper",
        "### What each token holds",
        "### What the chain costs",
        "### Non-square images and the original code",
    ]
    assert any(_source(c).startswith("## Appendix (optional)") for c in cells[end:])
    assert not any("plot_floor_staircase(" in _source(c) for c in cells)

"""Lesson 02, fix round w: the exact placement statistic (share_held_whole) against brute force over every
placement and every window, the box rule, Footprint.pixels, and the lesson's text and cells that use them."""

import json
from fractions import Fraction
from pathlib import Path

import pytest
import torch

from vit_explained import T2T_SPLITS, SoftSplit, tokens_to_image
from vit_explained.soft_split import chain_footprints, held_along, share_held_whole

LESSON = Path(__file__).resolve().parents[1] / "notebooks" / "02_soft_split_token_counting.ipynb"


def _brute_share(height: int, width: int, piece: tuple[int, int], kernel: int, stride: int, padding: int) -> Fraction:
    """Every placement of the piece against every window nn.Unfold cuts (windows of the numbered image)."""
    numbers = torch.arange(1, height * width + 1, dtype=torch.float64).reshape(1, 1, height, width)
    windows = SoftSplit(kernel, stride, padding)(numbers)[0].long()  # (N, k·k); 0 is padding
    holds = torch.zeros(windows.shape[0], height * width + 1, dtype=torch.bool)
    holds.scatter_(1, windows, True)  # holds[t, v]: window t holds pixel number v
    piece_h, piece_w = piece
    held = placements = 0
    for top in range(height - piece_h + 1):
        for left in range(width - piece_w + 1):
            pixels = [(top + r) * width + left + c + 1 for r in range(piece_h) for c in range(piece_w)]
            held += bool(holds[:, pixels].all(dim=1).any())
            placements += 1
    return Fraction(held, placements)


@pytest.mark.parametrize(
    ("height", "width", "piece", "split"),
    [
        (20, 23, (2, 4), (7, 4, 2)),
        (20, 23, (2, 4), (4, 4, 2)),
        (20, 23, (2, 4), (4, 4, 0)),  # round 17b: the lesson's baseline
        (32, 32, (2, 4), (16, 16, 0)),
        (17, 19, (3, 2), (3, 2, 1)),
        (17, 19, (1, 3), (3, 2, 1)),
        (21, 18, (5, 4), (7, 4, 2)),  # longer than the 4-pixel box: some placements cut
        (15, 22, (2, 2), (3, 2, 0)),  # the last row and column in no window
        (19, 16, (4, 1), (5, 3, 1)),
    ],
)
def test_share_equals_brute_force_over_every_placement(height, width, piece, split):
    assert share_held_whole((height, width), piece, *split) == _brute_share(height, width, piece, *split)


def test_the_lessons_three_shares():
    splits = ((16, 16, 0), (4, 4, 0), T2T_SPLITS[0], (4, 4, 2))  # round 17b: (4, 4, 0) is the lesson's baseline
    shares = [share_held_whole(224, (2, 4), *split) for split in splits]
    assert [round(100 * float(share), 1) for share in shares] == [77.6, 19.1, 100.0, 18.6]
    assert shares[0] == Fraction(210 * 182, 223 * 221)  # 13 borders cut 13 row and 3 x 13 column placements


def test_box_rule_and_one_pixel_more():
    for kernel, stride, padding in ((7, 4, 2), (3, 2, 1), (5, 2, 2), (9, 5, 4)):
        box = kernel - stride + 1
        for size in (40, 57, 64):
            if held_along(size, 1, kernel, stride, padding) < size:
                continue  # the rule is about images whose every pixel is in some window
            assert share_held_whole(size, (box, box), kernel, stride, padding) == 1
            assert share_held_whole(size, (box + 1, 1), kernel, stride, padding) < 1  # one pixel longer: cut somewhere


def test_share_refuses_a_piece_larger_than_the_image():
    with pytest.raises(ValueError, match="does not fit"):
        share_held_whole(10, (2, 11), 3, 2, 1)


def test_footprint_pixels_are_the_pixels_that_reach_the_token():
    last = chain_footprints(T2T_SPLITS)[-1]
    probe = torch.zeros(1, 1, 224, 224, requires_grad=True)
    reached, size = probe, 224
    for kernel, stride, padding in T2T_SPLITS:
        summed = SoftSplit(kernel, stride, padding)(reached).sum(-1, keepdim=True)
        size = (size + 2 * padding - kernel) // stride + 1
        reached = tokens_to_image(summed, size, size)
    for row, col in ((3, 6), (5, 9)):
        probe.grad = None
        reached[0, 0, row, col].backward(retain_graph=True)
        seen_rows, seen_cols = probe.grad[0, 0].nonzero().unbind(1)
        rows, cols = last.pixels(row, col)
        assert (int(seen_rows.min()), int(seen_rows.max())) == (rows[0], rows[-1])
        assert (int(seen_cols.min()), int(seen_cols.max())) == (cols[0], cols[-1])


def _cells() -> list[dict]:
    return json.loads(LESSON.read_text())["cells"]


def _source(cell: dict) -> str:
    return "".join(cell["source"])


def _flat(text: str) -> str:
    return " ".join(text.split())


def _printed(cell: dict) -> str:
    return "".join("".join(o.get("text", [])) for o in cell.get("outputs", []))


def _index(start: str) -> int:
    (index,) = [i for i, cell in enumerate(_cells()) if _source(cell).startswith(start)]
    return index


def test_section_3_prints_the_shares_and_states_the_box_rule_once():
    cells = _cells()
    (stat,) = [i for i, c in enumerate(cells) if "controls = {  # (kernel, stride, padding)" in _source(c)]  # 21a
    (section_4,) = [i for i, c in enumerate(cells) if "## 4 ·" in _source(c)]
    (main,) = [i for i, c in enumerate(cells) if "whole = {split: share_held_whole(224" in _source(c)]
    assert _index("## 3 · Why overlap") < section_4 < _index("## Appendix (optional)") < stat  # round 19a
    assert _index("## Appendix (optional)") < main < stat  # round 22e: the stride-4 pair moved to the appendix
    # round 19b: section 3 leads with the same-stride pairs; the appendix prints only the new row
    printed = _printed(cells[main])
    assert "stride 4: (4, 4, 0) 19.1 %, (7, 4, 2) 100.0 %" in printed
    assert "stride 16" not in printed  # round 19c: in Going further, "What each token holds"
    assert "hide-input" in cells[main + 1]["metadata"]["tags"] and "[19.1, 100.0]" in _source(cells[main + 1])
    assert "18.6%" in _printed(cells[stat]) and "19.1 %" not in _printed(cells[stat])
    assert "hide-input" in cells[stat + 1]["metadata"]["tags"] and "18.6" in _source(cells[stat + 1])
    text = [_flat(_source(c)) for c in cells if c["cell_type"] == "markdown"]
    rule = "any piece inside a `(k - s + 1) x (k - s + 1)` box"
    assert sum(rule in t for t in text) == 1
    assert not any("not how often" in t for t in text)
    assert not any("along a row or column stays whole" in t for t in text)


def test_attention_caveat_in_summary_and_footprint_title():
    summary = _flat(_source(_cells()[_index("## Summary")]))  # review r20d: the footprint bullet dropped
    assert "31 x 31" not in summary
    (held,) = [_flat(_source(c)) for c in _cells() if '<a id="footprint-notes"></a>' in _source(c)]  # 22a: appendix
    assert "Between splits, the token layers' attention mixes all tokens globally." in held  # the caveat, in place
    (code,) = [c for c in _cells() if "footprints = chain_footprints(T2T_SPLITS)" in _source(c)]
    assert ".pixels(" in _source(code) and ".offset" not in _source(code)
    from vit_explained.images import sample_image
    from vit_explained.plotting.lesson02 import plot_token_footprint

    fig = plot_token_footprint(sample_image(224), (3, 6))
    title = "the splits' windows span 31 x 31 pixels (the token layers' attention then mixes globally)"
    assert title in " ".join(fig.axes[1].get_title().split())


def test_photo_piece_and_runs_are_in_going_further():
    cells = _cells()
    going = _index("## Going further")
    photo = [i for i, c in enumerate(cells) if "plot_edge_on_photo(" in _source(c)]
    runs = [i for i, c in enumerate(cells) if "run_3 = " in _source(c)]
    assert photo and runs and min(photo + runs) > going
    assert min(photo + runs) > _index("## Appendix (optional)")  # round 18a: in the appendix, not linked
    assert not any("(#photo-piece)" in _source(c) for c in cells[:going])


def test_edge_zoom_draws_the_stride_4_grid():
    from vit_explained.images import sample_image
    from vit_explained.plotting.lesson02 import plot_edge_on_photo

    rim = [(row, col) for row in (57, 58) for col in range(94, 98)]
    fig = plot_edge_on_photo(sample_image(224), rim)
    labels = [text.get_text() for text in fig.legends[0].get_texts()]  # fix round x: outside the zoom
    assert any("stride 4, padding 2" in label for label in labels)
    lines = [c for c in fig.axes[1].collections if c.get_label() == "no-overlap grid"]
    assert len(lines) == 2  # horizontal and vertical
    xs = sorted({round(float(seg[0][0]), 1) for seg in lines[1].get_segments()})
    assert all((x + 0.5 + 2) % 4 == 0 for x in xs)  # window starts -2 + 4j, in image pixels

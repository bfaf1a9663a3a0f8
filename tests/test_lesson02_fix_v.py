"""Lesson 02, fix round v: the photo's three-way comparison (same stride, overlap on vs off), the 31 x 31
footprint's offset against ViT's patch, the plain timm sentence."""

from pathlib import Path

from tests import _notebook as nb
from tests._notebook import flat as _flat
from tests._notebook import printed as _printed
from tests._notebook import source as _source

ROOT = Path(__file__).resolve().parents[1]
LESSON = ROOT / "notebooks" / "02_soft_split_token_counting.ipynb"


def _cells() -> list[dict]:
    return nb.cells(LESSON)


def test_the_photo_prints_the_same_stride_hard_split_and_checks_it():
    cells = _cells()
    (code,) = [i for i, c in enumerate(cells) if "plot_edge_on_photo(photo, rim)" in _source(c)]
    table = {line[:13].strip(): line[45:].split() for line in _printed(cells[code]).splitlines()[2:]}
    # round 21a: the photo piece is the controls table's last column (windows holding all of it)
    splits = ("(16, 16, 0)", "(7, 4, 2)", "(4, 4, 0)", "(4, 4, 2)")
    assert [table[split][-1] for split in splits] == ["0", "1", "0", "0"]
    check = _source(cells[code + 1])
    assert "same_stride == {0: [], 2: []}" in check and "t2t_holders == [808]" in check
    prose = _flat(_source(cells[code - 1]))
    assert "the 4 x 4 windows at stride 4 (magenta, padding 2)" in prose
    claim = (
        "Padding alone moves the share from 19.1 % to 18.6 %. A larger window without overlap raises the share"  # 19c
    )
    assert claim in " ".join(_flat(_source(c)) for c in cells)  # round 17c: one change per row


def test_the_footprint_offset_is_printed_and_said():
    cells = _cells()
    (code,) = [i for i, c in enumerate(cells) if "footprints = chain_footprints(T2T_SPLITS)" in _source(c)]
    printed = _printed(cells[code])
    assert "final token (3, 6): rows 34..64, columns 82..112" in printed
    assert "ViT's patch (3, 6): rows 48..63, columns 96..111" in printed
    assert "fmean" not in _source(cells[code])  # round 17b: the shift is checked, hidden
    # review 18d: the two centres behind "6.5 pixels" are printed
    assert (
        "centres (row, column): final token (49.0, 97.0), ViT's patch (55.5, 103.5): 6.5 pixels up and left" in printed
    )
    assert "shift == 6.5" in _source(cells[code + 1]) and "hide-input" in cells[code + 1]["metadata"]["tags"]
    assert "plot_token_footprint(" in _source(cells[code + 2])  # round 17b: the figure in its own cell
    assert "ends 1 pixel after it, so its centre sits 6.5 pixels up and to the left" in _flat(
        _source(cells[nb.unique_index(nb.sources(LESSON), '<a id="footprint-notes"></a>')])  # 22a: the appendix
    )


def test_the_module_run_is_in_going_further_with_a_pointer_from_section_6():
    cells = _cells()
    (going,) = [i for i, c in enumerate(cells) if _source(c).startswith("## Going further")]
    (run,) = [i for i, c in enumerate(cells) if "unfold_counts = [tokens_1" in _source(c)]  # round 17a
    (anchor,) = [i for i, c in enumerate(cells) if '<a id="chain-run"></a>' in _source(c)]
    assert going < anchor < run  # round 18c: the reshape, the forward and stage 1 come first
    assert any("(#chain-run)" in _source(c) for c in cells[:going])

"""Lesson 01 fix round 17e: the whole input step before its parts, the positions-off line printed, prose that says
only what is printed (the border cluster left to appendix A, DeiT 'narrowed' the gap, the shuffle range labelled)."""

import json
from pathlib import Path

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "01_patches_and_embeddings.ipynb"


def _cells() -> list[dict]:
    return json.loads(NOTEBOOK.read_text())["cells"]


def _text(cell: dict) -> str:
    return "".join(cell["source"])


def test_the_whole_input_step_comes_before_section_3_and_is_checked():
    # 19b: the third overview is folded into section 5's Eq. 1 cell (the whole input step, step by step, checked)
    cells = _cells()
    start = next(i for i, c in enumerate(cells) if "\n**Eq. 1 as a picture.**" in _text(c))  # 20c: in the "## 5" cell
    assert "the whole input\nstep of section 0's map" in _text(cells[start])
    code = next(i for i in range(start, start + 4) if "sequence = with_class + vit.pos_embedding" in _text(cells[i]))
    assert "torch.cat([class_tokens, tokens], dim=1)" in _text(cells[code])
    assert "add_class_token(" in _text(cells[code + 1]) and "hide-input" in cells[code + 1]["metadata"]["tags"]
    printed = "".join("".join(o.get("text", "")) for o in cells[code]["outputs"])
    assert "-> + positions (1, 197, 768)" in printed and "patchify (1, 196, 768) -> Linear (1, 196, 768)" in printed
    assert not any(_text(c).startswith("**The whole input step at once**") for c in cells)


def test_positions_off_line_is_printed_and_prose_claims_only_what_is_printed():
    cells = _cells()
    appendix_path = NOTEBOOK.with_name("01_patches_and_embeddings_appendix.ipynb")  # 19b: the widgets moved there
    appendix = json.loads(appendix_path.read_text())["cells"]
    outputs = "".join("".join(o.get("text", "")) for c in appendix if c["cell_type"] == "code" for o in c["outputs"])
    assert "positions off: 5 of 8 shuffled digits right (5 unshuffled); the shuffle changes 0 guesses" in outputs
    prose = " ".join(_text(c) for c in cells if c["cell_type"] == "markdown")
    assert "closed most" not in prose and "DeiT narrowed it" in prose
    appendix_prose = " ".join(_text(c) for c in appendix if c["cell_type"] == "markdown")  # the position widget's text
    assert "border cluster of\nsection 6" not in prose + appendix_prose and "appendix A tests" in appendix_prose
    # round 18a: section 4 states its printed 63 % (of a typical token number); no other 63 % claim
    assert "eyes and mouth" not in prose and "63 %" not in prose.replace("63 % of a typical token", "")
    code = [c for c in cells if c["cell_type"] == "code"]
    visible = [_text(c) for c in code if "hide-input" not in c["metadata"].get("tags", [])]
    assert not any("vit_at_resolution(" in s for s in visible)  # the five models are built in the hidden check

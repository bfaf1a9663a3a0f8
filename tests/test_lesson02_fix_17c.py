"""Lesson 02, fresh review 17c: exercise 4's checker fails windows that start at j*s (padding ignored in the start)
and names that slip and a few more; right answers written differently still pass."""

import math

import pytest
import torch

from vit_explained.exercises import ExerciseFailed
from vit_explained.exercises import lesson02 as ex


def _covered_from(n, k, starts, width=None):
    covered = {i for start in starts for i in range(start, start + (width or k))}
    return [i for i in range(n) if i not in covered]


def _count(n, k, s, p):
    return (n + 2 * p - k) // s + 1


def test_reviewer_cases_are_in_the_checker():
    assert (22, 7, 5, 1) in ex.LOST_CASES and (100, 20, 25, 2) in ex.LOST_CASES
    assert any(p > 0 and (n + 2 * p - k) % s > p for n, k, s, p in ex.LOST_CASES)
    assert any(p > 0 and s > k for n, k, s, p in ex.LOST_CASES)
    assert ex.lost_pixels_reference(22, 7, 5, 1) == [21]
    assert ex.lost_pixels_reference(100, 20, 25, 2)[:5] == [18, 19, 20, 21, 22]


SLIPS = [
    (  # the reviewer's answer: windows at j*s .. j*s + k - 1
        lambda n, k, s, p: _covered_from(n, k, range(0, _count(n, k, s, p) * s, s)),
        "your windows start at j*s; with padding, window 0 starts p pixels before pixel 0",
    ),
    (
        lambda n, k, s, p: _covered_from(n, k, range(0, ((n - k) // s + 1) * s, s)),
        "your windows ignore the padding",
    ),
    (
        lambda n, k, s, p: _covered_from(n, k, range(-p, -p + (math.ceil((n + 2 * p - k) / s) + 1) * s, s)),
        "it is not rounded up",
    ),
    (
        lambda n, k, s, p: _covered_from(n, k, range(-p, -p + _count(n, k, s, p) * s, s), width=k - 1),
        "your windows are one pixel short",
    ),
]


@pytest.mark.parametrize(("answer", "named"), SLIPS)
def test_new_slips_are_named(answer, named):
    with pytest.raises(ExerciseFailed) as failed:
        ex.check_lost_pixels(answer)
    assert named in str(failed.value)


def _by_windows_tensor(n, k, s, p):  # a boolean mask over the padded side, written with torch
    mask = torch.zeros(n + 2 * p, dtype=torch.bool)
    for j in range(_count(n, k, s, p)):
        mask[j * s : j * s + k] = True
    return torch.nonzero(~mask[p : p + n]).flatten()


def _by_loop(n, k, s, p):  # the last window's end and the gaps, in image coordinates
    lost, start = [], -p
    while start + k <= n + p:
        lost += range(start + k, min(start + s, n))  # the gap after this window; empty when s <= k
        start += s
    return sorted(set(lost) | set(range(start - s + k, n)))


@pytest.mark.parametrize("answer", [_by_windows_tensor, _by_loop])
def test_right_answers_written_differently_pass(answer, capsys):
    ex.check_lost_pixels(answer)
    assert capsys.readouterr().out.startswith("Correct!")


# --------------------------------------------------------------------------- the notebook (review 17c items 2-6)

import json  # noqa: E402
import pathlib  # noqa: E402

LESSON = pathlib.Path(__file__).resolve().parents[1] / "notebooks" / "02_soft_split_token_counting.ipynb"


def _cells() -> list[dict]:
    return json.loads(LESSON.read_text())["cells"]


def _first(text: str) -> int:
    return next(i for i, cell in enumerate(_cells()) if text in "".join(cell["source"]))


def _printed(index: int) -> str:
    outputs = _cells()[index].get("outputs", [])
    return "".join("".join(o.get("text", "")) for o in outputs if o["output_type"] == "stream")


def test_shares_table_changes_one_thing_per_row():
    # round 19b: section 3 prints (4, 4, 0) and (7, 4, 2); the appendix prints only the new row, (4, 4, 2)
    section_3 = _printed(_first("whole = {split: share_held_whole(224"))
    assert "at stride 4: (4, 4, 0) 19.1 %, (7, 4, 2) 100.0 %" in section_3
    printed = _printed(_first("controls = {  # (kernel, stride, padding)"))  # round 21a: one table of controls
    table = {line[:13].strip(): line[45:].split() for line in printed.splitlines()[2:]}
    assert table["(4, 4, 2)"][:2] == ["1", "57"] and table["(4, 4, 2)"][3] == "18.6%"
    claim = " ".join("".join(_cells()[_first("Padding alone moves the share")]["source"]).split())
    # round 19c: the window-size control (7, 7, 0) credits the overlap, not the window's size
    assert "from 19.1 % to 18.6 %" in claim and "credit the overlap, a run `k - s + 1 >= 4`" in claim
    assert "not the window's size or the padding" in claim


def test_run_strip_before_section_3s_proof_and_box_rule_details_in_going_further():
    going_further = _first("## Going further (optional)")
    # review 18d: picture before the proof -- the run strip sits in section 3, just before the 1-D proof
    strip, proof = _first("plot_run_strip(20"), _first('<a id="box-rule"></a>**The box rule.** In the run strip above')
    # review r20d: the paragraph + the strip moved to the appendix's "Held whole, counted", still just before the proof
    held = _first("### Held whole, counted")
    assert _first("## 4 ·") < going_further < held < _first("**Held whole, in one rule.**") == strip - 1 < proof
    assert _first('<a id="box-rule"></a>**The box rule.**') > going_further
    assert "on a side where every pixel is covered" in "".join(_cells()[_first("**Runs, by brute force.**")]["source"])


def test_wording_items():
    text = "".join("".join(cell["source"]) for cell in _cells() if cell["cell_type"] == "markdown")
    assert "attention is ignored here" not in text  # review 18a: the caveats once, in the footprint's cell
    assert text.count("attention mixes all tokens globally") == 1 and text.count("inputs come from") == 1
    assert "the top edge of the frame" in text and "dark upper frame" not in text
    recap = "".join(_cells()[_first("> **Recap.**")]["source"])
    assert _first("> **Recap.**") < _first("### Exercise 1")
    for needed in ("**both** ends", "`(c, kh, kw)`"):  # round 19c: one sentence, the formula stays in the Summary
        assert needed in recap
    assert "56 -> 28 -> 14" not in recap

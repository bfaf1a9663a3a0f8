"""Lesson 02, fix round 18e (review 18d): the run strip before section 3's 1-D proof, wording (off-grid centres,
tiling when s divides the side, the stride-16 100 % shown in Going further), the explorer's gap readout when
s > k, exercise 4's covered-pixel message clipped to image pixels."""

from __future__ import annotations

import pathlib

import pytest

from tests import _notebook as nb
from tests._notebook import flat as _flat
from tests._notebook import source as _source
from vit_explained.exercises import lesson02 as ex
from vit_explained.widgets.lesson02 import soft_split_widget

LESSON = pathlib.Path(__file__).resolve().parents[1] / "notebooks" / "02_soft_split_token_counting.ipynb"


def _cells() -> list[dict]:
    return nb.cells(LESSON)


def _index(needle: str) -> int:
    (index,) = [i for i, c in enumerate(_cells()) if needle in _source(c)]
    return index


def test_picture_comes_before_the_1d_proof():
    strip, proof = _index("plot_run_strip(20, *T2T_SPLITS[0])"), _index('<a id="box-rule"></a>**The box rule.**')
    # review r20d: the strip moved to the appendix too, still before the controls and the 1-D proof
    held = _index("### Held whole, counted")
    assert _index("## 4 ·") < held < strip < proof < _index("Padding alone moves the share")  # round 21a
    assert "In the run strip above" in _source(_cells()[proof]) and "k - s + 1 = 4" in _source(_cells()[proof])


def test_wording():
    text = " ".join(_flat(_source(c)) for c in _cells() if c["cell_type"] == "markdown")
    assert "Their centres are off the stride grid: `4j + 1`, not `4j`." in text and "not centred" not in text
    assert "the windows tile the image when `s` divides the side" in text
    # round 19c: stride 16 moved to Going further
    section_3 = _flat(_source(_cells()[_index("**Held whole, in one rule.**")]))
    assert "At ViT's stride 16, T2T's final tokens hold 100 %" not in section_3


@pytest.mark.parametrize(
    ("kernel", "stride", "words"), [(20, 25, "gap s - k = 25 - 20 = 5 px"), (1, 32, "gap s - k = 32 - 1 = 31 px")]
)
def test_widget_says_gap_not_negative_overlap(kernel, stride, words):
    widget = soft_split_widget(kernel=kernel, stride=stride, padding=0, height=64, width=64)
    assert words in widget.line and "overlap" not in widget.line and "= -" not in widget.line
    assert "overlap k - s = 20 - 10 = 10" in soft_split_widget().line


def test_exercise_4_covered_pixel_names_image_pixels_only():
    def wrong(n, k, s, p):
        right = ex.lost_pixels_reference(n, k, s, p)
        return [*right, n - 1] if (n, k, s, p) == (22, 7, 4, 3) and n - 1 not in right else right

    with pytest.raises(ex.ExerciseFailed) as raised:
        ex.check_lost_pixels(wrong)
    message = str(raised.value)
    assert "is covered by window" in message and "(image pixels " in message
    first, last = message.split("(image pixels ")[1].split(")")[0].split(" .. ")
    assert 0 <= int(first) <= int(last) <= 21


def test_t2t_module_figure_uses_the_papers_terms_and_the_name_is_explained():
    from vit_explained.plotting.lesson02 import plot_t2t_module

    fig = plot_t2t_module()
    texts = [text.get_text() for text in fig.axes[0].texts]
    for term in ("re-structurization 1", "re-structurization 2", "T2T process 1", "T2T process 2"):
        assert term in texts
    assert "soft split 1\n(k7, s4, p2)" in texts and "Brackets: the T2T paper's terms" in fig.axes[0].get_title()
    prose = _flat(_source(_cells()[_index("The T2T module takes their place.")]))
    assert 'Each soft split merges neighbours into one token ("tokens-to-token"): the first' in prose  # 22h: joined
    assert "the first split merges pixels, the later ones merge tokens." in prose

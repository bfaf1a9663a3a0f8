"""Lesson 02, fresh review 18b (fix round 18c): section 7 only counts (the reshape orders, the printed forward and
the untrained stage run are in the appendix, with one pointer); the hard split's coverage beside the paper's quote;
the pad-2 reason in prose; the same-stride pointer; exercise 4's slips name where window 0 starts, not the rule."""

import json
import pathlib

import pytest

from vit_explained.exercises import ExerciseFailed
from vit_explained.exercises import lesson02 as ex

NOTEBOOK = pathlib.Path(__file__).parents[1] / "notebooks" / "02_soft_split_token_counting.ipynb"


def _cells() -> list[dict]:
    return json.loads(NOTEBOOK.read_text(encoding="utf-8"))["cells"]


def _source(cell: dict) -> str:
    return "".join(cell["source"])


def _flat(text: str) -> str:
    return " ".join(text.split())


def _index(text: str) -> int:
    return next(i for i, cell in enumerate(_cells()) if text in _source(cell))


def test_section_7_only_counts_and_points_to_the_module_once():
    cells = _cells()
    start, end = _index("## 7 · The whole T2T chain, counted"), _index("## Summary")
    section = [_source(c) for c in cells[start:end]]
    for kept in ("plot_vit_map_t2t(", "plot_t2t_module(", "plot_t2t_chain(", "tall = show_chain(400, 100, 1)"):
        assert any(kept in text for text in section), kept
    for moved in ("plot_reshape_orders(", "tokens_1 = t2t.soft_splits[0]("):  # round 19b: the forward, lesson 07
        assert not any(moved in text for text in section), moved
        assert _index('<a id="chain-run"></a>') < _index(moved) <= _index("unfold_counts = [tokens_1")
    assert not any("inspect.getsource(Tokens2Token.forward)" in _source(c) for c in cells)
    assert sum("(#chain-run)" in text for text in section) == 1


def test_review_18b_sentences():
    text = _flat("\n".join(_source(c) for c in _cells()))
    assert (
        "A hard split whose patch side divides the image loses no pixel (coverage 1, section 2). We read this as"
        in text
    )
    assert "pad 1 gives 55 windows, and 2 is the least that gives 56" in text
    assert "At ViT's stride 16, T2T's final tokens hold 100 %: every placement" in text  # round 19c: Going further
    assert "That 100 % is geometry, not a measured gain." in text  # 22a: the caveat once, in section 3
    assert "the token layers' attention mixes all tokens globally" in text
    # round 20c (review r20b item 6): crop to the aspect ratio, then resize -- the code's order, no contradiction
    assert "centre-cropped to a 3:5 aspect ratio (height : width), then resized to 60 x 100" in text
    assert "60 x 100 grayscale crop" not in text


def test_the_numbers_the_new_sentences_state():
    from vit_explained.soft_split import count_tokens, share_held_whole

    assert [count_tokens(224, 224, 7, 4, pad).rows for pad in (1, 2)] == [55, 56]
    assert round(100 * float(share_held_whole(224, (2, 4), 31, 16, 14)), 1) == 100.0


def _uncovered(size: int, kernel: int, starts: range) -> list[int]:
    return [i for i in range(size) if not any(j <= i < j + kernel for j in starts)]


@pytest.mark.parametrize(
    "answer",
    [
        lambda n, k, s, p: _uncovered(n, k, range(0, ((n + 2 * p - k) // s + 1) * s, s)),  # windows from j*s
        lambda n, k, s, p: _uncovered(n, k, range(0, ((n - k) // s + 1) * s, s)),  # padding ignored
    ],
)
def test_exercise_4_messages_name_window_0_not_the_whole_rule(answer):
    with pytest.raises(ExerciseFailed) as failed:
        ex.check_lost_pixels(answer)
    message = str(failed.value)
    assert "j*s - p .." not in message and "j*s - p + k - 1" not in message
    assert "window 0 starts" in message and "-p" in message

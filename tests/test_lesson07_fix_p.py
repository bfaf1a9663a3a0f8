"""Lesson 07, review p: exercise 3 names a hard-coded scale (no case has N = 7), exercise 1's messages name the slip
without the recurrence, exercise 2's dtype message names the next layers, and the attention-row picture."""

import json
from pathlib import Path

import pytest
import torch

from vit_explained.exercises import ExerciseFailed
from vit_explained.exercises.lesson07 import (
    _FIELD_SLIPS,
    ATTENTION_CASES,
    check_fold_tokens,
    check_token_attention,
)
from vit_explained.plotting.lesson07 import plot_local_and_global
from vit_explained.widgets.lesson07 import t2t_chain_widget

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"


def attention_with_scale(scale):
    def answer(tokens, qkv, proj):
        q, k, v = qkv(tokens).chunk(3, dim=-1)
        return v + proj(torch.softmax(q @ k.transpose(-2, -1) * scale, dim=-1) @ v)

    return answer


def test_no_case_has_as_many_tokens_as_a_printed_scale():
    assert all(count not in (7, 24) for *_, count in ATTENTION_CASES)


@pytest.mark.parametrize(("scale", "width"), [(1 / 7, 49), (1 / 24, 576), (147**-0.5, 147)])
def test_a_hard_coded_scale_is_named_as_one(scale, width):
    with pytest.raises(ExerciseFailed) as failure:
        check_token_attention(attention_with_scale(scale))
    message = str(failure.value)
    assert f"your scale is 1/sqrt({width}), the number for {width}-wide tokens" in message
    assert "compute the scale from the tokens' width" in message
    assert "number of tokens" not in message


def test_the_right_scale_still_passes(capsys):
    def answer(tokens, qkv, proj):
        return attention_with_scale(tokens.shape[-1] ** -0.5)(tokens, qkv, proj)

    check_token_attention(answer)
    assert "Correct!" in capsys.readouterr().out


def test_field_messages_name_the_slip_without_the_recurrence():
    for _, message in _FIELD_SLIPS:
        for giveaway in (
            "product of the strides",
            "spacing *= stride",
            "(kernel - 1) times",
            "(f - 1) * stride",
            "reversed(splits)",
            "leave it out, (kernel - 1)",
        ):
            assert giveaway not in message, (giveaway, message)
    assert sum("section 2's picture" in message for _, message in _FIELD_SLIPS) >= 3


def test_fold_in_float64_is_judged_on_its_values():  # fix round s: either dtype; a wrong one gets its reason
    with pytest.raises(ExerciseFailed, match=r"^Not yet: .*reshaped \(B, N, C\) straight"):
        check_fold_tokens(lambda t, r, c: t.reshape(t.shape[0], t.shape[2], r, c).double())
    with pytest.raises(ExerciseFailed, match=r"^Not yet: .*torch.float16.*float32 or float64"):
        check_fold_tokens(lambda t, r, c: t.transpose(1, 2).reshape(t.shape[0], t.shape[2], r, c).half())


def test_local_and_global_draws_two_panels():
    digit = torch.rand(28, 28)
    window = torch.zeros(28, 28, dtype=torch.bool)
    window[10:17, 10:17] = True
    weights = torch.softmax(torch.randn(49), 0).reshape(7, 7)
    fig = plot_local_and_global(digit, window, weights, (12, 12, 4), title="t")
    image_axes = [ax for ax in fig.axes if ax.get_images()]
    assert len(image_axes) >= 2 and "49 of 784 pixels" in image_axes[0].get_title()
    assert "all 49 tokens get weight > 0" in image_axes[1].get_title()


@pytest.mark.parametrize("bad", [torch.rand(7, 7), torch.rand(28, 27)])
def test_local_and_global_refuses_a_grid_that_does_not_tile_the_digit(bad):
    with pytest.raises(ValueError):
        plot_local_and_global(
            torch.rand(28, 28), torch.zeros(28, 28), bad if bad.shape != (7, 7) else torch.rand(5, 5), (0, 0, 4)
        )


def test_widget_opens_on_t2ts_chain_with_custom_sliders_at_four_splits():
    widget = t2t_chain_widget(custom=((3, 2, 1),) * 4)
    assert widget.line.startswith("224x224 -> 56x56 = 3136 -> 28x28 = 784 -> 14x14 = 196 tokens;")


def _text(path):
    return "\n".join("".join(cell["source"]) for cell in json.loads(path.read_text())["cells"])


def test_the_lesson_says_only_what_its_evidence_supports():
    text = _text(NOTEBOOKS / "07_tokens_to_token_vit.ipynb")
    assert "non-zero exactly" not in text and "non-zero only on pixels" in " ".join(text.split())
    assert "matches Table 2 if the position table is left out; the paper does not say how it counted" in " ".join(
        text.split()
    )
    appendix = _text(NOTEBOOKS / "07_tokens_to_token_vit_appendix.ipynb")  # the porters' facts moved there
    assert "dead branch" not in text + appendix and "only warns and returns" in appendix
    # 24c (review r24b item 2): the Summary's no-overlap line left; appendix A names the changes
    assert "which change matters (window size, padding, softmax scale and the T2T module's size" in " ".join(
        appendix.split()
    )
    # review 19c: the masked run is named once, only as tried and left out (never as evidence)
    # the masked run's note moved with the no-overlap chain to the appendix notebook (2026-12-05)
    assert (text + appendix).count(
        "lesson07_masked_overlap.md"
    ) == 1 and "overlapping (and larger) windows are ahead" not in text
    assert "lesson07_masked_overlap.md`), and is left out" in " ".join(appendix.split())
    assert "07_parameter_parts" not in text and "The scale acts as an inverse temperature" in text


def _exercise(path, number):
    heading = f"### Exercise {number} "
    (text,) = ("".join(c["source"]) for c in json.loads(path.read_text())["cells"] if heading in "".join(c["source"]))
    return text[text.index(heading) :]


def test_exercise_text_is_the_same_in_lesson_and_solutions():
    lesson = NOTEBOOKS / "07_tokens_to_token_vit.ipynb"
    solutions = NOTEBOOKS / "solutions" / "07_tokens_to_token_vit_solutions.ipynb"
    for number in (1, 2, 3, 4):
        assert _exercise(lesson, number) == _exercise(solutions, number), number
    assert "`31`, `31.0` and a one-element tensor holding 31 all pass" in _exercise(lesson, 1)

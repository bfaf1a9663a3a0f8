"""Lesson 07, review m: the token-attention checker names a changed dtype before comparing values."""

import math

import pytest
import torch

from vit_explained.exercises import ExerciseFailed
from vit_explained.exercises.lesson07 import check_token_attention


def attention_by_hand(tokens, qkv, proj):
    q, k, v = qkv(tokens).chunk(3, dim=-1)
    weights = torch.softmax(q @ k.transpose(-2, -1) / math.sqrt(tokens.shape[-1]), dim=-1)
    return v + proj(weights @ v)


@pytest.mark.parametrize(
    ("convert", "dtype"), [(torch.Tensor.half, "torch.float16"), (torch.Tensor.int, "torch.int32")]
)
def test_token_attention_names_a_changed_dtype(convert, dtype):
    def answer(tokens, qkv, proj):
        return convert(attention_by_hand(tokens, qkv, proj))

    with pytest.raises(ExerciseFailed) as failure:
        check_token_attention(answer)
    message = str(failure.value)
    assert f"your output is {dtype}, the tokens were torch.float32" in message
    assert "float32 or float64" in message and ".to(tokens.dtype)" in message


def test_token_attention_accepts_float64_as_exercise_2_does(capsys):
    """Review t: exercises 2 and 3 share one dtype policy: float32 or float64, compared to float32's precision."""
    check_token_attention(lambda tokens, qkv, proj: attention_by_hand(tokens, qkv, proj).double())
    out = capsys.readouterr().out
    assert "Correct!" in out and "Your output is float64, the tokens float32" in out


def test_token_attention_still_accepts_float32(capsys):
    check_token_attention(attention_by_hand)
    assert "Correct!" in capsys.readouterr().out


def test_parameter_parts_stacks_three_parts_per_model():
    from vit_explained.plotting.lesson07 import PARAMETER_PARTS, plot_parameter_parts

    models = {
        "small": {"embeddings": 400_000, "blocks": 20_000_000, "final norm + head": 390_000},
        "large": {"embeddings": 740_000, "blocks": 47_000_000, "final norm + head": 770_000},
    }
    fig = plot_parameter_parts(models, title="parts")
    ax = fig.axes[0]
    assert len(ax.patches) == len(models) * len(PARAMETER_PARTS)
    tops = sorted(round(p.get_y() + p.get_height(), 3) for p in ax.patches if p.get_x() < 0.5)
    assert tops[-1] == round(sum(models["small"].values()) / 1e6, 3)
    labels = [label.get_text() for label in ax.get_xticklabels()]
    assert "embeddings 0.40M" in labels[0] and "final norm + head 0.77M" in labels[1]  # thin parts under the name
    texts = [text.get_text() for text in ax.texts]
    assert "20.79M" not in texts and "20.00M" in texts and "48.5M" in texts


@pytest.mark.parametrize(
    "bad",
    [{}, {"m": {"embeddings": 1, "blocks": 2}}, {"m": {"embeddings": -1, "blocks": 2, "final norm + head": 3}}],
)
def test_parameter_parts_refuses_bad_input(bad):
    from vit_explained.plotting.lesson07 import plot_parameter_parts

    with pytest.raises(ValueError):
        plot_parameter_parts(bad)

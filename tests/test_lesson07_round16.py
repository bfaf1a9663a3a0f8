"""Lesson 07, round 16v: a trained T2T stem's attention row (loaded from a stored checkpoint, not trained), the
stage scales printed and asserted, a negative control for the float64 equivalence with the original code, and
exercise 1's message for the overlap passed as the stride."""

import json
from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file
from torch import nn

from vit_explained import T2TViT
from vit_explained._upstream import copy_into_original, original_t2t_vit
from vit_explained.exercises import ExerciseFailed
from vit_explained.exercises.lesson07 import check_receptive_field
from vit_explained.plotting.lesson07 import plot_trained_attention_rows
from vit_explained.soft_split import SoftSplit
from vit_explained.t2t import T2T_SPLITS, TokenTransformer

ROOT = Path(__file__).resolve().parents[1]
LESSON = ROOT / "notebooks" / "07_tokens_to_token_vit.ipynb"
CHECKPOINT = ROOT / "vit_explained" / "checkpoints" / "lesson07_trained_token_transformer.safetensors"


def _cells():
    return json.loads(LESSON.read_text())["cells"]


def _outputs():
    return "\n".join("".join(o.get("text", "")) for c in _cells() if c["cell_type"] == "code" for o in c["outputs"])


def _rows():
    stored = load_file(str(CHECKPOINT))
    tokens = SoftSplit(*T2T_SPLITS[0])(stored["digit"][None, None])
    rows = {}
    for name in ("initial", "trained"):
        block = TokenTransformer(49, 32)
        block.load_state_dict({k.split(".", 1)[1]: v for k, v in stored.items() if k.startswith(name)})
        with torch.no_grad():
            rows[name] = block.attn(block.norm1(tokens), return_attention=True)[1][0, 0]
    return rows


def test_checkpoint_is_small_and_holds_both_token_transformers():
    assert CHECKPOINT.stat().st_size < 200_000
    stored = load_file(str(CHECKPOINT))
    assert stored["digit"].shape == (48, 48)
    assert {key.split(".", 1)[1] for key in stored if key.startswith("trained.")} == set(
        TokenTransformer(49, 32).state_dict()
    )
    assert (ROOT / "benchmarks" / "bench_lesson07_trained_stem.py").exists()
    assert "175 of 180" in (ROOT / "benchmarks" / "results" / "lesson07_trained_stem.md").read_text()


def test_trained_rows_are_peakier_not_more_local():
    rows = _rows()
    for weights in rows.values():
        assert torch.allclose(weights.sum(-1), torch.ones(144)) and bool((weights > 0).all())
    peak = {name: weights.max(-1).values.mean().item() for name, weights in rows.items()}
    assert peak["trained"] > 3 * peak["initial"]
    grid = torch.arange(144)
    near = ((grid[:, None] // 12 - grid // 12).abs() <= 1) & ((grid[:, None] % 12 - grid % 12).abs() <= 1)
    share = {name: (weights * near).sum(-1).mean().item() for name, weights in rows.items()}
    assert share["trained"] < share["initial"] < near.float().mean().item()


def test_lesson_shows_the_trained_row_and_loads_it():
    text = "\n".join("".join(c["source"]) for c in _cells())
    assert "lesson07_trained_token_transformer.safetensors" in text and "plot_trained_attention_rows(" in text
    assert "They are not more local." in text and "stores no trained T2T weights" not in text
    outputs = _outputs()
    assert "0.012 initial, 0.042 trained" in outputs
    training = [c for c in _cells() if c["cell_type"] == "code" and "fit(" in "".join(c["source"])]
    assert not training  # the lesson loads, it does not train


def test_stage_scales_printed_and_asserted():
    outputs = _outputs()
    assert "1/12.12" in outputs and "1/24.00" in outputs
    hidden = ["".join(c["source"]) for c in _cells() if "hide-input" in c.get("metadata", {}).get("tags", [])]
    assert any('"1/12.12", "1/24.00"' in source for source in hidden)


def test_negative_control_breaks_the_float64_match():
    assert "negative control, the original's first token attention at 1/8: max |difference| 9.4e-04" in _outputs()
    config = dict(in_channels=1, num_classes=10, embed_dim=64, depth=2, heads=4, mlp_ratio=3, token_dim=16)
    torch.manual_seed(0)
    ours = T2TViT(64, **config).double().eval()
    for weight in ours.parameters():
        if weight.requires_grad:
            nn.init.normal_(weight, std=0.3)
    original = original_t2t_vit(64, **config).double().eval()
    copy_into_original(ours, original)
    square = torch.rand(2, 1, 64, 64, dtype=torch.float64)
    with torch.no_grad():
        assert (ours(square) - original(square)).abs().max().item() < 1e-12
        original.tokens_to_token.attention1.attn.scale = 1 / 8
        assert (ours(square) - original(square)).abs().max().item() > 1e-6


def test_overlap_passed_as_the_stride_is_named():
    def field(splits):
        side, spacing = 1, 1
        for kernel, stride, _ in splits:
            side += (kernel - 1) * spacing
            spacing *= kernel - stride  # the paper's s read as the overlap
        return side

    with pytest.raises(ExerciseFailed) as failure:
        check_receptive_field(field)
    message = str(failure.value)
    assert "you passed the overlap as the stride" in message and "stride = k - s" in message and "31" not in message


def test_plot_trained_attention_rows():
    digit = torch.rand(48, 48)
    rows = {"initial": torch.full((12, 12), 1 / 144), "trained": torch.rand(12, 12)}
    fig = plot_trained_attention_rows(digit, rows, (24, 24, 4), title="t")
    assert len(fig.axes) == 3  # two panels and one shared colour bar
    with pytest.raises(ValueError):
        plot_trained_attention_rows(digit, {"bad": torch.rand(5, 7)}, (0, 0, 4))
    with pytest.raises(ValueError):
        plot_trained_attention_rows(digit[0], rows, (0, 0, 4))

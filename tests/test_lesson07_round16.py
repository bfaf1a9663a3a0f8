"""Lesson 07, rounds 16v and 16w: a trained T2T stem's attention rows (stored, not trained), the
stage scales printed and asserted, a negative control for the float64 equivalence with the original code, and
exercise 1's message for the overlap passed as the stride."""

from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file
from torch import nn

from tests import _notebook as nb
from vit_explained import T2TViT
from vit_explained._upstream import copy_into_original, original_t2t_vit
from vit_explained.exercises import ExerciseFailed
from vit_explained.exercises.lesson07 import check_receptive_field
from vit_explained.plotting.lesson07 import plot_trained_attention_rows
from vit_explained.soft_split import SoftSplit
from vit_explained.t2t import T2T_SPLITS, TokenTransformer

ROOT = Path(__file__).resolve().parents[1]
LESSON = ROOT / "notebooks" / "07_tokens_to_token_vit.ipynb"
APPENDIX = LESSON.with_name("07_tokens_to_token_vit_appendix.ipynb")  # the lesson, then its appendix notebook
CHECKPOINT = ROOT / "vit_explained" / "checkpoints" / "lesson07_trained_token_transformer.safetensors"


def _rows(seed: int = 0):
    stored = load_file(str(CHECKPOINT))
    tokens = SoftSplit(*T2T_SPLITS[0])(stored["digit"][None, None])
    rows = {}
    for name in ("initial", "trained"):
        prefix = f"seed{seed}.{name}."
        block = TokenTransformer(49, 32)
        block.load_state_dict({k[len(prefix) :]: v for k, v in stored.items() if k.startswith(prefix)})
        with torch.no_grad():
            rows[name] = block.attn(block.norm1(tokens), return_attention=True)[1][0, 0]
    return rows


def test_checkpoint_is_small_and_holds_three_seeds_before_and_after():
    assert CHECKPOINT.stat().st_size < 250_000  # 3 seeds x 2 token transformers (49 -> 32) and one digit
    stored = load_file(str(CHECKPOINT))
    assert stored["digit"].shape == (48, 48)
    keys = set(TokenTransformer(49, 32).state_dict())
    for seed in (0, 1, 2):
        for name in ("initial", "trained"):
            prefix = f"seed{seed}.{name}."
            assert {key[len(prefix) :] for key in stored if key.startswith(prefix)} == keys
    assert (ROOT / "benchmarks" / "bench_lesson07_trained_stem.py").exists()
    table = (ROOT / "benchmarks" / "results" / "lesson07_trained_stem.md").read_text()
    assert "| 0 | 175 |" in table and "| 1 | 173 |" in table and "| 2 | 172 |" in table  # the control's seeds 0-2


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_trained_rows_are_peakier_not_more_local(seed):
    rows = _rows(seed)
    for weights in rows.values():
        assert torch.allclose(weights.sum(-1), torch.ones(144)) and bool((weights > 0).all())
    peak = {name: weights.max(-1).values.mean().item() for name, weights in rows.items()}
    assert peak["trained"] > 1.5 * peak["initial"]
    grid = torch.arange(144)
    near = ((grid[:, None] // 12 - grid // 12).abs() <= 1) & ((grid[:, None] % 12 - grid % 12).abs() <= 1)
    share = {name: (weights * near).sum(-1).mean().item() for name, weights in rows.items()}
    assert share["trained"] < share["initial"]


def test_lesson_averages_the_trained_rows_over_digits_and_seeds():
    """Review 16e (major): the claim rests on 180 validation digits and seeds 0-2, not on one digit of one run."""
    cells = nb.cells(LESSON) + nb.cells(APPENDIX)
    text = "\n".join("".join(c["source"]) for c in cells)
    assert "lesson07_trained_token_transformer.safetensors" in text and "plot_attention_offsets(" in text
    assert "In these 3 runs" in text and "It did not make them more local" in text
    assert "sign-test p of 0.25" in text and "They are not more local." not in text
    outputs = nb.all_printed(LESSON) + "\n" + nb.all_printed(APPENDIX)
    assert "initial higher than trained on every one of 3 seeds" in outputs  # the 3x3 share fell on every seed
    assert "trained higher than initial on every one of 3 seeds" in outputs  # the largest weight grew on every seed
    assert "2.1x to 3.0x" in outputs
    training = [c for c in cells if c["cell_type"] == "code" and "fit(" in "".join(c["source"])]
    assert not training  # the lesson loads, it does not train
    sources = ["".join(c["source"]) for c in cells]
    # 24a: section 2's last note shares the section 3 heading's cell (the main path's cell cap); the same heading
    section_3 = next(i for i, s in enumerate(sources) if "\n## 3. Inside the token transformer" in f"\n{s}")
    section_6 = next(i for i, s in enumerate(sources) if s.startswith("## 6. Does T2T help?"))
    uses = [i for i, s in enumerate(sources) if "return_attention=True" in s or "stem_attention_study(" in s]  # 18a
    assert uses and min(uses) > section_6 > section_3  # no token-attention internals before section 3


def test_stage_scales_printed_and_asserted():
    outputs = nb.all_printed(LESSON) + "\n" + nb.all_printed(APPENDIX)
    assert "1/12.12" in outputs and "1/24.00" in outputs
    hidden = [
        "".join(c["source"])
        for c in (nb.cells(LESSON) + nb.cells(APPENDIX))
        if "hide-input" in c.get("metadata", {}).get("tags", [])
    ]
    assert any('"1/12.12", "1/24.00"' in source for source in hidden)


def test_negative_control_breaks_the_float64_match():
    outputs = (
        nb.all_printed(LESSON) + "\n" + nb.all_printed(APPENDIX)
    )  # review 16g: the slip at this model's 1/sqrt(token_dim) = 1/4, with its margin
    assert (
        "negative control, the original's first token attention at 1/sqrt(16) = 0.25: max |difference| 5.2e-03"
        in outputs
    )
    assert "5e+09 times the test's 1e-12" in outputs
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
        original.tokens_to_token.attention1.attn.scale = 16**-0.5
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
    assert "used k - s as the stride" in message and "stride = k - s" in message and "31" not in message


def test_plot_trained_attention_rows():
    digit = torch.rand(48, 48)
    rows = {"initial": torch.full((12, 12), 1 / 144), "trained": torch.rand(12, 12)}
    fig = plot_trained_attention_rows(digit, rows, (24, 24, 4), title="t")
    assert len(fig.axes) == 3  # two panels and one shared colour bar
    with pytest.raises(ValueError):
        plot_trained_attention_rows(digit, {"bad": torch.rand(5, 7)}, (0, 0, 4))
    with pytest.raises(ValueError):
        plot_trained_attention_rows(digit[0], rows, (0, 0, 4))

"""Lesson 03, fix round m: the two other spellings of attention come from the package; the masks paragraph."""

import json
import pathlib

import torch

from vit_explained import Attention
from vit_explained.attention import EinopsAttention, SeparateQKVAttention, other_spellings

LESSON = pathlib.Path(__file__).resolve().parents[1] / "notebooks" / "03_attention_shapes.ipynb"


def test_other_spellings_hold_the_fused_weights_and_agree():
    torch.manual_seed(0)
    attn = Attention(32, heads=4)
    separate, einops_style = other_spellings(attn)
    assert isinstance(separate, SeparateQKVAttention) and isinstance(einops_style, EinopsAttention)
    assert torch.equal(separate.key.weight, attn.qkv.weight[32:64]) and torch.equal(
        separate.value.bias, attn.qkv.bias[64:]
    )
    x = torch.randn(2, 5, 32)
    with torch.no_grad():
        expected = attn(x)
        assert torch.allclose(separate(x), expected, atol=1e-5) and torch.allclose(einops_style(x), expected, atol=1e-5)


def test_other_spellings_draw_the_random_numbers_the_notebook_drew():
    torch.manual_seed(1)
    attn = Attention(16, heads=2)
    state = torch.get_rng_state()
    other_spellings(attn)
    after_helper = torch.rand(3)
    torch.set_rng_state(state)
    SeparateQKVAttention(16, 2), EinopsAttention(16, 2)
    assert torch.equal(after_helper, torch.rand(3))


def test_section_2_cell_is_short_and_the_masks_are_checked():
    cells = json.loads(LESSON.read_text())["cells"]
    sources = ["".join(cell["source"]) for cell in cells]
    (styles,) = [s for s in sources if "other_spellings(attn)" in s]
    assert len(styles.splitlines()) <= 15 and "class " not in styles
    (masks,) = [i for i, s in enumerate(sources) if s.startswith("**Masks: the same `True`, opposite meanings.**")]
    assert "may attend" in sources[masks] and "**blocked**" in sources[masks] and "attn_mask` alike" in sources[masks]
    assert "key_padding_mask=mask" in sources[masks + 1]  # the visible demo (fix round n), then the check
    check = cells[masks + 2]
    assert "hide-input" in check["metadata"]["tags"] and "key_padding_mask=~keep" in sources[masks + 2]
    assert "attn_mask=keep.expand(5, 5)" in sources[masks + 2] and not check.get("outputs")

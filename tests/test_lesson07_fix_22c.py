"""Lesson 07, review r22b: section 3's scale sentence says what the appendix measured (one layer, grayscale stems,
which 1/8), the ratios per stage, the Performer is T2T-ViT-14's token layer, the +-0.5 interval is sampling noise
only, no reading of random channels, the transposed-weights slip is named, and the spread left the main path."""

import math
import re

import pytest
import torch

from tests import _notebook as nb
from vit_explained.exercises import ExerciseFailed, lesson07

LESSON = nb.NOTEBOOKS / "07_tokens_to_token_vit.ipynb"
APPENDIX = nb.NOTEBOOKS / "07_tokens_to_token_vit_appendix.ipynb"


def _scale_text() -> str:
    sources = nb.sources(LESSON)
    return nb.flat(sources[nb.unique_index(sources, "**The scale uses the input width: `qk_scale`.**")])


def test_the_scale_sentence_names_the_layer_the_stems_and_which_eighth():
    text = _scale_text()
    assert "For RGB images the ratios are" not in text  # r22b item 1: no RGB model and no stage-2 layer was measured
    appendix = nb.sources(APPENDIX)  # 22e: the measurement moved to the appendix's porters, direction corrected
    porters = nb.flat(appendix[nb.unique_index(appendix, "## Appendix · For porters")])
    assert "Then it runs the first token attention of section 6's three stored trained stems" in porters
    assert "These stems are 32 wide" in porters and "1/8 is the 64-wide model's" in porters
    assert "The factors 1.52 and 3, transplanted from the RGB stage-1 and the stage-2 ratios" in porters
    assert "move it by 9.5 to 10.4 % and 26.9 to 33.0 %" in porters and "dividing" not in porters + text
    assert "The RGB model's ratios, 1.52 and 3, move it" not in porters
    assert "Only the first token attention is stored, so no stage-2 layer is measured." in porters
    assert "are 32 wide: their own 1/sqrt(token_dim) would be 1/sqrt(32), and 1/8 is the 64-wide model's" in porters


def test_the_ratios_are_per_stage_and_printed():
    appendix = nb.sources(APPENDIX)  # 22e: the ratio sentence moved to the appendix's porters
    porters = nb.flat(appendix[nb.unique_index(appendix, "## Appendix · For porters")])
    assert "is 0.875 at stage 1 for grayscale, 1.52 for RGB, and 3 at stage 2 (dim = 9 x `token_dim`)" in porters
    cells, sources = nb.cells(LESSON), nb.sources(LESSON)
    run = nb.unique_index(sources, 'for name, dim in [("stage 1, grayscale", 49)')
    printed = nb.printed(cells[run])
    for ratio in ("0.875", "1.52", "3"):
        assert re.search(rf"ratio \(1/8\) / scale = {re.escape(ratio)}\n", printed), ratio
    assert nb.hidden(cells[run + 1]) and '== ["0.875", "1.52", "3"]' in nb.source(cells[run + 1])
    assert math.isclose(math.sqrt(9 * 32) / math.sqrt(32), 3) and math.isclose(math.sqrt(576) / 8, 3)


def test_the_performer_is_t2t_vit_14s_token_layer():
    sources = nb.sources(LESSON)
    cost = nb.flat(sources[nb.unique_index(sources, "The quadratic cost moved to the front")])
    assert "offers a Performer instead" not in cost
    assert "In the paper's T2T-ViT-14 (81.5 %), Performer layers replace these token transformers" in cost
    assert "the `_t` variant built here keeps them" in cost


def test_the_interval_is_sampling_noise_only():
    sources = nb.sources(LESSON)
    section_6 = nb.flat(sources[nb.unique_index(sources, "## 6. Does T2T help?")])
    appendix = nb.flat(nb.all_text(APPENDIX))  # 24c (review r24b item 1): the +-0.5 sentence moved to the Sources
    assert '50,000 images (test-set sampling noise only; appendix, "Audits")' in appendix
    assert 'each number is one run (appendix, "Sources")' in section_6
    assert "But each number is one run" not in section_6


def test_no_reading_of_random_channels_and_the_spread_left_the_main_path():
    sources = nb.sources(LESSON)
    caption = nb.flat(sources[nb.unique_index(sources, "The folded map keeps the image's layout")])
    assert "upper loop" not in caption and "fainter" not in caption
    summary = nb.unique_index(sources, "## Summary")
    assert not any("project_qkv" in s or "spread" in s for s in sources[:summary])
    assert "(07_tokens_to_token_vit_appendix.ipynb#whole-module) measures the terms behind them" in caption
    appendix = nb.sources(APPENDIX)
    assert nb.unique_index(appendix, "## B · The whole module once") < nb.unique_index(
        appendix, "### The first token attention's two terms"
    )


def test_the_main_path_did_not_grow():
    cells = nb.cells(LESSON)
    visible = [c for c in cells if not c["metadata"].get("jupyter", {}).get("source_hidden")]
    end = next(i for i, c in enumerate(visible) if c["cell_type"] == "markdown" and "## Summary" in nb.source(c))
    words = sum(len(nb.source(c).split()) for c in visible[:end] if c["cell_type"] == "markdown")
    assert end <= 50 and words < 2987, (end, words)


def _parts(tokens, qkv, proj):
    return qkv(tokens).split(proj.out_features, dim=-1)


def weights_transposed(tokens, qkv, proj):
    q, k, v = _parts(tokens, qkv, proj)
    a = torch.softmax(q @ k.transpose(-2, -1) * tokens.shape[-1] ** -0.5, dim=-1)
    return v + proj(a.transpose(-2, -1) @ v)


def weights_transposed_by_mT(tokens, qkv, proj):
    q, k, v = _parts(tokens, qkv, proj)
    return v + proj(torch.softmax(q @ k.mT / math.sqrt(tokens.shape[-1]), dim=-1).mT @ v)


def weights_transposed_by_einsum(tokens, qkv, proj):
    q, k, v = qkv(tokens).chunk(3, dim=-1)
    a = torch.softmax(torch.einsum("bnd,bmd->bnm", q, k) * tokens.shape[-1] ** -0.5, dim=-1)
    return v + proj(torch.einsum("bnm,bnd->bmd", a, v))  # sums over the queries: a^T v


@pytest.mark.parametrize("wrong", [weights_transposed, weights_transposed_by_mT, weights_transposed_by_einsum])
def test_transposed_weights_get_the_transposed_message(wrong):
    with pytest.raises(ExerciseFailed, match=r"^Not yet: .*you transposed the attention weights") as caught:
        lesson07.check_token_attention(wrong)
    assert "differs from TokenAttention's by up to" not in str(caught.value)
    assert "the transpose of the attention matrix" in str(caught.value)


def right_by_hand(tokens, qkv, proj):
    q, k, v = _parts(tokens, qkv, proj)
    return v + proj(torch.softmax(q @ k.transpose(-2, -1) * tokens.shape[-1] ** -0.5, dim=-1) @ v)


def right_by_sdpa(tokens, qkv, proj):
    q, k, v = qkv(tokens).chunk(3, dim=-1)
    mixed = torch.nn.functional.scaled_dot_product_attention(q, k, v, scale=tokens.shape[-1] ** -0.5)
    return v + proj(mixed)


def right_transposed_twice(tokens, qkv, proj):  # (k q^T)^T is q k^T: the weights come out right
    q, k, v = _parts(tokens, qkv, proj)
    scores = (k @ q.transpose(-2, -1)).transpose(-2, -1) / tokens.shape[-1] ** 0.5
    return v + proj(torch.einsum("bnm,bmd->bnd", scores.softmax(-1), v))


@pytest.mark.parametrize("right", [right_by_hand, right_by_sdpa, right_transposed_twice])
def test_right_answers_still_pass(right, capsys):
    lesson07.check_token_attention(right)
    assert "Correct!" in capsys.readouterr().out

"""Round 18e (review 18d): the Linear run's stem is a convolution stem, proved in a hidden check; the widget's prose
names the legend's receptive-field entry and says what the show-field box guards."""

from __future__ import annotations

import pathlib

import torch
from torch import nn

from tests import _notebook as nb
from vit_explained.t2t import Tokens2Token

ROOT = pathlib.Path(__file__).resolve().parents[1]
LESSON = ROOT / "notebooks" / "07_tokens_to_token_vit.ipynb"
APPENDIX = LESSON.with_name("07_tokens_to_token_vit_appendix.ipynb")  # the lesson, then its appendix notebook


def _markdown() -> str:
    return " ".join(
        "".join(c["source"]) for c in (nb.cells(LESSON) + nb.cells(APPENDIX)) if c["cell_type"] == "markdown"
    )


def test_unfold_linear_reshape_is_a_conv2d():
    torch.manual_seed(1)
    stem = Tokens2Token(48, 1, token_dim=32, embed_dim=64).double()
    stem.token_transformers = nn.ModuleList(nn.Linear(s.token_length, 32).double() for s in stem.stages[:-1])
    layers = []
    for stage, layer in zip(stem.stages, [*stem.token_transformers, stem.project], strict=True):
        conv = nn.Conv2d(stage.in_channels, layer.out_features, stage.kernel, stage.stride, stage.padding).double()
        conv.weight.data.copy_(layer.weight.data.view_as(conv.weight))
        conv.bias.data.copy_(layer.bias.data)
        layers.append(conv)
    pixels = torch.rand(3, 1, 48, 48, dtype=torch.float64)
    with torch.no_grad():
        tokens = nn.Sequential(*layers)(pixels).flatten(2).transpose(1, 2)
        assert torch.allclose(stem(pixels), tokens, atol=1e-12)
        layers[0].weight.data[0, 0, 0, 0] += 1  # a negative control: one changed weight shows
        assert not torch.allclose(stem(pixels), nn.Sequential(*layers)(pixels).flatten(2).transpose(1, 2))


def test_the_lineage_and_the_comparison_sentences():
    text = " ".join(_markdown().split())
    # review 19b: the Linear arm is a *linear* convolution stem (one affine map), not a conv stem in Xiao et al.'s sense
    assert "is a *linear* convolution stem" in text
    assert "three `Conv2d` with T2T's kernels, strides and paddings" in text
    assert "Data, scale and training differ" in text and "these four kept" not in text
    sources = ["".join(c["source"]) for c in (nb.cells(LESSON) + nb.cells(APPENDIX))]
    (i,) = [i for i, s in enumerate(sources) if "conv_tokens = nn.Sequential" in s]
    assert "torch.allclose(linear_stem(pixels), conv_tokens" in sources[i]
    assert "hide-input" in (nb.cells(LESSON) + nb.cells(APPENDIX))[i]["metadata"].get("tags", [])


def test_the_widget_prose_matches_the_legend():
    text = " ".join(_markdown().split())
    assert 'The legend\'s "split 4"' not in text and 'the red "receptive field" entry' in text
    assert "T2T's own 31 x 31 is section 2's result" in text


def test_exercise_1_adds_two_random_chains_so_a_lookup_table_fails():
    import pytest

    from vit_explained.exercises import lesson07 as ex
    from vit_explained.exercises.lesson07 import RECEPTIVE_FIELD_CASES, _random_chains, _receptive_field

    chains = _random_chains()
    assert len(chains) == 2 and all(1 <= len(c) <= 4 and all(1 <= s <= k for k, s, _ in c) for c in chains)
    table = {tuple(c): _receptive_field(c) for c in RECEPTIVE_FIELD_CASES}
    draws = [_random_chains(50) for _ in range(2)]
    assert draws[0] != draws[1]  # drawn afresh on every call
    assert not any(c in RECEPTIVE_FIELD_CASES for c in draws[0])
    for _ in range(5):  # the fixed cases' answers alone fail on every call
        with pytest.raises(Exception, match=r"Not yet: .*chain"):
            ex.check_receptive_field(lambda splits: table.get(tuple(splits), -1))
    ex.check_receptive_field(_receptive_field)  # the reference passes every call
    with pytest.raises(Exception, match="round down at each split"):
        ex.check_t2t_token_count(lambda h, w: h * w / 219.2)

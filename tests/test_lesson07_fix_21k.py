"""Lesson 07, review r21j: the token scale's 1.0 % is one random draw (with the trained stems beside it), the
porters' 'where to get it' names mmpretrain, and the fold checker's detach message names what stops training."""

import re

import pytest
import torch

from tests import _notebook as nb
from vit_explained.exercises import ExerciseFailed, lesson07

LESSON = nb.NOTEBOOKS / "07_tokens_to_token_vit.ipynb"
APPENDIX = nb.NOTEBOOKS / "07_tokens_to_token_vit_appendix.ipynb"


def test_the_token_scale_change_is_one_draw_and_the_trained_stems_are_quoted():
    sources = nb.sources(LESSON)
    scale = nb.flat(sources[nb.unique_index(sources, "**The scale uses the input width: `qk_scale`.**")])
    assert "at most 1.0 %" not in scale
    appendix = nb.sources(APPENDIX)
    porters = nb.flat(appendix[nb.unique_index(appendix, "## Appendix · For porters")])
    # 22e: both sentences moved from section 3 to the appendix's porters (same facts there)
    assert "the original's token `Attention` at 1/7 and at 1/8. In one random draw" in porters
    # 22c (review r22b items 1-2): which stems and which layer, in the new wording
    assert "three stored trained stems (seeds 0-2, the 180 digits, grayscale 48 x 48)" in porters
    assert "In one random draw, the largest change was 1.0 % of the output's largest value." in porters
    assert "moved the first token attention's output by 2.5 to 3.0 %" in porters
    run = nb.unique_index(appendix, "the same change on section 6's stored trained stems")
    cells = nb.cells(APPENDIX)
    assert "trained digit stems, seeds 0-2: max |out(1/7) - out(1/8)| = 2.7 %, 2.5 %, 3.0 % of max |out|" in nb.printed(
        cells[run]
    )
    assert nb.hidden(cells[run + 1]) and '["2.7", "2.5", "3.0"]' in nb.source(cells[run + 1])


def test_the_porters_name_mmpretrain_and_drop_only():
    appendix = nb.sources(APPENDIX)
    porters = nb.flat(appendix[nb.unique_index(appendix, "## Appendix · For porters")])
    assert "only the authors' repository" not in porters
    assert "OpenMMLab's `mmpretrain` (formerly `mmclassification`) ships T2T-ViT_t-14, -19 and -24" in porters
    assert "`configs/t2t_vit/README.md`" in porters


def _detached_fold(tokens, rows, cols):
    return tokens.detach().transpose(1, 2).reshape(tokens.shape[0], -1, rows, cols)


def _numpy_fold(tokens, rows, cols):
    return torch.from_numpy(tokens.numpy().transpose(0, 2, 1).reshape(tokens.shape[0], -1, rows, cols))


@pytest.mark.parametrize("wrong", [_detached_fold, _numpy_fold])
def test_the_fold_checker_names_token_transformer_1_not_the_weightless_soft_split(wrong):
    with pytest.raises(ExerciseFailed) as failure:
        lesson07.check_fold_tokens(wrong)
    message = str(failure.value)
    assert "soft split 1" not in message
    assert re.search(r"stops token transformer 1 \(and everything before the fold\)", message), message

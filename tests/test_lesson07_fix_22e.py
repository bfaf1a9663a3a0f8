"""Lesson 07, review r22d: the token-scale slip multiplies the released scale (measured that way, in the appendix),
section 3 keeps one short scale paragraph, the original takes square images only, the 2.5 GB is the explicit
softmax's, and the checkers name in-place operations and a missing return."""

import math
import re

import pytest
import torch

from tests import _notebook as nb
from vit_explained._upstream import load_original_t2t
from vit_explained.exercises import ExerciseFailed, lesson07

LESSON = nb.NOTEBOOKS / "07_tokens_to_token_vit.ipynb"
APPENDIX = nb.NOTEBOOKS / "07_tokens_to_token_vit_appendix.ipynb"


def _porters() -> str:
    appendix = nb.sources(APPENDIX)
    return nb.flat(appendix[nb.unique_index(appendix, "## Appendix · For porters")])


def test_section_3_scale_paragraph_is_short_and_quotes_no_measurement():
    sources = nb.sources(LESSON)
    text = nb.flat(sources[nb.unique_index(sources, "**The scale uses the input width: `qk_scale`.**")])
    after = text[text.rindex("```") :]
    assert "`TokenAttention` reproduces it, and a port must copy it" in after
    assert "measures what a wrong scale does to one trained layer" in after
    assert not re.search(r"\d+(\.\d+)? %|1\.52|0\.875|dividing|divided", after)  # no numbers beyond the next cell's
    assert len(after.split()) < 70


def test_the_appendix_multiplies_the_scale_as_the_slip_does():
    porters = _porters()
    assert "multiplies it by sqrt(dim) / sqrt(token_dim)" in porters
    assert "Their own slip, 1/sqrt(32) instead of 1/7, multiplies the scale by 7 / sqrt(32) = 1.24" in porters
    assert "moves it by 4.6 to 5.1 %" in porters and "move it by 9.5 to 10.4 % and 26.9 to 33.0 %" in porters
    assert "transplanted from the RGB stage-1 and the stage-2 ratios onto this grayscale layer" in porters
    assert "7.3 to 8.6" not in porters and "14.9 to 17.4" not in porters
    cells, sources = nb.cells(APPENDIX), nb.sources(APPENDIX)
    run = nb.unique_index(sources, "slip_factors = [token_dim**-0.5 / TokenAttention(dim, token_dim).scale")
    assert "stem_attention.attn.scale * factor" in sources[run] and "scale / ratio" not in sources[run]
    printed = nb.printed(cells[run])
    assert "scale multiplied by 1.24: max |change| = 5.1 %, 4.6 %, 4.9 % of max |out|" in printed
    assert "divided" not in printed
    check = nb.source(cells[run + 1])
    assert nb.hidden(cells[run + 1]) and "assert all(factor > 1 for factor in slip_factors)" in check
    assert '["1.24", "1.52", "3.00"]' in check


def test_the_slip_direction_from_the_code():
    from vit_explained.t2t import TokenAttention

    for dim, token_dim, factor in [(49, 32, 7 / 32**0.5), (147, 64, 147**0.5 / 8), (576, 64, 3.0)]:
        released = TokenAttention(dim, token_dim).scale
        assert released == pytest.approx(dim**-0.5)
        assert token_dim**-0.5 / released == pytest.approx(factor) and factor > 1  # the port's scale is larger


def test_section_3_says_the_original_takes_square_images_only():
    sources = nb.sources(LESSON)
    text = nb.flat(sources[nb.unique_index(sources, "Is `T2TViT` the original model?")])
    assert "The original takes square images only: it folds the tokens with `int(np.sqrt(new_HW))`" in text
    assert "counts `img_size // (4 * 2 * 2)` tokens per side" in text
    assert "section 2's 400 x 100 input runs only in this package's `Tokens2Token` and `T2TViT`" in text
    original = load_original_t2t("t2t_vit")
    import inspect

    source = inspect.getsource(original.T2T_module)
    assert "int(np.sqrt(new_HW)), int(np.sqrt(new_HW))" in source
    assert "self.num_patches = (img_size // (4 * 2 * 2)) * (img_size // (4 * 2 * 2))" in source


def test_the_memory_line_is_the_explicit_softmaxs():
    cells, sources = nb.cells(LESSON), nb.sources(LESSON)
    run = nb.unique_index(sources, 'first, _ = costs["T2T transformer 1"]')
    printed = nb.printed(cells[run])
    assert "at least 2.5 GB at batch 64 for the explicit softmax, kept for the backward pass;" in printed
    assert "the flash and memory-efficient SDPA kernels do not store it (the math backend does)" in printed
    assert "which training keeps for the backward pass" not in printed


# --- the checkers (review r22d items 4 and 8) ---------------------------------------------------------------------


def _softmax_in_place(tokens, qkv, proj):  # right values; exp_ saves s, then /= changes it
    q, k, v = qkv(tokens).chunk(3, dim=-1)
    s = q @ k.transpose(-2, -1) * tokens.shape[-1] ** -0.5
    s.exp_()
    s /= s.sum(-1, keepdim=True)
    return v + proj(s @ v)


def _attention_softmax(tokens, qkv, proj):
    q, k, v = qkv(tokens).chunk(3, dim=-1)
    return v + proj(torch.softmax(q @ k.transpose(-2, -1) * tokens.shape[-1] ** -0.5, dim=-1) @ v)


def _attention_by_hand(tokens, qkv, proj):  # the out-of-place form of the slip above
    q, k, v = qkv(tokens).split(proj.in_features, dim=-1)
    scores = (q @ k.transpose(-2, -1) / tokens.shape[-1] ** 0.5).exp()
    return v + proj(scores / scores.sum(-1, keepdim=True) @ v)


def _attention_sdpa(tokens, qkv, proj):
    q, k, v = qkv(tokens).chunk(3, dim=-1)
    return v + proj(torch.nn.functional.scaled_dot_product_attention(q, k, v, scale=tokens.shape[-1] ** -0.5))


def test_an_in_place_softmax_is_named_not_raised():
    with pytest.raises(ExerciseFailed) as failure:
        lesson07.check_token_attention(_softmax_in_place)
    message = str(failure.value)
    assert "your output is right, but an in-place operation" in message and "exp_" in message
    assert "saved for the backward pass" in message and "torch.softmax" in message
    assert "no_grad" not in message and "detached" not in message


@pytest.mark.parametrize("answer", [_attention_softmax, _attention_by_hand, _attention_sdpa])
def test_three_right_token_attentions_still_pass(answer, capsys):
    lesson07.check_token_attention(answer)
    assert "Not yet" not in capsys.readouterr().out


def _fold_in_place(tokens, rows, cols):  # right values; mul saved the mask, then mul_ changes it
    mask = torch.ones_like(tokens)
    kept = tokens * mask
    mask.mul_(1)
    return kept.transpose(1, 2).reshape(tokens.shape[0], tokens.shape[2], rows, cols)


def _fold_transpose(tokens, rows, cols):
    return tokens.transpose(1, 2).reshape(tokens.shape[0], tokens.shape[2], rows, cols)


def _fold_permute(tokens, rows, cols):
    return tokens.permute(0, 2, 1).contiguous().view(tokens.shape[0], -1, rows, cols)


def _fold_unflatten(tokens, rows, cols):
    return tokens.mT.unflatten(-1, (rows, cols))


def test_an_in_place_fold_slip_is_named_as_in_place():
    with pytest.raises(ExerciseFailed) as failure:
        lesson07.check_fold_tokens(_fold_in_place)
    message = str(failure.value)
    assert "your image is right, but an in-place operation" in message and "mul_" in message
    assert "saved for the backward pass" in message
    assert "no_grad" not in message and "detached" not in message and "numpy" not in message


@pytest.mark.parametrize("answer", [_fold_transpose, _fold_permute, _fold_unflatten])
def test_three_right_folds_still_pass(answer, capsys):
    lesson07.check_fold_tokens(answer)
    assert "Not yet" not in capsys.readouterr().out


def _field_without_return(splits):
    field, jump = 1, 1
    for kernel, stride, _ in splits:
        field, jump = field + (kernel - 1) * jump, jump * stride


def _field_loop(splits):
    field, jump = 1, 1
    for kernel, stride, _ in splits:
        field, jump = field + (kernel - 1) * jump, jump * stride
    return field


def _field_backward(splits):
    field = 1
    for kernel, stride, _ in reversed(splits):
        field = (field - 1) * stride + kernel
    return field


def _field_sum(splits):
    strides = [1] + [stride for _, stride, _ in splits]
    return 1 + sum((kernel - 1) * math.prod(strides[: i + 1]) for i, (kernel, _, _) in enumerate(splits))


def test_a_missing_return_is_named():
    with pytest.raises(ExerciseFailed) as failure:
        lesson07.check_receptive_field(_field_without_return)
    assert "returned None: did your function forget `return`?" in str(failure.value)


@pytest.mark.parametrize("answer", [_field_loop, _field_backward, _field_sum])
def test_three_right_fields_still_pass(answer, capsys):
    lesson07.check_receptive_field(answer)
    assert "Not yet" not in capsys.readouterr().out


def test_the_gradient_mask_figure_is_two_rows_of_two():  # review r22d item 6
    import matplotlib.pyplot as plt

    from vit_explained.plotting.lesson07 import gradient_mask_panels, plot_gradient_masks

    sources = nb.sources(LESSON)
    run = nb.unique_index(sources, "fig = plot_gradient_masks(")
    assert "columns=2," in sources[run]
    masks = [torch.zeros(28, 28), torch.zeros(28, 28), torch.zeros(48, 48), torch.ones(28, 28)]
    fig = plot_gradient_masks(gradient_mask_panels(*masks, (3, 3), 4, 16), title="t", columns=2)
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert len(visible) == 4 and len({round(ax.get_position().y0, 3) for ax in visible}) == 2
    width, height = fig.get_size_inches()
    assert width >= 6.4 and height >= 8
    plt.close(fig)
    one_row = plot_gradient_masks([("a", torch.ones(5, 5)), ("b", torch.ones(5, 5))])
    assert len({round(ax.get_position().y0, 3) for ax in one_row.axes}) == 1  # the default: one row
    plt.close(one_row)

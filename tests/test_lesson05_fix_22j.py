"""Lesson 05, fix 22j (review r22i): exercise 4's dK-pattern message states dK's formula no more; section 3's
232 is seed 0's, with a 5-seed range printed beside it; Noci et al. 2022 report a related effect."""

import pytest
import torch

from tests import _notebook as nb
from vit_explained.exercises import ExerciseFailed
from vit_explained.exercises.lesson05 import check_w_q_gradient

LESSON = nb.NOTEBOOKS / "05_where_gradients_flow.ipynb"


def test_item_1_the_dk_pattern_message_names_a_column_of_ds_not_dks_formula():
    slip = lambda x, k, gs: torch.einsum("bnd,bne->de", gs.mT @ k, x) / k.shape[-1] ** 0.5  # noqa: E731
    with pytest.raises(ExerciseFailed) as error:
        check_w_q_gradient(slip)
    message = str(error.value)
    assert "you used dS^T (the keys' pattern, a column of dS)" in message
    assert "s dS K, a row of dS" in message
    assert "dK's formula" not in message and "dS^T K is" not in message


@pytest.mark.parametrize(
    "right",
    [
        lambda x, k, gs: torch.einsum("bnd,bne->de", gs @ k, x) / k.shape[-1] ** 0.5,
        lambda x, k, gs: ((gs @ k).mT @ x).sum(0) / k.shape[-1] ** 0.5,
        lambda x, k, gs: sum((gs[b] @ k[b]).T @ x[b] for b in range(x.shape[0])) / k.shape[-1] ** 0.5,
    ],
)
def test_item_1_right_answers_still_pass(right, capsys):
    check_w_q_gradient(right)
    assert "Correct" in capsys.readouterr().out


def _text(key):
    sources = nb.sources(LESSON)
    return nb.flat(sources[nb.unique_index(sources, key)])


def test_item_2_the_232_is_seed_0s_with_appendix_bs_seed_range():
    surprise = _text("The right panel holds a surprise")
    assert (
        "at least 232 times less gradient than the v rows** on this seed "
        "(185 to 464 over 3 seeds x 4 blocks, appendix B)" in (surprise)
    )
    printed = nb.all_printed(LESSON)
    assert "at least 232 times larger in every block" in printed
    appendix = nb.sources(nb.NOTEBOOKS / "05_where_gradients_flow_appendix.ipynb")
    check = appendix[nb.unique_index(appendix, "timm_ratios, torch_ratios = at_init")]
    assert "== (185, 464)" in check
    assert 'init="timm" 185 to 464' in nb.all_printed(nb.NOTEBOOKS / "05_where_gradients_flow_appendix.ipynb")


def test_item_3_noci_reports_a_related_effect():
    surprise = _text("The right panel holds a surprise")
    assert "Noci et al. 2022 report a related effect: architectural hyperparameters" in surprise
    assert "state it generally" not in surprise


def test_item_8_norm2_is_where_the_mlp_route_rejoins():
    text = _text("Backward runs through each block **from its end**")
    assert "MLP first, back through `norm2`; the two routes add at $h$; then attention." in text  # 23e: they add at h
    assert "3.norm2 -> 3.attn.proj" in nb.all_printed(LESSON)

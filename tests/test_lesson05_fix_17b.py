"""Lesson 05, fix round 17b (review r17b): blocks 2 and 3 are 'no consistent change', not 'no rise'; the
v / max(q, k) ratio at init has its one-variable control (the same small model, init="timm" vs init="torch");
section 4's four numeric bullets live in appendix I and the widget's per-head answer in appendix H; the table has
a header saying what it compares; exercise messages end with a full stop and do not accuse a learner of naming a
part twice when two spellings name it; section 5 closes with the share picture."""

from pathlib import Path

import pytest
import torch

from tests import _notebook as nb
from vit_explained.exercises import ExerciseFailed
from vit_explained.exercises.lesson05 import check_frozen_attention_parts, check_softmax_backward
from vit_explained.gradient_experiments import freeze_cut_table, small_digit_vit, v_over_qk, v_over_qk_by_block
from vit_explained.gradient_hooks import GradientRecorder
from vit_explained.plotting.lesson05 import plot_share_arrows, share_arrows

APPENDIX = nb.NOTEBOOKS / "05_where_gradients_flow_appendix.ipynb"  # fix 21a: the appendices A-I moved here

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "05_where_gradients_flow.ipynb"


def _sources():
    return ["".join(c["source"]) for c in (nb.cells(NOTEBOOK) + nb.cells(APPENDIX))]


def _at(sources, text):
    return next(i for i, s in enumerate(sources) if text in s)


def test_blocks_2_and_3_are_no_consistent_change():
    text = "\n".join(_sources())
    assert "0 and 1 only" not in text and "not in blocks 2 and 3" not in text
    # round 18b: the short runs' caveat gives way to the stored 50-epoch replication (seeds 1 and 2)
    assert text.count("3 trained\nruns of the same recipe") == 1  # 22a; 23b: section 5's wording
    assert "3 runs in all (seeds 0, 1, 2)" in nb.all_printed(NOTEBOOK)


def test_the_init_control_and_its_sentences():
    sources = _sources()
    section_3, section_4 = _at(sources, "## 3 · Gradient norms"), _at(sources, "## 4 · Inside attention")
    appendix_i = _at(sources, "### I · Section 4's count")
    assert "9 to 50" not in "\n".join(sources[section_3:section_4])  # round 17c: the init control follows section 4
    appendix_b, appendix_c = _at(sources, "### B · Ten times larger weights"), _at(sources, "### C · The same ratio")
    note = "\n".join(sources[_at(sources, "**Is it the init, and which part of it?**") : appendix_c])  # 19b: appendix B
    assert appendix_b < _at(sources, "**Is it the init, and which part of it?**") < appendix_c
    assert "the ratio falls from 185-464 to 9-50 (printed)" in note  # round 18e
    assert "v_over_qk_by_block(small_digit_vit(seed, init=init)" in note
    details = "\n".join(sources[appendix_i:])
    assert "8 to 83 over 3 seeds" in details and "8-60" not in details and "another architecture" in details


def test_v_over_qk_by_block_is_the_recorders_ratio():
    digits = torch.rand(8, 1, 8, 8, generator=torch.Generator().manual_seed(0))
    labels = torch.arange(8)
    by_block = v_over_qk_by_block(small_digit_vit(1, init="torch"), digits, labels)
    model = small_digit_vit(1, init="torch")
    with GradientRecorder(model) as recorder:
        torch.nn.functional.cross_entropy(model(digits), labels).backward()
    assert by_block == [v_over_qk(n) for n in recorder.qkv_by_layer().values()] and len(by_block) == 4


def test_section_4_keeps_one_sentence_and_appendix_i_the_bullets():
    sources = _sources()
    section_4, section_5 = _at(sources, "## 4 · Inside attention"), _at(sources, "## 5 · Cut the MLP route")
    main = "\n".join(sources[section_4:section_5])
    assert "1/459" not in main and "so $dQ$ keeps" not in main and "1/320" not in main  # 20c: numbers in the chart
    assert "appendix I counts it" in main
    assert _at(sources, "draws this chain factor by factor on block 0") > _at(sources, "### I · Section 4's count")


def test_widget_answer_is_one_sentence_and_the_heads_sit_in_appendix_h():
    sources = _sources()
    widget = sources[_at(sources, "**Try it.** The widget runs `attention_backward`")]
    answer = widget.split("<summary>Answer (open after trying)</summary>")[1]
    assert answer.count(". ") == 0 and "appendix H" in answer
    assert "from head 3, the only head that keeps a gradient" in answer  # round 18a: the head named
    heads = _at(sources, "in head 3, 7 % of the rows hold most of its")
    assert heads > _at(sources, "### H · When the softmax saturates") and "heads_w_q" in sources[heads + 1]


def test_visible_code_and_wording_of_item_5():
    sources = _sources()
    routes = sources[_at(sources, "grad_at = {}  #")]
    by_hand = routes[: routes.index("seed_norms = [")]  # 19c: the 5 seeds' print joined this cell, after the hand part
    assert "(total - skip).norm()" in by_hand and "route_norms(" not in by_hand
    assert "fused" not in sources[_at(sources, "seed_norms = [")]
    text = "\n".join(sources)
    assert text.count("a frozen layer still passes gradient; a detached input does not") == 1
    assert "at the output of\n$AV$" in sources[_at(sources, "## Summary")]
    assert "about half or less" not in text


def test_table_header_names_what_is_compared():
    changes = {
        0: {
            "freeze": type("C", (), {"relative": 0.0})(),
            "fc1": type("C", (), {"relative": 0.2})(),
            "cut": type("C", (), {"relative": 0.5})(),
            "share": 0.3,
        }
    }
    assert freeze_cut_table(changes, title="frozen copy vs full").splitlines()[0] == "frozen copy vs full"
    assert freeze_cut_table(changes).splitlines()[0].startswith("qkv.weight.grad g of the frozen")  # default kept


def test_exercise_messages():
    with pytest.raises(ExerciseFailed, match=r"must use row i's own sum\.$"):  # a row sum without keepdim
        check_softmax_backward(lambda a, g: a * (g - (g * a).sum(-1)))
    with pytest.raises(ExerciseFailed) as failed:  # named once each, two spellings of one part
        check_frozen_attention_parts(lambda: {"embeddings", "norm1", "norm2", "mlps", "mlp", "final norm"})
    message = str(failed.value)
    assert "both name the part 'mlp'" in message and "keep one of the two." in message
    assert "should be named once" not in message


def test_share_arrows_geometry_and_picture():
    tips = share_arrows(0.31, 0.61)
    (mx, my), (cx, cy) = tips["g - g_cut"], tips["g_cut"]
    assert mx == pytest.approx(0.31) and (mx * mx + my * my) ** 0.5 == pytest.approx(0.61)  # share, change
    assert (cx + mx, cy + my) == pytest.approx((1.0, 0.0))  # g = g_cut + (g - g_cut)
    with pytest.raises(ValueError, match="at least"):
        share_arrows(0.5, 0.4)
    fig = plot_share_arrows({"a": (0.31, 0.61), "b": (0.96, 0.97)}, title="t")
    assert len(fig.axes) == 2 and [ax.get_title() for ax in fig.axes] == ["a", "b"]
    sources = _sources()
    picture = _at(sources, 'plot_share_arrows({f"small model at init, block {b}"')  # 20e: back in section 5
    assert _at(sources, "## 5 · Cut the MLP route") < picture < _at(sources, "## Summary")
    assert "negative when the MLP-route part points against $g$" in sources[picture + 1]  # 23b: above the definition

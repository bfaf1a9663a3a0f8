"""Lesson 05, fix round 17c (review r17c): the answer states the trained model's MLP shares; the share picture
(block 0 and block 3 of the small model) and its definition come before the first share table, which prints the
change too; section 4 shows the uniform-A row sum; the widget answer says the gradient rises again; the init control
is a short note after section 4; exercise 1 refuses autograd with a named message."""

from pathlib import Path

import pytest
import torch

from tests import _notebook as nb
from vit_explained.exercises import ExerciseFailed
from vit_explained.exercises.lesson05 import check_softmax_backward

APPENDIX = nb.NOTEBOOKS / "05_where_gradients_flow_appendix.ipynb"  # fix 21a: the appendices A-I moved here

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "05_where_gradients_flow.ipynb"


def _cells():
    return nb.cells(NOTEBOOK) + nb.cells(APPENDIX)


def _sources():
    return ["".join(c["source"]) for c in _cells()]


def _at(sources, text):
    return next(i for i, s in enumerate(sources) if text in s)


def test_the_answer_states_the_trained_shares():
    sources = _sources()
    answer = sources[_at(sources, "**Answer to the question:**")]
    assert "partly" not in answer and "93 % [89, 97]" in nb.all_printed(APPENDIX)  # 22a: the Answer's printed table
    assert "the MLPs after it (its own block's and those of the blocks above)" in nb.flat(answer)  # 21a; 23b
    # round 18a: cell 0 gives block 0's numbers only (trained vs its own architecture at init); ranges to section 5
    assert "93" not in sources[0] and "50 to 63 %" not in sources[0]  # 18c: numbers once, in section 5 and the answer
    assert "part of that gradient comes back" not in sources[0]
    # round 17d: route vs source said once, the share marked as one checkpoint's
    assert "is the only source" in sources[0] and "section 5's trained ViT" in _summary_block()  # 17f, 18c; 23d moved


def test_share_picture_and_definition_before_the_first_table():
    sources = _sources()
    # 19a: one share measure in the main line; the picture (share and change) moved to appendix D
    table = _at(sources, "freeze_cut_table(changes, with_change=False")
    assert "**The MLP share**" in sources[table - 1]
    assert "negative when the MLP-route part points against $g$" in sources[table - 1]
    picture = _at(sources, "plot_share_arrows({")
    assert picture + 1 == table - 1 and "for b in (0, 3)" in sources[picture]  # 20e: above the definition
    assert sum("plot_share_arrows(" in s for s in sources) == 1  # moved, not copied
    # 23e: the 5 seeds' range is one gradient over the same 512 digits each
    said = (
        "Block 3's share is -2 % here (every seed, 512 digits: up to 17 %): its MLP-route part adds nothing along $g$"
    )
    assert said in "\n".join(sources[table : _at(sources, "## Summary")])


def test_uniform_a_row_sum_and_widget_answer():
    sources = _sources()
    assert r"\sum_m A_{im}\, dA_{im} = dO_i \cdot O_i" in "\n".join(sources)
    widget = sources[_at(sources, "**Try it.** The widget runs `attention_backward`")]
    answer = widget.split("<summary>Answer (open after trying)</summary>")[1]
    assert "falls to a quarter of its peak" in answer and "then rises again, from head 3" in answer
    assert "collapses" not in answer


def test_init_control_is_a_short_note_after_section_4():
    sources = _sources()
    note = _at(sources, "**Is it the init, and which part of it?**")  # 19b: moved to appendix B, a pointer in section 4
    assert _at(sources, "### B · Ten times larger weights") < note < _at(sources, "### C · The same ratio")
    assert "init=init" in sources[note + 1]
    assert (
        'its ablations "block 0\'s qkv weight x 10" and "PyTorch\'s init, qkv at timm\'s"'  # 21c: named
        in sources[  # 19c: three ablations, needed (2) and sufficient (3)
            _at(sources, "count, summed up.**")  # 21i: moved from section 4 to appendix B
        ]
    )


def test_nits():
    cells, sources = _cells(), _sources()
    folded = sources[_at(sources, "# @title The widget's heads at its peak and at c = 100")]
    assert (
        "assert" not in folded
        and "hide-input" in cells[_at(sources, "rise = [derivation_point(c)")]["metadata"]["tags"]
    )
    routes = sources[_at(sources, "grad_at = {}  #")]
    assert "def keep_as(key):" in routes and "lambda grad, i=i" not in routes
    assert "section 4: 'shrinks 2.8 times more'" not in "\n".join(sources)


def test_exercise_1_refuses_autograd_by_name():
    def by_autograd(a, grad_a):
        s = torch.log(a).detach().requires_grad_()
        return torch.autograd.grad(torch.softmax(s, dim=-1), s, grad_a)[0]

    with pytest.raises(ExerciseFailed, match=r"not autograd.*torch\.autograd\.grad"):
        check_softmax_backward(by_autograd)


def _summary_block() -> str:  # 23d: cell 0's measures and numbers moved to the Summary, before the Answer
    sources = nb.sources(nb.NOTEBOOKS / "05_where_gradients_flow.ipynb")
    return sources[
        nb.unique_index(sources, "**Answer to the question:**")
    ]  # 24c: one Summary cell (24a: the Answer first)

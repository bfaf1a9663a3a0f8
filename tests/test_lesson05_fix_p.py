"""Lesson 05 fix round p: exercise 8 names a pre-hook lambda that returns the handle; exercise 1's NumPy note
agrees with 'a numpy array also works'; the notebook's rough count (fix q: through M); section 5's cut is visible."""

import json
from pathlib import Path

import pytest
import torch.nn.functional as F

from tests import _notebook as nb
from vit_explained.exercises import ExerciseFailed
from vit_explained.exercises.lesson05 import check_route_ratio, check_softmax_backward

APPENDIX = nb.NOTEBOOKS / "05_where_gradients_flow_appendix.ipynb"  # fix 21a: the appendices A-I moved here

ROOT = Path(__file__).resolve().parents[1]


def _cells(name):
    extra = nb.cells(APPENDIX) if name == "05_where_gradients_flow.ipynb" else []  # fix 21a: lesson + appendix
    return json.loads((ROOT / "notebooks" / name).read_text())["cells"] + extra


def _src(cell):
    return "".join(cell["source"])


def route_ratio_returning_handle(model, images, labels, block):
    kept = {}
    b = model.blocks[block]
    handles = [
        b.norm2.register_forward_pre_hook(lambda m, i: i[0].register_hook(lambda g: kept.update(total=g))),
        b.register_forward_hook(lambda m, i, o: o.register_hook(lambda g: kept.update(skip=g))),
    ]
    try:
        F.cross_entropy(model(images), labels).backward()
    finally:
        for handle in handles:
            handle.remove()
    return kept["skip"].norm() / (kept["total"] - kept["skip"]).norm()


def test_a_pre_hook_lambda_returning_the_handle_is_named():
    with pytest.raises(ExerciseFailed) as caught:
        check_route_ratio(route_ratio_returning_handle)
    message = str(caught.value)
    assert "RemovableHandle" in message
    assert "A forward pre-hook that returns something replaces the input" in message and "return None" in message


def test_numpy_note_does_not_ask_for_a_change(capsys):
    check_softmax_backward(lambda a, g: (a * (g - (g * a).sum(-1, keepdim=True))).numpy())
    out = capsys.readouterr().out
    assert "Correct!" in out and "One thing to change" not in out and "the checker accepts it" in out


def test_exercise_7_hint_is_the_same_in_lesson_and_solutions():
    def hint(cells):
        return next(_src(c) for c in cells if _src(c).startswith("### Exercise 8"))

    lesson, solutions = (
        hint(_cells("05_where_gradients_flow.ipynb")),
        hint(_cells("solutions/05_where_gradients_flow_solutions.ipynb")),
    )
    assert lesson == solutions and "A forward pre-hook that returns something replaces the input" in lesson


def test_the_count_and_the_cut_is_written_out_in_a_visible_cell():
    cells = _cells("05_where_gradients_flow.ipynb")
    joined = "\n".join(_src(c) for c in cells)
    assert "**An order-of-magnitude count.**" in joined and "product predicts" not in joined  # fix q: M, with V
    visible = [_src(c) for c in cells if c["cell_type"] == "code" and "hide-input" not in c["metadata"].get("tags", [])]
    assert any("block.norm2.register_forward_pre_hook(" in s and "args[0].detach()" in s for s in visible)  # fix s
    assert any("requires_grad_(False)" in s for s in visible)
    main_line = visible[: next(i for i, s in enumerate(visible) if "lesson05.check_softmax_backward" in s)]
    assert not any("max(range(" in s for s in main_line)  # derived statistics: in the appendix (18a: printed there)
    assert "lines 201-203" not in joined and "`--clip-grad`" in joined

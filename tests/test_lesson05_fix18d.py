"""Lesson 05, fix round 18d: the width sweep at a fixed head width, the answer's percentages once, the freeze
panel's model name, exercise 1's matrix-product slip."""

from pathlib import Path

import torch

from tests import _notebook as nb

APPENDIX = nb.NOTEBOOKS / "05_where_gradients_flow_appendix.ipynb"  # fix 21a: the appendices A-I moved here

ROOT = Path(__file__).resolve().parents[1]
LESSON = ROOT / "notebooks" / "05_where_gradients_flow.ipynb"


def _cells():
    return nb.cells(LESSON) + nb.cells(APPENDIX)


def _markdown():
    return " ".join(" ".join("".join(c["source"]).split()) for c in _cells() if c["cell_type"] == "markdown")


def test_width_sweep_holds_the_head_width_fixed():
    (sweep,) = [c for c in _cells() if "width_ratio = {" in "".join(c["source"])]
    source = "".join(sweep["source"])
    assert "heads=dim // head_dim" in source and "(192, 3)" not in source  # 19b: d = 64 too
    assert "def one_block_ratio(dim, seed, head_dim=8" in source  # 20a: renamed when moved to appendix B
    printed = "".join("".join(o.get("text", "")) for o in sweep["outputs"])
    assert "heads = D / 8 (each head d = 8 wide)" in printed
    text = _markdown()
    assert "The head width d stays 8; D, the number of heads and the MLP width grow together" in text  # 18e
    assert "so the fall goes with the token width D" in text


def test_answer_states_the_percentages_once():
    text = _markdown()
    answer = text[text.index("**Answer to the question:**") :]
    answer = answer[: answer.index("**Further reading**")]
    assert (
        "93 % [89, 97]" in nb.all_printed(APPENDIX)
        and "[45, 61]" in nb.all_printed(APPENDIX)
        and "90 to 96" not in answer
    )  # 22a: printed table
    # 20c: worded to both measures, with the cut size
    # 21c: cell 0 keeps one number (the cut size); the 96 % share stays printed in section 5's table
    assert "block 0's qkv keeps 8 % of its gradient" in text and "its MLP share is 96 %" not in text
    # 19c: the MNIST ViT's ratios move from section 3 to appendix C, where that model is measured
    moved = "the ratio is 1.7 to 2.8, against 8 to 60 at its own starting weights (seed 0) and 8 to 83 over 3 fresh"
    assert moved in " ".join(text.split())
    assert "origin of the suspicion" not in text and "4.1 to 5.0 times smaller" not in text


def test_freeze_panel_names_the_model():
    from vit_explained.widgets.lesson05 import gradient_freeze_widget

    widget = gradient_freeze_widget(freeze="mlp", experiment="freeze and cut, side by side", model="trained MNIST ViT")
    _, figure = widget.compute(**widget.values)
    assert figure.axes[0].get_title().startswith("trained MNIST ViT\nFreeze: gradient norms")


def test_exercise_1_names_a_matrix_product():
    import pytest

    from vit_explained.exercises import ExerciseFailed, lesson05

    def left(a, g):
        return a @ (g - (g * a).sum(-1, keepdim=True))

    def right(a, g):
        return (g - (g * a).sum(-1, keepdim=True)) @ a

    for slip in (left, right):
        with pytest.raises(ExerciseFailed, match="as matrices"):
            lesson05.check_softmax_backward(slip)


def test_exercise_1_right_answers_still_pass(capsys):
    from vit_explained.exercises import lesson05

    lesson05.check_softmax_backward(lambda a, g: a * (g - (g * a).sum(-1, keepdim=True)))
    lesson05.check_softmax_backward(lambda a, g: a * g - a * torch.einsum("...ij,...ij->...i", a, g)[..., None])
    assert capsys.readouterr().out.count("Correct!") == 2

"""Lesson 09, fix round 17b (fresh review 8.5): the crop picture's prose, the KL's direction, the HF versions,
sections 2-3's tangents in appendix A, four checker messages that name the slip, the widget's opening digit."""

from pathlib import Path

import pytest
import torch.nn.functional as F

from tests import _lesson09
from tests.test_lesson09_learner import learner_forward
from vit_explained.exercises import ExerciseFailed, lesson09

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "09_deit_distillation.ipynb"


def _cells():
    return _lesson09.cells(NOTEBOOK)


def _markdown():
    return "\n".join("".join(c["source"]) for c in _cells() if c["cell_type"] == "markdown")


def _message(check, answer):
    with pytest.raises(ExerciseFailed) as failure:
        check(answer)
    return str(failure.value)


def test_the_crop_prose_names_the_teachers_own_errors_and_the_rates_are_intervals():
    text = _markdown()
    assert "Where a crop cuts away what makes the digit, the teacher's label follows what is left" not in text
    assert (
        "an error on a crop that keeps the\nwhole digit" in text  # round 17f wording
        and "3's last crop still shows a whole 3" in text
    )
    crop = next("".join(c["source"]) for c in _cells() if "random_resized_crops(" in "".join(c["source"]))
    assert "proportion(" in crop and "illustration only" in crop


def test_the_kl_direction_and_the_huggingface_versions():
    text = _markdown()
    assert r"\mathrm{KL}\big(\psi(Z_t/\tau) \,\|\, \psi(Z_\text{dist}/\tau)\big)" in text
    assert "every version" not in text and "What works in 4.57.1 (read) and 5.23.0 (run)" in text


def test_the_tangents_live_in_appendix_a():
    sources = ["".join(c["source"]) for c in _cells()]
    appendix = next(i for i, s in enumerate(sources) if s.startswith("## Appendix A"))
    section_4 = next(i for i, s in enumerate(sources) if s.startswith("## 4 ·"))
    for phrase in (
        "| claim | paper's evidence | tested here? |",
        "Table 3 does not evaluate it",
        "does not: a plain `F.cross_entropy`",
    ):
        assert not any(phrase in s for s in sources[:section_4]), phrase
        assert any(phrase in s for s in sources[appendix:]), phrase


def _heads_averaged(weights, query, special_tokens, rows, cols):
    batch, heads = weights.shape[:2]
    one = weights[:, :, query, special_tokens:].mean(1, keepdim=True).expand(-1, heads, -1)
    return one.reshape(batch, heads, rows, cols)


def _one_too_many(weights, query, special_tokens, rows, cols):
    batch, heads = weights.shape[:2]
    return weights[:, :, query, special_tokens + 1 :].reshape(batch, heads, rows, cols)


def _hard_coded_2(weights, query, special_tokens, rows, cols):
    batch, heads = weights.shape[:2]
    return weights[:, :, query, 2:].reshape(batch, heads, rows, cols)


def test_exercise_1_names_averaged_heads_and_one_column_too_many():
    assert "the heads look averaged" in _message(lesson09.check_token_map, _heads_averaged)
    assert "one column too many skipped" in _message(lesson09.check_token_map, _one_too_many)
    # round 18e (review 18d): the message stops at the argument, not the answer
    assert "special_tokens decides where the patches start" in _message(lesson09.check_token_map, _hard_coded_2)


def test_exercise_2_names_the_argmin():
    def argmin(class_logits, distillation_logits, labels, teacher_logits):
        return 0.5 * F.cross_entropy(class_logits, labels) + 0.5 * F.cross_entropy(
            distillation_logits, teacher_logits.argmin(-1)
        )

    assert "not the teacher's choice" in _message(lesson09.check_hard_distillation, argmin)


def test_exercise_3_names_a_subtracted_mask():
    def make_my_forward(attn_obj):
        return learner_forward(attn_obj, mask_sign=-1.0)  # the slip: the mask subtracted

    assert "the mask is added, not subtracted" in _message(lesson09.check_my_forward, make_my_forward)


def test_the_widget_opens_on_a_chosen_digit_with_a_short_title():
    from vit_explained.data import load_mnist
    from vit_explained.distill import load_mnist_deit
    from vit_explained.widgets.lesson09 import VIEWS, deit_attention_explorer

    data = load_mnist()
    w = deit_attention_explorer(
        load_mnist_deit(), data.test_images[:6], data.test_labels[:6], view=VIEWS[1], start=1, digit=5
    )
    assert w.controls["digit"].value == 5 and w.line.startswith("digit 5 (a 3")
    assert "class token top patch, wrong slice (4, 6) 22% on ink, right slice (4, 5) 42% on ink" in w.line
    line, fig = w.compute(**w.values)
    title = fig._suptitle.get_text()
    assert line.startswith(title.split("\n")[0]) and len(title.split("\n")[0]) < 120 and title.count("\n") <= 1
    with pytest.raises(ValueError, match="digit must be in"):
        deit_attention_explorer(load_mnist_deit(), data.test_images[:6], data.test_labels[:6], digit=6)


def test_the_teacher_targets_widget_follows_tau():
    from vit_explained.data import load_mnist
    from vit_explained.distill import load_mnist_cnn
    from vit_explained.widgets.lesson09 import TEMPERATURES, teacher_targets

    data = load_mnist()
    images, labels = data.test_images[17:18], data.test_labels[17:18]  # test digit 17: a 7 the teacher calls 9
    w = teacher_targets(load_mnist_cnn(), images, labels)
    assert w.controls["tau"].value == 3 and tuple(w.controls["tau"].options) == TEMPERATURES
    assert w.line.startswith("digit 0 (a 7): the teacher says 9") and "tau 3: 9 0.44, 7 0.26" in w.line
    w.controls["tau"].value = 20  # flatter: the other classes' share grows
    line, fig = w.compute(**w.values)
    assert line == w.line and "tau 20" in line and "soft: softmax(Z_t / 20)" in [ax.get_title() for ax in fig.axes]
    shares = [float(part.split()[-2]) for part in (w.line, line)]
    assert fig._suptitle.get_text().count("\n") <= 1 and shares[1] >= shares[0]
    with pytest.raises(ValueError, match="digit must be in"):
        teacher_targets(load_mnist_cnn(), images, labels, digit=1)

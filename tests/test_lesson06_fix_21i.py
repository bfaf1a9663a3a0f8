"""Lesson 06, review r21i: a shorter main path (side studies moved to the appendix with their checks), a Summary
bullet for section 2, tightened wording, exercise 6's messages and "next" as text or number."""

from __future__ import annotations

import re

import pytest

from tests import _notebook as nb
from vit_explained import clinic
from vit_explained.exercises import ExerciseFailed, lesson06
from vit_explained.training import lr_factor

LESSON = nb.NOTEBOOKS / "06_train_a_vit.ipynb"
APPENDIX = nb.NOTEBOOKS / "06_train_a_vit_appendix.ipynb"


def _main_path() -> list[dict]:
    visible = [c for c in nb.cells(LESSON) if not c.get("metadata", {}).get("jupyter", {}).get("source_hidden")]
    end = next(
        i for i, c in enumerate(visible) if c["cell_type"] == "markdown" and nb.source(c).startswith("## Summary")
    )
    return visible[:end]


def _summary() -> str:
    return nb.flat(nb.sources(LESSON)[nb.unique_index(nb.sources(LESSON), "## Summary")])


def test_main_path_is_shorter():
    main = _main_path()
    words = sum(len(nb.source(c).split()) for c in main if c["cell_type"] == "markdown")
    assert len(main) <= 58 and words <= 3610


def test_side_studies_moved_to_the_appendix_with_their_checks():
    lesson, appendix = nb.all_text(LESSON), nb.all_text(APPENDIX)
    # the q/k print (appendix A), lr_factor's overshoot (appendix C), the family of 23 (appendix D), stopping (C)
    for moved in ("qk = paired_seeds(", "overshoot = max(", "1 - 0.05 / 23", "gains = {", "position_similarity_split("):
        assert moved not in lesson and moved in appendix, moved
    assert "Cross-entropy charges" not in lesson and "Cross-entropy charges" in appendix
    assert "timm 1.0.12" not in lesson and "timm 1.0.12 to 1.0.28, and 1.0.29.dev0" in appendix
    for anchor in ("qk-plateau", "lr-factor", "family-23", "position-split", "timm-decay"):
        assert f'<a id="{anchor}"></a>' in appendix, anchor
    for text in ("qk = paired_seeds(", "overshoot = max(", "size_conv", "gains = {", "position_similarity_split("):
        at = nb.unique_index(nb.sources(APPENDIX), text)
        assert nb.hidden(nb.cells(APPENDIX)[at + 1]), text  # each moved print keeps its hidden check
    printed = nb.all_printed(APPENDIX)
    assert "1.006 at step 274" in printed and "paired 95 % t-interval [+13.7, +24.8] (3 seeds)" in printed
    # review r21l: the clause states start and end
    assert "Its warm-up starts at 1 % of the peak for a 10 % warm-up" in nb.flat(nb.all_text(APPENDIX))  # r23f: moved


def test_lr_factor_unchanged():
    assert abs(lr_factor(0, 0.1, "cosine") - 0.01) < 1e-12  # item 2: the schedule stays as stored runs used it


def test_cell_0_says_the_28x28_run_is_replayed_and_why_no_cifar():
    intro = nb.flat(nb.sources(LESSON)[0])
    assert "its 10-epoch run is replayed (`TRAIN_HERE = True` trains it)" in intro  # 23c: 3 epochs train live too
    assert "No CIFAR-10: the course runs offline, without downloads" in intro


def test_summary_has_a_section_2_bullet_with_printed_numbers():
    summary = _summary()
    # r24c: the number now carries its interval (a link to section 2, where it is printed)
    assert "The MNIST ViT reaches 97.4 % ([95 % interval 96.2-98.2](#how-sure)) on its test digits;" in summary
    assert "on its test digits; per-digit counts cannot rank the digits" in summary
    # 24f: the two appendix-E claims moved to the appendix's summary (with their figures); the bullet points there
    assert (
        "what it learned about space (position embeddings, the class token's attention) is measured in "
        "[appendix E](06_train_a_vit_appendix.ipynb#vit-payoff)" in summary
    )
    assert "97.4 %, 95 % interval [96.2, 98.2] %" in nb.all_printed(LESSON)  # the number, as section 2 prints it


def test_wording_items():
    text = nb.flat(nb.all_text(LESSON))
    assert "catches the true value in about 95 of 100 repeats" in text
    moved = nb.flat(nb.all_text(APPENDIX))  # review r23f: the attention read-out moved to appendix E (#vit-payoff)
    assert "looks at the strokes" not in text + moved and "**the tokens at inked positions**" in moved
    assert "attention rollout (Abnar & Zuidema, 2020)" in moved
    deit = nb.flat(nb.all_text(APPENDIX))  # review r21l: the DeiT paragraph moved to appendix C (#deit-recipe)
    assert "DeiT uses lr 5e-4 × B/512" in deit and "5 of its 300 epochs" in deit
    assert "`QUICK` uses lr 1e-2 and warms up over 10 % of its steps" in deit
    assert "QUICK: lr 0.01, warm-up 10% of the steps, then cosine; optimizer adamw" in nb.all_printed(LESSON)
    assert "Check 4 flags" not in text and "It does not prove it" in text  # round 24c: a whole sentence
    assert "ImageNet-1k, overlapping at ImageNet-21k and ViT above at JFT-300M" in text
    assert "Section 5's 95 % rule" not in text and "Section 3's 95 % rule, used in section 5" in text


def test_exercise_4_message_names_section_3s_rule(capsys):
    import numpy as np
    import scipy.stats

    def paired_interval(a, b):
        d = np.asarray(a, float) - np.asarray(b, float)
        half = scipy.stats.t.ppf(0.975, len(d) - 1) * d.std(ddof=1) / np.sqrt(len(d))
        return d.mean() - half, d.mean() + half

    lesson06.check_paired_interval(paired_interval)
    assert "section 3's 95 % rule, used in section 5" in capsys.readouterr().out


_RIGHT = {
    "A": "no position embeddings",
    "B": clinic.LAYER_NORM_NO_CENTRING,
    "C": "SGD at Adam's learning rate",
    "D": "LayerNorm x - mean / std",
    "E": "MultiheadAttention without batch_first",
}


@pytest.mark.parametrize("next_value", [4, 4.0, "4", " 4 ", "4.0"])
def test_exercise_6_next_as_number_or_numeric_text(next_value, capsys):
    lesson06.check_bug_for_each_symptom(lambda: {**_RIGHT, "next": next_value})
    assert "Correct!" in capsys.readouterr().out


@pytest.mark.parametrize("next_value", ["3", "6.0", "four"])
def test_exercise_6_next_wrong_text_refused(next_value):
    with pytest.raises(ExerciseFailed, match=r'"next"'):
        lesson06.check_bug_for_each_symptom(lambda: {**_RIGHT, "next": next_value})


@pytest.mark.parametrize("wrong", ["no activation in the MLP", "none", "LayerNorm x - mean / std"])
def test_exercise_6_a_points_to_its_permutation_sentence(wrong):
    with pytest.raises(ExerciseFailed) as failure:
        lesson06.check_bug_for_each_symptom(lambda: {**_RIGHT, "next": 4, "A": wrong})
    message = str(failure.value)
    assert "see A's permutation sentence" in message and len(message) <= 200
    assert not re.search("position embedding", message.split(": not ", 1)[1], re.I)

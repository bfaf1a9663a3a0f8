"""Lesson 06, fix 20e: review r20d_06's items (the learning-rate framing and the finer grid, the named controls
run, lr_factor's clause, cell 83 split and the statistics devices, the recipe card's hint, exercise 2's task,
the position-similarity colour scale). Each check fails on the notebook before the fix."""

import json
from pathlib import Path

import torch

from tests import _notebook as nb

LESSON = nb.NOTEBOOKS / "06_train_a_vit.ipynb"
APPENDIX = nb.NOTEBOOKS / "06_train_a_vit_appendix.ipynb"
SOLUTIONS = nb.NOTEBOOKS / "solutions" / "06_train_a_vit_solutions.ipynb"
ROOT = Path(__file__).resolve().parents[1]


def _text(path, text):
    sources = nb.sources(path)
    return nb.flat(sources[nb.unique_index(sources, text)])


def _stored() -> dict:
    return json.loads((ROOT / "vit_explained" / "checkpoints" / "lesson06_runs.json").read_text())


def test_1_both_rate_choices_are_near_ties_and_the_finer_grid_is_read():
    verdict = _text(APPENDIX, "**The lesson's headline, in more lights**")  # round 21b: moved to appendix D
    assert "clear choice" not in verdict and "it was not run" not in verdict
    assert "Both rates are near-ties with a neighbour" in verdict
    assert "CNN-8 97.8 % at 3e-2 against 97.2 % at 1e-1" in verdict
    out = nb.all_printed(LESSON) + nb.all_printed(APPENDIX)
    assert "CNN-8 3e-2 97.8 % (3 seeds: 97.8..97.8) against 1e-1 97.2 % (3 seeds: 96.7..97.8)" in out
    assert "a finer rate between them, validation: ViT 0.005 " in out and "CNN-8 0.05 " in out
    assert "the ViT at 5e-3 instead:" in out
    runs = _stored()
    assert runs["lr_fine"]["lr"] == {"ViT": 0.005, "SmallCNN width 8": 0.05} and runs["lr_fine"]["seeds"] == [0, 1, 2]
    assert runs["own_rate_fine"]["lr"] == {"ViT": 0.005} and len(runs["own_rate_fine"]["test"]["ViT"]) == 10


def test_2_named_controls_are_run_and_stated():
    text = nb.flat(nb.all_text(LESSON))
    assert "A run with the positions scaled by 255 too would test it" not in text
    assert "no shape-matched control" not in text
    out = nb.all_printed(LESSON)
    # fix 21c: the positions-x255 control moved to appendix H (#x255-positions)
    assert "pixels x255 and positions x255, 150 steps, seeds 0-2: validation 54%-69%" in nb.all_printed(APPENDIX)
    # review r23d: the locality control moved to appendix D (#locality-control); one sentence and a link stay
    app_out, app_text = nb.all_printed(APPENDIX), nb.flat(nb.all_text(APPENDIX))
    assert "conv stem - ViT, test accuracy, mean of 10 seeds: 300 digits" in app_out
    assert "conv stem's lead at 300 minus at 1,257:" in app_out and "conv stem's lead at 300 minus" not in out
    assert '<a id="locality-control"></a>' in app_text
    runs = _stored()
    assert runs["size_conv"]["sizes"] == [300, 600, 1257] and runs["size_conv"]["model"] == "ViT, conv stem"
    assert all(len(runs["size_conv"]["test"][str(n)]) == 10 for n in (300, 600, 1257))
    assert len(runs["input_scale_positions"]["runs"]) == 3


def test_3_lr_factor_clause_is_one_parenthesis():
    loop = _text(LESSON, "### 3a · The loop")
    assert "0.001 / warm-up fraction" not in loop and "computes the cross-entropy of the logits" in loop
    # review r21i: one clause stays; the start (1 %) and the overshoot moved to appendix C
    # review r21l: the clause states the start and the end as appendix C prints them
    # review r23f: the clause moved to appendix C (#lr-factor); the lesson keeps a pointer
    assert "(Its warm-up's start and end: [appendix C](06_train_a_vit_appendix.ipynb#lr-factor).)" in loop
    assert "Its warm-up starts at 1 % of the peak for a 10 % warm-up" in _text(APPENDIX, '<a id="lr-factor"></a>')


def test_4_verdict_cell_split_and_main_path_statistics():
    sources = nb.sources(LESSON)
    head = sources[nb.unique_index(sources, 'print(clinic.rate_lines(RUNS["lr"]')]  # review r21l: lr_line inside it
    assert "long_own" not in head and "benchmark" not in head
    # round 21b: the longer budget and the benchmark moved to appendix D, each with its hidden check
    sources = nb.sources(APPENDIX)
    longer = nb.unique_index(sources, 'long_own = RUNS["own_rate_long"]  # the headline')
    bench = nb.unique_index(sources, "bench = clinic.training_benchmark(benchmark)")
    cells = nb.cells(APPENDIX)
    assert nb.hidden(cells[longer + 1]) and nb.hidden(cells[bench + 1])
    assert '<a id="lead-longer"></a>' in sources[longer + 2]
    assert "**The package's benchmark**" in sources[bench + 2]
    lesson = nb.all_text(LESSON)
    assert "McNemar" not in lesson and "mcnemar" not in lesson and "paired_difference(" not in lesson
    appendix = nb.all_text(APPENDIX)
    assert '<a id="paired-digits"></a>' in appendix and "near_count = mcnemar(" in appendix
    assert "class token, last block: attention on ink - ink's share of the patches: +25.2 points" in nb.all_printed(
        APPENDIX
    )


def test_6_recipe_card_warm_up_is_a_hint():
    card = _text(LESSON, '<a id="recipe-card"></a>')
    assert "a hint only: [training loss is higher without it on every seed]" in card


def test_7_exercise_2_says_no_gradient_clipping_in_both_notebooks():
    phrase = "one step of training with the optimizer you are given (no gradient clipping)"
    assert phrase in _text(LESSON, "### Exercise 2 · Fix a training step")
    assert phrase in _text(SOLUTIONS, "### Exercise 2 · Fix a training step")


def test_8_position_similarity_colour_scale_starts_at_minus_half():
    from vit_explained.plotting.lesson06 import plot_trained_vit_payoff

    grid = torch.eye(9).reshape(3, 3, 3, 3)
    fig = plot_trained_vit_payoff(grid, torch.rand(2, 1, 6, 6), torch.rand(2, 3, 3), [3, 5])
    assert fig.axes[0].images[0].get_clim() == (-0.5, 1.0)

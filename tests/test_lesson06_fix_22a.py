"""Lesson 06, review r21l: the far-corner cosines named beside the interior pairs, the verdict strings of the
over-fitting and comparison cells moved into clinic helpers, the MNIST benchmark yardstick beside the shipped
model's accuracy, tightened wording (Adam comment, exercise 2's symptom, the mnist-fast early epochs), the
small-data papers in the recipe card, and the warm-up's start and end stated."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from tests import _notebook as nb
from vit_explained import clinic
from vit_explained.evidence import paired_seeds
from vit_explained.exercises import lesson06

LESSON = nb.NOTEBOOKS / "06_train_a_vit.ipynb"
APPENDIX = nb.NOTEBOOKS / "06_train_a_vit_appendix.ipynb"
SOLUTIONS = nb.NOTEBOOKS / "solutions" / "06_train_a_vit_solutions.ipynb"
CELLS = nb.cells(LESSON)
SOURCES = nb.sources(LESSON)


def test_main_path_within_the_cap():
    main = nb.main_path(LESSON)
    words = nb.markdown_words(main)
    assert len(main) <= 58 and words <= 3603, (len(main), words)


def test_far_corners_named_and_interior_pairs_quoted_from_appendix_e():
    moved, moved_cells = nb.sources(APPENDIX), nb.cells(APPENDIX)  # review r23f: moved to appendix E (#vit-payoff)
    at = nb.unique_index(moved, "by_distance = position_similarity_by_distance(similarity)")
    assert "12: +0.72" in nb.printed(moved_cells[at])
    text = nb.flat(moved[nb.unique_index(moved, "Neighbouring patches learned similar positions")])
    assert "The far corners are alike too (+0.72, printed)." in text
    assert "interior pairs alone fall: +0.44, +0.09, −0.09." in text
    assert "[The next cell](#position-split) prints the split" in text
    printed = nb.all_printed(APPENDIX)
    assert "by grid steps, interior pairs: 1: +0.44, 2: +0.09, 3: -0.09; border pairs: +0.26 to +0.72" in printed


def test_verdict_strings_live_in_clinic_helpers():
    rise_cell = nb.source(CELLS[nb.unique_index(SOURCES, 'decay = reg_change["weight decay"][0]')])
    assert "if smooth_word ==" not in rise_cell and "clinic.rise_change_line(" in rise_cell
    assert rise_cell.count("t_interval(") == 0  # the intervals are formatted by the helper
    table_cell = nb.source(CELLS[nb.unique_index(SOURCES, "HEAD = ")])
    assert "head_row" not in table_cell and "figure_rows.insert" not in table_cell
    assert "clinic.rate_lines(" in table_cell
    # review r23f: the headline by hand has its own cell, before the table's
    hand_cell = nb.source(CELLS[nb.unique_index(SOURCES, "d_head = ")])
    assert "d_head.std(ddof=1) / np.sqrt(len(d_head))" in hand_cell  # the arithmetic stays in view
    a, b = [0.30, 0.20, 0.25], [0.40, 0.31, 0.35]
    smaller = paired_seeds(a, b)
    # 3 seeds: the same verdict, worded "exploratory" (review r23a_06: no 3-seed sign test reaches p < 0.05)
    assert clinic.rise_word(smaller, 1 - 0.05 / 3) == "a smaller rise: exploratory (corrected interval below 0)"
    assert (
        clinic.rise_word(paired_seeds(b, a), 1 - 0.05 / 3) == "a larger rise: exploratory (corrected interval above 0)"
    )
    six_a, six_b = [*a, 0.28, 0.22, 0.26], [*b, 0.39, 0.33, 0.36]
    assert (
        clinic.rise_word(paired_seeds(six_a, six_b), 1 - 0.05 / 3)
        == "a smaller rise: a finding (corrected interval below 0)"
    )
    line = clinic.rise_change_line("label smoothing", smaller, 1 - 0.05 / 3)
    assert line.startswith("label smoothing - neither, the rise: -0.10, 95 % [") and "(3 seeds): a smaller rise" in line


def test_yardstick_printed_beside_the_shipped_accuracy():
    out = nb.printed(CELLS[nb.unique_index(SOURCES, "correct = (predictions == mnist.test_labels)")])
    assert "974/1000 correct" in out
    assert "a yardstick, not this model (mnist-fast ViT): benchmark, MNIST 28x28, 60 s, 3 seeds:" in out
    assert "ViT 97.8% (97.7%..97.9%)" in out and "SmallCNN 97.4% (97.2%..97.7%)" in out


def test_wording_items():
    code = nb.source(CELLS[nb.unique_index(SOURCES, "def train_loop(")])
    assert "the simplest optimizer that trains at this rate within a few hundred steps" in nb.flat(
        code.replace("#", "")
    )
    for path in (LESSON, SOLUTIONS):
        (ex2,) = [s for s in nb.sources(path) if s.startswith("### Exercise 2")]
        assert "the losses fall, then climb." in ex2 and "oscillate" not in ex2
    text = nb.flat(nb.all_text(LESSON))
    # round 22c: the reason said plainly (a running tally counted before each step, augmented digits)
    assert (
        "In epochs 1-7 validation accuracy is above the training tally, "
        "which is counted before each step on augmented digits." in text  # round 22i: a plain sentence
    )
    assert "epochs with validation accuracy above the training tally: [1, 2, 3, 4, 5, 6, 7]" in nb.all_printed(LESSON)


def test_exercise_2_symptom_fall_then_climb_on_the_checkers_probe():
    model = lesson06._Probe()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    batches, losses = lesson06._step_batches(), []
    for step in range(30):  # the fixed step order, but never clearing the gradients
        images, labels = batches[step % 3]
        loss = F.cross_entropy(model(images), labels)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    assert min(losses[:15]) < losses[0] / 10 and max(losses[-10:]) > 3 * losses[0]


def test_recipe_card_names_the_small_data_papers():
    assert "#baseline" in nb.flat(SOURCES[nb.unique_index(SOURCES, '<a id="recipe-card"></a>')])
    app = nb.sources(APPENDIX)
    card = nb.flat(app[nb.unique_index(app, '<a id="baseline"></a>')])  # r24c: moved from the recipe card
    assert "Hassani et al. (2021, CCT, arXiv 2104.05704)" in card and "Lee et al. (2021, arXiv 2112.13492)" in card
    assert "(not measured here)" in card


def test_warm_up_start_and_end_stated_and_printed():
    text = nb.flat(SOURCES[nb.unique_index(SOURCES, "### 3a · The loop")])
    assert "#lr-factor" in text  # review r23f: the clause moved to appendix C (#lr-factor)
    assert "Its warm-up starts at 1 % of the peak" in nb.flat(nb.all_text(APPENDIX))
    assert "from 1% of the peak lr at step 0" in nb.all_printed(LESSON)
    assert "1.006 times the peak at step 274 of 2,750" in nb.flat(nb.all_text(APPENDIX))


def test_deit_paragraph_moved_to_appendix_with_a_pointer():
    assert "**Beside DeiT's recipe.**" not in nb.all_text(LESSON)
    assert "#deit-recipe" in nb.all_text(LESSON) and '<a id="deit-recipe"></a>' in nb.all_text(APPENDIX)

"""Lesson 06, review r22b: the MNIST yardstick prints its caveat (recipe tuned for the ViT, the order flips over the
stored runs); the one-batch rule gets its positive control (the fixed model at Adam 0.1, 400 steps) and the
LayerNorm bug at its own rate for 400 steps, stored and printed; the recap rows say "in this clinic" and name a
reference a learner can build; label smoothing "stops" the rise in heading, text, summary and card alike (its own
rise printed); ln 10 holds for balanced classes; three dense sentences rewritten plainly; one appendix link per
recipe-card item; the main path did not grow."""

from __future__ import annotations

import re

import torch
import torch.nn.functional as F

from tests import _notebook as nb
from vit_explained import clinic

LESSON = nb.NOTEBOOKS / "06_train_a_vit.ipynb"
CELLS = nb.cells(LESSON)
SOURCES = nb.sources(LESSON)
LN = clinic.LAYER_NORM_NO_CENTRING


def _after(text: str) -> tuple[str, str]:
    """The printed output of the cell holding ``text`` and the source of the hidden check after it."""
    i = nb.unique_index(SOURCES, text)
    assert nb.hidden(CELLS[i + 1])
    return nb.printed(CELLS[i]), nb.source(CELLS[i + 1])


def test_1_yardstick_prints_its_caveat():
    out, check = _after("correct = (predictions == mnist.test_labels)")
    assert (
        "its recipe was tuned for the ViT and the CNN reused it; "
        "the ViT is higher in 2 of its 4 sessions (means of 3 seeds, no interval)" in out
    )
    assert "the recipe was tuned for the ViT and the CNN reused it" in check and "sum(flips) == 2" in check
    runs = clinic.training_benchmark(nb.NOTEBOOKS.parent / "benchmarks" / "results" / "training.md")["runs"]
    assert sorted(float(vit) > float(cnn) for vit, cnn in (run[1] for run in runs)) == [False, False, True, True]


def test_2_one_batch_positive_control_and_own_rate_stored_and_printed():
    last = clinic.stored_runs()["overfit"]["last_loss"]
    assert max(last["none at lr 0.1, 400 steps"]) < 0.005
    assert [round(x, 2) for x in last[f"{LN} at lr 0.01, 400 steps"]] == [1.48, 0.65, 1.21]
    out, check = _after('one_batch = RUNS["overfit"]')
    assert "the fixed model at 10x (0.1), 400 steps 0.00, 0.00, 0.00" in " ".join(out.split())
    assert "that LayerNorm at its 0.01, 400 steps 1.48, 0.65, 1.21" in " ".join(out.split())
    assert 'max(last["none at lr 0.1, 400 steps"]) < 0.005' in check and "[1.48, 0.65, 1.21]" in check
    prose = nb.flat(nb.all_text(LESSON))
    assert "At 10x the rate the fixed model fits (0.00 on each seed)" in prose  # round 24c: plain sentence
    assert "and at 0.65-1.48 at its own rate (one bug tried)" in prose


def test_5_recap_rows_in_this_clinic_and_a_reference_to_build():
    table = nb.flat(SOURCES[nb.unique_index(SOURCES, '<a id="symptom-table"></a>')])
    assert "| a LayerNorm bug (in this clinic) |" in table
    assert "| slow optimiser, in this clinic (the LayerNorm bug still fails there) |" in table
    assert "A reference a learner can build: the same model with `nn.LayerNorm` and `batch_first=True`" in table
    check = nb.source(CELLS[nb.unique_index(SOURCES, "recap = clinic.recap_table(") + 1])
    assert "F.layer_norm(x, (32,), eps=1e-6)" in check
    x = torch.randn(3, 17, 32)
    assert torch.allclose(clinic.BlogViT("none").norm(x), F.layer_norm(x, (32,), eps=1e-6), atol=1e-5)


def test_6_label_smoothing_stops_the_rise_everywhere():
    out, check = _after("smooth = reg_change[")
    assert "label smoothing alone, seeds 0-2: its own rise at the end 0.00, 0.00, 0.01" in out
    assert "[0.00, 0.00, 0.01]" in check
    prose = nb.flat(nb.all_text(LESSON))
    assert (
        "**Which regulariser stops the rise?**" in prose
        and "Label smoothing removes the validation-loss rise on 3 of 3 seeds (exploratory)" in prose
    )
    assert "with label smoothing the rise is smaller" not in prose
    summary = nb.flat(SOURCES[nb.unique_index(SOURCES, "## Summary")])
    assert "label smoothing stopped the validation loss's rise on all three seeds" in summary
    assert "Label smoothing stopped the validation loss's rise on 300 digits" in summary  # recipe card, 22i


def test_8_ln_10_for_balanced_classes():
    assert "has learned nothing (balanced classes; otherwise the label entropy)." in nb.flat(nb.all_text(LESSON))


def test_item_1_plain_sentences_and_one_appendix_link_per_card_item():
    prose = nb.flat(nb.all_text(LESSON))
    for old in ("has the digits run's reason", "test digits that made no choice", "(check 6 tells which)"):
        assert old not in prose
    assert "Validation chose their rates; the test digits chose nothing" in prose
    assert "the training tally, which is counted before each step on augmented digits" in prose  # 22i wording
    # round 24c (review r24b item 2): check 4 separates the stuck runs; check 6 only confirms the slow optimiser
    assert "Each is a bug or a slow optimiser. Check 4 (one backward) separates them; check 6 confirms" in prose
    summary = nb.source(CELLS[nb.unique_index(SOURCES, "## Summary")])
    card = summary[summary.index('<a id="recipe-card">') : summary.index("Appendix pointers for the card")]
    for item in re.split(r"\n(?=\d\. )", card):
        assert item.count("06_train_a_vit_appendix.ipynb#") <= 1, item
    assert "#weight-decay" in summary[summary.index("Appendix pointers for the card") :]


def test_main_path_did_not_grow():
    main = nb.main_path(LESSON)
    words = nb.markdown_words(main)
    assert len(main) <= 58 and words <= 3581, (len(main), words)

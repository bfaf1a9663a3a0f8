"""Lesson 05, fix round 18b: the share is called a projection where the headline uses it, the fresh models' shares
are printed in the trained table, and the model switch is stated once (section 3's closing cell)."""

from pathlib import Path

from tests import _notebook as nb

APPENDIX = nb.NOTEBOOKS / "05_where_gradients_flow_appendix.ipynb"  # fix 21a: the appendices A-I moved here

LESSON = Path(__file__).resolve().parents[1] / "notebooks" / "05_where_gradients_flow.ipynb"


def _cells():
    return nb.cells(LESSON) + nb.cells(APPENDIX)


def _flat(cell):
    return " ".join("".join(cell["source"]).split())


def test_headline_names_the_share_as_a_projection_and_its_size():
    cells = _cells()
    intro = _flat(cells[0])
    assert "93 %" not in intro and "agree to within 10 points" not in intro  # 18c: the numbers in section 5 only
    assert "came back through the MLPs" not in intro
    printed = nb.all_printed(APPENDIX)
    # 22c: section 5's table holds the t interval; 23b: that table moved to appendix D
    assert "mean over 8 batches of 32 [95 % t interval]" in printed and "79 % [73, 86]" in printed


def test_trained_table_prints_the_fresh_models_shares():
    (table,) = [c for c in _cells() if "fresh, 3 seeds" in "".join(c["source"])]
    printed = "".join("".join(o.get("text", "")) for o in table["outputs"])
    assert "share min..max" in printed and "50..63 %" in printed and "5..11 %" in printed
    text = " ".join(_flat(c) for c in _cells() if c["cell_type"] == "markdown")
    assert "block's interval lies above the three fresh models' shares (last column but one)" in text


def test_init_sentence_model_switch_and_loss_in_prose():
    text = " ".join(_flat(c) for c in _cells() if c["cell_type"] == "markdown")
    assert "q and k still get 9 to 50 times less." in text and "sets most of the ratio" not in text  # 18e
    assert "in this model the init sets the ratio" not in text
    # 21a: section 3's model-switch sentence cut (cell 21: one sentence); cell 3 names the two models once
    assert "| *MNIST ViT*, `load_mnist_vit()`: 28x28 digits, 4 blocks | 64 | PyTorch's |" in text  # 22a: the model card
    assert "| second half of 5," in text
    assert "The loss is plain cross-entropy, though the model trained with label smoothing." in text
    assert "hands each `norm2`" not in text


def test_the_replication_is_stored_read_and_stated_with_its_range():
    from vit_explained.gradient_experiments import stored_full_checkpoints

    stored = stored_full_checkpoints()
    assert [run["seed"] for run in stored["runs"]] == [1, 2] and {run["epochs"] for run in stored["runs"]} == {50}
    cells = _cells()
    (reader,) = [c for c in cells if "stored_full_checkpoints()" in nb.source(c) and "over_seeds(" in nb.source(c)]
    printed = "".join("".join(o.get("text", "")) for o in reader["outputs"])
    assert "block 0: " in printed and "(3 seeds: 90..96)" in printed
    text = " ".join(_flat(c) for c in cells if c["cell_type"] == "markdown")
    assert text.count("3 trained runs of the same recipe") == 1  # 22a; 23b: section 5's wording
    assert "3 runs in all (seeds 0, 1, 2)" in nb.all_printed(LESSON)  # 23b: a narrower legend
    assert "not yet replicated" not in text

"""Lesson 06, review r19a_06: each fix checked on the stored notebooks (fails on the notebooks before it)."""

from __future__ import annotations

from tests import _notebook as nb

LESSON = nb.NOTEBOOKS / "06_train_a_vit.ipynb"
APPENDIX = nb.NOTEBOOKS / "06_train_a_vit_appendix.ipynb"


def _index(cells, text):
    hits = [i for i, cell in enumerate(cells) if text in nb.source(cell)]
    assert hits, text
    return hits[0]


def _summary_index(cells):
    return _index(cells, "## Summary")


def test_headline_names_the_results_that_weaken_it():
    # review r19b: the 1,860-step reading is the own-rate pairing on 10 seeds; the benchmark quoted with both rows
    cells = nb.cells(APPENDIX)  # round 21b: the longer budget and the benchmark moved to appendix D
    out = nb.all_printed(LESSON) + nb.all_printed(APPENDIX)
    assert "each at its own rate, 1,860 steps, 10 seeds: CNN-8 (lr 0.03)" in out
    assert "benchmark, MNIST 28x28, 60 s, 3 seeds: ViT 97.8% (97.7%..97.9%)" in out
    assert "benchmark, 8x8 digits, 30 s, 3 seeds: ViT 97.7% (97.2%..98.3%)" in out
    verdict = nb.flat(nb.source(cells[_index(cells, '<a id="lead-longer"></a>')]))
    # fix 20e: the benchmark's reading is its own cell after the longer budget's (review r20d item 4)
    verdict += " " + nb.flat(nb.source(cells[_index(cells, "**The package's benchmark**")]))
    assert "measured at one short budget (400 steps) on 8x8 images" in verdict
    assert "97.8 % against 97.4 %" in verdict and "99.8 % against the ViT's 97.7 %" in verdict
    lesson_cells = nb.cells(LESSON)
    summary = nb.flat(nb.source(lesson_cells[_summary_index(lesson_cells)]))
    # r19d: one number per summary bullet; the longer budget and the benchmark are read in section 5 (checked above)
    assert "at a longer budget it only **leans** ([appendix D](06_train_a_vit_appendix.ipynb#lead-longer))" in summary
    assert "ahead (97.8 %" not in summary
    assert "[at more than one budget](06_train_a_vit_appendix.ipynb#lead-longer)" in summary  # the recipe card


def test_main_path_is_shorter_and_the_moved_checks_live_in_the_appendix():
    cells = nb.cells(LESSON)
    assert _summary_index(cells) <= 106  # was 105, then 97; fix 20e: +9 (cell 83 split in three, the locality control)
    lesson_code = "\n".join(nb.source(c) for c in cells if c["cell_type"] == "code")
    assert "STEP0_MARGIN = 1.0" not in lesson_code and "head_cases" not in lesson_code
    assert "def train_loop_real" not in lesson_code and "DataLoader" not in lesson_code
    lesson = nb.flat(nb.all_text(LESSON))
    assert "[appendix H](06_train_a_vit_appendix.ipynb#step-0-margin)" in lesson
    assert "[appendix C](06_train_a_vit_appendix.ipynb#real-loop)" in lesson
    appendix = nb.cells(APPENDIX)
    margin = _index(appendix, '<a id="step-0-margin"></a>')
    assert margin < _index(appendix, '<a id="head-sweep"></a>')
    assert nb.source(appendix[margin + 1]).startswith('scale_runs = RUNS["input_scale"]')
    assert "hide-input" in appendix[margin + 3]["metadata"].get("tags", [])  # the margin's check moved with it
    assert "check 3 FIRES" in nb.all_printed(APPENDIX)
    real = _index(appendix, '<a id="real-loop"></a>')
    assert real < _index(appendix, '<a id="warm-up"></a>')
    assert "real[:20] == plain[:20]" in nb.source(appendix[real + 3])
    assert "epoch 1, largest difference from train_loop's 20 losses" in nb.all_printed(APPENDIX)
    # check 3's claim stays asserted in the lesson too
    assert "assert all(abs(r.losses[0] - chance) < 0.2 for r in runs.values())" in lesson_code


def test_verdict_words_at_their_first_use_in_section_3():
    cells = nb.cells(LESSON)
    box = _index(cells, '<a id="verdict-words"></a>')
    # r19c: the box opens section 3; round 21b: the warm-up runs moved to appendix C, so: before section 3's loop
    assert _index(cells, "## 3 ·") <= box < _index(cells, "def train_loop(")
    assert "| **leans**" not in nb.source(cells[_index(cells, '<a id="how-sure"></a>')])


def test_pixels_x255_hypothesis_is_measured_and_labelled():
    # fix 21c (review r21d item 5): the hypothesis test moved to appendix H (#x255-positions); the lesson points there
    cells = nb.cells(APPENDIX)
    out = nb.all_printed(APPENDIX)
    assert (
        "patch token norm 2.27 (x1) and 313 (x255); position embedding norm 0.118: "
        "5.2 % of a token at x1, 0.04 % at x255" in out
    )
    prose = nb.flat(nb.source(cells[_index(cells, '<a id="x255-positions"></a>')]))
    # round 21b: tightened; the hypothesis is still named as such, with its printed norms
    lesson = nb.flat(nb.source(nb.cells(LESSON)[_index(nb.cells(LESSON), "Pixels x255 do not show at step 0")]))
    assert "Why is not isolated: one hypothesis fails a rough test" in lesson and "#x255-positions" in lesson
    assert "One **hypothesis**" in prose and "2.27 to 313" in prose
    assert "drown the position embeddings (0.118)" in prose
    # fix 20e: the named control was run (positions scaled by 255 too); the prose states its result
    assert "it is not run here" not in prose
    assert "Scaling the positions by 255 too leaves validation at 54-69 %, 2 to 17 points below" in prose


def test_section_1_names_section_3_test_reading():
    text = nb.flat(nb.all_text(LESSON))
    # round 21b: the warm-up reading moved to the appendix, which the sentence names
    assert "Section 5 and the appendix score the test digits" in text


def test_weight_decay_prints_its_corrected_interval():
    out = nb.all_printed(APPENDIX)  # review r19b: the weight-decay runs moved to appendix C
    assert (
        "no decay - decay: -0.3 points, 95 % interval [-1.1, +0.6], corrected (98.3%) [-1.4, +0.8] (10 seeds): "
        "no detectable difference" in out
    )
    assert "corrected (98.3 %) [−1.4, +0.8]: **no detectable difference**" in nb.flat(nb.all_text(APPENDIX))


def test_recipe_card_cites_beyer_and_says_why_cls():
    cells = nb.cells(LESSON)
    assert "#baseline" in nb.flat(nb.source(cells[_summary_index(cells)]))  # r24c: the card points to appendix C
    app = nb.sources(APPENDIX)
    card = nb.flat(app[nb.unique_index(app, '<a id="baseline"></a>')])  # r24c: moved there from the card
    assert 'Beyer et al. (2022, "Better plain ViT baselines for ImageNet-1k")' in card
    assert "global average pooling instead of the class token" in card and "90 epochs" in card
    assert "keeps `pool 'cls'`" in card and "lesson 08 draws its class token's attention" in card


def test_feature_plane_overlap_matches_the_picture():
    text = nb.flat(nb.all_text(LESSON))
    assert (
        "9 overlaps 0 and 2, 3 touches 0; 5 and 8 overlap, with 4 next to them" in text
    )  # 23c: 3 as 0, printed and "so do 4, 5 and 8" not in text


def test_widget_reads_out_the_permutation_test_beside_the_gradient_norms(monkeypatch):
    import torch

    from vit_explained import clinic
    from vit_explained.widgets import lesson06

    def fake_run(bug, **options):
        return clinic.ClinicRun([2.3] * options["steps"], {"embed": 0.44, "head": 1.3}, 0.5)

    monkeypatch.setattr(lesson06, "run", fake_run)
    monkeypatch.setattr(lesson06, "_RUNS", {})
    before = torch.random.get_rng_state()
    w = lesson06.training_widget()
    w.train()
    assert "step-0 gradient norms: embed 0.44, head 1.3; permutation test at step 0" in w.line
    assert "sees positions" in w.line
    w.controls["bug"].value = "no position embeddings"
    w.train()
    assert "largest logit change below 1e-5: blind to where a patch sits" in w.line
    assert torch.equal(torch.random.get_rng_state(), before)  # the reading leaves torch's random state alone
    # the reading is the lesson's check 5 on the model run() starts from
    torch.manual_seed(0)
    seeing = clinic.BlogViT("none")
    assert lesson06.permutation_reading("none", "cls", True, 0) == clinic.permutation_change(
        seeing, clinic._digits().val_images[:64]
    )


def test_update_ratio_aside_lives_in_the_appendix_only():
    assert "#update-ratio" not in nb.all_text(LESSON)
    assert '<a id="update-ratio"></a>' in nb.all_text(APPENDIX) and "CS231n" in nb.all_text(APPENDIX)

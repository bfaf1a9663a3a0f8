"""Lesson 03, the 19a fixes: the digits data named, section 3 led by its point, the head-count confound and
the seed plan stated, the stroke claim printed and asserted, and a shorter main path."""

from __future__ import annotations

from tests import _notebook as nb

LESSON = nb.NOTEBOOKS / "03_attention_shapes.ipynb"
CELLS = nb.cells(LESSON)
SOURCES = [nb.source(cell) for cell in CELLS]
APPENDIX = nb.NOTEBOOKS / "03_attention_shapes_appendix.ipynb"  # the studies after the exercises (review r19b)
APPENDIX_CELLS = nb.cells(APPENDIX)
APPENDIX_SOURCES = [nb.source(cell) for cell in APPENDIX_CELLS]


def _index(start: str) -> int:
    return next(i for i, s in enumerate(SOURCES) if s.startswith(start))


SUMMARY = _index("## Summary")
MAIN = SOURCES[:SUMMARY]
SECTION_3 = _index("## 3 · Why divide by")
SECTION_4 = _index("## 4 · What grows")


def _hidden(cell: dict) -> bool:
    return "hide-input" in cell["metadata"].get("tags", []) and cell["metadata"].get("jupyter", {}).get("source_hidden")


def _printed_after(i: int) -> str:
    return nb.printed(CELLS[i])


def test_the_digits_data_is_named_where_the_digits_model_appears():
    training = next(i for i in range(SECTION_3, SECTION_4) if SOURCES[i].startswith("**In training.**"))
    prose = nb.flat(SOURCES[training])
    assert "scikit-learn's 8x8 digits" in prose and "benchmarks/bench_lesson03_scale.py" in prose
    # review r19b: the data's printout moved to the appendix beside the training runs
    code = next(i for i, s in enumerate(APPENDIX_SOURCES) if "digit_split = PRESETS" in s)
    assert "data: scikit-learn's 8x8 digits, 1,797 images: 1,257 train, 180 validation, 360 test" in nb.printed(
        APPENDIX_CELLS[code]
    )
    assert _hidden(APPENDIX_CELLS[code + 1]) and "sum(split_sizes) == 1797" in APPENDIX_SOURCES[code + 1]
    appendix = nb.flat(next(s for s in APPENDIX_SOURCES if s.startswith("**In training.** Everything above")))
    assert "8x8 digits (scikit-learn's `load_digits`, 1,797 images)" in appendix
    assert "vit_explained/checkpoints/lesson03_scale.json" in appendix
    assert "8x8 digits" in nb.flat(SOURCES[SUMMARY])


def test_section_3_leads_with_its_point_and_its_picture():
    lead = nb.flat(SOURCES[SECTION_3])
    assert "**The point first.**" in lead and "saturate" in lead and "falls" in lead and "stop depending on $d$" in lead
    first_code = next(i for i in range(SECTION_3 + 1, SECTION_4) if CELLS[i]["cell_type"] == "code")
    assert "plots.plot_softmax_saturation(" in SOURCES[first_code]  # the sweep first, the one-row picture after
    # review r20d: the one-row panels moved on to appendix G, after the sweep's all-rows numbers
    rows = next(i for i, s in enumerate(APPENDIX_SOURCES) if "plots.plot_softmax_rows(" in s)
    assert rows > next(i for i, s in enumerate(APPENDIX_SOURCES) if '<a id="appendix-g"></a>' in s)
    table = first_code + 1
    # review r19c: one sentence of the all-rows counterpoint stays; its numbers and their checks are appendix G's
    # review r20g: it now follows the two-row picture (tests/test_lesson03_fix_21a.py)
    counterpoint = nb.unique_index(SOURCES, "Averaged over **all** rows")
    assert table < counterpoint < SECTION_4
    reading = nb.flat(SOURCES[counterpoint])
    assert "even higher for $d \\le 64$" in reading
    assert "the same share of the gradient it receives at every $d$" in reading
    check = table + 2  # review r24b: the init rows moved to appendix G; the prose, then its check
    assert _hidden(CELLS[check]) and 'means["scaled"]["grad_scores"][:3]' in SOURCES[check]
    appendix = "\n".join(APPENDIX_SOURCES)
    assert "d =   64: 1.78 (5 seeds: 1.69..1.90)" in "\n".join(
        nb.printed(c) for c in APPENDIX_CELLS if c["cell_type"] == "code"
    )
    assert "(16, 2.34), (64, 1.78), (256, 1.05), (1024, 0.60)" in appendix


def test_the_head_count_confound_is_stated_next_to_the_result():
    main = nb.flat("\n".join(MAIN[SECTION_3:SECTION_4]))
    assert "The two settings also differ in head count" in main  # review r19c; shortened in r19d
    appendix = nb.flat("\n".join(APPENDIX_SOURCES))
    assert "differ in head count as well as in $d$" in appendix and "the runs cannot separate the two" in appendix


def test_the_seed_plan_is_stated_and_the_first_look_printed():
    main = nb.flat("\n".join(MAIN[SECTION_3:SECTION_4]))
    assert "seeds 3-9 were added after a first look" in main  # review r19b: the seeds as run moved to the appendix
    appendix = nb.flat("\n".join(APPENDIX_SOURCES))
    assert "Seeds 0 to 2 ran first" in appendix and "Seeds 3 to 9 were then added" in appendix
    assert "The conclusion is read on all 10" in appendix and "every run kept" in appendix
    code = next(i for i, s in enumerate(APPENDIX_SOURCES) if "first_look = {" in s)
    printed = nb.printed(APPENDIX_CELLS[code])
    assert "seeds 0..2, the first look:" in printed and "-5.2 points [-19.7, +9.3]" in printed
    assert "all 10 seeds:" in printed and "-7.4 points [-10.4, -4.4]" in printed
    check = APPENDIX_SOURCES[code + 1]
    assert _hidden(APPENDIX_CELLS[code + 1]) and "scale_training_comparison(first_look, key)" in check
    assert 'scale_runs["seeds"] == [0, 1, 2]' in check


def test_the_stroke_claim_is_printed_and_asserted():
    # review r20g: section 0's trained half moved to appendix E
    claim = next(i for i, s in enumerate(APPENDIX_SOURCES) if "The query (cyan), patch 10" in s)
    assert "74 % of its weight is on the 15 ink patches" in nb.flat(APPENDIX_SOURCES[claim])
    assert "uniform weights would put 30 %" in nb.flat(APPENDIX_SOURCES[claim])
    printed = nb.printed(APPENDIX_CELLS[claim - 1])
    assert "74% of its weight on the 15 ink patches; uniform weights would put 30% there" in printed
    check = APPENDIX_SOURCES[claim + 1]
    assert _hidden(APPENDIX_CELLS[claim + 1]) and "row_on_ink > 2 * chance_on_ink" in check
    assert "abs(row_on_ink - 0.74)" in check


def test_the_main_path_is_at_most_80_cells_and_the_moved_studies_keep_their_checks():
    assert SUMMARY <= 80  # was 96 cells before the Summary
    assert sum(not _hidden(cell) for cell in CELLS[:SUMMARY]) <= 62  # visible: was 77
    for heading, check in (  # review r19b: these moved on to the appendix notebook, checks and all
        ("## A · The package's code", "inspect.getsource"),
        ("## B · Diagnosing the `batch_first` bug", "leak_wrong > 0.1 and leak_right < 1e-6"),
        ("## C · The softmax's gradient by hand", "score_gradient(a64, g64)"),
        ("## D · Explore one query on a digit", "nearly_one_hot == 39"),
    ):
        start = next(i for i, s in enumerate(APPENDIX_SOURCES) if heading in s)
        end = next(i for i in range(start + 1, len(APPENDIX_SOURCES)) if "\n## " in APPENDIX_SOURCES[i])
        assert any(check in APPENDIX_SOURCES[i] for i in range(start, end)), heading
    assert all(not s.startswith("## 5 ") for s in MAIN)
    symptom = _index("That is the symptom")
    assert (
        symptom < SUMMARY and _hidden(CELLS[symptom + 1]) and "wrong_weights.shape == (N, B, B)" in SOURCES[symptom + 1]
    )

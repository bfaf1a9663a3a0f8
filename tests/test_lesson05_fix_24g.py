"""Lesson 05, review r24f_05: AdamW's one-step 1 is by construction, the input effect is measured only, and why the
sums in dW widen the gap (appendix I's dV rows against dQ's one row); the main path does not grow."""

from tests import _notebook as nb

LESSON = "notebooks/05_where_gradients_flow.ipynb"
APPENDIX = "notebooks/05_where_gradients_flow_appendix.ipynb"
SOURCES = nb.sources(LESSON)


def _flat(text):
    return nb.flat(SOURCES[nb.unique_index(SOURCES, text)])


def test_item_2_adamw_first_step_ratio_is_by_construction():
    surprise = _flat("The right panel holds a surprise").split("## 4 · Inside attention")[0]
    assert "AdamW's steps (E), whose one-step 1 is by construction" in surprise
    assert "(Adam's first step is about ±`lr` per entry when $|g| \\gg$ eps = 1e-8; after 10, measured)" in surprise
    summary = _flat("**Answer to the question:**")
    assert "the first 1 holds by construction (Adam's first step is about ±`lr` per entry" in summary
    assert "eps = 1e-8), the 10-step 1 is the measurement." in summary
    appendix = nb.flat("\n".join(nb.sources(APPENDIX)))  # the wording matches appendix E's
    assert "whose gradient is well above its `eps` (1e-8) by about `lr`" in appendix


def test_item_3_the_input_effect_is_measured_not_explained():
    what = _flat("**What this says about the question.**")
    assert "Section 3's input effect is measured, not explained. $M$ is small when" in what


def test_item_4_why_the_sums_widen_the_gap():
    chart = _flat("Read the chart left to right")
    assert "widen the gap 4.0 times (appendix I): the near-equal $dV$ rows add up; $dQ$ is nearly one row." in chart
    appendix = nb.flat("\n".join(nb.sources(APPENDIX)))  # the appendix's numbers behind the clause
    assert "All 17 value rows get $A_{0j}\\,dO_0 \\approx dO_0/N$" in appendix
    assert "holds 99.98 % or more of $\\lVert dQ\\rVert^2$" in appendix


def test_main_path_does_not_grow():
    main = nb.main_path(LESSON)
    words = sum(len(nb.source(c).split()) for c in main if c["cell_type"] == "markdown")
    assert len(main) <= 40 and words <= 2391, (len(main), words)

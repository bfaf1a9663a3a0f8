"""Lesson 05, fix 21a (cut round): the appendices A-I live in their own notebook, the main path is shorter, cell 30
states s sqrt(d) = 1 and where the other 1.4x comes from, section 3's caveats are one sentence, the Answer three."""

import re

from tests import _notebook as nb

LESSON = nb.NOTEBOOKS / "05_where_gradients_flow.ipynb"
APPENDIX = nb.NOTEBOOKS / "05_where_gradients_flow_appendix.ipynb"


def _main_path(path):
    """The visible cells before the Summary heading (as /work/briefs/mainpath.py counts them)."""
    visible = [c for c in nb.cells(path) if not c["metadata"].get("jupyter", {}).get("source_hidden")]
    markdown = [nb.source(c) if c["cell_type"] == "markdown" else "" for c in visible]
    end = next(i for i, s in enumerate(markdown) if s.startswith("## Summary"))
    return visible[:end]


def test_the_appendices_moved_to_their_own_notebook():
    lesson, appendix = nb.sources(LESSON), nb.sources(APPENDIX)
    assert not any(s.startswith("## Appendix") or re.search(r"^#+ [A-I] · ", s, flags=re.M) for s in lesson)
    assert appendix[0].startswith("# 05 · Appendix: nine side trips")
    assert "05_where_gradients_flow_appendix.ipynb" in appendix[0]  # its own Binder and Colab badges
    headings = re.findall(r"^### ([A-I]) · ", "\n".join(appendix), flags=re.M)
    assert headings == list("ABCDEFGHI")
    assert "# What the side trips reuse from the lesson, defined again" in appendix[2]
    assert "rebuilt: section 3's pass on 64 digits" in nb.printed(nb.cells(APPENDIX)[2])
    assert (
        "(05_where_gradients_flow_appendix.ipynb)" in lesson[3]
        and "(05_where_gradients_flow_appendix.ipynb)" in lesson[-1]
    )


def test_the_main_path_is_shorter():
    main = _main_path(LESSON)
    words = sum(len(nb.source(c).split()) for c in main if c["cell_type"] == "markdown")
    # before: 39 visible cells, 2,982 words; 23c brief: 40 cells
    assert len(main) <= 40 and words <= 2600, (len(main), words)


def test_cell_30_says_s_sqrt_d_is_1_and_where_the_other_1_4x_comes_from():
    cells, sources = nb.cells(APPENDIX), nb.sources(APPENDIX)  # 24c: the count moved to appendix I
    at = nb.unique_index(sources, "# section 4's count on block 0, line by line")
    printed = nb.printed(cells[at])
    assert "dQ ~ |M| dO gives 1/459 (s sqrt(d) = 1); measured 1/319, 1.4x more" in printed  # 23b: two lines
    assert "uniform-A formula: 1.3 % from autograd" in printed
    assert nb.hidden(cells[at + 1]) and 'round(100 * chain["uniform gap"], 1) == 1.3' in sources[at + 1]
    chart = nb.flat(sources[nb.unique_index(sources, "**Section 4's count, line by line.**")])  # 24c
    assert "$s\\sqrt d = 1$: the count gives $dQ \\approx \\lvert M\\rvert\\,dO$" in chart
    assert "Measured, $dQ$ is 1.4 times that. The gap is not from non-uniform attention" in chart  # 22a
    assert "$dQ$ is about $\\lvert M\\rvert$ times $dO$" not in chart  # the old wording skipped s sqrt(d) and the 1.4x


def test_section_3_keeps_one_sentence_and_the_answer_three():
    sources = nb.sources(LESSON)
    cell = sources[nb.unique_index(sources, "The right panel holds a surprise")]
    section_3 = nb.flat(cell.split("## 4 · Inside attention")[0])
    first, noci = section_3.split(" Noci et al. 2022 report a related effect")  # 22a: plus the Noci sentence (22j)
    assert first.count(". ") == 0 and first.endswith(".") and noci.count(". ") == 0  # one sentence each
    assert "at least 232 times less gradient than the v rows** on this seed (185" in section_3  # 22j: seed 0
    summary = sources[nb.unique_index(sources, "**Answer to the question:**")]
    answer = nb.flat(summary[summary.index("**Answer to the question:**") :].split("\n\n- ")[0])  # 24c: then bullets
    assert len(re.findall(r"[.)%] (?=[A-Z])", answer)) + 1 <= 3, answer  # three sentences at most
    assert "the MLPs after it (its own block's and those of the blocks above)" in nb.flat(summary)
    appendix = nb.sources(APPENDIX)
    assert "[Xiong et al. 2020](https://arxiv.org/abs/2002.04745)" in appendix[nb.unique_index(appendix, "### A ·")]

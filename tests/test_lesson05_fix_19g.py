"""Lesson 05, reviews r19d/r19e (round 19f): each wording fix checked on the stored notebook.

The row-share agreement is said of this checkpoint only; the widget's ||dW_q|| is the whole block's W_q (a
root-sum-square over the heads), only the entropy is averaged; the share can also exceed 100 %; the Summary's Answer
says that appendix D's fresh 12-block models already give 86 to 95 % in block 0.
"""

from __future__ import annotations

from tests import _notebook as nb

APPENDIX = nb.NOTEBOOKS / "05_where_gradients_flow_appendix.ipynb"  # fix 21a: the appendices A-I moved here

NOTEBOOK = nb.NOTEBOOKS / "05_where_gradients_flow.ipynb"


def _text() -> str:
    return nb.flat("\n".join(nb.sources(NOTEBOOK) + nb.sources(APPENDIX)))


def test_row_agreement_is_said_of_this_checkpoint() -> None:
    text = _text()
    assert "So in this checkpoint the answer holds for $W_q$, $W_k$ and $W_v$ alike" in text
    assert "the two replicas store only the whole weight's share" in text
    assert "So the answer holds for" not in text


def test_widget_norm_is_the_whole_blocks_w_q() -> None:
    text = _text()
    assert "averages block 0's four heads" not in text and "its four heads averaged" not in text
    assert text.count("the whole block's $W_q$ (all four heads") == 2
    assert "(all four heads; entropy averaged)" in text and "(all four heads); entropy averaged" in text


def test_share_can_exceed_100_percent() -> None:
    assert "negative when the MLP-route part points against $g$, and above 100 % when $g_\\text{cut}$ does" in _text()


def test_depth_sentence_quotes_appendix_d() -> None:
    cells = nb.cells(NOTEBOOK) + nb.cells(APPENDIX)
    sources = nb.sources(NOTEBOOK) + nb.sources(APPENDIX)
    printed = "\n".join(nb.printed(c) for c in cells if c["cell_type"] == "code")
    assert "12 blocks: block 0 86 to 95 %" in printed
    assert "86 to 95" not in nb.flat(sources[0])  # 18c: the short answer stays one sentence; numbers in the Answer
    summary = nb.flat(next(s for s in sources if s.startswith("## Summary")))
    assert "Depth drives" not in summary and "appendix D measures depth" in summary  # 20c; 21a: three sentences
    depth = nb.flat(sources[nb.unique_index(sources, "Deeper, block 0's share at initialisation")])  # appendix D
    assert "72 to 79 % with 4 blocks, 86 to 95 % with 12 (printed)" in depth

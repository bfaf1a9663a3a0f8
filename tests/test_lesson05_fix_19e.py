"""Lesson 05, review r19d: each fix checked on the stored notebook.

At init the class token's row holds nearly all of dQ and dO in every block (appendix I prints and checks it), and
"why 4" and section 4 derive the factors from it (one query row against 17 value rows), not from rows adding out of
step; the ViT-B width sentence says "on 17 tokens" and a token-count sweep (N = 17, 50, 197) is printed and checked;
section 4 uses appendix B's "hundreds-fold" wording; AdamW's "about lr" step is for entries whose gradient is well
above eps (the k rows of qkv.bias are the exception).
"""

from __future__ import annotations

from tests import _notebook as nb

APPENDIX = nb.NOTEBOOKS / "05_where_gradients_flow_appendix.ipynb"  # fix 21a: the appendices A-I moved here

NOTEBOOK = nb.NOTEBOOKS / "05_where_gradients_flow.ipynb"


def _cells() -> list[dict]:
    return nb.cells(NOTEBOOK) + nb.cells(APPENDIX)


def _sources() -> list[str]:
    return nb.sources(NOTEBOOK) + nb.sources(APPENDIX)


_at = nb.unique_index
_hidden = nb.hidden


def test_the_class_token_row_carries_dq_and_do_and_why_4_says_so():
    cells, sources = _cells(), _sources()
    text = "\n".join(sources)
    assert "so they add less in step" not in text
    at = _at(sources, "rows_share = {}")
    printed = nb.printed(cells[at])
    for block in range(4):
        assert f"block {block}: the class token's row holds" in printed
    assert "dV per entry: 1/4.11 of dO's; sqrt(N) = 4.12" in printed
    assert "factor 3.4x" in printed
    check = sources[at + 1]
    assert _hidden(cells[at + 1]) and "min(shares) > 0.9998" in check and "== 3.4" in check
    why = nb.flat(sources[_at(sources, "Why 4:")])
    assert "99.98 % or more of" in why and "one query per image" in why
    assert "bring it to 4.0x" in why and ": 19x." in why
    chart = nb.flat(sources[_at(sources, "Read the chart left to right")])  # 20c: section 4 keeps the picture
    assert "the class token's row, appendix I" in chart and "keeps a quarter of $dO$" in chart  # 22a
    assert "(1/4.1 above; $\\sqrt{17} = 4.12$)" in why


def test_the_vit_b_width_sentence_says_17_tokens_and_the_n_sweep_is_printed():
    cells, sources = _cells(), _sources()
    at = _at(sources, "width_ratio = {")
    printed = nb.printed(cells[at])
    assert "N =  17 (28 x 28, patch 7):   9 to  10" in printed
    assert "N = 197 (28 x 28, patch 2):  19 to  25" in printed
    assert "tokens == [(9, 10), (10, 13), (19, 25)]" in sources[at + 1]
    text = nb.flat(sources[at + 2])
    assert "the ratio is 14 to 16 (printed), on 17 tokens" in text
    assert "19 to 25 at N = 197, ViT-B's token count" in text
    assert "at D = 768 on 17 tokens the ratio is below 20" in text


def test_section_4_uses_appendix_b_wording_and_adamw_names_the_exception():
    sources = _sources()
    section_4 = nb.flat(sources[_at(sources, "count, summed up.**")])  # 21i: moved to appendix B
    assert "needed for the hundreds-fold gap and" in section_4 and "needed for the gap (2)" not in section_4  # 21c
    adamw = nb.flat(sources[_at(sources, "**A gradient gap is not a step gap.**")])
    assert "whatever its gradient." not in adamw
    assert "weight entry whose gradient is well above its `eps`" in adamw and "`qkv.bias` are the exception" in adamw
    assert "3e-11" not in adamw  # the float32 rounding value varies by CPU: not quoted

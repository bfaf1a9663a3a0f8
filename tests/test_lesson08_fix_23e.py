"""Lesson 08, review r23e_08: section 9's "why rollout's plain ρ stays high" is measured (exactly uniform attention
after trained block 0, and after blocks 0-1, on the 32 digits: ρ against the trained map and against the lower
blocks' own rollout), the unmeasured "½ I + ½ · flat would keep the lower blocks' ranking" is gone; section 3's
key chance (a key among 50 tokens, 200 digits) and section 7's chance share (a patch among 49, 500 digits) are
named apart; capture_attention's docstring says the fused path never *returns* the matrix; the main path stays
within 54 visible cells and 3,544 words."""

from __future__ import annotations

import inspect

from tests import _notebook as nb
from vit_explained.attention_maps import capture_attention

LESSON = nb.NOTEBOOKS / "08_attention_maps.ipynb"
SOURCES = nb.sources(LESSON)


def _at(text: str) -> int:
    return nb.unique_index(SOURCES, text)


def test_item_1_flat_rows_measured_printed_and_checked():
    verdict = nb.flat(SOURCES[_at("**Verdict** (ρ over 32 digits")])
    assert "would keep the lower blocks' ranking" not in verdict
    appendix = nb.NOTEBOOKS / "08_attention_maps_appendix.ipynb"  # 24d: the probe moved to appendix G
    moved = nb.flat(nb.sources(appendix)[nb.unique_index(nb.sources(appendix), "With uniform attention after block 0")])
    said = (
        "With uniform attention after block 0, ρ 0.885 against the trained map, 0.349 against block 0's rollout: "
        "the class token's row becomes mostly the lower rollout's column-mean map."
    )
    assert said in moved
    cells = nb.cells(appendix)
    printing = nb.unique_index(nb.sources(appendix), "uniform = torch.full_like(weights_32[0], 1 / tokens)")
    out = nb.printed(cells[printing])
    assert "uniform attention after block(s) 0..0: ρ against the trained map 0.885, 95 % interval" in out
    assert "against blocks 0..0's own rollout 0.349, 95 % interval" in out
    assert "uniform attention after block(s) 0..1: ρ against the trained map 0.980, 95 % interval" in out
    check = cells[printing + 1]
    assert nb.hidden(check)
    text = nb.source(check)
    assert "== [0.885, 0.980]" in text and "round(flat_rho[1][1].estimate, 3) == 0.349" in text
    assert "lower_1[:, 0] / 8 + 7 / 8 * lower_1.mean(1)" in text  # "mostly the column-mean map", exactly


def test_item_6_the_two_chance_rates_are_named_apart():
    favourable = nb.flat(SOURCES[_at("The 6 is a favourable case")])
    assert "(**chance rate for a random key** among the 50, class token included: 33.0 %)" in favourable  # 24d
    cells = nb.cells(LESSON)
    out = nb.printed(cells[_at("inked patches: {chance:.2%}")])  # 24a: 2 decimals
    assert "(the chance share: a random patch among the 49, 500 test digits)" in out
    # 24a (review r23f_08): both chances print 32.96 % even to 2 decimals, so section 7 drops the aside
    assert "not section 3's key chance" not in out
    assert "chance_key" not in nb.source(cells[_at("chance = ink")])
    assert "key_on_ink.shape == (200, tokens)" in "\n".join(SOURCES)


def test_item_7_docstring_says_never_returns():
    doc = " ".join(inspect.getdoc(capture_attention).split())
    assert "never returns that matrix (whether it computes one depends on the backend)" in doc
    assert "never computes that matrix" not in doc


def test_main_path_within_the_cap():
    import json
    import re

    cells = json.loads(LESSON.read_text())["cells"]
    visible = [c for c in cells if not c.get("metadata", {}).get("jupyter", {}).get("source_hidden")]
    end = next(
        i for i, c in enumerate(visible) if c["cell_type"] == "markdown" and re.match(r"#+ .*Summary", nb.source(c))
    )
    words = sum(len(nb.source(c).split()) for c in visible[:end] if c["cell_type"] == "markdown")
    assert end <= 54 and words <= 3544

"""Lesson 08, review r23d_08: section 9's verdict links appendix G for why rollout survives re-drawn blocks (a
re-drawn block's class token spreads over about 47 to 48 of 49 patches, as appendix G prints); section 10 credits
region perturbation to Samek et al. "in the spirit of" and the name deletion to Petsiuk et al.; the Chefer toy reads
section 6's blocks as raw attention; section 12 names the class of each map in the reference pair; the main path
stays within 54 visible cells and 3,545 words."""

from __future__ import annotations

import json
import re

from tests import _notebook as nb

LESSON = nb.NOTEBOOKS / "08_attention_maps.ipynb"
APPENDIX = nb.NOTEBOOKS / "08_attention_maps_appendix.ipynb"


def _text(text: str, path=LESSON) -> str:
    return nb.flat(nb.sources(path)[nb.unique_index(nb.sources(path), text)])


def test_verdict_links_appendix_g_with_its_printed_spread():
    verdict = _text("**Verdict** (ρ over 32 digits")
    assert "(08_attention_maps_appendix.ipynb#appendix-g" in verdict
    assert "prints how widely a re-drawn block's class token spreads its attention" in verdict  # 24d: a pointer
    # 23e: the unmeasured "½ I + ½ · flat would keep the lower blocks' ranking" became the measured sentence
    moved = _text("With uniform attention after block 0", APPENDIX)  # 24d: moved to appendix G
    assert "With uniform attention after block 0, ρ 0.885 against the trained map" in moved
    assert "Another init scale could read differently." in moved
    assert '<a id="appendix-g"></a>' in nb.all_text(APPENDIX)  # the anchor the link needs
    g = nb.cells(APPENDIX)[nb.unique_index(nb.sources(APPENDIX), "def spread(network):")]
    out = nb.printed(g)
    assert "classifier + blocks 1-3 re-drawn: 15.4..15.4 / 47.6..47.6 / 47.9..48.2 / 47.9..47.9" in out


def test_deletion_attribution_is_in_the_spirit_of_samek():
    section_10 = _text("## 10 · Which map finds")
    assert "in the spirit of Samek et al.'s region perturbation (2017, IEEE TNNLS)" in section_10
    assert "Petsiuk, Das & Saenko (2018) named it deletion" in section_10
    assert "as Samek et al. (2017" not in section_10 and "proposed" not in section_10


def test_chefer_toy_reads_section_6_blocks_as_raw_attention():
    text = _text("## 8 · Maps weighted by gradients")
    assert "A toy with its own raw attention, `toy_raw_0` and `toy_raw_1` (no residual inside, so the identity" in text


def test_section_12_names_the_reference_pairs_classes():
    text = _text("The two maps of the 7 share little", APPENDIX)  # 24c: section 12's numbers in appendix K
    assert "digit i's map against digit i + 1's, each for its own likeliest class" in " ".join(text.split())


def test_main_path_within_the_cap():
    cells = json.loads(LESSON.read_text())["cells"]
    visible = [c for c in cells if not c.get("metadata", {}).get("jupyter", {}).get("source_hidden")]
    end = next(
        i for i, c in enumerate(visible) if c["cell_type"] == "markdown" and re.match(r"#+ .*Summary", nb.source(c))
    )
    words = sum(len(nb.source(c).split()) for c in visible[:end] if c["cell_type"] == "markdown")
    assert end <= 54 and words <= 3545

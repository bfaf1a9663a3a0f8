"""Round 18b, lesson 07: the token-transformer ablation read in section 6, digit 0's title, the audits appendix."""

import pathlib
import re

from tests import _notebook as nb

ROOT = pathlib.Path(__file__).resolve().parents[1]
LESSON = ROOT / "notebooks" / "07_tokens_to_token_vit.ipynb"
APPENDIX = LESSON.with_name("07_tokens_to_token_vit_appendix.ipynb")  # the lesson, then its appendix notebook
RESULT = ROOT / "benchmarks" / "results" / "lesson07_token_transformer.md"


def _markdown():
    return "\n".join(
        "".join(c["source"]) for c in (nb.cells(LESSON) + nb.cells(APPENDIX)) if c["cell_type"] == "markdown"
    )


def test_the_stored_ablation_is_read_in_section_6():
    rows = re.findall(r"^\| (\d+) \| ([\d.]+) % \| ([\d.]+) % \|", RESULT.read_text(), re.M)
    assert len(rows) == 6 and "[+4.3, +13.3]" in RESULT.read_text()
    text = _markdown()
    section_6, summary = text.index("## 6. Does T2T help?"), text.index("## Summary")
    assert section_6 < text.index("### One change: T2T's token transformers replaced") < summary
    printed = nb.all_printed(LESSON) + "\n" + nb.all_printed(APPENDIX)
    assert "95 % t-interval of the mean difference [+4.3, +13.3] points; sign test p = 0.031" in printed
    assert "small next to T2T's" not in text


def test_digit_0_is_named_and_read():
    code = "".join("".join(c["source"]) for c in (nb.cells(LESSON) + nb.cells(APPENDIX)) if c["cell_type"] == "code")
    assert 'title=f"Validation digit #0 (a {int(digits.val_labels[0])}) folded by seed 0' in code
    assert "assert int(digits.val_labels[0]) == 7" in code
    assert "0.654 against 0.558, higher on each of the\n3 seeds" in _markdown()


def test_audits_are_one_appendix_and_porters_keep_four_facts():
    text = _markdown()
    audits = text.index("## Appendix · Audits")
    for audit in ("**Table 7's hard-patch", "**Section 5's MACs", "**Section 6's +-0.5 points**", "819 of the 1009"):
        assert text.count(audit) == 1 and text.index(audit) > audits, audit
    assert "Four facts for readers" in text and text.index("## Appendix · For porters") > audits

"""Lesson 07, fixes for review r23c: the token-MLP finding says no benefit of attention was detected and names the
v-skip and LayerNorm the swap also removes; "nothing else in the model changed" names the Linear arm's halved stem;
the Summary's Table 7 audit clause lives in the appendix's Sources; the Performer's m = 0.5 x 64 = 32 and missing
1/sqrt(d) scale, read from the vendored code; the batch-64 memory line split into three; "this lesson's section 6";
the gradient sentence in plain words; where T2T-ViT is implemented (timm, transformers); the main path's caps."""

from __future__ import annotations

import json
import pathlib
import re

from tests import _notebook as nb

LESSON = nb.NOTEBOOKS / "07_tokens_to_token_vit.ipynb"
APPENDIX = nb.NOTEBOOKS / "07_tokens_to_token_vit_appendix.ipynb"
VENDORED = nb.ROOT / "vit_explained" / "_upstream" / "t2t_vit"


def _cell(path, text: str) -> str:
    sources = nb.sources(path)
    return nb.flat(sources[nb.unique_index(sources, text)])


def _summary() -> str:
    return _cell(LESSON, "## Summary").split("## Exercises")[0]


def test_the_token_mlp_finding_says_no_benefit_was_detected_and_what_else_the_swap_removes():
    arms = _cell(LESSON, "**The `Linear` arm.**")
    assert (
        # 24c (review r24b item 1): one sentence per arm; the v-skip caveat moved to the appendix's Sources
        "No benefit of attention was detected here." in arms
        and "the swap also removes the `v`-skip and a LayerNorm, so it shows" in nb.flat(nb.all_text(APPENDIX))
    )
    summary = _summary()
    assert "matched or beat them (section 6)." in summary  # 24c (review r24b item 2): the caveat is the appendix's
    lesson = nb.flat(nb.all_text(LESSON))
    assert "attention was not needed" not in lesson
    # the appendix's Sources says the same of the token-MLP arm
    caveat = _cell(APPENDIX, "**Section 6's token-MLP arm.**")
    assert "the swap also removes the `v`-skip and a LayerNorm" in caveat


def test_nothing_else_changed_names_the_linear_arms_halved_stem_as_printed():
    section_6 = _cell(LESSON, "## 6. Does T2T help?")
    assert (
        "with each token transformer replaced; nothing else in the model changed (the `Linear` arm halves the stem's"
        " parameters); paired by seed:" in section_6
    )
    assert "nothing else changed," not in section_6
    cells, sources = nb.cells(LESSON), nb.sources(LESSON)
    printed = nb.printed(cells[nb.unique_index(sources, "linear_correct = [145, 163, 161, 156, 163, 158]")])
    assert "T2T module: 57,986 parameters with token transformers, 29,344 with a Linear in their place" in printed
    intervals = nb.printed(cells[nb.unique_index(sources, "t2t_arm = [count / 180")])  # 24a: split from the counts
    assert "Linear | no attention, MLP, norms or nonlinearity; half the parameters |" in intervals
    assert 0.45 < 29_344 / 57_986 < 0.55


def test_the_summary_keeps_table_7s_finding_and_the_audit_is_in_the_appendix_sources():
    summary = _summary()
    # 24c (review r24b item 2): one recap line per section
    assert "Table 7: the T2T module is 2.0 points above hard patches on one backbone (one run each). On" in summary
    assert "21.1M" not in summary and "4.2G" not in summary and "does not reproduce" not in summary
    appendix = nb.sources(APPENDIX)
    sources_at = nb.unique_index(appendix, "## Appendix · Sources")
    table_7 = nb.unique_index(appendix, "### The paper's Table 7")
    audits = nb.unique_index(appendix, "## Appendix · Audits")
    assert sources_at < table_7 < audits  # the Table 7 note sits in the Sources part
    assert not any(s.startswith("## ") for s in appendix[sources_at + 1 : table_7])
    note = nb.flat(appendix[table_7])
    assert "The 21.1M matches a count without the stem and position table; the 4.2G does not reproduce." in note


def test_the_no_overlap_bullet_points_to_appendix_a_within_the_old_caps():
    summary = _summary()
    (bullet,) = [b for b in summary.split("- **") if b.startswith("Does T2T help?")]
    # 24c (review r24b item 2): the Summary is a recap; section 6 points to appendix A
    section_6 = _cell(LESSON, "## 6. Does T2T help?")
    assert "Its part A races T2T's chain against a no-overlap chain on digits." in section_6
    # the old caps (tests 19d, 20a) forbid the +3.1 and a second interval here; the number stays in appendix A
    assert len(bullet) < 800 and bullet.count("[") == 0 and "+3.1" not in bullet  # 24c: no interval in a recap
    assert "a mean lead of 3.1 points (95 % t-interval [+2.5, +3.8]" in nb.flat(nb.all_text(APPENDIX))


def test_the_performer_paragraph_states_m_and_the_missing_scale_from_the_vendored_code():
    cost = _cell(LESSON, "The quadratic cost moved to the front.")
    assert "The vendored `token_performer.py` sets m = 0.5 x 64 = 32 and has no `1/sqrt(d)` scale at all." in cost
    performer = (VENDORED / "token_performer.py").read_text()
    assert "self.m = int(self.emb * kernel_ratio)" in performer and "kernel_ratio=0.5" in performer
    assert "scale" not in performer and re.findall(r"math\.sqrt\((.*?)\)", performer) == ["self.m", "self.m"]
    assert "token_dim=64):" in (VENDORED / "t2t_vit.py").read_text()
    cells, sources = nb.cells(LESSON), nb.sources(LESSON)
    check = nb.unique_index(sources, "performer_source = ")
    assert nb.hidden(cells[check]) and 'costs["T2T transformer 1"]' in sources[check - 1]


def test_the_batch_64_line_is_split_into_at_most_three_lines():
    cells, sources = nb.cells(LESSON), nb.sources(LESSON)
    printed = nb.printed(cells[nb.unique_index(sources, 'first, _ = costs["T2T transformer 1"]')])
    lines = printed.splitlines()
    assert lines[0] == "T2T transformer 1: 9,834,496 entries, 39.3 MB per image in float32 (4 bytes per entry);"
    assert lines[1] == "  at least 2.5 GB at batch 64 for the explicit softmax, kept for the backward pass;"
    # 24a (review r23f item 8): the line names the PyTorch version it holds for
    assert lines[2] == (
        "  in torch 2.13.0+cpu, the flash and memory-efficient SDPA kernels do not store it (the math backend does)"
    )
    assert max(len(line) for line in lines) < 110


def test_the_references_are_plain():
    why = _cell(LESSON, "**Why T2T exists.**")
    assert "Table 7 (this lesson's section 6)" in why and "Table 7 (section 6)" not in why
    local = _cell(LESSON, "### Local windows, global attention")
    assert "(with random weights, on all of them)" not in local
    assert (
        "non-zero only on pixels it depends on, and here, with random weights, on every such pixel:"
        " `pixels_used(token, image)` returns them." in local
    )


def test_going_further_says_where_t2t_vit_is_implemented():
    going = _cell(LESSON, "## Going further · Where T2T stands today")
    # review r23e_07: mmpretrain ships it too (appendix, fact 1), so "only the original" was wrong
    assert "Only the original repository" not in going
    assert "`yitu-opensource/T2T-ViT` (vendored here at `0f63dc9`), and OpenMMLab's `mmpretrain`" in going
    assert "(T2T-ViT_t-14, -19 and -24 with ImageNet weights; appendix, fact 1) ship it." in going
    assert "timm's `main` at commit `aa4b585` (1.0.29.dev0, August 2026) has no T2T model" in going
    assert "pull request #2426 (January 2025), is not merged" in going
    assert "Hugging Face `transformers` 5.23.0 has none either." in going
    import transformers

    if transformers.__version__ == "5.23.0":  # the version the sentence names: no T2T model module
        names = [p.name for p in (pathlib.Path(transformers.__file__).parent / "models").iterdir()]
        assert not any(name.startswith("t2t") or "tokens_to_token" in name for name in names)


def test_the_main_path_stays_within_its_caps():
    cells = json.loads(LESSON.read_text())["cells"]
    visible = [c for c in cells if not nb.hidden(c)]
    summary = next(i for i, c in enumerate(visible) if nb.source(c).startswith("## Summary"))
    words = sum(len(nb.source(c).split()) for c in visible[:summary] if c["cell_type"] == "markdown")
    assert summary <= 50 and words <= 2945

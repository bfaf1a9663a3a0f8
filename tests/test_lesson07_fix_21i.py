"""Lesson 07, fixes for review r21h: a trained-stem picture in section 6 (moved from the appendix), the digit
experiment drawn as paired seeds, a short verdict opening section 6, only the imports the lesson calls, the token
scale called a default of the released code, the folded-channels caption to what the picture shows, and exercise
3's skip-through-x hint only when the error names the dim / token_dim mismatch."""

from __future__ import annotations

import re

import pytest
import torch

from tests import _notebook as nb
from vit_explained.exercises import ExerciseFailed
from vit_explained.exercises.lesson07 import check_token_attention

LESSON = nb.NOTEBOOKS / "07_tokens_to_token_vit.ipynb"
APPENDIX = nb.NOTEBOOKS / "07_tokens_to_token_vit_appendix.ipynb"


def _section_6() -> tuple[list[dict], list[str], int, int]:
    cells, sources = nb.cells(LESSON), nb.sources(LESSON)
    return cells, sources, nb.unique_index(sources, "## 6. Does T2T help?"), nb.unique_index(sources, "## Summary")


def _has_picture(cell: dict) -> bool:
    return any("image/png" in output.get("data", {}) for output in cell["outputs"])


def test_section_6_shows_the_trained_stem_with_one_printed_line_and_a_check():
    # 22a (review r21l item 4): the picture moved to the appendix's "What training does to the first token
    # transformer"; section 6 keeps a pointer line
    _, lesson, _, _ = _section_6()
    pointer = nb.flat(lesson[nb.unique_index(lesson, "**The `Linear` arm.**")])
    assert 'Appendix, "What training does to the first token transformer"' in pointer
    assert not any("plot_trained_fold(" in s for s in lesson)
    cells, sources = nb.cells(APPENDIX), nb.sources(APPENDIX)
    heading = nb.unique_index(sources, "### What training does to the first token transformer")
    picture = nb.unique_index(sources, "plot_trained_fold(")
    assert heading < picture and _has_picture(cells[picture])
    assert sources[picture].count("print(") == 1 and "trained_fold_study(val_48, stored)" in sources[picture]
    printed = nb.printed(cells[picture]).strip()
    assert len(printed.splitlines()) == 1
    assert printed.startswith("the closest channel's |corr.| with the ink, mean over 180 digits: trained 0.654")
    assert "initial 0.558" in printed and "trained higher than initial on every one of 3 seeds" in printed
    check = cells[picture + 1]
    assert nb.hidden(check) and '["0.654", "0.558"]' in nb.source(check)
    intro = nb.flat(sources[picture - 1])  # the appendix's own introduction says the same
    assert "The picture draws seed 0's block on validation digit #0, before and after training" in intro
    assert "the picture flatters the trained row: the numbers below, over all 180 digits and all 32 channels" in intro
    # moved, not duplicated: one picture, in the appendix
    assert sum("plot_trained_fold(" in s for s in sources) == 1


def test_the_digit_experiment_is_drawn_before_the_arms_findings():
    cells, sources, section_6, summary = _section_6()
    table = nb.unique_index(sources, "# benchmarks/results/lesson07_token_transformer.md")
    arms = nb.unique_index(sources, "**The `Linear` arm.**")
    picture = nb.unique_index(sources, "plot_seed_pairs(pairs, 180")  # 24a: counts, intervals, picture
    assert section_6 < table < picture < arms < summary and _has_picture(cells[picture])
    assert '("token MLP", mlp_correct)' in sources[picture]
    assert all(len(sources[i].splitlines()) < 35 for i in (table, picture))


def test_section_6_opens_with_a_short_verdict():
    _, sources, section_6, _ = _section_6()
    head = nb.flat(sources[section_6].split("### Published numbers")[0])
    # 23a (review r22i item 1): one takeaway sentence; 24a (review r23f item 5): its numbers come after the arms
    assert (
        "**In short:** on 180 digits after 10 epochs (6 seeds), a `Linear` in the token transformers' place scored"
        " lower and a token MLP without attention matched or beat them; on ImageNet, Table 7's single runs put T2T's"
        " module above hard patches." in head
    )
    assert "convolutions with the same windows get 1.3 of them" in nb.flat(sources[section_6])
    arms = nb.flat(sources[nb.unique_index(sources, "**The `Linear` arm.**")])
    assert "fresh digits were not drawn" not in arms and "the t-interval clears 0 at 5 %" not in arms
    # 23a: the two caveats moved to the appendix's Sources, next to the arm each qualifies
    appendix = nb.sources(APPENDIX)
    assert nb.flat(appendix[nb.unique_index(appendix, "**Section 6's `Linear` arm.**")]).count("Caveat:") == 2


def test_the_lesson_imports_only_what_it_calls():
    sources = nb.sources(LESSON)
    imports = nb.unique_index(sources, "import math\nimport pathlib")
    rest = "\n".join(sources[imports + 1 :])
    names = re.findall(r"^\s*([A-Za-z_]\w*),?$|^import (\w+)$", sources[imports], re.M)
    names = [a or b for a, b in names] + ["F", "nn"]
    unused = [name for name in names if not re.search(rf"\b{name}\b", rest)]
    assert not unused, unused
    for gone in ("contextlib", "stem_attention_study", "original_key", "stored_stem_block", "plot_attention_offsets"):
        assert gone not in sources[imports], gone


def test_the_token_scale_is_a_code_default_and_the_backbone_scale_is_for_porters():
    sources = nb.sources(LESSON)
    scale = nb.flat(sources[nb.unique_index(sources, "**The scale uses the input width: `qk_scale`.**")])
    assert "This is a default of the released code, not a design choice the paper states" in scale
    appendix = nb.sources(APPENDIX)  # 22e: the 1.0 % draw moved to the appendix's porters (same fact)
    porters = nb.flat(appendix[nb.unique_index(appendix, "## Appendix · For porters")])
    assert "at 1/7 and at 1/8. In one random draw, the largest change was 1.0 % of the output's largest" in porters
    assert "qk_scale=384 ** -0.5" not in scale
    summary = nb.flat(sources[nb.unique_index(sources, "## Summary")])
    assert "`dim ** -0.5`: a default of the released code, not a design choice the paper states." in summary
    printed = nb.all_printed(APPENDIX)
    assert "max |out(1/7) - out(1/8)| = 0.022, 1.0 % of max |out| = 2.31" in printed


def test_the_folded_channels_caption_says_what_the_picture_shows():
    sources = nb.sources(LESSON)
    caption = nb.flat(sources[nb.unique_index(sources, "The folded map keeps the image's layout")])
    assert "the upper loop stands out" not in caption  # 22c (review r22b item 7): no reading of random channels
    assert "The two channels come from random weights" in caption
    assert "loops still show" not in caption


def _reference(tokens, qkv, proj):
    q, k, v = qkv(tokens).split(qkv.out_features // 3, dim=-1)
    weights = torch.softmax(q @ k.transpose(1, 2) * tokens.shape[-1] ** -0.5, dim=-1)
    return v + proj(weights @ v)


@pytest.mark.parametrize(
    "wrong",
    [
        lambda t, qkv, proj: qkv(t)[:, :, :5] @ proj.weight,  # the reviewer's unrelated shape bug
        lambda t, qkv, proj: _reference(t, qkv, proj) + _reference(t, qkv, proj)[:, :, :3],  # sizes 64 and 3
        lambda t, qkv, proj: _reference(t, qkv, proj) @ torch.ones(5, 5),  # a product of other sizes
    ],
)
def test_other_shape_errors_get_no_skip_guess(wrong):
    with pytest.raises(ExerciseFailed) as failed:
        check_token_attention(wrong)
    assert "raised RuntimeError" in str(failed.value) and "input tokens x" not in str(failed.value)


@pytest.mark.parametrize(
    ("wrong", "message"),
    [
        (lambda t, qkv, proj: t + _reference(t, qkv, proj), "If it came from adding the input tokens x"),
        (lambda t, qkv, proj: _reference(t, qkv, proj) + t, "If it came from adding the input tokens x"),
        (lambda t, qkv, proj: t + proj(t), "if it was the input tokens x, they go through qkv only"),
    ],
)
def test_the_dim_token_dim_mismatch_still_gets_the_skip_guess(wrong, message):
    with pytest.raises(ExerciseFailed, match=re.escape(message)):
        check_token_attention(wrong)

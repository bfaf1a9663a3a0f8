"""Lesson 07, review r20b (score 8): a thread-count-proof border check, the token-MLP claim held to "not needed",
a leaner section 6 (the affine test and the recipe list in the appendices, the trained-stem studies in an appendix,
three code pairs merged), the learning-rate and batch difference between the recipes, the porters' evidence for
the backbone scale, the paper's Fig. 2 named, and two checker messages that say what the slip was.

Sources checked for this round: facebookresearch/deit 7e160fe main.py l.349-351 (lr * batch * world / 512 unless
--unscale-lr), README_deit.md l.216 (DeiT-S: 4 GPUs x 256); yitu-opensource/T2T-ViT 0f63dc9 main.py (no lr
scaling), README l.105-114 (eval of t2t_vit_14 without --pretrained: 81.5 %), l.153 and l.157 (4 x 128 at 1e-3,
8 x 64 at 5e-4); huggingface/pytorch-image-models PR #2426 (open, 22 January 2025; t2t_vit_t_14 81.688 %), its
commit b283c24 (timm/models/t2t_vit.py: qk_scale unset, so head_dim ** -0.5).
"""

from __future__ import annotations

import math

import pytest
import torch
from torch import nn

from tests import _notebook as nb
from vit_explained.exercises import ExerciseFailed, lesson07

LESSON = nb.NOTEBOOKS / "07_tokens_to_token_vit.ipynb"
APPENDIX = LESSON.with_name("07_tokens_to_token_vit_appendix.ipynb")  # the lesson, then its appendix notebook


def _main_path(cells):
    summary = next(i for i, cell in enumerate(cells) if nb.source(cell).startswith("## Summary"))
    return [cell for cell in cells[:summary] if not nb.hidden(cell)]


def test_the_border_check_tolerates_float64_rounding():
    sources = nb.sources(LESSON) + nb.sources(APPENDIX)
    check = sources[nb.unique_index(sources, "outside = token_weights[4].clone()")]
    assert "assert outside.abs().max() < 1e-12  # 0 up to float64 rounding" in check
    assert "outside.abs().max() == 0" not in check


def test_no_check_compares_an_arithmetic_float_result_exactly_with_zero():
    for source in nb.sources(LESSON) + nb.sources(APPENDIX):
        for line in source.splitlines():
            if line.lstrip().startswith("assert"):
                assert ".abs().max() == 0" not in line and ".max() == 0.0" not in line, line


def test_the_token_mlp_sentence_says_attention_was_not_needed():
    text = nb.flat(nb.all_text(LESSON) + "\n" + nb.all_text(APPENDIX))
    # 23d (review r23c item 5): tightened to what the run shows, naming what else the swap removes
    assert (
        # 24c (review r24b item 1): one sentence per arm; the v-skip caveat is the appendix's (Sources)
        "No benefit of attention was detected here." in text
        and "the swap also removes the `v`-skip and a LayerNorm, so it shows that removing attention did not" in text
    )
    assert "not with the token transformers' attention" not in text


def test_the_main_path_is_leaner_and_the_moved_material_keeps_its_checks():
    cells, sources = (nb.cells(LESSON) + nb.cells(APPENDIX)), (nb.sources(LESSON) + nb.sources(APPENDIX))
    assert len(_main_path(cells)) <= 60  # 67 before this round
    section_6 = nb.flat(sources[nb.unique_index(sources, "## 6. Does T2T help?")])
    assert "- it validates with the EMA weights" not in section_6 and "It also leaves out selection" not in section_6
    # review r21d: the selection is shown only for T2T's main.py, so the sentence names it (no more "picked on" for all)
    assert '(appendix, "Sources")' in section_6
    appendix = nb.flat(sources[nb.unique_index(sources, "## Appendix · Sources")])
    assert "best top-1 of its 310 per-epoch evaluations on those same images" in appendix  # r22g item 3: moved
    assert "- its warm-up is 10 epochs, DeiT's 5;" in appendix and "It also leaves out selection" in appendix
    # the no-overlap run's caveat list: one line in section 6, the list in the appendix (its check stays beside it)
    overlap = nb.unique_index(sources, "After 10 epochs T2T's chain is ahead on all 6 seeds")
    assert "What it does not show: which change matters" in nb.flat(sources[overlap])
    assert "- **Which change.**" not in sources[overlap]
    assert "**What section 6's no-overlap comparison does not show.** - **Which change.**" in appendix
    assert "control_stem_parameters ==" in sources[overlap + 1] and nb.hidden(cells[overlap + 1])
    assert "the end of this section counts what it saves" not in nb.flat(
        nb.all_text(LESSON) + "\n" + nb.all_text(APPENDIX)
    )
    # the affine test: in the Audits appendix, hidden, with its check, before the border cells that reuse its stems
    affine = nb.unique_index(sources, "f(a + b) - f(a) - f(b) + f(torch.zeros_like(a))")
    audits, summary = nb.unique_index(sources, "## Appendix · Audits"), nb.unique_index(sources, "## Summary")
    assert audits < affine and nb.hidden(cells[affine]) and "affine_residual" in sources[affine + 1]
    assert "below 1e-12" in nb.printed(cells[affine])
    assert "Is the `Linear` arm's T2T module still nonlinear anywhere?" in sources[audits]
    assert not any("Is the `Linear` arm's T2T module still nonlinear" in s for s in sources[:summary])
    # the trained-stem studies: an appendix of their own after the exercises, each figure with its check
    further = nb.unique_index(sources, "## Going further · Where T2T stands today")
    looks = nb.unique_index(sources, "## Appendix · Three more looks at section 6's runs")
    assert summary < further < looks and "Nothing above depends on them." in sources[looks]
    for marker in (
        "scale_run = paired_seeds(",
        'on digit #0 after training (seed 0)")',
        "study = stem_attention_study(",
    ):
        i = nb.unique_index(sources, marker)
        assert looks < i and nb.hidden(cells[i + 1]), marker


def test_merged_code_cells_keep_their_output_and_checks():
    cells, sources = (nb.cells(LESSON) + nb.cells(APPENDIX)), (nb.sources(LESSON) + nb.sources(APPENDIX))
    for marker, text in (
        ("control = paired_seeds(", "95 % t-interval of the mean difference [+2.5, +3.8] points"),
        ("costs = {name: (attention_cost(", "T2T transformer 1       3136"),
        ("parts = {name: by_part(model)", "T2T module: 387,046; DeiT-S's patch embedding: 295,296"),
        ("broken = (ours(square) - original(square))", "max |difference| of the logits (float64): below 1e-12"),
    ):
        i = nb.unique_index(sources, marker)
        assert text in nb.printed(cells[i]) and nb.hidden(cells[i + 1]), marker
    assert "5e+09 times the test's 1e-12" in nb.printed(cells[nb.unique_index(sources, "broken = (ours(square)")])


def test_the_recipe_names_the_learning_rate_and_batch_difference():
    text = nb.flat(nb.all_text(LESSON) + "\n" + nb.all_text(APPENDIX))
    assert "DeiT's `main.py` multiplies `--lr` by batch x GPUs / 512 (line 350)" in text
    assert "(`README_deit.md` line 216: 4 GPUs x 256) runs at 1e-3" in text
    assert "4 GPUs x 128 at `--lr 1e-3`, and 8 GPUs x 64 at `--lr 5e-4`" in text and "(lines 153 and 157)" in text
    assert "Which one the released runs used is not stated." in text
    assert math.isclose(5e-4 * 4 * 256 / 512, 1e-3)


def test_the_porters_note_gives_the_evidence_for_the_backbone_scale():
    sources = nb.sources(LESSON) + nb.sources(APPENDIX)
    porters = nb.flat(sources[nb.unique_index(sources, "## Appendix · For porters")])
    assert "drafted on a branch" not in porters and "timm issue #2364 and is open PR #2426 (January 2025)" in porters
    assert "the README's own eval log (lines 107-114) reports 81.5 % top-1 for `t2t_vit_14`" in porters
    assert "without `--pretrained`, so at 1/8" in porters and "81.69 % for `t2t_vit_t_14`" in porters
    assert "(commit `b283c24`) leaves `qk_scale` unset" in porters


def test_cell_5_names_fig_2_as_qualitative_evidence():
    sources = nb.sources(LESSON) + nb.sources(APPENDIX)
    why = nb.flat(sources[nb.unique_index(sources, "**Why T2T exists.**")])
    assert "its Fig. 2, selected feature maps (qualitative)" in why


def _message(check, function):
    with pytest.raises(ExerciseFailed) as failed:
        check(function)
    return str(failed.value)


def test_exercise_1_names_the_overlap_slip_the_right_way_round():
    def field(splits, spacing=lambda k, s: k - s):
        side, jump = 1, 1
        for kernel, stride, _ in splits:
            side, jump = side + (kernel - 1) * jump, jump * spacing(kernel, stride)
        return side

    message = _message(lesson07.check_receptive_field, field)
    assert "you read the middle number as the paper's overlap and used k - s as the stride" in message
    assert "you passed the overlap as the stride" not in message
    for right in (
        lambda splits: field(splits, lambda k, s: s),
        lambda splits: 1 + sum((k - 1) * math.prod(s for _, s, _ in splits[:i]) for i, (k, _, _) in enumerate(splits)),
        lambda splits: int(field(splits, lambda k, s: s) + 0.0),
    ):
        lesson07.check_receptive_field(right)


def _attention(scale_of):
    def token_attention(tokens, qkv, proj):
        q, k, v = qkv(tokens).chunk(3, dim=-1)
        weights = (q @ k.transpose(-2, -1) * scale_of(tokens)).softmax(dim=-1)
        return v + proj(weights @ v)

    return token_attention


@pytest.mark.parametrize(
    "scale_of", [lambda t: t.shape[-2] ** -0.5, lambda t: 1 / t.shape[-2]], ids=["1/sqrt(N)", "1/N"]
)
def test_exercise_3_says_the_scale_depends_on_the_input_width(scale_of):
    message = _message(lesson07.check_token_attention, _attention(scale_of))
    assert "depends on a width, not on the number of tokens: T2T's code uses the input width, 1/sqrt(dim)" in message
    assert "width of the vectors being multiplied" not in message


def test_exercise_3_right_answers_still_pass():
    lesson07.check_token_attention(_attention(lambda t: t.shape[-1] ** -0.5))
    lesson07.check_token_attention(_attention(lambda t: 1 / math.sqrt(t.shape[-1])))

    def sdpa(tokens, qkv, proj):
        q, k, v = qkv(tokens).chunk(3, dim=-1)
        out = nn.functional.scaled_dot_product_attention(q, k, v, scale=tokens.shape[-1] ** -0.5)
        return v + proj(out)

    lesson07.check_token_attention(sdpa)
    assert torch.tensor(1.0).item() == 1.0

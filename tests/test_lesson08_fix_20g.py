"""Lesson 08, review r20f_08: section 11 says its knobs run with rows normalised correctly and compares the package's
rollout with vit-explain's literal code (rho, same top patch, spread, measured); exercise 6 notes the difference;
section 12 reads its non-detection with the interval's reach; section 9 states the panel's measured peak move instead
of guessing another paper's judgement, and says rollout never reads the classifier; section 5 gives chance beside
"half"; the appendix says where B went; the explorer's title says each map is scaled to its own max."""

from __future__ import annotations

import torch

from tests import _notebook as nb
from vit_explained import attention_maps as am

LESSON = nb.NOTEBOOKS / "08_attention_maps.ipynb"
APPENDIX = nb.NOTEBOOKS / "08_attention_maps_appendix.ipynb"
SOLUTIONS = nb.NOTEBOOKS / "solutions" / "08_attention_maps_solutions.ipynb"


def _at(text: str, path=LESSON) -> int:
    return nb.unique_index(nb.sources(path), text)


def _text(text: str, path=LESSON) -> str:
    return nb.flat(nb.sources(path)[_at(text, path)])


def test_literal_vit_explain_matches_its_bug_and_the_package_without_it():
    torch.manual_seed(0)
    layers = [torch.rand(3, 2, 5, 5).softmax(-1) for _ in range(3)]  # rows sum to 1 per head
    same = am.vit_explain_agreement(layers, "mean", 0.0, (2, 2))  # mean fusion, no discard: rows already sum to 1
    assert torch.allclose(same["rho"], torch.ones(3, dtype=torch.float64)) and bool(same["same_top"].all())
    # max fusion: the literal code divides column j by row j's sum (no keepdim), as written out here by hand
    one = [layer[:1] for layer in layers]
    result = torch.eye(5)
    for layer in one:
        a = (layer.amax(1) + torch.eye(5)) / 2
        a = a / a.sum(-1)[:, None, :]  # the broadcast vit-explain's a / a.sum(dim=-1) does with a batch of one
        result = a @ result
    mask = result[0, 0, 1:]
    assert torch.allclose(am.vit_explain_rollout(one, 0.0, "max"), mask / mask.max())
    fixed = am.class_token_attention(am.attention_rollout(one, head_fusion="max"), (2, 2)).flatten()
    assert not torch.allclose(mask / mask.sum(), fixed / fixed.sum())  # the bug changes the map
    # the discard never drops the class token's weight on itself, and leaves the caller's tensors alone
    before = [layer.clone() for layer in one]
    am.vit_explain_rollout(one, 0.9, "mean")
    assert all(torch.equal(b, layer) for b, layer in zip(before, one, strict=True))


def test_section_11_says_rows_are_normalised_and_prints_the_literal_comparison():
    text = _text("### Section 11: jacobgil/vit-explain's knobs", APPENDIX)  # 21b: moved to appendix K
    assert "vit-explain's own `a / a.sum(dim=-1)` has no `keepdim`" in text
    assert "this section's knobs run with rows normalised correctly" in text
    cells = nb.cells(APPENDIX)
    at = _at("am.vit_explain_agreement(val_attentions, *settings[name], (rows, cols))", APPENDIX)
    out = nb.printed(cells[at])
    assert "max, discard 0.9: vit-explain's code vs attention_rollout, 100 digits: ρ 0.993 (min 0.969)" in out
    assert "same top patch 75.0 %" in out and "spread 11.6 against 12.6 patches" in out
    assert "mean, discard 0.9:" in out and "ρ 0.996" in out and "82.0 %" in out and "spread 13.8 against 14.2" in out
    check = cells[at + 1]  # 21a: the figure joined this cell; then the hidden check
    assert nb.hidden(check) and "(0.993, 75, 11.6)" in nb.source(check) and "(0.996, 82, 13.8)" in nb.source(check)
    reading = nb.flat(nb.source(cells[at + 2]))
    assert "a different top patch on 25 % of the digits" in reading and "11.6 and 13.8 patches" in reading


def test_exercise_6_notes_vit_explains_normalisation():
    for path in (LESSON, SOLUTIONS):
        text = nb.flat(nb.all_text(path))
        assert "vit-explain's `a / a.sum(dim=-1)` has none, so its top patch can differ, appendix E" in text  # 21j


def test_section_12_reads_the_non_detection_with_its_interval():
    text = _text("Section 8 ends with test digit 17's two maps.", APPENDIX)  # 21b: appendix K
    assert "about as unlike its first map" not in text
    assert "allows the runner-up's map up to 0.07 less similar" in text
    check = nb.source(nb.cells(APPENDIX)[_at("runner_vs_next = paired_difference(", APPENDIX)])
    assert "== -0.067" in check and "== 0.001" in check


def test_section_9_states_the_measured_peak_move_and_never_reads_the_classifier():
    text = _text("**How the table is read.**")
    assert "Adebayo et al. would already flag" not in text
    assert "peak at patch (4, 3), not (2, 4)" in text
    assert "peaks[0] == (2, 4)" in nb.sources(LESSON)[_at("the 7's peak moves from patch (2, 4) to (4, 3)")]
    # 23b: section 9 opens with Adebayo et al.'s idea; the verdict, after the rule, says what rollout ignores
    assert "rollout never reads the classifier (ρ +1.00, its floor)" in _text("**Verdict** (ρ over 32 digits")
    assert "rollout never reads the classifier (ρ 1.00); blocks 2-3 re-drawn change it" in _text("## Summary")  # 23c


def test_section_5_gives_chance_beside_half():
    text = _text("The 6 is a favourable case for this head")
    assert (
        "on ink on half of them (**chance rate for a random key** among the 50, class token included: 33.0 %)" in text
    )  # 24d
    assert "only half" not in text


def test_appendix_says_where_b_went():
    assert "There is no **B**: its photo example moved into **E**" in nb.flat(nb.sources(APPENDIX)[0])


def test_explorer_title_says_each_map_is_scaled_to_its_own_max():
    import matplotlib.pyplot as plt

    from vit_explained.vit import ViT
    from vit_explained.widgets.lesson08 import maps_explorer

    torch.manual_seed(0)
    model = ViT(12, patch_size=4, num_classes=4, dim=16, depth=2, heads=2, mlp_dim=32, channels=1).eval()
    w = maps_explorer(model, torch.rand(2, 1, 12, 12), torch.tensor([0, 1]))
    _, fig = w.compute(digit=0, block=1, head=0)
    words = " ".join([fig._suptitle.get_text() if fig._suptitle else ""] + [t.get_text() for t in fig.texts])
    assert "each map scaled to its own max" in words
    plt.close(fig)

"""Lesson 03, review r24e: the training comparison names its tuned learning rate and prints it; the Summary drops
the loss claim the main path does not print; QK-norm's history matches the appendix; the section 3 lead keeps its
point with the set-up and the dO V^T caveat under the table; the einops label, the vendored timm class and the
scale's measured effect are worded exactly."""

from __future__ import annotations

from tests import _notebook as nb

LESSON = nb.NOTEBOOKS / "03_attention_shapes.ipynb"
APPENDIX = nb.NOTEBOOKS / "03_attention_shapes_appendix.ipynb"
CELLS = nb.cells(LESSON)
SOURCES = nb.sources(LESSON)
APPENDIX_SOURCES = nb.sources(APPENDIX)
SUMMARY = nb.unique_index(SOURCES, "## Summary")
TRAINING = nb.unique_index(SOURCES, "**In training.**")


def test_item_1_the_comparison_runs_at_the_tuned_lr_and_prints_it():
    text = nb.flat(SOURCES[TRAINING])
    assert "one learning rate for both arms: the recipe's (printed), tuned with 4 heads and the scale" in text
    assert "the unscaled arms run off-tune" in text
    assert "Without the scale, one head of $d = 64$ trained worse at this LR: 7.4" in text
    appendix = nb.flat("\n".join(APPENDIX_SOURCES))
    assert "tuned on validation with 4 heads" in appendix and "the other arms run off-tune" in appendix
    printed = nb.printed(CELLS[TRAINING + 1])
    assert "learning rate, both arms: 0.003 (the digits recipe's, tuned with 4 heads and the scale)" in printed
    assert nb.hidden(CELLS[TRAINING + 2]) and 'PRESETS["digits"].lr == 3e-3' in SOURCES[TRAINING + 2]
    summary = nb.flat(SOURCES[SUMMARY])
    assert "trained worse on the 8x8 digits at the recipe's LR; four heads" in summary


def test_item_2_qk_norm_attributes_the_divergence_to_8b_vits():
    text = nb.flat(SOURCES[nb.unique_index(SOURCES, "## Going further: QK-norm")])
    assert "saw its training diverge" not in text
    assert "saw the training loss of ViTs of about 8B parameters diverge" in text
    assert "Their fix, adopted in ViT-22B, is QK-LayerNorm" in text
    appendix = nb.flat("\n".join(APPENDIX_SOURCES))
    assert "ViTs of about 8B parameters diverge" in appendix and "Their fix, adopted in ViT-22B, is" in appendix


def test_item_3_nominal_follows_the_interval():
    text = nb.flat(SOURCES[TRAINING])
    assert "95 % interval 4.4 to 10.4 (nominal: first printed line)" in text
    assert "both arms (nominal" not in text
    assert nb.printed(CELLS[TRAINING + 1]).startswith("nominal intervals")


def test_item_4_the_summary_drops_the_loss_claim_the_main_path_does_not_print():
    assert "loss" not in nb.printed(CELLS[TRAINING + 1])  # the main path prints accuracy only
    summary = nb.flat(SOURCES[SUMMARY])
    assert "10 of 10" not in summary and "loss higher" not in summary
    assert "loss was higher without the scale on all 10 seeds" in nb.flat("\n".join(APPENDIX_SOURCES))


def test_item_5_lead_is_short_and_the_caveat_sits_under_the_table():
    section = nb.unique_index(SOURCES, "## 3 · Why divide by")
    lead = nb.flat(SOURCES[section])
    assert "**The point first.**" in lead and len(lead.split()) <= 100 and "dO" not in lead and "Measured" not in lead
    table = nb.unique_index(SOURCES, "saturation = summarize_saturation(runs)")
    under = nb.unique_index(SOURCES, "Without the scale, 37 % of the rows saturate")
    assert table < under
    text = nb.flat(SOURCES[under])
    assert "the gradient reaching the attention weights $A$ is $dO\\,V^\\top$" in text
    assert "reaching the weights is" not in nb.flat("\n".join(SOURCES[:SUMMARY]))


def test_items_6_7_8_wording():
    code = nb.unique_index(SOURCES, "separate, einops_style = other_spellings(attn)")
    assert "einops (vit-pytorch's spelling)  vs the package (fused qkv)" in nb.printed(CELLS[code])
    spellings = nb.flat(SOURCES[nb.unique_index(SOURCES, "## 2 · One computation, many spellings")])
    assert "timm itself is not installed; we run T2T-ViT's vendored copy of timm's Attention class" in spellings
    assert "timm's runs as" not in spellings
    buys = nb.flat(SOURCES[nb.unique_index(SOURCES, "**What the scale buys:**")])
    assert "Without it, saturation and the softmax's pass-back depend on $d$ (37 % at 64, 81 % at 1024)." in buys
    assert "uneven" not in buys


def test_main_path_within_the_cap():
    main = [c for c in CELLS[:SUMMARY] if not nb.hidden(c)]
    words = sum(len(nb.source(c).split()) for c in CELLS[:SUMMARY] if c["cell_type"] == "markdown")
    assert len(main) <= 47 and words <= 2463

"""Lesson 05, review r19c: each fix checked on the stored notebook.

The optimizer sentence names what AdamW's step reads (its own earlier gradients and value; other parameters only
under global-norm clipping); appendix D adds a depth ablation (4, 8, 12 blocks at ViT-Ti's width, 3 seeds) and
section 5 says its gap is measured at depth 4; no orange arrow before its picture; the saturation widget and its
numbers move to appendix H (section 4 ends with a pointer; the freeze widget stays on the main path); the
std ablation says "hundreds-fold"; no unmeasured "fewer, larger entries"; ViT-Ti/S/B/L use d = 64; fewer
cross-reconciliation clauses on the main path.
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


def _main(sources: list[str]) -> str:
    return "\n".join(sources[: _at(sources, "## Appendix (optional)")])


def test_the_optimizer_step_reads_only_its_own_gradients_unless_clipped():
    sources = _sources()
    text = nb.flat(sources[_at(sources, "The **update** happens after backward")])
    assert "`qkv.weight.grad` alone" not in text
    assert "Plain SGD, on a copy of the model" in text
    text = nb.flat(sources[_at(sources, "**The update in detail.**")])  # 22g: the caveats moved to appendix E
    assert (
        "its own gradients: this `.grad`, with momentum (SGD, Adam, AdamW) also its earlier ones, and with weight "
        "decay its own value. "
        "In `torch.optim`'s SGD, Adam and AdamW it never uses another parameter's gradient, "
        "unless you clip by the global norm or use AMP's `GradScaler`, "
        "which skips the whole step when any gradient holds an inf or NaN." in text
    )


def test_depth_ablation_in_appendix_d_and_a_sentence_in_section_5():
    cells, sources = _cells(), _sources()
    at = _at(sources, "depth_share = {depth:")
    assert _at(sources, "### D · A second measure") < at < _at(sources, "### E · Optimizers")
    printed = nb.printed(cells[at])
    assert " 4 blocks: block 0 72 to 79 %" in printed and "12 blocks: block 0 86 to 95 %" in printed
    assert "12 blocks, seed 0:  89  76  67  58  45  41  35  24  11  12   9   3" in printed
    assert "dim=192, depth=depth, heads=3, mlp_dim=768" in sources[at]
    check = sources[at + 1]
    assert _hidden(cells[at + 1]) and "== (86, 95)" in check and "== (72, 79)" in check
    assert "at ViT-Ti's depth and width the MLP route already\ndominates" in sources[at + 2]
    answer = nb.flat(sources[_at(sources, "**Answer to the question:**")])  # 20c: cell 53 cut; the Answer carries it
    assert "appendix D measures depth" in answer  # 21a: the Answer in three sentences; the numbers in appendix D
    assert "86 to 95 % with\n12 (printed)" in sources[at + 2]
    assert "is a reading, not a measured cause" not in "\n".join(sources)


def test_no_orange_arrow_before_its_picture():
    sources = _sources()
    main = _main(sources)
    assert main.index("(orange") > main.index("plot_share_arrows({")  # 20e: the picture comes first
    assert "part on $g$, as a fraction of $\\lVert g\\rVert$" in main
    assert _at(sources, "plot_share_arrows({") < _at(sources, "## Appendix (optional)")


def test_saturation_widget_moved_to_appendix_h_and_freeze_widget_stays():
    cells, sources = _cells(), _sources()
    main = _main(sources)
    for text in ("derivation_widget(", "**When the softmax saturates.**", "||dW_q|| peaks at c =", "13.3"):
        assert text not in main, text
    appendix_h = _at(sources, "### H · When the softmax saturates")
    widget = _at(sources, "derivation = derivation_widget(")
    assert appendix_h < widget < _at(sources, "The widget runs block 0, all four heads.") < _at(sources, "### I ·")
    assert "||dW_q|| peaks at c = 13.3" in nb.printed(cells[_at(sources, "**When the softmax saturates.**") + 1])
    pointer = _at(sources, "$W_q$'s gradient as attention sharpens and the softmax saturates: appendix H")  # 21a
    assert _at(sources, "## 4 · Inside attention") < pointer < _at(sources, "## 5 · Cut the MLP route")  # 24a
    assert "appendix H" in sources[pointer] and "Read the chart left to right" in sources[pointer]
    assert _at(sources, "**Which tokens carry it?**") < pointer  # 20e; 24a: the tokens now come before the chart
    assert "gradient_freeze_widget(" in main  # the main path keeps a widget


def test_std_ablation_says_hundreds_fold():
    sources = _sources()
    note = nb.flat(sources[_at(sources, "**Is it the init, and which part of it?**")])
    assert "*needed* for the gap" not in note
    assert "needed for the *hundreds-fold* gap; a 9-50x gap remains at PyTorch's std of about 0.10" in note
    assert "weight std at D = 32: init='torch' 0.102" in nb.printed(_cells()[_at(sources, "torch_std = 1 / (3 * 32)")])


def test_no_unmeasured_mechanism_and_head_width_facts():
    text = "\n".join(_sources())
    assert "fewer, larger" not in text
    assert "Real ViTs use d = 64" not in text and "ViT-B's shape" not in text
    assert "ViT-Ti/S/B/L use d = 64 (ViT-H/14 uses 80)" in text
    assert "D = 768 with 12 heads is ViT-B's width and heads" in text


def test_main_path_drops_cross_reconciliation_clauses():
    sources = _sources()
    main = _main(sources)
    assert "where section 3's picture reads" not in main
    assert "Appendix D prints the share of one gradient over all 256 digits" not in "\n".join(sources)

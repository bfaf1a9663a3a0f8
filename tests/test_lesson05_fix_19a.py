"""Lesson 05, review fixes of 2026-12-05: AdamW's step sizes, one starting range per condition, which part of the
init makes the gap, one share measure in the main line, the two models named, the derivation widget opening at
c = 1 with a button to its peak, the saturation paragraph in the main line."""

from __future__ import annotations

import re

from tests import _notebook as nb

APPENDIX = nb.NOTEBOOKS / "05_where_gradients_flow_appendix.ipynb"  # fix 21a: the appendices A-I moved here

NOTEBOOK = nb.NOTEBOOKS / "05_where_gradients_flow.ipynb"


def _cells():
    return nb.cells(NOTEBOOK) + nb.cells(APPENDIX)


def _at(sources, text):
    return next(i for i, s in enumerate(sources) if text in s)


def test_adamw_step_sizes_are_printed_per_group_in_section_3():
    cells, sources = _cells(), (nb.sources(NOTEBOOK) + nb.sources(APPENDIX))
    at = _at(sources, "def step_sizes(optimizer, steps")
    # 19b: moved to appendix E (optimizers); section 3 keeps a one-sentence pointer
    assert _at(sources, "### E · Optimizers") < at < _at(sources, "### F · The share at initialisation")
    pointer = sources[_at(sources, "The right panel holds a surprise")]  # 20a: section 3; 21a: one sentence
    assert "AdamW's steps (E)" in pointer
    assert "under AdamW the q and k rows move as far per entry as the v rows" not in pointer
    printed = nb.printed(cells[at])
    for group in ("q rows", "k rows", "v rows", "MLP", "norms"):
        assert group in printed
    lines = [line for line in printed.splitlines() if "v rows / q rows" in line]
    ratio = {line.split()[0]: float(line.rsplit(": ", 1)[1]) for line in lines}
    assert ratio["SGD,"] > 100 and ratio["AdamW,"] == 1  # the gradient gap is a step gap only under SGD
    assert "AdamW, lr 1e-3, 10 steps" in printed
    assert "hide-input" in cells[at + 1]["metadata"]["tags"] and "sgd, adam_1, adam_10" in sources[at + 1]
    prose = nb.flat(sources[at - 1] + sources[at + 2])
    assert "**A gradient gap is not a step gap.**" in prose and "no step gap" in prose


def test_the_starting_ranges_are_named_by_condition_everywhere():
    sources = nb.sources(NOTEBOOK) + nb.sources(APPENDIX)
    text = "\n".join(nb.sources(NOTEBOOK) + nb.sources(APPENDIX))
    assert "8-60" not in text and "8-83" not in text
    for match in re.finditer(r"8 to 60", text):
        around = text[match.start() - 200 : match.end() + 80]
        assert "seed 0" in around or "own start" in around
    for match in re.finditer(r"8 to 83", text):
        after = text[match.start() : match.end() + 20]
        assert "3 fresh seeds" in after or "over 3 seeds" in after
    assert text.count("8 to 83") >= 2  # section 3 and appendix I (19b: the In-short line carries no ranges)
    printed = nb.printed(_cells()[_at(sources, 'ratios = {"initialised"')])
    assert "its own start (seed 0) 8 to 60; 3 fresh seeds 8 to 83" in printed


def test_the_init_note_names_the_qkv_std_by_an_ablation():
    cells, sources = _cells(), (nb.sources(NOTEBOOK) + nb.sources(APPENDIX))
    note = _at(sources, "**Is it the init, and which part of it?**")
    assert "only block 0's qkv weight x 10" in sources[note] and "the qkv weight's std 0.02" in sources[note]
    printed = nb.printed(cells[note + 1])
    assert "only block 0's qkv weight x 10 (std 0.2): block 0's ratio 316-464 -> 1.2-4.3, 3 seeds" in printed


def test_the_main_line_uses_one_share_measure():
    cells, sources = _cells(), (nb.sources(NOTEBOOK) + nb.sources(APPENDIX))
    section_5, summary = _at(sources, "## 5 · Cut the MLP route"), _at(sources, "## Summary")
    main = "\n".join(sources[section_5:summary])
    assert main.count("plot_share_arrows({") == 1  # 20e: the picture sits in section 5
    assert "with_change=True" not in main and "**change**" not in main
    table = nb.printed(cells[_at(sources, "freeze_cut_table(changes, with_change=False")])
    assert "cut: MLP share" in table and "cut: share change" not in table
    appendix_d = _at(sources, "### D · A second measure")
    assert _at(sources, "plot_share_arrows({") < section_5 + 5 < appendix_d
    assert _at(sources, "cut_size = trained_cut.qkv_cut_size") > appendix_d  # 20c: the package's property


def test_the_two_models_are_named_before_section_1():
    sources = nb.sources(NOTEBOOK) + nb.sources(APPENDIX)
    box = sources[_at(sources, "> **Two models.**")]
    assert "## 1 · One loss" in box and "**untrained**" in box and "**trained**" in box
    assert "small model" not in sources[0]


def test_derivation_widget_opens_at_c_1_with_a_button_to_its_peak():
    from vit_explained.widgets.lesson05 import derivation_widget

    cells, sources = _cells(), (nb.sources(NOTEBOOK) + nb.sources(APPENDIX))
    at = _at(sources, "derivation = derivation_widget(")
    assert "derivation_widget()  # opens at c = 1" in sources[at]
    stored = "".join("".join(o["data"]["text/plain"]) for o in cells[at]["outputs"] if "data" in o)
    assert "DerivationWidget: c = 1 (scores x 1)" in stored
    assert "It opens at $c = 1$" in sources[at - 1] and "**go to the peak: c = 13.3**" in sources[at - 1]
    widget = derivation_widget()
    assert widget.values["c"] == 1 and widget.peak_button.description == "go to the peak: c = 13.3"
    widget.peak_button.click()
    assert widget.values["c"] == 10 ** (9 / 8) and widget.line.startswith("c = 13.3")
    widget.controls["scale"].value = "no scale"
    assert widget.peak_button.description.startswith("go to the peak: c = ")


def test_the_saturation_paragraph_follows_its_widget():
    cells, sources = _cells(), (nb.sources(NOTEBOOK) + nb.sources(APPENDIX))
    para = _at(sources, "**When the softmax saturates.**")
    # 19d: the widget and this paragraph moved to appendix H (section 4 ends with a pointer)
    assert _at(sources, "### H · When the softmax saturates") < _at(sources, "derivation = derivation_widget(") < para
    assert "diag}(a) - aa^\\top$ is nearly zero" in sources[para]
    assert "||dW_q|| peaks at c = 13.3" in nb.printed(cells[para + 1])


def test_main_path_length():
    cells, sources = _cells(), (nb.sources(NOTEBOOK) + nb.sources(APPENDIX))
    summary = _at(sources, "## Summary")
    visible = [c for c in cells[:summary] if "hide-input" not in c.get("metadata", {}).get("tags", [])]
    assert summary <= 80 and len(visible) <= 43


def test_appendices_f_g_i_are_trimmed_with_their_checks():
    sources = nb.sources(NOTEBOOK) + nb.sources(APPENDIX)
    f, g, i = (_at(sources, f"### {x} · ") for x in ("F", "G", "I"))
    assert "plot_cut_families(" not in "\n".join(sources[f:g]) and "(checked below)" in sources[f]
    assert "A check of the claim above" in sources[f + 2] and "small_share = [" in sources[f + 1]
    assert "Finite differences are a second, independent witness" in sources[g]
    closing = sources[_at(sources, "Measured, $dQ$ keeps 1/319")]
    assert "Shuffled, $M$ shrinks 2.3 to 2.5 times" in closing and "On these activations" in closing
    assert sum(c["cell_type"] == "markdown" for c in _cells()[i:]) == 2  # appendix I: its count and its closing

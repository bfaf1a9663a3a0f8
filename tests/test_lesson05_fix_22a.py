"""Lesson 05, fix 22a (review r21k): the Answer as two sentences and one printed table, cell 0 with the fresh
models, Noci et al. as the published form of section 3's observation, the momentum wording, the model card,
the factor chart split into sizes and ratios to dO, the widget legend's ring, and exercise 1's float32 note."""

import torch

from tests import _notebook as nb

LESSON = nb.NOTEBOOKS / "05_where_gradients_flow.ipynb"
SOURCES = nb.sources(LESSON)
APPENDIX = nb.NOTEBOOKS / "05_where_gradients_flow_appendix.ipynb"
APP_SOURCES = nb.sources(APPENDIX)  # 23b: appendix D


def _text(anchor: str) -> str:
    return nb.flat(SOURCES[nb.unique_index(SOURCES, anchor)])


def _main_path() -> str:
    return "\n".join(SOURCES[: nb.unique_index(SOURCES, "## Summary")])


def test_item_1_the_answer_is_two_sentences_and_one_printed_table():
    summary = _text("## Summary")
    answer = summary[summary.index("**Answer to the question:**") :]
    assert "(printed)" not in answer and "93, 79 and 71 %" not in answer and "[45, 61]" not in answer
    assert (  # 23b: three bullets; the ambiguous "every block but the lowest" construction gone
        "under half through the MLPs in every block, except block 0 of the fresh MNIST ViTs (50-63 %)"
        in nb.flat(answer)
    )  # 22c: "through the MLPs" named, as the sentence before now speaks of every branch
    cells = nb.cells(LESSON)
    at = nb.unique_index(SOURCES, 'print("trained MNIST ViT, one checkpoint (4 blocks, D = 64), 256 validation')
    # 23c: the route table moved into section 5, after its prose and before the Summary
    assert at == nb.unique_index(SOURCES, "**Which branches above carried it?**") + 1
    assert at < nb.unique_index(SOURCES, "## Summary")
    printed = nb.printed(cells[at])
    assert "block | ||g_cut|| / ||g|| | MLP share | 3-run range" in printed  # 22c: all 256 at once, every column
    assert "    0 |              8 % |      96 % |     90..96 % |" in printed
    assert "    3 |             53 % |      54 % |     44..54 % |" in printed
    assert "93 % [89, 97]" in nb.all_printed(APPENDIX) and "53 % [45, 61]" in nb.all_printed(APPENDIX)  # 23b
    assert nb.hidden(cells[at + 1]) and "== [8, 23, 33, 53]" in SOURCES[at + 1]
    assert "(printed)" not in _main_path()  # the hidden checks guarantee the numbers


def test_item_1_cells_30_41_54_one_number_per_sentence():
    chart = nb.flat(
        APP_SOURCES[nb.unique_index(APP_SOURCES, "**Section 4's count, line by line.**")]
    )  # 24c: moved to appendix I
    assert "Measured, $dQ$ is 1.4 times that. The gap is not from non-uniform attention: the uniform formula" in chart
    section_5 = nb.flat(APP_SOURCES[nb.unique_index(APP_SOURCES, "In this one checkpoint the share is above 50 %")])
    assert "above 50 % in blocks 0-2. Block 3's interval contains 50 %." in section_5  # 23b: appendix D
    assert "ranges over blocks 0-3 (trained: one checkpoint)" not in section_5
    share = _text("**The MLP share**")
    assert "(printed)" not in share


def test_item_2_cell_0_gives_the_fresh_models_numbers():
    short = nb.flat(SOURCES[0].split("**The short answer.**")[1].split("**The lesson in five steps**")[0])
    # 22c: one line per model family: "all blocks but one" held for the MNIST ViTs only
    assert "37 %" not in short and "63 %" not in short
    printed = nb.all_printed(LESSON)  # 24c: the 512-digit bound and the 64-digit batch spread stay in section 5
    assert "one gradient over the same 512 digits each:" in printed and "block 0: 27 % (5 seeds: 12..40)" in printed
    assert "on 8 batches of 64 digits (one gradient each): 31..63 %" in printed
    assert "the share is a ratio of summed gradients and depends on the batch" in _text("**The MLP share**")
    answer = nb.flat(SOURCES[nb.unique_index(SOURCES, "**Answer to the question:**")])  # 24a: 50-63 % once, here
    assert "except block 0 of the fresh MNIST ViTs (50-63 %)" in answer and answer.count("50-63") == 1  # 24c
    check = SOURCES[nb.unique_index(SOURCES, "every_fresh_share = [")]
    assert "== (5, 63)" in check and "max(small_high) == 40" in check


def test_item_3_noci_is_the_published_form_and_the_reading_list_points_to_appendix_b():
    surprise = _text("The right panel holds a surprise")
    assert (
        'Noci et al. 2022 report a related effect: architectural hyperparameters "affect the gradients of queries and '
        'values differently, leading to disproportionate gradient norms" (appendix B).'
    ) in surprise
    reading = _text("**Further reading**")
    assert "(a related mechanism; appendix B)" in reading and "section 4)" not in reading
    appendix = "\n".join(nb.sources(nb.NOTEBOOKS / "05_where_gradients_flow_appendix.ipynb"))
    assert "cited in section 4" not in appendix


def test_item_4_momentum_wording():
    appendix = nb.sources(nb.NOTEBOOKS / "05_where_gradients_flow_appendix.ipynb")  # 22g: moved to appendix E
    update = nb.flat(appendix[nb.unique_index(appendix, "**The update in detail.**")])
    assert "with momentum (SGD, Adam, AdamW) also its earlier ones, and with weight decay its own value" in update
    assert "for Adam/AdamW also its earlier ones" not in update


def test_item_5_model_card_and_tables_name_their_model():
    card = SOURCES[nb.unique_index(SOURCES, "> **Two models.**")]
    assert "> | model | D | init | trained? | used in |" in card
    assert card.count("\n> | *") == 2
    printed = nb.all_printed(LESSON)
    for header in (
        "small model at init, gradient norm at h",
        "small model at init, blocks 0-3 qkv.weight gradient",
        "small model at init, cut: MLP share over 5 seeds",
        "trained MNIST ViT, one checkpoint (4 blocks, D = 64)",
    ):
        assert header in printed, header


def test_item_6_factor_chart_splits_sizes_and_ratios_to_d_o():
    from vit_explained.plotting.lesson05 import plot_factor_chain

    chain = {"K": 0.1, "V - Vbar": 0.06, "averaging": 2.8, "M": 1 / 459, "dQ / dO": 1 / 319, "dV / dO": 1 / 4.1}
    chain |= {"K - Kbar": 0.064, "averaging, centred": 1.7}  # 24c: the chart draws the centred keys
    chain |= {"dV / dQ": 78.0, "sums": 4.0, "dW_v / dW_q": 314.0}
    fig = plot_factor_chain(chain)
    sizes, ratios, _ = fig.axes
    assert sizes.get_ylabel() == "size of one entry (RMS)" and ratios.get_ylabel() == "ratio to dO (RMS per entry)"
    assert [t.get_text() for t in ratios.get_xticklabels()] == ["dQ / dO", "dV / dO"]
    assert "dQ / dO" not in [t.get_text() for t in sizes.get_xticklabels()]


def test_item_7_widget_legend_says_a_dot_in_a_ring_is_unchanged():
    from vit_explained.plotting.lesson05 import REFERENCE_LABEL

    assert "filled dot inside a ring = unchanged" in REFERENCE_LABEL


def test_item_8_comment_and_float32_note_when_returned_directly(capsys):
    from pathlib import Path

    from vit_explained.exercises import lesson05

    source = Path(lesson05.__file__).read_text()
    assert "# --- exercise 7: cut the skip routes" in source and "exercise 7: cut the MLP route" not in source

    def float32_direct(a, grad_a):
        a, grad_a = a.float(), grad_a.float()
        return a * (grad_a - (a * grad_a).sum(-1, keepdim=True))

    def float32_cast_back(a, grad_a):
        return float32_direct(a, grad_a).double()

    def float64(a, grad_a):
        return a * (grad_a - (a * grad_a).sum(-1, keepdim=True))

    note = "right to float32's precision"
    for answer, noted in ((float32_direct, True), (float32_cast_back, True), (float64, False)):
        lesson05.check_softmax_backward(answer)
        out = capsys.readouterr().out
        assert "Correct!" in out and (note in out) == noted, answer.__name__
    assert torch.get_default_dtype() == torch.float32


def _summary_block() -> str:  # 23d: cell 0's measures and numbers moved to the Summary, before the Answer
    sources = nb.sources(nb.NOTEBOOKS / "05_where_gradients_flow.ipynb")
    return sources[
        nb.unique_index(sources, "**Answer to the question:**")
    ]  # 24c: one Summary cell (24a: the Answer first)

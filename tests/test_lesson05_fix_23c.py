"""Lesson 05, fix 23c (review r23c_05): the route table (own-MLP 61 %, no branch 4 %) sits in section 5 with prose
naming which pre-hooks cut what and why the shares overlap; cell 51 says the widget's bars are appendix D's
per-batch mean; cell 6 names global-norm clipping and AMP's skipped step; patch queries get dQ from block 2 down;
the small-model table prints ||g_cut|| / ||g||; cell 0 leads with a plain answer; plainer measure wording."""

import re

from tests import _notebook as nb

LESSON = nb.NOTEBOOKS / "05_where_gradients_flow.ipynb"
CELLS, SOURCES = nb.cells(LESSON), nb.sources(LESSON)


def _flat(key):
    return nb.flat(SOURCES[nb.unique_index(SOURCES, key)])


def test_item_1_the_route_table_sits_in_section_5_with_its_prose():
    prose = nb.unique_index(SOURCES, "**Which branches above carried it?**")
    table = nb.unique_index(SOURCES, "routes = route_overlap(load_mnist_vit")
    summary = nb.unique_index(SOURCES, "## Summary")
    widget = nb.unique_index(SOURCES, "freezer = gradient_freeze_widget(")
    assert widget < prose and table == prose + 1 and nb.hidden(CELLS[table + 1]) and table + 2 == summary
    text = nb.flat(SOURCES[prose])
    assert "A pre-hook on `norm2` cuts an MLP route: every block's, or only its own (*own-MLP share*)." in text
    assert "One on `norm1` of every block above cuts their attention (*higher-attention share*)" in text
    assert "the shares overlap (seed 0's block 0: 96 % + 74 % > 100 %)" in text
    check = SOURCES[table + 1]
    assert "== [74, 42, 14, 0]" in check and "routes.mlp_share[0] + routes.attention_share[0] > 1.5" in check
    printed = nb.printed(CELLS[table])
    assert re.search(r"\n    0 \|\s+8 % \|\s+96 % \|.*\|\s+61 %\n", printed)
    assert re.search(r"\n    0 \|\s+74 % \|\s+4 %\n", printed)


def test_item_1_the_package_cuts_norm2_for_mlps_and_norm1_above_for_attention():
    import inspect

    from vit_explained import gradient_experiments as ge

    cuts = inspect.getsource(ge._qkv_gradients_with_cuts)
    assert "norm2.register_forward_pre_hook" in cuts and "norm1.register_forward_pre_hook" in cuts
    assert "above = range(b + 1, len(model.blocks))" in inspect.getsource(ge.route_overlap)


def test_item_3_the_widget_bars_are_the_per_batch_mean():
    text = _flat("**Fresh against trained copies of this architecture**")
    assert "Its bars are appendix D's mean over 8 batches; the table's is one gradient over all 256." in text
    check = SOURCES[nb.unique_index(SOURCES, "freezer = gradient_freeze_widget(") + 1]
    assert "zip(opening.qkv_share, batch_share)" in check


def test_item_4_the_update_sentence_names_the_coupled_steps():
    update = _flat("The **update** happens after backward")
    assert (  # 23d: and weight decay's own-value term
        "its own gradients and, with weight decay, its own value, unless you clip by the global norm or AMP skips "
        "the step (appendix E)." in update
    )
    assert "(momentum, weight decay, clipping, AMP: appendix E)" not in update


def test_item_7_patch_queries_get_dq_from_block_2_down():
    text = _flat("Lower down, the patch tokens")
    assert "from block 2 down, as queries too" in text and "further down" not in text
    check = SOURCES[nb.unique_index(SOURCES, "_, d_o_2 = catch_x_and_d_out(model, model.blocks[2].attn")]
    assert "d_o_2[:, :, 1:].abs().amax(dim=(0, 1, 3)) > 0).all()" in check


def test_item_6_the_small_model_table_prints_the_cut_length():
    at = nb.unique_index(SOURCES, "keeps = [(c.attn.qkv.weight.grad.norm()")
    printed = nb.printed(CELLS[at])
    assert "| cut: fc1 grad changed | ||g_cut|| / ||g||" in printed
    row_3 = "    3 |                True |                   -2%    21%    27%    -2% |                 False |"
    assert row_3 in printed
    assert re.search(r"\n    3 \|.*\|\s+108%\n", printed)
    assert nb.hidden(CELLS[at + 1]) and "== [86, 75, 86, 108]" in SOURCES[at + 1]


def test_item_2_cell_0_leads_with_a_plain_answer():
    short = nb.flat(SOURCES[0].split("**The short answer.**")[1].split("In numbers")[0])
    lead = "The qkv weights get their gradient **inside attention**, from its output's gradient"
    assert short.strip().startswith(lead)
    assert "In a trained four-block toy ViT, below the top block, most of it went through an MLP" in short  # 24a
    assert "- **Trained** (section 5's trained ViT), block 0" in _summary_block()  # 23d: moved; 24c: one list
    assert "1. The loss, at the head, is the only source; backward fills every `.grad`." in SOURCES[0]
    # the claim's printed support: blocks 0-2 keep under half after every MLP route is cut, share above half
    check = SOURCES[nb.unique_index(SOURCES, "cut_left = [round(100 * s)")]
    assert "assert cut_left == [8, 23, 33, 53]" in check and "[96, 82, 75, 54]" in check


def test_item_8_plainer_measure_words():
    cell_0 = nb.flat(SOURCES[0])
    moved = nb.flat(_summary_block())  # 23d: moved from cell 0
    assert "Two measures" not in moved  # 24c: the words are defined in section 5
    assert "what the MLP route *carries*" in _flat("**The MLP share** (the orange arrow above)")
    assert "norm ratio (cut over full)" not in cell_0
    share = _flat("**The MLP share** (the orange arrow above)")
    assert "It is the main line's measure" not in share
    assert "The tables below also give the length left after the cut" in share
    assert "96/82/75/54 %" in _flat("**Answer to the question:**")  # 24c: the numbers, not a pointer


def test_main_path_within_the_briefs_cap():
    main = nb.main_path(LESSON)
    words = nb.markdown_words(main)
    assert len(main) <= 40 and words <= 2445, (len(main), words)


def _summary_block() -> str:  # 23d: cell 0's measures and numbers moved to the Summary, before the Answer
    sources = nb.sources(nb.NOTEBOOKS / "05_where_gradients_flow.ipynb")
    return sources[
        nb.unique_index(sources, "**Answer to the question:**")
    ]  # 24c: one Summary cell (24a: the Answer first)

"""Lesson 03, review r23a: section 3 says what the 37 % depends on (three inits printed and asserted), section 4
and exercise 5's message state what appendix I measured for the backward pass, section 2's provenance lives in
appendix J, the training paragraph leads with a plain sentence, cell 33's and the batch_first bug's differences
are printed against the output's scale, footnote 4 sits on the variance, exercise 6 names the bias, and the
Summary's copy task says where it is."""

from __future__ import annotations

from tests import _notebook as nb
from vit_explained.exercises.lesson03 import check_attention_memory

LESSON = nb.NOTEBOOKS / "03_attention_shapes.ipynb"
APPENDIX = nb.NOTEBOOKS / "03_attention_shapes_appendix.ipynb"
SOLUTIONS = nb.NOTEBOOKS / "solutions" / "03_attention_shapes_solutions.ipynb"
CELLS = nb.cells(LESSON)
SOURCES = nb.sources(LESSON)
APPENDIX_SOURCES = nb.sources(APPENDIX)
SUMMARY = nb.unique_index(SOURCES, "## Summary")
BIAS = "A real checkpoint conversion must permute the $(3D,)$ `qkv` bias the same way."


def test_item_1_the_37_percent_is_scoped_to_unit_variance_with_three_inits_printed_and_asserted():
    # review r24b: the init rows and their check moved to appendix G; section 3 keeps the sentence
    code = nb.unique_index(APPENDIX_SOURCES, "init_shares = {init: [init_saturation(init, seed=seed)")
    printed = nb.printed(nb.cells(APPENDIX)[code])
    # review r23c: the three inits are rows of section 3's table, each with its seed range
    for init, share in (("xavier, per q/k/v", "36.2 %"), ("trunc_normal(.02)", "0.4 %"), ("torch default", "0.8 %")):
        assert f"saturated rows, init {init}".ljust(46) + f"  {share} (3 seeds: " in printed
    text = nb.flat(SOURCES[nb.unique_index(SOURCES, "The 37 % holds for unit-variance")])
    assert "The 37 % holds for unit-variance $q$ and $k$, as the original ViT's init gives" in text
    assert "36.2 %" in text and "`trunc_normal(.02)`, 0.4 %" in text and "PyTorch's default, 0.8 %" in text
    check = APPENDIX_SOURCES[code + 1]
    assert nb.hidden(nb.cells(APPENDIX)[code + 1]) and '"36.2%", "0.4%", "0.8%"' in check
    appendix = "\n".join(APPENDIX_SOURCES)
    assert "Section 3's init table" not in appendix and "**Per init and head width.**" in appendix
    assert "xavier, per q/k/v  ViT-B layer, d = 64: 36.2%" in nb.all_printed(APPENDIX)  # the same share there


def test_item_2_section_4_and_exercise_5_say_what_appendix_i_measured(capsys):
    text = nb.flat(SOURCES[nb.unique_index(SOURCES, "**Heads cost memory, not parameters:**")])
    assert "not measured" not in text
    assert "nor for the backward pass, where it saves $q$, $k$, $v$, the output and one logsumexp per row" in text
    check_attention_memory(
        lambda batch=8, num_tokens=577, heads=16, bytes_per_element=4: batch * heads * num_tokens**2 * bytes_per_element
    )
    message = capsys.readouterr().out
    assert "Correct!" in message and "not measured here" not in message
    assert "saves no (N, N) tensor for backward, only q, k, v, the output and one logsumexp per row" in message
    solutions = nb.all_printed(SOLUTIONS)
    assert "saves no (N, N) tensor for backward" in solutions and "recompute them instead" not in solutions
    appendix_i = nb.all_printed(APPENDIX)
    assert "fused: 9 saved tensors, with (N, N) = (197, 197) last: none" in appendix_i


def test_item_3_section_2_keeps_the_spellings_and_appendix_j_the_provenance():
    text = nb.flat(SOURCES[nb.unique_index(SOURCES, "## 2 · One computation, many spellings")])
    for gone in ("aa4b5850", "requirements.txt", "4.x", "transformer_block.py"):
        assert gone not in text, gone
    assert "stacked row-wise: queries, then keys, then values" in text and "**timm-style, T2T's vendored copy**" in text
    assert text.count("- **") == 3 and "#appendix-j" in text
    library = nb.flat(APPENDIX_SOURCES[nb.unique_index(APPENDIX_SOURCES, "## J · In the libraries")])
    for kept in ("`aa4b5850`", "(`requirements.txt`)", "`q_proj`", "4.x", "_upstream/t2t_vit/transformer_block.py"):
        assert kept in library, kept


def test_item_5_the_training_paragraph_leads_with_a_plain_sentence():
    text = nb.flat(SOURCES[nb.unique_index(SOURCES, "**In training.** `benchmarks/bench_lesson03_scale.py` trained")])
    plain = "Without the scale, one head of $d = 64$ trained worse"  # review r24c: one verdict per width
    first, one_head = text.index(plain), text.index("7.4 points less accuracy")
    assert first < one_head < text.index("95 % interval 4.4 to 10.4")
    four = "four heads of $d = 16$ showed no detectable difference"
    assert text.index("95 % interval 4.4 to 10.4") < text.index(four)


def test_item_9_differences_are_printed_against_the_outputs_scale():
    code = nb.unique_index(SOURCES, "shuffled_with_positions = max_difference(")
    # review r24b: against the outputs compared (with positions), not the output without them
    assert "of those outputs' max |value| 0.219" in nb.printed(CELLS[code])  # 3 significant digits (review r23c)
    assert nb.hidden(CELLS[code + 1]) and "0.5 < shuffled_with_positions / positions_max < 1" in SOURCES[code + 1]
    code = nb.unique_index(SOURCES, "mha_default = to_multihead(attn, batch_first=False)")
    assert "max |value|: 1.10 vs the correct 0.15" in nb.printed(CELLS[code])
    check = nb.unique_index(SOURCES, "assert wrong_weights.shape == (N, B, B)")
    assert nb.hidden(CELLS[check]) and "> 5 * output_max" in SOURCES[check]


def test_item_10_footnote_4_is_on_the_variance():
    text = nb.flat(SOURCES[nb.unique_index(SOURCES, "**What the scale buys:**")])
    assert "(footnote 4)" not in text
    assert "large dot products (variance $d_k$ for unit-variance components, their footnote 4) push the softmax" in text


def test_item_7_exercise_6_names_the_bias_in_lesson_and_solutions():
    for path in (LESSON, SOLUTIONS):
        sources = nb.sources(path)
        assert BIAS in nb.flat(sources[nb.unique_index(sources, "### Exercise 6 · Convert a fused qkv weight")]), path


def test_item_6_the_summary_says_where_the_copy_task_is():
    summary = nb.flat(SOURCES[SUMMARY])
    assert "(copy task, Going further)" not in summary and "(the copy task in Going further below)" in summary


def test_the_main_path_did_not_grow():
    main = nb.main_path(LESSON)
    assert len(main) <= 50 and nb.markdown_words(main) <= 2498, (len(main), nb.markdown_words(main))


def test_items_11_the_widget_docstring_names_the_layout_explorer_and_no_fill_is_red():
    from matplotlib.colors import to_hex

    from vit_explained.plotting.lesson03 import HEAD_SPLITS, plot_head_splits, qkv_sources, split_heads_as
    from vit_explained.widgets import lesson03 as widget_module

    doc = widget_module.__doc__
    assert doc.startswith("Lesson 03's widgets.") and ":class:`HeadLayoutWidget` is the lesson's layout explorer" in doc
    for heads in (1, 2, 3):
        fig = plot_head_splits(split_heads_as(qkv_sources(3, 4 * heads, heads), heads, HEAD_SPLITS[0]), "t")
        fills = {to_hex(p.get_facecolor(), keep_alpha=False) for ax in fig.axes for p in ax.patches}
        assert "#d62728" not in fills and len(fills) == 3 * heads  # red marks only the damage

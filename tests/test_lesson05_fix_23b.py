"""Lesson 05, fix 23b (review r23a): cell 0 defines keeps and carries before its numbers and names the scope limit;
section 5 keeps one share (all 256 digits in one gradient) plus ||g_cut|| / ||g||, the per-batch t interval and the
row-by-row table live in appendix D; the Answer is three bullets; the q/k-gap scopes are separated; no 1/std^2
scaling claim without a sweep; the share's sign conditions; narrower print-outs."""

from tests import _notebook as nb

LESSON = nb.NOTEBOOKS / "05_where_gradients_flow.ipynb"
APPENDIX = nb.NOTEBOOKS / "05_where_gradients_flow_appendix.ipynb"
CELLS, SOURCES = nb.cells(LESSON), nb.sources(LESSON)
APP_CELLS, APP_SOURCES = nb.cells(APPENDIX), nb.sources(APPENDIX)


def _flat(key, sources=SOURCES):
    return nb.flat(sources[nb.unique_index(sources, key)])


def test_main_path_does_not_grow():
    main = nb.main_path(LESSON)
    words = nb.markdown_words(main)
    assert len(main) <= 40 and words <= 2445, (len(main), words)  # 23c brief: the route table moved into section 5


def test_item_1_cell_0_defines_the_measures_before_the_numbers():
    defined = nb.unique_index(SOURCES, "what the cut gradient *keeps*")  # 24c: defined in section 5, before the numbers
    assert defined < nb.unique_index(SOURCES, "share_0 = ((g - g_cut) * g)") and "carries 61 %" in _summary_block()
    assert "keeps 8 % of its gradient" in SOURCES[nb.unique_index(SOURCES, "**Answer to the question:**")]  # 24a


def test_item_1_section_5_keeps_one_share_and_the_cut_size():
    at = nb.unique_index(SOURCES, "replicas = [trained_cut.qkv_share] + [")
    printed = nb.printed(CELLS[at])
    assert "block   trained, seed 0   3 trained runs   3 fresh seeds   ||g_cut|| / ||g||" in printed
    assert "t interval" not in printed and "8 batches" not in printed
    assert nb.hidden(CELLS[at + 1]) and "[96, 82, 75, 54]" in SOURCES[at + 1]
    assert "batch_share = [t_interval(" not in "".join(SOURCES[: nb.unique_index(SOURCES, "## Summary")])
    assert "qkv_row_share_per_chunk" not in "".join(SOURCES)
    section_5 = _flat("This model's q/k gap is not section 3's")
    assert "Appendix D: the mean over 8 batches of 32 with its t interval, and the q, k and v rows apart." in section_5
    assert "**For $W_q$ itself**" not in section_5


def test_item_1_appendix_d_holds_the_moved_tables_and_their_checks():
    d = nb.unique_index(APP_SOURCES, "### D · A second measure")
    e = nb.unique_index(APP_SOURCES, "### E · Optimizers")
    table = nb.unique_index(APP_SOURCES, "batch_share = [t_interval([100 * s for s in per_batch]) for per_batch in")
    rows = nb.unique_index(APP_SOURCES, "for per_batch in trained_cut.qkv_row_share_per_chunk]")
    assert d < table < rows < e
    assert "93 % [89, 97]" in nb.printed(APP_CELLS[table]) and nb.hidden(APP_CELLS[table + 1])
    assert "block 3: q rows 50 % [43, 57]" in nb.printed(APP_CELLS[rows]) and nb.hidden(APP_CELLS[rows + 1])


def test_item_2_the_answer_is_three_bullets():
    summary = SOURCES[nb.unique_index(SOURCES, "**Answer to the question:**")]
    answer = summary[summary.index("**Answer to the question:**") :]
    bullets = [line for line in answer.splitlines() if line.startswith("- ")]
    heads = ["One loss", "By hand:", "Cut", "Trained", "Fresh, 4 blocks, MLP 2D:"]  # 24c: one Summary, five bullets
    assert [b.split("**")[1] for b in bullets] == heads and "**Not measured:**" in answer
    assert "in every block but the lowest" not in answer
    assert "except block 0 of the fresh MNIST ViTs (50-63 %)" in nb.flat(answer)


def test_item_3_the_q_k_gap_scopes_are_apart():
    section_5 = _flat("This model's q/k gap is not section 3's")
    said = "at PyTorch's init, 8 to 83 (3 fresh seeds, blocks 0-3); trained, 1.7 to 2.8 (the one shipped checkpoint"
    assert said in section_5
    checks = "".join(APP_SOURCES)
    assert "(round(min(every_seed)), round(max(every_seed))) == (8, 83)" in checks
    assert '(round(min(ratios["trained"]), 1), round(max(ratios["trained"]), 1)) == (1.7, 2.8)' in checks


def test_item_4_cell_0_names_the_scope_limit():
    short = SOURCES[0].split("**The short answer.**")[1].split("**The lesson in five steps**")[0]
    assert "Its own block's MLP route carries 61 % (seed 0, the shipped model)." in nb.flat(_summary_block())  # 23d
    assert "**Not measured:** trained models of a\n  standard shape" in _summary_block()  # 24c: the scope limit
    assert "61 %" not in short


def test_item_5_no_std_scaling_claim_in_the_main_path():
    chart = _flat("Read the chart left to right")
    assert "scales roughly" not in chart and "1/\\text{std}^2" not in chart
    assert "Appendix B tests the count by scaling block 0's qkv rows ten times." in chart


def test_item_6_sign_conditions_match_the_definition():
    text = _flat("**The MLP share** (the orange arrow above)")
    assert "negative when the MLP-route part points against $g$, and above 100 % when $g_\\text{cut}$ does." in text


def test_item_7_narrow_print_outs():
    at = nb.unique_index(SOURCES, "chain = qk_factor_chain(model, images, labels)")
    lines = nb.printed(CELLS[at]).strip().splitlines()
    assert len(lines) == 3 and all(len(line) <= 110 for line in lines)  # 24c: 0.82 and 3.4 to appendix I; ablation
    after = nb.unique_index(SOURCES, "routes = route_overlap(")
    lines = nb.printed(CELLS[after]).strip().splitlines()
    assert all(len(line) <= 90 for line in lines), max(lines, key=len)
    assert "block | ||g_cut|| / ||g|| | MLP share | 3-run range | own-MLP share" in lines
    assert "block | higher-attention share | no branch: ||g_kept|| / ||g||" in lines


def _summary_block() -> str:  # 23d: cell 0's measures and numbers moved to the Summary, before the Answer
    sources = nb.sources(nb.NOTEBOOKS / "05_where_gradients_flow.ipynb")
    return sources[
        nb.unique_index(sources, "**Answer to the question:**")
    ]  # 24c: one Summary cell (24a: the Answer first)

"""Lesson 08, review r24b_08: section 11 says min fusion deletes detectably slower; section 9's verdict opens with a
table of the rule's words (3-draw mean, the draws that differ); the Summary is one line per section; section 8 names
"the first 200 test digits (reused in section 10)"; section 3's key rate and section 7's chance share have two names
and no check asserts that they coincide; section 5 is three cells (the 16 maps, the 500-digit rate, the key-column
grid), each with a lead-in and its own check; section 12 is one cell; the main path does not grow."""

from __future__ import annotations

import re

from tests import _notebook as nb

LESSON = nb.NOTEBOOKS / "08_attention_maps.ipynb"
APPENDIX = nb.NOTEBOOKS / "08_attention_maps_appendix.ipynb"
SOURCES = nb.sources(LESSON)
CELLS = nb.cells(LESSON)


def _at(text: str, path=LESSON) -> int:
    return nb.unique_index(nb.sources(path), text)


def test_item_3_min_fusion_slower_in_the_prose():
    text = nb.flat(SOURCES[_at("## 11 · jacobgil/vit-explain's knobs")])
    assert "min fusion deletes detectably slower, +0.111 [+0.076, +0.149] at 98.3 %" in text
    printed = nb.printed(CELLS[_at("knob_family = am.compare_maps(")])
    assert "a family of 3 at 98.3 %" in printed and "min fusion +0.111 [+0.076, +0.149]" in printed
    check = SOURCES[_at("knob_family = am.compare_maps(") + 1]
    assert 'knob_family["min"].difference.low > 0' in check
    knobs = next(line for line in SOURCES[_at("## Summary")].splitlines() if line.startswith("- **11 · Knobs**"))
    assert "min fusion deletes detectably slower" in knobs


def test_item_2_verdict_opens_with_the_rule_table():
    verdict = SOURCES[_at("**Verdict** (ρ over 32 digits")]
    lines = verdict.splitlines()
    assert lines[0].startswith("**Verdict** (ρ over 32 digits") and lines[1].startswith("<table>")
    rows = re.findall(r"<tr><td>([^<]+)</td><td>([^<]+)</td><td>([^<]+)</td></tr>", verdict)
    assert [r[0] for r in rows] == ["classifier", "+ block 3", "+ blocks 2-3", "+ blocks 1-3"]
    # the table's words are the printed ones: the 3-draw mean's word, and the draws that differ from it
    out = nb.printed(CELLS[_at("verdicts = am.rule_verdicts(")])
    draws = [line.split("each draw alone")[1].strip() for line in out.splitlines() if "each draw alone" in line]
    assert len(draws) == 4
    for (_, rollout, weighted), printed in zip(rows, draws, strict=True):
        printed_rollout, printed_weighted = (p.strip() for p in printed.split(" / "))
        for cell, words in ((rollout, printed_rollout), (weighted, printed_weighted)):
            word = cell.split(" (")[0]
            per_draw = [word] * 3 if words.endswith("x3") else [w.strip() for w in words.split(",")]
            if words.endswith("x3"):
                assert words == f"{word} x3" and "(" not in cell
            else:
                differ = [i + 1 for i, w in enumerate(per_draw) if w != word]
                assert len(differ) == 1 or differ == list(range(differ[0], differ[-1] + 1))
                named = f"draw {differ[0]}" if len(differ) == 1 else f"draws {differ[0]}-{differ[-1]}"
                assert cell == f"{word} ({named}: {per_draw[differ[0] - 1]})", (cell, words)
    assert [r[2].split(" (")[0] for r in rows] == ["not moved", "not moved", "undecided", "moved"]
    check = SOURCES[_at("verdicts = am.rule_verdicts(") + 1]  # the 3-draw mean's words, asserted
    assert 'on_mean == ["not moved"] * 2 + ["undecided", "moved"]' in check
    assert "|" not in verdict  # the numbers stay in the printed output and appendix I


def test_item_2_summary_is_one_line_per_section():
    summary = SOURCES[_at("## Summary")]
    body = [line for line in summary.splitlines()[1:] if line.strip()]
    bullets = [line for line in body if line.startswith("- **")]
    assert len(body) == len(bullets) + 1  # the one-checkpoint line, then one line per bullet: no continuations
    heads = [re.match(r"- \*\*([0-9-]+) ·", b) for b in bullets]
    numbers = [h.group(1) for h in heads if h]
    assert len(numbers) == len(set(numbers)), numbers  # one bullet per section (no second section-9 line)
    assert "- **9 · Per draw**" not in summary and len(summary.split()) <= 420  # before: 517 words


def test_item_6_first_200_test_digits():
    text = nb.flat(SOURCES[_at("often the gradient-weighted map's top patch is **not inked**")])
    assert "on the first 200 test digits (reused in section 10)" in text
    assert "section 10's 200 test" not in nb.flat(nb.all_text(LESSON))


def test_item_7_two_rates_two_names_no_coincidence_asserted():
    text = nb.flat(SOURCES[_at("The 6 is a favourable case")])
    assert "(**chance rate for a random key** among the 50, class token included: 33.0 %)" in text  # 24d
    assert "the chance share of a random patch among the 49" in nb.flat(SOURCES[_at("## 7 · Does the attention")])
    lesson = nb.all_text(LESSON)
    assert "key chance" not in lesson and "abs(chance_key - chance)" not in lesson


def test_item_1_section_5_in_three_cells_with_lead_ins():
    start, end = _at("## 5 · Where the class token looks"), _at("## 6 · Attention rollout")
    cells = CELLS[start:end]
    visible_code = [i for i, c in enumerate(cells) if c["cell_type"] == "code" and not nb.hidden(c)]
    assert len(visible_code) == 3
    a, b, c = (nb.source(cells[i]) for i in visible_code)
    assert "am.top_patch_table(" in a and "plot_class_token_heads(" in a and "stored_top_weights" not in a
    assert "am.stored_top_weights()" in b and "second_500" in b and "plot_key_column_grid" not in b
    assert "plot_key_column_grid(" in c and "fixed_heads" in c and "top_500" not in c
    for i in visible_code:
        assert cells[i - 1]["cell_type"] == "markdown" and nb.hidden(cells[i + 1])  # a lead-in; a check after it
    assert "(len(second_500), int(second_500.sum())) == (1477, 819)" in nb.source(cells[visible_code[1] + 1])
    assert "int(key_counts[0, 3]) == 126" in nb.source(cells[visible_code[2] + 1])
    assert "above_blank, len(weights_inked)" in nb.source(cells[visible_code[0] + 1])
    assert "fixed-key: block 0, head 3: patch (4, 1) is its top key on 126 of 200" in nb.printed(cells[visible_code[2]])
    assert "a second patch above 5/49 too: 819 (55.5 %)" in nb.printed(cells[visible_code[1]])
    assert "15 of 16" in nb.printed(cells[visible_code[0]])


def test_item_5_section_12_one_cell_numbers_in_appendix_k():
    twelve = _at("## 12 · One map per class")
    assert SOURCES[twelve + 3].startswith("## 13 · Explore")  # 24f: the printed cosines and their check in between
    # 24f (brief item 2 asks section 12 to print the reference): only section 12's one cell computes it
    assert nb.all_text(LESSON).count("closest_call_neighbour_cosines") == 1
    assert "am.closest_call_neighbour_cosines(" in SOURCES[twelve + 1]
    text = nb.flat(SOURCES[twelve])
    assert "cosine 0.19" in text and "#appendix-k" in text
    out = nb.printed(nb.cells(APPENDIX)[_at("same_100 = am.closest_call_neighbour_cosines(", APPENDIX)])
    assert "runner-up - next digit: -0.033, 95 % interval [-0.067, +0.001]: no detectable difference" in out


def test_main_path_does_not_grow():
    main = nb.main_path(LESSON)
    assert len(main) <= 53 and nb.markdown_words(main) <= 3542


def test_item_4_value_weighted_norm_helper_matches_the_block():
    import torch

    from vit_explained import attention_maps as am
    from vit_explained.data import load_mnist
    from vit_explained.pretrained import load_mnist_vit
    from vit_explained.vit import add_class_token

    model, images = load_mnist_vit(), load_mnist().test_images[:3]
    alpha, value, weighted = am.value_weighted_key_norms(model, images, 1, 2)
    assert alpha.shape == value.shape == weighted.shape == (3, 50)
    with torch.no_grad():
        stream = add_class_token(model.patch_embedding(images), model.class_token, model.pos_embedding)
        tokens = model.blocks[1].norm1(model.blocks[0](stream))
        attn = model.blocks[1].attn
        out, weights = attn(tokens, return_attention=True)
        v = attn.project_qkv(tokens)[2]
        d = attn.head_dim
        f = [v[:, h] @ attn.proj.weight[:, h * d : (h + 1) * d].T for h in range(attn.heads)]  # (B, N, inner) each
        assert torch.allclose(sum(weights[:, h] @ f[h] for h in range(attn.heads)) + attn.proj.bias, out, atol=1e-5)
        by_hand = (weights[:, 2, :, :, None] * f[2][:, None]).norm(dim=-1).mean(1)  # the norm of alpha_ij f(x_j)
    assert torch.allclose(alpha, weights[:, 2].mean(1), atol=1e-6)
    assert torch.allclose(value, f[2].norm(dim=-1), atol=1e-5)
    assert torch.allclose(weighted, by_hand, atol=1e-5)


def test_item_4_kobayashi_probe_in_appendix_d_and_its_pointer():
    appendix = nb.sources(APPENDIX)
    d, e = _at('<a id="appendix-d"></a>', APPENDIX), _at('<a id="appendix-e"></a>', APPENDIX)
    at = _at("am.value_weighted_key_norms(", APPENDIX)
    assert d < at < e and nb.hidden(nb.cells(APPENDIX)[at + 1])
    out = nb.printed(nb.cells(APPENDIX)[at])
    assert "key 30, patch (4, 1): weight / the other keys' mean: 8.72, 95 % interval" in out
    assert "key 30, patch (4, 1): value norm / the other keys' mean: 1.49, 95 % interval" in out
    assert "key 30, patch (4, 1): weighted norm / the other keys' mean: 10.88, 95 % interval" in out
    assert "[8.72, 1.49, 10.88]" in appendix[at + 1] and "torch.allclose(summed, out0" in appendix[at + 1]
    reading = nb.flat(appendix[at + 2])
    assert "it is not a heavily weighted key with a small value" in reading
    pointer = nb.flat(SOURCES[_at("- **Key columns** (the grid")])
    # 24d: the main path points to appendix D's printed 10.88 and 8.72 without quoting them
    assert "key (4, 1)'s value-weighted norm (Kobayashi et al. 2020) is compared with the other keys'" in pointer

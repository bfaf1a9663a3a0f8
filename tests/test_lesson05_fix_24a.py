"""Lesson 05, review r23f_05 (fix round 24a): order, the split chart paragraph, the ending, the widget's title."""

import re

import torch

from tests import _notebook as nb

LESSON = nb.NOTEBOOKS / "05_where_gradients_flow.ipynb"
APPENDIX = nb.NOTEBOOKS / "05_where_gradients_flow_appendix.ipynb"
SOURCES, CELLS = nb.sources(LESSON), nb.cells(LESSON)


def _ending() -> tuple[str, str]:
    at = nb.unique_index(SOURCES, "**Answer to the question:**")
    answer, bullets = SOURCES[at].split("\n\n- ", 1)  # 24c: one Summary cell
    return answer, "- " + bullets


def test_item_1_the_token_table_comes_before_the_factor_chain():
    tokens = nb.unique_index(SOURCES, "**Which tokens carry it?**")
    assert nb.unique_index(SOURCES, "**1. The weighted sum**") + 1 == tokens
    assert "token_gradient_norms(model, images, labels)" in SOURCES[tokens + 1] and nb.hidden(CELLS[tokens + 2])
    assert "patch_norm[3] == 0.0" in SOURCES[tokens + 2]
    assert SOURCES[tokens + 3].startswith("In block 3, $\\partial L/\\partial h$ is exactly 0 on every patch token")
    assert tokens + 4 == nb.unique_index(SOURCES, "**What this says about the question.**")
    assert tokens < nb.unique_index(SOURCES, "chain = qk_factor_chain(")


def test_item_2_the_chart_paragraph_is_three_and_its_numbers_are_printed_visibly():
    chart = SOURCES[nb.unique_index(SOURCES, "Read the chart left to right")].split("`attention_backward` implements")[
        0
    ]
    paragraphs = [p for p in chart.strip().split("\n\n") if p.strip()]
    assert [p.split()[0] for p in paragraphs] == ["Read", "$dV$", "The"], paragraphs
    assert "$dQ_i = s\\,dO_i M^\\top$" in paragraphs[0] and "1/\\sqrt{17}" in paragraphs[1]
    assert paragraphs[2].startswith("The sums in $dW")
    app_sources, app_cells = nb.sources(APPENDIX), nb.cells(APPENDIX)  # 24c: the sums' estimate moved to appendix I
    at = nb.unique_index(app_sources, "# section 4's count on block 0, line by line")
    printed = nb.printed(app_cells[at])
    assert "||mean X|| / rms ||X_j|| = 0.82" in printed and "sqrt(17) x that = 3.4 of the sums' 4.0" in printed
    assert not nb.hidden(app_cells[at]) and nb.hidden(app_cells[at + 1]) and nb.printed(app_cells[at + 1]).strip() == ""
    assert "print(" not in app_sources[at + 1]


def test_item_7_the_sums_are_an_estimate_not_a_mechanism_shown():
    chart = nb.flat(SOURCES[nb.unique_index(SOURCES, "Read the chart left to right")])
    assert "adds up coherently" not in chart and "most of it because" not in chart
    app_sources = nb.sources(APPENDIX)
    moved = nb.flat(
        app_sources[nb.unique_index(app_sources, "**Section 4's count, line by line.**")]
    )  # 24c: moved to appendix I
    assert "an estimate from that mean" in moved and "accounts for most of the factor" in moved


def test_items_3_and_4_the_answer_first_and_each_number_once():
    answer, bullets = _ending()
    assert answer.startswith("## Summary\n\n**Answer to the question:**")
    assert "**Two measures:**" not in bullets and "**Two measures:**" not in answer  # 24c
    assert bullets.startswith("- **One loss**")
    both = nb.flat(answer + "\n" + bullets)
    for number in ("8 %", "4 %", "61 %", "50-63 %", "84-89 %", "90..96 %"):  # 24c: 40 and 31-63 % in section 5
        assert len(re.findall(r"(?<![\d.\-])" + re.escape(number), both)) == 1, number
    assert "one 64-digit batch" not in both and "(8 batches)" not in both
    assert "31-63 %" not in both and "at most 40 %" not in both  # 24c: the batch-dependent numbers stay in section 5
    assert "the share is a ratio of summed gradients and depends on the batch" in nb.flat("\n".join(SOURCES))
    assert len([line for line in bullets.splitlines() if line.startswith("- ")]) == 5


def test_item_4_a_share_over_several_batches_is_a_ratio_of_summed_gradients():
    from vit_explained.data import load_digits
    from vit_explained.gradient_experiments import small_digit_vit
    from vit_explained.gradient_hooks import mlp_route_cut

    digits = load_digits()
    images, labels = digits.train_images[:32], digits.train_labels[:32]
    torch.set_num_threads(1)
    whole = mlp_route_cut(lambda: small_digit_vit(0, fused=True), images, labels, chunk=16)  # one summed gradient
    per_batch = whole.qkv_share_per_chunk[0]  # block 0, one share per 16-digit batch
    alone = [
        mlp_route_cut(lambda: small_digit_vit(0, fused=True), images[i : i + 16], labels[i : i + 16]) for i in (0, 16)
    ]
    assert [round(a.qkv_share[0], 6) for a in alone] == [round(s, 6) for s in per_batch]  # the same per-batch shares
    assert abs(whole.qkv_share[0] - sum(per_batch) / 2) > 1e-3  # the summed gradient's share is not their mean


def test_item_5_the_widget_title_names_the_mean_of_per_batch_shares():
    from vit_explained.widgets.lesson05 import gradient_freeze_widget

    trained = gradient_freeze_widget(experiment="freeze and cut, side by side", model="trained MNIST ViT")
    _, figure = trained.compute(**trained.values)
    assert figure.axes[1].get_title().endswith("\nmean of 8 per-batch shares")
    small = gradient_freeze_widget(experiment="freeze and cut, side by side")
    _, figure = small.compute(**small.values)
    assert "per-batch" not in figure.axes[1].get_title()  # the small model: one batch, one gradient


def test_item_6_cell_0_is_two_short_sentences_with_the_scope():
    short = nb.flat(SOURCES[0].split("**The short answer.**")[1].split("**The lesson in five steps**")[0])
    assert short.count(". ") + short.endswith(".") == 2 and not any(ch.isdigit() for ch in short)
    assert "In a trained four-block toy ViT, below the top block" in short


def test_main_path_within_the_round_24a_cap():
    main = nb.main_path(LESSON)
    assert len(main) <= 40 and nb.markdown_words(main) <= 2396, (len(main), nb.markdown_words(main))

"""Lesson 04, fix round 21a: a shorter main path, 6b's arms defined before the plot, an attention-branch baseline."""

from __future__ import annotations

import re

from tests import _notebook as nb

LESSON = nb.NOTEBOOKS / "04_gelu_mlp_and_block.ipynb"
APPENDIX = nb.NOTEBOOKS / "04_gelu_mlp_and_block_appendix.ipynb"


def _main_path() -> list[dict]:
    visible = [c for c in nb.cells(LESSON) if not nb.hidden(c)]
    summary = next(i for i, c in enumerate(visible) if nb.source(c).startswith("## Summary"))
    return visible[:summary]


def test_main_path_is_at_most_56_visible_cells_and_2800_words() -> None:
    main = _main_path()
    words = sum(len(nb.source(c).split()) for c in main if c["cell_type"] == "markdown")
    assert len(main) <= 56, len(main)
    assert words <= 2800, words


def test_the_arms_are_defined_in_a_table_before_the_plot() -> None:
    sources = nb.sources(LESSON)
    plot = nb.unique_index(sources, "fig = plot_final_norm_ablation(")
    table = sources[plot - 1]
    assert "**6b · What makes pre-norm's fall?**" in table
    # 24d (r24c_04 item 3): one sentence per arm instead of a table: each printed arm named in bold, with "if flat"
    assert "| arm |" not in table and table.count("if flat") == 3
    arms = [name.strip() for name in re.findall(r"\*\*([^*]+)\*\*", table.split("the arms below test this")[1])]
    arms = [arm[0].lower() + arm[1:] if arm.startswith("No ") else arm for arm in arms]
    # 24b (r24a_04): the table lists exactly the four arms section 6b prints; RMS and the detached arms moved, with
    # their rows, to appendix A
    assert arms == ["final LayerNorm", "no final step", "/ 1.33", "/ 1.33 after centring"]
    app_sources = nb.sources(APPENDIX)
    moved = app_sources[nb.unique_index(app_sources, "**Section 6b's other arms** (moved from the lesson)")]
    moved_rows = [line for line in moved.splitlines() if line.startswith("| ")]
    assert [row.split("|")[1].strip() for row in moved_rows[1:3]] == ["RMS, no centring", "LayerNorm, σ detached"]
    assert "no backward through $\\sigma$" in moved_rows[2]  # the forward pass kept, only the backward path removed
    printed = nb.all_printed(APPENDIX)  # 21i: the pooled intervals live in appendix A; section 6b prints per seed
    assert "LayerNorm, σ detached  L^-0.468 [-0.552, -0.384]" in printed  # the quoted slope (21c: 3 decimals)
    answer = nb.flat(app_sources[nb.unique_index(app_sources, "**Section 6b's other arms, answered.**")])  # 24b: moved
    assert "(nor" not in answer and "neither centring nor the backward path through $\\sigma$ is needed" in answer


def test_attention_branch_knockout_is_the_baseline_and_said_to_be_no_yardstick() -> None:
    cells, sources = nb.cells(LESSON), nb.sources(LESSON)
    at = nb.unique_index(sources, "knockout = stored_mlp_knockout()")
    printed = nb.printed(cells[at])
    assert "every attention branch silenced: 10.0 %, 95 % interval [8.3, 12.0] % (n = 1000)" in printed
    assert "(n = 1000); classes it predicts: [8]" in printed
    assert nb.hidden(cells[at + 1]) and "no_attention_guess.unique().tolist() == [8]" in nb.source(cells[at + 1])
    prose = nb.flat(sources[at + 2])
    assert "the model predicts 8 for every digit (10.0 %)" in prose and "no yardstick" in prose


def test_moved_controls_live_in_the_appendix_with_their_checks() -> None:
    lesson, appendix = "\n".join(nb.sources(LESSON)), nb.sources(APPENDIX)
    cells = nb.cells(APPENDIX)
    moved_cells = ("def fc2_gradient(", "logits_tanh = logits_with_activation(", "04_layer_norm_geometry")
    for moved in moved_cells:
        assert moved not in lesson, moved
        at = nb.unique_index(appendix, moved)
        assert nb.hidden(cells[at + 1]), moved
    welch = nb.unique_index(appendix, "report = depth_report(designs, {})")
    assert "post-norm - pre-norm slope: +0.45 [+0.30, +0.60]" in nb.printed(cells[welch])
    assert "Welch" not in re.sub(r"<details>.*?</details>", "", lesson, flags=re.S)

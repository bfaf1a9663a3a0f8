"""Lesson 04, fix 19b (review r19a_04): the one-token gates in three classes with the share of |GELU| each sends to
fc2; section 6 reordered (the probe's code after the three questions, the Adam aside concluded); why -0.5 is a
coincidence said in the main lesson; the constant 1.33, the by-hand slope, "Why an MLP at all?", the dropout and
eval() demonstrations and the Block listing moved to the appendix with their checks; the ReLU swap called a
perturbation; post-norm's collapse step measured; the block diagram says each branch reads a normalised copy."""

from __future__ import annotations

import matplotlib.pyplot as plt
import torch

from tests import _notebook as nb
from vit_explained.plotting.lesson04 import _DIAGRAM_TEXT, collapse_steps, gate_classes, plot_one_token_gates

LESSON = nb.NOTEBOOKS / "04_gelu_mlp_and_block.ipynb"
APPENDIX = nb.NOTEBOOKS / "04_gelu_mlp_and_block_appendix.ipynb"


def test_one_token_gates_in_three_classes_with_their_share_of_gelu() -> None:
    cells = nb.cells(LESSON)
    at = nb.unique_index(nb.sources(LESSON), "first_digit = digits.test_images[:1]")
    printed = nb.printed(cells[at])
    assert "gate > 1/2  :  27 units, 53 % of the |GELU| that reaches fc2" in printed  # fix 19c: named by the gate
    assert "gate 0.1-1/2:  64 units, 38 % of the |GELU| that reaches fc2" in printed
    assert "gate < 0.1  :  37 units, 9 % of the |GELU| that reaches fc2" in printed
    check = nb.source(cells[at + 1])
    assert nb.hidden(cells[at + 1]) and "[53, 38, 9]" in check
    assert '{"gate > 1/2": 27, "gate 0.1-1/2": 64, "gate < 0.1": 37}' in check
    prose = nb.flat(nb.source(cells[at - 1]))
    assert "all but switches it off" not in prose  # fix 19c: at Phi = 0.1 GELU is still -0.128
    assert "The classes follow the gate, not the size of the output" in prose and "below one half" in prose


def test_gate_classes_split_by_phi_and_the_figure_draws_three() -> None:
    z = torch.tensor([-3.0, -1.0, -0.2, 0.0, 0.5, 2.0], dtype=torch.float64)
    classes = gate_classes(z)
    assert [int(mask.sum()) for mask, _ in classes.values()] == [2, 3, 1]  # Phi: >1/2 | 0.1..1/2 | <0.1
    assert abs(sum(share for _, share in classes.values()) - 1) < 1e-12
    fig = plot_one_token_gates(z)
    labels = [text.get_text() for text in fig.axes[0].get_legend().get_texts()]
    assert any(label.startswith("Phi(z) 0.1-1/2") for label in labels) and not any("off" in label for label in labels)
    assert len(fig.axes[0].collections) == 3
    plt.close(fig)


def test_section_six_probe_after_questions_and_adam_aside_concluded() -> None:
    cells = nb.cells(LESSON)
    start = nb.unique_index(nb.sources(LESSON), "## 6 · Where the norm sits")
    assert nb.unique_index(nb.sources(LESSON), "**6c · And in training?**") > start  # 20e: 6a-6c (22i: headings)
    # fix 19c: the picture first, then the probe's code; the Adam aside in appendix F
    assert nb.source(cells[start + 1]).startswith("depths, seeds = (2, 4, 8, 16)")  # 21a: 6a's intro merged
    assert nb.unique_index(nb.sources(APPENDIX), "def fc2_gradient(") > 0  # 21a: the probe in appendix A
    appendix = nb.cells(APPENDIX)
    adam = nb.unique_index(nb.sources(APPENDIX), "grads = torch.randn(5, 4")
    assert nb.hidden(appendix[adam + 1]) and nb.unique_index(nb.sources(APPENDIX), "## F ·") < adam < nb.unique_index(
        nb.sources(APPENDIX), "## G ·"
    )
    after = nb.flat(nb.source(appendix[adam + 2]))
    assert after.startswith("So under Adam the gradient's size matters less: part of Liu et al.'s dissent.")
    assert "(the arms below test this)" in nb.flat(
        nb.source(cells[nb.unique_index(nb.sources(LESSON), "**6b · What makes pre-norm's fall?**")])
    )  # 20a


def test_answer_one_says_why_minus_one_half_is_a_coincidence() -> None:
    answer = nb.flat(
        nb.source(nb.cells(APPENDIX)[nb.unique_index(nb.sources(APPENDIX), "**Two fits of the same four depths**")])
    )  # 20a: appendix A; 21c: retitled (L^0.96 fits the same points)
    assert "Lemma 2 bounds the *expected* squared stream norm of pre-norm" in answer  # review r19d: expectation
    assert r"Here, over 2-16 blocks, the norm itself fits a line, $8.2 + 1.33\,L$" in answer


def test_moved_material_lives_in_the_appendix_with_its_checks() -> None:
    lesson = nb.all_text(LESSON)
    for gone in (
        "start_sigma",
        "implied[",
        "log_depth",
        "**Why an MLP at all?**",
        "dropping = MLP(",
        "in_train_mode",
        "inspect.getsource(Block)",
    ):
        assert gone not in lesson, gone
    appendix = nb.cells(APPENDIX)
    sources = [nb.source(c) for c in appendix]
    by_hand = next(i for i, s in enumerate(sources) if s.startswith("log_depth = [math.log(depth)"))
    assert appendix[by_hand - 1]["cell_type"] == "markdown" and "least-squares" in sources[by_hand - 1]  # a lead-in
    constant = next(i for i, s in enumerate(sources) if s.startswith("start_sigma = statistics.mean("))
    assert appendix[constant - 1]["cell_type"] == "markdown" and nb.hidden(appendix[constant + 1])
    assert "assert abs(start_ratio - 1) < 0.05" in sources[constant + 1]
    assert "at 2 blocks, the fixed arm's gradient / the LayerNorm arm's: 0.993" in nb.printed(appendix[constant])
    why = next(i for i, s in enumerate(sources) if s.startswith("## N · Why an MLP at all?"))
    assert "torch.testing.assert_close(by_attention, by_formula)" in sources[why + 2] and nb.hidden(appendix[why + 2])
    drop = next(i for i, s in enumerate(sources) if s.startswith("## O · Dropout"))
    assert "assert dropouts == 0" in "\n".join(sources[drop:])
    assert "9.97 % zeroed" in "\n".join(nb.printed(c) for c in appendix[drop:])


def test_main_path_is_shorter() -> None:
    cells = nb.cells(LESSON)
    summary = nb.unique_index(nb.sources(LESSON), "## Summary")
    visible = [c for c in cells[:summary] if not nb.hidden(c)]
    assert summary <= 110 and len(visible) <= 85  # 124 and 93 before this round


def test_relu_swap_called_a_perturbation_next_to_its_summary_line() -> None:
    cells = nb.cells(LESSON)
    swap = nb.flat(
        nb.source(
            nb.cells(APPENDIX)[nb.unique_index(nb.sources(APPENDIX), "Swapping ReLU into the same trained model")]
        )
    )  # 19c
    assert "perturbation of a GELU-trained model" in swap and "not evidence that GELU trains better" in swap
    summary = nb.flat(nb.source(cells[nb.unique_index(nb.sources(LESSON), "## Summary")]))
    line = next(b for b in summary.split("- **") if b.startswith("GELU**"))
    assert "ReLU" not in line  # 22c: the swap and its caveat live in appendix C (its cell above and its summary)
    appendix = nb.sources(APPENDIX)
    moved = nb.flat(appendix[nb.unique_index(appendix, "## Summary")])
    assert "ReLU changes 22 of 1,000 predictions" in moved


def test_post_norm_collapse_step_is_measured() -> None:
    cells = nb.cells(APPENDIX)  # fix 19c: the collapse analysis moved to appendix F with its checks
    at = nb.unique_index(nb.sources(APPENDIX), "collapse = collapse_steps(")
    printed = nb.printed(cells[at])
    assert "warm-up 0: [None, None, None]; warm-up 50: [56, 54, 45]; warm-up 150: [171, 153, 142]" in printed
    assert "(min(steps_50), max(steps_50), min(steps_150), max(steps_150)) == (45, 56, 142, 171)" in nb.source(
        cells[at + 1]
    )
    prose = nb.flat(nb.source(cells[nb.unique_index(nb.sources(APPENDIX), "**When post-norm collapses**")]))
    assert "at steps 45-56 (warm-up 50) and 142-171 (warm-up 150)" in prose


def test_collapse_steps_definition() -> None:
    runs = [
        {"placement": "post-norm", "lr": 5e-3, "warmup_steps": 2, "seed": 0, "losses": [2.3, 1.0, 1.0, 2.3, 2.3, 2.3]},
        {"placement": "post-norm", "lr": 5e-3, "warmup_steps": 0, "seed": 0, "losses": [2.3] * 6},
        {"placement": "pre-norm", "lr": 5e-3, "warmup_steps": 0, "seed": 0, "losses": [1.0] * 6},
    ]
    assert collapse_steps(runs, window=1) == {(0, 0): None, (2, 0): 3}
    assert collapse_steps(runs, window=1, placement="pre-norm") == {(0, 0): 6}  # below to the end
    assert collapse_steps(runs, window=2)[2, 0] == 4  # the running mean: (1.0 + 2.3) / 2 < 2.07 at step 3


def test_block_diagram_says_each_branch_reads_a_normalised_copy() -> None:
    assert "a normalised copy" in _DIAGRAM_TEXT[True][1]
    prose = nb.flat(
        nb.source(nb.cells(LESSON)[nb.unique_index(nb.sources(LESSON), "The thick line is the **residual stream**")])
    )
    assert "each branch reads a normalised copy (`norm1(x)`, `norm2(x)`)" in prose

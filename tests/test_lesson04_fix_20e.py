"""Lesson 04, fix 20e (review r20d_04): section 6 reads as one idea. The five-arm final-step ablation and the probe's
measuring details moved to appendix A (the lesson keeps one sentence, the forest plot and its check); sub-questions
6a/6b/6c; the training benchmark's final LayerNorm said; Answer 6c scoped; the table names its t-interval; the deeper
stacks quoted from appendix A; post-norm red in every figure; cell 42's parenthesis split; the MLP's shapes before
the gate picture; SiLU named as the same gate."""

from __future__ import annotations

import matplotlib
import matplotlib.pyplot as plt

from tests import _notebook as nb
from vit_explained.norm_placement import FINAL_STEP_LABELS, training_summary, training_table
from vit_explained.plotting.lesson04 import _DESIGN_COLOURS, plot_depth_gradients, plot_norm_training

LESSON = nb.NOTEBOOKS / "04_gelu_mlp_and_block.ipynb"
APPENDIX = nb.NOTEBOOKS / "04_gelu_mlp_and_block_appendix.ipynb"


def _section_six() -> list[str]:
    sources = nb.sources(LESSON)
    return sources[nb.unique_index(sources, "## 6 · Where the norm sits") : nb.unique_index(sources, "## 7 ·")]


def test_the_five_arm_ablation_and_the_details_moved_to_appendix_a() -> None:
    lesson = "\n".join(nb.sources(LESSON))
    for gone in ("final_steps = {", "def arm_gradients(", "def detached_sigma(", "<summary>How it was measured"):
        assert gone not in lesson, gone
    sources = nb.sources(APPENDIX)
    start, end = nb.unique_index(sources, "## A ·"), nb.unique_index(sources, "## B ·")
    for moved in ("**How section 6a's gradient was measured**", "final_steps = {", "def arm_gradients("):
        assert start < nb.unique_index(sources, moved) < end, moved
    cells = nb.cells(APPENDIX)
    steps = nb.unique_index(sources, "final_steps = {")
    assert nb.hidden(cells[steps + 1]) and nb.hidden(cells[steps + 3]) and nb.hidden(cells[steps + 5])  # checks moved
    assert "save_figure(" not in sources[steps + 4]  # the figure is shown once, in the lesson
    # the lesson: one paragraph, the forest plot and its check, then the answer
    at = nb.unique_index(nb.sources(LESSON), "fig = plot_final_norm_ablation(ablation_slope, labels=FINAL_STEP_LABELS)")
    lesson_cells = nb.cells(LESSON)
    assert "**6b · What makes pre-norm's fall?**" in nb.source(lesson_cells[at - 1])  # 21a: after Answer 6a
    assert "final_norm_ablation(depths, seeds)" in nb.source(lesson_cells[at])
    assert nb.hidden(lesson_cells[at + 1])
    assert 'ablation["layernorm"] == designs["pre-norm"]' in nb.source(lesson_cells[at + 1])
    assert nb.source(lesson_cells[at + 2]).startswith("**Answer 6b.**")
    assert list(FINAL_STEP_LABELS) == [  # 22f: the RMS arms added after the five
        "layernorm",
        "none",
        "fixed",
        "centred_fixed",
        "detached_sigma",
        "rms",
        "detached_rms",
    ]


def test_section_six_is_shorter() -> None:
    words = sum(len(s.split()) for s in _section_six())
    assert words < 2500  # 3,116 words of source (prose and code) before this fix


def test_sub_questions_are_6a_6b_6c() -> None:
    section = "\n".join(_section_six())
    for old in ("**1 · ", "**2 · ", "**3 · ", "**Answer 1.**", "**Answer 2.**", "**Answer 3.**"):
        assert old not in section, old
    for new in ("**6a · ", "**6b · ", "**6c · ", "**Answer 6a.**", "**Answer 6b.**", "**Answer 6c.**"):
        assert new in section, new


def test_training_setup_answer_and_table_header() -> None:
    sources = nb.sources(LESSON)
    training = nb.flat(sources[nb.unique_index(sources, '<a id="norm-training"></a>')])
    assert "both designs keeping the encoder's final LayerNorm, unlike 6a's probe," in training  # 21f
    assert "unlike 6a's probe, where post-norm has no final norm" in training
    answer = nb.flat(sources[nb.unique_index(sources, "**Answer 6c.**")])
    assert answer.startswith("**Answer 6c.** Pre-norm, at the one large lr tested (5e-3).")
    header = "accuracy pre-norm - post-norm, points [95 % t-interval over 3 paired seeds]"
    runs = nb.unique_index(sources, "norm_runs = stored_norm_training_runs()")
    assert header in nb.printed(nb.cells(LESSON)[runs])
    from vit_explained.norm_placement import stored_norm_training_runs

    assert training_table(training_summary(stored_norm_training_runs())).splitlines()[0] == header


def test_deeper_stacks_quoted_from_appendix_a() -> None:
    sources = nb.sources(LESSON)
    widget = nb.flat(sources[nb.unique_index(sources, "stream_explorer = residual_stream_widget(") - 1])
    assert "16-128 blocks: appendix A." in widget  # 21f: the numbers moved to appendix A, one sentence (21i)
    appendix = nb.sources(APPENDIX)
    deeper = nb.flat(appendix[nb.unique_index(appendix, "Deeper, from 16 to 128 blocks, the squared norm")])
    assert "($L^{1.16}$, interval [1.11, 1.21], inside Lemma 2's band)" in deeper  # 21c's numbers, where they live now
    assert "the gradient falls faster, $L^{-0.62}$ (interval [-0.72, -0.52])" in deeper
    summary = nb.flat(appendix[nb.unique_index(appendix, "## Summary")])
    assert "$L^{1.16}$ [1.11, 1.21], inside Lemma 2's band, and the gradient falls faster, $L^{-0.62}$" in summary
    printed = nb.all_printed(APPENDIX)  # the numbers quoted are appendix A's printed ones
    assert "the gradient ~ L^-0.62 [-0.72, -0.52]; ||x_L||^2 ~ L^+1.16 [+1.11, +1.21]" in printed


def test_post_norm_is_red_in_every_figure() -> None:
    assert _DESIGN_COLOURS == {"post-norm": "tab:red", "pre-norm": "tab:blue"}
    runs = [
        {"lr": 5e-3, "warmup_steps": 0, "seed": 0, "placement": p, "losses": [2.3] * 30}
        for p in ("pre-norm", "post-norm")
    ]
    fig = plot_norm_training(runs, lr=5e-3)
    by_label = {line.get_label(): matplotlib.colors.to_hex(line.get_color()) for line in fig.axes[0].get_lines()}
    assert by_label["post-norm"] == matplotlib.colors.to_hex("tab:red")
    assert by_label["pre-norm"] == matplotlib.colors.to_hex("tab:blue")
    assert matplotlib.colors.to_hex("tab:orange") not in by_label.values()
    plt.close(fig)
    values = {1: [1.0, 1.1], 2: [0.9, 1.0], 4: [0.8, 0.85]}
    fig = plot_depth_gradients({"pre-norm": values, "post-norm": values})  # order must not decide the colour
    lines = {line.get_label().split(":")[0]: matplotlib.colors.to_hex(line.get_color()) for line in fig.axes[0].lines}
    assert lines["post-norm"] == matplotlib.colors.to_hex("tab:red") and lines["pre-norm"] == matplotlib.colors.to_hex(
        "tab:blue"
    )
    plt.close(fig)


def test_gate_argument_split_shapes_first_and_silu_named() -> None:
    sources = nb.sources(LESSON)
    text = nb.flat(sources[nb.unique_index(sources, "Both ablations cost accuracy")])
    assert "(why LayerNorm and attention cannot: appendix N)" in text  # 21a: the argument moved to appendix N
    assert "(with other tokens" not in text
    shapes = nb.unique_index(sources, "The shapes, step by step")  # 21a: in the section's head
    gates = nb.unique_index(sources, "**The MLP as gates, for one token.**")
    assert nb.unique_index(sources, "## 2 · The MLP") == shapes < gates
    assert "Before the shapes" not in sources[gates]
    batch_norm = nb.flat(sources[nb.unique_index(sources, "**Why not BatchNorm?**")])
    assert "Vision Transformers*) train ViTs with BatchNorm (their trade-off, and a token at D = 3" in batch_norm
    assert "20% faster" not in batch_norm
    why = nb.flat(sources[nb.unique_index(sources, "**Why this shape: a gate that depends on the input.**")])
    assert "SiLU, or Swish, $x\\,s(x)$, is the same gate" in why  # 22f: s(x), as sigma is the normal's spread
    assert "with the logistic CDF $s$ in place of $\\Phi$" in why

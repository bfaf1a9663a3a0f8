"""Lesson 04, fresh review 18a (fix round 18c): section 6 answers each of its three questions in one sentence
directly under that question's picture (hidden check cells may sit between)."""

from pathlib import Path

import nbformat

LESSON = Path(__file__).resolve().parents[1] / "notebooks" / "04_gelu_mlp_and_block.ipynb"


def _cells() -> list:
    return nbformat.read(LESSON, as_version=4).cells


def _next_visible(cells: list, index: int):
    """The first cell after `index` a reader sees: hidden check cells are skipped."""
    return next(c for c in cells[index + 1 :] if "hide-input" not in c.metadata.get("tags", []))


def test_each_question_has_its_answer_under_its_picture() -> None:
    cells = _cells()
    pictures = {
        "6a": 'save_figure(fig, "04_depth_gradients")',
        "6b": "fig = plot_final_norm_ablation(",
        "6c": 'save_figure(fig, "04_norm_training")',
    }
    for number, marker in pictures.items():
        at = next(i for i, c in enumerate(cells) if marker in c.source)
        below = _next_visible(cells, at)
        if number == "6a":  # round 18d: Answer 1 follows the printed slopes and their intervals
            assert "slope of the gradient against depth" in cells[at].source  # 21a: printed with the picture
        assert below.cell_type == "markdown" and below.source.startswith(f"**Answer {number}.**"), number
    answers = [c.source for c in cells if c.source.startswith("**Answer ")]
    assert len(answers) == 3 and "Pre-norm, at the one large lr tested (5e-3)." in answers[2]
    assert "every 95 % interval above +51" in answers[2]  # 24f: the printed lower bounds (51.0, 58.8, 55.1)
    assert "no detectable trend" in answers[0]
    appendix = LESSON.with_name("04_gelu_mlp_and_block_appendix.ipynb")  # 24b: 6b's RMS and detached arms moved there
    moved = next(c.source for c in nbformat.read(appendix, as_version=4).cells if "other arms, answered." in c.source)
    assert "neither centring nor the backward path" in moved and "appendix A" in answers[1]


def test_token_study_and_parallel_block_moved_to_the_appendix_with_one_pointer() -> None:
    cells = _cells()
    sources = " ".join(c.source for c in cells)
    for gone in ("04_token_through_block", "04_parallel_block", "GPT-J (2021)", "median update / stream"):
        assert gone not in sources, gone
    pointer = [c.source for c in cells if "**M** draws the parallel block of exercise 4" in c.source]
    assert len(pointer) == 1 and "**L** follows one token" in pointer[0]
    appendix = nbformat.read(LESSON.with_name("04_gelu_mlp_and_block_appendix.ipynb"), as_version=4).cells
    heads = [c.source.splitlines()[0] for c in appendix if c.cell_type == "markdown" and c.source.startswith("## ")]
    assert heads[-5:-2] == ["## L · One token through a block", "## M · A parallel block", "## N · Why an MLP at all?"]
    assert heads[-2:] == ["## O · Dropout in `train()` and `eval()`", "## Summary"]  # fix 19b: N and O moved there
    shown = " ".join(c.source for c in appendix)
    assert 'save_figure(fig, "04_parallel_block")' in shown and "ParallelScalingBlock" in shown
    summary = next(c.source for c in appendix if c.source.startswith("## Summary"))
    assert "**L · One token through a block**" in summary and "**M · The parallel block**" in summary


def test_gelu_relu_seeds_say_what_gap_three_seeds_can_detect() -> None:
    cells = nbformat.read(LESSON.with_name("04_gelu_mlp_and_block_appendix.ipynb"), as_version=4).cells  # 19c: moved
    cell = next(c for c in cells if c.source.startswith("swap = stored_mlp_knockout()"))
    printed = "".join(o.get("text", "") for o in cell.outputs)
    assert "over 3 seeds: -1.4..+1.4 points; paired t-interval -0.2 [-3.8, +3.4]" in printed
    prose = " ".join(next(c.source for c in cells if c.source.startswith("Swapping ReLU into")).split())
    assert "only gaps well above 3.6 points, the paired interval's half-width, would reliably show" in prose  # 18d


def test_library_notes_live_in_the_list_at_the_end() -> None:
    cells = _cells()
    listed = "## Where the libraries differ"
    main_path = " ".join(c.source for c in cells if c.cell_type == "markdown" and not c.source.startswith(listed))
    for note in ("QuickGELU", "jax.nn.gelu", '17.56 "GFLOPS"', "Hugging Face's default eps"):
        assert note not in main_path, note
    listing = " ".join(next(c.source for c in cells if c.source.startswith(listed)).split())
    assert "`jax.nn.gelu`'s default, `approximate=True`" in listing and "`QuickGELU` is the paper's coarser" in listing
    assert "1e-6 in this package, timm and Google's JAX release" in listing and '17.56 "GFLOPS"' in listing


def test_gelu_figure_has_a_zoom_inset_on_the_dip() -> None:
    from vit_explained.plotting.lesson04 import plot_gelu

    fig = plot_gelu()
    (zoom,) = fig.axes[0].child_axes
    assert zoom.get_xlim() == (-3.0, 1.0) and zoom.get_ylim()[0] < -0.17 < 0 < zoom.get_ylim()[1]

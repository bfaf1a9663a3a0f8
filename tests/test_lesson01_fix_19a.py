"""Lesson 01, review 19a: the fixes of that review, each checked on the stored notebooks."""

from __future__ import annotations

import torch

from tests import _notebook as nb
from vit_explained.plotting.lesson01 import plot_resized_positions
from vit_explained.widgets.lesson01 import token_index_widget

LESSON = nb.NOTEBOOKS / "01_patches_and_embeddings.ipynb"
APPENDIX = nb.NOTEBOOKS / "01_patches_and_embeddings_appendix.ipynb"
SOLUTIONS = nb.NOTEBOOKS / "solutions" / "01_patches_and_embeddings_solutions.ipynb"


def _start(sources: list[str], text: str) -> int:
    return next(i for i, s in enumerate(sources) if s.startswith(text))


def test_section_2_prints_the_65000_times_ratio_its_text_states():
    cells = nb.cells(LESSON)
    text = nb.flat(nb.source(next(c for c in cells if nb.source(c).startswith("## 2 ·"))))
    assert "about 65,000 times larger (printed below)" in text
    assert "50,177^2 / 197^2 = 64,875 times larger" in nb.all_printed(LESSON)


def test_the_forgotten_permute_draws_each_number_in_its_channels_colour():
    widget = token_index_widget(token=14)
    colours = widget.forgotten_colours()  # (196, 768, 3)
    assert colours.shape == (196, 768, 3)
    assert torch.all(colours[14, :, 1:] == 0) and colours[14, :, 0].sum() > 0  # token 14: red only, as the line says
    assert torch.all(colours[100, :, [0, 2]] == 0)  # a green-plane token: green only
    line, fig = widget.compute(14, permute=False)
    assert "a strip of one colour" in line
    assert any("each in its channel's colour" in ax.get_title() for ax in fig.axes)


def test_the_resized_table_figure_leaves_room_between_its_rows():
    t = torch.randn(1, 50, 8)
    fig = plot_resized_positions({"a": (t, (7, 7)), "b": (t, (7, 7)), "c": (t, (7, 7))})
    assert type(fig.get_layout_engine()).__name__ == "ConstrainedLayoutEngine"  # titles and ticks kept apart
    assert fig.get_size_inches()[1] >= 7.0  # taller than the cramped 6-inch figure


def test_the_mnist_model_is_introduced_where_it_is_first_used():
    sources = nb.sources(LESSON)
    first = next(i for i, s in enumerate(sources) if "load_mnist_vit()" in s)
    intro = nb.flat(sources[first] + nb.printed(nb.cells(LESSON)[first + 1]))  # 20e: the recipe is printed there
    recipe = ("3,500 training digits", "weight decay 0.05", "label smoothing 0.1", "scaling by up to 10%")  # 19b; 20e
    for fact in ("50 epochs", *recipe, "97.4%", "python -m vit_explained.train"):
        assert fact in intro, fact
    assert "test accuracy: 97.4% (974 of 1,000 held-out digits)" in nb.all_printed(LESSON)


def test_adding_positions_is_argued_and_the_near_orthogonality_is_printed_and_checked():
    sources = nb.sources(APPENDIX)  # 20e: moved to appendix F
    i = next(k for k, s in enumerate(sources) if "### Add the positions, or append them? (section 5)" in s)
    printed = nb.all_printed(APPENDIX)  # 19b: all vectors, the blank share, the inked patches alone
    assert "mean |cosine| with a position vector 0.14" in printed
    assert "random directions in 64-D: mean |cosine| 0.10" in printed
    assert "mean_cosine < 0.2 and inked_cosine < 0.2" in sources[i + 2]  # the hidden check after the printing cell


def test_exercises_3_and_5_show_a_nudge_and_fold_the_recipe():
    for path in (LESSON, SOLUTIONS):
        for title in ("### Exercise 3", "### Exercise 5"):
            text = next(s for s in nb.sources(path) if s.startswith(title))
            visible, folded = text.split("<details>")
            assert "Hint:" in visible and "</summary>" in folded
            assert "permute" not in visible.split("Hint:")[1] and "F.interpolate" not in visible

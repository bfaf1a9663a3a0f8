"""Lesson 04, fix 20a (review r19d_04, items 3, 4 and 8): LayerNorm's geometry pictured in section 4 right after
the formula (shown once: appendix K keeps its prints and checks, not the figure); section 6 leaner: FIXED_NORM
printed with three decimals, the note on its "coincidence" with the slope 1.33 and its assert gone, the stream line
and the "-0.5 match is a coincidence" details moved to appendix A; the float32 message of exercises 1 and 4 names
torch.tensor's default dtype; section 6's prose says what its cells print (the recipe of part 3 printed)."""

from __future__ import annotations

import math

import pytest
import torch

from tests import _notebook as nb
from vit_explained import Block
from vit_explained.exercises import ExerciseFailed, lesson04

LESSON = nb.NOTEBOOKS / "04_gelu_mlp_and_block.ipynb"
APPENDIX = nb.NOTEBOOKS / "04_gelu_mlp_and_block_appendix.ipynb"
FIGURE = 'save_figure(fig, "04_layer_norm_geometry")'


def test_geometry_picture_in_section_four_after_the_formula_once() -> None:
    """21a: the picture moved to appendix K (shown once there, with its check); section 4 keeps the formula."""
    sources = nb.sources(LESSON)
    assert not any(FIGURE in s for s in sources)
    head = nb.flat(sources[nb.unique_index(sources, "## 4 · LayerNorm")])
    assert "$$\\mathrm{LayerNorm}(x)" in head
    assert sources[nb.unique_index(sources, "## 4 · LayerNorm") + 1].startswith("**Why not BatchNorm?**")
    batch_norm = nb.flat(sources[nb.unique_index(sources, "## 4 · LayerNorm") + 1])  # 24d: one pointer per section
    assert "a token at D = 3 as a point: the appendix)" in batch_norm
    cells, appendix = nb.cells(APPENDIX), nb.sources(APPENDIX)
    figure = nb.unique_index(appendix, FIGURE)
    assert "plot_layer_norm_geometry(count=5, seed=0)" in appendix[figure]
    sentence = nb.flat(appendix[figure - 1])
    assert "centring moves each token onto the plane" in sentence
    assert "scales it onto the sphere of radius $\\sqrt{D}$" in sentence and "$\\gamma$ and $\\beta$" in sentence
    assert any(o.get("data", {}).get("image/png") for o in cells[figure]["outputs"])
    check = cells[figure + 1]
    assert nb.hidden(check) and "math.sqrt(3)" in nb.source(check) and "math.sqrt(768)" in nb.source(check)
    prints = nb.unique_index(appendix, "geometry = layer_norm_geometry(count=5, seed=0)")
    assert "each normalised vector's length: [1.7321" in nb.printed(cells[prints])
    assert "in the picture above" in appendix[prints + 2]


def test_fixed_norm_three_decimals_and_no_coincidence_note() -> None:
    cells, sources = nb.cells(APPENDIX), nb.sources(APPENDIX)  # 20e: the five arms moved to appendix A
    arms = nb.unique_index(sources, "final_steps = {")
    assert "mean 1.333; FIXED_NORM = 1.330, used at every depth" in nb.printed(cells[arms])
    assert "round(statistics.mean(sigma_2), 3) == 1.333" in sources[arms + 1]
    text = nb.all_text(LESSON)
    for gone in ("also 1.33", "the same digits, two different quantities", "stream_line", "8.2 + 1.33"):
        assert gone not in text, gone
    assert "about 8.2 + 1.33 L" not in nb.all_printed(LESSON)
    assert "<details><summary>Why the match with $-0.5$" not in text


def test_coincidence_block_moved_to_appendix_a_with_a_pointer() -> None:
    appendix = nb.sources(APPENDIX)
    note = nb.unique_index(appendix, "**Two fits of the same four depths**")  # 21c: retitled
    assert appendix[note - 1].startswith("## A · Why the pre-norm slope")
    flat = nb.flat(appendix[note])
    assert "Lemma 2 bounds the *expected* squared stream norm" in flat and "$W_Q = W_K = 0$" in flat
    assert "FIXED_NORM" not in flat
    sources = nb.sources(LESSON)
    answer = nb.flat(sources[nb.unique_index(sources, "**Answer 6a.**")])
    assert "falls, about as $L^{-0.47}$" in answer  # 24d: the per-seed interval printed, not quoted


def test_section_six_sentences_match_their_cells() -> None:
    cells, sources = nb.cells(LESSON), nb.sources(LESSON)
    ablation = nb.flat(sources[nb.unique_index(sources, "**6b · What makes pre-norm's fall?**")])
    assert "(the arms below test this)" in ablation and "part 2 tests" not in ablation
    appendix = nb.sources(APPENDIX)  # 20e: the details moved to appendix A
    measured = nb.flat(appendix[nb.unique_index(appendix, "**How section 6a's gradient was measured**")])
    assert "uniform attention: $W_Q = W_K = 0$" in measured
    runs = nb.unique_index(sources, "norm_runs = stored_norm_training_runs()")
    assert "6 blocks, D = 64, 300 adam steps, seeds [0, 1, 2]" in nb.printed(cells[runs])
    assert '(6, 300, "adam", [0, 1, 2])' in sources[runs + 1]


def _slope_by_python_floats(x: torch.Tensor) -> torch.Tensor:
    values = [
        0.5 * (1 + math.erf(v / math.sqrt(2))) + v * math.exp(-v * v / 2) / math.sqrt(2 * math.pi)
        for v in x.flatten().tolist()
    ]
    return torch.tensor(values).reshape(x.shape)  # float32: torch.tensor's default


def _parallel_through_a_list(x: torch.Tensor, block: Block) -> torch.Tensor:
    h = block.norm1(x)
    return torch.tensor((x + block.attn(h) + block.mlp(h)).tolist())  # float32


@pytest.mark.parametrize(
    ("check", "answer"),
    [(lesson04.check_gelu_slope, _slope_by_python_floats), (lesson04.check_parallel_block, _parallel_through_a_list)],
)
def test_float32_message_names_torch_tensor_default(check, answer) -> None:
    with pytest.raises(ExerciseFailed) as failure:
        check(answer)
    assert "`torch.tensor(...)` defaults to float32: pass dtype=x.dtype" in str(failure.value)

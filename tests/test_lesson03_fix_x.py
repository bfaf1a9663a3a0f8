"""Lesson 03, fix round x: several heads against one (stored runs, paired interval), the scale toggle's two-state
still, the visible machinery moved into the package (same outputs), and the wording nits."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
import torch
from einops import rearrange

from vit_explained.exercises import ExerciseFailed
from vit_explained.exercises.lesson03 import check_mha_forward
from vit_explained.plotting import lesson03 as plots
from vit_explained.softmax_scale import (
    fold_scale,
    heads_training_comparison,
    heads_training_line,
    query_step,
    stored_scale_training,
)
from vit_explained.vit import ViT

ROOT = Path(__file__).resolve().parents[1]
LESSON = ROOT / "notebooks" / "03_attention_shapes.ipynb"
SOLUTIONS = ROOT / "notebooks" / "solutions" / "03_attention_shapes_solutions.ipynb"
APPENDIX = ROOT / "notebooks" / "03_attention_shapes_appendix.ipynb"  # the studies after the exercises (review r19b)


def _cells(path: Path = LESSON) -> list:
    return nbformat.read(path, as_version=4).cells


def test_four_heads_against_one_at_equal_width_with_its_interval():
    seeds = heads_training_comparison(stored_scale_training())
    t = seeds.t_interval()
    assert seeds.names == ("4 x 16", "1 x 64") and t.n == 10
    assert 0 < t.low < t.estimate < t.high
    line = heads_training_line(stored_scale_training())
    assert "equal parameters" in line and "[+2.7, +4.8]" in line and line.endswith("4 x 16 higher")


def test_heads_line_says_no_detectable_difference_when_the_interval_holds_zero():
    runs = [
        {"head_dim": d, "arm": "scaled", "seed": s, "val_accuracy": [acc]}
        for d, accs in ((16, (0.90, 0.92, 0.91)), (64, (0.91, 0.91, 0.91)))
        for s, acc in enumerate(accs)
    ]
    assert heads_training_line({"dim": 64, "runs": runs}).endswith("no detectable difference")


def test_the_lesson_prints_and_states_the_heads_result():
    text = "\n".join(c.source for c in _cells(APPENDIX))
    assert "print(heads_training_line(scale_runs))" in text
    assert "3.8 points" in text and "2.7 to 4.8" in text and "at equal $D$ and parameters" in text  # reworded in 18b


def test_scale_toggle_still_has_both_states_for_the_same_query():
    scores = torch.randn(50, 50, generator=torch.Generator().manual_seed(0)) * 4
    fig = plots.plot_scale_toggle(torch.rand(1, 28, 28), scores, 0.25, (7, 7), 12)
    titles = [ax.get_title() for ax in fig.axes[:2]]
    assert titles[0].startswith("scaled by 1/sqrt(d)") and titles[1].startswith("no scale")
    (cell,) = [c for c in _cells(APPENDIX) if "plots.plot_scale_toggle(" in c.source]
    assert 'save_figure(fig, "03_scale_toggle")' in cell.source and (ROOT / "figures" / "03_scale_toggle.png").exists()


def test_softmax_rows_titles_count_the_visible_gradient_entries():
    fig = plots.plot_softmax_rows((4, 64), num_keys=197)
    assert any("entries above 1/10 of its max" in ax.get_title() for ax in fig.axes)


def test_crossover_report_matches_the_formula():
    from vit_explained.cost import attention_cost

    configs = [("a", 197, 768, 12, 768)]
    crossover, lines = plots.crossover_report(configs, {"a": attention_cost(197, 768, 12)}, ["a"])
    assert crossover == {"a": 1536} and lines.startswith("a: crossover at N = (3 D_in + D) / 2 = 1536")


def test_ink_shares_counts_queries_on_the_ink():
    image = torch.zeros(1, 28, 28)
    image[0, :4, :4] = 1.0  # patch 0 is ink
    q = torch.zeros(1, 50, 2)
    k = torch.zeros(1, 50, 2)
    k[0, 1, 0] = 100.0  # key of patch 0 (token 1)
    q[0, :, 0] = 1.0  # every query looks at it
    shares = plots.ink_shares(image, q, k, 1.0, 0.1)
    assert torch.equal(shares, torch.ones(2, 1))


def test_fold_scale_keeps_the_function_and_multiplies_the_sgd_step_by_d():
    torch.manual_seed(0)
    model = ViT(28, patch_size=4, channels=1, num_classes=10, dim=32, depth=1, heads=2, mlp_dim=64).eval()
    images, labels = torch.randn(4, 1, 28, 28), torch.tensor([0, 1, 2, 3])
    folded = fold_scale(model)
    with torch.no_grad():
        assert (folded(images) - model(images)).abs().max() < 1e-5
    ratio = query_step(folded, images, labels, "SGD", 0.1) / query_step(model, images, labels, "SGD", 0.1)
    assert abs(ratio - 16) < 1e-2  # d = 32 / 2


def test_exercise_4_names_the_weights_when_they_are_returned():
    def weights_instead(mha, x):
        return mha(*(x.transpose(0, 1),) * 3)[1]

    with pytest.raises(ExerciseFailed, match=r"that is the attention weights, element 1.*return the output, element 0"):
        check_mha_forward(weights_instead)


def test_wording_nits():
    text = "\n".join(c.source for c in _cells() if c.cell_type == "markdown")
    assert "where the appendix can tell" not in text
    assert "At initialisation, for independent unit-variance $q$, $k$ and an i.i.d. normal upstream gradient" in text
    for path in (LESSON, SOLUTIONS):
        cells = _cells(path)
        (stub,) = [c.source for c in cells if c.source.startswith("def attention(q: torch.Tensor")]
        assert "keep q's dtype" in stub
        (exercise_5,) = [c.source for c in cells if c.source.startswith("### Exercise 5")]
        assert "(as a non-fused layer stores them for the backward pass)" in exercise_5 and "((" not in exercise_5


def test_the_moved_cells_are_one_call_and_one_print():
    cells = _cells(APPENDIX)
    for call in ("plots.crossover_report(", "plots.ink_share_report(", "fold_scale_report("):
        (cell,) = [c.source for c in cells if c.cell_type == "code" and call in c.source and "@title" not in c.source]
        assert "def " not in cell and "for " not in cell and cell.count("print(") == 1


def _convert_right(weight, heads):
    return weight.reshape(heads, 3, -1, weight.shape[-1]).transpose(0, 1).reshape(weight.shape)


def test_exercise_6_accepts_the_reference_and_float64():
    from vit_explained.exercises.lesson03 import check_to_timm_qkv  # review r19d: (h three d) -> (three h d)

    check_to_timm_qkv(_convert_right)
    check_to_timm_qkv(
        lambda weight, heads: (
            rearrange(weight.double(), "(h three d) i -> (three h d) i", three=3, h=heads)
            if weight.dtype == torch.float64
            else rearrange(weight, "(h three d) i -> (three h d) i", three=3, h=heads)
        )
    )


@pytest.mark.parametrize(
    ("answer", "named"),
    [
        (lambda w, h: w, r"\(h three d\) order"),
        (lambda w, h: rearrange(w, "(h three d) i -> (three d h) i", three=3, h=h), r"\(three d h\)"),
        (lambda w, h: _convert_right(w, h).T, "transposed"),
        (lambda w, h: w.reshape(h, 3, -1, w.shape[-1]).flip(1).transpose(0, 1).reshape(w.shape), r"\(v, k, q\)"),
        (lambda w, h: _convert_right(w, h).float(), "keep the given weight's dtype"),
        (lambda w, h: _convert_right(w, h).chunk(3), "not 3 pieces"),
    ],
)
def test_exercise_6_names_the_slips(answer, named):
    from vit_explained.exercises.lesson03 import check_to_timm_qkv

    with pytest.raises(ExerciseFailed, match=named):
        check_to_timm_qkv(answer)


def test_exercise_6_text_is_the_same_in_both_notebooks():
    texts = [[c.source for c in _cells(p) if c.source.startswith("### Exercise 6")] for p in (LESSON, SOLUTIONS)]
    assert texts[0] == texts[1] and len(texts[0]) == 1 and "(h three d)" in texts[0][0]

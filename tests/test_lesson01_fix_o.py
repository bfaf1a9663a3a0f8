"""Lesson 01 fix round o: the filters' smoothness, the order of sections 0 and 4's cells, signed comparisons."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

from vit_explained.exercises import ExerciseFailed
from vit_explained.exercises.lesson01 import check_token_count
from vit_explained.patch_embedding import PatchEmbedding, component_smoothness

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "01_patches_and_embeddings.ipynb"


def _sources_of(name: str) -> list[str]:
    return ["".join(cell["source"]) for cell in json.loads(NOTEBOOK.with_name(name).read_text())["cells"]]


def _sources() -> list[str]:
    return _sources_of(NOTEBOOK.name)


def test_smoothness_is_high_for_smooth_components_and_low_for_random_ones():
    ramp = torch.linspace(-1, 1, 4)
    smooth = torch.stack([a * ramp[:, None] + b * ramp[None, :] for a, b in torch.randn(64, 2)]).unsqueeze(1)
    assert component_smoothness(smooth, 2) > 0.5
    _ = torch.manual_seed(0)
    assert abs(component_smoothness(PatchEmbedding(28, 4, 1, 64).kernel()[0], 4)) < 0.4
    assert component_smoothness(-smooth, 2) == pytest.approx(
        component_smoothness(smooth, 2)
    )  # the sign does not matter


def test_the_map_picture_comes_before_its_shape_table():
    sources = _sources()
    picture = next(i for i, s in enumerate(sources) if "plot_vit_map(" in s)
    table = next(i for i, s in enumerate(sources) if "for step in vit_map.steps:" in s)
    assert picture <= table  # 24d: one cell
    assert sources[table].index("plot_vit_map(") < sources[table].index("for step in vit_map.steps:")


def test_one_cell_per_route_then_the_comparison():
    sources = _sources()
    starts = [
        next(i for i, s in enumerate(sources) if head in s)
        for head in ("# 3. Conv2d", "# 2. nn.Unfold", "# 1. Rearrange")
    ]
    assert starts == [starts[0]] * 3  # round 17b: the three routes and their comparison in one cell
    assert "for name, routed in" in sources[starts[0]]  # fix round w: `tokens` is section 5's


def test_comparisons_name_their_direction():
    text = "\n".join(_sources())
    appendix = "\n".join(_sources_of("01_patches_and_embeddings_appendix.ipynb"))  # fix round w: the table moved
    assert "| kernel: 2-D bilinear vs 2-D bicubic | 95.4 % vs 96.4 % | -1.0 [-2.1, +0.0] points |" in appendix
    assert "**The five comparisons.**" not in text  # fix round r: the orphan paragraph repeating the table is gone
    assert "2-D bilinear beats it by +45.8 points [+41.6, +50.2]" in appendix  # 24f: moved to appendix B
    assert "Bicubic against bilinear directly" not in text and "45.8 points below" not in text
    assert "no smooth, low-frequency set" not in text


def test_a_whole_float_count_is_refused():
    with pytest.raises(ExerciseFailed, match="return a whole number"):
        check_token_count(lambda h, w, ph, pw: (h / ph) * (w / pw) + 1)


def test_the_stored_shifted_runs():
    from vit_explained.positional import stored_shifted_positions

    runs = stored_shifted_positions()
    assert sorted(runs) == [f"{arm}_seed{seed}" for arm in ("control", "shifted") for seed in range(3)]
    for name, (table, record) in runs.items():
        assert table.shape == (1, 50, 64) and table.dtype == torch.float32
        assert name == f"{record['arm']}_seed{record['seed']}" and record["recipe"]["epochs"] == 12
        assert record["recipe"].get("max_shift", 0) == (4 if record["arm"] == "shifted" else 0)

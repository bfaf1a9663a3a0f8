"""Lesson 08, fix round 18f: exercise 6's R[:, 0, :-1].argmax (column 0 kept, the last patch dropped) is named as
column 0 in the argmax, not as an answer that ignores the weights; exercise 2 names M * R from a start of ones;
raw occlusion's label and section 9's verdict first."""

import json
from pathlib import Path

import pytest
import torch

from tests.test_lesson08_fix_17a import _rolled, _rows_cols
from vit_explained.exercises import ExerciseFailed
from vit_explained.exercises import lesson08 as ex

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "08_attention_maps.ipynb"


def test_exercise_6_routes_a_dropped_last_patch_to_column_0():
    def dropped_last(weights, rows, cols):
        return _rows_cols(_rolled(weights)[:, 0, :-1].argmax(-1), cols)  # column 0 kept, the last patch dropped

    with pytest.raises(ExerciseFailed, match="you included column 0 in the argmax") as failure:
        ex.check_max_fusion_top_patch(dropped_last)
    assert "does not depend on the weights" not in str(failure.value)


def test_exercise_6_still_names_a_constant_answer():
    with pytest.raises(ExerciseFailed, match="does not depend on the weights") as failure:
        ex.check_max_fusion_top_patch(lambda weights, rows, cols: torch.zeros(len(weights[0]), 2, dtype=torch.long))
    assert "column 0" not in str(failure.value)


def test_exercise_2_names_an_elementwise_product_from_ones():
    def elementwise(matrices, keep):
        eye = torch.eye(matrices[0].shape[-1], dtype=matrices[0].dtype)
        relevance = torch.ones_like(matrices[0])
        for a in matrices:
            mixed = keep * eye + (1 - keep) * a
            relevance = mixed / mixed.sum(-1, keepdim=True) * relevance  # the slip: * where @ belongs
        return relevance

    with pytest.raises(ExerciseFailed, match=r"multiplied elementwise \(M \* R"):
        ex.check_rollout(elementwise)


def test_raw_occlusion_label_and_section_9_verdict_first():
    sources = ["".join(c["source"]) for c in json.loads(NOTEBOOK.read_text())["cells"]]
    assert not any("blank patches first" in s for s in sources)
    label = "raw occlusion (blank patches before negative-scoring ink)"
    assert sum(label in s.lower() for s in sources) >= 2
    start = next(i for i, s in enumerate(sources) if s.startswith("## 9 "))
    verdict = next(i for i in range(start, start + 12) if sources[i].startswith("**Verdict**"))
    table = next(i for i in range(start, start + 12) if "print(cascade)" in sources[i])
    assert table < verdict  # 20c: the table, then a short verdict read off it
    flowing = " ".join(sources[verdict].split())
    assert "because" not in flowing
    assert "this lesson's choice" in sources[start]

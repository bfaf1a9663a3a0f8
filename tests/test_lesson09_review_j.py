"""Lesson 09, review j: the slips the checkers now name, and the relabelled-teacher ablation's stored result."""

import json

import pytest
import torch
import torch.nn.functional as F

from vit_explained.exercises import ExerciseFailed, lesson09


def test_a_constant_loss_is_named():
    def constant(class_logits, distillation_logits, labels, teacher_logits):
        return torch.tensor(0.5)

    with pytest.raises(ExerciseFailed, match="does not depend on the logits or labels"):
        lesson09.check_hard_distillation(constant)


def test_a_loss_that_reads_only_the_labels_is_not_called_constant():
    def class_term_only(class_logits, distillation_logits, labels, teacher_logits):
        return F.cross_entropy(class_logits, labels)

    with pytest.raises(ExerciseFailed) as failure:
        lesson09.check_hard_distillation(class_term_only)
    assert "does not depend" not in str(failure.value)


def test_a_token_map_that_hard_codes_query_0_is_named():
    def row_zero(weights, query, special_tokens, rows, cols):
        return weights[:, :, 0, special_tokens:].reshape(*weights.shape[:2], rows, cols)

    with pytest.raises(ExerciseFailed, match="use the `query` argument"):
        lesson09.check_token_map(row_zero)


def test_the_relabel_ablation_is_stored_twice_with_the_same_bytes():
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    stored = root / "benchmarks" / "results" / "lesson09_relabel.json"
    packaged = root / "vit_explained" / "checkpoints" / "lesson09_relabel.json"
    assert stored.read_bytes() == packaged.read_bytes()
    result = json.loads(stored.read_text())
    assert "relabel" in result["arms"]  # the relabel arm; the control arm (teacher unchanged) since round n
    assert len({len(part["runs"]) for part in result["arms"].values()}) == 1  # round 18b: 2 seeds per arm
    for part in result["arms"].values():
        assert len(part["runs"]) >= 2
        for run in part["runs"]:
            sizes = {len(run[key]) for key in ("class_says_1", "distillation_says_1", "teacher_says_1")}
            assert len(sizes) == 1

"""Lesson 05, fix round 17a: exercise 4's scale messages ask about the scores' formula without giving dQ's; the
stored training benchmark (benchmarks/bench_lesson05_training.py) has the shape the lesson reads."""

import json
from pathlib import Path

import pytest
import torch

from vit_explained.exercises import ExerciseFailed
from vit_explained.exercises.lesson05 import check_w_q_gradient
from vit_explained.gradient_experiments import stored_training_checkpoints

ROOT = Path(__file__).resolve().parents[1]


def _w_q_gradient(x, k, grad_scores):
    return torch.einsum("bnd,bne->de", grad_scores @ k / k.shape[-1] ** 0.5, x)


@pytest.mark.parametrize(
    ("wrong", "named"),
    [
        (lambda x, k, g: torch.einsum("bnd,bne->de", g @ k, x), "scale is missing"),
        (lambda x, k, g: _w_q_gradient(x, k, g) * k.shape[-1], "multiplied by sqrt"),
        (lambda x, k, g: _w_q_gradient(x, k, g) / k.shape[-1] ** 0.5, "applied twice"),
    ],
)
def test_scale_messages_state_the_scores_formula_not_the_answer(wrong, named):
    with pytest.raises(ExerciseFailed) as failed:
        check_w_q_gradient(wrong)
    message = str(failed.value)
    assert named in message and "S = Q K^T / sqrt(d)" in message  # the formula the learner missed
    assert "dQ = dS K" not in message and "?" in message  # a question, not the answer


def test_right_answer_still_passes(capsys):
    check_w_q_gradient(_w_q_gradient)
    assert "Correct!" in capsys.readouterr().out


def test_stored_training_benchmark_is_the_packaged_copy_with_3_seeds_and_4_checkpoints():
    stored = stored_training_checkpoints()
    assert stored == json.loads((ROOT / "benchmarks" / "results" / "lesson05_training.json").read_text())
    assert [run["seed"] for run in stored["runs"]] == [0, 1, 2]
    for run in stored["runs"]:
        assert [point["epoch"] for point in run["checkpoints"]] == stored["checkpoints_epochs"] == [0, 1, 2, 4]
        for point in run["checkpoints"]:
            assert len(point["v_over_qk"]) == len(point["mlp_share"]) == 4
            assert all(r > 0 for r in point["v_over_qk"]) and all(-1 < s < 1 for s in point["mlp_share"])
    assert stored["seconds"] < 180  # under 3 minutes on 2 processes

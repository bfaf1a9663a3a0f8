"""Lesson 08's checkers accept the reference answers and reject plausible wrong ones, saying why."""

import pytest
import torch

from vit_explained.exercises import ExerciseFailed, ExerciseNotAttempted
from vit_explained.exercises.lesson08 import check_class_token_grid, check_record_outputs, check_rollout

# ----------------------------------------------------------------------------- record outputs


def record_reference(module, run):
    outputs = []
    handle = module.register_forward_hook(lambda _module, _inputs, output: outputs.append(output.detach()))
    try:
        run()
    finally:
        handle.remove()
    return outputs


def test_record_outputs_accepts_the_reference(capsys):
    check_record_outputs(record_reference)
    assert "Correct!" in capsys.readouterr().out


def record_input(module, run):
    outputs = []
    handle = module.register_forward_hook(lambda _m, inputs, _out: outputs.append(inputs[0].detach()))
    try:
        run()
    finally:
        handle.remove()
    return outputs


def record_input_tuple(module, run):
    outputs = []
    handle = module.register_forward_hook(lambda _m, inputs, _out: outputs.append(inputs))
    try:
        run()
    finally:
        handle.remove()
    return outputs


def record_attached(module, run):
    outputs = []
    handle = module.register_forward_hook(lambda _m, _inputs, output: outputs.append(output))
    try:
        run()
    finally:
        handle.remove()
    return outputs


def record_never_removed(module, run):
    outputs = []
    module.register_forward_hook(lambda _m, _inputs, output: outputs.append(output.detach()))
    run()
    return outputs


def record_without_finally(module, run):
    outputs = []
    handle = module.register_forward_hook(lambda _m, _inputs, output: outputs.append(output.detach()))
    run()
    handle.remove()
    return outputs


def record_returning_from_hook(module, run):
    outputs = []

    def hook(_m, _inputs, output):
        outputs.append(output.detach())
        return output.detach()  # replaces the module's output

    handle = module.register_forward_hook(hook)
    try:
        run()
    finally:
        handle.remove()
    return outputs


def record_last_only(module, run):
    stored = {}
    handle = module.register_forward_hook(lambda _m, _inputs, output: stored.update(last=output.detach()))
    try:
        run()
    finally:
        handle.remove()
    return [stored["last"]]


@pytest.mark.parametrize(
    ("wrong", "message"),
    [
        (record_input, "module's input"),
        (record_input_tuple, "tuple of the module's inputs"),
        (record_attached, "grad_fn"),
        (record_never_removed, "still registered"),
        (record_without_finally, "try: ... finally"),
        (record_returning_from_hook, "replaces the output"),
        (record_last_only, "one tensor per call"),
        (lambda module, run: run(), "return the list"),
    ],
)
def test_record_outputs_rejects_wrong_answers(wrong, message):
    with pytest.raises(ExerciseFailed, match=message):
        check_record_outputs(wrong)


def test_record_outputs_cleans_up_so_the_next_try_can_pass():
    with pytest.raises(ExerciseFailed):
        check_record_outputs(record_without_finally)
    check_record_outputs(record_reference)


# ----------------------------------------------------------------------------- rollout


def rollout_reference(matrices):
    identity = torch.eye(matrices[0].shape[-1], dtype=matrices[0].dtype)
    result = identity.expand_as(matrices[0])
    for matrix in matrices:
        mixed = 0.5 * matrix + 0.5 * identity
        mixed = mixed / mixed.sum(dim=-1, keepdim=True)
        result = mixed @ result
    return result


def rollout_full_identity(matrices):  # A + I instead of (A + I) / 2: the same after re-normalising
    identity = torch.eye(matrices[0].shape[-1], dtype=matrices[0].dtype)
    result = identity
    for matrix in matrices:
        mixed = matrix + identity
        result = (mixed / mixed.sum(-1, keepdim=True)) @ result
    return result


@pytest.mark.parametrize(
    "answer",
    [rollout_reference, rollout_full_identity],
)
def test_rollout_accepts_the_reference(answer, capsys):
    check_rollout(answer)
    assert "Correct!" in capsys.readouterr().out


def rollout_no_identity(matrices):
    result = torch.eye(matrices[0].shape[-1], dtype=matrices[0].dtype)
    for matrix in matrices:
        result = (matrix / matrix.sum(-1, keepdim=True)) @ result
    return result


def rollout_no_normalise(matrices):
    identity = torch.eye(matrices[0].shape[-1], dtype=matrices[0].dtype)
    result = identity
    for matrix in matrices:
        result = (0.5 * matrix + 0.5 * identity) @ result
    return result


def rollout_normalise_at_end(matrices):
    result = rollout_no_normalise(matrices)
    return result / result.sum(-1, keepdim=True)


def rollout_wrong_order(matrices):
    identity = torch.eye(matrices[0].shape[-1], dtype=matrices[0].dtype)
    result = identity
    for matrix in matrices:
        mixed = 0.5 * matrix + 0.5 * identity
        result = result @ (mixed / mixed.sum(-1, keepdim=True))
    return result


def rollout_normalise_columns(matrices):
    identity = torch.eye(matrices[0].shape[-1], dtype=matrices[0].dtype)
    result = identity
    for matrix in matrices:
        mixed = 0.5 * matrix + 0.5 * identity
        result = (mixed / mixed.sum(-2, keepdim=True)) @ result
    return result


@pytest.mark.parametrize(
    ("wrong", "message"),
    [
        (rollout_no_identity, "residual connection"),
        (rollout_no_normalise, "do not sum to 1"),
        (rollout_normalise_at_end, "only the final product"),
        (rollout_wrong_order, "wrong order"),
        (rollout_normalise_columns, "differs"),
        (lambda ms: rollout_reference(ms)[:, 0], "expected shape"),
        (lambda ms: None, "return a torch.Tensor"),
    ],
)
def test_rollout_rejects_wrong_answers(wrong, message):
    with pytest.raises(ExerciseFailed, match=message):
        check_rollout(wrong)


# ----------------------------------------------------------------------------- class token grid


def grid_reference(weights, rows, cols):
    return weights[:, :, 0, 1:].reshape(weights.shape[0], weights.shape[1], rows, cols)


@pytest.mark.parametrize("answer", [grid_reference])
def test_grid_accepts_the_reference(answer, capsys):
    check_class_token_grid(answer)
    assert "Correct!" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("wrong", "message"),
    [
        (lambda w, r, c: w[:, :, 0, :].reshape(w.shape[0], w.shape[1], r, c), "one for the class token"),
        (lambda w, r, c: w[:, :, 0, :-1].reshape(w.shape[0], w.shape[1], r, c), "dropped the last patch"),
        (lambda w, r, c: w[:, :, 1:, 0].reshape(w.shape[0], w.shape[1], r, c), "took a column"),
        (lambda w, r, c: w[:, :, 0, 1:].reshape(w.shape[0], w.shape[1], c, r).transpose(-1, -2), "column by column"),
        (lambda w, r, c: w[:, :, 0, 1:].reshape(w.shape[0], w.shape[1], c, r), "swapped"),
        (lambda w, r, c: w[:, :, 0, 1:], "expected shape"),
        (lambda w, r, c: w.mean(1, keepdim=True)[:, :, 0, 1:].reshape(w.shape[0], 1, r, c), "expected shape"),
        (lambda w, r, c: w[:, :1, 0, 1:].expand(-1, w.shape[1], -1).reshape(w.shape[0], w.shape[1], r, c), "differs"),
    ],
)
def test_grid_rejects_wrong_answers(wrong, message):
    with pytest.raises(ExerciseFailed, match=message):
        check_class_token_grid(wrong)


# ----------------------------------------------------------------------------- stubs


def stub(*_args):
    raise NotImplementedError("your code here")


@pytest.mark.parametrize("checker", [check_record_outputs, check_rollout, check_class_token_grid])
def test_unattempted_stub_gets_a_friendly_message(checker):
    with pytest.raises(ExerciseNotAttempted, match="not done yet"):
        checker(stub)

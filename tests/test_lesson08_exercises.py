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


def rollout_reference(matrices, keep=0.5):
    identity = torch.eye(matrices[0].shape[-1], dtype=matrices[0].dtype)
    result = identity.expand_as(matrices[0])
    for matrix in matrices:
        mixed = (1 - keep) * matrix + keep * identity
        mixed = mixed / mixed.sum(dim=-1, keepdim=True)
        result = mixed @ result
    return result


def rollout_full_identity(matrices, keep):  # A (1 - keep) / keep + I: the same after re-normalising
    identity = torch.eye(matrices[0].shape[-1], dtype=matrices[0].dtype)
    result = identity
    for matrix in matrices:
        mixed = matrix * (1 - keep) / keep + identity
        result = (mixed / mixed.sum(-1, keepdim=True)) @ result
    return result


@pytest.mark.parametrize(
    "answer",
    [rollout_reference, rollout_full_identity],
)
def test_rollout_accepts_the_reference(answer, capsys):
    check_rollout(answer)
    assert "Correct!" in capsys.readouterr().out


def rollout_no_identity(matrices, keep=0.5):
    result = torch.eye(matrices[0].shape[-1], dtype=matrices[0].dtype)
    for matrix in matrices:
        result = (matrix / matrix.sum(-1, keepdim=True)) @ result
    return result


def rollout_no_normalise(matrices, keep=0.5):
    identity = torch.eye(matrices[0].shape[-1], dtype=matrices[0].dtype)
    result = identity
    for matrix in matrices:
        result = (0.5 * matrix + 0.5 * identity) @ result
    return result


def rollout_normalise_at_end(matrices, keep=0.5):
    result = rollout_no_normalise(matrices)
    return result / result.sum(-1, keepdim=True)


def rollout_wrong_order(matrices, keep=0.5):
    identity = torch.eye(matrices[0].shape[-1], dtype=matrices[0].dtype)
    result = identity
    for matrix in matrices:
        mixed = 0.5 * matrix + 0.5 * identity
        result = result @ (mixed / mixed.sum(-1, keepdim=True))
    return result


def rollout_normalise_columns(matrices, keep=0.5):
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
        (rollout_wrong_order, "layer order reversed"),
        (rollout_normalise_columns, "normalised the columns"),
        (lambda ms, keep=0.5: rollout_reference(ms)[:, 0], "expected shape"),
        (lambda ms, keep=0.5: None, "return a torch.Tensor"),
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
        (lambda w, r, c: w[:, :, 0, 1:], "still flat"),
        (lambda w, r, c: w.mean(1, keepdim=True)[:, :, 0, 1:].reshape(w.shape[0], 1, r, c), "averaged the heads"),
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


# ----------------------------------------------------------------------------- bank: more right and wrong answers

import functools  # noqa: E402

import numpy as np  # noqa: E402

from vit_explained import attention_maps  # noqa: E402
from vit_explained.attention_maps import attention_rollout, class_token_attention, token_attention  # noqa: E402


def record_under_no_grad(module, run):  # detached, but run under no_grad: the caller loses its gradients
    outputs = []
    handle = module.register_forward_hook(lambda _module, _inputs, output: outputs.append(output.detach()))
    try:
        with torch.no_grad():
            run()
    finally:
        handle.remove()
    return outputs


def record_with_handle_as_context(module, run):  # a RemovableHandle is a context manager
    outputs = []
    with module.register_forward_hook(lambda _m, _i, output: outputs.append(output.detach().clone())):
        run()
    return outputs


class Recorder:
    def __init__(self):
        self.outputs = []

    def __call__(self, module, args, kwargs, output):  # with_kwargs=True passes the keyword arguments too
        self.outputs += [output.detach()]


def record_with_a_class(module, run):
    recorder = Recorder()
    handle = module.register_forward_hook(recorder, with_kwargs=True)
    try:
        run()
    finally:
        handle.remove()
    return recorder.outputs


@pytest.mark.parametrize("answer", [record_with_handle_as_context, record_with_a_class])
def test_record_outputs_accepts_answers_written_differently(answer, capsys):
    check_record_outputs(answer)
    assert "Correct!" in capsys.readouterr().out


def record_pre_hook(module, run):  # a pre-hook sees the inputs, before the module runs
    outputs = []
    handle = module.register_forward_pre_hook(lambda _m, inputs: outputs.append(inputs))
    try:
        run()
    finally:
        handle.remove()
    return outputs


def record_run_twice(module, run):
    outputs = record_reference(module, run)
    run()
    return outputs


def record_removed_too_early(module, run):
    outputs = []
    handle = module.register_forward_hook(lambda _m, _i, output: outputs.append(output.detach()))
    handle.remove()
    run()
    return outputs


def record_first_image_only(module, run):
    outputs = []
    with module.register_forward_hook(lambda _m, _i, output: outputs.append(output[0].detach())):
        run()
    return outputs


def record_generator(module, run):
    return (output for output in record_reference(module, run))


def record_misspelled(module, run):
    handle = module.register_hook(lambda *args: None)  # no such method on nn.Module
    run()
    handle.remove()


def record_hard_coded(module, run):  # a fixed list: run() never called
    return [torch.zeros(2, 3)]


@pytest.mark.parametrize(
    ("wrong", "message"),
    [
        (record_hard_coded, "your function never called run\\(\\)"),
        (record_pre_hook, "tuple of the module's inputs"),
        (record_run_twice, "call run\\(\\) exactly once"),
        (record_removed_too_early, "should hold 2 outputs, got 0"),
        (record_first_image_only, "not the module's output"),
        (record_generator, "return the list your hook filled, got generator"),
        (record_misspelled, "raised AttributeError"),
    ],
)
def test_record_outputs_rejects_more(wrong, message):
    with pytest.raises(ExerciseFailed, match=f"^Not yet: .*{message}"):
        check_record_outputs(wrong)


def _mixed(matrix, keep=0.5):
    mixed = (1 - keep) * matrix + keep * torch.eye(matrix.shape[-1], dtype=matrix.dtype)
    return mixed / mixed.sum(-1, keepdim=True)


def rollout_reduce(matrices, keep=0.5):
    return functools.reduce(
        lambda result, matrix: _mixed(matrix, keep) @ result, matrices[1:], _mixed(matrices[0], keep)
    )


def rollout_reversed_right_multiply(matrices, keep=0.5):  # A_L @ ... @ A_1, built from the last layer
    result = torch.eye(matrices[0].shape[-1], dtype=matrices[0].dtype)
    for matrix in reversed(matrices):
        result = result @ _mixed(matrix, keep)
    return result


def rollout_numpy_in_place(matrices, keep=0.5):
    result = np.broadcast_to(np.eye(matrices[0].shape[-1]), matrices[0].shape)
    for matrix in matrices:
        mixed = matrix.numpy() * (1 - keep)
        mixed += keep * np.eye(mixed.shape[-1])
        mixed /= mixed.sum(-1, keepdims=True)
        result = mixed @ result
    return result


def rollout_einsum(matrices, keep=0.5):
    result = None
    for matrix in matrices:
        mixed = _mixed(matrix, keep)
        result = mixed if result is None else torch.einsum("bij,bjk->bik", mixed, result)
    return result


@pytest.mark.parametrize(
    "answer", [rollout_reduce, rollout_reversed_right_multiply, rollout_numpy_in_place, rollout_einsum]
)
def test_rollout_accepts_answers_written_differently(answer, capsys):
    check_rollout(answer)
    assert "Correct!" in capsys.readouterr().out


def rollout_normalise_before_mixing(matrices, keep=0.5):
    result = torch.eye(matrices[0].shape[-1], dtype=matrices[0].dtype)
    for matrix in matrices:
        result = (0.5 * matrix / matrix.sum(-1, keepdim=True) + 0.5 * torch.eye(matrix.shape[-1])) @ result
    return result


def rollout_mean_of_layers(matrices, keep=0.5):
    return torch.stack([_mixed(matrix) for matrix in matrices]).mean(0)


@pytest.mark.parametrize(
    ("wrong", "message"),
    [
        (lambda ms, keep=0.5: attention_rollout([m.unsqueeze(1) for m in ms]), "build attention rollout yourself"),
        (
            rollout_normalise_before_mixing,
            r"keep = 0\.5: you normalised the attention before adding the identity: mix first "
            r"\(keep \* I \+ \(1 - keep\) \* A\)",
        ),
        (rollout_mean_of_layers, "averaged the layers"),
        (lambda ms, keep=0.5: _mixed(ms[-1]), "last layer only"),
        (lambda ms, keep=0.5: _mixed(ms[0]), "first layer only"),
        (lambda ms, keep=0.5: [_mixed(m) for m in ms], "returned a Python list"),  # the mixed layers, never multiplied
        (lambda ms, keep=0.5: ms.shape, "raised AttributeError"),
    ],
)
def test_rollout_rejects_more(wrong, message):
    with pytest.raises(ExerciseFailed, match=f"^Not yet: .*{message}"):
        check_rollout(wrong)


def grid_loop(weights, rows, cols):  # one patch at a time, float64
    batch, heads = weights.shape[:2]
    grid = torch.zeros(batch, heads, rows, cols, dtype=torch.float64)
    for patch in range(rows * cols):
        grid[:, :, patch // cols, patch % cols] = weights[:, :, 0, 1 + patch]
    return grid


@pytest.mark.parametrize(
    "answer",
    [
        grid_loop,
        lambda w, r, c: w[..., 0, 1:].unflatten(-1, (r, c)),
        lambda w, r, c: w.select(2, 0).narrow(-1, 1, r * c).reshape(*w.shape[:2], r, c),
        lambda w, r, c: w.numpy()[:, :, 0, 1:].reshape(w.shape[0], w.shape[1], r, c),
    ],
)
def test_grid_accepts_answers_written_differently(answer, capsys):
    check_class_token_grid(answer)
    assert "Correct!" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("wrong", "message"),
    [
        (lambda w, r, c: class_token_attention(w, (r, c)), "build the class token's grid yourself"),
        (lambda w, r, c: token_attention(w, (r, c)), "build the class token's grid yourself.*token_attention"),
        (lambda w, r, c: attention_maps.token_attention(w, (r, c), query=0), "build the class token's grid yourself"),
        (lambda w, r, c: w[:, :, -1, 1:].reshape(*w.shape[:2], r, c), "took the last row"),
        (lambda w, r, c: w[:, :, 1, 1:].reshape(*w.shape[:2], r, c), "took row 1"),  # row 1: the first patch's
        (
            lambda w, r, c: (w[:, :, 0, 1:] / w[:, :, 0, 1:].sum(-1, keepdim=True)).reshape(*w.shape[:2], r, c),
            "re-normalised the patch weights",
        ),  # re-normalised over the patches
        (lambda w, r, c: w[:, :, 0].reshape(*w.shape[:2], r, c), "raised RuntimeError.*one for the class token"),
        (lambda w, r, c: w[:, :, 0, 1:].reshape(*w.shape[:2], r, c).tolist()[0], "returned a Python list"),  # refused
        (lambda w, r, c: "grid", "return a torch.Tensor"),
    ],
)
def test_grid_rejects_more(wrong, message):
    with pytest.raises(ExerciseFailed, match=f"^Not yet: .*{message}"):
        check_class_token_grid(wrong)


# ----------------------------------------------------------------------------- issue 22: the slips the review found


def record_swallowing_the_error(module, run):  # except: pass plus finally: the hook goes, the error too
    outputs = []
    handle = module.register_forward_hook(lambda _m, _i, output: outputs.append(output.detach()))
    try:
        run()
    except Exception:
        pass
    finally:
        handle.remove()
    return outputs


def record_clearing_every_hook(module, run):  # removes everyone's hooks, not just its own
    outputs = []
    module.register_forward_hook(lambda _m, _i, output: outputs.append(output.detach()))
    try:
        run()
    finally:
        module._forward_hooks.clear()
    return outputs


def record_detaching_in_place(module, run):  # output.detach_() detaches the model's own tensor
    outputs = []

    def hook(_m, _i, output):
        outputs.append(output.detach_())

    handle = module.register_forward_hook(hook)
    try:
        run()
    finally:
        handle.remove()
    return outputs


@pytest.mark.parametrize(
    ("wrong", "message"),
    [
        (record_swallowing_the_error, "swallows it"),
        (record_clearing_every_hook, "removed a hook it did not register"),
        (record_detaching_in_place, "detached the module's own output in place"),
    ],
)
def test_record_outputs_refuses_the_reviewed_slips(wrong, message):
    with pytest.raises(ExerciseFailed, match=f"^Not yet: .*{message}"):
        check_record_outputs(wrong)
    check_record_outputs(record_reference)  # the checker cleaned up: the next try can pass


def record_with_except_and_raise(module, run):  # an except that re-raises is fine
    outputs = []
    handle = module.register_forward_hook(lambda _m, _i, output: outputs.append(output.detach()))
    try:
        run()
    except Exception:
        handle.remove()
        raise
    handle.remove()
    return outputs


def record_clone_of_detached(module, run):
    outputs = []
    handle = module.register_forward_hook(lambda _m, _i, output: outputs.append(output.detach().clone().double()))
    try:
        run()
    finally:
        handle.remove()
    return outputs


@pytest.mark.parametrize("answer", [record_with_except_and_raise, record_clone_of_detached])
def test_record_outputs_accepts_more(answer, capsys):
    check_record_outputs(answer)
    assert "Correct!" in capsys.readouterr().out


def rollout_without_keepdim(matrices, keep=0.5):  # vit-explain: a / a.sum(dim=-1)
    identity = torch.eye(matrices[0].shape[-1], dtype=matrices[0].dtype)
    result = identity
    for matrix in matrices:
        mixed = 0.5 * matrix + 0.5 * identity
        result = (mixed / mixed.sum(dim=-1)) @ result
    return result


def rollout_without_keepdim_loop_over_batch(matrices, keep=0.5):  # the same slip, never B = 1: a broadcasting error
    return torch.stack([rollout_without_keepdim([m[b : b + 1] for m in matrices])[0] for b in range(len(matrices[0]))])


def rollout_without_keepdim_batched(matrices, keep=0.5):  # unsqueeze(-1) forgotten, then the batch makes it fail
    identity = torch.eye(matrices[0].shape[-1], dtype=matrices[0].dtype)
    result = identity
    for matrix in matrices:
        mixed = 0.5 * matrix + 0.5 * identity
        mixed = mixed / (mixed.sum(dim=-1, keepdim=True) if len(matrix) == 1 else mixed.sum(dim=-1))
        result = mixed @ result
    return result


@pytest.mark.parametrize(
    ("wrong", "message"),
    [
        (rollout_without_keepdim, "without keepdim=True"),
        (rollout_without_keepdim_loop_over_batch, "without keepdim=True"),
        (rollout_without_keepdim_batched, "raised RuntimeError.*needs keepdim=True"),
        (rollout_normalise_columns, "normalised the columns"),
        (rollout_normalise_before_mixing, "before adding the identity"),
    ],
)
def test_rollout_names_the_reviewed_slips(wrong, message):
    with pytest.raises(ExerciseFailed, match=f"^Not yet: .*{message}"):
        check_rollout(wrong)


@pytest.mark.parametrize(
    "wrong",
    [
        lambda w, r, c: w[..., 0, 2:].reshape(*w.shape[:2], r, c),
        lambda w, r, c: w[:, :, 0, 2:].view(w.shape[0], w.shape[1], r, c),
        lambda w, r, c: w[..., 0, 2:].unflatten(-1, (r, c)),
    ],
)
def test_grid_names_the_deit_habit(wrong):
    with pytest.raises(ExerciseFailed, match=r"^Not yet: .*distilled DeiT") as failed:
        check_class_token_grid(wrong)
    assert "RuntimeError" not in str(failed.value) and "is invalid for input" not in str(failed.value)


# ----------------------------------------------------------------------------- second review's slips


def record_popping_the_last_hook(module, run):  # popitem() removes the last hook registered, not necessarily ours
    outputs = []
    module.register_forward_hook(lambda _m, _i, output: outputs.append(output.detach()))
    try:
        run()
    finally:
        module._forward_hooks.popitem()
    return outputs


def test_record_outputs_refuses_popitem():
    with pytest.raises(ExerciseFailed, match=r"^Not yet: .*registered after yours.*popitem"):
        check_record_outputs(record_popping_the_last_hook)
    check_record_outputs(record_reference)  # the checker cleaned up: the next try can pass


def _product(layers, identity):
    result = identity
    for layer in layers:
        result = layer @ result
    return result


def rollout_chefer(matrices, keep=0.5):  # Chefer's accumulation in place of rollout
    identity = torch.eye(matrices[0].shape[-1], dtype=matrices[0].dtype)
    result = identity
    for matrix in matrices:
        result = result + matrix @ result
    return result


def rollout_plus_identity(matrices, keep=0.5):  # A + I, never halved nor re-normalised
    identity = torch.eye(matrices[0].shape[-1], dtype=matrices[0].dtype)
    return _product([m + identity for m in matrices], identity)


def rollout_first_layer_raw(matrices, keep=0.5):  # R = A_0, then only the later layers mixed
    identity = torch.eye(matrices[0].shape[-1], dtype=matrices[0].dtype)
    result = matrices[0]
    for matrix in matrices[1:]:
        mixed = 0.5 * matrix + 0.5 * identity
        result = (mixed / mixed.sum(-1, keepdim=True)) @ result
    return result


def rollout_first_layer_normalised(matrices, keep=0.5):
    identity = torch.eye(matrices[0].shape[-1], dtype=matrices[0].dtype)
    result = matrices[0] / matrices[0].sum(-1, keepdim=True)
    for matrix in matrices[1:]:
        mixed = 0.5 * matrix + 0.5 * identity
        result = (mixed / mixed.sum(-1, keepdim=True)) @ result
    return result


def rollout_plus_identity_normalised(matrices, keep=0.5):  # (A + I) re-normalised: right when keep is 0.5
    identity = torch.eye(matrices[0].shape[-1], dtype=matrices[0].dtype)
    return _product([(m + identity) / (m + identity).sum(-1, keepdim=True) for m in matrices], identity)


@pytest.mark.parametrize(
    ("wrong", "message"),
    [
        (rollout_chefer, r"\(A \+ I\) through the layers without halving.*Chefer"),
        (rollout_plus_identity, r"\(A \+ I\) through the layers without halving.*Chefer"),
        (rollout_first_layer_raw, "first layer's matrix as it is"),
        (rollout_first_layer_normalised, "first layer's matrix \\(rows normalised\\)"),
    ],
)
def test_rollout_names_the_second_review_slips(wrong, message):
    with pytest.raises(ExerciseFailed, match=f"^Not yet: .*{message}"):
        check_rollout(wrong)


def test_rollout_accepts_a_plus_i_renormalised_only_for_keep_one_half():
    with pytest.raises(ExerciseFailed, match=r"keep = 0\.8: you mixed half and half whatever keep is"):
        check_rollout(rollout_plus_identity_normalised)  # right on the first three cases (keep = 0.5)


def rollout_keep_swapped(matrices, keep):
    return rollout_reference(matrices, 1 - keep)


def test_rollout_names_a_swapped_keep():
    with pytest.raises(ExerciseFailed, match=r"keep = 0\.8: you swapped the weights"):
        check_rollout(rollout_keep_swapped)


def grid_deit_einops(w, r, c):
    from einops import rearrange

    return rearrange(w[..., 0, 2:], "b h (r c) -> b h r c", r=r, c=c)


def grid_deit_einops_rows_only(w, r, c):
    from einops import rearrange

    return rearrange(w[..., 0, 2:], "b h (r c) -> b h r c", r=r)


def grid_square_root(w, r, c):  # the side from sqrt(N - 1): right on square grids only
    side = int((w.shape[-1] - 1) ** 0.5)
    return w[..., 0, 1:].reshape(*w.shape[:2], side, side)


def grid_square_root_isqrt(w, r, c):
    import math

    side = math.isqrt(w.shape[-1] - 1)
    return w[:, :, 0, 1 : 1 + side * side].reshape(w.shape[0], w.shape[1], side, side)


@pytest.mark.parametrize("wrong", [grid_deit_einops, grid_deit_einops_rows_only])
def test_grid_names_the_deit_habit_through_einops(wrong):
    with pytest.raises(ExerciseFailed, match=r"^Not yet: .*distilled DeiT"):
        check_class_token_grid(wrong)


@pytest.mark.parametrize("wrong", [grid_square_root, grid_square_root_isqrt])
def test_grid_names_the_square_root_slip(wrong):
    with pytest.raises(ExerciseFailed, match=r"^Not yet: .*sqrt\(N - 1\)"):
        check_class_token_grid(wrong)


# ----------------------------------------------------------------------------- third review: heads fused, re-normalised


@pytest.mark.parametrize(
    "wrong",
    [
        lambda w, r, c: w[:, :, 0, 1:].mean(1).reshape(w.shape[0], r, c),  # (B, rows, cols)
        lambda w, r, c: w.mean(1, keepdim=True)[:, :, 0, 1:].reshape(w.shape[0], 1, r, c),  # (B, 1, rows, cols)
        lambda w, r, c: w.mean(1, keepdim=True)[:, :, 0, 1:].unflatten(-1, (r, c)).expand(-1, w.shape[1], -1, -1),
        lambda w, r, c: w[:, :, 0, 1:].sum(1).reshape(w.shape[0], r, c),
    ],
)
def test_grid_names_heads_averaged(wrong):
    with pytest.raises(ExerciseFailed, match=r"^Not yet: .*(averaged|summed) the heads into one map"):
        check_class_token_grid(wrong)


@pytest.mark.parametrize("heads", [4, 2])
def test_grid_names_a_hard_coded_number_of_heads(heads):
    def wrong(w, r, c):
        return w[:, :, 0, 1:].reshape(w.shape[0], heads, r, c)  # the number of heads written in

    with pytest.raises(ExerciseFailed, match=r"^Not yet: .*number of heads is written into it.*weights\.shape\[1\]"):
        check_class_token_grid(wrong)


def grid_renormalised_in_place(w, r, c):
    patches = w[:, :, 0, 1:].clone()
    patches /= patches.sum(dim=-1, keepdim=True)
    return patches.reshape(*w.shape[:2], r, c)


@pytest.mark.parametrize(
    "wrong",
    [
        lambda w, r, c: (w[:, :, 0, 1:] / w[:, :, 0, 1:].sum(-1, keepdim=True)).reshape(*w.shape[:2], r, c),
        lambda w, r, c: torch.softmax(w[:, :, 0, 1:].log(), dim=-1).reshape(*w.shape[:2], r, c),
        grid_renormalised_in_place,
    ],
)
def test_grid_names_the_renormalised_slip(wrong):
    with pytest.raises(ExerciseFailed, match=r"^Not yet: .*re-normalised the patch weights"):
        check_class_token_grid(wrong)


def record_raw_under_no_grad(module, run):  # stores the raw output: "detached" only because no graph was built
    outputs = []
    handle = module.register_forward_hook(lambda _module, _inputs, output: outputs.append(output))
    try:
        with torch.no_grad():
            run()
    finally:
        handle.remove()
    return outputs


def record_returning_the_list(module, run):  # the hook returns the list (append's result would be None)
    outputs = []

    def hook(_module, _inputs, output):
        outputs.append(output.detach())
        return outputs

    handle = module.register_forward_hook(hook)
    try:
        run()
    finally:
        handle.remove()
    return outputs


def record_numpy_copies(module, run):
    outputs = []
    handle = module.register_forward_hook(lambda _m, _i, output: outputs.append(output.detach().numpy().copy()))
    try:
        run()
    finally:
        handle.remove()
    return outputs


@pytest.mark.parametrize(
    ("wrong", "message"),
    [
        (record_under_no_grad, "inside torch.no_grad"),
        (record_raw_under_no_grad, "inside torch.no_grad"),
        (record_returning_the_list, "your hook returned a list"),
        (record_numpy_copies, "return a list of tensors"),
    ],
)
def test_record_outputs_names_the_third_review_slips(wrong, message):
    with pytest.raises(ExerciseFailed, match=f"^Not yet: .*{message}"):
        check_record_outputs(wrong)
    check_record_outputs(record_reference)  # the checker cleaned up: the next try can pass


# ---------------------------------------------- fourth review: isqrt rows, a fresh list

import math  # noqa: E402

from einops import rearrange  # noqa: E402


@pytest.mark.parametrize(
    "wrong",
    [
        lambda w, r, c: rearrange(w[..., 0, 1:], "b h (r c) -> b h r c", r=math.isqrt(w.shape[-1] - 1)),
        lambda w, r, c: w[..., 0, 1:].reshape(w.shape[0], w.shape[1], math.isqrt(r * c), -1),
    ],
)
def test_grid_names_rows_from_isqrt(wrong):
    with pytest.raises(ExerciseFailed, match=r"^Not yet: for a 5x3 patch grid .*isqrt\(N - 1\)"):
        check_class_token_grid(wrong)


def test_grid_cases_hold_a_tall_and_a_wide_grid():
    from vit_explained.exercises.lesson08 import GRID_CASES

    shapes = {(rows, cols) for _, _, rows, cols in GRID_CASES}
    assert any(r > c and math.isqrt(r * c) != r for r, c in shapes)  # tall, isqrt is not rows
    assert any(c >= 4 * r for r, c in shapes)  # wide


_module_list: list = []


def record_into_a_global(module, run):
    handle = module.register_forward_hook(lambda m, i, o: _module_list.append(o.detach()))
    try:
        run()
    finally:
        handle.remove()
    return _module_list


def record_into_a_default(module, run, store=[]):  # noqa: B006 (the slip under test)
    handle = module.register_forward_hook(lambda m, i, o: store.append(o.detach()))
    try:
        run()
    finally:
        handle.remove()
    return store


def hook_returns_the_list(module, run):
    stored = []
    handle = module.register_forward_hook(lambda m, i, o: stored.append(o.detach()) or stored)
    try:
        run()
    finally:
        handle.remove()
    return stored


@pytest.mark.parametrize("wrong", [record_into_a_global, record_into_a_default])
def test_record_outputs_names_a_list_that_outlives_the_call(wrong):
    _module_list.clear()
    with pytest.raises(ExerciseFailed, match=r"^Not yet: a second call .* outlives the call"):
        check_record_outputs(wrong)


def test_record_outputs_names_a_returned_list_in_one_short_line():
    with pytest.raises(ExerciseFailed) as caught:
        check_record_outputs(hook_returns_the_list)
    message = str(caught.value)
    assert "your hook returned a list of 1 item(s)" in message
    assert "\n" not in message and "tensor(" not in message


def test_rollout_names_an_assignment_into_an_expanded_identity():
    def assign_into_expanded(matrices, keep=0.5):
        batch, tokens, _ = matrices[0].shape
        eye = torch.eye(tokens, dtype=matrices[0].dtype)
        result = eye.expand(batch, tokens, tokens)
        for m in matrices:
            a = 0.5 * m + 0.5 * eye
            result[:] = a / a.sum(-1, keepdim=True) @ result
        return result

    with pytest.raises(ExerciseFailed, match=r"^Not yet: .*writes into torch\.eye\(N\)\.expand\(B, N, N\)"):
        check_rollout(assign_into_expanded)


def test_rollout_names_a_float32_identity_with_float64_matrices():
    def float32_identity(matrices, keep=0.5):
        eye = torch.eye(matrices[0].shape[-1])
        result = eye.expand_as(matrices[0])
        for m in matrices:
            a = 0.5 * m + 0.5 * eye
            result = a / a.sum(-1, keepdim=True) @ result
        return result

    with pytest.raises(ExerciseFailed, match=r"^Not yet: .*dtype=matrices\[0\]\.dtype"):
        check_rollout(float32_identity)


# --- fix round 7: answers that change their inputs in place are named (they corrupt the recorded weights) ---


def test_rollout_names_matrices_changed_in_place():
    def normalises_in_place(matrices, keep=0.5):
        result = torch.eye(matrices[0].shape[-1], dtype=matrices[0].dtype).repeat(matrices[0].shape[0], 1, 1)
        for m in matrices:
            m.mul_(0.5).add_(0.5 * torch.eye(m.shape[-1], dtype=m.dtype))
            result = m.div_(m.sum(-1, keepdim=True)) @ result
        return result

    with pytest.raises(ExerciseFailed, match=r"^Not yet: .*changed its input matrices in place"):
        check_rollout(normalises_in_place)


def test_grid_names_weights_changed_in_place():
    def zeroes_the_class_column(weights, rows, cols):
        weights[:, :, 0, 0] = 0
        return weights[:, :, 0, 1:].reshape(*weights.shape[:2], rows, cols)

    with pytest.raises(ExerciseFailed, match=r"^Not yet: .*changed its input weights in place"):
        check_class_token_grid(zeroes_the_class_column)


# ----------------------------------------------------------------------------- fix round 11: three more named slips


def rollout_with_softmax(matrices, keep=0.5):
    """Exercise 2 with a softmax where each row should be divided by its sum."""
    result = torch.eye(matrices[0].shape[-1], dtype=matrices[0].dtype)
    for m in matrices:
        result = (0.5 * m + 0.5 * torch.eye(m.shape[-1], dtype=m.dtype)).softmax(-1) @ result
    return result


def grid_last_row(weights, rows, cols):
    """Exercise 3 reading the last token's row instead of the class token's."""
    return weights[:, :, -1, 1:].reshape(*weights.shape[:2], rows, cols)


def test_rollout_names_a_softmax_for_the_row_sum():
    with pytest.raises(ExerciseFailed, match=r"^Not yet: .*with a softmax.*Divide each row by its sum"):
        check_rollout(rollout_with_softmax)


def test_grid_names_the_last_row():
    with pytest.raises(ExerciseFailed, match=r"^Not yet: .*took the last row.*row 0"):
        check_class_token_grid(grid_last_row)


# --- fix round 13: the DeiT slice left flat, a batch mean from a plain identity, A_bar re-normalised ----------


def grid_deit_flat(w, r, c):
    """Exercise 3: the DeiT slice, not reshaped onto the grid."""
    return w[..., 0, 2:]


def grid_flat(w, r, c):
    """Exercise 3: the right columns, not reshaped onto the grid."""
    return w[..., 0, 1:].clone()


def test_grid_names_the_deit_slice_left_flat():
    with pytest.raises(ExerciseFailed, match=r"^Not yet: .*\[\.\.\., 0, 2:\].*distilled DeiT.*reshape"):
        check_class_token_grid(grid_deit_flat)


def test_grid_names_weights_left_flat():
    with pytest.raises(ExerciseFailed, match=r"^Not yet: .*still flat: reshape"):
        check_class_token_grid(grid_flat)


# ----------------------------------------------------------------------------- session 5: a list, float64 kept


def record_as_tuple(module, run):  # the exercise asks for the list
    return tuple(record_reference(module, run))


def test_record_outputs_refuses_a_tuple():
    with pytest.raises(ExerciseFailed, match="you returned a tuple"):
        check_record_outputs(record_as_tuple)


def rollout_in_float32(matrices, keep=0.5):  # right values, float64 matrices computed in float32
    result = torch.eye(matrices[0].shape[-1])
    for matrix in reversed(matrices):
        result = result @ _mixed(matrix.float())
    return result


def grid_in_float32(w, r, c):
    return w[:, :, 0, 1:].float().reshape(w.shape[0], w.shape[1], r, c)


@pytest.mark.parametrize(
    ("checker", "wrong"),
    [
        (check_rollout, rollout_in_float32),
        (check_class_token_grid, grid_in_float32),
    ],
)
def test_float64_inputs_need_a_float64_answer(checker, wrong):
    if isinstance(checker, str):
        from vit_explained.exercises import lesson08

        checker = getattr(lesson08, checker)
    with pytest.raises(ExerciseFailed, match="but the inputs are float64: keep the inputs' dtype") as failure:
        checker(wrong)
    # each exercise's own causes: only rollout builds an identity (exercise 3 has no torch.eye to name)
    assert ("torch.eye" in str(failure.value)) == (checker is check_rollout)


def test_float32_weights_may_give_a_float64_grid(capsys):
    check_class_token_grid(lambda w, r, c: w[:, :, 0, 1:].double().reshape(w.shape[0], w.shape[1], r, c))
    assert "Correct!" in capsys.readouterr().out


# ----------------------------------------------------------------------------- session 5 review: three more slips


def rollout_whole_matrix_sum(matrices, keep=0.5):
    """Exercise 2: each mixed matrix divided by the sum of all its weights."""
    result = torch.eye(matrices[0].shape[-1], dtype=matrices[0].dtype)
    for m in matrices:
        mixed = keep * torch.eye(m.shape[-1], dtype=m.dtype) + (1 - keep) * m
        result = mixed / mixed.sum((-2, -1), keepdim=True) @ result
    return result


def rollout_whole_matrix_sum_scaled(matrices, keep=0.5):
    """Exercise 2: divided by the whole matrix's sum, then scaled by N."""
    result = torch.eye(matrices[0].shape[-1], dtype=matrices[0].dtype)
    for m in matrices:
        mixed = keep * torch.eye(m.shape[-1], dtype=m.dtype) + (1 - keep) * m
        result = mixed / mixed.sum((-2, -1), keepdim=True) * m.shape[-1] @ result
    return result


@pytest.mark.parametrize("wrong", [rollout_whole_matrix_sum, rollout_whole_matrix_sum_scaled])
def test_rollout_names_a_whole_matrix_sum(wrong):
    with pytest.raises(ExerciseFailed, match=r"^Not yet: .*sum of all its weights.*keepdim=True"):
        check_rollout(wrong)


# fix round 2: slips the reviewer named


def _record_every_submodule(module, run):
    outputs = []
    handles = [m.register_forward_hook(lambda _m, _i, out: outputs.append(out.detach())) for m in module.modules()]
    try:
        run()
    finally:
        for handle in handles:
            handle.remove()
    return outputs


def test_record_outputs_names_a_hook_on_every_submodule():
    with pytest.raises(ExerciseFailed, match="hooked every submodule"):
        check_record_outputs(_record_every_submodule)


def _mixed_layers(matrices, keep):
    identity = torch.eye(matrices[0].shape[-1], dtype=matrices[0].dtype)
    return [
        (keep * identity + (1 - keep) * m) / (keep * identity + (1 - keep) * m).sum(-1, keepdim=True) for m in matrices
    ]


def _rollout_from_zeros(matrices, keep):
    result = torch.zeros_like(matrices[0])
    for layer in _mixed_layers(matrices, keep):
        result = layer @ result
    return result


def _rollout_averaged(matrices, keep):
    layers = _mixed_layers(matrices, keep)
    return sum(layers) / len(layers)


def _rollout_elementwise(matrices, keep):
    result = torch.eye(matrices[0].shape[-1], dtype=matrices[0].dtype).expand_as(matrices[0])
    for layer in _mixed_layers(matrices, keep):
        result = layer * result
    return result


@pytest.mark.parametrize(
    "wrong, message",
    [
        (_rollout_from_zeros, "started R from zeros"),
        (_rollout_averaged, "averaged the layers"),
        (_rollout_elementwise, "multiplied elementwise"),
    ],
)
def test_rollout_names_zeros_average_and_elementwise(wrong, message):
    with pytest.raises(ExerciseFailed, match=message):
        check_rollout(wrong)


def test_grid_names_a_second_softmax():
    def wrong(weights, rows, cols):
        return weights[:, :, 0, 1:].softmax(-1).reshape(weights.shape[0], weights.shape[1], rows, cols)

    with pytest.raises(ExerciseFailed, match="second softmax"):
        check_class_token_grid(wrong)


# --- fix round 3: a list of per-image results (exercise 2); row 1, all rows, the first image (exercise 3) ----------


def _per_image_rollout(matrices, keep=0.5):
    identity = torch.eye(matrices[0].shape[-1], dtype=matrices[0].dtype)
    result = identity.expand_as(matrices[0])
    for a in matrices:
        mixed = keep * identity + (1 - keep) * a
        result = mixed / mixed.sum(-1, keepdim=True) @ result
    return list(result)  # one (N, N) tensor per image


@pytest.mark.parametrize("container", [list, tuple])
def test_rollout_refuses_a_python_list_of_per_image_tensors(container):
    def wrong(matrices, keep=0.5):
        return container(_per_image_rollout(matrices, keep))

    with pytest.raises(ExerciseFailed, match=rf"returned a Python {container.__name__}, not a tensor.*torch.stack"):
        check_rollout(wrong)


def test_rollout_still_accepts_a_numpy_array(capsys):
    check_rollout(lambda matrices, keep=0.5: torch.stack(_per_image_rollout(matrices, keep)).numpy())
    assert "Correct!" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("wrong", "message"),
    [
        (lambda w, r, c: w[:, :, 1, 1:].reshape(*w.shape[:2], r, c), r"took row 1, a patch's row"),
        (lambda w, r, c: w[:, :, 1:, 1:].mean(2).reshape(*w.shape[:2], r, c), r"mean over all query rows"),
        (lambda w, r, c: w[..., 1:].mean(-2).reshape(*w.shape[:2], r, c), r"mean over all query rows"),
        (
            lambda w, r, c: w[:1, :, 0, 1:].expand(w.shape[0], -1, -1).reshape(*w.shape[:2], r, c),
            r"broadcast the first image to the batch \(mixed the images\)",
        ),
    ],
)
def test_grid_names_row_one_all_rows_and_the_first_image(wrong, message):
    with pytest.raises(ExerciseFailed, match=message):
        check_class_token_grid(wrong)


def test_vit_explain_examples_ship_and_plot_offline():
    """The photo example of section 6 is package data (pyproject's ``checkpoints/*``), with its licence and source."""
    from matplotlib.figure import Figure

    from vit_explained.plotting.lesson08 import VIT_EXPLAIN_EXAMPLES, plot_vit_explain_examples

    folder = VIT_EXPLAIN_EXAMPLES.parent
    assert VIT_EXPLAIN_EXAMPLES.is_file() and VIT_EXPLAIN_EXAMPLES.stat().st_size < 150_000
    licence = (folder / "vit_explain_LICENSE.txt").read_text()
    assert "MIT License" in licence and "Copyright (c) 2020 Jacob Gildenblat" in licence
    assert "15a81d3" in (folder / "vit_explain_README.md").read_text()
    assert "checkpoints/*" in (folder.parents[1] / "pyproject.toml").read_text()  # installed as package data
    fig = plot_vit_explain_examples()
    assert isinstance(fig, Figure) and len(fig.axes) == 5
    assert "Not computed here" in fig._suptitle.get_text()


def _record_with_backward_hook(hook_register):
    def record(module, run):
        stored = []
        handle = getattr(module, hook_register)(lambda _module, _grad_in, grad_out: stored.append(grad_out[0].detach()))
        try:
            run()
        finally:
            handle.remove()
        return stored

    return record


@pytest.mark.parametrize("register", ["register_full_backward_hook", "register_backward_hook"])
def test_record_outputs_names_a_backward_hook(register):
    with pytest.raises(
        ExerciseFailed,
        match=r"backward hook runs during backward\(\), not during the forward pass.*Use register_forward_hook",
    ):
        check_record_outputs(_record_with_backward_hook(register))
    check_record_outputs(record_reference)  # the checker cleaned up: the next try can pass


# ----------------------------------------------------------------------------- exercise 2: three more named slips


def _rollout_with(matrices, keep=0.5, *, mix=None, each=None, result=None):
    """A rollout with one step changed: mix (the per-layer mixing), each (a change to each matrix), result."""
    batch, tokens, _ = matrices[0].shape
    identity = torch.eye(tokens, dtype=matrices[0].dtype)
    rolled = identity.expand(batch, tokens, tokens)
    for m in matrices:
        m = each(m) if each else m
        mixed = mix(m, identity) if mix else keep * identity + (1 - keep) * m
        rolled = mixed / mixed.sum(-1, keepdim=True) @ rolled
    return result(rolled) if result else rolled


@pytest.mark.parametrize(
    ("wrong", "message"),
    [
        (
            lambda ms, keep=0.5: _rollout_with(ms, keep, each=lambda m: m.mean(0, keepdim=True).expand_as(m)),
            "averaged over the batch",
        ),
        (
            lambda ms, keep=0.5: _rollout_with(ms, keep, result=lambda r: r.mean(0, keepdim=True).expand_as(r)),
            "averaged over the batch",
        ),
        (lambda ms, keep=0.5: _rollout_with(ms, keep, mix=lambda m, i: m + keep * i), r"without \(1 - keep\)"),
        (lambda ms, keep=0.5: _rollout_with(ms, keep, result=lambda r: r.transpose(-2, -1)), "transposed"),
        (lambda ms, keep=0.5: _rollout_with(ms, keep, result=lambda r: r.mT.contiguous()), "transposed"),
    ],
)
def test_rollout_names_batch_average_missing_weight_and_transpose(wrong, message):
    with pytest.raises(ExerciseFailed, match=f"^Not yet: .*{message}"):
        check_rollout(wrong)


def rollout_with_n_written_in(matrices, keep=0.5):  # torch.eye(50): the lesson's N, hard-coded
    identity = torch.eye(50, dtype=matrices[0].dtype)
    result = identity
    for matrix in matrices:
        mixed = keep * identity + (1 - keep) * matrix
        result = (mixed / mixed.sum(-1, keepdim=True)) @ result
    return result


def rollout_with_n_written_in_expanded(matrices, keep=0.5):  # the same, the identity expanded to the batch first
    result = torch.eye(50, dtype=matrices[0].dtype).expand(len(matrices[0]), 50, 50)
    for matrix in matrices:
        mixed = keep * torch.eye(50, dtype=matrix.dtype) + (1 - keep) * matrix
        result = (mixed / mixed.sum(-1, keepdim=True)) @ result
    return result


def rollout_with_n_written_in_expand_as(matrices, keep=0.5):  # torch.eye(50).expand_as(...): "expanded size" error
    result = torch.eye(50, dtype=matrices[0].dtype).expand_as(matrices[0])
    for matrix in matrices:
        mixed = keep * torch.eye(len(matrix[0]), dtype=matrix.dtype) + (1 - keep) * matrix
        result = (mixed / mixed.sum(-1, keepdim=True)) @ result
    return result


@pytest.mark.parametrize(
    "wrong", [rollout_with_n_written_in, rollout_with_n_written_in_expanded, rollout_with_n_written_in_expand_as]
)
def test_rollout_names_a_hard_coded_token_count_not_keepdim(wrong):
    with pytest.raises(ExerciseFailed, match=r"token count is written into your function") as failed:
        check_rollout(wrong)
    assert "keepdim" not in str(failed.value)


def test_rollout_keepdim_hint_needs_the_one_image_slip_or_the_batch_size():
    from vit_explained.exercises.lesson08 import _KEEPDIM_HINT, _rollout_hint

    matrices = [torch.rand(2, 5, 5, dtype=torch.float64) for _ in range(2)]
    try:
        rollout_without_keepdim(matrices)
    except RuntimeError as error:
        batch_error = error
    assert _rollout_hint(batch_error, rollout_without_keepdim, matrices) == _KEEPDIM_HINT  # (B, N, N) / (B, N)
    try:
        rollout_with_n_written_in(matrices)
    except RuntimeError as error:
        eye_error = error
    assert _rollout_hint(eye_error, rollout_with_n_written_in, matrices) != _KEEPDIM_HINT
    assert _rollout_hint(eye_error) is None  # without the learner's function, no guess


def record_with_pre_hook(module, run):  # a forward pre-hook: it sees the inputs, never the output
    stored = []
    handle = module.register_forward_pre_hook(lambda _module, inputs: stored.append(inputs[0].detach()))
    try:
        run()
    finally:
        handle.remove()
    return stored


def record_with_pre_hook_tuple(module, run):  # the same, storing the inputs' tuple
    stored = []
    handle = module.register_forward_pre_hook(lambda _module, inputs: stored.append(inputs))
    try:
        run()
    finally:
        handle.remove()
    return stored


@pytest.mark.parametrize("wrong", [record_with_pre_hook, record_with_pre_hook_tuple])
def test_record_outputs_names_register_forward_pre_hook(wrong):
    with pytest.raises(ExerciseFailed, match=r"register_forward_pre_hook .*use register_forward_hook"):
        check_record_outputs(wrong)


def grid_written_in(w, r, c):  # the lesson's 7x7 grid written into the function
    return w[:, :, 0, 1:].reshape(w.shape[0], w.shape[1], 7, 7)


def test_class_token_grid_names_a_grid_written_in():
    with pytest.raises(ExerciseFailed, match=r"^Not yet: .*the grid is written in; use rows, cols"):
        check_class_token_grid(grid_written_in)


def test_class_token_grid_refuses_a_list_as_exercise_2_does():
    def a_list(w, r, c):
        return list(w[:, :, 0, 1:].reshape(w.shape[0], w.shape[1], r, c))

    with pytest.raises(ExerciseFailed, match=r"returned a Python list, not a tensor"):
        check_class_token_grid(a_list)


def record_and_scale_in_place(module, run):  # the hook changes the model's own output
    stored = []

    def hook(_module, _inputs, output):
        output.mul_(2)
        stored.append(output.detach())

    handle = module.register_forward_hook(hook)
    try:
        run()
    finally:
        handle.remove()
    return stored


def test_record_outputs_names_an_output_changed_in_place():
    with pytest.raises(ExerciseFailed, match=r"the rows no longer sum to 1: your hook changed the output in place"):
        check_record_outputs(record_and_scale_in_place)


def rollout_skipping_the_first(matrices, keep=0.5):
    return rollout_reference(matrices[1:], keep)


def rollout_skipping_the_last(matrices, keep=0.5):
    return rollout_reference(matrices[:-1], keep)


@pytest.mark.parametrize(
    ("wrong", "message"),
    [
        (rollout_skipping_the_first, r"your rollout skips the first of the 3 layers"),
        (rollout_skipping_the_last, r"your rollout skips the last of the 3 layers"),
    ],
)
def test_rollout_names_a_skipped_layer(wrong, message):
    with pytest.raises(ExerciseFailed, match=message):
        check_rollout(wrong)


# --- fix round 08b: exercise 3's messages name the slip, not the answer's slice ---------------------------------


@pytest.mark.parametrize(
    "wrong",
    [
        lambda w, r, c: w[..., 1, 1:].reshape(*w.shape[:2], r, c),  # row 1
        lambda w, r, c: w[..., :, 1:].mean(-2).reshape(*w.shape[:2], r, c),  # every query row, averaged
        lambda w, r, c: w[:1, :, 0, 1:].expand(w.shape[0], -1, -1).reshape(*w.shape[:2], r, c),  # the first image
        lambda w, r, c: w[..., -1, 1:].reshape(*w.shape[:2], r, c),  # the last row
    ],
)
def test_grid_messages_do_not_print_the_solution_slice(wrong):
    with pytest.raises(ExerciseFailed) as failure:
        check_class_token_grid(wrong)
    message = str(failure.value)
    assert "row" in message or "image" in message
    assert "0, 1:]" not in message, message  # neither weights[..., 0, 1:] nor weights[:, :, 0, 1:]


# ----------------------------------------------------------------------------- review r34a minor 4: two misjudgements


def record_returning_in_finally(module, run):  # return inside finally cancels run()'s exception
    outputs = []
    handle = module.register_forward_hook(lambda _m, _i, output: outputs.append(output.detach()))
    try:
        run()
    finally:
        handle.remove()
        return outputs  # noqa: B012


def record_in_half_precision(module, run):  # a float16 copy, not the module's float32 output
    outputs = []
    handle = module.register_forward_hook(lambda _m, _i, output: outputs.append(output.detach().half()))
    try:
        run()
    finally:
        handle.remove()
    return outputs


def record_in_bfloat16(module, run):
    outputs = []
    handle = module.register_forward_hook(lambda _m, _i, output: outputs.append(output.detach().to(torch.bfloat16)))
    try:
        run()
    finally:
        handle.remove()
    return outputs


@pytest.mark.parametrize(
    ("wrong", "message"),
    [
        (record_returning_in_finally, "a return inside finally cancels the exception"),
        (record_in_half_precision, "item 0 is float16, a lower precision than the module's output \\(float32\\)"),
        (record_in_bfloat16, "item 0 is bfloat16, a lower precision"),
    ],
)
def test_record_outputs_names_a_return_in_finally_and_a_lowered_dtype(wrong, message):
    with pytest.raises(ExerciseFailed, match=f"^Not yet: .*{message}"):
        check_record_outputs(wrong)
    check_record_outputs(record_reference)  # the checker cleaned up: the next try can pass


def test_record_outputs_still_names_an_except_that_passes():
    """The return-in-finally message is only for a return inside finally; except: pass keeps its own."""
    with pytest.raises(ExerciseFailed, match="an except that passes") as caught:
        check_record_outputs(record_swallowing_the_error)
    assert "return inside finally" not in str(caught.value)


@pytest.mark.parametrize("answer", [record_reference, record_clone_of_detached, record_with_except_and_raise])
def test_record_outputs_still_accepts_a_kept_or_raised_dtype(answer, capsys):
    check_record_outputs(answer)  # float32 as it is, or upcast to float64: both the output's values
    assert "Correct!" in capsys.readouterr().out

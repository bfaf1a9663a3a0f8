"""Lesson 08 fix round t: exercise 1's checker names a transformed output and a hook on module.attend."""

import pytest

from vit_explained.exercises import ExerciseFailed
from vit_explained.exercises.lesson08 import check_record_outputs


def _record(transform, target=lambda module: module):
    def record_outputs(module, run):
        outputs = []
        handle = target(module).register_forward_hook(lambda _m, _i, output: outputs.append(transform(output.detach())))
        try:
            run()
        finally:
            handle.remove()
        return outputs

    return record_outputs


def test_softmax_applied_again_is_named():
    with pytest.raises(ExerciseFailed, match=r"transformed the output \(e\.g\. softmax applied again\)"):
        check_record_outputs(_record(lambda output: output.softmax(-1)))


def test_hooking_module_attend_says_module_is_the_softmax():
    with pytest.raises(ExerciseFailed, match="module is the softmax itself"):
        check_record_outputs(_record(lambda output: output, target=lambda module: module.attend))


def test_the_reference_still_passes(capsys):
    check_record_outputs(_record(lambda output: output))
    assert "Correct!" in capsys.readouterr().out

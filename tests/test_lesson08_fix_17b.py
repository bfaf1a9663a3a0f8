"""Lesson 08, fix round 17b: exercise 6 names column 0 included in the argmax and rows where cols belongs;
exercise 4 names square patches (H // rows for the width); exercise 2 names an answer that ignores the
matrices before it looks at the dtype."""

from __future__ import annotations

import pytest
import torch
from test_lesson08_fix_17a import _rolled, _rows_cols


def _split_by_rows(weights, rows, cols):
    index = _rolled(weights)[:, 0, 1:].argmax(-1)
    return torch.stack([index // rows, index % rows], dim=-1)


@pytest.mark.parametrize(
    ("slip", "named"),
    [
        (lambda w, r, c: _rows_cols(_rolled(w)[:, 0].argmax(-1) - 1, c), "you included column 0 in the argmax"),
        (lambda w, r, c: _rows_cols(_rolled(w)[:, 0].argmax(-1), c), "column 0, the class token itself"),
        (_split_by_rows, "row = index // cols and col = index % cols"),
    ],
)
def test_max_fusion_names_column_0_and_the_rows_cols_swap(slip, named):
    from vit_explained.exercises import ExerciseFailed
    from vit_explained.exercises.lesson08 import check_max_fusion_top_patch

    with pytest.raises(ExerciseFailed, match=f"Not yet: .*{named}"):
        check_max_fusion_top_patch(slip)


def _square_patch_curve(model, images, labels, scores, counts):
    batch, (rows, cols), height = len(images), scores.shape[-2:], images.shape[-2]
    side = height // rows  # the slip: the width taken as H // rows too
    order = scores.flatten(1).sort(dim=-1, descending=True, stable=True).indices
    readings = []
    for k in counts:
        shown = torch.zeros(batch, rows * cols, dtype=images.dtype).scatter(1, order[:, :k], 1.0)
        mask = shown.reshape(batch, 1, rows, cols).repeat_interleave(side, -2).repeat_interleave(side, -1)
        with torch.no_grad():
            readings.append(model(images * mask).softmax(-1)[torch.arange(batch), labels])
    return torch.stack(readings, 1)


def test_insertion_names_square_patches():
    from vit_explained.exercises import ExerciseFailed
    from vit_explained.exercises.lesson08 import check_insertion_curve

    with pytest.raises(ExerciseFailed, match=r"Not yet: .*it seems to use H // rows for both sides.*W // cols"):
        check_insertion_curve(_square_patch_curve)


@pytest.mark.parametrize("dtype", [torch.float32, None])
def test_rollout_names_the_identity_alone_before_the_dtype(dtype):
    from vit_explained.exercises import ExerciseFailed
    from vit_explained.exercises.lesson08 import check_rollout

    def identity(matrices, keep=0.5):
        n = matrices[0].shape[-1]
        return torch.eye(n, dtype=dtype or matrices[0].dtype).expand(matrices[0].shape[0], n, n)

    with pytest.raises(ExerciseFailed, match=r"Not yet: .*other matrices give the identity again: your result does"):
        check_rollout(identity)


def test_top_patch_summary_reads_the_table():
    from vit_explained.attention_maps import TopPatches

    rows = [
        (0, 0, (1, 1), 0.9, True),
        (0, 1, (0, 0), 0.05, False),
        (1, 0, (2, 2), 0.2, True),
        (1, 1, (0, 1), 0.3, False),
    ]
    lines = TopPatches(rows, "").summary(0.1, cut="5/49").splitlines()
    assert lines == [
        "peaked (top above 5/49 = 0.10): 3 of 4, tops 0.20 to 0.90",
        "top patches without ink (*): 2 of 4, their top weights 0.05 to 0.30",
        "top patches on ink: their top weights 0.20 to 0.90; 1 of 2 above 0.30",
    ]

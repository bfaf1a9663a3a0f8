"""Lesson 01, fix round w: the evidence in an appendix notebook, Eq. 1, one token by hand, strict answer types."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from vit_explained.exercises import ExerciseFailed
from vit_explained.exercises.lesson01 import (
    check_conv_to_linear,
    check_interpolate_positions,
    check_patchify,
    check_token_count,
)

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
LESSON = NOTEBOOKS / "01_patches_and_embeddings.ipynb"
APPENDIX = NOTEBOOKS / "01_patches_and_embeddings_appendix.ipynb"


def _cells(path: Path) -> list[dict]:
    return json.loads(path.read_text())["cells"]


def _sources(path: Path) -> list[str]:
    return ["".join(cell["source"]) for cell in _cells(path)]


def _patchify(images: torch.Tensor, patch_size: tuple[int, int]) -> torch.Tensor:
    (ph, pw), (b, c, h, w) = patch_size, images.shape
    grid = images.reshape(b, c, h // ph, ph, w // pw, pw).permute(0, 2, 4, 3, 5, 1)
    return grid.reshape(b, (h // ph) * (w // pw), ph * pw * c)


def _conv_to_linear(weight: torch.Tensor) -> torch.Tensor:
    return weight.permute(0, 2, 3, 1).reshape(weight.shape[0], -1)


def _resize(pos: torch.Tensor, old: tuple[int, int], new: tuple[int, int]) -> torch.Tensor:
    grid = pos[:, 1:].reshape(1, *old, -1).permute(0, 3, 1, 2)
    resized = F.interpolate(grid, size=new, mode="bilinear", align_corners=False)
    return torch.cat([pos[:, :1], resized.permute(0, 2, 3, 1).reshape(1, new[0] * new[1], -1)], dim=1)


def _count(h: int, w: int, ph: int, pw: int) -> int:
    return (h // ph) * (w // pw) + 1


@pytest.mark.parametrize(
    ("check", "answer"),
    [
        (check_patchify, lambda images, p: _patchify(images, p).tolist()),
        (check_conv_to_linear, lambda weight: _conv_to_linear(weight).tolist()),
        (check_interpolate_positions, lambda pos, old, new: _resize(pos, old, new).tolist()),
    ],
)
def test_exercises_2_to_4_refuse_a_list(check, answer) -> None:
    with pytest.raises(ExerciseFailed) as failed:
        check(answer)
    assert "return a tensor, not a list" in str(failed.value)


@pytest.mark.parametrize(
    ("check", "answer"),
    [
        (check_patchify, lambda images, p: _patchify(images.double(), p)),
        (check_conv_to_linear, lambda weight: _conv_to_linear(weight).double()),
        (check_interpolate_positions, lambda pos, old, new: _resize(pos.double(), old, new)),
        (check_patchify, _patchify),
        (check_conv_to_linear, _conv_to_linear),
        (check_interpolate_positions, _resize),
    ],
)
def test_exercises_2_to_4_accept_tensors_float64_included(check, answer, capsys) -> None:
    check(answer)
    assert "Correct!" in capsys.readouterr().out


@pytest.mark.parametrize("answer", [_count, lambda *a: np.int64(_count(*a)), lambda *a: np.int32(_count(*a))])
def test_exercise_1_accepts_python_and_numpy_integers(answer, capsys) -> None:
    check_token_count(answer)
    assert "Correct!" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (
            lambda *a: torch.tensor([_count(*a)]),
            "return an int, not a tensor",
        ),  # 21i: a 0-d tensor passes, one axis does not
        (lambda *a: np.array([_count(*a)]), "return an int, not a tensor or array"),
        (lambda *a: True, "bool"),
        (lambda *a: float(_count(*a)), "float"),
    ],
)
def test_exercise_1_refuses_a_tensor_an_array_a_bool_and_a_float(answer, message) -> None:
    with pytest.raises(ExerciseFailed, match=message):
        check_token_count(answer)


def test_the_appendix_holds_the_statistics_and_runs_on_its_own() -> None:
    lesson, appendix = "\n".join(_sources(LESSON)), _sources(APPENDIX)
    for moved in ("shifted_positions_study(", "stored_table_scale(", "plot_position_structure("):
        assert moved not in lesson and any(moved in s for s in appendix), moved
    # round 17a: section 7 names the paper's resize (the words only); appendix B runs it
    assert "scipy.ndimage.zoom(" in "\n".join(appendix) and "import scipy" not in lesson
    assert "position_structure_report(mnist_vit).differences" in "\n".join(appendix)  # the uncorrected test
    setup = next(s for s in appendix if "mnist_vit = load_mnist_vit()" in s)  # its own model, digits and tables
    assert "correct = stored_resolution_run()" in setup and "tables = resolution_tables(" in setup
    assert any(s.startswith("import ") and "from vit_explained" in s for s in appendix)
    for anchor in ("appendix-a", "appendix-b", "appendix-c"):
        assert f"01_patches_and_embeddings_appendix.ipynb#{anchor})" in lesson, anchor
        assert any(s.startswith(f'<a id="{anchor}"></a>') for s in appendix), anchor


def test_the_nearest_neighbour_statistic_is_read_as_horizontal_2_d_structure() -> None:
    text = "\n".join(_sources(APPENDIX))  # round 18c: a learned table's index is only a label, not the 1-D order
    assert "24 of the 25 are left/right: horizontal neighbours. The index is only a label" in text
    assert "mostly the 1-D order" not in text


def test_section_7_keeps_the_two_headline_differences_printed() -> None:
    cells = _cells(LESSON)
    (cell,) = [c for c in cells if '"dimension": paired_difference(' in "".join(c["source"])]
    printed = "".join("".join(o.get("text", "")) for o in cell["outputs"])
    assert "2-D bicubic at 36x36 - trained at 28x28: -1.0 points, 99 % interval [-2.6, +0.5]" in printed
    assert "2-D bilinear - 1-D linear: +45.8 points, 99 % interval [+41.6, +50.2]" in printed
    assert "hide-output" not in cell["metadata"].get("tags", [])
    assert '"kernel"' not in "".join(cell["source"])  # the other three are in appendix B


def test_eq_1_is_displayed_with_its_symbols_mapped_and_checked() -> None:
    sources = _sources(LESSON)
    five, six = (next(i for i, s in enumerate(sources) if s.startswith(h)) for h in ("## 5 ·", "## 6 ·"))
    (eq,) = [i for i in range(five, six) if "its Eq. 1" in sources[i] and "$$z_0" in sources[i]]
    assert (
        r"E \in \mathbb{R}^{(P^2 C) \times D}" in sources[eq]
        and r"E_{pos} \in \mathbb{R}^{(N+1) \times D}" in sources[eq]
    )
    for tensor in ("`vit.class_token`", "`vit.pos_embedding`", "transposed"):
        assert tensor in sources[eq]
    assert "torch.testing.assert_close(z0, sequence)" in sources[eq + 1]


def test_one_token_by_hand_in_section_4() -> None:
    sources = _sources(LESSON)
    four, five = (next(i for i, s in enumerate(sources) if s.startswith(h)) for h in ("## 4 ·", "## 5 ·"))
    (cell,) = [i for i in range(four, five) if "conv.weight.flatten(1) @ patch + conv.bias" in sources[i]]
    assert "torch.allclose(token_by_hand, conv(x)[0, :, r, c]" in sources[cell]  # fix round x: printed
    assert "torch.testing.assert_close(token_by_hand, conv(x)[0, :, r, c])" in sources[cell + 1]  # and checked, hidden
    assert sources[cell - 1].startswith("**One token by hand.**")
    assert 'save_figure(fig, "01_kernel_layouts")' in sources[cell - 2]  # fix round z: right after the kernel picture


def test_the_mnist_vit_cross_references_agree_and_timm_has_its_version() -> None:
    sources = _sources(LESSON)
    head = next(s for s in sources if s.startswith("Left to right: the blocks"))  # 24d: looked up, not indexed
    assert "`vit_base_patch16_224` (versions: end of the lesson)" in head  # 21f
    assert "`vit_base_patch16_224` (timm 1.0.28" in next(s for s in sources if s.startswith("## Versions read"))
    assert any(s.startswith("## 6 ·") and "The small ViT of section 5" in s for s in sources)  # fix round x
    assert not re.search(r"Section 4's small ViT|section 5's trained model", "\n".join(sources))

"""Lesson 09, fix round x (review 16f): a self-contained visible flow, the widget's labelled ink shares,
and two named checker slips (exercise 2's fused logits, exercise 3's in-place mask)."""

from __future__ import annotations

import ast
import builtins
from pathlib import Path

import nbformat
import pytest
import torch
import torch.nn.functional as F

from tests.test_lesson09_learner import learner_forward
from vit_explained.exercises import ExerciseFailed, lesson09

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "09_deit_distillation.ipynb"


def _defined(tree: ast.AST) -> set[str]:
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names |= {(alias.asname or alias.name).split(".")[0] for alias in node.names}
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
    return names


def _used(tree: ast.AST) -> set[str]:
    return {node.id for node in ast.walk(tree) if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)}


def hidden_names_used_visibly(path: Path) -> list[str]:
    """Each name a visible code cell reads that only a hidden (hide-input) cell defined before it."""
    visible, hidden, found = set(dir(builtins)), {}, []
    for index, cell in enumerate(nbformat.read(path, as_version=4).cells):
        if cell.cell_type != "code":
            continue
        tree = ast.parse(cell.source)
        if "hide-input" in cell.metadata.get("tags", []):
            hidden.update({name: index for name in _defined(tree) - visible if name not in hidden})
            continue
        found += [
            f"cell {index} reads {name} (hidden cell {hidden[name]})"
            for name in sorted(_used(tree) - visible - _defined(tree))
            if name in hidden
        ]
        visible |= _defined(tree)
    return found


def test_visible_cells_read_no_name_defined_only_in_a_hidden_check():
    assert hidden_names_used_visibly(NOTEBOOK) == []


def test_hidden_cells_define_no_helpers():
    """Hidden cells check; the helpers the lesson runs are in the package or on screen."""
    for cell in nbformat.read(NOTEBOOK, as_version=4).cells:
        if cell.cell_type == "code" and "hide-input" in cell.metadata.get("tags", []):
            assert not any(isinstance(node, ast.FunctionDef) for node in ast.walk(ast.parse(cell.source))), cell.source[
                :80
            ]


def test_the_scan_catches_a_hidden_definition(tmp_path):
    notebook = nbformat.v4.new_notebook()
    hidden = nbformat.v4.new_code_cell("secret = 1\nassert secret")
    hidden.metadata["tags"] = ["hide-input"]
    notebook.cells = [nbformat.v4.new_code_cell("x = 2"), hidden, nbformat.v4.new_code_cell("print(secret + x)")]
    nbformat.write(notebook, tmp_path / "n.ipynb")
    assert hidden_names_used_visibly(tmp_path / "n.ipynb") == ["cell 2 reads secret (hidden cell 1)"]


def test_widget_labels_both_ink_shares_and_the_right_one_is_section_6s():
    from vit_explained.attention_maps import capture_attention, ink_share, token_attention
    from vit_explained.data import load_mnist
    from vit_explained.distill import load_mnist_deit
    from vit_explained.widgets.lesson09 import deit_attention_explorer

    model, data = load_mnist_deit(), load_mnist()
    images, labels = data.test_images[:4], data.test_labels[:4]
    w = deit_attention_explorer(model, images, labels, view="class | distillation", start=1)
    with capture_attention(model) as attentions, torch.no_grad():
        model(images)
    for digit in range(4):
        w.controls["digit"].value = digit
        for query, token in enumerate(("class", "distillation")):  # section 6: last block, heads averaged
            mean_map = token_attention(attentions[-1], model.grid, query=query, special_tokens=2)[digit].mean(0)
            share = float(ink_share(mean_map[None], images[digit : digit + 1])[0])
            row, col = divmod(int(mean_map.argmax()), model.grid[1])
            part = w.line.split(f"{token} token top patch, wrong slice ")[1].split(";")[0]
            assert part.endswith(f"on ink, right slice ({row}, {col}) {share:.0%} on ink"), part
    w.controls["start"].value = 2
    assert "wrong slice" not in w.line and "right slice" not in w.line


def _good_loss(class_logits, distillation_logits, labels, teacher_logits):
    return 0.5 * F.cross_entropy(class_logits, labels) + 0.5 * F.cross_entropy(
        distillation_logits, teacher_logits.argmax(-1)
    )


@pytest.mark.parametrize("fuse", [lambda c, d: (c + d) / 2, lambda c, d: c + d])
def test_exercise_2_names_the_fused_logits_slip(fuse):
    def answer(class_logits, distillation_logits, labels, teacher_logits):
        fused = fuse(class_logits, distillation_logits)
        return 0.5 * F.cross_entropy(class_logits, labels) + 0.5 * F.cross_entropy(fused, teacher_logits.argmax(-1))

    with pytest.raises(ExerciseFailed, match="the distillation term must use the distillation head's logits alone"):
        lesson09.check_hard_distillation(answer)
    lesson09.check_hard_distillation(_good_loss)


def _make_my_forward(in_place: bool):
    def make_my_forward(attn_obj):
        return learner_forward(attn_obj, in_place_not=in_place)

    return make_my_forward


def test_exercise_3_names_the_in_place_mask_change():
    lesson09.check_my_forward(_make_my_forward(in_place=False))
    with pytest.raises(ExerciseFailed, match="you changed the caller's attn_mask in place"):
        lesson09.check_my_forward(_make_my_forward(in_place=True))


def test_in_chunks_gives_the_unchunked_outputs_and_leaves_the_net_alone():
    from vit_explained.data import load_mnist
    from vit_explained.distill import in_chunks, load_mnist_cnn, load_mnist_deit

    images, teacher, model = load_mnist().test_images[:70], load_mnist_cnn(), load_mnist_deit()
    with torch.no_grad():
        whole, heads = teacher(images), model.forward_heads(images)
    assert torch.allclose(in_chunks(teacher, images, size=32), whole, atol=1e-5)
    fast = in_chunks(teacher, images, size=32, channels_last=True)
    assert torch.equal(fast.argmax(-1), whole.argmax(-1)) and torch.allclose(fast, whole, atol=1e-4)
    assert all(p.is_contiguous() for p in teacher.parameters())  # a copy went channels-last, not the teacher
    chunked = in_chunks(model.forward_heads, images, size=32)
    assert isinstance(chunked, tuple)
    assert all(torch.allclose(a, b, atol=1e-5) for a, b in zip(chunked, heads, strict=True))

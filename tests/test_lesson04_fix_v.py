"""Lesson 04, fix round v: the depth probe as visible code, the two norm claims apart, the training loss curves
in the lesson, the gate baselines in the appendix, and exercises that name their section."""

import re
from pathlib import Path

import nbformat
import torch

from vit_explained.plotting.lesson04 import gate_report

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
LESSON = NOTEBOOKS / "04_gelu_mlp_and_block.ipynb"
APPENDIX = NOTEBOOKS / "04_gelu_mlp_and_block_appendix.ipynb"
SOLUTIONS = NOTEBOOKS / "solutions" / "04_gelu_mlp_and_block_solutions.ipynb"


def _cells(path: Path) -> list:
    return nbformat.read(path, as_version=4).cells


def _visible_code(path: Path) -> list[str]:
    return [c.source for c in _cells(path) if c.cell_type == "code" and "hide-input" not in c.metadata.get("tags", [])]


def test_probe_is_visible_code() -> None:
    appendix = LESSON.with_name("04_gelu_mlp_and_block_appendix.ipynb")  # 21a: the probe moved to appendix A
    probe = [source for source in _visible_code(appendix) if "def fc2_gradient(" in source]
    assert len(probe) == 1
    for step in (
        "Block(",
        "xavier_init(",
        "block.norm1(x + block.attn(x))",
        "x + block.attn(block.norm1(x))",
        ".backward()",
        "fc2.weight.grad",
    ):
        assert step in probe[0]
    hidden = "\n".join(c.source for c in _cells(appendix) if "hide-input" in c.metadata.get("tags", []))  # 21a
    assert "value == designs[name][depth][0]" in hidden  # the visible probe is the package's, number for number


def test_initialisation_and_training_claims_apart() -> None:
    text = "\n".join(c.source for c in _cells(LESSON) if c.cell_type == "markdown")
    assert "does not test whether the initial gradients measured above cause that failure" in text
    assert "- **At initialisation**" in text and "- **In training**" in text


def test_loss_curves_in_lesson_not_appendix() -> None:
    assert sum('plot_norm_training(norm_runs["runs"], lr=5e-3)' in s for s in _visible_code(LESSON)) == 1
    assert not any("plot_norm_training(" in c.source for c in _cells(APPENDIX))


def test_gate_count_with_its_baseline_in_lesson_pairs_in_appendix() -> None:
    """Fix rounds 17b-17c: the gate count, its baseline and the pairs are in appendix H, not in the lesson."""
    is_open = torch.zeros(3, 8, dtype=torch.bool)
    is_open[0, :3] = is_open[1, 2:5] = is_open[2, 5:] = True
    assert gate_report(is_open, ["a", "b", "c"], baselines=False).text.count("\n") == 1
    assert "independent" in gate_report(is_open, ["a", "b", "c"]).text
    lesson_outputs = "".join(o.get("text", "") for c in _cells(LESSON) if c.cell_type == "code" for o in c.outputs)
    assert "67 of 128" not in lesson_outputs  # fix round 17c: the whole gate study is in appendix H
    appendix = _cells(APPENDIX)
    assert any(c.source.startswith("## H · The MLP gates") for c in appendix)
    assert "independent random gates at these rates: 73.2 ± 5.6" in "".join(
        o.get("text", "") for c in appendix if c.cell_type == "code" for o in c.outputs
    )


def test_exercises_name_their_section() -> None:
    sections = {m.group(1) for c in _cells(LESSON) for m in re.finditer(r"^## (\d) · ", c.source, re.M)}
    for path in (LESSON, SOLUTIONS):
        exercises = [c.source for c in _cells(path) if c.source.startswith("### Exercise")]
        assert len(exercises) == 6
        for source in exercises:
            first = source.split("\n\n")[1]
            found = re.match(r"Practises section (\d)\b", first)
            assert found and found.group(1) in sections, first[:60]

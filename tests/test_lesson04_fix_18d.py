"""Lesson 04, fresh review 18c (fix round 18d): section 6 states Xiong et al.'s causal story after Answer 1 as the
paper's argument, labels lesson 05's question as a different one, gives the identity-path intuition, moves the
stream-growth detour to appendix A, and uses no private import in a visible cell."""

from pathlib import Path

import nbformat
import torch

from vit_explained.norm_placement import _random_stack, random_stack

LESSON = Path(__file__).resolve().parents[1] / "notebooks" / "04_gelu_mlp_and_block.ipynb"
APPENDIX = LESSON.with_name("04_gelu_mlp_and_block_appendix.ipynb")


def _cells(path: Path = LESSON) -> list:
    return nbformat.read(path, as_version=4).cells


def _flat(source: str) -> str:
    return " ".join(source.split())


def test_answer_one_follows_its_intervals_and_states_the_papers_argument() -> None:
    cells = _cells()
    answer = next(i for i, c in enumerate(cells) if c.source.startswith("**Answer 6a.**"))
    # the nearest visible cell before it (its hidden check may sit between)
    before = [c for c in cells[:answer] if "hide-input" not in c.metadata.get("tags", [])][-1]
    assert "slope of the gradient against depth" in before.source  # after the printed intervals
    appendix = nbformat.read(LESSON.with_name("04_gelu_mlp_and_block_appendix.ipynb"), as_version=4).cells
    text = _flat(next(c.source for c in appendix if c.source.startswith("**Why pre-norm won, which models")))  # 21a
    assert "which they tie to this *last* block's gradient" in text


def test_section_six_names_lesson_05s_question_and_the_intuition() -> None:
    appendix = nbformat.read(LESSON.with_name("04_gelu_mlp_and_block_appendix.ipynb"), as_version=4).cells
    head = _flat(next(c.source for c in appendix if c.source.startswith("**Why pre-norm won, which models")))  # 21a
    assert "Lesson 05 asks another question: how much gradient reaches the *early* blocks" in head
    assert "> **Intuition.**" in head and "starts as a correction to its input" in head


def test_the_growth_detour_lives_in_appendix_a() -> None:
    lesson = " ".join(c.source for c in _cells())
    for gone in ("branch_alignment(", "token-token cosine", "a + b sqrt L"):
        assert gone not in lesson, gone
    appendix = _cells(APPENDIX)
    start = next(i for i, c in enumerate(appendix) if c.source.startswith("## A ·"))
    end = next(i for i, c in enumerate(appendix) if c.source.startswith("## B ·"))
    moved = " ".join(c.source for c in appendix[start:end])
    assert "branch_alignment(" in moved and "token-token cosine" in moved and "a + b sqrt L" in moved


def test_no_private_import_in_a_visible_lesson_cell() -> None:
    for cell in _cells():
        if cell.cell_type == "code" and "hide-input" not in cell.metadata.get("tags", []):
            assert "import _" not in cell.source and "_random_stack" not in cell.source


def test_random_stack_is_the_probes_stack() -> None:
    public, private = random_stack(2, 0), _random_stack(2, 0, 64, True)
    assert torch.equal(public[3], private[3]) and torch.equal(public[4], private[4])
    assert torch.equal(public[0][1].mlp.fc2.weight, private[0][1].mlp.fc2.weight)

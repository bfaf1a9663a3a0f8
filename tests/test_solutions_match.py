"""One source of truth for the exercises: every stub in a lesson has exactly one reference answer in its
solutions notebook, and no more.

The lessons and their solutions notebooks are separate files (people edit both), so this test is what
keeps them in step: the same functions, with the same signatures, defined in the same order, each
followed by the same check call. `tools/course.py` builds the nbgrader assignments from exactly these
pairs, so a lesson that passes here also builds.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

import course  # noqa: E402

LESSONS = course.lessons()

# A class copy made without the solutions (TEACHING.md) has nothing to compare.
pytestmark = pytest.mark.skipif(
    not (ROOT / "notebooks" / "solutions").is_dir(), reason="no notebooks/solutions/ (a class copy without solutions)"
)


def cells(path: Path) -> list[dict]:
    return json.loads(path.read_text())["cells"]


def test_lessons_with_exercises_are_found():
    assert {lesson.stem[:2] for lesson in LESSONS} >= {f"{i:02d}" for i in range(1, 9)}


def test_every_solutions_notebook_belongs_to_a_lesson_with_exercises():
    solutions = sorted((ROOT / "notebooks" / "solutions").glob("*_solutions.ipynb"))
    assert {path.name for path in solutions} == {course.solutions_for(lesson).name for lesson in LESSONS}


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda path: path.stem)
def test_every_stub_has_exactly_one_reference_answer(lesson: Path):
    lesson_cells = cells(lesson)
    solution_cells = cells(course.solutions_for(lesson))
    stubs = course.exercises(lesson_cells, stubs=True)
    answers = course.exercises(solution_cells, stubs=False)

    # every check call of the lesson follows a stub (an exercise the tool can read), and every stub is checked
    lesson_checks = [call for cell in lesson_cells for call in course.check_calls(cell)]
    assert [call for e in stubs for call in course.check_calls(e.check)] == lesson_checks
    assert sum(course.is_stub(cell) for cell in lesson_cells) == len(stubs)

    # the same functions, in the same order, with the same signatures, checked by the same calls
    assert [e.functions for e in answers] == [e.functions for e in stubs]
    assert [course.signatures(e.answer) for e in answers] == [course.signatures(e.answer) for e in stubs]
    assert [course.check_calls(e.check) for e in answers] == [course.check_calls(e.check) for e in stubs]

    # exactly one answer per stub: no function defined twice, no extra check calls, no stub left
    defined = Counter(
        name for cell in solution_cells if cell["cell_type"] == "code" for name in course.defined_functions(cell)
    )
    assert [name for name, count in defined.items() if count > 1] == []
    assert [call for cell in solution_cells for call in course.check_calls(cell)] == lesson_checks
    assert not any(course.is_stub(cell) for cell in solution_cells)


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda path: path.stem)
def test_every_exercise_builds_an_assignment_with_hidden_cases(lesson: Path):
    notebook = course.assignment(lesson)
    checks = [c for c in notebook["cells"] if c["metadata"]["nbgrader"].get("grade")]
    answers = [c for c in notebook["cells"] if c["metadata"]["nbgrader"].get("solution")]
    assert len(checks) == len(answers) == len(course.exercises(cells(lesson), stubs=True))
    assert all("### BEGIN HIDDEN TESTS" in c["source"] for c in checks)
    assert all("### BEGIN SOLUTION" in c["source"] for c in answers)
    if int(lesson.stem[:2]) <= 8:  # a new lesson's hidden cases are added to tools/course.py after it lands
        functions = [name for e in course.exercises(cells(lesson), stubs=True) for name in e.functions]
        missing = [f for f in functions if f not in course.HIDDEN_CASES and f not in course.HIDDEN_PROPERTIES]
        assert missing == []


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda path: path.stem)
def test_reference_answers_pass_every_check_and_hidden_test(lesson: Path, capsys):
    """The nbgrader source notebook of the lesson (set-up cells, reference answers, each check with its hidden
    tests) run top to bottom in one fresh namespace, the code nbgrader runs for a student who wrote the
    reference answers: no cell may raise. (tests/test_course.py autogrades a 'mixed' student through nbgrader:
    every exercise but the two it gets wrong or leaves untouched scores full marks there.)"""
    import torch

    threads, rng = torch.get_num_threads(), torch.random.get_rng_state()
    namespace: dict = {"__name__": "__main__"}
    try:
        for cell in course.assignment(lesson)["cells"]:
            if cell["cell_type"] != "code":
                continue
            grade_id = cell["metadata"]["nbgrader"]["grade_id"]
            try:
                exec(compile(course._source(cell), f"<{lesson.stem}: {grade_id}>", "exec"), namespace)
            except Exception as error:  # any failure is this test's finding
                pytest.fail(f"{lesson.stem}, cell {grade_id}: {type(error).__name__}: {error}")
    finally:
        torch.set_num_threads(threads)
        torch.random.set_rng_state(rng)
    shown = capsys.readouterr().out
    assert shown.count("Correct!") >= len(course.exercises(cells(lesson), stubs=True)), shown[-2000:]


def exercise_markdown(notebook_cells: list[dict]) -> dict[str, list[str]]:
    """Each exercise's text: from its "### Exercise N" heading (at a cell's start or inside it, after a summary)
    to the next code cell, one string per markdown cell."""
    texts: dict[str, list[str]] = {}
    current = None
    for cell in notebook_cells:
        source = "".join(cell["source"])
        if cell["cell_type"] == "code":
            current = None
            continue
        lines = source.splitlines()
        starts = [i for i, line in enumerate(lines) if line.startswith("### Exercise")]
        if starts:
            current = lines[starts[0]]
            texts[current] = ["\n".join(lines[starts[0] :]).strip()]
        elif current is not None:
            texts[current].append(source.strip())
    return texts


# Lessons whose solutions notebook carried older exercise text when this test was added (session 9): they may
# still differ (xfail); once synced they pass like the others.
NOT_YET_SYNCED: set[str] = set()


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda path: path.stem)
def test_exercise_text_is_the_same_in_lesson_and_solutions(lesson: Path):
    """The solutions notebook repeats each exercise's markdown word for word, so a reader of the answers sees the
    question the lesson now asks (the answers' code differs, the question does not)."""
    asked = exercise_markdown(cells(lesson))
    answered = exercise_markdown(cells(course.solutions_for(lesson)))
    if lesson.stem in NOT_YET_SYNCED and answered != asked:
        pytest.xfail("other lessons: not yet synced")
    assert list(answered) == list(asked)
    assert [name for name in asked if asked[name] != answered[name]] == []

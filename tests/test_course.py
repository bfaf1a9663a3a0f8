"""Grading in class, end to end: `tools/course.py` builds an nbgrader course folder, nbgrader releases
every assignment and autogrades three submissions per lesson, and the scores come out of the gradebook.

- the reference answers (taken from the solutions notebooks): full marks;
- the untouched release: zero;
- one exercise answered with a forbidden shortcut (the package's own implementation) or a wrong
  answer, the rest right: exactly that exercise's points lost.

Everything runs in a temporary folder (Jupyter and IPython state included). nbgrader runs in two
subprocesses (half the assignments each, one course folder each) so the two cores share the kernels.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

import course  # noqa: E402

pytestmark = pytest.mark.skipif(
    not (ROOT / "notebooks" / "solutions").is_dir(), reason="no notebooks/solutions/ (a class copy without solutions)"
)

#: one exercise per lesson answered with the shortcut its text forbids (the function's whole new source).
SHORTCUTS = {
    "my_patchify": "def my_patchify(images, patch_size):\n    return patchify(images, patch_size)\n",
    "my_count_tokens": (
        "def my_count_tokens(height, width, kernel, stride, padding):\n"
        "    return tuple(count_tokens(height, width, kernel, stride, padding))\n"
    ),
    "attention": "def attention(q, k, v):\n    return F.scaled_dot_product_attention(q, k, v)\n",
    "tanh_gelu": 'def tanh_gelu(x):\n    return F.gelu(x, approximate="tanh")\n',
    "softmax_backward": (
        "def softmax_backward(a, grad_a):\n"
        "    s = a.log().detach().requires_grad_(True)  # softmax(log a) == a\n"
        "    return torch.autograd.grad(s.softmax(dim=-1), s, grad_a)[0]\n"
    ),
    "confusion": (
        "def confusion(labels, predictions, num_classes):\n"
        "    return torch.as_tensor(confusion_matrix(labels, predictions, labels=list(range(num_classes))))\n"
    ),
    "fold_tokens": "def fold_tokens(tokens, rows, cols):\n    return tokens_to_image(tokens, rows, cols)\n",
    "class_token_grid": (
        "def class_token_grid(weights, rows, cols):\n"
        "    from vit_explained.attention_maps import class_token_attention\n\n"
        "    return class_token_attention(weights, (rows, cols))\n"
    ),
}

# A wrong answer for a lesson without a known shortcut: the reference, its result off by one.
WRONG = """

_right_{name} = {name}


def {name}(*args, **kwargs):
    result = _right_{name}(*args, **kwargs)
    if isinstance(result, (set, frozenset)):
        return set(result) ^ {{"not a part"}}
    if isinstance(result, dict):
        return {{key: value for key, value in list(result.items())[1:]}}
    if isinstance(result, (list, tuple)):
        return type(result)(result[:-1])
    return result + 1
"""


def _source(cell: dict) -> str:
    return cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])


def _without_markers(source: str) -> str:
    return "\n".join(
        line for line in source.splitlines() if "### BEGIN SOLUTION" not in line and "### END SOLUTION" not in line
    )


def wrong_exercise(functions: list[tuple[str, ...]]) -> str:
    """The function whose exercise the 'wrong' student gets wrong: one with a shortcut if any."""
    for names in functions:
        for name in names:
            if name in SHORTCUTS:
                return name
    return functions[-1][0]


def submissions(source: dict, release: dict) -> dict[str, dict]:
    """The three students' notebooks, made from the release (as students receive it)."""
    answers = {
        cell["metadata"]["nbgrader"]["grade_id"]: _without_markers(_source(cell))
        for cell in source["cells"]
        if cell["metadata"]["nbgrader"].get("solution")
    }
    functions = [course.defined_functions({"cell_type": "code", "source": text}) for text in answers.values()]
    wrong = wrong_exercise(functions)
    result = {"untouched": release}
    for student in ("reference", "wrong"):
        notebook = json.loads(json.dumps(release))
        for cell in notebook["cells"]:
            grade_id = cell["metadata"].get("nbgrader", {}).get("grade_id")
            if grade_id in answers:
                text = answers[grade_id]
                if student == "wrong" and wrong in course.defined_functions(cell):
                    text += "\n\n" + SHORTCUTS.get(wrong, WRONG.format(name=wrong))
                cell["source"] = text
        result[student] = notebook
    return result


def drive(course_dir: Path) -> None:
    """In a subprocess: release every assignment of the folder, submit three students, autograde."""
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory
    from traitlets.config import Config

    config = Config()
    exec((course_dir / "nbgrader_config.py").read_text(), {"get_config": lambda: config})
    config.CourseDirectory.root = str(course_dir)
    api = NbGraderAPI(CourseDirectory(config=config), config=config)
    for folder in sorted((course_dir / "source").iterdir()):
        name = folder.name
        result = api.generate_assignment(name)
        assert result["success"], result.get("log", "") + result.get("error", "")
        source = json.loads((folder / f"{name}.ipynb").read_text())
        release = json.loads((course_dir / "release" / name / f"{name}.ipynb").read_text())
        for student, notebook in submissions(source, release).items():
            target = course_dir / "submitted" / student / name
            target.mkdir(parents=True, exist_ok=True)
            (target / f"{name}.ipynb").write_text(json.dumps(notebook))
        result = api.autograde(name, "*")
        assert result["success"], result.get("log", "") + result.get("error", "")


@pytest.fixture(scope="module")
def graded(tmp_path_factory) -> dict:
    """Two course folders (half the lessons each), released and autograded in parallel."""
    base = tmp_path_factory.mktemp("course")
    names = [lesson.stem for lesson in course.lessons()]
    halves = [names[0::2], names[1::2]]
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"  # nbgrader runs `alembic`
    for variable, folder in {
        "JUPYTER_CONFIG_DIR": "jupyter-config",
        "JUPYTER_RUNTIME_DIR": "jupyter-runtime",
        "JUPYTER_DATA_DIR": "jupyter-data",
        "IPYTHONDIR": "ipython",
        "MPLCONFIGDIR": "matplotlib",
    }.items():
        (base / folder).mkdir()
        env[variable] = str(base / folder)
    env["OMP_NUM_THREADS"] = "1"
    folders, processes = [], []
    for i, half in enumerate(halves):
        if not half:
            continue
        folder = base / f"course{i}"
        assert course.build(folder, half) == half
        folders.append(folder)
        processes.append(
            subprocess.Popen(
                [sys.executable, __file__, str(folder)],
                cwd=folder,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
        )
    for process in processes:
        out, _ = process.communicate(timeout=600)
        assert process.returncode == 0, out[-5000:]
    return {name: folder for folder in folders for name in (p.name for p in (folder / "source").iterdir())}


def _scores(folder: Path, name: str, student: str) -> tuple[float, float, dict[str, float]]:
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{folder / 'gradebook.db'}") as gradebook:
        submission = gradebook.find_submission(name, student)
        notebook = submission.notebooks[0]
        grades = {grade.name: grade.score for grade in notebook.grades}
        return submission.score, submission.max_score, grades


def test_there_is_an_assignment_per_lesson_with_exercises():
    names = [lesson.stem for lesson in course.lessons()]
    assert len(names) >= 8
    assert {name[:2] for name in names} >= {f"{i:02d}" for i in range(1, 9)}
    assert not any(name.startswith("00") for name in names)  # the setup check has no exercises


def test_reference_answers_get_full_marks(graded):
    for name, folder in graded.items():
        score, max_score, grades = _scores(folder, name, "reference")
        exercises = course.exercises(course._cells(course.NOTEBOOKS / f"{name}.ipynb"), stubs=True)
        assert max_score == len(exercises) * course.POINTS, name
        assert score == max_score, (name, grades)


def test_untouched_release_gets_zero(graded):
    for name, folder in graded.items():
        score, max_score, grades = _scores(folder, name, "untouched")
        assert max_score > 0
        assert score == 0, (name, grades)


def test_one_wrong_exercise_loses_exactly_its_points(graded):
    for name, folder in graded.items():
        score, max_score, grades = _scores(folder, name, "wrong")
        source = json.loads((folder / "source" / name / f"{name}.ipynb").read_text())
        functions = [course.defined_functions(c) for c in source["cells"] if c["metadata"]["nbgrader"].get("solution")]
        wrong = wrong_exercise(functions)
        lost = {grade_id: points for grade_id, points in grades.items() if points < course.POINTS}
        assert set(lost) == {f"{next(f for f in functions if wrong in f)[0]}_check"}, (name, grades)
        assert score == max_score - course.POINTS, (name, grades)


def test_release_holds_no_reference_answer_and_no_hidden_test(graded):
    for name, folder in graded.items():
        released = json.loads((folder / "release" / name / f"{name}.ipynb").read_text())
        release = "\n".join(_source(cell) for cell in released["cells"])
        source = json.loads((folder / "source" / name / f"{name}.ipynb").read_text())
        assert "BEGIN HIDDEN TESTS" not in release and "_forbidding" not in release and "_reference" not in release
        assert "BEGIN SOLUTION" not in release
        reference_lines = [
            line.strip()
            for cell in source["cells"]
            if cell["metadata"]["nbgrader"].get("solution")
            for part in _source(cell).split("### BEGIN SOLUTION")[1:]
            for line in part.split("### END SOLUTION")[0].splitlines()
            if sum(ch.isalnum() for ch in line) >= 4 and not line.strip().startswith("#")
        ]
        assert reference_lines, name
        for line in reference_lines:
            assert line not in release, (name, line)
        stubs = [c for c in released["cells"] if c["metadata"].get("nbgrader", {}).get("solution")]
        assert stubs and all(course.STUB in _source(c) for c in stubs)


def test_release_stubs_match_the_lesson_stubs(graded):
    """The student's answer cells have the lesson's signatures, and each check cell the lesson's check."""
    for name, folder in graded.items():
        lesson = course.exercises(course._cells(course.NOTEBOOKS / f"{name}.ipynb"), stubs=True)
        released = json.loads((folder / "release" / name / f"{name}.ipynb").read_text())["cells"]
        release = course.exercises(released, stubs=True)
        assert [course.signatures(e.answer) for e in release] == [course.signatures(e.answer) for e in lesson]
        assert [course.check_calls(e.check) for e in release] == [course.check_calls(e.check) for e in lesson]


def test_forbidding_restores_everything_and_catches_hidden_calls():
    import torch
    import torch.nn.functional as F

    namespace: dict = {"gelu_alias": F.gelu}
    exec(course.HELPERS, namespace)
    original = F.gelu
    with (
        pytest.raises(AssertionError, match=r"must not call torch\.nn\.functional\.gelu"),
        namespace["_forbidding"](namespace, "torch.nn.functional.gelu"),
        contextlib.suppress(AssertionError),  # the student swallows the error: still caught
    ):
        namespace["gelu_alias"](torch.ones(2))  # an alias
    assert F.gelu is original and torch._C._nn.gelu is original and namespace["gelu_alias"] is original
    with namespace["_forbidding"](namespace, "vit_explained.Block.forward"):
        pass
    from vit_explained import Block

    assert "forward" in Block.__dict__ and Block.forward.__name__ == "forward"


def test_nbgrader_is_pinned_teacher_only_and_installed():
    from importlib.metadata import version

    import sync_environment

    teacher = sync_environment.teacher_pins()
    assert teacher["nbgrader"] == version("nbgrader")
    assert "nbgrader" not in sync_environment.pins()
    assert "nbgrader" not in (ROOT / "environment.yml").read_text()


if __name__ == "__main__":
    drive(Path(sys.argv[1]))

"""Grading in class, end to end: `tools/course.py` builds an nbgrader course folder, nbgrader releases
every assignment and autogrades one submission per lesson, and the scores come out of the gradebook.

- a "mixed" student: one exercise left as released (zero for it), one answered with a forbidden shortcut
  (the package's own implementation), over-fitted to the visible check (lesson 09: right only under the
  learner's checker) or wrong, the rest with the reference answers (taken from the solutions notebooks):
  exactly those two exercises' points lost, every other exercise full marks;
- the reference answers of every exercise, each check with its hidden tests, are run in-process by
  tests/test_solutions_match.py (the code nbgrader would run for a student who wrote them all: one kernel
  per lesson fewer here), and TEACHING.md's walk-through below autogrades them through nbgrader for lesson 01;
- the feedback nbgrader generates for the mixed student shows their scores and the
  checks' messages, and no line of a reference answer or a hidden case.

The learners' lab (`make lab`'s configuration) serves no nbgrader endpoint, and the teacher's commands in
TEACHING.md switch them on (a throwaway environment sharing this one's packages).

Everything runs in a temporary folder (Jupyter and IPython state included). nbgrader runs in two
subprocesses (half the assignments each, one course folder each) so the two cores share the kernels.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shlex
import shutil
import socket
import subprocess
import sys
import sysconfig
import textwrap
import time
import urllib.error
import urllib.request
from html import unescape
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
    "final_grid": (
        "def final_grid(height, width, splits):\n"
        "    return tuple(t2t_chain(height, width, 1, splits=tuple(splits))[-1].grid[:2])\n"
    ),
    "attention": "def attention(q, k, v):\n    return F.scaled_dot_product_attention(q, k, v)\n",
    "gelu_slope": (
        "def gelu_slope(x):\n"
        "    x = x.detach().requires_grad_(True)\n"
        "    return torch.autograd.grad(F.gelu(x).sum(), x)[0]  # autograd: what the exercise asks to do by hand\n"
    ),
    "softmax_backward": (
        "def softmax_backward(a, grad_a):\n"
        "    s = a.log().detach().requires_grad_(True)  # softmax(log a) == a\n"
        "    return torch.autograd.grad(s.softmax(dim=-1), s, grad_a)[0]\n"
    ),
    "fold_tokens": "def fold_tokens(tokens, rows, cols):\n    return tokens_to_image(tokens, rows, cols)\n",
    "class_token_grid": (
        "def class_token_grid(weights, rows, cols):\n"
        "    from vit_explained.attention_maps import token_attention  # class_token_attention's own helper\n\n"
        "    return token_attention(weights, (rows, cols))\n"
    ),
}

#: answers over-fitted to the visible checks: the lesson's checker accepts them, the hidden cases must not. A
#: realistic over-fit (a size or a mask the check never tries) lasts only until the checker learns it; this
#: one is right exactly where the learner's checker looks, and wrong anywhere else.
OVERFITTED = {
    "token_map": (
        "def token_map(weights, query, special_tokens, rows, cols):\n"
        "    import inspect\n\n"
        "    right = weights[:, :, query, special_tokens:].reshape(*weights.shape[:2], rows, cols)\n"
        "    if any('exercises' in frame.filename for frame in inspect.stack()):  # under the learner's check\n"
        "        return right\n"
        "    return right.flip(-1)  # anywhere else: each row of the map mirrored\n"
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
    """The function whose exercise the 'wrong' student gets wrong: one with a shortcut or an over-fitted
    answer if any."""
    for names in functions:
        for name in names:
            if name in SHORTCUTS or name in OVERFITTED:
                return name
    return functions[-1][0]


def untouched_exercise(functions: list[tuple[str, ...]]) -> str:
    """The exercise the 'mixed' student leaves as released (the stub raising NotImplementedError): the first
    one that is not the wrong one."""
    wrong = wrong_exercise(functions)
    return next(names[0] for names in functions if wrong not in names)


def submissions(source: dict, release: dict) -> dict[str, dict]:
    """The student's notebook, made from the release (as students receive it): 'mixed' leaves one exercise
    untouched, gets one wrong (a forbidden shortcut, an over-fitted or a wrong answer) and answers the rest with
    the reference answers. One autograde shows what an untouched, a wrong and a right exercise score, so each
    lesson's exercises run once in a kernel here (the suite must fit in 6 minutes on 2 cores)."""
    answers = {
        cell["metadata"]["nbgrader"]["grade_id"]: _without_markers(_source(cell))
        for cell in source["cells"]
        if cell["metadata"]["nbgrader"].get("solution")
    }
    functions = [course.defined_functions({"cell_type": "code", "source": text}) for text in answers.values()]
    wrong, untouched = wrong_exercise(functions), untouched_exercise(functions)
    notebook = json.loads(json.dumps(release))
    for cell in notebook["cells"]:
        grade_id = cell["metadata"].get("nbgrader", {}).get("grade_id")
        if grade_id in answers:
            defined = course.defined_functions(cell)
            if untouched in defined:
                continue  # left as released
            text = answers[grade_id]
            if wrong in defined:
                text += "\n\n" + SHORTCUTS.get(wrong, OVERFITTED.get(wrong, WRONG.format(name=wrong)))
            cell["source"] = text
    return {"mixed": notebook}


FEEDBACK_FOR = ("mixed",)


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
        for student in FEEDBACK_FOR:
            result = api.generate_feedback(name, student)
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
    """Every exercise the 'mixed' student answered with the reference answer scores full marks through nbgrader
    (the two others: below). All reference answers against the hidden tests: tests/test_solutions_match.py."""
    for name, folder in graded.items():
        _, max_score, grades = _scores(folder, name, "mixed")
        exercises = course.exercises(course._cells(course.NOTEBOOKS / f"{name}.ipynb"), stubs=True)
        assert max_score == len(exercises) * course.POINTS and len(grades) == len(exercises), name
        functions = _exercise_functions(folder, name)
        others = {_check_id(functions, f(functions)) for f in (wrong_exercise, untouched_exercise)}
        right = {grade_id: points for grade_id, points in grades.items() if grade_id not in others}
        assert right and all(points == course.POINTS for points in right.values()), (name, grades)


def _exercise_functions(folder: Path, name: str) -> list[tuple[str, ...]]:
    source = json.loads((folder / "source" / name / f"{name}.ipynb").read_text())
    return [course.defined_functions(c) for c in source["cells"] if c["metadata"]["nbgrader"].get("solution")]


def _check_id(functions: list[tuple[str, ...]], function: str) -> str:
    return f"{next(names for names in functions if function in names)[0]}_check"


def test_an_untouched_exercise_gets_zero(graded):
    """The 'mixed' student left one exercise as released: its check cell scores 0, with the stub's error."""
    for name, folder in graded.items():
        functions = _exercise_functions(folder, name)
        check = _check_id(functions, untouched_exercise(functions))
        _, max_score, grades = _scores(folder, name, "mixed")
        assert max_score > 0 and grades[check] == 0, (name, grades)
        cells = json.loads((folder / "autograded" / "mixed" / name / f"{name}.ipynb").read_text())["cells"]
        cell = next(c for c in cells if c["metadata"].get("nbgrader", {}).get("grade_id") == check)
        errors = [o for o in cell["outputs"] if o["output_type"] == "error"]
        assert errors and "NotImplementedError" in errors[0]["evalue"] + errors[0]["ename"], (name, errors)


def test_one_wrong_and_one_untouched_exercise_lose_exactly_their_points(graded):
    for name, folder in graded.items():
        score, max_score, grades = _scores(folder, name, "mixed")
        functions = _exercise_functions(folder, name)
        expected = {_check_id(functions, f(functions)) for f in (wrong_exercise, untouched_exercise)}
        lost = {grade_id: points for grade_id, points in grades.items() if points < course.POINTS}
        assert set(lost) == expected and len(expected) == 2, (name, grades)
        assert score == max_score - 2 * course.POINTS, (name, grades)


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


def _lines(text: str) -> set[str]:
    return {line.strip() for line in text.splitlines()}


def _secret(line: str) -> bool:
    """A line long enough that finding it elsewhere is no coincidence."""
    return len(line) >= 10 and sum(ch.isalnum() for ch in line) >= 6


def _html_text(html: str) -> str:
    """The text a student reads in an HTML page (styles and scripts out, tags out, entities decoded)."""
    html = re.sub(r"<(style|script)\b.*?</\1>", "", html, flags=re.S | re.I)
    return unescape(re.sub(r"<[^>]+>", "", html))


def _notebook_text(path: Path) -> str:
    cells = json.loads(path.read_text())["cells"]
    outputs = [
        "".join(output.get("text", "")) + "\n".join(output.get("traceback", []))
        for cell in cells
        for output in cell.get("outputs", [])
    ]
    return "\n".join([_source(cell) for cell in cells] + outputs)


def test_feedback_shows_scores_and_messages_but_no_answer_and_no_hidden_case(graded):
    """nbgrader's own GenerateFeedback keeps the check cells' hidden part and the tracebacks quote it:
    the course's configuration cuts both (ClearHiddenTests, ShortTracebacks in tools/course.py)."""
    for name, folder in graded.items():
        source = "\n".join(
            _source(c) for c in json.loads((folder / "source" / name / f"{name}.ipynb").read_text())["cells"]
        )
        public = _lines(_notebook_text(folder / "release" / name / f"{name}.ipynb"))
        secrets = {line for line in _lines(source) if _secret(line)} - public
        autograded = _notebook_text(folder / "autograded" / "mixed" / name / f"{name}.ipynb")
        assert sum(line in autograded for line in secrets) > 20, name  # what nbgrader's default feedback shows
        for student in FEEDBACK_FOR:
            submitted = _lines(_notebook_text(folder / "submitted" / student / name / f"{name}.ipynb"))
            text = _html_text((folder / "feedback" / student / name / f"{name}.html").read_text())
            leaked = sorted(line for line in secrets - submitted if line in text)
            assert not leaked, (name, student, leaked[:5])
            score, max_score, _ = _scores(folder, name, student)
            assert f"Score: {score:.1f} / {max_score:.1f}" in " ".join(text.split()), (name, student)
        # the mixed student reads why their checks failed: the error's one line, as the kernel gave it
        cells = json.loads((folder / "autograded" / "mixed" / name / f"{name}.ipynb").read_text())["cells"]
        errors = [o for c in cells for o in c.get("outputs", []) if o["output_type"] == "error"]
        text = _html_text((folder / "feedback" / "mixed" / name / f"{name}.html").read_text())
        assert errors, name
        for error in errors:
            assert f"{error['ename']}: {error['evalue']}".splitlines()[0] in text, (name, error["evalue"])


def test_setup_cells_are_the_lessons_colab_install_cell_included():
    """An assignment's set-up is the lesson's code cells up to the checkers' import, the Colab cell first."""
    for lesson in course.lessons():
        cells = course._cells(lesson)
        code = [c for c in cells if c["cell_type"] == "code"]
        expected = code[: 1 + next(i for i, c in enumerate(code) if "exercises import" in _source(c))]
        assert course.setup_cells(cells) == expected, lesson.stem
        assert "google.colab" in _source(expected[0]) and "pip" in _source(expected[0]), lesson.stem


def test_released_notebook_starts_with_the_set_up_cells_colab_install_included(graded):
    """On Colab the released notebook installs the package like the lesson does (Binder has it installed)."""
    for name, folder in graded.items():
        source = json.loads((folder / "source" / name / f"{name}.ipynb").read_text())["cells"]
        released = json.loads((folder / "release" / name / f"{name}.ipynb").read_text())["cells"]

        def setup(cells: list[dict]) -> list[str]:
            return [
                _source(c) for c in cells if c["metadata"].get("nbgrader", {}).get("grade_id", "").startswith("setup_")
            ]

        assert setup(released) == setup(source) and len(setup(source)) >= 2, name
        assert "google.colab" in setup(released)[0] and "pip" in setup(released)[0], name
        assert _source(released[1]) == setup(released)[0]  # right after the title


def test_lesson09_answer_over_fitted_to_the_visible_check_is_caught_by_the_hidden_cases(graded):
    """Needs lesson 09's hidden cases (HIDDEN_CASES["token_map"] in tools/course.py)."""
    name = next(name for name in graded if name.startswith("09_"))
    folder = graded[name]
    cells = json.loads((folder / "autograded" / "mixed" / name / f"{name}.ipynb").read_text())["cells"]
    check = next(c for c in cells if c["metadata"].get("nbgrader", {}).get("grade_id") == "token_map_check")
    printed = "".join("".join(o.get("text", "")) for o in check["outputs"] if o["output_type"] == "stream")
    assert "Correct!" in printed, printed  # the learner's own check passes it...
    _, _, grades = _scores(folder, name, "mixed")
    assert grades["token_map_check"] == 0, grades  # ...the graded one does not
    errors = [o for o in check["outputs"] if o["output_type"] == "error"]
    assert errors and "hidden case" in errors[0]["evalue"], errors


def _shadow_environment(base: Path) -> tuple[Path, dict[str, str]]:
    """A throwaway venv that uses this one's packages but its own sys-prefix Jupyter configuration, as pip
    leaves it (every nbgrader extension on), so the Makefile's and TEACHING.md's commands can change it."""
    venv = base / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    site = sysconfig.get_paths()["purelib"]
    (Path(sysconfig.get_paths(vars={"base": str(venv)})["purelib"]) / "_parent.pth").write_text(
        f"import site; site.addsitedir({site!r})\n"
    )
    (venv / "share").symlink_to(Path(sys.prefix) / "share")  # templates and lab extensions
    conf = venv / "etc" / "jupyter" / "jupyter_server_config.d"
    conf.mkdir(parents=True)
    for file in (Path(sys.prefix) / "etc" / "jupyter" / "jupyter_server_config.d").glob("*.json"):
        if not file.name.startswith("nbgrader.server_extensions."):  # nbgrader.json: pip's "all on"
            shutil.copy(file, conf / file.name)
    for script in (Path(sys.prefix) / "bin").glob("jupyter*"):
        body = script.read_text().split("\n", 1)[1]
        (venv / "bin" / script.name).write_text(f"#!{venv / 'bin' / 'python'}\n{body}")
        (venv / "bin" / script.name).chmod(0o755)
    env = dict(os.environ)
    for variable in ("JUPYTER_CONFIG_DIR", "JUPYTER_RUNTIME_DIR", "JUPYTER_DATA_DIR", "IPYTHONDIR"):
        env[variable] = str(base / variable.lower())
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env['PATH']}"
    return venv, env


def _lab_answers(venv: Path, env: dict[str, str], base: Path, paths: list[str]) -> dict[str, tuple[int, str]]:
    """Start JupyterLab in the environment, as `make lab` does, and GET each path (status, body)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [str(venv / "bin" / "jupyter"), "lab", "--no-browser", "--ip=127.0.0.1", f"--port={port}"]
    command += ["--ServerApp.token=grading-test", "--allow-root", f"--notebook-dir={base}"]
    server = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(f"{url}/api/status?token=grading-test", timeout=5):
                    break
            except (urllib.error.URLError, ConnectionError):
                assert server.poll() is None and time.monotonic() < deadline, "JupyterLab did not start"
                time.sleep(0.3)
        answers = {}
        for path in paths:
            try:
                with urllib.request.urlopen(f"{url}{path}?token=grading-test", timeout=60) as response:
                    answers[path] = (response.status, response.read().decode())
            except urllib.error.HTTPError as error:
                answers[path] = (error.code, "")
        return answers
    finally:
        server.terminate()
        try:
            server.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.communicate()


def _disabled_lab_extensions(page: str) -> list[str]:
    match = re.search(r'"disabledExtensions":\s*(\[[^\]]*\])', page)
    assert match, "no page config in /lab"
    return json.loads(match.group(1))


def _teachers_enable_commands() -> list[str]:
    teaching = (ROOT / "TEACHING.md").read_text()
    block = teaching.split("<!-- teacher-enable:start -->")[1].split("<!-- teacher-enable:end -->")[0]
    return [line for line in block.splitlines() if "extension enable" in line]


class TestLearnersLab:
    """A class of its own: an xdist work unit apart from the graded course (conftest.LONGEST_FIRST)."""

    @pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
    def test_learners_lab_serves_no_nbgrader_endpoint_and_the_teachers_commands_switch_them_on(self, tmp_path):
        venv, env = _shadow_environment(tmp_path)
        plan = subprocess.run(
            ["make", "--no-print-directory", "-n", "setup", f"VENV={venv}"], cwd=ROOT, capture_output=True, text=True
        )
        assert plan.returncode == 0, plan.stderr
        switch_off = [line for line in plan.stdout.splitlines() if "extension disable" in line]
        assert len(switch_off) == 2, plan.stdout
        for line in switch_off:
            done = subprocess.run(line, shell=True, env=env, capture_output=True, text=True)
            assert done.returncode == 0 and not done.stdout.strip(), (line, done.stdout, done.stderr)
        learner = _lab_answers(venv, env, tmp_path, ["/formgrader/api/assignments", "/assignments", "/lab"])
        assert learner["/formgrader/api/assignments"][0] == 404
        assert learner["/assignments"][0] == 404
        assert "@jupyter/nbgrader" in _disabled_lab_extensions(learner["/lab"][1])

        enable = _teachers_enable_commands()
        assert len(enable) == 2, enable
        for line in enable:
            line = line.replace(".venv/bin/", f"{venv / 'bin'}/")
            done = subprocess.run(line, shell=True, env=env, capture_output=True, text=True)
            assert done.returncode == 0, (line, done.stderr)
            assert "failed" not in (done.stdout + done.stderr).lower(), (line, done.stdout + done.stderr)
        teacher = _lab_answers(venv, env, tmp_path, ["/formgrader/api/assignments", "/lab"])
        assert teacher["/formgrader/api/assignments"][0] == 200
        assert "@jupyter/nbgrader" not in _disabled_lab_extensions(teacher["/lab"][1])


TEACHING = ROOT / "TEACHING.md"
TEACHING_LESSON = "01_patches_and_embeddings"  # the lesson TEACHING.md's commands name
STEP = re.compile(r"<!-- (?:run: (teacher|student)|file: (\S+)) -->\s*```\w*\n(.*?)```", re.S)


def teaching_steps() -> list[tuple[str, str, str]]:
    """TEACHING.md's runnable blocks in order: ``(section, role, text)``; role "teacher", "student" or
    "file:NAME"; section: the ``###`` heading above the block."""
    text = TEACHING.read_text()
    return [
        (
            re.findall(r"^### (.+)$", text[: match.start()], re.M)[-1],
            match.group(1) or f"file:{match.group(2)}",
            textwrap.dedent(match.group(3)),
        )
        for match in STEP.finditer(text)
    ]


def route(steps: list[tuple[str, str, str]], which: str) -> list[tuple[str, str]]:
    """The blocks a teacher runs on one route, from a fresh course: the course folder, roster and due
    date, then either every step without JupyterHub ("files"), or the release (`generate_assignment`)
    and every step with JupyterHub ("hub")."""
    build = [(role, text) for section, role, text in steps if section.startswith("Build the course")]
    files = [(role, text) for section, role, text in steps if section.startswith("Without JupyterHub")]
    hub = [(role, text) for section, role, text in steps if section.startswith("With JupyterHub")]
    if which == "files":
        return build + files
    return build + [step for step in files if "generate_assignment" in step[1]] + hub


def follow_teaching(top: Path) -> None:
    """In a subprocess: TEACHING.md's commands, in order, from a fresh course folder, once per route. nbgrader
    runs in this process (as nbgrader's own tests run it), the other lines in bash. Paths outside the course
    (sudo, /srv, /etc, ~) are moved under the route's folder; the students' files are made where the text
    says."""
    for which in ("files", "hub"):
        _follow(route(teaching_steps(), which), top / which, late_student=which == "files")


def _follow(steps: list[tuple[str, str]], base: Path, *, late_student: bool) -> None:
    from nbgrader.tests import run_nbgrader

    exchange, student_config, home, student = (base / p for p in ("exchange", "etc-jupyter", "home", "student"))
    for folder in (home / "Downloads", student):
        folder.mkdir(parents=True)
    course_dir = base / "build" / "course"
    teacher_env = dict(os.environ, HOME=str(home))
    student_env = dict(os.environ, HOME=str(student), JUPYTER_CONFIG_DIR=str(student_config))
    cwd = {"teacher": ROOT, "student": student}
    name = TEACHING_LESSON
    answered = lambda release: answer(json.loads(release.read_text()), course_dir)  # noqa: E731

    for role, text in steps:
        if role.startswith("file:"):
            (cwd["teacher"] / role[5:]).write_text(text)
            continue
        env = teacher_env if role == "teacher" else student_env
        for line in text.splitlines():
            line = line.split("  #")[0].strip()
            line = line.replace("sudo ", "").replace("/srv/nbgrader/exchange", str(exchange))
            line = line.replace("/etc/jupyter", str(student_config))
            if not line or line.startswith("source "):
                continue
            if line == "make course":
                plan = (
                    subprocess.run(
                        ["make", "--no-print-directory", "-n", "course", f"COURSE={course_dir}"],
                        cwd=ROOT,
                        capture_output=True,
                        text=True,
                        check=True,
                    )
                    .stdout.strip()
                    .splitlines()[-1]
                )
                assert plan.endswith(f"tools/course.py {course_dir}"), plan
                subprocess.run([sys.executable, "tools/course.py", str(course_dir)], cwd=ROOT, check=True)
                continue
            if line.startswith("cd "):
                cwd[role] = course_dir if line == "cd build/course" else cwd[role] / line[3:]
                continue
            # what the students do between the commands
            if line.startswith("cp ~/Downloads/"):  # Alice answered every exercise
                release = course_dir / "release" / name / f"{name}.ipynb"
                (home / "Downloads" / f"{name}.ipynb").write_text(json.dumps(answered(release)))
            if (
                late_student
                and line == f"nbgrader autograde {name}"
                and not (course_dir / "submitted" / "bob").exists()
            ):
                late = course_dir / "submitted" / "bob" / name  # Bob hands in an untouched notebook, late
                late.mkdir(parents=True)
                shutil.copy(course_dir / "release" / name / f"{name}.ipynb", late)
                (late / "timestamp.txt").write_text("2030-07-01 09:00:00 UTC\n")
            if "--student alice --force" in line and "autograde" in line:  # Alice replaced her file: blank
                shutil.copy(course_dir / "grades.csv", base / "grades-before-regrade.csv")
                shutil.copy(course_dir / "release" / name / f"{name}.ipynb", course_dir / "submitted" / "alice" / name)
            if line.startswith("nbgrader submit"):
                fetched = student / name / f"{name}.ipynb"
                fetched.write_text(json.dumps(answered(fetched)))
            os.chdir(cwd[role])
            if line.startswith("nbgrader "):
                run_nbgrader(shlex.split(line)[1:], env=env)
            else:
                subprocess.run(["bash", "-c", line], cwd=cwd[role], env=env, check=True)
            config = course_dir / "nbgrader_config.py"  # its exchange too, once the text uncomments it
            if config.exists() and "/srv/nbgrader/exchange" in config.read_text():
                config.write_text(config.read_text().replace("/srv/nbgrader/exchange", str(exchange)))


def answer(notebook: dict, course_dir: Path) -> dict:
    """The notebook with every answer cell holding the reference answer (from the course's source)."""
    name = TEACHING_LESSON
    source = json.loads((course_dir / "source" / name / f"{name}.ipynb").read_text())
    answers = {
        c["metadata"]["nbgrader"]["grade_id"]: _without_markers(_source(c))
        for c in source["cells"]
        if c["metadata"]["nbgrader"].get("solution")
    }
    for cell in notebook["cells"]:
        grade_id = cell["metadata"].get("nbgrader", {}).get("grade_id")
        if grade_id in answers:
            cell["source"] = answers[grade_id]
    return notebook


def _grades(path: Path) -> dict[str, dict[str, str]]:
    import csv

    with path.open() as file:
        return {row["student_id"]: row for row in csv.DictReader(file) if row["assignment"] == TEACHING_LESSON}


class TestTeachingMdFollowedLiterally:
    """A class of its own: an xdist work unit apart from the graded course (conftest.LONGEST_FIRST)."""

    @pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
    def test_teaching_md_followed_literally_from_a_fresh_course(self, tmp_path):
        """TEACHING.md's own commands, in order, each route from a fresh course: roster, due date, release;
        then collect by file copy with timestamps, grade, feedback, export, regrade with --force; or release
        through an exchange folder, fetch and submit as a student, collect, grade, return feedback."""
        steps = teaching_steps()
        commands = "\n".join(text for _, role, text in steps if not role.startswith("file:"))
        for needed in (
            "db student import",
            "db assignment add",
            "--duedate",
            "timestamp.txt",
            "--force",
            "collect",
            "release_feedback",
            "fetch_feedback",
            "export",
            "Exchange.root",
        ):
            assert needed in commands, needed
        env = dict(os.environ)
        env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
        for variable in ("JUPYTER_CONFIG_DIR", "JUPYTER_RUNTIME_DIR", "JUPYTER_DATA_DIR", "IPYTHONDIR", "MPLCONFIGDIR"):
            (tmp_path / variable.lower()).mkdir()
            env[variable] = str(tmp_path / variable.lower())
        env["OMP_NUM_THREADS"] = "1"
        run = subprocess.run(
            [sys.executable, __file__, "--teaching", str(tmp_path)],
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
        )
        assert run.returncode == 0, (run.stdout + run.stderr)[-5000:]

        course_dir, name = tmp_path / "files" / "build" / "course", TEACHING_LESSON
        points = float(len(course.exercises(course._cells(course.NOTEBOOKS / f"{name}.ipynb"), stubs=True)))
        before = _grades(tmp_path / "files" / "grades-before-regrade.csv")
        assert set(before) == {"alice", "bob", "carol"}  # the roster, whoever handed in
        assert float(before["alice"]["score"]) == points and before["alice"]["timestamp"]
        assert before["bob"]["timestamp"] > before["bob"]["duedate"] and float(before["bob"]["score"]) == 0
        assert before["carol"]["timestamp"] == "" and float(before["carol"]["score"]) == 0  # no submission
        after = _grades(course_dir / "grades.csv")
        assert float(after["alice"]["score"]) == 0  # regraded with --force: her blank replacement
        assert (course_dir / "feedback" / "alice" / name / f"{name}.html").exists()  # the file to send her

        hub = _grades(tmp_path / "hub" / "build" / "course" / "grades.csv")
        users = set(hub) - {"alice", "bob", "carol"}
        assert len(users) == 1, hub  # the student who used the exchange (the hub user name: here the OS user)
        assert float(hub[users.pop()]["score"]) == points
        fetched = list((tmp_path / "hub" / "student" / name / "feedback").glob(f"*/{name}.html"))
        assert len(fetched) == 1 and "Score" in fetched[0].read_text()


def test_teaching_md_hub_install_takes_the_cpu_index_and_only_the_learners_packages(tmp_path):
    teaching = TEACHING.read_text()
    install = teaching.split("**Install** the package and nbgrader")[1].split("```bash")[1].split("```")[0]
    lines = [line.split("  #")[0].strip() for line in install.strip().splitlines()]
    torch_pin = next(
        line for line in (ROOT / "requirements.txt").read_text().splitlines() if line.startswith("torch==")
    )
    assert lines[0] == f"pip install --index-url https://download.pytorch.org/whl/cpu {torch_pin}"
    sed = lines[1].replace("> learners.txt", f"> {tmp_path / 'learners.txt'}")
    subprocess.run(["bash", "-c", sed], cwd=ROOT, check=True)
    learners = (tmp_path / "learners.txt").read_text()
    import sync_environment

    def names(text: str) -> set[str]:
        return {line.split("==")[0] for line in text.splitlines() if "==" in line and not line.startswith("#")}

    requirements = (ROOT / "requirements.txt").read_text()
    assert names(learners) == names(requirements.split("# --- test-only")[0])  # the learners' section, whole
    assert {"torch", "jupyterlab", "ipywidgets", "transformers"} <= names(learners)
    assert not names(learners) & {"pytest", "nbval", "playwright", "ruff", "nbgrader"}
    nbgrader = f"nbgrader=={sync_environment.teacher_pins()['nbgrader']}"
    assert lines[2] == f"pip install -r learners.txt {nbgrader} -e ."


def test_teaching_md_covers_every_lesson_and_its_minutes_add_up():
    teaching = TEACHING.read_text()
    lessons = sorted(course.NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
    numbers = list(dict.fromkeys(p.stem[:2] for p in lessons if not p.stem.startswith("00")))  # an appendix: same NN
    order = teaching.split("The lessons build on each other in order: ")[1].split(".")[0]
    assert order.split(" → ") == numbers
    graded = course.lessons()
    assert f"`{graded[0].stem}` ... `{graded[-1].stem}`" in " ".join(teaching.split())  # the assignments
    for lesson in graded:  # every exercise in the table
        rows = [line for line in teaching.splitlines() if line.startswith(f"| {lesson.stem[:2]} |")]
        assert len(rows) == len(course.exercises(course._cells(lesson), stubs=True)), lesson.stem
    shortcuts = teaching.split("**Forbidden shortcuts**")[1].split("\n\n")[0]
    for function in course.FORBIDDEN:
        assert f"`{function}`" in shortcuts, function
    for appendix in (p for p in lessons if p.stem.endswith("_appendix")):  # optional: the teacher must know it exists
        assert f"`{appendix.name}`" in teaching, appendix.name
    readme = (ROOT / "README.md").read_text().split("<!-- lessons:start -->")[1].split("<!-- lessons:end -->")[0]
    minutes = sum(int(m) for m in re.findall(r"^\| \[\d\d ·.*\| (\d+) \| \[!\[Binder", readme, re.M))
    assert f"**Self-study** ({minutes} minutes" in teaching
    assert f"add up to {minutes})" in " ".join(teaching.split())
    timeout = re.search(r"c.Execute.timeout = (\d+)", course.CONFIG).group(1)
    assert f"longer than {timeout} s" in teaching


if __name__ == "__main__":
    if sys.argv[1] == "--teaching":
        follow_teaching(Path(sys.argv[2]))
    else:
        drive(Path(sys.argv[1]))

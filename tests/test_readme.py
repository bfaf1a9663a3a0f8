"""The README is the front door: its lesson table, launch links, figures and the Binder files agree."""

import json
import re
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

import readme  # noqa: E402
import sync_environment  # noqa: E402

README = (ROOT / "README.md").read_text()


def test_lesson_table_is_up_to_date():
    assert readme.main(["--check"]) == 0


def test_every_lesson_has_binder_and_colab_links_from_the_one_url():
    url = readme.repository_url()
    assert url.startswith("https://github.com/")
    lessons = readme.lesson_notebooks()
    assert len(lessons) >= 1
    for notebook in lessons:
        binder = f"https://mybinder.org/v2/gh/{readme.github_path(url)}/main?labpath=notebooks%2F{notebook.name}"
        colab = (
            f"https://colab.research.google.com/github/{readme.github_path(url)}/blob/main/notebooks/{notebook.name}"
        )
        assert binder in README, f"no Binder link for {notebook.name}"
        assert colab in README, f"no Colab link for {notebook.name}"
        assert f"(notebooks/{notebook.name})" in README


def test_every_link_to_the_repository_uses_the_one_url():
    owner_name = readme.github_path(readme.repository_url())
    files = [
        README,
        *(p.read_text() for p in ROOT.glob("notebooks/**/*.ipynb")),
        (ROOT / "CONTRIBUTING.md").read_text(),
    ]
    for text in files:
        for found in re.findall(r"(?:github\.com|/gh)/([\w.-]+/[\w.-]+)", text):
            if found.startswith(("vit-explained/", owner_name.split("/")[0] + "/")):
                assert found.removesuffix(".git") == owner_name, found


def test_every_figure_the_readme_shows_exists():
    shown = re.findall(r"!\[[^\]]*\]\((figures/[^)\s]+)\)", README)
    assert shown, "the README shows no figures"
    missing = [path for path in shown if not (ROOT / path).is_file()]
    assert missing == []


def test_every_lesson_notebook_has_a_colab_cell_that_does_nothing_elsewhere():
    for notebook in readme.lesson_notebooks():
        cells = json.loads(notebook.read_text())["cells"]
        first_code = next(cell for cell in cells if cell["cell_type"] == "code")
        source = "".join(first_code["source"])
        assert '"google.colab" in sys.modules' in source, notebook.name
        assert first_code.get("outputs") == [], f"{notebook.name}: the Colab cell printed something here"


def test_environment_yml_parses_and_pins_the_same_versions():
    environment = yaml.safe_load((ROOT / "environment.yml").read_text())
    assert "conda-forge" in environment["channels"]
    pip_section = next(item["pip"] for item in environment["dependencies"] if isinstance(item, dict))
    pinned = dict(line.split("==") for line in pip_section if "==" in line)
    assert pinned == sync_environment.pins()
    assert any(str(item).startswith("python=3.11") for item in environment["dependencies"])


def test_binder_files():
    assert not (ROOT / "binder").exists(), "a binder/ folder would make Binder ignore the root files"
    post_build = (ROOT / "postBuild").read_text()
    assert "pip install --no-deps -e ." in post_build
    assert (ROOT / "postBuild").stat().st_mode & 0o111


def test_repoint_makes_a_class_copy_consistent(tmp_path, monkeypatch):
    """`python tools/readme.py --repoint URL` (TEACHING.md's class-copy step) leaves every link on URL."""
    import shutil

    for name in ("pyproject.toml", "README.md", "CONTRIBUTING.md"):
        shutil.copy(ROOT / name, tmp_path / name)
    shutil.copytree(ROOT / "notebooks", tmp_path / "notebooks")
    monkeypatch.setattr(readme, "ROOT", tmp_path)
    monkeypatch.setattr(readme, "README", tmp_path / "README.md")
    assert readme.main(["--repoint", "https://github.com/some-teacher/vit-class-2026"]) == 0
    assert readme.repository_url() == "https://github.com/some-teacher/vit-class-2026"
    assert readme.main(["--check"]) == 0
    for path in [tmp_path / "README.md", tmp_path / "CONTRIBUTING.md", *tmp_path.glob("notebooks/**/*.ipynb")]:
        text = path.read_text()
        assert "vit-explained/vit-explained" not in text, path.name
        if path.suffix == ".ipynb":
            json.loads(text)
            if path.parent.name == "notebooks":
                assert "git+https://github.com/some-teacher/vit-class-2026" in text, path.name
    readme_text = (tmp_path / "README.md").read_text()
    for notebook in readme.lesson_notebooks():
        assert readme.binder_url(notebook.name) in readme_text
        assert readme.colab_url(notebook.name) in readme_text
    with pytest.raises(ValueError, match="OWNER/NAME"):
        readme.repoint("https://gitlab.com/x/y")


def test_the_lesson_table_counts_the_exercises_the_course_grades():
    import course

    for lesson in course.lessons():
        graded = len(course.exercises(course._cells(lesson), stubs=True))
        said = re.search(r"(\d+) exercises?$", readme.LESSONS[lesson.stem][0])
        assert said and int(said.group(1)) == graded, (lesson.stem, said and said.group(0), graded)

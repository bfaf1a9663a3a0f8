"""Write environment.yml (Binder, conda-forge) from requirements.txt, the one place pins live.

    python tools/sync_environment.py           # rewrite environment.yml
    python tools/sync_environment.py --check   # exit 1 if environment.yml is out of date

Everything is installed by pip inside the conda environment, so Binder gets exactly the
versions `make lab` and `make test` install, except the teacher-only section of requirements.txt
(the lines after `# --- teacher-only`, e.g. nbgrader) and the book's section (`# --- book`,
Sphinx and MyST-NB for `make book`): a teacher's tools stay out of the learners' Binder image. The
installer's own pin (`# --- installer`, pip) is the Makefile's: Binder keeps its image's pip.
The extra index serves torch's CPU-only wheels (`torch==2.13.0` matches `2.13.0+cpu`), so Binder
does not download CUDA packages.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REQUIREMENTS = ROOT / "requirements.txt"
ENVIRONMENT = ROOT / "environment.yml"
PYTHON_VERSION = "3.11"
TORCH_CPU_INDEX = "https://download.pytorch.org/whl/cpu"


TEACHER_ONLY = "# --- teacher-only"
BOOK_ONLY = "# --- book"
INSTALLER = "# --- installer"


def _sections(path: Path) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """``({name: version} for Binder, {name: version} teacher-only, {name: version} book-only)``
    from a requirements file."""
    binder: dict[str, str] = {}
    teacher: dict[str, str] = {}
    book: dict[str, str] = {}
    installer: dict[str, str] = {}
    sections = {TEACHER_ONLY: teacher, BOOK_ONLY: book, INSTALLER: installer}
    current = binder
    for raw in path.read_text().splitlines():
        if raw.startswith("# ---"):
            current = next((pins for marker, pins in sections.items() if raw.startswith(marker)), binder)
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if "==" not in line:
            raise ValueError(f"{path.name}: {line!r} is not pinned with ==")
        name, version = (part.strip() for part in line.split("==", 1))
        current[name.lower()] = version
    return binder, teacher, book


def pins(path: Path = REQUIREMENTS) -> dict[str, str]:
    """``{name: version}`` for every ``name==version`` line of a requirements file that goes into
    environment.yml (Binder): all but the teacher-only and book sections."""
    return _sections(path)[0]


def teacher_pins(path: Path = REQUIREMENTS) -> dict[str, str]:
    """``{name: version}`` of the teacher-only section (installed by `make lab`/`make test`, not on Binder)."""
    return _sections(path)[1]


def book_pins(path: Path = REQUIREMENTS) -> dict[str, str]:
    """``{name: version}`` of the book's section (`make book`; installed by `make lab`/`make test`, not on Binder)."""
    return _sections(path)[2]


def render(versions: dict[str, str]) -> str:
    lines = [
        "# Generated from requirements.txt by tools/sync_environment.py: edit the pins there,",
        "# then run `make environment`. A test fails if this file and requirements.txt disagree.",
        "name: vit-explained",
        "channels:",
        "  - conda-forge",
        "dependencies:",
        f"  - python={PYTHON_VERSION}",
        "  - pip",
        "  - pip:",
        f"      - --extra-index-url {TORCH_CPU_INDEX}",
    ]
    lines += [f"      - {name}=={version}" for name, version in versions.items()]
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    text = render(pins())
    if "--check" in argv:
        if not ENVIRONMENT.exists() or ENVIRONMENT.read_text() != text:
            print("environment.yml is out of date: run `make environment`")
            return 1
        print("environment.yml matches requirements.txt")
        return 0
    ENVIRONMENT.write_text(text)
    print(f"wrote {ENVIRONMENT.name} with {len(pins())} pinned packages")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

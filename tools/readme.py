"""Write the README's lesson table from the notebooks and the one repository URL in pyproject.toml.

    python tools/readme.py           # rewrite the table between the lessons:start/end markers
    python tools/readme.py --check   # exit 1 if the README's table is out of date

Each lesson's title is the first heading of its notebook; what it teaches and how long it takes
are in LESSONS below. Binder and Colab links are built from `[project.urls] Repository`.
"""

from __future__ import annotations

import json
import re
import sys
import tomllib
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
START, END = "<!-- lessons:start -->", "<!-- lessons:end -->"

#: notebook stem -> (what you learn, minutes to work through it including the exercises)
LESSONS: dict[str, tuple[str, int]] = {
    "00_check_your_setup": ("the package imports, a tiny ViT runs forwards and backwards", 2),
    "01_patches_and_embeddings": (
        "a 224x224 photo becomes 196 patches + 1 class token; three equal patch embeddings; "
        "learned vs sinusoid positions",
        30,
    ),
    "02_soft_split_token_counting": (
        "overlapping patches, the floor((h + 2p - k)/s) + 1 count, an animated and an interactive soft split, "
        "T2T's chain",
        30,
    ),
    "03_attention_shapes": (
        "every shape through ViT-B attention, fused vs separate qkv, why 1/sqrt(d), the batch_first bug, N^2 cost",
        35,
    ),
    "04_gelu_mlp_and_block": (
        "GELU from its formula, the 4x MLP, the pre-norm block, ViT-B's 86.6M parameters by part, LayerNorm bugs",
        30,
    ),
    "05_where_gradients_flow": (
        "where q, k, v get their gradients: hooks on one backward pass, attention's backward by hand = autograd",
        40,
    ),
    "06_train_a_vit": (
        "train a small ViT on real MNIST on a CPU, with curves, a confusion matrix and the pitfalls",
        35,
    ),
    "07_tokens_to_token_vit": (
        "T2T-ViT step by step on 400x100 images: soft split, token transformer, reconstruction, cost per stage",
        35,
    ),
    "08_attention_maps": ("capture attention with hooks, class-token maps on digits, attention rollout", 30),
}


def repository_url() -> str:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return project["urls"]["Repository"].rstrip("/")


def github_path(url: str) -> str:
    match = re.fullmatch(r"https://github\.com/([^/]+/[^/]+)", url)
    if not match:
        raise ValueError(f"[project.urls] Repository must be https://github.com/OWNER/NAME, got {url}")
    return match.group(1)


def binder_url(notebook: str, url: str | None = None) -> str:
    path = github_path(url or repository_url())
    return f"https://mybinder.org/v2/gh/{path}/main?labpath={quote('notebooks/' + notebook, safe='')}"


def colab_url(notebook: str, url: str | None = None) -> str:
    path = github_path(url or repository_url())
    return f"https://colab.research.google.com/github/{path}/blob/main/notebooks/{notebook}"


def lesson_notebooks() -> list[Path]:
    return sorted(ROOT.glob("notebooks/[0-9][0-9]_*.ipynb"))


def title(notebook: Path) -> str:
    cells = json.loads(notebook.read_text())["cells"]
    heading = next(line for line in "".join(cells[0]["source"]).splitlines() if line.startswith("# "))
    return heading[2:].strip()


def series_url(url: str | None = None) -> str:
    return f"https://mybinder.org/v2/gh/{github_path(url or repository_url())}/main?urlpath=lab%2Ftree%2Fnotebooks"


def table() -> str:
    rows = [
        f"The whole series on Binder: [![Launch on Binder](https://mybinder.org/badge_logo.svg)]({series_url()})",
        "",
        "| lesson | what you learn | minutes | launch |",
        "|---|---|---|---|",
    ]
    for notebook in lesson_notebooks():
        learn, minutes = LESSONS.get(notebook.stem, ("", 0))
        if not learn:
            raise ValueError(f"add {notebook.stem!r} to LESSONS in tools/readme.py")
        rows.append(
            f"| [{title(notebook)}](notebooks/{notebook.name}) | {learn} | {minutes} | "
            f"[![Binder](https://mybinder.org/badge_logo.svg)]({binder_url(notebook.name)}) "
            f"[![Colab](https://colab.research.google.com/assets/colab-badge.svg)]({colab_url(notebook.name)}) |"
        )
    return "\n".join(rows)


def render(readme: str) -> str:
    before, rest = readme.split(START, 1)
    _, after = rest.split(END, 1)
    return f"{before}{START}\n{table()}\n{END}{after}"


def main(argv: list[str]) -> int:
    current = README.read_text()
    updated = render(current)
    if "--check" in argv:
        if updated != current:
            print("README.md's lesson table is out of date: run `python tools/readme.py`")
            return 1
        return 0
    README.write_text(updated)
    print(f"README.md: {len(lesson_notebooks())} lessons")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

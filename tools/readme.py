"""Write the README's lesson table from the notebooks and the one repository URL in pyproject.toml.

    python tools/readme.py           # rewrite the table between the lessons:start/end markers
    python tools/readme.py --check   # exit 1 if the README's table is out of date
    python tools/readme.py --repoint https://github.com/OWNER/NAME
        # a class copy: point [project.urls], every notebook's Binder/Colab badges and Colab install
        # cell, README and CONTRIBUTING at OWNER/NAME, then rewrite the table

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
        "a map of the whole ViT with ViT-B/16's shapes; 196 patches + 1 class token = 197 tokens; patchify by hand; "
        "Conv2d, Unfold + Linear and Rearrange + Linear are one computation; why positions; sinusoid vs learned "
        "positions, and a position table resized to a new resolution; patch-grid and shuffle widgets; Eq. 1 built by "
        "hand; 5 exercises",
        30,
    ),
    "01_patches_and_embeddings_appendix": (
        "section 6's readings of five trained tables (per table and as one family of 20), the confirmatory test on two "
        "new 8 x 8 runs, one tested (confounded) explanation of the border cluster, a shift study; section 7's five "
        "resolution comparisons; the paper's, timm's and Hugging Face's resize kernels; section 5's table-scale probe; "
        "the sinusoid table and an eight-digit walk through the pipeline; three more widgets (patch size, digit "
        "shuffle, position maps)",
        10,
    ),
    "02_soft_split_token_counting": (
        "the soft split's token count floor((h + 2p - k)/s) + 1, checked against nn.Unfold and the T2T paper's "
        "Eq. 3 (whose s is the overlap); T2T's three splits, 224 x 224 -> 196 tokens; what the original code's "
        "square reshape does to a non-square image; a soft-split widget; 4 exercises",
        25,
    ),
    "02_soft_split_token_counting_appendix": (
        "held whole, counted: the controls and the paper's Table 7; undoing a split with nn.Fold; the floor rule as a "
        "function; where the windows sit; the original conv stem; lesson 07's module, its reshape and a run",
        10,
    ),
    "03_attention_shapes": (
        "queries, keys and values on a 4-token example, then on a real digit; ViT-B's attention shape by shape; one "
        "computation in many spellings (fused qkv, einops, SDPA, nn.MultiheadAttention) and their traps; why "
        "1/sqrt(d); memory vs FLOPs; a head-layout widget; 8 exercises",
        40,
    ),
    "03_attention_shapes_appendix": (
        "the batch_first bug diagnosed; the softmax's gradient by hand; where a trained head looks and how far every "
        "head looks; four heads against one; the scale in real layers and in training; the cost table and the "
        "crossover; measured time and memory; the library versions read; a query explorer and a heads widget",
        15,
    ),
    "04_gelu_mlp_and_block": (
        "GELU from its formula; the MLP; LayerNorm as geometry; dropout and DropPath as masks; where ViT-B/16's "
        "86,567,656 parameters are; pre-norm vs post-norm: the gradient with depth, an ablation of the final step "
        "and a stored training comparison; a residual-stream widget; 6 exercises",
        30,
    ),
    "04_gelu_mlp_and_block_appendix": (
        "why the pre-norm gradient falls as it does (deeper stacks, timm's init); the training study; T2T's MLP ratio "
        "and a parameter-budget widget; LayerScale; where the libraries differ",
        10,
    ),
    "05_where_gradients_flow": (
        "one loss at the head; where W_q, W_k and W_v get their gradient: inside attention, from the residual stream, "
        "part of it back through the later MLPs (the MLP route cut with detach(), against freezing); attention's "
        "backward by hand equals autograd; a widget that freezes a part or cuts the MLP route; 8 exercises",
        40,
    ),
    "05_where_gradients_flow_appendix": (
        "nine side trips: why the LayerNorms get less gradient; the q/k gap against width, heads, tokens, patch size, "
        "input and init; the trained MNIST ViT; the MLP-route part's size and depth; optimizers; the fresh shares; the "
        "formulas in a real block; a saturating softmax (with a widget); the count on real activations",
        10,
    ),
    "06_train_a_vit": (
        "train, validate, test once; a ~20-line loop; AdamW, weight decay, label smoothing; a debugging clinic "
        "against ln 10; the ViT beside small CNNs over seeds, with intervals; a training widget; 7 exercises",
        35,
    ),
    "06_train_a_vit_appendix": (
        "side experiments: init, pooling, the command line, section 5's tables in full, selection bias, augmentation",
        10,
    ),
    "07_tokens_to_token_vit": (
        "T2T-ViT step by step (soft split, token transformer, reshape) beside the original code (the same logits); "
        "local windows, global attention, receptive fields; T2T-ViT-14 against DeiT-S and ViT-S/16 (parameters, "
        "MACs, the Performer); does T2T help; the released weights' scale; a T2T-chain widget; 4 exercises",
        35,
    ),
    "07_tokens_to_token_vit_appendix": (
        "the no-overlap chain raced against T2T's; the module's whole forward; the scale alone, the trained stem's "
        "channels and attention; the sources; the paper's numbers recounted, the Performer counted; facts for porters",
        10,
    ),
    "08_attention_maps": (
        "attention weights out of a ViT with hooks; raw attention, rollout, gradient-weighted maps (Chefer et al. "
        "2021); a model-randomisation sanity check; deletion curves with controls and paired intervals; an "
        "attention explorer; 6 exercises",
        35,
    ),
    "08_attention_maps_appendix": (
        "the deletion test as one family; insertion; vit-explain's knobs; maps per class; high-norm tokens; what "
        "carries over from digits to photos",
        15,
    ),
    "09_deit_distillation": (
        "DeiT's recipe; soft vs hard distillation; the distillation token trained from a CNN teacher, and a teacher "
        "whose answer 7 becomes 1; the Q&A's monkey-patch and what [:, :, 0, 2:] vs [:, :, 1, 2:] slice; attn_mask "
        "and is_causal across timm versions; hooks on fused paths; widgets for both maps and for soft targets; "
        "5 exercises",
        30,
    ),
    "09_deit_distillation_appendix": (
        "library versions; section 3's statistics, 8-epoch runs, one token for both targets; the teacher's crops; "
        "further checks",
        10,
    ),
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


def repoint(url: str) -> list[Path]:
    """Point every link to the repository at ``url`` (``https://github.com/OWNER/NAME``): the one URL in
    pyproject.toml, and the Binder/Colab badges and the Colab install cell of every notebook, README and
    CONTRIBUTING. Returns the files changed."""
    url = url.rstrip("/").removesuffix(".git")
    new = github_path(url)  # raises for anything but https://github.com/OWNER/NAME
    old = github_path(repository_url())
    pattern = re.compile(r"(github\.com/|/gh/|/github/)" + re.escape(old) + r"(?![\w.-])")
    changed = []
    files = [ROOT / "pyproject.toml", README, ROOT / "CONTRIBUTING.md", *sorted(ROOT.glob("notebooks/**/*.ipynb"))]
    for path in files:
        if not path.exists():
            continue
        text = path.read_text()
        updated = pattern.sub(lambda match: match.group(1) + new, text)
        if updated != text:
            path.write_text(updated)
            changed.append(path)
    if repository_url() != url:
        raise ValueError(f"pyproject.toml's [project.urls] Repository is not {url} after repointing")
    return changed


def main(argv: list[str]) -> int:
    if "--repoint" in argv:
        index = argv.index("--repoint")
        if index + 1 >= len(argv):
            print("usage: python tools/readme.py --repoint https://github.com/OWNER/NAME")
            return 2
        changed = repoint(argv[index + 1])
        print(f"repointed {len(changed)} files at {repository_url()}")
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
    try:
        sys.exit(main(sys.argv[1:]))
    except ValueError as error:  # one clean line, not a traceback
        print(f"tools/readme.py: {error}", file=sys.stderr)
        sys.exit(1)

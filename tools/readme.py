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
        "a map of the whole ViT with ViT-B/16's shapes; 224 / 16 = 14 per side: 14 x 14 = 196 patches "
        "(+1 class token = 197 tokens); patchify by hand; Conv2d, Unfold + Linear and Rearrange + Linear "
        "are one computation (a figure: the kernel in (c p1 p2) and (p1 p2 c) order); why positions (a "
        "shuffle leaves the class token unchanged until positions are "
        "added); sinusoid vs learned positions (going deeper: in the MNIST model, one seed, neighbours along a "
        "row are alike, the patch below is not detectably more alike than the sequence order predicts, and the "
        "border patches form a cluster; bootstrap intervals in a collapsed block); learned positions at a new "
        "resolution (2-D interpolation: "
        "the paper's code is linear with aligned corners, timm antialiased bicubic, Hugging Face bicubic "
        "without antialias; 2-D bilinear vs 1-D linear with the kernel held fixed); only the MLP is local; a "
        "patch-grid widget; 4 exercises (the last: resize a position table by hand)",
        35,
    ),
    "02_soft_split_token_counting": (
        "floor((h + 2p - k)/s) + 1 derived, equal to PyTorch's form, to the T2T paper's Eq. 3 (whose s is the "
        "overlap) and to nn.Unfold; a 60x100 photo becomes 6 x 10 = 60 overlapping tokens; T2T's three splits "
        "224x224 -> 196 and 400x100 -> 175; the original T2T code run on a 400x100 image: with img_size=224 a "
        "shape error (197 vs 170 tokens), with 208 a silent run on scrambled neighbours, and for most "
        "non-square sizes its square reshape fails; a soft-split widget (windows and each pixel's coverage); "
        "exercises: count the tokens, choose a split, a soft split from padding and slicing",
        30,
    ),
    "03_attention_shapes": (
        "what queries, keys and values are for, on a 4-token, 2-head example you can read (each head can read "
        "every feature, only the output is split); attention on a real digit; 197 x 768 tokens through ViT-B "
        "attention shape by shape; one computation, many spellings (separate Q, K, V, the fused qkv, einops, "
        "SDPA, nn.MultiheadAttention; the (h three d) layout trap; the batch_first bug); attention alone "
        "ignores token order (shuffle in, shuffle out); 1/sqrt(d) makes the spread of the scores, and with it "
        "the softmax's behaviour, independent of the head width (at initialisation, for q and k of spread 1, "
        "over a third of the rows saturate at d = 64 without it: the gradient becomes uneven across rows, not "
        "smaller on average); a stored training run with and without the scale at d = 16 and 64 (3 seeds): no "
        "detectable difference; memory (heads, tokens; when the matrix is stored) vs FLOPs (width, and the "
        "projections up to N = (3 D_in + D)/2: 1536 tokens for ViT-B, 252 and 896 for T2T-ViT_t's two token "
        "layers); a heads widget and an attention widget; predict the attention weights' bytes for ViT-L at "
        "384; appendix: where the trained head looks, folding the scale into W_q (one SGD step then moves it "
        "d times as much, Adam's sqrt(d)), time and memory measured",
        40,
    ),
    "04_gelu_mlp_and_block": (
        "the block's diagram first (pre-norm vs post-norm, the residual stream); GELU from its formula (erf "
        "vs tanh vs x * sigmoid(1.702 x), CLIP's QuickGELU; swapping the form in the shipped MNIST ViT moves "
        "no logit by more than 0.003 and changes none of 1,000 predictions); the 768 -> 3072 -> 768 MLP "
        "(expand, gate, contract) and why a transformer needs one; LayerNorm drawn as geometry (centre onto a "
        "plane, scale onto the sqrt(D) sphere) and vs BatchNorm; dropout and DropPath drawn as masks; where "
        "ViT-B/16's 86,567,656 parameters are; Xiong et al.'s depth prediction checked on random blocks, "
        "log-log: the last fc2 gradient shows no trend with post-norm (slope -0.02 [-0.15, +0.12]) and falls "
        "with pre-norm (slope -0.47 [-0.56, -0.38] over 2-16 blocks); the ablation, only the final step "
        "changed, removes the fall (none +0.08 [-0.004, +0.165], a fixed divisor +0.06 [-0.024, +0.141], "
        "centred then that divisor +0.065 [-0.021, +0.150]) while LayerNorm with sigma detached keeps it: the "
        "fall goes with the forward division by the stream's spread; in training (a stored run, 3 seeds), at "
        "1e-3 no detectable difference between pre- and post-norm, at 5e-3 post-norm ends near chance in 9 of "
        "9 runs and pre-norm in none; a residual-stream widget (depth, design, final step); exercises: GELU's "
        "slope by hand, a parallel block (GPT-J, ViT-22B), LayerNorm, DropPath, a block's multiply-adds, the "
        "post-norm block; the block as the ViT paper's eqs. 2-4, timm 1.0.28 and Hugging Face 5.23.0 write it",
        30,
    ),
    "04_gelu_mlp_and_block_appendix": (
        "why section 6's pre-norm slope is -0.47 over 2-16 blocks (the stream's norm grows about linearly, "
        "8.2 + 1.33 L) and -0.62 [-0.72, -0.52] deeper (to 128 blocks, a stored run); how the fall depends on "
        "the branches' size relative to the width (timm's std 0.02 nearly removes it at D = 64, not at "
        "ViT-B's D = 768, a stored run; Xavier's weights scaled down alone): the slope follows how much the "
        "stream grows, not std x sqrt(fan-in); the training study (pre- vs post-norm, with and without "
        "warm-up, 3 seeds); T2T's MLP ratio 3 and a parameter-budget widget (qkv bias on or off); LayerScale; "
        "notes: which GELU each library's checkpoints use, the other model sizes, and where the libraries "
        "differ (vit-pytorch 1.23.6's block, LayerNorm eps, torchvision's GFLOPS, the 21k checkpoints, "
        "dropout)",
        10,
    ),
    "05_where_gradients_flow": (
        "one loss at the head; q, k and v get their gradients inside attention, from the gradient arriving "
        "along the residual stream, part of which came back through the MLPs after it (its own block's and "
        "every later block's; the MLP route cut with detach(), forward unchanged; the share of the qkv "
        "gradient that came back through those MLPs: -6 "
        "to 37 % in the small model at initialisation, 50-63 % in block 0 of fresh copies of the trained "
        "ViT's architecture; in this one trained checkpoint (the spread over training runs is not "
        "measured) a mean over 8 batches of 32 digits of 53-93 %, its 95 % t interval above 50 % in blocks 0-2 "
        "and containing 50 % in block 3 ([45, 61] %), above every fresh seed); attention's "
        "backward by hand equals autograd; you write the cut yourself; a widget that freezes a part or cuts "
        "the MLP route",
        40,
    ),
    "06_train_a_vit": (
        "train, validate, test once (what choosing on the test set overstates: appendix E); a ~20-line loop "
        "equal to the package's; AdamW, weight decay, label smoothing, DeiT's recipe beside the lesson's; a "
        "debugging clinic against ln 10 (its runs stored) with a hand-written LayerNorm line seen in the wild "
        "and over-fitting one batch (an exercise names each bug from its symptoms); ViT vs a smaller and a "
        "larger CNN at equal steps (10 seeds, a paired t-interval over seeds; the benchmark's digits and MNIST "
        "rows beside it); when the step-0 loss check fires (head weights x10) and when it cannot (pixels x255, "
        "before the last norm); a training widget; the learning-rate schedule drawn beside the loss curve",
        35,
    ),
    "06_train_a_vit_appendix": (
        "init (q/k scale), SGD pooling, the CLI, section 5 in depth, selection bias simulated and on real runs "
        "(with a shuffle ablation and the statistics words), zero images and batch mixing, augmentation at 400 "
        "and 1,860 steps (at 400 it lowers both and CNN-8's lead grows by +6.0 points [+2.1, +9.9]; at 1,860 "
        "no change is detectable, 3 seeds)",
        10,
    ),
    "07_tokens_to_token_vit": (
        "the T2T pipeline and the soft split's overlap drawn first, the paper's notation mapped to the code; "
        "T2T-ViT step by step on 400x100 images: soft splits, the token transformer (the skip v = W_v "
        "LayerNorm(x)), reshape; the original yitu-opensource code (commit 0f63dc9, vendored with its "
        "licence) run beside T2TViT: the same logits in float64; local windows, global attention (a gradient "
        "check) and a final token's 31 x 31 receptive field; T2T-ViT_t-14 (t2t_vit_t_14, built here; the "
        "paper's T2T-ViT-14 is the Performer variant) vs DeiT-S (deeper, smaller MLP) and vs the paper's "
        "wider ViT-S/16 (its 'half the parameters'), with a picture of where the parameters are; where the "
        "attention cost goes; does T2T help: the paper's ablation (Table 7), cited, and a controlled run of "
        "T2T's chain against a no-overlap chain (several changes at once: windows, scale, stem parameters; "
        "upsampled digits, 6 seeds, 10 epochs: +3.1 points, 95 % t-interval [+2.5, +3.8]) with a one-change "
        "run (T2T's token-attention scale alone, on the no-overlap chain: no detectable difference, [-1.2, "
        "+1.0]); for porters, the released weights' backbone scale; a T2T-chain widget (the windows on a "
        "digit, the receptive field, the cost)",
        35,
    ),
    "08_attention_maps": (
        "capture every block's attention with forward hooks (even on the fused path), the class token's "
        "attention per head, rollout and head fusion, gradient-weighted maps (Chefer et al. 2021) from a "
        "3-token toy to an exercise, a model-randomisation sanity check (Adebayo et al. 2018: with only the "
        "classifier (fc_norm + linear head) re-drawn as training started (PyTorch's default init) "
        "the decisions are lost yet rollout is unchanged, "
        "rho = 1.00 on three draws, and it keeps rho 0.88 or more until block 0 is re-drawn; with every layer "
        "random, over five draws, the gradient-weighted map's mean rho ranges from -0.25 to +0.12, rollout's from "
        "-0.61 to +0.50), deletion curves (Petsiuk et al. "
        "2018) on 200 digits with paired intervals read at the family level (98.8 %) and a positive control "
        "(single-patch occlusion with blank patches last beats rollout and ink first, "
        "between which no difference is detectable; both sit about "
        "0.05 above what greedy deletion reaches, an area the best possible order can only match or beat), "
        "vit-explain's DeiT-tiny maps on a photo (not computed here) and what carries over from digits to photos and "
        "what does not; an attention explorer",
        35,
    ),
    "08_attention_maps_appendix": (
        "the deletion test as one Bonferroni family; insertion, blank patches (stroke-first curves), a grey "
        "fill; vit-explain's knobs tested; maps per class (section 12's digits); high-norm tokens; "
        "vit-explain's four traps and what carries over from digits to photos",
        15,
    ),
    "09_deit_distillation": (
        "DeiT's recipe, soft vs hard distillation, the distillation token trained from a CNN teacher, and "
        "where it acts: on the training digits the teacher gets wrong, the distillation head gives the "
        "teacher's label and the class head the true label (McNemar); on the teacher's unseen test mistakes "
        "the two heads copy it equally often; a one-change ablation (a teacher that says 1 for every 7, 3 "
        "seeds): on unseen validation 7s the distillation head says 1 in 84-92 % of them, the class head in "
        "6-14 %; the accuracy gain over the same ViT alone not settled at 3 seeds (the t-interval holds 0); "
        "the Q&A's my_forward monkey-patch and [:, :, 0, 2:] vs [:, :, 1, 2:]; attn_mask / is_causal across "
        "timm versions (timm's slow and fused paths differ when both are given); hooks on fused paths; HF's "
        "eager/SDPA trap; a widget with the class and distillation maps side by side",
        40,
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

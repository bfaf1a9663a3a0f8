"""Does a T2T-style soft split help a small ViT trained from scratch? Soft split vs patches, equal steps.

    .venv/bin/python benchmarks/bench_t2t_stem.py              # about 15 minutes at load average 10 to 16
    .venv/bin/python benchmarks/bench_t2t_stem.py --seeds 10 --epochs 10 --result t2t_stem_10_epochs  # 3 minutes

Lesson 07 cites the T2T-ViT paper's ImageNet numbers; this is the package's own small-scale check of the
embedding alone (overlapping windows vs disjoint patches), with the backbone held fixed. Two stems on scikit-learn's 8x8
digits, everything else the ``digits`` preset (depth 2, width 64, the same augmentation, optimizer and schedule):

- ``soft split (4, 2, 1)``: overlapping 4x4 windows, stride 2, padding 1 -> a 4 x 4 grid of 16 tokens of 16 pixels;
- ``patches 2x2``: hard 2x2 patches -> the same 4 x 4 grid of 16 tokens, of 4 pixels each.

Both make 16 tokens, so the backbone and its attention cost are identical; the difference is the
embedding's input (16 overlapping pixels vs 4 disjoint ones: 768 more weights in that one Linear). Each stem
trains the same number of optimizer steps from the same seeds (same initial backbone draw order, same batches),
on 1 thread per run; the score is the final accuracy on the 180 *validation* digits (the test split is not
read). :func:`vit_explained.evidence.paired_seeds` summarises the paired differences over seeds. Written to
``benchmarks/results/t2t_stem.md``.

``--overlap-control`` runs the clean control instead (about 5 minutes with 2 workers, 6 seeds, 10 epochs): the
digits upsampled to 48x48, a T2T module with token transformers in front of the same 2-block backbone, and one
change, the overlap: T2T's splits (7, 4, 2), (3, 2, 1), (3, 2, 1) against (4, 4, 0), (2, 2, 0), (2, 2, 0). Both
chains make the same grids (12 x 12, 6 x 6, 3 x 3), so the token transformers and the backbone see as many tokens
and cost the same attention; a window of the no-overlap chain sees fewer pixels (it is the overlap). Written to
``benchmarks/results/t2t_overlap_control.md``.

``--patch-control`` runs the plain-ViT baseline beside it (same digits, seeds, epochs and backbone): the T2T
chain against hard 16x16 patches at stride 16, one Linear (256 -> 64), which make the same final 3 x 3 grid with
no token transformer and no overlap. Written to ``benchmarks/results/t2t_patch_control.md``.

``--matched-patch-control`` asks whether T2T's extra parameters explain that gap: the same hard 16x16 patches with
a two-layer projection, Linear (256 -> 180), GELU, Linear (180 -> 64), 57,844 parameters against the T2T module's
57,986 (the plain patch Linear has 16,448). Two layers, not a wider one: the one Linear's input (256 pixels) and
output (the backbone's width 64) are fixed by the patch and the backbone, so a hidden layer is the only place the
patch stem alone can take 41k more weights (it also gives the stem a nonlinearity, as T2T's token transformers
have). Only the new arm trains; the T2T and plain-patch columns are the stored runs of the same seeds and epochs.
Written to ``benchmarks/results/t2t_matched_patch_control.md``.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import re
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # idle OpenMP threads sleep: see bench_training.py

import torch
import torch.nn.functional as F
from torch import nn

from _common import markdown_table, write_result
from vit_explained.block import Encoder
from vit_explained.evidence import paired_difference, paired_seeds
from vit_explained.soft_split import SoftSplit, tokens_to_image
from vit_explained.t2t import T2T_SPLITS, TokenTransformer, t2t_chain
from vit_explained.training import PRESETS, fit, predict
from vit_explained.vit import add_class_token

STEMS = {"soft split (4, 2, 1)": {"soft_split": (4, 2, 1)}, "patches 2x2": {"soft_split": None}}


def train_one(job: tuple[str, int, int]) -> tuple[str, int, list[int], float]:
    """Train one stem from one seed on 1 thread: (stem, seed, 0/1 per validation digit, wall seconds)."""
    stem, seed, epochs = job
    torch.set_num_threads(1)
    recipe = dataclasses.replace(PRESETS["digits"], seed=seed, epochs=epochs, **STEMS[stem])
    data = recipe.load_data()
    start = time.perf_counter()
    model = recipe.build_model(data)
    fit(model, data, recipe, progress=False, device="cpu")
    correct = (predict(model, data.val_images).argmax(dim=-1) == data.val_labels).int().tolist()
    return stem, seed, correct, time.perf_counter() - start


CONTROL_SIDE = 48  # the 8x8 digits upsampled: both chains make 12 x 12, 6 x 6, 3 x 3 grids
CHAINS = {"overlap (T2T)": T2T_SPLITS, "no overlap": ((4, 4, 0), (2, 2, 0), (2, 2, 0))}
ARMS = {**CHAINS, "patches 16x16": None, "patches 16x16, 2-layer": None}
PATCH = 16  # hard patches: 48 / 16 = the same final 3 x 3 grid as both chains
PATCH_HIDDEN = {"patches 16x16, 2-layer": 180}  # 57,844 stem parameters, T2T's module has 57,986


class ChainStem(nn.Module):
    """Tokens2Token with any chain of soft splits: split, token transformer, fold, ..., split, Linear."""

    def __init__(self, splits: tuple[tuple[int, int, int], ...], token_dim: int, dim: int) -> None:
        super().__init__()
        self.stages = t2t_chain(CONTROL_SIDE, CONTROL_SIDE, 1, token_dim, splits=splits)
        self.soft_splits = nn.ModuleList(SoftSplit(s.kernel, s.stride, s.padding) for s in self.stages)
        self.token_transformers = nn.ModuleList(TokenTransformer(s.token_length, token_dim) for s in self.stages[:-1])
        self.project = nn.Linear(self.stages[-1].token_length, dim)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        for split, transformer, stage in zip(
            self.soft_splits[:-1], self.token_transformers, self.stages[:-1], strict=True
        ):
            images = tokens_to_image(transformer(split(images)), stage.grid.rows, stage.grid.cols)
        return self.project(self.soft_splits[-1](images))


class PatchStem(nn.Module):
    """ViT's patch embedding on the upsampled digits: 16x16 patches at stride 16, one Linear (256 -> dim), or with
    ``hidden`` two: Linear (256 -> hidden), GELU, Linear (hidden -> dim)."""

    def __init__(self, dim: int, hidden: int | None = None) -> None:
        super().__init__()
        self.split = SoftSplit(PATCH, PATCH, 0)
        self.grid = self.split.grid(CONTROL_SIDE, CONTROL_SIDE)
        pixels = self.split.token_length(1)
        self.project = (
            nn.Linear(pixels, dim)
            if hidden is None
            else nn.Sequential(nn.Linear(pixels, hidden), nn.GELU(), nn.Linear(hidden, dim))
        )

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        return self.project(self.split(images))


class ChainViT(nn.Module):
    """The digits preset's backbone (2 blocks, width 64, 4 heads, MLP 128) behind a :class:`ChainStem`; the
    (augmented) 8x8 digits are upsampled to 48x48 inside, so both chains see the same pixels."""

    def __init__(
        self, splits: tuple[tuple[int, int, int], ...] | None, token_dim: int = 32, patch_hidden: int | None = None
    ) -> None:
        super().__init__()
        recipe = PRESETS["digits"]
        if splits is None:  # the hard-patch baseline
            self.stem = PatchStem(recipe.dim, patch_hidden)
            tokens = self.stem.grid.total
        else:
            self.stem = ChainStem(splits, token_dim, recipe.dim)
            tokens = self.stem.stages[-1].grid.total
        self.class_token = nn.Parameter(torch.zeros(1, 1, recipe.dim))
        self.positions = nn.Parameter(0.02 * torch.randn(1, tokens + 1, recipe.dim))
        self.encoder = Encoder(recipe.dim, recipe.depth, recipe.heads, recipe.mlp_dim)
        self.norm, self.head = nn.LayerNorm(recipe.dim), nn.Linear(recipe.dim, 10)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        images = F.interpolate(images, size=(CONTROL_SIDE, CONTROL_SIDE), mode="bilinear")
        tokens = add_class_token(self.stem(images), self.class_token, self.positions)
        return self.head(self.norm(self.encoder(tokens))[:, 0])


def train_control(job: tuple[str, int, int]) -> tuple[str, int, list[int], float]:
    """One chain from one seed on 1 thread: (chain, seed, 0/1 per validation digit, wall seconds)."""
    chain, seed, epochs = job
    torch.set_num_threads(1)
    recipe = dataclasses.replace(PRESETS["digits"], seed=seed, epochs=epochs)
    data = recipe.load_data()
    start = time.perf_counter()
    torch.manual_seed(seed)
    model = ChainViT(ARMS[chain], patch_hidden=PATCH_HIDDEN.get(chain))
    fit(model, data, recipe, progress=False, device="cpu")
    correct = (predict(model, data.val_images).argmax(dim=-1) == data.val_labels).int().tolist()
    return chain, seed, correct, time.perf_counter() - start


def control(args: argparse.Namespace) -> int:
    """The overlap control: the same T2T module and grids, with and without the overlap (and the changes it brings)."""
    load_before = os.getloadavg()[0]
    jobs = [(chain, seed, args.epochs) for seed in range(args.seeds) for chain in CHAINS]
    with ProcessPoolExecutor(args.workers) as pool:
        results = {(chain, seed): (correct, wall) for chain, seed, correct, wall in pool.map(train_control, jobs)}
    load_after = os.getloadavg()[0]
    names = list(CHAINS)
    accuracy = {name: [sum(results[name, s][0]) / 180 for s in range(args.seeds)] for name in names}
    rows = [
        [seed]
        + [f"{100 * accuracy[name][seed]:.1f} %" for name in names]
        + [f"{100 * (accuracy[names[0]][seed] - accuracy[names[1]][seed]):+.1f}"]
        for seed in range(args.seeds)
    ]
    seeds = paired_seeds(accuracy[names[0]], accuracy[names[1]], names=("overlap", "no overlap"), percent=True)
    interval = seeds.t_interval()
    walls = [wall for _, wall in results.values()]
    grids = [tuple(stage.grid) for stage in ChainStem(CHAINS[names[0]], 32, 64).stages]
    stems = [ChainStem(CHAINS[name], 32, 64) for name in names]
    widths = [" and ".join(str(stage.token_length) for stage in stem.stages[:-1]) for stem in stems]
    sizes = [f"{sum(p.numel() for p in stem.parameters()):,}" for stem in stems]
    body = f"""
Run of {time.strftime("%Y-%m-%d", time.gmtime())} (UTC), `benchmarks/bench_t2t_stem.py --overlap-control --seeds
{args.seeds} --epochs {args.epochs} --workers {args.workers}`: load average {load_before:.1f} before,
{load_after:.1f} after, each run on 1 torch thread, {min(walls):.0f} to {max(walls):.0f} s of wall time per run.

Scikit-learn's 8x8 digits (the `digits` preset's augmentation, optimizer and schedule, {args.epochs} epochs),
upsampled to {CONTROL_SIDE}x{CONTROL_SIDE}; a T2T module (token transformers of width 32) in front of the
preset's backbone (2 blocks of width 64). Several changes come with the overlap: smaller windows, token
transformers that read {widths[1]} numbers per token instead of {widths[0]} (so other scales), and {sizes[1]}
stem parameters instead of {sizes[0]}. Both chains make the grids {grids}, so every
token transformer and the backbone see as many tokens. Accuracy on the 180 validation digits; the test split is
not read.

{markdown_table(["seed", *names, "overlap - no overlap, points"], rows)}

- Over seeds: {seeds}.
- 95 % t-interval of the mean difference: [{100 * interval.low:+.1f}, {100 * interval.high:+.1f}] points;
  two-sided sign test p = {seeds.sign_p_value:.3f}.

What this does and does not show: the overlap together with those changes, not the overlap alone, at a tiny
scale (upsampled 8x8 digits, 9 final tokens, a
2-block backbone, {args.epochs} epochs). A window of the no-overlap chain is smaller (4x4, then 2x2 of tokens):
removing the overlap also shrinks what a window sees, as it does in T2T-ViT. It says nothing about ImageNet.
"""
    write_result(
        "t2t_overlap_control",
        f"Overlap or not, same T2T module and grids, digits, {args.epochs} epochs (lesson 07)",
        body,
        threads="1 per run",
    )
    return 0


def stored_chain_counts(seeds: int, epochs: int) -> list[int]:
    """The T2T chain's correct digits (of 180) per seed, read from ``t2t_overlap_control.md`` (same seeds, epochs)."""
    text = (Path(__file__).parent / "results" / "t2t_overlap_control.md").read_text()
    if f"--seeds\n{seeds} --epochs {epochs} " not in text:
        raise SystemExit(f"t2t_overlap_control.md is not a run of {seeds} seeds, {epochs} epochs: run both arms")
    rows = re.findall(r"^\| (\d+) \| ([\d.]+) % \|", text, re.M)
    assert [int(seed) for seed, _ in rows] == list(range(seeds))
    return [round(float(percent) * 1.8) for _, percent in rows]


def patch_control(args: argparse.Namespace) -> int:
    """The plain-ViT baseline: the T2T chain against hard 16x16 patches into the same backbone, same 3 x 3 grid.

    Only the patch arm trains; the T2T chain's counts are the stored ``t2t_overlap_control.md`` run of the same
    seeds and epochs (training is deterministic on 1 thread: ``bench_lesson07_token_mlp.py`` reran that arm and
    got the same counts, seed by seed)."""
    load_before = os.getloadavg()[0]
    names = ["overlap (T2T)", "patches 16x16"]
    jobs = [(names[1], seed, args.epochs) for seed in range(args.seeds)]
    with ProcessPoolExecutor(args.workers) as pool:
        results = {(name, seed): (correct, wall) for name, seed, correct, wall in pool.map(train_control, jobs)}
    load_after = os.getloadavg()[0]
    chain = stored_chain_counts(args.seeds, args.epochs)
    accuracy = {
        names[0]: [count / 180 for count in chain],
        names[1]: [sum(results[names[1], s][0]) / 180 for s in range(args.seeds)],
    }
    rows = [
        [seed]
        + [f"{100 * accuracy[name][seed]:.1f} %" for name in names]
        + [f"{100 * (accuracy[names[0]][seed] - accuracy[names[1]][seed]):+.1f}"]
        for seed in range(args.seeds)
    ]
    seeds = paired_seeds(accuracy[names[0]], accuracy[names[1]], names=("T2T", "patches"), percent=True)
    interval = seeds.t_interval()
    walls = [wall for _, wall in results.values()]
    params = {name: sum(p.numel() for p in ChainViT(ARMS[name]).parameters()) for name in names}
    body = f"""
Run of {time.strftime("%Y-%m-%d", time.gmtime())} (UTC), `benchmarks/bench_t2t_stem.py --patch-control --seeds
{args.seeds} --epochs {args.epochs} --workers {args.workers}`: load average {load_before:.1f} before,
{load_after:.1f} after, each run on 1 torch thread, {min(walls):.0f} to {max(walls):.0f} s of wall time per run.
Only the patch arm trained in this run; the T2T column is the stored `t2t_overlap_control.md` run (same seeds,
epochs and code; on 1 thread training is deterministic: `bench_lesson07_token_mlp.py` reran that arm and got the
same counts, seed by seed).

The setup of `t2t_overlap_control.md` (the 8x8 digits upsampled to {CONTROL_SIDE}x{CONTROL_SIDE}, the `digits`
preset's augmentation, optimizer and schedule, {args.epochs} epochs, the same seeds and 2-block backbone of width
64) with a second stem: ViT's hard patches, {PATCH}x{PATCH} at stride {PATCH}, one Linear ({PATCH * PATCH} -> 64).
Both stems hand the backbone the same 3 x 3 grid of 9 tokens. Parameters: T2T {params[names[0]]:,}, patches
{params[names[1]]:,}. Accuracy on the 180 validation digits; the test split is not read.

{markdown_table(["seed", *names, "T2T - patches, points"], rows)}

- Over seeds: {seeds}.
- 95 % t-interval of the mean difference: [{100 * interval.low:+.1f}, {100 * interval.high:+.1f}] points;
  two-sided sign test p = {seeds.sign_p_value:.3f}.

What this does and does not show: the whole T2T module (overlapping 7x7 and 3x3 windows instead of one 16x16
patch, two token transformers, more parameters) against a plain patch embedding, at a tiny scale (upsampled 8x8
digits, 9 final tokens, a 2-block backbone, {args.epochs} epochs): at so few epochs a gap measures how fast a stem
learns as much as what it can reach. It does not say which of those changes matters, and says nothing about
ImageNet.
"""
    write_result(
        "t2t_patch_control",
        f"T2T module vs hard patches, same backbone and grid, digits, {args.epochs} epochs (lesson 07)",
        body,
        threads="1 per run",
    )
    return 0


def stored_patch_counts(seeds: int, epochs: int) -> list[int]:
    """The one-Linear patch arm's correct digits (of 180) per seed, read from ``t2t_patch_control.md``."""
    text = (Path(__file__).parent / "results" / "t2t_patch_control.md").read_text()
    if f"--seeds\n{seeds} --epochs {epochs} " not in text:
        raise SystemExit(f"t2t_patch_control.md is not a run of {seeds} seeds, {epochs} epochs: run --patch-control")
    rows = re.findall(r"^\| (\d+) \| [\d.]+ % \| ([\d.]+) % \|", text, re.M)
    assert [int(seed) for seed, _ in rows] == list(range(seeds))
    return [round(float(percent) * 1.8) for _, percent in rows]


def matched_patch_control(args: argparse.Namespace) -> int:
    """Hard 16x16 patches with a two-layer projection as large as the T2T module, against the stored T2T chain and
    one-Linear patches of the same seeds and epochs (training is deterministic on 1 thread)."""
    load_before = os.getloadavg()[0]
    names = ["overlap (T2T)", "patches 16x16", "patches 16x16, 2-layer"]
    jobs = [(names[2], seed, args.epochs) for seed in range(args.seeds)]
    with ProcessPoolExecutor(args.workers) as pool:
        results = {seed: (correct, wall) for _, seed, correct, wall in pool.map(train_control, jobs)}
    load_after = os.getloadavg()[0]
    counts = [stored_chain_counts(args.seeds, args.epochs), stored_patch_counts(args.seeds, args.epochs)]
    counts.append([sum(results[s][0]) for s in range(args.seeds)])
    t2t, plain, matched = ([c / 180 for c in arm] for arm in counts)
    rows = [
        [s, *(f"{100 * a[s]:.1f} %" for a in (t2t, plain, matched)), f"{100 * (t2t[s] - matched[s]):+.1f}"]
        for s in range(args.seeds)
    ]
    gap = paired_seeds(t2t, matched, names=("T2T", "2-layer patches"), percent=True)
    size = paired_seeds(matched, plain, names=("2-layer patches", "1-layer patches"), percent=True)
    walls = [wall for _, wall in results.values()]
    stems = {
        n: sum(p.numel() for p in ChainViT(ARMS[n], patch_hidden=PATCH_HIDDEN.get(n)).stem.parameters()) for n in names
    }
    body = f"""
Run of {time.strftime("%Y-%m-%d", time.gmtime())} (UTC), `nice -n 10 benchmarks/bench_t2t_stem.py
--matched-patch-control --seeds {args.seeds} --epochs {args.epochs} --workers {args.workers}`: load average
{load_before:.1f} before, {load_after:.1f} after, each run on 1 torch thread, {min(walls):.0f} to {max(walls):.0f} s
of wall time per run. Only the 2-layer patch arm trained in this run; the T2T and 1-layer patch columns are the
stored `t2t_overlap_control.md` and `t2t_patch_control.md` runs (same seeds, epochs and code; training is
deterministic on 1 thread).

The setup of `t2t_patch_control.md` (the 8x8 digits upsampled to {CONTROL_SIDE}x{CONTROL_SIDE}, the same
augmentation, optimizer, schedule, {args.epochs} epochs, seeds, 3 x 3 grid of 9 tokens and 2-block backbone of
width 64) with the patch stem made as large as the T2T module: {PATCH}x{PATCH} patches, Linear
({PATCH * PATCH} -> {PATCH_HIDDEN[names[2]]}), GELU, Linear ({PATCH_HIDDEN[names[2]]} -> 64). Stem parameters: T2T
{stems[names[0]]:,}, 1-layer patches {stems[names[1]]:,}, 2-layer patches {stems[names[2]]:,}. Two layers, not a
wider one: the one Linear's input (256 pixels) and output (the backbone's width) are fixed, so a hidden layer is
where the patch stem alone can take the extra weights. Accuracy on the 180 validation digits; the test split is not
read.

Correct digits (of 180), 2-layer patches: {counts[2]}.

{markdown_table(["seed", *names, "T2T - 2-layer patches, points"], rows)}

- Over seeds: {gap}.
- 95 % t-interval of the mean difference: [{100 * gap.t_interval().low:+.1f}, {100 * gap.t_interval().high:+.1f}]
  points; two-sided sign test p = {gap.sign_p_value:.3f}.
- The patch stem's size alone: {size}; 95 % t-interval [{100 * size.t_interval().low:+.1f},
  {100 * size.t_interval().high:+.1f}] points.

What this does and does not show: the patch stem made as large as the T2T module (within
{stems[names[0]] - stems[names[2]]} parameters) still trails it on the seeds above, by the interval above, so
parameter count, spent as a two-layer patch projection, does not explain the gap; the last line is what the
extra parameters bought the patch stem. The remaining differences (overlapping windows, token transformers,
three stages) change together: this does not say which matters. One way to spend the parameters, one point
({args.epochs} epochs), nothing about ImageNet.
"""
    write_result(
        "t2t_matched_patch_control",
        f"T2T module vs hard patches with a stem as large, digits, {args.epochs} epochs (lesson 07)",
        body,
        threads="1 per run",
    )
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5, help="seeds 0 .. seeds - 1 for both stems")
    parser.add_argument(
        "--epochs", type=int, default=PRESETS["digits"].epochs, help="passes over the 1,257 training digits"
    )
    parser.add_argument("--workers", type=int, default=2, help="training processes (1 thread each)")
    parser.add_argument("--result", default="t2t_stem", help="name of the results file: benchmarks/results/<result>.md")
    parser.add_argument("--overlap-control", action="store_true", help="the clean control: overlap vs none, same grids")
    parser.add_argument("--patch-control", action="store_true", help="the T2T chain vs hard 16x16 patches, same grid")
    parser.add_argument(
        "--matched-patch-control", action="store_true", help="T2T vs 16x16 patches with a 2-layer stem as large"
    )
    args = parser.parse_args(argv)
    if args.matched_patch_control:
        return matched_patch_control(args)
    if args.patch_control:
        return patch_control(args)
    if args.overlap_control:
        return control(args)
    load_before = os.getloadavg()[0]
    jobs = [(stem, seed, args.epochs) for seed in range(args.seeds) for stem in STEMS]
    with ProcessPoolExecutor(args.workers) as pool:
        results = {(stem, seed): (correct, wall) for stem, seed, correct, wall in pool.map(train_one, jobs)}
    load_after = os.getloadavg()[0]
    names = list(STEMS)
    accuracy = {
        name: [sum(results[name, s][0]) / len(results[name, s][0]) for s in range(args.seeds)] for name in names
    }
    rows = [
        [seed]
        + [f"{100 * accuracy[name][seed]:.1f} %" for name in names]
        + [f"{100 * (accuracy[names[0]][seed] - accuracy[names[1]][seed]):+.1f}"]
        for seed in range(args.seeds)
    ]
    seeds = paired_seeds(accuracy[names[0]], accuracy[names[1]], names=("soft split", "patches"), percent=True)
    last = args.seeds - 1  # one seed's 180 paired answers: how far one run's difference is from noise
    one_seed = paired_difference(
        results[names[0], last][0], results[names[1], last][0], names=("soft split", "patches")
    )
    steps = PRESETS["digits"].epochs  # for the record: the preset's own budget
    walls = [wall for _, wall in results.values()]
    body = f"""
Run of {time.strftime("%Y-%m-%d", time.gmtime())} (UTC), `benchmarks/bench_t2t_stem.py --seeds {args.seeds}
--epochs {args.epochs} --workers {args.workers} --result {args.result}`:
load average {load_before:.1f} before, {load_after:.1f} after (a shared machine; the result does not depend on speed:
every run trains the same number of steps), each run on 1 torch thread,
{min(walls):.0f} to {max(walls):.0f} s of wall time per run.

Scikit-learn's 8x8 digits, the `digits` preset ({args.epochs} epochs for both stems; the preset's own budget is
{steps}), one change: the embedding. Soft split (4, 2, 1) and 2x2 patches both make a 4 x 4 grid of 16 tokens,
so the backbone and its attention cost are the same. Accuracy on the 180 validation digits (one digit is 0.56
points); the test split is not read.

{markdown_table(["seed", *names, "soft - patches, points"], rows)}

- Over seeds: {seeds}.
- One seed ({last}) alone, paired over its 180 validation digits (bootstrap): {one_seed}. A single run's
  interval leaves out the seed-to-seed spread; the line above is the one to read.

What this does and does not show: it compares two embeddings, overlapping 4x4 windows vs disjoint 2x2 patches, at
a tiny scale (8x8 images, 16 tokens, a 2-block backbone). They differ in more than the overlap: a token sees 16
pixels or 4, and the embedding's Linear is 16 -> 64 or 4 -> 64. It says nothing about ImageNet, the token
transformers, or T2T-ViT's deep-narrow backbone.
"""
    title = "Soft split vs patches on the digits, equal steps (lesson 07)"
    if args.epochs != steps:
        title += f", {args.epochs} epochs"
    write_result(args.result, title, body, threads="1 per run")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Lesson 07: T2T's chain with a parameter-matched token MLP in place of each token transformer.

``bench_lesson07_token_transformer.py`` replaces each token transformer by a ``Linear`` and so also halves the
stem's parameters. This benchmark holds the parameters: each token transformer becomes a token MLP (LayerNorm,
Linear, GELU, Linear: no attention, each token processed alone) from its input width to the same token width, its
hidden width chosen so that the MLP has as many parameters as the token transformer it replaces (within 32). The
windows, grids, folds, ``project`` and backbone are unchanged. Both arms, T2T's chain with its token transformers
(the overlap arm of ``bench_t2t_stem.py --overlap-control``) and the token-MLP chain, are trained in the same
invocation on the same machine, so the seed pairing does not rest on a run stored elsewhere; the T2T arm's counts
are also set against the stored ones of ``benchmarks/results/t2t_overlap_control.md``.

    OMP_NUM_THREADS=1 nice -n 5 .venv/bin/python benchmarks/bench_lesson07_token_mlp.py --seeds 6 --workers 2

Written to ``benchmarks/results/lesson07_token_mlp.md``.

The token MLP also drops the token transformer's learned skip through ``v``, so it changes two things at once.
``--v-skip`` trains the arm that changes attention alone: each token transformer kept whole (same modules, same
initial weights from the same seed) with its attention weights replaced by the identity, each token attending only
to itself, so ``attn(x) = v + proj(v)`` with ``v = W_v x``: the learned ``v``-skip and ``proj`` stay, the MLP stays,
and no token sees another. ``q`` and ``k`` are computed and unused. Only this arm trains; the token-transformer
column is the stored run of the same seeds and epochs (training is deterministic on 1 thread: the run above
reproduced ``t2t_overlap_control.md``'s counts). Written to ``benchmarks/results/lesson07_token_vskip.md``.

    OMP_NUM_THREADS=1 nice -n 10 .venv/bin/python benchmarks/bench_lesson07_token_mlp.py --v-skip --workers 2
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import re
import time
from concurrent.futures import ProcessPoolExecutor

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # idle OpenMP threads sleep: see bench_training.py

import torch
from bench_t2t_stem import CHAINS, ChainViT
from torch import nn

from _common import RESULTS, markdown_table, write_result
from vit_explained.evidence import paired_seeds
from vit_explained.training import PRESETS, fit, predict

TOKEN_DIM = 32  # ChainViT's token width
ARMS = ("with token transformers", "token MLP in their place", "attention removed, v-skip kept")


class SelfOnly(nn.Module):
    """A :class:`~vit_explained.t2t.TokenAttention` with its attention weights replaced by the identity (each token
    attends only to itself): ``v + proj(v)``, the same modules and weights, no token mixing."""

    def __init__(self, attention: nn.Module) -> None:
        super().__init__()
        self.attention = attention

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        _, _, v = self.attention.project_qkv(tokens)  # (B, 1, N, token_dim); q and k unused
        return v.squeeze(1) + self.attention.proj(v.squeeze(1))


def count(module: nn.Module) -> int:
    """Parameters of ``module``."""
    return sum(p.numel() for p in module.parameters())


def token_mlp(width: int, hidden: int) -> nn.Sequential:
    """LayerNorm, Linear(width -> hidden), GELU, Linear(hidden -> TOKEN_DIM), on each token alone."""
    return nn.Sequential(nn.LayerNorm(width), nn.Linear(width, hidden), nn.GELU(), nn.Linear(hidden, TOKEN_DIM))


def matched_hidden(width: int, target: int) -> int:
    """The hidden width whose token MLP has the parameter count nearest ``target`` (a token transformer's)."""
    return min(range(1, 4 * width + 64), key=lambda h: abs(count(token_mlp(width, h)) - target))


def build(arm: str = ARMS[1]) -> ChainViT:
    """T2T's chain (``ARMS[0]``), the same chain with a parameter-matched token MLP in place of each token
    transformer (``ARMS[1]``), or with each token transformer's attention replaced by the identity (``ARMS[2]``)."""
    model = ChainViT(CHAINS["overlap (T2T)"])
    if arm == ARMS[0]:
        return model
    stem = model.stem
    if arm == ARMS[2]:  # the same blocks and initial weights, attention replaced by the identity
        for block in stem.token_transformers:
            block.attn = SelfOnly(block.attn)
        return model
    stem.token_transformers = nn.ModuleList(
        token_mlp(stage.token_length, matched_hidden(stage.token_length, count(block)))
        for stage, block in zip(stem.stages[:-1], stem.token_transformers, strict=True)
    )
    return model


def train(job: tuple[str, int, int]) -> tuple[str, int, list[int], float, float]:
    """One arm from one seed on 1 thread: (arm, seed, 0/1 per validation digit, wall seconds, CPU seconds)."""
    arm, seed, epochs = job
    torch.set_num_threads(1)
    recipe = dataclasses.replace(PRESETS["digits"], seed=seed, epochs=epochs)
    data = recipe.load_data()
    start, cpu = time.perf_counter(), time.process_time()
    torch.manual_seed(seed)
    model = build(arm)
    fit(model, data, recipe, progress=False, device="cpu")
    correct = (predict(model, data.val_images).argmax(dim=-1) == data.val_labels).int().tolist()
    return arm, seed, correct, time.perf_counter() - start, time.process_time() - cpu


def v_skip(args: argparse.Namespace) -> int:
    """Train only the attention-removed arm; pair it with the stored token-transformer counts."""
    text = (RESULTS / "lesson07_token_mlp.md").read_text()
    stored = [int(c) for c in re.search(r"with token transformers, this run: \[([\d, ]+)\]", text)[1].split(", ")]
    assert len(stored) == args.seeds and f"--seeds {args.seeds} --epochs {args.epochs} " in text
    load_before = os.getloadavg()[0]
    with ProcessPoolExecutor(args.workers) as pool:
        results = {
            s: (c, w, cpu)
            for _, s, c, w, cpu in pool.map(train, [(ARMS[2], s, args.epochs) for s in range(args.seeds)])
        }
    load_after = os.getloadavg()[0]
    counts = [sum(results[s][0]) for s in range(args.seeds)]
    t2t, self_only = [c / 180 for c in stored], [c / 180 for c in counts]
    rows = [
        [s, f"{100 * t2t[s]:.1f} %", f"{100 * self_only[s]:.1f} %", f"{100 * (t2t[s] - self_only[s]):+.1f}"]
        for s in range(args.seeds)
    ]
    seeds = paired_seeds(t2t, self_only, names=("with attention", "attention removed"), percent=True)
    interval = seeds.t_interval()
    walls, cpus = [r[1] for r in results.values()], [r[2] for r in results.values()]
    body = f"""
Run of {time.strftime("%Y-%m-%d", time.gmtime())} (UTC), `OMP_NUM_THREADS=1 nice -n 10
benchmarks/bench_lesson07_token_mlp.py --v-skip --seeds {args.seeds} --epochs {args.epochs} --workers {args.workers}`:
load average {load_before:.1f} before, {load_after:.1f} after, each run on 1 torch thread, {min(walls):.0f} to
{max(walls):.0f} s of wall time and {sum(cpus):.0f} CPU seconds in all. Only the attention-removed arm trained here;
the token-transformer column is the stored run of `lesson07_token_mlp.md` (same seeds, epochs and code; that run
reproduced `t2t_overlap_control.md`'s counts seed by seed: on 1 thread training is deterministic).

T2T's chain of `t2t_overlap_control.md` with one change: in each token transformer the attention weights are the
identity (each token attends only to itself), so the attention step is `v + proj(v)` with `v = W_v x`. The learned
`v`-skip, `proj`, LayerNorms and MLP are kept, with the same initial weights from the same seed; `q` and `k` are
computed and unused. Inside the stem no token sees another. Accuracy on the 180 validation digits; the test split
is not read.

Correct digits (of 180), attention removed: {counts}; with attention (stored): {stored}.

{markdown_table(["seed", ARMS[0], ARMS[2], "with - without attention, points"], rows)}

- Over seeds: {seeds}.
- 95 % t-interval of the mean difference: [{100 * interval.low:+.1f}, {100 * interval.high:+.1f}] points;
  two-sided sign test p = {seeds.sign_p_value:.3f}.

What this does not show: a learning curve (one point, {args.epochs} epochs), a fresh draw of validation digits
(seed variation only), anything about ImageNet (9 final tokens, a 2-block backbone).
"""
    write_result(
        "lesson07_token_vskip",
        f"T2T's chain: token transformers with and without attention (v-skip kept), digits, {args.epochs} epochs"
        " (lesson 07)",
        body,
        threads="1 per run",
    )
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=6)
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--workers", type=int, default=1, help="training processes (1 thread each)")
    parser.add_argument("--v-skip", action="store_true", help="only the attention-removed arm (v-skip kept)")
    args = parser.parse_args(argv)
    if args.v_skip:
        return v_skip(args)
    stored = (RESULTS / "t2t_overlap_control.md").read_text()
    stored_rows = re.findall(r"^\| \d+ \| ([\d.]+) % \| [\d.]+ % \|", stored, re.M)
    stored_counts = [round(float(row) * 1.8) for row in stored_rows][: args.seeds]  # counts of 180: no residue
    load_before = os.getloadavg()[0]
    jobs = [(arm, s, args.epochs) for s in range(args.seeds) for arm in ARMS]
    with ProcessPoolExecutor(args.workers) as pool:
        results = {(arm, s): (c, w, cpu) for arm, s, c, w, cpu in pool.map(train, jobs)}
    load_after = os.getloadavg()[0]
    counts = {arm: [sum(results[arm, s][0]) for s in range(args.seeds)] for arm in ARMS}
    t2t, mlp = ([c / 180 for c in counts[arm]] for arm in ARMS)
    same = counts[ARMS[0]] == stored_counts
    rows = [
        [s, f"{100 * t2t[s]:.1f} %", f"{100 * mlp[s]:.1f} %", f"{100 * (t2t[s] - mlp[s]):+.1f}"]
        for s in range(args.seeds)
    ]
    seeds = paired_seeds(t2t, mlp, names=("token transformers", "token MLP"), percent=True)
    interval = seeds.t_interval()
    walls, cpus = [r[1] for r in results.values()], [r[2] for r in results.values()]
    parameters = count(build().stem)
    original = count(ChainViT(CHAINS["overlap (T2T)"]).stem)
    hidden = [block[1].out_features for block in build().stem.token_transformers]
    body = f"""
Run of {time.strftime("%Y-%m-%d", time.gmtime())} (UTC), `OMP_NUM_THREADS=1
benchmarks/bench_lesson07_token_mlp.py --seeds {args.seeds} --epochs {args.epochs} --workers {args.workers}`:
load average {load_before:.1f} before, {load_after:.1f} after, each run on 1 torch thread,
{min(walls):.0f} to {max(walls):.0f} s of wall time and {sum(cpus):.0f} CPU seconds in all, the {2 * args.seeds}
runs ({args.seeds} seeds x 2 arms) in this one invocation on the machine named above.

T2T's chain of `t2t_overlap_control.md` with one change: each token transformer (LayerNorm, single-head
attention, MLP) is replaced by a token MLP (LayerNorm, Linear, GELU, Linear; hidden widths {hidden}) to the same
token width, 49 -> 32 and 288 -> 32, with as many parameters: the stem has {parameters:,} parameters, against
{original:,} with token transformers. Windows, grids, folds, `project` and backbone are unchanged; the stem has no
attention, so inside it no token sees another. Both columns were trained here, seed by seed with the same data
and recipe. Accuracy on the 180 validation digits; the test split is not read.

Correct digits (of 180) with token transformers, this run: {counts[ARMS[0]]}; stored in
`t2t_overlap_control.md` (another day and CPU): {stored_counts}: {"the same" if same else "**not the same**"}.
Token MLP, this run: {counts[ARMS[1]]}.

{markdown_table(["seed", *ARMS, "transformers - token MLP, points"], rows)}

- Over seeds: {seeds}.
- 95 % t-interval of the mean difference: [{100 * interval.low:+.1f}, {100 * interval.high:+.1f}] points;
  two-sided sign test p = {seeds.sign_p_value:.3f}.

What this does not show: a learning curve (one point, {args.epochs} epochs), a fresh draw of validation digits
(seed variation only), anything about ImageNet (9 final tokens, a 2-block backbone), other hidden widths or
depths of the token MLP.
"""
    write_result(
        "lesson07_token_mlp",
        f"T2T's chain: token transformers against a parameter-matched token MLP, digits, {args.epochs} epochs"
        " (lesson 07)",
        body,
        threads="1 per run",
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

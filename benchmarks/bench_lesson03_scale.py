"""Lesson 03: what the 1/sqrt(d) scale buys in training, measured on the 8x8 digits (stored, read by the lesson).

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/bench_lesson03_scale.py     # 6 minutes on 2 busy cores
    .venv/bin/python benchmarks/bench_lesson03_scale.py --markdown-only      # the .md again from the .json
    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/bench_lesson03_scale.py --extend --heads 1 --seeds 3-9
        # adds the missing (arm, seed) runs of that width to the stored .json, saved after every pair of runs
    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/bench_lesson03_scale.py --lr 1e-3 --heads 1 --seeds 0-9
    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/bench_lesson03_scale.py --lr 1e-3 --heads 4 --seeds 0-9
    OMP_NUM_THREADS=1 nice -n 10 .venv/bin/python benchmarks/bench_lesson03_scale.py --bracket --arm scaled --lr 6e-3
        # one arm of the 1-head model at a rate outside 0.001 and 0.003 (lesson03_scale_bracket.json/.md; also run:
        # scaled at 1e-2, unscaled at 3e-4); then --bracket-markdown writes the .md from the three .json files
    .venv/bin/python benchmarks/bench_lesson03_scale.py --lr-markdown      # lesson03_scale_lr.md from its .json
        # the same comparison at a third of the recipe's peak learning rate (lesson03_scale_lr.json/.md); the two
        # widths may run at once, in two processes

The lesson shows on random queries and keys that without the scale the scores spread like sqrt(d) and the
softmax saturates. This trains the package's ``digits`` recipe (D = 64, depth 2, the soft split's 16 tokens plus
the class token) for ``EPOCHS`` epochs with the scale (``attn.scale = 1/sqrt(d)``, the default) and without it
(``attn.scale = 1``, nothing else changed) at two head widths with the same D: 4 heads of d = 16 and 1 head of
d = 64, seeds 0, 1, 2 (the same seed draws the same initial weights and batches in both arms). After every epoch
it records the validation split's cross-entropy (no label smoothing) and accuracy (180 digits); the test split is
not read. Writes ``benchmarks/results/lesson03_scale.json``, its packaged copy
``vit_explained/checkpoints/lesson03_scale.json`` (read by ``softmax_scale.stored_scale_training``) and
``lesson03_scale.md``.
"""

from __future__ import annotations

import dataclasses
import datetime
import json
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import torch
import torch.nn.functional as F

from benchmarks._common import RESULTS, machine, markdown_table, write_result, write_stored_run
from vit_explained.evidence import paired_seeds
from vit_explained.training import PRESETS, _Trainer, predict

EPOCHS, SEEDS, HEADS = 25, (0, 1, 2), (4, 1)  # D = 64: d = 16 and d = 64
ARMS = ("scaled", "unscaled")


def train(heads: int, arm: str, seed: int, lr: float | None = None) -> dict:
    """One run: the digits recipe with ``heads`` heads, scaled or not (at ``lr``, default the recipe's peak learning
    rate); validation loss and accuracy per epoch."""
    recipe = dataclasses.replace(PRESETS["digits"], heads=heads, epochs=EPOCHS, seed=seed)
    recipe = dataclasses.replace(recipe, lr=lr) if lr is not None else recipe
    data = recipe.load_data()
    model = recipe.build_model(data)
    if arm == "unscaled":
        for block in model.encoder.blocks:
            block.attn.scale = 1.0
    run = _Trainer(model, data, recipe, "cpu")
    total = run.steps_per_epoch * recipe.epochs
    val_loss, val_accuracy, start = [], [], time.perf_counter()
    for _ in range(recipe.epochs):
        model.train()
        for index in run.batches_of_one_epoch():
            run.train_step(index, progress=run.step / total)
        logits = predict(model, data.val_images)
        val_loss.append(F.cross_entropy(logits, data.val_labels).item())
        val_accuracy.append((logits.argmax(-1) == data.val_labels).float().mean().item())
    seconds = time.perf_counter() - start
    return {"heads": heads, "head_dim": 64 // heads, "arm": arm, "seed": seed, "lr": recipe.lr, "seconds": seconds,
            "val_loss": val_loss, "val_accuracy": val_accuracy}  # fmt: skip


def sign_count(seeds) -> str:
    """The sign of unscaled - scaled counted over the paired seeds, as computed (never a verdict word: the
    interval column says whether the mean difference is detectable)."""
    values = seeds.difference.values
    higher, lower = sum(v > 0 for v in values), sum(v < 0 for v in values)
    tied = len(values) - higher - lower
    text = f"unscaled higher on {higher}, lower on {lower}"
    return text + (f", tied on {tied}" if tied else "") + f" of {len(values)} seeds"


def write_markdown(results: dict) -> None:
    """``lesson03_scale.md`` from the stored results (``--markdown-only`` rewrites it without training again)."""
    runs, rows = results["runs"], []
    for heads in results["heads"]:
        pick = {arm: [r for r in runs if r["heads"] == heads and r["arm"] == arm] for arm in ARMS}
        for name, key, percent in (("val loss", "val_loss", False), ("val accuracy", "val_accuracy", True)):
            scaled, unscaled = ([r[key][-1] for r in pick[arm]] for arm in ARMS)
            seeds = paired_seeds(unscaled, scaled, names=("unscaled", "scaled"), percent=percent)
            width = f"d = {64 // heads} ({heads} head{'s' if heads > 1 else ''})"
            rows.append([width, name, str(seeds.a), str(seeds.b), str(seeds.t_interval()), sign_count(seeds)])
    before, after = results["load_average"]
    seeds_of = {heads: sorted({r["seed"] for r in runs if r["heads"] == heads}) for heads in results["heads"]}
    added = "".join(
        f" Seeds {e['seeds']} at d = {64 // e['heads']} were added on {e['date']} (`--extend`, 1 torch thread, load "
        f"average {e['load_average'][0]} before and {e['load_average'][1]} after, {e['wall_seconds']} s)."
        for e in results.get("extensions", [])
        if e
    )
    body = (
        f"`benchmarks/bench_lesson03_scale.py`: the `digits` preset (D = 64, depth 2) for {results['epochs']} "
        "epochs, with the scores scaled by 1/sqrt(d) and unscaled (scale 1), at d = 16 "
        f"(4 heads, seeds {seeds_of[4]}) and d = 64 (1 head, seeds {seeds_of[1]}). Validation split (180 digits) "
        "after the last epoch; every epoch is in "
        f"`lesson03_scale.json`. Seeds {results['seeds']} ran on {results['date']} (UTC) in one process, 1 torch "
        f"thread (OMP_NUM_THREADS=1), load average {before} before and {after} after, {results['wall_seconds']} s "
        f"in all, on {results['machine']}.{added} Unscaled - scaled: mean and Student's t 95 % interval over the "
        "paired seeds (accuracy in points); an interval that holds 0 is no detectable difference. The last column "
        "counts the seeds on which unscaled - scaled is above, below or exactly 0.\n\n"
        + markdown_table(
            ["head width", "measure", "unscaled", "scaled", "unscaled - scaled (95 %)", "sign over seeds"], rows
        )
    )
    write_result("lesson03_scale", "Lesson 03: training with and without the 1/sqrt(d) scale", body, threads="1")


def _option(name: str, default: str) -> str:
    return sys.argv[sys.argv.index(name) + 1] if name in sys.argv else default


def extend() -> None:
    """``--extend --heads H --seeds A-B``: train the (arm, seed) pairs of ``H`` heads not yet stored, both arms
    per seed, and save the .json after every pair, so a stopped run keeps what it finished (then the .md)."""
    heads = int(_option("--heads", "1"))
    first, last = (int(x) for x in _option("--seeds", "3-9").split("-"))
    results = json.loads((RESULTS / "lesson03_scale.json").read_text())
    done = {(r["heads"], r["arm"], r["seed"]) for r in results["runs"]}
    load_before, start = os.getloadavg()[0], time.perf_counter()
    results.setdefault("extensions", []).append({})
    for seed in range(first, last + 1):
        new = [train(heads, arm, seed) for arm in ARMS if (heads, arm, seed) not in done]
        if not new:
            continue
        results["runs"] += new
        results["extensions"][-1] = {
            "heads": heads, "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d"),
            "load_average": [round(load_before, 1), round(os.getloadavg()[0], 1)],
            "wall_seconds": round(time.perf_counter() - start), "seeds": list(range(first, seed + 1)),
        }  # fmt: skip
        write_stored_run(results, "lesson03_scale")
    write_markdown(results)


def second_lr() -> None:
    """``--lr LR --heads H --seeds A-B``: both arms of ``H`` heads at peak learning rate ``LR``, the same seeds, into
    ``lesson03_scale_lr.json``; after every pair of runs the file is re-read and the new runs merged in under a
    lock, so several processes (widths or seed ranges) may run at once and a stopped run keeps what it finished.
    Each process keeps one record under ``"processes"``: its width, seeds done, date, load average and seconds."""
    import fcntl

    lr, heads = float(_option("--lr", "1e-3")), int(_option("--heads", "1"))
    first, last = (int(x) for x in _option("--seeds", "0-9").split("-"))
    path, start, load_before = RESULTS / "lesson03_scale_lr.json", time.perf_counter(), os.getloadavg()[0]
    name = f"d = {64 // heads}, seeds {first}-{last}"
    for seed in range(first, last + 1):
        new = [train(heads, arm, seed, lr) for arm in ARMS]
        with open(Path(tempfile.gettempdir()) / "lesson03_scale_lr.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            results = json.loads(path.read_text()) if path.exists() else {
                "recipe": "digits", "epochs": EPOCHS, "dim": 64, "lr": lr, "machine": machine(), "processes": {},
                "runs": []}  # fmt: skip
            results["runs"] = [r for r in results["runs"] if (r["heads"], r["seed"]) != (heads, seed)] + new
            results["processes"][name] = {
                "head_dim": 64 // heads, "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d"),
                "seeds": list(range(first, seed + 1)), "wall_seconds": round(time.perf_counter() - start),
                "load_average": [round(load_before, 1), round(os.getloadavg()[0], 1)],
            }  # fmt: skip
            write_stored_run(results, "lesson03_scale_lr")


def bracket() -> None:
    """``--bracket --arm ARM --lr LR --seeds A-B``: one arm of the 1-head (d = 64) model at peak rate ``LR``, the
    same seeds and epochs, into ``lesson03_scale_bracket.json`` (merged under a lock after every run, so several
    processes may run at once and a stopped run keeps what it finished). It brackets the rates of
    ``lesson03_scale.json`` (0.003) and ``lesson03_scale_lr.json`` (0.001): the scaled arm above, the unscaled below."""
    import fcntl

    arm, lr = _option("--arm", "scaled"), float(_option("--lr", "6e-3"))
    first, last = (int(x) for x in _option("--seeds", "0-9").split("-"))
    path, start, load_before = RESULTS / "lesson03_scale_bracket.json", time.perf_counter(), os.getloadavg()[0]
    for seed in range(first, last + 1):
        run = train(1, arm, seed, lr)
        with open(Path(tempfile.gettempdir()) / "lesson03_scale_bracket.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            results = json.loads(path.read_text()) if path.exists() else {
                "recipe": "digits", "epochs": EPOCHS, "dim": 64, "heads": 1, "machine": machine(), "processes": {},
                "runs": []}  # fmt: skip
            key = (arm, lr, seed)
            results["runs"] = [r for r in results["runs"] if (r["arm"], r["lr"], r["seed"]) != key] + [run]
            results["processes"][f"{arm} at {lr:g}, seeds {first}-{last}"] = {
                "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d"),
                "seeds": list(range(first, seed + 1)), "wall_seconds": round(time.perf_counter() - start),
                "load_average": [round(load_before, 1), round(os.getloadavg()[0], 1)],
            }  # fmt: skip
            write_stored_run(results, "lesson03_scale_bracket")


def write_bracket_markdown(results: dict) -> None:
    """``lesson03_scale_bracket.md``: every stored rate of the 1-head (d = 64) arms, each arm's best on validation,
    and the two comparisons at those rates (``--bracket-markdown`` rewrites it from the three .json files)."""
    from vit_explained.evidence import over_seeds
    from vit_explained.softmax_scale import best_rates, bracketed_comparisons, rate_grid, scaled_first_line

    grid = rate_grid(64)
    best = best_rates(grid)
    rows = [[arm, f"{lr:g}", str(over_seeds(list(grid[arm, lr].values()), percent=True, digits=1)),
             "best" if best[arm] == lr else ""] for arm, lr in sorted(grid)]  # fmt: skip
    heads, scale, _ = bracketed_comparisons(64)
    ran = " ".join(
        f"{name}: seeds {v['seeds']} done on {v['date']}, load average {v['load_average'][0]} before and "
        f"{v['load_average'][1]} after, {v['wall_seconds']} s."
        for name, v in sorted(results["processes"].items())
    )
    t = heads.t_interval()
    body = (
        "`benchmarks/bench_lesson03_scale.py --bracket`: the 1-head model of `lesson03_scale.md` (the `digits` preset, "
        f"D = 64, d = 64, depth 2, {results['epochs']} epochs, seeds 0-9) at rates outside the two stored before "
        "(0.003, the recipe's, in `lesson03_scale.json`; 0.001 in `lesson03_scale_lr.json`): scaled at 0.006 and 0.01, "
        f"unscaled at 0.0003. One process per arm and rate, 1 torch thread each, nice -n 10, on {results['machine']}. "
        f"{ran} Stopped: {results.get('stopped', 'none')}. "
        "Validation accuracy after the last epoch (180 digits), mean and the seeds' range. Each arm's rate is "
        "the best mean on this validation split, the split that also measures the gaps below.\n\n"
        + markdown_table(["arm (1 head, d = 64)", "peak rate", "validation accuracy", "chosen"], rows)
        + "\n\nAt the chosen rates (4 heads of d = 16 at the recipe's 0.003), paired by seed:\n\n"
        + f"- 4 x 16 - 1 x 64, scaled: {t.estimate * 100:+.1f} points [{t.low * 100:+.1f}, {t.high * 100:+.1f}] "
        f"(95 % t, {t.n} seeds)\n- scaled - unscaled, d = 64:{scaled_first_line('', scale)[3:]}\n"
    )
    write_result("lesson03_scale_bracket", "Lesson 03: the 1-head arms' learning rate, bracketed", body, threads="1")


def write_lr_markdown(results: dict) -> None:
    """``lesson03_scale_lr.md`` from ``lesson03_scale_lr.json`` (``--lr-markdown`` rewrites it without training)."""
    runs, rows = results["runs"], []
    for d in sorted({r["head_dim"] for r in runs}):
        pick = {arm: sorted((r for r in runs if r["head_dim"] == d and r["arm"] == arm), key=lambda r: r["seed"])
                for arm in ARMS}  # fmt: skip
        for name, key, percent in (("val loss", "val_loss", False), ("val accuracy", "val_accuracy", True)):
            scaled, unscaled = ([r[key][-1] for r in pick[arm]] for arm in ARMS)
            seeds = paired_seeds(unscaled, scaled, names=("unscaled", "scaled"), percent=percent)
            rows.append([f"d = {d} ({64 // d} head{'s' if d < 64 else ''})", name, str(seeds.a), str(seeds.b),
                         str(seeds.t_interval()), sign_count(seeds)])  # fmt: skip
    ran = " ".join(
        f"{name}: seeds {v['seeds']} done on {v['date']}, load average {v['load_average'][0]} before and "
        f"{v['load_average'][1]} after, {v['wall_seconds']} s."
        for name, v in sorted(results["processes"].items())
    ) + (f" Stopped: {results['stopped']}." if results.get("stopped") else "")
    body = (
        f"`benchmarks/bench_lesson03_scale.py --lr {results['lr']:g}`: `lesson03_scale.md`'s comparison (the `digits` "
        f"preset, D = 64, depth 2, {results['epochs']} epochs, scaled by 1/sqrt(d) or unscaled, the same seeds) at "
        f"peak learning rate {results['lr']:g} instead of the recipe's {PRESETS['digits'].lr:g}. One process per "
        f"width or seed range, 1 torch thread each (OMP_NUM_THREADS=1), on {results['machine']}. {ran} Unscaled - "
        "scaled: mean and Student's t 95 % interval over the paired seeds (accuracy in points); an interval that "
        "holds 0 is no detectable difference.\n\n"
        + markdown_table(
            ["head width", "measure", "unscaled", "scaled", "unscaled - scaled (95 %)", "sign over seeds"], rows
        )
    )
    title = f"Lesson 03: training with and without the 1/sqrt(d) scale, peak learning rate {results['lr']:g}"
    write_result("lesson03_scale_lr", title, body, threads="1")


def main() -> None:
    if "--lr-markdown" in sys.argv:
        write_lr_markdown(json.loads((RESULTS / "lesson03_scale_lr.json").read_text()))
        return
    if "--bracket-markdown" in sys.argv:
        write_bracket_markdown(json.loads((RESULTS / "lesson03_scale_bracket.json").read_text()))
        return
    if "--bracket" in sys.argv:
        torch.set_num_threads(1)
        bracket()
        return
    if "--lr" in sys.argv:
        torch.set_num_threads(1)
        second_lr()
        return
    if "--markdown-only" in sys.argv:
        write_markdown(json.loads((RESULTS / "lesson03_scale.json").read_text()))
        return
    torch.set_num_threads(1)
    if "--extend" in sys.argv:
        extend()
        return
    torch.set_num_threads(1)
    load_before, start = os.getloadavg()[0], time.perf_counter()
    runs = [train(heads, arm, seed) for heads in HEADS for arm in ARMS for seed in SEEDS]
    wall, load_after = time.perf_counter() - start, os.getloadavg()[0]
    results = {
        "recipe": "digits", "epochs": EPOCHS, "seeds": list(SEEDS), "dim": 64, "heads": list(HEADS),
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d"), "machine": machine(),
        "load_average": [round(load_before, 1), round(load_after, 1)], "wall_seconds": round(wall),
        "runs": runs,
    }  # fmt: skip
    write_stored_run(results, "lesson03_scale")
    write_markdown(results)


if __name__ == "__main__":
    main()

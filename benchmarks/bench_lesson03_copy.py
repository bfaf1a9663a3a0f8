"""Lesson 03: one-head attention trained on a task whose right attention pattern is known (stored for the lesson).

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/bench_lesson03_copy.py     # about half a minute on a busy core

The task: a sequence of ``TOKENS`` tokens holds ``TOKENS`` different symbols drawn from ``SYMBOLS``, and one
position is marked (one extra input feature is 1 there). Every token must output the marked token's symbol. The
symbols are all different, so the right attention matrix has a column of ones at the marked position and zeros
elsewhere. (With as many symbols as tokens, a first version found a shortcut: attend to every key but the marked
one and output the missing symbol; drawing 8 of 16 symbols closes it.)

The model: a Linear embedding (symbol one-hot + marker bit -> ``DIM``), the package's ``Attention`` with one head
(``DIM`` wide, no residual) and a Linear readout to the symbols. Adam, ``STEPS`` steps of ``BATCH`` fresh sequences,
seeds 0, 1, 2. After training, on 2000 fresh sequences: the mean attention weight on the marked key (the ideal is
1, uniform attention gives 1 / ``TOKENS``), the same at initialisation, and the accuracy. One example's attention
matrix per seed is stored for the lesson's figure. Writes ``benchmarks/results/lesson03_copy.json``, its packaged
copy ``vit_explained/checkpoints/lesson03_copy.json`` (read by ``softmax_scale.stored_copy_task``) and
``lesson03_copy.md``.
"""

from __future__ import annotations

import datetime
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import torch
import torch.nn.functional as F
from torch import nn

from benchmarks._common import machine, markdown_table, write_result, write_stored_run
from vit_explained.attention import Attention
from vit_explained.evidence import over_seeds

TOKENS, SYMBOLS, DIM, STEPS, BATCH, LR, SEEDS, EVAL = 8, 16, 16, 600, 128, 1e-2, (0, 1, 2), 2000


def sequences(count: int, generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """``(inputs (count, TOKENS, SYMBOLS + 1), marked position (count,), target symbol (count,))``."""
    symbols = torch.stack([torch.randperm(SYMBOLS, generator=generator)[:TOKENS] for _ in range(count)])
    marked = torch.randint(TOKENS, (count,), generator=generator)
    inputs = torch.cat([F.one_hot(symbols, SYMBOLS).float(), torch.zeros(count, TOKENS, 1)], dim=-1)
    inputs[torch.arange(count), marked, -1] = 1.0
    return inputs, marked, symbols[torch.arange(count), marked]


class CopyModel(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.embed = nn.Linear(SYMBOLS + 1, DIM)
        self.attn = Attention(DIM, heads=1)
        self.readout = nn.Linear(DIM, SYMBOLS)

    def forward(self, inputs: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        out, weights = self.attn(self.embed(inputs), return_attention=True)
        return self.readout(out), weights[:, 0]  # logits (B, N, symbols), weights (B, N, N)


def measure(model: CopyModel, inputs, marked, target) -> tuple[float, float]:
    """Mean weight on the marked key (over every query of every sequence) and the accuracy (every query)."""
    with torch.no_grad():
        logits, weights = model(inputs)
    on_marked = weights[torch.arange(len(marked)), :, marked]  # (count, N queries)
    accuracy = (logits.argmax(-1) == target[:, None]).float().mean()
    return on_marked.mean().item(), accuracy.item()


def train(seed: int) -> dict:
    torch.manual_seed(seed)
    model = CopyModel()
    data = torch.Generator().manual_seed(1000 + seed)
    held_out = sequences(EVAL, torch.Generator().manual_seed(10_000 + seed))
    mass_init, accuracy_init = measure(model, *held_out)
    optimizer = torch.optim.Adam(model.parameters(), lr=LR)
    start = time.perf_counter()
    for _ in range(STEPS):
        inputs, _, target = sequences(BATCH, data)
        logits, _ = model(inputs)
        loss = F.cross_entropy(logits.reshape(-1, SYMBOLS), target.repeat_interleave(TOKENS))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    seconds = time.perf_counter() - start
    mass, accuracy = measure(model, *held_out)
    example_inputs, example_marked, _ = (t[:1] for t in held_out)
    with torch.no_grad():
        _, example_weights = model(example_inputs)
    return {
        "seed": seed, "seconds": round(seconds, 2), "mass_on_marked": mass, "mass_on_marked_init": mass_init,
        "accuracy": accuracy, "accuracy_init": accuracy_init, "example_marked": int(example_marked[0]),
        "example_symbols": example_inputs[0, :, :SYMBOLS].argmax(-1).tolist(),
        "example_weights": [[round(w, 4) for w in row] for row in example_weights[0].tolist()],
    }  # fmt: skip


def main() -> None:
    torch.set_num_threads(1)
    load_before, start = os.getloadavg()[0], time.perf_counter()
    runs = [train(seed) for seed in SEEDS]
    wall, load_after = time.perf_counter() - start, os.getloadavg()[0]
    results = {
        "tokens": TOKENS, "symbols": SYMBOLS, "dim": DIM, "heads": 1, "steps": STEPS, "batch": BATCH, "lr": LR,
        "eval": EVAL, "seeds": list(SEEDS), "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d"),
        "machine": machine("1"), "torch": torch.__version__,
        "load_average": [round(load_before, 1), round(load_after, 1)], "wall_seconds": round(wall, 1),
        "runs": runs,
    }  # fmt: skip
    write_stored_run(results, "lesson03_copy")
    rows = [
        [name, str(over_seeds([r[key] for r in runs]))]
        for name, key in (
            ("weight on the marked key, trained", "mass_on_marked"),
            ("weight on the marked key, at initialisation", "mass_on_marked_init"),
            ("accuracy, trained", "accuracy"),
            ("accuracy, at initialisation", "accuracy_init"),
        )
    ]
    body = (
        f"`benchmarks/bench_lesson03_copy.py`: copy the marked token's symbol ({TOKENS} tokens, {TOKENS} "
        f"different symbols of {SYMBOLS}, one marked). One-head `Attention` ({DIM} wide, no residual) between a "
        f"Linear embedding and a Linear readout; Adam (lr {LR}), {STEPS} steps of {BATCH} fresh sequences, seeds "
        f"{list(SEEDS)}. Measured on {EVAL} fresh sequences, over every query: the ideal weight on the marked key "
        f"is 1, uniform attention gives 1/{TOKENS} = {1 / TOKENS:.3f}. torch {torch.__version__}, 1 thread, load "
        f"average {load_before:.1f} before and {load_after:.1f} after, {wall:.1f} s in all.\n\n"
        + markdown_table(["measure", "mean (seeds: min..max)"], rows)
    )
    write_result("lesson03_copy", "Lesson 03: attention learns a known pattern (copy the marked token)", body, "1")


if __name__ == "__main__":
    main()

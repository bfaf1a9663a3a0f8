"""Lesson 07: a trained T2T stem's first token transformer, stored so the lesson can read its attention.

Trains the overlap arm of ``bench_t2t_stem.py --overlap-control`` for seeds 0, 1 and 2 (T2T's splits on the 8x8
digits upsampled to 48x48, token transformers 32 wide, the ``digits`` preset's 2-block backbone, 10 epochs,
1 thread: the runs of ``benchmarks/results/t2t_overlap_control.md``'s seeds 0-2). It stores each seed's first
token transformer (49 -> 32) before and after training, and one upsampled validation digit as the model sees it:

    .venv/bin/python benchmarks/bench_lesson07_trained_stem.py     # about 40 s of CPU (user + sys)

Written to ``vit_explained/checkpoints/lesson07_trained_token_transformer.safetensors`` (keys
``seed<s>.initial.*``, ``seed<s>.trained.*``, ``digit``) and ``benchmarks/results/lesson07_trained_stem.md``, with
each seed's mean 3x3-neighbourhood share and mean largest weight of the attention rows over the 180 validation
digits. The lesson loads the weights and recomputes those means; it does not train.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import time

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # idle OpenMP threads sleep: see bench_training.py

import torch
import torch.nn.functional as F
from bench_t2t_stem import CHAINS, CONTROL_SIDE, ChainViT
from safetensors.torch import save_file

from _common import ROOT, write_result
from vit_explained.soft_split import SoftSplit
from vit_explained.t2t import T2T_SPLITS, TokenTransformer
from vit_explained.training import PRESETS, fit, predict

CHECKPOINT = ROOT / "vit_explained" / "checkpoints" / "lesson07_trained_token_transformer.safetensors"


def row_statistics(block: TokenTransformer, images: torch.Tensor) -> tuple[float, float]:
    """Mean share of a row's weight on its token's 3x3 neighbourhood, and mean largest weight of a row, over
    every row of every image (8x8 images, upsampled to 48x48 as the model sees them: a 12 x 12 grid)."""
    upsampled = F.interpolate(images.float(), size=(CONTROL_SIDE, CONTROL_SIDE), mode="bilinear")
    tokens = SoftSplit(*T2T_SPLITS[0])(upsampled)  # (B, 144, 49)
    with torch.no_grad():
        _, weights = block.attn(block.norm1(tokens), return_attention=True)  # (B, 1, 144, 144)
    rows, cols = torch.arange(144) // 12, torch.arange(144) % 12
    near = ((rows[:, None] - rows).abs() <= 1) & ((cols[:, None] - cols).abs() <= 1)
    return float((weights[:, 0] * near).sum(-1).mean()), float(weights[:, 0].max(-1).values.mean())


def train_seed(seed: int, epochs: int) -> tuple[dict[str, torch.Tensor], int, float, object]:
    """One seed of the overlap arm: its first token transformer before and after, correct digits, seconds."""
    recipe = dataclasses.replace(PRESETS["digits"], seed=seed, epochs=epochs)
    data = recipe.load_data()
    torch.manual_seed(seed)
    model = ChainViT(CHAINS["overlap (T2T)"])
    first = model.stem.token_transformers[0]
    stored = {f"seed{seed}.initial.{k}": v.clone() for k, v in first.state_dict().items()}
    start = time.perf_counter()
    fit(model, data, recipe, progress=False, device="cpu")
    wall = time.perf_counter() - start
    correct = int((predict(model, data.val_images).argmax(dim=-1) == data.val_labels).sum())
    stored |= {f"seed{seed}.trained.{k}": v.clone() for k, v in first.state_dict().items()}
    return stored, correct, wall, data


def load_block(stored: dict[str, torch.Tensor], prefix: str) -> TokenTransformer:
    """The stem's first token transformer (49 -> 32) with the weights stored under ``prefix``."""
    block = TokenTransformer(49, 32)
    block.load_state_dict({k[len(prefix) + 1 :]: v for k, v in stored.items() if k.startswith(prefix + ".")})
    return block.eval()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--digit", type=int, default=0, help="index of the stored validation digit")
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    tensors: dict[str, torch.Tensor] = {}
    lines = []
    for seed in args.seeds:
        stored, correct, wall, data = train_seed(seed, args.epochs)
        tensors |= stored
        stats = {
            name: row_statistics(load_block(stored, f"seed{seed}.{name}"), data.val_images)
            for name in ("initial", "trained")
        }
        lines.append(
            f"| {seed} | {correct} | {wall:.0f} s | {stats['initial'][0]:.4f} | {stats['trained'][0]:.4f}"
            f" | {stats['initial'][1]:.4f} | {stats['trained'][1]:.4f} |"
        )
    image = data.val_images[args.digit : args.digit + 1].float()
    tensors["digit"] = F.interpolate(image, size=(CONTROL_SIDE, CONTROL_SIDE), mode="bilinear")[0, 0]
    save_file({k: v.contiguous() for k, v in tensors.items()}, str(CHECKPOINT))
    label = int(data.val_labels[args.digit])
    body = f"""
Run of {time.strftime("%Y-%m-%d", time.gmtime())} (UTC), `benchmarks/bench_lesson07_trained_stem.py --seeds
{" ".join(map(str, args.seeds))} --epochs {args.epochs} --digit {args.digit}`: 1 torch thread.

The overlap arm of `t2t_overlap_control.md` (T2T's splits on 48x48 upsampled digits, token width 32, 10 epochs).
Stored: each seed's first token transformer (49 -> 32) at initialisation and after training, and validation
digit {args.digit} (a {label}) upsampled to 48x48, in `vit_explained/checkpoints/{CHECKPOINT.name}`
({CHECKPOINT.stat().st_size:,} bytes). The attention rows of that token transformer on the 180 validation digits
(144 rows each): the mean weight on a token's 3x3 neighbourhood (a uniform row: 0.0556), and the mean largest
weight of a row (uniform: 1/144 = 0.0069).

| seed | correct of 180 | training | 3x3 share before | 3x3 share after | largest before | largest after |
|---|---|---|---|---|---|---|
{chr(10).join(lines)}

{len(args.seeds)} seeds of one small setting: 10 epochs on upsampled 8x8 digits. "training" is wall time on a
shared 2-core machine.
"""
    write_result("lesson07_trained_stem", "A trained T2T stem's first token transformer (lesson 07)", body, "1")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

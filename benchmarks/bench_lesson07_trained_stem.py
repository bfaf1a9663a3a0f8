"""Lesson 07: a trained T2T stem's first token transformer, stored so the lesson can draw a trained attention row.

Trains the overlap arm of ``bench_t2t_stem.py --overlap-control`` once (T2T's splits on the 8x8 digits
upsampled to 48x48, token transformers 32 wide, the ``digits`` preset's 2-block backbone, 10 epochs, seed 0,
1 thread: the run of ``benchmarks/results/t2t_overlap_control.md``'s seed 0). It stores the first token
transformer (49 -> 32) before and after training, and one upsampled validation digit as the model sees it:

    .venv/bin/python benchmarks/bench_lesson07_trained_stem.py     # about 1 minute

Written to ``vit_explained/checkpoints/lesson07_trained_token_transformer.safetensors`` (keys ``initial.*``,
``trained.*``, ``digit``) and ``benchmarks/results/lesson07_trained_stem.md``. The lesson loads it; it does not train.
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
from vit_explained.training import PRESETS, fit, predict

CHECKPOINT = ROOT / "vit_explained" / "checkpoints" / "lesson07_trained_token_transformer.safetensors"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--digit", type=int, default=0, help="index of the stored validation digit")
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    recipe = dataclasses.replace(PRESETS["digits"], seed=args.seed, epochs=args.epochs)
    data = recipe.load_data()
    torch.manual_seed(args.seed)
    model = ChainViT(CHAINS["overlap (T2T)"])
    initial = {f"initial.{k}": v.clone() for k, v in model.stem.token_transformers[0].state_dict().items()}
    start = time.perf_counter()
    fit(model, data, recipe, progress=False, device="cpu")
    wall = time.perf_counter() - start
    correct = int((predict(model, data.val_images).argmax(dim=-1) == data.val_labels).sum())
    trained = {f"trained.{k}": v.clone() for k, v in model.stem.token_transformers[0].state_dict().items()}
    image = data.val_images[args.digit : args.digit + 1].float()
    digit = F.interpolate(image, size=(CONTROL_SIDE, CONTROL_SIDE), mode="bilinear")[0, 0]
    tensors = {**initial, **trained, "digit": digit.contiguous()}
    save_file({k: v.contiguous() for k, v in tensors.items()}, str(CHECKPOINT))
    label = int(data.val_labels[args.digit])
    body = f"""
Run of {time.strftime("%Y-%m-%d", time.gmtime())} (UTC), `benchmarks/bench_lesson07_trained_stem.py --seed {args.seed}
--epochs {args.epochs} --digit {args.digit}`: 1 torch thread, {wall:.0f} s of training.

The overlap arm of `t2t_overlap_control.md` (T2T's splits on 48x48 upsampled digits, token width 32, 10 epochs),
seed {args.seed}: {correct} of 180 validation digits correct. Stored: the first token transformer (49 -> 32) at
initialisation and after training, and validation digit {args.digit} (a {label}) upsampled to 48x48, in
`vit_explained/checkpoints/{CHECKPOINT.name}` ({CHECKPOINT.stat().st_size:,} bytes).
One run, one seed: a picture of what this training did, not an average over runs.
"""
    write_result("lesson07_trained_stem", "A trained T2T stem's first token transformer (lesson 07)", body, "1")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

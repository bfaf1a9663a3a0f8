"""Lesson 09: a teacher that trained on random-resized crops. Does it still relabel crops that keep the digit?

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/bench_lesson09_crop_teacher.py

The shipped teacher (``load_mnist_cnn()``) trained on small rotations, rescalings and shifts, never on
random-resized crops. This benchmark trains one more ``SmallCNN(**CNN_CONFIG)`` (seed 0, ``EPOCHS`` epochs, AdamW)
on the training digits where each image is, with probability 1/2, replaced by one random-resized crop of it
(``random_resized_crops``, DeiT's kind), the one change. Then both teachers label the same crops: 4 crops of each
of the first ``DIGITS`` test digits, split by the share of the digit's ink each crop keeps (``ink_kept``): under
half, or 90 % or more. It records, per crop, whether each teacher's label differs from the true one, and the two
teachers' test accuracies. Writes ``benchmarks/results/lesson09_crop_teacher.json`` (and the package's copy
under ``vit_explained/checkpoints/``, which lesson 09 reads) and ``lesson09_crop_teacher.md``. One seed: what it
shows is this pair of teachers, not a spread over seeds.
"""

from __future__ import annotations

import time

import torch
import torch.nn.functional as F

from _common import write_result, write_stored_run
from vit_explained.cnn import SmallCNN
from vit_explained.data import load_mnist
from vit_explained.distill import CNN_CONFIG, accuracy_of, ink_kept, load_mnist_cnn, random_resized_boxes
from vit_explained.evidence import mcnemar, proportion

EPOCHS, SEED, DIGITS, CROPS = 20, 0, 500, 4
GROUPS = {"under_half": "under half", "at_least_90": "90 % or more"}


def crop_batch(images: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """Each image, with probability 1/2, replaced by one random-resized crop of it (resized back)."""
    out = images.clone()
    height, width = images.shape[-2:]
    chosen = torch.rand(len(images), generator=generator) < 0.5
    for i in chosen.nonzero()[:, 0].tolist():
        top, left, h, w = random_resized_boxes(height, width, 1, generator=generator)[0]
        box = images[i : i + 1, :, top : top + h, left : left + w]
        out[i] = F.interpolate(box, size=(height, width), mode="bilinear", align_corners=False)[0]
    return out


def train_crop_teacher() -> SmallCNN:
    """A ``SmallCNN`` trained ``EPOCHS`` epochs on the training digits, half of them as random-resized crops."""
    data = load_mnist()
    torch.manual_seed(SEED)
    model = SmallCNN(**CNN_CONFIG)
    optimizer = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=0.05)
    generator = torch.Generator().manual_seed(SEED)
    steps = EPOCHS * ((len(data.train_images) + 127) // 128)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=2e-3, total_steps=steps)
    model.train()
    for _ in range(EPOCHS):
        order = torch.randperm(len(data.train_images), generator=generator)
        for start in range(0, len(order), 128):
            index = order[start : start + 128]
            loss = F.cross_entropy(model(crop_batch(data.train_images[index], generator)), data.train_labels[index])
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            schedule.step()
    return model.eval()


def crops_of_test_digits() -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """``CROPS`` crops of each of the first ``DIGITS`` test digits, their true labels and the ink each keeps."""
    data = load_mnist()
    generator = torch.Generator().manual_seed(11)
    crops, truth, kept = [], [], []
    for image, label in zip(data.test_images[:DIGITS], data.test_labels[:DIGITS], strict=True):
        boxes = random_resized_boxes(28, 28, CROPS, generator=generator)
        for top, left, h, w in boxes:
            box = image[None, :, top : top + h, left : left + w]
            crops.append(F.interpolate(box, size=(28, 28), mode="bilinear", align_corners=False)[0])
        truth += [int(label)] * CROPS
        kept.append(ink_kept(image, boxes))
    return torch.stack(crops), torch.tensor(truth), torch.cat(kept)


def main() -> None:
    start = time.process_time()
    crop_teacher, shipped = train_crop_teacher(), load_mnist_cnn()
    crops, truth, kept = crops_of_test_digits()
    data = load_mnist()
    with torch.no_grad():
        wrong = {name: (t(crops).argmax(-1) != truth) for name, t in (("shipped", shipped), ("crop", crop_teacher))}
    groups = {"under_half": kept < 0.5, "at_least_90": kept >= 0.9}
    results = {
        "epochs": EPOCHS,
        "seed": SEED,
        "digits": DIGITS,
        "crops_per_digit": CROPS,
        "test_accuracy": {
            "shipped": round(accuracy_of(shipped, data.test_images, data.test_labels), 4),
            "crop": round(accuracy_of(crop_teacher, data.test_images, data.test_labels), 4),
        },
        "relabelled": {
            group: {name: w[mask].int().tolist() for name, w in wrong.items()} for group, mask in groups.items()
        },
        "cpu_seconds": round(time.process_time() - start, 1),
    }
    write_stored_run(results, "lesson09_crop_teacher")
    lines = [f"CPU time {results['cpu_seconds']} s (1 thread); test accuracy {results['test_accuracy']}", ""]
    for group, by in results["relabelled"].items():
        test = mcnemar(by["shipped"], by["crop"], names=("shipped", "crop-trained"))
        shares = ", ".join(f"{name} {proportion(v)}" for name, v in by.items())
        lines.append(f"- crops keeping {GROUPS[group]} of the ink: relabelled by {shares}; {test}")
    write_result(
        "lesson09_crop_teacher", "Lesson 09: a teacher trained on random-resized crops", "\n".join(lines), threads="1"
    )


if __name__ == "__main__":
    main()

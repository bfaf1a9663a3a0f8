"""Lesson 01 section 7 reads its five models' verdicts from benchmarks/bench_lesson01_resolution.py's stored run."""

from __future__ import annotations

import json
from pathlib import Path

import torch
import torch.nn.functional as F

from vit_explained.data import load_mnist
from vit_explained.positional import interpolate_positions, resolution_tables, stored_resolution_run, vit_at_resolution
from vit_explained.pretrained import load_mnist_vit

ROOT = Path(__file__).resolve().parents[1]
NAME = "lesson01_resolution.json"


def test_the_packaged_copy_is_the_benchmarks_result_byte_for_byte():
    packaged = ROOT / "vit_explained" / "checkpoints" / NAME
    assert packaged.read_bytes() == (ROOT / "benchmarks" / "results" / NAME).read_bytes()


def test_the_stored_run_holds_five_models_on_1000_digits_none_near_a_tie():
    stored = json.loads((ROOT / "benchmarks" / "results" / NAME).read_text())
    verdicts = stored_resolution_run()
    assert list(verdicts) == list(stored["right"]) and len(verdicts) == 5
    assert all(right.shape == (1000,) and set(right.unique().tolist()) <= {0, 1} for right in verdicts.values())
    assert min(stored["smallest_margin"].values()) > 1e-3
    assert [int(right.sum()) for right in verdicts.values()] == [974, 964, 954, 496, 300]


def test_resolution_tables_keeps_the_class_token_and_resizes_the_patch_rows():
    learned = torch.randn(1, 1 + 3 * 4, 5)
    tables = resolution_tables(learned, (5, 6), (3, 4))
    assert list(tables) == ["2-D bicubic (timm)", "2-D bilinear", "1-D linear along the sequence", "no patch positions"]
    for table in tables.values():
        assert table.shape == (1, 1 + 5 * 6, 5) and torch.equal(table[:, :1], learned[:, :1])
    assert torch.equal(tables["2-D bicubic (timm)"], interpolate_positions(learned, (5, 6), (3, 4)))
    assert not tables["no patch positions"][:, 1:].any()


def test_a_live_sample_gives_the_stored_verdicts():
    model, data = load_mnist_vit(), load_mnist()
    digits, labels = data.test_images[:40], data.test_labels[:40]
    big = F.interpolate(digits, size=(36, 36), mode="bilinear", align_corners=False)
    verdicts = stored_resolution_run()
    models = [(model, digits)] + [
        (vit_at_resolution(model, 36, table), big)
        for table in resolution_tables(model.pos_embedding.detach(), (9, 9)).values()
    ]
    with torch.inference_mode():
        for (net, images), right in zip(models, verdicts.values(), strict=True):
            assert torch.equal((net(images).argmax(dim=-1) == labels).int(), right[:40].int())

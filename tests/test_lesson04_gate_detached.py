"""Lesson 04, section 1's detached-gate arm (r26a item 2): GELU's values with the gate's own derivative cut."""

from __future__ import annotations

import math

import torch

from vit_explained import gelu
from vit_explained.plotting.lesson04 import GATE_ARMS, DetachedGELU, detached_gelu, gate_gradient_arms

TINY = {"image_size": 8, "patch_size": 4, "num_classes": 3, "dim": 16, "depth": 2, "heads": 2, "mlp_dim": 32,
        "channels": 1, "init": "torch"}  # fmt: skip


def test_detached_gelu_has_gelus_values_and_the_gate_as_its_slope():
    x = torch.linspace(-5, 5, 1001, dtype=torch.float64, requires_grad=True)
    torch.testing.assert_close(detached_gelu(x), gelu(x), rtol=0, atol=1e-12)
    slope = torch.autograd.grad(detached_gelu(x).sum(), x)[0]
    torch.testing.assert_close(slope, 0.5 * (1 + torch.erf(x.detach() / math.sqrt(2))))
    full = torch.autograd.grad(gelu(x).sum(), x)[0]
    assert (full - slope).abs().max() > 0.2  # x phi(x), up to about 0.24 at |x| = 1
    torch.testing.assert_close(DetachedGELU()(x), detached_gelu(x))


def test_gate_gradient_arms_share_weights_and_leave_the_global_generator_alone():
    images = torch.randn(6, 1, 8, 8, generator=torch.Generator().manual_seed(0))
    labels = torch.tensor([0, 1, 2, 0, 1, 2])
    state = torch.get_rng_state()
    arms = gate_gradient_arms(images, labels, TINY, seeds=(0, 1))
    assert torch.equal(state, torch.get_rng_state())
    assert list(arms) == list(GATE_ARMS) and all(len(per_seed) == 2 for per_seed in arms.values())
    assert all(abs(r - 1) < 1e-6 and abs(c - 1) < 1e-5 for r, c in arms["GELU"])  # the reference arm
    assert all(r != 1 and -1 <= c <= 1 for arm in ("gate detached", "ReLU") for r, c in arms[arm])
    assert arms == gate_gradient_arms(images, labels, TINY, seeds=(0, 1))  # seeded: the same numbers again

"""vit_explained.weight_decay: torch's Adam and AdamW on weights under gradient noise, against the update rules
written out by hand (Kingma & Ba 2015, Algorithm 1; Loshchilov & Hutter 2019, Algorithm 2)."""

import math

import pytest
import torch

from vit_explained.weight_decay import extra_decay, noisy_weight_paths

LR, WD, BETAS, EPS = 2e-3, 0.05, (0.9, 0.999), 1e-8


def _by_hand(sigma: float, weight_decay: float, decoupled: bool, weights: int = 4, steps: int = 30) -> torch.Tensor:
    """Adam with L2 (coupled) or AdamW (decoupled) weight decay, step by step, on the same noise draws."""
    generator = torch.Generator().manual_seed(0)
    w = torch.ones(weights, dtype=torch.float64)
    m, v, path = torch.zeros_like(w), torch.zeros_like(w), [w.clone()]
    for t in range(1, steps + 1):
        g = sigma * torch.randn(weights, generator=generator, dtype=torch.float64)
        if decoupled:
            w = w * (1 - LR * weight_decay)  # AdamW: every weight shrinks by the same factor
        else:
            g = g + weight_decay * w  # Adam: wd·w joins the gradient, and with it the running size
        m = BETAS[0] * m + (1 - BETAS[0]) * g
        v = BETAS[1] * v + (1 - BETAS[1]) * g * g
        m_hat, v_hat = m / (1 - BETAS[0] ** t), v / (1 - BETAS[1] ** t)
        w = w - LR * m_hat / (v_hat.sqrt() + EPS)
        path.append(w.clone())
    return torch.stack(path)


@pytest.mark.parametrize("sigma", [10.0, 1.0, 0.01])
@pytest.mark.parametrize("decoupled", [False, True])
def test_paths_follow_the_update_rules_written_out(sigma, decoupled):
    optimizer = torch.optim.AdamW if decoupled else torch.optim.Adam
    path = noisy_weight_paths(optimizer, sigma=sigma, lr=LR, weight_decay=WD, weights=4, steps=30)
    assert path.shape == (31, 4) and torch.equal(path[0], torch.ones(4, dtype=torch.float64))
    torch.testing.assert_close(path, _by_hand(sigma, WD, decoupled), rtol=0, atol=1e-12)


def test_adam_with_decoupled_weight_decay_is_adamw():
    adam = noisy_weight_paths(torch.optim.Adam, sigma=0.01, lr=LR, weight_decay=WD, decoupled_weight_decay=True)
    assert torch.equal(adam, noisy_weight_paths(torch.optim.AdamW, sigma=0.01, lr=LR, weight_decay=WD))


def test_extra_decay_is_adamws_steps_times_lr_wd_and_adams_is_capped_near_a_full_lr():
    adamw = extra_decay(torch.optim.AdamW, sigma=1.0, lr=LR, weight_decay=WD)
    assert adamw.shape == (10,) and torch.allclose(adamw, torch.full_like(adamw, 100 * LR * WD), rtol=0.05)
    adam = extra_decay(torch.optim.Adam, sigma=1e-4, lr=LR, weight_decay=WD)  # wd·w fills the running size
    # about a full lr per step on average; each weight within the noise of its no-decay twin (which Adam's
    # normalised steps move by about lr per step too, at random)
    assert abs(adam.mean().item() / (100 * LR) - 1) < 0.1 and adam.max().item() < 1.15 * 100 * LR


def test_without_weight_decay_the_extra_is_zero():
    assert torch.equal(
        extra_decay(torch.optim.Adam, sigma=1.0, lr=LR, weight_decay=0.0), torch.zeros(10, dtype=torch.float64)
    )


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"sigma": 0.0}, ValueError, "sigma must be a finite number > 0"),
        ({"sigma": math.nan}, ValueError, "sigma"),
        ({"lr": -1.0}, ValueError, "lr must be"),
        ({"weight_decay": -0.1}, ValueError, "weight_decay must be a finite number >= 0"),
        ({"weights": 0}, ValueError, "weights must be a whole number >= 1"),
        ({"steps": 2.5}, ValueError, "steps must be a whole number"),
        ({"optimizer": "adam"}, TypeError, "optimizer must be an optimizer class"),
    ],
)
def test_bad_input_names_the_value_and_what_works(kwargs, error, match):
    arguments = {"optimizer": torch.optim.Adam, "sigma": 1.0, "lr": LR, "weight_decay": WD} | kwargs
    optimizer = arguments.pop("optimizer")
    with pytest.raises(error, match=match):
        noisy_weight_paths(optimizer, **arguments)

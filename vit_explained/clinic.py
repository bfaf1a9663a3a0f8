"""Lesson 06's debugging clinic: a tiny ViT written the way a blog post writes one, with the
post's bugs behind a switch, and the measurements that tell them apart.

:class:`BlogViT` is a ViT for the 8x8 digits built from plain PyTorch pieces (einops patches, a
Linear, a class token, position embeddings, ``nn.MultiheadAttention`` blocks with a hand-written
LayerNorm, a GELU MLP). ``BlogViT(bug=...)`` switches on one of :data:`BUGS`; :func:`run` trains it
for a few hundred steps with the plain loop and returns the loss of every step, so a learner can
plot each bug against ln 10 ≈ 2.303, the loss of guessing one of 10 classes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, NamedTuple

import torch
import torch.nn.functional as F
from einops import rearrange
from torch import nn

from . import _checks
from .data import DigitSplit, load_digits
from .training import evaluate, lr_factor, predict

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    import numpy as np

__all__ = [
    "BUGS",
    "CHANCE_LOSS",
    "LAYER_NORM_NO_CENTRING",
    "START_CASES",
    "BlogViT",
    "ClinicRun",
    "ComparisonReadings",
    "InputScale",
    "attention_at_step_0",
    "batch_dependence",
    "clinic_summary",
    "comparison_readings",
    "feature_rank",
    "gradient_norms",
    "input_scale_table",
    "lr_line",
    "norm_ratio_ranges",
    "overfitting_seed_lines",
    "overfitting_summary",
    "paired_table",
    "permutation_change",
    "permutation_changes",
    "plateau",
    "reading_verdict",
    "redraw_qkv_rows",
    "run",
    "selection_overstatement",
    "sign_count",
    "simulated_overstatement",
    "size_leads",
    "step_0_losses",
    "stored_clinic_runs",
    "stored_runs",
    "text_table",
]

#: The cross-entropy of a model that gives each of 10 classes probability 1/10.
CHANCE_LOSS = math.log(10)

#: The clinic's switches: "none" (the fixed model) and one bug each.
BUGS = (
    "none",
    "no position embeddings",
    "no activation in the MLP",
    "LayerNorm w*x.mean/(x.std+eps)+b",
    "LayerNorm x - mean / std",
    "MultiheadAttention without batch_first",
    "SGD at Adam's learning rate",
)


#: The seed blog's LayerNorm line, literally ``w*x.mean/(x.std+eps)+b``: the *mean itself* over the
#: (unbiased) std, where ``w*(x - x.mean)/(x.std+eps)+b`` was meant (lesson 04's exercise names it).
LAYER_NORM_NO_CENTRING = "LayerNorm w*x.mean/(x.std+eps)+b"


class _LayerNorm(nn.Module):
    """LayerNorm by hand over the last axis, with the blog's two bugs as options."""

    def __init__(self, dim: int, bug: str) -> None:
        super().__init__()
        self.weight, self.bias, self.bug = nn.Parameter(torch.ones(dim)), nn.Parameter(torch.zeros(dim)), bug

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        mean = x.mean(dim=-1, keepdim=True)
        centred = x - mean
        std = torch.sqrt(centred.pow(2).mean(dim=-1, keepdim=True) + 1e-6)  # biased, as nn.LayerNorm
        if self.bug == LAYER_NORM_NO_CENTRING:  # the blog's line, literally: one number per token survives
            return self.weight * mean / (x.std(dim=-1, keepdim=True) + 1e-6) + self.bias
        elif self.bug == "LayerNorm x - mean / std":
            normed = x - mean / std  # the precedence bug: (x - mean) / std was meant
        else:
            normed = centred / std
        return normed * self.weight + self.bias


class _Block(nn.Module):
    """Pre-norm block: ``x + attn(norm(x))``, then ``x + mlp(norm(x))``; ``(B, N, D) -> (B, N, D)``."""

    def __init__(self, dim: int, heads: int, mlp_dim: int, bug: str) -> None:
        super().__init__()
        self.norm1, self.norm2 = _LayerNorm(dim, bug), _LayerNorm(dim, bug)
        self.batch_first = bug != "MultiheadAttention without batch_first"
        # the bug: batch_first=False reads (B, N, D) as (N, B, D): each token attends across the batch
        self.attn = nn.MultiheadAttention(dim, heads, batch_first=self.batch_first)
        activation = nn.Identity() if bug == "no activation in the MLP" else nn.GELU()
        self.mlp = nn.Sequential(nn.Linear(dim, mlp_dim), activation, nn.Linear(mlp_dim, dim))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.norm1(x)
        x = x + self.attn(h, h, h, need_weights=False)[0]
        return x + self.mlp(self.norm2(x))


class BlogViT(nn.Module):
    """A tiny ViT for ``(B, 1, 8, 8)`` digits: ``patch x patch`` patches, ``depth`` blocks, a head on
    the class token (``pool="cls"``) or the mean patch token (``pool="mean"``): ``-> (B, 10)``.
    ``bug`` is one of :data:`BUGS` (the optimizer bug changes nothing here; :func:`run` applies it);
    ``positions=False`` is the same as ``bug="no position embeddings"`` (zero, frozen)."""

    def __init__(
        self,
        bug: str = "none",
        *,
        dim: int = 32,
        depth: int = 1,
        heads: int = 4,
        mlp_dim: int = 64,
        pool: str = "cls",
        positions: bool = True,
    ) -> None:
        super().__init__()
        self.bug = _checks.one_of("bug", bug, BUGS)
        self.pool = _checks.one_of("pool", pool, ("cls", "mean"))
        _checks.divisible_by_heads(dim, heads)
        self.patch_size = 2
        self.embed = nn.Linear(self.patch_size**2, dim)
        self.class_token = nn.Parameter(torch.zeros(1, 1, dim))
        self.pos_embedding = nn.Parameter(torch.randn(1, 17, dim) * 0.02)
        if bug == "no position embeddings" or not positions:
            self.pos_embedding.requires_grad_(False).data.zero_()
        self.blocks = nn.ModuleList(_Block(dim, heads, mlp_dim, bug) for _ in range(depth))
        self.norm = _LayerNorm(dim, bug)
        self.head = nn.Linear(dim, 10)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        """``(B, 1, 8, 8) -> (B, 10)``."""
        images = _checks.image_batch(images, channels=1, size=(8, 8))
        p = self.patch_size
        patches = rearrange(images, "b c (h p1) (w p2) -> b (h w) (p1 p2 c)", p1=p, p2=p)  # (B, 16, 4)
        tokens = torch.cat([self.class_token.expand(len(images), -1, -1), self.embed(patches)], dim=1)
        tokens = tokens + self.pos_embedding  # (B, 17, D)
        for block in self.blocks:
            tokens = block(tokens)
        tokens = self.norm(tokens)
        return self.head(tokens[:, 0] if self.pool == "cls" else tokens[:, 1:].mean(dim=1))


@dataclass
class ClinicRun:
    """What :func:`run` measured: the loss of every step, the gradient norm of each part at step 0,
    and the validation accuracy at the end."""

    losses: list[float]
    gradient_norms: dict[str, float]
    val_accuracy: float
    #: with ``run(..., record_updates=True)``: every step's ``|lr * update| / |weight|`` (L2 norms over all weights)
    update_ratios: list[float] = field(default_factory=list)
    #: with ``run(..., val_every=n)``: ``(steps done, validation cross-entropy)`` every ``n`` steps and at the end
    val_losses: list[tuple[int, float]] = field(default_factory=list)


def gradient_norms(model: nn.Module) -> dict[str, float]:
    """The gradient's L2 norm per part (``embed``, ``attn``, ``mlp``, ``norm``, ``head``, ...),
    grouped by the name after the block index: call after ``loss.backward()``."""
    squares: dict[str, float] = {}
    for name, param in model.named_parameters():
        if param.grad is None:
            continue
        parts = name.split(".")
        part = parts[2] if parts[0] == "blocks" else parts[0]
        part = "norm" if part.startswith("norm") else part
        squares[part] = squares.get(part, 0.0) + param.grad.pow(2).sum().item()
    return {part: math.sqrt(value) for part, value in squares.items()}


def norm_ratio_ranges(
    reference: Sequence[dict[str, float]], broken: Sequence[dict[str, float]]
) -> tuple[float, float, float, float]:
    """How much smaller a broken model's step-0 gradients are than a reference's, seed by seed: ``reference``
    and ``broken`` hold one :func:`gradient_norms` dict per seed (the same seeds, in order). Returns the
    lowest and highest ratio ``reference / broken`` over every seed and part but ``norm``, then over ``norm``."""
    if len(reference) != len(broken) or not reference:
        raise ValueError(f"one dict per seed in each, got {len(reference)} and {len(broken)}")
    ratios = [(part, ref[part] / bad[part]) for ref, bad in zip(reference, broken, strict=True) for part in ref]
    rest = [r for part, r in ratios if part != "norm"]
    norms = [r for part, r in ratios if part == "norm"]
    return min(rest), max(rest), min(norms), max(norms)


@lru_cache(maxsize=1)
def _digits() -> DigitSplit:
    return load_digits()


def training_subset(size: int | None = None, data: DigitSplit | None = None) -> DigitSplit:
    """The 8x8 digits with only the first ``size`` training images of one fixed shuffle (seed 0), so smaller
    sets are nested in larger ones (``benchmarks/bench_lesson06.py``'s ``size`` runs use the same subsets);
    ``None`` or the full count: all of them. Validation and test digits are unchanged."""
    data = data if data is not None else _digits()
    full = len(data.train_labels)
    if size is None or size == full:
        return data
    size = _checks.positive_int("size", size)
    if size > full:
        raise ValueError(f"size={size} is more than the {full} training digits; choose at most {full}")
    keep = torch.randperm(full, generator=torch.Generator().manual_seed(0))[:size]
    return data._replace(train_images=data.train_images[keep], train_labels=data.train_labels[keep])


def run(
    bug: str = "none",
    *,
    steps: int = 200,
    optimizer: str = "adam",
    lr: float = 2e-3,
    pool: str = "cls",
    positions: bool = True,
    seed: int = 0,
    batch_size: int = 64,
    data: DigitSplit | None = None,
    stop_after: int | None = None,
    record_updates: bool = False,
    val_every: int | None = None,
) -> ClinicRun:
    """Train ``BlogViT(bug, pool=pool)`` on the 8x8 digits' training images for ``steps`` steps
    (batch 64, Adam or SGD with momentum 0.9 at ``lr``, warm-up 10 % then cosine); the validation
    accuracy at the end. ``"SGD at Adam's learning rate"`` swaps Adam for SGD at the same ``lr``.
    ``stop_after=n`` stops after the first ``n`` of the ``steps`` (same schedule): the start of a longer run,
    e.g. to check a stored run against a fresh one cheaply. ``record_updates=True`` also records every step's
    update/weight ratio, ``|change of all weights| / |weights before|`` (Karpathy's rule of thumb: about 1e-3).
    ``val_every=n`` also records the validation loss every ``n`` steps (eval mode, no gradients: the training
    steps and their losses stay the same)."""
    steps = _checks.positive_int("steps", steps)
    every = None if val_every is None else _checks.positive_int("val_every", val_every)
    stop = steps if stop_after is None else min(steps, _checks.positive_int("stop_after", stop_after))
    lr = _checks.positive_number("lr", lr, example="2e-3")
    if bug == "SGD at Adam's learning rate":
        optimizer = "sgd"
    optimizer = _checks.one_of("optimizer", optimizer, ("adam", "sgd"))
    data = data if data is not None else _digits()
    torch.manual_seed(seed)
    model = BlogViT(bug, pool=pool, positions=positions)
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.Adam(params, lr=lr) if optimizer == "adam" else torch.optim.SGD(params, lr=lr, momentum=0.9)
    generator = torch.Generator().manual_seed(seed)
    losses: list[float] = []
    norms: dict[str, float] = {}
    ratios: list[float] = []
    val_losses: list[tuple[int, float]] = []
    while len(losses) < stop:
        for index in torch.randperm(len(data.train_images), generator=generator).split(batch_size):
            for group in opt.param_groups:
                group["lr"] = lr * lr_factor(len(losses) / steps, 0.1, "cosine")
            loss = F.cross_entropy(model(data.train_images[index]), data.train_labels[index])
            opt.zero_grad()
            loss.backward()
            norms = norms or gradient_norms(model)
            before = [p.detach().clone() for p in params] if record_updates else []
            opt.step()
            if record_updates:
                ratios.append(_norm([p.detach() - b for p, b in zip(params, before, strict=True)]) / _norm(before))
            losses.append(loss.item())
            if every is not None and (len(losses) % every == 0 or len(losses) == stop):
                val_losses.append((len(losses), _val_loss(model, data)))
            if len(losses) == stop:
                break
    return ClinicRun(losses, norms, evaluate(model, data.val_images, data.val_labels), ratios, val_losses)


def _val_loss(model: nn.Module, data: DigitSplit) -> float:
    """The mean cross-entropy on the validation digits, in eval mode, without gradients (train mode restored)."""
    with torch.no_grad():
        return F.cross_entropy(predict(model, data.val_images), data.val_labels).item()


def _norm(tensors: Sequence[torch.Tensor]) -> float:
    """The L2 norm of several tensors taken together."""
    return math.sqrt(sum(t.pow(2).sum().item() for t in tensors))


def first_step_size(bug: str = "none", optimizer: str = "adam", lr: float = 1e-2, seed: int = 0) -> float:
    """The L2 norm of the change of all of ``BlogViT(bug)``'s weights after ONE step (``optimizer``: Adam, or
    SGD with momentum 0.9; ``lr`` held constant) on :func:`run`'s first batch of 64 training digits (seed ``seed``).
    Adam's first step is ``lr * g / (|g| + eps)`` per weight, so its size barely depends on the gradient's scale;
    SGD's is ``lr * g``."""
    optimizer = _checks.one_of("optimizer", optimizer, ("adam", "sgd"))
    data = _digits()
    torch.manual_seed(seed)
    model = BlogViT(bug)
    params = [p for p in model.parameters() if p.requires_grad]
    before = [p.detach().clone() for p in params]
    opt = torch.optim.Adam(params, lr=lr) if optimizer == "adam" else torch.optim.SGD(params, lr=lr, momentum=0.9)
    index = torch.randperm(len(data.train_images), generator=torch.Generator().manual_seed(seed))[:64]
    F.cross_entropy(model(data.train_images[index]), data.train_labels[index]).backward()
    opt.step()
    return math.sqrt(sum((p.detach() - b).pow(2).sum().item() for p, b in zip(params, before, strict=True)))


def permutation_changes(model: nn.Module, images: torch.Tensor, seed: int = 0) -> torch.Tensor:
    """Per image ``(B,)``: the largest change of any of its logits when the 2x2 patches of every image are
    shuffled (one fixed permutation): 0 (to rounding) for a model that cannot see positions."""
    from .patches import patchify, unpatchify

    patches = patchify(images, 2)  # (B, 16, 4)
    order = torch.randperm(patches.shape[1], generator=torch.Generator().manual_seed(seed))
    shuffled = unpatchify(patches[:, order], 2, images.shape[-2], images.shape[-1])
    with torch.no_grad():
        return (model(shuffled) - model(images)).abs().amax(dim=1)


def permutation_change(model: nn.Module, images: torch.Tensor, seed: int = 0) -> float:
    """The largest change of any logit when the 2x2 patches of every image are shuffled (one fixed
    permutation): 0 (to rounding) for a model that cannot see positions."""
    return permutation_changes(model, images, seed).max().item()


def batch_dependence(
    model: nn.Module, images: torch.Tensor, labels: torch.Tensor, index: int = 0
) -> tuple[float, float]:
    """Karpathy's "use backprop to chart dependencies": back-propagate the loss of image ``index`` alone
    and read the gradient on every input image. Returns ``(own, others)``: the largest absolute gradient
    on image ``index``'s own pixels and on the pixels of all the other images of the batch. A model that
    keeps the images of a batch apart gives ``others == 0`` exactly, whatever its pooling; ``own == 0``
    means the output ignores the image. Uses the model as it is (a BatchNorm in training mode mixes the
    batch on purpose); ``images`` ``(B, ...)`` with ``B >= 2``, ``labels`` ``(B,)``."""
    if len(images) < 2 or len(labels) != len(images) or not 0 <= index < len(images):
        raise ValueError(f"need 2+ images, one label each and 0 <= index < {len(images)}; got index {index}")
    images = images.detach().clone().requires_grad_(True)
    F.cross_entropy(model(images)[index : index + 1], labels[index : index + 1]).backward()
    grad = images.grad.abs().flatten(1).amax(dim=1)  # (B,): the largest gradient on each image
    others = torch.cat([grad[:index], grad[index + 1 :]])
    return grad[index].item(), others.max().item()


def feature_rank(model: BlogViT, images: torch.Tensor, tolerance: float = 1e-4) -> int:
    """How many directions the pooled features the head reads vary in, over ``images``: the number of
    singular values of the centred ``(B, D)`` features above ``tolerance`` times the largest. A healthy
    model gives many; a LayerNorm that keeps one number per token gives 1."""
    captured: list[torch.Tensor] = []
    handle = model.head.register_forward_pre_hook(lambda module, args: captured.append(args[0].detach()))
    try:
        with torch.no_grad():
            model(images)
    finally:
        handle.remove()
    features = captured[0] - captured[0].mean(dim=0)
    values = torch.linalg.svdvals(features.double())
    return int((values > tolerance * values[0]).sum()) if values[0] > 0 else 0


#: The rows of a fused ``qkv`` weight ``(3 * D, D)``: queries, then keys, then values.
QKV_ROWS = ("q", "k", "v")


@torch.no_grad()
def redraw_qkv_rows(model: nn.Module, rows: tuple[str, ...] = ("q", "k"), init: str = "torch") -> nn.Module:
    """Redraw the ``rows`` (any of ``"q"``, ``"k"``, ``"v"``) of every ``attn.qkv.weight`` in ``model``
    and leave everything else as it is (biases too): ``init="torch"`` draws PyTorch's ``nn.Linear``
    default, uniform in ``±1/sqrt(fan_in)`` (std ``1/sqrt(3 fan_in)``); ``init="timm"`` a normal with
    std 0.02. The ablation that changes the query/key scale alone. Uses the global torch generator
    (seed it first); returns ``model``."""
    init = _checks.one_of("init", init, ("torch", "timm"))
    if isinstance(rows, str) or not rows or any(row not in QKV_ROWS for row in rows):
        raise ValueError(f"rows must be a tuple of {QKV_ROWS}, e.g. ('q', 'k'); got {rows!r}")
    found = 0
    for name, module in model.named_modules():
        if name.endswith("attn.qkv") and isinstance(module, nn.Linear):
            found += 1
            width = module.weight.shape[0] // 3
            for row in rows:
                part = module.weight[QKV_ROWS.index(row) * width : (QKV_ROWS.index(row) + 1) * width]
                if init == "torch":
                    bound = 1 / math.sqrt(module.weight.shape[1])
                    part.uniform_(-bound, bound)
                else:
                    nn.init.trunc_normal_(part, std=0.02)
    if not found:
        raise ValueError("the model has no attn.qkv Linear layer (a vit_explained ViT has one per block)")
    return model


def stored_runs(name: str = "lesson06_runs.json") -> dict:
    """The per-seed results of ``benchmarks/bench_lesson06.py``, from the copy shipped with the package
    (``vit_explained/checkpoints/<name>``, package data, so a pip or Colab install has them; the
    benchmark writes it and ``benchmarks/results/<name>`` identically). Lesson 06 prints their ranges
    and plots them."""
    import json
    from pathlib import Path

    return json.loads((Path(__file__).resolve().parent / "checkpoints" / name).read_text())


def stored_clinic_runs(runs: dict | None = None) -> dict[str, ClinicRun]:
    """The clinic's runs, one per bug (``run(bug, steps=150, lr=1e-2)``, seed 0), as
    ``benchmarks/bench_lesson06.py`` stored them (section ``clinic``): ``{bug: ClinicRun}``.
    ``runs``: an already loaded :func:`stored_runs` (read from disk when ``None``)."""
    section = (runs if runs is not None else stored_runs())["clinic"]
    return {
        bug: ClinicRun(
            list(r["losses"]),
            dict(r["gradient_norms"]),
            r["val_accuracy"],
            val_losses=[(int(step), value) for step, value in r.get("val_losses", [])],
        )
        for bug, r in section["runs"].items()
    }


def stored_size_runs(runs: dict | None = None) -> dict[tuple[str, int], ClinicRun]:
    """The clinic's runs on fewer training digits (``run(bug, steps=150, lr=1e-2, data=training_subset(n))``, seed
    0), as ``benchmarks/bench_lesson06.py`` stored them (section ``clinic_sizes``): ``{(bug, n): ClinicRun}``."""
    section = (runs if runs is not None else stored_runs())["clinic_sizes"]
    return {
        (bug, int(n)): ClinicRun(
            list(r["losses"]),
            dict(r["gradient_norms"]),
            r["val_accuracy"],
            val_losses=[(int(step), value) for step, value in r["val_losses"]],
        )
        for n, by_bug in section["runs"].items()
        for bug, r in by_bug.items()
    }


def selection_overstatement(right, val, pick_by: str = "test", runs: int = 5, splits: int = 200, seed: int = 0):
    """How much picking the best of ``runs`` runs overstates: ``right`` ``(R, T)`` says which of T test
    digits each of R runs gets right, ``val`` ``(R,)`` their validation accuracies. For each of ``splits``
    random half-splits of the test digits (one half plays the test set, the other new digits), the mean
    over every choice of ``runs`` of the R runs of: the kept run's accuracy on the "test" half minus its
    accuracy on the "new" half; the run is kept by ``pick_by`` ("test" or "validation") accuracy (the
    first, on a tie). Returns a numpy array ``(splits,)``."""
    import itertools

    import numpy as np

    right, val = np.asarray(right, dtype=bool), np.asarray(val, dtype=float)
    if right.ndim != 2 or val.shape != (right.shape[0],):
        raise ValueError(f"right must be (runs, test digits) and val (runs,); got {right.shape} and {val.shape}")
    pick_by = _checks.one_of("pick_by", pick_by, ("test", "validation"))
    half_size = right.shape[1] // 2
    draws = np.array(list(itertools.combinations(range(len(val)), runs)))
    rows, rng, result = np.arange(len(draws)), np.random.default_rng(seed), []
    for _ in range(splits):
        half = rng.permutation(right.shape[1])[:half_size]
        test_hits = right[:, half].sum(axis=1)
        new_hits = right.sum(axis=1) - test_hits
        score = test_hits if pick_by == "test" else val
        kept = draws[rows, score[draws].argmax(axis=1)]
        result.append((test_hits[kept] - new_hits[kept]).mean() / half_size)
    return np.array(result)


def simulated_overstatement(
    runs: tuple[int, ...] = (2, 5, 12), accuracy: float = 0.9, digits: int = 180, draws: int = 4000, seed: int = 0
) -> dict[int, np.ndarray]:
    """The arithmetic behind :func:`selection_overstatement`, with nothing trained: ``max(runs)`` runs of
    the same true ``accuracy``, each measured on ``digits`` "test" digits and on ``digits`` new ones
    (independent binomial counts, as if the runs erred on unrelated digits), ``draws`` times. For each k in
    ``runs``: the run with the best "test" score among the first k is kept, and the result is its "test"
    accuracy minus its accuracy on the new digits, one value per draw: ``{k: array (draws,)}``. Seeded
    numpy; a few milliseconds."""
    import numpy as np

    if not 0 < accuracy < 1 or min(runs) < 1:
        raise ValueError(f"accuracy must lie in (0, 1) and every k be >= 1; got {accuracy} and {runs}")
    rng = np.random.default_rng(seed)
    test = rng.binomial(digits, accuracy, size=(draws, max(runs))) / digits
    new = rng.binomial(digits, accuracy, size=(draws, max(runs))) / digits
    rows = np.arange(draws)
    result = {}
    for k in runs:
        kept = test[:, :k].argmax(axis=1)  # the first, on a tie (the new digits do not care which)
        result[k] = test[rows, kept] - new[rows, kept]
    return result


def sign_count(a, b, digits: int = 360) -> tuple[int, int]:
    """Seeds where accuracy ``a`` is higher and seeds where ``b`` is (ties left out), counted in whole
    test digits (``digits`` of them) so that float rounding makes no tie a win."""
    import numpy as np

    difference = np.rint(digits * np.asarray(a, dtype=float)) - np.rint(digits * np.asarray(b, dtype=float))
    return int((difference > 0).sum()), int((difference < 0).sum())


def verdict_word(paired, corrected: float) -> str:
    """Section 5's verdict on a paired comparison over seeds (``evidence.paired_seeds``), in the words of its
    table: "ahead" when its t-interval at ``corrected`` (e.g. 1 - 0.05/6, Bonferroni's) excludes 0, "leans" when
    only the plain 95 % one does, "no detectable difference" when neither does."""

    def excludes_0(interval) -> bool:
        return interval.low > 0 or interval.high < 0

    if excludes_0(paired.t_interval(corrected)):
        return "ahead"
    return "leans" if excludes_0(paired.t_interval()) else "no detectable difference"


def size_leads(budgets: Mapping[str, dict], corrected: float) -> tuple[dict, dict, str]:
    """Section 5's training-set-size runs: per budget (``name: stored arm``), CNN-8 - ViT in test accuracy on each
    training-set size (``evidence.paired_seeds``), and the lead at 300 digits minus at 1,257, seed by seed. Returns
    ``(leads, growths, text)``, ``leads[budget][size]`` and ``growths[budget]``; the text is two lines per budget:
    the mean leads, then the growth's mean, seed range, 95 % and ``corrected`` t-intervals, verdict and sign count."""
    from .evidence import paired_seeds

    leads, growths, lines = {}, {}, []
    for budget, arm in budgets.items():
        leads[budget] = {
            n: paired_seeds(arm["test"][str(n)]["SmallCNN width 8"], arm["test"][str(n)]["ViT"]) for n in arm["sizes"]
        }
        growths[budget] = paired_seeds(leads[budget][300].difference.values, leads[budget][1257].difference.values)
        g, g_c = growths[budget].t_interval(), growths[budget].t_interval(corrected)
        v = [100 * x for x in growths[budget].difference.values]
        means = ", ".join(f"{n:,} digits {100 * s.difference.mean:+.1f}" for n, s in leads[budget].items())
        lines.append(f"{budget}: CNN-8 - ViT in test accuracy, mean of {len(arm['seeds'])} seeds: {means}")
        lines.append(
            f"  lead at 300 minus at 1,257: {sum(v) / len(v):+.1f} points, seeds {min(v):+.1f}..{max(v):+.1f}, "
            f"95 % [{100 * g.low:+.1f}, {100 * g.high:+.1f}], corrected [{100 * g_c.low:+.1f}, {100 * g_c.high:+.1f}]: "
            f"{verdict_word(growths[budget], corrected)}; larger at 300 on {sum(x > 0 for x in v)} of {len(v)} seeds"
        )
    return leads, growths, "\n".join(lines)


def recap_table(
    plateau_steps: Sequence[int], seed_ratios: Mapping[str, Sequence[float]], fixed_end: Sequence[float]
) -> str:
    """Section 4's numbers behind its symptom table, once the checks have computed them: the healthy plateau
    (steps, over seeds), each bug's step-0 gradient-norm ratio to the fixed model (``norm_ratio_ranges``: other
    parts low-high, norms low-high) and the fixed model's loss at the end over seeds."""
    steps = f"step {min(plateau_steps)}-{max(plateau_steps)}"
    rows = [("a plateau ends (fixed model, 5-step mean 0.3 below ln 10)", steps)]
    for bug, (low, high, norm_low, norm_high) in seed_ratios.items():
        ratios = f"{low:.0f}-{high:.0f}x, norms {norm_low:.0f}-{norm_high:.0f}x"
        rows.append((f"fixed / {bug}, gradient norms at step 0", ratios))
    end = f"{min(fixed_end):.2f}-{max(fixed_end):.2f}"
    rows.append(("the fixed model's loss at the end (its seed range)", end))
    return text_table(("check", "reading"), rows)


def text_table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A plain-text table for a notebook's output: ``header`` and ``rows`` (cells turned into text with
    ``str``), columns padded to their widest cell, two spaces apart, a dashed rule under the header;
    the first column is left-aligned, the others right-aligned (numbers line up)."""
    cells = [[str(cell) for cell in header]] + [[str(cell) for cell in row] for row in rows]
    if any(len(row) != len(cells[0]) for row in cells):
        raise ValueError(f"every row needs {len(cells[0])} cells, as the header has")
    widths = [max(len(row[i]) for row in cells) for i in range(len(cells[0]))]

    def line(row: list[str]) -> str:
        padded = (c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths, strict=True)))
        return "  ".join(padded)

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(cells[0]).rstrip(), rule, *(line(row).rstrip() for row in cells[1:])])


def attention_at_step_0(model: nn.Module, images: torch.Tensor, labels: torch.Tensor) -> dict[str, float]:
    """Where an initialisation stands before its first step: one forward and backward pass of a
    one-block ``vit_explained`` ViT on ``images`` (cross-entropy against ``labels``) gives the std of the
    attention logits, the mean entropy of the attention rows over ``ln N`` (1 = uniform over the N tokens)
    and the gradient norms of the q, k and v rows of ``W_qkv``: ``{"logit std", "entropy", "q", "k", "v"}``.
    Leaves the model's gradients set and its attention on the explicit (unfused) path."""
    from .gradient_hooks import GradientRecorder

    attention = model.blocks[0].attn
    attention.fused = False  # the explicit path, so a hook can see the logits and the softmax
    seen: dict[str, torch.Tensor] = {}
    hook = attention.attend.register_forward_hook(
        lambda module, inputs, output: seen.update(logits=inputs[0].detach(), weights=output.detach())
    )
    try:
        with GradientRecorder(model) as recorder:
            F.cross_entropy(model(images), labels).backward()
    finally:
        hook.remove()
    weights = seen["weights"]  # (B, heads, N, N)
    entropy = -(weights * weights.log()).sum(-1).mean().item() / math.log(weights.shape[-1])
    q, k, v = recorder.qkv_norms["encoder.blocks.0.attn.qkv.weight"]
    return {"logit std": seen["logits"].std().item(), "entropy": entropy, "q": q, "k": k, "v": v}


def overstatement_interval(
    right, val, runs: int = 5, resamples: int = 100, splits: int = 10, seed: int = 0
) -> tuple[float, float]:
    """A 95 % percentile bootstrap over the runs for the mean of :func:`selection_overstatement`
    (picked by test accuracy): resample the R runs with replacement ``resamples`` times, each with
    ``splits`` half-splits. Resampled runs repeat, and a repeated run offers no extra choice, so the
    interval leans low (conservative for a claim that the overstatement is above 0)."""
    import numpy as np

    right, val = np.asarray(right, dtype=bool), np.asarray(val, dtype=float)
    rng = np.random.default_rng(seed)
    means = []
    for _ in range(resamples):
        pick = rng.integers(0, len(val), len(val))
        gaps = selection_overstatement(right[pick], val[pick], "test", runs, splits, int(rng.integers(2**31)))
        means.append(gaps.mean())
    low, high = np.percentile(means, [2.5, 97.5])
    return float(low), float(high)


def seeds_and_digits_interval(a_right, b_right, confidence: float = 0.95) -> tuple[float, float, float]:
    """The mean of ``a - b`` with a 95 % interval that holds **both** kinds of noise of a comparison over
    seeds on one test set. ``a_right``, ``b_right``: ``(seeds, digits)``, 1 where seed ``s``'s model gets
    test digit ``j`` right (the same seeds and digits for both). Returns ``(mean, low, high)``.

    The seeds' term is the paired t-interval's (the spread of the per-seed differences: training
    noise); the digits' term is the spread over digits of each digit's seed-averaged difference (which
    digits happened to be drawn). They add as variances, with Student's t at seeds - 1 degrees of
    freedom. Both terms hold the seed-by-digit noise, so it is counted twice: the interval errs wide."""
    import numpy as np

    from .evidence import _t_quantile

    a, b = np.asarray(a_right, dtype=float), np.asarray(b_right, dtype=float)
    if a.shape != b.shape or a.ndim != 2 or min(a.shape) < 2:
        raise ValueError(f"a_right and b_right must be (seeds, digits) with 2+ of each, got {a.shape} and {b.shape}")
    difference = a - b
    seeds, digits = difference.shape
    variance = difference.mean(axis=1).var(ddof=1) / seeds + difference.mean(axis=0).var(ddof=1) / digits
    half = _t_quantile(0.5 + confidence / 2, seeds - 1) * math.sqrt(variance)
    mean = float(difference.mean())
    return mean, mean - half, mean + half


def paired_table(
    test: Mapping[str, Sequence[float]],
    pairs: Sequence[tuple[str, str]],
    corrected: float,
    short: Mapping[str, str],
    headline: tuple[str, object] | None = None,
) -> tuple[list[tuple[str, ...]], dict[str, tuple]]:
    """Section 5's table: for each pair ``(a, b)`` of ``pairs``, paired over the seeds of ``test[name]``
    (accuracies, seed ``i`` at index ``i``), the mean of a - b, its 95 % and ``corrected`` t-intervals and
    :func:`verdict_word`, in points. Returns text rows for :func:`text_table` and the same numbers keyed by
    ``"short a - short b"`` as ``plot_paired_differences`` takes them. ``headline``, a ``(label, paired_seeds(a, b))``,
    goes on top of both."""
    from .evidence import paired_seeds

    rows, drawn = [], {}
    compared = [headline] if headline is not None else []
    compared += [(f"{short[a]} - {short[b]}", paired_seeds(test[a], test[b])) for a, b in pairs]
    for label, s in compared:
        t95, t = s.t_interval(), s.t_interval(corrected)
        mean, word = 100 * s.difference.mean, verdict_word(s, corrected)
        narrow, wide = f"[{100 * t95.low:+.1f}, {100 * t95.high:+.1f}]", f"[{100 * t.low:+.1f}, {100 * t.high:+.1f}]"
        rows.append((label, f"{mean:+.1f}", narrow, wide, word))
        drawn[label] = (mean, (100 * t95.low, 100 * t95.high), (100 * t.low, 100 * t.high), word)
    return rows, drawn


def rate_lines(lr_runs: dict, best: Mapping[str, float], own: dict, vit_test: Sequence[float], vit_lr: float) -> str:
    """Section 5's printed lines on learning rates: the stored grid (:func:`lr_line`), the rate each model chose on
    validation (``best``, from :func:`best_rates`), and CNN-8 at its own stored rate (``own``) beside the ViT's
    ``vit_test`` accuracies at ``vit_lr``, each as mean (range over seeds)."""
    from .evidence import over_seeds

    cnn = own["test"]["SmallCNN width 8"]
    return "\n".join(
        (
            lr_line(lr_runs, {"ViT": "ViT", "SmallCNN width 8": "CNN-8"}),
            f"rate chosen on validation ({len(lr_runs['lrs'])} rates, mean over seeds 0-2): "
            + ", ".join(f"{name} {lr:g}" for name, lr in best.items()),
            f"each at its own rate, 400 steps: CNN-8 (lr {own['lr']['SmallCNN width 8']:g}) "
            f"{over_seeds(cnn, percent=True)}; ViT (lr {vit_lr:g}) {over_seeds(vit_test, percent=True)}",
        )
    )


def rise_word(change, corrected: float) -> str:
    """Section 3's verdict on a change of the validation loss's rise (a paired a - b over seeds, a loss): when the
    ``corrected`` t-interval excludes 0, "a smaller rise" (below 0) or "a larger rise" (above 0), a finding; else
    :func:`verdict_word`'s "leans" or "no detectable difference".

    With fewer than 6 seeds the finding is called "exploratory": the t-interval then leans on normality, and even
    a two-sided sign test with every seed on one side cannot reach p < 0.05 (2 * 0.5**5 = 0.0625)."""
    word = verdict_word(change, corrected)
    if word != "ahead":
        return word
    smaller = change.difference.mean < 0
    side = "below" if smaller else "above"
    strength = "a finding" if len(change.difference.values) >= 6 else "exploratory"
    return f"a {'smaller' if smaller else 'larger'} rise: {strength} (corrected interval {side} 0)"


def rise_change_line(name: str, change, corrected: float) -> str:
    """Section 3's printed line for one regulariser switched back on: ``name`` - neither, the change of the rise,
    its 95 % and ``corrected`` t-intervals over the seeds, and :func:`rise_word`."""
    t95, t = change.t_interval(), change.t_interval(corrected)
    return (
        f"{name} - neither, the rise: {change.difference.mean:+.2f}, 95 % [{t95.low:+.2f}, {t95.high:+.2f}], "
        f"corrected ({corrected:.1%}) [{t.low:+.2f}, {t.high:+.2f}] ({len(change.difference.values)} seeds): "
        f"{rise_word(change, corrected)}"
    )


def readings_table(paired: Mapping[str, object], corrected: float) -> tuple[dict[str, list[tuple[float, float]]], str]:
    """For each ``label: paired_seeds(a, b)`` of ``paired``: its 95 % and ``corrected`` t-intervals in points
    (``{label: [(low, high), (low, high)]}``) and a printable table (seeds, mean, both intervals,
    :func:`reading_verdict`), as section 5's augmentation table prints it."""
    read = {
        label: [(100 * t.low, 100 * t.high) for t in (s.t_interval(), s.t_interval(corrected))]
        for label, s in paired.items()
    }
    rows = [
        (
            label,
            len(s.difference.values),
            f"{100 * s.difference.mean:+.1f}",
            *("[{:+.1f}, {:+.1f}]".format(*pair) for pair in read[label]),
            reading_verdict(*read[label][0], read[label][1]),
        )
        for label, s in paired.items()
    ]
    header = ("a - b", "seeds", "points", "95 % t-interval", level_label(corrected), "verdict")
    return read, text_table(header, rows)


@dataclass
class OverfittingSummary:
    """What :func:`overfitting_summary` read from the stored over-fitting runs."""

    text: str
    lowest: dict[tuple[str, int], int]  # (model, seed) -> the epoch (from 1) of the lowest validation loss
    end_minus_lowest: list[float]  # validation accuracy at the end minus at that epoch, points, in run order
    higher_at_end: int
    sign_p: float  # two-sided sign test of higher_at_end against the runs that moved (ties dropped)


def overfitting_summary(runs: dict, window: int | None = None) -> OverfittingSummary:
    """Lesson 06's over-fitting runs (``stored_runs()["overfitting"]``: ``curves[model]``, one dict of
    per-epoch lists per seed): per run, the first epoch with every training digit right, the epoch of
    the lowest validation loss, and the validation accuracy there and at the end; then a sign test.
    With ``window``, the lowest epoch is read on the ``window``-epoch mean (:func:`windowed`; the
    window's last epoch), the lesson's one definition; without it, on the raw curve."""
    from scipy.stats import binomtest

    lines, lowest, change = [], {}, []
    for name, seed_runs in runs["curves"].items():
        short = "CNN-8" if "CNN" in name else name
        for seed, run in zip(runs["seeds"], seed_runs, strict=True):
            loss, accuracy = run["val_loss"], run["val_accuracy"]
            curve = windowed(loss, window) if window else list(loss)
            low = int(min(range(len(curve)), key=curve.__getitem__))
            best = lowest[name, seed] = low + (window or 1)
            change.append(100 * (accuracy[-1] - accuracy[best - 1]))
            full = run["train_accuracy"].index(1.0) + 1
            what = f"{window}-epoch mean validation loss" if window else "validation loss"
            lines.append(
                f"{short} seed {seed}: train accuracy 100 % from epoch {full}; {what} lowest at epoch {best} "
                f"({curve[low]:.2f}), {curve[-1]:.2f} at epoch {runs['epochs']}; validation accuracy "
                f"{accuracy[best - 1]:.1%} at the lowest-loss epoch, {accuracy[-1]:.1%} at the end "
                f"(best {max(accuracy):.1%})"
            )
    higher, moved = sum(d > 0 for d in change), sum(d != 0 for d in change)
    sign_p = float(binomtest(higher, moved).pvalue) if moved else 1.0  # the sign test drops the ties
    lines.append(
        "validation accuracy at the end minus at the lowest-loss epoch (points; ViT seeds 0-2, then CNN-8): "
        + ", ".join(f"{d:+.1f}" for d in change)
    )
    lines.append(
        f"higher at the end on {higher} of {len(change)} runs, level on {len(change) - moved}; "
        f"sign test over the {moved} that moved: p = {sign_p:.2f}"
    )
    return OverfittingSummary("\n".join(lines), lowest, change, higher, sign_p)


def windowed(values: Sequence[float], window: int = 5) -> list[float]:
    """The mean of each ``window`` consecutive values (a trailing window): entry ``i`` is the mean of
    ``values[i : i + window]``, i.e. of the epochs ``i + 1 .. i + window`` counted from 1."""
    window = _checks.positive_int("window", window)
    if len(values) < window:
        raise ValueError(f"need at least window={window} values, got {len(values)}")
    return [sum(values[i : i + window]) / window for i in range(len(values) - window + 1)]


def windowed_rise(val_loss: Sequence[float], window: int = 5, margin: float = 0.05) -> tuple[int, int, float]:
    """Read an over-fitting curve on its windowed mean, not on the minimum of the noisy raw curve:
    ``(lowest, rises_from, end_rise)``: the epoch (the window's last, counted from 1) where the windowed
    validation loss is lowest, the first epoch from which it stays more than ``margin`` above that lowest
    value until the end, and how far above it the last window ends. ``ValueError`` if it never rises."""
    curve = windowed(val_loss, window)
    low = min(range(len(curve)), key=curve.__getitem__)
    above = [value > curve[low] + margin for value in curve]
    if not above[-1]:
        raise ValueError(f"the {window}-epoch mean validation loss ends within {margin} of its lowest value")
    start = len(above) - 1
    while start > 0 and above[start - 1]:
        start -= 1
    return low + window, start + window, curve[-1] - curve[low]


def overfitting_rises(
    runs: dict, window: int = 5, margin: float = 0.05, short: Mapping[str, str] | None = None
) -> tuple[dict[tuple[str, int], tuple[int, int, float]], str]:
    """:func:`windowed_rise` of every stored over-fitting run (``runs["curves"][model]``, one per seed of
    ``runs["seeds"]``), keyed ``(model, seed)``, and a printable text: one line per model, then the epoch from
    which every seed stays ``margin`` above its lowest value. ``short`` renames the models in the text."""
    short = dict(short or {})
    rise = {
        (name, seed): windowed_rise(run["val_loss"], window=window, margin=margin)
        for name, seed_runs in runs["curves"].items()
        for seed, run in zip(runs["seeds"], seed_runs, strict=True)
    }
    lines = list(overfitting_model_lines(runs, rise, window, margin, short).values())
    every = [(max(rise[name, seed][1] for seed in runs["seeds"]), short.get(name, name)) for name in runs["curves"]]
    lines.append(
        f"on every seed, the windowed validation loss stays more than {margin} above its lowest from epoch "
        + ", ".join(f"{epoch}{' on' if i == 0 else ''} ({label})" for i, (epoch, label) in enumerate(every))
    )
    return rise, "\n".join(lines)


def overfitting_model_lines(
    runs: dict,
    rise: Mapping[tuple[str, int], tuple[int, int, float]],
    window: int = 5,
    margin: float = 0.05,
    short: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """:func:`overfitting_rises`' line for each model, keyed by its name in ``runs["curves"]`` (``["ViT"]``: the
    ViT's seeds' lowest epochs, the epochs from which each stays ``margin`` above it, and its end rises)."""
    short = dict(short or {})
    lines = {}
    for name in runs["curves"]:
        mine = [rise[name, seed] for seed in runs["seeds"]]
        ends = " to ".join(sorted({f"{r[2]:.2f}" for r in mine}))
        lines[name] = (
            f"{short.get(name, name)}, {window}-epoch mean validation loss, "
            f"seeds {runs['seeds'][0]}-{runs['seeds'][-1]}: lowest at epoch "
            f"{', '.join(str(r[0]) for r in mine)}; more than {margin} above that lowest from epoch "
            f"{', '.join(str(r[1]) for r in mine)} on; at the end {ends} above it"
        )
    return lines


def overfitting_seed_lines(runs: dict, window: int = 5) -> tuple[dict[str, list], str]:
    """Section 3c's over-fitting runs seed by seed (seeds 0-2): the ViT's ``window``-epoch mean validation loss
    ("means"), its lowest epoch ("lowest", the window's last, from 1), the end minus that lowest ("rises"), the first
    epoch with every training digit right ("full"), and the training minus validation accuracy at the end in points
    for the ViT ("end_gap") and CNN-8 ("cnn_gap"). Returns ``(those lists by name, three printable lines)``."""
    vit_runs, cnn_runs = runs["curves"]["ViT"], runs["curves"]["SmallCNN width 8"]
    means = [windowed(run["val_loss"], window) for run in vit_runs]
    found = {
        "means": means,
        "lowest": [min(range(len(m)), key=m.__getitem__) + window for m in means],
        "rises": [m[-1] - min(m) for m in means],
        "full": [run["train_accuracy"].index(1.0) + 1 for run in vit_runs],
        "end_gap": [100 * (run["train_accuracy"][-1] - run["val_accuracy"][-1]) for run in vit_runs],
        "cnn_gap": [100 * (run["train_accuracy"][-1] - run["val_accuracy"][-1]) for run in cnn_runs],
    }

    def joined(key: str, form: str = "") -> str:
        return ", ".join(f"{value:{form}}" for value in found[key])

    text = (
        f"ViT, seeds 0-2: {window}-epoch mean lowest at epoch {joined('lowest')}; "
        f"the end {joined('rises', '.2f')} above it\n"
        f"ViT, seeds 0-2: training accuracy 100 % from epoch {joined('full')}\n"
        f"training minus validation accuracy at the end, seeds 0-2: ViT {joined('end_gap', '.1f')} points; "
        f"CNN-8 {joined('cnn_gap', '.1f')} points"
    )
    return found, text


def end_rise(run: Mapping[str, Sequence[float]], window: int = 5) -> float:
    """How far the ``window``-epoch mean validation loss of one stored run ends above its lowest value."""
    curve = windowed(run["val_loss"], window)
    return curve[-1] - min(curve)


def regulariser_changes(regularised: dict, base_runs: Sequence[Mapping], window: int = 5) -> tuple[dict, str]:
    """Lesson 06's regulariser ablation (``stored_runs()["regularisers"]``) against ``base_runs`` (the over-fitting
    ViT runs, same seeds): ``({arm: (paired change of the end rise, paired change of the last validation
    accuracy)}, text)``, each :func:`evidence.paired_seeds` arm - base; the text is one line per arm."""
    from .evidence import paired_seeds

    def rises(runs) -> str:
        return ", ".join(f"{end_rise(run, window):.2f}" for run in runs)

    changes, lines = {}, [f"{'neither (above)':16} rise at the end {rises(base_runs)}"]
    for arm, arm_runs in regularised["curves"].items():
        rise_d = paired_seeds([end_rise(r, window) for r in arm_runs], [end_rise(r, window) for r in base_runs])
        acc_d = paired_seeds([r["val_accuracy"][-1] for r in arm_runs], [r["val_accuracy"][-1] for r in base_runs])
        changes[arm] = (rise_d, acc_d)
        rt, at = rise_d.t_interval(), acc_d.t_interval()
        lines.append(
            f"{arm:16} rise at the end {rises(arm_runs)}; change {rise_d.difference.mean:+.2f}, 95 % "
            f"[{rt.low:+.2f}, {rt.high:+.2f}]; validation accuracy change {100 * acc_d.difference.mean:+.1f} points, "
            f"95 % [{100 * at.low:+.1f}, {100 * at.high:+.1f}]"
        )
    return changes, "\n".join(lines)


def stopping_gaps(runs: dict, lowest: Mapping[tuple[str, int], int]) -> tuple[dict, dict, str]:
    """Lesson 06's over-fitting runs at the lowest-loss epoch (``lowest``: ``(model, seed) -> epoch``, from
    :func:`overfitting_summary`) and at the end: ``(gap, stop_cost, text)``. ``gap[model, seed]``: train minus
    validation accuracy there and at the end (points); ``stop_cost[short]``: the end minus the lowest-loss epoch's
    validation accuracy, paired over each model's seeds (two architectures are not pooled)."""
    from .evidence import paired_seeds

    every = [
        (name, seed, run)
        for name, seed_runs in runs["curves"].items()
        for seed, run in zip(runs["seeds"], seed_runs, strict=True)
    ]
    gap = {
        (name, seed): [100 * (run["train_accuracy"][e] - run["val_accuracy"][e]) for e in (lowest[name, seed] - 1, -1)]
        for name, seed, run in every
    }
    lines = [
        "train minus validation accuracy, lowest-loss epoch -> end (points; ViT seeds 0-2, then CNN-8): "
        + ", ".join(f"{a:.1f} -> {b:.1f}" for a, b in gap.values())
    ]
    stop_cost = {}
    for name in runs["curves"]:
        short = "CNN-8" if "CNN" in name else name
        mine = [run for model, _, run in every if model == name]
        at_lowest = [run["val_accuracy"][lowest[name, seed] - 1] for seed, run in zip(runs["seeds"], mine, strict=True)]
        s = stop_cost[short] = paired_seeds([run["val_accuracy"][-1] for run in mine], at_lowest)
        t = s.t_interval()
        lines.append(
            f"{short}, end minus lowest-loss epoch: mean {100 * s.difference.mean:+.1f} points, "
            f"95 % t-interval [{100 * t.low:+.1f}, {100 * t.high:+.1f}] ({len(mine)} seeds)"
        )
    return gap, stop_cost, "\n".join(lines)


def overfitting_epochs(
    runs: dict, rise: Mapping, flat_from: int = 100, model: str = "ViT"
) -> tuple[list, list, float, str]:
    """Lesson 06's over-fitting runs of ``model``, epoch by epoch: ``(trained, means, late, text)``: per seed the
    first epoch with training loss below 0.01, the 5-epoch mean validation loss (:func:`windowed`), and the
    largest move of any seed's mean from epoch ``flat_from`` to the end; ``rise``: :func:`overfitting_rises`."""
    model_runs, seeds = runs["curves"][model], runs["seeds"]
    trained = [next(e for e, v in enumerate(run["train_loss"], 1) if v < 0.01) for run in model_runs]
    means = [windowed(run["val_loss"], 5) for run in model_runs]
    late = max(max(m[flat_from - 5 :]) - min(m[flat_from - 5 :]) for m in means)
    text = (
        f"{model}, seeds {seeds[0]}-{seeds[-1]}: lowest at epoch {', '.join(str(rise[model, s][0]) for s in seeds)}; "
        f"0.05 above it for good from epoch {', '.join(str(rise[model, s][1]) for s in seeds)}; "
        f"training accuracy 100 % from epoch {', '.join(str(r['train_accuracy'].index(1.0) + 1) for r in model_runs)}; "
        f"training loss below 0.01 from epoch {', '.join(map(str, trained))}\n"
        f"from epoch {flat_from} to {runs['epochs']} each seed's 5-epoch mean validation loss moves by at most "
        f"{late:.2f} (the figure stops at {flat_from})"
    )
    return trained, means, late, text


def confidence_split(
    runs: dict, lowest: Mapping[tuple[str, int], int], n_val: int, model: str = "ViT"
) -> tuple[dict, str]:
    """Lesson 06's over-fitting runs of ``model``, their validation digits split by the last epoch's outcome:
    ``({seed: (lowest epoch, digits wrong at the end, their mean cross-entropy there and at the end, the right
    ones' likewise)}, text)``. ``lowest``: ``(model, seed) -> epoch`` (:func:`overfitting_summary`)."""
    split, lines = {}, []
    for seed, run in zip(runs["seeds"], runs["curves"][model], strict=True):
        best = lowest[model, seed]
        wrong, right, n_wrong = run["nll_wrong_at_end"], run["nll_right_at_end"], run["digits_wrong_at_end"]
        split[seed] = (best, n_wrong, wrong[best - 1], wrong[-1], right[best - 1], right[-1])
        lines.append(
            f"{model} seed {seed}: lowest epoch {best}; mean cross-entropy there -> at the end: "
            f"the {n_wrong} digits wrong at the end {wrong[best - 1]:.2f} -> {wrong[-1]:.2f}, "
            f"the {n_val - n_wrong} right at the end {right[best - 1]:.2f} -> {right[-1]:.2f}"
        )
    return split, "\n".join(lines)


def gradient_ratio_report(
    ratios: Mapping[str, Mapping[str, float]], quiet: Mapping[str, float], seeds: Sequence[int] = range(5)
) -> tuple[dict, dict, str]:
    """Section 4's check 4 in words: seed 0's step-0 ratios fixed model / bug (``ratios``; ``quiet``: the MLP
    without activation, printed the other way up, bug / fixed model, as the lesson's figure draws it), then
    the same on ``seeds`` (step 0 only: one forward and one backward per seed).
    Returns ``(seed_norms, seed_ratios, text)``: ``seed_norms[bug]`` one :func:`gradient_norms` dict per seed
    (``"none"`` too), ``seed_ratios[bug]`` its :func:`norm_ratio_ranges`."""
    lines = [
        f"fixed model / {bug} (seed 0): {', '.join(f'{k} {v:.0f}x' for k, v in ratio.items())}"
        for bug, ratio in ratios.items()
    ]
    lines.append(
        f"no activation in the MLP / fixed model (seed 0): {', '.join(f'{k} {1 / v:.1f}x' for k, v in quiet.items())}"
    )
    seed_norms = {
        bug: [run(bug, steps=150, lr=1e-2, seed=seed, stop_after=1).gradient_norms for seed in seeds]
        for bug in ("none", *ratios)
    }
    seed_ratios = {bug: norm_ratio_ranges(seed_norms["none"], seed_norms[bug]) for bug in ratios}
    label = f"seeds {seeds[0]}-{seeds[-1]}"
    for bug, (low, high, norm_low, norm_high) in seed_ratios.items():
        lines.append(
            f"{label}, fixed model / {bug}: other parts {low:.0f}-{high:.0f}x smaller, "
            f"LayerNorm γ, β {norm_low:.0f}-{norm_high:.0f}x"
        )
    return seed_norms, seed_ratios, "\n".join(lines)


def plateau(losses: Sequence[float], window: int = 5, below: float = 0.3) -> int:
    """The first step (counted from 0) at which the mean of the last ``window`` losses is ``below`` under
    ln 10 (:data:`CHANCE_LOSS`); ``ValueError`` if the run never leaves."""
    for step in range(window - 1, len(losses)):
        if sum(losses[step + 1 - window : step + 1]) / window < CHANCE_LOSS - below:
            return step
    raise ValueError(f"the {window}-step mean loss never falls {below} below ln 10")


def clinic_summary(runs: Mapping[str, ClinicRun], last: int = 20) -> str:
    """One line per clinic run: its loss at step 0, the mean of its last ``last`` losses, its validation accuracy."""
    return "\n".join(
        f"{bug:40} loss at step 0 {r.losses[0]:.2f}, at the end {sum(r.losses[-last:]) / last:.2f}, "
        f"validation {r.val_accuracy:.0%}"
        for bug, r in runs.items()
    )


#: Lesson 06's broken starts for :func:`step_0_losses`: ``name: (head scale, pixel scale, pooling, last norm kept)``.
START_CASES: dict[str, tuple[float, float, str, bool]] = {
    "fixed model": (1, 1, "cls", True),
    "head weights x10": (10, 1, "cls", True),
    "pixels x255": (1, 255, "cls", True),
    "pixels x255, no last norm": (1, 255, "cls", False),
    "pixels x255, mean pooling": (1, 255, "mean", True),
    "pixels x255, mean pooling, no last norm": (1, 255, "mean", False),
}


def step_0_losses(
    cases: Mapping[str, tuple[float, float, str, bool]], images: torch.Tensor, labels: torch.Tensor, seed: int = 0
) -> dict[str, tuple[float, float]]:
    """The fixed ``BlogViT`` at initialisation (seed ``seed``), broken per case: ``cases[name] = (head scale,
    pixel scale, pooling, last LayerNorm kept)``. Returns ``{name: (loss at step 0, sigma^2)}``, sigma^2 the
    variance of each image's logits around their mean, averaged over ``images``. Forward passes only."""
    start = {}
    for name, (head_scale, pixel_scale, pool, last_norm) in cases.items():
        torch.manual_seed(seed)
        model = BlogViT("none", pool=pool)
        if not last_norm:
            model.norm = nn.Identity()  # the ablation: the last LayerNorm alone removed
        with torch.no_grad():
            model.head.weight.mul_(head_scale)
            logits = model(images * pixel_scale)
        start[name] = (F.cross_entropy(logits, labels).item(), logits.var(dim=1, unbiased=False).mean().item())
    return start


@dataclass
class InputScale:
    """What :func:`input_scale_table` measured."""

    text: str
    largest: dict[int, float]  # pixel scale -> the largest input value the model sees
    end: dict[str, list[float]]  # "x1" / "x255" -> each seed's mean loss over the last steps
    val: dict[str, list[float]]  # "x1" / "x255" -> each seed's validation accuracy
    cost: list[float]  # validation accuracy lost to the scale, seed by seed, points
    ranges: list[str]  # the first lines of ``text``: the input's range on pixels x1 and x255


def input_scale_table(images: torch.Tensor, scale_runs: dict, last: int = 20) -> InputScale:
    """The cheapest check (the input just before the model, on pixels x1 and x255) and what the wrong scale
    costs over the stored ``input_scale`` runs (``runs["x1"]``, ``runs["x255"]``: one run per seed)."""
    seen = {scale: images * scale for scale in (1, 255)}
    lines = [  # one line per scale (brief fix06_38a item g)
        f"the input just before the model, pixels x{k}: {v.min():.0f} to {v.max():.0f}, "
        f"mean {v.mean():.2f}, std {v.std():.2f}"
        for k, v in seen.items()
    ]
    end = {key: [sum(r["losses"][-last:]) / last for r in rs] for key, rs in scale_runs["runs"].items()}
    val = {key: [r["val_accuracy"] for r in rs] for key, rs in scale_runs["runs"].items()}
    for key, label in (("x1", "pixels x1 (fixed)"), ("x255", "pixels x255")):
        lines.append(
            f"{label:18} {scale_runs['steps']} steps, seeds 0-2: loss at the end "
            f"{min(end[key]):.2f}-{max(end[key]):.2f}, validation {min(val[key]):.0%}-{max(val[key]):.0%}"
        )
    cost = [100 * (a - b) for a, b in zip(val["x1"], val["x255"], strict=True)]
    lines.append(f"validation accuracy lost to the scale, seed by seed: {', '.join(f'{d:.0f}' for d in cost)} points")
    largest = {k: v.max().item() for k, v in seen.items()}
    return InputScale("\n".join(lines), largest, end, val, cost, lines[: len(seen)])


def reading_verdict(low: float, high: float, corrected: tuple[float, float] | None = None) -> str:
    """Section 5's word for one reading of ``a - b`` (any unit): "ahead" (or "behind") when the ``corrected``
    interval ``(low, high)`` excludes 0, "leans" when only the 95 % interval ``low..high`` does, "no detectable
    difference" when that holds 0. A reading without a corrected interval (3 seeds) can only lean."""

    def excludes_0(a: float, b: float) -> bool:
        return a > 0 or b < 0

    if corrected is not None and excludes_0(*corrected):
        return "ahead" if corrected[0] > 0 else "behind"
    return "leans" if excludes_0(low, high) else "no detectable difference"


@dataclass
class Reading:
    """One row of :func:`comparison_readings`, in points."""

    comparison: str
    held_equal: str
    noise: str
    mean: float
    interval: tuple[float, float]  # 95 %
    corrected: tuple[float, float] | None  # at the corrected level (None: no corrected interval)
    verdict: str


@dataclass
class ComparisonReadings:
    """What :func:`comparison_readings` read: the table's text and its rows."""

    text: str
    rows: list[Reading]


def comparison_readings(runs: dict, corrected: float) -> ComparisonReadings:
    """Section 5's readings of "is a CNN ahead of the ViT?" from the stored runs of ``benchmarks/bench_lesson06.py``
    (``runs = stored_runs()``): CNN-8 - ViT over the seeds at 400 steps, the same over seeds *and* the 360 test
    digits (:func:`seeds_and_digits_interval`), CNN-32 - ViT likewise, CNN-8 - ViT at equal CPU seconds and at the
    ``digits`` preset's 1,860 steps (3 seeds). Each row: what is held equal, which noise its interval holds, the
    mean difference, its 95 % interval, its ``corrected`` one (section 5's family level, e.g. 1 - 0.05/16) and
    :func:`reading_verdict`'s word."""
    import numpy as np

    from .evidence import paired_seeds

    compare, cnn8, cnn32, vit = runs["compare"], "SmallCNN width 8", "SmallCNN width 32", "ViT"
    steps, seconds, long = compare["equal_steps"], compare["equal_seconds"], runs["augment_long"]
    right = {
        name: np.array([[c == "1" for c in run] for run in steps["test_correct"][name]]) for name in (cnn8, cnn32, vit)
    }
    seeds = len(steps["test"][vit])
    rows: list[Reading] = []

    def over_seeds(label: str, held: str, a, b) -> None:
        s = paired_seeds(a, b)
        t, tc = s.t_interval(), s.t_interval(corrected)
        pair, widened = (100 * t.low, 100 * t.high), (100 * tc.low, 100 * tc.high)
        noise = f"{len(a)} seeds"
        rows.append(
            Reading(label, held, noise, 100 * s.difference.mean, pair, widened, reading_verdict(*pair, widened))
        )

    def over_seeds_and_digits(label: str, a: str) -> None:
        mean, low, high = seeds_and_digits_interval(right[a], right[vit])
        _, low_c, high_c = seeds_and_digits_interval(right[a], right[vit], corrected)
        pair, widened = (100 * low, 100 * high), (100 * low_c, 100 * high_c)
        noise = f"{seeds} seeds + {right[vit].shape[1]} digits"
        rows.append(Reading(label, "400 steps", noise, 100 * mean, pair, widened, reading_verdict(*pair, widened)))

    over_seeds("CNN-8 - ViT", "400 steps", steps["test"][cnn8], steps["test"][vit])
    over_seeds_and_digits("CNN-8 - ViT", cnn8)
    over_seeds_and_digits("CNN-32 - ViT", cnn32)
    held = f"CPU seconds ({seconds['steps'][cnn8]} : {seconds['steps'][vit]} steps)"
    over_seeds("CNN-8 - ViT", held, seconds["test"][cnn8], seconds["test"][vit])
    over_seeds("CNN-8 - ViT", f"{long['steps']:,} steps", long["test"]["off"][cnn8], long["test"]["off"][vit])

    return ComparisonReadings(_readings_table(rows, corrected), rows)


def level_label(corrected: float) -> str:
    """A corrected level as a column header, to two decimals without trailing zeros: 0.9975 gives
    ``"99.75 % (corrected)"``, 0.99 gives ``"99 % (corrected)"``."""
    return f"{100 * corrected:.2f}".rstrip("0").rstrip(".") + " % (corrected)"


def _readings_table(rows: list[Reading], corrected: float) -> str:
    """The text table of :func:`comparison_readings`' rows (points, 95 % and corrected intervals, verdict)."""

    def interval(pair: tuple[float, float] | None) -> str:
        return "-" if pair is None else f"[{pair[0]:+.1f}, {pair[1]:+.1f}]"

    level = level_label(corrected)
    header = ("a - b", "held equal", "noise in the interval", "points", "95 % interval", level, "verdict")
    cells = [
        (r.comparison, r.held_equal, r.noise, f"{r.mean:+.1f}", interval(r.interval), interval(r.corrected), r.verdict)
        for r in rows
    ]
    return text_table(header, cells)


def lr_line(lr_runs: dict, names: Mapping[str, str]) -> str:
    """One line from the stored ``lr`` runs: for each model of ``names`` (stored name -> short name), its
    validation accuracy (%) at each learning rate of the grid, the mean and the range over the seeds."""
    import numpy as np

    rates = " / ".join(f"{lr:g}" for lr in lr_runs["lrs"])
    parts = []
    for name, short in names.items():
        cells = []
        for lr in lr_runs["lrs"]:
            values = 100 * np.asarray(lr_runs["val"][str(lr)][name], dtype=float)
            cells.append(f"{values.mean():.1f} ({values.min():.1f}..{values.max():.1f})")
        parts.append(f"{short} " + " / ".join(cells))
    seeds = lr_runs["seeds"]
    return (
        f"lr {rates}, {lr_runs['steps']} steps, validation accuracy % (mean, range over seeds {seeds[0]}-{seeds[-1]}): "
        + "; ".join(parts)
    )


def augmentation_comparisons(runs: dict) -> dict:
    """Section 5's augmentation rows from the stored runs (``runs``: :func:`stored_runs`), each
    ``label: paired_seeds(a, b)`` over seeds: each model with - without augmentation at 400 steps (seeds 0-9),
    the change in CNN-8's lead, the same two at 1,860 steps (seeds 0-2) and the ViT's cost at 1,860 minus at
    400 steps (seeds 0-2). :func:`readings_table` prints them."""
    import numpy as np

    from .evidence import paired_seeds

    test, augmented, long_runs = runs["compare"]["equal_steps"]["test"], runs["augment"]["test"], runs["augment_long"]
    cnn, on, off = "SmallCNN width 8", long_runs["test"]["on"], long_runs["test"]["off"]
    lead = {key: np.subtract(of[cnn], of["ViT"]) for key, of in (("without", test), ("with", augmented))}
    early = [runs["augment"]["seeds"].index(seed) for seed in long_runs["seeds"]]  # the 400-step runs of seeds 0-2
    cost = {400: np.subtract(augmented["ViT"], test["ViT"])[early], 1860: np.subtract(on["ViT"], off["ViT"])}
    return {
        "ViT: with - without": paired_seeds(augmented["ViT"], test["ViT"]),
        "CNN-8: with - without": paired_seeds(augmented[cnn], test[cnn]),
        "the lead's change (with - without)": paired_seeds(lead["with"], lead["without"]),
        "ViT: with - without, 1,860 steps": paired_seeds(on["ViT"], off["ViT"]),
        "CNN-8: with - without, 1,860 steps": paired_seeds(on[cnn], off[cnn]),
        "ViT's cost: 1,860 minus 400 steps": paired_seeds(cost[1860], cost[400]),
    }


def best_rates(lr_runs: dict, names: Mapping[str, str]) -> dict[str, float]:
    """For each model of ``names`` (stored name -> short name): the rate of the stored ``lr`` grid with the
    highest mean validation accuracy over the seeds, keyed by the short name."""
    return {
        short: max(lr_runs["lrs"], key=lambda lr, name=name: sum(lr_runs["val"][str(lr)][name]))
        for name, short in names.items()
    }


def training_benchmark(path) -> dict:
    """Lesson 06's reading of the package's benchmark (``benchmarks/results/training.md``, in the repository, not in
    a pip install): ``{"table": its lines, "rows": {(dataset, model): the row's cells}, "runs": per run of its
    "All runs" table the (ViT, SmallCNN) test accuracies on digits and on MNIST, "text": the printed lines}``.
    An absent file gives empty parts."""
    import re
    from pathlib import Path

    path = Path(path)
    table = path.read_text().splitlines() if path.exists() else []
    rows = {
        (row.split("|")[1].strip(), row.split("|")[2].strip()): row.split("|")
        for row in table
        if row.startswith(("| digits | ", "| mnist | "))
    }
    lines = []
    for dataset, label in (("digits", "8x8 digits, 30 s"), ("mnist", "MNIST 28x28, 60 s")):
        if (dataset, "ViT") in rows:  # test accuracy mean (range) over 3 seeds, and the mean steps reached
            steps = {m: int(re.search(r"\((\d+) steps", rows[dataset, m][3]).group(1)) for m in ("ViT", "SmallCNN")}
            lines.append(
                f"benchmark, {label}, 3 seeds: "
                + "; ".join(f"{m} {rows[dataset, m][4].strip()}, {steps[m]:,} steps" for m in ("ViT", "SmallCNN"))
            )
    runs = [
        re.findall(r"(\d+\.\d) % / (\d+\.\d) %", row) for row in table if row.lstrip("| *").startswith("2026-11-30")
    ]
    for k, label in enumerate(("digits", "MNIST")):
        if runs:
            lines.append(
                f"benchmark, its four runs, ViT / SmallCNN on {label}: "
                + ", ".join(f"{run[k][0]} / {run[k][1]}" for run in runs)
            )
    return {"table": table, "rows": rows, "runs": runs, "text": "\n".join(lines)}


def position_similarity_split(similarity) -> dict[str, dict[int, float]]:
    """Lesson 06's split of the position cosines by grid distance (``positional.patch_position_similarity``,
    ``(rows, cols, rows, cols)``): ``{"interior": {steps: mean}, "border": {steps: mean}}``, the means over every
    ordered pair of two interior patches (not on the grid's edge), or of two border patches, at that many
    whole-patch steps ``|r - r'| + |c - c'|``; distances without such a pair are left out."""
    import torch

    rows, cols = similarity.shape[:2]
    r, c = torch.meshgrid(torch.arange(rows), torch.arange(cols), indexing="ij")
    r, c = r.flatten(), c.flatten()
    steps = (r[:, None] - r[None, :]).abs() + (c[:, None] - c[None, :]).abs()
    inside = (r > 0) & (r < rows - 1) & (c > 0) & (c < cols - 1)
    flat = similarity.reshape(rows * cols, rows * cols)
    out = {}
    for name, keep in (("interior", inside), ("border", ~inside)):
        pair = keep[:, None] & keep[None, :]
        out[name] = {
            k: flat[(steps == k) & pair].mean().item()
            for k in range(1, rows + cols - 1)
            if bool(((steps == k) & pair).any())
        }
    return out


# --- lesson 06's computing cells, one call each (review r30c minor 9) -------------------------------------------


@dataclass
class InputCheck:
    """What :func:`input_check` measured: section 4's check 1 (the input just before the model)."""

    text: str
    runs_text: str  # ``text`` without the input's range lines: the step-0 losses and the stored seed runs
    start: dict[str, tuple[float, float]]  # :func:`step_0_losses` of the fixed model and of pixels x255, seed 0
    scale: InputScale  # the input's range and the stored x1 / x255 runs
    paired: object  # evidence.paired_seeds(x1, x255), validation accuracy seed by seed


def input_check(images: torch.Tensor, labels: torch.Tensor, scale_runs: dict, last: int = 20) -> InputCheck:
    """Check 1 as lesson 06 prints it: the step-0 loss of the fixed model and of pixels x255 on one batch
    (``images``, ``labels``: clinic.run's first batch), :func:`input_scale_table` over the stored ``input_scale``
    runs (seed-by-seed costs, no interval: section 4 comes before the verdict words); ``paired`` keeps x1 - x255 by
    seed for :func:`input_scale_verdict` (appendix H)."""
    from .evidence import paired_seeds

    cases = {name: START_CASES[name] for name in ("fixed model", "pixels x255")}
    start = step_0_losses(cases, images, labels)
    scale = input_scale_table(images, scale_runs, last)
    paired = paired_seeds(scale.val["x1"], scale.val["x255"])
    lines = [f"{name:12} loss at step 0 {loss0:.2f} (seed 0)" for name, (loss0, _) in start.items()]
    runs = scale.text.splitlines()[len(scale.ranges) :]  # scale.text after its range lines
    return InputCheck("\n".join([*lines, scale.text]), "\n".join([*lines, *runs]), start, scale, paired)


def input_scale_verdict(paired) -> str:
    """The paired 95 % t-interval of x1 - x255 (validation accuracy; 3 seeds: exploratory), as appendix H prints it."""
    t = paired.t_interval()
    word = "x255 leans worse" if t.low > 0 else "no detectable difference"
    return (
        f"x1 - x255, validation: {100 * paired.difference.mean:+.1f} points, 95 % [{100 * t.low:+.1f}, "
        f"{100 * t.high:+.1f}]: {word} (3 seeds: exploratory)"
    )


@dataclass
class GradientCheck:
    """What :func:`gradient_check` measured: section 4's check 4 (gradient norms per part at step 0)."""

    text: str
    norms: dict[str, dict[str, float]]  # bug -> part -> gradient norm, step 0 of each stored run (seed 0)
    ratios: dict[str, dict[str, float]]  # the two LayerNorm bugs: fixed model / bug, per part (seed 0)
    quiet_ratio: dict[str, float]  # no MLP activation: fixed model / bug, per part (seed 0)
    drawn: dict[str, dict[str, float]]  # bug / fixed model, per part, as the lesson's figure draws them
    seed_ratios: dict[str, tuple]  # the two LayerNorm bugs over ``seeds``: :func:`norm_ratio_ranges`
    batch_first_default: bool  # torch.nn.MultiheadAttention's default


def below_one(drawn: Mapping[str, float]) -> str:
    """The clause naming the part whose ratio ``drawn`` (part -> bug / fixed model) is lowest, only if it is below 1."""
    lowest = min(drawn, key=drawn.get)
    return f" (the {lowest}'s below 1x)" if drawn[lowest] < 1 else ""


def gradient_check(runs: Mapping[str, ClinicRun], seeds: Sequence[int] = range(5)) -> GradientCheck:
    """Check 4 as lesson 06 prints it: seed 0's step-0 norms of the stored clinic ``runs`` (``batch_first``'s exact
    0, SGD's equal norms, the missing activation's ratio range), then :func:`gradient_ratio_report` over ``seeds``
    for the two LayerNorm bugs (one forward and one backward per seed)."""
    import inspect

    norms = {bug: r.gradient_norms for bug, r in runs.items()}
    fixed = norms["none"]
    no_activation, batch_first, slow_sgd = BUGS[2], BUGS[5], BUGS[6]
    ratios = {bug: {part: fixed[part] / norms[bug][part] for part in fixed} for bug in (BUGS[3], BUGS[4])}
    quiet = {part: fixed[part] / norms[no_activation][part] for part in fixed}
    drawn = {bug: {part: 1 / r for part, r in ratio.items()} for bug, ratio in {**ratios, no_activation: quiet}.items()}
    default = inspect.signature(nn.MultiheadAttention).parameters["batch_first"].default
    quiet_drawn = drawn[no_activation].values()
    sgd = "equal the fixed model's exactly" if norms[slow_sgd] == fixed else "differ from the fixed model's"
    lines = [  # seed 0, one fact per line (brief fix06_38a item g)
        f"seed 0, step 0: batch_first (default {default}, torch {torch.__version__.split('+')[0]}): embed gradient "
        f"{norms[batch_first]['embed']:g}",
        f"seed 0, step 0: SGD's norms {sgd}",
        f"seed 0, step 0: no MLP activation: {min(quiet_drawn):.2f}-{max(quiet_drawn):.1f}x the fixed model's"
        f"{below_one(drawn[no_activation])}",
    ]
    _, seed_ratios, report = gradient_ratio_report(ratios, quiet, seeds=seeds)
    text = "\n".join([*lines, *report.splitlines()[-2:]])
    return GradientCheck(text, norms, ratios, quiet, drawn, seed_ratios, default)


#: Lesson 06's names for the arms of the one-batch runs (``RUNS["overfit"]["last_loss"]``), as its figure shows them.
ONE_BATCH_NAMES = {
    "SGD at lr 0.01": "SGD at Adam's learning rate (0.01)",
    "SGD at lr 0.1": "SGD at 10x that (0.1)",
    "SGD at lr 0.01, 400 steps": "SGD at Adam's rate (0.01), 400 steps",
    "SGD at lr 0.1, 400 steps": "SGD at 10x that (0.1), 400 steps",
    "none": "none (the fixed model)",
    f"{LAYER_NORM_NO_CENTRING} at lr 0.1, 400 steps": "that LayerNorm at 10x (0.1), 400 steps",
    "none at lr 0.1, 400 steps": "the fixed model at 10x (0.1), 400 steps",  # the rule's positive control
    f"{LAYER_NORM_NO_CENTRING} at lr 0.01, 400 steps": "that LayerNorm at its 0.01, 400 steps",
}


def one_batch_report(one_batch: dict, long_arms: bool = False) -> tuple[str, dict[str, list[float]], list[float]]:
    """Check 6 as lesson 06 prints it: the last loss per seed of each 100-step arm of the stored one-batch runs
    (with ``long_arms``, the 400-step arms instead), named by :data:`ONE_BATCH_NAMES`. Returns ``(text, dots,
    entropy)``: ``dots`` every arm's losses by display name (the figure), ``entropy`` each batch's label entropy."""
    entropy = list(one_batch["label_entropy"].values())
    last = one_batch["last_loss"]
    lines = (
        []
        if long_arms
        else [  # one fact per line (brief fix06_38a item g)
            f"each seed's batch, the entropy of its label shares: {', '.join(f'{e:.2f}' for e in entropy)}",
            f"one batch of 64, {one_batch['steps']} steps, last loss per seed:",
        ]
    )
    for name, losses in last.items():
        if ("400 steps" in name) == long_arms:
            lines.append(f"  {ONE_BATCH_NAMES.get(name, name):40} " + ", ".join(f"{loss:.2f}" for loss in losses))
    if not long_arms:
        long = sum("400 steps" in name for name in last)
        word = {4: "four", 5: "five", 6: "six"}.get(long, str(long))
        lines.append(f"the {word} 400-step arms: right of the line in the figure below")
    dots = {ONE_BATCH_NAMES.get(name, name): losses for name, losses in last.items()}
    return "\n".join(lines), dots, entropy


#: Section 5's display names (CNN-8: SmallCNN(width=8): three 3x3 convs, two max-pools, average pooling, a Linear).
SHORT_NAMES = {
    "ViT": "ViT",
    "ViT, soft split": "soft split",
    "ViT, conv stem": "conv stem",
    "SmallCNN width 8": "CNN-8",
    "SmallCNN width 32": "CNN-32",
}
#: Section 5's models in a few words (printed beside their parameter counts; tests/test_lesson06_clinic.py checks them).
DESCRIPTIONS = {
    "ViT": "QUICK: 1 block, D = 32, 2x2 patches",
    "ViT, soft split": "the ViT, overlapping 4x4 patches, stride 2",
    "ViT, conv stem": "the ViT after one 3x3 conv, 8 channels",
    "SmallCNN width 8": "3 conv stages, 8, 16, 32 channels",
    "SmallCNN width 32": "3 conv stages, 32, 64, 128 channels",
}
#: Section 5's six pairs at the shared lr 1e-2, each ``(a, b)`` read as a - b.
SECTION_5_PAIRS = (
    ("ViT, soft split", "ViT"),
    ("ViT, conv stem", "ViT"),
    ("SmallCNN width 8", "ViT"),
    ("SmallCNN width 8", "ViT, soft split"),
    ("SmallCNN width 8", "ViT, conv stem"),
    ("SmallCNN width 32", "ViT"),
)
#: Section 5's comparisons, one family (appendix D lists them); each corrected interval at 1 - 0.05/20 (Bonferroni).
SECTION_5_FAMILY = 20


@dataclass
class Section5:
    """What :func:`section_5` reads from the stored runs: the paired table and figure of lesson 06's section 5."""

    test: dict[str, list[float]]  # model -> test accuracy per seed (0-9), 400 steps at lr 1e-2
    own_cnn: list[float]  # CNN-8 at its validation-chosen rate 3e-2, per seed
    headline: object  # evidence.paired_seeds(CNN-8 at 3e-2, ViT at 1e-2)
    head: str  # the headline's label
    corrected: float  # 1 - 0.05 / SECTION_5_FAMILY
    rows: list[tuple[str, ...]]  # :func:`paired_table`'s text rows, the headline on top
    drawn: dict[str, tuple]  # the same numbers by label, as plot_paired_differences takes them
    seed_points: dict[str, list[float]]  # label -> a - b per seed, in points (the figure's circles)
    per_seed: dict[str, object] = field(default_factory=dict)  # label -> evidence.paired_seeds behind each row


def section_5(runs: dict) -> Section5:
    """Lesson 06's section 5 from the stored runs (``runs``: :func:`stored_runs`): the ten-seed test accuracies at
    400 steps, CNN-8 at its own rate against the ViT on top, then :data:`SECTION_5_PAIRS`, each with its 95 % and
    family-corrected t-intervals and :func:`verdict_word`."""
    from .evidence import paired_seeds

    test = runs["compare"]["equal_steps"]["test"]
    own_cnn = runs["own_rate"]["test"]["SmallCNN width 8"]
    headline = paired_seeds(own_cnn, test["ViT"])
    head = "CNN-8 (lr 3e-2) - ViT (1e-2)"
    corrected = 1 - 0.05 / SECTION_5_FAMILY
    rows, drawn = paired_table(test, SECTION_5_PAIRS, corrected, SHORT_NAMES, headline=(head, headline))
    pairs = {f"{SHORT_NAMES[a]} - {SHORT_NAMES[b]}": paired_seeds(test[a], test[b]) for a, b in SECTION_5_PAIRS}
    per_seed = {head: headline} | pairs
    points = {label: [100 * d for d in s.difference.values] for label, s in per_seed.items()}
    return Section5(test, own_cnn, headline, head, corrected, rows, drawn, points, per_seed)


def section_5_table(s5: Section5, runs: dict, vit_lr: float) -> str:
    """Lesson 06's section 5 printout under its figure: the plain ViT over seeds, the headline and two pairs (the
    other rows are in the figure and appendix D), then each model's validation-chosen rate and the headline's two
    accuracies (:func:`rate_lines` without its grid)."""
    from .evidence import over_seeds

    shown = (s5.head, "conv stem - ViT", "CNN-32 - ViT")
    header = ("a - b (seeds only)", "points", "95 % interval", level_label(s5.corrected), "verdict")
    best = best_rates(runs["lr"], {name: SHORT_NAMES[name] for name in runs["lr"]["val"]["0.01"]})
    rates = rate_lines(runs["lr"], best, runs["own_rate"], s5.test["ViT"], vit_lr).splitlines()[1:]
    return "\n".join(
        (
            f"400 steps each; the plain ViT: {over_seeds(s5.test['ViT'], percent=True)}",
            text_table(header, [row for row in s5.rows if row[0] in shown]),
            *rates,
        )
    )


class Section5Lines(NamedTuple):
    """:func:`section_5_table`'s lines by what the lesson prints where: ``rates`` above the figure (each model's
    validation-chosen rate, the headline's two accuracies), ``rows`` under the headline computed by hand (the plain
    ViT over seeds and the table without the headline's row)."""

    rates: str
    rows: str


def section_5_lines(s5: Section5, runs: dict, vit_lr: float) -> Section5Lines:
    """:func:`section_5_table`, split into :class:`Section5Lines` (``.rates``, ``.rows``), each ready to print."""
    table = section_5_table(s5, runs, vit_lr).splitlines()
    rates = [line for line in table if line.startswith(("rate chosen", "each at its own rate"))]
    rows = [line for line in table if not line.startswith(s5.head) and line not in rates]
    return Section5Lines("\n".join(rates), "\n".join(rows))


def section_5_family_rows(runs: dict, s5: Section5) -> tuple[object, list, str]:
    """Three more of lesson 06's section 5 comparisons, read in the same family (``s5.corrected``): CNN-8's lead over
    the ViT on 300 training digits minus on all 1,257 (both at lr 1e-2, 400 steps, paired by seed), and
    augmented - plain for the ViT and CNN-8. Returns ``(size_growth, [vit_change, cnn_change], text)``, each an
    :func:`evidence.paired_seeds`, the text one line per comparison with :func:`reading_verdict`."""
    from .evidence import paired_seeds

    size = runs["size"]["test"]
    lead = {n: paired_seeds(size[n]["SmallCNN width 8"], size[n]["ViT"]).difference.values for n in ("300", "1257")}
    size_growth = paired_seeds(lead["300"], lead["1257"])
    aug = [paired_seeds(runs["augment"]["test"][name], s5.test[name]) for name in ("ViT", "SmallCNN width 8")]
    lines = []
    labels = ("lead on 300 digits - on 1,257 (both lr 1e-2)", "ViT, augmented - plain", "CNN-8, augmented - plain")
    for label, s in zip(labels, (size_growth, *aug), strict=True):
        s_95, s_c = s.t_interval(), s.t_interval(s5.corrected)
        lines.append(
            f"{label}: {100 * s.difference.mean:+.1f} points, 95 % [{100 * s_95.low:+.1f}, {100 * s_95.high:+.1f}], "
            f"corrected [{100 * s_c.low:+.1f}, {100 * s_c.high:+.1f}]: "
            f"{reading_verdict(s_95.low, s_95.high, (s_c.low, s_c.high))}"
        )
    return size_growth, aug, "\n".join(lines)


def smoothing_change_line(rise, accuracy) -> str:
    """Lesson 06's section 3 line for label smoothing switched back on in the over-fitting runs: ``rise`` and
    ``accuracy`` are :func:`regulariser_changes`' paired changes (label smoothing - none, over the seeds) of the
    5-epoch mean validation loss's end rise and of the last validation accuracy, each with its 95 % t-interval."""
    r, a = rise.t_interval(), accuracy.t_interval()
    return (
        f"label smoothing - none, seeds 0-{len(rise.difference.values) - 1}: the rise (5-epoch mean, end - lowest) "
        f"{rise.difference.mean:+.2f}, 95 % [{r.low:+.2f}, {r.high:+.2f}]; validation accuracy "
        f"{100 * accuracy.difference.mean:+.1f} points, 95 % [{100 * a.low:+.1f}, {100 * a.high:+.1f}]"
    )

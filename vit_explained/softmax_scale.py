"""Why attention divides its scores by ``sqrt(d)``, measured on random queries and keys (lesson 03).

With features of spread 1, a ``d``-wide dot product ``q . k`` spreads like ``sqrt(d)``, and a softmax
over scores that far apart puts nearly all of a row's weight on one key. :func:`softmax_saturation`
measures that, and the gradient that reaches the scores, ``q`` and ``k``, with and without the scale.
"""

from __future__ import annotations

import copy
import dataclasses
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

from . import _checks
from .evidence import SeedComparison, SeedSummary, over_seeds, paired_seeds
from .training import PRESETS

#: A softmax row is "saturated" when its largest weight is above this (nearly one-hot).
SATURATED = 0.9


def score_gradient(weights: torch.Tensor, upstream: torch.Tensor) -> torch.Tensor:
    """The gradient at a softmax's input (the scores), given its output ``weights`` and the gradient
    ``upstream`` that arrives at the weights: the softmax's vector-Jacobian product, row by row,
    ``weights * (upstream - (upstream * weights).sum(-1, keepdim=True))``. Any shape ``(..., N)``.

    A nearly one-hot row passes almost nothing back: with ``a = (1, 0, ..., 0)`` the product is 0.
    """
    if weights.shape != upstream.shape:
        raise ValueError(
            f"weights and upstream must have the same shape, got {tuple(weights.shape)} and {tuple(upstream.shape)}"
        )
    return weights * (upstream - (upstream * weights).sum(dim=-1, keepdim=True))


def _mean_or_nan(values: torch.Tensor) -> float:
    return values.mean().item() if values.numel() else float("nan")


def softmax_saturation(
    head_dim: int, num_keys: int = 197, samples: int = 8, seed: int = 0
) -> dict[str, dict[str, float]]:
    """``{"unscaled": stats, "scaled": stats}`` over ``samples`` heads of random queries and keys.

    Queries and keys are ``(samples, num_keys, head_dim)`` standard normals; the scores
    ``q k^T * scale`` use ``scale = 1`` or ``1 / sqrt(head_dim)``. Each ``stats`` holds the scores'
    ``"spread"`` (standard deviation), the mean largest weight per row ``"max_weight"``, the share of
    ``"saturated"`` rows (largest weight above :data:`SATURATED`), the mean ``"entropy"`` of a row,
    and the mean norm of the gradient at each query ``"grad_q"`` and key ``"grad_k"`` from one random
    upstream gradient (the same for both settings). That upstream gradient is an assumption: i.i.d.
    standard normal per weight, as if the loss had no preference among a row's keys. For such a ``g``
    a row's squared gradient norm at the scores is on average ``||a||^2 - 2 sum(a^3) + ||a||^4`` (``a``
    the row's weights): about ``||a||^2`` while no weight is large, so it grows as the row sharpens,
    and exactly 0 for a one-hot row. The gradient at the scores themselves (the
    softmax's input, :func:`score_gradient`), one norm per row, is averaged over all rows
    ``"grad_scores"``, the saturated rows ``"grad_scores_saturated"`` and the others
    ``"grad_scores_unsaturated"`` (``nan`` when there are no such rows). The gradients at ``q`` and ``k``
    carry an extra factor ``scale * |k|`` (about ``sqrt(d)`` unscaled): the one at the scores shows
    what the softmax itself passes back.
    """
    head_dim, num_keys = _checks.positive_int("head_dim", head_dim), _checks.positive_int("num_keys", num_keys)
    samples = _checks.positive_int("samples", samples)
    generator = torch.Generator().manual_seed(seed)
    # float64 (drawn as float32, so the same numbers): the printed ratios must not depend on the CPU
    q0, k0 = torch.randn(2, samples, num_keys, head_dim, generator=generator).double()  # (heads, N, d), spread 1
    upstream = torch.randn(samples, num_keys, num_keys, generator=generator).double()  # a random gradient from above
    stats = {}
    for name, scale in [("unscaled", 1.0), ("scaled", head_dim**-0.5)]:
        q, k = q0.clone().requires_grad_(), k0.clone().requires_grad_()
        scores = q @ k.transpose(-2, -1) * scale  # (heads, N, N)
        weights = scores.softmax(dim=-1)
        (weights * upstream).sum().backward()
        top = weights.max(dim=-1).values
        with torch.no_grad():  # per row, the gradient that reaches the softmax's input
            row_grad = score_gradient(weights, upstream).norm(dim=-1)  # (heads, N)
        saturated = top > SATURATED
        stats[name] = {
            "spread": scores.std().item(),
            "max_weight": top.mean().item(),
            "saturated": (top > SATURATED).float().mean().item(),
            "entropy": -(weights * weights.clamp_min(1e-30).log()).sum(dim=-1).mean().item(),
            "grad_q": q.grad.norm(dim=-1).mean().item(),  # per query vector
            "grad_k": k.grad.norm(dim=-1).mean().item(),
            "grad_scores": row_grad.mean().item(),
            "grad_scores_saturated": _mean_or_nan(row_grad[saturated]),
            "grad_scores_unsaturated": _mean_or_nan(row_grad[~saturated]),
        }
    return stats


def layer_score_gradient(
    head_dim: int, num_keys: int = 197, samples: int = 8, seed: int = 0
) -> dict[str, dict[str, float]]:
    """:func:`softmax_saturation`'s gradient, with the upstream gradient drawn at the layer's OUTPUT.

    ``q``, ``k`` and ``v`` are ``(samples, num_keys, head_dim)`` standard normals; ``out = softmax(q k^T * scale) v``
    and the gradient arriving at ``out`` is i.i.d. standard normal ``dO``. The gradient at the weights is then
    ``dO v^T``, a sum over ``head_dim`` features, so it grows like ``sqrt(head_dim)``. Per setting
    (``"unscaled"``, ``"scaled"``) the mean per-row norm of the gradient at the weights ``"grad_weights"``, at
    the scores ``"grad_scores"``, and their ratio ``"share"`` (what the softmax passes back of what it receives).
    """
    head_dim, num_keys = _checks.positive_int("head_dim", head_dim), _checks.positive_int("num_keys", num_keys)
    samples = _checks.positive_int("samples", samples)
    generator = torch.Generator().manual_seed(seed)
    q, k, v, upstream = torch.randn(4, samples, num_keys, head_dim, generator=generator).double()
    stats = {}
    for name, scale in [("unscaled", 1.0), ("scaled", head_dim**-0.5)]:
        weights = (q @ k.transpose(-2, -1) * scale).softmax(dim=-1)
        at_weights = upstream @ v.transpose(-2, -1)  # dL/dweights of out = weights @ v: (samples, N, N)
        grad_weights = at_weights.norm(dim=-1).mean().item()
        grad_scores = score_gradient(weights, at_weights).norm(dim=-1).mean().item()
        stats[name] = {"grad_weights": grad_weights, "grad_scores": grad_scores, "share": grad_scores / grad_weights}
    return stats


def layer_gradient_lines(runs: Mapping[int, Sequence[Mapping[str, Mapping[str, float]]]]) -> str:
    """A table of :func:`layer_score_gradient` runs ``{head_dim: [one dict per seed]}``: per head width and
    setting, the mean over the seeds of the gradient at the weights, at the scores, and their ratio."""
    seeds = len(next(iter(runs.values())))
    lines = [
        f"i.i.d. N(0, 1) gradient at the layer's output; {seeds} seeds; mean per-row norms",
        f"{'d':>5} | {'no scale: at weights':>20} {'at scores':>9} {'share':>6} | "
        f"{'scale: at weights':>17} {'at scores':>9} {'share':>6}",
    ]
    for d, runs_ in runs.items():
        cells = []
        for name, width in (("unscaled", 20), ("scaled", 17)):
            mean = {
                key: sum(r[name][key] for r in runs_) / len(runs_) for key in ("grad_weights", "grad_scores", "share")
            }
            cells.append(f"{mean['grad_weights']:>{width}.2f} {mean['grad_scores']:>9.2f} {mean['share']:>6.3f}")
        lines.append(f"{d:>5} | {cells[0]} | {cells[1]}")
    return "\n".join(lines)


#: How the ``qkv`` weight of a real attention layer is initialised (:func:`init_saturation`):
#: PyTorch's ``nn.Linear`` default (Kaiming-uniform, weight variance ``1 / (3 D)``); timm's default ViT
#: init and Hugging Face's ``ViTModel`` (``trunc_normal_(std=.02)``, zero bias); timm's ``'jax'`` init
#: mode (Xavier-uniform on the fused ``(3D, D)`` qkv weight, zero bias); and the original ViT's Flax
#: code (``nn.MultiHeadDotProductAttention`` with Xavier-uniform: each of q, k, v a ``D -> D``
#: DenseGeneral, so weight variance ``1 / D``; MoCo v3's init does the same), zero bias. And PyTorch's own
#: ``nn.MultiheadAttention(D, h)`` as built (torch 2.13's ``_reset_parameters``: ``xavier_uniform_`` on the fused
#: ``(3D, D)`` ``in_proj_weight``, rows ``(three h d)`` as here; zero ``in_proj_bias``), copied into ``qkv``.
INITS = ("torch default", "trunc_normal(.02)", "xavier, fused qkv", "nn.MultiheadAttention", "xavier, per q/k/v")


def init_saturation(
    init: str, dim: int = 768, heads: int = 12, num_tokens: int = 197, seed: int = 0
) -> dict[str, float]:
    """The scores of a freshly initialised :class:`~vit_explained.Attention` ``(dim, heads)`` on
    ``num_tokens`` LayerNormed random tokens (one image), with ``qkv`` initialised as ``init`` (one of
    :data:`INITS`).

    Returns the spread (standard deviation) of the queries ``"q_spread"``, of the unscaled scores
    ``q . k`` ``"spread"``, and the share of saturated rows (largest weight above :data:`SATURATED`)
    without the scale ``"saturated"`` and with it ``"saturated_scaled"``, over all heads and queries.
    The global random state is left as it was.
    """
    from torch import nn

    from .attention import Attention  # here: importing the package module on first use only

    if init not in INITS:
        raise ValueError(f"init must be one of {INITS}, got {init!r}")
    num_tokens = _checks.positive_int("num_tokens", num_tokens)
    with torch.random.fork_rng(devices=[]), torch.no_grad():
        torch.manual_seed(seed)
        layer = Attention(dim, heads)
        weight, bias = layer.qkv.weight, layer.qkv.bias
        if init == "trunc_normal(.02)":
            nn.init.trunc_normal_(weight, std=0.02)
        elif init == "xavier, fused qkv":
            nn.init.xavier_uniform_(weight)  # fan_in D, fan_out 3 D
        elif init == "xavier, per q/k/v":
            for rows in weight.chunk(3, dim=0):  # fan_in D, fan_out D each
                nn.init.xavier_uniform_(rows)
        elif init == "nn.MultiheadAttention":  # the module's own init, not a copy of it: built, then read
            mha = nn.MultiheadAttention(dim, heads)
            weight.copy_(mha.in_proj_weight)  # q rows, then k, then v, each (h d): the package's (three h d)
            bias.copy_(mha.in_proj_bias)  # zero, as the module sets it
        if init != "torch default":
            nn.init.zeros_(bias)
        tokens = torch.nn.functional.layer_norm(torch.randn(1, num_tokens, dim), (dim,))
        q, k, _ = layer.project_qkv(tokens)  # (1, h, N, d) each
        scores = q @ k.transpose(-2, -1)  # unscaled
        top = scores.softmax(dim=-1).max(dim=-1).values
        top_scaled = (scores * layer.scale).softmax(dim=-1).max(dim=-1).values
    return {
        "q_spread": q.std().item(),
        "spread": scores.std().item(),
        "saturated": (top > SATURATED).float().mean().item(),
        "saturated_scaled": (top_scaled > SATURATED).float().mean().item(),
    }


def digits_start_saturation(heads: int, seed: int) -> list[float]:
    """The share of saturated rows (largest weight above :data:`SATURATED`) in each block of the ``digits``
    recipe's freshly initialised model with ``heads`` heads and the scale set to 1 (as the unscaled arm of
    ``benchmarks/bench_lesson03_scale.py`` starts), on the 180 validation digits: one forward pass, eval mode.
    The global random state is left as it was."""
    from .training import PRESETS  # here: importing the training module on first use only

    recipe = dataclasses.replace(PRESETS["digits"], heads=heads, seed=seed)
    data = recipe.load_data()
    shares: list[float] = []

    def record(attn: nn.Module, args: tuple) -> None:
        q, k, _ = attn.project_qkv(args[0])  # (B, h, N, d) each
        top = (q @ k.transpose(-2, -1)).softmax(dim=-1).max(dim=-1).values  # unscaled
        shares.append((top > SATURATED).float().mean().item())

    with torch.random.fork_rng(devices=[]), torch.no_grad():
        model = recipe.build_model(data).eval()
        for block in model.encoder.blocks:
            block.attn.scale = 1.0  # the unscaled arm: block 1 reads block 0's unscaled output
        hooks = [block.attn.register_forward_pre_hook(record) for block in model.encoder.blocks]
        try:
            model(data.val_images)
        finally:
            for hook in hooks:
                hook.remove()
    return shares


@dataclass(frozen=True)
class SaturationSummary:
    """What :func:`summarize_saturation` reads off ``softmax_saturation`` runs over seeds (each number a
    :class:`~vit_explained.evidence.SeedSummary`: mean and min..max over the seeds); ``str()`` is the printout."""

    saturated: dict[int, SeedSummary]  #: share of saturated rows without the scale, per head width
    other_vs_saturated: SeedSummary  #: without the scale, at ``reference_dim``: other rows' / saturated rows' gradient
    mean_ratio: dict[int, SeedSummary]  #: mean gradient at the scores over all rows, no scale / scale, per head width
    query_ratio: dict[int, SeedSummary]  #: mean gradient at each query, no scale / scale, per head width
    scaled_saturated: float  #: with the scale, the largest share of saturated rows over every width and seed
    scaled_spread: float  #: with the scale, the mean spread of the scores over every width and seed
    scaled_grad_scores: float  #: with the scale, the mean gradient at the scores over every width and seed
    reference_dim: int
    widths: tuple[int, ...]  #: every head width of the runs

    def main_lines(self) -> str:
        """Section 3's lines: the saturated share, what saturated rows pass back, and (when measured at
        ``reference_dim``) the mean gradient at the scores over all rows, no scale / scale."""
        mean_line = (
            [
                f"no scale / scale, d = {self.reference_dim}, mean gradient at the scores over all rows: "
                f"{self.mean_ratio[self.reference_dim]}"
            ]
            if self.reference_dim in self.mean_ratio
            else []
        )
        return "\n".join(
            [
                "no scale: saturated rows "
                + ", ".join(f"at d = {d} {summary}" for d, summary in self.saturated.items()),
                f"no scale, d = {self.reference_dim}: the other rows pass back {self.other_vs_saturated} times the "
                "gradient of the saturated rows",
                *mean_line,
            ]
        )

    def table(self) -> str:
        """Section 3's compact table: no scale against the scale, at ``reference_dim`` (and the widest head),
        each unscaled number with its seed range; the ratios are no scale / scale."""
        d, wide = self.reference_dim, max(self.saturated)
        rows = [
            (f"saturated rows, d = {d}", f"{self.saturated[d]}", f"{self.scaled_saturated * 100:.0f} %"),
            (f"saturated rows, d = {wide}", f"{self.saturated[wide]}", f"{self.scaled_saturated * 100:.0f} %"),
            ("gradient at the scores, other rows / saturated", f"{self.other_vs_saturated}", "no saturated rows"),
            ("mean gradient at the scores, no scale / scale", f"{self.mean_ratio[d]}", "1 (the reference)"),
            ("mean gradient at each query, no scale / scale", f"{self.query_ratio[d]}", "1 (the reference)"),
        ]
        header = (f"d = {d} unless named", "no scale", "scale")
        width = max(len(row[0]) for row in rows)
        return "\n".join(f"{a:<{width}}  {b:<28}  {c}" for a, b, c in (header, *rows))

    def mean_lines(self) -> str:
        """The appendix's lines: the mean gradient at the scores over all rows and at each query, no scale /
        scale, per head width; then the scaled runs' summary."""
        return "\n".join(
            [
                "no scale / scale, mean gradient at the scores over all rows:",
                *(f"  d = {d:>4}: {ratio}" for d, ratio in self.mean_ratio.items()),
                "no scale / scale, mean gradient at each query:",
                *(f"  d = {d:>4}: {ratio}" for d, ratio in self.query_ratio.items()),
                f"with the scale, at every d from {min(self.widths)} to {max(self.widths)}: "
                f"{self.scaled_saturated:.0%} saturated rows, spread {self.scaled_spread:.1f}, "
                f"mean gradient norm per row at the scores {self.scaled_grad_scores:.2f}",
            ]
        )

    def __str__(self) -> str:
        return f"{self.main_lines()}\n{self.mean_lines()}"


def summarize_saturation(
    runs: Mapping[int, Sequence[Mapping[str, Mapping[str, float]]]],
    saturated_at: Sequence[int] = (64, 1024),
    ratio_at: Sequence[int] = (16, 64, 256, 1024),
    reference_dim: int = 64,
) -> SaturationSummary:
    """Lesson 03's bookkeeping over seeds: ``runs`` maps each head width ``d`` to one
    :func:`softmax_saturation` result per seed (the same seeds at every width). The widths named in
    ``saturated_at``, ``ratio_at`` and ``reference_dim`` must be keys of ``runs``."""
    for d in (*saturated_at, *ratio_at, reference_dim):
        if d not in runs or not runs[d]:
            raise ValueError(f"runs has no results for head width {d}; it has {sorted(runs)}")

    def per_seed(d: int, setting: str, key: str) -> list[float]:
        return [run[setting][key] for run in runs[d]]

    everything = [run["scaled"] for seeds in runs.values() for run in seeds]
    return SaturationSummary(
        saturated={d: over_seeds(per_seed(d, "unscaled", "saturated"), percent=True, digits=0) for d in saturated_at},
        other_vs_saturated=over_seeds(
            [
                run["unscaled"]["grad_scores_unsaturated"] / run["unscaled"]["grad_scores_saturated"]
                for run in runs[reference_dim]
            ],
            digits=1,
        ),
        mean_ratio={
            d: over_seeds(
                [
                    u / s
                    for u, s in zip(
                        per_seed(d, "unscaled", "grad_scores"), per_seed(d, "scaled", "grad_scores"), strict=True
                    )
                ],
                digits=2,
            )
            for d in ratio_at
        },
        query_ratio={
            d: over_seeds(
                [
                    u / s
                    for u, s in zip(per_seed(d, "unscaled", "grad_q"), per_seed(d, "scaled", "grad_q"), strict=True)
                ],
                digits=1,
            )
            for d in ratio_at
        },
        scaled_saturated=max(stats["saturated"] for stats in everything),
        scaled_spread=sum(stats["spread"] for stats in everything) / len(everything),
        scaled_grad_scores=sum(stats["grad_scores"] for stats in everything) / len(everything),
        reference_dim=reference_dim,
        widths=tuple(sorted(runs)),
    )


# --- the stored training run: with and without the scale ------------------------------------------------------------

#: What ``benchmarks/bench_lesson03_scale.py`` stored (package data): the digits recipe trained with and without
#: the scale at d = 16 and d = 64, 3 seeds, the validation loss and accuracy after every epoch.
STORED_SCALE_TRAINING = Path(__file__).resolve().parent / "checkpoints" / "lesson03_scale.json"


#: The same comparison at a second peak learning rate (``--lr``): both arms, both widths, the same seeds.
STORED_SCALE_TRAINING_LR = STORED_SCALE_TRAINING.with_name("lesson03_scale_lr.json")


def stored_scale_training_lr() -> dict:
    """``{"recipe", "epochs", "dim", "lr", "machine", "widths" ({d: date, seeds, load average, seconds}), "runs"}``,
    each run as in :func:`stored_scale_training` plus its ``"lr"``: the digits recipe at peak learning rate ``lr``
    instead of the recipe's, stored by ``benchmarks/bench_lesson03_scale.py --lr``. Nothing is trained here."""
    return json.loads(STORED_SCALE_TRAINING_LR.read_text())


def scale_accuracy_lines(stored: Mapping) -> list[str]:
    """Per head width, validation accuracy after the last epoch: unscaled vs scaled (means over the seeds),
    ``unscaled - scaled`` with its Student's t 95 % interval over the paired seeds, the seeds' range and the
    verdict ("no detectable difference" when the interval holds 0), in points (:func:`accuracy_line`)."""
    return [
        accuracy_line(f"d = {d:>2}", seeds) for d, seeds in scale_training_comparison(stored, "val_accuracy").items()
    ]


def _points(seeds: SeedComparison, after_interval: str) -> str:
    """``a - b`` [Student's t 95 % interval], ``after_interval``, the seeds' range, in points (up to the verdict)."""
    t = seeds.t_interval()
    return (
        f"{t.estimate * 100:+.1f} points [{t.low * 100:+.1f}, {t.high * 100:+.1f}]{after_interval}"
        f"seeds {seeds.difference.low * 100:+.1f}..{seeds.difference.high * 100:+.1f}: "
    )


def accuracy_line(label: str, seeds: SeedComparison) -> str:
    """``label``, then accuracy a vs b (means), ``a - b`` [Student's t 95 % interval], the seeds' range and the
    verdict, in points; ``seeds`` from :func:`vit_explained.evidence.paired_seeds` with names (unscaled, scaled)."""
    t = seeds.t_interval()
    verdict = "no detectable difference" if t.low <= 0 <= t.high else f"{'un' if t.estimate > 0 else ''}scaled higher"
    return (
        f"  {label}, accuracy {seeds.a.mean * 100:.1f} % vs {seeds.b.mean * 100:.1f} %: {_points(seeds, ', ')}{verdict}"
    )


def scaled_first_line(label: str, seeds: SeedComparison) -> str:
    """Section 3's line: ``label``, accuracy scaled vs unscaled (means), ``scaled - unscaled`` [Student's t 95 %
    interval] with its number of paired seeds, the seeds' range and the verdict, in points; ``seeds`` as for
    :func:`accuracy_line` (names (unscaled, scaled), so its ``a - b`` is unscaled - scaled)."""
    flipped = paired_seeds(list(seeds.b.values), list(seeds.a.values), names=("scaled", "unscaled"), percent=True)
    t = flipped.t_interval()
    verdict = "no detectable difference" if t.low <= 0 <= t.high else f"{flipped.names[t.estimate < 0]} higher"
    level = f" (95 % t, {t.n} paired seeds), "
    means = f"scaled {flipped.a.mean * 100:.1f} % vs unscaled {flipped.b.mean * 100:.1f} %"
    return f"  {label}, {means}: {_points(flipped, level)}{verdict}"


def scale_lr_table(by_lr: Mapping[float, Mapping], head_dim: int = 64) -> list[str]:
    """Lesson 03's table: one row per (peak learning rate, head width) stored in ``by_lr`` ({lr: stored run}). With
    two or more rates (appendix G) a last row at ``head_dim`` has each arm at its own rate (unscaled at the smallest,
    scaled at the largest, :func:`rescue_comparison`), then :func:`gap_difference_line`; with one rate (section 3)
    the table stops after its rows. Columns: the unscaled and scaled arms' rates, the number of paired seeds, then
    :func:`accuracy_line` (validation accuracy after the last epoch)."""
    low, high = min(by_lr), max(by_lr)
    rows = [
        (lr, lr, seeds, f"d = {d:>2}")
        for lr in sorted(by_lr, reverse=True)
        for d, seeds in scale_training_comparison(by_lr[lr], "val_accuracy").items()
    ]
    if low != high:
        rows.append((low, high, rescue_comparison(by_lr[low], by_lr[high], head_dim), f"d = {head_dim}"))
    lines = ["peak learning rate       paired", "unscaled  scaled          seeds"]
    for lr_unscaled, lr_scaled, seeds, label in rows:
        line = accuracy_line(label, seeds).lstrip()
        lines.append(f"{lr_unscaled:<9g} {lr_scaled:<15g} {seeds.difference.n:>5}  {line}")
    if low == high:
        return lines
    return [*lines, gap_difference_line(by_lr[high], by_lr[low], head_dim, rates=(high, low))]


def scale_training_report(by_lr: Mapping[float, Mapping]) -> str:
    """Section 3's printed block for the stored runs ``by_lr`` ({peak learning rate: stored run}): the digits
    recipe and its arms (heads x d), the schedule, how to read a row, then :func:`scale_lr_table`'s rows."""
    recipe, stored = PRESETS["digits"], by_lr[max(by_lr)]
    arms = " or ".join(f"{h} x {stored['dim'] // h}" for h in stored["heads"])
    epochs = min(runs["epochs"] for runs in by_lr.values())
    return "\n".join(
        [
            f"the digits recipe: D = {recipe.dim}, depth {recipe.depth}, {recipe.optimizer}; heads x d: {arms}, "
            "each with and without the scale",
            f"validation accuracy after the last epoch of a {epochs}-epoch schedule (the digits recipe's full one "
            f"runs {recipe.epochs})",
            "each row: unscaled vs scaled accuracy, then unscaled - scaled [95 % t interval] and the seeds' range",
            *scale_lr_table(by_lr),
        ]
    )


def _last_gaps(stored: Mapping, head_dim: int) -> dict[int, float]:
    """Per seed, ``unscaled - scaled`` validation accuracy after the last epoch at ``head_dim``."""
    last = {(r["arm"], r["seed"]): r["val_accuracy"][-1] for r in stored["runs"] if r["head_dim"] == head_dim}
    both = [s for arm, s in last if arm == "scaled" and ("unscaled", s) in last]
    return {s: last["unscaled", s] - last["scaled", s] for s in both}


def gap_difference(first: Mapping, second: Mapping, head_dim: int = 64) -> SeedComparison:
    """Does the gap depend on the run? ``first``'s gap (``unscaled - scaled`` accuracy after the last epoch) minus
    ``second``'s, paired by seed over the seeds both stored runs hold (e.g. the same seeds at two learning rates).
    Its ``.t_interval()`` is the interval of the difference of the two gaps, not two gaps' intervals side by side."""
    gaps, other = _last_gaps(first, head_dim), _last_gaps(second, head_dim)
    seeds = sorted(set(gaps) & set(other))
    if len(seeds) < 2:
        raise ValueError(f"the two stored runs share {len(seeds)} seed(s) at head_dim={head_dim}; need at least 2")
    return paired_seeds([gaps[s] for s in seeds], [other[s] for s in seeds], names=("first", "second"), percent=True)


def gap_difference_line(first: Mapping, second: Mapping, head_dim: int = 64, *, rates: tuple[float, float]) -> str:
    """One line: :func:`gap_difference` in points with its Student's t 95 % interval, the seeds' range and on how
    many seeds it is negative; ``rates`` label the two runs (their peak learning rates)."""
    seeds = gap_difference(first, second, head_dim)
    t, d = seeds.t_interval(), seeds.difference
    negative = sum(v < 0 for v in d.values)
    return (
        f"d = {head_dim}, gap at {rates[0]:g} minus gap at {rates[1]:g}, paired by seed: "
        f"{t.estimate * 100:+.1f} points [{t.low * 100:+.1f}, {t.high * 100:+.1f}], "
        f"seeds {d.low * 100:+.1f}..{d.high * 100:+.1f}, "
        f"negative on {negative} of {d.n}"
    )


def rescue_comparison(unscaled_from: Mapping, scaled_from: Mapping, head_dim: int) -> SeedComparison:
    """Accuracy after the last epoch, ``unscaled - scaled`` at ``head_dim``, each arm from its own stored run (e.g.
    the unscaled arm at a smaller learning rate against the scaled arm at the recipe's), paired by seed over the
    seeds both runs hold."""

    def last(stored: Mapping, arm: str) -> dict[int, float]:
        runs = (r for r in stored["runs"] if r["head_dim"] == head_dim and r["arm"] == arm)
        return {r["seed"]: r["val_accuracy"][-1] for r in runs}

    unscaled, scaled = last(unscaled_from, "unscaled"), last(scaled_from, "scaled")
    seeds = sorted(set(unscaled) & set(scaled))
    return paired_seeds(
        [unscaled[s] for s in seeds], [scaled[s] for s in seeds], names=("unscaled", "scaled"), percent=True
    )


def stored_scale_training() -> dict:
    """``{"recipe", "epochs", "seeds", "dim", "heads", "date", "machine", "load_average", "wall_seconds", "runs"}``;
    each run ``{"heads", "head_dim", "arm" ("scaled" or "unscaled"), "seed", "seconds", "val_loss" (per epoch),
    "val_accuracy" (per epoch)}``. Nothing is trained here."""
    return json.loads(STORED_SCALE_TRAINING.read_text())


def scale_training_runs(stored: Mapping, head_dim: int, arm: str, key: str) -> list[list[float]]:
    """One curve per seed (in seed order) of ``key`` ("val_loss" or "val_accuracy") for ``head_dim`` and ``arm``."""
    runs = sorted((r for r in stored["runs"] if r["head_dim"] == head_dim and r["arm"] == arm), key=lambda r: r["seed"])
    if not runs:
        raise ValueError(f"no stored run with head_dim={head_dim} and arm={arm!r}")
    return [list(r[key]) for r in runs]


def scale_training_comparison(stored: Mapping, key: str, *, epoch: int = -1) -> dict[int, SeedComparison]:
    """Per head width, ``unscaled - scaled`` of ``key`` at ``epoch`` (default the last), paired by seed
    (:func:`vit_explained.evidence.paired_seeds`; ``.t_interval()`` for the interval)."""
    percent = key == "val_accuracy"
    widths = sorted({r["head_dim"] for r in stored["runs"]})
    return {
        d: paired_seeds(
            [curve[epoch] for curve in scale_training_runs(stored, d, "unscaled", key)],
            [curve[epoch] for curve in scale_training_runs(stored, d, "scaled", key)],
            names=("unscaled", "scaled"),
            percent=percent,
        )
        for d in widths
    }


def scale_training_seeds(stored: Mapping) -> dict[int, list[int]]:
    """Per head width, the seeds with both arms stored (the first run's seeds, plus any ``--extend`` run's)."""
    arms = {(r["head_dim"], r["arm"], r["seed"]) for r in stored["runs"]}
    widths = sorted({d for d, _, _ in arms})
    return {d: sorted(s for w, a, s in arms if w == d and a == "scaled" and (d, "unscaled", s) in arms) for d in widths}


def _seed_range(seeds: list[int]) -> str:
    return f"{seeds[0]}..{seeds[-1]}" if seeds == list(range(seeds[0], seeds[-1] + 1)) else str(seeds)


def scale_training_lines(stored: Mapping, *, epoch: int = -1) -> str:
    """The stored run's header (with any later ``--extend`` runs), then per measure and head width: unscaled vs
    scaled (means over the seeds), ``unscaled - scaled`` with its Student's t 95 % interval over the paired seeds,
    the seeds' range and the verdict ("no detectable difference" when the interval holds 0)."""
    seeds_of = scale_training_seeds(stored)
    added = "".join(f"; d = {stored['dim'] // e['heads']} seeds {_seed_range(e['seeds'])} added {e['date']}"
                    for e in stored.get("extensions", []) if e)  # fmt: skip
    lines = [
        f"stored {stored['date']} (UTC){added}, by benchmarks/bench_lesson03_scale.py, OMP_NUM_THREADS=1, on",
        f"  {stored['machine']}",
        f"{stored['recipe']} recipe (D = {stored['dim']}), {stored['epochs']} epochs; validation split after epoch "
        f"{epoch % stored['epochs'] + 1}; seeds "
        + ", ".join(f"d = {d}: {_seed_range(s)} ({len(s)})" for d, s in seeds_of.items()),
        "unscaled vs scaled: unscaled - scaled, 95 % t interval over the paired seeds, the seeds' range",
    ]
    for key, name, unit in (("val_loss", "loss", ""), ("val_accuracy", "accuracy", " points")):
        for d, seeds in scale_training_comparison(stored, key, epoch=epoch).items():
            t = seeds.t_interval()
            s, n, mark = t.scale, t.digits, " %" if unit else ""
            verdict = (
                "no detectable difference" if t.low <= 0 <= t.high else f"{'un' if t.estimate > 0 else ''}scaled higher"
            )
            lines.append(
                f"  d = {d:>2}, {name:<8} {seeds.a.mean * s:.{n}f}{mark} vs {seeds.b.mean * s:.{n}f}{mark}: "
                f"{t.estimate * s:+.{n}f}{unit} [{t.low * s:+.{n}f}, {t.high * s:+.{n}f}], "
                f"seeds {seeds.difference.low * s:+.{n}f}..{seeds.difference.high * s:+.{n}f}: {verdict}"
            )
    return "\n".join(lines)


def heads_training_comparison(stored: Mapping, key: str = "val_accuracy", *, arm: str = "scaled") -> SeedComparison:
    """``several heads - one head`` of ``key`` after the last epoch in one ``arm``, paired by seed: the stored
    runs' narrowest heads (4 of d = 16) against one head as wide as the model (d = D = 64), at equal D and
    parameters (``.t_interval()`` for the interval)."""
    widths = sorted({r["head_dim"] for r in stored["runs"]})
    narrow, wide = widths[0], widths[-1]
    return paired_seeds(
        [curve[-1] for curve in scale_training_runs(stored, narrow, arm, key)],
        [curve[-1] for curve in scale_training_runs(stored, wide, arm, key)],
        names=(f"{stored['dim'] // narrow} x {narrow}", f"{stored['dim'] // wide} x {wide}"),
        percent=key == "val_accuracy",
    )


def heads_training_line(stored: Mapping, *, arm: str = "scaled", short: bool = False) -> str:
    """One printed line: validation accuracy of 4 heads of d = 16 against 1 head of d = 64, with the scale,
    the paired difference's Student's t 95 % interval, the seeds' range and what the interval supports.
    ``short=True`` (section 0) leaves out the arm, the width and the words "validation accuracy"."""
    seeds = heads_training_comparison(stored, "val_accuracy", arm=arm)
    t = seeds.t_interval()
    verdict = "no detectable difference" if t.low <= 0 <= t.high else f"{seeds.names[t.estimate < 0]} higher"
    accuracies = f"{seeds.names[0]} {seeds.a.mean * 100:.1f} % vs {seeds.names[1]} {seeds.b.mean * 100:.1f} %"
    interval = f"[{t.low * 100:+.1f}, {t.high * 100:+.1f}]"
    seeds_range = f"seeds {seeds.difference.low * 100:+.1f}..{seeds.difference.high * 100:+.1f}: {verdict}"
    if short:
        return f"{accuracies}: {t.estimate * 100:+.1f} points {interval} (95 % t, {t.n} paired seeds), {seeds_range}"
    return (
        f"{arm}, D = {stored['dim']}, equal parameters: {accuracies} validation accuracy; difference "
        f"{t.estimate * 100:+.1f} points {interval} (95 % t, {t.n} paired seeds), {seeds_range}"
    )


STORED_SCALE_BRACKET = STORED_SCALE_TRAINING.with_name("lesson03_scale_bracket.json")


def stored_scale_bracket() -> dict:
    """``{"recipe", "epochs", "dim", "heads", "machine", "processes", "runs"}``, each run as in
    :func:`stored_scale_training_lr`: one arm of the 1-head model (d = 64) at a rate outside the two of the other
    stored files (scaled at 0.006 and 0.01, unscaled at 0.0003), stored by ``bench_lesson03_scale.py --bracket``."""
    return json.loads(STORED_SCALE_BRACKET.read_text())


def rate_grid(head_dim: int = 64) -> dict[tuple[str, float], dict[int, float]]:
    """``{(arm, lr): {seed: validation accuracy after the last epoch}}`` at ``head_dim`` over every stored rate: the
    recipe's (``lesson03_scale.json``), ``--lr`` (``lesson03_scale_lr.json``) and ``--bracket`` (d = 64 only)."""
    grid: dict[tuple[str, float], dict[int, float]] = {}
    sources = [(stored_scale_training(), PRESETS["digits"].lr), (stored_scale_training_lr(), None)]
    if STORED_SCALE_BRACKET.exists():
        sources.append((stored_scale_bracket(), None))
    for stored, lr in sources:
        for run in (r for r in stored["runs"] if r["head_dim"] == head_dim):
            grid.setdefault((run["arm"], run.get("lr", lr)), {})[run["seed"]] = run["val_accuracy"][-1]
    return grid


def best_rates(grid: Mapping[tuple[str, float], Mapping[int, float]], seeds: int = 10) -> dict[str, float]:
    """Per arm, the rate with the highest mean validation accuracy among the rates with all ``seeds`` seeds stored
    (chosen on the validation split that also reports the gap)."""
    full = {key: runs for key, runs in grid.items() if len(runs) == seeds}
    mean = {key: sum(runs.values()) / len(runs) for key, runs in full.items()}
    return {
        arm: max((lr for a, lr in full if a == arm), key=lambda lr: mean[arm, lr])
        for arm in sorted({a for a, _ in full})
    }


def rate_grid_lines(grid: Mapping[tuple[str, float], Mapping[int, float]]) -> str:
    """Per arm, each stored rate's validation accuracy (mean and the seeds' range), the best rate marked."""
    best, lines = best_rates(grid), []
    for arm in sorted({a for a, _ in grid}):
        shown = [lr for a, lr in sorted(grid) if a == arm and len(grid[a, lr]) > 1]
        cells = [
            f"{lr:g}: {over_seeds(list(grid[arm, lr].values()), percent=True, digits=1)}"
            + (" (best)" if lr == best.get(arm) else "")
            for lr in shown
        ]
        lines.append(f"  {arm:<8} " + "; ".join(cells))
    return "\n".join(lines)


def bracketed_comparisons(head_dim: int = 64) -> tuple[SeedComparison, SeedComparison, dict[str, float]]:
    """Each 1-head arm at its best stored rate (:func:`best_rates`): ``4 x 16 - 1 x 64`` with the scale (4 heads at
    the recipe's rate), ``unscaled - scaled`` at ``head_dim``, paired by seed, and the two best rates."""
    grid, best = rate_grid(head_dim), best_rates(rate_grid(head_dim))
    scaled, unscaled = grid["scaled", best["scaled"]], grid["unscaled", best["unscaled"]]
    narrow = rate_grid(16)["scaled", PRESETS["digits"].lr]
    seeds = sorted(set(scaled) & set(unscaled) & set(narrow))
    heads = paired_seeds(
        [narrow[s] for s in seeds], [scaled[s] for s in seeds], names=("4 x 16", "1 x 64"), percent=True
    )
    scale = paired_seeds(
        [unscaled[s] for s in seeds], [scaled[s] for s in seeds], names=("unscaled", "scaled"), percent=True
    )
    return heads, scale, best


STORED_COPY_TASK = Path(__file__).resolve().parent / "checkpoints" / "lesson03_copy.json"


def stored_copy_task() -> dict:
    """``benchmarks/bench_lesson03_copy.py``'s stored result: one-head attention trained to copy the marked token.
    ``{"tokens", "symbols", "dim", "steps", "seeds", "date", "machine", "torch", "runs"}``; each run ``{"seed",
    "mass_on_marked", "mass_on_marked_init", "accuracy", "accuracy_init", "example_marked", "example_symbols",
    "example_weights" (tokens x tokens)}``. Nothing is trained here."""
    return json.loads(STORED_COPY_TASK.read_text())


# --- folding the scale into W_q ----------------------------------------------------------------------------------


def fold_scale(model: nn.Module) -> nn.Module:
    """A copy of the ViT ``model`` with each block's scale folded into the query rows of ``qkv`` (weight and
    bias times the scale) and the scale set to 1: the same function, a different training."""
    folded = copy.deepcopy(model)
    for block in folded.blocks:
        attn = block.attn
        query_rows = slice(0, attn.inner_dim)  # the first rows of qkv make the queries
        with torch.no_grad():
            attn.qkv.weight[query_rows] *= attn.scale
            attn.qkv.bias[query_rows] *= attn.scale
        attn.scale = 1.0  # no scale left in the layer
    return folded


def query_step(model: nn.Module, images: torch.Tensor, labels: torch.Tensor, rule: str, lr: float) -> float:
    """One step on ``images``: the size of the change of ``W_q x scale`` (what the function sees), under plain
    SGD (``rule="SGD"``) or Adam's first step (``"Adam"``: about ``lr`` times the gradient's sign per weight)."""
    model = copy.deepcopy(model).eval()
    F.cross_entropy(model(images), labels).backward()
    changes = []
    for b in model.blocks:
        grad = b.attn.qkv.weight.grad[: b.attn.inner_dim]  # the query rows
        step = grad if rule == "SGD" else grad / (grad.abs() + 1e-8)  # Adam's first step
        changes.append((lr * step * b.attn.scale).flatten())
    return torch.cat(changes).norm().item()


def fold_scale_report(
    model: nn.Module, test_images: torch.Tensor, train_images: torch.Tensor, train_labels: torch.Tensor
) -> tuple[nn.Module, float, dict[str, float], str]:
    """:func:`fold_scale` checked on ``test_images`` (the largest output difference) and, per optimiser,
    folded / unfolded :func:`query_step` on the training batch (SGD at lr 0.1, Adam at 1e-3). Returns
    ``(folded, difference, {"SGD": ratio, "Adam": ratio}, the two printed lines)``."""
    folded = fold_scale(model)
    with torch.no_grad():
        difference = float((folded(test_images).double() - model(test_images).double()).abs().max())
    ratios = {
        rule: query_step(folded, train_images, train_labels, rule, lr)
        / query_step(model, train_images, train_labels, rule, lr)
        for rule, lr in (("SGD", 0.1), ("Adam", 1e-3))
    }
    said = "< 1e-5 (rounding)" if difference < 1e-5 else f"= {difference:.2g}"
    width = model.blocks[0].attn.head_dim
    lines = (
        f"folded vs unfolded, outputs on {len(test_images)} test digits: max |difference| {said}\n"
        f"folded / unfolded change of W_q x scale, d = {width}: SGD {ratios['SGD']:.1f} times (d), "
        f"Adam's first step {ratios['Adam']:.1f} times (sqrt(d))"
    )
    return folded, difference, ratios, lines


def scale_toggle_rows(
    scores: torch.Tensor, scale: float, saturated: float = SATURATED
) -> tuple[torch.Tensor, torch.Tensor, int]:
    """Each row's largest weight without and with ``scale`` for unscaled ``scores`` ``(N, N)``, and the
    query (row) the scale spreads most among the rows saturated without it (lesson 03's explorer)."""
    if scores.ndim != 2 or scores.shape[0] != scores.shape[1]:
        raise ValueError(f"scores must be (N, N), got {tuple(scores.shape)}")
    top_unscaled = scores.softmax(dim=-1).amax(dim=-1)
    top_scaled = (scores * scale).softmax(dim=-1).amax(dim=-1)
    if not bool((top_unscaled > saturated).any()):
        raise ValueError(f"no row has a largest weight above {saturated} without the scale")
    query = int(top_scaled.masked_fill(top_unscaled <= saturated, 2.0).argmin())
    return top_unscaled, top_scaled, query

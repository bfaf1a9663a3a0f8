"""Pre-norm against post-norm at initialisation (lesson 04): the gradient that reaches the last block's
``fc2`` weight, the quantity Theorem 1 of Xiong et al. (2020, *On Layer Normalization in the Transformer
Architecture*) bounds, measured on small random stacks of the package's :class:`~vit_explained.Block`."""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from pathlib import Path
from typing import NamedTuple

import torch
import torch.nn.functional as F
from torch import nn

from .block import Block


def xavier_init(blocks: Iterable[Block], separate_qkv: bool = True) -> None:
    """Xavier-uniform weights and zero biases on every Linear of ``blocks``. With ``separate_qkv`` the fused
    ``qkv`` Linear(D, 3D) is drawn as three D x D matrices (bound sqrt(6 / (D + D))), as separate Q, K, V
    layers would be (timm's ``init_weights_vit_moco`` does the same); plain Xavier on the fused (3D, D)
    weight uses sqrt(6 / (D + 3D)), a bound sqrt(2) times narrower."""
    for block in blocks:
        for name, layer in block.named_modules():
            if not isinstance(layer, nn.Linear):
                continue
            if separate_qkv and name.endswith("qkv"):
                bound = math.sqrt(6.0 / (layer.weight.shape[0] // 3 + layer.weight.shape[1]))
                nn.init.uniform_(layer.weight, -bound, bound)
            else:
                nn.init.xavier_uniform_(layer.weight)
            if layer.bias is not None:
                nn.init.zeros_(layer.bias)


INITS = ("xavier", "torch", "timm")


def timm_init(blocks: Iterable[Block], std: float = 0.02) -> None:
    """timm's ViT init on every Linear of ``blocks``: weights truncated normal with ``std`` (cut at +-2, i.e.
    about +-100 std: a plain normal in practice), biases zero (timm's ``init_weights_vit_timm``)."""
    for block in blocks:
        for layer in block.modules():
            if isinstance(layer, nn.Linear):
                nn.init.trunc_normal_(layer.weight, std=std)
                if layer.bias is not None:
                    nn.init.zeros_(layer.bias)


def _random_stack(depth: int, seed: int, dim: int, separate_qkv: bool, init: str = "xavier", weight_scale: float = 1.0):
    """The seeded random blocks, final norm, head, tokens and labels both measurements below use. ``init``:
    ``"xavier"`` (:func:`xavier_init`), ``"torch"`` (PyTorch's default Linear init, as the blocks are built) or
    ``"timm"`` (:func:`timm_init`); then every block's Linear weight is multiplied by ``weight_scale`` (the same
    draws, only their size changes)."""
    if init not in INITS:
        raise ValueError(f"init must be one of {INITS}, got {init!r}")
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        blocks = [Block(dim, heads=4, mlp_dim=4 * dim) for _ in range(depth)]
        final_norm, head = nn.LayerNorm(dim), nn.Linear(dim, 10)
        if init == "xavier":
            xavier_init(blocks, separate_qkv=separate_qkv)
        elif init == "timm":
            timm_init(blocks)
        if weight_scale != 1.0:
            with torch.no_grad():
                for layer in (m for block in blocks for m in block.modules() if isinstance(m, nn.Linear)):
                    layer.weight.mul_(weight_scale)
        tokens = torch.randn(8, 16, dim)  # (B, N, D)
        labels = torch.randint(0, 10, (8,))
    return blocks, final_norm, head, tokens, labels


def random_stack(depth: int, seed: int, dim: int = 64) -> tuple:
    """Section 6's seeded pre-norm probe: (blocks, final LayerNorm, head, tokens (8, 16, dim), labels (8,)),
    Xavier-uniform weights with separate q, k, v draws (the stack ``last_fc2_gradient`` measures)."""
    return _random_stack(depth, seed, dim, True)


def _pre_norm_stream(blocks: list[Block], tokens: torch.Tensor) -> torch.Tensor:
    for block in blocks:  # x + branch(norm(x))
        tokens = tokens + block.attn(block.norm1(tokens))
        tokens = tokens + block.mlp(block.norm2(tokens))
    return tokens


FINAL_NORMS = ("layernorm", "none", "fixed", "centred_fixed", "detached_sigma", "rms", "detached_rms")
#: Readable row labels of the seven final steps (the lesson's figure and appendix A's table).
FINAL_STEP_LABELS = {
    "layernorm": "final LayerNorm",
    "none": "no final step",
    "fixed": "/ 1.33",
    "centred_fixed": "/ 1.33 after centring",
    "detached_sigma": "LayerNorm, σ detached",
    "rms": "RMS, no centring",
    "detached_rms": "RMS, divisor detached",
}


#: The arm outside :data:`FINAL_NORMS` (review r29d minor 3): the LayerNorm's forward values, the fixed divisor's
#: backward pass, so only the backward factor 1/sigma changes (the logits stay the LayerNorm's).
FIXED_BACKWARD = "fixed_backward"
FINAL_STEP_LABELS_EXTRA = {FIXED_BACKWARD: "LayerNorm forward, / 1.33 backward"}


def _final_step(name: str, layer_norm: nn.LayerNorm, stream: torch.Tensor, fixed_norm: float) -> torch.Tensor:
    """Pre-norm's final step for :func:`last_fc2_gradient`'s ``final_norm`` (the lesson 04 ablation)."""
    if name == "layernorm":
        return layer_norm(stream)
    if name == "none":
        return stream
    if name == "fixed":
        return stream / fixed_norm
    if name in ("rms", "detached_rms"):  # x / sqrt(mean(x^2) + eps): divides by the growing RMS, no centring
        rms = (stream.pow(2).mean(dim=-1, keepdim=True) + layer_norm.eps).sqrt()
        return stream / (rms.detach() if name == "detached_rms" else rms) * layer_norm.weight + layer_norm.bias
    centred = stream - stream.mean(dim=-1, keepdim=True)
    if name == "centred_fixed":
        return centred / fixed_norm
    sigma = (centred.pow(2).mean(dim=-1, keepdim=True) + layer_norm.eps).sqrt()  # LayerNorm's (biased) spread
    if name == FIXED_BACKWARD:  # forward: centred / sigma, the LayerNorm's values; backward: centred / fixed_norm
        scaled = centred / fixed_norm + (centred / sigma - centred / fixed_norm).detach()
        return scaled * layer_norm.weight + layer_norm.bias
    return centred / sigma.detach() * layer_norm.weight + layer_norm.bias  # "detached_sigma"


#: The ``fixed`` arms' constant divisor: the final LayerNorm's divisor at 2 blocks (lesson 04, section 6).
FIXED_NORM = 1.33


def last_fc2_gradient(
    post_norm: bool,
    depth: int,
    seed: int,
    dim: int = 64,
    separate_qkv: bool = True,
    final_norm: str = "layernorm",
    fixed_norm: float = FIXED_NORM,
    init: str = "xavier",
    weight_scale: float = 1.0,
) -> float:
    """Gradient norm at the last block's ``fc2`` weight, at initialisation, for one random batch.

    ``depth`` blocks of width ``dim`` (4 heads, MLP 4 * dim), Xavier weights (:func:`xavier_init`), a batch
    of 8 sequences of 16 random tokens, and a 10-class head on the first token with cross-entropy against
    random labels. Post-norm is ``norm(x + branch(x))`` after each branch; pre-norm is
    ``x + branch(norm(x))`` with one final LayerNorm. Both use the same blocks; only the order differs.
    Seeded by ``seed``; the global random state is left as it was.

    ``final_norm`` changes pre-norm's final step alone (the ablation of lesson 04): ``"layernorm"`` (the
    default), ``"none"`` (the head reads the stream itself), ``"fixed"`` (the stream divided by the constant
    ``fixed_norm``, which does not grow with the stream; its default 1.33 is the LayerNorm's divisor at 2 blocks,
    :func:`final_norm_sigma` averaged over seeds 0-2), ``"centred_fixed"`` (centred as LayerNorm does, then
    divided by ``fixed_norm``: it differs from ``"fixed"`` only by the centring), ``"detached_sigma"`` (the
    LayerNorm's forward values, with its spread sigma detached from the gradient: it differs from ``"layernorm"``
    only in the backward path through sigma), ``"rms"`` (``x / sqrt(mean(x^2) + eps)``, RMSNorm: the growing
    divisor without the centring) or ``"detached_rms"`` (the same, its divisor detached from the gradient).
    Post-norm has no final norm and ignores it. ``init`` picks the blocks' initial weights (see ``_random_stack``:
    Xavier, PyTorch's default or timm's std 0.02), and
    ``weight_scale`` multiplies every block's Linear weight after it (1: unchanged)."""
    if final_norm not in FINAL_NORMS:
        raise ValueError(f"final_norm must be one of {FINAL_NORMS}, got {final_norm!r}")
    blocks, layer_norm, head, tokens, labels = _random_stack(depth, seed, dim, separate_qkv, init, weight_scale)
    if post_norm:
        for block in blocks:  # norm(x + branch(x))
            tokens = block.norm1(tokens + block.attn(tokens))
            tokens = block.norm2(tokens + block.mlp(tokens))
        out = tokens
    else:  # x + branch(norm(x)), then one final norm (or the ablation's replacement)
        stream = _pre_norm_stream(blocks, tokens)
        out = _final_step(final_norm, layer_norm, stream, fixed_norm)
    F.cross_entropy(head(out[:, 0]), labels).backward()
    return blocks[-1].mlp.fc2.weight.grad.norm().item()


def fc2_gradient_profile(post_norm: bool, depth: int = 16, seed: int = 0, dim: int = 64) -> list[float]:
    """The gradient norm at every block's ``fc2`` weight, block 0 (next to the input) to block ``depth - 1``
    (next to the head), at initialisation: the profile across layers of Xiong et al. (2020, Figure 3).

    The same seeded stack, batch and loss as :func:`last_fc2_gradient` (Xavier weights, 8 sequences of 16
    random tokens of width ``dim``, a 10-class head on token 0); its last entry is that function's value.
    Returns ``depth`` floats."""
    blocks, layer_norm, head, tokens, labels = _random_stack(depth, seed, dim, separate_qkv=True)
    if post_norm:
        for block in blocks:  # norm(x + branch(x)), no final norm
            tokens = block.norm1(tokens + block.attn(tokens))
            tokens = block.norm2(tokens + block.mlp(tokens))
        out = tokens
    else:  # x + branch(norm(x)), then the final LayerNorm
        out = layer_norm(_pre_norm_stream(blocks, tokens))
    F.cross_entropy(head(out[:, 0]), labels).backward()
    return [block.mlp.fc2.weight.grad.norm().item() for block in blocks]


def gradient_profiles(seeds: Iterable[int] = (0, 1, 2), depth: int = 16, dim: int = 64) -> dict[str, list[list[float]]]:
    """:func:`fc2_gradient_profile` for both designs and each seed: ``{design: [profile per seed]}``."""
    seeds = tuple(seeds)
    return {
        name: [fc2_gradient_profile(name == "post-norm", depth, seed, dim) for seed in seeds]
        for name in ("post-norm", "pre-norm")
    }


def pre_norm_stream_norm(
    depth: int,
    seed: int,
    dim: int = 64,
    separate_qkv: bool = True,
    squared: bool = False,
    init: str = "xavier",
    weight_scale: float = 1.0,
) -> float:
    """Mean over tokens of ``||x_L||`` (with ``squared``, of ``||x_L||^2``), the pre-norm residual stream after
    ``depth`` blocks (before the final LayerNorm), on the same random blocks and tokens as
    :func:`last_fc2_gradient` with the same arguments."""
    blocks, _, _, tokens, _ = _random_stack(depth, seed, dim, separate_qkv, init, weight_scale)
    with torch.no_grad():
        norms = _pre_norm_stream(blocks, tokens).norm(dim=-1)
        return (norms**2 if squared else norms).mean().item()


def final_norm_sigma(depth: int, seed: int, dim: int = 64, separate_qkv: bool = True) -> float:
    """Mean over tokens of the final LayerNorm's divisor ``sqrt(var + eps)`` (each token's biased standard
    deviation over its D features, about ``||x_L|| / sqrt(D)``) on the pre-norm stream after ``depth`` blocks,
    on the same random blocks and tokens as :func:`last_fc2_gradient` with the same arguments."""
    blocks, layer_norm, _, tokens, _ = _random_stack(depth, seed, dim, separate_qkv)
    with torch.no_grad():
        stream = _pre_norm_stream(blocks, tokens)
        variance = stream.var(dim=-1, unbiased=False)
        return (variance + layer_norm.eps).sqrt().mean().item()


def gradients_by_depth(
    depths: Iterable[int], seeds: Iterable[int], separate_qkv: bool = True
) -> dict[str, dict[int, list[float]]]:
    """``{"post-norm": {depth: [one value per seed]}, "pre-norm": {...}}`` from :func:`last_fc2_gradient`."""
    seeds = list(seeds)
    return {
        name: {
            depth: [last_fc2_gradient(post, depth, seed, separate_qkv=separate_qkv) for seed in seeds]
            for depth in depths
        }
        for name, post in (("post-norm", True), ("pre-norm", False))
    }


def stream_norms_by_depth(depths: Iterable[int], seeds: Iterable[int], squared: bool = False) -> dict[int, list[float]]:
    """``{depth: [one value per seed]}`` from :func:`pre_norm_stream_norm`."""
    seeds = list(seeds)
    return {depth: [pre_norm_stream_norm(depth, seed, squared=squared) for seed in seeds] for depth in depths}


def final_norm_ablation(
    depths: Iterable[int], seeds: Iterable[int], names: Iterable[str] = FINAL_NORMS
) -> dict[str, dict[int, list[float]]]:
    """``{final_norm: {depth: [one value per seed]}}``: the pre-norm :func:`last_fc2_gradient` for each of
    ``names`` (of :data:`FINAL_NORMS`, or :data:`FIXED_BACKWARD`: the LayerNorm's forward values with the fixed
    divisor's backward pass), on the same blocks, seeds and depths; only the final norm changes."""
    seeds, depths, names = list(seeds), list(depths), list(names)
    for name in names:
        if name not in (*FINAL_NORMS, FIXED_BACKWARD):
            raise ValueError(f"final_norm must be one of {(*FINAL_NORMS, FIXED_BACKWARD)}, got {name!r}")
    runs = {(depth, seed): _final_step_gradients(depth, seed, names) for depth in depths for seed in seeds}
    return {name: {depth: [runs[depth, seed][name] for seed in seeds] for depth in depths} for name in names}


def _final_step_gradients(depth: int, seed: int, names: list[str], dim: int = 64) -> dict[str, float]:
    """``{name: last_fc2_gradient(False, depth, seed, final_norm=name)}`` from one stack and one forward pass: the
    blocks and the stream are shared, only the final step and its backward pass differ (the same numbers, less
    arithmetic)."""
    blocks, layer_norm, head, tokens, labels = _random_stack(depth, seed, dim, True)
    stream = _pre_norm_stream(blocks, tokens)
    gradients = {}
    for name in names:
        out = _final_step(name, layer_norm, stream, FIXED_NORM)
        loss = F.cross_entropy(head(out[:, 0]), labels)
        (gradient,) = torch.autograd.grad(loss, blocks[-1].mlp.fc2.weight, retain_graph=True)
        gradients[name] = gradient.norm().item()
    return gradients


def init_scale_ablation(
    depths: Iterable[int], seeds: Iterable[int], inits: Iterable[str] = INITS, dim: int = 64
) -> dict[str, dict[int, list[float]]]:
    """``{init: {depth: [one value per seed]}}``: the pre-norm :func:`last_fc2_gradient` (final LayerNorm) for each
    of ``inits`` (of :data:`INITS`), on the same depths and seeds at width ``dim``; only the blocks' initial
    weights change."""
    seeds, depths = list(seeds), list(depths)
    return {
        init: {depth: [last_fc2_gradient(False, depth, seed, dim=dim, init=init) for seed in seeds] for depth in depths}
        for init in inits
    }


def weight_scale_ablation(
    depths: Iterable[int], seeds: Iterable[int], scales: Iterable[float] = (0.5, 0.25), dim: int = 64
) -> dict[float, dict[int, list[float]]]:
    """``{scale: {depth: [one value per seed]}}``: the pre-norm :func:`last_fc2_gradient` with Xavier weights
    multiplied by each of ``scales``, on the same blocks (the same draws), depths and seeds; only the size of the
    branches' weights changes (scale 1 is the Xavier arm itself)."""
    seeds, depths = list(seeds), list(depths)
    return {
        scale: {
            depth: [last_fc2_gradient(False, depth, seed, dim=dim, weight_scale=scale) for seed in seeds]
            for depth in depths
        }
        for scale in scales
    }


def init_scales(dim: int, inits: Iterable[str] = INITS, seed: int = 0) -> dict[str, dict[str, float]]:
    """``{init: {layer: std * sqrt(fan_in)}}`` for ``qkv``, ``proj``, ``fc1`` and ``fc2`` of one block of width
    ``dim`` drawn as in :func:`last_fc2_gradient`: each weight's measured standard deviation times the square
    root of its fan-in, the size of a layer's output per unit input (1: a unit-variance input keeps its
    variance). A fixed std (timm's 0.02) gives a scale that grows as sqrt(dim)."""
    scales = {}
    for init in inits:
        block = _random_stack(1, seed, dim, True, init)[0][0]
        layers = {"qkv": block.attn.qkv, "proj": block.attn.proj, "fc1": block.mlp.fc1, "fc2": block.mlp.fc2}
        weights = {name: layer.weight.detach() for name, layer in layers.items()}
        scales[init] = {name: weight.std().item() * math.sqrt(weight.shape[1]) for name, weight in weights.items()}
    return scales


#: The stored run of ``benchmarks/bench_lesson04_init.py`` (package data): the init arm at D = 768.
STORED_INIT_RUNS = Path(__file__).resolve().parent / "checkpoints" / "lesson04_init.json"


def stored_init_runs() -> dict:
    """The init-scale arm at ViT-B's width, as ``benchmarks/bench_lesson04_init.py`` stored it: ``{"dim", "depths",
    "seeds", "date", "machine", "gradients": {init: {depth: [one per seed]}}, "stream_rms": {init: RMS token
    norm after the deepest stack, mean over seeds}}`` (depth keys are strings in the file; ints here)."""
    runs = json.loads(STORED_INIT_RUNS.read_text())
    runs["gradients"] = {
        init: {int(depth): values for depth, values in by_depth.items()} for init, by_depth in runs["gradients"].items()
    }
    return runs


#: The stored run of ``benchmarks/bench_lesson04_timm64.py`` (package data): section 6's timm-init line at D = 64.
STORED_TIMM64_RUNS = Path(__file__).resolve().parent / "checkpoints" / "lesson04_timm64.json"


def stored_timm64_runs() -> dict:
    """Section 6's pre-norm stacks (D = 64, depths 2-16, seeds 0-2) with timm's init (std 0.02), as
    ``benchmarks/bench_lesson04_timm64.py`` stored them: ``{"dim", "depths", "seeds", "date", "machine",
    "gradients": {depth: [last fc2 gradient, one per seed]}}`` (int depth keys)."""
    runs = json.loads(STORED_TIMM64_RUNS.read_text())
    runs["gradients"] = {int(depth): values for depth, values in runs["gradients"].items()}
    return runs


#: The stored run of ``benchmarks/bench_lesson04_timm384.py`` (package data): Answer 6a's timm-init arm at D = 384.
STORED_TIMM384_RUNS = Path(__file__).resolve().parent / "checkpoints" / "lesson04_timm384.json"


def stored_timm384_runs() -> dict:
    """Section 6's pre-norm stacks at D = 384 (depths 2-16, seeds 0-2) with timm's init (std 0.02), as
    ``benchmarks/bench_lesson04_timm384.py`` stored them; the same keys as :func:`stored_timm64_runs`."""
    runs = json.loads(STORED_TIMM384_RUNS.read_text())
    runs["gradients"] = {int(depth): values for depth, values in runs["gradients"].items()}
    return runs


def stored_init_arms() -> dict[str, dict[int, list[float]]]:
    """Answer 6a's stored pre-norm arms (appendix B computes or checks each): ``{arm: {depth: [last fc2 gradient,
    one per seed]}}`` for timm's and DeiT's init (trunc-normal std 0.02) at D = 64, 384 and 768 and Xavier's at
    D = 768, depths 2-16, seeds 0-2."""
    wide = stored_init_runs()["gradients"]
    return {
        "std 0.02, D = 64": stored_timm64_runs()["gradients"],
        "std 0.02, D = 384": stored_timm384_runs()["gradients"],
        "std 0.02, D = 768": wide["timm"],
        "Xavier, D = 768": wide["xavier"],
    }


#: The stored run of ``benchmarks/bench_lesson04_depth.py`` (package data): pre-norm stacks of 16 to 128 blocks.
STORED_DEPTH_RUNS = Path(__file__).resolve().parent / "checkpoints" / "lesson04_depth.json"


def stored_depth_runs() -> dict:
    """Section 6's pre-norm stacks deeper (D = 64, Xavier), as ``benchmarks/bench_lesson04_depth.py`` stored them:
    ``{"dim", "depths", "seeds", "date", "machine", "gradients": {depth: [last fc2 gradient, one per seed]},
    "stream_squared": {depth: [mean squared token norm before the final norm, one per seed]}}`` (int depth keys)."""
    runs = json.loads(STORED_DEPTH_RUNS.read_text())
    for name in ("gradients", "stream_squared"):
        runs[name] = {int(depth): values for depth, values in runs[name].items()}
    return runs


def token_similarity(depth: int, seed: int, dim: int = 64, separate_qkv: bool = True) -> float:
    """Mean cosine similarity between two different tokens of one sequence in the pre-norm residual stream after
    ``depth`` blocks (before the final norm), over all pairs and sequences, on the random stack of
    :func:`last_fc2_gradient` with the same arguments (1: all tokens point the same way)."""
    blocks, _, _, tokens, _ = _random_stack(depth, seed, dim, separate_qkv)
    with torch.no_grad():
        unit = F.normalize(_pre_norm_stream(blocks, tokens), dim=-1)
        cosines = unit @ unit.transpose(1, 2)  # (B, N, N)
        count = tokens.shape[1]
        off_diagonal = cosines.sum(dim=(1, 2)) - cosines.diagonal(dim1=1, dim2=2).sum(dim=-1)
        return (off_diagonal / (count * (count - 1))).mean().item()


def stream_growth_summary(
    stream_squared: dict[int, list[float]], seeds: Iterable[int], dim: int = 64
) -> list[dict[str, float | int | tuple[float, float] | None]]:
    """One row per depth L of ``stream_squared`` (``{L: [mean ||x_L||^2, one per seed]}``, the pre-norm stream
    before the final norm, from :func:`stream_norms_by_depth` with ``squared=True``), in depth order:

    - ``squared``: the mean over seeds of ``||x_L||^2``, with ``squared_range`` (lowest, highest seed);
    - ``norm``: its square root, the RMS token norm; ``norm_step``: the norm added per block since the previous
      depth (``None`` for the first row);
    - ``cosine``: the mean cosine similarity of two tokens (:func:`token_similarity`, averaged over ``seeds``);
    - ``band``: Xiong et al.'s Lemma 2 band ``((1 + L/2) d, (1 + 3L/2) d)`` for inputs of squared norm ``d = dim``.
    """
    seeds = list(seeds)
    rows: list[dict[str, float | int | tuple[float, float] | None]] = []
    previous: tuple[int, float] | None = None
    for depth in sorted(stream_squared):
        values = stream_squared[depth]
        norm = math.sqrt(sum(values) / len(values))
        rows.append(
            {
                "depth": depth,
                "squared": sum(values) / len(values),
                "squared_range": (min(values), max(values)),
                "norm": norm,
                "norm_step": None if previous is None else (norm - previous[1]) / (depth - previous[0]),
                "cosine": sum(token_similarity(depth, seed, dim) for seed in seeds) / len(seeds),
                "band": ((1 + depth / 2) * dim, (1 + 3 * depth / 2) * dim),
            }
        )
        previous = (depth, norm)
    return rows


def stream_growth_table(rows: list[dict]) -> str:
    """:func:`stream_growth_summary`'s rows as a text table, one line per depth."""
    lines = [f"{'L':>3}  {'||x_L||^2 (seeds)':<20}{'||x_L||':>8}{'+ per block':>13}   Lemma 2's band"]
    for row in rows:
        low, high = row["squared_range"]
        step = "" if row["norm_step"] is None else f"+{row['norm_step']:.1f}"
        squared = f"{row['squared']:.0f} ({low:.0f}..{high:.0f})"
        band = f"{row['band'][0]:.0f} to {row['band'][1]:.0f}"
        lines.append(f"{row['depth']:>3}  {squared:<20}{row['norm']:>8.1f}{step:>13}   {band}")
    return "\n".join(lines)


# --- training: pre-norm against post-norm, with and without a warm-up (benchmarks/bench_lesson04_norm_training.py)

#: Where a block normalises: ``"pre-norm"`` (the package's :class:`~vit_explained.Block`) or ``"post-norm"``.
PLACEMENTS = ("pre-norm", "post-norm")


class PostNormBlock(Block):
    """The post-norm block of the 2017 Transformer, with :class:`~vit_explained.Block`'s parameters:
    ``(B, N, dim) -> (B, N, dim)``.

    ``x = norm1(x + attn(x))`` then ``x = norm2(x + mlp(x))``: each branch reads the stream itself and the stream is
    normalised after each addition (pre-norm: ``x = x + attn(norm1(x))``, ``x = x + mlp(norm2(x))``). The same
    modules and parameter names as ``Block``; only the order in :meth:`forward` differs."""

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        tokens = self.norm1(tokens + self.attn(tokens))
        return self.norm2(tokens + self.mlp(tokens))


def with_norm_placement(model: nn.Module, placement: str) -> nn.Module:
    """``model`` (a :class:`~vit_explained.ViT`) with its blocks in ``placement``, changed in place and returned.

    ``"pre-norm"`` leaves the model as built. ``"post-norm"`` makes every block of ``model.encoder.blocks`` a
    :class:`PostNormBlock`: the same modules and parameter values, only the order of norm and residual sum changes.
    The encoder's final LayerNorm is kept in both (so the parameters are the same; on a post-norm stream, whose
    last block already ends in a LayerNorm, it starts as the identity up to eps). ``(B, C, H, W) -> (B, classes)``
    as before."""
    if placement not in PLACEMENTS:
        raise ValueError(f"placement must be one of {PLACEMENTS}, got {placement!r}")
    blocks = getattr(getattr(model, "encoder", None), "blocks", None)
    if blocks is None or not all(isinstance(block, Block) for block in blocks):
        raise TypeError(f"model must be a ViT whose encoder.blocks are Blocks, got {type(model).__name__}")
    if placement == "post-norm":
        for block in blocks:
            block.__class__ = PostNormBlock  # a subclass with no state of its own: the parameters stay as they are
    else:
        for block in blocks:
            block.__class__ = Block
    return model


#: The stored run of ``benchmarks/bench_lesson04_norm_training.py`` (package data): pre- and post-norm ViTs trained
#: on MNIST-5k with and without a warm-up.
STORED_NORM_TRAINING_RUNS = Path(__file__).resolve().parent / "checkpoints" / "lesson04_norm_training.json"


def stored_norm_training_runs() -> dict:
    """Pre-norm against post-norm in training, as ``benchmarks/bench_lesson04_norm_training.py`` stored it:
    ``{"date", "machine", "recipe": {...}, "runs": [{"placement", "warmup_steps", "lr", "seed", "losses" (the
    training loss at every step), "val_accuracy", "diverged"}, ...]}``."""
    return json.loads(STORED_NORM_TRAINING_RUNS.read_text())


def norm_training_conditions(runs: list[dict]) -> dict[tuple[str, int, float], list[dict]]:
    """``{(placement, warmup_steps, lr): [one run per seed, in seed order]}`` from the stored ``runs``."""
    conditions: dict[tuple[str, int, float], list[dict]] = {}
    for run in sorted(runs, key=lambda run: run["seed"]):
        conditions.setdefault((run["placement"], run["warmup_steps"], run["lr"]), []).append(run)
    return conditions


#: The rows of :func:`norm_training_table`: {row name: (placement, warm-up steps)}.
NORM_TRAINING_ROWS = {
    "pre-norm": ("pre-norm", 0),
    "post-norm": ("post-norm", 0),
    "post-norm, warm-up 50": ("post-norm", 50),
    "post-norm, warm-up 150": ("post-norm", 150),
}


def paired_accuracy_table(
    runs: list[dict], lrs: tuple[float, ...] = (5e-3, 1e-3), part: str = "both", rows: tuple[str, ...] | None = None
) -> str:
    """The stored runs' validation accuracy as a table, one row per :data:`NORM_TRAINING_ROWS` arm (or per name in
    ``rows``; without a warm-up row the header says "no warm-up") and, per learning rate, the mean over seeds with
    the seeds' range (``part="accuracy"``), the arm minus post-norm without warm-up, paired by seed: mean (range)
    (``part="paired"``, the reference row left out), or both side by side."""
    from .evidence import over_seeds, paired_seeds

    if part not in ("both", "accuracy", "paired"):
        raise ValueError(f"part must be 'both', 'accuracy' or 'paired', got {part!r}")
    by_condition = norm_training_conditions(runs)
    accuracy = {key: [run["val_accuracy"] for run in group] for key, group in by_condition.items()}
    chosen = {name: NORM_TRAINING_ROWS[name] for name in (NORM_TRAINING_ROWS if rows is None else rows)}
    cold = ", no warm-up" if all(warm == 0 for _, warm in chosen.values()) else ""
    header = {
        "both": f"validation accuracy %{cold}: mean (3 seeds' range); minus post-norm without warm-up, paired by "
        "seed: mean (range)",
        "accuracy": f"validation accuracy %{cold}: mean (3 seeds' range)",
        "paired": "minus post-norm without warm-up, paired by seed, points: mean (3 seeds' range)",
    }[part]
    width = 41 if part == "both" else 22
    lines = [header, f"{'':<23}" + "".join(f"{'lr ' + _lr(lr):<{width}}" for lr in lrs).rstrip()]
    for name, (placement, warm) in chosen.items():
        reference = (placement, warm) == ("post-norm", 0)
        if part == "paired" and reference:
            continue
        row = f"{name:<23}"
        for lr in lrs:
            arm = over_seeds(accuracy[placement, warm, lr])
            paired = ""
            if not reference:
                gap = paired_seeds(accuracy[placement, warm, lr], accuracy["post-norm", 0, lr]).difference
                paired = f"{100 * gap.mean:+5.1f} ({100 * gap.low:+.1f}..{100 * gap.high:+.1f})"
            mean = f"{100 * arm.mean:4.1f} ({100 * arm.low:4.1f}..{100 * arm.high:4.1f})"
            row += {"both": f"{mean}  {paired:<22}", "accuracy": f"{mean:<22}", "paired": f"{paired:<22}"}[part]
        lines.append(row.rstrip())
    return "\n".join(lines)


class TrainingSummary(NamedTuple):
    """:func:`training_summary`'s result: the lines to print; ``gaps`` {warm-up: pre-norm - post-norm accuracy at
    lr 1e-3, paired over seeds}; ``intervals`` {warm-up: its 95 % t-interval}; ``widest`` (the widest half-width,
    points); ``at_chance`` {placement: {warm-up: seeds ending near chance at lr 5e-3}}; ``seeds`` {(placement,
    warm-up, lr): runs}; ``shared_seeds`` the seeds every warm-up reuses (the warm-ups are not independent runs,
    so their counts are not pooled); ``high_gaps`` and ``high_intervals`` the same paired gap and interval at lr
    5e-3; ``fisher`` {warm-up: Fisher's exact p for the near-chance counts, post-norm against pre-norm}."""

    text: str
    gaps: dict
    intervals: dict
    widest: float
    at_chance: dict[str, dict[int, int]]
    seeds: dict[tuple[str, int, float], list[dict]]
    shared_seeds: tuple[int, ...]
    high_gaps: dict
    high_intervals: dict
    fisher: dict[int, float]


def fisher_exact(hits_a: int, runs_a: int, hits_b: int, runs_b: int) -> float:
    """Two-sided Fisher exact p for ``hits_a`` of ``runs_a`` against ``hits_b`` of ``runs_b``: with the margins
    fixed, the total probability of every table no more likely than the one observed (hypergeometric)."""
    hits, total = hits_a + hits_b, runs_a + runs_b

    def chance(k: int) -> float:
        return math.comb(runs_a, k) * math.comb(runs_b, hits - k) / math.comb(total, hits)

    tables = range(max(0, hits - runs_b), min(hits, runs_a) + 1)
    observed = chance(hits_a)
    return min(1.0, sum(chance(k) for k in tables if chance(k) <= observed * (1 + 1e-7)))


def _lr(value: float) -> str:
    """1e-3, not 1e-03."""
    return f"{value:.0e}".replace("e-0", "e-")


def _runs_at_chance(by_condition: dict, warmups: tuple, lr: float) -> tuple[dict, dict, dict]:
    """training_summary's counts at ``lr``: ``{placement: {warm-up: runs ending near chance}}``, the post-norm runs
    per warm-up, and per warm-up Fisher's exact p of post-norm's count against pre-norm's."""
    at_chance = {
        name: {warmup: sum(run["diverged"] for run in by_condition[(name, warmup, lr)]) for warmup in warmups}
        for name in ("post-norm", "pre-norm")
    }
    runs = {warmup: len(by_condition[("post-norm", warmup, lr)]) for warmup in warmups}
    fisher = {
        warmup: fisher_exact(
            at_chance["post-norm"][warmup],
            runs[warmup],
            at_chance["pre-norm"][warmup],
            len(by_condition[("pre-norm", warmup, lr)]),
        )
        for warmup in warmups
    }
    return at_chance, runs, fisher


def training_summary(stored: dict, low_lr: float = 1e-3, high_lr: float = 5e-3) -> TrainingSummary:
    """The stored training benchmark (:func:`stored_norm_training_runs`) in two findings: at ``low_lr`` the
    accuracy gap pre-norm - post-norm per warm-up, paired over seeds, with its 95 % t-interval; at ``high_lr``
    how many seeds of each placement ended near chance (a run's ``diverged`` flag), per warm-up."""
    from .evidence import paired_seeds

    by_condition = norm_training_conditions(stored["runs"])
    warmups = (0, *stored["recipe"]["warmup_steps"])
    accuracy = {key: [run["val_accuracy"] for run in group] for key, group in by_condition.items()}
    gaps, high_gaps = (
        {
            warmup: paired_seeds(accuracy[("pre-norm", warmup, lr)], accuracy[("post-norm", warmup, lr)], percent=True)
            for warmup in warmups
        }
        for lr in (low_lr, high_lr)
    )
    intervals = {warmup: gap.t_interval() for warmup, gap in gaps.items()}
    high_intervals = {warmup: gap.t_interval() for warmup, gap in high_gaps.items()}
    widest = max(100 * (t.high - t.low) / 2 for t in intervals.values())
    at_chance, runs, fisher = _runs_at_chance(by_condition, warmups, high_lr)

    def gap_line(lr: float, found: dict) -> str:
        return f"lr {_lr(lr)}, accuracy pre-norm - post-norm, points (95 % t-interval, 3 seeds): " + "; ".join(
            f"warm-up {warmup or 'none'}: {100 * t.estimate:+.1f} [{100 * t.low:+.1f}, {100 * t.high:+.1f}]"
            for warmup, t in found.items()
        )

    lines = [
        gap_line(low_lr, intervals),
        f"widest interval: +/-{widest:.1f} points",
        gap_line(high_lr, high_intervals),
        f"lr {_lr(high_lr)}, seeds ending near chance, post-norm against pre-norm (Fisher's exact p): "
        + "; ".join(
            f"warm-up {warmup or 'none'}: {at_chance['post-norm'][warmup]} of {runs[warmup]} against "
            f"{at_chance['pre-norm'][warmup]} of {len(by_condition[('pre-norm', warmup, high_lr)])} "
            f"(p = {fisher[warmup]:.2f})"
            for warmup in warmups
        ),
    ]
    seed_sets = {tuple(run["seed"] for run in group) for key, group in by_condition.items() if key[2] == high_lr}
    shared = seed_sets.pop() if len(seed_sets) == 1 else ()
    if shared:
        lines.append(
            f"the warm-ups share the same {len(shared)} seeds ({', '.join(map(str, shared))}), so this is "
            f"{len(shared)} independent runs per design, not {len(shared) * len(warmups)}"
        )
    if shared and min(fisher.values()) >= 0.05:
        lines[-1] += f" (p = {min(fisher.values()):.2f} is the smallest {len(shared)} runs per design can give)"
    return TrainingSummary(
        "\n".join(lines), gaps, intervals, widest, at_chance, by_condition, shared, high_gaps, high_intervals, fisher
    )


def training_table(summary: TrainingSummary, low_lr: float = 1e-3, high_lr: float = 5e-3) -> str:
    """:func:`training_summary` as one table: a row per warm-up, the accuracy gap pre-norm - post-norm in points
    with its 95 % t-interval (paired over seeds) at each rate, and the seeds near chance at ``high_lr``."""
    n_seeds = len(summary.seeds[("pre-norm", next(iter(summary.intervals)), low_lr)])
    lines = [
        f"accuracy pre-norm - post-norm, points [95 % t-interval over {n_seeds} paired seeds]",
        f"{'warm-up':<9}{'lr ' + _lr(low_lr):<22}{'lr ' + _lr(high_lr):<22}near chance at {_lr(high_lr)}: post / pre",
    ]
    for warmup, low in summary.intervals.items():
        high = summary.high_intervals[warmup]
        cells = [f"{100 * t.estimate:+.1f} [{100 * t.low:+.1f}, {100 * t.high:+.1f}]" for t in (low, high)]
        runs = len(summary.seeds[("post-norm", warmup, high_lr)])
        post, pre = (summary.at_chance[name][warmup] for name in ("post-norm", "pre-norm"))
        lines.append(f"{warmup or 'none'!s:<9}{cells[0]:<22}{cells[1]:<22}{post} of {runs} / {pre} of {runs}")
    return "\n".join(lines)


def training_notes(summary: TrainingSummary, high_lr: float = 5e-3) -> str:
    """The statistics :func:`training_table` leaves out: the widest interval at the low rate, Fisher's exact p for
    the near-chance counts per warm-up, and the seeds the warm-ups share."""
    fisher = "; ".join(f"warm-up {warmup or 'none'}: p = {p:.2f}" for warmup, p in summary.fisher.items())
    lines = [
        f"widest interval at the low rate: +/-{summary.widest:.1f} points",
        f"near chance at {_lr(high_lr)}, post-norm against pre-norm, Fisher's exact p: {fisher}",
    ]
    shared = summary.shared_seeds
    if shared:
        lines.append(
            f"the warm-ups share seeds {', '.join(map(str, shared))}: {len(shared)} independent runs per design, "
            f"not {len(shared) * len(summary.fisher)}, so p = {min(summary.fisher.values()):.2f} is the smallest "
            "Fisher's p can be"
        )
    return "\n".join(lines)


def branch_alignment(depth: int = 16, seed: int = 0, dim: int = 64) -> tuple[float, list[float]]:
    """How the pre-norm stack's branches add up, at initialisation (the depth probe's stack and tokens): the mean
    cosine similarity, over tokens and all pairs of blocks, of one block's update (attention + MLP branch outputs)
    with another's; and each block's update RMS token norm. Updates in line (cosine near 1) add their norms;
    orthogonal ones (near 0) add their squares."""
    blocks, _, _, tokens, _ = _random_stack(depth, seed, dim, True)
    updates = []
    with torch.no_grad():
        for block in blocks:
            attended = block.attn(block.norm1(tokens))
            moved = block.mlp(block.norm2(tokens + attended))
            updates.append(attended + moved)
            tokens = tokens + attended + moved
    unit = F.normalize(torch.stack(updates), dim=-1)  # (L, B, N, D): each token's update, unit length
    cosine = torch.einsum("ibnd,jbnd->ij", unit, unit) / (unit.shape[1] * unit.shape[2])  # mean over the tokens
    pairs = torch.triu_indices(depth, depth, offset=1)  # every pair of blocks once
    norms = [update.pow(2).sum(-1).mean().sqrt().item() for update in updates]
    return cosine[pairs[0], pairs[1]].mean().item(), norms


def window_loss(run: dict, first: int, last: int) -> float:
    """The mean training loss of ``run`` over steps ``first..last`` (counted from 1, both included); ``inf`` when
    the run stopped before ``last`` (a loss that was not finite ends a run)."""
    losses = run["losses"][first - 1 : last]
    return sum(losses) / len(losses) if len(losses) == last - first + 1 else math.inf


def norm_training_table(runs: list[dict], windows: tuple[tuple[int, int], ...] = ((1, 25), (276, 300))) -> str:
    """One line per (placement, warm-up, lr): the mean validation accuracy with the seeds' range, how many seeds
    collapsed to about chance (a run's ``diverged`` flag: mean loss over its last 25 steps above 0.9 ln 10, or a
    loss not finite), and the training loss averaged over each of ``windows`` (steps, mean over seeds)."""
    head = f"{'placement':<10}{'warm-up':>10}{'lr':>8}   {'val accuracy % (seeds)':<26}{'at chance':>10}"
    lines = [head + "".join(f"{f'loss {a}-{b}':>14}" for a, b in windows)]
    for (placement, warmup, lr), group in norm_training_conditions(runs).items():
        accuracies = [100 * run["val_accuracy"] for run in group]
        mean, low, high = sum(accuracies) / len(accuracies), min(accuracies), max(accuracies)
        accuracy = f"{mean:.1f} [{low:.1f}..{high:.1f}]"
        warm = f"{warmup} steps" if warmup else "none"
        diverged = f"{sum(run['diverged'] for run in group)}/{len(group)}"
        losses = "".join(f"{sum(window_loss(run, a, b) for run in group) / len(group):>14.2f}" for a, b in windows)
        lines.append(f"{placement:<10}{warm:>10}{lr:>8.0e}   {accuracy:<26}{diverged:>10}{losses}")
    return "\n".join(lines)


# --- PyTorch's own block: nn.TransformerEncoderLayer with a Block's weights (lesson 04, appendix E) -------------------


def encoder_layer_from_block(block: Block, norm_first: bool = True) -> nn.TransformerEncoderLayer:
    """PyTorch's ``nn.TransformerEncoderLayer`` of ``block``'s size, eps, dtype and device, holding copies of its
    weights: ``norm_first=True`` computes :class:`~vit_explained.Block` (pre-norm), ``norm_first=False``
    :class:`PostNormBlock` (post-norm). Exact GELU, no dropout, ``batch_first=True``: ``(B, N, D) -> (B, N, D)``.

    ``qkv``'s rows are (q, k, v), each split into heads in order, as ``in_proj_weight`` stores them."""
    if not isinstance(block, Block):
        raise TypeError(f"block must be a vit_explained Block, got {type(block).__name__}")
    attn, weight = block.attn, block.attn.qkv.weight
    if attn.inner_dim != attn.dim or attn.qkv.bias is None or attn.scale != attn.head_dim**-0.5:
        raise ValueError("nn.TransformerEncoderLayer needs inner_dim == dim, a qkv bias and the 1/sqrt(d) scale")
    if block.norm1.eps != block.norm2.eps:
        raise ValueError(
            f"nn.TransformerEncoderLayer has one eps; the block's are {block.norm1.eps} and {block.norm2.eps}"
        )
    layer = nn.TransformerEncoderLayer(
        attn.dim,
        attn.heads,
        block.mlp.fc1.out_features,
        dropout=0.0,
        activation="gelu",
        layer_norm_eps=block.norm1.eps,
        batch_first=True,
        norm_first=norm_first,
        device=weight.device,
        dtype=weight.dtype,
    )
    pairs = {
        layer.self_attn.in_proj_weight: attn.qkv.weight,
        layer.self_attn.in_proj_bias: attn.qkv.bias,
        layer.self_attn.out_proj.weight: attn.proj.weight,
        layer.self_attn.out_proj.bias: attn.proj.bias,
        layer.linear1.weight: block.mlp.fc1.weight,
        layer.linear1.bias: block.mlp.fc1.bias,
        layer.linear2.weight: block.mlp.fc2.weight,
        layer.linear2.bias: block.mlp.fc2.bias,
        layer.norm1.weight: block.norm1.weight,
        layer.norm1.bias: block.norm1.bias,
        layer.norm2.weight: block.norm2.weight,
        layer.norm2.bias: block.norm2.bias,
    }
    with torch.no_grad():
        for mine, theirs in pairs.items():
            mine.copy_(theirs)
    return layer.train(block.training)

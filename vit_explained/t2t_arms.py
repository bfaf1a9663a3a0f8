"""Lesson 07, section 6: the arms that replace T2T's token transformers or its whole module, on digits.

The correct digits (of 180) per seed come from the stored runs, ``benchmarks/results/*.md``, copied into
``checkpoints/lesson07_arms.json`` so that a pip install (which has no ``benchmarks/``) reads them too;
``tests/test_lesson07_code.py`` checks the copy against the results files. Nothing here trains a model.

>>> table = arm_table()
>>> f"{100 * table.interval('16x16 patches').estimate:+.1f}"
'+14.2'
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import torch
from torch import nn

from .evidence import Estimate, SeedComparison, paired_seeds
from .parameters import count_parameters
from .t2t import Tokens2Token, TokenTransformer, t2t_chain

STORED_ARMS = Path(__file__).with_name("checkpoints") / "lesson07_arms.json"
REFERENCE = "token transformers"  # every difference is token transformers minus the arm
CHAIN = "T2T's chain"  # the table's name for it: several arms replace the module, not its token transformers
NO_OVERLAP_SPLITS = ((4, 4, 0), (2, 2, 0), (2, 2, 0))  # appendix A's chain: each window its stride, a 16 x 16 field

#: each arm, and what it changes against T2T's chain (token width 32, 2-block backbone, 10 epochs)
ARM_CHANGES = {
    "Linear": "no attention, MLP, norms or nonlinearity; half the parameters",
    "token MLP": "no attention, no v-skip; the same size",
    "attention off": "attention alone: each token attends to itself; the rest kept",
    "16x16 patches": "no T2T module: one Linear on hard patches, the same 3 x 3 grid",
    "2-layer patches": "no T2T module: a patch stem as large (Linear, GELU, Linear)",
    "no overlap (appendix A)": "several changes: no overlap, smaller windows, no padding, another softmax scale,"
    " half the parameters",
}

#: the one arm that changes one thing; every other arm changes several
ARM_SCOPE = {"attention off": "one: attention"}

#: the row labels of section 6's table and picture, where they differ from the arm's name (the prose points to
#: appendix A, not the row)
ROW_LABELS = {"no overlap (appendix A)": "no overlap"}

#: what the no-overlap chain changes against the 2-layer patch stem (both see 16 x 16 pixels per final token)
CHAIN_CHANGES = (
    "it changes: three splits for one patch, two token transformers (attention across tokens, MLPs, LayerNorms)"
    " for Linear, GELU, Linear, half the parameters"
)


@cache
def _stored() -> dict:
    return json.loads(STORED_ARMS.read_text())


def seed_counts() -> dict[str, list[int]]:
    """Correct digits (of :func:`total`) per seed 0-5 for T2T's chain and every arm, as stored."""
    return {name: list(counts) for name, counts in _stored()["counts"].items()}


def total() -> int:
    """How many validation digits each count is out of (180)."""
    return int(_stored()["total"])


TOKEN_LAYER_ARMS = ("Linear", "token MLP", "attention off")  # the arms that change only the token layers
PATCH_ARMS = ("16x16 patches", "2-layer patches")  # the arms that replace the whole module


def token_layer_pairs(arms: tuple[str, ...] = TOKEN_LAYER_ARMS) -> list[tuple[str, dict[str, list[int]]]]:
    """Each arm of ``arms`` (by default the three that change only the token layers) paired with T2T's chain, seed
    by seed (for ``plot_seed_pairs``)."""
    counts = seed_counts()
    unknown = [arm for arm in arms if arm not in counts or arm == REFERENCE]
    if unknown:
        raise ValueError(f"unknown arms {unknown}; pick from {[a for a in counts if a != REFERENCE]}")
    return [(f"{REFERENCE} vs {arm}", {REFERENCE: counts[REFERENCE], arm: counts[arm]}) for arm in arms]


def stem_parameters() -> dict[str, int]:
    """Parameters of each arm's stem (48x48 digits, token width 32, backbone width 64), counted on ``meta``."""
    with torch.device("meta"):
        t2t = Tokens2Token(48, 1, token_dim=32, embed_dim=64)
        mlp = Tokens2Token(48, 1, token_dim=32, embed_dim=64)
        mlp.token_transformers = nn.ModuleList(
            nn.Sequential(nn.LayerNorm(width), nn.Linear(width, 96), nn.GELU(), nn.Linear(96, 32))
            for width in (49, 288)
        )
        linear = sum(count_parameters(nn.Linear(n_in, n_out)) for n_in, n_out in ((49, 32), (288, 32), (288, 64)))
        patches_2 = count_parameters(nn.Sequential(nn.Linear(256, 180), nn.GELU(), nn.Linear(180, 64)))
        no_overlap = t2t_chain(48, 48, 1, 32, splits=NO_OVERLAP_SPLITS)  # appendix A's chain: 16, 128, 128 wide
        no_overlap_stem = sum(count_parameters(TokenTransformer(s.token_length, 32)) for s in no_overlap[:-1])
        no_overlap_stem += count_parameters(nn.Linear(no_overlap[-1].token_length, 64))
    return {
        REFERENCE: count_parameters(t2t),
        "Linear": linear,
        "token MLP": count_parameters(mlp),
        "2-layer patches": patches_2,
        "no overlap (appendix A)": no_overlap_stem,
    }


@dataclass(frozen=True)
class ArmTable:
    """Token transformers minus each arm over the same seeds, 2-layer minus 1-layer patches (``size``), and appendix
    A's no-overlap chain minus the 2-layer patch stem (``chain``)."""

    runs: dict[str, SeedComparison]
    size: SeedComparison
    stems: dict[str, int]
    chain: SeedComparison

    def interval(self, arm: str) -> Estimate:
        """The 95 % t-interval of token transformers minus ``arm`` (or of ``"size"``, ``"chain"``), as shares."""
        return {"size": self.size, "chain": self.chain}.get(arm, self.runs.get(arm)).t_interval()

    def __str__(self) -> str:
        """The narrow table: arm, one change or several, interval (the two patch-stem comparisons:
        :meth:`follow_ups`; what each arm changes, seeds, sign tests, stem sizes: :meth:`details`)."""
        n = self.runs["Linear"].difference.n
        lines = [f"the arm | changes | {CHAIN} minus the arm, points [95 % t-interval]"]
        lines += [
            f"{ROW_LABELS.get(arm, arm)} | {ARM_SCOPE.get(arm, 'several')} | {_points(self.interval(arm))}"
            f" (digits, {n} seeds)"
            for arm in ARM_CHANGES
        ]
        return "\n".join(lines)

    def table(self, level: float) -> str:
        """The narrow table with a last column: each interval widened to ``level`` (section 6 passes the
        Bonferroni level over the six arms, ``1 - 0.05 / 6``, the picture's thin bars)."""
        lines = [
            f"the arm | changes | {CHAIN} minus the arm, points [95 % t-interval] | [{100 * level:.1f} %, corrected]"
        ]
        for arm in ARM_CHANGES:
            wide = self.runs[arm].t_interval(level)
            lines.append(
                f"{ROW_LABELS.get(arm, arm)} | {ARM_SCOPE.get(arm, 'several')} | {_points(self.interval(arm))}"
                f" | [{100 * wide.low:+.1f}, {100 * wide.high:+.1f}]"
            )
        return "\n".join(lines)

    def follow_ups(self) -> str:
        """The two patch-stem comparisons: 2-layer minus 1-layer patches, and the no-overlap chain minus 2-layer
        patches."""
        n = self.runs["Linear"].difference.n
        return "\n".join(
            [
                f"2-layer minus 1-layer patches: {_points(self.size.t_interval())} points",
                f"no-overlap chain (appendix A) minus 2-layer patches: {_points(self.chain.t_interval())} points,",
                f"  higher on {sum(v > 0 for v in self.chain.difference.values)} of {n} seeds; several changes",
            ]
        )

    def changes(self) -> str:
        """What each arm changes against T2T's chain, and the no-overlap chain against the 2-layer patch stem."""
        lines = [f"what each arm changes against {REFERENCE}:"]
        lines += [f"  {arm} | {change}" for arm, change in ARM_CHANGES.items()]
        return "\n".join([*lines, f"no-overlap chain against 2-layer patches: {CHAIN_CHANGES}"])

    def details(self) -> str:
        """Each arm's seeds higher / tied / lower, its sign test, and the stems' parameter counts."""
        n = self.runs["Linear"].difference.n
        signs = [
            (sum(v > 0 for v in d), sum(v == 0 for v in d), sum(v < 0 for v in d))
            for d in (run.difference.values for run in self.runs.values())
        ]
        return "\n".join(
            [
                f"seeds (of {n}) with {REFERENCE} higher / tied / lower: "
                + ", ".join(f"{arm} {up}/{tie}/{down}" for arm, (up, tie, down) in zip(self.runs, signs, strict=True)),
                "sign test p: " + ", ".join(f"{arm} {run.sign_p_value:.3f}" for arm, run in self.runs.items()),
                f"stem parameters: T2T module {self.stems[REFERENCE]:,}; with a Linear in the token transformers'"
                f" place {self.stems['Linear']:,}; with the token MLP (hidden width 96) {self.stems['token MLP']:,};"
                f" 2-layer patches {self.stems['2-layer patches']:,}; no-overlap chain"
                f" {self.stems['no overlap (appendix A)']:,}",
            ]
        )


def _points(e: Estimate) -> str:
    """``+8.8 [+4.3, +13.3]``: an interval of shares, in points."""
    return f"{100 * e.estimate:+.1f} [{100 * e.low:+.1f}, {100 * e.high:+.1f}]"


def arm_table() -> ArmTable:
    """Every arm of section 6 against T2T's chain, paired by seed, from the stored counts."""
    counts, n = seed_counts(), total()
    shares = {name: [c / n for c in values] for name, values in counts.items()}
    runs = {
        arm: paired_seeds(shares[REFERENCE], shares[arm], names=(REFERENCE, arm), percent=True) for arm in ARM_CHANGES
    }
    size = paired_seeds(shares["2-layer patches"], shares["16x16 patches"], names=("2-layer", "1-layer"), percent=True)
    chain = paired_seeds(
        shares["no overlap (appendix A)"], shares["2-layer patches"], names=("no overlap", "2-layer"), percent=True
    )
    return ArmTable(runs, size, stem_parameters(), chain)

"""How sure a number is: intervals and exact tests for the comparisons the lessons make.

A lesson that compares two measured numbers (two maps on the same digits, two heads against one
teacher, a ViT and a CNN over seeds) prints one of these and claims only what it supports. Every
function is seeded and deterministic (numpy's PCG64 generator, the same draws on every machine),
returns a small frozen dataclass whose ``str`` is the sentence to print, and refuses bad input with
a ``ValueError``/``TypeError`` that names the value.

- :func:`proportion`: a share of items (accuracy, ink hit rate) with Wilson's score interval.
- :func:`proportion_difference`: two shares from different items (two digits' accuracies), Newcombe's interval.
- :func:`mean_interval`: the mean of per-item values (a deletion area) with a bootstrap interval.
- :func:`paired_difference`: two methods measured **on the same items**; the interval of the
  mean difference comes from resampling the items, so each item's two values stay together.
- :func:`paired_ratio`: the ratio of two means over the same items (e.g. what share of a gap one cause
  accounts for); the items are resampled together, so the denominator's uncertainty is in the interval.
- :func:`over_seeds` and :func:`paired_seeds`: a summary over a few training seeds (mean and the
  range); with 3-5 seeds a range is more honest than an interval. ``paired_seeds(...).t_interval()``
  and ``.sign_p_value`` say how little "higher on every one of 3 seeds" proves (sign test p = 0.25).
- :func:`mcnemar`: the exact test for two methods' disagreements on the same items (e.g. how often
  each head disagrees with the teacher), a two-sided binomial test on the discordant items.
- :func:`stored_gap`: the seeds' t interval of a gap read from a stored results table
  (``benchmarks/results/*.md``, e.g. lesson 07's runs that lesson 02 quotes).

Example::

    >>> from vit_explained.evidence import paired_difference
    >>> print(paired_difference([1, 1, 0, 1], [1, 0, 0, 1], percent=True, names=("A", "B")))
    A - B: +25.0 points, 95 % interval [+0.0, +75.0]: no detectable difference
"""

from __future__ import annotations

import math
import numbers
import re
import statistics
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

__all__ = [
    "Comparison",
    "Estimate",
    "SeedComparison",
    "SeedSummary",
    "TestResult",
    "mcnemar",
    "mean_interval",
    "over_seeds",
    "paired_difference",
    "paired_ratio",
    "paired_seeds",
    "proportion",
    "proportion_difference",
    "t_interval",
]

#: Bootstrap draws unless told otherwise: the interval's ends move by well under 0.5 points between seeds.
RESAMPLES = 10_000
NO_DIFFERENCE = "no detectable difference"


# --- input checks ------------------------------------------------------------------------------------


def _values(name: str, values: object, *, binary: bool = False, min_items: int = 2) -> np.ndarray:
    """``values`` as a 1-D float64 array (a list, tuple, numpy array or torch tensor of numbers)."""
    if isinstance(values, str | bytes) or values is None or isinstance(values, numbers.Number):
        raise TypeError(
            f"{name} must be a sequence of numbers, one per item (a list, numpy array or tensor), "
            f"got {type(values).__name__}"
        )
    if hasattr(values, "detach"):  # a torch tensor, without importing torch here
        values = values.detach().cpu().numpy()
    try:
        array = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise TypeError(f"{name} must hold numbers only, got {values!r:.80}") from error
    if array.ndim != 1:
        raise ValueError(f"{name} must be 1-D (one value per item), got shape {array.shape}; flatten it first")
    if array.size < min_items:
        raise ValueError(f"{name} needs at least {min_items} items to say how sure anything is, got {array.size}")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} holds {int(np.sum(~np.isfinite(array)))} nan or infinite values; drop or fix them")
    if binary and not np.all((array == 0) | (array == 1)):
        bad = array[(array != 0) & (array != 1)][:3].tolist()
        raise ValueError(f"{name} must hold only 0/1 or True/False per item (e.g. correct or not), got {bad}")
    return array


def _confidence(confidence: object) -> float:
    if isinstance(confidence, bool) or not isinstance(confidence, numbers.Real):
        raise TypeError(f"confidence must be a number between 0 and 1, e.g. 0.95, got {confidence!r}")
    if not 0.5 <= float(confidence) < 1:
        raise ValueError(f"confidence must be in [0.5, 1), e.g. 0.95 for a 95 % interval, got {confidence!r}")
    return float(confidence)


def _count(name: str, value: object, *, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an int, got {value!r} ({type(value).__name__})")
    if int(value) < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    return int(value)


def _names(names: object) -> tuple[str, str]:
    if (
        not isinstance(names, tuple | list)
        or len(names) != 2
        or not all(isinstance(name, str) and name for name in names)
    ):
        raise TypeError(f"names must be two non-empty strings, e.g. ('ViT', 'CNN'), got {names!r}")
    return names[0], names[1]


# --- the bootstrap --------------------------------------------------------------------------------------


def _resampled_indices(n: int, resamples: int, seed: int) -> Iterator[tuple[slice, np.ndarray]]:
    """``resamples`` draws of ``n`` item indices with replacement, in chunks (to bound memory): ``(rows, index)``,
    ``index`` of shape ``(rows.stop - rows.start, n)``. One seeded generator, so every caller sees the same draws."""
    rng = np.random.default_rng(seed)
    chunk = max(1, 2_000_000 // n)
    for start in range(0, resamples, chunk):
        stop = min(resamples, start + chunk)
        yield slice(start, stop), rng.integers(0, n, size=(stop - start, n))


def _bootstrap_means(values: np.ndarray, resamples: int, seed: int) -> np.ndarray:
    """Means of ``resamples`` resamples (with replacement) of ``values``."""
    means = np.empty(resamples)
    for rows, index in _resampled_indices(values.size, resamples, seed):
        means[rows] = values[index].mean(axis=1)
    return means


def _percentile_interval(draws: np.ndarray, confidence: float) -> tuple[float, float]:
    tail = (1 - confidence) / 2
    low, high = np.quantile(draws, [tail, 1 - tail])
    return float(low), float(high)


def _percent(confidence: float) -> str:
    """The level to one decimal, trailing zeros dropped: 95 %, 97.5 %, 98.8 % (1 - 0.05 / 4), 98.3 % (1 - 0.05 / 3)."""
    return f"{round(confidence * 100, 1):g} %"


def _signed(value: float, digits: int) -> str:
    text = f"{value:+.{digits}f}"
    return text.replace("-0." + "0" * digits, "+0." + "0" * digits) if digits else text.replace("-0", "+0")


@dataclass(frozen=True)
class Estimate:
    """A number with its bootstrap interval. ``scale`` 100 means the values are shown in %."""

    estimate: float
    low: float
    high: float
    n: int
    confidence: float
    scale: float = 1.0
    unit: str = ""
    digits: int = 3

    def contains(self, value: float) -> bool:
        """Whether ``value`` (in the data's own units, e.g. 0.5 for 50 %) lies inside the interval."""
        return self.low <= value <= self.high

    def __str__(self) -> str:
        s, d, u = self.scale, self.digits, self.unit
        return (
            f"{self.estimate * s:.{d}f}{u}, {_percent(self.confidence)} interval "
            f"[{self.low * s:.{d}f}, {self.high * s:.{d}f}]{u} (n = {self.n})"
        )


def _check_resampling(resamples: object, seed: object) -> tuple[int, int]:
    return _count("resamples", resamples, minimum=100), _count("seed", seed, minimum=0)


def proportion(
    outcomes: Sequence[bool] | np.ndarray,
    *,
    confidence: float = 0.95,
) -> Estimate:
    """The share of items with outcome 1 (True), in %, with Wilson's score interval.

    ``outcomes``: one 0/1 (or bool) per item, e.g. ``predictions == labels``. Wilson's interval rather than
    a bootstrap: at 0 of n (or n of n) a bootstrap has zero width ("0 %, [0, 0]"), while Wilson's gives the
    honest [0, 16.1] % for 0 of 20; elsewhere the two agree to a fraction of a point.
    """
    values = _values("outcomes", outcomes, binary=True)
    confidence = _confidence(confidence)
    n, share = values.size, float(values.mean())
    z = statistics.NormalDist().inv_cdf(0.5 + confidence / 2)
    centre = (share + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(share * (1 - share) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    low = 0.0 if share == 0 else max(0.0, centre - half)  # exactly 0 (1) at 0 (n) of n, not a rounding error
    high = 1.0 if share == 1 else min(1.0, centre + half)
    return Estimate(share, low, high, n, confidence, scale=100.0, unit=" %", digits=1)


def proportion_difference(
    successes_a: int, n_a: int, successes_b: int, n_b: int, *, confidence: float = 0.95
) -> Estimate:
    """The difference of two shares from *different* items, a - b in %, with Newcombe's hybrid score interval.

    Newcombe (1998, method 10): each share gets Wilson's interval and the two distances combine in quadrature,
    so 100 of 100 against 95 of 100 gives +5.0 points, 95 % interval [+0.3, +11.2]. For two shares of the same
    items use :func:`paired_difference` or :func:`mcnemar`.
    """
    n_a, n_b = _count("n_a", n_a, minimum=1), _count("n_b", n_b, minimum=1)
    k_a, k_b = _count("successes_a", successes_a, minimum=0), _count("successes_b", successes_b, minimum=0)
    if k_a > n_a or k_b > n_b:
        raise ValueError(f"successes must not exceed n, got {k_a}/{n_a} and {k_b}/{n_b}")
    a = proportion([1] * k_a + [0] * (n_a - k_a), confidence=confidence)
    b = proportion([1] * k_b + [0] * (n_b - k_b), confidence=confidence)
    d = a.estimate - b.estimate
    low = d - math.hypot(a.estimate - a.low, b.high - b.estimate)
    high = d + math.hypot(a.high - a.estimate, b.estimate - b.low)
    return Estimate(d, low, high, n_a + n_b, a.confidence, scale=100.0, unit=" points", digits=1)


def mean_interval(
    values: Sequence[float] | np.ndarray,
    *,
    confidence: float = 0.95,
    resamples: int = RESAMPLES,
    seed: int = 0,
    digits: int = 3,
) -> Estimate:
    """The mean of per-item ``values`` (e.g. a deletion area per digit) with a percentile-bootstrap interval."""
    array = _values("values", values)
    confidence = _confidence(confidence)
    resamples, seed = _check_resampling(resamples, seed)
    digits = _count("digits", digits, minimum=0)
    low, high = _percentile_interval(_bootstrap_means(array, resamples, seed), confidence)
    return Estimate(float(array.mean()), low, high, array.size, confidence, digits=digits)


@dataclass(frozen=True)
class Comparison:
    """The paired difference ``a - b`` over the same items, its interval and what it supports."""

    names: tuple[str, str]
    mean_a: float
    mean_b: float
    difference: Estimate

    @property
    def detectable(self) -> bool:
        """True when the interval of the difference leaves out 0."""
        return not self.difference.contains(0.0)

    @property
    def verdict(self) -> str:
        """``'no detectable difference'``, or which of the two is higher."""
        if not self.detectable:
            return NO_DIFFERENCE
        higher, lower = self.names if self.difference.estimate > 0 else self.names[::-1]
        return f"{higher} higher than {lower}"

    def __str__(self) -> str:
        d = self.difference
        s, digits = d.scale, d.digits
        unit = " points" if d.scale == 100 else ""
        return (
            f"{self.names[0]} - {self.names[1]}: {_signed(d.estimate * s, digits)}{unit}, "
            f"{_percent(d.confidence)} interval [{_signed(d.low * s, digits)}, {_signed(d.high * s, digits)}]: "
            f"{self.verdict}"
        )


def paired_difference(
    a: Sequence[float] | np.ndarray,
    b: Sequence[float] | np.ndarray,
    *,
    names: tuple[str, str] = ("a", "b"),
    percent: bool = False,
    confidence: float = 0.95,
    resamples: int = RESAMPLES,
    seed: int = 0,
    digits: int | None = None,
) -> Comparison:
    """Compare two methods measured on the same items: the mean of ``a - b`` with a bootstrap interval
    that resamples the items (each item keeps its pair of values).

    ``percent=True`` for 0/1 outcomes or shares in [0, 1]: the difference is shown in percentage points.
    The verdict says ``'no detectable difference'`` when the interval holds 0.
    """
    first = _values("a", a)
    second = _values("b", b)
    if first.size != second.size:
        raise ValueError(
            f"a and b must hold one value per item for the same items, got {first.size} and {second.size} values"
        )
    if not isinstance(percent, bool):
        raise TypeError(f"percent must be True or False, got {percent!r}")
    names = _names(names)
    confidence = _confidence(confidence)
    resamples, seed = _check_resampling(resamples, seed)
    digits = (1 if percent else 3) if digits is None else _count("digits", digits, minimum=0)
    differences = first - second
    low, high = _percentile_interval(_bootstrap_means(differences, resamples, seed), confidence)
    scale = 100.0 if percent else 1.0
    estimate = Estimate(float(differences.mean()), low, high, first.size, confidence, scale=scale, digits=digits)
    return Comparison(names, float(first.mean()), float(second.mean()), estimate)


def _bootstrap_ratios(top: np.ndarray, bottom: np.ndarray, resamples: int, seed: int) -> np.ndarray:
    """``mean(top) / mean(bottom)`` over ``resamples`` resamples of the items, both from the same draw."""
    ratios = np.empty(resamples)
    for rows, index in _resampled_indices(top.size, resamples, seed):
        below = bottom[index].mean(axis=1)
        if np.any(below == 0) or np.any(np.sign(below) != np.sign(bottom.mean())):
            raise ValueError(
                "the denominator's mean reaches or crosses 0 in some resamples: the ratio is unbounded there, "
                "so no interval can be given; compare the two as a paired_difference instead"
            )
        ratios[rows] = top[index].mean(axis=1) / below
    return ratios


def paired_ratio(
    numerator: Sequence[float] | np.ndarray,
    denominator: Sequence[float] | np.ndarray,
    *,
    percent: bool = False,
    confidence: float = 0.95,
    resamples: int = RESAMPLES,
    seed: int = 0,
    digits: int | None = None,
) -> Estimate:
    """``mean(numerator) / mean(denominator)`` over the same items, with a percentile-bootstrap interval.

    Each resample draws items (with replacement) and takes both means over the same draw, so the interval
    carries the uncertainty of the denominator as well as the numerator's, and their correlation.
    ``percent=True`` shows the ratio in %. A ``ValueError`` if the denominator's mean is 0, or if it
    reaches or crosses 0 in a resample (the ratio has no bounded interval then).
    """
    top = _values("numerator", numerator)
    bottom = _values("denominator", denominator)
    if top.size != bottom.size:
        raise ValueError(
            f"numerator and denominator must hold one value per item for the same items, "
            f"got {top.size} and {bottom.size} values"
        )
    if not isinstance(percent, bool):
        raise TypeError(f"percent must be True or False, got {percent!r}")
    if bottom.mean() == 0:
        raise ValueError("the denominator's mean is 0: the ratio is undefined")
    confidence = _confidence(confidence)
    resamples, seed = _check_resampling(resamples, seed)
    digits = (1 if percent else 3) if digits is None else _count("digits", digits, minimum=0)
    low, high = _percentile_interval(_bootstrap_ratios(top, bottom, resamples, seed), confidence)
    scale, unit = (100.0, " %") if percent else (1.0, "")
    ratio = float(top.mean() / bottom.mean())
    return Estimate(ratio, low, high, top.size, confidence, scale=scale, unit=unit, digits=digits)


# --- seeds ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SeedSummary:
    """The mean and range of one number over training seeds."""

    values: tuple[float, ...]
    scale: float = 1.0
    unit: str = ""
    digits: int = 3

    @property
    def n(self) -> int:
        return len(self.values)

    @property
    def mean(self) -> float:
        return float(np.mean(self.values))

    @property
    def low(self) -> float:
        return float(min(self.values))

    @property
    def high(self) -> float:
        return float(max(self.values))

    def __str__(self) -> str:
        s, d, u = self.scale, self.digits, self.unit
        return f"{self.mean * s:.{d}f}{u} ({self.n} seeds: {self.low * s:.{d}f}..{self.high * s:.{d}f})"


def over_seeds(
    values: Sequence[float] | np.ndarray, *, percent: bool = False, digits: int | None = None
) -> SeedSummary:
    """Mean and min..max of one number over seeds (``percent=True`` for shares in [0, 1], shown in %)."""
    array = _values("values", values)
    if not isinstance(percent, bool):
        raise TypeError(f"percent must be True or False, got {percent!r}")
    digits = (1 if percent else 3) if digits is None else _count("digits", digits, minimum=0)
    return SeedSummary(tuple(float(v) for v in array), 100.0 if percent else 1.0, " %" if percent else "", digits)


@dataclass(frozen=True)
class SeedComparison:
    """``a - b`` seed by seed (the same seed for both): its mean and range, and whether its sign holds."""

    names: tuple[str, str]
    a: SeedSummary
    b: SeedSummary
    difference: SeedSummary

    @property
    def consistent(self) -> bool:
        """True when ``a - b`` has the same strict sign on every seed."""
        return self.difference.low > 0 or self.difference.high < 0

    @property
    def verdict(self) -> str:
        if not self.consistent:
            return f"no consistent difference over {self.difference.n} seeds"
        higher, lower = self.names if self.difference.mean > 0 else self.names[::-1]
        return f"{higher} higher than {lower} on every one of {self.difference.n} seeds"

    @property
    def sign_p_value(self) -> float:
        """Two-sided sign test: how often chance alone gives a split at least this lopsided. A sign that
        holds on all of 3 seeds gives 0.25, on all of 5 seeds 0.0625: "every seed" is not yet a finding."""
        positive = sum(v > 0 for v in self.difference.values)
        negative = sum(v < 0 for v in self.difference.values)
        return _exact_two_sided(min(positive, negative), positive + negative) if positive + negative else 1.0

    def t_interval(self, confidence: float = 0.95) -> Estimate:
        """Student's t interval of the mean of ``a - b`` over the seeds (df = seeds - 1): wide with few
        seeds, as it should be. Assumes the seed-to-seed differences are roughly normal."""
        level = _confidence(confidence)
        values = np.asarray(self.difference.values, dtype=float)
        mean, half = float(values.mean()), 0.0
        if values.size > 1:
            half = _t_quantile(0.5 + level / 2, values.size - 1) * float(values.std(ddof=1)) / math.sqrt(values.size)
        d = self.difference
        return Estimate(mean, mean - half, mean + half, values.size, level, d.scale, d.unit, d.digits)

    def __str__(self) -> str:
        d = self.difference
        s, digits = d.scale, d.digits
        unit = " points" if d.scale == 100 else ""
        return (
            f"{self.names[0]} {self.a}, {self.names[1]} {self.b}; {self.names[0]} - {self.names[1]}: "
            f"{_signed(d.mean * s, digits)}{unit} (range {_signed(d.low * s, digits)}..{_signed(d.high * s, digits)}): "
            f"{self.verdict}"
        )


def paired_seeds(
    a: Sequence[float] | np.ndarray,
    b: Sequence[float] | np.ndarray,
    *,
    names: tuple[str, str] = ("a", "b"),
    percent: bool = False,
    digits: int | None = None,
) -> SeedComparison:
    """Compare two models trained on the same seeds: ``a[i]`` and ``b[i]`` come from seed i.

    With a handful of seeds the honest statement is the range of ``a - b``: "higher on every seed"
    when its sign never changes, else "no consistent difference".
    """
    first, second = _values("a", a), _values("b", b)
    if first.size != second.size:
        raise ValueError(f"a and b must hold one value per seed for the same seeds, got {first.size} and {second.size}")
    names = _names(names)
    return SeedComparison(
        names,
        over_seeds(first, percent=percent, digits=digits),
        over_seeds(second, percent=percent, digits=digits),
        over_seeds(first - second, percent=percent, digits=digits),
    )


def t_interval(values: Sequence[float] | np.ndarray, level: float = 0.95) -> Estimate:
    """The mean of a few values with its Student's t interval (df = n - 1), e.g. one measurement over a few
    batches: :meth:`SeedComparison.t_interval` of the values against 0."""
    values = _values("values", values)
    return paired_seeds(values, np.zeros_like(values)).t_interval(level)


def _incomplete_beta(x: float, a: float, b: float) -> float:
    """The regularised incomplete beta function I_x(a, b) (Lentz's continued fraction)."""
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    if x > (a + 1) / (a + b + 2):  # the fraction converges fast on this side only
        return 1.0 - _incomplete_beta(1.0 - x, b, a)
    front = math.exp(math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)) / a
    tiny, c, d = 1e-300, 1.0, 1.0 - (a + b) * x / (a + 1)
    d = 1.0 / (d if abs(d) > tiny else tiny)
    result = d
    for m in range(1, 500):
        for numerator in (
            m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m)),
            -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1)),
        ):
            d = 1.0 + numerator * d
            d = 1.0 / (d if abs(d) > tiny else tiny)
            c = 1.0 + numerator / c
            c = c if abs(c) > tiny else tiny
            result *= c * d
        if abs(c * d - 1.0) < 1e-15:
            break
    return front * result


def _t_quantile(probability: float, df: int) -> float:
    """Student's t quantile for ``probability`` in (0.5, 1), by bisection on the CDF."""

    def upper_tail(t: float) -> float:
        return 0.5 * _incomplete_beta(df / (df + t * t), df / 2, 0.5)

    low, high = 0.0, 1e6
    for _ in range(200):
        middle = (low + high) / 2
        low, high = (middle, high) if upper_tail(middle) > 1 - probability else (low, middle)
    return (low + high) / 2


# --- exact test ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TestResult:
    """McNemar's exact test: ``only_a`` items where only a's event happened, ``only_b`` where only b's."""

    names: tuple[str, str]
    only_a: int
    only_b: int
    p_value: float
    alpha: float = 0.05

    __test__ = False  # not a pytest test class

    @property
    def detectable(self) -> bool:
        return self.p_value < self.alpha

    @property
    def verdict(self) -> str:
        if not self.detectable:
            return NO_DIFFERENCE
        more = self.names[0] if self.only_a > self.only_b else self.names[1]
        return f"{more} more often"

    def __str__(self) -> str:
        return (
            f"only {self.names[0]}: {self.only_a}, only {self.names[1]}: {self.only_b}; "
            f"exact McNemar p = {self.p_value:.2g}: {self.verdict}"
        )


def _exact_two_sided(k: int, n: int) -> float:
    """Two-sided exact binomial p-value for k of n at p = 1/2 (twice the smaller tail, capped at 1)."""
    if n == 0:
        return 1.0
    tail = sum(math.comb(n, i) for i in range(min(k, n - k) + 1)) / 2**n
    return min(1.0, 2 * tail)


def mcnemar(
    a: Sequence[bool] | np.ndarray,
    b: Sequence[bool] | np.ndarray,
    *,
    names: tuple[str, str] = ("a", "b"),
    alpha: float = 0.05,
) -> TestResult:
    """Exact McNemar test on the same items: does event ``a`` (e.g. "the distillation head disagrees with
    the teacher") happen more or less often than event ``b``? Only items where exactly one of them
    happens count; under "no difference" each of those is a fair coin.

    ``a``, ``b``: one 0/1 (or bool) per item.
    """
    first = _values("a", a, binary=True, min_items=1)
    second = _values("b", b, binary=True, min_items=1)
    if first.size != second.size:
        raise ValueError(
            f"a and b must hold one outcome per item for the same items, got {first.size} and {second.size}"
        )
    names = _names(names)
    if isinstance(alpha, bool) or not isinstance(alpha, numbers.Real) or not 0 < float(alpha) < 0.5:
        raise ValueError(f"alpha must be a number in (0, 0.5), e.g. 0.05, got {alpha!r}")
    only_a = int(np.sum((first == 1) & (second == 0)))
    only_b = int(np.sum((first == 0) & (second == 1)))
    return TestResult(names, only_a, only_b, _exact_two_sided(only_a, only_a + only_b), float(alpha))


_RESULTS = Path(__file__).resolve().parents[1] / "benchmarks" / "results"  # in a checkout, not in a pip install


@dataclass(frozen=True)
class StoredGap:
    """The paired gap of the two arms of one stored seed table, in points: its t interval over the seeds."""

    label: str
    items: int
    interval: Estimate

    def __str__(self) -> str:
        i = self.interval
        return f"{self.label}: {i.n} seeds, {100 * i.estimate:+.1f} points [{100 * i.low:+.1f}, {100 * i.high:+.1f}]"


def stored_gap(name: str, label: str = "", results: Path | None = None) -> StoredGap | None:
    """Read ``benchmarks/results/<name>`` (a table ``| seed | a % | b % | ...`` and "on the N validation
    digits"), turn each accuracy back into a count of the N items, and return the t interval of
    ``a - b`` over the seeds (:meth:`SeedComparison.t_interval`). ``None`` when the file is absent (a
    pip-installed package has no ``benchmarks/``); a ``ValueError`` if a percentage is no count of N."""
    path = (_RESULTS if results is None else Path(results)) / name
    if not path.exists():
        return None
    text = path.read_text()
    found = re.search(r"on the (\d+) validation", text)
    rows = re.findall(r"^\| \d+ \| ([\d.]+) % \| ([\d.]+) % \|", text, re.M)
    if found is None or not rows:
        raise ValueError(f"{path} has no 'on the N validation' count or no seed table")
    items = int(found.group(1))
    arms = [[float(row[arm]) for row in rows] for arm in (0, 1)]
    counts = [[round(share * items / 100) for share in arm] for arm in arms]
    for arm, count in zip(arms, counts, strict=True):
        if any(abs(100 * c / items - share) > 0.05 for c, share in zip(count, arm, strict=True)):
            raise ValueError(f"{path}: the accuracies {arm} are not counts of {items} items (one decimal)")
    fractions = [[c / items for c in count] for count in counts]
    return StoredGap(label or name, items, paired_seeds(*fractions, percent=True).t_interval())

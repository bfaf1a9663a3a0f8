"""vit_explained.evidence against by-hand computations and scipy (a test-only dependency)."""

import math

import numpy as np
import pytest
import torch

from vit_explained import evidence
from vit_explained.evidence import (
    mcnemar,
    mean_interval,
    over_seeds,
    paired_difference,
    paired_ratio,
    paired_seeds,
    proportion,
)


def test_bootstrap_of_two_items_has_the_by_hand_distribution():
    """Resampling [0, 1] twice gives means 0, 1/2, 1 with probabilities 1/4, 1/2, 1/4."""
    means = evidence._bootstrap_means(np.array([0.0, 1.0]), 40_000, seed=0)
    shares = [np.mean(means == value) for value in (0.0, 0.5, 1.0)]
    assert shares == pytest.approx([0.25, 0.5, 0.25], abs=0.01)
    interval = mean_interval([0.0, 1.0], resamples=40_000)
    assert (interval.low, interval.estimate, interval.high) == (0.0, 0.5, 1.0)


@pytest.mark.parametrize("successes, n", [(13, 20), (0, 20), (20, 20), (180, 200), (300, 1000), (1, 3)])
@pytest.mark.parametrize("confidence", [0.95, 0.9])
def test_proportion_is_wilsons_interval_as_scipy_computes_it(successes, n, confidence):
    from scipy import stats

    outcomes = np.arange(n) < successes
    ours = proportion(outcomes, confidence=confidence)
    theirs = stats.binomtest(successes, n).proportion_ci(confidence_level=confidence, method="wilson")
    assert ours.estimate == successes / n
    assert ours.low == pytest.approx(theirs.low, abs=1e-12) and ours.high == pytest.approx(theirs.high, abs=1e-12)


def test_a_proportion_of_zero_has_an_honest_interval():
    """A bootstrap would say [0, 0]; 0 of 20 is compatible with up to about 16 %."""
    interval = proportion([0] * 20)
    assert interval.low == 0 and 0.15 < interval.high < 0.17
    assert str(interval) == "0.0 %, 95 % interval [0.0, 16.1] % (n = 20)"


def test_proportion_is_close_to_the_normal_approximation_by_hand():
    share, n = 0.64, 400
    half = 1.96 * math.sqrt(share * (1 - share) / n)
    interval = proportion(np.arange(n) < share * n)
    assert interval.low == pytest.approx(share - half, abs=0.005)
    assert interval.high == pytest.approx(share + half, abs=0.005)


def test_paired_difference_matches_scipy_paired_bootstrap():
    from scipy import stats

    rng = np.random.default_rng(3)
    a = rng.normal(0.5, 0.1, size=300)
    b = a - 0.02 + rng.normal(0, 0.05, size=300)
    ours = paired_difference(a, b, names=("A", "B"))
    theirs = stats.bootstrap(
        (a, b), lambda x, y: np.mean(x - y), paired=True, method="percentile", rng=np.random.default_rng(0)
    ).confidence_interval
    assert ours.difference.low == pytest.approx(theirs.low, abs=0.002)
    assert ours.difference.high == pytest.approx(theirs.high, abs=0.002)
    assert ours.detectable and ours.verdict == "A higher than B"
    assert str(ours).startswith("A - B: +0.0")


def test_the_review_example_reads_no_detectable_difference():
    """Two maps that hit ink on 13 and 12 of 20 digits (different digits): 0 is inside the interval."""
    a = np.array([1] * 13 + [0] * 7)
    b = np.array([1] * 6 + [0] * 7 + [1] * 6 + [0])
    comparison = paired_difference(a, b, names=("gradient-weighted", "raw attention"), percent=True)
    assert not comparison.detectable
    assert comparison.verdict == evidence.NO_DIFFERENCE
    assert comparison.difference.low < 0 < comparison.difference.high
    assert str(comparison).endswith(": no detectable difference")
    assert " points, 95 % interval [" in str(comparison)


def test_pairing_matters():
    """The same two columns, shuffled apart, give a wider interval: the pairs are kept together."""
    rng = np.random.default_rng(0)
    base = rng.normal(size=200)
    a, b = base + 0.1, base + rng.normal(0, 0.05, size=200)
    paired = paired_difference(a, b).difference
    assert paired.low > 0
    assert paired.high - paired.low < 0.05


def test_results_are_seeded_and_deterministic():
    outcomes = np.random.default_rng(0).random(50) < 0.5
    assert proportion(outcomes) == proportion(outcomes)
    assert paired_difference(outcomes, outcomes[::-1]) == paired_difference(outcomes, outcomes[::-1])
    assert str(mean_interval([1.0, 2.0, 3.5, 4.0])) == str(mean_interval([1.0, 2.0, 3.5, 4.0]))


def test_inputs_of_every_kind_give_the_same_answer():
    values = [1, 0, 1, 1, 0, 1]
    expected = proportion(values)
    assert proportion(np.array(values, dtype=bool)) == expected
    assert proportion(torch.tensor(values)) == expected
    assert proportion(tuple(float(v) for v in values)) == expected


def test_seed_summaries():
    summary = over_seeds([0.97, 0.98, 0.975], percent=True)
    assert summary.mean == pytest.approx(0.975) and (summary.low, summary.high) == (0.97, 0.98)
    assert str(summary) == "97.5 % (3 seeds: 97.0..98.0)"
    same_sign = paired_seeds([0.97, 0.98, 0.975], [0.96, 0.975, 0.97], names=("ViT", "CNN"), percent=True)
    assert same_sign.consistent and same_sign.verdict == "ViT higher than CNN on every one of 3 seeds"
    mixed = paired_seeds([0.97, 0.95, 0.975], [0.96, 0.975, 0.97], names=("ViT", "CNN"))
    assert not mixed.consistent and mixed.verdict == "no consistent difference over 3 seeds"
    assert "range -0.025..+0.010" in str(mixed)


@pytest.mark.parametrize("only_a, only_b", [(6, 0), (10, 4), (0, 0), (3, 3), (1, 12), (40, 25)])
def test_mcnemar_equals_scipy_exact_binomial_test(only_a, only_b):
    from scipy import stats

    both = 7
    a = np.array([1] * only_a + [0] * only_b + [1] * both + [0] * 5)
    b = np.array([0] * only_a + [1] * only_b + [1] * both + [0] * 5)
    result = mcnemar(a, b, names=("distillation head", "class head"))
    assert (result.only_a, result.only_b) == (only_a, only_b)
    expected = 1.0 if only_a + only_b == 0 else stats.binomtest(only_a, only_a + only_b, 0.5).pvalue
    assert result.p_value == pytest.approx(expected, rel=1e-12)
    assert result.detectable == (expected < 0.05)


def test_the_review_distillation_example_is_not_a_finding():
    """10 vs 4 disagreements with the teacher, none shared: exact p ~ 0.18."""
    a = np.array([1] * 10 + [0] * 4 + [0] * 86)
    b = np.array([0] * 10 + [1] * 4 + [0] * 86)
    result = mcnemar(a, b, names=("distillation head", "class head"))
    assert result.p_value == pytest.approx(0.1796, abs=1e-4)
    assert str(result).endswith("exact McNemar p = 0.18: no detectable difference")


@pytest.mark.parametrize(
    "call, error, words",
    [
        (lambda: proportion(0.7), TypeError, "sequence of numbers"),
        (lambda: proportion("0101"), TypeError, "sequence of numbers"),
        (lambda: proportion([0, 1, 2]), ValueError, "only 0/1"),
        (lambda: proportion([1]), ValueError, "at least 2 items"),
        (lambda: proportion([[0, 1], [1, 1]]), ValueError, "1-D"),
        (lambda: proportion([0, 1], confidence=95), ValueError, "0.95"),
        (lambda: mean_interval([0, 1], resamples=10), ValueError, "resamples"),
        (lambda: mean_interval([1.0, float("nan")]), ValueError, "nan"),
        (lambda: mean_interval(["a", "b"]), TypeError, "numbers only"),
        (lambda: paired_difference([1, 0, 1], [1, 0]), ValueError, "same items, got 3 and 2"),
        (lambda: paired_difference([1, 0], [1, 0], names="AB"), TypeError, "two non-empty strings"),
        (lambda: paired_difference([1, 0], [1, 0], percent="yes"), TypeError, "percent"),
        (lambda: paired_seeds([0.9, 0.8, 0.7], [0.9, 0.8]), ValueError, "same seeds"),
        (lambda: mcnemar([1, 0], [1, 0, 1]), ValueError, "same items"),
        (lambda: mcnemar([1, 0], [1, 0], alpha=5), ValueError, "alpha"),
    ],
)
def test_bad_input_gets_a_clear_error(call, error, words):
    with pytest.raises(error, match=words):
        call()


@pytest.mark.parametrize("values", [[0.01, 0.02, 0.015], [-0.047, 0.001, -0.02, -0.01], [0.3, -0.1, 0.2, 0.25, 0.4]])
@pytest.mark.parametrize("confidence", [0.9, 0.95, 0.99])
def test_seed_t_interval_equals_scipy(values, confidence):
    import scipy.stats

    result = paired_seeds(values, [0.0] * len(values)).t_interval(confidence)
    low, high = scipy.stats.t.interval(confidence, len(values) - 1, loc=np.mean(values), scale=scipy.stats.sem(values))
    assert (result.low, result.high) == (pytest.approx(low, abs=1e-9), pytest.approx(high, abs=1e-9))
    assert result.estimate == pytest.approx(np.mean(values)) and result.n == len(values)


def test_every_one_of_three_seeds_is_not_yet_a_finding():
    three = paired_seeds([0.97, 0.98, 0.975], [0.96, 0.975, 0.97])
    assert three.consistent and three.sign_p_value == pytest.approx(0.25)
    five = paired_seeds([0.9] * 5, [0.8] * 5)
    assert five.sign_p_value == pytest.approx(0.0625)
    assert paired_seeds([0.9, 0.8, 0.9], [0.9, 0.8, 0.9]).sign_p_value == 1.0  # no seed differs
    assert paired_seeds([0.9, 0.7], [0.8, 0.8]).sign_p_value == pytest.approx(1.0)


# --- paired_ratio ----------------------------------------------------------------------------------------


def test_paired_ratio_matches_a_by_hand_bootstrap():
    rng = np.random.default_rng(5)
    bottom = rng.normal(1.0, 0.5, 60)
    top = 0.7 * bottom + rng.normal(0.0, 0.2, 60)
    result = paired_ratio(top, bottom, resamples=2_000, seed=3)
    draw = np.random.default_rng(3).integers(0, 60, size=(2_000, 60))  # one chunk: the same draws by hand
    by_hand = np.array([top[row].mean() / bottom[row].mean() for row in draw])
    assert result.estimate == pytest.approx(top.mean() / bottom.mean())
    assert (result.low, result.high) == pytest.approx(tuple(np.quantile(by_hand, [0.025, 0.975])))
    assert result.low < result.estimate < result.high and result.n == 60
    assert paired_ratio(top, bottom, resamples=2_000, seed=3) == result  # deterministic


def test_paired_ratio_of_proportional_items_has_no_width_and_prints_percent():
    bottom = np.array([1.0, 2.0, 3.0, 4.0])
    result = paired_ratio(0.25 * bottom, bottom, percent=True, resamples=500)
    assert result.low == pytest.approx(0.25) and result.high == pytest.approx(0.25)
    assert str(result) == "25.0 %, 95 % interval [25.0, 25.0] % (n = 4)"


def test_paired_ratio_refuses_bad_input():
    with pytest.raises(ValueError, match="same items"):
        paired_ratio([1.0, 2.0, 3.0], [1.0, 2.0])
    with pytest.raises(ValueError, match="mean is 0"):
        paired_ratio([1.0, 2.0], [1.0, -1.0])
    with pytest.raises(ValueError, match="crosses 0"):
        paired_ratio([1.0, 2.0, 3.0], [2.0, -1.0, 0.5])
    with pytest.raises(TypeError, match="percent"):
        paired_ratio([1.0, 2.0], [1.0, 2.0], percent="yes")
    with pytest.raises(TypeError, match="numerator"):
        paired_ratio("abc", [1.0, 2.0])
    with pytest.raises(ValueError, match="nan"):
        paired_ratio([1.0, float("nan")], [1.0, 2.0])


def test_stored_gap_reads_counts_of_the_stated_items(tmp_path):
    """Accuracies turn back into counts of N items; the interval is the seeds' t interval of the gap."""
    table = "Accuracy on the 4 validation digits.\n\n| seed | a | b |\n|---|---|---|\n"
    rows = [(100.0, 50.0), (75.0, 50.0), (75.0, 25.0)]  # a - b = 2, 1, 2 digits of 4
    (tmp_path / "run.md").write_text(table + "".join(f"| {i} | {a} % | {b} % | x |\n" for i, (a, b) in enumerate(rows)))
    gap = evidence.stored_gap("run.md", "a vs b", results=tmp_path)
    expected = paired_seeds([1.0, 0.75, 0.75], [0.5, 0.5, 0.25], percent=True).t_interval()
    assert gap is not None and gap.items == 4 and gap.interval == expected
    assert str(gap).startswith("a vs b: 3 seeds, +41.7 points [")
    assert evidence.stored_gap("absent.md", results=tmp_path) is None
    (tmp_path / "bad.md").write_text(table + "| 0 | 60.0 % | 50.0 % | x |\n")  # 60 % is no count of 4
    with pytest.raises(ValueError, match="not counts of 4"):
        evidence.stored_gap("bad.md", results=tmp_path)


def test_stored_gap_of_lesson07s_runs():
    gap = evidence.stored_gap("t2t_overlap_control.md")
    if gap is None:
        pytest.skip("no benchmarks/results (not a checkout)")
    assert (gap.items, gap.interval.n) == (180, 6) and str(gap).endswith("+3.1 points [+2.5, +3.8]")


def test_proportion_difference_matches_newcombe():
    from vit_explained.evidence import proportion_difference

    d = proportion_difference(100, 100, 95, 100)  # Newcombe (1998) method 10: [+0.3, +11.2] points
    assert round(100 * d.estimate, 1) == 5.0 and (round(100 * d.low, 1), round(100 * d.high, 1)) == (0.3, 11.2)
    wide = proportion_difference(100, 100, 95, 100, confidence=1 - 0.05 / 45)  # Bonferroni over 45 pairs
    assert wide.low < 0 < wide.high and wide.high > d.high
    same = proportion_difference(50, 100, 50, 100)
    assert same.estimate == 0 and abs(same.low + same.high) < 1e-12
    with pytest.raises(ValueError, match="must not exceed n"):
        proportion_difference(101, 100, 95, 100)
    with pytest.raises(TypeError, match="n_a must be an int"):
        proportion_difference(1, 2.0, 1, 2)


def test_t_interval_of_a_few_values_matches_scipy():
    from scipy import stats

    values = [31.0, 35.5, 28.0, 40.0, 33.0, 29.5, 36.0, 30.5]
    got = evidence.t_interval(values)
    low, high = stats.t.interval(0.95, len(values) - 1, loc=np.mean(values), scale=stats.sem(values))
    assert got.estimate == pytest.approx(np.mean(values))
    assert (got.low, got.high) == (pytest.approx(low, rel=1e-6), pytest.approx(high, rel=1e-6))
    assert evidence.t_interval(values, 0.9).high < got.high

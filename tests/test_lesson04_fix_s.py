"""Lesson 04, fix round s: the lr 5e-3 training finding as a paired accuracy gap with its interval per warm-up,
and Fisher's exact p for the near-chance counts (3 runs per design: p = 0.10 at best)."""

from __future__ import annotations

import statistics

from vit_explained.norm_placement import fisher_exact, stored_norm_training_runs, training_summary


def test_high_lr_gap_per_warmup_has_an_interval_above_zero() -> None:
    summary = training_summary(stored_norm_training_runs())
    assert list(summary.high_intervals) == [0, 50, 150]
    rounded = {w: [round(100 * v, 0) for v in (t.estimate, t.low, t.high)] for w, t in summary.high_intervals.items()}
    assert rounded == {0: [64, 51, 78], 50: [71, 59, 83], 150: [69, 55, 83]}
    for warmup, interval in summary.high_intervals.items():
        pre, post = (
            [run["val_accuracy"] for run in summary.seeds[(name, warmup, 5e-3)]] for name in ("pre-norm", "post-norm")
        )
        assert abs(interval.estimate - statistics.mean(a - b for a, b in zip(pre, post, strict=True))) < 1e-12
        assert interval.low > 0
    assert "lr 5e-3, accuracy pre-norm - post-norm" in summary.text and "+64.4 [+51.0, +77.8]" in summary.text


def test_fisher_p_per_warmup_is_printed_and_is_the_floor_for_three_runs() -> None:
    summary = training_summary(stored_norm_training_runs())
    assert summary.fisher == {0: fisher_exact(3, 3, 0, 3), 50: fisher_exact(3, 3, 0, 3), 150: fisher_exact(3, 3, 0, 3)}
    assert round(fisher_exact(3, 3, 0, 3), 10) == 0.1
    assert summary.text.count("(p = 0.10)") == 3 and "smallest 3 runs per design can give" in summary.text

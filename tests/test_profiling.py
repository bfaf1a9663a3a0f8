"""profile_attention measures what attention_cost predicts: the explicit path holds the N x N matrix."""

import time

import pytest
import torch

from vit_explained.cost import attention_cost
from vit_explained.profiling import AttentionProfile, median_seconds, memory_use, profile_attention


def test_memory_use_sees_known_allocations():
    assert memory_use(lambda: torch.empty(1000, 1000)) == (4_000_000, 4_000_000)

    def allocate_and_free():
        first = torch.empty(1000, 1000)  # 4 MB
        second = torch.empty(500, 1000)  # + 2 MB: the peak, 6 MB
        del first
        return second, torch.empty(100, 1000)  # + 0.4 MB after 4 MB were freed

    assert memory_use(allocate_and_free) == (6_000_000, 6_400_000)


def test_memory_use_ignores_what_existed_before():
    existing = torch.ones(1000, 1000)
    assert memory_use(lambda: existing.sum()).peak_bytes < 1000


def test_median_seconds_interleaves_and_takes_the_median():
    calls = []
    seconds = median_seconds({"a": lambda: calls.append("a"), "b": lambda: calls.append("b")}, repeats=3, warmup=1)
    assert calls == ["a", "b", "b", "a"] * 2  # each round starts one function later
    assert set(seconds) == {"a", "b"}
    assert all(0 <= value < 0.1 for value in seconds.values())


def test_median_seconds_can_take_the_fastest_run():
    delays = iter([0.03, 0.0, 0.03])  # one fast run among slow ones: the median is slow, the minimum fast
    function = {"f": lambda: time.sleep(next(delays))}
    assert median_seconds(function, repeats=3, warmup=0, summary="min")["f"] < 0.02
    delays = iter([0.03, 0.0, 0.03])
    assert median_seconds(function, repeats=3, warmup=0)["f"] >= 0.03
    with pytest.raises(ValueError, match="summary must be 'median' or 'min'"):
        median_seconds(function, summary="mean")
    rows = profile_attention([8, 16], dim=8, heads=2, repeats=2, summary="min")
    assert [row.num_tokens for row in rows] == [8, 16]


def test_median_seconds_adds_rounds_for_fast_functions():
    calls = []
    # 1 ms calls against a 0.5 s budget: more than the 2 repeats even when a loaded machine stretches each sleep
    # many times over (two rounds would have to take 0.25 s each); at most max_repeats rounds
    sleeper = {"fast": lambda: calls.append(time.sleep(0.001))}
    median_seconds(sleeper, repeats=2, warmup=0, min_seconds=0.5, max_repeats=40)
    assert 3 <= len(calls) <= 40
    calls.clear()
    median_seconds({"fast": lambda: calls.append(None)}, repeats=2, warmup=0, min_seconds=10.0, max_repeats=7)
    assert len(calls) == 7
    with pytest.raises(ValueError, match="min_seconds must be a number >= 0"):
        median_seconds({"fast": lambda: None}, min_seconds=-1)


def test_rows_match_the_explicit_attention_matrix():
    rows = profile_attention([64, 128, 256], dim=32, heads=4, batch=2, repeats=2)
    assert [row.num_tokens for row in rows] == [64, 128, 256]
    for row in rows:
        assert isinstance(row, AttentionProfile)
        assert (row.dim, row.heads, row.batch) == (32, 4, 2)
        assert row.matrix_bytes == 2 * attention_cost(row.num_tokens, 32, 4).matrix_bytes
        # scores and softmax weights are both alive at the softmax: at least one matrix, at most a few
        assert row.matrix_bytes <= row.explicit_peak_bytes <= 3 * row.matrix_bytes + 1_000_000
        assert row.explicit_allocated_bytes >= 2 * row.matrix_bytes
        assert row.explicit_seconds > 0 and row.fused_seconds > 0
    largest = rows[-1]
    assert largest.fused_peak_bytes < largest.matrix_bytes / 4  # the fused kernel never stores the matrix
    assert largest._asdict()["num_tokens"] == 256


def test_explicit_peak_grows_with_n_squared():
    small, large = profile_attention([200, 800], dim=16, heads=2, repeats=1)
    assert 12 < large.explicit_peak_bytes / small.explicit_peak_bytes <= 16


def test_threads_are_restored():
    before = torch.get_num_threads()
    profile_attention([8], dim=8, heads=2, repeats=1, threads=1)
    assert torch.get_num_threads() == before


def test_weights_do_not_depend_on_global_random_state():
    torch.manual_seed(5)
    expected = torch.rand(2)
    torch.manual_seed(5)
    profile_attention([8], dim=8, heads=2, repeats=1)
    assert torch.equal(torch.rand(2), expected)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"num_tokens_list": []}, ValueError, "non-empty list of token counts"),
        ({"num_tokens_list": 196}, ValueError, "non-empty list of token counts"),
        ({"num_tokens_list": [196, 0]}, ValueError, "num_tokens must be a positive int, got 0"),
        ({"dim": 30, "heads": 4}, ValueError, "dim 30 is not divisible by heads 4"),
        ({"repeats": 0}, ValueError, "repeats must be a positive int"),
        ({"batch": 1.5}, TypeError, "batch must be a positive int"),
        ({"threads": 0}, ValueError, "threads must be a positive int"),
    ],
)
def test_bad_input(kwargs, error, match):
    arguments = {"num_tokens_list": [8], "dim": 8, "heads": 2} | kwargs
    with pytest.raises(error, match=match):
        profile_attention(**arguments)


def test_memory_use_rejects_other_devices():
    with pytest.raises(ValueError, match="'cpu' or 'cuda'"):
        memory_use(lambda: None, device="meta")

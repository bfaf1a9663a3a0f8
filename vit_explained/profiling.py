"""Measured time and memory of self-attention as the token count grows: explicit vs fused path.

:func:`profile_attention` runs the package's :class:`~vit_explained.Attention` on ``(B, N, dim)``
tokens for several N, once with the explicit path (scores, softmax, weighted sum: the
``(B, heads, N, N)`` attention matrix is stored) and once with the fused path
(``F.scaled_dot_product_attention``, which never stores it), and returns one
:class:`AttentionProfile` row per N. The analytic counterpart is :func:`vit_explained.cost.attention_cost`.

Times are medians over repeats that alternate the two paths, so a slow moment of a shared
machine hits both alike. Memory is what the forward pass allocates beyond its inputs: on the
CPU read from the PyTorch profiler's allocation records, on a GPU from ``torch.cuda``'s counters.
Measured numbers depend on the machine; their ratios and growth are the point.
"""

from __future__ import annotations

import contextlib
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, NamedTuple

import torch

from . import _checks
from .attention import Attention
from .cost import attention_cost


class MemoryUse(NamedTuple):
    """Memory one call allocated beyond what existed before it, in bytes.

    ``peak_bytes``: the most held at any moment during the call. ``allocated_bytes``: the sum of
    every allocation made during the call (memory traffic; freed blocks count too).
    """

    peak_bytes: int
    allocated_bytes: int


class AttentionProfile(NamedTuple):
    """One row of :func:`profile_attention`: one token count N, both paths.

    Times in seconds (median), memory in bytes (see :class:`MemoryUse`). ``matrix_bytes`` is the
    analytic size of the ``(B, heads, N, N)`` attention matrix from
    :func:`~vit_explained.cost.attention_cost` times the batch. ``row._asdict()`` gives a dict.
    """

    num_tokens: int
    dim: int
    heads: int
    batch: int
    explicit_seconds: float
    fused_seconds: float
    explicit_peak_bytes: int
    fused_peak_bytes: int
    explicit_allocated_bytes: int
    fused_allocated_bytes: int
    matrix_bytes: int


def _synchronize(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def median_seconds(
    functions: dict[str, Callable[[], Any]],
    repeats: int = 5,
    warmup: int = 1,
    device: torch.device | str = "cpu",
    min_seconds: float = 0.0,
    max_repeats: int = 200,
    summary: str = "median",
) -> dict[str, float]:
    """Median wall time of each zero-argument function, in seconds (``summary="min"``: the fastest run).

    The functions run in turns, ``warmup`` untimed rounds first, then at least ``repeats`` timed
    rounds, so that a slow moment of the machine hits every function alike. Each round starts one
    function later (``a, b, c`` then ``b, c, a`` then ``c, a, b`` ...), so no function always runs
    right after the same other one (whose cache and allocator traces it would inherit).
    Fast functions get more rounds: timing goes on until the timed rounds add up to ``min_seconds``
    (or ``max_repeats`` rounds are done), which steadies the median of sub-millisecond calls.
    On a shared machine other work only ever adds time, so the minimum of many cheap runs is the
    steadier estimate of what the call itself costs (``summary="min"``).
    """
    if summary not in ("median", "min"):
        raise ValueError(f"summary must be 'median' or 'min', got {summary!r}")
    if not isinstance(functions, dict) or not functions:
        raise ValueError(f"functions must be a non-empty dict {{name: function}}, got {functions!r}")
    repeats = _checks.positive_int("repeats", repeats)
    warmup = _checks.non_negative_int("warmup", warmup)
    max_repeats = max(_checks.positive_int("max_repeats", max_repeats), repeats)
    if isinstance(min_seconds, bool) or not isinstance(min_seconds, (int, float)) or min_seconds < 0:
        raise ValueError(f"min_seconds must be a number >= 0, got {min_seconds!r}")
    device = torch.device(device)
    times: dict[str, list[float]] = {name: [] for name in functions}
    timed_total, round_index = 0.0, 0
    names = list(functions)
    while round_index < warmup + repeats or (timed_total < min_seconds and round_index < warmup + max_repeats):
        shift = round_index % len(names)
        for name in names[shift:] + names[:shift]:
            function = functions[name]
            _synchronize(device)
            start = time.perf_counter()
            function()
            _synchronize(device)
            if round_index >= warmup:
                elapsed = time.perf_counter() - start
                times[name].append(elapsed)
                timed_total += elapsed
        round_index += 1
    reduce = statistics.median if summary == "median" else min
    return {name: reduce(values) for name, values in times.items()}


@contextlib.contextmanager
def _quiet_stderr() -> Iterator[None]:
    """Send what C++ code writes to file descriptor 2 to /dev/null for a moment (Python's
    ``sys.stderr`` in Jupyter is not that descriptor and is not affected)."""
    try:
        saved = os.dup(2)
    except OSError:  # no stderr at all: nothing to silence
        yield
        return
    sys.stderr.flush()
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 2)
            yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def memory_use(function: Callable[[], Any], device: torch.device | str = "cpu") -> MemoryUse:
    """Measure the memory one call of ``function()`` allocates on ``device`` beyond what existed before.

    CPU: runs the call under the PyTorch profiler with ``profile_memory=True`` and adds up its
    allocation and free records in order (only PyTorch tensors are seen, not Python objects). CUDA:
    ``torch.cuda.max_memory_allocated`` after resetting the peak. The result of the call is
    released before returning, but it counts towards the peak.
    """
    device = torch.device(device)
    if device.type == "cuda":
        _synchronize(device)
        torch.cuda.reset_peak_memory_stats(device)
        before = torch.cuda.memory_allocated(device)
        allocated_before = torch.cuda.memory_stats(device).get("allocated_bytes.all.allocated", 0)
        function()
        _synchronize(device)
        peak = torch.cuda.max_memory_allocated(device) - before
        allocated = torch.cuda.memory_stats(device).get("allocated_bytes.all.allocated", 0) - allocated_before
        return MemoryUse(int(peak), int(allocated))
    if device.type != "cpu":
        raise ValueError(f"memory_use measures 'cpu' or 'cuda' devices, got {device.type!r}")
    # The autograd profiler with kineto records every allocation and free; torch.profiler.profile
    # would do the same but first imports torch._inductor (seconds on a busy machine).
    profiler = torch.autograd.profiler.profile(use_kineto=True, profile_memory=True)
    with _quiet_stderr():  # kineto logs "profiler_start" / "profiler_stop" lines to the process's stderr
        profiler.__enter__()
    try:
        function()
    finally:
        with _quiet_stderr():
            profiler.__exit__(None, None, None)
    with tempfile.TemporaryDirectory() as folder:
        trace_path = Path(folder) / "trace.json"
        profiler.export_chrome_trace(str(trace_path))
        events = json.loads(trace_path.read_text())["traceEvents"]
    records = [event for event in events if event.get("name") == "[memory]" and "Bytes" in event.get("args", {})]
    records.sort(key=lambda event: (event["args"].get("Ev Idx", 0), event.get("ts", 0)))
    held = peak = allocated = 0
    for event in records:
        if event["args"].get("Device Type", 0) != 0:  # 0 is the CPU in the trace
            continue
        change = int(event["args"]["Bytes"])  # > 0 an allocation, < 0 a free
        held += change
        peak = max(peak, held)
        allocated += max(change, 0)
    return MemoryUse(peak, allocated)


def profile_attention(
    num_tokens_list: Sequence[int],
    dim: int,
    heads: int,
    *,
    batch: int = 1,
    repeats: int = 5,
    warmup: int = 1,
    min_seconds: float = 0.05,
    qkv_bias: bool = True,
    device: torch.device | str = "cpu",
    seed: int = 0,
    threads: int | None = 1,
    summary: str = "median",
) -> list[AttentionProfile]:
    """Time and memory of one :class:`~vit_explained.Attention` forward pass, explicit vs fused path.

    For each N in ``num_tokens_list`` the same module (width ``dim``, ``heads`` heads, random
    weights from ``seed``) runs on random tokens ``(batch, N, dim)`` without autograd. Returns one
    :class:`AttentionProfile` per N, in the given order: median seconds over at least ``repeats``
    interleaved runs (more for small N, until the runs of one N add up to ``min_seconds``), and
    the peak / total memory allocated beyond the input (the explicit path holds the
    ``(batch, heads, N, N)`` scores and weights; ``matrix_bytes`` is their analytic size).
    On the CPU, ``threads`` sets torch's thread count while measuring (restored afterwards): one
    thread by default, because on a busy machine a parallel kernel waits for its slowest thread
    and the timings scatter; ``None`` keeps the current setting. ``summary="min"`` reports the
    fastest run instead of the median (see :func:`median_seconds`).

    >>> rows = profile_attention([16, 32], dim=8, heads=2, repeats=1)
    >>> [row.num_tokens for row in rows], rows[1].matrix_bytes  # 2 heads x 32 x 32 floats
    ([16, 32], 8192)
    """
    counts = _token_counts(num_tokens_list)
    batch = _checks.positive_int("batch", batch)
    _checks.positive_int("repeats", repeats)
    _checks.non_negative_int("warmup", warmup)
    _checks.divisible_by_heads(dim, heads)
    device = torch.device(device)
    if threads is not None:
        threads = _checks.positive_int("threads", threads)
    generator = torch.Generator().manual_seed(seed)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        module = Attention(dim, heads, qkv_bias=qkv_bias).to(device).eval()
    timing = {"repeats": repeats, "warmup": warmup, "device": device, "min_seconds": min_seconds, "summary": summary}

    def measure(n: int) -> AttentionProfile:
        return _profile_tokens(module, torch.randn(batch, n, dim, generator=generator).to(device), timing)

    threads_before = torch.get_num_threads()
    if threads is not None and device.type == "cpu":
        torch.set_num_threads(threads)
    try:
        with torch.no_grad():
            return [measure(n) for n in counts]
    finally:
        torch.set_num_threads(threads_before)


def _token_counts(num_tokens_list: Sequence[int]) -> list[int]:
    """``num_tokens_list`` checked: a non-empty sequence of positive token counts."""
    if isinstance(num_tokens_list, (int, str)) or not isinstance(num_tokens_list, Sequence) or not num_tokens_list:
        raise ValueError(
            f"num_tokens_list must be a non-empty list of token counts such as [196, 784], got {num_tokens_list!r}"
        )
    return [_checks.positive_int("num_tokens", n) for n in num_tokens_list]


def _profile_tokens(module: Attention, tokens: torch.Tensor, timing: dict[str, Any]) -> AttentionProfile:
    """Time and memory of ``module`` on ``tokens`` ``(B, N, D)``, explicit and fused paths.

    ``timing`` holds :func:`median_seconds`'s ``repeats``, ``warmup``, ``device``, ``min_seconds`` and ``summary``.
    """

    def run(fused: bool) -> Callable[[], torch.Tensor]:
        def call() -> torch.Tensor:
            module.fused = fused
            return module(tokens)

        return call

    batch, n, dim = tokens.shape
    calls = {"explicit": run(False), "fused": run(True)}
    seconds = median_seconds(calls, **timing)
    explicit, fused = memory_use(calls["explicit"], timing["device"]), memory_use(calls["fused"], timing["device"])
    return AttentionProfile(
        num_tokens=n,
        dim=dim,
        heads=module.heads,
        batch=batch,
        explicit_seconds=seconds["explicit"],
        fused_seconds=seconds["fused"],
        explicit_peak_bytes=explicit.peak_bytes,
        fused_peak_bytes=fused.peak_bytes,
        explicit_allocated_bytes=explicit.allocated_bytes,
        fused_allocated_bytes=fused.allocated_bytes,
        matrix_bytes=attention_cost(n, dim, module.heads, batch=batch).matrix_bytes,
    )

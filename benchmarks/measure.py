"""Timing within a budget: repeat while the repetitions fit, and say when they did not.

Every figure gets about `budget` seconds: runs go on until the next would end
past it, but there are at least `least` of them unless the first alone took
longer than the budget. A query answered in about a second with a 20 s
budget gets some 20 samples instead of 50, a 35 s import one repetition
instead of 5. A figure measured fewer times than asked says so in
`Timings.note`.
"""

from __future__ import annotations

import math
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")
MIN_SAMPLES = 3  # fewer only when a single sample takes longer than the budget


@dataclass(frozen=True)
class Timings:
    seconds: list[float]
    asked: int
    note: str | None  # why fewer than asked, if so

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    def percentile(self, share: float) -> float:
        """Nearest rank: with fewer than 100 samples, p99 is the slowest."""
        ordered = sorted(self.seconds)
        return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def enough(seconds: list[float], elapsed: float, budget: float, least: int) -> bool:
    """After `seconds` (the runs so far, `elapsed` in all), would one more run overrun the budget?"""
    if not seconds:
        return False
    if seconds[0] > budget:
        return True
    return len(seconds) >= least and elapsed + statistics.median(seconds) > budget


def repeat(work: Callable[[], object], asked: int, budget: float, least: int = 1,
           what: str = "") -> Timings:
    """Time `work` up to `asked` times within `budget` seconds."""
    return sample([work] * asked, budget, least, what)


def sample(works: Sequence[Callable[[], object]], budget: float, least: int = MIN_SAMPLES,
           what: str = "") -> Timings:
    """Time each of `works` in turn, as many as fit in `budget`."""
    return again([], lambda work: timed(work), works, budget, least, what)


def again(seconds: list[float], run: Callable[[T], float], items: Sequence[T], budget: float, least: int,
          what: str) -> Timings:
    """Timings of `run` on `items` (each timing itself), after the `seconds`
    already measured for the first items, as many as fit in `budget`."""
    seconds = list(seconds)
    started = time.perf_counter() - sum(seconds)
    for item in items[len(seconds):]:
        if enough(seconds, time.perf_counter() - started, budget, least):
            break
        seconds.append(run(item))
    return cut(seconds, len(items), budget, least, what)


def cut(seconds: list[float], asked: int, budget: float, least: int, what: str) -> Timings:
    """Timings, with a note when there are fewer than asked."""
    note = None
    if len(seconds) < asked:
        kind = "samples" if least > 1 else "repetitions"
        note = f"{what}: {len(seconds)} of {asked} {kind} (one took {_duration(seconds[0])}, budget {budget:.0f} s)"
    return Timings(seconds, asked, note)


def timed(work: Callable[[], object]) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def _duration(seconds: float) -> str:
    return f"{seconds:.1f} s" if seconds >= 1 else f"{seconds * 1000:.0f} ms"

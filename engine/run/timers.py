"""Cheap timers for "where the time went" (`aurum loadtest`): each shard's physics, failure
modes, sensors and risk scoring in CPU seconds, and each process's peak memory."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from aurum.twins.shard import Shard
from aurum.twins.system import SiteShard

# Shard methods timed in every shard ("where the time went"), when the shard has them.
SHARD_TIMERS = (
    ("step", "physics"),
    ("_degrade", "failure_modes"),
    ("report", "sensors"),
)
SCORING_TIMERS = ("observe", "finish")  # methods of the shard's risk scoring, if it scores


def instrument(shard: Shard | SiteShard) -> dict[str, float]:
    """Time the shard's physics, failure modes, sensors (and scoring): CPU seconds by part
    (a site system's kinds summed)."""
    timers: dict[str, float] = {}
    for part in shard.parts.values() if isinstance(shard, SiteShard) else [shard]:
        _instrument(part, timers)
    timers["epoch"] = 0.0
    return timers


def _instrument(shard: Shard, timers: dict[str, float]) -> None:
    for method, label in SHARD_TIMERS:
        inner = getattr(shard, method, None)
        if callable(inner):
            timers.setdefault(label, 0.0)
            setattr(shard, method, _timed(inner, label, timers))
    scoring = getattr(shard, "scoring", None)
    if scoring is not None:
        timers.setdefault("scoring", 0.0)
        for method in SCORING_TIMERS:
            inner = getattr(scoring, method, None)
            if callable(inner):
                setattr(scoring, method, _timed(inner, "scoring", timers))


def _timed(inner: Callable[..., Any], label: str, timers: dict[str, float]) -> Callable[..., Any]:
    """CPU seconds of this thread (not wall time: with more shards than cores, a shard waiting
    for a core is not charged to its physics)."""

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        t = time.thread_time()
        try:
            return inner(*args, **kwargs)
        finally:
            timers[label] += time.thread_time() - t

    return wrapper


def peak_rss_mib() -> float:
    """This process's peak resident memory (Linux reports ru_maxrss in KiB)."""
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def sum_timers(timers: list[dict[str, float]]) -> dict[str, float]:
    out: dict[str, float] = {}
    for t in timers:
        for k, v in t.items():
            out[k] = out.get(k, 0.0) + v
    return out

"""A shipped scenario described from what it simulates, not from its (possibly inherited) text.

A failure scenario that `extends` the demo inherits the demo's `description:` ("One week of …")
while running 3 days; the catalogue says what each one really does: span, fleet, sites,
injections and maintenance policy.
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from aurum.engine.scenario.durations import format_duration
from aurum.engine.scenario.model import ScenarioBase, fleet_of

SPANS = ((604_800, "week"), (86_400, "day"), (3_600, "hour"), (60, "minute"))
MAX_LISTED = 3  # injections named before "and N more"


def span_words(d: timedelta) -> str:
    """ "3 days", "1 week", "90 minutes"; an odd span as its duration ("1.5s")."""
    seconds = d.total_seconds()
    for size, unit in SPANS:
        if seconds >= size and seconds % size == 0:
            n = int(seconds // size)
            return f"{n} {unit}{'' if n == 1 else 's'}"
    return format_duration(d)


def fleet_words(sc: ScenarioBase) -> str:
    """ "1 truck, 1 mill, 1 boiler" (kinds in fleet order)."""
    counts: Counter[str] = Counter()
    for e in fleet_of(sc):
        counts[e.kind] += e.count or 1
    return ", ".join(f"{n:,} {kind}{'' if n == 1 else 's'}" for kind, n in counts.items())


def injection_words(sc: ScenarioBase) -> str:
    """ "tyres on TRUCK-21, sensor drift on MILL-3" — what each injection does, to what."""
    parts = []
    for inj in sc.injections:
        what = inj.mode or inj.anomaly or f"sensor {inj.fault or 'fault'} ({inj.sensor})"
        target = inj.twin or (f"{inj.kind}s" if inj.kind else "the fleet")
        parts.append(f"{what} on {target}")
    if len(parts) > MAX_LISTED:
        parts = [*parts[:MAX_LISTED], f"{len(parts) - MAX_LISTED} more"]
    return ", ".join(parts)


def describe(sc: ScenarioBase) -> str:
    """One line: span, fleet and sites, then injections and a maintenance policy if any."""
    sites = ", ".join(f"{s.id} ({s.country})" for s in sc.sites)
    text = f"{span_words(sc.duration)} of {fleet_words(sc)} at {sites}"
    if sc.injections:
        text += f"; injected: {injection_words(sc)}"
    m = sc.maintenance
    if m.policy != "run_to_failure":
        text += f"; maintenance: {m.policy.replace('_', '-')}"
        if m.policy == "condition_based":
            text += f" on the {m.condition_signal}"
    return text + "."

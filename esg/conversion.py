"""From an activity amount to a factor's denominator: unit scaling and heating-value basis.

Bases are nodes (volume, mass, NCV energy, GCV energy, electricity); a fuel's parameters are the
edges between them: density (volume → mass), NCV (mass → NCV energy), HHV heat content
(volume → GCV energy), NCV/GCV ratio (GCV → NCV). A factor on another basis than the activity is
reached only through such declared parameters; otherwise the basis mismatch is refused
(IPCC factors are NCV, EPA's HHV: mixing them silently is a known error of public
transcriptions).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass

from aurum.esg.errors import EsgInputError
from aurum.esg.records import Parameter
from aurum.esg.units import UNITS, parse_unit

EDGES: dict[str, tuple[str, str]] = {
    "density": ("volume", "mass"),
    "ncv": ("mass", "NCV"),
    "hhv_per_volume": ("volume", "GCV"),
    "ncv_per_gcv": ("GCV", "NCV"),
}
BASE_UNIT = {"volume": "L", "mass": "kg", "NCV": "GJ", "GCV": "GJ", "electricity": "GJ"}


@dataclass(frozen=True)
class Conversion:
    """Multiply an amount in the activity unit by `factor` to get the record's denominator unit."""

    factor: float
    via: tuple[str, ...]  # factor_ids of the parameters used


def convert(
    activity_unit: str,
    activity_basis: str,
    record_unit: str,
    record_basis: str,
    params: Sequence[Parameter],
    path: str,
) -> Conversion:
    """Conversion factor from activity unit to the record's denominator unit [-]."""
    den = record_unit.partition("/")[2]
    steps = _route(activity_basis, record_basis, _edges(params))
    if steps is None:
        accepted = sorted(_reachable(activity_basis, _edges(params)))
        raise EsgInputError(path, record_basis, accepted, "basis mismatch: no declared conversion")
    factor = UNITS[activity_unit][1] / UNITS[den][1]
    for param, forward in steps:
        value = param.value * parse_unit(param.unit).scale
        factor *= value if forward else 1.0 / value
    return Conversion(factor, tuple(p.factor_id for p, _ in steps))


def _edges(params: Sequence[Parameter]) -> dict[tuple[str, str], tuple[Parameter, bool]]:
    """Usable edges; the first parameter of a quantity wins (a site override comes first)."""
    edges: dict[tuple[str, str], tuple[Parameter, bool]] = {}
    for p in params:
        if p.quantity not in EDGES:
            continue
        a, b = EDGES[p.quantity]
        edges.setdefault((a, b), (p, True))
        edges.setdefault((b, a), (p, False))
    return edges


def _route(
    start: str, goal: str, edges: dict[tuple[str, str], tuple[Parameter, bool]]
) -> list[tuple[Parameter, bool]] | None:
    """Shortest chain of parameters from one basis to another (breadth-first)."""
    queue: deque[tuple[str, list[tuple[Parameter, bool]]]] = deque([(start, [])])
    seen = {start}
    while queue:
        node, steps = queue.popleft()
        if node == goal:
            return steps
        for (a, b), step in edges.items():
            if a == node and b not in seen:
                seen.add(b)
                queue.append((b, [*steps, step]))
    return None


def _reachable(start: str, edges: dict[tuple[str, str], tuple[Parameter, bool]]) -> set[str]:
    reached = {start}
    grew = True
    while grew:
        new = {b for (a, b) in edges if a in reached} - reached
        reached |= new
        grew = bool(new)
    return reached

"""Checks across fields of a scenario, run on the raw data so they work even when other parts
of the file are broken (a user sees every problem at once, not one per attempt)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

from aurum.engine.errors import Problem
from aurum.engine.scenario.model import MAX_TWINS
from aurum.engine.scenario.times import injection_times, time_problems
from aurum.engine.scenario.twin_ids import Block, FleetIds
from aurum.twins import registry


def semantic_problems(data: dict[str, Any]) -> list[Problem]:
    checks: list[Callable[[dict[str, Any]], Iterator[Problem]]] = [
        time_problems,
        _site_problems,
        _fleet_problems,
        _injection_problems,
        _maintenance_problems,
    ]
    return [p for check in checks for p in check(data)]


def _sites(data: dict[str, Any]) -> list[Any]:
    sites = data.get("sites")
    return sites if isinstance(sites, list) else []


def _site_ids(data: dict[str, Any]) -> list[str]:
    """Site ids written as text (any other value is the model's to refuse)."""
    return [s["id"] for s in _sites(data) if isinstance(s, dict) and isinstance(s.get("id"), str)]


def _site_problems(data: dict[str, Any]) -> Iterator[Problem]:
    ids = _site_ids(data)
    for site_id, n in Counter(ids).items():
        if n > 1:
            at = ids.index(site_id, ids.index(site_id) + 1)
            yield Problem("duplicate site id", f"sites[{at}].id", site_id, accepted="unique ids")


def _fleet_problems(data: dict[str, Any]) -> Iterator[Problem]:
    fleet = data.get("fleet")
    if not isinstance(fleet, list):
        return
    total = sum(_count(e) or 1 for e in fleet)
    if total > MAX_TWINS:
        yield Problem(
            f"{total:,} twins in all, across {len(fleet):,} entries",
            "fleet",
            None,
            accepted=f"at most {MAX_TWINS:,} twins in one scenario",
        )
    sites = {s["id"]: s for s in _sites(data) if isinstance(s, dict) and _text(s.get("id"))}
    # a site without a text id is the model's to name: fleet entries are not blamed for it
    unreadable = any(not (isinstance(s, dict) and _text(s.get("id"))) for s in _sites(data))
    for i, entry in enumerate(fleet):
        if not isinstance(entry, dict):
            continue
        kind = _kind(entry.get("kind"))
        site_id = entry.get("site")
        if _text(site_id) and site_id not in sites and not unreadable:
            accepted = ", ".join(sites) or "(no sites declared)"
            yield Problem("unknown site", f"fleet[{i}].site", site_id, accepted=accepted)
        elif kind is not None and _text(site_id) and site_id in sites:
            yield from _site_needs(kind, sites[site_id], i)
    for entry_at, earlier, twin in _fleet_ids(fleet).clashes:
        yield Problem(
            f"duplicate twin id (also in fleet[{earlier}])",
            f"fleet[{entry_at}]",
            twin,
            accepted="unique twin ids across the fleet",
        )


def _text(value: Any) -> bool:
    return isinstance(value, str)


def _count(entry: Any) -> int | None:
    """An entry's `count` when it is one the model accepts, else None."""
    count = entry.get("count") if isinstance(entry, dict) else None
    if not isinstance(count, int) or isinstance(count, bool) or not 1 <= count <= MAX_TWINS:
        return None
    return count


def _kind(name: Any) -> Any:
    try:
        return registry.get(name) if isinstance(name, str) else None
    except KeyError:
        return None


def _site_needs(kind: Any, site: dict[str, Any], i: int) -> Iterator[Problem]:
    for need in kind.site_needs:
        if site.get(need) is None:
            yield Problem(
                f"a {kind.name} needs its site to define `{need}`",
                f"fleet[{i}].site",
                site.get("id"),
                accepted=f"a site with a `{need}` block",
            )


def _fleet_ids(fleet: list[Any]) -> FleetIds:
    """Every entry's ids (one, or a range of `count`) with its kind class, never listed out."""
    ids = FleetIds()
    for i, entry in enumerate(fleet):
        if not isinstance(entry, dict):
            continue
        kind = _kind(entry.get("kind"))
        count, prefix = _count(entry), entry.get("id_prefix")
        if _text(entry.get("id")):
            ids.add_id(i, entry["id"], kind)
        elif count is not None:
            if prefix is None:
                prefix = f"{kind.label}-" if kind is not None else ""
            ids.add_block(i, Block(str(prefix), count), kind)
    return ids


def _twin_listing(twins: FleetIds) -> str:
    """A few of the fleet's twin ids (ranges shown by their first and last)."""
    names = list(twins.single)
    names += [f"{b.id_of(1)}…{b.id_of(b.count)}" for bs in twins.blocks.values() for _, b, _ in bs]
    return _listing(names)


def _listing(names: list[str], limit: int = 12) -> str:
    shown = ", ".join(names[:limit])
    return shown + (f", … ({len(names)} in all)" if len(names) > limit else "")


def _injection_problems(data: dict[str, Any]) -> Iterator[Problem]:
    injections = data.get("injections")
    if not isinstance(injections, list):
        return
    fleet = data.get("fleet")
    twins = _fleet_ids(fleet if isinstance(fleet, list) else [])
    found = [k for _, k in twins.single.values()]
    found += [k for blocks in twins.blocks.values() for _, _, k in blocks]
    kinds = {k.name: k for k in found if k is not None}
    for i, inj in enumerate(injections):
        if isinstance(inj, dict):
            yield from _one_injection(f"injections[{i}]", inj, twins, kinds, data)


def _one_injection(
    path: str,
    inj: dict[str, Any],
    twins: FleetIds,
    kinds: dict[str, Any],
    data: dict[str, Any],
) -> Iterator[Problem]:
    targets: list[Any] = []
    if isinstance(inj.get("twin"), str):
        found = twins.find(inj["twin"])
        if found is None:
            yield Problem(
                "unknown twin", f"{path}.twin", inj["twin"], accepted=_twin_listing(twins)
            )
            return
        targets = [found[1]]
    elif isinstance(inj.get("kind"), str):
        if inj["kind"] not in kinds:
            yield Problem(
                "no twin of this kind in the fleet",
                f"{path}.kind",
                inj["kind"],
                accepted=_listing(list(kinds)),
            )
            return
        targets = [kinds[inj["kind"]]]
    else:
        targets = list(kinds.values())
    for kind in [k for k in targets if k is not None]:
        yield from _target_names(path, inj, kind)
    yield from injection_times(path, inj, data)


def _target_names(path: str, inj: dict[str, Any], kind: Any) -> Iterator[Problem]:
    checks = (
        ("mode", kind.mode_names(), "failure mode"),
        ("sensor", kind.sensor_names(), "sensor channel"),
        ("anomaly", tuple(kind.anomalies), "anomaly"),
    )
    for field, valid, what in checks:
        value = inj.get(field)
        if isinstance(value, str) and value not in valid:
            yield Problem(
                f"not a {what} of a {kind.name}",
                f"{path}.{field}",
                value,
                accepted=_listing(list(valid)) or f"(a {kind.name} has none)",
            )
    name = inj.get("anomaly")
    anomaly = kind.anomalies.get(name) if isinstance(name, str) else None
    if anomaly and anomaly[0] == "sensor" and not inj.get("magnitude"):
        yield Problem(
            f"this anomaly is a spike on {anomaly[1]}: give its size",
            f"{path}.magnitude",
            inj.get("magnitude"),
            accepted="a non-zero number in the channel's unit",
        )


def _maintenance_problems(data: dict[str, Any]) -> Iterator[Problem]:
    from aurum.engine.maintenance.policies import POLICIES

    m = data.get("maintenance")
    if not isinstance(m, dict):
        return
    if isinstance(m.get("policy"), str) and m["policy"] not in POLICIES:
        yield Problem(
            "unknown maintenance policy",
            "maintenance.policy",
            m["policy"],
            accepted=", ".join(POLICIES),
        )
    sites = _site_ids(data)
    crews = m.get("crews")
    for site, n in crews.items() if isinstance(crews, dict) else ():
        if site != "default" and site not in sites:
            yield Problem(
                "unknown site",
                f"maintenance.crews.{site}",
                site,
                accepted=", ".join(["default", *map(str, sites)]),
            )
        if not isinstance(n, int) or isinstance(n, bool) or n < 0:
            yield Problem(
                "not a number of crews",
                f"maintenance.crews.{site}",
                n,
                accepted="a whole number ≥ 0",
            )
    yield from _keyed_names(m, "intervals_h", lambda k: k.mode_names(), "failure mode")
    yield from _keyed_names(m, "thresholds", lambda k: k.sensor_names(), "sensor channel")
    yield from _needs_risk(data, m)


def _needs_risk(data: dict[str, Any], m: dict[str, Any]) -> Iterator[Problem]:
    """The risk-based policy and the trend signal read what risk scoring computes."""
    risk = data.get("risk")
    if not isinstance(risk, dict) or risk.get("enabled", True) is not False:
        return
    if m.get("policy") == "risk_based":
        field, value = "maintenance.policy", "risk_based"
    elif m.get("policy") == "condition_based" and m.get("condition_signal") == "trend":
        field, value = "maintenance.condition_signal", "trend"
    else:
        return
    yield Problem(
        "needs risk scoring, which this scenario turns off (risk.enabled: false)",
        field,
        value,
        accepted="risk.enabled: true, or another policy or signal",
    )


def _keyed_names(
    m: dict[str, Any], field: str, names: Callable[[Any], tuple[str, ...]], what: str
) -> Iterator[Problem]:
    keyed = m.get(field)
    for key in keyed if isinstance(keyed, dict) else ():
        kind_name, _, name = str(key).partition(".")
        kind = _kind(kind_name)
        valid = [f"{k.name}.{n}" for k in registry.all_kinds() for n in names(k)]
        if kind is None or name not in names(kind):
            yield Problem(
                f'not "kind.{what.replace(" ", "_")}"',
                f"maintenance.{field}.{key}",
                key,
                accepted=_listing(valid, 20),
            )

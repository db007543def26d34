"""Checks across fields of a scenario, run on the raw data so they work even when other parts
of the file are broken (a user sees every problem at once, not one per attempt)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from engine.durations import format_duration, parse_duration
from engine.errors import Problem
from engine.scenario import generated_ids
from twins import registry

MIN_TICK = timedelta(seconds=1)
MAX_TICK = timedelta(hours=1)
MAX_EPOCH_TICKS = 10_080


def semantic_problems(data: dict[str, Any]) -> list[Problem]:
    checks: list[Callable[[dict[str, Any]], Iterator[Problem]]] = [
        _time_problems,
        _site_problems,
        _fleet_problems,
        _injection_problems,
        _maintenance_problems,
    ]
    return [p for check in checks for p in check(data)]


_DEFAULTS = {
    "tick": timedelta(minutes=1),
    "epoch": timedelta(hours=1),
    "telemetry_resolution": timedelta(minutes=1),
}


def _duration(data: dict[str, Any], *path: str) -> timedelta | None:
    """A duration field's value (its default if absent), or None if it does not parse."""
    node: Any = data
    for key in path:
        if not isinstance(node, dict) or key not in node:
            return _DEFAULTS.get(path[-1])
        node = node[key]
    try:
        return parse_duration(node)
    except ValueError:
        return None


def _time_problems(data: dict[str, Any]) -> Iterator[Problem]:
    tick = _duration(data, "tick")
    if tick is None:
        return
    if not MIN_TICK <= tick <= MAX_TICK:
        yield Problem("tick out of range", "tick", format_duration(tick), accepted="1s to 1h")
        return
    fields = {
        "duration": ("duration",),
        "epoch": ("epoch",),
        "output.telemetry_resolution": ("output", "telemetry_resolution"),
    }
    for path, keys in fields.items():
        d = _duration(data, *keys)
        if d is not None and (d % tick) != timedelta(0):
            yield Problem(
                f"must be a whole number of ticks ({format_duration(tick)})",
                path,
                format_duration(d),
                accepted=f"a multiple of {format_duration(tick)}",
            )
    epoch = _duration(data, "epoch")
    if epoch is not None and epoch // tick > MAX_EPOCH_TICKS:
        yield Problem(
            f"an epoch of {epoch // tick} ticks is too long to hold in memory",
            "epoch",
            format_duration(epoch),
            accepted=f"at most {MAX_EPOCH_TICKS} ticks per epoch",
        )


def _sites(data: dict[str, Any]) -> list[Any]:
    sites = data.get("sites")
    return sites if isinstance(sites, list) else []


def _site_problems(data: dict[str, Any]) -> Iterator[Problem]:
    ids = [s.get("id") for s in _sites(data) if isinstance(s, dict)]
    for site_id, n in Counter(ids).items():
        if n > 1 and site_id is not None:
            at = ids.index(site_id, ids.index(site_id) + 1)
            yield Problem("duplicate site id", f"sites[{at}].id", site_id, accepted="unique ids")


def _fleet_problems(data: dict[str, Any]) -> Iterator[Problem]:
    fleet = data.get("fleet")
    if not isinstance(fleet, list):
        return
    sites = {s.get("id"): s for s in _sites(data) if isinstance(s, dict)}
    seen: dict[str, int] = {}
    for i, entry in enumerate(fleet):
        if not isinstance(entry, dict):
            continue
        kind = _kind(entry.get("kind"))
        site_id = entry.get("site")
        if site_id is not None and site_id not in sites:
            accepted = ", ".join(str(s) for s in sites) or "(no sites declared)"
            yield Problem("unknown site", f"fleet[{i}].site", site_id, accepted=accepted)
        elif kind is not None and site_id is not None:
            yield from _site_needs(kind, sites[site_id], i)
        for twin in _entry_ids(entry, kind):
            if twin in seen:
                yield Problem(
                    f"duplicate twin id (also in fleet[{seen[twin]}])",
                    f"fleet[{i}]",
                    twin,
                    accepted="unique twin ids across the fleet",
                )
                break
            seen[twin] = i


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


def _entry_ids(entry: dict[str, Any], kind: Any) -> list[str]:
    if isinstance(entry.get("id"), str):
        return [entry["id"]]
    count, prefix = entry.get("count"), entry.get("id_prefix")
    if not isinstance(count, int) or isinstance(count, bool) or not 1 <= count <= 10_000_000:
        return []
    if prefix is None:
        prefix = f"{kind.label}-" if kind is not None else ""
    return generated_ids(str(prefix), count)


def _fleet_index(data: dict[str, Any]) -> dict[str, Any]:
    """Twin id → kind class, for the entries whose kind is known."""
    out: dict[str, Any] = {}
    fleet = data.get("fleet")
    for entry in fleet if isinstance(fleet, list) else []:
        if isinstance(entry, dict):
            kind = _kind(entry.get("kind"))
            for twin in _entry_ids(entry, kind):
                out.setdefault(twin, kind)
    return out


def _listing(names: list[str], limit: int = 12) -> str:
    shown = ", ".join(names[:limit])
    return shown + (f", … ({len(names)} in all)" if len(names) > limit else "")


def _injection_problems(data: dict[str, Any]) -> Iterator[Problem]:
    injections = data.get("injections")
    if not isinstance(injections, list):
        return
    twins = _fleet_index(data)
    kinds = {k.name: k for k in twins.values() if k is not None}
    for i, inj in enumerate(injections):
        if isinstance(inj, dict):
            yield from _one_injection(f"injections[{i}]", inj, twins, kinds, data)


def _one_injection(
    path: str,
    inj: dict[str, Any],
    twins: dict[str, Any],
    kinds: dict[str, Any],
    data: dict[str, Any],
) -> Iterator[Problem]:
    targets: list[Any] = []
    if isinstance(inj.get("twin"), str):
        if inj["twin"] not in twins:
            yield Problem(
                "unknown twin", f"{path}.twin", inj["twin"], accepted=_listing(list(twins))
            )
            return
        targets = [twins[inj["twin"]]]
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
    yield from _injection_times(path, inj, data)


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
    anomaly = kind.anomalies.get(inj.get("anomaly", ""))
    if anomaly and anomaly[0] == "sensor" and not inj.get("magnitude"):
        yield Problem(
            f"this anomaly is a spike on {anomaly[1]}: give its size",
            f"{path}.magnitude",
            inj.get("magnitude"),
            accepted="a non-zero number in the channel's unit",
        )


def _injection_times(path: str, inj: dict[str, Any], data: dict[str, Any]) -> Iterator[Problem]:
    duration = _duration(data, "duration")
    start = data.get("start")
    for field in ("at", "until"):
        when = inj.get(field)
        offset: timedelta | None = None
        if isinstance(when, datetime) and isinstance(start, datetime):
            offset = when.replace(tzinfo=when.tzinfo or UTC) - start.replace(
                tzinfo=start.tzinfo or UTC
            )
        elif isinstance(when, str):
            try:
                offset = parse_duration(when)
            except ValueError:
                offset = None
        if offset is not None and duration is not None and not timedelta(0) <= offset <= duration:
            yield Problem(
                "outside the simulated span",
                f"{path}.{field}",
                str(when),
                accepted=f"a time within {format_duration(duration)} of the start",
            )


def _maintenance_problems(data: dict[str, Any]) -> Iterator[Problem]:
    from engine.policies import POLICIES

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
    sites = [s.get("id") for s in _sites(data) if isinstance(s, dict)]
    for site, n in (m.get("crews") or {}).items():
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
    for key in m.get(field) or {}:
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

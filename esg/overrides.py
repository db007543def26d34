"""Turn a site's `FactorOverride`s into records, checking target, gas, unit and basis.

Every override becomes a record with verification ``site`` and the override's source, so the
report's factor table shows it like any published figure.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from aurum.esg.categories import CATEGORIES, CHANNELS
from aurum.esg.errors import EsgInputError
from aurum.esg.options import FactorOverride, SupplierFactor
from aurum.esg.records import PARAM_DIMS, EmissionFactor, Parameter
from aurum.esg.units import ENERGY, MASS, VOLUME, accepted_units, describe_dims, parse_unit

FUELS = sorted({c.fuel_code for c in CHANNELS.values()} - {"electricity"})
PLAIN_TARGETS = ("grid", "grid_upstream", "grid_loss_rate")
TARGET_FORMS = [*PLAIN_TARGETS, "combustion:<fuel>@<category>", "wtt:<fuel>"] + [
    f"{q}:<fuel>" for q in PARAM_DIMS if q != "grid_loss_rate"
]


@dataclass
class SiteOverrides:
    """A site's overrides as records: emission records by target, parameters by fuel."""

    emission: dict[str, list[EmissionFactor]] = field(default_factory=dict)
    params: dict[str, list[Parameter]] = field(default_factory=dict)
    loss_rate: Parameter | None = None


def site_overrides(site_id: str, region: str, overrides: Sequence[FactorOverride]) -> SiteOverrides:
    """Validate and convert every override of one site."""
    out = SiteOverrides()
    for i, o in enumerate(overrides):
        path = f"sites[{site_id}].overrides[{i}]"
        kind, fuel, category = _parse_target(o.target, path)
        fid = f"site-{_slug(site_id)}-override-{i}"
        if kind in PARAM_DIMS:
            param = _parameter(o, kind, fuel, fid, path)
            if kind == "grid_loss_rate":
                out.loss_rate = param
            else:
                out.params.setdefault(fuel, []).append(param)
            continue
        record = _emission(o, kind, fuel, category, region, fid, path)
        taken = out.emission.setdefault(o.target, [])
        if any(r.gases() & record.gases() for r in taken):
            raise EsgInputError(path + ".gas", o.gas, ["one override per gas"], "gas given twice")
        taken.append(record)
    return out


def supplier_record(site_id: str, region: str, s: SupplierFactor) -> EmissionFactor:
    """A contract's supplier-specific factor as a scope 2 market-based record."""
    path = f"sites[{site_id}].contract.supplier_factor"
    _check_unit(s.unit, [(MASS, ENERGY)], path + ".unit")
    fields: dict[str, Any] = {"co2": s.value} if s.gas == "co2" else {"co2e_embedded": s.value}
    if s.gas == "co2e":
        fields["gwp_set"] = s.gwp_set
    return _make(
        path,
        factor_id=f"site-{_slug(site_id)}-supplier",
        source=s.source,
        region=region,
        fuel_code="electricity",
        category="electricity",
        mode="electricity",
        basis="electricity",
        unit=s.unit,
        boundary="direct",
        ghg_scope="2-MB",
        **fields,
    )


def _parse_target(target: str, path: str) -> tuple[str, str, str | None]:
    if target in PLAIN_TARGETS:
        return target, "electricity", None
    kind, _, rest = target.partition(":")
    fuel, _, category = rest.partition("@")
    known_kind = kind in ("combustion", "wtt") or kind in PARAM_DIMS
    if not known_kind or not rest:
        raise EsgInputError(path + ".target", target, TARGET_FORMS, "unknown override target")
    if fuel not in FUELS:
        raise EsgInputError(path + ".target", fuel, FUELS, "unknown fuel")
    if kind == "combustion":
        accepted = sorted(c for c in CATEGORIES if c != "electricity")
        if category not in accepted:
            raise EsgInputError(path + ".target", category, accepted, "unknown IPCC category")
        return kind, fuel, category
    return kind, fuel, None


def _parameter(o: FactorOverride, kind: str, fuel: str, fid: str, path: str) -> Parameter:
    unit = _check_unit(o.unit, [PARAM_DIMS[kind]], path + ".unit")
    fraction = o.value * unit.scale
    if o.value <= 0 or (kind == "grid_loss_rate" and fraction >= 1):
        accepted = ["0 < L < 1"] if kind == "grid_loss_rate" else ["> 0"]
        raise EsgInputError(path + ".value", o.value, accepted, f"impossible {kind}")
    return Parameter(
        factor_id=fid,
        publisher="site override",
        dataset=o.source,
        edition="scenario",
        table_ref="scenario override",
        transcribed_from="scenario",
        verification="site",
        quantity=kind,
        fuel_code=fuel,
        value=o.value,
        unit=o.unit,
        basis=o.basis,
        note=o.note,
    )


def _emission(
    o: FactorOverride,
    kind: str,
    fuel: str,
    category: str | None,
    region: str,
    fid: str,
    path: str,
) -> EmissionFactor:
    if kind in ("grid", "grid_upstream"):
        _check_unit(o.unit, [(MASS, ENERGY)], path + ".unit")
        basis = "electricity"
    else:
        unit = _check_unit(o.unit, [(MASS, VOLUME), (MASS, MASS), (MASS, ENERGY)], path + ".unit")
        basis = {VOLUME: "volume", MASS: "mass"}.get(unit.den) or _energy_basis(o, path)
    gas = o.gas or "co2e"
    if kind in ("wtt", "grid_upstream") and gas != "co2e":
        raise EsgInputError(path + ".gas", gas, ["co2e"], f"{kind} factors are CO2e")
    fields: dict[str, Any] = {"co2e_embedded": o.value, "gwp_set": o.gwp_set}
    if gas != "co2e":
        fields = {gas: o.value} | ({"ch4_origin": "fossil"} if gas == "ch4" else {})
    scope = {"grid": "2-LB", "grid_upstream": "3.3", "wtt": "3.3"}.get(kind, "1")
    boundary = {"grid": "direct", "grid_upstream": "upstream+T&D", "wtt": "WTT"}
    return _make(
        path,
        factor_id=fid,
        source=o.source,
        note=o.note,
        region=region,
        fuel_code=fuel,
        category="electricity" if fuel == "electricity" else category,
        basis=basis,
        unit=o.unit,
        boundary=boundary.get(kind, "combustion"),
        ghg_scope=scope,
        **fields,
    )


def _energy_basis(o: FactorOverride, path: str) -> str:
    if o.basis not in ("NCV", "GCV"):
        raise EsgInputError(path + ".basis", o.basis, ["NCV", "GCV"], "energy factor needs basis")
    return o.basis


def _check_unit(text: str, dims: list[tuple[str, str]], path: str) -> Any:
    accepted = [u for d in dims for u in accepted_units(d)]
    try:
        unit = parse_unit(text, path)
    except EsgInputError as e:
        raise EsgInputError(path, text, accepted, "unknown unit") from e
    if unit.dims not in dims:
        wanted = " or ".join(describe_dims(d) for d in dims)
        raise EsgInputError(path, text, accepted, f"wrong unit (expected {wanted})")
    return unit


def _make(path: str, source: str, **fields: Any) -> EmissionFactor:
    try:
        return EmissionFactor(
            publisher="site override",
            dataset=source,
            edition="scenario",
            table_ref="scenario override",
            transcribed_from="scenario",
            verification="site",
            **fields,
        )
    except ValidationError as e:
        raise EsgInputError(path, fields.get("unit"), [], f"invalid override ({e})") from e


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9.+_-]", "-", text.lower()).lstrip("-.+_") or "site"

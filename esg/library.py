"""Load the factor library shipped in ``esg/factors/``: records, regions and factor sets.

Each factor file holds ``defaults`` (fields shared by its records) and lists ``emission``,
``parameters`` and ``gwp``. Loading validates every record (pydantic, ``extra="forbid"``), the
uniqueness of factor ids and of record keys (`records.record_key`), and the references of the
factor sets (`esg.setcheck`). ``load_library()`` is cached; pass a directory to load another copy.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError
from ruamel.yaml import YAML

from aurum.esg.errors import EsgInputError, FactorDataError
from aurum.esg.records import (
    AnyRecord,
    EmissionFactor,
    GwpValue,
    Parameter,
    Region,
    SetSpec,
    record_key,
)

FACTORS_DIR = Path(__file__).with_name("factors")
SECTIONS: dict[str, type[BaseModel]] = {
    "emission": EmissionFactor,
    "parameters": Parameter,
    "gwp": GwpValue,
}
_STRICT = ConfigDict(extra="forbid", frozen=True)
R = TypeVar("R", EmissionFactor, Parameter, GwpValue)


@dataclass(frozen=True)
class Library:
    """Every record by id, the accepted regions (canonical code by alias) and the factor sets."""

    records: Mapping[str, AnyRecord]
    regions: Mapping[str, Region]
    aliases: Mapping[str, str]
    sets: Mapping[str, SetSpec]

    def get(self, factor_id: str, kind: type[R]) -> R:
        """The record with this id, which must be of the given type."""
        record = self.records.get(factor_id)
        if not isinstance(record, kind):
            raise FactorDataError(factor_id, f"no {kind.__name__} record with this id")
        return record

    def region(self, code: str, path: str = "region") -> str:
        """The canonical region code for a code or alias; EsgInputError if unknown."""
        canonical = self.aliases.get(code.strip().upper())
        if canonical is None:
            raise EsgInputError(path, code, sorted(self.aliases), "unknown country/region code")
        return canonical

    def check_set(self, name: str, path: str = "factor_set") -> SetSpec:
        """The factor set with this name; EsgInputError listing the sets if unknown."""
        if name not in self.sets:
            raise EsgInputError(path, name, sorted(self.sets), "unknown factor set")
        return self.sets[name]

    def gwp_sets(self) -> list[str]:
        """Names of the GWP sets in the library (SAR, TAR, AR4, AR5, AR6)."""
        return sorted({r.gwp_set for r in self.records.values() if isinstance(r, GwpValue)})

    def gwp(self, gwp_set: str, gas: str, path: str = "gwp_set") -> GwpValue:
        """GWP100 record of a gas; fossil CH4 falls back to the set's unsplit CH4 value."""
        if gwp_set not in self.gwp_sets():
            raise EsgInputError(path, gwp_set, self.gwp_sets(), "unknown GWP set")
        by_gas: dict[str, GwpValue] = {
            r.gas: r
            for r in self.records.values()
            if isinstance(r, GwpValue) and r.gwp_set == gwp_set
        }
        found = by_gas.get(gas) or (by_gas.get("ch4") if gas.startswith("ch4") else None)
        if found is None:
            raise FactorDataError(f"gwp {gwp_set}", f"no GWP for {gas}")
        return found


@cache
def load_library(directory: Path | None = None) -> Library:
    """Load and validate every file of a factor directory (default: the shipped one)."""
    from aurum.esg.setcheck import check_sets

    root = directory or FACTORS_DIR
    records = _load_records(root)
    try:
        regions = [Region(**row) for row in _read(root / "regions.yaml")["regions"]]
        sets = {k: SetSpec(**v) for k, v in _read(root / "sets.yaml")["sets"].items()}
    except ValidationError as e:
        raise FactorDataError("regions.yaml/sets.yaml", str(e)) from e
    aliases = {alias: r.code for r in regions for alias in (r.code, *r.aliases)}
    library = Library(records, {r.code: r for r in regions}, aliases, sets)
    check_sets(library)
    return library


def _read(path: Path) -> Any:
    return YAML(typ="safe", pure=True).load(path.read_text(encoding="utf-8"))


def _load_records(root: Path) -> dict[str, AnyRecord]:
    records: dict[str, AnyRecord] = {}
    keys: dict[tuple[object, ...], str] = {}
    for path in sorted(root.glob("*.yaml")):
        if path.name in ("regions.yaml", "sets.yaml"):
            continue
        for record in _file_records(path):
            where = f"{path.name}:{record.factor_id}"
            if record.factor_id in records:
                raise FactorDataError(where, "duplicate factor_id")
            key = record_key(record)
            if key in keys:
                raise FactorDataError(where, f"same key as {keys[key]}: {key}")
            records[record.factor_id] = record
            keys[key] = record.factor_id
    return records


def _file_records(path: Path) -> list[AnyRecord]:
    data = _read(path) or {}
    unknown = set(data) - {"defaults", *SECTIONS}
    if unknown:
        raise FactorDataError(path.name, f"unknown sections {sorted(unknown)}")
    defaults: dict[str, Any] = data.get("defaults", {})
    all_fields = {f for model in SECTIONS.values() for f in model.model_fields}
    if set(defaults) - all_fields:
        raise FactorDataError(path.name, f"unknown default fields {set(defaults) - all_fields}")
    out: list[AnyRecord] = []
    for section, model in SECTIONS.items():
        shared = {k: v for k, v in defaults.items() if k in model.model_fields}
        for i, row in enumerate(data.get(section, [])):
            try:
                out.append(model(**(shared | row)))  # type: ignore[arg-type]
            except ValidationError as e:
                name = row.get("factor_id", f"{section}[{i}]")
                raise FactorDataError(f"{path.name}:{name}", str(e)) from e
    return out

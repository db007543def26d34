"""A small explicit unit table: the only units factor files, overrides and activity may use.

Units are `numerator/denominator` (e.g. ``kg/TJ``, ``lb/MWh``, ``kg/L``) or a ratio (``1``,
``%``). Each name maps to a dimension and its size in the base unit of that dimension
(mass: kg, volume: L, energy: GJ). Conversion constants are exact or conventional definitions
(NIST SP 811): 1 US gal = 3.785411784 L; 1 lb = 0.45359237 kg;
1 mmBtu = 1.055056 GJ; 1 kWh = 3.6 MJ; 1 short ton = 2000 lb; 1 ft³ = 0.3048³ m³.
A unit library (pint) is not needed for this closed set.
"""

from __future__ import annotations

from dataclasses import dataclass

from aurum.esg.errors import EsgInputError

MASS, VOLUME, ENERGY, RATIO = "mass", "volume", "energy", "ratio"

UNITS: dict[str, tuple[str, float]] = {
    "g": (MASS, 1e-3),
    "kg": (MASS, 1.0),
    "t": (MASS, 1e3),
    "Gg": (MASS, 1e6),
    "lb": (MASS, 0.45359237),
    "short_ton": (MASS, 2000 * 0.45359237),
    "L": (VOLUME, 1.0),
    "kL": (VOLUME, 1e3),
    "m3": (VOLUME, 1e3),
    "gal": (VOLUME, 3.785411784),
    "scf": (VOLUME, 0.3048**3 * 1e3),
    "MJ": (ENERGY, 1e-3),
    "GJ": (ENERGY, 1.0),
    "TJ": (ENERGY, 1e3),
    "kWh": (ENERGY, 3.6e-3),
    "MWh": (ENERGY, 3.6),
    "GWh": (ENERGY, 3.6e3),
    "mmBtu": (ENERGY, 1.055056),
}
RATIOS: dict[str, float] = {"1": 1.0, "%": 0.01}


@dataclass(frozen=True)
class Unit:
    """A parsed unit: dimensions of numerator and denominator, and its size in base units."""

    text: str
    num: str  # dimension of the numerator (or "ratio")
    den: str  # dimension of the denominator (or "ratio")
    scale: float  # value in base units (kg, L, GJ) per value in this unit

    @property
    def dims(self) -> tuple[str, str]:
        return (self.num, self.den)


def unit_names(dimension: str) -> list[str]:
    """Unit names of one dimension, as written in files."""
    return [name for name, (dim, _) in UNITS.items() if dim == dimension]


def accepted_units(dims: tuple[str, str]) -> list[str]:
    """Every unit string with these dimensions (for error messages)."""
    if dims == (RATIO, RATIO):
        return list(RATIOS)
    return [f"{a}/{b}" for a in unit_names(dims[0]) for b in unit_names(dims[1])]


def parse_unit(text: str, path: str = "unit") -> Unit:
    """Parse ``a/b`` or a ratio; raise EsgInputError naming the accepted forms."""
    if text in RATIOS:
        return Unit(text, RATIO, RATIO, RATIOS[text])
    num, sep, den = text.partition("/")
    if sep and num in UNITS and den in UNITS:
        (dn, sn), (dd, sd) = UNITS[num], UNITS[den]
        return Unit(text, dn, dd, sn / sd)
    accepted = [*RATIOS, "<a>/<b> with a, b in: " + ", ".join(UNITS)]
    raise EsgInputError(path, text, accepted, "unknown unit")


def describe_dims(dims: tuple[str, str]) -> str:
    """Human wording of a unit's dimensions, e.g. 'mass per energy'."""
    return "a ratio" if dims == (RATIO, RATIO) else f"{dims[0]} per {dims[1]}"

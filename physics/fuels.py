"""Combustion properties of the fuels a boiler burns: ultimate analysis and heating values.

Physics data only (what burns and how much heat it gives); emission factors live in `esg/`.
Each record names the source and tag (V seen / D derived / A assumed) of its figures. The higher
heating value is derived from the lower one, never typed in twice:
HHV = LHV + h_fg,25·(9·H + moisture), the latent heat of the water the fuel makes and carries.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

H_FG_25_MJ_KG = 2.442  # latent heat of water at 25 °C [MJ/kg]; IAPWS-IF97 steam tables [V]
H2O_PER_H = 8.937  # kg water per kg hydrogen burned (18.015/2.016) [D]

# Molar masses [kg/kmol] (IUPAC standard atomic weights) [V]
M_C, M_H, M_O, M_N, M_S = 12.011, 1.008, 15.999, 14.007, 32.06


@dataclass(frozen=True)
class Fuel:
    """One fuel as fired: mass fractions (as received), heating values, firing practice."""

    name: str
    carbon: float  # mass fraction C [-]
    hydrogen: float  # mass fraction H [-]
    oxygen: float  # mass fraction O [-]
    nitrogen: float  # mass fraction N [-]
    sulfur: float  # mass fraction S [-]
    moisture: float  # mass fraction H2O [-]
    ash: float  # mass fraction ash [-]
    lhv_mj_kg: float  # lower (net) heating value [MJ/kg]
    density_kg_l: float | None  # liquids only [kg/L]
    unburned_loss_frac: float  # typical unburned-combustible loss, fraction of HHV [-]
    o2_typical_pct: float  # typical flue O2 set-point, dry [% vol]
    sources: Mapping[str, str] = field(default_factory=dict)

    @property
    def water_kg_kg(self) -> float:
        """Water in the flue gas from hydrogen and fuel moisture [kg/kg fuel]."""
        return H2O_PER_H * self.hydrogen + self.moisture

    @property
    def hhv_mj_kg(self) -> float:
        """Higher (gross) heating value [MJ/kg] = LHV + h_fg·water [D]."""
        return self.lhv_mj_kg + H_FG_25_MJ_KG * self.water_kg_kg

    @property
    def total(self) -> float:
        """Sum of the ultimate analysis (1 for a consistent record)."""
        parts = (self.carbon, self.hydrogen, self.oxygen, self.nitrogen, self.sulfur)
        return sum(parts) + self.moisture + self.ash


def mass_fractions(molar: Mapping[str, tuple[float, int, int, int, int]]) -> dict[str, float]:
    """C, H, O, N, S mass fractions of a gas from mole fractions and atoms (C, H, O, N) [D]."""
    mass = {"C": 0.0, "H": 0.0, "O": 0.0, "N": 0.0}
    for x, c, h, o, n in molar.values():
        mass["C"] += x * c * M_C
        mass["H"] += x * h * M_H
        mass["O"] += x * o * M_O
        mass["N"] += x * n * M_N
    total = sum(mass.values())
    return {k: v / total for k, v in mass.items()}


# Assumed pipeline gas [A]: mole fraction and atoms (C, H, O, N) of each species.
PIPELINE_GAS = {
    "CH4": (0.95, 1, 4, 0, 0),
    "C2H6": (0.03, 2, 6, 0, 0),
    "N2": (0.01, 0, 0, 0, 2),
    "CO2": (0.01, 1, 0, 2, 0),
}
_NG = mass_fractions(PIPELINE_GAS)

NATURAL_GAS = Fuel(
    name="natural_gas",
    carbon=_NG["C"],
    hydrogen=_NG["H"],
    oxygen=_NG["O"],
    nitrogen=_NG["N"],
    sulfur=0.0,
    moisture=0.0,
    ash=0.0,
    lhv_mj_kg=48.0,
    density_kg_l=None,
    unburned_loss_frac=0.0,
    o2_typical_pct=2.5,
    sources=MappingProxyType(
        {
            "composition": "[D] from an assumed pipeline gas 95 % CH4, 3 % C2H6, 1 % N2, "
            "1 % CO2 by mole [A]; its own LHV, 47.8 MJ/kg, agrees with IPCC within 0.5 %",
            "lhv_mj_kg": "[V] IPCC 2006 Guidelines Vol.2 Ch.1 Table 1.2: NCV 48.0 TJ/Gg",
            "unburned_loss_frac": "[A] gas burns out completely (PTC 4 typical unburned 0-2 %)",
            "o2_typical_pct": "[V/A] US DOE Steam Tip Sheet #4: 2-3 % for gas",
        }
    ),
)

DIESEL = Fuel(
    name="diesel",
    carbon=0.866,
    hydrogen=0.133,
    oxygen=0.0,
    nitrogen=0.0,
    sulfur=0.001,
    moisture=0.0,
    ash=0.0,
    lhv_mj_kg=43.0,
    density_kg_l=0.84,
    unburned_loss_frac=0.001,
    o2_typical_pct=3.5,
    sources=MappingProxyType(
        {
            "composition": "[A] typical gas oil, about C12H23 (Heywood, Internal Combustion "
            "Engine Fundamentals, 1988, App. D); S 0.1 %, the EU cap for heating gas oil "
            "(Directive (EU) 2016/802) [V]",
            "lhv_mj_kg": "[V] IPCC 2006 Guidelines Vol.2 Ch.1 Table 1.2: gas/diesel oil NCV "
            "43.0 TJ/Gg",
            "density_kg_l": "[V] EN 590: 0.820-0.845 kg/L at 15 °C; 0.84 taken [A]",
            "unburned_loss_frac": "[A] ASME PTC 4 typical unburned loss 0-2 %",
            "o2_typical_pct": "[V/A] US DOE Steam Tip Sheet #4: 3-4 % for oil",
        }
    ),
)

BITUMINOUS_COAL = Fuel(
    name="coal",
    carbon=0.645,
    hydrogen=0.042,
    oxygen=0.073,
    nitrogen=0.013,
    sulfur=0.012,
    moisture=0.085,
    ash=0.130,
    lhv_mj_kg=25.8,
    density_kg_l=None,
    unburned_loss_frac=0.01,
    o2_typical_pct=5.0,
    sources=MappingProxyType(
        {
            "composition": "[A] typical bituminous coal as received (textbook ranges, e.g. "
            "Babcock & Wilcox, Steam, ch. 8); Dulong's formula gives HHV within 2 % of the "
            "derived value",
            "lhv_mj_kg": "[V] IPCC 2006 Guidelines Vol.2 Ch.1 Table 1.2: other bituminous "
            "coal NCV 25.8 TJ/Gg",
            "unburned_loss_frac": "[A] ASME PTC 4 typical unburned carbon 0-2 %",
            "o2_typical_pct": "[V/A] typical for coal firing (excess air 15-50 %): 4-6 %",
        }
    ),
)

FUELS: tuple[Fuel, ...] = (NATURAL_GAS, DIESEL, BITUMINOUS_COAL)
FUEL_NAMES: tuple[str, ...] = tuple(f.name for f in FUELS)


def get_fuel(name: str) -> Fuel:
    """The fuel record of a name in FUEL_NAMES."""
    try:
        return FUELS[FUEL_NAMES.index(name)]
    except ValueError:
        raise KeyError(f"unknown fuel {name!r}; known fuels: {', '.join(FUEL_NAMES)}") from None


def dulong_hhv_mj_kg(fuel: Fuel) -> float:
    """Dulong's estimate of HHV [MJ/kg] = 33.8·C + 144·(H − O/8) + 9.4·S (textbook form) [A]."""
    return 33.8 * fuel.carbon + 144.0 * (fuel.hydrogen - fuel.oxygen / 8.0) + 9.4 * fuel.sulfur

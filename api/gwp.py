"""GWP100 sets for CO2e at read time — to be replaced by esg.gwp when the emissions issue lands.

IPCC AR6 WG1 Table 7.15 (fossil CH4 29.8, N2O 273), AR5 WG1 Table 8.7 (CH4 28, N2O 265, without
climate-carbon feedback), AR4 WG1 Table 2.14 (CH4 25, N2O 298). Gases already in CO2e
(`co2e_embedded`, any `*co2e*`) count as they are.
"""

from __future__ import annotations

GWP100: dict[str, dict[str, float]] = {
    "AR6": {"co2": 1.0, "ch4_fossil": 29.8, "n2o": 273.0},
    "AR5": {"co2": 1.0, "ch4_fossil": 28.0, "n2o": 265.0},
    "AR4": {"co2": 1.0, "ch4_fossil": 25.0, "n2o": 298.0},
}
DEFAULT = "AR6"


def factor(gas: str, gwp: str = DEFAULT) -> float:
    """kg CO2e per kg of `gas` under the GWP set `gwp` (0 for a gas the set does not cover)."""
    if "co2e" in gas:
        return 1.0
    return GWP100[gwp].get(gas, 0.0)

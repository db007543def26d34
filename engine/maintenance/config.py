"""`maintenance:` in a scenario: the policy, the crews per site, repair quality and costs."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

_STRICT = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)
Hours = Annotated[float, Field(gt=0, allow_inf_nan=False)]  # an interval: > 0 and finite
Level = Annotated[float, Field(allow_inf_nan=False)]  # an alarm level: finite
USDPerHour = Annotated[float, Field(ge=0, allow_inf_nan=False)]
LOST_PRODUCTION_USD_H = {"truck": 1_500.0, "mill": 100_000.0, "boiler": 2_000.0}


class Costs(BaseModel):
    """Money: labour per crew-hour and the value of an hour of lost production per kind."""

    model_config = _STRICT
    labour_usd_per_crew_h: float = Field(
        250.0, ge=0, description="A crew-hour of a maintenance team [USD/h] (A)"
    )
    lost_production_usd_per_h: dict[str, USDPerHour] = Field(
        default_factory=lambda: dict(LOST_PRODUCTION_USD_H),
        description="Value of an hour of lost output per kind [USD/h]: mill ≈ US$100k/h for a "
        "large copper SAG line (RME 'Mill Reline Director') [V]; truck and boiler [A]",
    )


class MaintenanceConfig(BaseModel):
    """`maintenance:` in a scenario: the policy, the crews and what repairs restore."""

    model_config = _STRICT
    policy: str = Field("run_to_failure", description="A registered maintenance policy")
    crews: dict[str, int] = Field(
        default_factory=lambda: {"default": 2},
        description='Crews per site id ("default" for sites not named)',
    )
    restoration: float = Field(
        1.0, gt=0, le=1, description="1 = as good as new; < 1 imperfect repair (Kijima type I)"
    )
    intervals_h: dict[str, Hours] = Field(
        default_factory=dict,
        description='Time-based policy: "kind.mode": age interval [operating h]; default: the '
        "cost-optimal age-replacement interval of the mode's Weibull",
    )
    thresholds: dict[str, Level] = Field(
        default_factory=dict,
        description='Condition-based policy: "kind.sensor": alarm level; default: each failure '
        "mode's symptom alarm level",
    )
    condition_signal: Literal["reading", "trend"] = Field(
        "reading",
        description="Condition-based policy: act when the latest reading passes the alarm level "
        '("reading"), or when the symptom\'s 24-h trend — its slow mean, from the feature '
        'windows of risk scoring, which must be on — has reached the mode\'s alarm ("trend")',
    )
    risk_threshold: float = Field(0.5, gt=0, lt=1, description="Risk-based policy: act above")
    costs: Costs = Costs()

    def crews_at(self, site: str) -> int:
        return self.crews.get(site, self.crews.get("default", 2))

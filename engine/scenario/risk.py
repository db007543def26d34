"""`risk:` in a scenario — failure-risk scoring — and the checked settings a run takes from it.

```yaml
risk:
  enabled: true            # score with each kind's model (twins/models/<kind>.onnx)
  interval: 10min          # how often twins score themselves (rounded to whole ticks)
  warmup: 12h              # readings a twin needs (after the start or maintenance) to be scored
  alert_level: 0.6         # or {truck: 0.5, mill: 0.7}; default: each model card's level
  clear_level: 0.3         # default: half the alert level
  clear_after: 24h         # an alert clears once risk has stayed at/below the clear level this long
  models: {truck: my/truck.onnx}   # other model files (their cards beside them)
  record_features: 1h      # also write feature rows this often (features/<kind>/, training)
```

`risk_settings` loads and checks every model the fleet needs when the run's plan is built — in
the driver, before any actor starts — so a missing, corrupt or mismatched model is a `RunError`
naming the file and the mismatch, never a failure inside a running shard.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from aurum.engine.errors import Problem, RunError
from aurum.engine.scenario.durations import Duration
from aurum.twins import registry
from aurum.twins.risk import FeatureSpec, RiskModelError, RiskSettings, load_model
from aurum.twins.risk.model import default_path
from aurum.twins.risk.settings import DEFAULT_CLEAR_AFTER_H

_STRICT = ConfigDict(extra="forbid", frozen=True)
Level = float | dict[str, float]


class RiskOptions(BaseModel):
    """Failure-risk scoring: on/off, how often, alert levels and model files."""

    model_config = _STRICT
    enabled: bool = Field(True, description="Score each twin's failure risk with its kind's model")
    interval: Duration = Field(
        default=timedelta(minutes=10),
        description="Scoring interval (rounded to whole ticks, at least one tick)",
    )
    warmup: Duration = Field(
        default=timedelta(hours=12),
        description="Readings a twin needs after the start or maintenance before it is scored",
    )
    alert_level: Level | None = Field(
        None, description="Risk that raises an alert, or one per kind (default: the model card's)"
    )
    clear_level: Level | None = Field(
        None, description="Risk under which an alert clears (default: half the alert level)"
    )
    clear_after: Duration = Field(
        default=timedelta(hours=DEFAULT_CLEAR_AFTER_H),
        description="An alert clears once risk has stayed at or below the clear level this long",
    )
    models: dict[str, str] = Field(
        default_factory=dict,
        description="Model file per kind (default twins/models/<kind>.onnx; card beside it)",
    )
    record_features: Duration | None = Field(
        None, description="Also write the features this often (the features/<kind>/ table)"
    )

    @field_validator("alert_level", "clear_level")
    @classmethod
    def _levels(cls, v: Level | None) -> Level | None:
        for kind, level in v.items() if isinstance(v, dict) else [("", v)]:
            if kind:
                _known_kind(kind)
            if level is not None and not 0.0 < level < 1.0:
                raise ValueError("a risk level is a probability in (0, 1)")
        return v

    @field_validator("models")
    @classmethod
    def _model_kinds(cls, v: dict[str, str]) -> dict[str, str]:
        for kind in v:
            _known_kind(kind)
        return v

    @model_validator(mode="after")
    def _clear_below_alert(self) -> RiskOptions:
        on, off = self.alert_level, self.clear_level
        if isinstance(on, float) and isinstance(off, float) and off >= on:
            raise ValueError(f"clear_level ({off}) must be below alert_level ({on})")
        return self


def _known_kind(kind: str) -> None:
    if kind not in registry.names():
        raise ValueError(f"unknown kind {kind!r}; registered kinds: {', '.join(registry.names())}")


def _per_kind(level: Level | None, kinds: list[str]) -> dict[str, float]:
    if level is None:
        return {}
    if isinstance(level, dict):
        return {k: float(v) for k, v in level.items() if k in kinds}
    return {k: float(level) for k in kinds}


def risk_settings(options: RiskOptions, kinds: list[str]) -> RiskSettings | None:
    """The run's scoring settings, every model loaded and checked (RunError if one is not fit);
    None when the run neither scores nor records features."""
    record = options.record_features.total_seconds() if options.record_features else 0.0
    if not options.enabled and not record:
        return None
    models = {}
    if options.enabled:
        problems = []
        for kind in kinds:
            try:
                models[kind] = load_model(FeatureSpec.of(registry.get(kind)), _path(options, kind))
            except RiskModelError as e:
                problems.append(_problem(e, kind, options))
        if problems:
            raise RunError(problems)
    settings = RiskSettings(
        score=options.enabled,
        interval_s=options.interval.total_seconds(),
        warmup_h=options.warmup.total_seconds() / 3600.0,
        models=models,
        alert_level=_per_kind(options.alert_level, kinds),
        clear_level=_per_kind(options.clear_level, kinds),
        clear_after_h=options.clear_after.total_seconds() / 3600.0,
        record_every_s=record,
    )
    for kind in kinds:
        on, off = settings.levels(kind)
        if options.enabled and not off < on:
            raise RunError(Problem(f"{kind}: clear level {off} is not below alert level {on}",
                                   "risk.clear_level", off, accepted=f"below {on}"))  # fmt: skip
    return settings


def _path(options: RiskOptions, kind: str) -> Path:
    given = options.models.get(kind)
    return Path(given).expanduser() if given else default_path(kind)


def _problem(e: RiskModelError, kind: str, options: RiskOptions) -> Problem:
    where = f"risk.models.{kind}" if kind in options.models else "risk"
    accepted = (
        f"an ONNX model and its card trained for {kind!r} (`aurum risk train --kind {kind}`), "
        "or `risk: {enabled: false}`"
    )
    return Problem(e.problem, where, file=e.file, accepted=accepted)

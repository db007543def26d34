"""The `study` file: variants and/or a parameter grid, run over replications with common seeds.

Pydantic, strict (`extra="forbid"`), frozen — like a scenario. Reading a study file keeps the
YAML line of every node, so a problem is reported at `file:line` with its field path, the bad
value and what would be accepted, as `aurum validate` does for scenarios.
"""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from aurum.engine.errors import AurumError, Problem, ScenarioError
from aurum.engine.scenario.durations import Duration
from aurum.engine.scenario.file import decode, parse_yaml
from aurum.engine.scenario.loader import format_path
from aurum.engine.studies.metrics import BY_KEY, SERIES

NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.=+-]{0,79}$"
NAME_HELP = "up to 80 letters, digits and _ . = + - (no spaces), starting with a letter or digit"
_STRICT = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class StudyError(AurumError):
    """A study file that cannot be run as written."""


class VariantSpec(BaseModel):
    """One variant: a scenario file, or another variant (`from`), plus inline overrides."""

    model_config = _STRICT
    name: str = Field(pattern=NAME_PATTERN, description="Variant name (unique in the study)")
    description: str = ""
    scenario: str | None = Field(None, description="Scenario file, relative to the study file")
    from_: str | None = Field(None, alias="from", description="An earlier variant to start from")
    overrides: dict[str, Any] = Field(
        default_factory=dict,
        description="Deep-merged into the scenario like `extends:` (lists with ids patched by id)",
    )

    @model_validator(mode="after")
    def _one_source(self) -> VariantSpec:
        if (self.scenario is None) == (self.from_ is None):
            raise ValueError("give either `scenario` (a file) or `from` (an earlier variant)")
        _no_extends(self.overrides)
        return self


class GridSpec(BaseModel):
    """A parameter grid: every combination of the values becomes a variant."""

    model_config = _STRICT
    base: str | None = Field(None, description="Scenario file the grid points override")
    parameters: dict[str, list[Any]] = Field(
        min_length=1,
        description='Dotted paths → values, e.g. "maintenance.crews.default": [1, 2, 3]; '
        '"fleet[TRUCK-21].params.payload_t" patches a list item by id; "scenario": [files]',
    )
    name: str | None = Field(
        None, description='Name template, e.g. "{policy}-crews{crews.default}"; default: values'
    )
    overrides: dict[str, Any] = Field(
        default_factory=dict, description="Overrides shared by every grid point"
    )

    @model_validator(mode="after")
    def _values(self) -> GridSpec:
        empty = [k for k, v in self.parameters.items() if not v]
        if empty:
            raise ValueError(f"every parameter needs at least one value (empty: {empty[0]})")
        if (self.base is None) == ("scenario" not in self.parameters):
            raise ValueError("give either `base` (a file) or a `scenario` parameter (files)")
        _no_extends(self.overrides)
        return self


def _no_extends(overrides: dict[str, Any]) -> None:
    if "extends" in overrides:
        raise ValueError("`extends` is not an override: a variant's base is `scenario` or `from`")


class ReportSpec(BaseModel):
    """What the HTML report plots."""

    model_config = _STRICT
    series: str = Field(
        "physical_availability", description="KPI plotted over the run (see docs/studies.md)"
    )
    tradeoff: tuple[str, str] = Field(
        ("maintenance_cost_usd", "co2e_total_t"), description="x and y of the trade-off plot"
    )

    @field_validator("series")
    @classmethod
    def _series(cls, v: str) -> str:
        if v not in SERIES:
            raise ValueError(f"not a KPI over time; accepted: {', '.join(SERIES)}")
        return v

    @field_validator("tradeoff")
    @classmethod
    def _metrics(cls, v: tuple[str, str]) -> tuple[str, str]:
        bad = [k for k in v if k not in BY_KEY]
        if bad:
            raise ValueError(f"not a metric: {bad[0]}; accepted: {', '.join(BY_KEY)}")
        return v


class Study(BaseModel):
    """A study: variants × replications, compared to a baseline variant."""

    model_config = _STRICT
    study: str = Field(pattern=NAME_PATTERN, description="Study name (its folder's name)")
    description: str = ""
    seed: int = Field(0, ge=0, lt=2**63, description="Replication seeds are spawned from it")
    replications: int = Field(1, ge=1, le=10_000, description="Runs per variant")
    baseline: str | None = Field(None, description="Variant the others are compared to")
    variants: list[VariantSpec] = Field(default_factory=list)
    grid: GridSpec | None = None
    duration: Duration | None = Field(None, description="Overrides every variant's duration")
    output: str = Field("runs/studies", min_length=1, description="Folder of <study>/")
    keep_runs: bool = Field(True, description="Keep each run's tables (false: results only)")
    report: ReportSpec = ReportSpec()

    @model_validator(mode="after")
    def _some_variant(self) -> Study:
        if not self.variants and self.grid is None:
            raise ValueError("a study needs `variants`, a `grid`, or both")
        return self


def read_study(source: str | Path | dict[str, Any]) -> tuple[Any, str, Path]:
    """The study's raw data (ruamel nodes keep lines), its label and its folder."""
    if isinstance(source, dict):
        return commented(source), "<study>", Path.cwd()
    if isinstance(source, Path) or ("\n" not in source and source.endswith((".yml", ".yaml"))):
        path = Path(source)
        if not path.is_file():
            raise StudyError(Problem("no such study file", file=str(source), accepted=".yml file"))
        try:
            raw = path.read_bytes()
        except OSError as e:
            msg = f"cannot read the study file: {e.strerror}"
            raise StudyError(Problem(msg, file=str(source))) from None
        return parse(raw, str(source)), str(source), path.parent
    return parse(source, "<study>"), "<study>", Path.cwd()


def parse(text: str | bytes, name: str) -> Any:
    """YAML text (or a file's bytes) as ruamel nodes, read as defensively as a scenario file:
    binary, non-UTF-8, syntax errors, alias bombs and deep nesting as a StudyError with its line."""
    try:
        return parse_yaml(decode(text, name) if isinstance(text, bytes) else text, name)
    except ScenarioError as e:
        raise StudyError(e.problems) from None


def commented(value: Any) -> Any:
    """Plain dicts and lists as ruamel nodes, so that overrides merge like `extends:`."""
    if isinstance(value, dict) and not isinstance(value, CommentedMap):
        return CommentedMap((k, commented(v)) for k, v in value.items())
    if isinstance(value, list) and not isinstance(value, CommentedSeq):
        return CommentedSeq(commented(v) for v in value)
    return value


def validate(data: Any, name: str) -> Study:
    """The Study model of raw data; a StudyError with every problem otherwise."""
    if not isinstance(data, dict):
        got = type(data).__name__
        raise StudyError(Problem(f"a study must be a mapping, not a {got}", file=name))
    try:
        return Study.model_validate(data)
    except ValidationError as e:
        raise StudyError(
            [_problem(err, data, name) for err in e.errors(include_url=False)]
        ) from None


def _problem(err: Any, data: Any, name: str) -> Problem:
    loc = tuple(err["loc"])
    msg = str(err["msg"]).removeprefix("Value error, ")
    msg, _, accepted = msg.partition("; accepted: ")
    if err["type"] == "extra_forbidden":
        fields = _fields_at(loc[:-1])
        close = difflib.get_close_matches(str(loc[-1]), fields, n=1)
        msg = "unknown field" + (f" (did you mean {close[0]!r}?)" if close else "")
        accepted = f"one of {', '.join(fields)}"
    elif err["type"] == "string_pattern_mismatch":
        msg, accepted = "not an accepted name", NAME_HELP
    value = err.get("input") if err["type"] != "missing" else None
    if isinstance(value, dict | list):
        value = None
    return Problem(msg, format_path(loc), value, name, line_of(data, loc), accepted)


def _fields_at(loc: tuple[Any, ...]) -> list[str]:
    """Field names (aliases) of the model at a location of the study."""
    model: type[BaseModel] = Study
    for part in loc:
        if isinstance(part, int):
            continue
        field = model.model_fields.get(str(part))
        subs: dict[str, type[BaseModel]] = {
            "variants": VariantSpec,
            "grid": GridSpec,
            "report": ReportSpec,
        }
        sub = subs.get(str(part))
        if field is None or sub is None:
            return []
        model = sub
    return [f.alias or k for k, f in model.model_fields.items()]


def line_of(data: Any, loc: tuple[Any, ...]) -> int | None:
    """1-based line of the deepest node of `loc` that the YAML recorded (None for dicts)."""
    node, line = data, None
    for part in loc:
        mark = mark_of(node, part)
        if mark is None:
            break
        line, node = mark[0], node[part]
    if line is None and isinstance(data, CommentedMap) and data.lc.line is not None:
        line = data.lc.line
    return None if line is None else line + 1


def mark_of(node: Any, key: Any) -> Any:
    """ruamel's [line, column, ...] of a key or item (None if not parsed from YAML)."""
    in_map = isinstance(node, CommentedMap) and key in node
    in_seq = isinstance(node, CommentedSeq) and isinstance(key, int) and 0 <= key < len(node)
    data = node.lc.data if in_map or in_seq else None
    if isinstance(data, dict):
        return data.get(key)
    if isinstance(data, list) and isinstance(key, int) and key < len(data):
        return data[key]
    return None

"""From a request to a scenario ready to start: shipped name or inline scenario, overrides, limits.

Every mistake is an `AurumError` naming the field, the bad value and what is accepted. Limits
(twins, duration, actors) are checked on the raw data first, so an oversized request is refused
before any work is done for it.
"""

from __future__ import annotations

import json
import logging
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

from pydantic import ValidationError

from aurum import engine
from aurum.api.config import Settings
from aurum.api.errors import UnknownScenarioError
from aurum.api.models import Overrides, RunCreate
from aurum.engine.errors import Problem, ScenarioError
from aurum.engine.run.runner import prepare
from aurum.engine.scenario.durations import format_duration
from aurum.engine.scenario.loader import parse_yaml
from aurum.engine.scenario.model import ScenarioBase, fleet_of
from aurum.twins.risk.model import MODELS_DIR

T = TypeVar("T")
log = logging.getLogger("aurum.api")
REQUEST = "<request>"
MAX_NODES = 100_000  # YAML aliases can make a small file a huge tree
MAX_FLOW_DEPTH = 64
_BRACKETS = re.compile(r"[\[\]{}]")
LIVE_EPOCH = timedelta(minutes=1)  # real-time runs default to fine epochs for smooth views


@dataclass(frozen=True)
class Launch:
    scenario: ScenarioBase
    twins_per_actor: int | str | None
    speed: float | None


def shipped(root: Path) -> dict[str, Path]:
    """Shipped scenarios by name ("demo", "failures/tyres"): the only names a request may use."""
    base = root.resolve()
    if not base.is_dir():
        return {}
    found = {}
    for path in sorted(base.rglob("*.yaml")):
        real = path.resolve()
        if real.is_relative_to(base) and real.is_file():
            found[path.relative_to(base).with_suffix("").as_posix()] = real
    return found


def from_name(name: str, settings: Settings) -> ScenarioBase:
    catalogue = shipped(settings.scenarios_dir)
    if name not in catalogue:
        accepted = ", ".join(catalogue) or "(none shipped)"
        raise UnknownScenarioError(
            Problem("no shipped scenario of that name", "scenario", name, accepted=accepted)
        )
    path = catalogue[name]
    stat = path.stat()
    return _load_shipped(path, f"{name}.yaml", stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=128)
def _load_shipped(path: Path, file: str, mtime_ns: int, size: int) -> ScenarioBase:
    """A shipped scenario, read again only when its file changes (scenarios are frozen; a
    base it extends is not watched: the catalogue is read-only while the server runs)."""
    return engine.load(path, file=file)


def parse(body: bytes, content_type: str) -> Any:
    """A request body as data: JSON if declared so, else YAML (of which JSON is a subset)."""
    try:
        text = body.decode("utf-8")
        if "json" in content_type:
            return json.loads(text)
        _check_flow_depth(text)
        return parse_yaml(text, REQUEST)
    except UnicodeDecodeError:
        raise ScenarioError(Problem("the body is not UTF-8 text", file=REQUEST)) from None
    except RecursionError:
        raise ScenarioError(Problem("the body is nested too deeply", file=REQUEST)) from None
    except ValueError as e:
        raise ScenarioError(Problem(f"not valid JSON: {e}", file=REQUEST)) from None


def _check_flow_depth(text: str) -> None:
    """Refuse deeply nested [ and { before YAML sees them: its parser takes seconds per
    thousand unclosed brackets (a 10 kB body held a worker 11 s). Brackets inside quotes count
    too; no scenario comes near the limit either way."""
    depth = 0
    for m in _BRACKETS.finditer(text):
        depth += 1 if m.group() in "[{" else -1
        if depth > MAX_FLOW_DEPTH:
            accepted = f"at most {MAX_FLOW_DEPTH} nested [ ] and {{ }}"
            raise ScenarioError(
                Problem("the body is nested too deeply", file=REQUEST, accepted=accepted)
            )


def from_request(data: Any, query: Overrides, settings: Settings) -> Launch:
    """A `RunCreate` (with "scenario": name or object) or a bare scenario plus query overrides."""
    if isinstance(data, dict) and "scenario" in data:
        req = _run_create(data, settings)
        if isinstance(req.scenario, str):
            sc = from_name(req.scenario, settings)
        else:
            sc = from_data(data["scenario"], settings)
        given = query.model_dump(exclude_none=True)
        overrides = Overrides.model_validate(req.model_dump(exclude={"scenario"}) | given)
    else:
        sc, overrides = from_data(data, settings), query
    return build(sc, overrides, settings)


def _run_create(data: dict[str, Any], settings: Settings) -> RunCreate:
    try:
        return RunCreate.model_validate(dict(data))
    except ValidationError as e:
        problems: dict[str, Problem] = {}
        for err in e.errors(include_url=False, include_input=False):
            path = ".".join(str(x) for x in err["loc"])
            if err["loc"][0] == "scenario":  # one problem for both arms of the union
                names = ", ".join(shipped(settings.scenarios_dir))
                msg = "neither a shipped scenario's name nor a scenario mapping"
                path, accepted = "scenario", f"one of {names}, or a scenario object"
                problems[path] = Problem(msg, path, data.get("scenario"), accepted=accepted)
            else:
                problems[path] = Problem(str(err["msg"]), path, file=REQUEST)
        raise ScenarioError(list(problems.values())) from None


def from_data(data: Any, settings: Settings) -> ScenarioBase:
    """A scenario from request data; never a path or text (only mappings reach the loader)."""
    if not isinstance(data, dict):
        got = type(data).__name__
        msg = f"a scenario must be a mapping of fields, not a {got}"
        accepted = "name:, start:, duration:, sites:, fleet: (or a RunCreate)"
        raise ScenarioError(Problem(msg, file=REQUEST, accepted=accepted))
    _check_size(data)
    _check_twins(_raw_twins(data), settings)
    _name_models(data, settings)
    return guarded(lambda: engine.load(data, file=REQUEST))


def guarded(make: Callable[[], T], path: str = "") -> T:
    """`make()`, with an exception the scenario checks let through refused as the request's
    mistake (422, logged for the operator) instead of answered with a 500."""
    try:
        return make()
    except (ArithmeticError, ValueError, TypeError, RecursionError) as e:
        log.warning("a request's scenario escaped the checks", exc_info=e)
        msg = f"the scenario cannot be run as given ({type(e).__name__}: {str(e)[:120]})"
        raise ScenarioError(Problem(msg, path, file=REQUEST)) from None


def model_names(settings: Settings) -> dict[str, Path]:
    """Risk models a request may name: the shipped ones (by kind) and AURUM_RISK_MODELS."""
    return {p.stem: p for p in sorted(MODELS_DIR.glob("*.onnx"))} | dict(settings.risk_models)


def _name_models(data: dict[str, Any], settings: Settings) -> None:
    """Replace each `risk.models` name by its file; refuse anything else, paths above all.

    A request must not name files on the server: the answer would tell whether they exist.
    """
    risk = data.get("risk")
    models = risk.get("models") if isinstance(risk, dict) else None
    if not isinstance(models, dict):
        return  # none named, or the wrong shape: the scenario checks say so
    names = model_names(settings)
    accepted = f"one of {', '.join(names) or '(none)'} (the server's models, by name)"
    problems = []
    for kind, name in models.items():
        if isinstance(name, str) and name in names:
            models[kind] = str(names[name])
        else:
            shown = name if isinstance(name, str | int | float | bool) else None
            msg = "not a risk model this server offers (a request names a model, not a file)"
            problems.append(Problem(msg, f"risk.models.{kind}", shown, REQUEST, accepted=accepted))
    if problems:
        raise ScenarioError(problems)


def _check_size(data: Any) -> None:
    """Walk the tree (aliases counted each time they are met) up to MAX_NODES nodes."""
    stack, seen = [data], 0
    while stack:
        node = stack.pop()
        seen += 1
        if seen > MAX_NODES:
            accepted = f"at most {MAX_NODES:,} values"
            raise ScenarioError(Problem("scenario too large", file=REQUEST, accepted=accepted))
        if isinstance(node, dict):
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)


def _raw_twins(data: dict[str, Any]) -> int:
    fleet = data.get("fleet")
    if not isinstance(fleet, list):
        return 0
    counts = [e.get("count") if isinstance(e, dict) else None for e in fleet]
    return sum(c if isinstance(c, int) and not isinstance(c, bool) and c > 0 else 1 for c in counts)


def _check_twins(n: int, settings: Settings) -> None:
    if n > settings.max_twins:
        msg = f"too many twins for one run ({n:,})"
        accepted = f"at most {settings.max_twins:,} twins (AURUM_MAX_TWINS)"
        raise ScenarioError(Problem(msg, "fleet", n, REQUEST, accepted=accepted))


def build(sc: ScenarioBase, o: Overrides, settings: Settings) -> Launch:
    """The scenario with its overrides, checked against the server's limits."""
    epoch = o.epoch
    if o.speed is not None and epoch is None:
        epoch = format_duration(max(sc.tick, LIVE_EPOCH // sc.tick * sc.tick))
    sc = guarded(lambda: prepare(sc, o.seed, o.duration, epoch))
    counts = twin_counts(sc)
    _check_twins(sum(counts.values()), settings)
    _check_duration(sc, settings)
    tpa = o.twins_per_actor if o.twins_per_actor is not None else sc.execution.twins_per_actor
    _check_actors(counts, tpa, settings)
    return Launch(sc, tpa, o.speed)


def twin_counts(sc: ScenarioBase) -> dict[str, int]:
    """Twins of each kind in a scenario."""
    counts: dict[str, int] = {}
    for e in fleet_of(sc):
        counts[e.kind] = counts.get(e.kind, 0) + (e.count or 1)
    return counts


def _check_duration(sc: ScenarioBase, settings: Settings) -> None:
    if sc.duration > settings.max_duration:
        limit = format_duration(settings.max_duration)
        got = format_duration(sc.duration)
        accepted = f"at most {limit} (AURUM_MAX_DURATION)"
        raise ScenarioError(Problem("simulated span too long", "duration", got, accepted=accepted))


def _check_actors(counts: dict[str, int], tpa: int | str, settings: Settings) -> None:
    if tpa == "auto":
        return
    actors = sum(math.ceil(n / int(tpa)) for n in counts.values())
    if actors > settings.max_actors:
        msg = f"{actors:,} shard actors is too many for one run"
        accepted = f'at most {settings.max_actors} actors (AURUM_MAX_ACTORS), or "auto"'
        raise ScenarioError(Problem(msg, "twins_per_actor", tpa, accepted=accepted))

"""A study's variants as validated scenarios, and its runs: variant × replication.

Every variant is built the way `extends:` builds a what-if (`engine.scenario.extends.merge`): a
scenario
file, or an earlier variant (`from`), with the study's overrides merged in. Grid points turn
their dotted paths into such overrides. Each merged node remembers the file that wrote it, so a
problem in an override is reported at its line of the study file, and a problem inherited from
a scenario at its line there. Replication seeds are spawned from the study seed and are the same
for every variant (common random numbers).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedMap

from aurum.engine.errors import AurumError, Problem
from aurum.engine.run.runner import prepare
from aurum.engine.scenario.extends import merge, resolve
from aurum.engine.scenario.loader import check, parse_yaml
from aurum.engine.studies.grid import GridPoint, grid_points
from aurum.engine.studies.model import Study, StudyError, commented, line_of, read_study, validate
from aurum.twins.rng import spawn_seed


@dataclass(frozen=True)
class VariantPlan:
    """A variant ready to run: its scenario (duration override applied) and what it changes."""

    name: str
    scenario: dict[str, Any]  # JSON form of the validated scenario
    changes: str
    digest: str  # hash of what the user wrote: with the seed, the identity of a run


@dataclass(frozen=True)
class RunSpec:
    """One run of the study: a variant at a replication seed, and its folder."""

    variant: str
    replication: int
    seed: int
    key: str
    folder: Path

    @property
    def label(self) -> str:
        return f"{self.variant} r{self.replication:03d}"


@dataclass(frozen=True)
class StudyPlan:
    study: Study
    file: str
    folder: Path
    variants: list[VariantPlan]
    baseline: str
    runs: list[RunSpec]

    def variant(self, name: str) -> VariantPlan:
        return next(v for v in self.variants if v.name == name)


def plan_study(
    source: str | Path | dict[str, Any] | Study,
    *,
    replications: int | None = None,
    seed: int | None = None,
    duration: str | None = None,
    out: str | Path | None = None,
) -> StudyPlan:
    """Read, check and expand a study; a StudyError listing every problem otherwise."""
    if isinstance(source, Study):
        source = source.model_dump(mode="json", by_alias=True, exclude_none=True)
    raw, name, here = read_study(source)
    changes = {"replications": replications, "seed": seed, "duration": duration}
    for key, value in changes.items():
        if value is not None:
            raw[key] = value
    study = validate(raw, name)
    built, problems = _variants(study, raw, name, here)
    baseline = study.baseline or (built[0][0] if built else "")
    problems += _baseline_problems(raw, name, [b[0] for b in built], baseline)
    variants = []
    tagged: list[tuple[str, Problem]] = []
    for variant, data, what in built:
        plan, found = _checked(variant, data, what, study, name)
        tagged += [(variant, p) for p in found]
        if plan is not None:
            variants.append(plan)
    problems += _per_variant(tagged)
    if problems:
        raise StudyError(sorted(problems, key=lambda p: (p.file, p.line or 0, p.path)))
    folder = Path(out or study.output) / study.study
    return StudyPlan(study, name, folder, variants, baseline, _runs(study, variants, folder))


Built = tuple[str, Any, str]  # (variant name, merged scenario data, what it changes)


def _variants(study: Study, raw: Any, name: str, here: Path) -> tuple[list[Built], list[Problem]]:
    """Merged scenario data of every listed variant, then of every grid point."""
    built: dict[str, Built] = {}
    problems: list[Problem] = []
    for i, v in enumerate(study.variants):
        node = raw["variants"][i]
        try:
            base = _base(v.scenario, v.from_, built, node, (f"variants[{i}]",), name, here)
        except AurumError as e:
            problems += e.problems
            continue
        data = merge(base, _annotated(node.get("overrides", CommentedMap()), name))
        what = _describe(v.scenario, v.from_, node.get("overrides"))
        where = (name, f"variants[{i}].name", line_of(node, ("name",)))
        problems += _add(built, (v.name, data, v.description or what), where)
    if study.grid is not None:
        points, found = grid_points(study.grid, raw["grid"], name, here, _read_scenario)
        problems += found
        for p in points:
            data = _grid_data(p, raw["grid"], name)
            where = (name, "grid.name", line_of(raw["grid"], ("name",)))
            problems += _add(built, (p.name, data, p.changes), where)
    return list(built.values()), problems


def _add(
    built: dict[str, Built], variant: Built, where: tuple[str, str, int | None]
) -> list[Problem]:
    """Add a variant unless its name is taken (then the problem, at the name's line)."""
    if variant[0] not in built:
        built[variant[0]] = variant
        return []
    file, path, line = where
    return [Problem("two variants have the same name", path, variant[0], file, line)]


def _base(
    scenario: str | None,
    parent: str | None,
    built: dict[str, Built],
    node: Any,
    loc: tuple[Any, ...],
    name: str,
    here: Path,
) -> Any:
    if parent is not None:
        if parent not in built:
            accepted = ", ".join(built) or "(none before this one)"
            at = line_of(node, ("from",))
            msg = "`from` names a variant listed earlier"
            problem = Problem(msg, ".".join([*loc, "from"]), parent, name, at, accepted)
            raise StudyError(problem)
        return built[parent][1]
    assert scenario is not None
    path = here / scenario
    if not path.is_file():
        at = line_of(node, ("scenario",))
        where = ".".join([*loc, "scenario"])
        problem = Problem("no such scenario file", where, scenario, name, at, "a .yaml file")
        raise StudyError(problem)
    return _read_scenario(path)


def _read_scenario(path: Path) -> Any:
    """A scenario file's data with its `extends` chain merged (lines kept)."""

    def read(p: Path) -> Any:
        return parse_yaml(p.read_text(encoding="utf-8"), str(p))

    return resolve(read(path), path, read)


def _annotated(overrides: Any, name: str) -> Any:
    """Overrides as ruamel nodes that remember they come from the study file."""
    node = commented(overrides)
    if not isinstance(node, CommentedMap):
        return node
    node.pop("extends", None)  # a variant's base is its `scenario` or `from`
    return resolve(node, Path(name), None)


def _grid_data(p: GridPoint, grid_raw: Any, name: str) -> Any:
    data = merge(p.base, _annotated(grid_raw.get("overrides", CommentedMap()), name))
    return merge(data, _annotated(p.overrides, name))


def _describe(scenario: str | None, parent: str | None, overrides: Any) -> str:
    head = f"from {parent}" if parent else str(scenario)
    if not overrides:
        return head
    return f"{head} + {json.dumps(_plain(overrides), separators=(',', ':'))}"


def _plain(node: Any) -> Any:
    if isinstance(node, dict):
        return {str(k): _plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    return node


def _checked(
    variant: str, data: Any, what: str, study: Study, name: str
) -> tuple[VariantPlan | None, list[Problem]]:
    """Validate a variant's merged scenario (and the study's duration override on it)."""
    scenario, problems = check(data, file=name)
    if scenario is None:
        return None, problems
    try:
        scenario = prepare(scenario, duration=study.duration)
    except AurumError as e:
        return None, [
            Problem(p.message, "duration", p.value, name, None, p.accepted) for p in e.problems
        ]
    return VariantPlan(variant, scenario.model_dump(mode="json"), what, _digest(data, study)), []


def _digest(data: Any, study: Study) -> str:
    """Hash of what the user wrote for a variant (not of defaults the engine may add later)."""
    written = {k: v for k, v in _plain(data).items() if k != "seed"}
    written["duration"] = str(study.duration or written.get("duration"))
    text = json.dumps(written, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _per_variant(tagged: list[tuple[str, Problem]]) -> list[Problem]:
    """Each problem once, naming the variants it was found in (grid points share theirs)."""
    seen: dict[str, tuple[Problem, list[str]]] = {}
    for variant, p in tagged:
        seen.setdefault(str(p), (p, []))[1].append(variant)
    out = []
    for p, names in seen.values():
        shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
        msg = f"{p.message} (variant{'s' if len(names) > 1 else ''} {shown})"
        out.append(Problem(msg, p.path, p.value, p.file, p.line, p.accepted))
    return out


def _baseline_problems(raw: Any, name: str, names: list[str], baseline: str) -> list[Problem]:
    if not baseline or baseline in names:
        return []
    line = line_of(raw, ("baseline",))
    msg = "the baseline names no variant"
    return [Problem(msg, "baseline", baseline, name, line, ", ".join(names))]


def _runs(study: Study, variants: list[VariantPlan], folder: Path) -> list[RunSpec]:
    seeds = [spawn_seed(study.seed, r) for r in range(study.replications)]
    return [
        RunSpec(v.name, r, s, run_key(v.digest, s), folder / "runs" / v.name / f"r{r:03d}")
        for v in variants
        for r, s in enumerate(seeds)
    ]


def run_key(digest: str, seed: int) -> str:
    """Identity of a run: its scenario and seed (a changed variant is run again)."""
    return f"{digest}-{seed}"

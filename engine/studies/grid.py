"""A study's parameter grid: dotted paths × values → one override per combination.

Paths follow the scenario's fields: `maintenance.crews.default`, `esg.gwp_set`; a list item is
named by its id: `fleet[TRUCK-21].params.payload_t`, `sites[antofagasta].altitude_m`. The
special parameter `scenario` varies the base file itself. Built nodes carry the line of their
parameter in the study file, so a bad path is reported there.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from aurum.engine.errors import Problem
from aurum.engine.scenario.extends import item_id
from aurum.engine.studies.model import NAME_HELP, NAME_PATTERN, GridSpec, line_of

SEGMENT = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)(?:\[([^\]]+)\])?$")
PLACEHOLDER = re.compile(r"\{([^{}]+)\}")
PATH_HELP = 'field.field, with list items by id: "fleet[TRUCK-21].params.payload_t"'
Segment = tuple[str, str | None]


@dataclass(frozen=True)
class GridPoint:
    """One combination of the grid's values."""

    name: str
    base: Any  # the base scenario's data
    overrides: CommentedMap
    changes: str


def grid_points(
    grid: GridSpec, raw: Any, file: str, here: Path, read: Callable[[Path], Any]
) -> tuple[list[GridPoint], list[Problem]]:
    """Every grid point (in parameter order, last parameter fastest) and the problems found."""
    problems: list[Problem] = []
    paths = {}
    for key in grid.parameters:
        if key != "scenario":
            paths[key], found = _parse(key, raw, file)
            problems += found
    bases, found = _bases(grid, raw, file, here, read)
    problems += found + _template_problems(grid, raw, file)
    for key, segments in paths.items():
        line = line_of(raw, ("parameters", key))
        for base in bases.values():
            problems += _missing_ids(key, segments, base, file, line)
    if problems:
        return [], _dedupe(problems)
    points = []
    for combo in itertools.product(*grid.parameters.values()):
        values = dict(zip(grid.parameters, combo, strict=True))
        base = bases[str(values.get("scenario", grid.base))]
        over = CommentedMap()
        for key, value in values.items():
            if key != "scenario":
                _put(over, paths[key], value, line_of(raw, ("parameters", key)))
        name = _name(grid, values)
        bad = name_problem(name, file, line_of(raw, ("name",)))
        problems += [bad] if bad else []
        points.append(GridPoint(name, base, over, _changes(values)))
    return points, _dedupe(problems)


def _parse(key: str, raw: Any, file: str) -> tuple[list[Segment], list[Problem]]:
    segments: list[Segment] = []
    for part in key.split("."):
        m = SEGMENT.match(part)
        if m is None:
            line = line_of(raw, ("parameters", key))
            where = f"grid.parameters.{key}"
            return [], [Problem("not a field path", where, part, file, line, PATH_HELP)]
        segments.append((m.group(1), m.group(2)))
    return segments, []


def _bases(
    grid: GridSpec, raw: Any, file: str, here: Path, read: Callable[[Path], Any]
) -> tuple[dict[str, Any], list[Problem]]:
    """The data of every base file the grid uses, keyed as written."""
    named: list[tuple[str, tuple[Any, ...], str]]
    if grid.base is not None:
        named = [(grid.base, ("base",), "grid.base")]
    else:
        files = grid.parameters["scenario"]
        named = [
            (str(f), ("parameters", "scenario", j), f"grid.parameters.scenario[{j}]")
            for j, f in enumerate(files)
        ]
    bases, problems = {}, []
    for ref, loc, where in named:
        path = here / ref
        if not path.is_file():
            problems.append(
                Problem("no such scenario file", where, ref, file, line_of(raw, loc), "a .yaml")
            )
            continue
        bases[ref] = read(path)
    return bases, problems


def _missing_ids(
    key: str, segments: list[Segment], base: Any, file: str, line: int | None
) -> list[Problem]:
    """A `[id]` that names no item of the base's list (it would add a new one)."""
    node = base
    for field, ident in segments:
        node = node.get(field) if isinstance(node, dict) else None
        if ident is None or not isinstance(node, list):
            continue
        named = {str(item_id(x)): x for x in node if item_id(x) is not None}
        if ident not in named:
            where = f"grid.parameters.{key}"
            msg = f"no item with this id (or count entry's id_prefix) in `{field}`"
            return [Problem(msg, where, ident, file, line, ", ".join(named))]
        node = named[ident]
    return []


def _put(over: CommentedMap, segments: list[Segment], value: Any, line: int | None) -> None:
    """Merge `path: value` into the override tree, marking each node with the line."""
    node: Any = over
    for i, (field, ident) in enumerate(segments):
        last = i + 1 == len(segments)
        if ident is None:
            if last:
                _set(node, field, value, line)
                return
            if field not in node:
                _set(node, field, CommentedMap(), line)
            node = node[field]
            continue
        if field not in node:
            _set(node, field, CommentedSeq(), line)
        node = _item(node[field], ident, line)
        if last and isinstance(value, dict):
            for k, v in value.items():
                _set(node, k, v, line)


def _item(seq: CommentedSeq, ident: str, line: int | None) -> CommentedMap:
    for x in seq:
        if x.get("id") == ident:
            return x
    item = CommentedMap()
    _set(item, "id", ident, line)
    seq.append(item)
    _mark(seq, len(seq) - 1, line)
    return item


def _set(node: CommentedMap, key: str, value: Any, line: int | None) -> None:
    node[key] = value
    _mark(node, key, line)


def _mark(node: Any, key: Any, line: int | None) -> None:
    if line is None:
        return
    if node.lc.data is None:
        node.lc.data = {}
    node.lc.data[key] = [line - 1, 0, line - 1, 0]


def _template_problems(grid: GridSpec, raw: Any, file: str) -> list[Problem]:
    if grid.name is None:
        return []
    problems = []
    for found in PLACEHOLDER.findall(grid.name):
        if len(_matches(found, list(grid.parameters))) != 1:
            problems.append(
                Problem(
                    "a placeholder of the name template names no single parameter",
                    "grid.name",
                    found,
                    file,
                    line_of(raw, ("name",)),
                    ", ".join(grid.parameters),
                )
            )
    return problems


def _matches(placeholder: str, keys: list[str]) -> list[str]:
    """Parameters that a placeholder names: the whole path or its last segments."""
    return [k for k in keys if k == placeholder or k.endswith("." + placeholder)]


def _name(grid: GridSpec, values: dict[str, Any]) -> str:
    shown = {k: _show(k, v) for k, v in values.items()}
    if grid.name is None:
        return "-".join(shown.values())
    return PLACEHOLDER.sub(lambda m: shown[_matches(m.group(1), list(shown))[0]], grid.name)


def _show(key: str, value: Any) -> str:
    if key == "scenario":
        return Path(str(value)).name.removesuffix(".yaml").removesuffix(".yml")
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _changes(values: dict[str, Any]) -> str:
    return ", ".join(f"{k}={_show(k, v)}" for k, v in values.items())


def _dedupe(problems: list[Problem]) -> list[Problem]:
    return list({str(p): p for p in problems}.values())


def name_problem(name: str, file: str, line: int | None) -> Problem | None:
    """A generated variant name that is not a usable folder name."""
    if re.match(NAME_PATTERN, name):
        return None
    msg = "the grid makes a variant name that is not accepted"
    return Problem(msg, "grid.name", name, file, line, NAME_HELP)

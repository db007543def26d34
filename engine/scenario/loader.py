"""Read and check scenario files, reporting every problem with its YAML line and field path."""

from __future__ import annotations

import difflib
import types
import typing
from collections.abc import Iterable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from aurum.engine.errors import Problem, ScenarioError
from aurum.engine.scenario.emissions import esg_problems
from aurum.engine.scenario.extends import origin_of, resolve
from aurum.engine.scenario.file import (
    SUFFIXES,
    check_tree,
    parse_yaml,
    read_text,
    value_problems,
)
from aurum.engine.scenario.model import (
    COUNTRY_PATTERN,
    ID_PATTERN,
    PREFIX_PATTERN,
    ScenarioBase,
    scenario_model,
)
from aurum.engine.scenario.semantics import semantic_problems

Loc = tuple[int | str, ...]
ACCEPTED_DATA = "name:, start:, duration:, sites:, fleet:"


def load(source: str | Path | dict[str, Any], *, file: str | None = None) -> ScenarioBase:
    """A validated scenario from a file path, YAML text or a dict; ScenarioError otherwise."""
    scenario, problems = check(source, file=file)
    if problems or scenario is None:
        raise ScenarioError(problems)
    return scenario


def check(
    source: str | Path | dict[str, Any], *, file: str | None = None
) -> tuple[ScenarioBase | None, list[Problem]]:
    """Validate without raising: the scenario (if valid) and every problem found."""
    try:
        data, name = _read(source, file)
    except ScenarioError as e:
        return None, e.problems
    if not isinstance(data, dict):
        got = "nothing (the scenario is empty)" if data is None else f"a {type(data).__name__}"
        msg = f"a scenario must be a mapping of fields, not {got}"
        return None, [Problem(msg, file=name, accepted=ACCEPTED_DATA)]
    problems: list[Problem] = []
    scenario = None
    try:
        scenario = scenario_model().model_validate(data)
    except ValidationError as e:
        problems += _pydantic_problems(e, data, name)
    raw = value_problems(data)
    reported = {p.path for p in problems}
    semantic = [p for p in raw if p.path not in reported] + semantic_problems(data)
    if scenario is not None and not semantic:
        semantic = _nonfinite(scenario) or esg_problems(scenario)
    problems += [_placed(p, data, name) for p in semantic]
    problems.sort(key=lambda p: (p.line or 0, p.path))
    return (None if problems else scenario), problems


def _read(source: str | Path | dict[str, Any], file: str | None) -> tuple[Any, str]:
    if not isinstance(source, str | Path | dict):
        got = type(source).__name__
        raise ScenarioError(
            Problem(
                f"a scenario must be a mapping of fields, not a {got}",
                file=file or "<scenario>",
                accepted="a path to a .yaml file, YAML text, or a mapping",
            )
        )
    if isinstance(source, dict):
        name = file or "<scenario>"
        check_tree(source, name)
        return source, name
    if isinstance(source, str) and not source.strip():
        raise ScenarioError(
            Problem("the scenario is empty", file=file or "<scenario>", accepted=ACCEPTED_DATA)
        )
    if isinstance(source, Path) or _looks_like_a_path(source):
        path = Path(source)
        name = file or str(source) or "<scenario>"
        data = parse_yaml(read_text(path, name), name)
        _not_a_study(data, name)
        return resolve(data, path, _read_file), name
    return parse_yaml(source, file or "<scenario>"), file or "<scenario>"


def _looks_like_a_path(text: str) -> bool:
    """One line naming a file: a scenario's YAML always has a `key: value` on some line."""
    return "\n" not in text.strip() and (text.lower().endswith(SUFFIXES) or ": " not in text)


def _read_file(path: Path) -> Any:
    data = parse_yaml(read_text(path, str(path)), str(path))
    _not_a_study(data, str(path))
    return data


def _not_a_study(data: Any, name: str) -> None:
    if isinstance(data, dict) and "study" in data and "fleet" not in data:
        raise ScenarioError(
            Problem(
                "this is a study file, not a scenario: use `aurum study FILE`",
                file=name,
                accepted="a scenario (name:, start:, duration:, sites:, fleet:)",
            )
        )


def _nonfinite(scenario: ScenarioBase) -> list[Problem]:
    """Non-finite numbers that pydantic parsed from text ("inf", "nan") in any nested model."""
    return [p for p in value_problems(scenario.model_dump()) if p.message == "not a finite number"]


def _pydantic_problems(err: ValidationError, data: Any, name: str) -> list[Problem]:
    merged: dict[str, tuple[Loc, list[str], list[str]]] = {}
    for e in err.errors(include_url=False):
        loc = _clean_loc(tuple(e["loc"]), data)
        path = format_path(loc)
        msg, accepted = _explain(e, loc, data)
        if path in merged:
            merged[path][1].append(msg)
            merged[path][2].append(accepted)
        else:
            merged[path] = (loc, [msg], [accepted])
    out = []
    for path, (loc, msgs, accepts) in merged.items():
        found, value = _value_at(data, loc)
        file, line = _line_of(data, loc)
        out.append(
            Problem(
                " or ".join(dict.fromkeys(msgs)),
                path=path,
                value=_shown(value) if found else None,
                file=file or name,
                line=line,
                accepted=" or ".join(dict.fromkeys(a for a in accepts if a)),
            )
        )
    return out


def _shown(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


PATTERN_HELP = {
    ID_PATTERN: "up to 64 letters, digits and _ . : - (no spaces), starting with a letter or digit",
    PREFIX_PATTERN: "up to 41 letters, digits and _ . : - (no spaces)",
    COUNTRY_PATTERN: "an ISO 3166 code in capitals, optionally with a region: CL, PE, AU-WA-NWIS",
}


def _explain(e: Any, loc: Loc, data: Any) -> tuple[str, str]:
    """A pydantic error as (what is wrong, what would be accepted), in the user's words."""
    kind, msg = e["type"], str(e["msg"]).removeprefix("Value error, ")
    model = _model_at(loc[:-1], data)
    field = model.model_fields.get(str(loc[-1])) if model is not None and loc else None
    if kind == "extra_forbidden":
        fields = list(model.model_fields) if model is not None else []
        close = difflib.get_close_matches(str(loc[-1]), fields, n=1) if loc else []
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        return f"unknown field{hint}", f"one of {', '.join(fields)}" if fields else ""
    if kind == "missing":
        return "missing required field", field.description or "" if field else ""
    if kind == "string_pattern_mismatch":
        pattern = e.get("ctx", {}).get("pattern", "")
        return "not an accepted form", PATTERN_HELP.get(pattern, f"text matching {pattern}")
    if "; accepted: " in msg:
        text, accepted = msg.split("; accepted: ", 1)
        return text, accepted
    if field is not None and kind in NUMBER_ERRORS:
        return msg, _number_range(field)
    return msg, TYPE_HELP.get(kind, "")


TYPE_HELP = {
    "string_type": "text",
    "dict_type": "a mapping of `key: value` lines",
    "list_type": "a list (`- item` lines or [a, b])",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "finite_number": "a finite number",
    "datetime_type": "an ISO 8601 time: 2026-01-05T00:00:00Z",
    "datetime_parsing": "an ISO 8601 time: 2026-01-05T00:00:00Z",
    "datetime_from_date_parsing": "an ISO 8601 time: 2026-01-05T00:00:00Z",
}


NUMBER_ERRORS = {
    "finite_number",
    "greater_than",
    "greater_than_equal",
    "less_than",
    "less_than_equal",
    "float_parsing",
    "float_type",
    "int_parsing",
    "int_type",
}


def _number(v: float) -> str:
    if isinstance(v, int) and v >= 2**32 and (v & (v - 1)) == 0:
        return f"2^{v.bit_length() - 1}"
    return str(v) if isinstance(v, int) else f"{v:g}"


def _number_range(field: Any) -> str:
    """'a number > 0 and ≤ 500 [t]' from a field's constraints and unit."""
    bounds = []
    for m in field.metadata:
        for attr, sign in (("gt", ">"), ("ge", "≥"), ("lt", "<"), ("le", "≤")):
            if getattr(m, attr, None) is not None:
                v = getattr(m, attr)
                bounds.append(f"{sign} {_number(v)}")
    extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
    unit = f" [{extra['unit']}]" if extra.get("unit") else ""
    kind = "a whole number" if field.annotation is int else "a number"
    return f"{kind} {' and '.join(bounds)}{unit}".replace("  ", " ").strip()


UNION_MEMBERS = ("int", "str", "float", "bool", "datetime", "timedelta", "dict", "list")


def _clean_loc(loc: Loc, data: Any) -> Loc:
    """Drop pydantic's union-member markers so the path is the one the user wrote."""
    out: list[int | str] = []
    node = data
    for part in loc:
        marker = isinstance(part, str) and (
            "[" in part or part in UNION_MEMBERS or node_kind(node) == part
        )
        if marker and not (isinstance(node, dict) and part in node):
            continue
        if isinstance(node, list) and isinstance(part, str):
            continue
        out.append(part)
        node = _child(node, part)
    return tuple(out)


def node_kind(node: Any) -> Any:
    return node.get("kind") if isinstance(node, dict) else None


def _child(node: Any, part: int | str) -> Any:
    if isinstance(node, dict) and part in node:
        return node[part]
    if isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
        return node[part]
    return None


def _value_at(data: Any, loc: Loc) -> tuple[bool, Any]:
    node = data
    for part in loc:
        if (isinstance(node, dict) and part in node) or (
            isinstance(node, list) and (isinstance(part, int) and 0 <= part < len(node))
        ):
            node = node[part]  # type: ignore[index]
        else:
            return False, None
    return True, node


def _line_of(data: Any, loc: Loc) -> tuple[str | None, int | None]:
    """File and 1-based line of the deepest node of `loc` in the YAML (None for plain dicts).

    With `extends`, the file is the one in the chain that wrote that node.
    """
    node, line, file = data, None, None
    for part in loc:
        mark = None
        if isinstance(node, CommentedMap) and part in node:
            mark = node.lc.data.get(part)
        elif isinstance(node, CommentedSeq) and isinstance(part, int) and part < len(node):
            mark = node.lc.data[part] if part < len(node.lc.data) else None
        else:
            break
        if mark is not None:
            line, file = mark[0], origin_of(node, part) or file
        node = node[part]
    if line is None and isinstance(data, CommentedMap):
        line = data.lc.line
    return file, None if line is None else line + 1


def format_path(loc: Iterable[int | str]) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _placed(p: Problem, data: Any, name: str) -> Problem:
    """Give a semantic problem (found on raw data) its file and line."""
    file, line = _line_of(data, _parse_path(p.path))
    return Problem(p.message, p.path, p.value, file or name, line, p.accepted)


def _parse_path(path: str) -> Loc:
    out: list[int | str] = []
    for part in path.replace("[", ".[").split("."):
        if part.startswith("["):
            out.append(int(part[1:-1]))
        elif part:
            out.append(part)
    return tuple(out)


def _model_at(loc: Loc, data: Any) -> type[BaseModel] | None:
    """The pydantic model that validates the mapping at `loc` (following the user's data)."""
    model: type[BaseModel] = scenario_model()
    node = data
    for part in loc:
        node = _child(node, part)
        if isinstance(part, int):
            continue
        field = model.model_fields.get(part)
        if field is None:
            return None
        found = _pick_model(field.annotation, node)
        if found is None:
            return None
        model = found
    return model


def _pick_model(annotation: Any, node: Any) -> type[BaseModel] | None:
    for candidate in _flatten(annotation):
        kind_field = candidate.model_fields.get("kind")
        if kind_field is None or not isinstance(node, dict):
            return candidate
        if node.get("kind") in typing.get_args(kind_field.annotation):
            return candidate
    return None


def _flatten(annotation: Any) -> Iterator[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
        return
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        yield from _flatten(typing.get_args(annotation)[0])
    elif origin in (list, typing.Union, types.UnionType):
        for arg in typing.get_args(annotation):
            yield from _flatten(arg)

"""A scenario's file and text, read defensively: what a person may point `aurum` at.

Refused with one Problem each, before any YAML is built: a missing path, a folder, a name that is
not .yaml, .yml or .json (JSON is YAML, so a JSON scenario is read as one), an empty or binary
file, bytes that are not UTF-8, control characters, and files over `MAX_FILE_BYTES`. Once parsed,
the tree is walked once (aliases counted each time they are met) and refused past `MAX_NODES`
values or `MAX_NESTING` levels: a "billion laughs" file or a 1,000-deep list never reaches the
validator, which would take minutes or overflow the stack.
"""

from __future__ import annotations

import io
import math
import re
import warnings
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from aurum.engine.errors import Problem, ScenarioError

SUFFIXES = (".yaml", ".yml", ".json")
ACCEPTED_FILE = "a .yaml, .yml or .json scenario file (JSON is read as YAML)"
MAX_FILE_BYTES = 10 * 2**20
MAX_NODES = 1_000_000  # values in the expanded tree; a 1M-twin fleet needs a few (`count:`)
MAX_NESTING = 32  # a scenario's deepest field is about 6 levels down
# C0 controls but tab, newline and carriage return; DEL; C1 controls. YAML forbids them in a file.
# Unpaired surrogates ("\\ud800" escapes) cannot be written to a table or a manifest.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff]")


def read_text(path: Path, name: str) -> str:
    """The UTF-8 text of a scenario file, or a ScenarioError saying what the path is instead."""
    if path.is_dir():
        raise ScenarioError(
            Problem("a folder, not a scenario file", file=name, accepted=ACCEPTED_FILE)
        )
    if not path.is_file():
        raise ScenarioError(Problem("no such scenario file", file=name, accepted=ACCEPTED_FILE))
    if path.suffix.lower() not in SUFFIXES:
        msg = f"not a scenario file name (suffix {path.suffix or 'none'!r})"
        raise ScenarioError(Problem(msg, file=name, accepted=ACCEPTED_FILE))
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            msg = f"too large for a scenario file ({path.stat().st_size:,} bytes)"
            raise ScenarioError(
                Problem(msg, file=name, accepted=f"at most {MAX_FILE_BYTES // 2**20} MiB")
            )
        raw = path.read_bytes()
    except OSError as e:
        raise ScenarioError(Problem(f"cannot read the file: {e.strerror}", file=name)) from None
    return decode(raw, name)


def decode(raw: bytes, name: str) -> str:
    """UTF-8 text (a byte-order mark allowed); binary or other encodings refused at their line."""
    if b"\x00" in raw[:8192]:
        raise ScenarioError(
            Problem("a binary file, not YAML text", file=name, accepted=ACCEPTED_FILE)
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        msg = f"not UTF-8 text (byte 0x{raw[e.start]:02x})"
        raise ScenarioError(
            Problem(msg, file=name, line=line, accepted="a file saved as UTF-8")
        ) from None
    if not text.strip():
        raise ScenarioError(
            Problem(
                "the file is empty", file=name, accepted="name:, start:, duration:, sites:, fleet:"
            )
        )
    return text


def parse_yaml(text: str, name: str) -> Any:
    """Parse YAML text (1.2) into ruamel nodes, then check the tree's size and depth."""
    bad = _CONTROL.search(text)
    if bad is not None:
        at = text.count("\n", 0, bad.start()) + 1
        raise ScenarioError(
            Problem(_unprintable(bad.group()), file=name, line=at, accepted="printable text")
        )
    if _flow_depth(text) > MAX_NESTING:  # ruamel takes seconds on 2,000 nested `[` before it
        raise ScenarioError(_too_deep(name))
    try:
        with warnings.catch_warnings():  # a reused anchor is legal YAML: no warning on screen
            warnings.simplefilter("ignore")
            data = YAML(typ="rt").load(io.StringIO(text))
    except MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        where = mark.line + 1 if mark is not None else None
        msg = f"YAML syntax error: {e.problem or e.context}"
        raise ScenarioError(Problem(msg, file=name, line=where)) from None
    except RecursionError:
        raise ScenarioError(_too_deep(name)) from None
    except (YAMLError, ValueError, OverflowError) as e:
        # ruamel's reader and constructors: a 5,000-digit integer, a date out of range, ...
        msg = f"cannot read a value: {str(e).splitlines()[0]}"
        raise ScenarioError(Problem(msg, file=name, accepted="YAML text")) from None
    check_tree(data, name)
    return data


_FLOW = re.compile(r"""[\[\]{}]|"(?:[^"\\\n]|\\.)*"|'(?:[^'\n]|'')*'|#[^\n]*""")


def _flow_depth(text: str) -> int:
    """The deepest nesting of flow brackets (`[`, `{`), outside quotes and comments."""
    if text.count("[") + text.count("{") <= MAX_NESTING:
        return 0
    depth = deepest = 0
    for m in _FLOW.finditer(text):
        c = m.group()
        if c in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif c in "]}":
            depth = max(depth - 1, 0)
    return deepest


def _too_deep(name: str) -> Problem:
    return Problem(
        f"nested more than {MAX_NESTING} levels deep",
        file=name,
        accepted=f"at most {MAX_NESTING} levels of mappings and lists",
    )


def check_tree(data: Any, name: str) -> None:
    """Refuse a tree over MAX_NODES values (aliases counted each time) or MAX_NESTING levels."""
    stack: list[tuple[Any, int]] = [(data, 0)]
    seen = 0
    while stack:
        node, depth = stack.pop()
        seen += 1
        if seen > MAX_NODES:
            msg = "too many values (YAML aliases count each time they are used)"
            raise ScenarioError(Problem(msg, file=name, accepted=f"at most {MAX_NODES:,} values"))
        if depth > MAX_NESTING:
            raise ScenarioError(_too_deep(name))
        if isinstance(node, dict):
            stack.extend((v, depth + 1) for v in node.values())
        elif isinstance(node, list | tuple):
            stack.extend((v, depth + 1) for v in node)


def value_problems(data: Any) -> list[Problem]:
    """Numbers that are not finite and text with control characters, at their field paths."""
    out: list[Problem] = []
    stack: list[tuple[Any, str]] = [(data, "")]
    while stack:
        node, path = stack.pop()
        if isinstance(node, dict):
            stack.extend((v, _join(path, k)) for k, v in node.items())
        elif isinstance(node, list | tuple):
            stack.extend((v, f"{path}[{i}]") for i, v in enumerate(node))
        elif isinstance(node, float) and not math.isfinite(node):
            out.append(Problem("not a finite number", path, str(node), accepted="a finite number"))
        elif isinstance(node, str) and _CONTROL.search(node):
            bad = _CONTROL.search(node)
            assert bad is not None
            out.append(Problem(_unprintable(bad.group()), path, node, accepted="printable text"))
    return sorted(out, key=lambda p: p.path)


def _unprintable(char: str) -> str:
    what = "unpaired surrogate" if 0xD800 <= ord(char) <= 0xDFFF else "control character"
    return f"{what} U+{ord(char):04X} in the text"


def _join(path: str, key: Any) -> str:
    return f"{path}.{key}" if path else str(key)

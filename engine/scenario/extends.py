"""Scenario variants: `extends: base.yaml` plus overrides, so a what-if says only what differs.

Mappings merge deeply; a list of items with `id`s (sites, fleet entries) is patched when the
override names ids — an item with a known id is merged into it, `remove: true` drops it, any
other item is appended — and any other list is replaced whole. Every merged node remembers
which file each key came from, so a problem is reported at the line of the file that wrote it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from aurum.engine.errors import Problem, ScenarioError

MAX_DEPTH = 16


def resolve(data: Any, file: Path, read: Any, chain: tuple[Path, ...] = ()) -> Any:
    """The scenario `data` (read from `file`) with its `extends` chain merged in."""
    if not isinstance(data, CommentedMap):
        return data
    _annotate(data, str(file))
    if "extends" not in data:
        return data
    ref = data["extends"]
    line = data.lc.key("extends")[0] + 1
    if not isinstance(ref, str):
        raise ScenarioError(
            Problem(
                "`extends` names a file",
                "extends",
                ref,
                str(file),
                line,
                "a path relative to this file",
            )
        )
    try:
        base_path = (file.parent / ref).resolve()
        exists = base_path.is_file()
    except (OSError, RuntimeError, ValueError):  # a name too long, a NUL byte, a symlink loop
        base_path, exists = file.parent / "?", False
    loop = [*chain, file.resolve()]
    if base_path in loop or len(loop) > MAX_DEPTH:
        names = " → ".join(p.name for p in [*loop, base_path])
        raise ScenarioError(
            Problem(
                f"`extends` goes round in a cycle: {names}",
                "extends",
                ref,
                str(file),
                line,
                "a chain of files that ends",
            )
        )
    if not exists:
        raise ScenarioError(
            Problem(
                "no such base scenario",
                "extends",
                ref,
                str(file),
                line,
                "a path to a .yaml file, relative to this one",
            )
        )
    base = resolve(read(base_path), base_path, read, tuple(loop))
    if not isinstance(base, CommentedMap):
        got = {type(None): "an empty file", CommentedSeq: "a list", str: "text"}.get(
            type(base), f"a {type(base).__name__}"
        )
        raise ScenarioError(
            Problem(
                f"the base scenario is {got}, not a mapping of fields",
                "extends",
                ref,
                str(file),
                line,
                "a base scenario file (name:, start:, … fleet:)",
            )
        )
    child = CommentedMap((k, v) for k, v in data.items() if k != "extends")
    _copy_marks(data, child, [k for k in data if k != "extends"])
    return merge(base, child, str(file))


def _annotate(node: Any, file: str) -> None:
    if isinstance(node, CommentedMap):
        if not hasattr(node, "origins"):
            setattr(node, "origins", dict.fromkeys(node, file))  # noqa: B010 - untyped attribute
        for v in node.values():
            _annotate(v, file)
    elif isinstance(node, CommentedSeq):
        if not hasattr(node, "origins"):
            setattr(node, "origins", dict.fromkeys(range(len(node)), file))  # noqa: B010
        for v in node:
            _annotate(v, file)


def _copy_marks(src: Any, dst: Any, keys: list[Any], into: list[Any] | None = None) -> None:
    """Carry line marks and origins of `keys` from src to dst (optionally at other positions)."""
    if not hasattr(dst, "origins"):
        setattr(dst, "origins", {})  # noqa: B010 - untyped attribute on a ruamel node
    for k, at in zip(keys, into or keys, strict=True):
        data = src.lc.data
        mark = data.get(k) if isinstance(data, dict) else None
        if isinstance(data, list) and k < len(data):
            mark = data[k]
        if mark is not None:
            _set_mark(dst, at, mark)
        dst.origins[at] = getattr(src, "origins", {}).get(k)


def _set_mark(node: Any, at: Any, mark: Any) -> None:
    if node.lc.data is None:  # a node built here, not parsed
        node.lc.data = [] if isinstance(node, CommentedSeq) else {}
    if isinstance(node, CommentedSeq):
        while len(node.lc.data) <= at:
            node.lc.data.append(None)
        node.lc.data[at] = mark
    else:
        node.lc.data[at] = mark


def merge(base: Any, over: Any, file: str = "", path: str = "") -> Any:
    """Deep merge of two parsed YAML nodes (the override, written in `file`, wins)."""
    if isinstance(base, CommentedMap) and isinstance(over, CommentedMap):
        out = CommentedMap(base.items())
        _copy_marks(base, out, list(base))
        for k, v in over.items():
            out[k] = merge(base[k], v, file, _join(path, k)) if k in base else v
            _copy_marks(over, out, [k])
        return out
    if isinstance(base, CommentedSeq) and isinstance(over, CommentedSeq) and _by_id(base, over):
        return _patch(base, over, file, path)
    return over


def _join(path: str, key: Any) -> str:
    return f"{path}.{key}" if path else str(key)


def item_id(item: Any) -> str | None:
    """An item's id when it is text (an id of any other shape is the model's to refuse); a fleet
    entry of `count` twins is named by its `id_prefix` (`fleet[T-].count` sizes a fleet)."""
    if not isinstance(item, dict):
        return None
    value = item.get("id")
    if value is None and "count" in item:
        value = item.get("id_prefix")
    return value if isinstance(value, str) else None


def _by_id(base: CommentedSeq, over: CommentedSeq) -> bool:
    """Patch by id when every base item has an id and some override item names one."""
    return all(item_id(x) is not None for x in base) and any(item_id(x) is not None for x in over)


def _patch(base: CommentedSeq, over: CommentedSeq, file: str, path: str) -> CommentedSeq:
    removes = {j: _remove(over, j, file, path) for j in range(len(over))}
    out = CommentedSeq()
    index = {item_id(x): i for i, x in enumerate(over) if item_id(x) is not None}
    used = set()
    for i, item in enumerate(base):
        j = index.get(item_id(item))
        if j is None:
            out.append(item)
            _copy_marks(base, out, [i], [len(out) - 1])
            continue
        used.add(j)
        if not removes[j]:
            merged = merge(item, over[j], file, f"{path}[{i}]")
            merged.pop("remove", None)
            if "id" in merged and "id" not in item and merged["id"] == item.get("id_prefix"):
                merged.pop("id")  # the override named a `count` entry by its prefix
            out.append(merged)
            _copy_marks(over, out, [j], [len(out) - 1])
    for j, item in enumerate(over):
        if j in used:
            continue
        if removes[j]:
            ids = ", ".join(str(item_id(x)) for x in base)
            raise ScenarioError(
                _problem(
                    over,
                    j,
                    file,
                    path,
                    "no such id in the base to remove",
                    item_id(item),
                    f"an id of the base's {path}: {ids}",
                )
            )
        out.append(item)
        _copy_marks(over, out, [j], [len(out) - 1])
    return out


def _remove(over: CommentedSeq, j: int, file: str, path: str) -> bool:
    """An override item's `remove:`, which must be a boolean (YAML 1.2: `no` is text)."""
    item = over[j]
    if not isinstance(item, dict) or "remove" not in item:
        return False
    value = item["remove"]
    if not isinstance(value, bool):
        raise ScenarioError(
            _problem(over, j, file, path, "`remove` must be true or false", value, "true, false")
        )
    return value


def _problem(
    seq: CommentedSeq, j: int, file: str, path: str, msg: str, value: Any, accepted: str
) -> Problem:
    item = seq[j]
    key = "remove" if isinstance(item, CommentedMap) and "remove" in item else "id"
    mark = item.lc.data.get(key) if isinstance(item, CommentedMap) and item.lc.data else None
    line = mark[0] + 1 if mark else None
    return Problem(msg, f"{path}[{j}].{key}", value, file, line, accepted)


def origin_of(node: Any, key: Any) -> str | None:
    """The file that wrote `key` of a merged node (None if the node was never merged)."""
    return getattr(node, "origins", {}).get(key)

"""manifest.json: what was run (scenario, seed), with what (versions, machine), how long."""

from __future__ import annotations

import json
import os
import platform
import sys
from importlib import metadata
from pathlib import Path
from typing import Any

import psutil

from aurum.engine.errors import Problem, RunError

PACKAGES = ("aurum-twin", "numpy", "scipy", "pydantic", "pyarrow", "ray", "iapws", "onnxruntime")


def versions() -> dict[str, str]:
    out = {"python": sys.version.split()[0]}
    for p in PACKAGES:
        try:
            out[p] = metadata.version(p)
        except metadata.PackageNotFoundError:
            continue
    return out


def machine() -> dict[str, Any]:
    return {
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "cpus": os.cpu_count(),
        "memory_gib": round(psutil.virtual_memory().total / 2**30, 1),
        "hostname": platform.node(),
    }


def write_manifest(
    run_dir: Path, base: dict[str, Any], progress: dict[str, Any], rows: dict[str, int]
) -> None:
    """Write (or rewrite) manifest.json atomically: base facts + current progress + tables."""
    doc = {**base, "status": progress.get("status"), "progress": progress, "tables": rows}
    _write(run_dir, doc)


def _write(run_dir: Path, doc: dict[str, Any]) -> None:
    tmp = run_dir / "manifest.json.tmp"
    tmp.write_text(json.dumps(doc, indent=2, default=str), encoding="utf-8")
    tmp.replace(run_dir / "manifest.json")


def mark_status(run_dir: Path, status: str) -> dict[str, Any] | None:
    """Set a run's status in its manifest (e.g. "interrupted" after Ctrl-C); its progress then,
    or None when there is no manifest here to mark (a run on a remote head node)."""
    try:
        doc = read_manifest(run_dir)
        saved = doc.get("progress")
        progress: dict[str, Any] = saved if isinstance(saved, dict) else {}
        doc["status"] = status
        doc["progress"] = {**progress, "status": status}
        _write(run_dir, doc)
    except (OSError, ValueError, AttributeError):
        return None
    return dict(doc["progress"])


class ManifestError(RunError, ValueError):
    """A manifest.json that cannot be read as one (missing, not UTF-8, not JSON, not an object).

    A ValueError too, so callers that catch ValueError (a half-written file) keep working.
    """


def read_manifest(run_dir: Path) -> dict[str, Any]:
    """The run's manifest as a JSON object; ManifestError naming the file and why otherwise."""
    path = run_dir / "manifest.json"
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise _unreadable(path, "no manifest.json (not a run folder)") from None
    except OSError as e:
        raise _unreadable(path, f"cannot be read: {e.strerror or type(e).__name__}") from None
    except UnicodeDecodeError:
        raise _unreadable(path, "not UTF-8 text") from None
    except RecursionError:
        raise _unreadable(path, "nested too deeply") from None
    except ValueError as e:  # json.JSONDecodeError, or a number too long to convert
        raise _unreadable(path, f"not valid JSON: {e}") from None
    if not isinstance(doc, dict):
        raise _unreadable(path, f"not a JSON object (a {type(doc).__name__})")
    return doc


def _unreadable(path: Path, why: str) -> ManifestError:
    accepted = "a run folder written by `aurum run` or the API"
    return ManifestError(Problem(why, file=str(path), accepted=accepted))

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


def read_manifest(run_dir: Path) -> dict[str, Any]:
    return json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))

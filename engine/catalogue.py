"""Where the shipped scenarios are: a checkout's `scenarios/`, or the copy a wheel installs.

The wheel ships `scenarios/` as package data beside the code packages (pyproject.toml), so the
folder sits next to `engine/` both in a checkout and in site-packages. This module is the one
place that knows it: when the packages move under one namespace, only `candidates` changes.
"""

from __future__ import annotations

from pathlib import Path

MARKER = "demo.yaml"  # every shipped catalogue has it


def candidates() -> list[Path]:
    """Folders that may hold the shipped scenarios, most specific first."""
    here = Path(__file__).resolve().parent
    return [here.parent / "scenarios", here / "scenarios"]


def scenarios_dir() -> Path:
    """The shipped scenarios' folder (the API's AURUM_SCENARIOS_DIR setting may serve another).

    Falls back to the first candidate when none holds the catalogue, so a message about a
    missing file names the place where it was looked for.
    """
    found = [c for c in candidates() if (c / MARKER).is_file()]
    return found[0] if found else candidates()[0]


def shipped(relative: str) -> Path:
    """A shipped file by its path inside the catalogue ("demo.yaml", "policies/fleet.yaml")."""
    return scenarios_dir() / relative

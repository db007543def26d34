"""The wheel a user installs: built from what a clone has, it ships the data the commands read.

Built once per session from a copy of the repository's files (git's list, so the checkout gets
no build/ or egg-info debris), then listed and installed into a folder to see where
`engine.catalogue` finds the scenarios.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = [
    "aurum/__init__.py",
    "aurum/engine/run/loop.py",
    "aurum/scenarios/demo.yaml",
    "aurum/scenarios/fleet-1k.yaml",
    "aurum/scenarios/policies/run-to-failure.yaml",
    "aurum/scenarios/studies/maintenance-policy.yml",
    "aurum/twins/models/truck.onnx",
    "aurum/twins/models/mill.onnx",
    "aurum/twins/models/boiler.onnx",
    "aurum/twins/models/truck.json",
    "aurum/esg/factors/ipcc2006.yaml",
    "aurum/esg/factors/desnz.yaml",
    "aurum/esg/factors/gwp.yaml",
    "aurum/api/dashboard.html",
]


def _sources() -> list[str]:
    """The files a clone has (tracked, plus new ones not ignored), or every file without git."""
    try:
        out = subprocess.run(
            ["git", "ls-files", "-co", "--exclude-standard"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return [str(p.relative_to(ROOT)) for p in ROOT.rglob("*") if p.is_file()]
    return [line for line in out.splitlines() if line]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    src = tmp_path_factory.mktemp("src")
    for name in _sources():
        path = ROOT / name
        if name.startswith(("runs/", ".venv/")) or not (path.is_file() or path.is_symlink()):
            continue
        (src / name).parent.mkdir(parents=True, exist_ok=True)
        if path.is_symlink():  # aurum/engine -> ../engine: the namespace's links, kept as links
            os.symlink(os.readlink(path), src / name)
        else:
            shutil.copy2(path, src / name)
    dist = tmp_path_factory.mktemp("dist")
    cmd = [sys.executable, "-m", "pip", "wheel", str(src), "--no-deps", "-q", "-w", str(dist)]
    done = subprocess.run(cmd, check=False, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    (built,) = dist.glob("aurum_twin-*.whl")
    return built


def test_wheel_ships_scenarios_models_and_factors(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    missing = [f for f in SHIPPED if f not in names]
    assert not missing, f"not in the wheel: {missing}"
    # every shipped scenario, not only the sampled ones
    shipped = {
        "aurum/" + p.relative_to(ROOT).as_posix() for p in (ROOT / "scenarios").rglob("*.y*ml")
    }
    assert shipped <= names, sorted(shipped - names)
    # one top-level package: nothing named engine, physics, ... beside it in site-packages
    tops = {n.split("/")[0] for n in names if not n.split("/")[0].endswith(".dist-info")}
    assert tops == {"aurum"}, tops


def test_wheel_metadata_has_license_expression_and_version(wheel: Path) -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    zf = zipfile.ZipFile(wheel)
    (meta,) = [n for n in zf.namelist() if n.endswith(".dist-info/METADATA")]
    text = zf.read(meta).decode()
    assert "License-Expression: LicenseRef-Proprietary" in text
    assert f"Version: {project['version']}" in text


def test_build_backend_lower_bound_reads_the_license_expression() -> None:
    build = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["build-system"]
    (req,) = [r for r in build["requires"] if r.startswith("setuptools")]
    found = re.fullmatch(r"setuptools>=(\d+)(\.\d+)*", req)
    assert found is not None and int(found.group(1)) >= 77, req


@pytest.fixture(scope="module")
def target(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel installed once into a folder of its own (no dependencies: they are here)."""
    target = tmp_path_factory.mktemp("site")
    cmd = [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target)]
    done = subprocess.run(
        [*cmd, str(wheel)], check=False, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return target


def test_installed_catalogue_is_found_beside_the_installed_engine(
    target: Path, tmp_path: Path
) -> None:
    probe = (
        "import sys; sys.path.insert(0, sys.argv[1]); import aurum.engine.catalogue as c; "
        "print(c.__file__); print(c.scenarios_dir()); "
        "from aurum.api.config import Settings; from aurum.api.launch import shipped; "
        "print(' '.join(shipped(Settings().scenarios_dir)))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe, str(target)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
        check=True,
    ).stdout.split("\n")
    assert Path(out[0]).is_relative_to(target)  # the installed copy, not the checkout
    assert Path(out[1]) == target / "aurum" / "scenarios"
    catalogue = out[2].split()  # what an installed `aurum serve` lists at GET /scenarios
    assert {"demo", "fleet-1k", "failures/mill-liner", "policies/risk-based"} <= set(catalogue)
    assert (target / "aurum" / "scenarios" / "demo.yaml").is_file()


def test_installed_aurum_imports_beside_a_users_physics_py(target: Path, tmp_path: Path) -> None:
    """A notebook's own `physics.py` (or engine.py) no longer shadows the engine's packages."""
    work = tmp_path / "notebook"
    work.mkdir()
    (work / "physics.py").write_text("raise ImportError('the user physics.py was imported')\n")
    (work / "engine.py").write_text("raise ImportError('the user engine.py was imported')\n")
    probe = (
        "import sys; sys.path.insert(1, sys.argv[1]); import aurum; print(aurum.__version__); "
        "from aurum.physics import truck; from aurum.engine import scenario; print(truck.__file__)"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe, str(target)],
        capture_output=True,
        text=True,
        cwd=work,
        timeout=120,
        check=True,
    ).stdout.split("\n")
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert out[0] == project["version"] or out[0] == "0+unknown"
    assert Path(out[1]).is_relative_to(target / "aurum" / "physics")


def test_checkout_catalogue_is_the_repositorys_scenarios_folder() -> None:
    from aurum.engine.catalogue import scenarios_dir

    assert scenarios_dir() == ROOT / "scenarios"
    from aurum.api.config import Settings
    from aurum.engine.risk import data as risk_data
    from aurum.engine.risk import policy_study as risk_policy

    assert Settings().scenarios_dir == ROOT / "scenarios"
    assert (risk_data.SCENARIOS / "fleet-1k.yaml").is_file()
    assert (risk_policy.FOLDER / "run-to-failure.yaml").is_file()

"""`aurum report RUN`: the emissions report of a run, as HTML and XLSX that open without us.

Reads what the run left behind (manifest.json, `emissions/`, `wear.parquet`), rebuilds the
factors the run used from its resolved scenario, and has `esg` lay out the report: emissions
over time by scope and by machine, tables by twin, kind, site and country, intensities, the
cost of wear in carbon by twin and failure mode, and every factor used with its source.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from aurum import esg
from aurum.engine.errors import Problem, RunError
from aurum.engine.run.manifest import read_manifest
from aurum.engine.run.recorder import TS, read_table
from aurum.engine.scenario.emissions import esg_plan
from aurum.engine.scenario.loader import load


def _run_dir(run: str | Path) -> Path:
    path = Path(run)
    if not (path / "manifest.json").is_file():
        raise RunError(
            Problem(
                "not a run folder (no manifest.json)",
                "RUN",
                str(run),
                accepted="a folder under runs/ left by `aurum run`",
            )
        )
    return path


def report_input(run: str | Path, gwp_set: str | None = None) -> esg.ReportInput:
    """Everything the report shows, read from a run folder."""
    run_dir = _run_dir(run)
    manifest = read_manifest(run_dir)
    scenario = load(manifest["scenario"], file=str(run_dir / "manifest.json"))
    gwp = esg.check_gwp_set(gwp_set or scenario.esg.gwp_set, "--gwp")
    plan = esg_plan(scenario)
    table = read_table(run_dir, "emissions")
    days = (scenario.duration.total_seconds() / 86400.0) >= 2.0
    fmt = "%Y-%m-%d" if days else "%Y-%m-%d %H:00"
    columns: dict[str, Any] = {
        "period": np.asarray(pc.strftime(table["start"], format=fmt).to_pylist()),
        "twin_id": np.asarray(table["twin_id"].cast("string").to_pylist()),
        "kind": np.asarray(table["kind"].cast("string").to_pylist()),
        "site": np.asarray(table["site"].cast("string").to_pylist()),
        "country": np.asarray(table["country"].cast("string").to_pylist()),
        "product_t": table["production_t"].to_numpy(),
        "mb_fallback": table["mb_fallback"].to_numpy(zero_copy_only=False),
    }
    columns |= {c: table[c].to_numpy() for c in esg.COLUMNS}
    wear = _wear(run_dir, gwp)
    partial = partial_notice(manifest, table)
    return esg.ReportInput(
        columns,
        records=plan.records,
        gwp_set=gwp,
        factor_set=scenario.esg.factor_set,
        title=f"Emissions of {scenario.name}",
        subtitle=f"run {manifest['run_id']} · {manifest['scenario']['start']} · "
        f"{manifest['scenario']['duration']} · seed {manifest['seed']}",
        embedded_gwp=plan.embedded_gwp,
        notes=plan.notes,
        wear=wear,
        partial=partial,
    )


def partial_notice(manifest: dict[str, Any], table: pa.Table) -> str:
    """What a report of a run that did not finish must say ("" for a finished run): its status,
    how far it got and the period its tables cover, against the period it was to cover."""
    status = str(manifest.get("status"))
    if status == "done":
        return ""
    saved = manifest.get("progress")
    p: dict[str, Any] = saved if isinstance(saved, dict) else {}
    done, total = p.get("epochs_done"), p.get("n_epochs")
    why = STATUS.get(status, f"its status is {status!r}")
    head = f"Partial run: {why}"
    if isinstance(done, int) and isinstance(total, int):
        head += f", after {done} of {total} epochs"
    if not table.num_rows:
        return f"{head}. No epoch finished: this report covers no time."
    first = pc.min(table["start"]).as_py()
    last = pc.max(table["end"]).as_py()
    planned = manifest.get("scenario", {})
    return (
        f"{head}. This report covers {first:%Y-%m-%d %H:%M} to {last:%Y-%m-%d %H:%M} UTC only "
        f"(of {planned.get('duration', '?')} from {planned.get('start', '?')}); "
        "totals and intensities are for that period."
    )


def partial_of(run: str | Path) -> str:
    """The partial-run notice of a run folder's report ("" when the run finished)."""
    run_dir = _run_dir(run)
    manifest = read_manifest(run_dir)
    if manifest.get("status") == "done":
        return ""
    try:
        table = read_table(run_dir, "emissions").select(["start", "end"])
    except (OSError, pa.ArrowException):  # killed before its first table part was written
        table = pa.table({"start": pa.array([], TS), "end": pa.array([], TS)})
    return partial_notice(manifest, table)


STATUS = {
    "interrupted": "it was interrupted (Ctrl-C)",
    "cancelled": "it was cancelled",
    "failed": "it failed",
    "running": "its manifest says running (still running, or its driver was killed)",
    "starting": "it never started its loop",
}


def _wear(run_dir: Path, gwp_set: str) -> dict[str, Any] | None:
    path = run_dir / "wear.parquet"
    if not path.is_file():
        return None
    t = pq.read_table(path)
    if not t.num_rows:
        return None
    weights = esg.gwp_weights(gwp_set)
    co2e = sum(weights[g] * t[f"{g}_kg"].to_numpy() for g in esg.GASES)
    modes = zip(t["kind"].to_pylist(), t["mode"].to_pylist(), strict=True)
    return {
        "twin_id": np.asarray(t["twin_id"].to_pylist()),
        "mode": np.asarray([f"{k}.{m}" for k, m in modes]),
        "co2e_kg": np.asarray(co2e, dtype=np.float64),
    }


def write_report(
    run: str | Path, gwp_set: str | None = None, out: Path | None = None
) -> list[Path]:
    """Write report.html and report.xlsx (into the run folder unless `out`); their paths."""
    inp = report_input(run, gwp_set)
    folder = out or _run_dir(run)
    folder.mkdir(parents=True, exist_ok=True)
    html = folder / "report.html"
    xlsx = folder / "report.xlsx"
    html.write_text(esg.report_html(inp), encoding="utf-8")
    xlsx.write_bytes(esg.report_xlsx(inp))
    return [html, xlsx]

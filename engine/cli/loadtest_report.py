"""The load test's report on screen: throughput, memory, latency and where the time went."""

from __future__ import annotations

from typing import Any

from rich import box
from rich.table import Table

from aurum.engine.cli.main import out
from aurum.engine.scenario.durations import format_duration

SHARD_PARTS = (
    ("physics", "physics (kind models)"),
    ("failure_modes", "failure modes"),
    ("sensors", "sensors (noise, faults)"),
    ("scoring", "risk scoring"),
)
COORDINATOR_PARTS = (
    ("emissions_s", "emissions accounting"),
    ("state_s", "fleet state"),
    ("maintenance_s", "maintenance + policy"),
    ("record_s", "recording (Parquet)"),
    ("checkpoint_s", "checkpoints"),
)


def _s(x: float | None) -> str:
    return "-" if x is None else f"{x:,.2f}"


def time_rows(f: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(where, what, seconds) rows: the shards' parts summed over shards, the coordinator's
    phases, Ray's overhead and start-up."""
    rows: list[tuple[str, str, str]] = []
    timers = f["shard_timers"]
    shard_total = timers.get("epoch", 0.0)
    named = 0.0
    for key, label in SHARD_PARTS:
        if key in timers:
            named += timers[key]
            rows.append(("shards (CPU s, all)", label, _s(timers[key])))
    if shard_total:
        rows.append(
            ("shards (CPU s, all)", "other (clock, states, totals)", _s(shard_total - named))
        )
    t = f["timings"]
    for key, label in COORDINATOR_PARTS:
        if key in t:
            rows.append(("coordinator (wall s)", label, _s(t[key])))
    rows.append(("coordinator (wall s)", "waiting for shards", _s(t.get("wait_s"))))
    rows.append(("critical path (s)", "slowest shard, summed over epochs", _s(t.get("compute_s"))))
    rows.append(
        ("Ray (s)", "overhead: round trips beyond the slowest shard", _s(t.get("ray_overhead_s")))
    )
    rows.append(("Ray (s)", "connect / start", _s(t.get("ray_connect_s"))))
    rows.append(("Ray (s)", "shard actors start", _s(t.get("actors_start_s"))))
    return rows


def show(f: dict[str, Any]) -> None:
    kinds = ", ".join(f"{n:,} {k}" for k, n in f["kinds"].items())
    head = Table(title="Load test", box=box.SIMPLE_HEAD, show_header=False)
    head.add_column("")
    head.add_column("", justify="right")
    lat = f["epoch_latency_s"]
    mem = f["memory_mib"]
    disk = sum(f["disk_mib"].values())
    for label, value in (
        ("fleet", f"{f['twins']:,} twins ({kinds})"),
        (
            "simulated",
            f"{f['days']:g} d at {format_duration(_td(f['tick_s']))} ticks, "
            f"{format_duration(_td(f['epoch_s']))} epochs, telemetry every "
            f"{format_duration(_td(f['telemetry_s']))}; policy {f['policy']}"
            + (", risk scoring" if f["risk"] else ""),
        ),
        ("status", f["status"]),
        ("twin-ticks", f"{f['twin_ticks']:,}"),
        ("wall time", f"{f['wall_s']:,.1f} s (epoch loop {f['loop_s']:,.1f} s)"),
        ("twin-ticks/s", f"{f['rate_loop']:,.0f} in the loop, {f['rate_wall']:,.0f} wall"),
        (
            "actors",
            f"{f['actors']} shard actors on {len(f['nodes']) or 1} node(s)"
            if f["backend"] == "ray"
            else f"{f['shards']} shards in this process",
        ),
        (
            "epoch latency",
            f"p50 {_s(lat.get('p50'))} s, p95 {_s(lat.get('p95'))} s, max {_s(lat.get('max'))} s",
        ),
        (
            "peak memory",
            f"driver {mem['driver_peak_rss']:,.0f} MiB, coordinator "
            f"{_mib(mem['coordinator_peak_rss'])}, actors max {mem['actor_peak_rss_max']:,.0f} "
            f"/ sum {mem['actors_peak_rss_sum']:,.0f} MiB (RSS)",
        ),
        ("session peak", f"{mem['session_peak_pss']:,.0f} MiB PSS (this process + its Ray)"),
        ("tables", f"{disk:,.0f} MiB on disk" + (f" in {f['run_dir']}" if f["run_dir"] else "")),
    ):
        head.add_row(label, value)
    out.print(head)
    t = Table(title="Where the time went", box=box.SIMPLE_HEAD)
    for c in ("where", "what", "seconds"):
        t.add_column(c, justify="right" if c == "seconds" else "left")
    for row in time_rows(f):
        t.add_row(*row)
    out.print(t)
    if f["recoveries"]:
        out.print(f"shard actors rebuilt: {f['recoveries']}", highlight=False)


def _mib(x: float | None) -> str:
    return "-" if x is None else f"{x:,.0f} MiB"


def _td(seconds: float) -> Any:
    from datetime import timedelta

    return timedelta(seconds=seconds)

"""Scale: twin-ticks/s and memory vs fleet size and vs shard size; memory over a long run.

    python benchmarks/scale.py curve --sizes 1000 10000 100000 1000000   # fleet-size curve
    python benchmarks/scale.py shards --twins 50000 --tpa 2500 6250 auto 30000
    python benchmarks/scale.py long --twins 2000 --days 30             # RSS over a long run
    python benchmarks/scale.py plot results.jsonl docs/scale.svg       # the SVG of the curve

Every measure runs `engine.scale.loadtest.run` in a fresh process (clean peak-memory figures: the
driver, the coordinator and each actor report their own peak RSS; the whole session's PSS is
sampled) and appends one JSON line to --results. The fleet is the load test's: two Andean
sites, 60 % trucks, 10 % mills, 30 % boilers, condition-based maintenance, emissions, and
telemetry at the resolution the load test picks for the size.
"""

from __future__ import annotations

import argparse
import json
import math
import platform
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def one(twins: int, days: float, tpa: str, backend: str, telemetry: str | None) -> dict[str, Any]:
    from aurum.engine.scale.loadtest import fleet_scenario, run

    sc = fleet_scenario(twins, days=days, telemetry=telemetry)
    figures = run(sc, backend=backend, twins_per_actor=tpa if tpa == "auto" else int(tpa))
    figures["load_avg_1m"] = psutil.getloadavg()[0]
    return figures


def spawn(args: list[str]) -> dict[str, Any]:
    cmd = [sys.executable, str(Path(__file__).resolve()), "one", *args]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False, cwd=ROOT)
    lines = [x for x in proc.stdout.splitlines() if x.startswith("{")]
    if proc.returncode != 0 or not lines:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{proc.stderr[-3000:]}")
    return dict(json.loads(lines[-1]))


def row(f: dict[str, Any]) -> str:
    m = f["memory_mib"]
    lat = f["epoch_latency_s"]
    return (
        f"| {f['twins']:,} | {f['shards']} | {f['telemetry_s'] / 60:g} min | {f['twin_ticks']:,} "
        f"| {f['loop_s']:,.1f} | {f['wall_s']:,.1f} | {f['rate_loop']:,.0f} "
        f"| {lat.get('p50', 0):.2f} / {lat.get('p95', 0):.2f} | {m['driver_peak_rss']:,.0f} "
        f"| {m['coordinator_peak_rss'] or 0:,.0f} | {m['actors_peak_rss_sum']:,.0f} "
        f"| {m['session_peak_pss']:,.0f} | {sum(f['disk_mib'].values()):,.0f} "
        f"| {f['load_avg_1m']:.1f} |"
    )


HEADER = (
    "| twins | actors | telemetry | twin-ticks | loop s | wall s | twin-ticks/s | epoch p50/p95 s "
    "| driver MiB | coordinator MiB | actors Σ MiB | session PSS MiB | tables MiB | load |\n"
    "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
)


def long_run(twins: int, days: float, out: Path) -> None:
    """Session memory sampled at every epoch of a long run (is it flat?)."""
    from aurum.engine.run.runner import simulate
    from aurum.engine.scale.loadtest import SessionMemory, fleet_scenario

    mem = SessionMemory()
    samples: list[tuple[int, float]] = []

    def on_progress(p: dict[str, Any]) -> None:
        if not samples or p["epochs_done"] >= samples[-1][0] + 6:
            samples.append((p["epochs_done"], mem.sample() / 2**20))

    began = time.perf_counter()
    r = simulate(fleet_scenario(twins, days=days), out=out, on_progress=on_progress)
    print(
        f"{twins:,} twins × {days:g} d: {r.progress['epochs_done']} epochs in "
        f"{time.perf_counter() - began:,.0f} s"
    )
    print("| epochs done | session PSS MiB |\n|---:|---:|")
    step = max(1, len(samples) // 12)
    for e, mib in samples[::step] + samples[-1:]:
        print(f"| {e} | {mib:,.0f} |")


def svg(points: list[dict[str, Any]], path: Path) -> None:
    """Twin-ticks/s and session memory vs fleet size (log x), as a hand-made SVG."""
    pts = sorted(points, key=lambda f: f["twins"])
    w, h, left, right, top, bottom = 640, 360, 70, 70, 30, 50
    xs = [math.log10(f["twins"]) for f in pts]
    x0, x1 = math.floor(min(xs)), math.ceil(max(xs))
    rmax = max(f["rate_loop"] for f in pts) * 1.15
    mmax = max(f["memory_mib"]["session_peak_pss"] for f in pts) * 1.15

    def px(x: float) -> float:
        return left + (x - x0) / max(1e-9, x1 - x0) * (w - left - right)

    def py(v: float, vmax: float) -> float:
        return h - bottom - v / vmax * (h - top - bottom)

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" '
        'font-family="sans-serif" font-size="12">',
        f'<rect width="{w}" height="{h}" fill="white"/>',
        f'<text x="{w / 2}" y="18" text-anchor="middle" font-size="14">'
        "Throughput and memory vs fleet size (1 simulated day, 2 cores)</text>",
        f'<line x1="{left}" y1="{h - bottom}" x2="{w - right}" y2="{h - bottom}" stroke="black"/>',
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{h - bottom}" stroke="#1f77b4"/>',
        f'<line x1="{w - right}" y1="{top}" x2="{w - right}" y2="{h - bottom}" stroke="#d62728"/>',
    ]
    for d in range(x0, x1 + 1):
        out.append(f'<text x="{px(d)}" y="{h - bottom + 18}" text-anchor="middle">{10**d:,}</text>')
    out.append(f'<text x="{w / 2}" y="{h - 12}" text-anchor="middle">twins</text>')
    for i in range(5):
        r, m = rmax * i / 4, mmax * i / 4
        y = py(r, rmax)
        out.append(
            f'<text x="{left - 6}" y="{y + 4}" text-anchor="end" fill="#1f77b4">'
            f"{r / 1e6:.1f}M</text>"
        )
        out.append(f'<text x="{w - right + 6}" y="{y + 4}" fill="#d62728">{m / 1024:.1f}</text>')
    out.append(f'<text x="{left - 50}" y="{top - 8}" fill="#1f77b4">twin-ticks/s</text>')
    out.append(f'<text x="{w - right - 10}" y="{top - 8}" fill="#d62728">GiB (PSS)</text>')
    for key, vmax, colour in (("rate", rmax, "#1f77b4"), ("mem", mmax, "#d62728")):
        coords = []
        for f, x in zip(pts, xs, strict=True):
            v = f["rate_loop"] if key == "rate" else f["memory_mib"]["session_peak_pss"]
            coords.append(f"{px(x):.1f},{py(v, vmax):.1f}")
        out.append(
            f'<polyline points="{" ".join(coords)}" fill="none" stroke="{colour}" '
            'stroke-width="2"/>'
        )
        out += [
            f'<circle cx="{c.split(",")[0]}" cy="{c.split(",")[1]}" r="4" fill="{colour}"/>'
            for c in coords
        ]
    out.append("</svg>")
    path.write_text("\n".join(out) + "\n", encoding="utf-8")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    o = sub.add_parser("one")
    o.add_argument("twins", type=int)
    o.add_argument("--days", type=float, default=1.0)
    o.add_argument("--tpa", default="auto")
    o.add_argument("--backend", default="ray")
    o.add_argument("--telemetry")
    c = sub.add_parser("curve")
    c.add_argument("--sizes", type=int, nargs="+", default=[1000, 10_000, 100_000])
    c.add_argument("--days", type=float, default=1.0)
    s = sub.add_parser("shards")
    s.add_argument("--twins", type=int, default=50_000)
    s.add_argument("--days", type=float, default=0.25)
    s.add_argument("--tpa", nargs="+", default=["2500", "6250", "auto", "30000"])
    lr = sub.add_parser("long")
    lr.add_argument("--twins", type=int, default=2000)
    lr.add_argument("--days", type=float, default=30.0)
    lr.add_argument("--out", type=Path, default=Path("/tmp/aurum-long"))
    pl = sub.add_parser("plot")
    pl.add_argument("results", type=Path)
    pl.add_argument("svg", type=Path)
    for p in (c, s):
        p.add_argument("--results", type=Path, default=Path("scale-results.jsonl"))
    args = ap.parse_args()
    if args.cmd == "one":
        f = one(args.twins, args.days, args.tpa, args.backend, args.telemetry)
        print(json.dumps(f, default=str))
        return
    if args.cmd == "long":
        long_run(args.twins, args.days, args.out)
        return
    if args.cmd == "plot":
        lines = args.results.read_text().splitlines()
        points = [json.loads(x) for x in lines if x.strip()]
        svg([p for p in points if p.get("series") == "curve"], args.svg)
        return
    print(
        f"machine: {platform.platform()}, {psutil.cpu_count()} CPUs, "
        f"{psutil.virtual_memory().total / 2**30:.0f} GiB, Python {platform.python_version()}"
    )
    print(HEADER)
    runs = (
        [(str(n), "--days", str(args.days)) for n in args.sizes]
        if args.cmd == "curve"
        else [(str(args.twins), "--days", str(args.days), "--tpa", t) for t in args.tpa]
    )
    for a in runs:
        f = spawn(list(a)) | {"series": args.cmd}
        with args.results.open("a") as fh:
            fh.write(json.dumps(f, default=str) + "\n")
        print(row(f), flush=True)


if __name__ == "__main__":
    main()

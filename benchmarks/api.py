"""API latency under load: GET /runs/{id}/fleet and /runs/{id}/twins/{twin} while a
10,000-twin run advances.

    python benchmarks/api.py                          # 10,000 twins, 500 req/s, 15 s a measure
    python benchmarks/api.py --twins 1000 --rate 200 --seconds 5

Three processes on loopback: the server (`aurum serve`, with its Ray actors), and a load
generator started from here. The generator is open-loop: request i is due at t0 + i/rate and
its latency counts from that due time, so a stalled server cannot hide its queue (no
coordinated omission). A closed-loop pass then measures the most requests/s the server answers.
Each measure runs in two phases of the same fleet: real-time (speed 600 with 1-min epochs,
the live-dashboard case) and flat out (1-h epochs, both cores busy simulating).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
KEY = "bench-key"
PHASES = {"real-time": {"speed": 600, "epoch": "1min"}, "flat out": {"epoch": "1h"}}


# --- load generator (runs in its own process) -------------------------------------------------


async def _request(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, raw: bytes) -> int:
    writer.write(raw)
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length = 0
    for line in head.split(b"\r\n"):
        if line[:15].lower() == b"content-length:":
            length = int(line[15:])
    await reader.readexactly(length)
    return status


async def _worker(
    host: str, port: int, queue: asyncio.Queue[tuple[float, bytes] | None], out: list[Any]
) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    while (item := await queue.get()) is not None:
        due, raw = item
        status = await _request(reader, writer, raw)
        out.append((due, time.perf_counter(), status))
    writer.close()


def _raw(host: str, path: str) -> bytes:
    return f"GET {path} HTTP/1.1\r\nHost: {host}\r\nX-API-Key: {KEY}\r\n\r\n".encode()


async def _load(args: argparse.Namespace) -> dict[str, Any]:
    paths = json.loads(Path(args.paths).read_text())
    raws = [_raw(args.host, p) for p in paths]
    queue: asyncio.Queue[tuple[float, bytes] | None] = asyncio.Queue()
    out: list[Any] = []
    workers = [
        asyncio.create_task(_worker(args.host, args.port, queue, out))
        for _ in range(args.connections)
    ]
    t0 = time.perf_counter() + 0.2
    n = int(args.rate * args.seconds) if args.rate else 0
    if args.rate:  # open loop: each request is due at its slot
        for i in range(n):
            due = t0 + i / args.rate
            await asyncio.sleep(max(0.0, due - time.perf_counter()))
            queue.put_nowait((due, random.choice(raws)))
    else:  # closed loop: keep every connection busy for `seconds`
        while time.perf_counter() < t0 + args.seconds:
            while queue.qsize() < args.connections:
                queue.put_nowait((time.perf_counter(), random.choice(raws)))
            await asyncio.sleep(0.0005)
    for _ in workers:
        queue.put_nowait(None)
    await asyncio.gather(*workers)
    return _stats(out)


def _stats(out: list[Any]) -> dict[str, Any]:
    lat = sorted((end - due) * 1000 for due, end, _ in out)
    span = max(e for _, e, _ in out) - min(d for d, _, _ in out)

    def q(p: float) -> float:
        return round(lat[min(len(lat) - 1, int(p * len(lat)))], 2)

    errors = sum(1 for *_, s in out if s != 200)
    return {
        "requests": len(lat),
        "errors": errors,
        "req_s": round(len(lat) / span, 1),
        "p50_ms": q(0.5),
        "p90_ms": q(0.9),
        "p99_ms": q(0.99),
        "max_ms": round(lat[-1], 2),
    }


# --- driver ----------------------------------------------------------------------------------


def _http(method: str, url: str, body: Any = None) -> Any:
    import httpx

    r = httpx.request(method, url, json=body, headers={"X-API-Key": KEY}, timeout=120)
    r.raise_for_status()
    return r.json()


def start_server(port: int, runs: Path) -> subprocess.Popen[bytes]:
    aurum = shutil.which("aurum", path=str(Path(sys.executable).parent)) or "aurum"
    env = os.environ | {"AURUM_API_KEY": KEY, "AURUM_MAX_DURATION": "31d"}
    cmd = [aurum, "serve", "--port", str(port), "--runs-dir", str(runs)]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(600):
        try:
            _http("GET", f"http://127.0.0.1:{port}/healthz")
            return proc
        except Exception:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("the server did not start")


def load(port: int, paths: list[str], rate: float, seconds: float, conns: int) -> dict[str, Any]:
    """Run the load generator in a second process; its figures."""
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(paths, f)
    cmd = [
        sys.executable,
        __file__,
        "load",
        "--port",
        str(port),
        "--paths",
        f.name,
        "--rate",
        str(rate),
        "--seconds",
        str(seconds),
        "--connections",
        str(conns),
    ]
    done = subprocess.run(cmd, capture_output=True, text=True, check=True)
    Path(f.name).unlink()
    return json.loads(done.stdout)


def twin_ids(base: str, run_id: str, n: int) -> list[str]:
    ids: list[str] = []
    while len(ids) < n:
        page = _http("GET", f"{base}/runs/{run_id}/twins?offset={len(ids)}&limit=1000")
        ids += [t["twin_id"] for t in page["twins"]]
    return ids


def fleet(n: int) -> dict[str, Any]:
    """fleet-1k.yaml (two sites, 60 % trucks, 10 % mills, 30 % boilers) scaled to n twins, 31 d."""
    from aurum.engine.scenario.loader import load as load_scenario

    data = load_scenario(ROOT / "scenarios" / "fleet-1k.yaml").model_dump(mode="json")
    entries = data["fleet"]
    counts = [max(1, round(e["count"] * n / 1000)) for e in entries]
    counts[0] += n - sum(counts)
    data["fleet"] = [e | {"count": c} for e, c in zip(entries, counts, strict=True)]
    return data | {"name": f"bench-api-{n}", "duration": "31d"}


def measure(
    base: str, run_id: str, paths: list[str], rate: float, args: argparse.Namespace
) -> dict[str, Any]:
    """One load pass, with how far the run advanced meanwhile."""
    before = _http("GET", f"{base}/runs/{run_id}")["progress"]
    began = time.perf_counter()
    figures = load(args.port, paths, rate, args.seconds, args.connections)
    after = _http("GET", f"{base}/runs/{run_id}")["progress"]
    ticks = (after["twin_ticks"] - before["twin_ticks"]) / (time.perf_counter() - began)
    advanced = after["epochs_done"] - before["epochs_done"]
    return figures | {"epochs_advanced": advanced, "twin_ticks_s": ticks}


def phase(base: str, args: argparse.Namespace, name: str) -> list[dict[str, Any]]:
    body = {"scenario": fleet(args.twins), **PHASES[name]}
    run_id = _http("POST", f"{base}/runs", body)["run_id"]
    while _http("GET", f"{base}/runs/{run_id}")["progress"]["epochs_done"] < 1:
        time.sleep(0.2)
    ids = twin_ids(base, run_id, args.twins)
    hot = random.Random(1).sample(ids, 20)
    targets = {
        "fleet": [f"/runs/{run_id}/fleet"],
        "twin (random of all)": [f"/runs/{run_id}/twins/{t}" for t in ids],
        "twin (20 watched)": [f"/runs/{run_id}/twins/{t}" for t in hot],
    }
    rows = []
    for target, paths in targets.items():
        if args.only and not any(word in target for word in args.only.split(",")):
            continue
        for mode, rate in (("open", args.rate), ("closed", 0)):
            figures = measure(base, run_id, paths, rate, args)
            rows.append({"phase": name, "endpoint": target, "load": mode, **figures})
            print(json.dumps(rows[-1]), flush=True)
    _http("DELETE", f"{base}/runs/{run_id}")
    while _http("GET", f"{base}/runs/{run_id}")["live"]:
        time.sleep(0.2)
    return rows


def table(rows: list[dict[str, Any]], rate: float) -> str:
    head = (
        "| phase | endpoint | load | req/s | p50 ms | p99 ms | max ms | errors | epochs "
        "advanced | twin-ticks/s meanwhile |\n|---|---|---|---:|---:|---:|---:|---:|---:|---:|"
    )
    lines = [head]
    for r in rows:
        load_name = f"open {rate:g}/s" if r["load"] == "open" else "closed"
        lines.append(
            f"| {r['phase']} | {r['endpoint']} | {load_name} | {r['req_s']:,.0f} | {r['p50_ms']} "
            f"| {r['p99_ms']} | {r['max_ms']} | {r['errors']} | {r['epochs_advanced']} "
            f"| {r['twin_ticks_s']:,.0f} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("mode", nargs="?", default="bench", choices=["bench", "load"])
    p.add_argument("--twins", type=int, default=10_000)
    p.add_argument("--rate", type=float, default=500.0, help="open-loop requests/s")
    p.add_argument("--seconds", type=float, default=15.0, help="length of each measure")
    p.add_argument("--connections", type=int, default=16)
    p.add_argument("--port", type=int, default=8971)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--paths", help="(load mode) JSON list of paths to request")
    p.add_argument("--only", help='measure only these endpoints, e.g. "fleet,random"')
    p.add_argument("--phase", choices=list(PHASES), help="run only this phase")
    args = p.parse_args(argv)
    if args.mode == "load":
        print(json.dumps(asyncio.run(_load(args))))
        return
    runs = Path(tempfile.mkdtemp(prefix="aurum-bench-api-"))
    server = start_server(args.port, runs)
    try:
        base = f"http://127.0.0.1:{args.port}"
        phases = [n for n in PHASES if not args.phase or n == args.phase]
        rows = [r for name in phases for r in phase(base, args, name)]
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(60)
        shutil.rmtree(runs, ignore_errors=True)
    print(f"\n{platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}")
    print(table(rows, args.rate))


if __name__ == "__main__":
    main()

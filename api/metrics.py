"""Prometheus metrics: runs by status, twin-ticks/s of live runs, request latency by route."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

from prometheus_client import CollectorRegistry, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from aurum.api.manager import RunManager

BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0)
STATUSES = ("starting", "running", "done", "cancelled", "interrupted", "failed")


class RunCollector(Collector):
    """Read at scrape time from the run manager."""

    def __init__(self, manager: RunManager) -> None:
        self.manager = manager

    def collect(self) -> Iterator[GaugeMetricFamily]:
        counts = dict.fromkeys(STATUSES, 0)
        rate = GaugeMetricFamily(
            "aurum_twin_ticks_per_second", "Twin-ticks per second of a live run", labels=["run_id"]
        )
        total = 0.0
        runs_now, unreadable = self.manager.scan()
        for run in runs_now:
            p = run.progress()
            status = p["status"] if p["status"] in counts else "failed"  # as GET /runs shows it
            counts[status] += 1
            if run.live and not run.finished:
                rate.add_metric([run.run_id], float(p["twin_ticks_per_s"]))
                total += float(p["twin_ticks_per_s"])
        runs = GaugeMetricFamily("aurum_runs", "Runs known to this server", labels=["status"])
        for name, n in counts.items():
            runs.add_metric([name], n)
        yield runs
        yield GaugeMetricFamily(
            "aurum_runs_unreadable",
            "Folders in the runs folder that are not readable runs",
            len(unreadable),
        )
        yield rate
        yield GaugeMetricFamily(
            "aurum_twin_ticks_per_second_total", "Twin-ticks per second, all live runs", total
        )


class Metrics:
    def __init__(self, manager: RunManager) -> None:
        self.registry = CollectorRegistry()
        self.latency = Histogram(
            "aurum_http_request_duration_seconds",
            "Time to answer an HTTP request (streams: their whole life)",
            ["method", "route", "status"],
            buckets=BUCKETS,
            registry=self.registry,
        )
        self.registry.register(RunCollector(manager))

    def render(self) -> bytes:
        return generate_latest(self.registry)


class TimingMiddleware:
    """Pure ASGI middleware (cheaper than BaseHTTPMiddleware) timing every request by route."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        began = time.perf_counter()
        status = [500]

        async def send_status(message: Message) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            route: Any = scope.get("route")
            path = getattr(route, "path", "unmatched")
            labels = (scope["method"], path, str(status[0]))
            self.metrics.latency.labels(*labels).observe(time.perf_counter() - began)

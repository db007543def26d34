"""`aurum serve`: the API and dashboard with uvicorn, on a local Ray or a cluster (--address)."""

from __future__ import annotations

import argparse
import logging
from typing import Any

from api.config import Settings
from api.main import create_app, with_key


def register(sub: Any) -> None:
    """Add `serve` to the `aurum` command (entry point group `aurum.commands`)."""
    p = sub.add_parser("serve", help="serve the HTTP API and the dashboard")
    p.add_argument("--host", default="127.0.0.1", help="interface to listen on")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--address", help="join an existing Ray cluster (or set RAY_ADDRESS)")
    p.add_argument("--runs-dir", help="folder of runs/<run-id>/ (default: AURUM_RUNS_DIR or runs)")
    p.add_argument("--reads-need-key", action="store_true", help="GET endpoints need the key too")
    p.add_argument("--access-log", action="store_true", help="log every request")
    p.set_defaults(func=cmd_serve)


def settings_from(args: argparse.Namespace) -> Settings:
    given: dict[str, Any] = {"address": args.address, "runs_dir": args.runs_dir}
    if args.reads_need_key:
        given["reads_need_key"] = True
    return Settings(**{k: v for k, v in given.items() if v is not None})


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from engine.rayrun import connect

    settings, generated = with_key(settings_from(args))
    cpus = connect(settings.address)
    url = f"http://{args.host}:{args.port}/"
    print(f"AurumAI Twin API on {url} (dashboard), {url}docs (API); Ray: {cpus} CPUs")
    if generated:
        key = settings.api_key.get_secret_value() if settings.api_key else ""
        print(f"API key for POST/DELETE (X-API-Key), shown once: {key}", flush=True)
    else:
        print("API key: from AURUM_API_KEY", flush=True)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    app = create_app(settings)
    uvicorn.run(app, host=args.host, port=args.port, access_log=args.access_log)
    return 0

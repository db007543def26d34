"""`aurum serve`: the API and dashboard with uvicorn, on a local Ray or a cluster (--address).

Runs go to `--runs-dir` (default: $AURUM_RUNS_DIR, else runs/). The port is checked before Ray
starts: out of range or already taken is one line and exit 2. Ctrl-C stops the server cleanly.
"""

from __future__ import annotations

import argparse
import errno
import logging
import socket
from typing import Any

from aurum.api.config import Settings
from aurum.api.main import create_app, with_key
from aurum.engine.cli import args as cliargs
from aurum.engine.errors import Problem, RunError

HOSTS = "an address of this machine, e.g. 127.0.0.1 (this machine only) or 0.0.0.0 (all)"


def register(sub: Any) -> None:
    """Add `serve` to the `aurum` command (entry point group `aurum.commands`)."""
    p = sub.add_parser("serve", help="serve the HTTP API and the dashboard")
    p.add_argument("--host", default="127.0.0.1", help="interface to listen on")
    p.add_argument("--port", type=cliargs.port_number, default=8000, help="TCP port (8000)")
    p.add_argument("--address", help="join an existing Ray cluster (or set RAY_ADDRESS)")
    p.add_argument(
        "--runs-dir",
        help=f"folder of runs/<run-id>/ (default: ${cliargs.RUNS_DIR_ENV} or runs/)",
    )
    cliargs.add_alias(p, "--out", dest="runs_dir")  # what every other command calls it
    p.add_argument("--reads-need-key", action="store_true", help="GET endpoints need the key too")
    p.add_argument("--access-log", action="store_true", help="log every request")
    cliargs.add_quiet(p)
    p.set_defaults(func=cmd_serve)


def settings_from(args: argparse.Namespace) -> Settings:
    given: dict[str, Any] = {"address": args.address, "runs_dir": args.runs_dir}
    if args.reads_need_key:
        given["reads_need_key"] = True
    return Settings(**{k: v for k, v in given.items() if v is not None})


def check_port(host: str, port: int) -> None:
    """RunError (one line) when the port cannot be listened on: taken, or not ours to take."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as e:
        raise RunError(
            Problem(f"not an interface here ({e.strerror})", "--host", host, accepted=HOSTS)
        ) from None
    family, kind, proto, _, where = infos[0]
    with socket.socket(family, kind, proto) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
        try:
            s.bind(where)
        except OSError as e:
            if e.errno == errno.EADDRNOTAVAIL:
                problem = Problem("not an address of this machine", "--host", host, accepted=HOSTS)
                raise RunError(problem) from None
            why = "already in use" if e.errno == errno.EADDRINUSE else e.strerror or str(e)
            raise RunError(
                Problem(
                    f"cannot listen on {host}:{port}: {why}",
                    "--port",
                    port,
                    accepted="a free port, e.g. --port 8001",
                )
            ) from None


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from aurum.engine.run.actors import connect

    check_port(args.host, args.port)
    settings, generated = with_key(settings_from(args))
    cpus = connect(settings.address)
    url = f"http://{args.host}:{args.port}/"
    print(f"AurumAI Twin API on {url} (dashboard), {url}docs (API); Ray: {cpus} CPUs")
    if generated:
        key = settings.api_key.get_secret_value() if settings.api_key else ""
        print(f"API key for POST/DELETE (X-API-Key), shown once: {key}", flush=True)
    else:
        print("API key: from AURUM_API_KEY", flush=True)
    level = logging.WARNING if args.quiet else logging.INFO
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    app = create_app(settings)
    uvicorn.run(
        app,
        host=args.host,
        port=args.port,
        access_log=args.access_log,
        log_level="warning" if args.quiet else "info",
    )
    return 0

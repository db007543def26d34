"""Ends the Ray processes a driver started when the driver dies, however it dies.

Ray 2.60 cannot guarantee it: its head processes (GCS, raylet, monitors) die with the driver
(the kernel's parent-death signal), but the raylet's dashboard and runtime-env agents, which
Ray 2.60 always starts, poll for their parent and then try to report to the dead GCS: after a
SIGKILL of the driver they outlived it by more than a minute.

Run as a script (`python reaper.py PID`), not imported: it must start in milliseconds and
import neither Ray nor this project. The driver holds the write end of a pipe on its stdin; the
reaper wakes when the pipe closes (the driver exited or was killed) and ends every process of
the driver's tree it has seen that belongs to Ray (SIGTERM, then SIGKILL). It lives in its own
session, so a Ctrl-C or a closed terminal does not end it before it has done its work.
"""

from __future__ import annotations

import contextlib
import os
import select
import signal
import sys
import time

import psutil

# How often the driver's tree is looked at: often while Ray starts its processes, then seldom
# (workers started later for replaced actors are still seen; a look costs ~5 ms of CPU).
POLL_S = (0.25, 2.0)
STARTUP_S = 30.0
GRACE_S = 3.0  # between SIGTERM and SIGKILL


def is_ray(p: psutil.Process) -> bool:
    """A Ray process: a worker or agent (`ray::…`), gcs_server, raylet, or Python running a
    module of the installed `ray` package (monitors, dashboard head)."""
    try:
        name = p.name()
        args = p.cmdline()
    except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
        return False
    first = args[0] if args else ""
    if name.startswith("ray::") or first.startswith("ray::"):
        return True
    if name in ("gcs_server", "raylet"):
        return True
    marker = f"{os.sep}ray{os.sep}"
    return any(marker in a for a in args[:3])


def watch(owner_pid: int) -> dict[int, float]:
    """Ray processes in the owner's tree (pid -> start time) until the owner's pipe closes."""
    seen: dict[int, float] = {}
    me = os.getpid()
    try:
        owner = psutil.Process(owner_pid)
    except psutil.NoSuchProcess:
        return seen
    began = time.monotonic()
    while True:
        wait = POLL_S[0] if time.monotonic() - began < STARTUP_S else POLL_S[1]
        readable, _, _ = select.select([sys.stdin], [], [], wait)
        if readable and not os.read(sys.stdin.fileno(), 4096):
            return seen  # end of file: the owner is gone
        try:
            tree = owner.children(recursive=True)
        except psutil.NoSuchProcess:
            return seen
        for p in tree:
            if p.pid != me and p.pid not in seen and is_ray(p):
                with contextlib.suppress(psutil.NoSuchProcess):
                    seen[p.pid] = p.create_time()


def alive(seen: dict[int, float]) -> list[psutil.Process]:
    """The processes seen that still run (the same process: a reused pid starts later)."""
    out = []
    for pid, born in seen.items():
        try:
            p = psutil.Process(pid)
            if p.create_time() == born and p.status() != psutil.STATUS_ZOMBIE:
                out.append(p)
        except psutil.NoSuchProcess:
            pass
    return out


def reap(seen: dict[int, float]) -> None:
    left = alive(seen)
    for p in left:
        _signal(p, signal.SIGTERM)
    end = time.monotonic() + GRACE_S
    while left and time.monotonic() < end:
        time.sleep(0.1)
        left = alive(seen)
    for p in left:
        _signal(p, signal.SIGKILL)


def _signal(p: psutil.Process, sig: signal.Signals) -> None:
    with contextlib.suppress(psutil.NoSuchProcess, psutil.AccessDenied):
        p.send_signal(sig)


def main(argv: list[str]) -> int:
    reap(watch(int(argv[1])))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

"""Ray actors: one per shard, and the coordinator that owns the clock and the fleet's state.

The coordinator is a threaded actor: one thread runs the epoch loop while others answer
`progress()`, `fleet_state()` and `twin_state()` — what the API and the progress bar read.
It is pinned to the driver's node so that the run's files land where the user asked.
"""

from __future__ import annotations

import contextlib
import copy
import logging
import os
import socket
import subprocess
import sys
import time
from collections import deque
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

import numpy as np
import psutil
import ray
from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

from aurum.engine.errors import Problem, RunError
from aurum.engine.run.checkpoint import latest
from aurum.engine.run.manifest import write_manifest
from aurum.engine.run.plan import FleetPlan, ShardSpec
from aurum.engine.run.shards import make_shard, shard_plan
from aurum.engine.run.timers import instrument, peak_rss_mib, sum_timers
from aurum.twins.schedule import Job
from aurum.twins.shard import EpochResult

if TYPE_CHECKING:  # the coordinator's loop (recorder, pyarrow, pandas): not for shard actors
    from aurum.engine.run.loop import RunLoop

ADDRESS_FORMS = "ray://host:10001 (Ray Client), host:6379 (GCS), 'auto', or nothing for local"


def connect(address: str | None = None) -> int:
    """Join a Ray cluster (address / RAY_ADDRESS) or start a local one; its CPU count.

    With no address the run gets a Ray of its own (never one another program started on this
    machine), without the dashboard, ended with this process by `engine/run/reaper.py`. Ray's
    own log records never reach the terminal: they are kept until `log_to` names a folder.
    """
    if not ray.is_initialized():
        address = address or os.environ.get("RAY_ADDRESS") or None
        quiet_ray_logger()
        began = time.perf_counter()
        try:
            _init(address)
        except Exception as e:  # any failure to join is about the address or its token
            raise _join_error(address, e) from None
        STARTUP["ray_init_s"] = round(time.perf_counter() - began, 3)
    return int(ray.cluster_resources().get("CPU", 1))


# When this process's Ray and the run's actors started (for the manifest: where a start goes).
STARTUP: dict[str, float] = {}


def _init(address: str | None) -> None:
    kwargs: dict[str, Any] = {"logging_level": logging.WARNING, "log_to_driver": False}
    if address is None:
        # "local": a new Ray even when another one runs here (None would join the latest).
        # The dashboard's agents cannot be left out in Ray 2.60 (the raylet needs them).
        ray.init(address="local", include_dashboard=False, **kwargs)
        start_reaper()
        return
    # Nodes of an existing cluster get this package's code shipped with the job.
    kwargs["runtime_env"] = {"py_modules": _own_packages()}
    ray.init(address=address, **kwargs)


class RayLog(logging.Handler):
    """Ray's log records in the driver (its token-authentication notice, connection retries):
    held in memory until a folder is known, then written to that folder's `ray.log`."""

    def __init__(self, keep: int = 1000) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        self.pending: deque[str] = deque(maxlen=keep)
        self.file: TextIO | None = None
        self.path: Path | None = None

    def emit(self, record: logging.LogRecord) -> None:
        try:
            line = self.format(record)
            if self.file is None:
                self.pending.append(line)
            else:
                self.file.write(line + "\n")
                self.file.flush()
        except Exception:  # a log line must never fail a run
            self.handleError(record)

    def to(self, path: Path, note: str = "") -> None:
        """Write to `path` from now on, first `note` and what was held; a previous file is
        closed."""
        with self.lock or contextlib.nullcontext():
            if self.file is not None:
                self.file.close()
            path.parent.mkdir(parents=True, exist_ok=True)
            self.file = path.open("a", encoding="utf-8")
            self.path = path
            for line in ([note] if note else []) + list(self.pending):
                self.file.write(line + "\n")
            self.pending.clear()
            self.file.flush()


RAY_LOG = RayLog()
RAY_LOG_FILE = "ray.log"


def quiet_ray_logger() -> None:
    """The "ray" logger writes only to `RAY_LOG` (Ray's own handler prints to the terminal)."""
    logger = logging.getLogger("ray")
    logger.handlers[:] = [RAY_LOG]
    logger.propagate = False


def log_to(folder: str | Path) -> Path:
    """Ray's log records (those held since `connect`, and from now on) go to folder/ray.log,
    which also names the local Ray session's own log folder (raylet, GCS, workers)."""
    path = Path(folder) / RAY_LOG_FILE
    if RAY_LOG.path != path:
        node = getattr(ray._private.worker, "_global_node", None)  # None: not started here
        logs = node.get_logs_dir_path() if node is not None and ray.is_initialized() else ""
        RAY_LOG.to(path, f"# Ray session logs: {logs}" if logs else "")
    return path


_reapers: list[subprocess.Popen[bytes]] = []


def start_reaper() -> None:
    """Start `reaper.py` watching this process (once): it ends this process's Ray when
    this process ends, even by SIGKILL. Its stdin is a pipe only this process holds."""
    if any(r.poll() is None for r in _reapers):
        return
    script = Path(__file__).with_name("reaper.py")
    reaper = subprocess.Popen(
        [sys.executable, str(script), str(os.getpid())],
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # not ended by the terminal's Ctrl-C before it has reaped
    )
    _reapers.append(reaper)


TOKEN_HINT = (
    "if the cluster uses token authentication (the default of `ray start` since Ray 2.59), "
    "set RAY_AUTH_MODE=token and give the head's token (~/.ray/auth_token or RAY_AUTH_TOKEN)"
)


def _join_error(address: str | None, e: Exception) -> RunError:
    first = str(e).splitlines()[0] if str(e) else ""
    return RunError(
        Problem(
            f"cannot join Ray: {type(e).__name__}: {first}; {TOKEN_HINT}",
            path="address",
            value=address,
            accepted=ADDRESS_FORMS,
        )
    )


def cluster_error(what: str, e: Exception) -> RunError:
    """A Ray failure while setting a run up (actors that cannot start, a lost node)."""
    first = str(e).splitlines()[0] if str(e) else type(e).__name__
    return RunError(Problem(f"{what}: {type(e).__name__}: {first}; {TOKEN_HINT}"))


def _own_packages() -> list[str]:
    """This project's one package, `aurum` (shipped to the nodes of an existing cluster; in a
    checkout its links to engine/, twins/, ... are followed when Ray packs it)."""
    import aurum

    return [str(Path(aurum.__file__).parent)]


class _ShardActor:
    """One shard of twins, advanced an epoch per call (optionally rebuilt from a checkpoint)."""

    def __init__(
        self, plan: FleetPlan, spec: ShardSpec, state: dict[str, Any] | None = None
    ) -> None:
        self.began = time.time()  # the worker has started and imported this module
        # Arrays from Ray's object store are read-only, and numba compiles (and caches) a
        # kernel per argument type: writable copies share the kernels a local run or
        # `engine.run.precompile` compiled, instead of compiling a read-only variant here.
        self.shard = make_shard(copy.deepcopy(plan), spec)
        self.built = time.time()
        self.timers = instrument(self.shard)
        if state is not None:
            self.shard.load_state_dict(state)

    def run_epoch(self, jobs: list[Job]) -> list[EpochResult]:
        """The next epoch: its result (a site system's: one per kind)."""
        t = time.thread_time()
        r = self.shard.run_epoch(jobs)
        self.timers["epoch"] += time.thread_time() - t  # CPU, like the parts (instrument)
        return r if isinstance(r, list) else [r]

    def replay(self, epochs: list[list[Job]]) -> list[EpochResult]:
        """Run several epochs (catching up after a restart); the last one's results."""
        results = [self.run_epoch(jobs) for jobs in epochs]
        return results[-1]

    def state_dict(self) -> dict[str, Any]:
        return self.shard.state_dict()

    def info(self) -> dict[str, Any]:
        return {
            "pid": os.getpid(),
            "node": ray.get_runtime_context().get_node_id(),
            "host": socket.gethostname(),
            "twins": self.shard.n,
            "process_started": psutil.Process().create_time(),
            "init_began": self.began,
            "built": self.built,
        }

    def stats(self) -> dict[str, Any]:
        return {"timers": dict(self.timers), "peak_rss_mib": peak_rss_mib()}


ShardActor = ray.remote(_ShardActor)
# A shard actor that died (killed process, lost node) or whose result was lost with its node:
# rebuilt from the last checkpoint. An exception raised by the shard's own code is a bug and
# fails the run.
RECOVERABLE = (
    ray.exceptions.RayActorError,
    ray.exceptions.ObjectLostError,
    ray.exceptions.OwnerDiedError,
    ray.exceptions.NodeDiedError,
    ray.exceptions.WorkerCrashedError,
    ray.exceptions.LocalRayletDiedError,
)
MAX_RECOVERIES = 8  # per run: a shard that keeps dying (e.g. out of memory) fails the run
StateSource = Callable[[int], "dict[str, Any] | None"]


class RayPool:
    """Shard actors, spread over the cluster; results gathered with ray.wait as they finish.

    The pool remembers the jobs of every epoch since the last checkpoint; a shard actor that
    dies is rebuilt from its checkpointed state (`base_state(k)`, None before the first
    checkpoint: a fresh shard) and replays those epochs to give the result that was lost.
    """

    def __init__(
        self,
        plan: FleetPlan,
        cpus: float,
        base_state: StateSource | None = None,
        start_epoch: int = 0,
    ) -> None:
        self.share = min(1.0, max(0.001, int(cpus / len(plan.shards) * 1000) / 1000))
        # Each actor gets only its own twins' part of the plan (a 1M-twin plan is ~300 MB).
        self.plans = [
            (ray.put(sub), spec) for sub, spec in (shard_plan(plan, s) for s in plan.shards)
        ]
        self.base_state: StateSource = base_state or (lambda k: None)
        self.actors = [
            self._spawn(k, self.base_state(k) if start_epoch else None, self.share)
            for k in range(len(plan.shards))
        ]
        self.info = ray.get([a.info.remote() for a in self.actors])
        self.owner = np.zeros(plan.n_twins, dtype=np.int32)  # which actor holds each twin
        for k, s in enumerate(plan.shards):
            self.owner[plan.twin_indices(s)] = k
        self.pending: dict[Any, int] = {}
        self.epoch = start_epoch  # the next epoch to submit
        self.base_epoch = start_epoch  # where a rebuilt shard starts from
        self.log: dict[int, list[Job]] = {}  # jobs of every epoch since base_epoch
        self.state_refs: list[Any] = []
        self.recoveries: list[dict[str, Any]] = []
        self.retired: list[dict[str, Any]] = []  # stats of actors that were replaced

    def _spawn(self, k: int, state: dict[str, Any] | None, share: float) -> Any:
        plan_ref, spec = self.plans[k]
        opts = {"num_cpus": share, "scheduling_strategy": "SPREAD"}
        return ShardActor.options(**opts).remote(plan_ref, spec, state)

    def _mine(self, jobs: list[Job]) -> list[list[Job]]:
        mine: list[list[Job]] = [[] for _ in self.actors]
        for j in jobs:
            mine[int(self.owner[j.twin])].append(j)
        return mine

    def submit(self, jobs: list[Job]) -> None:
        self.log[self.epoch] = jobs
        self.epoch += 1
        refs = [a.run_epoch.remote(js) for a, js in zip(self.actors, self._mine(jobs), strict=True)]
        self.pending = {ref: k for k, ref in enumerate(refs)}

    def collect(self) -> Iterator[EpochResult]:
        pending, self.pending = self.pending, {}
        while pending:
            ready, _ = ray.wait(list(pending), num_returns=1)
            k = pending.pop(ready[0])
            try:
                results: list[EpochResult] = ray.get(ready[0])
            except RECOVERABLE as e:
                results = self._recover(k, e)
            yield from results

    def _recover(self, k: int, error: Exception) -> list[EpochResult]:
        """Rebuild shard k from the last checkpoint and replay the epochs since."""
        while True:
            if len(self.recoveries) >= MAX_RECOVERIES:
                raise RunError(
                    Problem(
                        f"shard actors died {len(self.recoveries)} times (last: shard {k}, "
                        f"{type(error).__name__}); giving up — see the run's manifest",
                        path="execution",
                    )
                )
            began = time.perf_counter()
            with contextlib.suppress(Exception):
                ray.kill(self.actors[k])
            epochs = list(range(self.base_epoch, self.epoch))
            self.recoveries.append(
                {
                    "shard": k,
                    "epoch": self.epoch - 1,
                    "error": type(error).__name__,
                    "replayed_from": self.base_epoch,
                    "node": self.info[k]["node"],
                }
            )
            # No CPU reserved: the replacement must fit even when a node's CPUs are gone.
            actor = self._spawn(k, self.base_state(k) if self.base_epoch else None, 0.0)
            mine = [self._mine(self.log[e])[k] for e in epochs]
            try:
                result: list[EpochResult] = ray.get(actor.replay.remote(mine))
                info = ray.get(actor.info.remote())
            except RECOVERABLE as e:
                error = e
                self.actors[k] = actor
                continue
            self.actors[k], self.info[k] = actor, info
            self.recoveries[-1]["seconds"] = round(time.perf_counter() - began, 3)
            return result

    def request_state(self) -> None:
        self.state_refs = [a.state_dict.remote() for a in self.actors]

    def take_states(self) -> list[dict[str, Any]] | None:
        refs, self.state_refs = self.state_refs, []
        try:
            states: list[dict[str, Any]] = ray.get(refs)
        except RECOVERABLE:
            return None  # the dead shard is rebuilt when its next result is collected
        return states

    def commit(self, epochs_done: int) -> None:
        self.base_epoch = epochs_done
        self.log = {e: j for e, j in self.log.items() if e >= epochs_done}

    def stats(self) -> dict[str, Any]:
        out = ray.get([a.stats.remote() for a in self.actors], timeout=60)
        nodes: dict[str, int] = {}
        for i in self.info:
            nodes[i["node"]] = nodes.get(i["node"], 0) + 1
        return {
            "timers": sum_timers([o["timers"] for o in out]),
            "actors_peak_rss_mib": [o["peak_rss_mib"] for o in out],
            "nodes": nodes,
            "hosts": sorted({i["host"] for i in self.info}),
        }

    def close(self) -> None:
        for a in self.actors:
            with contextlib.suppress(Exception):
                ray.kill(a)


class _Coordinator:
    """Owns one run: its clock, shards, recorder, checkpoints and the fleet's live state."""

    def __init__(
        self,
        plan: FleetPlan,
        run_dir: str,
        manifest: dict[str, Any],
        speed: float | None,
        checkpoint_every: int = 0,
        resume: bool = False,
    ) -> None:
        self.began = time.time()
        from aurum.engine.run.loop import RunLoop  # here: a shard actor's worker never needs it

        self.loop = RunLoop(plan, Path(run_dir), speed, checkpoint_every)
        self.plan = plan
        self.manifest = manifest
        self.pool: RayPool | None = None
        self.checkpoint = latest(Path(run_dir)) if resume else None
        if resume and self.checkpoint is None:
            raise RunError(Problem("no checkpoint to resume from", "checkpoint", run_dir))
        if self.checkpoint is not None:
            self.loop.restore(self.checkpoint)
        self.loop.on_checkpoint = self._saved

    def _saved(self, loop: RunLoop) -> None:
        """After each checkpoint: the manifest says how far the run got."""
        write_manifest(loop.run_dir, self.manifest, loop.progress.to_dict(), {})

    def _base_state(self, k: int) -> dict[str, Any] | None:
        ck = latest(self.loop.run_dir)
        return None if ck is None else ck.shard_state(k)

    def start(self, cpus: float) -> dict[str, Any]:
        """Create the shard actors; where they run and where the files go."""
        self.pool = RayPool(self.plan, cpus, self._base_state, self.loop.start_epoch)
        self.pool.recoveries = self.loop.progress.recoveries
        return {
            "actors": len(self.pool.actors),
            "coordinator_node": ray.get_runtime_context().get_node_id(),
            "coordinator_host": socket.gethostname(),
            "run_dir": str(self.loop.run_dir.resolve()),
            "shard_nodes": [i["node"] for i in self.pool.info],
            "start_epoch": self.loop.start_epoch,
            "startup": self._startup(),
        }

    def _startup(self) -> dict[str, Any]:
        """When the coordinator and each shard actor started, were ready and built their shard
        (seconds since the driver launched the coordinator), also put in the manifest."""
        assert self.pool is not None
        execution = self.manifest.setdefault("execution", {})
        startup: dict[str, Any] = execution.setdefault("startup", {})
        t0 = float(startup.get("launched_at", self.began))

        def since(t: float) -> float:
            return round(t - t0, 3)

        startup["coordinator_ready_s"] = since(self.began)
        startup["shard_actors"] = [
            {
                "kind": spec.kind,
                "process_started_s": since(i["process_started"]),
                "ready_s": since(i["init_began"]),
                "built_s": since(i["built"]),
            }
            for i, spec in zip(self.pool.info, self.plan.shards, strict=True)
        ]
        startup["actors_ready_s"] = since(time.time())
        return startup

    def run(self, timings: dict[str, float]) -> dict[str, Any]:
        """Run to the end; `timings` measured by the driver go into the manifest."""
        assert self.pool is not None, "start() first"
        self.loop.extra_timings = timings
        write_manifest(self.loop.run_dir, self.manifest, self.loop.progress.to_dict(), {})
        try:
            self.loop.run(self.pool)
        finally:
            self.loop.progress.recoveries = self.pool.recoveries
            write_manifest(
                self.loop.run_dir, self.manifest, self.loop.progress.to_dict(), self.loop.rows
            )
        out = self.result()
        out["coordinator_peak_rss_mib"] = peak_rss_mib()
        return out

    def result(self) -> dict[str, Any]:
        return self.loop.result()

    def progress(self) -> dict[str, Any]:
        return self.loop.progress.to_dict()

    def fleet_state(self) -> dict[str, Any]:
        return self.loop.state.summary()

    def twin_state(self, twin_id: str) -> dict[str, Any] | None:
        return self.loop.state.twin(twin_id)

    def twins(self, **filters: Any) -> dict[str, Any]:
        return self.loop.state.list_twins(**filters)

    def snapshot(self) -> dict[str, Any]:
        """A consistent copy of the live fleet state (`FleetState.arrays()`)."""
        return self.loop.state.arrays()

    def shard_actors(self) -> list[Any]:
        """The shard actors' handles and where they run (for tests and diagnostics)."""
        assert self.pool is not None
        return [(a, i) for a, i in zip(self.pool.actors, self.pool.info, strict=True)]

    def cancel(self) -> None:
        self.loop.cancel()


Coordinator = ray.remote(num_cpus=0, max_concurrency=16)(_Coordinator)


def start_coordinator(
    plan: FleetPlan,
    run_dir: Path,
    manifest: dict[str, Any],
    speed: float | None = None,
    checkpoint_every: int = 0,
    resume: bool = False,
) -> Any:
    """A coordinator actor on this (the driver's) node, so files land where the user asked.

    The affinity is hard: if the driver's node cannot host it the run fails to start rather
    than write its files on another machine. Ray's log records go to the run's `ray.log`.
    """
    log_to(run_dir)
    startup = manifest.setdefault("execution", {}).setdefault("startup", {})
    startup.update(STARTUP, launched_at=time.time())
    here = ray.get_runtime_context().get_node_id()
    strategy = NodeAffinitySchedulingStrategy(node_id=here, soft=False)
    return Coordinator.options(scheduling_strategy=strategy).remote(
        plan, str(run_dir), manifest, speed, checkpoint_every, resume
    )

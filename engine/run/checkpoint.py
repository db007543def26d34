"""Checkpoints of a run: what a dead shard actor, coordinator or driver restarts from.

`run_dir/checkpoint/epoch-NNNNNN/` holds, after NNNNNN epochs: every shard's `state_dict()`
(`shard-KKKKK.pkl`, in the plan's shard order), the coordinator's part (`coordinator.pkl`:
workshop, fleet state, the jobs of the next epoch, the policy's state if it has one) and
`meta.json` (the shards' specs, each table's part files and rows, progress). Every table is
flushed first, so the part files on disk hold exactly the epochs before the checkpoint.
`checkpoint/LATEST.json` names the newest complete checkpoint: it is replaced atomically only
once a checkpoint is whole, then older ones are removed.

Resuming deletes the part files written after the checkpoint (and any half-written `.tmp`),
so the replayed epochs are written once: no missing and no duplicated rows.
"""

from __future__ import annotations

import json
import pickle
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from aurum.engine.errors import Problem, RunError
from aurum.engine.run.plan import ShardSpec

if TYPE_CHECKING:
    from aurum.engine.run.recorder import Recorder, _Table
    from aurum.engine.run.workshop import Workshop

FOLDER = "checkpoint"
LATEST = "LATEST.json"
FORMAT = 1
PART = re.compile(r"part-(\d+)\.parquet$")


def tables(recorder: Recorder) -> dict[str, _Table]:
    """Every growing table of a recorder by name ("production", "telemetry/truck", ...)."""
    out: dict[str, _Table] = {"production": recorder.production, "emissions": recorder.emissions}
    out |= {f"telemetry/{k}": t for k, t in recorder.telemetry.items()}
    if recorder.sites is not None:
        out["telemetry/site"] = recorder.sites
    out |= dict(recorder.extra)
    return out


def _dump(path: Path, obj: Any) -> None:
    with path.open("wb") as f:
        pickle.dump(obj, f, protocol=pickle.HIGHEST_PROTOCOL)


def _load(path: Path) -> Any:
    with path.open("rb") as f:
        return pickle.load(f)  # our own files, written by write_checkpoint


def write_checkpoint(
    run_dir: Path,
    recorder: Recorder,
    states: list[dict[str, Any]],
    coordinator: dict[str, Any],
    meta: dict[str, Any],
) -> Path:
    """Flush the tables and save everything needed to go on after `meta["epochs_done"]` epochs:
    the shards' `states`, the coordinator's own (workshop, fleet, next jobs, policy) and `meta`
    (shards, progress, recoveries), which the run loop gathers."""
    epochs_done = int(meta["epochs_done"])
    counts: dict[str, tuple[int, int]] = {}
    for name, table in tables(recorder).items():
        table.flush()
        counts[name] = (table.parts, table.rows)
    root = run_dir / FOLDER
    final = root / f"epoch-{epochs_done:06d}"
    tmp = root / f".tmp-epoch-{epochs_done:06d}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    for k, state in enumerate(states):
        _dump(tmp / f"shard-{k:05d}.pkl", state)
    _dump(tmp / "coordinator.pkl", coordinator)
    meta = {"format": FORMAT, **meta, "tables": counts}
    (tmp / "meta.json").write_text(json.dumps(meta, indent=1), encoding="utf-8")
    shutil.rmtree(final, ignore_errors=True)
    tmp.rename(final)
    pointer = root / (LATEST + ".tmp")
    pointer.write_text(json.dumps({"dir": final.name, "epochs_done": epochs_done}))
    pointer.replace(root / LATEST)
    for old in root.glob("epoch-*"):
        if old != final:
            shutil.rmtree(old, ignore_errors=True)
    return final


@dataclass
class Checkpoint:
    """A complete checkpoint on disk."""

    folder: Path
    epochs_done: int
    shards: list[ShardSpec]
    tables: dict[str, tuple[int, int]]
    progress: dict[str, Any]
    recoveries: list[dict[str, Any]]

    def shard_state(self, k: int) -> dict[str, Any]:
        state: dict[str, Any] = _load(self.folder / f"shard-{k:05d}.pkl")
        return state

    def coordinator(self) -> dict[str, Any]:
        data: dict[str, Any] = _load(self.folder / "coordinator.pkl")
        return data


def latest(run_dir: Path) -> Checkpoint | None:
    """The newest complete checkpoint of a run, or None."""
    root = Path(run_dir) / FOLDER
    try:
        pointer = json.loads((root / LATEST).read_text(encoding="utf-8"))
        folder = root / pointer["dir"]
        meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    except (OSError, ValueError, KeyError):
        return None
    if meta.get("format") != FORMAT:
        raise RunError(
            Problem(
                f"checkpoint format {meta.get('format')} is not {FORMAT} (another version)",
                path="checkpoint",
                value=str(folder),
            )
        )
    return Checkpoint(
        folder,
        int(meta["epochs_done"]),
        [ShardSpec(k, int(lo), int(hi)) for k, lo, hi in meta["shards"]],
        {name: (int(p), int(r)) for name, (p, r) in meta["tables"].items()},
        meta["progress"],
        list(meta.get("recoveries", [])),
    )


def restore_workshop(ws: Workshop, saved: dict[str, Any]) -> None:
    """Set a workshop from `Workshop.state()` (crews, queues, busy twins, jobs done)."""
    load = getattr(ws, "load_state", None)
    if callable(load):
        load(saved)
        return
    ws.crews = [list(c) for c in saved["crews"]]
    ws.queue = [list(q) for q in saved["queue"]]
    ws.busy_until = np.array(saved["busy_until"], copy=True)
    ws.jobs_done = np.array(saved["jobs_done"], copy=True)
    ws.records = []


def restore_tables(recorder: Recorder, run_dir: Path, kept: dict[str, tuple[int, int]]) -> None:
    """Roll the tables back to a checkpoint: later part files go, counters are set back."""
    if not kept:
        return
    for name, table in tables(recorder).items():
        parts, rows = kept.get(name, (0, 0))
        for f in table.folder.iterdir():
            m = PART.match(f.name)
            if f.suffix == ".tmp" or (m is not None and int(m.group(1)) >= parts):
                f.unlink()
        table.parts, table.rows = parts, rows
        table.pending, table.pending_rows = [], 0


def discard(run_dir: Path) -> None:
    """Remove a run's checkpoints (once it has finished)."""
    shutil.rmtree(Path(run_dir) / FOLDER, ignore_errors=True)

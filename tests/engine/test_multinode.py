"""Multi-node: a two-node `ray.cluster_utils.Cluster` on this machine (in a child process, so its
Ray never meets the test session's), joined by address with token authentication on.

Shards spread over both nodes, the coordinator stays on the driver's node, and the tables equal
a single-process run's. Then the worker node is removed mid-run: its shards are rebuilt on the
remaining node from the last checkpoint, and the tables still equal an undisturbed run's.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from aurum import engine
from tests.conftest import ROOT
from tests.engine.test_run import TABLES, read_all, same, small_fleet

CHILD = Path(__file__).with_name("multinode_child.py")


def _undisturbed(out: Path, duration: str) -> Path:
    return engine.simulate(small_fleet(duration), out=out, backend="local", checkpoint=0).run_dir


def _equal(a: Path, b: Path) -> None:
    got, expected = read_all(a), read_all(b)
    for name in TABLES:
        assert got[name].num_rows == expected[name].num_rows, f"{name}: rows differ"
        assert same(got[name], expected[name]), f"{name} differs from the single-node run"


@pytest.mark.timeout(180)
def test_two_node_cluster_spreads_shards_and_survives_a_lost_node(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAY_")}
    # Token authentication with a fresh token: nothing depends on ~/.ray/auth_token.
    env |= {"RAY_AUTH_MODE": "token", "RAY_AUTH_TOKEN": secrets.token_hex(32)}
    env["PYTHONPATH"] = str(ROOT)
    proc = subprocess.run(
        [sys.executable, str(CHILD), str(tmp_path / "cluster"), "--lose-node"],
        check=False,
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=170,
    )
    lines = [x for x in proc.stdout.splitlines() if x.startswith("RESULT ")]
    assert proc.returncode == 0 and lines, proc.stderr[-3000:]
    report = json.loads(lines[-1][len("RESULT ") :])
    nodes = report["shard_nodes"]
    assert set(nodes) == {report["head_node"], report["worker_node"]}  # spread over both
    assert report["coordinator_node"] == report["head_node"]  # the driver's node: files here
    _equal(Path(report["run"]), _undisturbed(tmp_path / "local", "6h"))
    assert report["shards_on_lost_node"] >= 1
    lost = {r["shard"] for r in report["recoveries"]}
    assert len(lost) == report["shards_on_lost_node"]
    _equal(Path(report["lost_run"]), _undisturbed(tmp_path / "local2", "1d"))
    print(
        f"\ncluster up in {report['cluster_start_s']} s; shards on nodes "
        f"{[n[:8] for n in nodes]}; worker node removed mid-run: {len(lost)} shard(s) rebuilt "
        f"({report['recoveries']}); tables identical; child took {report['total_s']} s"
    )

"""Child process of test_multinode: a two-node `ray.cluster_utils.Cluster` on this machine.

Runs the small fleet on the cluster (joined by address, token authentication on with a fresh
token) and prints one JSON line: where the shards ran and the run folders. With `--lose-node`
it also runs the fleet again, removes the worker node mid-run, and reports the recovery.
Run in its own process so that its Ray never meets the test session's.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def main(out: str, lose_node: bool) -> None:
    import ray
    from ray.cluster_utils import Cluster

    from aurum import engine
    from tests.engine.test_run import small_fleet

    began = time.perf_counter()
    # Fast failure detection so that a removed node is noticed in a couple of seconds.
    system = {"health_check_period_ms": 500, "health_check_failure_threshold": 3}
    cluster = Cluster(
        initialize_head=True,
        head_node_args={"num_cpus": 1, "include_dashboard": False, "_system_config": system},
    )
    worker = cluster.add_node(num_cpus=1)
    cluster.wait_for_nodes()
    started = time.perf_counter() - began
    report: dict[str, object] = {"cluster_start_s": round(started, 1)}
    try:
        r = engine.simulate(small_fleet(), out=out, address=cluster.address, twins_per_actor=3)
        report["run"] = str(r.run_dir)
        report["shard_nodes"] = r.execution["shard_nodes"]
        report["coordinator_node"] = r.execution["coordinator_node"]
        report["head_node"] = cluster.head_node.node_id
        report["worker_node"] = worker.node_id
        if lose_node:
            handle = engine.start(
                small_fleet("1d"), out=out, twins_per_actor=3, speed=86400 / 5.0, checkpoint=4
            )
            deadline = time.time() + 60
            while handle.progress()["epochs_done"] < 9 and time.time() < deadline:
                time.sleep(0.05)
            on_worker = [i["node"] == worker.node_id for _, i in handle.shard_actors()]
            cluster.remove_node(worker, allow_graceful=False)
            lost = handle.wait()
            report["lost_run"] = str(lost.run_dir)
            report["shards_on_lost_node"] = sum(on_worker)
            report["recoveries"] = lost.progress["recoveries"]
    finally:
        ray.shutdown()
        cluster.shutdown()
    report["total_s"] = round(time.perf_counter() - began, 1)
    print("RESULT " + json.dumps(report))


if __name__ == "__main__":
    main(sys.argv[1], "--lose-node" in sys.argv)

"""The layering holds: api → engine → twins → physics | esg, layers inside the engine, kinds
independent, Ray only in engine; and no module imports itself through others (no circles)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_import_contracts_hold() -> None:
    lint = Path(sys.executable).with_name("lint-imports")
    done = subprocess.run(
        [str(lint), "--config", str(ROOT / "pyproject.toml")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Contracts: 5 kept, 0 broken" in done.stdout, done.stdout


def test_no_import_circles() -> None:
    """Every strongly connected set of modules in the import graph is a single module."""
    import grimp

    graph = grimp.build_graph("aurum")
    mods = sorted(m for m in graph.modules if m.startswith("aurum."))
    edges = {m: [d for d in graph.find_modules_directly_imported_by(m) if d in mods] for m in mods}
    circles = [c for c in _strongly_connected(edges) if len(c) > 1]
    assert circles == [], circles
    # the search finds one where there is one
    toy = {"a": ["b"], "b": ["c"], "c": ["a", "d"], "d": []}
    assert sorted(_strongly_connected(toy)) == [["a", "b", "c"], ["d"]]


def _strongly_connected(edges: dict[str, list[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iteratively (no recursion limit for a deep graph)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []
    for root, targets in edges.items():
        if root in index:
            continue
        work = [(root, iter(targets))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            v, it = work[-1]
            w = next(it, None)
            if w is None:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[v])
                if low[v] == index[v]:
                    comp = []
                    while True:
                        x = stack.pop()
                        on_stack.discard(x)
                        comp.append(x)
                        if x == v:
                            break
                    out.append(sorted(comp))
            elif w not in index:
                index[w] = low[w] = len(index)
                stack.append(w)
                on_stack.add(w)
                work.append((w, iter(edges[w])))
            elif w in on_stack:
                low[v] = min(low[v], index[w])
    return out

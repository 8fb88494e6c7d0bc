"""Quality and CPU of the view's force layout (graph/layout.py), old tree against new.

Record the ``compute_layout`` calls of a build's view (``record``), then lay out every
connected component of 21+ nodes (``--smallest 3``: all but pairs) with three layout seeds
(``--seeds``) in each source tree and compare (``compare``), or time all the calls (``time``)::

    python benchmarks/layout_quality.py record OUT_DIR... -o /tmp/calls.pickle
    python benchmarks/layout_quality.py compare /tmp/calls.pickle OLD_TREE NEW_TREE [--seeds 6 --smallest 3]
    python benchmarks/layout_quality.py time /tmp/calls.pickle OLD_TREE NEW_TREE --runs 5

``OUT_DIR`` is a build folder (its graph.nt and provenance.jsonl); the pickle is a list of
``(n, pairs)``, the arguments of each call. A tree is a checkout whose ``graph`` package is
measured (each in its own process). The figures, pooled over the components of a size class
and given per seed:

- crossings per edge: pairs of edges without a shared end whose segments cross, over the edges;
- energy per node: the potential of the layout's forces (springs w·d³/3, repulsion
  1.6·(ln(c/d) + d/c − 1) within c = 2.5 units, gravity 0.001·|z|²), written out here so that
  a layout with another force law or cut-off is still judged by the same yardstick;
- closest pair: the smallest distance between two nodes, averaged over the components (units);
- close share: the share of nodes whose nearest neighbour is under half a unit away;
- area per node: the convex hull's area over the nodes (units²).
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

CUTOFF = 2.5  # the yardstick's cut-off (see the docstring), whatever the layout uses
SEED_STRIDE = 7919  # seed k of a component of n nodes: LAYOUT_SEED + n + k * SEED_STRIDE (k = 0: the build's)
CLASSES = {"3-20": (3, 20), "21-90": (21, 90), "91+": (91, 10**9), "21+": (21, 10**9)}


def record(build_dirs: list[Path], out: Path) -> None:
    """The (n, pairs) of every compute_layout call made while the views of ``build_dirs`` are drawn again."""
    import graph.view_overview
    import graph.view_payload
    from graph.layout import compute_layout
    from graph.rdf_text import file_lines
    from graph.record_file import RecordFile
    from graph.view import render_html

    calls: list[tuple[int, list[tuple[int, int, float]]]] = []

    def recording(n: int, pairs: Any, known: Any = None) -> Any:  # (render_html is given no known layouts)
        calls.append((n, [tuple(p) for p in pairs]))
        return compute_layout(n, pairs)

    graph.view_payload.compute_layout = recording  # type: ignore[assignment]
    graph.view_overview.compute_layout = recording  # type: ignore[assignment]
    with tempfile.TemporaryDirectory() as tmp:
        for build in build_dirs:
            records = RecordFile.index(build / "provenance.jsonl")
            render_html(file_lines(build / "graph.nt"), records, Path(tmp) / "graph.html")
    out.write_bytes(pickle.dumps(calls))
    print(f"{len(calls)} calls, {sum(n for n, _ in calls)} nodes -> {out}")


def components(calls: Any, smallest: int = 21) -> list[tuple[int, list[tuple[int, int, float]]]]:
    """Each connected component of ``smallest``+ nodes of every call, with its pairs renumbered."""
    from graph.layout import _components

    found = []
    for n, pairs in calls:
        comps = _components(n, pairs)
        where = {v: (k, i) for k, comp in enumerate(comps) for i, v in enumerate(comp)}
        local: list[list[tuple[int, int, float]]] = [[] for _ in comps]
        for a, b, w in pairs:
            local[where[a][0]].append((where[a][1], where[b][1], w))
        found += [(len(comp), local[k]) for k, comp in enumerate(comps) if len(comp) >= smallest]
    return found


def crossings(xy: Any, links: Any) -> int:
    """Pairs of edges with no shared end whose segments cross (orientation tests, in chunks)."""
    import numpy as np

    links = links[links[:, 0] != links[:, 1]]
    p, q = xy[links[:, 0]], xy[links[:, 1]]
    total = 0
    for start in range(0, len(links), 256):
        a, b = p[start:start + 256, None], q[start:start + 256, None]
        c, d = p[None], q[None]

        def side(u: Any, v: Any, w: Any) -> Any:
            return np.sign((v[..., 0] - u[..., 0]) * (w[..., 1] - u[..., 1]) - (v[..., 1] - u[..., 1]) * (w[..., 0] - u[..., 0]))

        cross = (side(a, b, c) * side(a, b, d) < 0) & (side(c, d, a) * side(c, d, b) < 0)
        ends = links[start:start + 256, None, :, None] == links[None, :, None, :]
        cross &= ~ends.any(axis=(2, 3))
        total += int(cross.sum())
    return total // 2


def energy(xy: Any, links: Any, strength: Any) -> float:
    import numpy as np
    from scipy.spatial import cKDTree

    close = cKDTree(xy).query_pairs(CUTOFF, output_type="ndarray")
    d = np.maximum(np.hypot(*(xy[close[:, 0]] - xy[close[:, 1]]).T), 1e-3)
    ld = np.hypot(*(xy[links[:, 0]] - xy[links[:, 1]]).T)
    return float((1.6 * (np.log(CUTOFF / d) + d / CUTOFF - 1)).sum() + (strength * ld ** 3).sum() / 3
                 + 0.001 * (xy ** 2).sum())


def figures(xy: Any, pairs: list[tuple[int, int, float]]) -> dict[str, float]:
    import numpy as np
    from scipy.spatial import cKDTree

    links = np.asarray([(a, b) for a, b, _ in pairs], dtype=np.int64)
    strength = np.asarray([w for _, _, w in pairs], dtype=float)
    nearest = cKDTree(xy).query(xy, k=2)[0][:, 1]
    return {"nodes": len(xy), "edges": len(links), "crossings": crossings(xy, links),
            "energy": energy(xy, links, strength), "closest": float(nearest.min()),
            "close": int((nearest < 0.5).sum()), "area": _hull_area(xy)}


def _hull_area(xy: Any) -> float:
    from scipy.spatial import ConvexHull, QhullError

    try:
        return float(ConvexHull(xy).volume)
    except QhullError:  # all on a line
        return 0.0


def measure(calls_path: Path, seeds: int, smallest: int) -> None:
    """Figures and CPU of every component of ``smallest``+ nodes and seed, laid out by the importable ``graph``."""
    import numpy as np

    from graph import layout

    rows = []
    for n, pairs in components(pickle.loads(calls_path.read_bytes()), smallest):
        for k in range(seeds):
            layout._cached_layout.cache_clear()
            started = time.process_time()
            xy = np.asarray(layout._force_layout(n, pairs, layout.LAYOUT_SEED + n + k * SEED_STRIDE), dtype=float)
            cpu = time.process_time() - started
            rows.append({"seed": k, "cpu": cpu, **figures(xy, pairs)})
    json.dump(rows, sys.stdout)


def summary(rows: list[dict[str, Any]], low: int, high: int) -> dict[str, Any]:
    """Pooled figures of one size class, per seed, then their mean."""
    per_seed = []
    for k in sorted({r["seed"] for r in rows}):
        chosen = [r for r in rows if r["seed"] == k and low <= r["nodes"] <= high]
        if not chosen:
            return {}
        nodes, edges = sum(r["nodes"] for r in chosen), sum(r["edges"] for r in chosen)
        per_seed.append({"crossings/edge": sum(r["crossings"] for r in chosen) / edges,
                         "energy/node": sum(r["energy"] for r in chosen) / nodes,
                         "closest": sum(r["closest"] for r in chosen) / len(chosen),
                         "close %": 100 * sum(r["close"] for r in chosen) / nodes,
                         "area/node": sum(r["area"] for r in chosen) / nodes,
                         "cpu s": sum(r["cpu"] for r in chosen), "components": len(chosen)})
    return {key: [s[key] for s in per_seed] for key in per_seed[0]}


def _env(tree: str) -> dict[str, str]:
    """The environment with ``tree`` importable first (the processes also run in it: ``python -c`` puts
    its folder first), and BLAS on one thread (its spinning threads skew CPU times)."""
    return {**os.environ, "PYTHONPATH": tree, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}


def run_tree(tree: str, calls: Path, seeds: int, smallest: int = 21) -> list[dict[str, Any]]:
    out = subprocess.run([sys.executable, str(Path(__file__).resolve()), "measure", str(calls.resolve()),
                          "--seeds", str(seeds), "--smallest", str(smallest)], check=True, cwd=tree,
                         capture_output=True, text=True, env=_env(tree))
    return list(json.loads(out.stdout))


def compare(calls: Path, trees: list[str], seeds: int, smallest: int) -> None:
    results = {tree: run_tree(tree, calls, seeds, smallest) for tree in trees}
    for name, (low, high) in CLASSES.items():
        if high < smallest:
            continue
        print(f"components of {name} nodes")
        for tree, rows in results.items():
            s = summary(rows, low, high)
            if not s:
                continue
            print(f"  {tree}  ({s['components'][0]} components, {len(s['cpu s'])} seeds)")
            for key, values in s.items():
                if key != "components":
                    mean = sum(values) / len(values)
                    print(f"    {key:15} {mean:8.4f}  (seeds {min(values):.4f}-{max(values):.4f})")


def time_trees(calls: Path, trees: list[str], runs: int) -> None:
    """CPU of every recorded compute_layout call (numpy and scipy imported before), the trees
    alternating; the min of ``runs``."""
    script = ("import pickle,sys,time,gc,numpy,scipy.spatial; from graph import layout; calls=pickle.load(open(sys.argv[1],'rb'));"
              "gc.disable();"
              "layout._cached_layout.cache_clear(); t=time.process_time()\n"
              "for n,p in calls: layout.compute_layout(n,p)\nprint(time.process_time()-t)")
    best: dict[str, float] = {}
    for _ in range(runs):
        for tree in trees:
            out = subprocess.run([sys.executable, "-c", script, str(calls.resolve())], check=True, cwd=tree,
                                 capture_output=True, text=True,
                                 env=_env(tree))
            cpu = float(out.stdout)
            best[tree] = min(best.get(tree, cpu), cpu)
            print(f"{tree}: {cpu:.3f} s", flush=True)
    for tree, cpu in best.items():
        print(f"min of {runs}: {tree} {cpu:.3f} s CPU")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    rec = sub.add_parser("record", help="record the compute_layout calls of build folders' views")
    rec.add_argument("builds", nargs="+", type=Path)
    rec.add_argument("-o", "--output", type=Path, required=True)
    mea = sub.add_parser("measure", help="figures of the importable graph package, as JSON")
    mea.add_argument("calls", type=Path)
    mea.add_argument("--seeds", type=int, default=3)
    mea.add_argument("--smallest", type=int, default=21, help="the smallest component measured (default 21 nodes)")
    com = sub.add_parser("compare", help="figures of each tree, per size class")
    com.add_argument("calls", type=Path)
    com.add_argument("trees", nargs="+")
    com.add_argument("--seeds", type=int, default=3)
    com.add_argument("--smallest", type=int, default=21, help="the smallest component measured (default 21 nodes)")
    tim = sub.add_parser("time", help="CPU of all recorded calls per tree, min of several alternating runs")
    tim.add_argument("calls", type=Path)
    tim.add_argument("trees", nargs="+")
    tim.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    if args.command == "record":
        record(args.builds, args.output)
    elif args.command == "measure":
        measure(args.calls, args.seeds, args.smallest)
    elif args.command == "compare":
        compare(args.calls, args.trees, args.seeds, args.smallest)
    else:
        time_trees(args.calls, args.trees, args.runs)


if __name__ == "__main__":
    main()

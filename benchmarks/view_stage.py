"""The view stage alone: the CPU time of ``render_html`` on a build's graph, the force layout left out.

    python benchmarks/view_stage.py BUILD [--runs 5] [--tree PATH ...]

BUILD: the output folder of a build. Its ``graph.nt`` and ``provenance.jsonl`` are copies of
the sorted N-Triples lines and the records file that a build hands ``render_html``; the records
are indexed as a build indexes them (not timed). The force layout (``layout.py``, being
measured on its own) is run once and its results recorded; every timed run replays them, so
what is timed is the rest: reading the graph, the groups, the facts and their evidence, the
JSON, the HTML, the writing. Each ``--tree`` (a folder holding the ``graph`` package; default:
this checkout) runs in a fresh process, the trees alternating, with the cyclic GC paused as in
a build; the report gives each run's ``process_time`` and the minimum per tree, and checks
that every tree wrote the same bytes as the first.
"""

from __future__ import annotations

import argparse
import filecmp
import hashlib
import pickle
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from tree_runs import add_tree_arguments, alternate, trees_of  # benchmarks/tree_runs.py



def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("build", type=Path)
    add_tree_arguments(parser, runs=5)
    args = parser.parse_args()
    trees = trees_of(args)
    with tempfile.TemporaryDirectory() as tmp:
        layouts = Path(tmp) / "layouts.pickle"
        _child(trees[0], args.build, layouts, Path(tmp) / "record", record=True)

        def run(k: int, tree: Path) -> float:
            seconds = _child(tree, args.build, layouts, Path(tmp) / f"out-{k}")
            print(f"{tree}: {seconds:.3f} s", flush=True)
            return seconds

        times = alternate(trees, args.runs, run)
        for tree, seconds in times.items():
            print(f"min of {len(seconds)}: {min(seconds):.3f} s  {tree}")
        same = all(_same_files(Path(tmp) / "out-0", Path(tmp) / f"out-{k}") for k in range(1, len(trees)))
        print("same bytes in every tree" if same else "THE TREES WROTE DIFFERENT PAGES")
        as_built = _same_files(Path(tmp) / "out-0", args.build, only_a=True)
        print("the pages of the build" if as_built else "NOT THE PAGES OF THE BUILD (built by another version?)")
        return 0 if same else 1


def _child(tree: Path, build: Path, layouts: Path, out: Path, *, record: bool = False) -> float:
    argv = [sys.executable, __file__, "--child", str(tree), str(build), str(layouts), str(out), str(int(record))]
    done = subprocess.run(argv, check=True, capture_output=True, text=True)
    return float(done.stdout.split()[-1])


def _same_files(a: Path, b: Path, *, only_a: bool = False) -> bool:
    """The files under ``a`` and ``b`` are the same (``only_a``: those under ``a`` are in ``b``)."""
    names = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file())
    return (only_a or names == sorted(p.relative_to(b) for p in b.rglob("*") if p.is_file())) and all(
        (b / name).is_file() and filecmp.cmp(a / name, b / name, shallow=False) for name in names)


def _layout_key(n: int, pairs: Any) -> str:
    return hashlib.sha256(repr((n, list(pairs))).encode()).hexdigest()


def child(tree: Path, build: Path, layouts: Path, out: Path, record: bool) -> None:
    """One timed ``render_html`` in this process, ``tree``'s graph package imported."""
    import shutil

    sys.path.insert(0, str(tree))
    import graph.layout
    import graph.view_overview
    import graph.view_payload
    from graph.pipeline import cyclic_gc_paused
    from graph.rdf_text import LineFile
    from graph.record_file import RecordFile
    from graph.view import render_html

    assert Path(graph.layout.__file__).is_relative_to(tree), graph.layout.__file__
    recorded: dict[str, Any] = {} if record else pickle.loads(layouts.read_bytes())

    def layout(n: int, pairs: Any, known: Any = None) -> Any:  # (the build cache's layouts: none here)
        if record:
            recorded[_layout_key(n, pairs)] = graph.layout.compute_layout(n, pairs)
        return recorded[_layout_key(n, pairs)]

    graph.view_payload.compute_layout = layout  # type: ignore[assignment]
    graph.view_overview.compute_layout = layout  # type: ignore[assignment]
    lines, records = LineFile(build / "graph.nt"), RecordFile.index(build / "provenance.jsonl")
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)  # a fresh folder, as a build writes into
    with cyclic_gc_paused():
        start = time.process_time()
        render_html(lines, records, out / "graph.html")
        seconds = time.process_time() - start
    if record:
        layouts.write_bytes(pickle.dumps(recorded))
    print(f"{seconds:.4f}")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        tree, build, layouts, out, record = sys.argv[2:7]
        child(Path(tree), Path(build), Path(layouts), Path(out), record == "1")
    else:
        sys.exit(main())

"""The exports and the validation alone: the CPU time of ``write_exports`` and ``validate_lines`` on a build's graph.

    python benchmarks/exports_stage.py BUILD [--runs 3] [--tree PATH ...] [--parts]

BUILD: the output folder of a build. Its ``graph.nt`` and ``provenance.jsonl`` are copies of
the sorted N-Triples lines and the records file that a build hands the two stages (as a
``LineFile`` and a ``RecordFile``, indexed as a build indexes them, not timed). Each ``--tree``
(a folder holding the ``graph`` package; default: this checkout) runs in a fresh process, the
trees alternating, with the cyclic GC paused as in a build; the report gives each run's
``process_time`` of each stage and the minimum per tree, checks that every tree wrote the same
exports and found the same findings as the first, and that the first wrote the build's files.
``--parts``: the time of each export file too (what its ``atomic_file`` block took; the
property graph, made between two files, is in "other").
"""

from __future__ import annotations

import argparse
import contextlib
import filecmp
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Iterator

from tree_runs import add_tree_arguments, alternate, trees_of  # benchmarks/tree_runs.py

STAGES = ("exports", "validation")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("build", type=Path)
    add_tree_arguments(parser, runs=3)
    parser.add_argument("--parts", action="store_true", help="time each export file too")
    args = parser.parse_args()
    trees = trees_of(args)
    with tempfile.TemporaryDirectory() as tmp:
        findings: dict[Path, str] = {}

        def run(k: int, tree: Path) -> dict[str, float]:
            result = _child(tree, args.build, Path(tmp) / f"out-{k}", args.parts)
            findings[tree] = result.pop("findings")
            print(f"{tree}: " + "  ".join(f"{name} {seconds:.3f}" for name, seconds in result.items()), flush=True)
            return result

        times = alternate(trees, args.runs, run)
        for tree, runs in times.items():
            print(f"min of {len(runs)}: " + "  ".join(f"{name} {min(r[name] for r in runs):.3f} s"
                                                      for name in runs[0]) + f"  {tree}")
        same = all(_same_files(Path(tmp) / "out-0", Path(tmp) / f"out-{k}") for k in range(1, len(trees)))
        same = same and len(set(findings.values())) == 1
        print("same exports and findings in every tree" if same else "THE TREES WROTE OR FOUND DIFFERENT THINGS")
        as_built = _same_files(Path(tmp) / "out-0", args.build, only_a=True)
        print("the exports of the build" if as_built else "NOT THE EXPORTS OF THE BUILD (built by another version?)")
        return 0 if same and as_built else 1


def _child(tree: Path, build: Path, out: Path, parts: bool) -> dict[str, Any]:
    argv = [sys.executable, __file__, "--child", str(tree), str(build), str(out), str(int(parts))]
    done = subprocess.run(argv, check=True, capture_output=True, text=True)
    result: dict[str, Any] = json.loads(done.stdout.splitlines()[-1])
    return result


def _same_files(a: Path, b: Path, *, only_a: bool = False) -> bool:
    """The files under ``a`` and ``b`` are the same (``only_a``: those under ``a`` are in ``b``)."""
    names = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file())
    return (only_a or names == sorted(p.relative_to(b) for p in b.rglob("*") if p.is_file())) and all(
        (b / name).is_file() and filecmp.cmp(a / name, b / name, shallow=False) for name in names)


def child(tree: Path, build: Path, out: Path, parts: bool) -> None:
    """One timed ``write_exports`` and one timed ``validate_lines`` in this process, ``tree``'s
    graph package imported; prints the times (and the findings' digest) as JSON."""
    sys.path.insert(0, str(tree))
    import graph.exports
    from graph.pipeline import cyclic_gc_paused
    from graph.rdf_text import LineFile
    from graph.record_file import RecordFile
    from graph.validation import validate_lines

    assert Path(graph.exports.__file__).is_relative_to(tree), graph.exports.__file__
    from graph.labels import pinyin_slug
    pinyin_slug("景德镇")  # a build has made its entity IRIs by now: pypinyin is loaded and trained
    lines, records = LineFile(build / "graph.nt"), RecordFile.index(build / "provenance.jsonl")
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)  # a fresh folder, as a build writes into
    seconds: dict[str, float] = {}
    if parts:
        graph.exports.atomic_file = _timed(graph.exports.atomic_file, seconds)  # type: ignore[assignment]
    with cyclic_gc_paused():
        start = time.process_time()
        graph.exports.write_exports(lines, records, out)
        seconds = {"exports": time.process_time() - start, **seconds}
        if parts:
            seconds["other"] = seconds["exports"] - sum(v for k, v in seconds.items() if k != "exports")
        start = time.process_time()
        found = validate_lines(lines)
        seconds["validation"] = time.process_time() - start
    print(json.dumps({**seconds, "findings": repr(found)}))


def _timed(atomic_file: Any, seconds: dict[str, float]) -> Any:
    @contextlib.contextmanager
    def timed(path: Path) -> Iterator[Any]:
        start = time.process_time()
        with atomic_file(path) as handle:
            yield handle
        seconds[path.name] = time.process_time() - start
    return timed


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        tree, build, out, parts = sys.argv[2:6]
        child(Path(tree), Path(build), Path(out), parts == "1")
    else:
        sys.exit(main())

"""The resolve stage alone: the CPU time of entity resolution and the provenance records of an archive.

    python benchmarks/resolve_stage.py ARCHIVE [--runs 3] [--workers 1] [--tree PATH ...]

The archive is extracted once (``--workers 1``, with the first tree, not timed) and its results
saved. Each timed run starts from them as a build does after extraction: the results are put
into a results file (``result_file.py``, timed apart as "put"), then ``resolve_table`` and the
records spooled through ``provenance_records`` are timed (``process_time`` of the build process;
with ``--workers 2``, the workers' CPU and the wall time are shown too). Each ``--tree`` (a
folder holding the ``graph`` package; default: this checkout) runs in a fresh process, the trees
alternating, with the cyclic GC paused as in a build; the report gives the minimum per tree and
checks that every tree made the same entities, IRIs, merges, triples and provenance bytes.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import pickle
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

from tree_runs import add_tree_arguments, alternate, trees_of  # benchmarks/tree_runs.py



def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("archive", type=Path)
    parser.add_argument("--workers", type=int, default=1)
    add_tree_arguments(parser, runs=3)
    args = parser.parse_args()
    trees = trees_of(args)
    with tempfile.TemporaryDirectory() as tmp:
        saved = Path(tmp) / "results.pickle"
        _child(trees[0], "extract", str(args.archive.resolve()), str(saved))

        def run(_k: int, tree: Path) -> dict[str, Any]:
            result = _child(tree, "resolve", str(saved), str(args.workers), tmp)
            print(tree, " ".join(f"{k}={v:.3f}" for k, v in result.items() if k != "digest"), flush=True)
            return result

        runs = alternate(trees, args.runs, run)
        for tree, found in runs.items():
            print(f"min of {len(found)}: " + " ".join(f"{k}={min(r[k] for r in found):.3f}"
                                                     for k in found[0] if k != "digest") + f"  {tree}")
        same = len({r["digest"] for found in runs.values() for r in found}) == 1
        print("same outputs in every tree" if same else "THE TREES MADE DIFFERENT OUTPUTS")
        return 0 if same else 1


def _child(tree: Path, *argv: str) -> dict[str, Any]:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    done = subprocess.run([sys.executable, __file__, "--child", *argv], check=True, capture_output=True, text=True,
                          env=env)
    return dict(pickle.loads(bytes.fromhex(done.stdout.split()[-1])))


def _extract(archive: str, saved: str) -> dict[str, Any]:
    from graph.batch import Plan, extract_documents, read_each
    from graph.documents import plan_documents
    from graph.pipeline import load_resources

    rules, lexicon = load_resources()
    plan = plan_documents([Path(archive)])
    expected = Plan.of([p for p in plan if isinstance(p, Path)])
    docs = read_each(plan, [], fail_fast=False, max_bytes=64 << 20, expected=expected)
    results = extract_documents(docs, rules, lexicon, workers=1, plan=expected).results
    Path(saved).write_bytes(pickle.dumps(list(results), protocol=pickle.HIGHEST_PROTOCOL))
    return {}


def _resolve(saved: str, workers: str, tmp: str) -> dict[str, Any]:
    from graph.pipeline import cyclic_gc_paused, load_resources
    from graph.record_file import spooled_records
    from graph.resolution import provenance_records, resolve_table
    from graph.result_file import spooled_results

    try:
        from graph.result_file import PackedResult
        _packed: Callable[[Any], Any] = PackedResult.of
    except ImportError:  # a tree from before the results were handed on packed
        _packed = _as_it_is
    load_resources()  # loaded by extraction before a build resolves
    results = pickle.loads(Path(saved).read_bytes())
    with tempfile.TemporaryDirectory(dir=tmp) as folder, cyclic_gc_paused(), spooled_results(Path(folder)) as spool:
        start = time.process_time()
        for index, result in enumerate(results):
            spool.put(index, _packed(result))
        put = time.process_time() - start
        del results
        cpu, wall, children = time.process_time(), time.perf_counter(), _children_cpu()
        table = resolve_table(spool, int(workers))
        triples: set[Any] = set()
        with spooled_records(provenance_records(table, spool, triples), Path(folder)) as records:
            times = {"put": put, "resolve": time.process_time() - cpu, "workers": _children_cpu() - children,
                     "wall": time.perf_counter() - wall}
            digest = hashlib.sha256(records.path.read_bytes())
        for part in (sorted(table.entities.items()), sorted(table.iris.items()), table.merges, table.place_facts,
                     sorted(triples), sorted(records.by_node.items())):
            digest.update(repr(part).encode())
    return {**times, "digest": digest.hexdigest()}


def _as_it_is(result: Any) -> Any:
    return result


def _children_cpu() -> float:
    t = os.times()
    return t.children_user + t.children_system


if __name__ == "__main__" and sys.argv[1:2] == ["--child"]:
    step, *rest = sys.argv[2:]
    print(pickle.dumps({"extract": _extract, "resolve": _resolve}[step](*rest)).hex())
elif __name__ == "__main__":
    sys.exit(main())

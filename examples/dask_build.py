"""redchain on Dask: extraction over sharded input, per-shard N-Triples for a bulk loader.

    pip install -e '.[distributed]'
    python examples/dask_build.py --input seeds --output /tmp/sharded --shards 4
    python examples/dask_build.py --input /data/archive --output /data/nt --scheduler tcp://head:8786

Without ``--scheduler`` it starts a LocalCluster of ``--workers`` processes on this machine.
Three steps, as a build does them, with the parts that need no global state spread out:

1. extraction (distributed, ~70 % of a build): each shard of files is read, segmented
   and run through the rules on a worker; workers load the rules and gazetteers once.
2. entity resolution (one process): the same company named in two shards must get one
   IRI, so the mentions and facts of every shard come back to the client, which resolves
   them as ``redchain build`` does (entities.py) and writes ``entities.nt``: every entity's
   type, labels, and the place hierarchy, plus the ontology terms used.
3. per-shard N-Triples (distributed): the entity table goes to the workers once; each
   writes ``shard-NNNN.nt`` with the facts its documents state and ``shard-NNNN.jsonl``
   with their provenance.

``entities.nt`` plus every ``shard-*.nt`` is exactly the graph ``redchain build`` makes
of the same files (tests/test_distributed.py checks it). Load them in bulk, for example:

    oxigraph load --location store/ --file entities.nt shard-*.nt        # Oxigraph server
    tdb2.tdbloader --loc tdb2/ entities.nt shard-*.nt                    # Jena TDB2
    # QLever (qlever-control, in a folder with a Qleverfile):
    qlever index --format nt --input-files 'entities.nt shard-*.nt' --cat-input-files 'cat entities.nt shard-*.nt'
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from graph.documents import SUFFIXES, read_document
from graph.export import provenance_text, write_atomic
from graph.model import Diagnostic
from graph.pipeline import DocumentResult, extract_document, load_resources
from graph.rdf import graph_lines
from graph.resolution import fact_records, resolve_results
from graph.validation import load_ontology


def files_of(folder: Path) -> list[str]:
    """The files ``redchain build`` reads, in its order (by relative path)."""
    found = [p for p in folder.rglob("*") if p.name.lower().endswith(SUFFIXES) and p.is_file()]
    return [str(p) for p in sorted(found, key=lambda p: p.relative_to(folder).as_posix())]


def shards_of(files: list[str], count: int) -> list[list[str]]:
    """Files by a hash of their path: the same file lands in the same shard on every run."""
    shards: list[list[str]] = [[] for _ in range(count)]
    for path in files:
        shards[int(hashlib.sha1(path.encode("utf-8")).hexdigest(), 16) % count].append(path)
    return shards


@functools.cache
def _resources() -> Any:
    return load_resources()  # once per worker process


def extract_shard(paths: list[str]) -> tuple[list[tuple[str, DocumentResult]], list[Diagnostic]]:
    """Step 1, on a worker: the shard's documents through segmentation, mentions and relations."""
    rules, lexicon = _resources()
    results, problems = [], []
    for path in paths:
        item = read_document(Path(path))
        if isinstance(item, Diagnostic):
            problems.append(item)
        else:
            results.append((path, extract_document(item, rules, lexicon).for_build()))
    return results, problems


def write_shard(table: Any, results: list[DocumentResult], output: str, index: int) -> int:
    """Step 3, on a worker: the shard's facts (no entity declarations) as N-Triples, and their provenance."""
    triples, records = fact_records(table, results)
    lines = sorted(set(graph_lines(_facts_only(), triples)))
    write_atomic(Path(output) / f"shard-{index:04d}.nt", "".join(lines))
    write_atomic(Path(output) / f"shard-{index:04d}.jsonl", provenance_text(records))
    return len(lines)


def _facts_only() -> Any:
    """An entity table with no entities: graph_lines then gives only the fact triples."""
    return SimpleNamespace(entities={}, place_facts=[])


def run(client: Any, folder: Path, output: Path, shard_count: int) -> dict[str, int]:
    files = files_of(folder)
    extracted = client.gather(client.map(extract_shard, shards_of(files, shard_count), pure=False))
    for _, problems in extracted:
        for problem in problems:
            print(f"{problem.path}: {problem.code} {problem.message}", file=sys.stderr)
    # Step 2, here: resolution needs every shard's mentions, in the order a build reads the files.
    position = {path: i for i, path in enumerate(files)}
    results = [r for _, r in sorted((pair for shard, _ in extracted for pair in shard), key=lambda p: position[p[0]])]
    table, triples, _records = resolve_results(results)
    # Entity declarations, labels, places and the ontology terms the facts use: the whole
    # graph less the fact triples, which the shards write.
    entities = sorted(set(graph_lines(table, triples, load_ontology())) - set(graph_lines(_facts_only(), triples)))
    write_atomic(output / "entities.nt", "".join(entities))
    shared = client.scatter(table, broadcast=True)
    counts = client.gather([client.submit(write_shard, shared, [r for _, r in shard], str(output), i, pure=False)
                            for i, (shard, _) in enumerate(extracted)])
    return {"documents": len(results), "entity_triples": len(entities), "fact_triples": sum(counts)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--input", type=Path, default=Path("seeds"))
    parser.add_argument("--output", type=Path, required=True)
    parser.add_argument("--shards", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2, help="LocalCluster processes (without --scheduler)")
    parser.add_argument("--scheduler", help="address of a running Dask scheduler (tcp://host:8786)")
    args = parser.parse_args(argv)
    from dask.distributed import Client, LocalCluster

    args.output.mkdir(parents=True, exist_ok=True)
    if args.scheduler:
        with Client(args.scheduler) as client:
            summary = run(client, args.input, args.output, args.shards)
    else:
        with LocalCluster(n_workers=args.workers, threads_per_worker=1, dashboard_address=None) as cluster, \
                Client(cluster) as client:
            summary = run(client, args.input, args.output, args.shards)
    print(", ".join(f"{k.replace('_', ' ')}: {v}" for k, v in summary.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""examples/dask_build.py: extraction on a Dask LocalCluster gives the graph a build gives."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys

from rdflib import Graph

from .conftest import ROOT


def _example():
    spec = importlib.util.spec_from_file_location("dask_build", ROOT / "examples" / "dask_build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_sharded_ntriples_equal_the_build(seed_build, tmp_path):
    """Run as users do (a script: Dask ships its functions to the worker processes by value)."""
    out = tmp_path / "sharded"
    done = subprocess.run([sys.executable, str(ROOT / "examples" / "dask_build.py"), "--input", str(ROOT / "seeds"),
                           "--output", str(out), "--shards", "3", "--workers", "2"],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "documents: 5" in done.stdout
    shards = sorted(out.glob("shard-*.nt"))
    assert len(shards) == 3
    union = Graph()
    for part in [out / "entities.nt", *shards]:
        union.parse(part, format="nt")
    built = Graph().parse(seed_build[0] / "graph.nt", format="nt")
    assert set(union) == set(built)
    records = [json.loads(line) for shard in sorted(out.glob("shard-*.jsonl")) for line in shard.read_text().splitlines()]
    built_records = [json.loads(line) for line in (seed_build[0] / "provenance.jsonl").read_text().splitlines()]
    assert sorted(map(json.dumps, records)) == sorted(map(json.dumps, built_records))


def test_shards_are_stable_and_cover_every_file():
    example = _example()
    files = example.files_of(ROOT / "seeds")
    assert [f.rsplit("/", 1)[-1] for f in files] == sorted(f.rsplit("/", 1)[-1] for f in files)
    shards = example.shards_of(files, 4)
    assert sorted(f for shard in shards for f in shard) == sorted(files)
    assert example.shards_of(files, 4) == shards

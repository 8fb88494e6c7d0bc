"""Huge inputs: one 20 MB document, a 5 MB line, a 5 MB line without punctuation, an 80 MB file.

    python benchmarks/limits.py [--out report.md] [--skip-big]

Each input is made from the synthetic archive of ``generate.py`` (10 MB, seed 0) and
built alone with ``python -m graph build --no-cache --workers 1`` in a fresh process;
the report gives wall seconds, MB/s, the build's peak RSS (``/usr/bin/time``-style, read
from ``RUSAGE_CHILDREN`` of a one-child driver), the exit status and the triples written.

- ``document-20mb``: archive articles concatenated into one file (lines as written);
- ``line-5mb``: the same text with every line break removed: one line, sentences end with 。;
- ``runon-5mb``: only the Han characters of that text: no punctuation, no space, no break —
  the sentence splitter cuts it into pieces of at most ``MAX_SENTENCE`` characters;
- ``file-80mb``: over the 64 MiB limit: refused with D006, the build exits 1 (``--skip-big``
  leaves it out).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [str(HERE), str(ROOT)]

import run  # noqa: E402  (benchmarks/run.py: the archive)

MB = 1_000_000
DRIVER = """
import resource, subprocess, sys, time
start = time.perf_counter()
code = subprocess.call(sys.argv[1:])
print(code, time.perf_counter() - start, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024)
"""


def archive_text(limit: int) -> str:
    parts, size = [], 0
    folder = run.archive(10, 0)
    while size < limit:
        for path in sorted(folder.glob("doc-*.txt")):
            text = path.read_text(encoding="utf-8")
            parts.append(text)
            size += len(text.encode("utf-8"))
            if size >= limit:
                break
    return "".join(parts)


def inputs(skip_big: bool) -> dict[str, str]:
    text = archive_text(20 * MB)
    cases = {"document-20mb": text, "line-5mb": _clip(text.replace("\n", ""), 5 * MB),
             "runon-5mb": _clip("".join(re.findall(r"[\u4e00-\u9fff]+", text)), 5 * MB)}
    if not skip_big:
        cases["file-80mb"] = text * 4
    return cases


def _clip(text: str, size: int) -> str:
    return text.encode("utf-8")[:size].decode("utf-8", "ignore")


def measure(name: str, text: str) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as tmp:
        folder, out = Path(tmp) / "in", Path(tmp) / "out"
        folder.mkdir()
        (folder / f"{name}.txt").write_text(text, encoding="utf-8")
        command = [sys.executable, "-m", "graph", "build", "--input", str(folder), "--output", str(out),
                   "--no-cache", "--workers", "1", "-q"]
        done = subprocess.run([sys.executable, "-c", DRIVER, *command], cwd=ROOT, capture_output=True, text=True)
        code, seconds, rss = done.stdout.split()
        triples = sum(1 for _ in (out / "graph.nt").open(encoding="utf-8")) if (out / "graph.nt").exists() else 0
        size = len(text.encode("utf-8"))
        return {"input": name, "mb": size / MB, "seconds": float(seconds), "mb_s": size / MB / float(seconds),
                "rss_mb": int(rss) / MB, "exit": int(code), "triples": triples, "stderr": done.stderr.strip()[-300:]}


def report(rows: list[dict[str, object]]) -> str:
    lines = [f"Load average before: {os.getloadavg()[0]:.1f}. Builds with `--workers 1 --no-cache`, one at a time.", "",
             "| input | MB | seconds | MB/s | peak RSS MB | exit | triples |", "|---|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        lines.append(f"| {r['input']} | {r['mb']:.1f} | {r['seconds']:.1f} | {r['mb_s']:.2f} | {r['rss_mb']:,.0f} "
                     f"| {r['exit']} | {r['triples']:,} |")
    refused = [r for r in rows if r["exit"] != 0]
    for r in refused:
        lines.append(f"\n{r['input']}: {r['stderr']}")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--skip-big", action="store_true", help="leave out the 80 MB file")
    args = parser.parse_args(argv)
    rows = []
    for name, text in inputs(args.skip_big).items():
        rows.append(measure(name, text))
        print(f"{name}: {rows[-1]['seconds']:.1f} s, {rows[-1]['rss_mb']:,.0f} MB, exit {rows[-1]['exit']}",
              file=sys.stderr)
    text = report(rows)
    print(text)
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())

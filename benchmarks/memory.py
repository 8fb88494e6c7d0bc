"""Peak memory of whole builds, stage by stage, for archives of growing size.

    python benchmarks/memory.py --size-mb 10 --size-mb 30 --size-mb 100 [--workers 2]

For each size: the archive (``run.py``'s, generated if missing), then one ``redchain build
--no-cache`` in a fresh Python process, whose progress callback reads the process's resident
memory (``VmRSS``) and its peak so far (``VmHWM``) as each stage begins. The report gives the
main process's peak before each stage and at the end, the largest child's peak (the extraction
workers, validation and the exports run in forked children with ``--workers`` > 1), the
entities and triples, and how the peak grows with the size: the exponent k of peak ∝ size^k
between each size and the one before (k < 1: it grows more slowly than the archive).
No figure is asserted anywhere.
"""

from __future__ import annotations

import argparse
import json
import math
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Sequence

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent)]

import run  # noqa: E402  (benchmarks/run.py: the archives)

STAGES = ("resolve", "rdf", "validate", "export", "view")


def measure(folder: Path, workers: int) -> dict[str, Any]:
    """One build of ``folder`` in this process: MB of peak RSS as each stage begins, and at the end."""
    from graph.pipeline import build
    from graph.progress import Step

    peaks: dict[str, int] = {}

    def tell(step: Step) -> None:
        if step.stage not in peaks:
            peaks[step.stage] = _status()["VmHWM"]

    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as out:
        report = build([folder], out, workers=workers, cache=None, progress=tell)
    return {"seconds": time.perf_counter() - start, "before": peaks, "peak": _status()["VmHWM"],
            "children": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024,
            "bytes": sum(p.stat().st_size for p in folder.rglob("*.txt")), "entities": report.entities,
            "triples": report.triples}


def _status() -> dict[str, int]:
    """VmRSS and VmHWM of this process, in MB (Linux)."""
    found = {}
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                found[key] = int(value.split()[0]) // 1024
    return found


def report(rows: list[dict[str, Any]], workers: int) -> str:
    head = ["archive MB", "entities", "triples", "seconds", *(f"before {s}" for s in STAGES), "peak (main)",
            "largest child", "k (main)"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---:|" * len(head)]
    for i, row in enumerate(rows):
        growth = "–"
        if i:
            prev = rows[i - 1]
            growth = f"{math.log(row['peak'] / prev['peak']) / math.log(row['bytes'] / prev['bytes']):.2f}"
        cells = [f"{row['bytes'] / 1e6:.0f}", f"{row['entities']:,}", f"{row['triples']:,}", f"{row['seconds']:.0f}",
                 *(f"{row['before'].get(s, 0):,}" for s in STAGES), f"{row['peak']:,}", f"{row['children']:,}", growth]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + f"\n\n(MB of resident memory; `--workers {workers}`, `--no-cache`)\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size-mb", type=float, action="append", required=True)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(measure(Path(args.child), args.workers)))
        return 0
    rows = []
    for size in sorted(args.size_mb):
        folder = run.archive(size, args.seed)
        done = subprocess.run([sys.executable, __file__, "--size-mb", str(size), "--workers", str(args.workers),
                               "--child", str(folder)], check=True, capture_output=True, text=True)
        rows.append(json.loads(done.stdout.splitlines()[-1]))
        print(f"{size:g} MB: peak {rows[-1]['peak']} MB", file=sys.stderr, flush=True)
    print(report(rows, args.workers))
    return 0


if __name__ == "__main__":
    sys.exit(main())

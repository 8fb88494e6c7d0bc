"""Peak memory of whole builds, stage by stage, for archives of growing size.

    python benchmarks/memory.py --size-mb 10 --size-mb 30 --size-mb 100 [--workers 2]

For each size: the archive (``run.py``'s, generated if missing), then one ``redchain build
--no-cache`` in a fresh Python process, whose progress callback reads the process's resident
memory (``VmRSS``) and its peak so far (``VmHWM``) as each stage begins. The report gives the
main process's peak before each stage and at the end, the largest child's peak (the extraction
workers, validation and the exports run in forked children with ``--workers`` > 1), the
peak of the whole build (what the machine must have: the proportional set size, Pss, of the
build's process and all its children, summed, sampled every 0.1 s from outside it; resident
pages that a forked child still shares with its parent count once, where each process's own
peak counts them in both), the entities and triples, and how the peak grows with the size:
the exponent k of peak ∝ size^k between each size and the one before (k < 1: it grows more
slowly than the archive), and the size of the output folder (every export written). No
figure is asserted anywhere.
"""

from __future__ import annotations

import argparse
import json
import math
import os
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
        seconds = time.perf_counter() - start
        written = sum(p.stat().st_size for p in Path(out).rglob("*") if p.is_file())
    return {"seconds": seconds, "before": peaks, "peak": _status()["VmHWM"], "written": written,
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


def tree_pss(root: int) -> int:
    """The summed Pss of process ``root`` and all its descendants, in kB (0 for any that ended meanwhile)."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as stat:
                    parents[int(entry)] = int(stat.read().rpartition(")")[2].split()[1])
            except OSError:
                continue
    tree, grew = {root}, True
    while grew:
        more = {pid for pid, parent in parents.items() if parent in tree} - tree
        tree |= more
        grew = bool(more)
    total = 0
    for pid in tree:
        try:
            with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as rollup:
                total += next((int(line.split()[1]) for line in rollup if line.startswith("Pss:")), 0)
        except OSError:
            continue
    return total


def run_sampled(argv: list[str], every: float = 0.1) -> tuple[str, int]:
    """Run ``argv`` and sample its process tree's Pss until it ends: its standard output, and the peak in MB."""
    peak = 0
    with subprocess.Popen(argv, stdout=subprocess.PIPE, text=True) as child:
        while child.poll() is None:
            peak = max(peak, tree_pss(child.pid))
            time.sleep(every)
        out = child.stdout.read() if child.stdout is not None else ""
    if child.returncode:
        raise subprocess.CalledProcessError(child.returncode, argv)
    return out, peak // 1024


def report(rows: list[dict[str, Any]], workers: int) -> str:
    head = ["archive MB", "entities", "triples", "seconds", *(f"before {s}" for s in STAGES), "peak (main)",
            "largest child", "whole build (Pss)", "k (main)", "k (whole)",
            "output MB"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---:|" * len(head)]
    for i, row in enumerate(rows):
        growth = whole = "–"
        if i:
            prev = rows[i - 1]
            scale = math.log(row['bytes'] / prev['bytes'])
            growth = f"{math.log(row['peak'] / prev['peak']) / scale:.2f}"
            whole = f"{math.log(row['whole'] / prev['whole']) / scale:.2f}"
        cells = [f"{row['bytes'] / 1e6:.0f}", f"{row['entities']:,}", f"{row['triples']:,}", f"{row['seconds']:.0f}",
                 *(f"{row['before'].get(s, 0):,}" for s in STAGES), f"{row['peak']:,}", f"{row['children']:,}",
                 f"{row['whole']:,}", growth, whole, f"{row['written'] / 1e6:,.0f}"]
        lines.append("| " + " | ".join(cells) + " |")
    note = ("MB of resident memory, each process's own peak; the whole build: the peak of the summed Pss of its"
            f" processes; `--workers {workers}`, `--no-cache`")
    return "\n".join(lines) + f"\n\n({note})\n"


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
        out, whole = run_sampled([sys.executable, __file__, "--size-mb", str(size), "--workers", str(args.workers),
                                  "--child", str(folder)])
        rows.append({**json.loads(out.splitlines()[-1]), "whole": whole})
        print(f"{size:g} MB: peak {rows[-1]['peak']} MB, whole build {whole} MB", file=sys.stderr, flush=True)
    print(report(rows, args.workers))
    return 0


if __name__ == "__main__":
    sys.exit(main())

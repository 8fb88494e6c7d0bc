"""What the stage scripts share (view_stage.py, exports_stage.py, resolve_stage.py): the source
trees they compare, given as ``--tree`` (default: this checkout), and runs taking turns between
them, so that a drift in the machine's speed falls on every tree alike."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Callable, TypeVar

ROOT = Path(__file__).resolve().parent.parent
T = TypeVar("T")


def add_tree_arguments(parser: argparse.ArgumentParser, *, runs: int) -> None:
    parser.add_argument("--runs", type=int, default=runs)
    parser.add_argument("--tree", type=Path, action="append", help="a folder holding the graph package")


def trees_of(args: argparse.Namespace) -> list[Path]:
    return [tree.resolve() for tree in args.tree or [ROOT]]


def alternate(trees: list[Path], runs: int, run: Callable[[int, Path], T]) -> dict[Path, list[T]]:
    """``run(k, tree)`` for the k-th tree, ``runs`` rounds of every tree in turn; the results by tree."""
    results: dict[Path, list[T]] = {tree: [] for tree in trees}
    for _ in range(runs):
        for k, tree in enumerate(trees):
            results[tree].append(run(k, tree))
    return results

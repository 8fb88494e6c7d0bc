"""Whether a build has anything to do: the manifest of the last build into an output folder.

A build with the cache on ends by writing ``<cache>/builds/<hash of the output folder>.json``:
the key of what it read (each document by its path and a hash of its bytes, in the order
read) with which options and code, the size and modification time of every file it left in
the output folder, and its report. The next build into that folder computes the key again
(which reads every input once) and, when the key is the same and the files are as they were
left, returns that report instead of building again. A build removes the manifest when it
starts, so one that is killed or fails leaves none; ``--no-cache`` and ``--force`` builds
never skip.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import re
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping

from .documents import plan_documents, shown_path
from .export import write_atomic
from .model import Diagnostic
from .resources import PACKAGE

if TYPE_CHECKING:
    from .pipeline import BuildReport

__all__ = ["Manifest"]

_VERSION = 1


class Manifest:
    """The manifest of builds from ``inputs`` with ``options`` into ``output``, kept under ``cache``."""

    def __init__(self, cache: Path, output: Path, inputs: list[str], options: Mapping[str, Any], *,
                 max_bytes: int) -> None:
        self.output = output
        self.path = cache / "builds" / (hashlib.sha256(os.path.abspath(output).encode()).hexdigest()[:16] + ".json")
        self.key = _build_key(inputs, options, max_bytes)

    def last_report(self) -> BuildReport | None:
        """The report of the last build, when it read what this one would and its outputs are as it
        left them; otherwise None."""
        try:
            stored = json.loads(self.path.read_text(encoding="utf-8"))
            fresh = (self.key is not None and stored["key"] == self.key
                     and stored["outputs"] == _output_files(self.output, self.path.parents[1]))
            return _report(stored["report"]) if fresh else None
        except (OSError, ValueError, KeyError, TypeError):  # none, or unreadable: build
            return None

    def forget(self) -> None:
        """Remove the manifest: a build is writing the outputs."""
        try:
            self.path.unlink(missing_ok=True)
        except OSError:
            pass

    def save(self, report: BuildReport) -> None:
        """Record this build: its key, the files it left in the output folder, its report."""
        if self.key is None:
            return
        try:
            record = {"key": self.key, "outputs": _output_files(self.output, self.path.parents[1]),
                      "report": dataclasses.asdict(report)}
            write_atomic(self.path, json.dumps(record, sort_keys=True))  # ASCII: a path may hold a lone surrogate
        except OSError:
            pass  # a cache that cannot be written does not stop the build (cache.py)


def _build_key(inputs: list[str], options: Mapping[str, Any], max_bytes: int) -> str | None:
    """A hash of the documents a build would read, its options and the code; None when a document
    cannot be read (the build then runs, and says why)."""
    digest = hashlib.sha256(json.dumps([_VERSION, code_key(), inputs, options], sort_keys=True).encode())
    for item in plan_documents(inputs):
        if isinstance(item, Diagnostic):
            digest.update(f"{item.code} {item.path}\0".encode("utf-8", "surrogatepass"))
            continue
        try:
            size = item.stat().st_size
            with item.open("rb") as f:  # over the limit the build skips it (D006): its size is enough
                body = hashlib.file_digest(f, "sha256").hexdigest() if size <= max_bytes else f"{size} bytes"
        except OSError:
            return None
        digest.update(f"{shown_path(item)}\0{body}\0".encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


@lru_cache(maxsize=1)
def code_key() -> str:
    """A hash of what the outputs depend on besides the documents and the options: what the
    extraction cache's fingerprint covers (the package's code, rules, gazetteers, ontology), the
    names' (glossary, pypinyin), every data file of the package (the view's scripts…) and the
    versions of the libraries redchain requires (the writers, vis-network)."""
    from .cache import fingerprint, library_version, names_fingerprint

    digest = hashlib.sha256(f"{fingerprint()}\n{names_fingerprint()}\n".encode())
    for path in sorted(p for p in (PACKAGE / "data").rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        digest.update(path.relative_to(PACKAGE).as_posix().encode() + b"\0" + hashlib.sha256(path.read_bytes()).digest())
    try:
        required = metadata.requires("redchain") or []
    except metadata.PackageNotFoundError:  # run from a source tree
        required = []
    for requirement in sorted(r for r in required if "extra ==" not in r):
        name = re.match(r"[A-Za-z0-9_.\-]+", requirement)
        if name:
            digest.update(f"{name.group()} {library_version(name.group())}\n".encode())
    return digest.hexdigest()


def _output_files(output: Path, cache: Path) -> dict[str, list[int]]:
    """Every file under ``output`` but the cache and hidden files (a build's temporaries):
    its path in the folder, its size and its modification time in nanoseconds."""
    files: dict[str, list[int]] = {}
    cache_root = os.path.abspath(cache)
    for folder, dirs, names in os.walk(output):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and os.path.abspath(os.path.join(folder, d)) != cache_root)
        for name in sorted(names):
            if not name.startswith("."):
                path = Path(folder, name)
                info = path.stat()
                files[path.relative_to(output).as_posix()] = [info.st_size, info.st_mtime_ns]
    return files


def _report(stored: dict[str, Any]) -> BuildReport:
    from .pipeline import BuildReport

    diagnostics = tuple(Diagnostic(**d) for d in stored.pop("diagnostics"))
    return dataclasses.replace(BuildReport(**stored, diagnostics=diagnostics), extracted=0, cached=0, up_to_date=True)

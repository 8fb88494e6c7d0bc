"""Extraction of many documents: each read when its turn comes, taken from the cache or
extracted (pipeline.extract_document) in this process or in a pool of worker processes, the
results in the documents' order whatever finishes first, with the progress line told.

A build never holds the archive: a document is read when extraction asks for it, and a pool
has at most ``IN_FLIGHT`` documents per worker waiting ahead of the result being handed on.
Results are handed on packed (result_file.PackedResult), as they are written to the build's
file of results and to the cache: the process that extracts a document pickles its result once.
"""

from __future__ import annotations

import itertools
import os
from collections import deque
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Iterator, Sequence

from .diagnostics import DocumentError
from .documents import MAX_BYTES, plan_documents, read_document, shown_path
from .lexicon import Lexicon
from .model import Diagnostic, Document
from .pipeline import DocumentResult, extract_document, load_resources
from .processes import exit_with_parent
from .progress import ProgressFn, Step
from .result_file import PackedResult
from .rules import RuleSet

if TYPE_CHECKING:
    from .cache import DocumentCache
    from .result_file import ResultFile


def read_all(inputs: Sequence[Path | str], *, fail_fast: bool = False,
             max_bytes: int = MAX_BYTES) -> tuple[list[Document], list[Diagnostic]]:
    """Every readable document, and the diagnostics of the others (DocumentError at the first with fail_fast);
    a file over ``max_bytes`` is refused (D006)."""
    diagnostics: list[Diagnostic] = []
    docs = list(read_each(plan_documents([Path(p) for p in inputs]), diagnostics, fail_fast=fail_fast,
                          max_bytes=max_bytes))
    return docs, diagnostics


def read_each(plan: Sequence[Path | Diagnostic], diagnostics: list[Diagnostic], *, fail_fast: bool,
              max_bytes: int, expected: Plan | None = None) -> Iterator[Document]:
    """Each readable document of ``plan`` (documents.plan_documents), read when extraction asks for
    it; the Diagnostics, the plan's and those of files that cannot be read, are appended to
    ``diagnostics`` in the plan's order (DocumentError at the first error with ``fail_fast``).
    ``expected``: told of each file skipped, for the progress line."""
    for entry in plan:
        item = read_document(entry, max_bytes=max_bytes) if isinstance(entry, Path) else entry
        if isinstance(item, Document):
            yield item
            continue
        diagnostics.append(item)
        if expected is not None and isinstance(entry, Path):
            expected.skip(entry)
        if fail_fast and item.severity == "error":
            raise DocumentError([item])


@dataclass(frozen=True, slots=True)
class Extraction:
    results: list[DocumentResult] | ResultFile  # in document order
    extracted: int
    cached: int
    sentences: int  # sentences read, in all documents


def extract_documents(docs: Iterable[Document], rules: RuleSet, lexicon: Lexicon, *, workers: int = 1,
                      cache: DocumentCache | None = None, progress: ProgressFn | None = None,
                      into: ResultFile | None = None, plan: Plan | None = None) -> Extraction:
    """One result per document, in the order given: from the cache, in this process, or in ``workers``
    processes. ``docs`` is read as the extraction advances (a generator keeps one text at a time
    in memory, and a few per worker). With ``into``, each result is written there as it comes and
    none is kept. ``plan``: the documents and bytes to expect, for ``progress`` (without one,
    ``docs`` are all read first to count them)."""
    if plan is None and progress is not None:
        docs = list(docs)
        plan = Plan(len(docs), {doc.path: _size(doc) for doc in docs})
    kept: list[DocumentResult] = []
    tracker = _Tracker(plan, progress) if plan is not None else None
    counts = {"extracted": 0, "cached": 0, "sentences": 0}
    for i, (doc, packed, cached) in enumerate(_results(docs, rules, lexicon, workers, cache)):
        if into is not None:
            into.put(i, packed)
        else:
            kept.append(packed.unpack())
        counts["cached" if cached else "extracted"] += 1
        counts["sentences"] += packed.sentence_count
        if cache is not None and not cached:
            cache.put(doc, packed)
        if tracker is not None:
            tracker.advance(doc)
    results = into if into is not None else kept
    return Extraction(results, counts["extracted"], counts["cached"], counts["sentences"])


class Plan:
    """What extraction will read: how many documents, each one's size in bytes by path, and how many
    of them, and bytes, were skipped as unreadable so far (the progress line counts them done)."""

    def __init__(self, documents: int, sizes: dict[str, int]) -> None:
        self.documents, self.sizes = documents, sizes
        self.skipped = self.skipped_bytes = 0

    @classmethod
    def of(cls, paths: Sequence[Path]) -> Plan:
        """Sizes on disk, from the listing: known before any file is read."""
        sizes = {}
        for path in paths:
            try:
                sizes[shown_path(path)] = path.stat().st_size
            except OSError:  # reading it will say why
                sizes[shown_path(path)] = 0
        return cls(len(paths), sizes)

    def skip(self, path: Path) -> None:
        self.skipped += 1
        self.skipped_bytes += self.sizes.get(shown_path(path), 0)


class _Tracker:
    """Reports extraction progress as documents and bytes done."""

    def __init__(self, plan: Plan, progress: ProgressFn | None) -> None:
        self.plan, self.progress = plan, progress
        self.bytes_total = sum(plan.sizes.values())
        self.done = self.bytes_done = 0

    def advance(self, doc: Document) -> None:
        if self.progress is None:
            return
        self.done += 1
        self.bytes_done += self.plan.sizes.get(doc.path, 0)
        plan = self.plan
        self.progress(Step("extract", self.done + plan.skipped, plan.documents, self.bytes_done + plan.skipped_bytes,
                           self.bytes_total))


def _size(doc: Document) -> int:
    return len(doc.text.encode("utf-8", "surrogatepass"))


def _results(docs: Iterable[Document], rules: RuleSet, lexicon: Lexicon, workers: int,
             cache: DocumentCache | None) -> Iterator[tuple[Document, PackedResult, bool]]:
    """(document, result, from the cache?) in the order of ``docs``; the cache is asked first."""
    return _extract_many(((doc, cache.get(doc) if cache else None) for doc in docs), rules, lexicon, workers)


IN_FLIGHT = 4  # documents sent to each worker ahead of the one it is on: it never waits, and few texts wait in memory


@dataclass(slots=True)
class _Pending:
    doc: Document
    result: PackedResult | None  # from the cache, or once extracted
    cached: bool
    future: Future[PackedResult] | None = None


def _extract_many(pairs: Iterable[tuple[Document, PackedResult | None]], rules: RuleSet, lexicon: Lexicon,
                  workers: int) -> Iterator[tuple[Document, PackedResult, bool]]:
    """(document, result, from the cache?) for each (document, result known already or None), in
    their order. With ``workers`` > 1 the documents to extract go to a pool of processes, started
    when two of them are waiting (a lone one is extracted here), at most ``IN_FLIGHT`` per worker
    ahead of the one yielded: a few texts wait in memory, not the archive."""
    window: deque[_Pending] = deque()
    ahead = workers * IN_FLIGHT if workers > 1 else 0
    pool: ProcessPoolExecutor | None = None
    try:
        for doc, known in pairs:
            window.append(_Pending(doc, known, known is not None))
            unsent = [p for p in window if p.result is None and p.future is None] if workers > 1 else []
            if pool is None and len(unsent) >= 2:
                pool = ProcessPoolExecutor(max_workers=workers, initializer=_init_worker, initargs=(os.getpid(),))
            if pool is not None:
                for pending in unsent:
                    pending.future = pool.submit(_extract_in_worker, pending.doc)
            while len(window) > ahead:
                yield _finish(window.popleft(), rules, lexicon)
        while window:
            yield _finish(window.popleft(), rules, lexicon)
    finally:  # on an error or interrupt, drop the documents not started yet
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)


def _finish(pending: _Pending, rules: RuleSet, lexicon: Lexicon) -> tuple[Document, PackedResult, bool]:
    if pending.result is None:
        pending.result = (pending.future.result() if pending.future is not None
                          else _extract_packed(pending.doc, rules, lexicon))
    return pending.doc, pending.result, pending.cached


_WORKER_RESOURCES: tuple[RuleSet, Lexicon] | None = None


def _init_worker(parent: int) -> None:
    """Load rules and gazetteers once per worker process."""
    global _WORKER_RESOURCES
    exit_with_parent(parent)
    _WORKER_RESOURCES = load_resources()


def _extract_in_worker(doc: Document) -> PackedResult:
    assert _WORKER_RESOURCES is not None, "worker started without _init_worker"
    return _extract_packed(doc, *_WORKER_RESOURCES)


def _extract_packed(doc: Document, rules: RuleSet, lexicon: Lexicon) -> PackedResult:
    return PackedResult.of(extract_document(doc, rules, lexicon).for_build())

"""Extraction results kept on disk, and read again, one document at a time, on each pass.

A build's extraction results (the mentions, the facts and the sentences they come from:
``pipeline.DocumentResult``) take about six times the size of the text in memory. They are
written, as each document is extracted or read from the cache, to a temporary file in the
output folder, and entity resolution, the triples and the provenance records read them back
in passes. Each document's record is two pickles, its mentions and the rest: the first pass
of resolution reads only the mentions, the later ones only the rest (each about half the
record). What stays in memory is the byte offset of each document's record.

A result travels in that form, ``PackedResult``, from the process that extracts it: from a
worker to the build, and to and from the cache. The build's process, which every result passes
through, writes the bytes as they come and unpickles none of them (unpickling the results of the
10 MB benchmark archive takes ~0.45 s; the passes of resolution read them once each anyway).
"""

from __future__ import annotations

import pickle
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, Iterator

from .export import temporary_path

if TYPE_CHECKING:
    from .model import Mention
    from .pipeline import DocumentResult

__all__ = ["PackedResult", "ResultFile", "spooled_results"]


@dataclass(frozen=True, slots=True)
class PackedResult:
    """A document's extraction result as a ResultFile keeps it, two pickles (its mentions; the rest,
    without them), and what a build reads of it without unpickling: the document's path and
    encoding (to check a cache entry against) and how many sentences it read."""

    path: str
    encoding: str
    sentence_count: int
    mentions: bytes
    rest: bytes

    @classmethod
    def of(cls, result: DocumentResult) -> PackedResult:
        return cls(result.doc.path, result.doc.encoding, result.sentence_count, _dumps(result.mentions),
                   _dumps(replace(result, mentions={})))

    def unpack(self) -> DocumentResult:
        rest: DocumentResult = pickle.loads(self.rest)
        return replace(rest, mentions=pickle.loads(self.mentions))


def _dumps(value: object) -> bytes:
    return pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)


class ResultFile:
    """The results of a build's documents, written with ``put`` in any order and read, by
    iterating, in the order of their index (the document order); each pass reads the file again."""

    __slots__ = ("path", "_out", "_offsets")

    def __init__(self, path: Path, out: BinaryIO) -> None:
        self.path, self._out = Path(path), out
        self._offsets: dict[int, tuple[int, int]] = {}  # document index → byte offsets of its mentions, its rest

    def put(self, index: int, result: PackedResult) -> None:
        """Append the result of the ``index``-th document: its mentions, then the rest."""
        start = self._out.tell()
        self._out.write(result.mentions)
        self._offsets[index] = (start, start + len(result.mentions))
        self._out.write(result.rest)

    def __len__(self) -> int:
        return len(self._offsets)

    def __iter__(self) -> Iterator[DocumentResult]:
        """Each document's whole result."""
        for records in self._records(0):
            mentions: dict[int, list[Mention]] = pickle.load(records)
            rest: DocumentResult = pickle.load(records)
            yield replace(rest, mentions=mentions)

    def mentions(self) -> Iterator[dict[int, list[Mention]]]:
        """Each document's mentions (``DocumentResult.mentions``), without reading the rest."""
        for records in self._records(0):
            mentions: dict[int, list[Mention]] = pickle.load(records)
            yield mentions

    def without_mentions(self) -> Iterator[DocumentResult]:
        """Each document's result with its ``mentions`` left empty, without reading them."""
        for records in self._records(1):
            rest: DocumentResult = pickle.load(records)
            yield rest

    def _records(self, part: int) -> Iterator[BinaryIO]:
        """The file, at the start of each document's mentions (``part`` 0) or rest (1) in turn."""
        self._out.flush()
        with open(self.path, "rb") as records:
            for index in sorted(self._offsets):
                records.seek(self._offsets[index][part])  # within the read buffer when the records are in order
                yield records


@contextmanager
def spooled_results(folder: Path) -> Iterator[ResultFile]:
    """An empty ResultFile in a temporary file in ``folder`` (``.results.<random>.pickle.tmp``, so that
    ``export.remove_stale_temporaries`` removes what a killed build left), removed when the block ends."""
    with temporary_path(folder, ".results.", ".pickle.tmp") as path, open(path, "w+b") as out:
        yield ResultFile(path, out)

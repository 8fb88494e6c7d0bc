"""Extraction results kept on disk, and read again, one document at a time, on each pass.

A build's extraction results (the mentions, the facts and the sentences they come from:
``pipeline.DocumentResult``) take about six times the size of the text in memory. They are
written, as each document is extracted or read from the cache, to a temporary file in the
output folder (one pickle per document, appended), and entity resolution, the triples and
the provenance records read them back in passes. What stays in memory is the byte offset
of each document's record.
"""

from __future__ import annotations

import pickle
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, Iterator

from .export import temporary_path

if TYPE_CHECKING:
    from .pipeline import DocumentResult

__all__ = ["ResultFile", "spooled_results"]


class ResultFile:
    """The results of a build's documents, written with ``put`` in any order and read, by
    iterating, in the order of their index (the document order); each pass reads the file again."""

    __slots__ = ("path", "_out", "_offsets")

    def __init__(self, path: Path, out: BinaryIO) -> None:
        self.path, self._out = Path(path), out
        self._offsets: dict[int, int] = {}  # document index → byte offset of its record

    def put(self, index: int, result: DocumentResult) -> None:
        """Append the result of the ``index``-th document."""
        self._offsets[index] = self._out.tell()
        pickle.dump(result, self._out, protocol=pickle.HIGHEST_PROTOCOL)

    def __len__(self) -> int:
        return len(self._offsets)

    def __iter__(self) -> Iterator[DocumentResult]:
        self._out.flush()
        with open(self.path, "rb") as records:
            for index in sorted(self._offsets):
                records.seek(self._offsets[index])  # within the read buffer when the records are in order
                result: DocumentResult = pickle.load(records)
                yield result


@contextmanager
def spooled_results(folder: Path) -> Iterator[ResultFile]:
    """An empty ResultFile in a temporary file in ``folder`` (``.results.<random>.pickle.tmp``, so that
    ``export.remove_stale_temporaries`` removes what a killed build left), removed when the block ends."""
    with temporary_path(folder, ".results.", ".pickle.tmp") as path, open(path, "w+b") as out:
        yield ResultFile(path, out)

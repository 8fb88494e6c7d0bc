"""Provenance records kept on disk, as the lines of provenance.jsonl, and read again on each pass.

A build makes one record per fact and sentence (~1 KB: the sentence is in it). They are
written once, as they are made, to a temporary file in the output folder; provenance.jsonl
is a copy of that file, and the later stages (the exports, the view, the evidence of the
validation findings) read it back instead of holding every record in memory. What stays in
memory is the byte offset of each record under its subject and object, for the view, which
looks records up by node: 8 bytes an offset in an array per node, not ~40 in a list of ints
(with the nodes' IRIs, 32 MB instead of 41 MB for the 333,011 records of 100 MB of text).
The lines are written and read with orjson (``export.provenance_bytes``; str and int values,
which it reads as the json module does, ~3× faster: the view alone reads ~40,000 records of
a 10 MB archive).
"""

from __future__ import annotations

import shutil
from array import array
from collections import defaultdict
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping

import orjson

from .export import atomic_file, provenance_bytes, temporary_path

__all__ = ["NodeIndex", "RecordFile", "index_record", "new_node_index", "spooled_records"]

NodeIndex = dict[str, "array[int]"]  # node → keys (byte offsets, or list indices) of its records, in order


def new_node_index() -> NodeIndex:
    return defaultdict(_offsets)


def _offsets() -> array[int]:
    return array("q")


class RecordFile:
    """The records of a provenance file (JSON lines), read afresh on each pass; ``by_node``: IRI (or
    literal value) → the byte offsets of the records whose subject or object it is, in file order."""

    __slots__ = ("path", "count", "by_node")

    def __init__(self, path: Path, count: int, by_node: Mapping[str, array[int]]) -> None:
        self.path, self.count, self.by_node = Path(path), count, by_node

    @classmethod
    def index(cls, path: Path) -> RecordFile:
        """An existing provenance file, indexed in one pass (a missing file has no records)."""
        by_node = new_node_index()
        count = 0
        if Path(path).exists():
            with open(path, "rb") as lines:
                for offset, record in _records_at_offsets(lines):
                    index_record(by_node, record, offset)
                    count += 1
        return cls(path, count, dict(by_node))

    def __len__(self) -> int:
        return self.count

    def __iter__(self) -> Iterator[dict[str, Any]]:
        with open(self.path, "rb") as lines:
            for _offset, record in _records_at_offsets(lines):
                yield record

    def copy_to(self, path: Path) -> None:
        """The file as it is (provenance.jsonl), written atomically."""
        with atomic_file(path) as out, open(self.path, "rb") as lines:
            shutil.copyfileobj(lines, out, 1 << 20)

    def at(self, offsets: Iterable[int]) -> Iterator[dict[str, Any]]:
        """The records starting at ``offsets`` (byte offsets from ``by_node``), in that order, read
        one at a time."""
        with open(self.path, "rb") as lines:
            for offset in offsets:
                lines.seek(offset)
                yield orjson.loads(lines.readline())


def _records_at_offsets(lines: Any) -> Iterator[tuple[int, dict[str, Any]]]:
    offset = 0
    for line in lines:  # bytes: "\n" ends a line, and JSON escapes every "\n" inside a string
        if line.strip():
            yield offset, orjson.loads(line)
        offset += len(line)


def index_record(by_node: NodeIndex, record: Mapping[str, Any], key: int) -> None:
    """File ``key`` (an offset, or a list index) under the record's subject and object."""
    s, o = str(record.get("s", "")), str(record.get("o", ""))
    by_node[s].append(key)
    if o != s:
        by_node[o].append(key)


@contextmanager
def spooled_records(records: Iterable[Mapping[str, Any]], folder: Path) -> Iterator[RecordFile]:
    """``records`` written as provenance lines to a temporary file in ``folder`` (removed when the
    block ends) as they come, and indexed by node on the way."""
    with temporary_path(folder, ".provenance.", ".jsonl.tmp") as path:
        by_node = new_node_index()
        count = offset = 0
        with open(path, "wb") as out:
            for record in records:
                data = provenance_bytes(record)
                out.write(data)
                index_record(by_node, record, offset)
                offset += len(data)
                count += 1
        yield RecordFile(path, count, dict(by_node))

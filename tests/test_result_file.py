"""Extraction results on disk (result_file.py): what a build's passes read instead of a list (issue #7)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from graph.model import Document, Mention
from graph.pipeline import DocumentResult
from graph.result_file import PackedResult, spooled_results


def result(path: str, sentences: int) -> DocumentResult:
    mentions = {k: [Mention(f"{path}{k}", "Enterprise", 0, 5, f"{path}{k}", "name:test")] for k in range(sentences)}
    return DocumentResult(Document(path, "", "utf-8"), (), (), mentions, (), sentences)


RESULTS = [result("a.txt", 3), result("b.txt", 0), result("c.txt", 7)]


def test_result_file_reads_in_document_order_on_every_pass(tmp_path: Path) -> None:
    with spooled_results(tmp_path) as results:
        spool = results.path
        assert spool.parent == tmp_path and spool.name.startswith(".") and spool.name.endswith(".tmp")
        for index in (2, 0, 1):  # as a build puts them: those from the cache first, then the extracted
            results.put(index, PackedResult.of(RESULTS[index]))
        assert len(results) == 3
        assert list(results) == RESULTS and list(results) == RESULTS  # a second pass reads the file again
        results.put(3, PackedResult.of(result("d.txt", 1)))  # written after a pass, read in the next
        assert [r.doc.path for r in results] == ["a.txt", "b.txt", "c.txt", "d.txt"]
    assert not spool.exists()


def test_result_file_reads_the_mentions_or_the_rest_alone(tmp_path: Path) -> None:
    with spooled_results(tmp_path) as results:
        for index in (1, 0, 2):
            results.put(index, PackedResult.of(RESULTS[index]))
        assert list(results.mentions()) == [r.mentions for r in RESULTS]
        assert list(results.without_mentions()) == [replace(r, mentions={}) for r in RESULTS]
        assert list(results) == RESULTS  # the two parts together again


def test_result_file_removed_when_the_block_fails(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError), spooled_results(tmp_path) as results:
        results.put(0, PackedResult.of(RESULTS[0]))
        raise RuntimeError("interrupted")
    assert not list(tmp_path.iterdir())


def test_packed_result_says_what_a_build_reads_without_unpickling_it() -> None:
    packed = PackedResult.of(RESULTS[2])
    assert (packed.path, packed.encoding, packed.sentence_count) == ("c.txt", "utf-8", 7)
    assert packed.unpack() == RESULTS[2]
    assert isinstance(packed.mentions, bytes) and isinstance(packed.rest, bytes)

"""Provenance records on disk (record_file.py): what a build's later stages read instead of a list."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from graph.export import provenance_text
from graph.record_file import RecordFile, spooled_records
from graph.validation import Finding, attach_evidence
from graph.view_facts import FactIndex

HOSTILE = 'line\nbreak\u2028sep "quoted" \\ back \U0001F600'


def record(doc: str, sentence: int, s: str, o: str, text: str = "句子。", start: int = 0) -> dict[str, object]:
    return {"doc": doc, "article": 0, "sentence": sentence, "start": start, "end": start + 2, "sentence_start": 0,
            "sentence_end": len(text), "sentence_text": text, "rule": "r.one", "s": s, "p": "urn:p", "p_name": "p",
            "o": o, "s_label": s, "o_label": o, "article_title": "", "detail": ""}


RECORDS = [record("b.txt", 3, "urn:a", "urn:b", HOSTILE), record("a.txt", 1, "urn:b", "urn:c"),
           record("a.txt", 1, "urn:a", "urn:a"), record("a.txt", 0, "urn:c", "值 42", start=1)]


def test_spooled_records_are_the_provenance_lines_and_read_back(tmp_path: Path) -> None:
    with spooled_records(iter(RECORDS), tmp_path) as records:
        spool = records.path
        assert spool.parent == tmp_path and spool.name.startswith(".") and spool.name.endswith(".tmp")
        assert spool.read_text(encoding="utf-8") == provenance_text(RECORDS)
        assert len(records) == 4
        assert list(records) == RECORDS and list(records) == RECORDS  # a second pass reads the file again
        records.copy_to(tmp_path / "provenance.jsonl")
        by_node = {node: list(records.at(offsets)) for node, offsets in records.by_node.items()}
    assert not spool.exists()
    assert (tmp_path / "provenance.jsonl").read_text(encoding="utf-8") == provenance_text(RECORDS)
    assert by_node == {"urn:a": [RECORDS[0], RECORDS[2]], "urn:b": [RECORDS[0], RECORDS[1]],
                       "urn:c": [RECORDS[1], RECORDS[3]], "值 42": [RECORDS[3]]}


def test_an_existing_provenance_file_is_indexed_as_its_spool_was(tmp_path: Path) -> None:
    with spooled_records(RECORDS, tmp_path) as spooled:
        spooled.copy_to(tmp_path / "provenance.jsonl")
        expected = dict(spooled.by_node)
    indexed = RecordFile.index(tmp_path / "provenance.jsonl")
    assert indexed.by_node == expected and len(indexed) == 4 and list(indexed) == RECORDS
    assert len(RecordFile.index(tmp_path / "missing.jsonl")) == 0


def test_the_spool_is_removed_when_the_block_fails(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError), spooled_records(RECORDS, tmp_path):
        raise RuntimeError("later stage failed")
    assert list(tmp_path.iterdir()) == []


def test_fact_index_gives_the_same_records_from_disk_as_from_a_list(tmp_path: Path) -> None:
    with spooled_records(RECORDS, tmp_path) as on_disk:
        for iris in (["urn:a"], ["urn:c", "urn:b"], ["值 42"], ["urn:none"], ["urn:a", "urn:b", "urn:c"]):
            from_list = FactIndex(RECORDS).touching(iris)
            assert FactIndex(on_disk).touching(iris) == from_list
            # document order: file, article, sentence, span
            assert [(r.doc, r.sentence) for r in from_list] == sorted((r.doc, r.sentence) for r in from_list)


@pytest.mark.parametrize("text", [HOSTILE, "".join(map(chr, range(1, 0x20))) + "\x7f", "</script><!--",
                                  "\ufeff\ufffe\uffff 𠀀𪚥", "\\u0041 not an escape", "\u2028\u2029"])
def test_records_read_back_as_the_json_module_reads_them(tmp_path: Path, text: str) -> None:
    rows = [record("a.txt", 0, "urn:a", "urn:b", text, start=1) | {"detail": text, "big": 2**62, "neg": -7}]
    with spooled_records(rows, tmp_path) as on_disk:
        lines = on_disk.path.read_bytes().splitlines(keepends=True)
        by_json = [json.loads(line) for line in lines]  # the oracle: the module that wrote them
        assert by_json == rows
        assert list(on_disk) == by_json and list(on_disk.at([0])) == by_json
        # written as the json module writes it, but for the compact separators
        assert lines == [(json.dumps(row, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n")
                         .encode("utf-8") for row in rows]


class Unreadable:
    def __iter__(self):
        raise AssertionError("records were read although no finding needs them")


def test_attach_evidence_reads_no_record_without_findings() -> None:
    assert attach_evidence([], Unreadable()) == []


def test_attach_evidence_from_records_on_disk(tmp_path: Path) -> None:
    finding = Finding("urn:c", "", "urn:p", "rcsh:Shape", "message", "值 42")
    with spooled_records(RECORDS, tmp_path) as on_disk:
        [found] = attach_evidence([finding], on_disk)
    assert found.evidence is not None
    # the fact that breaks the shape, before the one that names urn:c as object
    assert (found.evidence.document, found.evidence.sentence, found.evidence.text) == ("a.txt", 0, "句子。")

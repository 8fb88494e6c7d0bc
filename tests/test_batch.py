"""batch.py: documents read one at a time as extraction asks for them, a bounded number ahead in a
pool, a lone document to extract done without a pool, and progress that counts skipped files.

The archive is the small generated one of test_parallel.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph import batch
from graph.batch import IN_FLIGHT, extract_documents, read_all
from graph.cache import default_cache_dir
from graph.pipeline import build
from graph.progress import Step

from .test_parallel import archive, copy_archive  # noqa: F401  (archive: a fixture)


def test_batch_build_reads_each_document_when_its_turn_comes(archive, tmp_path, monkeypatch):  # noqa: F811
    """--workers 1: read, extract, read, extract…: one text in memory at a time, not the archive."""
    log: list[str] = []
    read, extract = batch.read_document, batch.extract_document
    monkeypatch.setattr(batch, "read_document", lambda *a, **k: log.append("read") or read(*a, **k))
    monkeypatch.setattr(batch, "extract_document", lambda *a, **k: log.append("extract") or extract(*a, **k))
    report = build([archive], tmp_path, workers=1, cache=None, view=False)
    assert report.documents >= 15
    assert log == ["read", "extract"] * report.documents


def test_batch_pool_reads_a_bounded_number_of_documents_ahead(archive, resources):  # noqa: F811
    docs, _ = read_all([archive])
    pulled = 0

    def source():
        nonlocal pulled
        for doc in docs:
            pulled += 1
            yield doc

    ahead: list[int] = []

    class Into:  # a ResultFile's put: notes how far the reading ran ahead of each result
        def put(self, index, result):
            assert result.path == docs[index].path  # in the documents' order
            ahead.append(pulled - (index + 1))

    rules, lexicon = resources
    extraction = extract_documents(source(), rules, lexicon, workers=2, into=Into())
    assert extraction.extracted == len(ahead) == len(docs)
    assert max(ahead) <= 2 * IN_FLIGHT
    assert ahead[-1] == 0


def test_batch_a_lone_changed_document_is_extracted_without_a_pool(archive, tmp_path, monkeypatch):  # noqa: F811
    inputs = copy_archive(archive, tmp_path / "in")
    cache = default_cache_dir(tmp_path / "out")
    build([inputs], tmp_path / "out", cache=cache, view=False, workers=1)
    changed = sorted(inputs.glob("*.txt"))[0]  # the first: the cached ones after it wait behind it
    changed.write_text(changed.read_text(encoding="utf-8") + "\n江西省九江市成立新材料产业链党委。\n", encoding="utf-8")

    def no_pool(*args, **kwargs):
        raise AssertionError("a pool was started for one document")

    monkeypatch.setattr(batch, "ProcessPoolExecutor", no_pool)
    again = build([inputs], tmp_path / "out", cache=cache, view=False, workers=2)
    assert (again.extracted, again.cached) == (1, again.documents - 1)


def test_batch_progress_counts_skipped_files_and_ends_at_the_totals(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text("江西省九江市成立新材料产业链党委。\n", encoding="utf-8")
    (folder / "b.txt").write_bytes(b"\x00\x01binary\x00")  # D003: skipped
    (folder / "c.txt").write_text("景德镇高新区航空产业链党委覆盖链上企业。\n", encoding="gb18030")
    steps: list[Step] = []
    report = build([folder], tmp_path / "out", workers=1, cache=None, view=False, progress=steps.append)
    assert report.skipped == 1
    extracting = [s for s in steps if s.stage == "extract"]
    sizes = sum(p.stat().st_size for p in folder.iterdir())
    assert [(s.done, s.total) for s in extracting] == [(1, 3), (3, 3)]  # a, then b (skipped) with c
    assert extracting[-1].bytes_done == extracting[-1].bytes_total == sizes


@pytest.mark.parametrize("fail_fast", [False, True])
def test_batch_diagnostics_keep_the_order_of_the_files(tmp_path, fail_fast):
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("a.txt", "c.txt"):
        (folder / name).write_bytes(b"\x00binary")
    (folder / "b.txt").write_text("江西省九江市成立新材料产业链党委。\n", encoding="utf-8")
    if fail_fast:
        with pytest.raises(batch.DocumentError) as raised:
            read_all([folder, tmp_path / "missing"], fail_fast=True)
        assert [d.path for d in raised.value.diagnostics] == [(folder / "a.txt").as_posix()]
        return
    docs, diagnostics = read_all([folder, tmp_path / "missing"])
    assert [Path(d.path).name for d in docs] == ["b.txt"]
    assert [(Path(d.path).name, d.code) for d in diagnostics] == [("a.txt", "D003"), ("c.txt", "D003"),
                                                                  ("missing", "D005")]

"""rdf_text.sorted_unique_lines, an external merge sort, and spooled_ntriples, which sorts the graph's
N-Triples lines with it into a temporary file."""

from __future__ import annotations

import os
import random
from contextlib import closing
from pathlib import Path
from typing import Any, Iterator

import pytest

from rdflib import Literal, URIRef

from graph.rdf_text import nt_line, ntriples_lines, sorted_unique_lines, spooled_ntriples

# a temporary file left for the garbage collector to close would pass the other checks
pytestmark = pytest.mark.filterwarnings("error::ResourceWarning", "error::pytest.PytestUnraisableExceptionWarning")


def _lines(count: int, seed: int = 0) -> list[str]:
    """Lines with many repeats, in random order; some hold characters a text reader could take for line ends."""
    rng = random.Random(seed)
    words = ["<http://x/a>", "<http://x/b>", '"甲乙"@zh', '"a\\nb"', "\r", "\x85", "\u2028", "\x0c", "é", ""]
    return [" ".join(rng.choices(words, k=3)) + f" {rng.randrange(count // 3)} .\n" for _ in range(count)]


def _open_files() -> int:
    return len(os.listdir("/proc/self/fd"))


@pytest.mark.parametrize("max_lines,fan_in", [(1, 2), (3, 2), (3, 64), (7, 3), (10_000, 64)])
def test_rdf_text_sorted_unique_lines_equals_sorted_set(tmp_path: Path, max_lines: int, fan_in: int) -> None:
    lines = _lines(500)
    assert len(set(lines)) < len(lines)  # repeats, most of them in different buffers
    found = list(sorted_unique_lines(lines, max_lines=max_lines, tmpdir=tmp_path, fan_in=fan_in))
    assert found == sorted(set(lines))
    assert list(tmp_path.iterdir()) == []


def test_rdf_text_sorted_unique_lines_of_nothing(tmp_path: Path) -> None:
    assert list(sorted_unique_lines([], max_lines=3, tmpdir=tmp_path)) == []


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="counts open files in /proc")
def test_rdf_text_sorted_unique_lines_spills_to_files_and_closes_them(tmp_path: Path) -> None:
    before = _open_files()
    merged = sorted_unique_lines(_lines(300), max_lines=3, tmpdir=tmp_path, fan_in=4)
    first = next(merged)  # every run is spilled by now
    assert _open_files() > before
    assert list(tmp_path.iterdir()) == []  # the files have no name
    assert first + "".join(merged) == "".join(sorted(set(_lines(300))))
    assert _open_files() == before


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="counts open files in /proc")
def test_rdf_text_sorted_unique_lines_closes_files_when_the_consumer_raises(tmp_path: Path) -> None:
    before = _open_files()
    with pytest.raises(RuntimeError):
        with closing(sorted_unique_lines(_lines(300), max_lines=3, tmpdir=tmp_path)) as merged:
            for count, _ in enumerate(merged):
                if count == 5:
                    raise RuntimeError("consumer failed")
    assert _open_files() == before
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="counts open files in /proc")
def test_rdf_text_sorted_unique_lines_closes_files_when_the_input_raises(tmp_path: Path) -> None:
    def failing() -> Iterator[str]:
        yield from _lines(100)
        raise OSError("input failed")

    before = _open_files()
    with pytest.raises(OSError, match="input failed"):
        list(sorted_unique_lines(failing(), max_lines=3, tmpdir=tmp_path))
    assert _open_files() == before
    assert list(tmp_path.iterdir()) == []


def test_rdf_text_sorted_unique_lines_rejects_an_empty_buffer() -> None:
    with pytest.raises(ValueError):
        list(sorted_unique_lines(["a\n"], max_lines=0))


def _triples() -> set[tuple[URIRef, URIRef, object]]:
    texts = ["甲\u2028乙", "a\rb", "x\x85y", "plain", 'quote " and \\', "页\x0c码"]
    return {(URIRef(f"http://x/{i % 5}"), URIRef("http://x/p"), Literal(text, lang="zh" if i % 2 else None))
            for i, text in enumerate(texts * 3)}


@pytest.mark.parametrize("buffer", [2, 1_000])
def test_spooled_ntriples_reads_back_the_sorted_lines_every_time(tmp_path: Path, buffer: int) -> None:
    triples = _triples()
    unsorted = [nt_line(*t) for t in triples] * 2  # each line twice
    with spooled_ntriples(unsorted, tmp_path, buffer_lines=buffer) as lines:
        assert list(lines) == ntriples_lines(triples)
        assert list(lines) == ntriples_lines(triples)  # a second pass reads the file again
        assert lines.count == len(triples)
        assert len(list(tmp_path.iterdir())) == 1
    assert list(tmp_path.iterdir()) == []


def test_spooled_ntriples_file_is_removed_when_the_block_raises(tmp_path: Path) -> None:
    with pytest.raises(KeyError):
        with spooled_ntriples([nt_line(*t) for t in _triples()], tmp_path, buffer_lines=2):
            raise KeyError("a stage failed")
    assert list(tmp_path.iterdir()) == []


def test_rdf_text_copy_lines_of_a_line_file_are_the_bytes_write_lines_writes(tmp_path: Path) -> None:
    import io

    from graph.rdf_text import LineFile, copy_lines, write_lines

    lines = sorted(set(_lines(3000)))
    (tmp_path / "lines.nt").write_bytes("".join(lines).encode("utf-8"))
    copied, written = io.BytesIO(), io.BytesIO()
    copy_lines(copied, LineFile(tmp_path / "lines.nt"))
    write_lines(written, lines)
    assert copied.getvalue() == written.getvalue()
    listed = io.BytesIO()
    copy_lines(listed, lines)  # not a LineFile: written
    assert listed.getvalue() == written.getvalue()


def test_rdf_text_literal_text_escapes_what_the_table_escapes() -> None:
    """The search that skips translate() finds every character the escape table has, and no other."""
    from graph.rdf_text import _ESCAPES, LiteralText

    for code in [*range(0x100), 0x2028, 0x3000, 0xFEFF, 0x1F600]:
        text = f"甲{chr(code)}乙"
        assert LiteralText(text) == '"' + text.translate(_ESCAPES) + '"', hex(code)


@pytest.mark.parametrize("chunk", [1, 2, 3, 2_000])
def test_rdf_text_write_encoded_writes_every_item_in_order_a_chunk_at_a_time(chunk: int) -> None:
    import io

    from graph.rdf_text import write_encoded

    items = [line.encode("utf-8") for line in _lines(7)]
    writes: list[bytes] = []

    class Recording(io.BytesIO):
        def write(self, data: Any) -> int:
            writes.append(bytes(data))
            return super().write(data)

    out = Recording()
    write_encoded(out, iter(items), chunk=chunk)
    assert out.getvalue() == b"".join(items)
    assert len(writes) == -(-len(items) // chunk)  # one write a chunk

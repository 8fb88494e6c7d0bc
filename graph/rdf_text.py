"""RDF as text: N-Triples and N-Quads lines written here, Turtle and TriG by Oxigraph.

A build makes its graph as N-Triples lines (``rdf.graph_lines``). rdflib's serialisers do not
scale (FIELD-NOTES: Turtle at 10^6 triples takes 46 s in rdflib and ~1 s in Oxigraph, and
grows faster than linearly), and making rdflib terms costs more than the writing. The lines
are sorted into a file (the same graph always gives the same bytes) that every later stage
reads afresh (``LineFile``): Oxigraph parses them back, in that order, to write Turtle, and
TriG from the N-Quads file; the exports and the view read them as Oxigraph triples
(``parse_lines``). Graphs made with rdflib (tests, ``redchain view`` of a Turtle file) become
lines with ``ntriples_lines``.

Oxigraph writes language tags in lower case (``@zh-latn-pinyin``); RDF 1.1 and
SPARQL compare them case-insensitively, and Oxigraph lower-cases them on load anyway.

Lines too many to sort in memory (a large graph's) are sorted by ``sorted_unique_lines``,
an external merge sort over temporary files.
"""

from __future__ import annotations

import heapq
import io
import itertools
import re
import shutil
import tempfile
from contextlib import ExitStack, closing, contextmanager
from pathlib import Path
from typing import IO, Any, BinaryIO, Generator, Iterable, Iterator, Self

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

from .export import temporary_path
from .vocab import prefix_map

Triple = tuple[Node, Node, Node]

# Entity IRIs end in kind/slug (id/org/…); as prefixed names their "/" would need escaping.
_UNPREFIXED = {"id"}
# RDF 1.1 N-Triples, canonical form: ECHAR for these, UCHAR for the other controls.
_ESCAPES = {ord('"'): '\\"', ord("\\"): "\\\\", ord("\n"): "\\n", ord("\r"): "\\r", ord("\t"): "\\t",
            ord("\b"): "\\b", ord("\f"): "\\f"}
_ESCAPES.update({c: f"\\u{c:04X}" for c in [*range(0x20), 0x7F] if c not in _ESCAPES})
# translate() with a dict is slow on Chinese text (~6 µs a sentence); a search finds that most need nothing
_ESCAPED = re.compile(r'[\x00-\x1f"\\\x7f]')  # the keys of _ESCAPES


def nt_term(term: Node) -> str:
    """The N-Triples form of an rdflib term."""
    if type(term) is URIRef:
        return f"<{term}>"
    if isinstance(term, Literal):
        if term.language or term.datatype is None:
            return LiteralText(str(term), term.language)
        return f"{LiteralText(str(term))}^^<{term.datatype}>"
    if isinstance(term, URIRef):  # a subclass
        return f"<{term}>"
    if isinstance(term, BNode):
        return f"_:{term}"
    raise TypeError(f"not an RDF term: {term!r}")


class LiteralText(str):
    """A plain or language-tagged literal already in N-Triples form, made without an rdflib
    Literal (whose construction and hashing dominate when provenance is written as text)."""

    __slots__ = ()

    def __new__(cls, value: str, lang: str | None = None) -> Self:
        text = '"' + (value.translate(_ESCAPES) if _ESCAPED.search(value) else value) + '"'
        return super().__new__(cls, f"{text}@{lang}" if lang else text)


def nt_line(s: Node, p: Node, o: Node) -> str:
    """One N-Triples line. Terms are written each time: looking an rdflib term up in a cache
    (its hash and equality are Python code) costs more than writing it."""
    return f"{nt_term(s)} {nt_term(p)} {nt_term(o)} .\n"


def ntriples_lines(triples: Iterable[Triple]) -> list[str]:
    return sorted({nt_line(s, p, o) for s, p, o in triples})


def _prefixes() -> dict[str, str]:
    return {p: ns for p, ns in sorted(prefix_map().items()) if p not in _UNPREFIXED}


def ntriples_text(g: Iterable[Triple]) -> str:
    return "".join(ntriples_lines(g))


def write_turtle(out: BinaryIO, lines: Iterable[str]) -> None:
    """The graph of the sorted N-Triples ``lines`` as Turtle, streamed by Oxigraph into ``out``:
    neither the N-Triples nor the Turtle is ever whole in memory."""
    triples = ox.parse(io.BufferedReader(_LineReader(lines), 1 << 20), format=ox.RdfFormat.N_TRIPLES)
    ox.serialize(triples, out, ox.RdfFormat.TURTLE, prefixes=_prefixes())


class _LineReader(io.RawIOBase):
    """A binary stream over text lines, encoded a chunk at a time as the reader asks."""

    def __init__(self, lines: Iterable[str], chunk: int = 10_000) -> None:
        super().__init__()
        self.chunks = _encoded_chunks(lines, chunk)
        self.pending = memoryview(b"")

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self.pending:
            data = next(self.chunks, b"")
            if not data:
                return 0
            self.pending = memoryview(data)
        size = min(len(buffer), len(self.pending))
        buffer[:size] = self.pending[:size]
        self.pending = self.pending[size:]  # a view: no copy
        return size


def _encoded_chunks(lines: Iterable[str], chunk: int) -> Iterator[bytes]:
    for data, _ in _counted_chunks(lines, chunk):
        yield data


def _counted_chunks(lines: Iterable[str], chunk: int) -> Iterator[tuple[bytes, int]]:
    """``chunk`` lines at a time, encoded, with how many lines each holds. Each line is encoded
    on its own, then the bytes joined: joining text with Chinese in it makes a wide string (2 bytes
    a character) that encoding must narrow again, ~30 % more time on graph.nq's provenance."""
    source = iter(lines)
    while batch := [line.encode("utf-8") for line in itertools.islice(source, chunk)]:
        yield b"".join(batch), len(batch)


class LineFile:
    """The lines of a UTF-8 text file, read afresh on every pass: lines kept on disk, not in memory.
    ``count``: how many there are, when the writer counted them."""

    __slots__ = ("count", "path")

    def __init__(self, path: Path, count: int | None = None) -> None:
        self.path = Path(path)
        self.count = count

    def __iter__(self) -> Iterator[str]:
        with open(self.path, encoding="utf-8", newline="\n") as lines:  # "\n" only: U+2028 may stand in a literal
            yield from lines


@contextmanager
def spooled_ntriples(lines: Iterable[str], folder: Path, *, buffer_lines: int) -> Iterator[LineFile]:
    """N-Triples ``lines`` sorted and without repeats, in a temporary file in ``folder`` that is
    removed when the block ends; sorted ``buffer_lines`` at a time (``sorted_unique_lines``). A
    build's later stages read the lines from it instead of holding the graph."""
    with temporary_path(folder, ".graph.", ".nt.tmp") as path:
        with open(path, "wb") as out:
            with closing(sorted_unique_lines(lines, max_lines=buffer_lines, tmpdir=folder)) as ordered:
                count = write_lines(out, ordered)
        yield LineFile(path, count)


def write_lines(out: BinaryIO, lines: Iterable[str], chunk: int = 2_000) -> int:
    """``lines`` as UTF-8, ``chunk`` lines at a time (never the whole text in memory twice); returns
    how many lines there were."""
    count = 0
    for data, size in _counted_chunks(lines, chunk):
        out.write(data)
        count += size
    return count


def write_encoded(out: BinaryIO, items: Iterable[bytes], chunk: int = 2_000) -> None:
    """``items`` (encoded lines), joined ``chunk`` at a time: one write a chunk. Written one by one
    through a file's 8 KB buffer they made a system call every few lines (~1 KB each), as costly
    on graph.nq as making them as bytes saved."""
    source = iter(items)
    while batch := list(itertools.islice(source, chunk)):
        out.write(b"".join(batch))


def parse_lines(lines: Iterable[str]) -> Iterator[ox.Quad]:
    """The triples of N-Triples ``lines`` (a ``LineFile`` is parsed from its file) as Oxigraph reads
    them, quads of the default graph (``for s, p, o, _ in …``): ~1 µs a triple, where one rdflib
    term costs ~2 µs to make. Parsed leniently (IRIs not checked again): they are a graph's lines,
    which graph.ttl's strict parse checks in a build."""
    if isinstance(lines, LineFile):
        return ox.parse(path=lines.path, format=ox.RdfFormat.N_TRIPLES, lenient=True)
    return ox.parse(io.BufferedReader(_LineReader(lines), 1 << 20), format=ox.RdfFormat.N_TRIPLES, lenient=True)


def file_lines(path: Path) -> list[str]:
    """The triples of an RDF file as sorted N-Triples lines, read by Oxigraph in the format its
    suffix names (Turtle, N-Triples, TriG, N-Quads, JSON-LD, RDF/XML; another suffix: Turtle; a
    dataset's graphs merged): ~0.2 s for the 10 MB archive's graph.ttl, where rdflib takes ~10 s.
    Raises SyntaxError for a file that does not parse."""
    path = Path(path)
    fmt = ox.RdfFormat.from_extension(path.suffix.lstrip(".").lower()) or ox.RdfFormat.TURTLE
    quads = ox.parse(path=path, format=fmt)
    data = ox.serialize((quad.triple for quad in quads), format=ox.RdfFormat.N_TRIPLES) or b""
    # split at "\n" only, not splitlines(): U+2028 may stand in a literal
    return sorted({line + "\n" for line in data.decode("utf-8").split("\n")[:-1]})


def copy_lines(out: BinaryIO, lines: Iterable[str]) -> None:
    """``lines`` as UTF-8, as ``write_lines`` writes them; a ``LineFile``'s bytes are copied as they
    are, not decoded and encoded again."""
    if isinstance(lines, LineFile):
        with open(lines.path, "rb") as source:
            shutil.copyfileobj(source, out, 1 << 20)
    else:
        write_lines(out, lines)


SORT_FAN_IN = 64  # sorted runs merged at once: the open files stay far below the usual limit of 1024


def sorted_unique_lines(lines: Iterable[str], *, max_lines: int, tmpdir: Path | str | None = None,
                        fan_in: int = SORT_FAN_IN) -> Generator[str, None, None]:
    """``sorted(set(lines))``, holding at most ``max_lines`` of them in memory at once.

    An external merge sort: each full buffer is sorted and written ("spilled") to an anonymous
    temporary file in ``tmpdir`` (None: the system's), and the files are merged at the end,
    duplicates dropped. Input that fits in one buffer touches no file. Every ``fan_in`` files
    of a level are merged into one of the next level, so few files are open whatever the size.
    The files never have a name in POSIX systems and are closed, so deleted, when the iterator
    is exhausted or closed (use ``contextlib.closing`` to close it at once if the consumer
    stops early). Each line must end in "\n" and hold no other "\n"."""
    if max_lines < 1 or fan_in < 2:
        raise ValueError(f"max_lines must be ≥ 1 and fan_in ≥ 2, not {max_lines} and {fan_in}")
    with ExitStack() as files:
        levels: list[list[IO[str]]] = []  # levels[k]: sorted runs, each merged from fan_in ** k buffers
        buffer: set[str] = set()
        for line in lines:
            buffer.add(line)
            if len(buffer) >= max_lines:
                _add_run(levels, _spill(sorted(buffer), tmpdir, files), tmpdir, files, fan_in)
                buffer.clear()
        last = sorted(buffer)
        del buffer
        runs = [run for level in levels for run in level]
        yield from _unique(heapq.merge(last, *runs)) if runs else last


def _spill(ordered: Iterable[str], tmpdir: Path | str | None, files: ExitStack) -> IO[str]:
    """A temporary file holding ``ordered``, ready to be read from its start."""
    run = files.enter_context(tempfile.TemporaryFile("w+", encoding="utf-8", newline="\n", dir=tmpdir))
    run.writelines(ordered)
    run.seek(0)
    return run


def _add_run(levels: list[list[IO[str]]], run: IO[str], tmpdir: Path | str | None, files: ExitStack,
             fan_in: int) -> None:
    for level in itertools.count():
        if level == len(levels):
            levels.append([])
        levels[level].append(run)
        if len(levels[level]) < fan_in:
            return
        full, levels[level] = levels[level], []
        run = _spill(_unique(heapq.merge(*full)), tmpdir, files)
        for merged in full:
            merged.close()


def _unique(ordered: Iterable[str]) -> Iterator[str]:
    """Sorted lines without repeats."""
    previous = None
    for line in ordered:
        if line != previous:
            yield line
            previous = line


def nquads_to_trig(source: Path, out: BinaryIO, extra_prefixes: dict[str, str] | None = None) -> None:
    """The N-Quads file ``source`` as TriG, streamed through Oxigraph: it writes a graph's and a
    subject's triples together as long as they come together in ``source`` (graph.nq's lines come
    by graph: dataset.write_dataset). Parsed leniently (IRIs not checked again: a third less time):
    graph.nq's lines are the graph's, which graph.ttl's strict parse checks in a build, and
    provenance made of ASCII slugs, hex digests and escaped literals."""
    quads = ox.parse(path=source, format=ox.RdfFormat.N_QUADS, lenient=True)
    ox.serialize(quads, out, ox.RdfFormat.TRIG, prefixes={**_prefixes(), **(extra_prefixes or {})})

"""RDF as text: N-Triples and N-Quads lines written here, Turtle and TriG by Oxigraph.

rdflib stays the in-process graph; its serialisers do not scale (FIELD-NOTES:
Turtle at 10^6 triples takes 46 s in rdflib and ~1 s in Oxigraph, and grows
faster than linearly), and converting every term to an Oxigraph object costs more
than the writing. So each distinct term is written once in N-Triples form, the
lines are sorted (the same graph always gives the same bytes), and Oxigraph parses
them back, in that order, to write Turtle and TriG with prefixes.

Oxigraph writes language tags in lower case (``@zh-latn-pinyin``); RDF 1.1 and
SPARQL compare them case-insensitively, and Oxigraph lower-cases them on load anyway.
"""

from __future__ import annotations

from typing import Any, Iterable, Self

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from .vocab import prefix_map

# Entity IRIs end in kind/slug (id/org/…); as prefixed names their "/" would need escaping.
_UNPREFIXED = {"id"}
# RDF 1.1 N-Triples, canonical form: ECHAR for these, UCHAR for the other controls.
_ESCAPES = {ord('"'): '\\"', ord("\\"): "\\\\", ord("\n"): "\\n", ord("\r"): "\\r", ord("\t"): "\\t",
            ord("\b"): "\\b", ord("\f"): "\\f"}
_ESCAPES.update({c: f"\\u{c:04X}" for c in [*range(0x20), 0x7F] if c not in _ESCAPES})


def nt_term(term: Node) -> str:
    """The N-Triples form of an rdflib term."""
    if isinstance(term, URIRef):
        return f"<{term}>"
    if isinstance(term, Literal):
        if term.language or term.datatype is None:
            return LiteralText(str(term), term.language)
        return f"{LiteralText(str(term))}^^<{term.datatype}>"
    if isinstance(term, BNode):
        return f"_:{term}"
    raise TypeError(f"not an RDF term: {term!r}")


class LiteralText(str):
    """A plain or language-tagged literal already in N-Triples form, made without an rdflib
    Literal (whose construction and hashing dominate when provenance is written as text)."""

    __slots__ = ()

    def __new__(cls, value: str, lang: str | None = None) -> Self:
        text = '"' + value.translate(_ESCAPES) + '"'
        return super().__new__(cls, f"{text}@{lang}" if lang else text)


class TermWriter:
    """N-Triples forms, each distinct term written once."""

    def __init__(self) -> None:
        self.cache: dict[Node, str] = {}

    def __call__(self, term: Node | LiteralText) -> str:
        if isinstance(term, LiteralText):
            return term
        found = self.cache.get(term)
        if found is None:
            found = self.cache[term] = nt_term(term)
        return found

    def line(self, s: Node, p: Node, o: Node | LiteralText) -> str:
        return f"{self(s)} {self(p)} {self(o)} .\n"


def ntriples_lines(triples: Iterable[tuple[Node, Node, Node]]) -> list[str]:
    term = TermWriter()
    return sorted({term.line(s, p, o) for s, p, o in triples})


def _prefixes() -> dict[str, str]:
    return {p: ns for p, ns in sorted(prefix_map().items()) if p not in _UNPREFIXED}


def _convert(lines: list[str], source: Any, target: Any, prefixes: dict[str, str] | None = None) -> str:
    items = ox.parse("".join(lines).encode("utf-8"), format=source)
    data = ox.serialize(items, format=target, prefixes=prefixes)
    assert data is not None  # with no output argument, serialize returns the bytes
    return data.decode("utf-8")


def ntriples_text(g: Graph) -> str:
    return "".join(ntriples_lines(g))


def turtle_text(g: Graph) -> str:
    return _convert(ntriples_lines(g), ox.RdfFormat.N_TRIPLES, ox.RdfFormat.TURTLE, _prefixes())


def nquads_text(lines: list[str]) -> str:
    """``lines``: sorted N-Quads lines, the default graph's first (exports.dataset_lines)."""
    return "".join(lines)


def trig_text(lines: list[str], extra_prefixes: dict[str, str] | None = None) -> str:
    return _convert(lines, ox.RdfFormat.N_QUADS, ox.RdfFormat.TRIG, {**_prefixes(), **(extra_prefixes or {})})

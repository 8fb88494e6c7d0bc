"""RDF as text, written by Oxigraph: Turtle, N-Triples, TriG and N-Quads.

rdflib stays the in-process graph; its serialisers do not scale (FIELD-NOTES:
Turtle at 10^6 triples takes 46 s in rdflib and ~1 s in Oxigraph, and grows
faster than linearly). Triples are converted once and sorted, so the same graph
always gives the same bytes: subjects in IRI order, ``rdf:type`` first, then
predicates and objects in their N-Triples order.

Oxigraph writes language tags in lower case (``@zh-latn-pinyin``); RDF 1.1 and
SPARQL compare them case-insensitively, and Oxigraph lower-cases them on load anyway.
"""

from __future__ import annotations

from typing import Any, Iterable

import pyoxigraph as ox
from rdflib import RDF, BNode, Graph, Literal, URIRef
from rdflib.term import Node

from .vocab import prefix_map

_TYPE = str(RDF.type)
# Entity IRIs end in kind/slug (id/org/…); as prefixed names their "/" would need escaping.
_UNPREFIXED = {"id"}


def oxigraph_term(term: Node) -> Any:
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    raise TypeError(f"not an RDF term: {term!r}")


def _order(triple: Any) -> tuple[str, bool, str, str]:
    return str(triple.subject), triple.predicate.value != _TYPE, str(triple.predicate), str(triple.object)


def sorted_triples(g: Graph) -> list[Any]:
    """The graph's triples as Oxigraph terms, in output order."""
    triples = [ox.Triple(oxigraph_term(s), oxigraph_term(p), oxigraph_term(o)) for s, p, o in g]
    return sorted(triples, key=_order)


def sorted_quads(quads: Iterable[tuple[Node, Node, Node, Node]]) -> list[Any]:
    """(s, p, o, graph name) as Oxigraph quads, grouped by graph, then in triple order."""
    out = [ox.Quad(oxigraph_term(s), oxigraph_term(p), oxigraph_term(o), oxigraph_term(name)) for s, p, o, name in quads]
    return sorted(out, key=lambda q: (str(q.graph_name), *_order(q)))


def _prefixes() -> dict[str, str]:
    return {p: ns for p, ns in sorted(prefix_map().items()) if p not in _UNPREFIXED}


def _write(items: list[Any], format: Any, prefixes: dict[str, str] | None = None) -> str:
    data = ox.serialize(items, format=format, prefixes=prefixes)
    assert data is not None  # with no output argument, serialize returns the bytes
    return data.decode("utf-8")


def turtle_text(g: Graph) -> str:
    return _write(sorted_triples(g), ox.RdfFormat.TURTLE, _prefixes())


def ntriples_text(g: Graph) -> str:
    return _write(sorted_triples(g), ox.RdfFormat.N_TRIPLES)


def trig_text(quads: list[Any]) -> str:
    """``quads`` from ``sorted_quads``."""
    return _write(quads, ox.RdfFormat.TRIG, _prefixes())


def nquads_text(quads: list[Any]) -> str:
    return _write(quads, ox.RdfFormat.N_QUADS)

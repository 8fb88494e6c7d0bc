"""The SPARQL-based shapes of ``shapes.ttl``, evaluated on Oxigraph.

Checks core SHACL cannot state (an exact language tag, disjoint classes, cycles)
are SHACL-SPARQL shapes whose focus nodes come from a SHACL-AF ``sh:SPARQLTarget``
that selects the nodes breaking the rule; their ``sh:sparql`` constraint then
reports path, value and message. pySHACL runs those queries in rdflib's SPARQL
engine: 46 s on a 115,000-triple graph (10 MB of articles), against 0.3 s in
Oxigraph; ``shacl``, the engine of the core shapes, evaluates the disjointness
query once per focus node (a minute for 200 of them). So validation.py runs these
shapes here, with the same results as pySHACL (tests/test_ontology.py compares them).

A shape whose queries follow a property through any number of nodes (``p+`` or ``p*``,
such as the rc:locatedIn cycle check) is graph-wide: ``SparqlShape.follows`` names those
properties, and validation.py runs such a shape on a store of their triples rather than
chunk by chunk (rdfs:subClassOf and rdf:rest do not count: every chunk has the class
axioms). A target of the form ``?this p+ ?this`` selects the nodes on a cycle
(``SparqlShape.cycles``): validation.py runs it on just the triples that may lie on one.
The other shapes must read only the focus node's own triples, the types of nodes and
the class axioms, as those of ``shapes.ttl`` do. A repeated group, ``(p|q)+``, is not
recognised.

Supported, as the shapes use it: ``sh:prefixes`` with ``sh:declare``, one
``sh:SPARQLTarget`` per shape, ``sh:sparql`` constraints whose query is
``SELECT $this …`` with ``$this`` pre-bound (here by a VALUES block at the start of
the WHERE clause), and ``{?var}`` / ``{$this}`` in messages.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable

from rdflib import RDF, RDFS, Graph, URIRef
from rdflib.namespace import SH
from rdflib.term import Node

__all__ = ["SparqlShape", "Violation", "oxigraph_store", "sparql_shapes", "violations"]

_SH_SPARQL_TARGET = SH.SPARQLTarget
_WHERE = re.compile(r"\bWHERE\s*\{", re.IGNORECASE)
_TEMPLATE = re.compile(r"\{[?$](\w+)\}")
_PREFIX = re.compile(r"^\s*PREFIX\s+([\w-]*):\s*<([^<>]*)>", re.IGNORECASE | re.MULTILINE)
_REPEATED = re.compile(r"(?<![\w:])([A-Za-z][\w-]*)?:(\w+)[+*]|<([^<>\s]+)>[+*]")  # rc:locatedIn+, <iri>*
_CLASS_WALKS = frozenset({str(RDFS.subClassOf), str(RDF.rest)})
_CYCLE_TARGET = re.compile(r"SELECT\s+DISTINCT\s+\?this\s+WHERE\s*\{\s*\?this\s+(?:[\w-]*:\w+|<[^<>\s]+>)\+\s+\?this"
                           r"\s*\.?\s*\}", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class SparqlShape:
    shape: URIRef
    target: str  # the target query, with its PREFIX lines
    constraints: tuple[tuple[str, str], ...]  # (query with PREFIX lines, English message)
    message: str  # the shape's own message, for a constraint without one
    follows: frozenset[str] = frozenset()  # IRIs of the properties its queries follow transitively (module doc)
    cycles: bool = False  # whether its target selects the nodes on a cycle of one property: ?this p+ ?this


@dataclass(frozen=True, slots=True)
class Violation:
    shape: URIRef
    focus: str  # IRI
    path: str  # IRI or ""
    value: str  # IRI or lexical form, or ""
    message: str


def sparql_shapes(shapes: Graph) -> list[SparqlShape]:
    """The node shapes whose focus nodes come from a sh:SPARQLTarget, in IRI order."""
    out = []
    for shape in sorted(set(shapes.subjects(SH.target, None)), key=str):
        targets = [t for t in shapes.objects(shape, SH.target) if (t, RDF.type, _SH_SPARQL_TARGET) in shapes]
        if not targets or not isinstance(shape, URIRef):
            continue
        target = targets[0]
        constraints = tuple(
            (_prefixes(shapes, c) + str(shapes.value(c, SH.select)), _english(shapes, c))
            for c in sorted(shapes.objects(shape, SH.sparql), key=lambda c: str(shapes.value(c, SH.select))))
        select = str(shapes.value(target, SH.select))
        query = _prefixes(shapes, target) + select
        follows = frozenset().union(*(_followed(q) for q in [query, *(q for q, _message in constraints)]))
        out.append(SparqlShape(shape, query, constraints, _english(shapes, shape), follows,
                               _CYCLE_TARGET.fullmatch(select.strip()) is not None))
    return out


def _followed(query: str) -> set[str]:
    """The properties ``query`` follows with ``+`` or ``*``, other than the class axioms' walks."""
    prefixes = {m.group(1): m.group(2) for m in _PREFIX.finditer(query)}
    found = {m.group(3) or prefixes.get(m.group(1) or "", "?") + m.group(2) for m in _REPEATED.finditer(query)}
    return found - _CLASS_WALKS


def _prefixes(shapes: Graph, node: Node) -> str:
    lines = []
    for ontology in shapes.objects(node, SH.prefixes):
        for declaration in shapes.objects(ontology, SH.declare):
            prefix, namespace = shapes.value(declaration, SH.prefix), shapes.value(declaration, SH.namespace)
            lines.append(f"PREFIX {prefix}: <{namespace}>\n")
    return "".join(sorted(set(lines)))


def _english(shapes: Graph, node: Node) -> str:
    messages = sorted(shapes.objects(node, SH.message), key=lambda m: (getattr(m, "language", None) != "en", str(m)))
    return str(messages[0]) if messages else ""


def oxigraph_store(ntriples: str) -> Any:
    """An in-memory Oxigraph store holding the triples of N-Triples text in its default graph. Loaded
    leniently (IRIs and language tags not checked: a third less time, 0.09 s of the 10 MB graph's
    validation): the text is a graph's lines, which ``shacl`` parses strictly in the same chunk
    and graph.ttl's writer in a build."""
    import pyoxigraph as ox

    store = ox.Store()  # bulk_load: the same time, a higher peak
    store.load(ntriples.encode("utf-8"), format=ox.RdfFormat.N_TRIPLES, lenient=True)
    return store


def violations(store: Any, shapes: list[SparqlShape], *, owns: Callable[[Any], bool] = lambda focus: True,
               targets: Any = None) -> list[Violation]:
    """One violation per constraint solution for every focus node the targets select and
    ``owns`` keeps (it is given the node as an Oxigraph term). The target queries run on the
    ``targets`` store when one is given, the constraints on ``store``."""
    out = set()
    for shape in shapes:
        for row in (store if targets is None else targets).query(shape.target):
            focus = row["this"]
            if not owns(focus):
                continue
            for query, message in shape.constraints:
                for solution in store.query(_bind_this(query, focus)):
                    out.add(_violation(shape, focus, solution, message or shape.message))
    return sorted(out, key=lambda v: (str(v.shape), v.focus, v.path, v.value, v.message))


def _bind_this(query: str, focus: Any) -> str:
    """Pre-bind $this: a VALUES block opens the WHERE clause, so filters inside see it bound."""
    query = query.replace("$this", "?this")
    match = _WHERE.search(query)
    if match is None:
        raise ValueError(f"a SHACL-SPARQL constraint without WHERE: {query!r}")
    return f"{query[:match.end()]} VALUES ?this {{ {focus} }} {query[match.end():]}"


def _violation(shape: SparqlShape, focus: Any, solution: Any, message: str) -> Violation:
    def value(name: str) -> str | None:
        term = solution[name]  # None when the query does not bind it
        return None if term is None else str(term.value)

    text = _TEMPLATE.sub(lambda m: str(focus.value) if m.group(1) == "this" else value(m.group(1)) or "", message)
    bound = value("value")
    # SHACL 1.0 §5.3.2: on a node shape, an unbound ?value reports the focus node itself
    return Violation(shape.shape, str(focus.value), value("path") or "", str(focus.value) if bound is None else bound,
                     text)

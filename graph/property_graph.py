"""Stage 8: the entities as a property graph, written as GraphML, GEXF and Neo4j CSV (exports.py).

``property_graph(facts, evidence)`` makes the nodes (entities: IRIs under id:, except posts
and place geometries) and edges (the rc: object properties between them); posts become the
``title`` of the affiliatedWith edge, a place's WGS84 point its ``lat`` and ``long``.

GraphML and GEXF are written by networkx's writers (ElementTree, pretty-printed) from
``networkx_graph``'s MultiDiGraph; they hold the graph and its element tree, O(entities +
edges), while they write (the tree is freed before its text is encoded). The Neo4j CSVs
stream, a row at a time. Neo4j CSVs are for ``neo4j-admin database import full --nodes=nodes.csv
--relationships=relationships.csv --multiline-fields=true``; node labels are the class and its
rc: superclasses in PascalCase (``Enterprise;Organization``), relationship types UPPER_SNAKE_CASE.
"""

from __future__ import annotations

import csv
import functools
import importlib
import io
import re
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, BinaryIO, Iterable, Iterator, Mapping, Sequence

from rdflib import RDF, RDFS, Literal, URIRef
from rdflib.term import Node

from .rdf_text import Triple
from .vocab import GEO, ID, RC, WGS84

__all__ = ["PEdge", "PGraph", "PNode", "property_graph", "write_gexf", "write_graphml", "write_neo4j_nodes",
           "write_neo4j_relationships"]

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # OWASP CSV injection list
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass(frozen=True, slots=True)
class PNode:
    iri: str
    label: str
    label_en: str
    cls: str  # the node's own rc: class(es), ";"-joined
    labels: tuple[str, ...]  # own classes, then their rc: superclasses
    lat: float | None = None  # WGS84 degrees (wgs:lat), places with a division code only
    long: float | None = None

    @property
    def point(self) -> tuple[float, float] | None:
        return None if self.lat is None or self.long is None else (self.lat, self.long)


@dataclass(frozen=True, slots=True)
class PEdge:
    source: str
    target: str
    relation: str
    relation_zh: str
    evidence_count: int
    title: str


@dataclass(frozen=True, slots=True)
class PGraph:
    nodes: tuple[PNode, ...]  # by IRI
    edges: tuple[PEdge, ...]  # by source, relation, target


_RC, _ID = str(RC._NS), str(ID)
_TYPE, _LABEL, _SUBCLASS, _LAT, _LONG = RDF.type, RDFS.label, RDFS.subClassOf, WGS84.lat, WGS84.long
_POST, _GEOMETRY, _AFFILIATED, _HOLDER, _POST_IN, _POST_TITLE = (
    RC.Post, GEO.Geometry, RC.affiliatedWith, RC.holder, RC.postIn, RC.postTitle)


class _Index:
    """The graph's triples by subject and predicate and by predicate and object: one pass
    over ``g`` instead of one rdflib lookup per node, label and post."""

    def __init__(self, facts: Iterable[Triple]) -> None:
        self.forward: dict[tuple[Node, Node], list[Node]] = defaultdict(list)
        self.backward: dict[tuple[Node, Node], list[Node]] = defaultdict(list)
        for s, p, o in facts:
            self.forward[(s, p)].append(o)
            if type(o) is URIRef:  # lookups by object are by IRI only; hashing a Literal is slow
                self.backward[(p, o)].append(s)

    def objects(self, subject: Node, predicate: Node) -> list[Node]:
        return self.forward.get((subject, predicate), [])

    def subjects(self, predicate: Node, obj: URIRef) -> list[Node]:
        return self.backward.get((predicate, obj), [])


def property_graph(facts: set[Triple], evidence: Mapping[Triple, int]) -> PGraph:
    """Entities (IRIs under id:, except posts and place geometries) and the rc: object properties
    between them; ``evidence``: the number of evidence nodes of each fact (0 if absent)."""
    index = _Index(facts)
    posts = set(index.subjects(_TYPE, _POST))
    geometries = set(index.subjects(_TYPE, _GEOMETRY))  # a place's point: lat/long on the place node
    iris = {t for s, _, o in facts for t in (s, o) if type(t) is URIRef}
    entities = sorted(t for t in iris if t.startswith(_ID) and t not in posts and t not in geometries)
    nodes = tuple(_pnode(index, iri) for iri in entities)
    members = set(entities)
    edges = [
        PEdge(str(s), str(o), _local(p), _label(index, p, "zh"), evidence.get((s, p, o), 0),
              _post_titles(index, s, p, o))
        for s, p, o in facts  # the cheap tests first: a URIRef's == is Python code
        if type(o) is URIRef and str(p).startswith(_RC) and s in members and o in members
    ]
    return PGraph(nodes, tuple(sorted(edges, key=lambda e: (e.source, e.relation, e.target))))


def _pnode(index: _Index, iri: URIRef) -> PNode:
    types = index.objects(iri, _TYPE)
    own = sorted(_local(c) for c in types if isinstance(c, URIRef) and c.startswith(_RC))
    supers: list[str] = []
    seen: set[URIRef] = {c for c in types if isinstance(c, URIRef)}
    frontier: list[URIRef] = sorted(seen)
    while frontier:  # breadth first, so nearer superclasses come first; a subclass cycle ends
        parents = sorted({p for c in frontier for p in index.objects(c, _SUBCLASS)
                          if isinstance(p, URIRef) and p not in seen and p.startswith(_RC)})
        seen.update(parents)
        supers += [_local(p) for p in parents if _local(p) not in own + supers]
        frontier = parents
    return PNode(str(iri), _label(index, iri, "zh"), _label(index, iri, "en"), ";".join(own), tuple(own + supers),
                 _degrees(index, iri, _LAT), _degrees(index, iri, _LONG))


def _degrees(index: _Index, iri: URIRef, pred: URIRef) -> float | None:
    return min((float(o) for o in index.objects(iri, pred) if isinstance(o, Literal)), default=None)


@functools.lru_cache(maxsize=1024)
def _local(term: Node) -> str:
    return re.split(r"[#/]", str(term))[-1]


def _label(index: _Index, term: Node, lang: str) -> str:
    return min((str(o) for o in index.objects(term, _LABEL) if isinstance(o, Literal) and o.language == lang),
               default="")


def _post_titles(index: _Index, person: Node, pred: Node, org: Node) -> str:
    if pred != _AFFILIATED or not isinstance(person, URIRef) or not isinstance(org, URIRef):
        return ""
    posts = set(index.subjects(_HOLDER, person)) & set(index.subjects(_POST_IN, org))
    return "、".join(sorted({str(t) for post in posts for t in index.objects(post, _POST_TITLE)}))


# ── GraphML and GEXF ─────────────────────────────────────────────────────────────────

def xml_text(text: str) -> str:
    """XML 1.0 cannot carry most C0 controls (a form feed from a page layout): they become U+FFFD."""
    return _XML_ILLEGAL.sub("\ufffd", text)


def _networkx() -> Any:
    """networkx, imported only when an export needs it (it ships no type stubs)."""
    return importlib.import_module("networkx")


def networkx_graph(pgraph: PGraph) -> Any:
    nx = _networkx()
    graph = nx.MultiDiGraph()
    for node in pgraph.nodes:
        point = {"lat": node.lat, "long": node.long} if node.point is not None else {}
        graph.add_node(node.iri, label=xml_text(node.label), label_en=xml_text(node.label_en),
                       **{"class": node.cls}, iri=node.iri, **point)
    for edge in pgraph.edges:
        graph.add_edge(edge.source, edge.target, key=edge.relation, relation=edge.relation,
                       relation_zh=xml_text(edge.relation_zh), evidence_count=edge.evidence_count,
                       title=xml_text(edge.title))
    return graph


def write_graphml(out: BinaryIO, pgraph: PGraph) -> None:
    """networkx's GraphML writer on the stdlib ElementTree, so the bytes do not depend on whether lxml is installed."""
    writer = _networkx().readwrite.graphml.GraphMLWriter(encoding="utf-8", prettyprint=True)
    writer.add_graph_element(networkx_graph(pgraph))
    _write_xml(out, writer)


def write_gexf(out: BinaryIO, pgraph: PGraph) -> None:
    """networkx's GEXF writer; networkx stamps today's date into <meta lastmodifieddate>, which is dropped."""
    writer = _networkx().readwrite.gexf.GEXFWriter(encoding="utf-8", prettyprint=True)
    writer.add_graph(networkx_graph(pgraph))
    for meta in writer.xml.iter("meta"):
        meta.attrib.pop("lastmodifieddate", None)
    _write_xml(out, writer)


def _write_xml(out: BinaryIO, writer: Any) -> None:
    """What ``writer.dump`` would write. ElementTree writing to a binary stream sends ~2 million
    small writes through a TextIOWrapper (~2 s at 10 MB): the text is made in memory instead and
    written in pieces. ElementTree writes a CR in element text raw, and XML parsers turn it into
    LF; the writer's own line ends are LF, so every CR in its output is data: it becomes &#13;."""
    from xml.etree.ElementTree import ElementTree

    root, writer.xml = writer.xml, None  # the tree is freed once it is text
    if writer.prettyprint:
        writer.indent(root)
    buffer = io.StringIO()
    ElementTree(root).write(buffer, encoding="unicode")
    del root
    text = "<?xml version='1.0' encoding='utf-8'?>\n" + buffer.getvalue()
    buffer.close()
    piece = 1 << 20
    for start in range(0, len(text), piece):
        out.write(text[start:start + piece].encode("utf-8", "xmlcharrefreplace").replace(b"\r", b"&#13;"))


# ── Neo4j CSV ────────────────────────────────────────────────────────────────────────

@contextmanager
def _text_output(out: BinaryIO) -> Iterator[io.TextIOWrapper]:
    """``out`` as UTF-8 text; left open (and flushed) for the caller."""
    text = io.TextIOWrapper(out, encoding="utf-8", newline="")
    try:
        yield text
        text.flush()
    finally:
        text.detach()


def neo4j_type(relation: str) -> str:
    """servesChain → SERVES_CHAIN (Cypher style: relationship types in upper snake case)."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", relation).upper()


def safe_cell(text: str) -> str:
    """A cell a spreadsheet would run as a formula gets a leading apostrophe."""
    return "'" + text if text.startswith(_FORMULA_START) else text


def _check_id(iri: str) -> str:
    if iri.startswith(_FORMULA_START):
        raise ValueError(f"node id {iri!r} starts with a formula character")
    return iri


def _write_csv(out: BinaryIO, header: list[str], rows: Iterable[Sequence[object]]) -> None:
    with _text_output(out) as text:
        writer = csv.writer(text, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")  # \r\n: a lone \r gets quoted
        writer.writerow(header)
        writer.writerows(rows)


def write_neo4j_nodes(out: BinaryIO, pgraph: PGraph) -> None:
    rows = ([_check_id(n.iri), safe_cell(n.label), safe_cell(n.label_en), ";".join(n.labels),
             "" if n.lat is None else repr(n.lat), "" if n.long is None else repr(n.long)] for n in pgraph.nodes)
    _write_csv(out, ["iri:ID", "label", "label_en", ":LABEL", "lat:float", "long:float"], rows)


def write_neo4j_relationships(out: BinaryIO, pgraph: PGraph) -> None:
    rows = ([_check_id(e.source), _check_id(e.target), neo4j_type(e.relation), e.evidence_count, safe_cell(e.title)]
            for e in pgraph.edges)
    _write_csv(out, [":START_ID", ":END_ID", ":TYPE", "evidence_count:int", "title"], rows)

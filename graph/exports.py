"""Stage 8: the graph in the formats other tools read.

``write_exports(g, records, folder)`` writes, byte-identically for the same input:

- ``graph.nt``: N-Triples of the facts graph, lines sorted.
- ``graph.nq`` and ``graph.trig``: a dataset (TriG streamed by Oxigraph from the N-Quads file). The default graph holds the facts graph and
  the provenance; each article gets a named graph (``id:article/<doc-slug>-<index>``) with
  the fact triples that article supports. Provenance is plain RDF 1.1 (no RDF-star, no
  reification): the article graph ``prov:wasDerivedFrom`` a document node that carries the
  path as ``dcterms:source``; the article graph carries the article's ``dcterms:title``@zh;
  one evidence node per supporting sentence, rule and fact (``id:evidence/<sha1[:16]>``) is
  a ``prov:Entity`` with ``prov:value`` = the sentence@zh, ``dcterms:description`` = the
  rule id, and ``prov:wasDerivedFrom`` the article graph, which contains the fact.
- ``graph.jsonld``: JSON-LD compacted by rdflib's converter with the context ``JSONLD_CONTEXT``.
- ``graph.graphml`` and ``graph.gexf``: a networkx MultiDiGraph of the entities; posts
  become the ``title`` of the affiliatedWith edge, and a place's WGS84 point its ``lat``
  and ``long`` attributes (its geometry node is not a node here).
- ``neo4j/nodes.csv`` and ``neo4j/relationships.csv`` for ``neo4j-admin database import
  full --nodes=nodes.csv --relationships=relationships.csv --multiline-fields=true``.
  Node labels are the class and its rc: superclasses in PascalCase (``Enterprise;Organization``);
  relationship types follow the Cypher style guide, UPPER_SNAKE_CASE (``SERVES_CHAIN``).

A record whose fact is not in ``g`` is left out of every export (the graph is the truth).
"""

from __future__ import annotations

import csv
import functools
import hashlib
import importlib
import io
import json
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, BinaryIO, Callable, Iterable, Mapping, Sequence

from rdflib import RDF, RDFS, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, ORG, OWL, PROV, SKOS, XSD
from rdflib.term import Node

from . import rdf_text
from .export import atomic_file
from .rdf_text import Triple, nt_term
from .rules import DATA_PROPERTIES
from .vocab import GEO, ID, RC, SCHEMA, WGS84

__all__ = ["JSONLD_CONTEXT", "article_iri", "document_iri", "evidence_iri", "write_exports"]

# Compact JSON-LD context. Prefixes for every namespace the graph uses, ``rcid:`` for the
# redchain entity IRIs, and two language maps: ``"label": {"zh": …, "en": …,
# "zh-Latn-pinyin": …}`` (rdfs:label) and ``"altLabel": {"zh": […]}`` (skos:altLabel).
# A label without a language tag stays under ``rdfs:label`` in expanded form.
JSONLD_CONTEXT: dict[str, Any] = {
    "rc": str(RC._NS), "rcid": str(ID), "rdfs": str(RDFS), "skos": str(SKOS), "xsd": str(XSD),
    "prov": str(PROV), "org": str(ORG), "schema": str(SCHEMA), "dcterms": str(DCTERMS),
    "owl": str(OWL), "foaf": str(FOAF), "geo": str(GEO._NS), "wgs": str(WGS84._NS),
    "label": {"@id": "rdfs:label", "@container": "@language"},
    "altLabel": {"@id": "skos:altLabel", "@container": "@language"},
}
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # OWASP CSV injection list
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def write_exports(g: Iterable[Triple], records: Sequence[Mapping[str, Any]], folder: Path,
                  nt_lines: Sequence[str] | None = None) -> list[Path]:
    """Write every export of the graph ``g`` (its triples: an rdflib Graph or ``rdf.graph_triples``)
    with provenance ``records`` into ``folder``; returns the paths. ``nt_lines``: the graph's
    sorted N-Triples lines, when the caller has them already (``rdf_text.ntriples_lines(g)``)."""
    folder = Path(folder)
    facts = set(g)  # iterating an rdflib graph costs ~5 µs a triple: once is enough
    fact_lines = rdf_text.ntriples_lines(facts) if nt_lines is None else nt_lines
    support = supported_records(records, facts)
    pgraph = property_graph(facts, support)
    writers: dict[str, Callable[[BinaryIO], object]] = {  # made and written one at a time: one text in memory
        "graph.nt": lambda out: rdf_text.write_lines(out, fact_lines),
        "graph.nq": lambda out: rdf_text.write_lines(out, dataset_lines(fact_lines, support)),
        "graph.trig": lambda out: rdf_text.nquads_to_trig(folder / "graph.nq", out, {"dcterms": str(DCTERMS)}),
        "graph.jsonld": lambda out: out.write(jsonld_text(facts).encode("utf-8")),
        "graph.graphml": lambda out: out.write(graphml_bytes(pgraph)),
        "graph.gexf": lambda out: out.write(gexf_bytes(pgraph)),
        "neo4j/nodes.csv": lambda out: out.write(neo4j_nodes_text(pgraph).encode("utf-8")),
        "neo4j/relationships.csv": lambda out: out.write(neo4j_relationships_text(pgraph).encode("utf-8")),
    }
    paths = []
    for name, write in writers.items():  # graph.trig is made from graph.nq, written just before it
        path = folder / name
        with atomic_file(path) as out:
            write(out)
        paths.append(path)
    return paths


# ── IRIs ─────────────────────────────────────────────────────────────────────────────

@functools.lru_cache(maxsize=4096)
def document_slug(doc: str) -> str:
    """ASCII slug of the file stem (pinyin for Chinese) + a hash of the whole path: collision-free."""
    from .labels import pinyin_slug

    stem = PurePosixPath(doc.replace("\\", "/")).stem
    slug = pinyin_slug(stem)
    digest = hashlib.sha1(doc.encode("utf-8")).hexdigest()[:10]
    return f"{slug}-{digest}" if slug else digest


def document_iri(doc: str) -> URIRef:
    return ID[f"document/{document_slug(doc)}"]


def article_iri(doc: str, article: int) -> URIRef:
    return ID[f"article/{document_slug(doc)}-{int(article)}"]


def evidence_iri(record: Mapping[str, Any]) -> URIRef:
    key = [record["doc"], record["sentence"], record["rule"], record["s"], record["p"], record["o"]]
    digest = hashlib.sha1(json.dumps(key, ensure_ascii=False).encode("utf-8")).hexdigest()[:16]
    return ID[f"evidence/{digest}"]


def fact_triple(record: Mapping[str, Any], facts: set[Triple],
                literals: Mapping[tuple[Node, Node], Sequence[Node]]) -> Triple | None:
    """The triple of ``facts`` a record supports. ``literals``: the objects of the data properties
    by (subject, predicate); a data property's record names the literal by its lexical form."""
    subj, pred = URIRef(record["s"]), URIRef(record["p"])
    if record.get("p_name") in DATA_PROPERTIES:
        obj: Node | None = next((o for o in literals.get((subj, pred), ()) if str(o) == str(record["o"])), None)
    else:
        obj = URIRef(record["o"])
    if obj is None:
        return None
    return (subj, pred, obj) if (subj, pred, obj) in facts else None


# ── RDF dataset: N-Triples, TriG, N-Quads ────────────────────────────────────────────

_TYPE = RDF.type
_NT_TYPE, _NT_ENTITY, _NT_DERIVED, _NT_SOURCE, _NT_TITLE, _NT_VALUE, _NT_DESCRIPTION = (
    rdf_text.nt_term(t) for t in (RDF.type, PROV.Entity, PROV.wasDerivedFrom, DCTERMS.source, DCTERMS.title,
                                  PROV.value, DCTERMS.description))
_NT_STATEMENT, _NT_SUBJECT, _NT_PREDICATE, _NT_OBJECT = (
    rdf_text.nt_term(t) for t in (RDF.Statement, RDF.subject, RDF.predicate, RDF.object))


@dataclass(frozen=True, slots=True)
class Support:
    """A provenance record whose fact is in the graph: the fact, and the IRI of its evidence node."""
    record: Mapping[str, Any]
    triple: Triple
    evidence: URIRef


_DATA_PREDICATES = frozenset(RC[name] for name in DATA_PROPERTIES)


def supported_records(records: Iterable[Mapping[str, Any]], facts: set[Triple]) -> list[Support]:
    """The records whose fact is in ``facts``, each with its evidence IRI made once."""
    literals: dict[tuple[Node, Node], list[Node]] = defaultdict(list)
    for s, p, o in facts:
        if p in _DATA_PREDICATES:
            literals[(s, p)].append(o)
    found = []
    for record in records:
        triple = fact_triple(record, facts, literals)
        if triple is not None:
            found.append(Support(record, triple, evidence_iri(record)))
    return found


def dataset_lines(fact_lines: Iterable[str], support: Iterable[Support]) -> list[str]:
    """N-Quads lines, sorted: the facts graph and the provenance in the default graph (first),
    then one named graph per article with the facts it supports. Written straight from the
    records as text: building ~15 rdflib terms a record and hashing them cost more than the rest."""
    default = set(fact_lines)
    named: set[tuple[str, str]] = set()
    for item in support:
        article = nt_term(article_iri(item.record["doc"], item.record["article"]))
        s, p, o = item.triple
        named.add((article, f"{nt_term(s)} {nt_term(p)} {nt_term(o)} {article} .\n"))
        default.update(_provenance_lines(item, article))
    return sorted(default) + [line for _, line in sorted(named)]


def _provenance_lines(item: Support, article: str) -> list[str]:
    """The default-graph lines one record adds: its article graph and document (the same for
    every record of an article; the set drops the repeats), and its evidence node, which
    states the fact as an rdf:Statement."""
    record, (s, p, o), evidence = item.record, item.triple, nt_term(item.evidence)
    doc = nt_term(document_iri(record["doc"]))
    text = rdf_text.LiteralText
    lines = [f"{article} {_NT_TYPE} {_NT_ENTITY} .\n", f"{article} {_NT_DERIVED} {doc} .\n",
             f"{doc} {_NT_TYPE} {_NT_ENTITY} .\n", f"{doc} {_NT_SOURCE} {text(record['doc'])} .\n",
             f"{evidence} {_NT_TYPE} {_NT_ENTITY} .\n",
             f"{evidence} {_NT_VALUE} {text(record['sentence_text'], 'zh')} .\n",
             f"{evidence} {_NT_DERIVED} {article} .\n", f"{evidence} {_NT_DESCRIPTION} {text(record['rule'])} .\n",
             f"{evidence} {_NT_TYPE} {_NT_STATEMENT} .\n", f"{evidence} {_NT_SUBJECT} {nt_term(s)} .\n",
             f"{evidence} {_NT_PREDICATE} {nt_term(p)} .\n", f"{evidence} {_NT_OBJECT} {nt_term(o)} .\n"]
    if record.get("article_title"):
        lines.append(f"{article} {_NT_TITLE} {text(record['article_title'], 'zh')} .\n")
    return lines


# ── JSON-LD ──────────────────────────────────────────────────────────────────────────

def jsonld_text(facts: Iterable[Triple]) -> str:
    """Compact JSON-LD with ``JSONLD_CONTEXT``: the node objects in ``@graph`` sorted by @id, one
    a line (a reader can grep or stream the file by line), every value array sorted (arrays
    outside @list are unordered in JSON-LD, so sorting changes nothing).

    Each triple is compacted by rdflib's own converter (term selection, language maps, CURIEs).
    rdflib's serializer around it looks every subject and object up in the store to find RDF
    lists, ~20 µs a triple; the graph has no lists and no blank nodes, so the triples are grouped
    here and handed to the converter directly."""
    from rdflib.plugins.serializers.jsonld import Converter
    from rdflib.plugins.shared.jsonld.context import Context

    converter = Converter(Context(JSONLD_CONTEXT), use_native_types=False, use_rdf_type=False)
    by_subject: dict[Any, list[tuple[Any, Any]]] = defaultdict(list)  # rdflib's converter is typed for its own terms
    for s, p, o in facts:
        by_subject[s].append((p, o))
    nodes: dict[str, dict[str, Any]] = {}
    for subject, pairs in by_subject.items():
        node = {"@id": converter.context.shrink_iri(subject)}
        for p, o in pairs:
            converter.add_to_node(_NO_LISTS, subject, p, o, node, nodes)
        nodes[node["@id"]] = node
    lines = ["    " + json.dumps(_sorted_json(nodes[key]), ensure_ascii=False, sort_keys=True) for key in sorted(nodes)]
    context = json.dumps(JSONLD_CONTEXT, ensure_ascii=False, indent=2, sort_keys=True).replace("\n", "\n  ")
    return "".join(['{\n  "@context": ', context, ',\n  "@graph": [\n', ",\n".join(lines), "\n  ]\n}\n"])


class _NoLists:
    """What rdflib's JSON-LD converter asks of the graph, for a graph without RDF lists:
    ``value(node, rdf:first)`` is always None."""

    @staticmethod
    def value(*_args: Any, **_kwargs: Any) -> None:
        return None


_NO_LISTS: Any = _NoLists()


def _sorted_json(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _sorted_json(v) for k, v in value.items()}
    if isinstance(value, list):
        items = [_sorted_json(v) for v in value]
        return sorted(items, key=lambda v: (str(v.get("@id", "")) if isinstance(v, dict) else "",
                                            json.dumps(v, ensure_ascii=False, sort_keys=True)))
    return value


# ── Property graph: GraphML, GEXF, Neo4j ─────────────────────────────────────────────

@dataclass(frozen=True, slots=True)
class PNode:
    iri: str
    label: str
    label_en: str
    cls: str  # the node's own rc: class(es), ";"-joined
    labels: tuple[str, ...]  # own classes, then their rc: superclasses
    lat: float | None = None  # WGS84 degrees (wgs:lat), places with a division code only
    long: float | None = None


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
    nodes: tuple[PNode, ...]
    edges: tuple[PEdge, ...]


_RC, _ID = str(RC._NS), str(ID)
_LABEL, _SUBCLASS, _LAT, _LONG = RDFS.label, RDFS.subClassOf, WGS84.lat, WGS84.long
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


def property_graph(facts: set[Triple], support: Iterable[Support]) -> PGraph:
    """Entities (IRIs under id:, except posts and place geometries) and the rc: object properties
    between them; ``support`` (``supported_records``) gives each edge its evidence count."""
    index = _Index(facts)
    posts = set(index.subjects(_TYPE, _POST))
    geometries = set(index.subjects(_TYPE, _GEOMETRY))  # a place's point: lat/long on the place node
    iris = {t for s, _, o in facts for t in (s, o) if type(t) is URIRef}
    entities = sorted(t for t in iris if t.startswith(_ID) and t not in posts and t not in geometries)
    nodes = tuple(_pnode(index, iri) for iri in entities)
    members = set(entities)
    evidence = _evidence_counts(support)
    edges = [
        PEdge(str(s), str(o), _local(p), _label(index, p, "zh"), evidence.get((s, p, o), 0),
              _post_titles(index, s, p, o))
        for s, p, o in facts
        if s in members and o in members and str(p).startswith(_RC)
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


def _evidence_counts(support: Iterable[Support]) -> dict[Triple, int]:
    """Distinct evidence nodes (document, sentence, rule) per fact, as in graph.trig."""
    keys: dict[Triple, set[URIRef]] = defaultdict(set)
    for item in support:
        keys[item.triple].add(item.evidence)
    return {triple: len(found) for triple, found in keys.items()}


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
        point = {"lat": node.lat, "long": node.long} if node.lat is not None and node.long is not None else {}
        graph.add_node(node.iri, label=xml_text(node.label), label_en=xml_text(node.label_en),
                       **{"class": node.cls}, iri=node.iri, **point)
    for edge in pgraph.edges:
        graph.add_edge(edge.source, edge.target, key=edge.relation, relation=edge.relation,
                       relation_zh=xml_text(edge.relation_zh), evidence_count=edge.evidence_count,
                       title=xml_text(edge.title))
    return graph


def _keep_carriage_returns(xml: bytes) -> bytes:
    """ElementTree writes a CR in element text raw, and XML parsers turn it into LF. The writer's
    own line ends are LF, so every CR in its output is data: write it as a character reference."""
    return xml.replace(b"\r", b"&#13;")


def graphml_bytes(pgraph: PGraph) -> bytes:
    """networkx's GraphML writer on the stdlib ElementTree, so the bytes do not depend on whether lxml is installed."""
    writer = _networkx().readwrite.graphml.GraphMLWriter(encoding="utf-8", prettyprint=True)
    writer.add_graph_element(networkx_graph(pgraph))
    return _xml_bytes(writer)


def gexf_bytes(pgraph: PGraph) -> bytes:
    """networkx stamps today's date into <meta lastmodifieddate>; the export drops it."""
    writer = _networkx().readwrite.gexf.GEXFWriter(encoding="utf-8", prettyprint=True)
    writer.add_graph(networkx_graph(pgraph))
    for meta in writer.xml.iter("meta"):
        meta.attrib.pop("lastmodifieddate", None)
    return _xml_bytes(writer)


def _xml_bytes(writer: Any) -> bytes:
    """What ``writer.dump``/``write`` would write, made as text and encoded once: ElementTree writing
    to a binary stream sends ~2 million small writes through a TextIOWrapper (~2 s at 10 MB)."""
    from xml.etree.ElementTree import ElementTree

    if writer.prettyprint:
        writer.indent(writer.xml)
    buffer = io.StringIO()
    ElementTree(writer.xml).write(buffer, encoding="unicode")
    xml = "<?xml version='1.0' encoding='utf-8'?>\n" + buffer.getvalue()
    return _keep_carriage_returns(xml.encode("utf-8", "xmlcharrefreplace"))


def neo4j_type(relation: str) -> str:
    """servesChain → SERVES_CHAIN (Cypher style: relationship types in upper snake case)."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", relation).upper()


def safe_cell(text: str) -> str:
    """A cell a spreadsheet would run as a formula gets a leading apostrophe."""
    return "'" + text if text.startswith(_FORMULA_START) else text


def _csv_text(header: list[str], rows: Iterable[list[Any]]) -> str:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")  # \r\n: a lone \r gets quoted
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def _check_id(iri: str) -> str:
    if iri.startswith(_FORMULA_START):
        raise ValueError(f"node id {iri!r} starts with a formula character")
    return iri


def neo4j_nodes_text(pgraph: PGraph) -> str:
    rows = [[_check_id(n.iri), safe_cell(n.label), safe_cell(n.label_en), ";".join(n.labels),
             "" if n.lat is None else repr(n.lat), "" if n.long is None else repr(n.long)] for n in pgraph.nodes]
    return _csv_text(["iri:ID", "label", "label_en", ":LABEL", "lat:float", "long:float"], rows)


def neo4j_relationships_text(pgraph: PGraph) -> str:
    rows = [[_check_id(e.source), _check_id(e.target), neo4j_type(e.relation), e.evidence_count, safe_cell(e.title)]
            for e in pgraph.edges]
    return _csv_text([":START_ID", ":END_ID", ":TYPE", "evidence_count:int", "title"], rows)

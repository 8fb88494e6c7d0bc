"""Stage 8: the graph in the formats other tools read.

``write_exports(g, records, folder)`` writes, byte-identically for the same input:

- ``graph.nt``: N-Triples of the facts graph, lines sorted.
- ``graph.nq`` and ``graph.trig``: a dataset (TriG streamed by Oxigraph from the N-Quads file).
  The default graph holds the facts graph and the provenance; each article gets a named graph
  (``id:article/<doc-slug>-<index>``) with the fact triples that article supports. Provenance
  is plain RDF 1.1 (no RDF-star, no reification): the article graph ``prov:wasDerivedFrom`` a
  document node that carries the path as ``dcterms:source``; the article graph carries the
  article's ``dcterms:title``@zh; one evidence node per supporting sentence, rule and fact
  (``id:evidence/<sha1[:16]>``) is a ``prov:Entity`` with ``prov:value`` = the sentence@zh,
  ``dcterms:description`` = the rule id, and ``prov:wasDerivedFrom`` the article graph, which
  contains the fact.
- ``graph.jsonld``: JSON-LD compacted by rdflib's converter with the context ``JSONLD_CONTEXT``.
- ``graph.graphml``, ``graph.gexf``, ``neo4j/nodes.csv`` and ``neo4j/relationships.csv``: the
  entities as a property graph (property_graph.py).

A record whose fact is not in ``g`` is left out of every export (the graph is the truth).

Memory: the RDF files and the CSVs are written as they are made, never whole in memory.
graph.nq is not sorted: its lines follow the facts' sorted lines and then the records, whose
order a build fixes (document, then sentence), and repeats are dropped with sets that hold one
document's evidence or one article's quads. What stays in memory is O(graph): the triples
(the caller's), the records they support, the triples grouped by subject for JSON-LD, and the
property graph.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, BinaryIO, Callable, Iterable, Iterator, Mapping, Sequence

from rdflib import RDF, RDFS, URIRef
from rdflib.namespace import DCTERMS, FOAF, ORG, OWL, PROV, SKOS, XSD
from rdflib.term import Node

from . import rdf_text
from .export import atomic_file
from .property_graph import property_graph, write_gexf, write_graphml, write_neo4j_nodes, write_neo4j_relationships
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

# json.dumps(…, ensure_ascii=False) makes an encoder each call: a third of its time on small values
_JSON = json.JSONEncoder(ensure_ascii=False)
_JSON_SORTED = json.JSONEncoder(ensure_ascii=False, sort_keys=True)


def write_exports(g: Iterable[Triple], records: Iterable[Mapping[str, Any]], folder: Path,
                  nt_lines: Iterable[str] | None = None) -> list[Path]:
    """Write every export of the graph ``g`` (its triples: an rdflib Graph or ``rdf.graph_triples``)
    with provenance ``records`` (in a build's order: see ``dataset_lines``) into ``folder``;
    returns the paths. ``nt_lines``: the graph's sorted N-Triples lines, when the caller has them
    already (``rdf_text.ntriples_lines(g)`` or a ``rdf_text.LineFile``: they are read twice)."""
    folder = Path(folder)
    facts: set[Triple] = g if isinstance(g, set) else set(g)  # iterating an rdflib graph costs ~5 µs a triple
    fact_lines = rdf_text.ntriples_lines(facts) if nt_lines is None else nt_lines
    support = supported_records(records, facts)
    pgraph = property_graph(facts, evidence_counts(support))
    writers: dict[str, Callable[[BinaryIO], object]] = {
        "graph.nt": lambda out: rdf_text.write_lines(out, fact_lines),
        "graph.nq": lambda out: rdf_text.write_lines(out, dataset_lines(fact_lines, support)),
        "graph.trig": lambda out: rdf_text.nquads_to_trig(folder / "graph.nq", out, {"dcterms": str(DCTERMS)}),
        "graph.jsonld": lambda out: write_jsonld(out, facts),
        "graph.graphml": lambda out: write_graphml(out, pgraph),
        "graph.gexf": lambda out: write_gexf(out, pgraph),
        "neo4j/nodes.csv": lambda out: write_neo4j_nodes(out, pgraph),
        "neo4j/relationships.csv": lambda out: write_neo4j_relationships(out, pgraph),
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
    digest = hashlib.sha1(_JSON.encode(key).encode("utf-8")).hexdigest()[:16]
    return ID[f"evidence/{digest}"]


def fact_triple(record: Mapping[str, Any], facts: set[Triple],
                literals: Mapping[tuple[Node, Node], Sequence[Node]],
                iri: Callable[[str], URIRef] = URIRef) -> Triple | None:
    """The triple of ``facts`` a record supports. ``literals``: the objects of the data properties
    by (subject, predicate); a data property's record names the literal by its lexical form.
    ``iri``: makes a URIRef (a cache of them: a URIRef checks its characters in Python when made)."""
    subj, pred = iri(record["s"]), iri(record["p"])
    if record.get("p_name") in DATA_PROPERTIES:
        obj: Node | None = next((o for o in literals.get((subj, pred), ()) if str(o) == str(record["o"])), None)
    else:
        obj = iri(record["o"])
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


def supported_records(records: Iterable[Mapping[str, Any]], facts: set[Triple]) -> Supported:
    """The records whose fact is in ``facts``, each with its evidence IRI (re-read on each pass)."""
    return Supported(records, facts)


class Supported:
    """The records whose fact is in ``facts``, each as a ``Support``: made from ``records`` afresh
    on every pass, so records kept on disk (a ``record_file.RecordFile``) are read again rather
    than held (three passes: evidence counts, the provenance and the named graphs of graph.nq)."""

    def __init__(self, records: Iterable[Mapping[str, Any]], facts: set[Triple]) -> None:
        self.records, self.facts = records, facts
        self.literals: dict[tuple[Node, Node], list[Node]] = defaultdict(list)
        for s, p, o in facts:
            if p in _DATA_PREDICATES:
                self.literals[(s, p)].append(o)
        self.iri = functools.lru_cache(maxsize=None)(URIRef)  # records name the same entities again and again

    def __iter__(self) -> Iterator[Support]:
        for record in self.records:
            triple = fact_triple(record, self.facts, self.literals, self.iri)
            if triple is not None:
                yield Support(record, triple, evidence_iri(record))


def evidence_counts(support: Iterable[Support]) -> dict[Triple, int]:
    """Distinct evidence nodes (document, sentence, rule) per fact, as in graph.trig."""
    keys: dict[Triple, set[URIRef]] = defaultdict(set)
    for item in support:
        keys[item.triple].add(item.evidence)
    return {triple: len(found) for triple, found in keys.items()}


def dataset_lines(fact_lines: Iterable[str], support: Iterable[Support]) -> Iterator[str]:
    """N-Quads lines: the default graph (the facts graph's ``fact_lines``, sorted and unique, then
    the provenance), then one named graph per article with the facts it supports, in the order
    of ``support`` (read twice). Written straight from the records as text: building ~15 rdflib
    terms a record and hashing them cost more than the rest.

    Nothing is sorted: a build gives the records in document order, then sentence order
    (``pipeline.fact_records``), so the same input gives the same bytes, and each document's and
    each article's records come together. Repeats are dropped with sets that live for one
    document (provenance) or one article (named graphs), so memory beyond ``support`` is
    O(one document). Records in another order (two documents interleaved) still give the same
    dataset: some quads are then written more than once, which is harmless in RDF (a dataset is
    a set of quads), and an article's graph comes in more than one block of graph.trig."""
    yield from fact_lines
    yield from _provenance(support)
    yield from _named_graphs(support)


def _named_graphs(support: Iterable[Support]) -> Iterator[str]:
    """Each record's fact in its article's graph, once for each run of records of one article."""
    previous, seen = None, set[str]()
    for item in support:
        article = _article(item.record["doc"], item.record["article"])
        if article != previous:
            previous, seen = article, set()
        s, p, o = item.triple
        line = f"{nt_term(s)} {nt_term(p)} {nt_term(o)} {article} .\n"  # a line hashes faster than rdflib terms
        if line not in seen:
            seen.add(line)
            yield line


@functools.lru_cache(maxsize=4096)
def _article(doc: str, article: int) -> str:
    return nt_term(article_iri(doc, article))


def _provenance(support: Iterable[Support]) -> Iterator[str]:
    """The default-graph lines of the records: their documents, their article graphs and an
    evidence node per record, which states the fact as an rdf:Statement. Each is written once
    for each run of records of one document: a document's articles share its lines, and two
    records can share an evidence node (the same sentence, rule and fact)."""
    doc, previous, said, evidence = None, None, set[str](), set[URIRef]()
    for item in support:
        record = item.record
        if record["doc"] != doc:
            doc, said, evidence = record["doc"], set(), set()
            yield from _document_lines(doc)
        article = _article(record["doc"], record["article"])
        if (article, record.get("article_title")) != previous:  # the records of an article come together
            previous = (article, record.get("article_title"))
            yield from _unsaid(_article_lines(record, article), said)
        if item.evidence not in evidence:
            evidence.add(item.evidence)
            yield from _evidence_lines(item, article)


def _unsaid(lines: Iterable[str], said: set[str]) -> Iterator[str]:
    """The ``lines`` not in ``said``, which then holds them."""
    for line in lines:
        if line not in said:
            said.add(line)
            yield line


def _document_lines(doc: str) -> list[str]:
    iri = nt_term(document_iri(doc))
    return [f"{iri} {_NT_TYPE} {_NT_ENTITY} .\n", f"{iri} {_NT_SOURCE} {rdf_text.LiteralText(doc)} .\n"]


def _article_lines(record: Mapping[str, Any], article: str) -> list[str]:
    doc = nt_term(document_iri(record["doc"]))
    lines = [f"{article} {_NT_TYPE} {_NT_ENTITY} .\n", f"{article} {_NT_DERIVED} {doc} .\n"]
    if record.get("article_title"):
        lines.append(f"{article} {_NT_TITLE} {rdf_text.LiteralText(record['article_title'], 'zh')} .\n")
    return lines


def _evidence_lines(item: Support, article: str) -> list[str]:
    record, (s, p, o), evidence = item.record, item.triple, nt_term(item.evidence)
    text = rdf_text.LiteralText
    return [f"{evidence} {_NT_TYPE} {_NT_ENTITY} .\n", f"{evidence} {_NT_TYPE} {_NT_STATEMENT} .\n",  # TriG: "a x, y"
            f"{evidence} {_NT_VALUE} {text(record['sentence_text'], 'zh')} .\n",
            f"{evidence} {_NT_DERIVED} {article} .\n", f"{evidence} {_NT_DESCRIPTION} {text(record['rule'])} .\n",
            f"{evidence} {_NT_SUBJECT} {nt_term(s)} .\n",
            f"{evidence} {_NT_PREDICATE} {nt_term(p)} .\n", f"{evidence} {_NT_OBJECT} {nt_term(o)} .\n"]


# ── JSON-LD ──────────────────────────────────────────────────────────────────────────

def write_jsonld(out: BinaryIO, facts: Iterable[Triple]) -> None:
    """Compact JSON-LD with ``JSONLD_CONTEXT``: the node objects in ``@graph`` sorted by @id, one
    a line (a reader can grep or stream the file by line), every value array sorted (arrays
    outside @list are unordered in JSON-LD, so sorting changes nothing). Each node object is
    written as it is made.

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
    # by compact @id, which is not IRI order in general (a CURIE such as rc:X sorts by its prefix);
    # as str: shrink_iri returns an unprefixed IRI as the URIRef itself, whose comparisons are slow
    subjects = sorted((str(converter.context.shrink_iri(subject)), subject) for subject in by_subject)
    context = json.dumps(JSONLD_CONTEXT, ensure_ascii=False, indent=2, sort_keys=True).replace("\n", "\n  ")
    out.write(f'{{\n  "@context": {context},\n  "@graph": [\n'.encode("utf-8"))
    separator = ""
    for compact, subject in subjects:
        node = {"@id": compact}
        for p, o in by_subject.pop(subject):
            converter.add_to_node(_NO_LISTS, subject, p, o, node, {})
        line = _JSON_SORTED.encode(_sorted_json(node))
        out.write(f"{separator}    {line}".encode("utf-8"))
        separator = ",\n"
    out.write("\n  ]\n}\n".encode("utf-8"))


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
                                            _JSON_SORTED.encode(v)))
    return value



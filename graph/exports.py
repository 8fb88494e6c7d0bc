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
- ``graph.jsonld``: compact JSON-LD with the context ``JSONLD_CONTEXT``, a node object a line, by
  @id (jsonld.py): made from the sorted N-Triples lines a subject at a time, each node object as
  rdflib's JSON-LD converter makes it (the tests keep the converter as the oracle).
- ``graph.graphml``, ``graph.gexf``, ``neo4j/nodes.csv`` and ``neo4j/relationships.csv``: the
  entities as a property graph (property_graph.py).

A record whose fact is not in ``g`` is left out of every export (the graph is the truth).

Memory: the RDF files and the CSVs are written as they are made, never whole in memory.
graph.nq is not sorted: its lines follow the facts' sorted lines and then the records, whose
order a build fixes (document, then sentence), and repeats are dropped with sets that hold one
document's evidence or one article's quads. The records are read again for each pass over
them (``Supported``), so a build's, kept on disk, stay there. JSON-LD's node objects are sorted
at most a third of ``buffer_lines`` at a time (``rdf_text.sorted_unique_lines``; temporary files
in the output folder beyond that; memory.py says what a line takes). What stays in memory is
O(graph): the triples (the caller's), the evidence count of each fact, and the property graph.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, BinaryIO, Callable, Iterable, Iterator, Mapping, Sequence

from rdflib import RDF, URIRef
from rdflib.namespace import DCTERMS, PROV
from rdflib.term import Node

from . import rdf_text
from .export import atomic_file
from .jsonld import JSONLD_CONTEXT, write_jsonld
from .memory import SORT_BUFFER_LINES
from .property_graph import property_graph, write_gexf, write_graphml, write_neo4j_nodes, write_neo4j_relationships
from .rdf_text import Triple, nt_term
from .rules import DATA_PROPERTIES
from .vocab import ID, RC

__all__ = ["JSONLD_CONTEXT", "article_iri", "document_iri", "evidence_iri", "write_exports"]

# json.dumps(…, ensure_ascii=False) makes an encoder each call: a third of its time on small values
_JSON = json.JSONEncoder(ensure_ascii=False)


def write_exports(g: Iterable[Triple], records: Iterable[Mapping[str, Any]], folder: Path,
                  nt_lines: Iterable[str] | None = None, *, buffer_lines: int = SORT_BUFFER_LINES) -> list[Path]:
    """Write every export of the graph ``g`` (its triples: an rdflib Graph or ``rdf.graph_triples``)
    with provenance ``records`` (in a build's order: see ``dataset_lines``) into ``folder``;
    returns the paths. ``nt_lines``: the graph's sorted N-Triples lines, when the caller has them
    already (``rdf_text.ntriples_lines(g)`` or a ``rdf_text.LineFile``: they are read three times).
    ``buffer_lines``: JSON-LD's node objects are sorted a third as many at a time in memory
    (memory.py)."""
    folder = Path(folder)
    facts: set[Triple] = g if isinstance(g, set) else set(g)  # iterating an rdflib graph costs ~5 µs a triple
    fact_lines = rdf_text.ntriples_lines(facts) if nt_lines is None else nt_lines
    support = supported_records(records, facts)
    pgraph = property_graph(facts, evidence_counts(support))
    writers: dict[str, Callable[[BinaryIO], object]] = {
        "graph.nt": lambda out: rdf_text.write_lines(out, fact_lines),
        "graph.nq": lambda out: rdf_text.write_lines(out, dataset_lines(fact_lines, support)),
        "graph.trig": lambda out: rdf_text.nquads_to_trig(folder / "graph.nq", out, {"dcterms": str(DCTERMS)}),
        "graph.jsonld": lambda out: write_jsonld(out, fact_lines, buffer_lines=max(1, buffer_lines // 3), tmpdir=folder),
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
    (``resolution.provenance_records``), so the same input gives the same bytes, and each document's and
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

"""graph.nq: the facts graph and its provenance as an RDF dataset, written by exports.write_exports.

``write_dataset(out, fact_lines, records, lookup)`` writes the default graph (the facts graph's
sorted N-Triples lines, then the provenance), then one named graph per article
(``id:article/<doc-slug>-<index>``) with the fact triples that article supports. Provenance is
plain RDF 1.1 (no RDF-star, no reification): the article graph ``prov:wasDerivedFrom`` a
document node that carries the path as ``dcterms:source``; the article graph carries the
article's ``dcterms:title``@zh; one evidence node per supporting sentence, rule and fact
(``id:evidence/<sha1[:16]>``) is a ``prov:Entity`` with ``prov:value`` = the sentence@zh,
``dcterms:description`` = the rule id, and ``prov:wasDerivedFrom`` the article graph, which
contains the fact. A record whose fact is not in the graph is left out.

The records are read once: the same pass writes the provenance lines, spools each record's
named-graph quad to an anonymous temporary file (appended after the provenance) and counts
the distinct evidence nodes of each fact (for the property graph). Reading and parsing a
record costs more than everything written from it, and the pass used to be made three times.

Nothing is sorted: a build gives the records in document order, then sentence order
(``resolution.provenance_records``), so the same input gives the same bytes, and each
document's and each article's records come together. Repeats are dropped with sets that live
for one document (provenance) or one article (named graphs). Records in another order (two
documents interleaved) still give the same dataset: some quads are then written more than
once, which is harmless in RDF (a dataset is a set of quads), and an article's graph comes in
more than one block of graph.trig. Memory: the lines of the graph's rc: facts (FactLookup), the
evidence count of each fact the records name, and the 8-byte digest of each evidence node,
which keeps the counts exact in any order.
"""

from __future__ import annotations

import functools
import hashlib
import json
import shutil
import tempfile
from collections import defaultdict
from pathlib import Path, PurePosixPath
from typing import IO, Any, BinaryIO, Iterable, Iterator, Mapping

from rdflib import RDF, URIRef
from rdflib.namespace import DCTERMS, PROV

from . import rdf_text
from .rdf_text import LiteralText, nt_term
from .rules import DATA_PROPERTIES
from .vocab import ID, RC

__all__ = ["EvidenceCounts", "FactLookup", "FactText", "article_iri", "document_iri", "evidence_digest", "write_dataset"]

# json.dumps(…, ensure_ascii=False) makes an encoder each call: a third of its time on small values
_JSON = json.JSONEncoder(ensure_ascii=False)
_json_str = json.encoder.encode_basestring  # a str as _JSON writes it


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


def evidence_digest(record: Mapping[str, Any]) -> bytes:
    """The first 8 bytes of the SHA-1 of the record's (document, sentence, rule, fact) as a JSON array:
    its evidence node is ``id:evidence/<their hex>``."""
    doc, sentence, rule = record["doc"], record["sentence"], record["rule"]
    s, p, o = record["s"], record["p"], record["o"]
    if type(sentence) is int and type(doc) is type(rule) is type(s) is type(p) is type(o) is str:
        key = f"[{_json_str(doc)}, {sentence}, {_json_str(rule)}, {_json_str(s)}, {_json_str(p)}, {_json_str(o)}]"
    else:  # the same text, as the encoder makes it (a third slower)
        key = _JSON.encode([doc, sentence, rule, s, p, o])
    return hashlib.sha1(key.encode("utf-8")).digest()[:8]


_EVIDENCE = f"{ID}evidence/"  # the evidence IRI as text: a URIRef checks its characters in Python


# ── the facts that records name ──────────────────────────────────────────────────────

# a fact by its N-Triples line ("<s> <p> o .\n"): what graph.nq writes, and what counts its evidence
FactText = str
_RC_NT = f"<{RC._NS}"
_DATA_PREDICATES = frozenset(f"<{RC[name]}>" for name in DATA_PROPERTIES)


class FactLookup:
    """The fact of the graph that a record names. A data property's record names the literal by
    its lexical form (the first object of the subject and predicate that has it). Each record is
    looked up afresh: a cache by record kept a key per fact for a lookup of ~1 µs (and 8 MB of
    the 46 MB that graph.nq's pass peaks at on the 10 MB archive).

    Made in one pass over the graph's N-Triples ``lines``, it keeps what records can name: the
    lines of rc: properties between IRIs, and the literals of rc: data properties. A fact between
    IRIs is given as the graph's own line (the one string it keeps), so that the evidence counts,
    keyed by fact, hold no text of their own: keyed by the fact's three terms, they took 60 of the
    160 MB that counting the 333,011 records of 100 MB of text held."""

    def __init__(self, lines: Iterable[str]) -> None:
        self.facts: dict[str, str] = {}  # each line to itself: ``get`` gives the kept string
        self.literals: dict[tuple[str, str], list[str]] = defaultdict(list)
        for line in lines:  # "<s> <p> o .": a graph's lines are canonical N-Triples
            s, p, o = line.split(" ", 2)
            if p.startswith(_RC_NT):
                if p in _DATA_PREDICATES:
                    self.literals[(s, p)].append(o[:-3])
                elif o.startswith("<"):
                    self.facts[line] = line

    def __call__(self, record: Mapping[str, Any]) -> FactText | None:
        return self._find(record["s"], record["p"], record["o"], record.get("p_name") in DATA_PROPERTIES)

    def _find(self, s: str, p: str, o: Any, data: bool) -> FactText | None:
        subj, pred = f"<{s}>", f"<{p}>"
        if data:  # the literal's quoted lexical form, then its datatype or language, if any
            quoted = LiteralText(str(o))
            found = next((t for t in self.literals.get((subj, pred), ())
                          if t == quoted or t.startswith((f"{quoted}^^", f"{quoted}@"))), None)
            return None if found is None else f"{subj} {pred} {found} .\n"
        return self.facts.get(f"{subj} {pred} <{o}> .\n")


class EvidenceCounts:
    """Distinct evidence nodes (document, sentence, rule) per fact, as in graph.trig."""

    def __init__(self) -> None:
        self.per_fact: dict[FactText, int] = {}
        self.seen: set[bytes] = set()  # an evidence node states one fact: its digest is enough

    def add(self, fact: FactText, evidence: bytes) -> None:
        """Count the ``evidence`` node (its digest) of ``fact``, unless it was counted already."""
        if evidence not in self.seen:
            self.seen.add(evidence)
            self.per_fact[fact] = self.per_fact.get(fact, 0) + 1

    def add_records(self, records: Iterable[Mapping[str, Any]], lookup: FactLookup) -> None:
        for record in records:
            fact = lookup(record)
            if fact is not None:
                self.add(fact, evidence_digest(record))


# ── graph.nq ─────────────────────────────────────────────────────────────────────────

def write_dataset(out: BinaryIO, fact_lines: Iterable[str], records: Iterable[Mapping[str, Any]],
                  lookup: FactLookup, *, tmpdir: Path | None = None) -> dict[FactText, int]:
    """graph.nq into ``out``: ``fact_lines`` (the graph's sorted N-Triples lines), the provenance of
    ``records`` (in a build's order), then the named graphs, spooled to a temporary file in
    ``tmpdir`` on the way. Returns the number of evidence nodes of each fact."""
    rdf_text.copy_lines(out, fact_lines)
    counts = EvidenceCounts()
    with tempfile.TemporaryFile(dir=tmpdir) as spool:  # no name: removed however the block ends
        named = _NamedGraphs(spool)
        rdf_text.write_encoded(out, _provenance(records, lookup, counts, named))
        spool.seek(0)
        shutil.copyfileobj(spool, out, 1 << 20)
    return counts.per_fact


class _NamedGraphs:
    """Each record's fact in its article's graph, once for each run of records of one article,
    written to ``spool`` (a buffered file: it gathers the lines into chunks itself)."""

    def __init__(self, spool: IO[bytes]) -> None:
        self.spool = spool
        self.article: str | None = None
        self.seen: set[str] = set()

    def add(self, fact: FactText, article: str) -> None:
        if article != self.article:
            self.article, self.seen = article, set()
        line = f"{fact[:-3]} {article} .\n"  # a line hashes faster than rdflib terms
        if line not in self.seen:
            self.seen.add(line)
            self.spool.write(line.encode("utf-8"))


def _provenance(records: Iterable[Mapping[str, Any]], lookup: FactLookup, counts: EvidenceCounts,
                named: _NamedGraphs) -> Iterator[bytes]:
    """The default-graph lines (UTF-8) of the records whose fact is in the graph: their documents, their
    article graphs and an evidence node per record, which states the fact as an rdf:Statement.
    Each is written once for each run of records of one document: a document's articles share
    its lines, and two records can share an evidence node (the same sentence, rule and fact).
    On the way, each record is counted and its named-graph quad goes to ``named``."""
    doc, previous, said, evidence = None, None, set[str](), set[bytes]()
    for record in records:
        fact = lookup(record)
        if fact is None:
            continue
        digest, article = evidence_digest(record), _article(record["doc"], record["article"])
        counts.add(fact, digest)
        named.add(fact, article)
        if record["doc"] != doc:
            doc, said, evidence = record["doc"], set(), set()
            yield from (line.encode("utf-8") for line in _document_lines(doc))
        if (article, record.get("article_title")) != previous:  # the records of an article come together
            previous = (article, record.get("article_title"))
            yield from (line.encode("utf-8") for line in _unsaid(_article_lines(record, article), said))
        if digest not in evidence:
            evidence.add(digest)
            yield _evidence_lines(record, fact, digest, article)


@functools.lru_cache(maxsize=4096)
def _article(doc: str, article: int) -> str:
    return nt_term(article_iri(doc, article))


def _unsaid(lines: Iterable[str], said: set[str]) -> Iterator[str]:
    """The ``lines`` not in ``said``, which then holds them."""
    for line in lines:
        if line not in said:
            said.add(line)
            yield line


_NT_TYPE, _NT_ENTITY, _NT_DERIVED, _NT_SOURCE, _NT_TITLE, _NT_VALUE, _NT_DESCRIPTION = (
    nt_term(t) for t in (RDF.type, PROV.Entity, PROV.wasDerivedFrom, DCTERMS.source, DCTERMS.title,
                         PROV.value, DCTERMS.description))
_NT_STATEMENT, _NT_SUBJECT, _NT_PREDICATE, _NT_OBJECT = (
    nt_term(t) for t in (RDF.Statement, RDF.subject, RDF.predicate, RDF.object))


def _document_lines(doc: str) -> list[str]:
    iri = nt_term(document_iri(doc))
    return [f"{iri} {_NT_TYPE} {_NT_ENTITY} .\n", f"{iri} {_NT_SOURCE} {LiteralText(doc)} .\n"]


def _article_lines(record: Mapping[str, Any], article: str) -> list[str]:
    doc = nt_term(document_iri(record["doc"]))
    lines = [f"{article} {_NT_TYPE} {_NT_ENTITY} .\n", f"{article} {_NT_DERIVED} {doc} .\n"]
    if record.get("article_title"):
        lines.append(f"{article} {_NT_TITLE} {LiteralText(record['article_title'], 'zh')} .\n")
    return lines


@functools.lru_cache(maxsize=1024)  # a few hundred rules
def _rule_literal(rule: str) -> str:
    return LiteralText(rule)


def _evidence_lines(record: Mapping[str, Any], fact: FactText, digest: bytes, article: str) -> bytes:
    """The evidence node's 8 lines as one UTF-8 item (one to pass along, not 8). The text around the
    sentence is made and encoded apart from it: a str holding Chinese takes 2 bytes a character, and
    widening ~900 ASCII characters into it, then narrowing all to UTF-8, took a third of the time."""
    s, p, o = fact[:-3].split(" ", 2)  # an IRI holds no space; a literal is the rest
    ev = f"<{_EVIDENCE}{digest.hex()}>"
    head = f"{ev} {_NT_TYPE} {_NT_ENTITY} .\n{ev} {_NT_TYPE} {_NT_STATEMENT} .\n{ev} {_NT_VALUE} "  # TriG: "a x, y"
    tail = (f" .\n{ev} {_NT_DERIVED} {article} .\n{ev} {_NT_DESCRIPTION} {_rule_literal(record['rule'])} .\n"
            f"{ev} {_NT_SUBJECT} {s} .\n{ev} {_NT_PREDICATE} {p} .\n{ev} {_NT_OBJECT} {o} .\n")
    return head.encode("utf-8") + _sentence_literal(record["sentence_text"]) + tail.encode("utf-8")


@functools.lru_cache(maxsize=256)  # a sentence's records come together: half of them repeat the one before
def _sentence_literal(sentence: str) -> bytes:
    return LiteralText(sentence, "zh").encode("utf-8")

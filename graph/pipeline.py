"""Orchestration: documents → articles and sentences → mentions → relations →
entities → RDF → validation → outputs. Collects diagnostics; never prints or exits."""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

from .diagnostics import DocumentError
from .documents import read_documents
from .entities import EntityTable, resolve_entities
from .lexicon import Lexicon, load_lexicon
from .mentions import find_document_mentions
from .model import Article, Diagnostic, Document, Fact, Mention, Sentence
from .relations import apply_rules, flatten_mentions
from .resources import aliases_file, gazetteer_dir, rule_dirs
from .rules import RuleSet, load_rules

CONTEXT_SENTENCES = 2  # how far back a rule's context role may look, within one article
# Bylines and photo credits name who wrote or shot the piece, not facts of the story.
_CREDIT = re.compile(r"(?:供图|提供|摄)$|^(?:本版责编|版式设计|图片均为|以上图片)")


@dataclass(frozen=True, slots=True)
class DocumentResult:
    doc: Document
    articles: tuple[Article, ...]
    sentences: tuple[Sentence, ...]
    mentions: dict[int, list[Mention]]
    facts: tuple[Fact, ...]


@dataclass(frozen=True, slots=True)
class BuildReport:
    output: str
    documents: int
    skipped: int
    sentences: int
    facts: int
    entities: int
    triples: int
    violations: int
    diagnostics: tuple[Diagnostic, ...] = field(default=())

    def summary(self) -> str:
        return (f"read {self.documents} documents ({self.skipped} skipped), {self.sentences} sentences → "
                f"{self.facts} facts, {self.entities} entities, {self.triples} triples, "
                f"{self.violations} violations → {self.output}")


def load_resources() -> tuple[RuleSet, Lexicon]:
    """Rules and gazetteers, checked; raises RuleFileError with every problem."""
    return load_rules(*rule_dirs()), load_lexicon(gazetteer_dir())


def extract_document(doc: Document, rules: RuleSet, lexicon: Lexicon) -> DocumentResult:
    from .segment import split_document

    articles, all_sentences = split_document(doc)
    sentences = [s for s in all_sentences if s.kind != "byline" and not _CREDIT.search(s.text)]
    mentions = find_document_mentions(sentences, lexicon, rules)
    facts: list[Fact] = []
    recent: deque[tuple[int, list[Mention]]] = deque(maxlen=CONTEXT_SENTENCES)
    for sent in sentences:
        context = [m for article, ms in recent if article == sent.article_index for m in flatten_mentions(ms)]
        facts.extend(apply_rules(sent, mentions[sent.index], rules, context))
        recent.append((sent.article_index, mentions[sent.index]))
    return DocumentResult(doc, tuple(articles), tuple(sentences), mentions, tuple(facts))


def extract_all(inputs: Sequence[Path | str], rules: RuleSet, lexicon: Lexicon, *,
                fail_fast: bool = False) -> tuple[list[DocumentResult], list[Diagnostic]]:
    results: list[DocumentResult] = []
    diagnostics: list[Diagnostic] = []
    for item in read_documents([Path(p) for p in inputs]):
        if isinstance(item, Diagnostic):
            diagnostics.append(item)
            if fail_fast and item.severity == "error":
                raise DocumentError([item])
            continue
        results.append(extract_document(item, rules, lexicon))
    return results, diagnostics


def fact_records(table: EntityTable, results: list[DocumentResult]) -> tuple[set[tuple[str, str, str, str]], list[dict[str, Any]]]:
    """Triples for the graph and one provenance record per supporting sentence."""
    triples: set[tuple[str, str, str, str]] = set()
    records: list[dict[str, Any]] = []
    for result in results:
        titles = {a.index: a.title for a in result.articles}
        for fact in result.facts:
            subj = table.iri(fact.subject)
            obj = fact.object.name if fact.object.cls == "Literal" else table.iri(fact.object)
            detail = fact.object.text if fact.object.cls == "Literal" else fact.detail
            if subj == obj:
                continue
            triples.add((subj, fact.relation, obj, detail))
            records.append(_record(table, fact, subj, obj, titles))
    return triples, records


def _record(table: EntityTable, fact: Fact, subj: str, obj: str, titles: dict[int, str]) -> dict[str, Any]:
    from .vocab import RC

    sent = fact.sentence
    start, end = sent.source_span(*fact.span)
    sent_start, sent_end = sent.source_span()
    return {
        "s": subj, "p": str(RC[fact.relation]), "o": obj,
        "s_label": table.entities[subj].label, "p_name": fact.relation,
        "o_label": table.entities[obj].label if obj in table.entities else fact.object.text,
        "rule": fact.rule_id, "doc": sent.doc_path, "article": sent.article_index,
        "article_title": titles.get(sent.article_index, ""), "sentence": sent.index,
        "start": start, "end": end, "sentence_start": sent_start, "sentence_end": sent_end,
        "sentence_text": sent.text, "detail": fact.detail,
    }


def build(inputs: Sequence[Path | str], output: Path | str, *, strict: bool = False, fail_fast: bool = False,
          view: bool = True) -> BuildReport:
    """Build the graph from every document under ``inputs`` into ``output``."""
    from .export import remove_stale_temporaries, write_merges, write_provenance, write_turtle
    from .rdf import build_graph
    from .validation import load_ontology, validate_graph

    output = Path(output)
    rules, lexicon = load_resources()
    results, diagnostics = extract_all(inputs, rules, lexicon, fail_fast=fail_fast)
    all_mentions = [m for r in results for ms in r.mentions.values() for m in ms]
    table = resolve_entities(all_mentions, [f for r in results for f in r.facts], aliases_file())
    triples, records = fact_records(table, results)
    g = build_graph(table, sorted(triples), load_ontology())
    findings = validate_graph(g)
    diagnostics += [Diagnostic("graph.ttl", "S001", f"{f.focus_label or f.focus_node}: {f.message} ({f.shape})",
                               severity="error" if strict else "warning") for f in findings]
    remove_stale_temporaries(output)
    write_turtle(g, output / "graph.ttl")
    write_provenance(records, output / "provenance.jsonl")
    write_merges(table.merges, output / "merges.tsv")
    if view:
        from .view import render_html

        render_html(g, records, output / "graph.html")
    return BuildReport(str(output), len(results), sum(1 for d in diagnostics if d.code.startswith("D")),
                       sum(len(r.sentences) for r in results), len(records), len(table.entities), len(g),
                       len(findings), tuple(diagnostics))

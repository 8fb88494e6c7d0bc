"""The facts a view page lists, each with its evidence from the provenance records
(sentence, match, article title, document, rule), with repeated strings in one table.
"""

from __future__ import annotations

import sys
from collections import defaultdict
from typing import Any, Callable, Iterable, Mapping, NamedTuple, Sequence

from .record_file import RecordFile, index_record, new_node_index
from .view_data import SYMMETRIC, ViewEdge, ViewNode, local_name

__all__ = ["FactIndex", "PageRecord", "Strings", "page_facts"]


class Strings:
    """A string table: sentences, titles, documents and rules repeat across records."""

    def __init__(self) -> None:
        self.index: dict[str, int] = {}

    def __call__(self, text: Any) -> int:
        return self.index.setdefault(str(text or ""), len(self.index))

    def table(self) -> list[str]:
        return list(self.index)


class FactIndex:
    """For each node, the provenance records that name it: a page takes the records that touch
    its nodes without scanning all the others. The records are a list, or a ``RecordFile`` whose
    records stay on disk (only their offsets by node are held)."""

    def __init__(self, provenance: Iterable[Mapping[str, Any]] | RecordFile) -> None:
        if isinstance(provenance, RecordFile):
            self.by_node: Mapping[str, Sequence[int]] = provenance.by_node
            self._read: Callable[[list[int]], Iterable[Mapping[str, Any]]] = provenance.at
            return
        records = list(provenance)
        by_node = new_node_index()
        for k, rec in enumerate(records):
            index_record(by_node, rec, k)
        self.by_node, self._read = by_node, lambda ks: (records[k] for k in ks)

    def touching(self, iris: Iterable[str]) -> list[PageRecord]:
        """What a page takes of the records with an end in ``iris``, in document order (a stable
        sort of them in the order given: the order a sort of all records would give them)."""
        by_node, found = self.by_node, set[int]()
        for iri in iris:
            found.update(by_node.get(iri, ()))
        shared: dict[str, str] = {}
        return sorted((_page_record(rec, shared) for rec in self._read(sorted(found))), key=_by_order)


class PageRecord(NamedTuple):
    """What a page reads of a provenance record, its strings shared with the page's other records:
    a page of a large view reads tens of thousands of records (38,518 for one page of 100 MB of
    text), which took ~1.7 KB each as the dicts read from the file and take ~350 bytes so."""

    doc: str
    article: int
    sentence: int
    start: int  # the match in the document
    end: int
    rule: str
    s: str
    p: str
    o: str
    rel: str  # p's local name
    s_label: str  # "" when the record has none
    o_label: str
    text: str  # the sentence
    mark: tuple[int, int]  # the match within the sentence, or (-1, -1)
    title: str  # the article's


def _page_record(rec: Mapping[str, Any], shared: dict[str, str]) -> PageRecord:
    """The fields as ``page_facts`` and ``_evidence`` read them (a missing one: "" or -1); ``shared``:
    the page's strings so far, each kept once."""
    get = rec.get  # bound once: a large page reads tens of thousands of records

    def kept(value: Any) -> str:
        text = str(value or "")
        return shared.setdefault(text, text)

    s, o = sys.intern(str(get("s") or "")), sys.intern(str(get("o") or ""))  # the view's nodes hold them interned
    text = kept(get("sentence_text"))
    mark = (-1, -1)
    base, end = get("sentence_start"), get("sentence_end")
    if isinstance(base, int) and isinstance(end, int) and end - base == len(text):
        a, b = get("start"), get("end")
        if isinstance(a, int) and isinstance(b, int) and base <= a < b <= end:
            mark = (a - base, b - base)
    p = kept(get("p"))
    return PageRecord(kept(get("doc")), _int(get("article")), _int(get("sentence")), _int(get("start")),
                      _int(get("end")), kept(get("rule")), s, p, o, sys.intern(str(get("p_name") or local_name(p))),
                      kept(get("s_label")), kept(get("o_label")), text, mark, kept(get("article_title")))


def _by_order(rec: PageRecord) -> tuple[Any, ...]:
    """Document order: file, article, sentence, span; then rule and triple (the fields' order)."""
    return rec[:9]


def _fact_key(s: str, rel: str, o: str) -> tuple[str, str, str]:
    return (s, rel, o) if rel not in SYMMETRIC else (min(s, o), rel, max(s, o))


def _evidence(rec: PageRecord, strings: Strings) -> list[Any]:
    """[sentence, mark start, mark end, article title, document, rule, article, sentence no]."""
    return [strings(rec.text), *rec.mark, strings(rec.title), strings(rec.doc), strings(rec.rule), rec.article,
            rec.sentence]


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else -1


def _end_label(iri: str, label: str, index: Mapping[str, int], nodes: Mapping[str, ViewNode]) -> str:
    """Empty for a node in this view (the page has its label), else the best name we have
    (``label``: the record's, or "")."""
    return "" if iri in index else nodes[iri].zh if iri in nodes else label or iri


def page_facts(index: Mapping[str, int], nodes: Mapping[str, ViewNode], edges: Sequence[ViewEdge],
               records: Sequence[PageRecord], strings: Strings) -> dict[str, Any]:
    """One fact per drawn edge, plus recorded facts on drawn nodes that are not edges here
    (literal values, or the other end is outside this view); each with its evidence.
    ``records`` are in document order (``FactIndex.touching``). ``outside``: fact number →
    the IRI of its end that is a node of the graph but not of this view."""
    groups: dict[tuple[str, str, str], list[PageRecord]] = defaultdict(list)
    for rec in records:
        if rec.s in index or rec.o in index:
            groups[_fact_key(rec.s, rec.rel, rec.o)].append(rec)
    evidence: dict[tuple[int, ...], int] = {}
    ev_rows: list[list[Any]] = []
    facts: list[list[Any]] = []
    outside: dict[int, str] = {}

    def add(s: str, rel: str, o: str, records: list[PageRecord], posts: tuple[str, ...] = ()) -> int:
        ids = []
        for rec in records:
            row = _evidence(rec, strings)
            ids.append(evidence.setdefault(tuple(row), len(ev_rows)))  # a row is ints (strings by number)
            if ids[-1] == len(ev_rows):
                ev_rows.append(row)
        s_label, o_label = (records[0].s_label, records[0].o_label) if records else ("", "")
        outside.update((len(facts), end) for end in (s, o) if end not in index and end in nodes)
        facts.append([index.get(s, -1), _end_label(s, s_label, index, nodes), rel,
                      index.get(o, -1), _end_label(o, o_label, index, nodes), list(dict.fromkeys(ids)),
                      *([list(posts)] if posts else [])])
        return len(facts) - 1

    edge_facts = [add(e.s, e.rel, e.o, groups.pop(_fact_key(e.s, e.rel, e.o), []), e.posts) for e in edges]
    for (s, rel, o), recs in sorted(groups.items()):
        add(s, rel, o, recs)
    return {"facts": facts, "evidence": ev_rows, "edge_facts": edge_facts, "outside": outside}

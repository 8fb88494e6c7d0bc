"""The facts a view page lists, each with its evidence from the provenance records
(sentence, match, article title, document, rule), with repeated strings in one table.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any, Callable, Iterable, Mapping, Sequence

from .record_file import RecordFile, index_record
from .view_data import SYMMETRIC, ViewEdge, ViewNode, local_name

__all__ = ["FactIndex", "Strings", "page_facts"]


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
            self.by_node: Mapping[str, list[int]] = provenance.by_node
            self._read: Callable[[list[int]], Sequence[Mapping[str, Any]]] = provenance.at
            return
        records = list(provenance)
        by_node: dict[str, list[int]] = defaultdict(list)
        for k, rec in enumerate(records):
            index_record(by_node, rec, k)
        self.by_node, self._read = by_node, lambda ks: [records[k] for k in ks]

    def touching(self, iris: Iterable[str]) -> list[Mapping[str, Any]]:
        """The records with an end in ``iris``, in document order (a stable sort of them in the
        order given: the order a sort of all records would give them)."""
        by_node, found = self.by_node, set[int]()
        for iri in iris:
            found.update(by_node.get(iri, ()))
        return sorted(self._read(sorted(found)), key=_record_order)


def _fact_key(s: str, rel: str, o: str) -> tuple[str, str, str]:
    return (s, rel, o) if rel not in SYMMETRIC else (min(s, o), rel, max(s, o))


def _evidence(rec: Mapping[str, Any], strings: Strings) -> list[Any]:
    """[sentence, mark start, mark end, article title, document, rule, article, sentence no]."""
    get = rec.get  # about 40,000 records for a 10 MB archive: lookups bound once
    text = str(get("sentence_text") or "")
    mark = (-1, -1)
    base, end = get("sentence_start"), get("sentence_end")
    if isinstance(base, int) and isinstance(end, int) and end - base == len(text):
        a, b = get("start"), get("end")
        if isinstance(a, int) and isinstance(b, int) and base <= a < b <= end:
            mark = (a - base, b - base)
    return [strings(text), *mark, strings(get("article_title")), strings(get("doc")),
            strings(get("rule")), _int(get("article")), _int(get("sentence"))]


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else -1


def _record_order(rec: Mapping[str, Any]) -> tuple[Any, ...]:
    """Document order: file, article, sentence, span; then rule and triple (one tuple, no generators:
    this key is computed for every record a page shows)."""
    get = rec.get
    return (str(get("doc", "")), _int(get("article")), _int(get("sentence")), _int(get("start")), _int(get("end")),
            str(get("rule", "")), str(get("s", "")), str(get("p", "")), str(get("o", "")))


def _end_label(iri: str, key: str, index: Mapping[str, int], nodes: Mapping[str, ViewNode],
               rec: Mapping[str, Any]) -> str:
    """Empty for a node in this view (the page has its label), else the best name we have."""
    return "" if iri in index else nodes[iri].zh if iri in nodes else str(rec.get(key) or iri)


def page_facts(index: Mapping[str, int], nodes: Mapping[str, ViewNode], edges: Sequence[ViewEdge],
               records: Sequence[Mapping[str, Any]], strings: Strings) -> dict[str, Any]:
    """One fact per drawn edge, plus recorded facts on drawn nodes that are not edges here
    (literal values, or the other end is outside this view); each with its evidence.
    ``records`` are in document order (``FactIndex.touching``). ``outside``: fact number →
    the IRI of its end that is a node of the graph but not of this view."""
    groups: dict[tuple[str, str, str], list[Mapping[str, Any]]] = defaultdict(list)
    for rec in records:
        s, o = str(rec.get("s", "")), str(rec.get("o", ""))
        rel = str(rec.get("p_name") or local_name(str(rec.get("p", ""))))
        if s in index or o in index:
            groups[_fact_key(s, rel, o)].append(rec)
    evidence: dict[tuple[int, ...], int] = {}
    ev_rows: list[list[Any]] = []
    facts: list[list[Any]] = []
    outside: dict[int, str] = {}

    def add(s: str, rel: str, o: str, records: list[Mapping[str, Any]], posts: tuple[str, ...] = ()) -> int:
        ids = []
        for rec in records:
            row = _evidence(rec, strings)
            ids.append(evidence.setdefault(tuple(row), len(ev_rows)))  # a row is ints (strings by number)
            if ids[-1] == len(ev_rows):
                ev_rows.append(row)
        first = records[0] if records else {}
        outside.update((len(facts), end) for end in (s, o) if end not in index and end in nodes)
        facts.append([index.get(s, -1), _end_label(s, "s_label", index, nodes, first), rel,
                      index.get(o, -1), _end_label(o, "o_label", index, nodes, first), list(dict.fromkeys(ids)),
                      *([list(posts)] if posts else [])])
        return len(facts) - 1

    edge_facts = [add(e.s, e.rel, e.o, groups.pop(_fact_key(e.s, e.rel, e.o), []), e.posts) for e in edges]
    for (s, rel, o), recs in sorted(groups.items()):
        add(s, rel, o, recs)
    return {"facts": facts, "evidence": ev_rows, "edge_facts": edge_facts, "outside": outside}

"""What the view draws, read from the graph: nodes (class, labels, literal details), edges
(``rc:Post`` folded into the title of an ``affiliatedWith`` edge), and the subgraphs that
``redchain view --focus/--chain`` select. No HTML here.
"""

from __future__ import annotations

import itertools
import re
import sys
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from typing import Any, Callable, Iterable, Iterator, Mapping, Sequence

import pyoxigraph as ox
from rdflib.namespace import RDF, RDFS, SKOS

from .diagnostics import RedchainError
from .model import Diagnostic
from .rdf_text import parse_lines
from .vocab import RC

__all__ = ["CLASSES", "DETAILS", "RELATIONS", "SYMMETRIC", "ViewEdge", "ViewError", "ViewNode", "adjacency", "local_name",
           "read_view_graph", "search_key", "select_subgraph"]

RC_NS = str(RC._NS)
# key: (Chinese, English, vis shape, colour), in order of precedence for multi-typed nodes
CLASSES: dict[str, tuple[str, str, str, str]] = {
    "ChainPartyCommittee": ("产业链党组织", "chain party committee", "star", "#c62828"),
    "PartyOrganization": ("党组织", "party organisation", "diamond", "#ef5350"),
    "Enterprise": ("企业", "enterprise", "square", "#1e88e5"),
    "IndustrialChain": ("产业链", "industrial chain", "hexagon", "#f9a825"),
    "GovernmentBody": ("党政机关", "government body", "square", "#8e24aa"),
    "ResearchInstitution": ("高校院所", "research institution", "triangleDown", "#00897b"),
    "Place": ("地点", "place", "triangle", "#43a047"),
    "Person": ("人物", "person", "dot", "#795548"),
    "OtherOrganization": ("其他组织", "other organisation", "dot", "#78909c"),
    "Unclassified": ("未分类", "unclassified", "dot", "#bdbdbd"),
}
# key: (Chinese, English, colour); the Chinese and English are the ontology's rdfs:labels
RELATIONS: dict[str, tuple[str, str, str]] = {
    "covers": ("覆盖", "covers", "#d32f2f"),
    "servesChain": ("依托产业链", "serves chain", "#f9a825"),
    "leadsChain": ("担任链主", "leads chain", "#ef6c00"),
    "partyOrganizationOf": ("所在单位", "party organisation of", "#1565c0"),
    "subOrganizationOf": ("隶属于", "sub-organisation of", "#ad1457"),
    "secretaryOf": ("担任书记", "secretary of", "#6a1b9a"),
    "affiliatedWith": ("任职于", "affiliated with", "#8d6e63"),
    "partnersWith": ("结对共建", "partners with", "#2e7d32"),
    "locatedIn": ("位于", "located in", "#9e9e9e"),
}
DETAILS: dict[str, tuple[str, str]] = {
    "divisionCode": ("行政区划代码", "division code"), "divisionLevel": ("行政区划级别", "division level"),
    "orgLevel": ("组织层级", "organisation level"), "statedMemberCount": ("所述成员数", "stated member count"),
    "statedMemberCountText": ("所述成员数原文", "stated member count as written"),
    "foundingDate": ("成立时间", "founding date"),
}
SYMMETRIC = {"partnersWith"}
POST_LINKS = {str(RC.holder), str(RC.postIn)}


class ViewError(RedchainError):
    """``focus`` or ``chain`` names no node, or several; nothing was written."""


@dataclass(slots=True)
class ViewNode:
    iri: str
    cls: str = "Unclassified"
    zh: str = ""
    pinyin: str = ""
    en: str = ""
    alts: tuple[str, ...] = ()
    details: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True, order=True)
class ViewEdge:
    s: str
    rel: str
    o: str
    posts: tuple[str, ...] = ()


def local_name(iri: str) -> str:
    return iri[len(RC_NS):] if iri.startswith(RC_NS) else iri


# ── read the graph ────────────────────────────────────────────────────────────────────

def read_view_graph(lines: Iterable[str]) -> tuple[dict[str, ViewNode], list[ViewEdge]]:
    """Every drawable node by IRI, and the sorted edges between them, in one pass over the graph's
    N-Triples ``lines``, which must come grouped by subject (sorted: a build's
    ``rdf_text.LineFile``, ``rdf_text.ntriples_lines(g)``): each subject is read whole and only what
    the view draws of it is kept."""
    nodes: dict[str, ViewNode] = {}
    others: dict[str, ViewNode] = {}  # subjects of no drawable class, should an edge end at one
    edges: set[tuple[str, str, str]] = set()
    post_parts: dict[str, dict[str, list[str]]] = {}
    rank = {name: i for i, name in enumerate(CLASSES)}
    for subject, quads in itertools.groupby(parse_lines(lines), key=lambda quad: quad.subject):
        if type(subject) is not ox.NamedNode:
            continue
        iri, triples = sys.intern(subject.value), [(p.value, o) for _, p, o, _ in quads]
        classes = sorted((rank[cls], cls) for p, o in triples
                         if p == _TYPE and type(o) is ox.NamedNode and (cls := sys.intern(local_name(o.value))) in rank)
        if any(p == _TYPE and type(o) is ox.NamedNode and o.value == _POST for p, o in triples):
            post_parts[iri] = _post_parts(triples)
            continue
        values = [(p, o) for p, o in triples
                  if type(o) is ox.Literal and (p.startswith(RC_NS) or p in (_LABEL, _ALT_LABEL))]
        if classes or values:
            node = ViewNode(iri, classes[0][1]) if classes else ViewNode(iri)
            _label_node(node, values)
            (nodes if classes else others)[iri] = node
        edges.update(_edges_of(iri, triples))
    edges = {(s, rel, o) for s, rel, o in edges if o not in post_parts}  # no edge ends at a post
    folded = _fold_posts(post_parts, edges)
    for edge in folded:
        for end in (edge.s, edge.o):
            if end not in nodes:  # an end of no drawable class
                nodes[end] = others.get(end) or _unlabelled(end)
    return nodes, folded


def _unlabelled(iri: str) -> ViewNode:
    node = ViewNode(iri)
    _label_node(node, [])
    return node


def _post_parts(triples: list[tuple[str, Any]]) -> dict[str, list[str]]:
    parts: dict[str, list[str]] = defaultdict(list)
    for pred, obj in triples:
        parts[pred].append(obj.value)
    return parts


def _edges_of(iri: str, triples: list[tuple[str, Any]]) -> Iterator[tuple[str, str, str]]:
    """The rc: links from ``iri`` to other IRIs; a symmetric relation's ends in order."""
    for pred, obj in triples:
        if type(obj) is ox.NamedNode and pred.startswith(RC_NS) and pred not in POST_LINKS:
            # interned: the edges share their ends' IRIs with the nodes and each other (~150 bytes an edge)
            rel, target = sys.intern(pred[len(RC_NS):]), sys.intern(obj.value)
            yield (iri, rel, target) if rel not in SYMMETRIC or iri <= target else (target, rel, iri)


_TYPE, _POST = str(RDF.type), str(RC.Post)  # looking a name up in an rdflib namespace costs ~5 µs
_LABEL, _ALT_LABEL = str(RDFS.label), str(SKOS.altLabel)
_HOLDER, _POST_IN, _POST_TITLE = str(RC.holder), str(RC.postIn), str(RC.postTitle)


def _fold_posts(post_parts: Mapping[str, Mapping[str, list[str]]], edges: set[tuple[str, str, str]]) -> list[ViewEdge]:
    """A post becomes the title on its holder's affiliatedWith edge (added if missing)."""
    titles: dict[tuple[str, str], set[str]] = defaultdict(set)
    for parts in post_parts.values():
        for holder in parts.get(_HOLDER, ()):
            for org in parts.get(_POST_IN, ()):
                titles[(holder, org)].update(parts.get(_POST_TITLE, ()))
    edges.update((s, "affiliatedWith", o) for s, o in titles)
    # sorted as ViewEdge sorts: (s, rel, o) is unique, so the posts never decide
    return [ViewEdge(s, rel, o, tuple(sorted(titles.get((s, o), ()))) if rel == "affiliatedWith" else ())
            for s, rel, o in sorted(edges)]


def _label_node(node: ViewNode, values: list[tuple[str, ox.Literal]]) -> None:
    by_lang: dict[str, list[str]] = defaultdict(list)
    alts, details = set(), set()
    for pred, value in values:
        if pred == _LABEL:
            by_lang[(value.language or "").lower()].append(value.value)
        elif pred == _ALT_LABEL:
            alts.add(value.value)
        else:
            details.add((sys.intern(pred[len(RC_NS):]), value.value))
    pick = {lang: min(found) for lang, found in by_lang.items()}
    node.zh = pick.get("zh") or pick.get("zh-hans") or pick.get("") or _fallback_name(node.iri)
    node.pinyin = pick.get("zh-latn-pinyin", "")
    node.en = pick.get("en", "")
    node.alts = tuple(sorted(alts - {node.zh}))
    node.details = tuple(sorted(details))


def _fallback_name(iri: str) -> str:
    return re.split(r"[/#]", iri.rstrip("/#"))[-1] or iri


# ── subgraphs ─────────────────────────────────────────────────────────────────────────

@cache
def _t2s() -> Any:
    import opencc

    return opencc.OpenCC("t2s.json")


def search_key(text: str) -> str:
    """Search key: Simplified, no tones, no case, no spaces or punctuation (jiāng xī → jiangxi),
    ü as v with or without a tone (lǜ → lv)."""
    text = re.sub("[uU]\u0308", "v", unicodedata.normalize("NFD", str(_t2s().convert(text))))
    return "".join(ch for ch in text.lower() if ch.isalnum() and not unicodedata.combining(ch))


def _resolve(nodes: Mapping[str, ViewNode], name: str, classes: Iterable[str], what: str) -> str:
    pool = [n for n in nodes.values() if n.cls in set(classes)]
    key = search_key(name)
    tiers = [[n for n in pool if n.iri == name], [n for n in pool if search_key(n.zh) == key],
             [n for n in pool if key in {search_key(x) for x in (*n.alts, n.pinyin, n.en) if x}]]
    for found in tiers:
        if len(found) == 1:
            return found[0].iri
        if found:
            names = "、".join(sorted(f"{n.zh} <{n.iri}>" for n in found)[:5])
            raise ViewError([Diagnostic("redchain view", "C001", f"{what} '{name}' names {len(found)} nodes; "
                                        "nothing written", hint=f"give one of them by IRI: {names}")])
    raise ViewError([Diagnostic("redchain view", "C001", f"no node is named '{name}' ({what}); nothing written",
                                hint="give the Chinese label, pinyin, English label or IRI")])


def adjacency(edges: Iterable[ViewEdge]) -> dict[str, set[str]]:
    adj: dict[str, set[str]] = defaultdict(set)
    for e in edges:
        adj[e.s].add(e.o)
        adj[e.o].add(e.s)
    return adj


def _within(adj: Mapping[str, set[str]], start: set[str], depth: int,
            allowed: Callable[[str], bool] | None = None) -> set[str]:
    seen, frontier = set(start), set(start)
    for _ in range(max(depth, 0)):
        frontier = {m for n in frontier for m in adj.get(n, ()) if m not in seen and (allowed is None or allowed(m))}
        seen |= frontier
    return seen


def _chain_nodes(nodes: Mapping[str, ViewNode], edges: Sequence[ViewEdge], chain: str) -> set[str]:
    """The chain, its committees (and their sub-organisations), what they cover, partner and
    lead, those party organisations' units, then people and places within 2 hops."""
    root = _resolve(nodes, chain, ["IndustrialChain"], "chain")
    committees = {e.s for e in edges if e.rel == "servesChain" and e.o == root}
    committees |= {e.s for e in edges if e.rel == "subOrganizationOf" and e.o in committees}
    keep = {root} | committees | {e.s for e in edges if e.rel == "leadsChain" and e.o == root}
    for e in edges:
        if e.rel == "covers" and e.s in committees:
            keep.add(e.o)
        elif e.rel == "partnersWith" and {e.s, e.o} & committees:
            keep |= {e.s, e.o}
    keep |= {e.o for e in edges if e.rel == "partyOrganizationOf" and e.s in keep}
    return _within(adjacency(edges), keep, 2, lambda n: nodes[n].cls in ("Person", "Place"))


def select_subgraph(nodes: dict[str, ViewNode], edges: list[ViewEdge], focus: str | None, depth: int,
                    chain: str | None) -> tuple[list[str], list[ViewEdge]]:
    """The sorted IRIs and the edges of the whole graph, or of ``chain``'s part, or of the
    ``depth``-neighbourhood of ``focus`` (within the chain's part when both are given)."""
    keep = set(nodes)
    if chain:
        keep = _chain_nodes(nodes, edges, chain)
    if focus:
        inner = [e for e in edges if e.s in keep and e.o in keep]
        start = _resolve({i: nodes[i] for i in keep}, focus, CLASSES, "focus")
        keep = _within(adjacency(inner), {start}, depth)
    return sorted(keep), [e for e in edges if e.s in keep and e.o in keep]

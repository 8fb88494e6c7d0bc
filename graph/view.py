"""The interactive view: one self-contained ``graph.html`` that works with no network.

pyvis generates the network data and vis-network options (``Network.nodes``/``edges``
filled directly: ``add_node`` is quadratic and drops colours with groups); its own
template is not used, because it emits Bootstrap CDN tags even with ``in_line``.
``data/view/template.html`` inlines vis-network (from pyvis's package), our CSS and
``view.js``; the data is JSON in a ``<script type="application/json">`` block with
``<``, ``>``, ``&``, U+2028 and U+2029 escaped, and the page builds its DOM with
``textContent`` only. A Content-Security-Policy allows just the page's own two scripts
(by hash) and no request at all.

Positions are computed here (force-directed with a neighbour cut-off, fixed seed,
components packed on shelves), physics is off, so the page draws once and stays put.
``rc:Post`` nodes are not drawn: their titles label the Person→organisation
``affiliatedWith`` edge (董事长), which the panel also shows with its evidence.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import math
import os
import re
import tempfile
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Sequence

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS

from .diagnostics import RedchainError
from .model import Diagnostic
from .resources import data_path
from .vocab import ID, RC

__all__ = ["ViewError", "ViewStats", "render_html"]

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
UNIT_PX = 130  # one layout unit (the ideal edge length) in canvas pixels
LAYOUT_SEED = 20240601
DENSE, NEIGHBOURS = 3000, 12  # see _force_layout


@dataclass(frozen=True, slots=True)
class ViewStats:
    nodes: int
    edges: int


class ViewError(RedchainError):
    """``focus`` or ``chain`` names no node, or several; nothing was written."""


@dataclass(slots=True)
class _Node:
    iri: str
    cls: str = "Unclassified"
    zh: str = ""
    pinyin: str = ""
    en: str = ""
    alts: tuple[str, ...] = ()
    details: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True, order=True)
class _Edge:
    s: str
    rel: str
    o: str
    posts: tuple[str, ...] = ()


# ── read the graph ────────────────────────────────────────────────────────────────────

def _local(iri: str) -> str:
    return iri[len(RC_NS):] if iri.startswith(RC_NS) else iri


def _read_nodes(g: Graph, posts: set[str]) -> dict[str, _Node]:
    nodes: dict[str, _Node] = {}
    rank = {name: i for i, name in enumerate(CLASSES)}
    for s, o in g.subject_objects(RDF.type):
        cls, iri = _local(str(o)), str(s)
        if isinstance(s, URIRef) and iri not in posts and cls in rank:
            node = nodes.setdefault(iri, _Node(iri))
            if node.cls == "Unclassified" or rank[cls] < rank[node.cls]:
                node.cls = cls
    return nodes


def _read_edges(g: Graph, posts: set[str]) -> tuple[list[_Edge], dict[str, list[tuple[str, str]]]]:
    edges: set[_Edge] = set()
    literals: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for s, p, o in g:
        sp, ss = str(p), str(s)
        if not sp.startswith(RC_NS) or ss in posts or not isinstance(s, URIRef):
            continue
        rel = sp[len(RC_NS):]
        if isinstance(o, URIRef) and sp not in POST_LINKS and str(o) not in posts:
            a, b = (ss, str(o)) if rel not in SYMMETRIC else sorted((ss, str(o)))
            edges.add(_Edge(a, rel, b))
        elif isinstance(o, Literal):
            literals[ss].append((rel, str(o)))
    return _fold_posts(g, posts, edges), literals


def _fold_posts(g: Graph, posts: set[str], edges: set[_Edge]) -> list[_Edge]:
    """A post becomes the title on its holder's affiliatedWith edge (added if missing)."""
    titles: dict[tuple[str, str], set[str]] = defaultdict(set)
    for post in posts:
        ref = URIRef(post)
        for holder in g.objects(ref, RC.holder):
            for org in g.objects(ref, RC.postIn):
                titles[(str(holder), str(org))].update(str(t) for t in g.objects(ref, RC.postTitle))
    for s, o in titles:
        edges.add(_Edge(s, "affiliatedWith", o))
    return sorted(_Edge(e.s, e.rel, e.o, tuple(sorted(titles.get((e.s, e.o), ()))))
                  if e.rel == "affiliatedWith" else e for e in edges)


def _label_node(g: Graph, node: _Node, literals: list[tuple[str, str]]) -> None:
    by_lang: dict[str, list[str]] = defaultdict(list)
    for label in g.objects(URIRef(node.iri), RDFS.label):
        by_lang[(getattr(label, "language", None) or "").lower()].append(str(label))
    pick = {lang: min(values) for lang, values in by_lang.items()}
    node.zh = pick.get("zh") or pick.get("zh-hans") or pick.get("") or _fallback_name(node.iri)
    node.pinyin = pick.get("zh-latn-pinyin", "")
    node.en = pick.get("en", "")
    node.alts = tuple(sorted({str(a) for a in g.objects(URIRef(node.iri), SKOS.altLabel)} - {node.zh}))
    node.details = tuple(sorted(set(literals)))


def _fallback_name(iri: str) -> str:
    return re.split(r"[/#]", iri.rstrip("/#"))[-1] or iri


def _read_graph(g: Graph) -> tuple[dict[str, _Node], list[_Edge]]:
    posts = {str(s) for s in g.subjects(RDF.type, RC.Post)}
    nodes = _read_nodes(g, posts)
    edges, literals = _read_edges(g, posts)
    for edge in edges:
        nodes.setdefault(edge.s, _Node(edge.s))
        nodes.setdefault(edge.o, _Node(edge.o))
    for node in nodes.values():
        _label_node(g, node, literals.get(node.iri, []))
    return nodes, edges


# ── subgraphs ─────────────────────────────────────────────────────────────────────────

@cache
def _t2s() -> Any:
    import opencc

    return opencc.OpenCC("t2s.json")


def _key(text: str) -> str:
    """Search key: Simplified, no tones, no case, no spaces or punctuation (jiāng xī → jiangxi)."""
    text = unicodedata.normalize("NFD", str(_t2s().convert(text)).replace("ü", "v"))
    return "".join(ch for ch in text.lower() if ch.isalnum() and not unicodedata.combining(ch))


def _resolve(nodes: Mapping[str, _Node], name: str, classes: Iterable[str], what: str) -> str:
    pool = [n for n in nodes.values() if n.cls in set(classes)]
    key = _key(name)
    tiers = [[n for n in pool if n.iri == name], [n for n in pool if _key(n.zh) == key],
             [n for n in pool if key in {_key(x) for x in (*n.alts, n.pinyin, n.en) if x}]]
    for found in tiers:
        if len(found) == 1:
            return found[0].iri
        if found:
            names = "、".join(sorted(f"{n.zh} <{n.iri}>" for n in found)[:5])
            raise ViewError([Diagnostic("redchain view", "C001", f"{what} '{name}' names {len(found)} nodes; "
                                        "nothing written", hint=f"give one of them by IRI: {names}")])
    raise ViewError([Diagnostic("redchain view", "C001", f"no node is named '{name}' ({what}); nothing written",
                                hint="give the Chinese label, pinyin, English label or IRI")])


def _adjacency(edges: Sequence[_Edge]) -> dict[str, set[str]]:
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


def _chain_nodes(nodes: Mapping[str, _Node], edges: Sequence[_Edge], chain: str) -> set[str]:
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
    return _within(_adjacency(edges), keep, 2, lambda n: nodes[n].cls in ("Person", "Place"))


def _subset(nodes: dict[str, _Node], edges: list[_Edge], focus: str | None, depth: int,
            chain: str | None) -> tuple[list[str], list[_Edge]]:
    keep = set(nodes)
    if chain:
        keep = _chain_nodes(nodes, edges, chain)
    if focus:
        inner = [e for e in edges if e.s in keep and e.o in keep]
        start = _resolve({i: nodes[i] for i in keep}, focus, CLASSES, "focus")
        keep = _within(_adjacency(inner), {start}, depth)
    return sorted(keep), [e for e in edges if e.s in keep and e.o in keep]


# ── layout ────────────────────────────────────────────────────────────────────────────

def _components(n: int, pairs: Sequence[tuple[int, int, float]]) -> list[list[int]]:
    parent = list(range(n))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for a, b, _ in pairs:
        parent[find(a)] = find(b)
    groups: dict[int, list[int]] = defaultdict(list)
    for i in range(n):
        groups[find(i)].append(i)
    return sorted(groups.values(), key=lambda c: (-len(c), c[0]))


def _force_layout(n: int, pairs: Sequence[tuple[int, int, float]], seed: int) -> Any:
    """Fruchterman-Reingold (k = 1 unit) with repulsion cut off at 2.5 units, their grid
    variant: each step costs O(n + edges), so 5,000 nodes take seconds, not minutes.

    A large component (over ``DENSE`` nodes) gathers around its hubs (a province with
    thousands of places and companies in it), where a node can have hundreds of
    neighbours within the cut-off and a step grows towards O(n²); there each node is
    pushed by its ``NEIGHBOURS`` nearest only, so a step stays O(n)."""
    import numpy as np
    from scipy.spatial import cKDTree

    rng = np.random.default_rng(seed)
    side = math.sqrt(n) * 1.5
    pos = rng.uniform(-side / 2, side / 2, (n, 2))
    links = np.asarray([(a, b) for a, b, _ in pairs], dtype=np.int64).reshape(-1, 2)
    strength = np.asarray([w for _, _, w in pairs], dtype=float)
    steps, cutoff = (250 if n < 1500 else 160 if n <= DENSE else 120), 2.5

    def push(disp: Any, pairs_: Any, weight: Any) -> None:  # disp[i] += w·(pos_i − pos_j), disp[j] −= it
        d = pos[pairs_[:, 0]] - pos[pairs_[:, 1]]
        dist = np.maximum(np.hypot(d[:, 0], d[:, 1]), 1e-3)
        for axis in (0, 1):
            f = d[:, axis] * weight(dist)
            disp[:, axis] += np.bincount(pairs_[:, 0], f, n) - np.bincount(pairs_[:, 1], f, n)

    def near(tree: Any) -> Any:
        if n <= DENSE:
            return tree.query_pairs(cutoff, output_type="ndarray")
        _dist, idx = tree.query(pos, k=NEIGHBOURS + 1, distance_upper_bound=cutoff)
        rows, cols = np.repeat(np.arange(n), NEIGHBOURS), idx[:, 1:].reshape(-1)
        found = cols < n  # a missing neighbour comes back as index n
        lo, hi = np.minimum(rows[found], cols[found]), np.maximum(rows[found], cols[found])
        keys = np.unique(lo * n + hi)  # each pair once, whichever end found the other
        return np.stack([keys // n, keys % n], axis=1)

    for step in range(steps):
        disp = -pos * 0.002  # a little gravity keeps the component round
        push(disp, near(cKDTree(pos)), lambda dist: 1.6 / dist**2 * (1 - dist / cutoff))
        push(disp, links, lambda dist: -dist * strength)
        length = np.maximum(np.hypot(disp[:, 0], disp[:, 1]), 1e-9)
        temp = side / 6 * (1 - step / steps) + 0.02
        pos += disp * (np.minimum(length, temp) / length)[:, None]
    return pos - pos.mean(axis=0)


def _layout(n: int, pairs: Sequence[tuple[int, int, float]]) -> list[tuple[int, int]]:
    """Each connected component laid out on its own, then packed in rows, largest first."""
    comps = _components(n, pairs)
    where = {v: (k, i) for k, comp in enumerate(comps) for i, v in enumerate(comp)}
    local: list[list[tuple[int, int, float]]] = [[] for _ in comps]
    for a, b, w in pairs:
        (ka, ia), (_, ib) = where[a], where[b]
        local[ka].append((ia, ib, w))
    boxes = []
    for k, comp in enumerate(comps):
        if len(comp) < 3:
            xy = [(i - (len(comp) - 1) / 2, 0.0) for i in range(len(comp))]
        else:
            xy = [(float(x), float(y)) for x, y in _force_layout(len(comp), local[k], LAYOUT_SEED + len(comp))]
        boxes.append(xy)
    return _pack(comps, boxes, n)


def _pack(comps: list[list[int]], boxes: list[list[tuple[float, float]]], n: int) -> list[tuple[int, int]]:
    out = [(0, 0)] * n
    if not boxes:
        return out
    extents = [(min(x for x, _ in b), min(y for _, y in b), max(x for x, _ in b), max(y for _, y in b))
               for b in boxes]
    row_width = max(max(x1 - x0 for x0, _, x1, _ in extents) + 2,
                    math.sqrt(sum((x1 - x0 + 2) * (y1 - y0 + 2) for x0, y0, x1, y1 in extents)) * 1.3)
    cx = cy = row_h = 0.0
    for comp, xy, (x0, y0, x1, y1) in zip(comps, boxes, extents):
        if cx > 0 and cx + (x1 - x0) > row_width:
            cx, cy, row_h = 0.0, cy + row_h + 1.5, 0.0
        for v, (x, y) in zip(comp, xy):
            out[v] = (round((cx + x - x0) * UNIT_PX), round((cy + y - y0) * UNIT_PX))
        cx += x1 - x0 + 1.5
        row_h = max(row_h, y1 - y0)
    return out


# ── facts and evidence ────────────────────────────────────────────────────────────────

class _Strings:
    """A string table: sentences, titles, documents and rules repeat across records."""

    def __init__(self) -> None:
        self.index: dict[str, int] = {}

    def __call__(self, text: Any) -> int:
        return self.index.setdefault(str(text or ""), len(self.index))

    def table(self) -> list[str]:
        return list(self.index)


def _fact_key(s: str, rel: str, o: str) -> tuple[str, str, str]:
    return (s, rel, o) if rel not in SYMMETRIC else (min(s, o), rel, max(s, o))


def _evidence(rec: Mapping[str, Any], strings: _Strings) -> list[Any]:
    """[sentence, mark start, mark end, article title, document, rule, article, sentence no]."""
    text = str(rec.get("sentence_text") or "")
    mark = (-1, -1)
    base, end = rec.get("sentence_start"), rec.get("sentence_end")
    if isinstance(base, int) and isinstance(end, int) and end - base == len(text):
        a, b = rec.get("start"), rec.get("end")
        if isinstance(a, int) and isinstance(b, int) and base <= a < b <= end:
            mark = (a - base, b - base)
    return [strings(text), *mark, strings(rec.get("article_title")), strings(rec.get("doc")),
            strings(rec.get("rule")), _int(rec.get("article")), _int(rec.get("sentence"))]


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else -1


def _record_order(rec: Mapping[str, Any]) -> tuple[Any, ...]:
    """Document order: file, article, sentence, span; then rule and triple."""
    return (str(rec.get("doc", "")), *(_int(rec.get(k)) for k in ("article", "sentence", "start", "end")),
            *(str(rec.get(k, "")) for k in ("rule", "s", "p", "o")))


def _end_label(iri: str, key: str, index: Mapping[str, int], nodes: Mapping[str, _Node],
               rec: Mapping[str, Any]) -> str:
    """Empty for a node in this view (the page has its label), else the best name we have."""
    return "" if iri in index else nodes[iri].zh if iri in nodes else str(rec.get(key) or iri)


def _facts(index: Mapping[str, int], nodes: Mapping[str, _Node], edges: Sequence[_Edge],
           provenance: Sequence[Mapping[str, Any]], strings: _Strings) -> dict[str, Any]:
    """One fact per drawn edge, plus recorded facts on drawn nodes that are not edges here
    (literal values, or the other end is outside this view); each with its evidence."""
    groups: dict[tuple[str, str, str], list[Mapping[str, Any]]] = defaultdict(list)
    for rec in sorted(provenance, key=_record_order):
        s, o = str(rec.get("s", "")), str(rec.get("o", ""))
        rel = str(rec.get("p_name") or _local(str(rec.get("p", ""))))
        if s in index or o in index:
            groups[_fact_key(s, rel, o)].append(rec)
    evidence: dict[str, int] = {}
    ev_rows: list[list[Any]] = []
    facts: list[list[Any]] = []

    def add(s: str, rel: str, o: str, records: list[Mapping[str, Any]], posts: tuple[str, ...] = ()) -> int:
        ids = []
        for rec in records:
            row = _evidence(rec, strings)
            ids.append(evidence.setdefault(json.dumps(row), len(ev_rows)))
            if ids[-1] == len(ev_rows):
                ev_rows.append(row)
        first = records[0] if records else {}
        facts.append([index.get(s, -1), _end_label(s, "s_label", index, nodes, first), rel,
                      index.get(o, -1), _end_label(o, "o_label", index, nodes, first), list(dict.fromkeys(ids)),
                      *([list(posts)] if posts else [])])
        return len(facts) - 1

    edge_facts = [add(e.s, e.rel, e.o, groups.pop(_fact_key(e.s, e.rel, e.o), []), e.posts) for e in edges]
    for (s, rel, o), records in sorted(groups.items()):
        add(s, rel, o, records)
    return {"facts": facts, "evidence": ev_rows, "edge_facts": edge_facts}


# ── payload ───────────────────────────────────────────────────────────────────────────

def _canvas_label(node: _Node) -> str:
    """Short enough for the canvas: a declared short name for long names, two lines, middle elided."""
    name = node.zh
    if len(name) > 12:
        short = sorted((a for a in node.alts if 2 <= len(a) <= 10 and len(a) < len(name)), key=lambda a: (len(a), a))
        name = short[0] if short else name
    if len(name) <= 8:
        return name
    if len(name) <= 16:
        half = (len(name) + 1) // 2
        return name[:half] + "\n" + name[half:]
    return name[:8] + "\n…" + name[-7:]


def _node_meta(node: _Node, fact_ids: list[int]) -> dict[str, Any]:
    iri = node.iri[len(str(ID)):] if node.iri.startswith(str(ID)) else node.iri
    meta: dict[str, Any] = {"i": iri, "zh": node.zh, "f": fact_ids}
    for key, value in (("py", node.pinyin), ("en", node.en), ("alt", list(node.alts)),
                       ("d", [list(d) for d in node.details])):
        if value:
            meta[key] = value
    return meta


def _legend(nodes: Iterable[_Node], edges: Sequence[_Edge]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    counts: dict[str, int] = defaultdict(int)
    for node in nodes:
        counts[node.cls] += 1
    classes = [{"key": k, "zh": zh, "en": en, "shape": shape, "color": color, "count": counts[k]}
               for k, (zh, en, shape, color) in CLASSES.items()]
    rel_counts: dict[str, int] = defaultdict(int)
    for e in edges:
        rel_counts[e.rel] += 1
    known = [r for r in RELATIONS if rel_counts[r]] + sorted(set(rel_counts) - set(RELATIONS))
    relations = [{"key": r, "zh": RELATIONS.get(r, (r, r, ""))[0], "en": RELATIONS.get(r, (r, r, ""))[1],
                  "color": RELATIONS.get(r, ("", "", "#607d8b"))[2], "count": rel_counts[r]} for r in known]
    return [c for c in classes if c["count"]], relations


def _vis_options(n_nodes: int) -> dict[str, Any]:
    large = n_nodes > 1500
    font = "'Noto Sans CJK SC','Source Han Sans SC','PingFang SC','Microsoft YaHei','WenQuanYi Micro Hei',sans-serif"
    return {
        "autoResize": True,
        "physics": {"enabled": False},
        "layout": {"improvedLayout": False, "randomSeed": 1},
        "interaction": {"hover": True, "hideEdgesOnDrag": large, "hideEdgesOnZoom": large,
                        "tooltipDelay": 150, "multiselect": False, "navigationButtons": False},
        "nodes": {"font": {"size": 14, "face": font, "color": "#212121", "strokeWidth": 3, "strokeColor": "#ffffff"},
                  "borderWidth": 1, "scaling": {"min": 8, "max": 30, "label": {
                      "enabled": True, "min": 12, "max": 22, "drawThreshold": 6, "maxVisible": 40}}},
        "edges": {"arrows": {"to": {"enabled": True, "scaleFactor": 0.5}}, "smooth": False, "width": 1.2,
                  "scaling": {"label": {"drawThreshold": 8}},  # relation labels once zoomed in
                  "font": {"size": 11, "face": font, "color": "#555555", "strokeWidth": 3,
                           "strokeColor": "#ffffff", "align": "horizontal"},
                  "selectionWidth": 2, "hoverWidth": 1},
        "groups": {k: {"shape": shape, "color": {"background": color, "border": "#37474f",
                                                 "highlight": {"background": color, "border": "#000000"},
                                                 "hover": {"background": color, "border": "#000000"}}}
                   for k, (_, _, shape, color) in CLASSES.items()},
    }


def _network(order: list[str], nodes: Mapping[str, _Node], edges: Sequence[_Edge]) -> tuple[list[Any], list[Any], Any]:
    """pyvis generates the vis-network data and options (its lists filled directly)."""
    from pyvis.network import Network

    index = {iri: i for i, iri in enumerate(order)}
    # where a thing is located pulls less than what it belongs to: clusters follow the chains
    pairs = [(index[e.s], index[e.o], 0.3 if e.rel == "locatedIn" else 1.0) for e in edges if e.s != e.o]
    xy = _layout(len(order), pairs)
    degree = [0] * len(order)
    for a, b, _ in pairs:
        degree[a] += 1
        degree[b] += 1
    net = Network(height="100%", width="100%", directed=True, cdn_resources="in_line")
    net.nodes = [{"id": i, "label": _canvas_label(nodes[iri]), "group": nodes[iri].cls, "x": xy[i][0], "y": xy[i][1],
                  "value": round(math.sqrt(degree[i] + 1), 2)} for i, iri in enumerate(order)]
    net.node_ids = list(range(len(order)))
    net.node_map = {n["id"]: n for n in net.nodes}
    net.edges = [_vis_edge(k, e, index) for k, e in enumerate(edges)]
    net.options = _vis_options(len(order))
    vis_nodes, vis_edges, _heading, _height, _width, options = net.get_network_data()
    return vis_nodes, vis_edges, json.loads(options)


def _vis_edge(k: int, e: _Edge, index: Mapping[str, int]) -> dict[str, Any]:
    zh, en, color = RELATIONS.get(e.rel, (e.rel, e.rel, "#607d8b"))
    edge: dict[str, Any] = {"id": k, "from": index[e.s], "to": index[e.o], "color": color,
                            "label": "、".join(e.posts) if e.posts else f"{zh} {en}"}
    if e.rel in SYMMETRIC:
        edge.update(arrows={"to": {"enabled": False}}, dashes=True)
    return edge


# ── the page ──────────────────────────────────────────────────────────────────────────

_JSON_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def _json_for_html(data: Any) -> str:
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return re.sub("[<>&\u2028\u2029]", lambda m: _JSON_ESCAPES[m.group()], text)


@cache
def _vis_network_js() -> str:
    import pyvis

    lib = Path(pyvis.__file__).parent / "templates" / "lib" / "vis-9.1.2" / "vis-network.min.js"
    return re.sub(r"\n//# sourceMappingURL=\S*\s*$", "\n", lib.read_text(encoding="utf-8"))


def _csp_hash(script: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii") + "'"


def _page(payload: Mapping[str, Any], title: str) -> str:
    folder = data_path("view")
    scripts = {"VIS": _vis_network_js(), "APP": (folder / "view.js").read_text(encoding="utf-8")}
    for name, script in scripts.items():
        if re.search(r"</script|<!--", script, re.IGNORECASE):
            raise ValueError(f"{name} script cannot be inlined: it contains '</script' or '<!--'")
    parts = {
        "TITLE": html.escape(title, quote=True),
        "CSP": " ".join(_csp_hash(s) for s in scripts.values()),
        "CSS": (folder / "view.css").read_text(encoding="utf-8"),
        "DATA": _json_for_html(payload),
        **scripts,
    }
    template = (folder / "template.html").read_text(encoding="utf-8")
    return re.sub(r"\{\{([A-Z]+)\}\}", lambda m: parts[m.group(1)], template)


def _write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as out:
            out.write(text)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def render_html(g: Graph, provenance: Sequence[Mapping[str, Any]], path: Path | str, *,
                focus: str | None = None, depth: int = 1, chain: str | None = None,
                title: str = "redchain") -> ViewStats:
    """Write the interactive view of ``g`` (or of the subgraph ``focus``/``depth``, ``chain``)
    to ``path`` as one self-contained HTML file; the same input gives the same bytes."""
    nodes, edges = _read_graph(g)
    order, edges = _subset(nodes, edges, focus, depth, chain)
    index = {iri: i for i, iri in enumerate(order)}
    strings = _Strings()
    facts = _facts(index, nodes, edges, provenance, strings)
    node_facts: list[set[int]] = [set() for _ in order]
    for f, fact in enumerate(facts["facts"]):
        for end in {fact[0], fact[3]} - {-1}:
            node_facts[end].add(f)
    classes, relations = _legend((nodes[i] for i in order), edges)
    vis_nodes, vis_edges, options = _network(order, nodes, edges)
    payload = {
        "version": 1, "title": title, "base": str(ID), "legend": classes,
        "relations": relations, "nodes": vis_nodes, "edges": vis_edges, "options": options,
        "meta": [_node_meta(nodes[iri], sorted(node_facts[i])) for i, iri in enumerate(order)],
        "edgeMeta": [{"r": e.rel, "f": facts["edge_facts"][k]} for k, e in enumerate(edges)],
        "facts": facts["facts"], "evidence": facts["evidence"], "strings": strings.table(),
        "labels": {"relations": {k: [zh, en] for k, (zh, en, _) in RELATIONS.items()},
                   "details": {k: list(v) for k, v in DETAILS.items()}},
    }
    _write_atomic(Path(path), _page(payload, title))
    return ViewStats(nodes=len(order), edges=len(edges))

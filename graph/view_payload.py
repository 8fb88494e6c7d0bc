"""The data of one network page: vis-network nodes, edges and options,
positions from ``layout.py``, the legend, node metadata and the facts with their evidence.
"""

from __future__ import annotations

import math
from collections import defaultdict
from typing import Any, Callable, Iterable, Mapping, Sequence

from .layout import KnownLayouts, compute_layout
from .view_data import CLASSES, DETAILS, RELATIONS, SYMMETRIC, ViewEdge, ViewNode
from .view_facts import FactIndex, Strings, page_facts
from .vocab import ID

__all__ = ["FONT", "page_payload", "vis_options"]

# Latin fonts first, then CJK ones (Chinese falls through to them glyph by glyph): WenQuanYi
# Micro Hei, the CJK font of many Linux desktops, claims pinyin's third-tone vowels (ǐ, ǎ, ǔ)
# but draws them blank, so a CJK-first stack showed "jǐng" as "j ng" there.
FONT = ("'Segoe UI','Helvetica Neue',Arial,'Noto Sans','DejaVu Sans','Noto Sans CJK SC','Source Han Sans SC',"
        "'PingFang SC','Microsoft YaHei','WenQuanYi Micro Hei',sans-serif")


def page_payload(order: list[str], nodes: Mapping[str, ViewNode], edges: Sequence[ViewEdge],
                 facts_index: FactIndex, title: str, *,
                 link: Callable[[str], str | None] | None = None, layouts: KnownLayouts | None = None) -> dict[str, Any]:
    """Everything ``view.js`` needs to draw the nodes ``order`` (IRIs) and ``edges``. With
    ``link`` (IRI → the address of the page that draws it), ``outside`` maps each fact with
    an end on another page to that address. ``layouts``: see ``layout.compute_layout``."""
    index = {iri: i for i, iri in enumerate(order)}
    strings = Strings()
    facts = page_facts(index, nodes, edges, facts_index.touching(order), strings)
    node_facts: list[set[int]] = [set() for _ in order]
    for f, fact in enumerate(facts["facts"]):
        for end in {fact[0], fact[3]} - {-1}:
            node_facts[end].add(f)
    classes, relations = _legend((nodes[i] for i in order), edges)
    vis_nodes, vis_edges, options = _network(order, nodes, edges, layouts)
    payload = {
        "version": 1, "title": title, "base": str(ID), "legend": classes,
        "relations": relations, "nodes": vis_nodes, "edges": vis_edges, "options": options,
        "meta": [_node_meta(nodes[iri], sorted(node_facts[i])) for i, iri in enumerate(order)],
        "edgeMeta": [{"r": e.rel, "f": facts["edge_facts"][k]} for k, e in enumerate(edges)],
        "facts": facts["facts"], "evidence": facts["evidence"], "strings": strings.table(),
        "labels": {"relations": {k: [zh, en] for k, (zh, en, _) in RELATIONS.items()},
                   "details": {k: list(v) for k, v in DETAILS.items()}},
    }
    if link is not None:
        targets = {f: link(iri) for f, iri in facts["outside"].items()}
        payload["outside"] = {str(f): href for f, href in sorted(targets.items()) if href}
    return payload


def _canvas_label(node: ViewNode) -> str:
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


def _node_meta(node: ViewNode, fact_ids: list[int]) -> dict[str, Any]:
    iri = node.iri[len(str(ID)):] if node.iri.startswith(str(ID)) else node.iri
    meta: dict[str, Any] = {"i": iri, "zh": node.zh, "f": fact_ids}
    for key, value in (("py", node.pinyin), ("en", node.en), ("alt", list(node.alts)),
                       ("d", [list(d) for d in node.details])):
        if value:
            meta[key] = value
    return meta


def _legend(nodes: Iterable[ViewNode], edges: Sequence[ViewEdge]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
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


def vis_options(n_nodes: int) -> dict[str, Any]:
    large = n_nodes > 1500
    return {
        "autoResize": True,
        "physics": {"enabled": False},
        "layout": {"improvedLayout": False, "randomSeed": 1},
        "interaction": {"hover": True, "hideEdgesOnDrag": large, "hideEdgesOnZoom": large,
                        "tooltipDelay": 150, "multiselect": False, "navigationButtons": False},
        "nodes": {"font": {"size": 14, "face": FONT, "color": "#212121", "strokeWidth": 3, "strokeColor": "#ffffff"},
                  "borderWidth": 1, "scaling": {"min": 8, "max": 30, "label": {
                      "enabled": True, "min": 12, "max": 22, "drawThreshold": 6, "maxVisible": 40}}},
        "edges": {"arrows": {"to": {"enabled": True, "scaleFactor": 0.5}}, "smooth": False, "width": 1.2,
                  "scaling": {"label": {"drawThreshold": 8}},  # relation labels once zoomed in
                  "font": {"size": 11, "face": FONT, "color": "#555555", "strokeWidth": 3,
                           "strokeColor": "#ffffff", "align": "horizontal"},
                  "selectionWidth": 2, "hoverWidth": 1},
        "groups": {k: {"shape": shape, "color": {"background": color, "border": "#37474f",
                                                 "highlight": {"background": color, "border": "#000000"},
                                                 "hover": {"background": color, "border": "#000000"}}}
                   for k, (_, _, shape, color) in CLASSES.items()},
    }


def _network(order: list[str], nodes: Mapping[str, ViewNode], edges: Sequence[ViewEdge],
             layouts: KnownLayouts | None) -> tuple[list[Any], list[Any], Any]:
    index = {iri: i for i, iri in enumerate(order)}
    # where a thing is located pulls less than what it belongs to: clusters follow the chains
    pairs = [(index[e.s], index[e.o], 0.3 if e.rel == "locatedIn" else 1.0) for e in edges if e.s != e.o]
    xy = compute_layout(len(order), pairs, layouts)
    degree = [0] * len(order)
    for a, b, _ in pairs:
        degree[a] += 1
        degree[b] += 1
    vis_nodes = [{"id": i, "label": _canvas_label(nodes[iri]), "group": nodes[iri].cls, "x": xy[i][0], "y": xy[i][1],
                  "value": round(math.sqrt(degree[i] + 1), 2)} for i, iri in enumerate(order)]
    return vis_nodes, [_vis_edge(k, e, index) for k, e in enumerate(edges)], vis_options(len(order))


def _vis_edge(k: int, e: ViewEdge, index: Mapping[str, int]) -> dict[str, Any]:
    zh, en, color = RELATIONS.get(e.rel, (e.rel, e.rel, "#607d8b"))
    edge: dict[str, Any] = {"id": k, "from": index[e.s], "to": index[e.o], "color": color,
                            "label": "、".join(e.posts) if e.posts else f"{zh} {en}"}
    if e.rel in SYMMETRIC:
        edge.update(arrows={"to": {"enabled": False}}, dashes=True)
    return edge

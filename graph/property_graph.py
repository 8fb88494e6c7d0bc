"""Stage 8: the entities as a property graph, for GraphML, GEXF and Neo4j CSV (exports.py;
property_formats.py writes them).

``property_graph(triples, evidence)`` makes the nodes (entities: IRIs under id:, except posts
and place geometries) and edges (the rc: object properties between them); posts become the
``title`` of the affiliatedWith edge, a place's WGS84 point its ``lat`` and ``long``. It reads
the graph once, a subject at a time, keeping only what the nodes and edges need.
"""

from __future__ import annotations

import functools
import itertools
import operator
import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Iterable, Mapping

import pyoxigraph as ox
from rdflib import RDF, RDFS

from .vocab import GEO, ID, RC, WGS84

__all__ = ["PEdge", "PGraph", "PNode", "property_graph"]


@dataclass(frozen=True, slots=True)
class PNode:
    iri: str
    label: str
    label_en: str
    cls: str  # the node's own rc: class(es), ";"-joined
    labels: tuple[str, ...]  # own classes, then their rc: superclasses
    lat: float | None = None  # WGS84 degrees (wgs:lat), places with a division code only
    long: float | None = None

    @property
    def point(self) -> tuple[float, float] | None:
        return None if self.lat is None or self.long is None else (self.lat, self.long)


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
    nodes: tuple[PNode, ...]  # by IRI
    edges: tuple[PEdge, ...]  # by source, relation, target


_RC, _ID = str(RC._NS), str(ID)
# the graph is looked up by plain strings: a str hashes and compares in C, an rdflib term's == is Python code
_TYPE, _LABEL, _SUBCLASS, _LAT, _LONG = (str(t) for t in (RDF.type, RDFS.label, RDFS.subClassOf, WGS84.lat,
                                                           WGS84.long))
_POST, _GEOMETRY, _AFFILIATED, _HOLDER, _POST_IN, _POST_TITLE = (
    str(t) for t in (RC.Post, GEO.Geometry, RC.affiliatedWith, RC.holder, RC.postIn, RC.postTitle))


@dataclass(slots=True)
class _Subject:
    """What the property graph keeps of one subject: its rc: classes' IRIs, its least rdfs:label in
    each language, its least WGS84 latitude and longitude."""
    types: tuple[str, ...] = ()
    labels: dict[str | None, str] = field(default_factory=dict)
    lat: float | None = None
    long: float | None = None


class _Reading:
    """The graph read once, a subject at a time (its lines come together in the sorted file): each
    subject under id: or rc: (``_Subject``), the parents of each class, the post titles by (holder,
    organisation), the triples of rc: properties between IRIs (the edges, where both ends are
    entities), every IRI (each text kept once), and the posts and place geometries (not entities)."""

    def __init__(self, quads: Iterable[ox.Quad]) -> None:
        self.subjects: dict[str, _Subject] = {}
        self.parents: dict[str, list[str]] = {}
        self.titles: dict[tuple[str, str], set[str]] = defaultdict(set)
        self.links: list[tuple[str, str, str]] = []
        self.iris: dict[str, str] = {}  # a set that hands back its copy of each text
        self.others: set[str] = set()
        type_sets: dict[tuple[str, ...], tuple[str, ...]] = {}  # entities share a few
        for subject, group in itertools.groupby(quads, key=operator.attrgetter("subject")):
            iri = subject.value
            if type(subject) is ox.NamedNode:
                iri = self.iris.setdefault(iri, iri)
            found = self._read_subject(iri, group)
            if found is not None and (iri.startswith(_ID) or iri.startswith(_RC)):
                found.types = type_sets.setdefault(found.types, found.types)
                self.subjects[iri] = found

    def _read_subject(self, iri: str, quads: Iterable[ox.Quad]) -> _Subject | None:
        """Keeps the subject's links, parents and post titles; returns what its node needs."""
        found, titles = _Subject(), []
        kept: dict[str, list[str]] = {_TYPE: [], _SUBCLASS: [], _HOLDER: [], _POST_IN: []}  # IRI objects
        for quad in quads:  # its predicate and object only: each term read makes a Python object
            pred, o = quad.predicate.value, quad.object
            if pred == _POST_TITLE and not isinstance(o, ox.Triple):  # a graph's lines quote no triple
                titles.append(o.value)
            if type(o) is ox.Literal:
                if pred in _LITERALS_KEPT:
                    _read_literal(found, pred, o)
                continue
            if type(o) is not ox.NamedNode:
                continue
            obj = o.value
            obj = self.iris.setdefault(obj, obj)
            if pred in kept:
                kept[pred].append(obj)
            if pred.startswith(_RC):
                self.links.append((iri, pred, obj))
        types, parents, holders, orgs = (kept[pred] for pred in (_TYPE, _SUBCLASS, _HOLDER, _POST_IN))
        if parents:
            self.parents[iri] = parents
        if _POST in types or _GEOMETRY in types:  # not entities: a post is an edge's title, a point lat/long
            self.others.add(iri)
            for holder, org in itertools.product(holders, orgs):
                self.titles[(holder, org)].update(titles)
            return None
        found.types = tuple(types)
        return found


# the predicates whose literals _read_literal reads: tested before the call, which most literals
# (other names, codes, WKT points) would make for nothing
_LITERALS_KEPT = frozenset((_LABEL, _LAT, _LONG))


def _read_literal(found: _Subject, pred: str, literal: ox.Literal) -> None:
    if pred == _LABEL:
        lang, text = literal.language, literal.value
        if lang not in found.labels or text < found.labels[lang]:
            found.labels[lang] = text
    elif pred == _LAT or pred == _LONG:
        value, was = float(literal.value), found.lat if pred == _LAT else found.long
        if was is None or value < was:
            setattr(found, "lat" if pred == _LAT else "long", value)


def property_graph(triples: Iterable[ox.Quad], evidence: Mapping[str, int]) -> PGraph:
    """Entities (IRIs under id:, except posts and place geometries) and the rc: object properties
    between them, of the graph of ``triples``, which must come grouped by subject (read once:
    ``rdf_text.parse_lines`` of the sorted lines); ``evidence``: the number of evidence nodes of
    each fact by its N-Triples line (0 if absent)."""
    read = _Reading(triples)
    entities = sorted(t for t in read.iris if t.startswith(_ID) and t not in read.others)
    classes: dict[tuple[str, ...], tuple[list[str], list[str]]] = {}  # nodes share a few sets of types
    nodes = tuple(_pnode(read, iri, classes) for iri in entities)
    members = set(entities)
    relations = {p: (_local(p), _label(read, p, "zh")) for p in {p for _, p, _ in read.links}}
    edges = [PEdge(s, o, *relations[p], evidence.get(f"<{s}> <{p}> <{o}> .\n", 0), _post_titles(read, s, p, o))
             for s, p, o in read.links if s in members and o in members]
    return PGraph(nodes, tuple(sorted(edges, key=lambda e: (e.source, e.relation, e.target))))


def _pnode(read: _Reading, iri: str, classes: dict[tuple[str, ...], tuple[list[str], list[str]]]) -> PNode:
    found = read.subjects.get(iri) or _Subject()
    if found.types not in classes:
        classes[found.types] = _classes(read, found.types)
    own, supers = classes[found.types]
    return PNode(iri, found.labels.get("zh", ""), found.labels.get("en", ""), ";".join(own), tuple(own + supers),
                 found.lat, found.long)


def _classes(read: _Reading, types: Iterable[str]) -> tuple[list[str], list[str]]:
    """The rc: classes among ``types``, and their rc: superclasses, nearer ones first."""
    own = sorted(_local(c) for c in types if c.startswith(_RC))
    supers: list[str] = []
    seen = set(types)
    frontier = sorted(seen)
    while frontier:  # breadth first, so nearer superclasses come first; a subclass cycle ends
        parents = sorted({p for c in frontier for p in read.parents.get(c, ()) if p not in seen and p.startswith(_RC)})
        seen.update(parents)
        supers += [_local(p) for p in parents if _local(p) not in own + supers]
        frontier = parents
    return own, supers


@functools.lru_cache(maxsize=1024)
def _local(term: str) -> str:
    return re.split(r"[#/]", term)[-1]


def _label(read: _Reading, term: str, lang: str) -> str:
    """The least rdfs:label of ``term`` in ``lang``."""
    found = read.subjects.get(term)
    return found.labels.get(lang, "") if found is not None else ""


def _post_titles(read: _Reading, person: str, pred: str, org: str) -> str:
    if pred != _AFFILIATED:
        return ""
    return "、".join(sorted(read.titles.get((person, org), ())))

"""Stage 6: the only module that adds triples.

Entities become typed nodes with labels (@zh canonical, @zh-Latn-pinyin,
@en from the glossary, skos:altLabel @zh for other names); facts become
rc: object properties; an affiliatedWith fact with a post title also gets an
rc:Post node (holder, postIn, postTitle). A place with a division code also gets
its WGS84 point (coordinates.py) twice over: W3C Basic Geo ``wgs:lat``/``wgs:long``
as xsd:decimal, and a GeoSPARQL ``geo:hasGeometry`` node ``<place>/geometry`` with
``geo:asWKT "POINT(long lat)"^^geo:wktLiteral``. The ontology terms the graph uses are
copied in with their labels, so a reader of graph.ttl alone can follow it.
"""

from __future__ import annotations

import hashlib
from typing import Callable, Iterable

from rdflib import RDF, RDFS, SKOS, XSD, Graph, Literal, URIRef

from .coordinates import place_point
from .entities import ID_BASE, EntityTable
from .rdf_text import Triple
from .rules import DATA_PROPERTIES
from .vocab import GEO, RC, WGS84

# Plain literals are xsd:string in RDF 1.1; writing the datatype out would make
# rdflib's own SPARQL miss ?p rc:divisionLevel "province".
_DATA_PROPERTIES = ("divisionCode", "divisionLevel")


def post_iri(person: str, org: str, title: str) -> str:
    digest = hashlib.sha1(f"{person}|{org}|{title}".encode("utf-8")).hexdigest()[:12]
    return f"{ID_BASE}post/{digest}"


_Add = Callable[[Triple], None]


def graph_triples(table: EntityTable, triples: Iterable[tuple[str, str, str, str]],
                  ontology: Graph | None = None) -> set[Triple]:
    """The graph as a set of triples. ``triples``: (subject iri, relation local name, object iri,
    post title or ""). A build writes every output from this set: adding 10^5 triples to an
    rdflib Graph costs seconds, and the outputs only need to read each triple once."""
    facts: set[Triple] = set()
    add = facts.add
    for entity in table.entities.values():
        node = URIRef(entity.iri)
        add((node, RDF.type, RC[entity.cls]))
        add((node, RDFS.label, Literal(entity.label, lang="zh")))
        if entity.en_label:
            add((node, RDFS.label, Literal(entity.en_label, lang="en")))
        for alt in entity.alt_labels:
            add((node, SKOS.altLabel, Literal(alt, lang="zh")))
        for key, value in entity.attrs:
            _add_attr(add, node, key, value)
    for child, parent in table.place_facts:
        add((URIRef(child), RC.locatedIn, URIRef(parent)))
    for subj, relation, obj, detail in triples:
        if relation in DATA_PROPERTIES:
            _add_data_fact(add, URIRef(subj), relation, obj, detail)
            continue
        add((URIRef(subj), RC[relation], URIRef(obj)))
        if relation == "affiliatedWith" and detail:
            _add_post(add, subj, obj, detail)
    if ontology is not None:
        _add_used_terms(facts, ontology)
    return facts


def _add_data_fact(add: _Add, node: URIRef, relation: str, value: str, wording: str) -> None:
    """statedMemberCount (+ the wording, 20多家) or foundingDate as gYear, gYearMonth or date."""
    if relation == "statedMemberCount":
        add((node, RC.statedMemberCount, Literal(int(value), datatype=XSD.integer)))
        add((node, RC.statedMemberCountText, Literal(wording, lang="zh")))
    else:
        datatype = {1: XSD.gYear, 2: XSD.gYearMonth, 3: XSD.date}[value.count("-") + 1]
        add((node, RC.foundingDate, Literal(value, datatype=datatype)))


def _add_attr(add: _Add, node: URIRef, key: str, value: str) -> None:
    if key == "pinyin":
        add((node, RDFS.label, Literal(value, lang="zh-Latn-pinyin")))
    elif key in _DATA_PROPERTIES:
        add((node, RC[key], Literal(value)))
        if key == "divisionCode":
            _add_point(add, node, value)
    elif key == "orgLevel":
        add((node, RC.orgLevel, Literal(value, lang="zh")))


def geometry_iri(place: str) -> str:
    """The point geometry of a place: ``…/id/place/360200`` → ``…/id/place/360200/geometry``."""
    return f"{place}/geometry"


def _add_point(add: _Add, node: URIRef, code: str) -> None:
    """WGS84 lat/long and a GeoSPARQL point of a division; nothing when the dataset has no point."""
    point = place_point(code)
    if point is None:
        return
    add((node, WGS84.lat, Literal(point.lat, datatype=XSD.decimal)))
    add((node, WGS84.long, Literal(point.long, datatype=XSD.decimal)))
    geometry = URIRef(geometry_iri(node))
    add((node, GEO.hasGeometry, geometry))
    add((geometry, RDF.type, GEO.Geometry))
    add((geometry, GEO.asWKT, Literal(point.wkt, datatype=GEO.wktLiteral)))


def _add_post(add: _Add, person: str, org: str, title: str) -> None:
    post = URIRef(post_iri(person, org, title))
    add((post, RDF.type, RC.Post))
    add((post, RC.holder, URIRef(person)))
    add((post, RC.postIn, URIRef(org)))
    add((post, RC.postTitle, Literal(title, lang="zh")))


def _add_used_terms(facts: set[Triple], ontology: Graph) -> None:
    """Declarations and labels of the classes and properties the graph uses."""
    type_iri = str(RDF.type)  # compared as plain strings: an rdflib term's == is Python code
    used = {str(o) for _, p, o in facts if str(p) == type_iri} | {str(p) for _, p, _ in facts}
    for term in map(URIRef, sorted(iri for iri in used if iri.startswith(str(RC)))):
        for pred, obj in ontology.predicate_objects(term):
            keep = isinstance(obj, URIRef) or (isinstance(obj, Literal) and obj.language in (None, "zh", "en"))
            if keep and pred in (RDF.type, RDFS.label, RDFS.subClassOf, RDFS.subPropertyOf, RDFS.comment):
                facts.add((term, pred, obj))

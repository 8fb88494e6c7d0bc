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
from typing import Iterable

from rdflib import RDF, RDFS, SKOS, XSD, Graph, Literal, URIRef

from .coordinates import place_point
from .entities import ID_BASE, EntityTable
from .rules import DATA_PROPERTIES
from .vocab import GEO, RC, WGS84, bind_prefixes

# Plain literals are xsd:string in RDF 1.1; writing the datatype out would make
# rdflib's own SPARQL miss ?p rc:divisionLevel "province".
_DATA_PROPERTIES = ("divisionCode", "divisionLevel")


def post_iri(person: str, org: str, title: str) -> str:
    digest = hashlib.sha1(f"{person}|{org}|{title}".encode("utf-8")).hexdigest()[:12]
    return f"{ID_BASE}post/{digest}"


def build_graph(table: EntityTable, triples: Iterable[tuple[str, str, str, str]], ontology: Graph | None = None) -> Graph:
    """``triples``: (subject iri, relation local name, object iri, post title or "")."""
    g = Graph()
    bind_prefixes(g)
    for entity in table.entities.values():
        node = URIRef(entity.iri)
        g.add((node, RDF.type, RC[entity.cls]))
        g.add((node, RDFS.label, Literal(entity.label, lang="zh")))
        if entity.en_label:
            g.add((node, RDFS.label, Literal(entity.en_label, lang="en")))
        for alt in entity.alt_labels:
            g.add((node, SKOS.altLabel, Literal(alt, lang="zh")))
        for key, value in entity.attrs:
            _add_attr(g, node, key, value)
    for child, parent in table.place_facts:
        g.add((URIRef(child), RC.locatedIn, URIRef(parent)))
    for subj, relation, obj, detail in triples:
        if relation in DATA_PROPERTIES:
            _add_data_fact(g, URIRef(subj), relation, obj, detail)
            continue
        g.add((URIRef(subj), RC[relation], URIRef(obj)))
        if relation == "affiliatedWith" and detail:
            _add_post(g, subj, obj, detail)
    if ontology is not None:
        _add_used_terms(g, ontology)
    return g


def _add_data_fact(g: Graph, node: URIRef, relation: str, value: str, wording: str) -> None:
    """statedMemberCount (+ the wording, 20多家) or foundingDate as gYear, gYearMonth or date."""
    if relation == "statedMemberCount":
        g.add((node, RC.statedMemberCount, Literal(int(value), datatype=XSD.integer)))
        g.add((node, RC.statedMemberCountText, Literal(wording, lang="zh")))
    else:
        datatype = {1: XSD.gYear, 2: XSD.gYearMonth, 3: XSD.date}[value.count("-") + 1]
        g.add((node, RC.foundingDate, Literal(value, datatype=datatype)))


def _add_attr(g: Graph, node: URIRef, key: str, value: str) -> None:
    if key == "pinyin":
        g.add((node, RDFS.label, Literal(value, lang="zh-Latn-pinyin")))
    elif key in _DATA_PROPERTIES:
        g.add((node, RC[key], Literal(value)))
        if key == "divisionCode":
            _add_point(g, node, value)
    elif key == "orgLevel":
        g.add((node, RC.orgLevel, Literal(value, lang="zh")))


def geometry_iri(place: str) -> str:
    """The point geometry of a place: ``…/id/place/360200`` → ``…/id/place/360200/geometry``."""
    return f"{place}/geometry"


def _add_point(g: Graph, node: URIRef, code: str) -> None:
    """WGS84 lat/long and a GeoSPARQL point of a division; nothing when the dataset has no point."""
    point = place_point(code)
    if point is None:
        return
    g.add((node, WGS84.lat, Literal(point.lat, datatype=XSD.decimal)))
    g.add((node, WGS84.long, Literal(point.long, datatype=XSD.decimal)))
    geometry = URIRef(geometry_iri(node))
    g.add((node, GEO.hasGeometry, geometry))
    g.add((geometry, RDF.type, GEO.Geometry))
    g.add((geometry, GEO.asWKT, Literal(point.wkt, datatype=GEO.wktLiteral)))


def _add_post(g: Graph, person: str, org: str, title: str) -> None:
    post = URIRef(post_iri(person, org, title))
    g.add((post, RDF.type, RC.Post))
    g.add((post, RC.holder, URIRef(person)))
    g.add((post, RC.postIn, URIRef(org)))
    g.add((post, RC.postTitle, Literal(title, lang="zh")))


def _add_used_terms(g: Graph, ontology: Graph) -> None:
    """Declarations and labels of the classes and properties the graph uses."""
    used = {o for o in g.objects(None, RDF.type)} | set(g.predicates())
    for term in sorted((t for t in used if str(t).startswith(str(RC))), key=str):
        for pred, obj in ontology.predicate_objects(term):
            keep = isinstance(obj, URIRef) or (isinstance(obj, Literal) and obj.language in (None, "zh", "en"))
            if keep and pred in (RDF.type, RDFS.label, RDFS.subClassOf, RDFS.subPropertyOf, RDFS.comment):
                g.add((term, pred, obj))

"""Stage 6: the only module that makes triples.

Entities become typed nodes with labels (@zh canonical, @zh-Latn-pinyin,
@en from the glossary, skos:altLabel @zh for other names); facts become
rc: object properties; an affiliatedWith fact with a post title also gets an
rc:Post node (holder, postIn, postTitle). A place with a division code also gets
its WGS84 point (coordinates.py) twice over: W3C Basic Geo ``wgs:lat``/``wgs:long``
as xsd:decimal, and a GeoSPARQL ``geo:hasGeometry`` node ``<place>/geometry`` with
``geo:asWKT "POINT(long lat)"^^geo:wktLiteral``. The ontology terms the graph uses are
copied in with their labels, so a reader of graph.ttl alone can follow it.

The triples are made as N-Triples lines (rdf_text.py), unsorted and possibly repeated: a
build sorts them into a file (``rdf_text.spooled_ntriples``) that every later stage reads.
Making rdflib terms first cost more than the lines, and a set of them held the whole graph
in memory (~330 bytes a triple) until the view was written.
"""

from __future__ import annotations

import hashlib
from typing import Iterable, Iterator

from rdflib import RDF, RDFS, SKOS, XSD, Graph, Literal, URIRef

from .coordinates import place_point
from .entities import ID_BASE, EntityTable
from .rdf_text import LiteralText, nt_line
from .rules import DATA_PROPERTIES
from .vocab import GEO, RC, WGS84

# Plain literals are xsd:string in RDF 1.1; writing the datatype out would make
# rdflib's own SPARQL miss ?p rc:divisionLevel "province".
_DATA_PROPERTIES = ("divisionCode", "divisionLevel")
_RC = str(RC._NS)
# the terms the lines use, in N-Triples form
_TYPE, _LABEL, _ALT_LABEL = f"<{RDF.type}>", f"<{RDFS.label}>", f"<{SKOS.altLabel}>"
_LAT, _LONG, _HAS_GEOMETRY, _GEOMETRY, _AS_WKT = (f"<{t}>" for t in (WGS84.lat, WGS84.long, GEO.hasGeometry,
                                                                     GEO.Geometry, GEO.asWKT))
_DECIMAL, _INTEGER, _WKT = (f"<{t}>" for t in (XSD.decimal, XSD.integer, GEO.wktLiteral))
_DATES = {1: f"<{XSD.gYear}>", 2: f"<{XSD.gYearMonth}>", 3: f"<{XSD.date}>"}  # by the number of parts


def post_iri(person: str, org: str, title: str) -> str:
    digest = hashlib.sha1(f"{person}|{org}|{title}".encode("utf-8")).hexdigest()[:12]
    return f"{ID_BASE}post/{digest}"


def geometry_iri(place: str) -> str:
    """The point geometry of a place: ``…/id/place/360200`` → ``…/id/place/360200/geometry``."""
    return f"{place}/geometry"


def graph_lines(table: EntityTable, triples: Iterable[tuple[str, str, str, str]],
                ontology: Graph | None = None) -> Iterator[str]:
    """The graph as N-Triples lines (unsorted; a triple may come more than once). ``triples``:
    (subject iri, relation local name, object iri, post title or "")."""
    lines = _fact_lines(table, triples)
    if ontology is None:
        yield from lines
        return
    used: set[str] = set()  # the IRIs of the classes and properties the lines use
    for line in lines:
        _, pred, obj = line.split(" ", 2)
        used.add(obj[1:-4] if pred == _TYPE else pred[1:-1])
        yield line
    yield from _used_terms(used, ontology)


def _fact_lines(table: EntityTable, triples: Iterable[tuple[str, str, str, str]]) -> Iterator[str]:
    for entity in table.entities.values():
        yield from _entity_lines(entity.iri, entity.cls, entity.label, entity.en_label, entity.alt_labels,
                                 entity.attrs)
    for child, parent in table.place_facts:
        yield f"<{child}> <{_RC}locatedIn> <{parent}> .\n"
    for subj, relation, obj, detail in triples:
        if relation in DATA_PROPERTIES:
            yield from _data_fact_lines(f"<{subj}>", relation, obj, detail)
        else:
            yield f"<{subj}> <{_RC}{relation}> <{obj}> .\n"
            if relation == "affiliatedWith" and detail:
                yield from _post_lines(subj, obj, detail)


def _entity_lines(iri: str, cls: str, label: str, en_label: str, alt_labels: Iterable[str],
                  attrs: Iterable[tuple[str, str]]) -> Iterator[str]:
    node = f"<{iri}>"
    yield f"{node} {_TYPE} <{_RC}{cls}> .\n"
    yield f"{node} {_LABEL} {LiteralText(label, 'zh')} .\n"
    if en_label:
        yield f"{node} {_LABEL} {LiteralText(en_label, 'en')} .\n"
    for alt in alt_labels:
        yield f"{node} {_ALT_LABEL} {LiteralText(alt, 'zh')} .\n"
    for key, value in attrs:
        if key == "pinyin":
            yield f"{node} {_LABEL} {LiteralText(value, 'zh-Latn-pinyin')} .\n"
        elif key in _DATA_PROPERTIES:
            yield f"{node} <{_RC}{key}> {LiteralText(value)} .\n"
            if key == "divisionCode":
                yield from _point_lines(iri, value)
        elif key == "orgLevel":
            yield f"{node} <{_RC}orgLevel> {LiteralText(value, 'zh')} .\n"


def _data_fact_lines(node: str, relation: str, value: str, wording: str) -> Iterator[str]:
    """statedMemberCount (+ the wording, 20多家) or foundingDate as gYear, gYearMonth or date."""
    if relation == "statedMemberCount":
        yield f'{node} <{_RC}statedMemberCount> "{int(value)}"^^{_INTEGER} .\n'
        yield f"{node} <{_RC}statedMemberCountText> {LiteralText(wording, 'zh')} .\n"
    else:
        yield f"{node} <{_RC}foundingDate> {LiteralText(value)}^^{_DATES[value.count('-') + 1]} .\n"


def _point_lines(place: str, code: str) -> Iterator[str]:
    """WGS84 lat/long and a GeoSPARQL point of a division; nothing when the dataset has no point."""
    point = place_point(code)
    if point is None:
        return
    node, geometry = f"<{place}>", f"<{geometry_iri(place)}>"
    yield f'{node} {_LAT} "{point.lat}"^^{_DECIMAL} .\n'
    yield f'{node} {_LONG} "{point.long}"^^{_DECIMAL} .\n'
    yield f"{node} {_HAS_GEOMETRY} {geometry} .\n"
    yield f"{geometry} {_TYPE} {_GEOMETRY} .\n"
    yield f'{geometry} {_AS_WKT} "{point.wkt}"^^{_WKT} .\n'


def _post_lines(person: str, org: str, title: str) -> Iterator[str]:
    post = f"<{post_iri(person, org, title)}>"
    yield f"{post} {_TYPE} <{_RC}Post> .\n"
    yield f"{post} <{_RC}holder> <{person}> .\n"
    yield f"{post} <{_RC}postIn> <{org}> .\n"
    yield f"{post} <{_RC}postTitle> {LiteralText(title, 'zh')} .\n"


def _used_terms(used: set[str], ontology: Graph) -> Iterator[str]:
    """Declarations and labels of the classes and properties the graph uses."""
    for term in map(URIRef, sorted(iri for iri in used if iri.startswith(_RC))):
        for pred, obj in ontology.predicate_objects(term):
            keep = isinstance(obj, URIRef) or (isinstance(obj, Literal) and obj.language in (None, "zh", "en"))
            if keep and pred in (RDF.type, RDFS.label, RDFS.subClassOf, RDFS.subPropertyOf, RDFS.comment):
                yield nt_line(term, pred, obj)

"""The closed redchain vocabulary (``RC``) and the prefixes every graph binds.

``RC`` lists exactly the terms declared in ``ontology/redchain.ttl``; an unknown
name such as ``RC.secretaryof`` raises ``AttributeError`` (tests/test_ontology.py
keeps the two in sync). Python code reaches ontology terms only through ``RC``.

schema.org is bound in its ``http://schema.org/`` form, the one schema.org's own
JSON-LD context expands to; rdflib's ``SDO`` (https) is not used anywhere in redchain.
Likewise W3C Basic Geo (``WGS84``, prefix ``wgs:``) is the ``http://`` form that other
tools expect, not rdflib's ``WGS`` (https). ``GEO`` and ``WGS84`` are closed and list
only the terms redchain writes (place coordinates, rdf.py).
"""

from __future__ import annotations

from rdflib import Graph, URIRef
from rdflib.namespace import FOAF, ORG, OWL, PROV, RDF, RDFS, SKOS, XSD, DefinedNamespace, Namespace

__all__ = ["GEO", "ID", "RC", "SCHEMA", "WGS84", "bind_prefixes", "prefix_map"]

ID = Namespace("https://w3id.org/redchain/id/")
SCHEMA = Namespace("http://schema.org/")


class RC(DefinedNamespace):
    """Terms of https://w3id.org/redchain/ns# (ontology/redchain.ttl)."""

    _fail = True
    _NS = Namespace("https://w3id.org/redchain/ns#")

    # Classes of the contract
    PartyOrganization: URIRef  # 党组织
    ChainPartyCommittee: URIRef  # 产业链党组织 (subclass of PartyOrganization)
    Enterprise: URIRef  # 企业
    IndustrialChain: URIRef  # 产业链
    Place: URIRef  # 地点
    GovernmentBody: URIRef  # 党政机关
    ResearchInstitution: URIRef  # 高校院所
    Person: URIRef  # 人物
    # Further classes
    Organization: URIRef  # 组织: superclass of the organisation classes
    OtherOrganization: URIRef  # 其他组织: 行业协会, 商会, banks, teams
    Post: URIRef  # 职务: a post a person holds in an organisation

    # Object properties of the contract
    covers: URIRef
    servesChain: URIRef
    leadsChain: URIRef
    locatedIn: URIRef
    partyOrganizationOf: URIRef
    subOrganizationOf: URIRef
    secretaryOf: URIRef
    affiliatedWith: URIRef
    partnersWith: URIRef
    # Posts
    holder: URIRef
    postIn: URIRef
    postTitle: URIRef
    # Data properties
    divisionCode: URIRef
    divisionLevel: URIRef
    orgLevel: URIRef
    statedMemberCount: URIRef
    statedMemberCountText: URIRef
    foundingDate: URIRef


class GEO(DefinedNamespace):
    """The GeoSPARQL terms redchain writes: a place's point geometry as WKT."""

    _fail = True
    _NS = Namespace("http://www.opengis.net/ont/geosparql#")

    Feature: URIRef
    Geometry: URIRef
    hasGeometry: URIRef
    asWKT: URIRef
    wktLiteral: URIRef


class WGS84(DefinedNamespace):
    """W3C Basic Geo (WGS84 lat/long), http:// form."""

    _fail = True
    _NS = Namespace("http://www.w3.org/2003/01/geo/wgs84_pos#")

    lat: URIRef
    long: URIRef


_PREFIXES = {
    "rc": RC._NS,
    "id": ID,
    "rdf": RDF._NS,
    "rdfs": RDFS._NS,
    "skos": SKOS._NS,
    "owl": OWL._NS,
    "xsd": XSD._NS,
    "org": ORG._NS,
    "prov": PROV._NS,
    "schema": SCHEMA,
    "foaf": FOAF._NS,
    "geo": GEO._NS,
    "wgs": WGS84._NS,
}


def prefix_map() -> dict[str, str]:
    """The redchain prefixes as strings, for serialisers outside rdflib."""
    return {prefix: str(namespace) for prefix, namespace in _PREFIXES.items()}


def bind_prefixes(g: Graph) -> Graph:
    """Bind the redchain prefixes on ``g`` (replacing rdflib's https ``schema:``); returns ``g``."""
    for prefix, namespace in _PREFIXES.items():
        g.bind(prefix, namespace, override=True, replace=True)
    return g

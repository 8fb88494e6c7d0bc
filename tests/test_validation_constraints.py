"""One small graph that breaks every kind of constraint in ontology/shapes.ttl once, and the
findings a reader of the shapes expects from it (written from the shapes, one by one).

Each broken node is otherwise well-formed (a class, a @zh and a pinyin label), so that it
breaks only the constraint it is there for."""

from __future__ import annotations

import pytest
from rdflib import RDF, RDFS, SKOS, XSD, Graph, Literal, URIRef

from graph.validation import Finding, validate_graph, validate_ntriples
from graph.vocab import ID, RC, WGS84, bind_prefixes

EX = "https://example.org/"
ZONE = URIRef(EX + "Zone")  # declared in the data as a subclass of rc:Place


def node(g: Graph, name: str, cls: URIRef, zh: str | None) -> URIRef:
    iri = ID[name]
    g.add((iri, RDF.type, cls))
    if zh is not None:
        g.add((iri, RDFS.label, Literal(zh, lang="zh")))
    g.add((iri, RDFS.label, Literal(name, lang="zh-Latn-pinyin")))
    return iri


def broken_graph() -> Graph:
    g = bind_prefixes(Graph())
    person = node(g, "person/a", RC.Person, "甲")
    committee = node(g, "org/committee", RC.ChainPartyCommittee, "铜产业链党委")
    chain = node(g, "chain/tong", RC.IndustrialChain, "铜产业链")
    company = node(g, "org/company", RC.Enterprise, "江铜")
    g.add((committee, RC.servesChain, chain))
    # fine: sh:class follows rdfs:subClassOf through the ontology, two levels deep
    g.add((person, RC.secretaryOf, committee))  # ChainPartyCommittee ⊂ PartyOrganization
    g.add((person, RC.affiliatedWith, committee))  # … ⊂ Organization
    g.add((company, SKOS.altLabel, Literal("江銅", lang="zh-Hant")))  # sh:languageIn ("zh") is a range

    # sh:class on a property's object
    g.add((node(g, "person/b", RC.Person, "乙"), RC.secretaryOf, company))
    # sh:nodeKind sh:IRI (and sh:class) on a literal object
    g.add((node(g, "person/c", RC.Person, "丙"), RC.secretaryOf, Literal("党委")))
    # sh:class on a node shape's focus node: an enterprise serving a chain
    g.add((node(g, "org/server", RC.Enterprise, "服务公司"), RC.leadsChain, chain))
    g.add((ID["org/server"], RC.servesChain, chain))
    # sh:or of classes
    g.add((node(g, "org/coverer", RC.PartyOrganization, "党支部"), RC.covers, chain))
    # sh:minCount / sh:maxCount: a committee with no chain, one with two
    node(g, "org/idle", RC.ChainPartyCommittee, "闲置党委")
    busy = node(g, "org/busy", RC.ChainPartyCommittee, "忙碌党委")
    g.add((busy, RC.servesChain, chain))
    g.add((busy, RC.servesChain, node(g, "chain/wu", RC.IndustrialChain, "钨产业链")))
    # sh:datatype (a plain string for an integer) and sh:minInclusive
    g.add((node(g, "org/words", RC.PartyOrganization, "文字党委"), RC.statedMemberCount, Literal("二十")))
    g.add((node(g, "org/negative", RC.PartyOrganization, "负数党委"), RC.statedMemberCount, Literal(-1)))
    # sh:maxInclusive, sh:minCount of the pair: a latitude of 91 and no longitude
    g.add((node(g, "place/north", RC.Place, "北地"), WGS84.lat, Literal("91", datatype=XSD.decimal)))
    # sh:languageIn
    g.add((company, SKOS.altLabel, Literal("JCC", lang="en")))
    # sh:pattern: seven digits, and a trailing newline ($ matches only at the very end)
    g.add((node(g, "place/seven", RC.Place, "七位"), RC.divisionCode, Literal("3600001")))
    g.add((node(g, "place/newline", RC.Place, "换行"), RC.divisionLevel, Literal("county\n")))
    # sh:minLength
    g.add((node(g, "org/empty", RC.PartyOrganization, "空党委"), RC.orgLevel, Literal("", lang="zh")))
    # sh:or of datatypes
    g.add((node(g, "org/founded", RC.Enterprise, "成立公司"), RC.foundingDate, Literal("2022年")))
    # sh:targetClass follows a subclass declared in the data: an untrimmed label on a Zone
    zone = ID["place/zone"]
    g.add((ZONE, RDFS.subClassOf, RC.Place))
    g.add((zone, RDF.type, ZONE))
    g.add((zone, RDFS.label, Literal(" 园区", lang="zh")))
    # SPARQL-based shapes: no @zh label, two @zh labels, disjoint classes, a cycle, self-partnering
    node(g, "person/nameless", RC.Person, None)
    twice = node(g, "org/twice", RC.Enterprise, "甲公司")
    g.add((twice, RDFS.label, Literal("乙公司", lang="zh")))
    g.add((node(g, "org/both", RC.Enterprise, "两类"), RDF.type, RC.Person))
    loop = node(g, "place/loop", RC.Place, "环")
    g.add((loop, RC.locatedIn, loop))
    g.add((company, RC.partnersWith, company))
    return g


def rc(name: str) -> str:
    return str(RC[name])


# (shape, focus node, path, value); a node shape's value is the focus node itself,
# and a cardinality result has none.
EXPECTED = {
    ("SecretaryOfObjectShape", "person/b", "rc:secretaryOf", str(ID["org/company"])),
    ("SecretaryOfObjectShape", "person/c", "rc:secretaryOf", "党委"),
    ("ServesChainSubjectShape", "org/server", "", str(ID["org/server"])),
    ("CoversObjectShape", "org/coverer", "rc:covers", str(ID["chain/tong"])),
    ("ChainPartyCommitteeShape", "org/idle", "rc:servesChain", ""),
    ("ChainPartyCommitteeShape", "org/busy", "rc:servesChain", ""),
    ("StatedMemberCountShape", "org/words", "rc:statedMemberCount", "二十"),
    ("StatedMemberCountShape", "org/negative", "rc:statedMemberCount", "-1"),
    ("LatitudeShape", "place/north", "wgs:lat", "91"),
    ("LongitudeShape", "place/north", "wgs:long", ""),
    ("AltLabelShape", "org/company", "skos:altLabel", "JCC"),
    ("DivisionCodeShape", "place/seven", "rc:divisionCode", "3600001"),
    ("DivisionLevelShape", "place/newline", "rc:divisionLevel", "county\n"),
    ("OrgLevelShape", "org/empty", "rc:orgLevel", ""),
    ("FoundingDateShape", "org/founded", "rc:foundingDate", "2022年"),
    ("LabelFormShape", "place/zone", "rdfs:label", " 园区"),
    ("ZhLabelRequiredShape", "person/nameless", "rdfs:label", str(ID["person/nameless"])),
    ("ZhLabelUniqueShape", "org/twice", "rdfs:label", "甲公司"),
    ("ZhLabelUniqueShape", "org/twice", "rdfs:label", "乙公司"),
    ("DisjointClassesShape", "org/both", "rdf:type", rc("Enterprise")),
    ("LocatedInAcyclicShape", "place/loop", "rc:locatedIn", str(ID["place/loop"])),
    ("PartnersWithOtherShape", "org/company", "rc:partnersWith", str(ID["org/company"])),
}


@pytest.fixture(scope="module")
def findings() -> list[Finding]:
    return validate_graph(broken_graph())


def test_validation_constraints_each_kind_reports_what_the_shapes_say(findings: list[Finding]) -> None:
    found = {(f.shape.removeprefix("rcsh:"), f.focus_node.removeprefix(str(ID)), f.path, f.value) for f in findings}
    assert found == EXPECTED


def test_validation_constraints_findings_carry_labels_and_english_messages(findings: list[Finding]) -> None:
    by_node = {(f.focus_node, f.shape): f for f in findings}
    disjoint = by_node[str(ID["org/both"]), "rcsh:DisjointClassesShape"]
    assert disjoint.focus_label == "两类"
    assert disjoint.message == f"the node is typed with two disjoint classes ({rc('Enterprise')} and {rc('Person')})"
    assert by_node[str(ID["person/nameless"]), "rcsh:ZhLabelRequiredShape"].focus_label == ""
    assert by_node[str(ID["person/b"]), "rcsh:SecretaryOfObjectShape"].message == (
        "rc:secretaryOf must point to an rc:PartyOrganization (a company's secretary post is rc:affiliatedWith)")
    assert by_node[str(ID["place/zone"]), "rcsh:LabelFormShape"].focus_label == " 园区"


def test_validation_constraints_ntriples_entry_gives_the_same_findings(findings: list[Finding]) -> None:
    from graph.rdf_text import ntriples_text

    assert validate_ntriples(ntriples_text(broken_graph())) == findings

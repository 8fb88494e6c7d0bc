"""The ontology, the SHACL shapes and the closed vocabulary ``RC`` agree with each other
and with the contract, and the shapes accept a good graph and reject broken ones."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pyoxigraph
import pytest
from rdflib import OWL, RDF, RDFS, SKOS, XSD, BNode, Graph, Literal, URIRef
from rdflib.collection import Collection

from graph import evaluation, lexicon, rules
from graph.validation import (PYSHACL_OPTIONS, SHAPES, Finding, load_ontology, load_shapes, run_shacl,
                              validate_graph)
from graph.vocab import ID, RC, SCHEMA, bind_prefixes

ONTOLOGY_DIR = Path(__file__).resolve().parent.parent / "ontology"
RC_NS = "https://w3id.org/redchain/ns#"
ONTOLOGY_IRI = URIRef("https://w3id.org/redchain/ns")

CONTRACT_CLASSES = ("PartyOrganization", "ChainPartyCommittee", "Enterprise", "IndustrialChain", "Place",
                    "GovernmentBody", "ResearchInstitution", "Person")
CONTRACT_PROPERTIES = ("covers", "servesChain", "leadsChain", "locatedIn", "partyOrganizationOf",
                       "subOrganizationOf", "secretaryOf", "affiliatedWith", "partnersWith")
# property: (domain classes, range classes); () = no rdfs:domain (anything)
CONTRACT_SIGNATURES = {
    "covers": ({"PartyOrganization"}, {"Enterprise", "PartyOrganization"}),
    "servesChain": ({"ChainPartyCommittee"}, {"IndustrialChain"}),
    "leadsChain": ({"Enterprise"}, {"IndustrialChain"}),
    "locatedIn": (set(), {"Place"}),
    "partyOrganizationOf": ({"PartyOrganization"}, {"Enterprise", "ResearchInstitution", "GovernmentBody"}),
    "subOrganizationOf": ({"PartyOrganization"}, {"PartyOrganization"}),
    "secretaryOf": ({"Person"}, {"PartyOrganization"}),
    "affiliatedWith": ({"Person"}, {"Organization"}),
    "partnersWith": ({"Organization"}, {"Organization"}),
}
DECLARATION_TYPES = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty, RDF.Property)


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return load_ontology()


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return load_shapes()


def rc_terms_in(g: Graph) -> set[URIRef]:
    """Every rc: IRI a graph mentions, including inside SPARQL strings of shapes."""
    terms = {t for triple in g for t in triple if isinstance(t, URIRef) and str(t).startswith(RC_NS)}
    for text in g.objects(None, URIRef("http://www.w3.org/ns/shacl#select")):
        terms |= {URIRef(RC_NS + name) for name in re.findall(r"\brc:(\w+)", str(text))}
    return terms


def declared_terms(ontology: Graph) -> set[URIRef]:
    return {s for t in DECLARATION_TYPES for s in ontology.subjects(RDF.type, t)
            if isinstance(s, URIRef) and str(s).startswith(RC_NS)}


def class_set(g: Graph, node: object) -> set[str]:
    """Local names of a class or of an owl:unionOf of classes."""
    if isinstance(node, BNode):
        members = g.value(node, OWL.unionOf)
        return {str(m).removeprefix(RC_NS) for m in Collection(g, members)}
    return {str(node).removeprefix(RC_NS)}


# -- parsing ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["redchain.ttl", "shapes.ttl"])
def test_ontology_file_parses_in_rdflib_and_pyoxigraph(name: str) -> None:
    path = ONTOLOGY_DIR / name
    g = Graph().parse(path, format="turtle")
    quads = list(pyoxigraph.parse(path=str(path), format=pyoxigraph.RdfFormat.TURTLE))
    assert len(g) > 100
    assert len(quads) == len(g)


def test_ontology_header_has_labels_version_and_description(ontology: Graph) -> None:
    assert (ONTOLOGY_IRI, RDF.type, OWL.Ontology) in ontology
    assert {lit.language for lit in ontology.objects(ONTOLOGY_IRI, RDFS.label)} >= {"zh", "en"}
    assert ontology.value(ONTOLOGY_IRI, OWL.versionInfo) is not None
    assert ontology.value(ONTOLOGY_IRI, URIRef("http://purl.org/dc/terms/description")) is not None


# -- vocabulary ------------------------------------------------------------------------


def test_vocab_equals_terms_declared_in_ontology(ontology: Graph) -> None:
    in_vocab = set(dir(RC))
    in_ontology = declared_terms(ontology)
    assert in_ontology - in_vocab == set(), "declared in redchain.ttl but missing from graph/vocab.py RC"
    assert in_vocab - in_ontology == set(), "in graph/vocab.py RC but not declared in redchain.ttl"


def test_vocab_covers_every_rc_term_the_ontology_and_shapes_mention(ontology: Graph, shapes: Graph) -> None:
    assert rc_terms_in(ontology) - set(dir(RC)) == set()
    assert rc_terms_in(shapes) - set(dir(RC)) == set()


def test_vocab_is_closed() -> None:
    assert RC.secretaryOf == URIRef(RC_NS + "secretaryOf")
    assert RC["ChainPartyCommittee"] == URIRef(RC_NS + "ChainPartyCommittee")
    with pytest.raises(AttributeError):
        RC.secretaryof  # noqa: B018
    with pytest.raises(AttributeError):
        RC["ChainCommittee"]


def test_vocab_knows_every_class_and_relation_the_code_uses() -> None:
    names = {str(t).removeprefix(RC_NS) for t in dir(RC)}
    assert set(CONTRACT_CLASSES) | set(CONTRACT_PROPERTIES) <= names
    assert set(rules.RELATIONS) <= names
    assert set(rules.CLASS_CHARS) <= names
    assert set(lexicon.CLASSES) <= names
    assert set(evaluation.CLASSES) | set(evaluation.RELATIONS) <= names


def test_vocab_bind_prefixes_uses_http_schema_org() -> None:
    g = bind_prefixes(Graph())
    bound = {prefix: str(ns) for prefix, ns in g.namespaces()}
    assert bound["schema"] == "http://schema.org/" == str(SCHEMA)
    assert bound["rc"] == RC_NS
    assert bound["id"] == str(ID) == "https://w3id.org/redchain/id/"
    for prefix in ("rdfs", "skos", "owl", "xsd", "org", "prov", "foaf"):
        assert prefix in bound
    assert "https://schema.org/" not in bound.values()


# -- the ontology against the contract -------------------------------------------------


@pytest.mark.parametrize("term", sorted(dir(RC)), ids=lambda t: str(t).removeprefix(RC_NS))
def test_ontology_every_term_is_documented(ontology: Graph, term: URIRef) -> None:
    languages = [lit.language for lit in ontology.objects(term, RDFS.label)]
    assert sorted(languages) == ["en", "zh"], "one rdfs:label @zh and one @en"
    assert "en" in {lit.language for lit in ontology.objects(term, RDFS.comment)}
    assert (term, RDFS.isDefinedBy, ONTOLOGY_IRI) in ontology


@pytest.mark.parametrize("name", CONTRACT_CLASSES)
def test_ontology_contract_class_is_an_owl_class(ontology: Graph, name: str) -> None:
    assert (RC[name], RDF.type, OWL.Class) in ontology


@pytest.mark.parametrize("name", CONTRACT_PROPERTIES)
def test_ontology_contract_property_has_the_contract_signature(ontology: Graph, name: str) -> None:
    prop = RC[name]
    assert (prop, RDF.type, OWL.ObjectProperty) in ontology
    domain, range_ = CONTRACT_SIGNATURES[name]
    domains = [class_set(ontology, d) for d in ontology.objects(prop, RDFS.domain)]
    ranges = [class_set(ontology, r) for r in ontology.objects(prop, RDFS.range)]
    assert domains == ([domain] if domain else [])
    assert ranges == [range_]


def subclasses_within(ontology: Graph, classes: set[str], universe: set[str]) -> set[str]:
    """The classes of ``universe`` that are ``classes`` or (indirect) subclasses of them."""
    return {name for name in universe
            if any(URIRef(RC_NS + c) in ontology.transitive_objects(RC[name], RDFS.subClassOf) for c in classes)}


@pytest.mark.parametrize("name", sorted(rules.SIGNATURES))
def test_ontology_domain_and_range_match_rule_signatures(ontology: Graph, name: str) -> None:
    """rules.SIGNATURES (checked on every fact) says what the ontology says."""
    universe = set(rules.CLASS_CHARS)
    domain, range_ = rules.SIGNATURES[name]
    domains = set().union(*(class_set(ontology, d) for d in ontology.objects(RC[name], RDFS.domain)))
    assert set(domain) == (subclasses_within(ontology, domains, universe) if domains else universe)
    if range_ != ("Literal",):
        ranges = set().union(*(class_set(ontology, r) for r in ontology.objects(RC[name], RDFS.range)))
        assert set(range_) == subclasses_within(ontology, ranges, universe)
    else:
        assert (RC[name], RDF.type, OWL.DatatypeProperty) in ontology


def test_ontology_chain_party_committee_is_a_party_organization(ontology: Graph) -> None:
    assert (RC.ChainPartyCommittee, RDFS.subClassOf, RC.PartyOrganization) in ontology


@pytest.mark.parametrize("name", ["PartyOrganization", "Enterprise", "GovernmentBody", "ResearchInstitution",
                                  "OtherOrganization"])
def test_ontology_organisation_classes_are_organizations(ontology: Graph, name: str) -> None:
    assert (RC[name], RDFS.subClassOf, RC.Organization) in ontology


def test_ontology_partners_with_symmetric_located_in_not_transitive(ontology: Graph) -> None:
    assert (RC.partnersWith, RDF.type, OWL.SymmetricProperty) in ontology
    assert (RC.locatedIn, RDF.type, OWL.TransitiveProperty) not in ontology


def test_ontology_aligns_only_by_subclass_and_subproperty(ontology: Graph) -> None:
    assert not list(ontology.triples((None, OWL.equivalentClass, None)))
    org = "http://www.w3.org/ns/org#"
    assert (RC.Organization, RDFS.subClassOf, URIRef(org + "Organization")) in ontology
    assert (RC.Post, RDFS.subClassOf, URIRef(org + "Post")) in ontology
    assert (RC.subOrganizationOf, RDFS.subPropertyOf, URIRef(org + "subOrganizationOf")) in ontology
    assert (RC.holder, RDFS.subPropertyOf, URIRef(org + "heldBy")) in ontology
    assert (RC.postIn, RDFS.subPropertyOf, URIRef(org + "postIn")) in ontology
    assert (RC.affiliatedWith, RDFS.subPropertyOf, SCHEMA.affiliation) in ontology
    assert (RC.foundingDate, RDFS.subPropertyOf, SCHEMA.foundingDate) in ontology
    assert (RC.Place, RDFS.subClassOf, SCHEMA.Place) in ontology


# -- the shapes ------------------------------------------------------------------------


def test_shapes_every_shape_is_named_labelled_with_an_english_message(shapes: Graph) -> None:
    sh = "http://www.w3.org/ns/shacl#"
    named = {s for t in ("NodeShape", "PropertyShape") for s in shapes.subjects(RDF.type, URIRef(sh + t))}
    assert len(named) >= 30
    for shape in named:
        assert str(shape).startswith(str(SHAPES)), shape
        assert shapes.value(shape, RDFS.label) is not None, shape
        assert shapes.value(shape, URIRef(sh + "severity")) == URIRef(sh + "Violation"), shape
        assert "en" in {m.language for m in shapes.objects(shape, URIRef(sh + "message"))}, shape
    # no anonymous property shapes: every result names a shape a reader can look up
    assert not [s for s in shapes.subjects(URIRef(sh + "path"), None) if isinstance(s, BNode)]


def validate(data_graph: Graph) -> tuple[bool, Graph]:
    """The pySHACL call, spelled out (graph/validation.py makes the same one)."""
    import pyshacl

    conforms, results_graph, _text = pyshacl.validate(
        data_graph,
        shacl_graph=load_shapes(),
        ont_graph=load_ontology(),  # rdfs:subClassOf for sh:class, AllDisjointClasses
        inference="none",  # never "rdfs": ranges would "prove" the classes we check
        advanced=True,  # sh:SPARQLTarget (SHACL-AF) on the shapes that need SPARQL
        meta_shacl=False,
        do_owl_imports=False,
        inplace=False,
        abort_on_first=False,
        allow_infos=False,
        allow_warnings=False,
    )
    return conforms, results_graph


def test_validation_helper_matches_library_options() -> None:
    assert dict(PYSHACL_OPTIONS) == {
        "inference": "none", "advanced": True, "meta_shacl": False, "do_owl_imports": False,
        "inplace": False, "abort_on_first": False, "allow_infos": False, "allow_warnings": False,
    }


PERSON, COMMITTEE, CHAIN = ID["person/he-bing-hui"], ID["org/tong-chan-ye-lian-dang-wei"], ID["chain/tong"]
COMPANY, PLACE, POST = ID["org/jiang-tong"], ID["place/360000"], ID["post/0123456789ab"]


def add_node(g: Graph, node: URIRef, cls: URIRef, zh: str, pinyin: str) -> None:
    g.add((node, RDF.type, cls))
    g.add((node, RDFS.label, Literal(zh, lang="zh")))
    g.add((node, RDFS.label, Literal(pinyin, lang="zh-Latn-pinyin")))


def good_graph() -> Graph:
    """何炳辉 is secretary of 铜产业链党委, which serves 铜产业链; with places, a post, attributes."""
    g = bind_prefixes(Graph())
    add_node(g, PERSON, RC.Person, "何炳辉", "He Binghui")
    add_node(g, COMMITTEE, RC.ChainPartyCommittee, "铜产业链党委", "tong chanyelian dangwei")
    add_node(g, CHAIN, RC.IndustrialChain, "铜产业链", "tong chanyelian")
    add_node(g, COMPANY, RC.Enterprise, "江西铜业集团有限公司", "Jiangxi Tongye Jituan Youxian Gongsi")
    add_node(g, PLACE, RC.Place, "江西省", "Jiangxi Sheng")
    g.add((COMPANY, RDFS.label, Literal("Jiangxi Copper Group Co., Ltd.", lang="en")))
    g.add((COMPANY, SKOS.altLabel, Literal("江铜集团", lang="zh")))
    g.add((PLACE, SKOS.altLabel, Literal("江西", lang="zh")))
    g.add((PERSON, RC.secretaryOf, COMMITTEE))
    g.add((COMMITTEE, RC.servesChain, CHAIN))
    g.add((COMMITTEE, RC.covers, COMPANY))
    g.add((COMMITTEE, RC.locatedIn, PLACE))
    g.add((COMPANY, RC.leadsChain, CHAIN))
    g.add((PERSON, RC.affiliatedWith, COMPANY))
    g.add((POST, RDF.type, RC.Post))
    g.add((POST, RC.holder, PERSON))
    g.add((POST, RC.postIn, COMPANY))
    g.add((POST, RC.postTitle, Literal("董事长", lang="zh")))
    g.add((PLACE, RC.divisionCode, Literal("360000", datatype=XSD.string)))
    g.add((PLACE, RC.divisionLevel, Literal("province", datatype=XSD.string)))
    g.add((COMMITTEE, RC.orgLevel, Literal("党委", lang="zh")))
    g.add((COMMITTEE, RC.statedMemberCount, Literal(20, datatype=XSD.integer)))
    g.add((COMMITTEE, RC.statedMemberCountText, Literal("20多家", lang="zh")))
    g.add((COMMITTEE, RC.foundingDate, Literal("2022-06", datatype=XSD.gYearMonth)))
    return g


def test_validation_good_graph_conforms() -> None:
    conforms, results = validate(good_graph())
    assert conforms, results.serialize(format="turtle")
    assert validate_graph(good_graph()) == []


def test_validation_good_graph_survives_a_turtle_round_trip() -> None:
    text = good_graph().serialize(format="longturtle")
    assert validate_graph(Graph().parse(data=text, format="turtle")) == []


def test_validation_does_not_modify_the_graph() -> None:
    g = good_graph()
    before = len(g)
    validate_graph(g)
    assert len(g) == before


def test_validation_follows_subclasses_only_with_the_ontology() -> None:
    # a ChainPartyCommittee is a PartyOrganization only because the ontology says so
    _conforms, results = run_shacl(good_graph(), ontology=Graph())
    shapes = {str(s) for s in results.objects(None, URIRef("http://www.w3.org/ns/shacl#sourceShape"))}
    assert str(SHAPES.SecretaryOfObjectShape) in shapes


def test_validation_needs_advanced_for_the_sparql_targets() -> None:
    # the exact-@zh, disjointness and cycle checks find their nodes through sh:SPARQLTarget
    import pyshacl

    g = good_graph()
    g.add((COMPANY, RDFS.label, Literal("江铜集团", lang="zh")))
    options = dict(PYSHACL_OPTIONS, advanced=False)
    conforms, _results, _text = pyshacl.validate(g, shacl_graph=load_shapes(), ont_graph=load_ontology(), **options)
    assert conforms
    assert not validate(g)[0]


def drop(*triples: tuple) -> Callable[[Graph], None]:
    def edit(g: Graph) -> None:
        for triple in triples:
            g.remove(triple)
    return edit


def add(*triples: tuple) -> Callable[[Graph], None]:
    def edit(g: Graph) -> None:
        for triple in triples:
            g.add(triple)
    return edit


def replace(old: tuple, new: tuple) -> Callable[[Graph], None]:
    def edit(g: Graph) -> None:
        g.remove(old)
        g.add(new)
    return edit


# (case id, edit of the good graph, expected shape, expected focus node)
BROKEN = [
    ("missing-zh-label", drop((PERSON, RDFS.label, Literal("何炳辉", lang="zh"))),
     "ZhLabelRequiredShape", PERSON),
    ("zh-cn-is-not-zh", replace((CHAIN, RDFS.label, Literal("铜产业链", lang="zh")),
                                 (CHAIN, RDFS.label, Literal("铜产业链", lang="zh-CN"))),
     "ZhLabelRequiredShape", CHAIN),
    ("two-zh-labels", add((COMPANY, RDFS.label, Literal("江铜集团", lang="zh"))),
     "ZhLabelUniqueShape", COMPANY),
    ("untrimmed-label", add((PLACE, RDFS.label, Literal("Jiangxi Province ", lang="en"))),
     "LabelFormShape", PLACE),
    ("alt-label-not-zh", add((COMPANY, SKOS.altLabel, Literal("JCC", lang="en"))),
     "AltLabelShape", COMPANY),
    ("secretary-of-enterprise", replace((PERSON, RC.secretaryOf, COMMITTEE), (PERSON, RC.secretaryOf, COMPANY)),
     "SecretaryOfObjectShape", PERSON),
    ("secretary-is-no-person", add((COMPANY, RC.secretaryOf, COMMITTEE)),
     "SecretaryOfSubjectShape", COMPANY),
    ("serves-chain-from-enterprise", add((COMPANY, RC.servesChain, CHAIN)),
     "ServesChainSubjectShape", COMPANY),
    ("serves-a-place", replace((COMMITTEE, RC.servesChain, CHAIN), (COMMITTEE, RC.servesChain, PLACE)),
     "ServesChainObjectShape", COMMITTEE),
    ("serves-two-chains", add((ID["chain/wu"], RDF.type, RC.IndustrialChain),
                              (ID["chain/wu"], RDFS.label, Literal("钨产业链", lang="zh")),
                              (COMMITTEE, RC.servesChain, ID["chain/wu"])), "ChainPartyCommitteeShape", COMMITTEE),
    ("committee-without-chain", drop((COMMITTEE, RC.servesChain, CHAIN)), "ChainPartyCommitteeShape", COMMITTEE),
    ("covers-a-chain", add((COMMITTEE, RC.covers, CHAIN)), "CoversObjectShape", COMMITTEE),
    ("leads-from-person", add((PERSON, RC.leadsChain, CHAIN)), "LeadsChainSubjectShape", PERSON),
    ("located-in-enterprise", add((COMMITTEE, RC.locatedIn, COMPANY)), "LocatedInObjectShape", COMMITTEE),
    ("located-in-cycle", add((PLACE, RC.locatedIn, PLACE)), "LocatedInAcyclicShape", PLACE),
    ("party-org-of-a-place", add((COMMITTEE, RC.partyOrganizationOf, PLACE)),
     "PartyOrganizationOfObjectShape", COMMITTEE),
    ("sub-org-of-enterprise", add((COMMITTEE, RC.subOrganizationOf, COMPANY)),
     "SubOrganizationOfObjectShape", COMMITTEE),
    ("affiliated-with-chain", add((PERSON, RC.affiliatedWith, CHAIN)), "AffiliatedWithObjectShape", PERSON),
    ("partners-with-person", add((COMPANY, RC.partnersWith, PERSON)), "PartnersWithObjectShape", COMPANY),
    ("partners-with-itself", add((COMPANY, RC.partnersWith, COMPANY)), "PartnersWithOtherShape", COMPANY),
    ("two-disjoint-classes", add((COMPANY, RDF.type, RC.Place)), "DisjointClassesShape", COMPANY),
    ("post-without-holder", drop((POST, RC.holder, PERSON)), "PostHolderShape", POST),
    ("post-title-not-zh", replace((POST, RC.postTitle, Literal("董事长", lang="zh")),
                                  (POST, RC.postTitle, Literal("chairman"))), "PostTitleShape", POST),
    ("division-code-letters", replace((PLACE, RC.divisionCode, Literal("360000", datatype=XSD.string)),
                                      (PLACE, RC.divisionCode, Literal("36A000"))), "DivisionCodeShape", PLACE),
    ("division-code-7-digits", replace((PLACE, RC.divisionCode, Literal("360000", datatype=XSD.string)),
                                       (PLACE, RC.divisionCode, Literal("3600001"))), "DivisionCodeShape", PLACE),
    ("division-code-fullwidth", replace((PLACE, RC.divisionCode, Literal("360000", datatype=XSD.string)),
                                        (PLACE, RC.divisionCode, Literal("３６"))), "DivisionCodeShape", PLACE),
    ("division-code-integer", replace((PLACE, RC.divisionCode, Literal("360000", datatype=XSD.string)),
                                      (PLACE, RC.divisionCode, Literal(360000))), "DivisionCodeShape", PLACE),
    ("division-code-on-enterprise", add((COMPANY, RC.divisionCode, Literal("36"))),
     "PlaceAttributeSubjectShape", COMPANY),
    ("division-level-unknown", replace((PLACE, RC.divisionLevel, Literal("province", datatype=XSD.string)),
                                       (PLACE, RC.divisionLevel, Literal("state"))), "DivisionLevelShape", PLACE),
    ("member-count-negative", replace((COMMITTEE, RC.statedMemberCount, Literal(20, datatype=XSD.integer)),
                                      (COMMITTEE, RC.statedMemberCount, Literal(-3, datatype=XSD.integer))),
     "StatedMemberCountShape", COMMITTEE),
    ("member-count-text", replace((COMMITTEE, RC.statedMemberCount, Literal(20, datatype=XSD.integer)),
                                  (COMMITTEE, RC.statedMemberCount, Literal("20多"))),
     "StatedMemberCountShape", COMMITTEE),
    ("org-level-on-enterprise", add((COMPANY, RC.orgLevel, Literal("党委", lang="zh"))),
     "PartyAttributeSubjectShape", COMPANY),
    ("founding-date-string", replace((COMMITTEE, RC.foundingDate, Literal("2022-06", datatype=XSD.gYearMonth)),
                                     (COMMITTEE, RC.foundingDate, Literal("2022年6月"))),
     "FoundingDateShape", COMMITTEE),
]


@pytest.mark.parametrize(("edit", "shape", "focus"), [case[1:] for case in BROKEN], ids=[case[0] for case in BROKEN])
def test_validation_broken_graph_fails_with_its_shape(edit: Callable[[Graph], None], shape: str,
                                                      focus: URIRef) -> None:
    g = good_graph()
    edit(g)
    conforms, _results = validate(g)
    assert not conforms
    findings = validate_graph(g)
    assert {(f.shape, f.focus_node) for f in findings} == {(f"rcsh:{shape}", str(focus))}, findings


def test_validation_finding_names_node_property_and_value() -> None:
    g = good_graph()
    replace((PERSON, RC.secretaryOf, COMMITTEE), (PERSON, RC.secretaryOf, COMPANY))(g)
    assert validate_graph(g) == [Finding(
        focus_node=str(PERSON), focus_label="何炳辉", path="rc:secretaryOf", shape="rcsh:SecretaryOfObjectShape",
        message="rc:secretaryOf must point to an rc:PartyOrganization (a company's secretary post is rc:affiliatedWith)",
        value=str(COMPANY))]


def test_validation_two_zh_labels_reports_each_label() -> None:
    g = good_graph()
    g.add((COMPANY, RDFS.label, Literal("江铜集团", lang="zh")))
    findings = validate_graph(g)
    assert [f.value for f in findings] == ["江西铜业集团有限公司", "江铜集团"]
    assert all(f.path == "rdfs:label" for f in findings)
    assert "(江铜集团)" in findings[1].message


def _pyshacl_findings(g: Graph) -> set[tuple[str, str, str, str]]:
    """What pySHACL alone (SPARQL targets included, in rdflib's engine) reports."""
    from rdflib.namespace import SH

    _conforms, results = run_shacl(g)
    return {(str(results.value(r, SH.focusNode)), str(results.value(r, SH.sourceShape)).rsplit("#", 1)[-1],
             str(results.value(r, SH.value) or ""), str(results.value(r, SH.resultMessage)))
            for r in results.subjects(RDF.type, SH.ValidationResult)}


@pytest.mark.parametrize(("edit", "shape", "focus"), [case[1:] for case in BROKEN], ids=[case[0] for case in BROKEN])
def test_validation_split_engines_report_what_pyshacl_alone_reports(edit: Callable[[Graph], None], shape: str,
                                                                     focus: URIRef) -> None:
    """validate_graph runs the SPARQL-based shapes on Oxigraph: same nodes, shapes, values and messages."""
    g = good_graph()
    edit(g)
    ours = {(f.focus_node, f.shape.removeprefix("rcsh:"), f.value, f.message) for f in validate_graph(g)}
    assert ours == _pyshacl_findings(g)

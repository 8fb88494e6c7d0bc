"""Validation in chunks of subjects (validation.validate_lines, shacl_chunks.py) gives the
findings of the whole graph at once, whatever the chunk size: checked here with chunks of
one subject (chunk_triples=1) and of a few subjects (7), against one chunk of everything
and against pySHACL."""

from __future__ import annotations

from collections import Counter

import pytest
from rdflib import RDF, RDFS, Graph, Literal, URIRef
from rdflib.namespace import SH

from graph import validation
from graph.rdf_text import ntriples_lines
from graph.shacl_chunks import chunks, index_lines, on_cycles
from graph.shacl_sparql import sparql_shapes
from graph.validation import load_shapes, run_shacl, validate_lines, validate_ntriples
from graph.vocab import ID, RC
from tests.test_ontology import BROKEN, good_graph
from tests.test_validation_constraints import EXPECTED, ZONE, broken_graph, node

SMALL = (1, 7)
WHOLE = 10**9  # one chunk of everything


def far_apart_graph() -> Graph:
    """Faults whose evidence lies in other subjects than the focus node's: with chunks of
    one subject, every value's type, every cycle and the subclass come from other chunks."""
    g = broken_graph()
    a, b, c = (node(g, f"place/{name}", RC.Place, zh)
               for name, zh in (("a", "甲地"), ("m", "乙地"), ("z", "丙地")))
    g.add((a, RC.locatedIn, b))
    g.add((b, RC.locatedIn, c))
    g.add((c, RC.locatedIn, a))  # a cycle through three subjects
    g.add((a, RC.locatedIn, ID["place/north"]))  # and out of it
    p, q = node(g, "org/p", RC.PartyOrganization, "甲党委"), node(g, "org/q", RC.PartyOrganization, "乙党委")
    g.add((p, RC.subOrganizationOf, q))
    g.add((q, RC.subOrganizationOf, p))
    g.add((node(g, "person/d", RC.Person, "丁"), RC.secretaryOf, ID["org/idle"]))  # fine: a committee elsewhere
    g.add((node(g, "org/e", RC.Enterprise, "戊公司"), RC.locatedIn, ID["place/zone"]))  # fine: a Zone is a Place
    g.add((ID["person/d"], RC.affiliatedWith, ID["place/zone"]))  # a place is no organisation
    return g


def cases() -> list[tuple[str, Graph]]:
    out = [("constraints", broken_graph()), ("far-apart", far_apart_graph()), ("good", good_graph())]
    for case_id, edit, _shape, _focus in BROKEN:
        g = good_graph()
        edit(g)
        out.append((case_id, g))
    return out


CASES = cases()


@pytest.mark.parametrize("size", SMALL)
@pytest.mark.parametrize("g", [g for _id, g in CASES], ids=[case_id for case_id, _g in CASES])
def test_validation_chunks_give_the_findings_of_one_chunk(g: Graph, size: int) -> None:
    lines = ntriples_lines(g)
    assert validate_lines(lines, chunk_triples=size) == validate_lines(lines, chunk_triples=WHOLE)


def test_validation_chunks_of_one_subject_report_what_the_shapes_say() -> None:
    findings = validate_lines(ntriples_lines(broken_graph()), chunk_triples=1)
    found = {(f.shape.removeprefix("rcsh:"), f.focus_node.removeprefix(str(ID)), f.path, f.value) for f in findings}
    assert found == EXPECTED


def pyshacl_findings(g: Graph) -> set[tuple[str, str, str, str]]:
    _conforms, results = run_shacl(g)
    return {(str(results.value(r, SH.focusNode)), str(results.value(r, SH.sourceShape)).rsplit("#", 1)[-1],
             str(results.value(r, SH.value) or ""), str(results.value(r, SH.resultMessage)))
            for r in results.subjects(RDF.type, SH.ValidationResult)}


def test_validation_chunks_of_one_subject_report_what_pyshacl_reports() -> None:
    g = far_apart_graph()
    g.remove((ID["place/newline"], RC.divisionLevel, Literal("county\n")))  # pySHACL's $ matches before a final \n
    findings = validate_lines(ntriples_lines(g), chunk_triples=1)
    assert {(f.focus_node, f.shape.removeprefix("rcsh:"), f.value, f.message) for f in findings} == pyshacl_findings(g)


def test_validation_chunks_name_cycle_nodes_by_their_labels() -> None:
    findings = validate_lines(ntriples_lines(far_apart_graph()), chunk_triples=1)
    cycles = {(f.focus_label, f.shape) for f in findings if f.shape.endswith("AcyclicShape")}
    assert cycles == {("环", "rcsh:LocatedInAcyclicShape"),  # place/loop of broken_graph
                      ("甲地", "rcsh:LocatedInAcyclicShape"), ("乙地", "rcsh:LocatedInAcyclicShape"),
                      ("丙地", "rcsh:LocatedInAcyclicShape"), ("甲党委", "rcsh:SubOrganizationOfAcyclicShape"),
                      ("乙党委", "rcsh:SubOrganizationOfAcyclicShape")}


def test_validation_ntriples_text_is_checked_in_chunks_in_any_order() -> None:
    lines = ntriples_lines(far_apart_graph())
    expected = validate_lines(lines, chunk_triples=WHOLE)
    assert validate_ntriples("".join(reversed(lines)), chunk_triples=1) == expected


def test_validation_chunks_of_an_empty_graph_check_the_ontology_alone() -> None:
    assert validate_lines([], chunk_triples=1) == validate_ntriples("") == []


def test_validation_lines_must_be_readable_twice_and_grouped_by_subject() -> None:
    lines = ntriples_lines(good_graph())
    with pytest.raises(TypeError, match="twice"):
        validate_lines(iter(lines))
    with pytest.raises(ValueError, match="not together"):
        validate_lines(lines[1:] + lines[:1])


# -- what the chunks hold --------------------------------------------------------------


def test_shacl_chunks_hold_whole_subjects_and_the_types_of_the_nodes_they_point_to() -> None:
    lines = ntriples_lines(far_apart_graph())
    index = index_lines(lines, frozenset())
    parts = list(chunks(lines, index, 7))
    assert [line for chunk in parts for line in chunk.lines] == lines
    assert all(len(chunk.lines) >= 7 for chunk in parts[:-1])
    seen: set[str] = set()
    for chunk in parts:
        assert not chunk.subjects & seen  # a subject is never split
        seen |= chunk.subjects
    holder = next(chunk for chunk in parts if f"<{ID['person/d']}>" in chunk.subjects)
    assert f"<{ID['org/idle']}> <{RDF.type}> <{RC.ChainPartyCommittee}> .\n" in holder.context


def test_shacl_chunks_index_counts_each_subjects_lines_and_chunks_check_them() -> None:
    lines = ntriples_lines(far_apart_graph())
    index = index_lines(lines, frozenset())
    by_subject = Counter(line.split(" ", 1)[0] for line in lines)  # a hand count: the subjects' lines
    assert list(zip(index.types, index.sizes)) == list(by_subject.items())
    with pytest.raises(ValueError, match="more lines"):
        list(chunks(lines + [lines[-1]], index, 7))


def test_shacl_chunks_index_keeps_the_class_axioms_of_the_data() -> None:
    lines = ntriples_lines(far_apart_graph())
    index = index_lines(lines, frozenset({f"<{RC.locatedIn}>"}))
    assert index.axioms == [f"<{ZONE}> <{RDFS.subClassOf}> <{RC.Place}> .\n"]
    assert len(index.followed) == 6  # the cycle of three and its way out, org/e and place/loop


def test_shacl_sparql_only_the_cycle_checks_follow_properties() -> None:
    shapes = sparql_shapes(load_shapes())
    follows = {str(s.shape).rsplit("#", 1)[-1]: s.follows for s in shapes if s.follows}
    assert follows == {"LocatedInAcyclicShape": {str(RC.locatedIn)},
                       "SubOrganizationOfAcyclicShape": {str(RC.subOrganizationOf)}}
    assert {str(s.shape).rsplit("#", 1)[-1] for s in shapes if s.cycles} == set(follows)


def test_shacl_chunks_on_cycles_keeps_the_cycles_and_the_paths_between_them() -> None:
    def line(s: str, o: str) -> str:
        return f"<urn:{s}> <{RC.locatedIn}> <urn:{o}> .\n"

    cycle_a = [line("a1", "a2"), line("a2", "a1")]
    cycle_b = [line("b1", "b2"), line("b2", "b3"), line("b3", "b1")]
    between = [line("a1", "x"), line("x", "b1")]
    loop = [line("self", "self")]
    tree = [line("leaf", "a1"), line("b3", "root"), line("root", "top"), line("other", "top")]
    assert on_cycles(cycle_a + tree + between + cycle_b + loop) == cycle_a + between + cycle_b + loop
    assert on_cycles(tree) == []


def test_validation_shapes_of_the_ontology_are_checked_in_chunks() -> None:
    assert validation._checks(load_shapes(), validation.load_ontology()).chunkable


def objects_shape(g: Graph) -> Graph:
    """shapes.ttl and a shape that targets objects: not node-local, so checked in one chunk."""
    shape = URIRef("https://w3id.org/redchain/shapes#SecretaryTargetShape")
    g.add((shape, RDF.type, SH.NodeShape))
    g.add((shape, SH.targetObjectsOf, RC.secretaryOf))
    g.add((shape, SH["class"], RC.ChainPartyCommittee))
    return g


@pytest.mark.parametrize("size", SMALL)
def test_validation_shapes_that_are_not_node_local_give_the_same_findings(size: int) -> None:
    shapes = objects_shape(load_shapes())
    assert not validation._checks(shapes, validation.load_ontology()).chunkable
    lines = ntriples_lines(far_apart_graph())
    findings = validate_lines(lines, chunk_triples=size, shapes=shapes)
    assert findings == validate_lines(lines, chunk_triples=WHOLE, shapes=shapes)
    assert any(f.shape == "rcsh:SecretaryTargetShape" for f in findings)


@pytest.mark.parametrize("size", SMALL)
def test_validation_chunks_check_the_nodes_of_the_ontology_once(size: int) -> None:
    """A node that only the ontology describes is in every chunk, with the types of the data
    nodes it points to: its findings are those of the whole graph."""
    ontology = validation.load_ontology()
    fine, nameless = URIRef("https://example.org/fine"), URIRef("https://example.org/nameless")
    ontology.add((fine, RDF.type, RC.Person))
    ontology.add((fine, RDFS.label, Literal("某", lang="zh")))
    ontology.add((fine, RC.secretaryOf, ID["org/idle"]))  # a committee of the data
    ontology.add((nameless, RDF.type, RC.Person))
    lines = ntriples_lines(far_apart_graph())
    findings = validate_lines(lines, chunk_triples=size, ontology=ontology)
    assert findings == validate_lines(lines, chunk_triples=WHOLE, ontology=ontology)
    assert {f.shape for f in findings if f.focus_node.startswith("https://example.org/")} == {
        "rcsh:ZhLabelRequiredShape"}

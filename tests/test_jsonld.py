"""graph.jsonld (issue #7): jsonld.write_jsonld compacts the sorted N-Triples lines itself, a subject
at a time, and sorts the node objects in bounded memory. rdflib's JSON-LD converter, over the
triples grouped by subject as the exports grouped them before, stays the oracle (rdflib_jsonld
below): on the seed graph, on hand-picked corner cases and on generated graphs."""

from __future__ import annotations

import io
import json
from collections import defaultdict
from pathlib import Path
from typing import Any, Iterable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rdflib import RDF, RDFS, SKOS, XSD, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV
from rdflib.term import Node

from graph.entities import ID_BASE
from graph.jsonld import JSONLD_CONTEXT, write_jsonld
from graph.rdf_text import ntriples_lines
from graph.vocab import GEO, RC, WGS84

Triple = tuple[Node, Node, Node]
pytestmark = pytest.mark.filterwarnings("error::ResourceWarning", "error::pytest.PytestUnraisableExceptionWarning")


# ── the oracle: the exports' JSON-LD before issue #7 ─────────────────────────────────

_SORTED = json.JSONEncoder(ensure_ascii=False, sort_keys=True)


class _NoLists:
    """What rdflib's converter asks of the graph, for a graph without RDF lists."""

    @staticmethod
    def value(*_args: Any, **_kwargs: Any) -> None:
        return None


_NO_LISTS: Any = _NoLists()  # the converter is typed for a Graph


def _sorted_json(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _sorted_json(v) for k, v in value.items()}
    if isinstance(value, list):
        items = [_sorted_json(v) for v in value]
        return sorted(items, key=lambda v: (str(v.get("@id", "")) if isinstance(v, dict) else "", _SORTED.encode(v)))
    return value


def rdflib_jsonld(triples: Iterable[Triple]) -> bytes:
    """graph.jsonld as write_jsonld wrote it until issue #7: the triples grouped by subject in a
    dict, the subjects sorted by compact @id, each triple compacted by rdflib's Converter."""
    from rdflib.plugins.serializers.jsonld import Converter
    from rdflib.plugins.shared.jsonld.context import Context

    converter = Converter(Context(JSONLD_CONTEXT), use_native_types=False, use_rdf_type=False)
    by_subject: dict[Any, list[tuple[Any, Any]]] = defaultdict(list)
    for s, p, o in triples:
        by_subject[s].append((p, o))
    subjects = sorted((str(converter.context.shrink_iri(subject)), subject) for subject in by_subject)
    context = json.dumps(JSONLD_CONTEXT, ensure_ascii=False, indent=2, sort_keys=True).replace("\n", "\n  ")
    out = io.BytesIO()
    out.write(f'{{\n  "@context": {context},\n  "@graph": [\n'.encode("utf-8"))
    separator = ""
    for compact, subject in subjects:
        node = {"@id": compact}
        for p, o in by_subject.pop(subject):
            converter.add_to_node(_NO_LISTS, subject, p, o, node, {})
        out.write(f"{separator}    {_SORTED.encode(_sorted_json(node))}".encode("utf-8"))
        separator = ",\n"
    out.write("\n  ]\n}\n".encode("utf-8"))
    return out.getvalue()


def new_jsonld(triples: Iterable[Triple], buffer_lines: int = 100_000, tmpdir: Path | None = None) -> bytes:
    out = io.BytesIO()
    write_jsonld(out, ntriples_lines(triples), buffer_lines=buffer_lines, tmpdir=tmpdir)
    return out.getvalue()


def assert_same_as_rdflib(triples: set[Triple], buffer_lines: int = 100_000) -> None:
    expected, found = rdflib_jsonld(triples), new_jsonld(triples, buffer_lines)
    assert json.loads(found) == json.loads(expected)
    assert found == expected


# ── the seed graph ───────────────────────────────────────────────────────────────────

@pytest.fixture(scope="module")
def seed_triples(seed_build: tuple[Path, Any]) -> set[Triple]:
    """The seed graph as built (graph.nt keeps the case of language tags; graph.ttl does not)."""
    return set(Graph().parse(seed_build[0] / "graph.nt", format="nt"))


def test_jsonld_seed_graph_is_what_rdflib_converter_makes(seed_triples: set[Triple],
                                                           seed_build: tuple[Path, Any]) -> None:
    assert any(p == RDF.type for _, p, _ in seed_triples) and any(
        str(s).startswith(str(RC._NS)) for s, _, _ in seed_triples)  # entities and the ontology's terms
    assert_same_as_rdflib(seed_triples)
    assert new_jsonld(seed_triples) == (seed_build[0] / "graph.jsonld").read_bytes()


@pytest.mark.parametrize("buffer_lines", [1, 2, 3])
def test_jsonld_a_tiny_sort_buffer_gives_the_same_bytes(seed_triples: set[Triple], tmp_path: Path,
                                                        buffer_lines: int) -> None:
    assert new_jsonld(seed_triples, buffer_lines, tmp_path) == new_jsonld(seed_triples)
    assert list(tmp_path.iterdir()) == []  # the sort's temporary files are gone


# ── corner cases ─────────────────────────────────────────────────────────────────────

EX = "http://example.org/"
PLACE = URIRef(f"{ID_BASE}place/360200")


def test_jsonld_corner_cases_are_what_rdflib_converter_makes() -> None:
    geometry, place2 = URIRef(f"{PLACE}/geometry"), URIRef(f"{PLACE}-2")
    triples: set[Triple] = {
        # line order: …/360200-2, …/360200/geometry, …/360200; @id order: …/360200, …/360200-2, …/geometry
        (PLACE, RDF.type, RC.Place), (place2, RDF.type, RC.Place), (geometry, RDF.type, GEO.Geometry),
        (PLACE, GEO.hasGeometry, geometry), (geometry, GEO.asWKT, Literal("POINT(1 2)", datatype=GEO.wktLiteral)),
        (PLACE, WGS84.lat, Literal("28.1", datatype=XSD.decimal)),
        # rcid: only directly under …/id/; the namespaces themselves as subject, class, object, predicate
        (URIRef(ID_BASE + "x"), RDF.type, URIRef(str(RC._NS))), (URIRef(ID_BASE), RDFS.seeAlso, URIRef(str(RC._NS))),
        (URIRef(str(RC._NS)), URIRef(str(RDFS)), Literal("ns")), (URIRef(EX + "a#b/c"), RDF.type, URIRef("urn:x:y")),
        (URIRef("urn:x:y"), RDF.type, RC.Person), (URIRef("urn:x:y"), RDF.type, URIRef(EX + "C")),
        (RC.Post, RDFS.label, Literal("职务", lang="zh")), (RC.Post, RDFS.label, Literal("Post", lang="en")),
        (RC.Post, RDFS.comment, Literal("任职", lang="zh")), (RC.Post, RDFS.subClassOf, PROV.Entity),
        # labels without a language, typed, or with an IRI stay under rdfs:label
        (PLACE, RDFS.label, Literal("赣州")), (PLACE, RDFS.label, Literal("1", datatype=XSD.integer)),
        (place2, RDFS.label, URIRef(EX + "l")), (place2, SKOS.altLabel, Literal("别名")),
        (place2, SKOS.altLabel, Literal("甲", lang="zh")), (place2, SKOS.altLabel, Literal("乙", lang="zh")),
        (place2, SKOS.altLabel, Literal("b", lang="zh-Latn-pinyin")),
        # native values for xsd:integer/boolean/double/string, value objects for the rest
        (place2, RC.statedMemberCount, Literal(20)), (place2, RC.statedMemberCount, Literal(7)),
        (place2, URIRef(EX + "flag"), Literal(True)), (place2, URIRef(EX + "ratio"), Literal(1.5)),
        (place2, URIRef(EX + "s"), Literal("typed", datatype=XSD.string)), (place2, URIRef(EX + "s"), Literal("typed")),
        (place2, RC.foundingDate, Literal("2020", datatype=XSD.gYear)),
        (place2, DCTERMS.date, Literal("2020-01-02", datatype=XSD.date)),
        (place2, URIRef(EX + "t"), Literal("x", datatype=URIRef(EX + "dt"))),
        (place2, RDF.type, Literal("a literal type")),
    }
    assert_same_as_rdflib(triples)
    ids = [node["@id"] for node in json.loads(new_jsonld(triples))["@graph"]]
    assert ids == sorted(ids) and f"{PLACE}/geometry" in ids and "rcid:x" in ids and "rc:" in ids


def test_jsonld_keeps_every_value_where_rdflib_converter_drops_one() -> None:
    """rdflib's converter tests a key's first value for truth: a "" or 0 followed by another value
    of the key is dropped, depending on the order of the triples (set order, before issue #7)."""
    node = URIRef(f"{ID_BASE}org/x")
    triples = [(node, RC.statedMemberCount, Literal(0)), (node, RC.statedMemberCount, Literal(5)),
               (node, RDFS.label, Literal("", lang="zh")), (node, RDFS.label, Literal("甲", lang="zh"))]
    assert json.loads(rdflib_jsonld(triples))["@graph"] == [{"@id": str(node), "label": {"zh": "甲"},
                                                              "rc:statedMemberCount": 5}]
    assert json.loads(new_jsonld(triples))["@graph"] == [{"@id": str(node), "label": {"zh": ["", "甲"]},
                                                           "rc:statedMemberCount": [0, 5]}]


@pytest.mark.parametrize("lines", [
    [f"<{EX}b> <{EX}p> <{EX}o> .\n", f"<{EX}a> <{EX}p> <{EX}o> .\n"],  # out of order
    [f"<{EX}a> <{EX}p> <{EX}o> .\n", f"<{EX}a> <{EX}p> <{EX}o> .\n"],  # repeated
    [f"<{EX}a> <{EX}p> _:b0 .\n"], [f"_:b0 <{EX}p> <{EX}o> .\n"], [f"<{EX}a> <{EX}p> <{EX}o> <{EX}g> .\n"],
])
def test_jsonld_refuses_lines_it_cannot_write(lines: list[str]) -> None:
    with pytest.raises(ValueError):
        write_jsonld(io.BytesIO(), lines)


# ── generated graphs ─────────────────────────────────────────────────────────────────

_NAMESPACES = [str(RC._NS), ID_BASE, f"{ID_BASE}org/", f"{ID_BASE}place/360200/", str(RDFS), str(SKOS), str(PROV),
               str(GEO._NS), str(WGS84._NS), "http://schema.org/", EX, f"{EX}a#", "urn:x:"]
_local = st.text("abcXYZ019-._~/#:甲", max_size=6)
iris = st.builds(lambda ns, local: URIRef(ns + local), st.sampled_from(_NAMESPACES), _local)
# hostile text: quotes, backslashes, line ends a text reader might split at, controls, emoji; no "" (see above)
_text = st.text(st.sampled_from(['"', "\\", "\n", "\r", "\t", "\u2028", "\x85", "\x00", "\x0c", "😀", "a", "Z", " ",
                                 "甲", "é", "@", "<", ">", "^"]) | st.characters(exclude_categories=["Cs"]),
                min_size=1, max_size=8)
_languages = st.sampled_from(["zh", "en", "zh-Latn-pinyin", None])
literals = st.one_of(
    st.builds(Literal, _text, lang=_languages),
    st.builds(lambda n: Literal(n, datatype=XSD.integer), st.integers(1, 10**6)),
    st.builds(lambda n: Literal(f"{n / 100:.2f}", datatype=XSD.decimal), st.integers(-18000, 18000)),
    st.builds(lambda y, m, d: Literal(f"{y}-{m:02}-{d:02}", datatype=XSD.date),
              st.integers(1900, 2030), st.integers(1, 12), st.integers(1, 28)),
    st.builds(lambda y: Literal(str(y), datatype=XSD.gYear), st.integers(1900, 2030)),
)
# few subjects and predicates, so that a key often gets several values
_subjects = st.sampled_from([URIRef(f"{ID_BASE}org/a"), URIRef(f"{ID_BASE}org/a-1"), PLACE, URIRef(f"{PLACE}/geometry"),
                             RC.Person, URIRef(ID_BASE + "x"), URIRef(EX + "s")])
_predicates = st.sampled_from([RC.locatedIn, RC.postTitle, RC.statedMemberCount, WGS84.lat, RDFS.comment, URIRef(EX + "p")])
_classes = st.sampled_from([RC.Person, RC.Organization, RC.Place, GEO.Geometry])
triples = st.one_of(
    st.tuples(_subjects | iris, st.just(RDF.type), _classes | iris),
    st.tuples(_subjects, st.sampled_from([RDFS.label, SKOS.altLabel]), literals),
    st.tuples(_subjects, _predicates, literals | iris),
    st.tuples(iris, _predicates | iris, literals | iris),
)
# several values of one key: labels in one language, classes, objects of one predicate
_labels = st.builds(lambda s, p, lang, texts: [(s, p, Literal(t, lang=lang)) for t in texts], _subjects,
                    st.sampled_from([RDFS.label, SKOS.altLabel]), _languages, st.lists(_text, min_size=2, max_size=4))
_types = st.builds(lambda s, classes: [(s, RDF.type, c) for c in classes], _subjects | iris,
                   st.lists(_classes | iris, min_size=2, max_size=3))
_values = st.builds(lambda s, p, objects: [(s, p, o) for o in objects], _subjects, _predicates,
                    st.lists(literals | iris, min_size=2, max_size=4))
graphs = st.lists(triples.map(lambda t: [t]) | _labels | _types | _values, max_size=20).map(
    lambda parts: {t for part in parts for t in part})


@settings(max_examples=300, deadline=None)
@given(graphs, st.sampled_from([1, 2, 3, 100_000]))
def test_jsonld_generated_graphs_are_what_rdflib_converter_makes(graph: set[Triple], buffer_lines: int) -> None:
    assert_same_as_rdflib(graph, buffer_lines)

"""Exports (issue #5): every file is read back by a parser that is not the one that wrote it,
and counts are checked against what the export is built from (the graph and the records)."""

from __future__ import annotations

import csv
import io
import itertools
import json
import os
import re
import shutil
import subprocess
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from rdflib import RDF, RDFS, Graph, Literal, URIRef

from graph import __version__ as REDCHAIN_VERSION
from graph.entities import ID_BASE
from graph.export import read_provenance
from graph.exports import EXPORTS, article_iri, document_iri, write_exports
from graph.property_formats import write_gexf, write_graphml, xml_text
from graph.property_graph import PEdge, PGraph, PNode, property_graph
from graph.rdf_text import ntriples_lines, parse_lines
from graph.vocab import GEO, RC, WGS84

ROOT = Path(__file__).resolve().parent.parent
NAMES = ["graph.nt", "graph.nq", "graph.trig", "graph.jsonld", "graph.graphml", "graph.gexf",  # TriG is made from graph.nq
         "neo4j/nodes.csv", "neo4j/relationships.csv"]
DATA_PROPERTIES = {"statedMemberCount", "foundingDate"}


@dataclass
class Exported:
    g: Graph
    records: list[dict[str, Any]]
    build: Path
    folder: Path
    paths: list[Path]


@pytest.fixture(scope="module")
def seeds(tmp_path_factory: pytest.TempPathFactory) -> Exported:
    from graph.pipeline import build

    tmp = tmp_path_factory.mktemp("exports")
    build([ROOT / "seeds"], tmp / "build", view=False)
    g = Graph().parse(tmp / "build" / "graph.ttl", format="turtle")
    records = read_provenance(tmp / "build" / "provenance.jsonl")
    paths = write_exports(ntriples_lines(g), records, tmp / "out")
    return Exported(g, records, tmp / "build", tmp / "out", paths)


# ── what the exports should contain, computed from the graph and records ─────────────

def _object_key(g: Graph, rec: dict[str, Any]) -> str:
    """The record's object as it appears in the graph (data properties: a literal with that lexical form)."""
    if rec["p_name"] in DATA_PROPERTIES:
        assert any(str(o) == rec["o"] for o in g.objects(URIRef(rec["s"]), URIRef(rec["p"]))), rec
    else:
        assert (URIRef(rec["s"]), URIRef(rec["p"]), URIRef(rec["o"])) in g, rec
    return rec["o"]


def expected_dataset(g: Graph, records: list[dict[str, Any]]) -> dict[str, Any]:
    docs = {r["doc"] for r in records}
    titles: dict[tuple[str, int], bool] = {}
    facts: dict[tuple[str, int], set[tuple[str, str, str]]] = defaultdict(set)
    evidence = set()
    for r in records:
        key = (r["doc"], r["article"])
        titles[key] = titles.get(key, False) or bool(r["article_title"])
        triple = (r["s"], r["p"], _object_key(g, r))
        facts[key].add(triple)
        evidence.add((r["doc"], r["sentence"], r["rule"], *triple))
    # article: type, wasDerivedFrom (+ title); document: type, source; evidence: type, value, wasDerivedFrom,
    # description, and the fact as an rdf:Statement (type, subject, predicate, object)
    provenance = sum(3 if t else 2 for t in titles.values()) + 2 * len(docs) + 8 * len(evidence)
    named = {str(article_iri(doc, article)): len(triples) for (doc, article), triples in facts.items()}
    return {"default": len(g) + provenance, "named": named, "evidence": len(evidence)}


def _triples(quads: Any) -> set[ox.Triple]:
    return {ox.Triple(q.subject, q.predicate, q.object) for q in quads}


def _oxigraph_triples(path: Path, fmt: ox.RdfFormat) -> set[ox.Triple]:
    return _triples(ox.parse(path=str(path), format=fmt))


def _store(path: Path, fmt: ox.RdfFormat) -> ox.Store:
    store = ox.Store()
    store.bulk_load(path=str(path), format=fmt)
    return store


# ── files ────────────────────────────────────────────────────────────────────────────

def test_exports_writes_every_file(seeds: Exported) -> None:
    assert [p.relative_to(seeds.folder).as_posix() for p in seeds.paths] == NAMES
    for path in seeds.paths:
        assert path.stat().st_size > 0, path
    assert not list(seeds.folder.rglob("*.tmp")), "write_atomic left a temporary behind"


def test_exports_two_exports_are_byte_identical(seeds: Exported, tmp_path: Path) -> None:
    write_exports(ntriples_lines(seeds.g), seeds.records, tmp_path)
    for name in NAMES:
        assert (seeds.folder / name).read_bytes() == (tmp_path / name).read_bytes(), name


@pytest.mark.parametrize("chosen", [("nt",), ("nq",), ("trig",), ("jsonld",), ("graphml",), ("gexf",), ("neo4j",),
                                    ("trig", "neo4j"), ("nq", "graphml"), ()])
def test_exports_a_choice_writes_those_files_as_a_full_export_does(seeds: Exported, chosen: tuple[str, ...],
                                                                   tmp_path: Path) -> None:
    """TriG without graph.nq streams a temporary one, the property graphs without it count the
    evidence alone: the bytes must not change, and nothing else may be left behind."""
    paths = write_exports(ntriples_lines(seeds.g), seeds.records, tmp_path, exports=chosen)
    wanted = [name for name in NAMES if any(name in EXPORTS[export] for export in chosen)]
    assert [p.relative_to(tmp_path).as_posix() for p in paths] == wanted
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file()) == sorted(wanted)
    for name in wanted:
        assert (tmp_path / name).read_bytes() == (seeds.folder / name).read_bytes(), name


def test_exports_not_chosen_are_removed_and_other_files_kept(seeds: Exported, tmp_path: Path) -> None:
    """An earlier build's exports would no longer match the graph: those not written are removed."""
    shutil.copytree(seeds.folder, tmp_path, dirs_exist_ok=True)
    (tmp_path / "graph.ttl").write_text("kept")
    (tmp_path / "notes.txt").write_text("kept")
    write_exports(ntriples_lines(seeds.g), seeds.records, tmp_path, exports=["gexf"])
    left = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file())
    assert left == ["graph.gexf", "graph.ttl", "notes.txt"]


def test_exports_unknown_name_is_refused_before_anything_is_written(seeds: Exported, tmp_path: Path) -> None:
    shutil.copytree(seeds.folder, tmp_path, dirs_exist_ok=True)
    with pytest.raises(ValueError, match="unknown export 'ttl': the exports are nt, nq, trig"):
        write_exports(ntriples_lines(seeds.g), seeds.records, tmp_path, exports=["nq", "ttl"])
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file()) == sorted(NAMES)


def test_exports_build_checks_the_names_first_and_the_cli_parses_them(tmp_path: Path,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    from graph.cli import main
    from graph.pipeline import build

    with pytest.raises(ValueError, match="unknown export 'rdfxml'"):
        build([ROOT / "seeds"], tmp_path / "out", exports=["rdfxml"])
    assert not (tmp_path / "out").exists()  # refused before any document was read
    for bad in ["", "nq,,gexf", "NQ", "all,nq"]:
        with pytest.raises(SystemExit) as exit_:
            main(["build", "--exports", bad, "--output", str(tmp_path / "out")])
        assert exit_.value.code == 2
        assert "argument --exports: unknown export" in capsys.readouterr().err
    (tmp_path / "in").mkdir()
    shutil.copy(ROOT / "seeds" / sorted(os.listdir(ROOT / "seeds"))[0], tmp_path / "in")
    assert main(["build", "-q", "--no-cache", "--input", str(tmp_path / "in"), "--output", str(tmp_path / "out"),
                 "--exports", "neo4j,nt,neo4j"]) == 0
    written = {p.relative_to(tmp_path / "out").as_posix() for p in (tmp_path / "out").rglob("*") if p.is_file()}
    assert {"graph.ttl", "provenance.jsonl", "graph.html", "graph.nt", "neo4j/nodes.csv", "neo4j/relationships.csv"} <= written
    assert not written & {"graph.nq", "graph.trig", "graph.jsonld", "graph.graphml", "graph.gexf"}
    assert main(["build", "-q", "--no-cache", "--input", str(tmp_path / "in"), "--output", str(tmp_path / "out"),
                 "--exports", "none"]) == 0
    assert not {p.name for p in (tmp_path / "out").rglob("*")} & {"graph.nt", "nodes.csv", "relationships.csv"}


def test_exports_bytes_do_not_depend_on_hash_seed(seeds: Exported, tmp_path: Path) -> None:
    """Set order in rdflib's stores changes with PYTHONHASHSEED; the files must not."""
    script = ("import sys; from pathlib import Path; from rdflib import Graph; "
              "from graph.export import read_provenance; from graph.exports import write_exports; from graph.rdf_text import ntriples_lines; "
              "b = Path(sys.argv[1]); write_exports(ntriples_lines(Graph().parse(b / 'graph.ttl')), "
              "read_provenance(b / 'provenance.jsonl'), Path(sys.argv[2]))")
    env = {**os.environ, "PYTHONHASHSEED": "12345", "PYTHONPATH": str(ROOT)}
    subprocess.run([sys.executable, "-c", script, str(seeds.build), str(tmp_path)], check=True, env=env, cwd=ROOT)
    for name in NAMES:
        assert (seeds.folder / name).read_bytes() == (tmp_path / name).read_bytes(), name


def test_exports_nquads_are_the_facts_then_provenance_then_one_run_per_article(seeds: Exported) -> None:
    """graph.nq is not sorted: graph.nt's lines, the rest of the default graph, then each article's
    graph in one run (a build's records come by document, then sentence); no line twice."""
    nt = (seeds.folder / "graph.nt").read_text(encoding="utf-8").splitlines()
    nq = (seeds.folder / "graph.nq").read_text(encoding="utf-8").splitlines()
    assert len(set(nq)) == len(nq)
    assert nq[:len(nt)] == nt
    graphs = [q.graph_name for q in ox.parse(path=str(seeds.folder / "graph.nq"), format=ox.RdfFormat.N_QUADS)]
    named = [g for g in graphs if not isinstance(g, ox.DefaultGraph)]
    assert graphs == [ox.DefaultGraph()] * (len(graphs) - len(named)) + named  # the default graph first
    runs = [g for i, g in enumerate(named) if i == 0 or g != named[i - 1]]
    assert len(runs) == len(set(runs)) == len(expected_dataset(seeds.g, seeds.records)["named"])


def test_exports_repeated_evidence_gives_each_quad_once(seeds: Exported, tmp_path: Path) -> None:
    """Two records with the same document, sentence, rule and fact (one evidence node): each record
    twice in a row gives the same files, graph.nq without a repeated line."""
    write_exports(ntriples_lines(seeds.g), [r for r in seeds.records for _ in range(2)], tmp_path)
    for name in NAMES:
        assert (seeds.folder / name).read_bytes() == (tmp_path / name).read_bytes(), name


def test_exports_interleaved_documents_give_the_same_dataset(seeds: Exported, tmp_path: Path) -> None:
    """Records of the documents taken in turn, one at a time (not a build's order): repeated
    quads, an article's graph in many runs, and still the same dataset in N-Quads and in TriG."""
    by_doc: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for record in seeds.records:
        by_doc[record["doc"]].append(record)
    assert len(by_doc) >= 2
    interleaved = [r for group in itertools.zip_longest(*by_doc.values()) for r in group if r is not None]
    write_exports(ntriples_lines(seeds.g), interleaved, tmp_path)
    lines = (tmp_path / "graph.nq").read_text(encoding="utf-8").splitlines()
    assert len(set(lines)) < len(lines)  # the repeats a set per document or article cannot see
    expected = set(ox.parse(path=str(seeds.folder / "graph.nq"), format=ox.RdfFormat.N_QUADS))
    assert set(ox.parse(path=str(tmp_path / "graph.nq"), format=ox.RdfFormat.N_QUADS)) == expected
    assert set(ox.parse(path=str(tmp_path / "graph.trig"), format=ox.RdfFormat.TRIG)) == expected
    for name in NAMES[4:]:  # the evidence counts of the property graph are exact in any order
        assert (seeds.folder / name).read_bytes() == (tmp_path / name).read_bytes(), name


def test_exports_read_the_records_once(seeds: Exported, tmp_path: Path) -> None:
    """One pass over the records (graph.nq's, which counts the evidence too): a generator will do."""
    write_exports(ntriples_lines(seeds.g), (record for record in seeds.records), tmp_path)
    for name in NAMES:
        assert (seeds.folder / name).read_bytes() == (tmp_path / name).read_bytes(), name


def test_exports_evidence_digest_is_the_sha1_of_the_json_key() -> None:
    """The digest is formatted without the JSON encoder for str and int keys: the same text as the encoder's."""
    import hashlib

    from graph.dataset import evidence_digest

    def expected(record: dict[str, Any]) -> bytes:
        key = [record[k] for k in ("doc", "sentence", "rule", "s", "p", "o")]
        return hashlib.sha1(json.dumps(key, ensure_ascii=False).encode("utf-8")).digest()[:8]

    base = {"doc": "新闻 稿/第一篇 (1).txt", "sentence": 3, "rule": "evil.0", "s": "urn:s", "p": "urn:p", "o": "urn:o"}
    cases = [base, {**base, "o": 20}, {**base, "sentence": True}, {**base, "o": 2.5}, {**base, "o": None}]
    cases += [{**base, "s": text, "rule": text} for text in HOSTILE]
    for record in cases:
        assert evidence_digest(record) == expected(record), record


# ── RDF: N-Triples, TriG, N-Quads ────────────────────────────────────────────────────

def test_exports_ntriples_equals_turtle_in_oxigraph(seeds: Exported) -> None:
    turtle = _oxigraph_triples(seeds.build / "graph.ttl", ox.RdfFormat.TURTLE)
    nt = _oxigraph_triples(seeds.folder / "graph.nt", ox.RdfFormat.N_TRIPLES)
    assert len(turtle) == len(seeds.g) > 1000
    assert nt == turtle
    lines = (seeds.folder / "graph.nt").read_text(encoding="utf-8").split("\n")[:-1]
    assert lines == sorted(lines) and len(lines) == len(seeds.g)


def test_exports_trig_has_facts_provenance_and_one_graph_per_article(seeds: Exported) -> None:
    expected = expected_dataset(seeds.g, seeds.records)
    store = _store(seeds.folder / "graph.trig", ox.RdfFormat.TRIG)
    default = _triples(store.quads_for_pattern(None, None, None, ox.DefaultGraph()))
    assert len(default) == expected["default"]
    assert _oxigraph_triples(seeds.build / "graph.ttl", ox.RdfFormat.TURTLE) <= default
    named = {g.value: len(_triples(store.quads_for_pattern(None, None, None, g))) for g in store.named_graphs()}
    assert named == expected["named"]
    for graph_name in store.named_graphs():  # an article graph only repeats facts of the default graph
        assert _triples(store.quads_for_pattern(None, None, None, graph_name)) <= default
        assert re.fullmatch(r"https://w3id\.org/redchain/id/article/[a-z0-9-]+-[0-9a-f]{10}-\d+", graph_name.value)


def test_exports_trig_evidence_nodes_point_at_article_graphs(seeds: Exported) -> None:
    store = _store(seeds.folder / "graph.trig", ox.RdfFormat.TRIG)
    rows = list(store.query("""
        PREFIX prov: <http://www.w3.org/ns/prov#>  PREFIX dcterms: <http://purl.org/dc/terms/>
        PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
        SELECT ?ev ?rule ?text ?source ?s ?p ?o WHERE {
          ?ev a prov:Entity, rdf:Statement ; prov:value ?text ; dcterms:description ?rule ; prov:wasDerivedFrom ?article ;
              rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o .
          ?article prov:wasDerivedFrom ?doc . ?doc dcterms:source ?source .
          GRAPH ?article { ?s ?p ?o } }"""))  # the fact an evidence node states is in its article's graph
    evidence = {r["ev"].value for r in rows}
    assert len(evidence) == len(rows) == expected_dataset(seeds.g, seeds.records)["evidence"]
    assert all(re.fullmatch(r"https://w3id\.org/redchain/id/evidence/[0-9a-f]{16}", e) for e in evidence)
    for sample in seeds.records[:40]:
        assert any(r["text"].value == sample["sentence_text"] and r["text"].language == "zh"
                   and r["rule"].value == sample["rule"] and r["source"].value == sample["doc"]
                   and (r["s"].value, r["p"].value, r["o"].value) == (sample["s"], sample["p"], sample["o"])
                   for r in rows), sample


def test_exports_nquads_equals_trig(seeds: Exported) -> None:
    trig = set(ox.parse(path=str(seeds.folder / "graph.trig"), format=ox.RdfFormat.TRIG))
    nq = set(ox.parse(path=str(seeds.folder / "graph.nq"), format=ox.RdfFormat.N_QUADS))
    expected = expected_dataset(seeds.g, seeds.records)
    assert nq == trig
    assert len(nq) == expected["default"] + sum(expected["named"].values())


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # rdflib's own TriG parser uses ConjunctiveGraph
def test_exports_rdflib_reads_trig(seeds: Exported) -> None:
    from rdflib import Dataset

    ds = Dataset().parse(seeds.folder / "graph.trig", format="trig")
    assert len(ds.default_graph) == expected_dataset(seeds.g, seeds.records)["default"]


@pytest.mark.parametrize("name,syntax", [("BUILD/graph.ttl", "turtle"), ("graph.nt", "ntriples"),
                                         ("graph.trig", "trig"), ("graph.nq", "nquads")])
@pytest.mark.parametrize("tool", ["rapper", "serdi"])
def test_exports_debian_parsers_accept_rdf(seeds: Exported, tool: str, name: str, syntax: str) -> None:
    if shutil.which(tool) is None:
        pytest.skip(f"{tool} not installed (apt-get install -y raptor2-utils serdi)")
    path = seeds.build / "graph.ttl" if name.startswith("BUILD/") else seeds.folder / name
    expected = len(seeds.g)
    if syntax in ("trig", "nquads"):
        named = expected_dataset(seeds.g, seeds.records)
        expected = named["default"] + sum(named["named"].values())
    if tool == "rapper":
        done = subprocess.run(["rapper", "-i", syntax, "-c", str(path)], capture_output=True, text=True)
        count = int(re.search(r"returned (\d+) (?:triples|statements)", done.stderr).group(1))  # type: ignore[union-attr]
    else:
        out = "nquads" if syntax in ("trig", "nquads") else "ntriples"
        done = subprocess.run(["serdi", "-i", syntax, "-o", out, str(path)], capture_output=True, text=True)
        count = len(done.stdout.splitlines())
    assert done.returncode == 0, done.stderr
    assert count == expected


# ── JSON-LD ──────────────────────────────────────────────────────────────────────────

def test_exports_jsonld_expands_to_the_turtle_triples(seeds: Exported) -> None:
    jsonld = pytest.importorskip("pyld.jsonld", reason="pyld not installed (pip install pyld; in the test extras)")
    doc = json.loads((seeds.folder / "graph.jsonld").read_text(encoding="utf-8"))
    for prefix in ("rc", "rdfs", "skos", "xsd", "prov", "org", "schema", "dcterms"):
        assert prefix in doc["@context"]
    assert doc["@context"]["label"] == {"@id": "rdfs:label", "@container": "@language"}
    nquads = jsonld.to_rdf(doc, {"format": "application/n-quads"})
    expanded = _triples(ox.parse(nquads, format=ox.RdfFormat.N_QUADS))
    assert len(expanded) == len(seeds.g)
    assert expanded == _oxigraph_triples(seeds.build / "graph.ttl", ox.RdfFormat.TURTLE)


# ── property graph: GraphML, GEXF, Neo4j ─────────────────────────────────────────────

def expected_property_graph(g: Graph, records: list[dict[str, Any]]) -> tuple[set[str], list[tuple[str, str, str]], int]:
    posts = set(g.subjects(RDF.type, RC.Post)) | set(g.objects(None, GEO.hasGeometry))  # posts and place points
    terms = set(g.subjects()) | set(g.objects())
    nodes = {str(t) for t in terms if isinstance(t, URIRef) and str(t).startswith(ID_BASE) and t not in posts}
    edges = [(str(s), str(p).split("#")[1], str(o)) for s, p, o in g
             if str(s) in nodes and str(o) in nodes and str(p).startswith(str(RC._NS))]
    evidence = {(r["doc"], r["sentence"], r["rule"], r["s"], r["p"], r["o"]) for r in records
                if r["s"] in nodes and r["o"] in nodes}
    return nodes, edges, len(evidence)


@pytest.mark.parametrize("name", ["graph.graphml", "graph.gexf"])
def test_exports_networkx_reads_back_nodes_and_edges(seeds: Exported, name: str) -> None:
    import networkx as nx

    nodes, edges, evidence = expected_property_graph(seeds.g, seeds.records)
    path = seeds.folder / name
    graph = nx.read_graphml(path) if name.endswith("graphml") else nx.read_gexf(path)
    assert set(graph.nodes) == nodes
    assert graph.number_of_edges() == len(edges)
    assert sorted((u, d["relation"], v) for u, v, d in graph.edges(data=True)) == sorted(edges)
    assert sum(int(d["evidence_count"]) for _, _, d in graph.edges(data=True)) == evidence
    first = next(iter(sorted(nodes)))
    assert graph.nodes[first]["iri"] == first and graph.nodes[first]["class"]
    assert all(d["relation_zh"] for _, _, d in graph.edges(data=True))


def _networkx_xml(pgraph: PGraph, kind: str) -> bytes:
    """What the exports wrote before they streamed: networkx's writers on a MultiDiGraph, ElementTree's text."""
    import networkx as nx
    from xml.etree.ElementTree import ElementTree

    graph = nx.MultiDiGraph()
    for node in pgraph.nodes:
        point = {"lat": node.lat, "long": node.long} if node.point else {}
        graph.add_node(node.iri, label=xml_text(node.label), label_en=xml_text(node.label_en),
                       **{"class": node.cls}, iri=node.iri, **point)
    for edge in pgraph.edges:
        graph.add_edge(edge.source, edge.target, key=edge.relation, relation=edge.relation,
                       relation_zh=xml_text(edge.relation_zh), evidence_count=edge.evidence_count,
                       title=xml_text(edge.title))
    if kind == "graphml":
        writer: Any = nx.readwrite.graphml.GraphMLWriter(encoding="utf-8", prettyprint=True)
        writer.add_graph_element(graph)
    else:
        writer = nx.readwrite.gexf.GEXFWriter(encoding="utf-8", prettyprint=True)
        writer.add_graph(graph)
        for meta in writer.xml.iter("meta"):
            meta.attrib.pop("lastmodifieddate", None)
    writer.indent(writer.xml)
    buffer = io.StringIO()
    ElementTree(writer.xml).write(buffer, encoding="unicode")
    xml = "<?xml version='1.0' encoding='utf-8'?>\n" + buffer.getvalue()
    xml = re.sub(r"<creator>NetworkX [^<]*</creator>", f"<creator>redchain {REDCHAIN_VERSION}</creator>", xml)
    return xml.encode("utf-8", "xmlcharrefreplace").replace(b"\r", b"&#13;")


def _small_pgraphs() -> dict[str, PGraph]:
    place = PNode("http://x/p", "地&<方>", "", "Place", ("Place",), 28.5, float("inf"))
    nodes = (PNode("http://x/a", 'a "q"\r\n\t', "A", "Person", ("Person",)), place,
             PNode("http://x/z", "", "", "Enterprise;Organization", ("Enterprise", "Organization")))
    edges = (PEdge("http://x/a", "http://x/z", "affiliatedWith", "隶属", 2, "书记、\r主任"),  # to z, to p, to z again:
             PEdge("http://x/a", "http://x/p", "locatedIn", "位于", 0, ""),                # networkx groups by target
             PEdge("http://x/a", "http://x/z", "secretaryOf", "书记", 1, ""),
             PEdge("http://x/z", "http://x/p", "locatedIn", "位于", 1, ""))
    return {"empty": PGraph((), ()), "no edges": PGraph(nodes, ()), "no places": PGraph(nodes[:1], ()),
            "place first": PGraph(nodes[1:], edges[3:]), "edges": PGraph(nodes, edges)}


@pytest.mark.parametrize("kind", ["graphml", "gexf"])
def test_exports_small_and_hostile_property_graphs_read_back(kind: str) -> None:
    """Empty graphs, graphs without edges or places, control characters and markup in labels, several
    edges between two nodes: networkx reads back every node, edge and title."""
    import networkx as nx

    cases = {"hostile": property_graph(parse_lines(ntriples_lines(hostile_case()[0])), {}), **_small_pgraphs()}
    write, read = (write_graphml, nx.read_graphml) if kind == "graphml" else (write_gexf, nx.read_gexf)
    for name, pgraph in cases.items():
        out = io.BytesIO()
        write(out, pgraph)
        out.seek(0)
        graph = read(out)
        assert sorted(graph.nodes) == sorted(n.iri for n in pgraph.nodes), name
        edges = sorted((u, d["relation"], v, d.get("title") or "") for u, v, d in graph.edges(data=True))
        assert edges == sorted((e.source, e.relation, e.target, xml_text(e.title)) for e in pgraph.edges), name


@pytest.mark.parametrize("kind", ["graphml", "gexf"])
def test_exports_graphml_and_gexf_are_the_bytes_networkx_writes(seeds: Exported, kind: str) -> None:
    """They are written a node or edge at a time, laid out as networkx's writers lay them out (GEXF creator aside)."""
    from graph.exports import evidence_counts

    lines = ntriples_lines(seeds.g)
    cases = {"seeds": property_graph(parse_lines(lines), evidence_counts(seeds.records, lines)),
             "hostile": property_graph(parse_lines(ntriples_lines(hostile_case()[0])), {}), **_small_pgraphs()}
    write = write_graphml if kind == "graphml" else write_gexf
    for name, pgraph in cases.items():
        out = io.BytesIO()
        write(out, pgraph)
        assert out.getvalue() == _networkx_xml(pgraph, kind), name


def test_exports_affiliation_edges_carry_post_titles(seeds: Exported) -> None:
    import networkx as nx

    graph = nx.read_graphml(seeds.folder / "graph.graphml")
    titles = {(u, v): d.get("title", "") for u, v, d in graph.edges(data=True) if d["relation"] == "affiliatedWith"}
    for post in seeds.g.subjects(RDF.type, RC.Post):
        key = (str(seeds.g.value(post, RC.holder)), str(seeds.g.value(post, RC.postIn)))
        assert str(seeds.g.value(post, RC.postTitle)) in titles[key].split("、"), key


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_exports_neo4j_csv_headers_ids_and_counts(seeds: Exported) -> None:
    nodes_expected, edges_expected, evidence = expected_property_graph(seeds.g, seeds.records)
    nodes = _read_csv(seeds.folder / "neo4j" / "nodes.csv")
    rels = _read_csv(seeds.folder / "neo4j" / "relationships.csv")
    assert list(nodes[0]) == ["iri:ID", "label", "label_en", ":LABEL", "lat:float", "long:float"]
    assert list(rels[0]) == [":START_ID", ":END_ID", ":TYPE", "evidence_count:int", "title"]
    ids = {n["iri:ID"] for n in nodes}
    assert ids == nodes_expected and len(ids) == len(nodes)
    assert len(rels) == len(edges_expected)
    assert all(r[":START_ID"] in ids and r[":END_ID"] in ids for r in rels)
    assert all(re.fullmatch(r"[A-Z]+(?:_[A-Z]+)*", r[":TYPE"]) for r in rels)
    assert {"LOCATED_IN", "SERVES_CHAIN", "SECRETARY_OF", "AFFILIATED_WITH"} <= {r[":TYPE"] for r in rels}
    assert sum(int(r["evidence_count:int"]) for r in rels) == evidence
    enterprise = next(n for n in nodes if n[":LABEL"].startswith("Enterprise"))
    assert enterprise[":LABEL"].split(";") == ["Enterprise", "Organization"]


def test_exports_places_carry_lat_long_in_graphml_gexf_and_neo4j(seeds: Exported) -> None:
    import networkx as nx

    expected = {str(s): (float(seeds.g.value(s, WGS84.lat)), float(seeds.g.value(s, WGS84.long)))
                for s in seeds.g.subjects(WGS84.lat, None)}
    assert len(expected) >= 30
    for graph in (nx.read_graphml(seeds.folder / "graph.graphml"), nx.read_gexf(seeds.folder / "graph.gexf")):
        found = {n: (float(d["lat"]), float(d["long"])) for n, d in graph.nodes(data=True) if "lat" in d}
        assert found == expected
    rows = _read_csv(seeds.folder / "neo4j" / "nodes.csv")
    assert {r["iri:ID"]: (float(r["lat:float"]), float(r["long:float"])) for r in rows if r["lat:float"]} == expected
    assert all(r["long:float"] == "" for r in rows if not r["lat:float"])


# ── hostile text ─────────────────────────────────────────────────────────────────────

HOSTILE = ["=cmd|' /C calc'!A0", "<script>alert('x')</script>", 'say "hi", then\nleave\r\nnow',
           "@SUM(A1)", "-2+3", "+1", "\tindent", "a\\b {} ; . @zh <http://x/>", "page\x0cbreak\x00",
           "next\x85line\u2028sep\x1c"]


def hostile_case() -> tuple[Graph, list[dict[str, Any]]]:
    g = Graph()
    g.add((RC.Enterprise, RDFS.subClassOf, RC.Organization))
    g.add((RC.affiliatedWith, RDFS.label, Literal("隶属", lang="zh")))
    person = URIRef(ID_BASE + "person/x")
    g.add((person, RDF.type, RC.Person))
    g.add((person, RDFS.label, Literal(HOSTILE[1], lang="zh")))
    records = []
    for i, text in enumerate(HOSTILE):
        org = URIRef(f"{ID_BASE}org/evil-{i}")
        post = URIRef(f"{ID_BASE}post/{i}")
        g.add((org, RDF.type, RC.Enterprise))
        g.add((org, RDFS.label, Literal(text, lang="zh")))
        g.add((org, RDFS.label, Literal(text, lang="en")))
        g.add((person, RC.affiliatedWith, org))
        for triple in [(post, RDF.type, RC.Post), (post, RC.holder, person), (post, RC.postIn, org),
                       (post, RC.postTitle, Literal(text, lang="zh"))]:
            g.add(triple)
        records.append({"s": str(person), "p": str(RC.affiliatedWith), "o": str(org), "p_name": "affiliatedWith",
                        "rule": f"evil.{i}", "doc": "新闻 稿/第一篇 (1).txt", "article": i % 2,
                        "article_title": text, "sentence": i, "sentence_text": text})
    return g, records


def test_exports_hostile_text_survives_csv(tmp_path: Path) -> None:
    g, records = hostile_case()
    write_exports(ntriples_lines(g), records, tmp_path)
    nodes = {n["iri:ID"]: n for n in _read_csv(tmp_path / "neo4j" / "nodes.csv")}
    rels = {r[":END_ID"]: r for r in _read_csv(tmp_path / "neo4j" / "relationships.csv")}
    for i, text in enumerate(HOSTILE):
        guarded = "'" + text if text[0] in "=+-@\t\r" else text
        iri = f"{ID_BASE}org/evil-{i}"
        assert nodes[iri]["label"] == nodes[iri]["label_en"] == guarded
        assert rels[iri]["title"] == guarded and rels[iri]["evidence_count:int"] == "1"
    assert nodes[f"{ID_BASE}person/x"]["label"] == HOSTILE[1]


def test_exports_hostile_text_survives_rdf_and_graph_formats(tmp_path: Path) -> None:
    import networkx as nx

    g, records = hostile_case()
    write_exports(ntriples_lines(g), records, tmp_path)
    for name, fmt in [("graph.nt", ox.RdfFormat.N_TRIPLES), ("graph.trig", ox.RdfFormat.TRIG),
                      ("graph.nq", ox.RdfFormat.N_QUADS)]:
        literals = {q.object.value for q in ox.parse(path=str(tmp_path / name), format=fmt)
                    if isinstance(q.object, ox.Literal)}
        assert set(HOSTILE) <= literals, name
        iris = {t.value for q in ox.parse(path=str(tmp_path / name), format=fmt)
                for t in (q.subject, q.object, q.graph_name) if isinstance(t, ox.NamedNode)}
        assert all(iri.isascii() and " " not in iri for iri in iris), name
    for reader, name in [(nx.read_graphml, "graph.graphml"), (nx.read_gexf, "graph.gexf")]:
        graph = reader(tmp_path / name)
        labels = sorted(graph.nodes[f"{ID_BASE}org/evil-{i}"]["label"] for i in range(len(HOSTILE)))
        assert labels == sorted(re.sub("[\x00\x0c\x1c]", "\ufffd", text) for text in HOSTILE), name  # XML 1.0 has no FF, NUL
    jsonld = pytest.importorskip("pyld.jsonld", reason="pyld not installed (pip install pyld; in the test extras)")
    doc = json.loads((tmp_path / "graph.jsonld").read_text(encoding="utf-8"))
    nquads = jsonld.to_rdf(doc, {"format": "application/n-quads"})
    assert len(_triples(ox.parse(nquads, format=ox.RdfFormat.N_QUADS))) == len(g)


def test_exports_article_iris_are_ascii_deterministic_and_collision_free() -> None:
    assert article_iri("a/报道.txt", 0) == article_iri("a/报道.txt", 0)
    assert article_iri("a/报道.txt", 0) != article_iri("b/报道.txt", 0)
    assert article_iri("a/报道.txt", 0) != article_iri("a/报道.txt", 1)
    assert article_iri("a/报道.txt", 1) != article_iri("a/报道-1.txt", 0)
    for iri in (article_iri("新闻 稿/第一篇 (1).txt", 3), document_iri("C:\\docs\\x y.md")):
        assert iri.isascii() and re.fullmatch(r"https://w3id\.org/redchain/id/[a-z]+/[a-z0-9-]+", iri), iri
    assert "bao-dao" in article_iri("a/报道.txt", 0)


@pytest.mark.parametrize("lang", [None, "zh"])
def test_exports_literal_text_is_the_ntriples_form_of_the_literal(lang: str | None) -> None:
    from graph.rdf_text import LiteralText, nt_term

    for text in HOSTILE + ["", "普通的句子。"]:
        assert LiteralText(text, lang) == nt_term(Literal(text, lang=lang))
        parsed = next(iter(ox.parse(f"<http://x/s> <http://x/p> {LiteralText(text, lang)} .\n",
                                    format=ox.RdfFormat.N_TRIPLES)))
        assert parsed.object == ox.Literal(text, language=lang)
        reread = Graph().parse(data=f"<http://x/s> <http://x/p> {LiteralText(text, lang)} .\n", format="nt")
        assert next(iter(reread.objects())) == Literal(text, lang=lang)  # rdflib reads it back the same

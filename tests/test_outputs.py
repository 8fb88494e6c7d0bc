"""Determinism and currency of the committed outputs."""

from __future__ import annotations

from graph.pipeline import build

from .conftest import ROOT


def test_outputs_two_builds_are_byte_identical(seed_build, tmp_path):
    first, _ = seed_build
    build([ROOT / "seeds"], tmp_path)
    for name in ("graph.ttl", "provenance.jsonl", "graph.html", "merges.tsv"):
        assert (first / name).read_bytes() == (tmp_path / name).read_bytes(), name


def test_outputs_committed_outputs_equal_a_fresh_build(tmp_path, monkeypatch):
    # Build exactly as the README does (relative paths from the repository root).
    monkeypatch.chdir(ROOT)
    build(["seeds"], tmp_path)
    for name in ("graph.ttl", "provenance.jsonl", "graph.html", "graph.trig", "graph.jsonld", "graph.graphml", "neo4j/nodes.csv"):
        committed = ROOT / "outputs" / name
        assert committed.exists(), f"outputs/{name} is not committed"
        assert committed.read_bytes() == (tmp_path / name).read_bytes(), f"outputs/{name} is stale: run redchain build"


def test_outputs_graph_parses_in_rdflib_and_oxigraph(seed_build):
    import pyoxigraph
    from rdflib import Graph

    path = seed_build[0] / "graph.ttl"
    g = Graph().parse(path, format="turtle")
    store = pyoxigraph.Store()
    store.bulk_load(path=str(path), format=pyoxigraph.RdfFormat.TURTLE)
    assert len(g) == len(store) > 0


def test_outputs_graph_conforms_to_shapes(seed_build):
    _, report = seed_build
    assert report.violations == 0, [d.message for d in report.diagnostics if d.code == "S001"][:5]


def test_outputs_iris_are_ascii(seed_build):
    text = (seed_build[0] / "graph.ttl").read_text(encoding="utf-8")
    import re

    for iri in re.findall(r"<([^>]*)>", text):
        assert iri.isascii() and " " not in iri and "%" not in iri, iri

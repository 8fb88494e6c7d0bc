"""Stage 8: the graph in the formats other tools read.

``write_exports(lines, records, folder)`` writes, from the graph's sorted N-Triples ``lines`` (a
build's ``rdf_text.LineFile``, read once by each), byte-identically for the same input:

- ``graph.nt``: N-Triples of the facts graph, lines sorted.
- ``graph.nq`` and ``graph.trig``: a dataset (TriG streamed by Oxigraph from the N-Quads file):
  the facts graph and the provenance in the default graph, and a named graph per article with
  the fact triples it supports (dataset.py says how).
- ``graph.jsonld``: compact JSON-LD with the context ``JSONLD_CONTEXT``, a node object a line, by
  @id (jsonld.py): made from the sorted N-Triples lines a subject at a time, each node object as
  rdflib's JSON-LD converter makes it (the tests keep the converter as the oracle).
- ``graph.graphml``, ``graph.gexf``, ``neo4j/nodes.csv`` and ``neo4j/relationships.csv``: the
  entities as a property graph (property_graph.py), with the number of evidence nodes of each
  fact counted while graph.nq is written.

A record whose fact is not in the graph is left out of every export (the graph is the truth).

Memory: the RDF files and the CSVs are written as they are made, never whole in memory. The
records are read once, while graph.nq is written (dataset.py), so a build's, kept on disk, stay
there. JSON-LD's node objects are sorted at most a third of ``buffer_lines`` at a time
(``rdf_text.sorted_unique_lines``; temporary files in the output folder beyond that; memory.py
says what a line takes). What stays in memory is O(graph): the lines of the facts records can
name (rc: properties), the evidence count of each fact (and an 8-byte digest per evidence node
while they are counted), and the property graph.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, BinaryIO, Callable, Iterable, Mapping

from rdflib import URIRef
from rdflib.namespace import DCTERMS

from . import rdf_text
from .dataset import EvidenceCounts, FactLookup, FactText, article_iri, document_iri, evidence_digest, write_dataset
from .export import atomic_file
from .jsonld import JSONLD_CONTEXT, write_jsonld
from .memory import SORT_BUFFER_LINES
from .property_formats import write_gexf, write_graphml, write_neo4j_nodes, write_neo4j_relationships
from .property_graph import property_graph
from .vocab import ID

__all__ = ["JSONLD_CONTEXT", "article_iri", "document_iri", "evidence_counts", "evidence_iri", "write_exports"]


def write_exports(lines: Iterable[str], records: Iterable[Mapping[str, Any]], folder: Path, *,
                  buffer_lines: int = SORT_BUFFER_LINES) -> list[Path]:
    """Write every export of the graph whose sorted N-Triples ``lines`` are given (a
    ``rdf_text.LineFile``, or ``rdf_text.ntriples_lines(g)`` of an rdflib graph: they are read
    five times) with provenance ``records`` (in a build's order: see dataset.py; read once) into
    ``folder``; returns the paths. ``buffer_lines``: JSON-LD's node objects are sorted a third as
    many at a time in memory (memory.py)."""
    folder = Path(folder)
    paths: list[Path] = []

    def write(name: str, writer: Callable[[BinaryIO], Any]) -> Any:
        paths.append(folder / name)
        with atomic_file(folder / name) as out:
            return writer(out)

    write("graph.nt", lambda out: rdf_text.copy_lines(out, lines))
    counts = write("graph.nq", lambda out: write_dataset(out, lines, records, FactLookup(lines), tmpdir=folder))
    trig_prefixes = {"dcterms": str(DCTERMS)}
    write("graph.trig", lambda out: rdf_text.nquads_to_trig(folder / "graph.nq", out, trig_prefixes))  # after graph.nq
    write("graph.jsonld", lambda out: write_jsonld(out, lines, buffer_lines=max(1, buffer_lines // 3),
                                                   tmpdir=folder))
    pgraph = property_graph(rdf_text.parse_lines(lines), counts)  # with the evidence counted in graph.nq's pass
    write("graph.graphml", lambda out: write_graphml(out, pgraph))
    write("graph.gexf", lambda out: write_gexf(out, pgraph))
    write("neo4j/nodes.csv", lambda out: write_neo4j_nodes(out, pgraph))
    write("neo4j/relationships.csv", lambda out: write_neo4j_relationships(out, pgraph))
    return paths


def evidence_iri(record: Mapping[str, Any]) -> URIRef:
    return ID[f"evidence/{evidence_digest(record).hex()}"]


def evidence_counts(records: Iterable[Mapping[str, Any]], lines: Iterable[str]) -> dict[FactText, int]:
    """Distinct evidence nodes (document, sentence, rule) per fact of the graph of N-Triples
    ``lines``, by the fact's terms in N-Triples form, as in graph.trig (write_exports counts them
    while it writes graph.nq)."""
    counts = EvidenceCounts()
    counts.add_records(records, FactLookup(lines))
    return counts.per_fact

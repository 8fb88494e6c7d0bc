"""Stage 8: the graph in the formats other tools read.

``write_exports(g, records, folder)`` writes, byte-identically for the same input:

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

A record whose fact is not in ``g`` is left out of every export (the graph is the truth).

Memory: the RDF files and the CSVs are written as they are made, never whole in memory. The
records are read once, while graph.nq is written (dataset.py), so a build's, kept on disk, stay
there. JSON-LD's node objects are sorted at most a third of ``buffer_lines`` at a time
(``rdf_text.sorted_unique_lines``; temporary files in the output folder beyond that; memory.py
says what a line takes). What stays in memory is O(graph): the triples (the caller's), the
facts the records name, the evidence count of each fact (and an 8-byte digest per evidence
node while they are counted), and the property graph.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, BinaryIO, Callable, Iterable, Mapping

from rdflib import URIRef
from rdflib.namespace import DCTERMS

from . import rdf_text
from .dataset import EvidenceCounts, FactLookup, article_iri, document_iri, evidence_digest, write_dataset
from .export import atomic_file
from .jsonld import JSONLD_CONTEXT, write_jsonld
from .memory import SORT_BUFFER_LINES
from .property_graph import property_graph, write_gexf, write_graphml, write_neo4j_nodes, write_neo4j_relationships
from .rdf_text import Triple
from .vocab import ID

__all__ = ["JSONLD_CONTEXT", "article_iri", "document_iri", "evidence_counts", "evidence_iri", "write_exports"]


def write_exports(g: Iterable[Triple], records: Iterable[Mapping[str, Any]], folder: Path,
                  nt_lines: Iterable[str] | None = None, *, buffer_lines: int = SORT_BUFFER_LINES) -> list[Path]:
    """Write every export of the graph ``g`` (its triples: an rdflib Graph or ``rdf.graph_triples``)
    with provenance ``records`` (in a build's order: see dataset.py; read once) into ``folder``;
    returns the paths. ``nt_lines``: the graph's sorted N-Triples lines, when the caller has them
    already (``rdf_text.ntriples_lines(g)`` or a ``rdf_text.LineFile``: they are read three times).
    ``buffer_lines``: JSON-LD's node objects are sorted a third as many at a time in memory
    (memory.py)."""
    folder = Path(folder)
    facts: set[Triple] = g if isinstance(g, set) else set(g)  # iterating an rdflib graph costs ~5 µs a triple
    fact_lines = rdf_text.ntriples_lines(facts) if nt_lines is None else nt_lines
    paths: list[Path] = []

    def write(name: str, writer: Callable[[BinaryIO], Any]) -> Any:
        paths.append(folder / name)
        with atomic_file(folder / name) as out:
            return writer(out)

    write("graph.nt", lambda out: rdf_text.copy_lines(out, fact_lines))
    counts = write("graph.nq", lambda out: write_dataset(out, fact_lines, records, FactLookup(facts), tmpdir=folder))
    trig_prefixes = {"dcterms": str(DCTERMS)}
    write("graph.trig", lambda out: rdf_text.nquads_to_trig(folder / "graph.nq", out, trig_prefixes))  # after graph.nq
    write("graph.jsonld", lambda out: write_jsonld(out, fact_lines, buffer_lines=max(1, buffer_lines // 3),
                                                   tmpdir=folder))
    pgraph = property_graph(facts, counts)  # with the evidence counted in graph.nq's pass
    write("graph.graphml", lambda out: write_graphml(out, pgraph))
    write("graph.gexf", lambda out: write_gexf(out, pgraph))
    write("neo4j/nodes.csv", lambda out: write_neo4j_nodes(out, pgraph))
    write("neo4j/relationships.csv", lambda out: write_neo4j_relationships(out, pgraph))
    return paths


def evidence_iri(record: Mapping[str, Any]) -> URIRef:
    return ID[f"evidence/{evidence_digest(record).hex()}"]


def evidence_counts(records: Iterable[Mapping[str, Any]], facts: set[Triple]) -> dict[Triple, int]:
    """Distinct evidence nodes (document, sentence, rule) per fact of ``facts``, as in graph.trig
    (write_exports counts them while it writes graph.nq)."""
    counts = EvidenceCounts()
    counts.add_records(records, FactLookup(facts))
    return counts.per_fact

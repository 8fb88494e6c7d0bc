"""Stage 8: the graph in the formats other tools read.

``write_exports(lines, records, folder)`` writes, from the graph's sorted N-Triples ``lines`` (a
build's ``rdf_text.LineFile``, read once by each), byte-identically for the same input, these
files, or those of the ``exports`` chosen (``redchain build --exports``: an archive's user who
loads one format into a store need not wait for, nor keep, the six others):

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

import contextlib
from pathlib import Path
from typing import Any, BinaryIO, Callable, Collection, Iterable, Mapping

from rdflib import URIRef
from rdflib.namespace import DCTERMS

from . import rdf_text
from .dataset import EvidenceCounts, FactLookup, FactText, article_iri, document_iri, evidence_digest, write_dataset
from .export import atomic_file, temporary_path
from .jsonld import JSONLD_CONTEXT, write_jsonld
from .memory import SORT_BUFFER_LINES
from .property_formats import write_gexf, write_graphml, write_neo4j_nodes, write_neo4j_relationships
from .property_graph import PGraph, property_graph
from .vocab import ID

__all__ = ["EXPORTS", "JSONLD_CONTEXT", "article_iri", "check_exports", "document_iri", "evidence_counts",
           "evidence_iri", "write_exports"]

# The exports made from the property graph: their files, each with its writer.
_PROPERTY_WRITERS: dict[str, tuple[tuple[str, Callable[[BinaryIO, PGraph], Any]], ...]] = {
    "graphml": (("graph.graphml", write_graphml),),
    "gexf": (("graph.gexf", write_gexf),),
    "neo4j": (("neo4j/nodes.csv", write_neo4j_nodes), ("neo4j/relationships.csv", write_neo4j_relationships)),
}
# Every export (``redchain build --exports``) and its files, in the order they are written.
EXPORTS: dict[str, tuple[str, ...]] = {
    "nt": ("graph.nt",), "nq": ("graph.nq",), "trig": ("graph.trig",), "jsonld": ("graph.jsonld",),
    **{name: tuple(file for file, _ in files) for name, files in _PROPERTY_WRITERS.items()},
}


def write_exports(lines: Iterable[str], records: Iterable[Mapping[str, Any]], folder: Path, *,
                  exports: Collection[str] = tuple(EXPORTS), buffer_lines: int = SORT_BUFFER_LINES) -> list[Path]:
    """Write the ``exports`` (names of ``EXPORTS``; default: all) of the graph whose sorted N-Triples
    ``lines`` are given (a ``rdf_text.LineFile``, or ``rdf_text.ntriples_lines(g)`` of an rdflib graph:
    they are read up to five times) with provenance ``records`` (in a build's order: see dataset.py;
    read once) into ``folder``, and remove the files of the others, which an earlier build may have
    left there and which would no longer match the graph; returns the paths written.
    ``buffer_lines``: JSON-LD's node objects are sorted a third as many at a time in memory (memory.py)."""
    folder = Path(folder)
    check_exports(exports)
    for name in EXPORTS.keys() - set(exports):
        for file in EXPORTS[name]:
            (folder / file).unlink(missing_ok=True)
    paths: list[Path] = []

    def write(name: str, writer: Callable[..., Any], *args: Any) -> Any:
        paths.append(folder / name)
        with atomic_file(folder / name) as out:
            return writer(out, *args)

    if "nt" in exports:
        write("graph.nt", lambda out: rdf_text.copy_lines(out, lines))
    property_graphs = [name for name in _PROPERTY_WRITERS if name in exports]
    counts: dict[FactText, int] = {}
    if "nq" in exports:
        counts = write("graph.nq", lambda out: write_dataset(out, lines, records, FactLookup(lines), tmpdir=folder))
    if "trig" in exports:  # streamed from graph.nq, or from a temporary one when graph.nq is not wanted
        with contextlib.ExitStack() as stack:
            nquads = folder / "graph.nq"
            if "nq" not in exports:
                nquads = stack.enter_context(temporary_path(folder, ".graph.", ".nq.tmp"))
                with open(nquads, "wb") as spool:
                    counts = write_dataset(spool, lines, records, FactLookup(lines), tmpdir=folder)
            write("graph.trig", lambda out: rdf_text.nquads_to_trig(nquads, out, {"dcterms": str(DCTERMS)}))
    elif property_graphs and "nq" not in exports:
        counts = evidence_counts(records, lines)
    if "jsonld" in exports:
        write("graph.jsonld", lambda out: write_jsonld(out, lines, buffer_lines=max(1, buffer_lines // 3),
                                                       tmpdir=folder))
    if property_graphs:
        pgraph = property_graph(rdf_text.parse_lines(lines), counts)  # with the evidence counted in graph.nq's pass
        for name in property_graphs:
            for file, writer in _PROPERTY_WRITERS[name]:
                write(file, writer, pgraph)
    return paths


def check_exports(names: Collection[str]) -> None:
    """Raise ValueError naming any of ``names`` that is not an export."""
    unknown = sorted(set(names) - EXPORTS.keys())
    if unknown:
        raise ValueError(f"unknown export {', '.join(map(repr, unknown))}: the exports are {', '.join(EXPORTS)}")


def evidence_iri(record: Mapping[str, Any]) -> URIRef:
    return ID[f"evidence/{evidence_digest(record).hex()}"]


def evidence_counts(records: Iterable[Mapping[str, Any]], lines: Iterable[str]) -> dict[FactText, int]:
    """Distinct evidence nodes (document, sentence, rule) per fact of the graph of N-Triples
    ``lines``, by the fact's N-Triples line, as in graph.trig (write_exports counts them
    while it writes graph.nq)."""
    counts = EvidenceCounts()
    counts.add_records(records, FactLookup(lines))
    return counts.per_fact

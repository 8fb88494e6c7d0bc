"""Stage 7: check a built graph against the SHACL shapes in ``ontology/shapes.ttl``.

``validate_graph(g)`` runs pySHACL with the ontology mixed in (so ``sh:class``
follows ``rdfs:subClassOf``) and no inference (RDFS inference would derive the
very classes the shapes check from the properties' domains and ranges), and
returns one sorted ``Finding`` per result that names the node by its @zh label.
The SPARQL-based shapes run on Oxigraph instead (shacl_sparql.py): rdflib's
SPARQL engine takes minutes on the graph of a large archive. ``run_shacl`` is the
plain pySHACL call, all shapes included, that the tests compare against.
pySHACL is a heavy import, so it is imported inside the functions only.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Final, Mapping

from rdflib import RDF, RDFS, Graph, Literal, Namespace, URIRef
from rdflib.namespace import SH
from rdflib.term import Node

from .resources import ontology_dir
from .vocab import bind_prefixes

__all__ = ["Finding", "PYSHACL_OPTIONS", "SHAPES", "load_ontology", "load_shapes", "run_shacl", "validate_graph"]

SHAPES = Namespace("https://w3id.org/redchain/shapes#")

# The one pySHACL call redchain makes (see the comment at the top of shapes.ttl).
# advanced=True: shapes whose checks need SPARQL select their focus nodes with a
# SHACL-AF sh:SPARQLTarget (one query per shape instead of one per node).
PYSHACL_OPTIONS: Final[Mapping[str, Any]] = MappingProxyType({
    "inference": "none",
    "advanced": True,
    "meta_shacl": False,
    "do_owl_imports": False,
    "inplace": False,
    "abort_on_first": False,
    "allow_infos": False,
    "allow_warnings": False,
})


@dataclass(frozen=True, slots=True, order=True)
class Finding:
    """One SHACL validation result, in terms a reader of the graph can follow."""

    focus_node: str  # IRI of the node that fails
    focus_label: str  # its rdfs:label @zh, or "" when it has none
    path: str  # the property, as a CURIE (rc:secretaryOf), or "" for node-level checks
    shape: str  # the shape, as a CURIE (rcsh:SecretaryOfObjectShape)
    message: str  # the shape's English message
    value: str  # the offending value (IRI or lexical form), or ""


def load_ontology() -> Graph:
    """ontology/redchain.ttl, parsed (a fresh graph on every call)."""
    return Graph().parse(ontology_dir() / "redchain.ttl", format="turtle")


def load_shapes() -> Graph:
    """ontology/shapes.ttl, parsed (a fresh graph on every call)."""
    return Graph().parse(ontology_dir() / "shapes.ttl", format="turtle")


def run_shacl(g: Graph, *, shapes: Graph | None = None, ontology: Graph | None = None) -> tuple[bool, Graph]:
    """The raw pySHACL call: (conforms, results graph). ``g`` is not modified."""
    import pyshacl

    conforms, results, _text = pyshacl.validate(
        g,
        shacl_graph=load_shapes() if shapes is None else shapes,
        ont_graph=load_ontology() if ontology is None else ontology,
        **PYSHACL_OPTIONS,
    )
    return bool(conforms), results


def validate_graph(g: Graph, *, shapes: Graph | None = None, ontology: Graph | None = None) -> list[Finding]:
    """Every SHACL violation in ``g``, sorted; an empty list when the graph conforms.
    Core shapes by pySHACL, SPARQL-based shapes by Oxigraph; ``g`` is left as it was."""
    from .shacl_sparql import sparql_shapes

    shapes = load_shapes() if shapes is None else shapes
    ontology = load_ontology() if ontology is None else ontology
    names = bind_prefixes(Graph())
    names.bind("rcsh", SHAPES)
    results = _core_results(g, shapes, ontology)
    findings = {_finding(g, results, result, names) for result in results.subjects(RDF.type, SH.ValidationResult)}
    findings |= {_sparql_finding(g, v, names) for v in _sparql_violations(g, ontology, sparql_shapes(shapes))}
    return sorted(findings)


def _core_results(g: Graph, shapes: Graph, ontology: Graph) -> Graph:
    """pySHACL without the SPARQL targets, on ``g`` with the ontology added in place and taken
    out again afterwards (pySHACL's own mixing copies the whole data graph first)."""
    import pyshacl

    added = [t for t in ontology if t not in g]
    for triple in added:
        g.add(triple)
    try:
        options = {**PYSHACL_OPTIONS, "advanced": False, "inplace": True}
        _conforms, results, _text = pyshacl.validate(g, shacl_graph=shapes, **options)
        assert isinstance(results, Graph)
    finally:
        for triple in added:
            g.remove(triple)
    return results


def _sparql_violations(g: Graph, ontology: Graph, shapes: list[Any]) -> list[Any]:
    from .rdf_text import oxigraph_triples
    from .shacl_sparql import oxigraph_store, violations

    if not shapes:
        return []
    return violations(oxigraph_store(oxigraph_triples([g, ontology])), shapes)


def _sparql_finding(g: Graph, violation: Any, names: Graph) -> Finding:
    return Finding(
        focus_node=violation.focus,
        focus_label=_zh_label(g, URIRef(violation.focus)),
        path=_curie(URIRef(violation.path), names) if violation.path else "",
        shape=_curie(violation.shape, names),
        message=violation.message,
        value=violation.value,
    )


def _finding(g: Graph, results: Graph, result: Node, names: Graph) -> Finding:
    focus = results.value(result, SH.focusNode)
    path = results.value(result, SH.resultPath)
    value = results.value(result, SH.value)
    return Finding(
        focus_node=str(focus) if focus is not None else "",
        focus_label=_zh_label(g, focus),
        path=_curie(path, names),
        shape=_curie(results.value(result, SH.sourceShape), names),
        message=_message(results, result),
        value=str(value) if value is not None else "",
    )


def _zh_label(g: Graph, node: Node | None) -> str:
    if node is None:
        return ""
    labels = sorted(str(o) for o in g.objects(node, RDFS.label)
                    if isinstance(o, Literal) and (o.language or "").lower() == "zh")
    return labels[0] if labels else ""


def _curie(term: Node | None, names: Graph) -> str:
    if term is None:
        return ""
    if isinstance(term, URIRef):
        try:
            return names.namespace_manager.curie(term, generate=False)
        except (KeyError, ValueError):
            return str(term)
    return str(term)


def _message(results: Graph, result: Node) -> str:
    """The English message (shape and constraint messages are written to be identical)."""
    messages = sorted(results.objects(result, SH.resultMessage), key=lambda m: (getattr(m, "language", None) != "en", str(m)))
    if messages:
        return str(messages[0])
    component = results.value(result, SH.sourceConstraintComponent)
    return str(component).rsplit("#", 1)[-1] if component is not None else "violation"

"""Stage 7: check a built graph against the SHACL shapes in ``ontology/shapes.ttl``.

``validate_graph(g)`` runs pySHACL with the ontology mixed in (so ``sh:class``
follows ``rdfs:subClassOf``) and no inference (RDFS inference would derive the
very classes the shapes check from the properties' domains and ranges), and
returns one sorted ``Finding`` per result that names the node by its @zh label.
The SPARQL-based shapes run on Oxigraph instead (shacl_sparql.py): rdflib's
SPARQL engine takes minutes on the graph of a large archive. ``run_shacl`` is the
plain pySHACL call, all shapes included, that the tests compare against.
pySHACL is a heavy import, so it is imported inside the functions only.

``attach_evidence(findings, records)`` gives each finding the sentence behind its
focus node (from the provenance records), and ``finding_diagnostic`` turns a finding
into the S001 diagnostic a build reports: node, message, shape, and that sentence.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any, Final, Iterable, Mapping

from rdflib import RDF, RDFS, Graph, Literal, Namespace, URIRef
from rdflib.namespace import SH
from rdflib.term import Node

from .model import Diagnostic
from .resources import ontology_dir
from .vocab import bind_prefixes

__all__ = ["Evidence", "Finding", "PYSHACL_OPTIONS", "SHAPES", "attach_evidence", "finding_diagnostic", "load_ontology",
           "load_shapes", "run_shacl", "validate_graph"]

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


@dataclass(frozen=True, slots=True)
class Evidence:
    """A sentence that gave the graph a fact about a node (one provenance record)."""

    document: str  # path of the document, as in provenance.jsonl
    sentence: int  # index of the sentence in the document (redchain explain --doc … --sentence N)
    text: str  # the sentence
    start: int  # the match within ``text`` (from source offsets; approximate where normalising
    end: int  # changed the length of the text)
    rule: str  # the rule that found the fact

    def excerpt(self, width: int = 80) -> str:
        """The sentence cut to about ``width`` characters around the match, with … where cut."""
        if len(self.text) <= width:
            return self.text
        start = max(0, min(self.start, len(self.text)))
        end = max(start, min(self.end, len(self.text)))
        left = max(0, min(start - max(0, width - (end - start)) // 2, len(self.text) - width))
        return ("…" if left else "") + self.text[left:left + width] + ("…" if left + width < len(self.text) else "")


@dataclass(frozen=True, slots=True, order=True)
class Finding:
    """One SHACL validation result, in terms a reader of the graph can follow."""

    focus_node: str  # IRI of the node that fails
    focus_label: str  # its rdfs:label @zh, or "" when it has none
    path: str  # the property, as a CURIE (rc:secretaryOf), or "" for node-level checks
    shape: str  # the shape, as a CURIE (rcsh:SecretaryOfObjectShape)
    message: str  # the shape's English message
    value: str  # the offending value (IRI or lexical form), or ""
    evidence: Evidence | None = field(default=None, compare=False)  # see attach_evidence


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


# ── evidence ─────────────────────────────────────────────────────────────────────────

def attach_evidence(findings: Iterable[Finding], records: Iterable[Mapping[str, Any]]) -> list[Finding]:
    """``findings`` with the sentence behind each focus node, from provenance ``records``
    (provenance.jsonl rows). Preferred, in order: the fact that breaks the shape (the node's
    ``path`` property with the offending value), another fact of that property, any fact
    whose subject is the node, any fact whose object is the node; the first in document
    and sentence order. A node no sentence states (a place from the division dataset
    only) keeps ``evidence=None``."""
    ordered = sorted(records, key=lambda r: (r["doc"], r["sentence"], r.get("start", 0), r["rule"], r["p"], r["o"]))
    by_node: dict[str, list[tuple[bool, Mapping[str, Any]]]] = {}
    for record in ordered:
        by_node.setdefault(record["s"], []).append((True, record))
    for record in ordered:
        by_node.setdefault(record["o"], []).append((False, record))
    return [replace(f, evidence=_evidence(f, by_node.get(f.focus_node, []))) for f in findings]


def _evidence(finding: Finding, candidates: list[tuple[bool, Mapping[str, Any]]]) -> Evidence | None:
    def rank(item: tuple[bool, Mapping[str, Any]]) -> int:
        is_subject, record = item
        same_path = is_subject and finding.path in (record["p"], "rc:" + record.get("p_name", ""))
        return 0 if same_path and record["o"] == finding.value else 1 if same_path else 2 if is_subject else 3

    if not candidates:
        return None
    _, record = min(candidates, key=rank)  # min keeps the first of equal rank: document order
    offset = record.get("sentence_start", 0)
    return Evidence(record["doc"], record["sentence"], record["sentence_text"],
                    record.get("start", offset) - offset, record.get("end", offset) - offset, record["rule"])


def finding_diagnostic(finding: Finding, *, strict: bool = False) -> Diagnostic:
    """The S001 diagnostic of a finding: node, message and shape, then the evidence sentence
    (cut to about 80 characters around the match) with its document and rule."""
    message = f"{finding.focus_label or finding.focus_node}: {finding.message} ({finding.shape})"
    hint = None
    evidence = finding.evidence
    if evidence is not None:
        message += (f"; evidence {evidence.document} sentence {evidence.sentence} [rule {evidence.rule}]: "
                    f"「{evidence.excerpt()}」")
        hint = f"redchain explain --doc {evidence.document} --sentence {evidence.sentence} shows how the fact was found"
    return Diagnostic("graph.ttl", "S001", message, severity="error" if strict else "warning", hint=hint)

"""Stage 7: check a built graph against the SHACL shapes in ``ontology/shapes.ttl``.

``validate_graph(g)`` (or ``validate_ntriples(text)``, from the graph's N-Triples)
checks the core shapes with ``shacl``, a SHACL engine written in Rust (about ten
times faster than pySHACL on a built graph, with the same results, except that
``$`` in ``sh:pattern`` matches only at the end of the string, as SHACL says), on the data
with the ontology added (so ``sh:class`` and ``sh:targetClass`` follow
``rdfs:subClassOf``) and no inference (RDFS inference would derive the very
classes the shapes check from the properties' domains and ranges). The
SPARQL-based shapes run on Oxigraph (shacl_sparql.py): ``shacl`` evaluates some of
their queries once per focus node and takes a minute where Oxigraph takes a
fraction of a second. Each result becomes one ``Finding`` that names the node by its
@zh label; the list is sorted. ``run_shacl`` is the plain pySHACL call, all shapes
included, that the tests compare against. Both engines are imported inside the
functions only.

``validate_lines(lines, chunk_triples=CHUNK_TRIPLES)`` does the work, on the graph's
sorted N-Triples lines, a chunk of whole subjects at a time (shacl_chunks.py), so that
memory grows with the chunk and the number of nodes, not with the graph: the engines
hold a few copies of what they check. Each chunk is checked with its subjects'
triples, the rdf:type lines of the nodes they point to, the class axioms of the data
and the ontology, which is all that the shapes read about a focus node:

- core shapes use only terms that read the focus node's own triples, the types of its
  values (``sh:class``, also inside ``sh:or``) and rdfs:subClassOf (``_NODE_LOCAL_TERMS``);
  shapes that use other terms (``sh:targetObjectsOf``, ``sh:node``, a path of several
  steps) are checked in one chunk;
- the SPARQL-based shapes for @zh labels, disjoint classes and self-partnering read the
  focus node's own labels, types and triples, and the class axioms;
- the cycle checks follow rc:locatedIn or rc:subOrganizationOf through any number of
  nodes: they run once, on a store of just those triples and the ontology, and their
  findings take the focus node's label from its chunk.

A node that a chunk holds only for its types is targeted there too (by class, without
its labels and facts): a finding counts only in the chunk whose subjects include its
focus node. Every focus node of these shapes is a subject (of rdf:type, or of the
property its shape targets), or a node of the ontology, which every chunk holds whole.
So the findings do not depend on the chunk size; the tests check them against one chunk
and against pySHACL with chunks of one subject.

``attach_evidence(findings, records)`` gives each finding the sentence behind its
focus node (from the provenance records), and ``finding_diagnostic`` turns a finding
into the S001 diagnostic a build reports: node, message, shape, and that sentence.
"""

from __future__ import annotations

import functools
import sys
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any, Callable, Final, Iterable, Mapping

from rdflib import RDFS, Graph, Namespace, URIRef
from rdflib.namespace import SH
from rdflib.term import Node

from .memory import CHUNK_TRIPLES
from .model import Diagnostic
from .resources import ontology_dir
from .shacl_chunks import Index, chunks, index_lines, on_cycles, owns_node, shared_lines
from .shacl_sparql import SparqlShape, Violation, oxigraph_store, sparql_shapes, violations
from .vocab import bind_prefixes

__all__ = ["CHUNK_TRIPLES", "Evidence", "Finding", "PYSHACL_OPTIONS", "SHAPES", "attach_evidence", "finding_diagnostic",
           "load_ontology", "load_shapes", "run_shacl", "validate_graph", "validate_lines", "validate_ntriples"]

SHAPES = Namespace("https://w3id.org/redchain/shapes#")


# The plain pySHACL call (run_shacl), which the tests compare validate_graph against.
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
    ``g`` is left as it was."""
    from .rdf_text import ntriples_lines

    return validate_lines(ntriples_lines(g), shapes=shapes, ontology=ontology)


def validate_ntriples(text: str, *, chunk_triples: int = CHUNK_TRIPLES, shapes: Graph | None = None,
                      ontology: Graph | None = None) -> list[Finding]:
    """``validate_graph`` of the graph whose N-Triples are ``text`` (such as rdf_text.ntriples_text(g)),
    one triple a line in any order; see ``validate_lines``."""
    stripped = (line.strip() for line in text.split("\n"))  # not splitlines: U+2028 may stand in a literal
    lines = sorted(f"{line}\n" for line in stripped if line and not line.startswith("#"))
    return validate_lines(lines, chunk_triples=chunk_triples, shapes=shapes, ontology=ontology)


def validate_lines(lines: Iterable[str], *, chunk_triples: int = CHUNK_TRIPLES, shapes: Graph | None = None,
                   ontology: Graph | None = None) -> list[Finding]:
    """``validate_graph`` of the graph whose N-Triples lines are ``lines`` (rdf_text.ntriples_lines,
    or the lines of a build's graph.nt), checked in chunks of whole subjects of about
    ``chunk_triples`` lines each (module doc): memory grows with ``chunk_triples`` and the
    number of nodes, not with the graph. The findings do not depend on ``chunk_triples``.
    ``lines`` are read twice (a list, not an iterator), are canonical N-Triples (one space
    between terms, as rdf_text and Oxigraph write them) and come grouped by subject, as
    sorted lines do."""
    if iter(lines) is lines:
        raise TypeError("validate_lines reads the lines twice: pass a list, not an iterator")
    checks = _checks(load_shapes() if shapes is None else shapes, load_ontology() if ontology is None else ontology)
    index = index_lines(lines, checks.followed)
    pending = _graph_wide_violations(index, checks)
    unlabelled = {v.focus for v in pending}
    shared = shared_lines(index, checks.ontology)
    findings: set[Finding] = set()
    labels: dict[str, str] = {}
    for chunk in chunks(lines, index, chunk_triples if checks.chunkable else sys.maxsize):
        owns = functools.partial(owns_node, chunk, index)
        data = "".join(chunk.lines) + chunk.context + shared
        found, labelled = _chunk_findings(data, checks, owns, unlabelled)
        findings |= found
        labels.update(labelled)
    findings |= {_sparql_finding(v, checks.names, lambda node: labels.get(node, "")) for v in pending}
    return sorted(findings)


# Core SHACL terms with which a shape reads only its focus node's own triples, the rdf:type
# of its values (sh:class) and the class axioms: all in the focus node's chunk. Shapes using
# any other term (sh:targetObjectsOf, sh:node, a path of several steps, ...) run in one chunk.
_NODE_LOCAL_TERMS = frozenset(SH[name] for name in (
    "targetClass", "targetSubjectsOf", "path", "class", "or", "datatype", "nodeKind", "pattern", "flags",
    "minCount", "maxCount", "minInclusive", "maxInclusive", "minExclusive", "maxExclusive", "minLength",
    "maxLength", "languageIn", "in", "hasValue", "severity", "message", "name", "description", "deactivated",
    "declare", "prefix", "namespace"))


@dataclass(frozen=True, slots=True)
class _Checks:
    """The shapes, split by engine and by what they read."""

    shapes: Graph
    core: str  # the core shapes (for ``shacl``), as N-Triples
    chunkable: bool  # whether the core shapes use only _NODE_LOCAL_TERMS (and one-step paths)
    sparql: list[SparqlShape]  # SPARQL-based shapes run chunk by chunk
    graph_wide: list[SparqlShape]  # SPARQL-based shapes run once, on the triples they follow
    followed: frozenset[str]  # the properties these follow, as N-Triples terms
    ontology: list[str]  # the ontology's N-Triples lines, added to every store
    names: Graph  # prefixes for CURIEs


def _checks(shapes: Graph, ontology: Graph) -> _Checks:
    from .rdf_text import ntriples_lines

    sparql = sparql_shapes(shapes)
    dropped = {triple for shape in sparql for triple in shapes.cbd(shape.shape)}
    core = [triple for triple in shapes if triple not in dropped]
    names = bind_prefixes(Graph())
    names.bind("rcsh", SHAPES)
    graph_wide = [s for s in sparql if s.follows]
    followed = frozenset(f"<{p}>" for shape in graph_wide for p in shape.follows)
    return _Checks(shapes, "".join(ntriples_lines(core)), _chunkable(core), [s for s in sparql if not s.follows],
                   graph_wide, followed, ntriples_lines(ontology), names)


def _chunkable(core: list[tuple[Node, Node, Node]]) -> bool:
    """Whether the core shapes use only _NODE_LOCAL_TERMS, and paths of one property from a
    targeted shape (a property shape inside sh:or would read the properties of value nodes)."""
    targeted = {s for s, p, _o in core if p in (SH.targetClass, SH.targetSubjectsOf)}
    for subject, predicate, obj in core:
        if str(predicate).startswith(str(SH)) and predicate not in _NODE_LOCAL_TERMS:
            return False
        if predicate == SH.path and (subject not in targeted or not isinstance(obj, URIRef)):
            return False
    return True


def _graph_wide_violations(index: Index, checks: _Checks) -> list[Violation]:
    """The graph-wide SPARQL shapes, run on the triples of the properties they follow. The target
    of a cycle shape runs on just those that may lie on a cycle (shacl_chunks.on_cycles), which
    selects the same nodes: on the whole rc:locatedIn hierarchy of the 100 MB archive, Oxigraph's
    ``?this rc:locatedIn+ ?this`` took 3.5 s and 548 MB."""
    if not checks.graph_wide:
        return []
    ontology = "".join(checks.ontology)
    edges = index.followed + [line for line in checks.ontology if line.split(" ", 2)[1] in checks.followed]
    store = oxigraph_store("".join(index.followed) + ontology)
    cycles = oxigraph_store("".join(on_cycles(edges)) + ontology)
    return [v for shape in checks.graph_wide
            for v in violations(store, [shape], targets=cycles if shape.cycles else store)]


def _chunk_findings(data: str, checks: _Checks, owns: Callable[[str], bool],
                    pending: set[str]) -> tuple[set[Finding], dict[str, str]]:
    """The findings on the nodes a chunk owns, from its N-Triples ``data``, and the @zh labels of
    the ``pending`` focus nodes (of graph-wide findings) it owns. The nodes the chunk holds only
    for their types are targeted too (by class), without their labels and facts: dropped here."""
    store = oxigraph_store(data)  # the SPARQL-based shapes run on it, and the labels are read from it
    labels = _ZhLabels(store)
    results = [r for r in _core_results(data, checks.core) if owns(_term(r.focus_node))]
    findings = {_finding(result, checks.shapes, checks.names, labels) for result in results}
    sparql = violations(store, checks.sparql, owns=lambda focus: owns(focus.value))
    findings |= {_sparql_finding(v, checks.names, labels) for v in sparql}
    return findings, {node: labels(node) for node in pending if owns(node)}


def _core_results(data: str, core_shapes: str) -> list[Any]:
    """``shacl``'s results (shacl.Result) for N-Triples ``data`` and ``core_shapes``."""
    compiled = _compiled(core_shapes)
    return list(compiled.validate_text(data, format="ntriples", inference="none").results) if len(compiled) else []


@functools.lru_cache(maxsize=4)
def _compiled(core_shapes: str) -> Any:
    import shacl

    return shacl.Shapes.from_text(core_shapes, format="ntriples")


class _ZhLabels:
    """The rdfs:label @zh of a node (the first in code-point order), or "" (read from the store)."""

    def __init__(self, store: Any) -> None:
        self.store = store
        self.cache: dict[str, str] = {}

    def __call__(self, node: str) -> str:
        found = self.cache.get(node)
        if found is None:
            found = self.cache[node] = self._lookup(node)
        return found

    def _lookup(self, node: str) -> str:
        import pyoxigraph as ox

        try:
            subject: Any = ox.BlankNode(node[2:]) if node.startswith("_:") else ox.NamedNode(node)
        except ValueError:
            return ""
        quads = self.store.quads_for_pattern(subject, ox.NamedNode(str(RDFS.label)), None, ox.DefaultGraph())
        labels = sorted(q.object.value for q in quads
                        if isinstance(q.object, ox.Literal) and (q.object.language or "").lower() == "zh")
        return labels[0] if labels else ""


def _sparql_finding(violation: Any, names: Graph, labels: Callable[[str], str]) -> Finding:
    return Finding(
        focus_node=violation.focus,
        focus_label=labels(violation.focus),
        path=_curie(URIRef(violation.path), names) if violation.path else "",
        shape=_curie(violation.shape, names),
        message=violation.message,
        value=violation.value,
    )


def _finding(result: Any, shapes: Graph, names: Graph, labels: _ZhLabels) -> Finding:
    """A ``shacl`` result as a Finding. Its terms are N-Triples (``<iri>``, ``_:b``); the message
    is the shape's English one, as pySHACL reports it, or the component's name."""
    focus = _term(result.focus_node)
    shape = _term(result.source_shape) if result.source_shape else ""
    message = (_english(shapes, URIRef(shape)) if shape.startswith("http") else "") or result.message
    return Finding(
        focus_node=focus,
        focus_label=labels(focus),
        path=_curie(URIRef(_term(result.path)), names) if result.path and result.path.startswith("<") else "",
        shape=_curie(URIRef(shape), names) if shape else "",
        message=message or result.component,
        value=result.value_plain if result.value_plain is not None else "",
    )


def _term(text: str) -> str:
    """The IRI of an N-Triples ``<iri>``, or a blank node's ``_:label`` as it is."""
    return text[1:-1] if text.startswith("<") and text.endswith(">") else text


def _curie(term: Node | None, names: Graph) -> str:
    if term is None:
        return ""
    if isinstance(term, URIRef):
        try:
            return names.namespace_manager.curie(term, generate=False)
        except (KeyError, ValueError):
            return str(term)
    return str(term)


def _english(shapes: Graph, node: Node) -> str:
    messages = sorted(shapes.objects(node, SH.message), key=lambda m: (getattr(m, "language", None) != "en", str(m)))
    return str(messages[0]) if messages else ""


# ── evidence ─────────────────────────────────────────────────────────────────────────

def attach_evidence(findings: Iterable[Finding], records: Iterable[Mapping[str, Any]]) -> list[Finding]:
    """``findings`` with the sentence behind each focus node, from provenance ``records``
    (provenance.jsonl rows). Preferred, in order: the fact that breaks the shape (the node's
    ``path`` property with the offending value), another fact of that property, any fact
    whose subject is the node, any fact whose object is the node; the first in document
    and sentence order. A node no sentence states (a place from the division dataset
    only) keeps ``evidence=None``. Holds only the records of the focus nodes (``records`` may be
    a ``RecordFile`` on disk; with no findings it is not read)."""
    findings = list(findings)
    focus = {f.focus_node for f in findings}
    if not focus:
        return findings
    ordered = sorted((r for r in records if r["s"] in focus or r["o"] in focus),
                     key=lambda r: (r["doc"], r["sentence"], r.get("start", 0), r["rule"], r["p"], r["o"]))
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

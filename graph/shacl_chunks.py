"""A graph's N-Triples lines in chunks of whole subjects, each with the other triples its shapes read.

validation.py checks a big graph a chunk at a time, so that memory grows with the chunk
and not with the graph. A chunk holds every triple of its subjects (a subject is never
split), and the shapes of ``shapes.ttl`` read little else about a focus node: the
rdf:type of the nodes its properties point to (``sh:class`` on values) and the class
axioms (rdfs:subClassOf, owl:AllDisjointClasses). So one pass over the lines builds
an ``Index``: the rdf:type lines of every subject, the class axioms stated in the data,
and the triples of the properties that graph-wide shapes follow through any number of
nodes (a rc:locatedIn cycle); ``chunks`` then groups the lines and gives each chunk the
type lines of the nodes it points to, and ``shared_lines`` what every chunk holds. The
index grows with the number of nodes, not with their labels and facts. A node held only
for its types is targeted by class in that chunk too: ``owns_node`` says which chunk
reports a node's findings.

Lines are canonical N-Triples, one triple a line, terms separated by one space (as
rdf_text.ntriples_lines and Oxigraph write them), grouped by subject (sorted lines are).
"""

from __future__ import annotations

import itertools
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Iterable, Iterator

__all__ = ["Chunk", "Index", "chunks", "index_lines", "node_terms", "on_cycles", "owns_node", "shared_lines"]

_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_OWL = "http://www.w3.org/2002/07/owl#"
_TYPE = f"<{_RDF}type>"
# The class axioms the shapes read from the data: sh:class and sh:targetClass follow
# rdfs:subClassOf; rcsh:DisjointClassesShape reads owl:AllDisjointClasses and its member lists.
_AXIOM_PREDICATES = frozenset({"<http://www.w3.org/2000/01/rdf-schema#subClassOf>", f"<{_OWL}members>",
                               f"<{_RDF}first>", f"<{_RDF}rest>"})
_ALL_DISJOINT = f"<{_OWL}AllDisjointClasses>"


@dataclass(slots=True)
class Index:
    """What every chunk may need from the rest of the graph, from one pass over its lines."""

    types: dict[str, str] = field(default_factory=dict)  # every subject → its rdf:type lines ("" for none)
    sizes: list[int] = field(default_factory=list)  # how many lines each subject has, in line order
    axioms: list[str] = field(default_factory=list)  # class axioms stated in the data
    followed: list[str] = field(default_factory=list)  # triples of the properties graph-wide shapes follow

    def type_lines(self, nodes: Iterable[str]) -> str:
        """The rdf:type lines of ``nodes`` (N-Triples terms), in term order."""
        return "".join(self.types.get(node, "") for node in sorted(set(nodes)))


@dataclass(frozen=True, slots=True)
class Chunk:
    lines: list[str]  # every triple of its subjects
    subjects: frozenset[str]  # as N-Triples terms: <iri> or _:label
    context: str  # the rdf:type lines of the other nodes its triples point to


def index_lines(lines: Iterable[str], followed: frozenset[str]) -> Index:
    """The ``Index`` of ``lines``; ``followed``: the properties (N-Triples terms) whose triples to keep.
    Raises ValueError when a subject's lines are not together."""
    index = Index()
    previous, count = None, 0
    for line in lines:
        subject, predicate, rest = line.split(" ", 2)
        if subject != previous:
            if subject in index.types:
                raise ValueError(f"the lines of {subject} are not together: sort the lines (rdf_text.ntriples_lines)")
            index.types[subject] = ""
            if previous is not None:
                index.sizes.append(count)
            previous, count = subject, 0
        count += 1
        if predicate == _TYPE:
            index.types[subject] += line
        if predicate in _AXIOM_PREDICATES or (predicate == _TYPE and rest.startswith(_ALL_DISJOINT + " ")):
            index.axioms.append(line)
        if predicate in followed:
            index.followed.append(line)
    if previous is not None:
        index.sizes.append(count)
    return index


def chunks(lines: Iterable[str], index: Index, size: int) -> Iterator[Chunk]:
    """``lines`` (the lines ``index`` was made from) as chunks of whole subjects, each of ``size``
    lines or a little more (the last one fewer); always at least one chunk, so that an empty graph
    is checked too. Each subject's lines are counted off by the index's sizes, not found again by
    splitting every line (a third of this pass's time)."""
    group: list[str] = []
    subjects: set[str] = set()
    emitted = False
    source = iter(lines)
    for subject, count in zip(index.types, index.sizes):
        group.extend(itertools.islice(source, count))
        subjects.add(subject)
        if len(group) >= size:
            yield _chunk(group, subjects, index)
            group, subjects, emitted = [], set(), True
    if next(source, None) is not None:
        raise ValueError("more lines than when they were indexed: pass lines that read the same each time")
    if group or not emitted:
        yield _chunk(group, subjects, index)


def _chunk(lines: list[str], subjects: set[str], index: Index) -> Chunk:
    return Chunk(lines, frozenset(subjects), index.type_lines(node_terms(lines) - subjects))


def shared_lines(index: Index, ontology: list[str]) -> str:
    """What every chunk holds besides its own lines: the class axioms of the data, the
    ``ontology`` lines, and the types of the nodes these point to."""
    return "".join(index.axioms) + "".join(ontology) + index.type_lines(node_terms(index.axioms + ontology))


def owns_node(chunk: Chunk, index: Index, node: str) -> bool:
    """Whether ``chunk`` reports the findings on ``node`` (an IRI or ``_:label``). Those on a
    subject of the data come from its own chunk: elsewhere it may be held for its types only.
    A node that is no subject (one of the ontology's) has the same triples in every chunk."""
    term = node if node.startswith("_:") else f"<{node}>"
    return term in chunk.subjects or term not in index.types


def node_terms(lines: Iterable[str]) -> set[str]:
    """The nodes (IRIs and blank nodes, as N-Triples terms) that ``lines`` point to."""
    nodes = set()
    for line in lines:
        obj = line.split(" ", 2)[2]
        if obj[0] in "<_":  # not a literal
            nodes.add(obj[:obj.rindex(" .")])
    return nodes


def on_cycles(lines: list[str]) -> list[str]:
    """The ``lines`` (triples between nodes) that may lie on a cycle: what is left after dropping,
    again and again, every triple whose subject nothing points to or whose object points nowhere.
    Every cycle is left whole; so is a path between two cycles."""
    edges = [(line[:line.index(" ")], line.split(" ", 2)[2].rsplit(" .", 1)[0]) for line in lines]
    into, out = Counter(o for _s, o in edges), Counter(s for s, _o in edges)
    by_subject, by_object = defaultdict(list), defaultdict(list)
    for i, (s, o) in enumerate(edges):
        by_subject[s].append(i)
        by_object[o].append(i)
    dropped = [False] * len(edges)
    todo = [i for i, (s, o) in enumerate(edges) if not into[s] or not out[o]]
    while todo:
        i = todo.pop()
        if dropped[i]:
            continue
        dropped[i] = True
        s, o = edges[i]
        out[s] -= 1
        into[o] -= 1
        if not out[s]:
            todo.extend(by_object[s])  # the triples into s now end where nothing goes on
        if not into[o]:
            todo.extend(by_subject[o])  # the triples out of o now start where nothing comes in
    return [line for line, gone in zip(lines, dropped) if not gone]

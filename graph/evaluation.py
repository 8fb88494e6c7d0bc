"""`redchain eval`: score a build of the gold texts against the gold annotations (gold.py).

Matching rules (see ``evaluate``):

- a node's names are its ``rdfs:label`` and ``skos:altLabel`` literals tagged ``@zh``
  (or untagged), compared with gold names by ``gold.name_key``;
- entities: a gold entity of class C is found by a node of class C or of a
  subclass (a ChainPartyCommittee node finds a gold PartyOrganization); a node is
  counted in its most specific class and is correct when a gold entity of exactly
  that class matches it;
- facts: a node stands for the gold entities it matches (those of a compatible class
  when there are any); ``partnersWith`` is compared as unordered pairs, ``locatedIn``
  up to transitivity (a predicted fact is correct if the gold closure holds it, a
  gold fact is found if the predicted closure holds it). Facts whose ends match no
  gold entity are false. Predicted facts are counted once per (subject, object) of
  gold entities, so unmerged duplicate nodes do not inflate the counts.

Reports and thresholds are in eval_report.py.
"""

from __future__ import annotations

import json
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Sequence

import rdflib
from rdflib import RDF, RDFS, SKOS, URIRef

from .eval_report import check_thresholds, format_report
from .gold import (CLASSES, RELATIONS, GoldArticle, GoldEntity, GoldError, MergedEntity, MergedGold, class_closure,
                   load_gold, merge_gold, name_key)

__all__ = ["CLASSES", "RELATIONS", "EvalReport", "FalseFact", "GoldArticle", "GoldEntity", "GoldError", "MissedFact",
           "Score", "build_gold_graph", "check_thresholds", "evaluate", "format_report", "load_gold", "name_key",
           "run_eval"]


RC_NS = "https://w3id.org/redchain/ns#"
_SENTENCE = re.compile(r"[^。！？!?\n]+[。！？!?]*")



@dataclass(frozen=True, slots=True)
class Score:
    """Counts for one relation or class. ``tp`` counts correct predictions, ``fn`` gold items
    not found; under locatedIn's transitivity ``tp + fn`` may differ from ``gold``."""

    name: str
    gold: int
    tp: int
    fp: int
    fn: int

    @property
    def predicted(self) -> int:
        return self.tp + self.fp

    @property
    def precision(self) -> float | None:
        return self.tp / self.predicted if self.predicted else None

    @property
    def recall(self) -> float | None:
        return (self.gold - self.fn) / self.gold if self.gold else None

    @property
    def f1(self) -> float | None:
        p, r = self.precision, self.recall
        if p is None or r is None:
            return None
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "gold": self.gold, "predicted": self.predicted, "tp": self.tp, "fp": self.fp,
                "fn": self.fn, "precision": self.precision, "recall": self.recall, "f1": self.f1}


@dataclass(frozen=True, slots=True)
class MissedFact:
    subject: str
    relation: str
    object: str
    articles: tuple[str, ...]
    sentence: str | None  # the gold sentence that names both ends, if any


@dataclass(frozen=True, slots=True)
class FalseFact:
    subject: str  # node label
    relation: str
    object: str
    reason: str
    evidence: tuple[dict[str, Any], ...]  # provenance records: rule, doc, sentence_text…


@dataclass(frozen=True, slots=True)
class EvalReport:
    articles: int
    relations: tuple[Score, ...]
    overall: Score
    entities: tuple[Score, ...]
    entities_overall: Score
    missed: tuple[MissedFact, ...]
    false: tuple[FalseFact, ...]

    def relation(self, name: str) -> Score:
        return next(s for s in self.relations if s.name == name)

    def entity(self, cls: str) -> Score:
        return next(s for s in self.entities if s.name == cls)


# ── the predicted graph ───────────────────────────────────────────────────────


@dataclass(frozen=True, slots=True)
class _Node:
    label: str
    keys: frozenset[str]
    classes: frozenset[str]  # contract classes, closed upward (ChainPartyCommittee → PartyOrganization)

    @property
    def specific(self) -> frozenset[str]:
        """The classes the node is counted in: a ChainPartyCommittee is not also counted as a plain one."""
        if "ChainPartyCommittee" in self.classes:
            return self.classes - {"PartyOrganization"}
        return self.classes


def _is_chinese(literal: Any) -> bool:
    if not isinstance(literal, rdflib.Literal):
        return False
    lang = (literal.language or "").lower()
    return lang == "" or (lang.split("-")[0] == "zh" and "latn" not in lang)


def _is_schema_term(cls: Any) -> bool:
    return str(cls).startswith((str(rdflib.OWL), str(RDFS), str(RDF), "http://www.w3.org/ns/shacl#"))


def graph_nodes(g: rdflib.Graph) -> dict[Any, _Node]:
    """Every labelled or typed node except rc:Post, with its Chinese names and contract classes."""
    classes_of = _class_map(g)
    subjects = set(g.subjects(RDF.type, None)) | set(g.subjects(RDFS.label, None)) | set(g.subjects(SKOS.altLabel, None))
    nodes: dict[Any, _Node] = {}
    for node in subjects:
        types = set(g.objects(node, RDF.type))
        if str(node).startswith(RC_NS) or URIRef(RC_NS + "Post") in types or any(map(_is_schema_term, types)):
            continue  # vocabulary terms copied into the graph, and posts, are not things
        labels = sorted(str(v) for v in g.objects(node, RDFS.label) if _is_chinese(v))
        alts = sorted(str(v) for v in g.objects(node, SKOS.altLabel) if _is_chinese(v))
        classes = class_closure(c for t in types for c in classes_of.get(t, ()))
        nodes[node] = _Node((labels + alts + [str(node)])[0], frozenset(name_key(n) for n in labels + alts),
                            frozenset(classes))
    return nodes


def _class_map(g: rdflib.Graph) -> dict[Any, set[str]]:
    """rdf:type value → the contract classes it is (itself or through rdfs:subClassOf in ``g``)."""
    contract: dict[Any, str] = {URIRef(RC_NS + c): c for c in CLASSES}
    return {t: {contract[x] for x in g.transitive_objects(t, RDFS.subClassOf) if x in contract}
            for t in set(g.objects(None, RDF.type))}


# ── scoring ───────────────────────────────────────────────────────────────────


def evaluate(g: rdflib.Graph, gold: Sequence[GoldArticle], provenance: Iterable[dict[str, Any]] = ()) -> EvalReport:
    """Score graph ``g`` against the gold articles (see the module docstring for the rules)."""
    merged = merge_gold(gold)
    nodes = graph_nodes(g)
    matches = _match_nodes(nodes, merged)
    entity_scores = tuple(_score_class(cls, nodes, matches, merged) for cls in CLASSES)
    evidence = _index_provenance(provenance)
    mapping = _mapping(nodes, matches)
    relation_scores: list[Score] = []
    missed: list[MissedFact] = []
    false: list[FalseFact] = []
    for relation in RELATIONS:
        score, miss, wrong = _score_relation(relation, g, nodes, mapping, merged, evidence)
        relation_scores.append(score)
        missed += miss
        false += wrong
    return EvalReport(len(gold), tuple(relation_scores), _sum("overall", relation_scores), entity_scores,
                      _sum("overall", entity_scores), tuple(missed), tuple(false))


def _sum(name: str, scores: Sequence[Score]) -> Score:
    return Score(name, sum(s.gold for s in scores), sum(s.tp for s in scores), sum(s.fp for s in scores),
                 sum(s.fn for s in scores))


def _match_nodes(nodes: dict[Any, _Node], gold: MergedGold) -> dict[Any, tuple[MergedEntity, ...]]:
    by_key: dict[str, list[MergedEntity]] = {}
    for entity in gold.entities:
        for key in entity.keys:
            by_key.setdefault(key, []).append(entity)
    return {node: tuple(sorted({e.index: e for k in info.keys for e in by_key.get(k, ())}.values(),
                               key=lambda e: e.index))
            for node, info in nodes.items()}


def _score_class(cls: str, nodes: dict[Any, _Node], matches: dict[Any, tuple[MergedEntity, ...]], gold: MergedGold) -> Score:
    found = {e.index for node, info in nodes.items() if cls in info.classes for e in matches[node] if e.cls == cls}
    predicted = [node for node, info in nodes.items() if cls in info.specific]
    tp = sum(1 for node in predicted if any(e.cls == cls for e in matches[node]))
    total = sum(1 for e in gold.entities if e.cls == cls)
    return Score(cls, total, tp, len(predicted) - tp, total - len(found))


def _compatible(info: _Node, entity: MergedEntity) -> bool:
    return entity.cls in info.classes or (entity.cls == "ChainPartyCommittee" and "PartyOrganization" in info.classes)


def _mapping(nodes: dict[Any, _Node], matches: dict[Any, tuple[MergedEntity, ...]]) -> dict[Any, frozenset[int]]:
    """Node → gold entities it stands for: those of a compatible class when there are any."""
    result: dict[Any, frozenset[int]] = {}
    for node, found in matches.items():
        fitting = [e for e in found if _compatible(nodes[node], e)]
        result[node] = frozenset(e.index for e in (fitting or found))
    return result


Pair = tuple[int, int]


def _score_relation(relation: str, g: rdflib.Graph, nodes: dict[Any, _Node], mapping: dict[Any, frozenset[int]],
                    gold: MergedGold, evidence: dict[tuple[str, str, str], list[dict[str, Any]]]
                    ) -> tuple[Score, list[MissedFact], list[FalseFact]]:
    predicate = URIRef(RC_NS + relation)
    edges = sorted((s, o) for s, o in g.subject_objects(predicate) if not isinstance(o, rdflib.Literal))
    gold_pairs = set(gold.facts[relation])
    transitive = relation == "locatedIn"
    target = _transitive_closure(gold_pairs) if transitive else gold_pairs
    reached: set[Pair] = set()
    for s, o in (_transitive_closure(set(edges)) if transitive else edges):
        reached |= _candidates(relation, mapping.get(s, frozenset()), mapping.get(o, frozenset()))
    correct: set[Any] = set()
    wrong: dict[tuple[Any, ...], FalseFact] = {}
    for s, o in edges:
        cands = _candidates(relation, mapping.get(s, frozenset()), mapping.get(o, frozenset()))
        hits = cands & target
        if hits:
            correct.add(min(hits))
            continue
        ends = (str(s), str(o))
        key = ("gold", min(cands)) if cands else ("node", *(sorted(ends) if relation == "partnersWith" else ends))
        if key not in wrong:
            wrong[key] = _false_fact(relation, s, o, nodes, mapping, cands, evidence)
    missed = [_missed_fact(relation, pair, gold) for pair in sorted(gold_pairs - reached)]
    score = Score(relation, len(gold_pairs), len(correct), len(wrong), len(missed))
    return score, missed, list(wrong.values())


def _candidates(relation: str, subjects: frozenset[int], objects: frozenset[int]) -> set[Pair]:
    pairs = {(a, b) for a in subjects for b in objects if a != b}
    if relation == "partnersWith":
        return {(min(p), max(p)) for p in pairs}
    return pairs


def _transitive_closure(pairs: set[Any]) -> set[Any]:
    succ: dict[Any, set[Any]] = {}
    for a, b in pairs:
        succ.setdefault(a, set()).add(b)
    closure: set[Any] = set()
    for start in succ:
        stack, seen = list(succ[start]), set()
        while stack:
            node = stack.pop()
            if node in seen:
                continue
            seen.add(node)
            stack.extend(succ.get(node, ()))
        closure |= {(start, b) for b in seen if b != start}
    return closure


def _false_fact(relation: str, s: Any, o: Any, nodes: dict[Any, _Node], mapping: dict[Any, frozenset[int]],
                cands: set[Pair], evidence: dict[tuple[str, str, str], list[dict[str, Any]]]) -> FalseFact:
    unmatched = [role for role, node in (("subject", s), ("object", o)) if not mapping.get(node)]
    if unmatched:
        reason = f"{' and '.join(unmatched)} {'match' if len(unmatched) > 1 else 'matches'} no gold entity"
    elif not cands:
        reason = "subject and object match the same gold entity"
    else:
        reason = "not in the gold" + (", even transitively" if relation == "locatedIn" else "")
    records = evidence.get((str(s), RC_NS + relation, str(o)), [])
    if relation == "partnersWith":
        records = records + evidence.get((str(o), RC_NS + relation, str(s)), [])
    s_label = nodes[s].label if s in nodes else str(s)
    o_label = nodes[o].label if o in nodes else str(o)
    return FalseFact(s_label, relation, o_label, reason, tuple(records))


def _missed_fact(relation: str, pair: Pair, gold: MergedGold) -> MissedFact:
    subject, obj = gold.entities[pair[0]], gold.entities[pair[1]]
    articles = gold.facts[relation][pair]
    return MissedFact(subject.name, relation, obj.name, articles, _sentence_naming(subject, obj, articles, gold))


def _sentence_naming(a: MergedEntity, b: MergedEntity, articles: Sequence[str], gold: MergedGold) -> str | None:
    """The first gold sentence naming both, preferring one where neither name is only part of the
    other (铜产业链 inside 铜产业链党委)."""
    overlapping = None
    for article in articles:
        for match in _SENTENCE.finditer(gold.texts.get(article, "")):
            key = name_key(match.group())
            pairs = [(ka, kb) for ka in a.keys if ka in key for kb in b.keys if kb in key]
            if any(_apart(key, ka, kb) for ka, kb in pairs):
                return match.group().strip()
            if pairs and overlapping is None:
                overlapping = match.group().strip()
    return overlapping


def _apart(key: str, ka: str, kb: str) -> bool:
    """Both names occur in ``key`` and the shorter one also outside the longer one."""
    if kb in ka:
        return kb in key.replace(ka, "\x00")
    if ka in kb:
        return ka in key.replace(kb, "\x00")
    return True


def _index_provenance(records: Iterable[dict[str, Any]]) -> dict[tuple[str, str, str], list[dict[str, Any]]]:
    index: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
    for record in records:
        index.setdefault((str(record.get("s")), str(record.get("p")), str(record.get("o"))), []).append(record)
    return index


# ── building the gold texts ───────────────────────────────────────────────────


def build_gold_graph(gold: Sequence[GoldArticle], workdir: Path) -> tuple[rdflib.Graph, list[dict[str, Any]]]:
    """Write each gold text to ``workdir/input/<id>.txt``, build into ``workdir/output``, load the results.
    Text files already in ``workdir/input`` are removed first, so only the gold is built."""
    from .pipeline import build

    inputs, output = Path(workdir) / "input", Path(workdir) / "output"
    inputs.mkdir(parents=True, exist_ok=True)
    for stale in [*inputs.glob("*.txt"), *inputs.glob("*.md")]:
        stale.unlink()
    for article in gold:
        (inputs / f"{article.id}.txt").write_text(article.text, encoding="utf-8")
    build([inputs], output)
    g = rdflib.Graph()
    g.parse(output / "graph.ttl", format="turtle")
    provenance_path = output / "provenance.jsonl"
    records: list[dict[str, Any]] = []
    if provenance_path.exists():
        lines = provenance_path.read_text(encoding="utf-8").splitlines()
        records = [json.loads(line) for line in lines if line.strip()]
    return g, records


def run_eval(gold_dir: Path | str, *, workdir: Path | None = None) -> EvalReport:
    """Load the gold, build its texts (in a temporary folder unless ``workdir``), score the graph."""
    gold = load_gold(gold_dir)
    if workdir is not None:
        g, provenance = build_gold_graph(gold, Path(workdir))
        return evaluate(g, gold, provenance)
    with tempfile.TemporaryDirectory(prefix="redchain-eval-") as tmp:
        g, provenance = build_gold_graph(gold, Path(tmp))
    return evaluate(g, gold, provenance)

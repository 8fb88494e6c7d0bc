"""`redchain eval`: score a build of the gold texts against the gold annotations.

Gold: one JSON file per article in a folder (other files are ignored)::

    {"id": "…", "tests": "one line", "source": "seeds/….txt", "text": "…",
     "entities": [{"type": "Enterprise", "names": ["江西铜业集团", "江铜集团"]}],
     "triples": [["江西铜业集团", "leadsChain", "铜产业链"]]}

Matching rules (see ``name_key``, ``evaluate``):

- names match when equal after NFKC, folding of full-/half-width punctuation,
  Traditional → Simplified and removal of whitespace; a node's names are its
  ``rdfs:label`` and ``skos:altLabel`` literals tagged ``@zh`` (or untagged);
- gold entities of one class that share a name are one entity, across articles;
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

Diagnostic codes (GoldError): E001 unreadable or not JSON, E002 a key is missing,
unknown or of the wrong type, E003 unknown entity type, E004 unknown relation, E005 a
triple names no entity (or not its first name), E006 one name given to two entities of
an article, E007 an article id is used twice, E008 a triple's classes do not fit the
relation, E009 a triple is listed twice, E010 no gold files in the folder.
"""

from __future__ import annotations

import functools
import json
import re
import tempfile
import unicodedata
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Iterable, Literal, Sequence

import rdflib
from rdflib import RDF, RDFS, SKOS, URIRef

from .diagnostics import RedchainError, display_width
from .model import Diagnostic

RC_NS = "https://w3id.org/redchain/ns#"
CLASSES = ("PartyOrganization", "ChainPartyCommittee", "Enterprise", "IndustrialChain", "Place",
           "GovernmentBody", "ResearchInstitution", "Person")
RELATIONS = ("covers", "servesChain", "leadsChain", "locatedIn", "partyOrganizationOf", "subOrganizationOf",
             "secretaryOf", "affiliatedWith", "partnersWith")
_ORGS = frozenset({"PartyOrganization", "Enterprise", "GovernmentBody", "ResearchInstitution"})
_PARTY = frozenset({"PartyOrganization"})
# relation -> (allowed subject classes, allowed object classes); ChainPartyCommittee counts as PartyOrganization
SIGNATURES: dict[str, tuple[frozenset[str] | None, frozenset[str]]] = {
    "covers": (_PARTY, frozenset({"Enterprise", "PartyOrganization"})),
    "servesChain": (frozenset({"ChainPartyCommittee"}), frozenset({"IndustrialChain"})),
    "leadsChain": (frozenset({"Enterprise"}), frozenset({"IndustrialChain"})),
    "locatedIn": (None, frozenset({"Place"})),
    "partyOrganizationOf": (_PARTY, frozenset({"Enterprise", "ResearchInstitution", "GovernmentBody"})),
    "subOrganizationOf": (_PARTY, _PARTY),
    "secretaryOf": (frozenset({"Person"}), _PARTY),
    "affiliatedWith": (frozenset({"Person"}), _ORGS),
    "partnersWith": (_ORGS, _ORGS),
}
_KEYS = {"id": str, "tests": str, "source": str, "text": str, "entities": list, "triples": list}
_ID = re.compile(r"^[^/\\\s.][^/\\\s]*$")
_SENTENCE = re.compile(r"[^。！？!?\n]+[。！？!?]*")
_FOLD = str.maketrans({"【": "[", "】": "]", "〔": "(", "〕": ")", "〖": "[", "〗": "]", "“": '"', "”": '"',
                       "‘": "'", "’": "'", "「": '"', "」": '"', "『": '"', "』": '"', "・": "·", "•": "·",
                       "‧": "·", "—": "-", "–": "-", "―": "-", "～": "~", "〜": "~"})


class GoldError(RedchainError):
    """The gold annotations are invalid; nothing was scored."""


@dataclass(frozen=True, slots=True)
class GoldEntity:
    type: str
    names: tuple[str, ...]

    @property
    def name(self) -> str:
        return self.names[0]


@dataclass(frozen=True, slots=True)
class GoldArticle:
    id: str
    tests: str
    source: str
    text: str
    entities: tuple[GoldEntity, ...]
    triples: tuple[tuple[str, str, str], ...]
    path: str = ""


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


# ── names ─────────────────────────────────────────────────────────────────────


@functools.lru_cache(maxsize=1)
def _t2s() -> Any:
    try:
        import opencc
    except ImportError:  # pragma: no cover - opencc is a dependency
        return None
    return opencc.OpenCC("t2s")


@functools.lru_cache(maxsize=65536)
def name_key(name: str) -> str:
    """The form names are compared in: NFKC, punctuation folded, Simplified, no whitespace."""
    converter = _t2s()
    text = converter.convert(name) if converter is not None else name
    text = unicodedata.normalize("NFKC", text).translate(_FOLD)
    return "".join(ch for ch in text if not ch.isspace())


# ── loading the gold ──────────────────────────────────────────────────────────


def load_gold(gold_dir: Path | str) -> list[GoldArticle]:
    """Every ``*.json`` in ``gold_dir``, checked; raises GoldError listing every problem."""
    gold_dir = Path(gold_dir)
    files = sorted(gold_dir.glob("*.json")) if gold_dir.is_dir() else []
    if not files:
        raise GoldError([Diagnostic(str(gold_dir), "E010", "no gold files (*.json) in this folder; nothing scored")])
    articles: list[GoldArticle] = []
    problems: list[Diagnostic] = []
    seen: dict[str, str] = {}
    for path in files:
        article, found = _load_file(path)
        problems += found
        if article is None:
            continue
        if article.id in seen:
            problems.append(Diagnostic(str(path), "E007", f"id: '{article.id}' is also the id of {seen[article.id]}"))
        seen.setdefault(article.id, str(path))
        articles.append(article)
    if problems:
        raise GoldError(problems)
    return articles


def _load_file(path: Path) -> tuple[GoldArticle | None, list[Diagnostic]]:
    try:
        raw = path.read_text(encoding="utf-8-sig")
        data = json.loads(raw)
    except (OSError, UnicodeDecodeError) as exc:
        return None, [Diagnostic(str(path), "E001", f"cannot be read: {exc}; file skipped")]
    except json.JSONDecodeError as exc:
        return None, [Diagnostic(str(path), "E001", f"not valid JSON: {exc.msg}; file skipped",
                                 line=exc.lineno, col=exc.colno)]
    problems: list[str] = []
    article = _parse_article(data, str(path), problems)
    diags = [_diagnostic(path, raw, p) for p in problems]
    return (article if not diags else None), diags


def _diagnostic(path: Path, raw: str, problem: str) -> Diagnostic:
    code, message, needle = problem.split("\x00")
    line = None
    if needle:  # best effort: the first occurrence of the value, in the triples when the problem is there
        start = max(raw.find('"triples"'), 0) if message.startswith("triples") else 0
        pos = raw.find(json.dumps(needle, ensure_ascii=False), start)
        line = raw.count("\n", 0, pos) + 1 if pos >= 0 else None
    return Diagnostic(str(path), code, message, line=line)


def _problem(code: str, message: str, needle: str = "") -> str:
    return f"{code}\x00{message}\x00{needle}"


def _parse_article(data: Any, path: str, problems: list[str]) -> GoldArticle | None:
    if not isinstance(data, dict):
        problems.append(_problem("E002", "the file must hold one JSON object"))
        return None
    shape: list[str] = []
    for key, kind in _KEYS.items():
        if key not in data:
            shape.append(_problem("E002", f"missing key '{key}'"))
        elif not isinstance(data[key], kind):
            shape.append(_problem("E002", f"{key}: expected a {'string' if kind is str else 'list'}", key))
    for key in sorted(set(data) - set(_KEYS)):
        problems.append(_problem("E002", f"unknown key '{key}' (allowed: {', '.join(_KEYS)})", key))
    problems += shape
    if shape:
        return None
    if not _ID.match(data["id"]):
        problems.append(_problem("E002", f"id: '{data['id']}' cannot name a file (no spaces, slashes or leading dot)"))
    if "\n" in data["tests"].strip() or not data["tests"].strip():
        problems.append(_problem("E002", "tests: expected one non-empty line", "tests"))
    if not data["text"].strip():
        problems.append(_problem("E002", "text: empty", "text"))
    entities = _parse_entities(data["entities"], problems)
    triples = _parse_triples(data["triples"], entities, problems)
    return GoldArticle(data["id"], data["tests"], data["source"], data["text"], entities, triples, path)


def _parse_entities(items: list[Any], problems: list[str]) -> tuple[GoldEntity, ...]:
    entities: list[GoldEntity] = []
    owner: dict[str, int] = {}
    for i, item in enumerate(items):
        where = f"entities[{i}]"
        if not isinstance(item, dict) or set(item) != {"type", "names"}:
            problems.append(_problem("E002", f"{where}: expected an object with exactly the keys 'type' and 'names'"))
            continue
        kind, names = item["type"], item["names"]
        if kind not in CLASSES:
            problems.append(_problem("E003", f"{where}.type: unknown class '{kind}' (allowed: {', '.join(CLASSES)})",
                                     str(kind)))
        if not isinstance(names, list) or not names or not all(isinstance(n, str) and n.strip() for n in names):
            problems.append(_problem("E002", f"{where}.names: expected a non-empty list of non-empty strings"))
            continue
        for name in dict.fromkeys(name_key(n) for n in names):
            if name in owner:
                problems.append(_problem("E006", f"{where}.names: '{name}' also names entities[{owner[name]}]", name))
            owner.setdefault(name, i)
        entities.append(GoldEntity(str(kind), tuple(names)))
    return tuple(entities)


def _parse_triples(items: list[Any], entities: tuple[GoldEntity, ...], problems: list[str]
                   ) -> tuple[tuple[str, str, str], ...]:
    by_first = {e.name: e for e in entities}
    by_key = {name_key(n): e for e in entities for n in e.names}
    triples: list[tuple[str, str, str]] = []
    seen: set[tuple[str, str, str]] = set()
    for i, item in enumerate(items):
        where = f"triples[{i}]"
        if not (isinstance(item, list) and len(item) == 3 and all(isinstance(x, str) for x in item)):
            problems.append(_problem("E002", f"{where}: expected [subject, relation, object] as three strings"))
            continue
        s, p, o = item
        ok = p in RELATIONS
        if not ok:
            problems.append(_problem("E004", f"{where}[1]: unknown relation '{p}' (allowed: {', '.join(RELATIONS)})", p))
        for pos, name in ((0, s), (2, o)):
            if name not in by_first:
                ok = False
                other = by_key.get(name_key(name))
                hint = f"; use its first name '{other.name}'" if other else ""
                what = "is not the first name of its entity" if other else "names no entity of this article"
                problems.append(_problem("E005", f"{where}[{pos}]: '{name}' {what}{hint}", name))
        if not ok:
            continue
        _check_signature(where, by_first[s], p, by_first[o], problems)
        key = (min(s, o), p, max(s, o)) if p == "partnersWith" else (s, p, o)
        if key in seen:
            problems.append(_problem("E009", f"{where}: listed twice: {s} {p} {o}", o))
        seen.add(key)
        triples.append((s, p, o))
    return tuple(triples)


def _check_signature(where: str, s: GoldEntity, p: str, o: GoldEntity, problems: list[str]) -> None:
    domain, rng = SIGNATURES[p]
    for pos, entity, allowed in ((0, s, domain), (2, o, rng)):
        if allowed is not None and not allowed & _closure({entity.type}):
            problems.append(_problem("E008", f"{where}[{pos}]: '{entity.name}' is a {entity.type}; {p} needs "
                                             f"{' or '.join(sorted(allowed))}", entity.name))


def _closure(classes: Iterable[str]) -> set[str]:
    found = set(classes)
    if "ChainPartyCommittee" in found:
        found.add("PartyOrganization")
    return found


# ── gold entities merged across articles ──────────────────────────────────────


@dataclass(frozen=True, slots=True)
class _Merged:
    index: int
    cls: str
    names: tuple[str, ...]
    keys: frozenset[str]
    articles: tuple[str, ...]

    @property
    def name(self) -> str:
        return self.names[0]


@dataclass(frozen=True, slots=True)
class _Gold:
    entities: tuple[_Merged, ...]
    facts: dict[str, dict[tuple[int, int], tuple[str, ...]]]  # relation -> (s, o) -> article ids
    texts: dict[str, str]


def merge_gold(gold: Sequence[GoldArticle]) -> _Gold:
    """Union entities of one class sharing a name; map every triple onto the merged entities."""
    refs = [(a, e) for a in gold for e in a.entities]
    parent = list(range(len(refs)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first: dict[tuple[str, str], int] = {}
    for i, (_, entity) in enumerate(refs):
        for key in {name_key(n) for n in entity.names}:
            j = first.setdefault((entity.type, key), i)
            parent[find(i)] = find(j)
    groups: dict[int, list[int]] = {}
    for i in range(len(refs)):
        groups.setdefault(find(i), []).append(i)
    merged, index_of = _merged_entities(refs, groups)
    facts: dict[str, dict[tuple[int, int], tuple[str, ...]]] = {r: {} for r in RELATIONS}
    for article in gold:
        named = {name_key(n): index_of[id(e)] for e in article.entities for n in e.names}
        for s, p, o in article.triples:
            pair = (named[name_key(s)], named[name_key(o)])
            pair = (min(pair), max(pair)) if p == "partnersWith" else pair
            facts[p][pair] = tuple(dict.fromkeys(facts[p].get(pair, ()) + (article.id,)))
    return _Gold(tuple(merged), facts, {a.id: a.text for a in gold})


def _merged_entities(refs: list[tuple[GoldArticle, GoldEntity]], groups: dict[int, list[int]]
                     ) -> tuple[list[_Merged], dict[int, int]]:
    merged: list[_Merged] = []
    index_of: dict[int, int] = {}
    for members in sorted(groups.values()):
        names = tuple(dict.fromkeys(n for i in members for n in refs[i][1].names))
        articles = tuple(dict.fromkeys(refs[i][0].id for i in members))
        merged.append(_Merged(len(merged), refs[members[0]][1].type, names,
                              frozenset(name_key(n) for n in names), articles))
        for i in members:
            index_of[id(refs[i][1])] = len(merged) - 1
    return merged, index_of


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
        classes = _closure(c for t in types for c in classes_of.get(t, ()))
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


def _match_nodes(nodes: dict[Any, _Node], gold: _Gold) -> dict[Any, tuple[_Merged, ...]]:
    by_key: dict[str, list[_Merged]] = {}
    for entity in gold.entities:
        for key in entity.keys:
            by_key.setdefault(key, []).append(entity)
    return {node: tuple(sorted({e.index: e for k in info.keys for e in by_key.get(k, ())}.values(),
                               key=lambda e: e.index))
            for node, info in nodes.items()}


def _score_class(cls: str, nodes: dict[Any, _Node], matches: dict[Any, tuple[_Merged, ...]], gold: _Gold) -> Score:
    found = {e.index for node, info in nodes.items() if cls in info.classes for e in matches[node] if e.cls == cls}
    predicted = [node for node, info in nodes.items() if cls in info.specific]
    tp = sum(1 for node in predicted if any(e.cls == cls for e in matches[node]))
    total = sum(1 for e in gold.entities if e.cls == cls)
    return Score(cls, total, tp, len(predicted) - tp, total - len(found))


def _compatible(info: _Node, entity: _Merged) -> bool:
    return entity.cls in info.classes or (entity.cls == "ChainPartyCommittee" and "PartyOrganization" in info.classes)


def _mapping(nodes: dict[Any, _Node], matches: dict[Any, tuple[_Merged, ...]]) -> dict[Any, frozenset[int]]:
    """Node → gold entities it stands for: those of a compatible class when there are any."""
    result: dict[Any, frozenset[int]] = {}
    for node, found in matches.items():
        fitting = [e for e in found if _compatible(nodes[node], e)]
        result[node] = frozenset(e.index for e in (fitting or found))
    return result


Pair = tuple[int, int]


def _score_relation(relation: str, g: rdflib.Graph, nodes: dict[Any, _Node], mapping: dict[Any, frozenset[int]],
                    gold: _Gold, evidence: dict[tuple[str, str, str], list[dict[str, Any]]]
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


def _missed_fact(relation: str, pair: Pair, gold: _Gold) -> MissedFact:
    subject, obj = gold.entities[pair[0]], gold.entities[pair[1]]
    articles = gold.facts[relation][pair]
    return MissedFact(subject.name, relation, obj.name, articles, _sentence_naming(subject, obj, articles, gold))


def _sentence_naming(a: _Merged, b: _Merged, articles: Sequence[str], gold: _Gold) -> str | None:
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


# ── reporting ─────────────────────────────────────────────────────────────────

_HEAD = ("gold", "pred", "tp", "fp", "fn", "precision", "recall", "F1")


def format_report(report: EvalReport, *, show_errors: bool = False, fmt: Literal["table", "json"] = "table") -> str:
    """The scores as aligned tables (or JSON); with ``show_errors``, every missed and every false fact."""
    if fmt == "json":
        return json.dumps(_report_dict(report, show_errors), ensure_ascii=False, indent=2) + "\n"
    parts = [f"{report.articles} gold articles; facts (partnersWith unordered, locatedIn up to transitivity):",
             _table("relation", [*report.relations, report.overall]),
             "entities (a ChainPartyCommittee node also finds a gold PartyOrganization):",
             _table("class", [*report.entities, report.entities_overall])]
    if show_errors:
        parts += [_missed_text(report.missed), _false_text(report.false)]
    return "\n\n".join(parts) + "\n"


def _ratio(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"


def _table(first: str, scores: Sequence[Score]) -> str:
    rows = [[first, *_HEAD]] + [[s.name, str(s.gold), str(s.predicted), str(s.tp), str(s.fp), str(s.fn),
                                 _ratio(s.precision), _ratio(s.recall), _ratio(s.f1)] for s in scores]
    widths = [max(display_width(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for n, row in enumerate(rows):
        if n == len(rows) - 1:
            lines.append("─" * (sum(widths) + 2 * (len(widths) - 1)))
        cells = [_pad(cell, width, left=(i == 0)) for i, (cell, width) in enumerate(zip(row, widths))]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


def _pad(text: str, width: int, *, left: bool) -> str:
    space = " " * (width - display_width(text))
    return text + space if left else space + text


def _missed_text(missed: Sequence[MissedFact]) -> str:
    lines = [f"missed facts ({len(missed)}):"]
    for fact in missed:
        lines.append(f"  {fact.subject} {fact.relation} {fact.object}  [{', '.join(fact.articles)}]")
        lines.append(f"      {fact.sentence}" if fact.sentence else "      (no sentence of the gold text names both)")
    return "\n".join(lines)


def _false_text(false: Sequence[FalseFact]) -> str:
    lines = [f"false facts ({len(false)}):"]
    for fact in false:
        lines.append(f"  {fact.subject} {fact.relation} {fact.object}  — {fact.reason}")
        if not fact.evidence:
            lines.append("      (no provenance record)")
        for record in fact.evidence:
            where = f"{Path(str(record.get('doc', '?'))).name} sentence {record.get('sentence', '?')}"
            lines.append(f"      [rule {record.get('rule', '?')}; {where}] {record.get('sentence_text', '')}")
    return "\n".join(lines)


def _report_dict(report: EvalReport, show_errors: bool) -> dict[str, Any]:
    data: dict[str, Any] = {
        "articles": report.articles,
        "relations": [s.as_dict() for s in report.relations], "overall": report.overall.as_dict(),
        "entities": [s.as_dict() for s in report.entities], "entities_overall": report.entities_overall.as_dict()}
    if show_errors:
        keep = ("rule", "doc", "article", "sentence", "sentence_text")
        data["missed"] = [asdict(m) for m in report.missed]
        data["false"] = [{**asdict(f), "evidence": [{k: r.get(k) for k in keep} for r in f.evidence]}
                         for f in report.false]
    return data


def check_thresholds(report: EvalReport, *, min_precision: float | None = None, min_recall: float | None = None,
                     min_relation_recall: float | None = None) -> list[str]:
    """Failures as messages (empty: every threshold met). Precision and recall are the micro-averaged
    fact scores; ``min_relation_recall`` applies to every relation with gold facts."""
    failures: list[str] = []
    overall = report.overall
    if min_precision is not None and overall.predicted + overall.gold:
        value = overall.precision or 0.0
        if value < min_precision:
            failures.append(f"precision {value:.3f} < {min_precision:.3f} "
                            f"({overall.tp} of {overall.predicted} predicted facts correct)")
    if min_recall is not None:
        failures += _recall_failure("recall", overall, min_recall)
    if min_relation_recall is not None:
        for score in report.relations:
            failures += _recall_failure(f"{score.name} recall", score, min_relation_recall)
    return failures


def _recall_failure(what: str, score: Score, minimum: float) -> list[str]:
    if score.recall is None or score.recall >= minimum:
        return []
    found = score.gold - score.fn
    return [f"{what} {score.recall:.3f} < {minimum:.3f} ({found} of {score.gold} gold facts found)"]


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

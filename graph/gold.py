"""Gold annotations: the format, loading with every problem reported, merging across articles.

One JSON file per article in a folder (other files are ignored)::

    {"id": "…", "tests": "one line", "source": "seeds/….txt", "text": "…",
     "entities": [{"type": "Enterprise", "names": ["江西铜业集团", "江铜集团"]}],
     "triples": [["江西铜业集团", "leadsChain", "铜产业链"]]}

Names match when equal after NFKC, folding of full-/half-width punctuation,
Traditional → Simplified and removal of whitespace (``name_key``); gold entities of
one class that share a name are one entity, across articles (``merge_gold``).

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
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Sequence

from .diagnostics import RedchainError
from .model import Diagnostic

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
        if allowed is not None and not allowed & class_closure({entity.type}):
            problems.append(_problem("E008", f"{where}[{pos}]: '{entity.name}' is a {entity.type}; {p} needs "
                                             f"{' or '.join(sorted(allowed))}", entity.name))


def class_closure(classes: Iterable[str]) -> set[str]:
    found = set(classes)
    if "ChainPartyCommittee" in found:
        found.add("PartyOrganization")
    return found


# ── gold entities merged across articles ──────────────────────────────────────


@dataclass(frozen=True, slots=True)
class MergedEntity:
    index: int
    cls: str
    names: tuple[str, ...]
    keys: frozenset[str]
    articles: tuple[str, ...]

    @property
    def name(self) -> str:
        return self.names[0]


@dataclass(frozen=True, slots=True)
class MergedGold:
    entities: tuple[MergedEntity, ...]
    facts: dict[str, dict[tuple[int, int], tuple[str, ...]]]  # relation -> (s, o) -> article ids
    texts: dict[str, str]


def merge_gold(gold: Sequence[GoldArticle]) -> MergedGold:
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
    return MergedGold(tuple(merged), facts, {a.id: a.text for a in gold})


def _merged_entities(refs: list[tuple[GoldArticle, GoldEntity]], groups: dict[int, list[int]]
                     ) -> tuple[list[MergedEntity], dict[int, int]]:
    merged: list[MergedEntity] = []
    index_of: dict[int, int] = {}
    for members in sorted(groups.values()):
        names = tuple(dict.fromkeys(n for i in members for n in refs[i][1].names))
        articles = tuple(dict.fromkeys(refs[i][0].id for i in members))
        merged.append(MergedEntity(len(merged), refs[members[0]][1].type, names,
                              frozenset(name_key(n) for n in names), articles))
        for i in members:
            index_of[id(refs[i][1])] = len(merged) - 1
    return merged, index_of

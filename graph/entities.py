"""Stage 5: one entity per real-world thing, across all documents.

Mentions are keyed by (kind, canonical name), places by their division code.
Then merges, each logged with its reason (``merges.py``: curated aliases, short forms,
abbreviated groups, organisations following their owner's name, committees named after
their place). IRIs are a pure function of the kind and canonical name (or division code).
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from .canonical import canonical_name
from .labels import english_label, person_label, pinyin_label, pinyin_slug
from .model import Entity, Fact, Mention
from .merges import merge_entities
from .places import ancestors, load_divisions, short_name

ID_BASE = "https://w3id.org/redchain/id/"
_KINDS = {"Place": "place", "IndustrialChain": "chain", "Person": "person"}
_SPECIFICITY = {"ChainPartyCommittee": 3, "PartyOrganization": 2}
# Distinct mentions whose key EntityTable.add remembers before it starts afresh, so that the
# memo never holds more than ~95 MB (~360 bytes each). The 10 MB archive has ~20,000 of them and
# the 100 MB archive 130,581 (~47 MB: 1.4 of its 14.8 s of resolution saved); starting afresh at
# 32,768 had saved only 0.1 s of it.
REPEATS_KEPT = 1 << 18

Key = tuple[str, str]


@dataclass(frozen=True, slots=True)
class Merge:
    alias: str
    target: str
    reason: str


def kind_of(cls: str) -> str:
    return _KINDS.get(cls, "org")


def mint_iri(key: Key) -> str:
    """ASCII, deterministic: places by division code, others by pinyin slug + hash of the name."""
    kind, value = key
    if kind == "place" and value.isdigit():
        return f"{ID_BASE}place/{value}"
    slug = pinyin_slug(value)
    digest = hashlib.sha1(value.encode("utf-8")).hexdigest()[:10]
    return f"{ID_BASE}{kind}/{slug or 'x'}-{digest}"


@dataclass(slots=True)
class _Node:
    key: Key
    label: str
    classes: Counter[str] = field(default_factory=Counter)
    surfaces: set[str] = field(default_factory=set)
    attrs: dict[str, str] = field(default_factory=dict)


class EntityTable:
    """Resolves mentions to entities; read ``entities`` and ``merges`` after ``finish()``."""

    def __init__(self, forced: dict[str, str], forbidden: set[tuple[str, str]]) -> None:
        self.nodes: dict[Key, _Node] = {}
        self.redirect: dict[Key, Key] = {}
        self.merges: list[Merge] = []
        self.forced = forced
        self.forbidden = forbidden
        self.entities: dict[str, Entity] = {}
        # minted IRIs, by key: pypinyin is slow and every fact asks again; held by the table, not by
        # the module, so they are freed with it (~14 MB at 100 MB of text)
        self.iris: dict[Key, str] = {}
        self._keys: dict[str, dict[str, Key]] = {}  # class → name → key (``_named_key``)
        self._added: dict[tuple[object, ...], Key] = {}  # a mention's content → its key (``add``)
        self._labels: dict[Key, str] = {}  # the nodes' labels once they are gone (``forget_nodes``)
        self.place_facts: list[tuple[str, str]] = []  # (child iri, parent iri) from the division dataset

    # -- keys -------------------------------------------------------------------
    def base_key(self, mention: Mention) -> Key:
        return self._key_with(mention, mention.part("owner"), None)

    def _key_with(self, mention: Mention, owner: Mention | None, owner_key: Key | None) -> Key:
        """``base_key`` of ``mention`` with its ``owner`` part, whose base key is ``owner_key`` when known.
        A name that begins with its owner's name (not a place's) is spelled with the label of the
        owner's node: 江铜集团党委 → 江西铜业集团党委 once 江铜集团 is merged."""
        if mention.cls == "Place":
            code = mention.attr("code")
            if code:
                return ("place", code)
        name = mention.name
        if owner is not None and owner.cls != "Place" and name.startswith(owner.name):
            owner_label = self._label_of(self.key(owner) if owner_key is None else self._follow(owner_key))
            if owner_label is not None:
                name = owner_label + name[len(owner.name):]
        return self._named_key(name, mention.cls)

    def _label_of(self, key: Key) -> str | None:
        node = self.nodes.get(key)
        return node.label if node is not None else self._labels.get(key)

    def _named_key(self, name: str, cls: str) -> Key:
        """(kind, canonical name): one tuple for each name and class, kept by the table (and freed with
        it): resolution asks for the same few names hundreds of thousands of times."""
        by_name = self._keys.get(cls)
        if by_name is None:
            by_name = self._keys[cls] = {}
        key = by_name.get(name)
        if key is None:
            key = by_name[name] = (kind_of(cls), canonical_name(name, cls))
        return key

    def key(self, mention: Mention) -> Key:
        return self._follow(self.base_key(mention))

    def _follow(self, key: Key) -> Key:
        """Where the merges send ``key`` (itself when it was not merged)."""
        if key not in self.redirect:
            return key
        seen = set()
        while key in self.redirect and key not in seen:
            seen.add(key)
            key = self.redirect[key]
        return key

    def iri(self, mention: Mention) -> str:
        return self.iri_of(self.key(mention))

    def iri_of(self, key: Key) -> str:
        found = self.iris.get(key)
        if found is None:
            found = self.iris[key] = mint_iri(key)
        return found

    # -- collecting -------------------------------------------------------------
    def add(self, mention: Mention) -> Key:
        """Count ``mention``, after its parts, on its node; its key (``base_key``, computed with
        the key its owner part was given here rather than again)."""
        owner: Mention | None = None
        owner_key = None
        for role, part in mention.parts:
            part_key = self.add(part)
            if role == "owner" and owner is None:
                owner, owner_key = part, part_key
        # all that decides the key and what is counted (not the offsets): 20,000 of 208,000 mentions at 10 MB
        seen = (mention.text, mention.cls, mention.name, mention.found_by, mention.attrs, owner_key,
                owner.name if owner is not None else "", owner.cls if owner is not None else "")
        key = self._added.get(seen)
        if key is not None:  # counted before: its surface and first attributes are on the node already
            self.nodes[key].classes[mention.cls] += 1
            return key
        if len(self._added) >= REPEATS_KEPT:  # a cache: what it forgets is only worked out again
            self._added.clear()
        key = self._added[seen] = self._key_with(mention, owner, owner_key)
        node = self.nodes.get(key)
        if node is None:
            label = load_divisions()[key[1]].name if key[0] == "place" and key[1].isdigit() else key[1]
            node = self.nodes[key] = _Node(key, label)
        node.classes[mention.cls] += 1
        surface = self._named_key(mention.text, mention.cls)[1]
        if surface not in node.surfaces and _is_alt_label(mention, surface):
            node.surfaces.add(surface)
        if mention.attrs:
            for attr in ("level", "abbreviation"):
                value = mention.attr(attr)
                if value:
                    node.attrs.setdefault(attr, value)
        return key

    def stop_adding(self) -> None:
        """Drop the memo of ``add`` (a key for each distinct mention added, up to ``REPEATS_KEPT``):
        no mention is added once merging begins."""
        self._added = {}

    def forget_nodes(self) -> None:
        """Drop the nodes once the Entity records are made, keeping their labels, which keys still
        need (as they need the redirects, the keys and the IRIs): only merging and the making of the
        Entity records read the nodes' classes, other names and attributes. A build calls it before
        its records pass."""
        self._labels = {key: node.label for key, node in self.nodes.items()}
        self.nodes = {}

    def add_copy(self, key: Key, of: Key, *, alt_labels: bool) -> None:
        """A node ``key``, labelled with its name, with the classes and attributes of the node ``of``
        (and its other names, if ``alt_labels``)."""
        node = self.nodes[of]
        self.nodes[key] = _Node(key, key[1], Counter(node.classes), set(node.surfaces) if alt_labels else set(),
                                dict(node.attrs))

    def merge(self, alias: Key, target: Key, reason: str) -> None:
        if alias == target or (alias[1], target[1]) in self.forbidden:
            return
        self.redirect[alias] = target
        src, dst = self.nodes[alias], self.nodes[target]
        dst.surfaces |= src.surfaces | {src.label}
        dst.classes.update(src.classes)
        self.merges.append(Merge(src.label, dst.label, reason))


def _is_alt_label(mention: Mention, surface: str) -> bool:
    """Other names the text uses; not generic heads (产业链党委) or bare list items (汽车 of 汽车、铜产业链)."""
    if len(surface) < 2 or mention.found_by.startswith("derived:") or mention.attr("anaphor"):
        return False
    return mention.cls != "IndustrialChain" or "产业" in surface


def load_aliases(path: Path) -> tuple[dict[str, str], set[tuple[str, str]]]:
    forced: dict[str, str] = {}
    forbidden: set[tuple[str, str]] = set()
    if not path.exists():
        return forced, forbidden
    for line in path.read_text(encoding="utf-8").splitlines()[1:]:
        if not line.strip() or line.startswith("#"):
            continue
        cells = (line.split("\t") + ["", ""])[:3]
        name, target = cells[0].strip(), cells[1].strip()
        if target.startswith("!"):
            forbidden.add((name, target[1:]))
        elif target:
            forced[name] = target
    return forced, forbidden


def resolve_entities(mentions: Iterable[Mention], facts: Iterable[Fact], aliases: Path,
                     map_fn: MapFn | None = None) -> EntityTable:
    """Collect, merge, and build the Entity records (``map_fn``: see ``_finish``)."""
    table = EntityTable(*load_aliases(aliases))
    facts = list(facts)
    every = list(mentions) + [m for f in facts for m in (f.subject, f.object)]
    for mention in _owners_first([m for m in every if m.cls != "Literal"]):
        table.add(mention)
    settle_entities(table, located_committees(facts), map_fn)
    return table


def settle_entities(table: EntityTable, located: Iterable[tuple[Mention, Mention]], map_fn: MapFn | None = None) -> None:
    """Merge and build the Entity records of a ``table`` that has every mention added, in the order of
    ``resolve_entities`` (see ``owns_nothing``); ``located``: the (committee, place) ends of the
    locatedIn facts (``located_committees``). A build that reads its documents in passes calls it."""
    table.stop_adding()
    merge_entities(table, located)
    _add_place_hierarchy(table)
    _finish(table, map_fn)


def _owners_first(mentions: list[Mention]) -> list[Mention]:
    """Organisations with owners after the rest, so owner names are settled first."""
    return sorted(mentions, key=lambda m: not owns_nothing(m))


def owns_nothing(mention: Mention) -> bool:
    """A mention without an owner part: added to the table before every mention with one, each
    group in the order given (a stable sort), as the first-seen attributes, the order of the
    nodes and the owners' labels in ``base_key`` depend on it."""
    return mention.part("owner") is None


def located_committees(facts: Iterable[Fact]) -> list[tuple[Mention, Mention]]:
    """(subject, object) of each fact that a chain party committee is located in a place: all that
    ``_qualify_committees`` reads of the facts."""
    return [(fact.subject, fact.object) for fact in facts
            if fact.relation == "locatedIn" and fact.subject.cls == "ChainPartyCommittee" and fact.object.cls == "Place"]


def _add_place_hierarchy(table: EntityTable) -> None:
    """Every division gets its parents from the dataset, up to the province."""
    for key in [k for k in table.nodes if k[0] == "place" and k[1].isdigit()]:
        child = key
        for div in ancestors(key[1]):
            parent = ("place", div.code)
            if parent not in table.nodes:
                table.nodes[parent] = _Node(parent, div.name, Counter({"Place": 1}))
            table.place_facts.append((table.iri_of(child), table.iri_of(parent)))
            child = parent


MapFn = Callable[[Callable[[tuple[Key, str, str, str]], tuple[str, str, str]], list[tuple[Key, str, str, str]]],
                 Iterable[tuple[str, str, str]]]


def _finish(table: EntityTable, map_fn: MapFn | None = None) -> None:
    """The Entity records. Names are romanised and translated by ``entity_names``, mapped
    over all entities by ``map_fn`` (``map``, or a process pool's on a big corpus): pypinyin
    takes most of the time of resolution."""
    nodes = table.nodes
    live = [(key, nodes[key], _main_class(nodes[key])) for key in sorted(nodes) if key not in table.redirect]
    jobs = [(key, node.label, cls, short_name(node.label) if key[0] == "place" and key[1].isdigit() else "")
            for key, node, cls in live]
    for (key, node, cls), (iri, english, pinyin) in zip(live, (map_fn or map)(entity_names, jobs)):
        table.iris[key] = iri  # minted in a worker process, perhaps
        alts = set(node.surfaces)
        attrs: list[tuple[str, str]] = []
        if key[0] == "place" and key[1].isdigit():
            div = load_divisions()[key[1]]
            alts.add(short_name(div.name))
            attrs += [("divisionCode", div.code), ("divisionLevel", div.level)]
        elif cls in ("PartyOrganization", "ChainPartyCommittee") and node.attrs.get("level"):
            attrs.append(("orgLevel", node.attrs["level"]))
        alts = {a for a in alts if a and a != node.label}
        if iri in table.entities:
            raise ValueError(f"IRI collision: {iri} for '{node.label}' and '{table.entities[iri].label}'")
        table.entities[iri] = Entity(iri, cls, node.label, tuple(sorted(alts)), english,
                                     tuple(attrs) + (("pinyin", pinyin),))


def _main_class(node: _Node) -> str:
    """The most specific of a node's classes, then the most often mentioned, then the last by name."""
    if len(node.classes) == 1:
        return next(iter(node.classes))
    return max(node.classes, key=lambda c: (_SPECIFICITY.get(c, 1), node.classes[c], c)) if node.classes else "Place"


def entity_names(job: tuple[Key, str, str, str]) -> tuple[str, str, str]:
    """(key, label, class, short name of a division) → (IRI, English label, pinyin label)."""
    key, label, cls, short = job
    english = person_label(label) if cls == "Person" else english_label(label, short)
    return mint_iri(key), english, pinyin_label(label)

"""Stage 3: recognise mentions of the ontology's classes in a document.

Per sentence: gazetteer matches (Aho-Corasick over place names and curated
TSVs), then the name rules in file order (company suffixes, party-organisation
grammar, chains, bodies, persons), each seeing the mentions found before it.
Per document, two passes: the first learns the names a document introduces
(declared abbreviations 以下简称“昌飞”, person names, short forms of company
names); the second matches them everywhere in the document. Bare phrases such
as 产业链党委 resolve to the nearest committee mentioned before them. What a document
teaches and refers back to is in document_names.py.
"""

from __future__ import annotations

import bisect
import functools
import re

from .canonical import canonical_name
from .document_names import DocumentNames, attach_abbreviations, learn_names, resolve_anaphors
from .encoding import Encoded, encode, place_all
from .lexicon import LexEntry, Lexicon
from .model import Mention, Sentence
from .places import ancestors
from .rules import CLASS_CHARS, Rule, RuleSet

_PLACE_CHAR = CLASS_CHARS["Place"]
_MENTION_CHARS = frozenset(CLASS_CHARS.values())  # a set: ``in dict.values()`` is a scan
_MARKS = "".join(sorted(_MENTION_CHARS))
_KEEP_IN_NAMES = {CLASS_CHARS[c] for c in ("Place", "Enterprise", "PartyOrganization", "ChainPartyCommittee",
                                            "GovernmentBody", "ResearchInstitution", "IndustrialChain")}
_CUT_CHARS = _MENTION_CHARS - _KEEP_IN_NAMES  # a name found by its suffix starts after these


def find_document_mentions(sentences: list[Sentence], lexicon: Lexicon, rules: RuleSet) -> dict[int, list[Mention]]:
    """Mentions of every sentence of one document, keyed by Sentence.index."""
    rules.name_filter.forget_texts()  # the rules' prefilter remembers this document's encodings only
    places = lexicon.find_each([s.text for s in sentences])  # gazetteer matches, the same in both passes
    codes = _document_place_codes(places, lexicon)
    names = DocumentNames([s.text for s in sentences])
    first = []
    for k, sent in enumerate(sentences):
        first.append(_sentence_mentions(sent, places[k], names.find(k), lexicon, rules, names, codes))
        learn_names(sent, first[k], names)
    # The first pass already knew every name learned before a sentence; look again only
    # where a name learned later occurs.
    found = {s.index: _sentence_mentions(s, places[k], names.find(k), lexicon, rules, names, codes)
             if names.learned_since(k, s.index) else first[k] for k, s in enumerate(sentences)}
    return resolve_anaphors(sentences, found)


# -- gazetteer ---------------------------------------------------------------

def _document_place_codes(places: list[list[tuple[int, int, str]]], lexicon: Lexicon) -> set[str]:
    """Division codes the document names in full or by an unambiguous short name."""
    codes: set[str] = set()
    for surface in {surface for hits in places for _, _, surface in hits}:
        codes.update(e.code for e in lexicon.entries[surface] if e.code and (not e.short or e.level != "county"))
    return codes


@functools.lru_cache(maxsize=1 << 14)  # a few thousand divisions, looked up for every place mention
def _ancestor_codes(code: str) -> frozenset[str]:
    return frozenset(a.code for a in ancestors(code))


def _choose_place(entries: list[LexEntry], codes: set[str], previous: Mention | None) -> LexEntry | None:
    """Pick the division a name denotes; county short names need an ancestor in the document."""
    places = [e for e in entries if e.code]
    if not places:
        return None
    prev_code = previous.attr("code") if previous is not None else ""
    for entry in places:  # composed with the place right before it: 南昌市西湖区
        if prev_code and prev_code in _ancestor_codes(entry.code):
            return entry
    in_doc = [e for e in places if not codes.isdisjoint(_ancestor_codes(e.code))]
    if len(places) == 1 and (not places[0].short or places[0].level != "county" or in_doc):
        return places[0]
    return in_doc[0] if len(in_doc) == 1 else None


def _gazetteer_mentions(text: str, places: list[tuple[int, int, str]], learned: list[tuple[int, int, str]],
                        lexicon: Lexicon, names: DocumentNames, codes: set[str]) -> list[Mention]:
    """``places``: the gazetteer's matches (sorted, never overlapping); ``learned``: those of the names
    the document taught, which may overlap them."""
    mentions: list[Mention] = []
    for start, end, surface in _longest_first(places + learned) if learned else places:
        mention = _lexicon_mention(text, start, end, surface, lexicon, names, codes, mentions)
        if mention is not None:  # matches come sorted and never overlap
            mentions.append(mention)
    return mentions


def _longest_first(hits: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Gazetteer and learned-name matches, longest first where they overlap."""
    chosen: list[tuple[int, int, str]] = []  # sorted, non-overlapping
    for hit in sorted(hits, key=lambda h: (-(h[1] - h[0]), h[0])):
        i = bisect.bisect_left(chosen, (hit[0],))
        clear_left = i == 0 or chosen[i - 1][1] <= hit[0]
        clear_right = i == len(chosen) or hit[1] <= chosen[i][0]
        if clear_left and clear_right:
            chosen.insert(i, hit)
    return chosen


def _lexicon_mention(text: str, start: int, end: int, surface: str, lexicon: Lexicon, names: DocumentNames,
                     codes: set[str], before: list[Mention]) -> Mention | None:
    if surface in names.learned:
        name, cls, how = names.learned[surface]
        template = names.templates.get(name)
        if template is not None and surface == name:  # the name again: keep how it was found and its grammar
            # a new Mention rather than dataclasses.replace, which costs five times as much
            return Mention(template.text, template.cls, start, end, template.name, template.found_by, template.parts)
        return Mention(surface, cls, start, end, name, f"alias:{how}")
    previous = before[-1] if before and before[-1].end == start and before[-1].cls == "Place" else None
    entries = lexicon.entries[surface]
    entry = _choose_place(entries, codes, previous)
    if entry is not None:
        attrs = (("code", entry.code), ("level", entry.level))
        return Mention(surface, "Place", start, end, entry.name, f"gazetteer:{entry.source}", attrs=attrs)
    curated = [e for e in entries if not e.code]
    if curated:
        e = curated[0]
        attrs = (("located_in", e.located_in), ("level", e.level))
        return Mention(surface, e.cls, start, end, e.name, f"gazetteer:{e.source}", attrs=attrs)
    return None


# -- name rules ----------------------------------------------------------------

def _sentence_mentions(sent: Sentence, places: list[tuple[int, int, str]], learned: list[tuple[int, int, str]],
                       lexicon: Lexicon, rules: RuleSet, names: DocumentNames, codes: set[str]) -> list[Mention]:
    """``places`` and ``learned``: the gazetteer's and the learned names' matches in the sentence."""
    mentions = _gazetteer_mentions(sent.text, places, learned, lexicon, names, codes)
    enc = encode(sent.text, mentions)
    todo = rules.name_filter.possible(enc.text)
    k = 0
    while k < len(todo):
        i = todo[k]
        k += 1
        rule = rules.names[i]
        new = [m for match in rule.regex.finditer(enc.text)
               for m in _mentions_from_match(rule, match, enc, sent.text, rules.macros)]
        if new:  # new mentions absorb the ones inside them; re-encode (and re-filter the rules after i) only then
            mentions = place_all(mentions, new)
            if k == len(todo) and i >= rules.name_filter.last_needing(_MARKS):
                break  # no rule left, and refolding cannot let in one after i (RuleFilter.last_needing)
            enc = encode(sent.text, mentions)
            allowed = rules.name_filter.possible(enc.text)  # in order: the rules after i are a slice
            todo, k = allowed[bisect.bisect_right(allowed, i):], 0
    return attach_abbreviations(sent.text, mentions)


def _mentions_from_match(rule: Rule, match: re.Match[str], enc: Encoded, text: str,
                         macros: dict[str, str]) -> list[Mention]:
    if rule.split:
        return _split_mentions(rule, match, enc, text, macros)
    groups = match.re.groupindex
    start, end = match.span("name" if "name" in groups else 0)
    head = _head_start(match, end)
    parts: list[tuple[str, Mention]] = []
    if rule.trim == "left":
        start, place_mention = _trim_left(enc, start, head, macros)
        if place_mention is not None:
            parts.append(("place", place_mention))
    if end - start < 2 or (rule.trim and _width(enc.span(start, head)) < 2):
        return []  # trimming left no name before the head (its span mapped back only when trimming)
    _inherit_place(enc, start, end, parts)
    for role, _, _ in rule.roles:  # slots inside the name, or right before it (a chain's place)
        if match.group(role) and all(r != role for r, _ in parts) and match.end(role) >= start and match.start(role) <= end:
            parts += [(role, m) for m in enc.mentions_in(*match.span(role))][:1]
    attrs = tuple((g, match.group(g)) for g in ("level", "post", "elided") if g in groups and match.group(g))
    if rule.anaphor:
        attrs += (("anaphor", "?"),)
    for group_name, cls in rule.inner:
        inner = _inner_mention(rule, match, enc, text, group_name, cls, start)
        if inner is not None:
            parts.append((group_name, inner))
    known = {id(m) for _, m in parts}
    parts += [("inner", m) for m in enc.mentions_in(start, end) if id(m) not in known and m.cls != "Place"]
    mention = _make_mention(rule, enc, text, start, end, tuple(parts), attrs)
    if mention is None:
        return []
    return [mention]


def _width(span: tuple[int, int]) -> int:
    return span[1] - span[0]


def _inherit_place(enc: Encoded, start: int, end: int, parts: list[tuple[str, Mention]]) -> None:
    """江西铜业集团银山矿业有限责任公司: a name that begins with a name that begins with a place."""
    first = enc.mention_at(start) if start < end else None
    if first is not None and first.cls != "Place" and not any(r == "place" for r, _ in parts):
        inner_place = first.part("place")
        if inner_place is not None and first.text.startswith(inner_place.text):
            parts.append(("place", inner_place))


def _make_mention(rule: Rule, enc: Encoded, text: str, start: int, end: int,
                  parts: tuple[tuple[str, Mention], ...], attrs: tuple[tuple[str, str], ...],
                  cls: str | None = None) -> Mention | None:
    nstart, nend = enc.span(start, end)
    surface = text[nstart:nend]
    name = canonical_from(enc, start, end)
    if (cls or rule.cls) == "IndustrialChain":
        name = canonical_name(name, "IndustrialChain")
    if rule.reject is not None and (rule.reject.fullmatch(name) or rule.reject.fullmatch(surface)):
        return None
    if rule.trim and len(parts) <= 1 and _MENTION_CHARS.issuperset(enc.text[start:end]):
        return None  # only existing mentions: nothing new was named
    return Mention(surface, cls or rule.cls, nstart, nend, name, f"name:{rule.id}", parts, attrs)


def canonical_from(enc: Encoded, start: int, end: int) -> str:
    """Name of an encoded span: inner mentions by their canonical names, places as written."""
    text = enc.text[start:end]
    if _MENTION_CHARS.isdisjoint(text):
        return text
    return "".join(p if isinstance(p, str) else p.text if p.cls == "Place" else p.name for p in enc.pieces(start, end))


def _trim_left(enc: Encoded, start: int, end: int, macros: dict[str, str]) -> tuple[int, Mention | None]:
    """Where a name found by its suffix really begins: after the last boundary word, at a place name.

    ``end`` is where the name's head (its suffix or level) starts: boundary words
    are only looked for before it, so 联合 in 联合党委 never cuts a name.
    """
    body = enc.text[start:end]
    if not _CUT_CHARS.isdisjoint(body):
        for i, ch in enumerate(body):  # (``i`` counts in the body before any cut)
            if ch in _CUT_CHARS:
                start, body = start + i + 1, body[i + 1:]
    cut = _last_boundary(body, macros, strict=body.startswith(_PLACE_CHAR))
    start, body = start + cut, body[cut:]
    run = len(body) - len(body.lstrip(_PLACE_CHAR))
    if run >= 2 and run < len(body) and body[run] not in _MENTION_CHARS:
        return start + run, enc.mention_at(start + run - 1)  # 南通市海门区希诺股份有限公司: places, then the name
    if run >= 1:
        return start, enc.mention_at(start)
    return start, None


def _head_start(match: re.Match[str], end: int) -> int:
    """Start of the name's head (group suffix, level or chain), else the name's end."""
    for group in ("suffix", "level"):
        if group in match.re.groupindex and match.group(group) is not None:
            return match.start(group)
    return end


def _last_boundary(body: str, macros: dict[str, str], *, strict: bool = False) -> int:
    """Index just after the last boundary word (verbs, prepositions, generic nouns).

    ``strict`` (the name starts with a place): a one-character word such as 由 or 与
    counts only when a place follows it, since 江西九由航空 is one name but
    …财政局党支部与江西昌兴… is two.
    """
    last = 0
    for match in re.finditer(macros.get("BOUNDARY", "^$"), body):
        single = match.end() - match.start() == 1
        if not strict or not single or match.group() == "的" or body[match.end():match.end() + 1] == _PLACE_CHAR:
            last = max(last, match.end())
    return last


def _inner_mention(rule: Rule, match: re.Match[str], enc: Encoded, text: str, group: str, cls: str,
                   floor: int) -> Mention | None:
    if group not in match.re.groupindex or match.group(group) is None:
        return None
    start, end = max(match.start(group), floor), match.end(group)
    if end - start < 2:
        return None
    nstart, nend = enc.span(start, end)
    name = canonical_from(enc, start, end)
    if rule.reject is not None and rule.reject.fullmatch(name):
        return None
    return Mention(text[nstart:nend], cls, nstart, nend, name, f"name:{rule.id}")


def _split_mentions(rule: Rule, match: re.Match[str], enc: Encoded, text: str,
                    macros: dict[str, str]) -> list[Mention]:
    """汽车、铜、钨产业链 → 汽车产业链, 铜产业链, 钨产业链 (one thing per item)."""
    head = match.group("head") or ""
    start = match.start("items")
    items = match.group("items").split("、")
    cut = _last_boundary(items[0], macros)
    start, items[0] = start + cut, items[0][cut:]
    out = []
    for item in items:
        end = start + len(item)
        nstart, nend = enc.span(start, end)
        name = canonical_from(enc, start, end) + head
        if item and not (rule.reject is not None and rule.reject.fullmatch(name)):
            out.append(Mention(text[nstart:nend], rule.cls, nstart, nend, name, f"name:{rule.id}"))
        start = end + 1
    return out

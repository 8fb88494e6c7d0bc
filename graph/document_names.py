"""The names a document introduces and refers back to (stage 3, with mentions.py).

``DocumentNames`` holds what a document teaches: declared abbreviations (以下简称“昌飞”,
stretched over by ``attach_abbreviations``), person and place names, company names and
their short forms (``learn_names``). ``resolve_anaphors`` gives bare phrases their referent
from the text before them: 产业链党委 the committee named last, 省委组织部 the province named last.
"""

from __future__ import annotations

import re
from dataclasses import replace

from .lexicon import JoinedTexts
from .model import Mention, Sentence
from .word_levels import WordLevels

__all__ = ["ANAPHOR_WINDOW", "DocumentNames", "attach_abbreviations", "company_short_forms", "learn_names",
           "resolve_anaphors"]

_ABBREVIATION = re.compile(r"^[（(](?:以下简称|下称|简称|以下称)[“\"‘]([^”\"’]{1,16})[”\"’][）)]")
_LEGAL_FORMS = re.compile(r"(?:集团股份有限公司|集团有限责任公司|集团有限公司|股份有限公司|有限责任公司|有限公司|股份公司)$")
ANAPHOR_WINDOW = 4  # sentences back within the article
WHOLE_SCAN_CHARS = 300_000  # see DocumentNames


class DocumentNames:
    """Names a document introduces: surface → (canonical name, class, how it was learned),
    and where each of them occurs in the document's sentences.

    In a document of up to ``WHOLE_SCAN_CHARS`` characters, a surface is looked for once, when
    it is learned, in all the sentences joined (str.find: for a page, the cheapest): the
    sentences after it then know it without a search of their own, and the second pass asks
    which sentences hold a name learned at or after them. In a longer one that would cost
    names × characters, growing with the square of its length (a 4 MB document's extraction:
    5.9 s, 2.5 s searching by sentence), so each sentence is searched for the names learned so
    far when it is asked about (``WordLevels``): the same occurrences, in another order
    (``_longest_first`` sorts them)."""

    def __init__(self, texts: list[str]) -> None:
        self.learned: dict[str, tuple[str, str, str]] = {}
        self.templates: dict[str, Mention] = {}  # full name → the mention that named it
        self.changed: dict[str, int] = {}  # surface → last sentence whose learning changed it
        self._surfaces: dict[str, list[str]] = {}  # canonical name → the surfaces learned for it
        self._where = _WholeScan(texts) if sum(map(len, texts)) <= WHOLE_SCAN_CHARS else _SentenceSearch(texts)

    def add(self, surface: str, name: str, cls: str, how: str, index: int, template: Mention | None = None) -> None:
        if len(surface) >= 2 and surface not in self.learned:
            self.learned[surface] = (name, cls, how)
            self.changed[surface] = index
            self._surfaces.setdefault(name, []).append(surface)
            self._where.add(surface)
        if template is not None and name not in self.templates:
            self.templates[name] = template
            for known in self._surfaces.get(name, ()):  # a template changes how these are read
                self.changed[known] = index

    def find(self, k: int) -> list[tuple[int, int, str]]:
        """Occurrences (start, end, surface) of the names learned so far in sentence ``k`` (position
        in the document's list), in no particular order."""
        return self._where.find(k)

    def learned_since(self, k: int, index: int) -> bool:
        """Whether a name learned at sentence ``index`` or after it occurs in sentence ``k``: only
        then can a second look find more than the first did."""
        hits = self._where.find(k)
        return bool(hits) and any(self.changed[surface] >= index for _, _, surface in hits)


class _WholeScan:
    """Each surface looked for when it is learned, through all the sentences joined."""

    def __init__(self, texts: list[str]) -> None:
        self._joined = JoinedTexts(texts)
        self._hits: list[list[tuple[int, int, str]]] = [[] for _ in texts]  # per sentence: (start, end, surface)

    def add(self, surface: str) -> None:
        """Every occurrence (overlapping) of ``surface`` inside one sentence."""
        joined = self._joined
        at = joined.text.find(surface)
        while at >= 0:
            k, start = joined.locate(at)
            if start + len(surface) <= len(joined.texts[k]):  # not across the joint of two sentences
                self._hits[k].append((start, start + len(surface), surface))
            at = joined.text.find(surface, at + 1)

    def find(self, k: int) -> list[tuple[int, int, str]]:
        return self._hits[k]


class _SentenceSearch:
    """Each sentence searched for the surfaces learned so far when it is asked about."""

    def __init__(self, texts: list[str]) -> None:
        self._texts = texts
        self._levels = WordLevels()
        self._asked: tuple[int, int, list[tuple[int, int, str]]] = (-1, 0, [])  # (k, surfaces then, hits)

    def add(self, surface: str) -> None:
        self._levels.add(surface)

    def find(self, k: int) -> list[tuple[int, int, str]]:
        asked, count, hits = self._asked
        if asked != k or count != self._levels.count:  # the second pass asks learned_since(k), then find(k)
            hits = self._levels.find(self._texts[k])
            self._asked = (k, self._levels.count, hits)
        return hits


def attach_abbreviations(text: str, mentions: list[Mention]) -> list[Mention]:
    """Stretch a mention over a following （以下简称“X”） so lists read through it."""
    out: list[Mention] = []
    covered = -1  # end of the last declaration absorbed: mentions inside it go
    for mention in mentions:
        if mention.start < covered:
            continue
        # (the bracket first: a slice of the rest of the sentence for every mention costs more than the match)
        match = _ABBREVIATION.match(text[mention.end:]) if text.startswith(("（", "("), mention.end) else None
        if match:
            mention = replace(mention, end=mention.end + match.end(), attrs=mention.attrs + (("abbreviation", match[1]),))
            covered = mention.end
        out.append(mention)
    return out


def learn_names(sent: Sentence, mentions: list[Mention], names: DocumentNames) -> None:
    at = sent.index
    for mention in mentions:
        abbreviation = mention.attr("abbreviation")
        if abbreviation:
            names.add(abbreviation, mention.name, mention.cls, "declared", at)
        if not mention.found_by.startswith("name:"):
            continue  # a gazetteer name or one learned before teaches nothing new
        if mention.cls == "Place":
            names.add(mention.name, mention.name, "Place", "place", at, mention)
        elif mention.cls == "Person":
            names.add(mention.name, mention.name, "Person", "person", at, mention)
        elif mention.cls == "Enterprise":
            names.add(mention.name, mention.name, "Enterprise", "name", at, mention)  # so the full name outranks its short forms
            for short in company_short_forms(mention):
                names.add(short, mention.name, "Enterprise", "derived", at)


def company_short_forms(mention: Mention) -> list[str]:
    """江西天一航空装备有限公司 → 天一航空装备有限公司, 天一航空装备; 瑞昌市人民冲压有限公司 → 人民冲压有限公司."""
    name = mention.name
    forms = []
    prefix = next((m for role, m in mention.parts if role == "place" and name.startswith(m.text)), None)
    stripped = name[len(prefix.text):] if prefix is not None else name
    if stripped != name and len(stripped) >= 6:
        forms.append(stripped)
    stem = _LEGAL_FORMS.sub("", stripped)
    group = re.match(r"^.{2,8}?集团", stem)
    if group and len(stem) - group.end() >= 3:
        stem = stem[group.end():]
    if stem != stripped and len(stem) >= 4:
        forms.append(stem)
    return forms


def resolve_anaphors(sentences: list[Sentence], found: dict[int, list[Mention]]) -> dict[int, list[Mention]]:
    """Bare phrases take their referent from the text before them, within the article:
    产业链党委 the committee named last (a few sentences back), 省委组织部 the province named last."""
    out: dict[int, list[Mention]] = {}
    recent: list[tuple[int, Mention]] = []  # (sentence index, mention), this article only
    article = None
    for sent in sentences:
        if sent.article_index != article:
            recent, article = [], sent.article_index
        kept = []
        for mention in found[sent.index]:
            resolved = _resolve(mention, recent, sent.index)
            if resolved is None:
                continue
            kept.append(resolved)
            if resolved.parts:
                recent += [(sent.index, m) for m in _with_parts(resolved)]
            else:  # most mentions: no list built for them
                recent.append((sent.index, resolved))
        out[sent.index] = kept
    return out


def _with_parts(mention: Mention) -> list[Mention]:
    return [p for _, part in mention.parts for p in _with_parts(part)] + [mention]


def _resolve(mention: Mention, recent: list[tuple[int, Mention]], index: int) -> Mention | None:
    if not mention.attrs:
        return mention  # neither an anaphor nor an elided place: most mentions
    if mention.attr("anaphor") == "?":
        target = next((m for i, m in reversed(recent) if m.cls == mention.cls and index - i <= ANAPHOR_WINDOW
                       and not m.attr("anaphor")), None)
        if target is None:
            return None
        return replace(mention, name=target.name, parts=target.parts, attrs=(("anaphor", target.text),))
    elided = mention.attr("elided")
    if elided:
        place = next((m for _, m in reversed(recent) if m.cls == "Place" and _has_level(m, elided)), None)
        if place is None:
            return None
        attrs = tuple(a for a in mention.attrs if a[0] != "elided")
        return replace(mention, name=place.name + mention.name[len(elided):], parts=(("place", place),), attrs=attrs)
    return mention


def _has_level(place: Mention, unit: str) -> bool:
    """省 → a province, 市 → a city (or a municipality), 县 → a county, 区 → a district or zone."""
    level, name = place.attr("level"), place.name
    if unit == "省":
        return level == "province" and not name.endswith("市")
    if unit == "市":
        return name.endswith("市") and level in ("prefecture", "province")
    return name.endswith(unit) and level in ("county", "")

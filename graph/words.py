"""A set of words to find at a position of a text: the longest, or every one.

Only the lengths of the words that begin with the characters at the position are tried, a
set lookup each, not one per possible length: entity names are matched against the 400,000
phrases of pypinyin's dictionary, the place names and the glossary (labels.py), and against
place names and merge aliases (merges.py).
"""

from __future__ import annotations

from typing import Iterable

__all__ = ["Words"]


class Words:
    """Words of ``shortest`` to ``longest`` characters (others are left out); the lengths are indexed
    by a word's first ``shortest`` characters. Words can be added as they are learned."""

    def __init__(self, words: Iterable[str] = (), shortest: int = 1, longest: int | None = None) -> None:
        self.words: set[str] = set()
        self.shortest, self.longest = shortest, longest
        self.lengths: dict[str, tuple[int, ...]] = {}  # longest first
        for word in words:
            self.add(word)

    def add(self, word: str) -> None:
        size = len(word)
        if size < self.shortest or (self.longest is not None and size > self.longest) or word in self.words:
            return
        self.words.add(word)
        start = word[:self.shortest]
        sizes = self.lengths.get(start, ())
        if size not in sizes:
            self.lengths[start] = tuple(sorted((*sizes, size), reverse=True))

    def at(self, text: str, i: int, end: int | None = None) -> str:
        """The longest word that ``text`` has at ``i`` (and before ``end``); "" if none."""
        sizes = self.lengths.get(text[i:i + self.shortest])
        if sizes:
            room = (len(text) if end is None else end) - i
            for size in sizes:
                if size <= room and text[i:i + size] in self.words:
                    return text[i:i + size]
        return ""

    def all_at(self, text: str, i: int, end: int | None = None) -> list[str]:
        """Every word that ``text`` has at ``i`` (and before ``end``), longest first."""
        room = (len(text) if end is None else end) - i
        return [text[i:i + size] for size in self.lengths.get(text[i:i + self.shortest], ())
                if size <= room and text[i:i + size] in self.words]

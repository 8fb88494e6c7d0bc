"""Every occurrence of a growing set of words in short texts, for a word set that grows while it is used.

An Aho-Corasick automaton cannot take a word once built, and rebuilding it for each new word costs
O(words²) over a document that teaches thousands. ``WordLevels`` keeps the words in automata of 1,
2, 4 … words, like the digits of a binary counter (the Bentley-Saxe method): a new word merges the
levels of sizes 1, 2 … it carries over into one rebuilt automaton, so each word is rebuilt O(log n)
times, and a text is searched once per level.
"""

from __future__ import annotations

from typing import Any

__all__ = ["WordLevels"]


class WordLevels:
    def __init__(self) -> None:
        self._levels: list[tuple[list[str], Any]] = []  # (words, their ahocorasick_rs automaton), largest first
        self.count = 0

    def add(self, word: str) -> None:
        """Add a word (non-empty, not added before)."""
        import ahocorasick_rs

        words = [word]
        while self._levels and len(self._levels[-1][0]) <= len(words):
            words = self._levels.pop()[0] + words
        self._levels.append((words, ahocorasick_rs.AhoCorasick(words)))
        self.count += 1

    def find(self, text: str) -> list[tuple[int, int, str]]:
        """Every occurrence (overlapping) of every word in ``text``: (start, end, word), level by level."""
        return [(start, end, words[i]) for words, automaton in self._levels
                for i, start, end in automaton.find_matches_as_indexes(text, overlapping=True)]

"""Where the names a document teaches occur: the search for long documents (WordLevels, one
sentence at a time) finds what the search for pages (str.find through the whole document) finds."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from graph import document_names
from graph.document_names import DocumentNames
from graph.word_levels import WordLevels

# a small alphabet, so that words occur often, overlap and sit inside one another
_TEXT = st.text(alphabet="链党委江西", min_size=0, max_size=12)
_WORD = st.text(alphabet="链党委江西", min_size=1, max_size=4)


def _every_occurrence(word: str, text: str) -> set[tuple[int, int, str]]:
    """The oracle: a zero-width lookahead at every position finds overlapping occurrences."""
    return {(m.start(), m.start() + len(word), word) for m in re.finditer(f"(?={re.escape(word)})", text)}


@settings(max_examples=200, deadline=None)
@given(st.lists(_WORD, unique=True, max_size=20), _TEXT)
def test_word_levels_find_every_occurrence_of_every_word_added(words: list[str], text: str) -> None:
    levels = WordLevels()
    for n, word in enumerate(words, start=1):
        levels.add(word)
        found = levels.find(text)
        assert len(found) == len(set(found)), "an occurrence found twice"
        assert set(found) == set().union(*(_every_occurrence(w, text) for w in words[:n]))
    assert levels.count == len(words)


def test_word_levels_keep_one_automaton_per_binary_digit_of_the_count() -> None:
    levels = WordLevels()
    for word in ("党委", "江西", "链长", "委员", "书记"):
        levels.add(word)
    assert [len(words) for words, _ in levels._levels] == [4, 1]  # 5 = 0b101


@settings(max_examples=150, deadline=None)
@given(st.lists(_TEXT, min_size=1, max_size=8),
       st.lists(st.tuples(st.integers(0, 7), st.text(alphabet="链党委江西", min_size=2, max_size=4)), max_size=15))
def test_both_searches_find_the_same_names_in_each_sentence(texts: list[str], learning: list[tuple[int, str]]) -> None:
    """Names learned sentence by sentence, as find_document_mentions learns them; at each step both
    searches give each sentence the same occurrences (as sets: their order differs)."""
    whole = DocumentNames(texts)
    saved = document_names.WHOLE_SCAN_CHARS
    document_names.WHOLE_SCAN_CHARS = -1  # every document is "long"
    try:
        by_sentence = DocumentNames(texts)
    finally:
        document_names.WHOLE_SCAN_CHARS = saved
    assert type(whole._where) is not type(by_sentence._where)
    for at, surface in sorted(learning):
        for names in (whole, by_sentence):
            names.add(surface, surface, "Enterprise", "test", at)
        for k in range(len(texts)):
            assert sorted(whole.find(k)) == sorted(by_sentence.find(k))
            assert whole.learned_since(k, at) == by_sentence.learned_since(k, at)
    for k, text in enumerate(texts):  # and what they find is every occurrence inside the sentence
        expected = set().union(*(_every_occurrence(s, text) for s in whole.learned))
        assert set(whole.find(k)) == expected

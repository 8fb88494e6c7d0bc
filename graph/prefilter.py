"""Required literals of a regex: a cheap test that tells when a rule cannot match.

A sentence meets ~70 rules and most of them have nothing to match: a company rule
needs 公司 or 集团, a secretary rule needs 书记. Running every regex over every
sentence costs more than all the rest of extraction (FIELD-NOTES: one regex per
rule runs at ~1.6 MB/s). ``required_all`` reads the pattern's parse tree and
returns its requirements: sets of strings such that every match contains one string
of each set (a company-list rule needs 等 and one of 企业, 单位). One Aho-Corasick pass
over the encoded sentence checks them for all rules at once, far faster than the
regex engine can fail. The analysis is conservative: where it cannot tell (optional
parts, negated classes, wide ranges), it asks for nothing rather than for too much.

The same reading gives ``first_char_guard``: a lookahead on the first characters
of a list of words (posts, surnames, industries), put before it when a rule's
pattern is compiled, so that the regex engine rejects a position in one class
test instead of trying each word there.

It reads ``re._parser``, the standard library's own parser: no package offers
this (RE2's prefilter does the same for C++), and the tests check it against the
rules' examples and random matches.
"""

from __future__ import annotations

import functools
import operator
import re
from re import _constants as C  # type: ignore[attr-defined]
from re import _parser  # type: ignore[attr-defined]
from typing import Any, Sequence

Literals = frozenset[str]
MAX_CLASS = 64  # a character class wider than this tells nothing useful
MAX_ALTERNATIVES = 256  # nor does a union of more alternatives than this
MAX_REMEMBERED = 1 << 16  # combinations of requirements met whose rules RuleFilter keeps
GUARD_ALTERNATIVES = 4  # an alternation of more words than this is worth a guard (``first_char_guard``)
MAX_TEXTS = 1 << 14  # texts whose requirements met LiteralScan keeps: more than a document's encodings


def required_literals(pattern: str, flags: int = 0) -> Literals | None:
    """Strings of which every match of ``pattern`` contains one, or None when nothing is required."""
    return max(required_all(pattern, flags), key=_selectivity, default=None)


def required_all(pattern: str, flags: int = 0) -> tuple[Literals, ...]:
    """Every requirement of ``pattern``: each match contains one string of each set (党委书记 and
    a surname, 等 and 企业). Empty when nothing is required."""
    if flags & re.IGNORECASE:
        return ()
    tree = _parser.parse(pattern, flags)
    if tree.state.flags & re.IGNORECASE:
        return ()
    return tuple(dict.fromkeys(_requirements(list(tree))))


def _sequence(items: list[tuple[Any, Any]]) -> Literals | None:
    """The most selective requirement of a sequence."""
    return max(_requirements(items), key=_selectivity, default=None)


def _requirements(items: list[tuple[Any, Any]]) -> list[Literals]:
    """All items of a sequence must match, so every requirement of every item holds.
    Neighbouring items that match only a few fixed strings are joined (党(?:委|总支) → 党委, 党总支)."""
    candidates: list[Literals] = []
    run: Literals = frozenset({""})
    for op, av in items:
        exact = _exact(op, av)
        if exact is not None and len(run) * len(exact) <= MAX_ALTERNATIVES:
            run = frozenset(a + b for a in run for b in exact)
            continue
        if run != {""}:
            candidates.append(run)
        run = exact if exact is not None else frozenset({""})
        if exact is None:
            candidates += _item(op, av)
    if run != {""}:
        candidates.append(run)
    return candidates


def _exact(op: Any, av: Any) -> Literals | None:
    """The strings an item matches, when they are few and fixed; else None."""
    if op is C.LITERAL:
        return frozenset({chr(av)})
    if op is C.IN:
        return _char_class(av)
    if op is C.SUBPATTERN and not av[1] & re.IGNORECASE:
        return _exact_sequence(list(av[3]))
    if op is C.BRANCH:
        return _union([_exact_sequence(list(branch)) for branch in av[1]])
    return None


def _exact_sequence(items: list[tuple[Any, Any]]) -> Literals | None:
    out: Literals = frozenset({""})
    for op, av in items:
        exact = _exact(op, av)
        if exact is None or len(out) * len(exact) > MAX_ALTERNATIVES:
            return None
        out = frozenset(a + b for a in out for b in exact)
    return out


def _selectivity(options: Literals) -> tuple[int, int]:
    """Longer shortest string first, then fewer alternatives."""
    return min(map(len, options)), -len(options)


def _item(op: Any, av: Any) -> list[Literals]:
    if op is C.SUBPATTERN:
        _group, add_flags, _del_flags, sub = av
        return [] if add_flags & re.IGNORECASE else _requirements(list(sub))
    if op is C.ATOMIC_GROUP:
        return _requirements(list(av))
    if op is C.ASSERT:  # a lookaround's text is in the sentence too, just outside the match
        return _requirements(list(av[1]))
    if op in (C.MAX_REPEAT, C.MIN_REPEAT, C.POSSESSIVE_REPEAT):
        low, _high, sub = av
        return _requirements(list(sub)) if low >= 1 else []
    found = None
    if op is C.BRANCH:
        found = _union([_sequence(list(branch)) for branch in av[1]])
    elif op is C.IN:
        found = _char_class(av)
    return [found] if found is not None else []  # ANY, AT, NOT_LITERAL, CATEGORY, ASSERT_NOT, GROUPREF…: nothing


def _union(options: list[Literals | None]) -> Literals | None:
    if any(o is None for o in options):
        return None
    merged = frozenset().union(*(o for o in options if o is not None))
    return merged if len(merged) <= MAX_ALTERNATIVES else None


def _char_class(items: list[tuple[Any, Any]]) -> Literals | None:
    chars: set[str] = set()
    for op, av in items:
        if op is C.LITERAL:
            chars.add(chr(av))
        elif op is C.RANGE and av[1] - av[0] < MAX_CLASS:
            chars.update(chr(c) for c in range(av[0], av[1] + 1))
        else:  # NEGATE, CATEGORY, a wide range
            return None
    return frozenset(chars) if 0 < len(chars) <= MAX_CLASS else None


@functools.lru_cache(maxsize=None)  # one per macro, asked for by every rule that uses it
def first_char_guard(fragment: str) -> str:
    """A lookahead on the first characters of an alternation of words, such as ``(?=[董总经…])``
    for the list of posts, or "" when ``fragment`` is not such an alternation.

    Before an alternation the regex engine tries the words one by one at each position
    where it gets there; placed before it, the guard rejects most positions in one class
    test. It restates what the words require, so a match is the same with it or without it."""
    tree = _parser.parse(fragment)
    if tree.state.flags & re.IGNORECASE or len(tree) != 1 or tree[0][0] is not C.BRANCH:
        return ""
    branches = tree[0][1][1]
    firsts = _first_chars(list(tree))
    if firsts is None or len(branches) <= GUARD_ALTERNATIVES:
        return ""
    return "(?=[" + "".join(re.escape(ch) for ch in sorted(firsts)) + "])"


def _first_chars(items: list[tuple[Any, Any]]) -> Literals | None:
    """The characters every match of a sequence starts with (None when unknown or it may be empty)."""
    if not items:
        return None
    op, av = items[0]
    if op is C.LITERAL:
        return frozenset(chr(av))
    if op is C.IN:
        return _char_class(av)
    if op is C.SUBPATTERN and not av[1] & re.IGNORECASE:
        return _first_chars(list(av[3]))
    if op is C.BRANCH:
        options = [_first_chars(list(branch)) for branch in av[1]]
        return None if any(o is None for o in options) else frozenset().union(*(o for o in options if o))
    if op in (C.MAX_REPEAT, C.MIN_REPEAT, C.POSSESSIVE_REPEAT) and av[0] >= 1:
        return _first_chars(list(av[2]))
    return None


def may_match(literals: Literals | None, text: str) -> bool:
    """False only when ``text`` holds none of the required literals (the regex cannot match)."""
    return literals is None or any(literal in text for literal in literals)


class LiteralScan:
    """Which requirements a text meets, for several families of rules at once: one Aho-Corasick
    pass over the text finds the literals of all of them, and the answer is remembered for the
    last texts seen. The name rules' last encoding of a sentence is, in 99 % of sentences, the
    very text the relation rules read after it: their filter then needs no pass of its own.

    Requirements met are bits of one integer (one ``|`` per literal found); each family owns a
    range of the bits (``register``)."""

    def __init__(self) -> None:
        self._by_word: dict[str, int] = {}  # literal → the bits of the requirements it meets
        self._next_bit = 1
        self._words: list[str] = []
        self._masks: list[int] = []
        self._automaton: Any = None
        self._met: dict[str, int] = {}  # text → the bits it meets (the last texts; a pure function)

    def register(self, needs: Sequence[tuple[Literals, ...]]) -> list[int]:
        """Bits for the requirements of a family of rules; per rule, the bits of all its requirements."""
        fulls = []
        for required in needs:
            full = 0
            for literals in required:
                bit = self._next_bit
                for literal in literals:
                    self._by_word[literal] = self._by_word.get(literal, 0) | bit
                full |= bit
                self._next_bit <<= 1
            fulls.append(full)
        self._words = sorted(self._by_word)
        self._masks = [self._by_word[w] for w in self._words]
        self._automaton = None  # built again, with the new literals, at the next scan
        self._met.clear()
        return fulls

    def forget(self) -> None:
        """Drop the texts remembered (a new document begins: the memory held stays one document's)."""
        self._met.clear()

    def met(self, text: str) -> int:
        """The bits of the requirements that ``text`` meets."""
        met = self._met.get(text)
        if met is not None:
            return met
        met = 0
        if self._words:
            if self._automaton is None:
                import ahocorasick_rs

                self._automaton = ahocorasick_rs.AhoCorasick(self._words)
            masks = self._masks
            for w, _, _ in self._automaton.find_matches_as_indexes(text, overlapping=True):
                met |= masks[w]
        if len(self._met) >= MAX_TEXTS:
            self._met.clear()
        self._met[text] = met
        return met


class RuleFilter:
    """The prefilter of a family of rules: the rules that may match a text a regex will run on.

    Rules run over the encoded sentence, where each mention is one private-use
    character. Every match holds a literal of each of its rule's requirements, so a
    rule with a requirement none of whose literals is in the encoded text cannot match
    it. ``scan`` tells which requirements a text meets (a LiteralScan shared with other
    families, or one of its own); the rules that a combination of requirements allows
    are computed once per distinct combination.
    """

    def __init__(self, needs: Sequence[tuple[Literals, ...]], scan: LiteralScan | None = None) -> None:
        self.size = len(needs)
        self._needs = tuple(needs)
        self._last_needing: dict[str, int] = {}
        self._scan = scan if scan is not None else LiteralScan()
        self._full = self._scan.register(needs)  # per rule: the bits of all its requirements
        self._own = functools.reduce(operator.or_, self._full, 0)  # the bits of this family
        self._allowed: dict[int, tuple[int, ...]] = {}  # met bits → rules whose requirements are all met

    def last_needing(self, chars: str) -> int:
        """One past the last rule with a literal that holds one of ``chars`` (0 when no rule has one).

        Folding new mentions into an encoded text adds mention characters only, so a literal
        it did not hold before holds one of them: a rule at or after this index that the text
        did not allow cannot be allowed by the refolded text."""
        last = self._last_needing.get(chars)
        if last is None:  # asked with the same characters for every sentence
            wanted = set(chars)
            last = self._last_needing[chars] = max(
                (i + 1 for i, required in enumerate(self._needs)
                 if any(not wanted.isdisjoint(word) for literals in required for word in literals)), default=0)
        return last

    def forget_texts(self) -> None:
        """Drop the texts the scan remembers, for every family that shares it (LiteralScan.forget)."""
        self._scan.forget()

    def possible(self, text: str) -> tuple[int, ...]:
        """The rules, in order, that may match ``text`` (the encoded sentence): those whose every
        requirement has a literal in the text (a rule without requirements always)."""
        met = self._scan.met(text) & self._own
        allowed = self._allowed.get(met)
        if allowed is None:
            if len(self._allowed) > MAX_REMEMBERED:
                self._allowed.clear()
            allowed = self._allowed[met] = tuple(i for i, full in enumerate(self._full) if met & full == full)
        return allowed

"""Required literals of a regex: a cheap test that tells when a rule cannot match.

A sentence meets ~70 rules and most of them have nothing to match: a company rule
needs 公司 or 集团, a secretary rule needs 书记. Running every regex over every
sentence costs more than all the rest of extraction (FIELD-NOTES: one regex per
rule runs at ~1.6 MB/s). ``required_literals`` reads the pattern's parse tree and
returns strings of which every match must contain at least one; ``str.__contains__``
checks them far faster than the regex engine can fail. The analysis is
conservative: where it cannot tell (optional parts, negated classes, wide ranges),
it asks for nothing rather than for too much.

It reads ``re._parser``, the standard library's own parser: no package offers
this (RE2's prefilter does the same for C++), and the tests check it against the
rules' examples and random matches.
"""

from __future__ import annotations

import re
from re import _constants as C  # type: ignore[attr-defined]
from re import _parser  # type: ignore[attr-defined]
from typing import Any, Sequence

Literals = frozenset[str]
MAX_CLASS = 64  # a character class wider than this tells nothing useful
MAX_ALTERNATIVES = 256  # nor does a union of more alternatives than this


def required_literals(pattern: str, flags: int = 0) -> Literals | None:
    """Strings of which every match of ``pattern`` contains one, or None when nothing is required."""
    if flags & re.IGNORECASE:
        return None
    tree = _parser.parse(pattern, flags)
    if tree.state.flags & re.IGNORECASE:
        return None
    return _sequence(list(tree))


def _sequence(items: list[tuple[Any, Any]]) -> Literals | None:
    """All items of a sequence must match: the most selective requirement among them.
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
        found = _item(op, av) if exact is None else None
        if found is not None:
            candidates.append(found)
    if run != {""}:
        candidates.append(run)
    return max(candidates, key=_selectivity, default=None)


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


def _item(op: Any, av: Any) -> Literals | None:
    if op is C.SUBPATTERN:
        _group, add_flags, _del_flags, sub = av
        return None if add_flags & re.IGNORECASE else _sequence(list(sub))
    if op is C.ATOMIC_GROUP:
        return _sequence(list(av))
    if op is C.ASSERT:  # a lookaround's text is in the sentence too, just outside the match
        return _sequence(list(av[1]))
    if op in (C.MAX_REPEAT, C.MIN_REPEAT, C.POSSESSIVE_REPEAT):
        low, _high, sub = av
        return _sequence(list(sub)) if low >= 1 else None
    if op is C.BRANCH:
        return _union([_sequence(list(branch)) for branch in av[1]])
    if op is C.IN:
        return _char_class(av)
    return None  # ANY, AT, NOT_LITERAL, CATEGORY, ASSERT_NOT, GROUPREF…: nothing required


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


def may_match(literals: Literals | None, text: str) -> bool:
    """False only when ``text`` holds none of the required literals (the regex cannot match)."""
    return literals is None or any(literal in text for literal in literals)


class RuleFilter:
    """The prefilter of a family of rules: one automaton pass over the text a regex will run on.

    Rules run over the encoded sentence, where each mention is one private-use
    character. Every match holds one of its rule's literals, so a rule none of whose
    literals is in the encoded text cannot match it: one Aho-Corasick pass over the
    encoded text, repeated only when the encoding changes, tells which rules to run.
    """

    def __init__(self, needs: Sequence[Literals | None]) -> None:
        self.size = len(needs)
        self._unfiltered = frozenset(i for i, literals in enumerate(needs) if literals is None)
        by_word: dict[str, set[int]] = {}
        for i, literals in enumerate(needs):
            for literal in literals or ():
                by_word.setdefault(literal, set()).add(i)
        self._words = sorted(by_word)
        self._rules_of = [frozenset(by_word[w]) for w in self._words]
        self._automaton: Any = None

    def possible(self, text: str) -> list[int]:
        """The rules, in order, that may match ``text`` (the encoded sentence)."""
        hit: set[int] = set(self._unfiltered)
        if self._words:
            if self._automaton is None:
                import ahocorasick_rs

                self._automaton = ahocorasick_rs.AhoCorasick(self._words)
            for i in {i for i, _, _ in self._automaton.find_matches_as_indexes(text, overlapping=True)}:
                hit |= self._rules_of[i]
        return sorted(hit)

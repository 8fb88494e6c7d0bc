"""A sentence with its mentions folded into single private-use characters.

Patterns then see ``走进\ue005天一航空装备有限公司`` for 走进[江西]天一…, so a
slot is one character and a gap such as ``[^，。]{0,12}`` may pass over
mentions. Offsets map each encoded character back to the normalised sentence.
"""

from __future__ import annotations

import bisect
import operator

from .model import Mention
from .rules import CLASS_CHARS

_START = operator.attrgetter("start")
_END = operator.attrgetter("end")


class Encoded:
    """The encoded text, and where each encoded character comes from in the normalised sentence.

    The map is kept per mention, not per character: ``_at[k]`` is where the k-th mention
    (in order of start) stands in the encoded text, and plain text after it continues from
    its end. A lookup is a binary search; most encodings only feed the rules' prefilter and
    a regex that finds nothing, so nothing is built per character."""

    __slots__ = ("text", "_placed", "_at")

    def __init__(self, text: str, placed: list[Mention], at: list[int]) -> None:
        self.text = text
        self._placed = placed  # the mentions, in order of their start
        self._at = at  # encoded index of each of them

    def mention_at(self, i: int) -> Mention | None:
        """The mention behind encoded character ``i`` (None for plain text)."""
        k = bisect.bisect_left(self._at, i)
        return self._placed[k] if k < len(self._at) and self._at[k] == i else None

    def start_of(self, i: int) -> int:
        """Normalised start of encoded character ``i``."""
        return self._position(i, bisect.bisect_left(self._at, i), False)

    def end_of(self, i: int) -> int:
        """Normalised end of encoded character ``i``."""
        return self._position(i, bisect.bisect_left(self._at, i), True)

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Normalised span of encoded ``[start, end)``."""
        if end <= start:
            pos = self.start_of(start) if start < len(self.text) else (self.end_of(len(self.text) - 1) if self.text else 0)
            return pos, pos
        k = bisect.bisect_left(self._at, start)
        return self._position(start, k, False), self._position(end - 1, bisect.bisect_left(self._at, end - 1, k), True)

    def _position(self, i: int, k: int, end: bool) -> int:
        """Start (or end) of encoded character ``i``; ``k``: the number of mentions before it."""
        at = self._at
        if k < len(at) and at[k] == i:
            mention = self._placed[k]
            return mention.end if end else mention.start
        return (i if k == 0 else self._placed[k - 1].end + i - at[k - 1] - 1) + end

    def mentions_in(self, start: int, end: int) -> list[Mention]:
        """The mentions behind encoded ``[start, end)``, in order."""
        return self._placed[bisect.bisect_left(self._at, start):bisect.bisect_left(self._at, end)]

    def pieces(self, start: int, end: int) -> list[str | Mention]:
        """Encoded ``[start, end)`` as runs of plain text and the mentions between them."""
        out: list[str | Mention] = []
        k = bisect.bisect_left(self._at, start)
        pos = start
        while k < len(self._at) and self._at[k] < end:
            if self._at[k] > pos:
                out.append(self.text[pos:self._at[k]])
            out.append(self._placed[k])
            pos = self._at[k] + 1
            k += 1
        if end > pos:
            out.append(self.text[pos:end])
        return out


def encode(text: str, mentions: list[Mention]) -> Encoded:
    """Mentions must not overlap; they are placed in order of their start.

    Runs of plain text are copied with slices (C speed): this runs once per
    name rule that found something, so a per-character loop would dominate the whole build."""
    if not mentions:  # half the sentences of a page name nothing: the text is its own encoding
        return Encoded(text, [], [])
    placed = sorted(mentions, key=_START)
    pieces: list[str] = []
    at: list[int] = []
    pos = size = 0
    for mention in placed:
        plain = text[pos:mention.start]
        size += len(plain)
        at.append(size)
        size += 1
        pieces += (plain, CLASS_CHARS[mention.cls])
        pos = mention.end
    pieces.append(text[pos:])
    return Encoded("".join(pieces), placed, at)


def place(mentions: list[Mention], new: Mention) -> list[Mention]:
    """Add ``new``: it absorbs mentions inside its span; it loses to a longer overlapping one."""
    return place_all(mentions, [new])


def place_all(mentions: list[Mention], new: list[Mention]) -> list[Mention]:
    """``place`` for many mentions at once, with binary search: sentences can be long."""
    out = sorted(mentions, key=_START)
    starts = list(map(_START, out))  # (attrgetter: no Python call per mention)
    ends = list(map(_END, out))
    for mention in new:
        lo = bisect.bisect_right(ends, mention.start)
        hi = bisect.bisect_left(starts, mention.end)
        length = mention.end - mention.start
        if any(not (mention.start <= old.start and old.end <= mention.end) and old.end - old.start >= length
               for old in out[lo:hi]):
            continue  # a longer mention already covers part of it
        out[lo:hi] = [mention]
        starts[lo:hi] = [mention.start]
        ends[lo:hi] = [mention.end]
    return out

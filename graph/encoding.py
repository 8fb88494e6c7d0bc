"""A sentence with its mentions folded into single private-use characters.

Patterns then see ``走进\ue005天一航空装备有限公司`` for 走进[江西]天一…, so a
slot is one character and a gap such as ``[^，。]{0,12}`` may pass over
mentions. Offsets map each encoded character back to the normalised sentence.
"""

from __future__ import annotations

import bisect

from .model import Mention
from .rules import CLASS_CHARS


class Encoded:
    """The encoded text, and (built on first use) for each encoded character its normalised
    span and the mention behind it. Most encodings only feed the rules' prefilter and a
    regex that finds nothing, so the per-character maps are built only when a match needs them."""

    __slots__ = ("text", "_source", "_placed", "_maps")

    def __init__(self, text: str, source: str, placed: list[Mention]) -> None:
        self.text = text
        self._source = source  # the normalised sentence
        self._placed = placed  # its mentions, in order of their start
        self._maps: tuple[tuple[int, ...], tuple[int, ...], tuple[Mention | None, ...]] | None = None

    @property
    def starts(self) -> tuple[int, ...]:
        """Normalised start of each encoded character."""
        return self._built()[0]

    @property
    def ends(self) -> tuple[int, ...]:
        """Normalised end of each encoded character."""
        return self._built()[1]

    @property
    def mentions(self) -> tuple[Mention | None, ...]:
        """The mention behind each private-use character (None for plain text)."""
        return self._built()[2]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Normalised span of encoded ``[start, end)``."""
        starts, ends, _ = self._built()
        if end <= start:
            pos = starts[start] if start < len(starts) else (ends[-1] if ends else 0)
            return pos, pos
        return starts[start], ends[end - 1]

    def mentions_in(self, start: int, end: int) -> list[Mention]:
        return [m for m in self.mentions[start:end] if m is not None]

    def _built(self) -> tuple[tuple[int, ...], tuple[int, ...], tuple[Mention | None, ...]]:
        if self._maps is None:
            self._maps = _maps(self._source, self._placed)
        return self._maps


def encode(text: str, mentions: list[Mention]) -> Encoded:
    """Mentions must not overlap; they are placed in order of their start.

    Runs of plain text are copied with slices (C speed): this runs once per
    name rule that found something, so a per-character loop would dominate the whole build."""
    placed = sorted(mentions, key=lambda m: m.start)
    pieces: list[str] = []
    pos = 0
    for mention in placed:
        pieces += (text[pos:mention.start], CLASS_CHARS[mention.cls])
        pos = mention.end
    pieces.append(text[pos:])
    return Encoded("".join(pieces), text, placed)


def _maps(text: str, placed: list[Mention]) -> tuple[tuple[int, ...], tuple[int, ...], tuple[Mention | None, ...]]:
    starts: list[int] = []
    ends: list[int] = []
    owners: list[Mention | None] = []
    pos = 0
    for mention in placed:
        _copy_text(pos, mention.start, starts, ends, owners)
        starts.append(mention.start)
        ends.append(mention.end)
        owners.append(mention)
        pos = mention.end
    _copy_text(pos, len(text), starts, ends, owners)
    return tuple(starts), tuple(ends), tuple(owners)


def _copy_text(start: int, end: int, starts: list[int], ends: list[int], owners: list[Mention | None]) -> None:
    if end > start:
        starts.extend(range(start, end))
        ends.extend(range(start + 1, end + 1))
        owners.extend([None] * (end - start))


def place(mentions: list[Mention], new: Mention) -> list[Mention]:
    """Add ``new``: it absorbs mentions inside its span; it loses to a longer overlapping one."""
    return place_all(mentions, [new])


def place_all(mentions: list[Mention], new: list[Mention]) -> list[Mention]:
    """``place`` for many mentions at once, with binary search: sentences can be long."""
    out = sorted(mentions, key=lambda m: m.start)
    starts = [m.start for m in out]
    ends = [m.end for m in out]
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

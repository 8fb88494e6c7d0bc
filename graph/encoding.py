"""A sentence with its mentions folded into single private-use characters.

Patterns then see ``走进\ue005天一航空装备有限公司`` for 走进[江西]天一…, so a
slot is one character and a gap such as ``[^，。]{0,12}`` may pass over
mentions. Offsets map each encoded character back to the normalised sentence.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

from .model import Mention
from .rules import CLASS_CHARS


@dataclass(frozen=True, slots=True)
class Encoded:
    text: str
    starts: tuple[int, ...]  # normalised start of each encoded character
    ends: tuple[int, ...]  # normalised end of each encoded character
    mentions: tuple[Mention | None, ...]  # the mention behind a private-use character

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Normalised span of encoded ``[start, end)``."""
        if end <= start:
            pos = self.starts[start] if start < len(self.starts) else (self.ends[-1] if self.ends else 0)
            return pos, pos
        return self.starts[start], self.ends[end - 1]

    def mentions_in(self, start: int, end: int) -> list[Mention]:
        return [m for m in self.mentions[start:end] if m is not None]


def encode(text: str, mentions: list[Mention]) -> Encoded:
    """Mentions must not overlap; they are placed in order of their start.

    Runs of plain text are copied with slices and ranges (C speed): this runs once per
    name rule per sentence, so a per-character loop would dominate the whole build."""
    pieces: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    owners: list[Mention | None] = []
    pos = 0
    for mention in sorted(mentions, key=lambda m: m.start):
        _copy_text(text, pos, mention.start, pieces, starts, ends, owners)
        pieces.append(CLASS_CHARS[mention.cls])
        starts.append(mention.start)
        ends.append(mention.end)
        owners.append(mention)
        pos = mention.end
    _copy_text(text, pos, len(text), pieces, starts, ends, owners)
    return Encoded("".join(pieces), tuple(starts), tuple(ends), tuple(owners))


def _copy_text(text: str, start: int, end: int, pieces: list[str], starts: list[int], ends: list[int],
               owners: list[Mention | None]) -> None:
    if end > start:
        pieces.append(text[start:end])
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

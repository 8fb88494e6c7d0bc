"""The encoded sentence: mentions folded into one character each, mapped back to the sentence."""

from __future__ import annotations

import random

from graph.encoding import encode
from graph.model import Mention
from graph.rules import CLASS_CHARS

TEXT = "走进江西天一航空装备有限公司的生产车间，何炳辉介绍航空产业链党委。"


def _mention(text: str, start: int, end: int, cls: str) -> Mention:
    return Mention(text[start:end], cls, start, end, text[start:end], "test")


def _per_character(text: str, mentions: list[Mention]) -> list[tuple[int, int, Mention | None]]:
    """The map spelled out: (start, end, mention) of every encoded character."""
    out: list[tuple[int, int, Mention | None]] = []
    pos = 0
    for mention in sorted(mentions, key=lambda m: m.start):
        out += [(i, i + 1, None) for i in range(pos, mention.start)]
        out.append((mention.start, mention.end, mention))
        pos = mention.end
    return out + [(i, i + 1, None) for i in range(pos, len(text))]


def _random_mentions(rng: random.Random, text: str) -> list[Mention]:
    mentions, pos = [], 0
    while pos < len(text):
        start = pos + rng.randrange(0, 4)
        end = start + rng.randrange(1, 5)
        if end > len(text):
            break
        mentions.append(_mention(text, start, end, rng.choice(list(CLASS_CHARS))))
        pos = end
    return mentions


def test_encoding_maps_every_character_back_to_the_sentence():
    rng = random.Random(7)
    for _ in range(200):
        mentions = _random_mentions(rng, TEXT)
        enc = encode(TEXT, list(reversed(mentions)))  # placed in order of start, whatever the order given
        expected = _per_character(TEXT, mentions)
        assert len(enc.text) == len(expected)
        for i, (start, end, mention) in enumerate(expected):
            assert (enc.start_of(i), enc.end_of(i), enc.mention_at(i)) == (start, end, mention)
            assert enc.text[i] == (CLASS_CHARS[mention.cls] if mention else TEXT[start])
        for a in range(len(expected) + 1):
            for b in range(a, len(expected) + 1):
                inside = [m for _, _, m in expected[a:b] if m is not None]
                assert enc.mentions_in(a, b) == inside
                joined = "".join(p if isinstance(p, str) else CLASS_CHARS[p.cls] for p in enc.pieces(a, b))
                assert joined == enc.text[a:b]
                if b > a:
                    assert enc.span(a, b) == (expected[a][0], expected[b - 1][1])


def test_encoding_empty_span_sits_where_the_next_character_starts():
    company = _mention(TEXT, 2, 14, "Enterprise")
    enc = encode(TEXT, [company])
    assert enc.text.startswith("走进\ue003的")
    assert enc.span(2, 2) == (2, 2) and enc.span(3, 3) == (14, 14)
    assert enc.span(len(enc.text), len(enc.text)) == (len(TEXT), len(TEXT))
    assert encode("", []).span(0, 0) == (0, 0)

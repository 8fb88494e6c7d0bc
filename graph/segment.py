"""Stage 2b: split a newspaper page into articles, and articles into sentences.

Offsets always point into the ORIGINAL ``Document.text``: sentence text is
normalised (see ``normalize.py``) and ``Sentence.offsets`` maps it back.

Article boundaries, decided on the non-blank lines of the page:

* A title is a level-1 markdown heading (``# title``). A page without any (seed 05)
  takes as titles the short lines without sentence punctuation that are followed by
  a byline (■中共…组织部, ► 周佳, 本报记者 X).
* The byline is the line right under the title (or under a ``## ——subtitle``):
  a marked or reporter byline, a line of 2–4-character names separated by spaces,
  or a single 2–3-character name (张洋).
* An article starts at the kicker and deck lines right above its title (up to three:
  深度关注 / 江西省探索以…—— / ## 内蒙古呼伦贝尔市——): short lines without 。！？,
  or lines ending in ——, that are not captions and not the byline of the title above.
* Column rule (金台潮声): when a title and its byline are followed directly by the
  next article's header (no body of its own), and the body text just above the title
  starts at a short column kicker (金台潮声, ## 金台潮声), that kicker and body belong
  to this title: the column prints its body before its headline.
* Lead rule: text before the first title joins the first article when it has no body
  lines (a masthead) or when its last line breaks off mid-sentence (seed 03, whose
  headline sits in the middle of its own article). Otherwise it is an article of its
  own with an empty title.
* An article ends where the next one starts.

Sentence kinds: "title" and "byline" for the header lines; "heading" for kickers,
``##``/``###`` headings, ``**bold**`` lines and short standalone lines (引领, 强基);
"caption" for photo captions and credits (图①：…, …摄, …供图, 本版责编…, and a line
right above a credit line); otherwise "body". Title, byline and heading lines are one
sentence each; body and caption lines are split after 。！？ (with closing quotes and
brackets kept: 。” stays together) and after …… followed by a closing quote.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from .model import Article, Document, OffsetMap, Sentence
from .normalize import ends_sentence, is_byline, is_caption, is_markup, is_standalone, normalize_runs

Kind = Literal["body", "title", "heading", "caption", "byline"]

MAX_KICKERS = 3  # kicker and deck lines above a title: 深度关注 / 江西省探索以…—— (seed 01)
KICKER_LINE = 25  # longest kicker line without a trailing ——
COLUMN_KICKER = 6  # 金台潮声
UNMARKED_TITLE = 40  # longest line taken as a title on a page without markup
MAX_SENTENCE = 2000  # longer runs without 。！？ are cut (news sentences are far shorter)

_H1 = re.compile(r"^#\s+\S")
_SUBTITLE = re.compile(r"^(?:#{2,3}\s*)?——")
_NAMES = re.compile(r"^(?:[►▶■□●◆▲★☆]\s*)?[\u4e00-\u9fff]{2,4}(?:\s+[\u4e00-\u9fff]{2,4})+$|^[\u4e00-\u9fff]{2,3}$")
_BULLET = re.compile(r"[►▶■□●◆▲★☆]\s*")  # used with match(): anchored
_SENTENCE_STOP = re.compile(r"[。！？!?]")
_MARKUP_HEAD = re.compile(r"#+\s*")  # used with match(): anchored
# (Each branch starts with one fixed character, not a repeat: the regex engine then scans
# for those characters first, twice as fast.)
_SENTENCE_END = re.compile(r"(?:[。！？!?][。！？!?]*|……+(?=[”’」』]))[”’」』）》】)\"']*")


@dataclass(frozen=True, slots=True)
class _Line:
    start: int  # content span in Document.text, edge whitespace excluded
    end: int
    text: str
    breaks: int  # line breaks since the previous non-blank line


@dataclass(slots=True)
class _Block:
    """The header of one article, as indexes into the page's non-blank lines."""

    title: int
    first: int  # first line of the article: its first kicker, or the title
    last: int  # last header line: the byline, a ``## ——subtitle`` or the title
    byline: int | None = None
    kickers: list[int] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class _Layout:
    lines: tuple[_Line, ...]
    articles: tuple[Article, ...]
    roles: dict[int, Kind]  # line index → "title" | "byline" | "heading"
    starts: tuple[int, ...]  # each line's start, for bisect (made once: per article it cost O(articles × lines))


def split_document(doc: Document) -> tuple[list[Article], list[Sentence]]:
    """Articles of the page and their sentences, numbered continuously through the document."""
    articles = split_articles(doc)
    sentences: list[Sentence] = []
    for article in articles:
        sentences.extend(split_sentences(doc, article, start_index=len(sentences)))
    return articles, sentences


def split_articles(doc: Document) -> list[Article]:
    return list(_layout(doc).articles)


def split_sentences(doc: Document, article: Article, *, start_index: int = 0) -> list[Sentence]:
    """Sentences of one article; ``start_index`` is the document-wide index of the first one."""
    layout = _layout(doc)
    norm, offsets = normalize_runs(doc.text[article.start:article.end], article.start)
    starts = layout.starts
    sentences: list[Sentence] = []
    for match in re.finditer(r"[^\n]+", norm):
        a, b = match.span()
        first = bisect.bisect_right(starts, offsets[a]) - 1
        joined = bisect.bisect_right(starts, offsets[b - 1]) - 1 != first
        kind = _kind(layout, first, joined)
        for piece in _pieces(norm, a, b, kind):
            for s, e in _bounded(norm, *piece):
                offs = _sentence_offsets(offsets, s, e)
                sentences.append(Sentence(doc.path, article.index, start_index + len(sentences), norm[s:e], offs, kind))
    return sentences


def _sentence_offsets(offsets: OffsetMap, start: int, end: int) -> OffsetMap:
    """The runs of the article's ``offsets`` over ``[start, end)``, counted from ``start``."""
    runs, bases = offsets.starts, offsets.bases
    lo = bisect.bisect_right(runs, start) - 1  # the run that holds ``start``
    hi = bisect.bisect_left(runs, end, lo + 1)
    first = bases[lo] + start - runs[lo]
    if hi == lo + 1:  # one run, as in most sentences: no generator and no unpacking
        return OffsetMap(end - start, (0,), (first,))
    return OffsetMap(end - start, (0, *(r - start for r in runs[lo + 1:hi])), (first, *bases[lo + 1:hi]))


def _bounded(norm: str, start: int, end: int) -> list[tuple[int, int]]:
    """Cut a run-on "sentence" (a 5 MB line without 。) into pieces of at most
    MAX_SENTENCE characters, after the last comma, semicolon or space before the limit,
    so that the rules' work per sentence stays bounded."""
    pieces = []
    while end - start > MAX_SENTENCE:
        window = norm[start:start + MAX_SENTENCE]
        cut = max(window.rfind(mark) for mark in "，；、 ,;")
        cut = start + (cut + 1 if cut > MAX_SENTENCE // 2 else MAX_SENTENCE)
        pieces.append((start, cut))
        start = cut
    return pieces + [(start, end)]


# ── articles ────────────────────────────────────────────────────────────────────────


@functools.lru_cache(maxsize=16)
def _layout(doc: Document) -> _Layout:
    lines = _raw_lines(doc.text)
    blocks = _blocks(lines)
    _adopt_columns(lines, blocks)
    lead = _attach_lead(lines, blocks)
    roles: dict[int, Kind] = {}
    for block in blocks:
        roles.update({k: "heading" for k in block.kickers})
        roles.update({k: "heading" for k in range(block.title + 1, block.last + 1)})
        roles[block.title] = "title"
        if block.byline is not None:
            roles[block.byline] = "byline"
    return _Layout(tuple(lines), tuple(_articles(doc, lines, blocks, lead)), roles, tuple(line.start for line in lines))


def _raw_lines(text: str) -> list[_Line]:
    lines: list[_Line] = []
    breaks = 0
    pos = 0  # where ``raw`` starts (str.split: twice as fast as a regex over the lines)
    for raw in text.split("\n"):
        stripped = raw.strip()
        if stripped:
            start = pos + len(raw) - len(raw.lstrip())
            lines.append(_Line(start, start + len(stripped), stripped, breaks))
            breaks = 0
        breaks += 1  # the line break after ``raw`` (after the last piece there is none, and nothing reads it)
        pos += len(raw) + 1
    return lines


def _prev_text(lines: Sequence[_Line], i: int) -> str | None:
    return lines[i - 1].text if i else None


def _is_body(lines: list[_Line], i: int) -> bool:
    text = lines[i].text
    return not (is_markup(text) or is_caption(text) or is_standalone(text, _prev_text(lines, i)))


def _blocks(lines: list[_Line]) -> list[_Block]:
    titles = [i for i, line in enumerate(lines) if _H1.match(line.text)] or _unmarked_titles(lines)
    blocks: list[_Block] = []
    for k, title in enumerate(titles):
        block = _Block(title, title, title)
        block.byline, block.last = _byline(lines, title, titles[k + 1] if k + 1 < len(titles) else len(lines))
        floor = blocks[-1].last if blocks else -1
        block.kickers = _kickers(lines, title, floor)
        block.first = block.kickers[0] if block.kickers else title
        blocks.append(block)
    return blocks


def _unmarked_titles(lines: list[_Line]) -> list[int]:
    """Short lines without sentence punctuation followed by a marked or reporter byline."""
    return [i for i in range(len(lines) - 1)
            if len(lines[i].text) <= UNMARKED_TITLE and not is_byline(lines[i].text)
            and not is_caption(lines[i].text) and not _SENTENCE_STOP.search(lines[i].text)
            and is_byline(lines[i + 1].text)]


def _byline(lines: list[_Line], title: int, limit: int) -> tuple[int | None, int]:
    """(byline line, last header line) under a title, skipping a ``## ——subtitle``."""
    last = title
    j = title + 1
    if j < limit and _SUBTITLE.match(lines[j].text):
        last = j
        j += 1
    if j < limit and (is_byline(lines[j].text) or _NAMES.match(lines[j].text)):
        return j, j
    return None, last


def _is_kicker(text: str) -> bool:
    if _H1.match(text) or is_caption(text):
        return False
    if text.endswith("——"):
        return True
    return len(text) <= KICKER_LINE and not _SENTENCE_STOP.search(text)


def _kickers(lines: list[_Line], title: int, floor: int) -> list[int]:
    """Kicker and deck lines right above a title, not reaching into the header above."""
    j = title - 1
    while j > floor and title - j <= MAX_KICKERS and _is_kicker(lines[j].text):
        j -= 1
    return list(range(j + 1, title))


def _adopt_columns(lines: list[_Line], blocks: list[_Block]) -> None:
    """Column rule: a headline without body of its own takes the body above it (金台潮声)."""
    for k, block in enumerate(blocks):
        after = block.last + 1
        has_body = after < len(lines) and not (k + 1 < len(blocks) and after >= blocks[k + 1].first)
        if has_body:
            continue
        floor = blocks[k - 1].last if k else -1
        j = block.first - 1
        while j > floor and _is_body(lines, j):
            j -= 1
        if j > floor and j < block.first - 1 and _is_column_kicker(lines[j].text):
            block.kickers = [j] + block.kickers  # the lines between are body text
            block.first = j


def _is_column_kicker(text: str) -> bool:
    name = _strip_head(_MARKUP_HEAD, text)
    return 0 < len(name) <= COLUMN_KICKER and re.fullmatch(r"[\u4e00-\u9fff]+", name) is not None


def _attach_lead(lines: list[_Line], blocks: list[_Block]) -> bool:
    """Lead rule; returns whether the text before the first title is an untitled article."""
    if not blocks or blocks[0].first == 0:
        return bool(lines) and not blocks
    body = [i for i in range(blocks[0].first) if _is_body(lines, i)]
    if not body or not ends_sentence(lines[body[-1]].text):  # a masthead, or a sentence cut by the header
        blocks[0].first = 0
        return False
    return True


def _articles(doc: Document, lines: list[_Line], blocks: list[_Block], lead: bool) -> list[Article]:
    starts = ([0] if lead else []) + [b.first for b in blocks]
    headers: list[_Block | None] = ([None] if lead else []) + list(blocks)
    articles = []
    for k, (start, block) in enumerate(zip(starts, headers)):
        end = starts[k + 1] - 1 if k + 1 < len(starts) else len(lines) - 1
        title = _title_text(lines[block.title].text) if block else ""
        byline = _byline_text(lines[block.byline].text) if block and block.byline is not None else ""
        articles.append(Article(doc.path, k, title, byline, lines[start].start, lines[end].end))
    return articles


def _strip_head(pattern: re.Pattern[str], text: str) -> str:
    match = pattern.match(text)
    return text[match.end():] if match else text


def _title_text(text: str) -> str:
    return normalize_runs(_strip_head(_MARKUP_HEAD, text))[0]


def _byline_text(text: str) -> str:
    """Byline with its words kept apart (本报记者 朱磊), unlike running text."""
    return " ".join(normalize_runs(word)[0] for word in _strip_head(_BULLET, text).split())


# ── sentences ───────────────────────────────────────────────────────────────────────


def _kind(layout: _Layout, i: int, joined: bool) -> Kind:
    role = layout.roles.get(i)
    if role:
        return role
    lines = layout.lines
    text = lines[i].text
    if text.startswith(("#", "**")):
        return "heading"
    if is_caption(text) or _above_credit(lines, i):
        return "caption"
    if not joined and not ends_sentence(text) and is_standalone(text, _prev_text(lines, i)):
        return "heading"
    return "body"


def _above_credit(lines: Sequence[_Line], i: int) -> bool:
    """A photo caption sits right above its credit line (…\\n修水县委组织部供图)."""
    return i + 1 < len(lines) and lines[i + 1].breaks == 1 and is_caption(lines[i + 1].text)


def _pieces(norm: str, a: int, b: int, kind: Kind) -> list[tuple[int, int]]:
    """Trimmed sentence spans of the normalised line ``norm[a:b]``, markup removed."""
    if kind in ("title", "byline", "heading"):
        if b - a > 4 and norm.startswith("**", a) and norm.endswith("**", a, b):
            a, b = a + 2, b - 2
        elif head := _MARKUP_HEAD.match(norm, a):
            a = head.end()
        if kind == "byline" and (bullet := _BULLET.match(norm, a)):
            a = bullet.end()
        return [span] if (span := _trim(norm, a, b)) else []
    spans = []
    pos = a
    for match in _SENTENCE_END.finditer(norm, a, b):
        spans.append((pos, match.end()))
        pos = match.end()
    spans.append((pos, b))
    return [span for s, e in spans if (span := _trim(norm, s, e))]


def _trim(text: str, a: int, b: int) -> tuple[int, int] | None:
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    return (a, b) if a < b else None

"""Stage 2a: normalise text and keep, for every character, its offset in the input.

``normalize(text)`` returns ``(norm, offsets)`` with ``norm[i]`` taken from
``text[offsets[i]]``. Every pass below only drops characters or replaces one
character by exactly one other, never inserts or reorders, so the offset map is
exact and strictly increasing by construction.

Passes, in order:

1. clean: zero-width and control characters go (``\\r\\n`` → ``\\n``; a lone
   ``\\r`` and other line separators become ``\\n``); tabs and other spaces
   (ideographic space, NBSP) become ``" "``.
2. full-width ASCII letters and digits become half-width (ＡＢＣ１２３ → ABC123),
   by NFKC on those characters only: full-width punctuation stays full-width.
3. Traditional → Simplified with OpenCC ``t2s``, one run of Han characters at a
   time; a run whose conversion changes its length (a phrase rule) is converted
   character by character instead, so the map stays one to one.
4. half-width ``, : ; ? ! ( )`` next to a CJK character become full-width.
   Digits and ASCII letters are not CJK, so ``1,000`` and ``10:30`` stay; a
   bracket pair is widened together when either half qualifies.
5. line breaks inside a paragraph are removed (see ``_continues``), blank lines
   collapse to one, and spaces at line edges go.
6. spaces between two CJK characters go; other runs of spaces become one space.

The line-shape predicates (``is_standalone``, ``is_caption``, ``is_byline``,
``is_markup``, ``ends_sentence``) are shared with ``segment.py`` so that the
two stages agree on what a heading is.
"""

from __future__ import annotations

import functools
import re
import unicodedata

import opencc

from .model import OffsetMap

HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
# CJK punctuation, kana, full-width forms, curly quotes, dashes, ellipsis, middle dot
CJK_PUNCT = "\u3001-\u303f\u3040-\u30ff\uff01-\uff60\u2018-\u201f\u2014\u2015\u2026\u00b7\ufe30-\ufe4f"
_CJK_CHAR = re.compile(f"[{HAN}{CJK_PUNCT}]")
_HAN_RUN = re.compile(f"[{HAN}]+")
_HAN_CHAR = re.compile(f"[{HAN}]")

_WIDE = str.maketrans(",:;?!()", "，：；？！（）")
_LINE_BREAKS = "\r\x0b\x0c\x85\u2028\u2029"
# Characters _clean must look at: everything but line feeds, printable ASCII, CJK punctuation,
# Han and full-width forms (none of which is a space, a control or a format character).
_MAYBE_SPECIAL = re.compile("[^\n\x20-\x7e\u3001-\u303f\u4e00-\u9fff\uff01-\uffef]")
_FULL_ALNUM = re.compile("[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]")
# Half-width punctuation right after a CJK character or before (spaces and) a CJK character; after spaces.
# (The lookbehinds come after the punctuation so that the regex engine scans for punctuation first.)
_NEXT_TO_CJK = re.compile(f"[,:;?!()](?:(?<=[{HAN}{CJK_PUNCT}].)|(?= *[{HAN}{CJK_PUNCT}]))")
_AFTER_SPACE = re.compile("[,:;?!()](?<= .)")

# A line ending in one of these is complete; "——" ends a deck line (江西省探索以…——).
FINAL = ("。", "！", "？", "；", "…", "”", "’", "』", "」", "）", "】", "》", "!", "?", ";", ")", "——")
# Characters that may begin the continuation of a broken line, besides Han characters.
_CLOSERS = "，。、；：！？”’）》」』】…,;:!?)"
# Sentence punctuation inside a line marks it as running text, not a heading.
_INNER_STOP = re.compile(r"[。！？；，!?;,]")
_SPACED = re.compile(r"\S\s+\S")
# A heading never ends like this: a finished sentence, or a clause that goes on (李廷凯说，).
_RUNNING_END = ("。", "！", "？", "!", "?", "，", "、", ",", "：", ":")

_MARKUP = re.compile(r"^(?:#|\*\*|>\s|!\[|\|)")
# (Two regexes, not one with a ^ branch: a pattern that may start anywhere with 图 or 版 lets the
# regex engine scan for those two characters, where a ^ branch makes it try every position.)
_CAPTION_HEAD = re.compile(r"(?:[上下左右中]?图[①-⑳\d一二三四五六七八九十]*[：:]|本版责编|责任编辑|版式设计|美术编辑|图片编辑)")
_CAPTION_WORDS = re.compile(r"图片均[为由]|版式设计[：:]")
_CAPTION_TAIL = re.compile(r"(?:摄|供图|提供|制图)[)）]?$")
_BYLINE = re.compile(
    r"^[►▶■□●◆▲★☆]\s*\S"
    r"|^(?:\S+\s+)?(?:本报|本刊)?(?:全媒体|特约|实习)?(?:记者|通讯员)\s*[\u4e00-\u9fff]{2,4}(?:\s|$)"
    r"|^文\s*[／/]")

SHORT_LINE = 6  # a line this short without sentence punctuation is a kicker or a name (引领, 金台潮声, 张洋)
SPACED_LINE = 40  # up to this length, a space between words marks a two-part headline or a name list
OPENING_LINE = 20  # a line this short right after a finished paragraph opens a section (深度关注·…①)


def is_cjk(ch: str) -> bool:
    """Han character or CJK/full-width punctuation (what Chinese typesetting sets without spaces)."""
    return bool(ch) and _CJK_CHAR.match(ch) is not None


def is_markup(line: str) -> bool:
    return _MARKUP.match(line) is not None


def is_caption(line: str) -> bool:
    """Photo captions and credits: 图①：…, 上图：…, …摄, …供图, 本版责编…, 版式设计…"""
    if _CAPTION_HEAD.match(line) or _CAPTION_WORDS.search(line):
        return True
    # A long line or one with commas that ends in 提供 is running text broken by the layout.
    return len(line) <= 25 and not _INNER_STOP.search(line) and _CAPTION_TAIL.search(line) is not None


def is_byline(line: str) -> bool:
    """Marked or reporter bylines: ► 周佳, ■中共…组织部, 本报记者 朱磊, 沈祖文 本报全媒体记者 卢瑛琦."""
    return len(line) <= 40 and _BYLINE.search(line) is not None


def ends_sentence(line: str) -> bool:
    return line.rstrip().endswith(FINAL)


def is_standalone(line: str, prev: str | None = None) -> bool:
    """Whether a (stripped) line stands on its own and must not be glued to the next one.

    Headings, kickers, bylines, captions and mastheads stand alone. Running text has
    sentence punctuation inside, or ends with it. Otherwise decide by length and by
    the previous line: a very short line (≤ SHORT_LINE) is a kicker or a name; a
    spaced short line is a two-part headline or a name list; a short line right after
    a finished paragraph (or at the top) opens a section. A short line after an
    unfinished heading is the first line of a broken paragraph (福安市创新“组团式”挂钩).
    """
    if is_markup(line) or is_caption(line) or is_byline(line):
        return True
    if _INNER_STOP.search(line[:-1]) or line.endswith(_RUNNING_END):
        return False
    if len(line) <= SHORT_LINE or (len(line) <= SPACED_LINE and _SPACED.search(line) and _HAN_CHAR.search(line)):
        return True
    return len(line) <= OPENING_LINE and (prev is None or ends_sentence(prev) or is_caption(prev))


def normalize(text: str, base: int = 0) -> tuple[str, tuple[int, ...]]:
    """Normalised text and, for every normalised character, its offset in ``text`` plus ``base``."""
    norm, offsets = normalize_runs(text, base)
    return norm, tuple(offsets)


def normalize_runs(text: str, base: int = 0) -> tuple[str, OffsetMap]:
    """``normalize`` with the offsets kept as runs of consecutive positions.

    Every pass works on runs of text (slices), not character by character: extraction
    reads megabytes of text and these passes run first. The passes that drop characters
    say which ranges they keep, and the map follows them run by run (``_select``).
    """
    norm, keep = _clean(text)
    runs = _select([(0, base)], keep)
    norm = _fold_width(norm)
    norm = _fold_traditional(norm)
    norm = _widen_punctuation(norm)
    norm, keep = _join_lines(norm)
    runs = _select(runs, keep)
    norm, keep = _squeeze_spaces(norm)
    runs = _select(runs, keep)
    return norm, OffsetMap(len(norm), tuple(start for start, _ in runs), tuple(pos for _, pos in runs))


Runs = list[tuple[int, int]]  # (index in a text, input position of that index) where each run starts


def _select(runs: Runs, keep: list[tuple[int, int]]) -> Runs:
    """The runs of the text made of the ``keep`` ranges (in order) of a text whose runs are ``runs``:
    maximal runs, as ``OffsetMap.of`` makes them."""
    out: Runs = []
    size = 0  # length of the new text so far
    follows = -1  # input position that would continue the last run
    j = 0
    for a, b in keep:
        while a < b:
            while j + 1 < len(runs) and runs[j + 1][0] <= a:
                j += 1
            start, pos = runs[j]
            end = min(b, runs[j + 1][0]) if j + 1 < len(runs) else b
            if pos + a - start != follows:
                out.append((size, pos + a - start))
            size += end - a
            follows = pos + end - start
            a = end
    return out


def _clean(text: str) -> tuple[str, list[tuple[int, int]]]:
    """The cleaned text and the ranges of ``text`` it keeps (a replaced character is kept)."""
    pieces: list[str] = []
    keep: list[tuple[int, int]] = []
    done = 0
    for match in _MAYBE_SPECIAL.finditer(text):
        i = match.start()
        ch = text[i]
        if ch == "\r" and text[i + 1:i + 2] == "\n":
            new = ""  # the \n of a CRLF pair carries the break
        elif ch in _LINE_BREAKS:
            new = "\n"
        elif ch == "\t" or unicodedata.category(ch) == "Zs":
            new = " "
        elif unicodedata.category(ch) in ("Cc", "Cf"):
            new = ""  # zero-width characters (U+200B, U+FEFF, soft hyphen) are Cf
        else:
            continue
        pieces += (text[done:i], new)
        keep.append((done, i + (1 if new else 0)))
        done = i + 1
    pieces.append(text[done:])
    keep.append((done, len(text)))
    return "".join(pieces), keep


def _fold_width(text: str) -> str:
    return _FULL_ALNUM.sub(lambda m: unicodedata.normalize("NFKC", m.group()), text)


@functools.cache
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s.json")


def _fold_traditional(text: str) -> str:
    """Every Han run converted on its own, but in one call to OpenCC: the runs are joined by
    line breaks, which no dictionary entry holds, so no phrase reaches across two runs."""
    runs = _HAN_RUN.findall(text)
    if not runs:
        return text
    converter = _t2s()
    joined = "\n".join(runs)
    folded: str = converter.convert(joined)
    if folded == joined:  # nothing Traditional: the common case
        return text
    simplified = folded.split("\n")
    if len(simplified) != len(runs):  # cannot happen with t2s; stay exact if a dictionary ever does it
        simplified = [str(converter.convert(run)) for run in runs]
    pieces: list[str] = []
    done = 0
    for match, new in zip(_HAN_RUN.finditer(text), simplified):
        run = match.group()
        if new == run:
            continue
        if len(new) != len(run):  # a phrase rule changed the length; per character every output is checked
            new = "".join(c if len(c := str(converter.convert(ch))) == 1 else ch for ch in run)
        pieces += (text[done:match.start()], new)
        done = match.end()
    pieces.append(text[done:])
    return "".join(pieces)


def _char_before(text: str, i: int) -> str:
    """Nearest character before ``i`` that is not a space ("" at the start)."""
    i -= 1
    while i >= 0 and text[i] == " ":
        i -= 1
    return text[i] if i >= 0 else ""


def _bracket_pairs(text: str) -> list[tuple[int, int]]:
    pairs: list[tuple[int, int]] = []
    stack: list[int] = []
    for match in re.finditer(r"[\n()]", text):
        i, ch = match.start(), match.group()
        if ch == "\n":
            stack.clear()  # brackets pair within a line only
        elif ch == "(":
            stack.append(i)
        elif stack:
            pairs.append((stack.pop(), i))
    return pairs


def _widen_punctuation(text: str) -> str:
    """Half-width punctuation whose nearest non-space neighbour on its line is CJK, on either side."""
    out = _NEXT_TO_CJK.sub(_wide, text)  # one pass, in C; its lookarounds read the text as it was
    more = {m.start() for m in _AFTER_SPACE.finditer(text) if is_cjk(_char_before(text, m.start()))}
    if "(" in text or ")" in text:
        for left, right in _bracket_pairs(text):
            if out[left] == "（" or out[right] == "）" or left in more or right in more:
                more |= {left, right}  # keep a pair consistent: 南康区(2023) → 南康区（2023）
    if not more:
        return out
    pieces: list[str] = []
    done = 0
    for i in sorted(more):
        pieces += (out[done:i], text[i].translate(_WIDE))
        done = i + 1
    pieces.append(out[done:])
    return "".join(pieces)


def _wide(match: re.Match[str]) -> str:
    return match.group().translate(_WIDE)


def _opens_continuation(line: str) -> bool:
    return bool(line) and (_HAN_CHAR.match(line[0]) is not None or line[0] in _CLOSERS)


def _continues(lines: list[str], breaks: list[int], k: int) -> bool:
    """Whether line ``k`` runs on into line ``k + 1`` (a break inside a paragraph: 聚\\n\\n合力).

    It does when line k ends without sentence-final punctuation, the next line begins
    with a Han character or closing punctuation, neither line stands alone (heading,
    kicker, byline, caption, markup), and the next line is not a photo caption, which
    shows as a credit line (…供图) right under it.
    """
    line, nxt = lines[k], lines[k + 1]
    prev = lines[k - 1] if k else None
    if ends_sentence(line) or not _opens_continuation(nxt):
        return False
    if is_standalone(line, prev) or is_standalone(nxt, line):
        return False
    credit_follows = k + 2 < len(lines) and breaks[k + 1] == 1 and is_caption(lines[k + 2])
    return not credit_follows


def _content_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of the content of every non-blank line, without edge spaces."""
    spans = []
    for match in re.finditer(r"[^\n]+", text):
        line = match.group()
        stripped = line.strip(" ")
        if stripped:
            start = match.start() + len(line) - len(line.lstrip(" "))
            spans.append((start, start + len(stripped)))
    return spans


def _join_lines(text: str) -> tuple[str, list[tuple[int, int]]]:
    """The text with broken lines joined, and the ranges of ``text`` it keeps."""
    spans = _content_spans(text)
    lines = [text[s:e] for s, e in spans]
    breaks = [text[spans[k][1]:spans[k + 1][0]].count("\n") for k in range(len(spans) - 1)]
    pieces: list[str] = []
    keep: list[tuple[int, int]] = []
    for k, (start, end) in enumerate(spans):
        pieces.append(lines[k])
        keep.append((start, end))
        if k + 1 < len(spans) and not _continues(lines, breaks, k):
            # Keep at most two line breaks: one ends the line, two mark a paragraph.
            newlines = [i for i in range(end, spans[k + 1][0]) if text[i] == "\n"][:2]
            pieces.append("\n" * len(newlines))
            keep += [(i, i + 1) for i in newlines]
    return "".join(pieces), keep


def _squeeze_spaces(text: str) -> tuple[str, list[tuple[int, int]]]:
    """The text with spaces squeezed, and the ranges of ``text`` it keeps."""
    pieces: list[str] = []
    keep: list[tuple[int, int]] = []
    done = 0
    for match in re.finditer(" +", text):
        start, end = match.span()
        before = text[start - 1] if start else ""
        after = text[end] if end < len(text) else ""
        cut = start if is_cjk(before) and is_cjk(after) else start + 1  # keep one space unless between CJK
        pieces.append(text[done:cut])
        keep.append((done, cut))
        done = end
    pieces.append(text[done:])
    keep.append((done, len(text)))
    return "".join(pieces), keep

"""Stage 1: read every document under the input folders.

``read_documents(dirs)`` yields one ``Document`` per ``*.txt``, ``*.md``, ``*.html``
or ``*.htm`` file, or a ``Diagnostic`` for a file or folder that could not be read;
one bad file never stops the others. ``plan_documents(dirs)`` lists them without reading. Files are read in the order of their POSIX
path relative to the folder given, so the same folder always gives the same order.

Decoding, in order: a UTF-8 BOM (utf-8-sig), a UTF-16 BOM (LE or BE), strict UTF-8,
then GB18030 (a superset of GBK) when the result looks like text. HTML files are
reduced to their text with the stdlib ``html.parser``.

Codes: D001 undecodable, D002 empty (warning), D003 binary, D004 unreadable,
D005 missing input folder, D006 over the size limit.
"""

from __future__ import annotations

import os
import re
import stat
import unicodedata
from collections.abc import Iterator, Sequence
from html.parser import HTMLParser
from pathlib import Path

from .model import Diagnostic, Document

MAX_BYTES = 64 * 1024 * 1024  # `redchain build --max-document-mb` sets it
SUFFIXES = (".txt", ".md", ".html", ".htm")
HTML_SUFFIXES = (".html", ".htm")
TEXT_SHARE = 0.9  # GB18030 output must be at least this share of CJK, ASCII and whitespace
CONTROL_SHARE = 0.01  # ... and at most this share of control characters

_BOMS = ((b"\xef\xbb\xbf", "utf-8", "utf-8-sig"), (b"\xff\xfe", "utf-16-le", "utf-16-le"),
         (b"\xfe\xff", "utf-16-be", "utf-16-be"))  # (byte-order mark, codec after it, encoding reported)


def read_documents(dirs: Sequence[Path | str], *, max_bytes: int = MAX_BYTES) -> Iterator[Document | Diagnostic]:
    """Documents under each folder (or the file itself), in a stable order; Diagnostics for failures.
    Each file is read when the next item is asked for: a build holds one text at a time."""
    for item in plan_documents(dirs):
        yield item if isinstance(item, Diagnostic) else read_document(item, max_bytes=max_bytes)


def plan_documents(dirs: Sequence[Path | str]) -> list[Path | Diagnostic]:
    """What ``read_documents`` reads, in its order, without reading it: the path of each file, and
    the Diagnostics of missing folders and of folders that could not be listed."""
    plan: list[Path | Diagnostic] = []
    seen: set[str] = set()
    for entry in dirs:
        root = Path(entry)
        if root.is_dir():
            paths, problems = _list_folder(root)
        elif root.exists():
            paths, problems = [root], []
        else:
            plan.append(Diagnostic(shown_path(root), "D005", "input folder does not exist; nothing read from it",
                                   hint="check the --input path"))
            continue
        for path in paths:
            key = os.path.abspath(path)
            if key not in seen:  # overlapping inputs give one Document per file
                seen.add(key)
                plan.append(path)
        plan += problems
    return plan


def read_document(path: Path, *, max_bytes: int = MAX_BYTES) -> Document | Diagnostic:
    """One file as a Document, or the Diagnostic that says why it was skipped."""
    shown = shown_path(path)
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            return Diagnostic(shown, "D004", "cannot read: not a regular file; document skipped")
        if info.st_size > max_bytes:
            return _too_large(shown, info.st_size, max_bytes)
        data = path.read_bytes()
    except OSError as exc:
        return Diagnostic(shown, "D004", f"cannot read: {exc.strerror or exc}; document skipped")
    if len(data) > max_bytes:  # the file grew after stat()
        return _too_large(shown, len(data), max_bytes)
    decoded = decode_bytes(data, shown)
    if isinstance(decoded, Diagnostic):
        return decoded
    text, encoding = decoded
    if path.suffix.lower() in HTML_SUFFIXES:
        text = html_to_text(text)
    if _is_blank(text):
        return Diagnostic(shown, "D002", "empty document (no text); skipped", severity="warning")
    return Document(shown, text, encoding)


def decode_bytes(data: bytes, shown: str = "<bytes>") -> tuple[str, str] | Diagnostic:
    """(text, encoding name) or the D001/D002/D003 Diagnostic."""
    if not data:
        return Diagnostic(shown, "D002", "empty document (0 bytes); skipped", severity="warning")
    for bom, codec, name in _BOMS:
        if data.startswith(bom):
            return _decode_after_bom(data, len(bom), codec, name, shown)
    if b"\x00" in data:
        return _binary(shown, data.index(b"\x00"))
    return _decode_plain(data, shown)


def _decode_after_bom(data: bytes, skip: int, codec: str, name: str, shown: str) -> tuple[str, str] | Diagnostic:
    try:
        text = data[skip:].decode(codec)
    except UnicodeDecodeError as exc:
        return _undecodable(shown, data, exc.start + skip)  # positions count from after the BOM
    if "\x00" in text:  # UTF-32 read as UTF-16, or binary behind a BOM
        return _binary(shown, data.index(b"\x00"))
    return text, name


def _decode_plain(data: bytes, shown: str) -> tuple[str, str] | Diagnostic:
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        bad = exc.start  # the UTF-8 error is the useful one: files are meant to be UTF-8
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        return _undecodable(shown, data, bad)
    return (text, "gb18030") if _looks_like_text(text) else _undecodable(shown, data, bad)


def _looks_like_text(text: str) -> bool:
    """GB18030 decodes many byte strings; accept the result only if it reads as Chinese or ASCII text."""
    good = sum(1 for ch in text if ch.isspace() or (ch.isprintable() and (ch.isascii() or _is_cjk_text(ch))))
    control = sum(1 for ch in text if unicodedata.category(ch) == "Cc" and ch not in "\n\r\t")
    return good >= TEXT_SHARE * len(text) and control <= CONTROL_SHARE * len(text)


def _is_cjk_text(ch: str) -> bool:
    code = ord(ch)
    return (0x4E00 <= code <= 0x9FFF or 0x3400 <= code <= 0x4DBF or 0x3000 <= code <= 0x303F
            or 0xFF00 <= code <= 0xFFEF or 0x2010 <= code <= 0x206F or ch == "\u00b7")


def _is_blank(text: str) -> bool:
    """Only whitespace and invisible format characters (zero-width spaces, BOMs)."""
    return all(ch.isspace() or unicodedata.category(ch) == "Cf" for ch in text)


def _undecodable(shown: str, data: bytes, offset: int) -> Diagnostic:
    line = data[:offset].count(b"\n") + 1
    return Diagnostic(shown, "D001",
                      f"not UTF-8, UTF-16 or GB18030 (bad byte 0x{data[offset]:02x} at offset {offset}); document skipped",
                      line=line, hint="re-save the file as UTF-8")


def _binary(shown: str, offset: int) -> Diagnostic:
    return Diagnostic(shown, "D003", f"binary file (NUL byte at offset {offset}); document skipped",
                      hint="only text files are read; save UTF-16 text with a byte-order mark")


def _too_large(shown: str, size: int, limit: int) -> Diagnostic:
    return Diagnostic(shown, "D006", f"file is {size} bytes, over the limit of {limit} bytes; document refused",
                      hint="split the file, or raise the limit with --max-document-mb")


def shown_path(path: Path) -> str:
    """POSIX path relative to the current folder when under it, else absolute."""
    absolute = Path(os.path.abspath(path))
    try:
        return absolute.relative_to(Path.cwd()).as_posix()
    except (ValueError, OSError):  # outside the current folder, or the current folder is gone
        return absolute.as_posix()


def _list_folder(root: Path) -> tuple[list[Path], list[Diagnostic]]:
    """Matching files under ``root`` sorted by relative POSIX path, and folders that could not be listed."""
    errors: list[OSError] = []
    found: list[tuple[str, Path]] = []
    for folder, _dirs, files in os.walk(root, onerror=errors.append):
        for name in files:
            if name.lower().endswith(SUFFIXES):
                path = Path(folder, name)
                found.append((path.relative_to(root).as_posix(), path))
    problems = [Diagnostic(shown_path(Path(exc.filename or root)), "D004",
                           f"cannot list folder: {exc.strerror or exc}; files in it were skipped")
                for exc in errors]
    return [path for _, path in sorted(found)], sorted(problems, key=lambda d: d.path)


# ── HTML ────────────────────────────────────────────────────────────────────────────
# Offsets of an HTML document point into the stripped text (Document.text), not
# into the markup: the stripped text is what every later stage reads.

_SKIP = {"script", "style", "noscript", "template", "title"}  # <title> repeats the site name and the h1
_BLOCK = {"address", "article", "aside", "blockquote", "body", "dd", "div", "dl", "dt", "figcaption", "figure",
          "footer", "header", "hr", "li", "main", "nav", "ol", "p", "pre", "section", "table", "tr", "ul"}
_HEADINGS = {"h1": "# ", "h2": "## ", "h3": "### ", "h4": "### ", "h5": "### ", "h6": "### "}


class _TextExtractor(HTMLParser):
    """Text of an HTML page: block elements become line breaks, headings become markdown headings
    (so the article splitter sees ``# title``), script and style content is dropped."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)  # entities are unescaped in handle_data
        self.parts: list[str] = []
        self.skip = 0
        self.pre = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP:
            self.skip += 1
        elif tag == "br":
            self.parts.append("\n")
        elif tag in _HEADINGS:
            self.parts.append("\n\n" + _HEADINGS[tag])
        elif tag in _BLOCK:
            self.pre += tag == "pre"
            self.parts.append("\n\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self.skip = max(0, self.skip - 1)
        elif tag in _BLOCK or tag in _HEADINGS:
            self.pre = max(0, self.pre - (tag == "pre"))
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if not self.skip:
            # Outside <pre>, a line break in the source is just a space, as a browser shows it.
            self.parts.append(data if self.pre else re.sub(r"[ \t\n\r\f]+", " ", data))


def html_to_text(markup: str) -> str:
    parser = _TextExtractor()
    parser.feed(markup)
    parser.close()
    text = re.sub(r"[ \t]*\n[ \t]*", "\n", "".join(parser.parts))
    return re.sub(r"\n{3,}", "\n\n", text).strip()

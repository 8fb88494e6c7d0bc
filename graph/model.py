"""Frozen records passed between the pipeline stages. No I/O, no rdflib.

Offsets: a ``Sentence`` holds *normalised* text (full-width punctuation, line
breaks inside words removed, Traditional folded to Simplified) together with
``offsets``, which maps every normalised character back to its position in the
original document text. Mentions and facts carry normalised offsets; use
``Sentence.source_span`` to get the span in the file as written.
"""

from __future__ import annotations

import bisect
import operator
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Callable, Literal, TypeVar, overload

Severity = Literal["error", "warning", "info"]
C = TypeVar("C", bound=type)


def pickled_by_fields(cls: C) -> C:
    """Pickle a slotted dataclass as its constructor and its field values. The default for
    ``slots=True`` (``dataclasses._dataclass_setstate``) looks up the fields again for every
    object: loading a build's extraction results took three times as long."""
    names: tuple[str, ...] = getattr(cls, "__slots__")
    values: Callable[[Any], Any] = operator.attrgetter(*names)

    def __reduce__(self: Any) -> tuple[type, tuple[Any, ...]]:
        return cls, values(self) if len(names) > 1 else (values(self),)  # attrgetter of one name: no tuple

    setattr(cls, "__reduce__", __reduce__)
    return cls


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Document:
    path: str  # as given on the command line, POSIX separators
    text: str  # decoded, original (not normalised)
    encoding: str


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Article:
    doc_path: str
    index: int  # 0-based within the document
    title: str  # normalised title ("" when the page gives none)
    byline: str
    start: int  # span of the whole article in Document.text
    end: int


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class OffsetMap(Sequence[int]):
    """Increasing positions in the document, one per character of a sentence, kept as runs of
    consecutive positions: a sentence has a handful of runs (one more where normalising dropped
    a line break or a space), where a tuple of ints costs about 36 bytes a character."""

    length: int
    starts: tuple[int, ...]  # index in the sentence where each run begins (0 first, when length > 0)
    bases: tuple[int, ...]  # the document position of that index

    @classmethod
    def of(cls, offsets: Sequence[int]) -> OffsetMap:
        starts = [i for i in range(len(offsets)) if i == 0 or offsets[i] != offsets[i - 1] + 1]
        return cls(len(offsets), tuple(starts), tuple(offsets[i] for i in starts))

    def __len__(self) -> int:
        return self.length

    @overload
    def __getitem__(self, index: int) -> int: ...

    @overload
    def __getitem__(self, index: slice) -> tuple[int, ...]: ...

    def __getitem__(self, index: int | slice) -> int | tuple[int, ...]:
        if isinstance(index, slice):
            return tuple(self[i] for i in range(*index.indices(self.length)))
        i = index + self.length if index < 0 else index
        if not 0 <= i < self.length:
            raise IndexError(f"offset {index} outside a sentence of {self.length} characters")
        run = bisect.bisect_right(self.starts, i) - 1
        return self.bases[run] + i - self.starts[run]

    def __iter__(self) -> Iterator[int]:
        ends = (*self.starts[1:], self.length)
        for start, end, base in zip(self.starts, ends, self.bases):
            yield from range(base, base + end - start)


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Sentence:
    doc_path: str
    article_index: int
    index: int  # 0-based within the document (stable id: doc + index)
    text: str  # normalised
    offsets: OffsetMap  # offsets[i] = position of text[i] in Document.text
    kind: Literal["body", "title", "heading", "caption", "byline"] = "body"

    def source_span(self, start: int = 0, end: int | None = None) -> tuple[int, int]:
        """Span in the original document of normalised ``text[start:end]``."""
        end = len(self.text) if end is None else end
        if end <= start:
            pos = self.offsets[start] if start < len(self.offsets) else (self.offsets[-1] + 1 if self.offsets else 0)
            return pos, pos
        return self.offsets[start], self.offsets[end - 1] + 1


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Mention:
    text: str  # surface form in the normalised sentence
    cls: str  # ontology class local name, e.g. "Enterprise"
    start: int  # normalised offsets within the sentence
    end: int
    name: str  # the canonical name it stands for (天一航空党支部 → 江西天一航空装备有限公司党支部)
    found_by: str  # "gazetteer:<source>", "name:<rule id>", "alias:<declared|derived|person>"
    parts: tuple[tuple[str, Mention], ...] = ()  # name grammar: ("owner", 江西铜业集团), ("place", 张家港市)
    attrs: tuple[tuple[str, str], ...] = ()  # ("level", "党委"), ("code", "360481")

    def part(self, role: str) -> Mention | None:
        for r, m in self.parts:  # a loop, not next(genexpr): called a million times in resolution
            if r == role:
                return m
        return None

    def attr(self, key: str) -> str:
        for k, v in self.attrs:
            if k == key:
                return v
        return ""


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Fact:
    subject: Mention
    relation: str  # ontology property local name
    object: Mention
    rule_id: str
    sentence: Sentence
    span: tuple[int, int]  # normalised offsets within the sentence of the whole match
    detail: str = ""  # e.g. the post title of an affiliatedWith fact (董事长)


@dataclass(frozen=True, slots=True)
class Entity:
    iri: str
    cls: str
    label: str  # canonical Chinese name
    alt_labels: tuple[str, ...] = ()
    en_label: str = ""
    attrs: tuple[tuple[str, str], ...] = field(default=())  # extra data properties (local name, value)


@dataclass(frozen=True, slots=True)
class Diagnostic:
    path: str
    code: str  # letter for the area + 3 digits: D documents, G gazetteers, R rules, M mentions, S SHACL, Q query, C CLI
    message: str
    severity: Severity = "error"
    line: int | None = None
    col: int | None = None
    rule_id: str | None = None
    hint: str | None = None

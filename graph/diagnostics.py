"""Diagnostics: one exception class per area, codes carry the detail.

Codes (stable forever; the README lists them all):
  D001-D006  documents that could not be read (see documents.py)
  G001-G004  gazetteer files
  R001-R012  rule files
  M001-M003  mentions and entity resolution
  S001       SHACL violations in the built graph
  Q001-Q002  queries
  C001-C002  command-line usage
"""

from __future__ import annotations

import unicodedata
from typing import Sequence

from .model import Diagnostic


class RedchainError(Exception):
    """Base class; carries the diagnostics that explain it."""

    def __init__(self, diagnostics: Sequence[Diagnostic]) -> None:
        self.diagnostics = list(diagnostics)
        super().__init__("\n".join(format_diagnostic(d) for d in self.diagnostics))


class RuleFileError(RedchainError):
    """A rule, gazetteer or ontology file is invalid; nothing was built."""


class DocumentError(RedchainError):
    """A document could not be read (used with --fail-fast)."""


class QueryError(RedchainError):
    """A SPARQL query could not be parsed or run."""


def display_width(text: str) -> int:
    """Terminal cells: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def format_diagnostic(diag: Diagnostic, source_line: str | None = None) -> str:
    """`path:line:col: severity CODE: message [rule id]`, then source line, caret, hint."""
    where = diag.path
    if diag.line is not None:
        where += f":{diag.line}"
        if diag.col is not None:
            where += f":{diag.col}"
    head = f"{where}: {diag.severity} {diag.code}: {diag.message}"
    if diag.rule_id:
        head += f" [rule {diag.rule_id}]"
    lines = [head]
    if source_line is not None:
        lines.append("    " + source_line)
        if diag.col is not None:
            lines.append("    " + " " * display_width(source_line[: diag.col - 1]) + "^")
    if diag.hint:
        lines.append(f"  hint: {diag.hint}")
    return "\n".join(lines)

"""SPARQL over a built graph, and the shared result formats (table, csv, tsv, json)."""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal as TypingLiteral

from rdflib import BNode, Dataset, Graph, Literal, URIRef

from .diagnostics import QueryError, display_width
from .model import Diagnostic
from .vocab import bind_prefixes

Format = TypingLiteral["table", "csv", "tsv", "json"]
QUERY_DIR = Path(__file__).resolve().parent.parent / "queries"
_CSV_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
DATASETS = ("trig", "nquads")  # loaded with the union of their graphs as the default graph
_RUNS_ON = re.compile(r"^# runs on: (\S+)$", re.MULTILINE)


@dataclass(frozen=True, slots=True)
class Result:
    variables: tuple[str, ...]
    rows: tuple[tuple[URIRef | Literal | BNode | None, ...], ...]


def load_graph(path: Path | str) -> Graph:
    """A built graph by its suffix: Turtle (the default), N-Triples or JSON-LD; TriG or N-Quads
    as a dataset that queries see as the union of its graphs (GRAPH ?article {…} works too)."""
    from rdflib.util import guess_format

    syntax = guess_format(str(path)) or "turtle"
    g = Dataset(default_union=True) if syntax in DATASETS else Graph()
    bind_prefixes(g)
    g.parse(str(path), format=syntax)
    return g


def query_graph_file(text: str) -> str:
    """The output file a query is written for: ``graph.ttl``, or what a ``# runs on: FILE`` line names
    (the evidence of facts is in the datasets, graph.trig and graph.nq, not in graph.ttl)."""
    declared = _RUNS_ON.search(text)
    return declared.group(1) if declared else "graph.ttl"


def resolve_query_text(spec: str) -> tuple[str, str]:
    """A .rq path, a named query in queries/, or inline SPARQL → (source, text)."""
    path = Path(spec)
    if spec.endswith(".rq") and path.exists():
        return str(path), path.read_text(encoding="utf-8")
    named = QUERY_DIR / f"{spec}.rq"
    if "\n" not in spec and len(spec) < 200 and named.exists():
        return str(named), named.read_text(encoding="utf-8")
    return "<inline>", spec


def run_query(g: Graph, text: str, source: str = "<inline>") -> Result:
    try:
        result = g.query(text)
    except Exception as exc:  # rdflib raises pyparsing and many other errors for bad SPARQL
        raise QueryError([Diagnostic(source, "Q001", f"query failed: {exc}".splitlines()[0])]) from exc
    if result.type != "SELECT":
        raise QueryError([Diagnostic(source, "Q002", f"only SELECT queries are supported here, not {result.type}")])
    variables = tuple(str(v) for v in result.vars or ())
    rows: list[tuple[Any, ...]] = []
    for row in result:
        values = row.asdict()  # type: ignore[union-attr]  # SELECT rows are ResultRows
        rows.append(tuple(values.get(v) for v in variables))
    return Result(variables, tuple(rows))


def _text(term: URIRef | Literal | BNode | None) -> str:
    return "" if term is None else str(term)


def format_result(result: Result, fmt: Format = "table") -> str:
    if fmt == "json":
        return _json(result)
    if fmt in ("csv", "tsv"):
        return _delimited(result, "," if fmt == "csv" else "\t")
    return _table(result)


def _table(result: Result) -> str:
    cells = [list(result.variables)] + [[_text(t) for t in row] for row in result.rows]
    widths = [max(display_width(r[i]) for r in cells) for i in range(len(result.variables))]

    def line(row: list[str]) -> str:
        return "  ".join(c + " " * (w - display_width(c)) for c, w in zip(row, widths)).rstrip()

    rule = "  ".join("-" * w for w in widths)
    body = [line(cells[0]), rule] + [line(r) for r in cells[1:]]
    count = len(result.rows)
    return "\n".join(body) + f"\n({count} row{'' if count == 1 else 's'})\n"


def _safe_cell(value: str) -> str:
    """Neutralise spreadsheet formulas: a cell starting with = + - @ gets a leading quote."""
    return "'" + value if value.startswith(_CSV_TRIGGERS) else value


def _delimited(result: Result, sep: str) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=sep, lineterminator="\r\n")  # RFC 4180; a lone \r in a value gets quoted
    writer.writerow(result.variables)
    for row in result.rows:
        writer.writerow([_safe_cell(_text(t)) for t in row])
    return buffer.getvalue()


def _json_term(term: URIRef | Literal | BNode) -> dict[str, str]:
    if isinstance(term, URIRef):
        return {"type": "uri", "value": str(term)}
    if isinstance(term, BNode):
        return {"type": "bnode", "value": str(term)}
    out = {"type": "literal", "value": str(term)}
    if term.language:
        out["xml:lang"] = term.language
    elif term.datatype:
        out["datatype"] = str(term.datatype)
    return out


def _json(result: Result) -> str:
    """SPARQL 1.1 Query Results JSON Format."""
    bindings = [{v: _json_term(t) for v, t in zip(result.variables, row) if t is not None} for row in result.rows]
    doc = {"head": {"vars": list(result.variables)}, "results": {"bindings": bindings}}
    return json.dumps(doc, ensure_ascii=False, indent=1) + "\n"

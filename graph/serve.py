"""`redchain serve`: the graph, read-only, over the SPARQL 1.1 Protocol.

Queries run on an in-memory Oxigraph store (fast joins, standard result
serialisers). ``/query`` answers GET ?query=… and POST (form or
application/sparql-query); updates are refused with 403. ``/`` is a small query
page with no external resources, so it works offline.
"""

from __future__ import annotations

import html
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Callable
from urllib.parse import parse_qs, urlparse

MAX_BODY = 1 << 20  # a query larger than 1 MiB is refused
_RESULT_TYPES = {
    "application/sparql-results+json": "JSON",
    "application/json": "JSON",
    "application/sparql-results+xml": "XML",
    "text/csv": "CSV",
    "text/tab-separated-values": "TSV",
}
_GRAPH_TYPES = {"text/turtle": "TURTLE", "application/n-triples": "N_TRIPLES"}

PAGE = """<!doctype html><meta charset="utf-8"><title>redchain SPARQL</title>
<style>body{{font:14px sans-serif;margin:2em}}textarea{{width:100%;height:12em;font:13px monospace}}
table{{border-collapse:collapse}}td,th{{border:1px solid #ccc;padding:2px 6px}}</style>
<h1>redchain SPARQL endpoint</h1><p>Graph: {graph} ({triples} triples). Read-only; POST or GET to <code>/query</code>.</p>
<form method="get" action="/query"><textarea name="query">{query}</textarea>
<input type="hidden" name="format" value="html"><p><button>Run</button></p></form>"""
DEFAULT_QUERY = """PREFIX rc: <https://w3id.org/redchain/ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?committee ?chain WHERE {
  ?c a rc:ChainPartyCommittee ; rc:servesChain ?ch ; rdfs:label ?committee .
  ?ch rdfs:label ?chain . FILTER(lang(?committee) = "zh" && lang(?chain) = "zh")
} ORDER BY ?chain"""


def load_store(graph: Path) -> Any:  # pyoxigraph.Store
    """graph.ttl, or any built graph or dataset by its suffix (.nt, .jsonld, .trig, .nq)."""
    import pyoxigraph

    store = pyoxigraph.Store()
    syntax = pyoxigraph.RdfFormat.from_extension(graph.suffix.lstrip(".").lower()) or pyoxigraph.RdfFormat.TURTLE
    store.bulk_load(path=str(graph), format=syntax)
    return store


class SparqlHandler(BaseHTTPRequestHandler):
    """The endpoint's requests, answered from ``store`` (a pyoxigraph Store of the file ``graph``)."""

    server_version = "redchain"
    store: Any
    graph: Path

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        url = urlparse(self.path)
        params = parse_qs(url.query)
        if url.path == "/":
            return self._send(HTTPStatus.OK, "text/html; charset=utf-8", self._page(DEFAULT_QUERY).encode())
        if url.path != "/query":
            return self._send(HTTPStatus.NOT_FOUND, "text/plain", b"not found: use /query\n")
        if "update" in params:
            return self._refuse()
        self._answer(params.get("query", [""])[0], params.get("format", [""])[0])

    def do_POST(self) -> None:  # noqa: N802
        if urlparse(self.path).path != "/query":
            return self._send(HTTPStatus.NOT_FOUND, "text/plain", b"not found: use /query\n")
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            return self._send(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "text/plain", b"query too large\n")
        body = self.rfile.read(length).decode("utf-8", "replace")
        kind = (self.headers.get("Content-Type") or "").split(";")[0].strip()
        if kind == "application/sparql-update":
            return self._refuse()
        if kind == "application/sparql-query":
            return self._answer(body, "")
        form = parse_qs(body)
        if "update" in form:
            return self._refuse()
        self._answer(form.get("query", [""])[0], form.get("format", [""])[0])

    def _refuse(self) -> None:
        self._send(HTTPStatus.FORBIDDEN, "text/plain", b"this endpoint is read-only: updates are refused\n")

    def _answer(self, query: str, fmt: str) -> None:
        import pyoxigraph

        if not query.strip():
            return self._send(HTTPStatus.BAD_REQUEST, "text/plain", b"missing 'query'\n")
        try:
            result = self.store.query(query, use_default_graph_as_union=True)  # a dataset: all its graphs
        except (SyntaxError, ValueError, OSError) as exc:
            return self._send(HTTPStatus.BAD_REQUEST, "text/plain", f"{exc}\n".encode())
        if fmt == "html":
            return self._send(HTTPStatus.OK, "text/html; charset=utf-8", self._html(query, result).encode())
        if isinstance(result, pyoxigraph.QueryTriples):
            mime = self._pick(_GRAPH_TYPES, "text/turtle")
            data = result.serialize(format=getattr(pyoxigraph.RdfFormat, _GRAPH_TYPES[mime]))
        else:
            mime = self._pick(_RESULT_TYPES, "application/sparql-results+json")
            data = result.serialize(format=getattr(pyoxigraph.QueryResultsFormat, _RESULT_TYPES[mime]))
        self._send(HTTPStatus.OK, f"{mime}; charset=utf-8", data or b"")

    def _pick(self, types: dict[str, str], default: str) -> str:
        accept = self.headers.get("Accept") or ""
        wanted = [part.split(";")[0].strip() for part in accept.split(",")]
        return next((w for w in wanted if w in types), default)

    def _page(self, query: str) -> str:
        return PAGE.format(graph=html.escape(str(self.graph)), triples=len(self.store), query=html.escape(query))

    def _html(self, query: str, result: Any) -> str:
        import pyoxigraph

        if not isinstance(result, pyoxigraph.QuerySolutions):
            return self._page(query) + "<p>Result: " + html.escape(str(bool(result))) + "</p>"
        names = [v.value for v in result.variables]
        rows = "".join("<tr>" + "".join(f"<td>{html.escape(getattr(s[n], 'value', '') if s[n] else '')}</td>"
                                         for n in names) + "</tr>" for s in result)
        head = "".join(f"<th>{html.escape(n)}</th>" for n in names)
        return self._page(query) + f"<table><tr>{head}</tr>{rows}</table>"

    def _send(self, status: HTTPStatus, mime: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", mime)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # quiet by default
        pass


def make_handler(store: Any, graph: Path) -> type[BaseHTTPRequestHandler]:
    return type("Handler", (SparqlHandler,), {"store": store, "graph": graph})


def make_server(graph: Path, host: str = "127.0.0.1", port: int = 7878) -> ThreadingHTTPServer:
    store = load_store(graph)
    return ThreadingHTTPServer((host, port), make_handler(store, graph))


def serve(graph: Path, *, host: str = "127.0.0.1", port: int = 7878, log: Callable[[str], None] = print) -> None:
    server = make_server(graph, host, port)
    log(f"serving {graph} read-only at http://{host}:{server.server_address[1]}/query (Ctrl-C stops)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()

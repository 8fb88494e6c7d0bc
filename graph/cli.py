"""The command line: parses arguments, calls one library function, maps errors to exit codes.

Exit codes: 0 every document read; 1 some document could not be read (the rest
were built and written); 2 usage error or invalid rule/gazetteer/ontology file
(nothing written); 3 --strict and the graph violates the SHACL shapes.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Callable, Sequence

from .diagnostics import RedchainError, RuleFileError, format_diagnostic
from .documents import MAX_BYTES
from .memory import CHUNK_TRIPLES, SORT_BUFFER_LINES
from .model import Diagnostic

EXIT_OK, EXIT_UNREAD, EXIT_INVALID, EXIT_STRICT = 0, 1, 2, 3


def _err(text: str) -> None:
    print(text, file=sys.stderr)


def _print_diagnostics(diagnostics: Sequence[Diagnostic]) -> None:
    for diag in diagnostics:
        _err(format_diagnostic(diag))


def cmd_build(args: argparse.Namespace) -> int:
    from .cache import default_cache_dir
    from .pipeline import build, default_workers
    from .progress import TerminalProgress

    cache = None if args.no_cache else Path(args.cache) if args.cache else default_cache_dir(args.output)
    progress = TerminalProgress(sys.stderr) if sys.stderr.isatty() and not args.quiet else None
    try:
        report = build(args.input or ["seeds"], args.output, strict=args.strict, fail_fast=args.fail_fast,
                       workers=args.workers or default_workers(), cache=cache, progress=progress,
                       view_max_nodes=args.view_max_nodes, max_bytes=round(args.max_document_mb * 1024 * 1024),
                       validation_chunk=args.validation_chunk, sort_buffer=args.sort_buffer, exports=args.exports,
                       force=args.force)
    finally:
        if progress is not None:
            progress.close()
    _print_diagnostics([d for d in report.diagnostics if d.severity == "error" or args.verbose or d.code.startswith("D")])
    if not args.quiet:
        _err(report.summary())
    if report.skipped:
        return EXIT_UNREAD
    return EXIT_STRICT if args.strict and report.violations else EXIT_OK


def _export_names(text: str) -> tuple[str, ...]:
    from .exports import EXPORTS, check_exports

    words = [word.strip() for word in text.split(",")]
    if words == ["all"]:
        return tuple(EXPORTS)
    if words == ["none"]:
        return ()
    try:
        check_exports(words)
    except ValueError as e:
        raise argparse.ArgumentTypeError(f"{e}, all or none") from None
    return tuple(dict.fromkeys(words))  # each once, in the order given (the order written is EXPORTS')


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, got '{text}'")
    return value


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"expected a number above 0, got '{text}'")
    return value


def cmd_query(args: argparse.Namespace) -> int:
    from .query import format_result, load_graph, query_graph_file, resolve_query_text, run_query

    source, text = resolve_query_text(sys.stdin.read() if args.query == "-" else args.query)
    result = run_query(load_graph(args.graph or Path("outputs") / query_graph_file(text)), text, source)
    sys.stdout.write(format_result(result, args.format))
    return EXIT_OK


def cmd_view(args: argparse.Namespace) -> int:
    from .cache import DocumentCache, default_cache_dir
    from .pipeline import default_workers
    from .rdf_text import file_lines
    from .record_file import RecordFile
    from .view import render_html

    graph_path = Path(args.graph)
    provenance = RecordFile.index(graph_path.with_name("provenance.jsonl"))  # records stay on disk
    try:
        lines = file_lines(graph_path)
    except SyntaxError as exc:
        raise UsageError(f"{graph_path} is not a graph redchain can read: {exc}") from exc
    # the layouts of the build that wrote the graph, from its cache, unless told otherwise
    cache = None if args.no_cache else Path(args.cache) if args.cache else default_cache_dir(graph_path.parent)
    layouts = DocumentCache(cache).layouts() if cache is not None and (args.cache or cache.is_dir()) else None
    stats = render_html(lines, provenance, args.output, focus=args.focus, depth=args.depth,
                        chain=args.chain, max_nodes=args.view_max_nodes, workers=args.workers or default_workers(),
                        layouts=layouts)
    if layouts is not None:  # a view's cache is shared (no owner): a view of part of the graph removes no layout
        layouts.save()
    pages = f" (an overview of {stats.pages - 1} group pages)" if stats.pages > 1 else ""
    _err(f"wrote {args.output}: {stats.nodes} nodes, {stats.edges} edges{pages}")
    return EXIT_OK


def cmd_check(args: argparse.Namespace) -> int:
    from .pipeline import load_resources

    rules, _ = load_resources()
    if args.verbose:
        for path in rules.files:
            _err(f"loaded {path}")
    _err(f"ok: {len(rules.names)} name rules, {len(rules.relations)} relation rules")
    return EXIT_OK


def cmd_explain(args: argparse.Namespace) -> int:
    from .explain import explain_document, explain_text

    if args.doc:
        sys.stdout.write(explain_document(Path(args.doc), sentence=args.sentence))
    elif args.text:
        sys.stdout.write(explain_text(args.text))
    else:
        raise UsageError("give a sentence or --doc FILE")
    return EXIT_OK


class UsageError(Exception):
    pass


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="redchain", description="Knowledge graphs of party building along industrial chains.")
    sub = parser.add_subparsers(dest="command", required=True)
    _add_build(sub)
    _add_query_view(sub)
    p = sub.add_parser("check", help="check rules, gazetteers and ontology without building")
    p.add_argument("--verbose", "-v", action="store_true")
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("explain", help="show mentions, rules that fired and rules that came close")
    p.add_argument("text", nargs="?", help="a sentence")
    p.add_argument("--doc", help="a document to explain")
    p.add_argument("--sentence", type=int, help="only this sentence index of --doc")
    p.set_defaults(func=cmd_explain)

    _add_eval_serve(sub)
    return parser


def _add_build(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("build", help="build graph.ttl, provenance.jsonl and graph.html from articles")
    p.add_argument("--input", action="append", help="folder or file of *.txt/*.md articles (repeatable; default seeds/)")
    p.add_argument("--output", default="outputs", help="output folder (default outputs/)")
    p.add_argument("--strict", action="store_true", help="exit 3 when the graph violates the SHACL shapes")
    p.add_argument("--keep-going", action="store_true",
                   help="skip unreadable documents, build the rest, exit 1 (the default)")
    p.add_argument("--fail-fast", action="store_true", help="stop at the first unreadable document")
    p.add_argument("--workers", "-j", type=_positive, metavar="N",
                   help="processes that extract documents in parallel (default: all cores; 1: no pool)")
    p.add_argument("--cache", metavar="DIR", help="folder of the per-document cache (default OUTPUT/.redchain-cache)")
    p.add_argument("--no-cache", action="store_true", help="extract every document again; the cache is neither read nor written")
    p.add_argument("--force", action="store_true",
                   help="build even when no document, option or code changed since the last build into OUTPUT "
                        "and its outputs are as it left them (otherwise it says 'up to date' and writes nothing)")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress line and no summary line")
    p.add_argument("--verbose", "-v", action="store_true", help="print warnings too")
    p.add_argument("--max-document-mb", type=_positive_float, default=MAX_BYTES / 1024 / 1024, metavar="MB",
                   help="refuse larger files with D006 (default 64 MiB): a build holds a document's text, "
                        "sentences and mentions in memory at once")
    p.add_argument("--validation-chunk", type=_positive, default=CHUNK_TRIPLES, metavar="TRIPLES",
                   help=f"SHACL validation checks this many triples at a time (default {CHUNK_TRIPLES:,}): "
                        "its memory is about that chunk plus the types of every node")
    p.add_argument("--sort-buffer", type=_positive, default=SORT_BUFFER_LINES, metavar="LINES",
                   help=f"the graph's N-Triples lines, and graph.jsonld's node objects a third as many, are sorted "
                        f"holding at most this many in memory (default {SORT_BUFFER_LINES:,}, ~35 MB each), "
                        "the rest in temporary files in the output folder")
    p.add_argument("--exports", type=_export_names, default=None, metavar="LIST",
                   help="the exports to write besides graph.ttl, provenance.jsonl and graph.html, comma-separated: "
                        "nt, nq, trig, jsonld, graphml, gexf, neo4j, or all (the default) or none; "
                        "the files of the others are removed from the output folder")
    _add_view_max_nodes(p)
    p.set_defaults(func=cmd_build)


def _add_query_view(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("query", help="run a SPARQL SELECT query (a .rq file, a named query, inline text, or - for stdin)")
    p.add_argument("query")
    p.add_argument("--graph", help="a built graph: .ttl, .nt, .jsonld, or a dataset, .trig or .nq (default "
                                   "outputs/graph.ttl, or the file a '# runs on: FILE' line of the query names)")
    p.add_argument("--format", choices=["table", "csv", "tsv", "json"], default="table")
    p.set_defaults(func=cmd_query)

    p = sub.add_parser("view", help="render the interactive HTML view of a graph")
    p.add_argument("--graph", default="outputs/graph.ttl")
    p.add_argument("--output", default="outputs/graph.html")
    p.add_argument("--focus", help="only the neighbourhood of this node (label or IRI)")
    p.add_argument("--depth", type=int, default=1)
    p.add_argument("--chain", help="only this chain, its committees and their members")
    _add_view_max_nodes(p)
    p.add_argument("--workers", "-j", type=_positive, metavar="N",
                   help="processes that write the group pages of a large view (default: all cores)")
    p.add_argument("--cache", metavar="DIR", help="the build cache whose force layouts the view reuses and adds to "
                                                   "(default: the .redchain-cache beside the graph, when there is one)")
    p.add_argument("--no-cache", action="store_true", help="lay every component out afresh (the same positions)")
    p.set_defaults(func=cmd_view)


def _add_view_max_nodes(p: argparse.ArgumentParser) -> None:
    p.add_argument("--view-max-nodes", type=_positive, metavar="N",
                   help="node budget of one view page (default 3000): a larger view opens on an overview of "
                        "provinces and chains, one page per group")


def _add_eval_serve(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("eval", help="score a build of the gold texts against the gold annotations")
    p.add_argument("--gold", default="tests/gold")
    p.add_argument("--show-errors", action="store_true")
    p.add_argument("--format", choices=["table", "json"], default="table")
    p.add_argument("--min-precision", type=float)
    p.add_argument("--min-recall", type=float)
    p.add_argument("--min-relation-recall", type=float)
    p.set_defaults(func=cmd_eval)

    p = sub.add_parser("serve", help="serve the graph read-only over the SPARQL 1.1 Protocol at /query")
    p.add_argument("--graph", default="outputs/graph.ttl")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=7878)
    p.set_defaults(func=cmd_serve)


def cmd_eval(args: argparse.Namespace) -> int:
    from .evaluation import check_thresholds, format_report, run_eval

    report = run_eval(Path(args.gold))
    sys.stdout.write(format_report(report, show_errors=args.show_errors, fmt=args.format))
    failures = check_thresholds(report, min_precision=args.min_precision, min_recall=args.min_recall,
                                min_relation_recall=args.min_relation_recall)
    for failure in failures:
        _err(f"eval: below threshold: {failure}")
    return 4 if failures else EXIT_OK


def cmd_serve(args: argparse.Namespace) -> int:
    from .serve import serve

    serve(Path(args.graph), host=args.host, port=args.port, log=_err)
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    handler: Callable[[argparse.Namespace], int] = args.func
    try:
        return handler(args)
    except RuleFileError as exc:
        _print_diagnostics(exc.diagnostics)
        _err("nothing was built: fix the files above")
        return EXIT_INVALID
    except RedchainError as exc:
        _print_diagnostics(exc.diagnostics)
        return EXIT_INVALID if args.command != "build" else EXIT_UNREAD
    except UsageError as exc:
        _err(f"redchain {args.command}: error C001: {exc}")
        return EXIT_INVALID
    except FileNotFoundError as exc:
        _err(f"{exc.filename}: error C002: file not found")
        return EXIT_INVALID


if __name__ == "__main__":
    raise SystemExit(main())

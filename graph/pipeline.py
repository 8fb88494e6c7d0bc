"""Orchestration: documents → articles and sentences → mentions → relations →
entities → RDF → validation → outputs. Collects diagnostics; never prints or exits.

Extraction (segment, mentions, relations) is per document (``extract_document``); batch.py
runs it over the documents as they are read, in worker processes when ``workers`` > 1,
reading and writing the per-document cache when ``cache`` names a folder (see ``cache.py``).
Results are merged in document order, so the outputs are byte-identical whatever the
workers and the state of the cache.
A build writes the results to a file as they come (``result_file.py``) and does not hold
them: entity resolution, the triples and the provenance records read them back in passes.
"""

from __future__ import annotations

import functools
import gc
import os
from collections import deque
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Collection, Iterable, Iterator, Sequence

from .documents import MAX_BYTES, plan_documents
from .entities import EntityTable, Merge
from .lexicon import Lexicon, load_lexicon
from .memory import CHUNK_TRIPLES, SORT_BUFFER_LINES
from .mentions import find_document_mentions
from .model import Article, Diagnostic, Document, Fact, Mention, Sentence, pickled_by_fields
from .processes import done, in_background
from .progress import ProgressFn, Step
from .relations import apply_rules, flatten_mentions
from .resolution import FactTriple, provenance_records, resolve_table
from .resources import gazetteer_dir, rule_dirs
from .rules import RuleSet, load_rules

if TYPE_CHECKING:
    from .cache import LayoutCache
    from .record_file import RecordFile
    from .validation import Finding

CONTEXT_SENTENCES = 2  # how far back a rule's context role may look, within one article
# Bylines and photo credits name who wrote or shot the piece, not facts of the story.
# (Tested with str methods: a sentence holds no line break, and a regex would be searched through it.)
_CREDIT_ENDS = ("供图", "提供", "摄")
_CREDIT_STARTS = ("本版责编", "版式设计", "图片均为", "以上图片")


@pickled_by_fields  # the results are pickled to a file, to the cache and from the workers
@dataclass(frozen=True, slots=True)
class DocumentResult:
    doc: Document
    articles: tuple[Article, ...]
    sentences: tuple[Sentence, ...]
    mentions: dict[int, list[Mention]]
    facts: tuple[Fact, ...]
    sentence_count: int  # sentences read (``sentences`` may keep fewer: see ``for_build``)

    def for_build(self) -> DocumentResult:
        """What a build keeps of the document once it is extracted: the mentions, the facts and the
        sentences they come from, the articles; not the text nor the other sentences (about half
        the memory of an archive's extraction)."""
        stated = {fact.sentence.index for fact in self.facts}
        return DocumentResult(Document(self.doc.path, "", self.doc.encoding), self.articles,
                              tuple(s for s in self.sentences if s.index in stated),
                              {i: found for i, found in self.mentions.items() if found}, self.facts, self.sentence_count)


@dataclass(frozen=True, slots=True)
class BuildReport:
    output: str
    documents: int
    skipped: int
    sentences: int
    facts: int
    entities: int
    triples: int
    violations: int
    diagnostics: tuple[Diagnostic, ...] = field(default=())
    extracted: int = 0  # documents extracted in this build
    cached: int = 0  # documents whose extraction came from the cache
    up_to_date: bool = False  # nothing to do: the report of the last build (manifest.py)

    def summary(self) -> str:
        graph = (f"{self.sentences} sentences → {self.facts} facts, {self.entities} entities, {self.triples} triples, "
                 f"{self.violations} violations → {self.output}")
        if self.up_to_date:
            return (f"up to date: no document, option or code changed since the last build, and its outputs are as "
                    f"it left them ({self.documents} documents, {self.skipped} skipped, {graph}; --force builds again)")
        return (f"read {self.documents} documents ({self.skipped} skipped, {self.extracted} extracted, "
                f"{self.cached} cached), {graph}")


def default_workers() -> int:
    """Every core this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def load_resources() -> tuple[RuleSet, Lexicon]:
    """Rules and gazetteers, checked; raises RuleFileError with every problem."""
    return load_rules(*rule_dirs()), load_lexicon(gazetteer_dir())


def segment_document(doc: Document) -> tuple[list[Article], list[Sentence]]:
    """Articles, and the sentences extraction reads (bylines and photo credits left out)."""
    from .segment import split_document

    articles, all_sentences = split_document(doc)
    return articles, [s for s in all_sentences
                      if s.kind != "byline" and not s.text.endswith(_CREDIT_ENDS) and not s.text.startswith(_CREDIT_STARTS)]


def relate_sentences(sentences: list[Sentence], mentions: dict[int, list[Mention]], rules: RuleSet) -> list[Fact]:
    """Relation rules over each sentence, with the mentions of the sentences just before it as context."""
    facts: list[Fact] = []
    recent: deque[tuple[int, list[Mention]]] = deque(maxlen=CONTEXT_SENTENCES)  # (article, flattened mentions)
    for sent in sentences:
        context = [m for article, ms in recent if article == sent.article_index for m in ms]
        facts.extend(apply_rules(sent, mentions[sent.index], rules, context))
        recent.append((sent.article_index, flatten_mentions(mentions[sent.index])))
    return facts


def extract_document(doc: Document, rules: RuleSet, lexicon: Lexicon) -> DocumentResult:
    articles, sentences = segment_document(doc)
    mentions = find_document_mentions(sentences, lexicon, rules)
    facts = relate_sentences(sentences, mentions, rules)
    return DocumentResult(doc, tuple(articles), tuple(sentences), mentions, tuple(facts), len(sentences))


@contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    """Python's cyclic garbage collector paused for the block (reference counting still frees
    everything that is not in a cycle). A build allocates millions of small acyclic objects
    (mentions, facts, terms, records); each collection of the oldest generation walks all of
    them, ~15 % of a build's time at 10 MB. The price: an object in a reference cycle lives
    until the block ends, so the pipeline must make none that hold much (a recursive closure
    is one; tests/test_parallel.py checks that no redchain object is cyclic garbage after a
    build). Collected stage by stage, a build of the 10 MB archive leaves ~8,000 cyclic
    objects, most from loading the ontology and the shapes."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@cyclic_gc_paused()  # for the whole build; the extraction workers, forked in it, inherit the pause
def build(inputs: Sequence[Path | str], output: Path | str, *, strict: bool = False, fail_fast: bool = False,
          view: bool = True, workers: int = 1, cache: Path | str | None = None,
          progress: ProgressFn | None = None, view_max_nodes: int | None = None,
          max_bytes: int = MAX_BYTES, validation_chunk: int = CHUNK_TRIPLES,
          sort_buffer: int = SORT_BUFFER_LINES, exports: Collection[str] | None = None,
          force: bool = False) -> BuildReport:
    """Build the graph from every document under ``inputs`` into ``output``.

    ``workers``: processes for extraction (1: in this process). ``cache``: folder of the
    per-document extraction cache, or None for no cache; with a cache, a build whose documents,
    options and code are those of the last build into ``output``, whose outputs are still as
    it left them, returns that build's report at once (``manifest.py``; ``force``: build all
    the same). ``progress``: called with a
    ``progress.Step`` as the build advances. ``view_max_nodes``: above it, the view is an
    overview with a page per group (view.py; None: its default). ``max_bytes``: larger
    files are refused (D006). ``validation_chunk`` and ``sort_buffer``: see memory.py. ``exports``:
    the names of exports.EXPORTS to write (None: all); the files of the others are removed.
    """
    from .cache import DocumentCache
    from .export import remove_stale_temporaries
    from .exports import check_exports
    from .rdf import graph_lines
    from .rdf_text import spooled_ntriples
    from .validation import attach_evidence, finding_diagnostic, load_ontology

    output = Path(output)
    if exports is not None:
        check_exports(exports)  # before the work, not when the exports are written
    manifest = None
    if cache is not None:
        from .manifest import Manifest

        # every option but workers, progress and the cache (which change no byte of the outputs)
        options = {"strict": strict, "fail_fast": fail_fast, "view": view, "view_max_nodes": view_max_nodes,
                   "max_bytes": max_bytes, "validation_chunk": validation_chunk, "sort_buffer": sort_buffer,
                   "exports": None if exports is None else sorted(exports)}
        manifest = Manifest(Path(cache), output, [str(p) for p in inputs], options, max_bytes=max_bytes)
        if not force and (last := manifest.last_report()) is not None:
            return last
        manifest.forget()  # until this build has written all it writes
    tell = progress or _silent
    remove_stale_temporaries(output)  # what a killed build left, before this one adds its own
    with ExitStack() as spools:
        diagnostics, counts, table, triples, records = _extract_and_resolve(
            inputs, output, spools, fail_fast=fail_fast, max_bytes=max_bytes, workers=workers, cache=cache,
            progress=progress)
        tell(Step("rdf"))
        # the graph: sorted N-Triples lines in a file that every later stage reads, never whole in memory
        lines = spools.enter_context(spooled_ntriples(graph_lines(table, triples, load_ontology()), output,
                                                      buffer_lines=sort_buffer))
        merges, entity_count = table.merges, len(table.entities)
        del table, triples  # freed before the exports and the view grow
        tell(Step("validate"))
        pending = start_validation(lines, background=workers > 1, chunk=validation_chunk)  # beside the writing
        layouts = DocumentCache(cache, owner=output).layouts() if cache is not None else None
        write_outputs(lines, merges, records, output, view=view, progress=tell, background=workers > 1,
                      view_max_nodes=view_max_nodes, view_workers=workers, sort_buffer=sort_buffer, exports=exports,
                      layouts=layouts)
        if layouts is not None:
            layouts.save()
        findings = attach_evidence(pending(), records)  # each with the sentence behind its node
    diagnostics += [finding_diagnostic(f, strict=strict) for f in findings]
    documents, sentences, extracted, cached = counts
    report = BuildReport(str(output), documents, sum(1 for d in diagnostics if d.code.startswith("D")),
                         sentences, len(records), entity_count, lines.count or 0,
                         len(findings), tuple(diagnostics), extracted, cached)
    if manifest is not None:
        manifest.save(report)
    return report


def _extract_and_resolve(inputs: Sequence[Path | str], output: Path, spools: ExitStack, *, fail_fast: bool,
                         max_bytes: int, workers: int, cache: Path | str | None, progress: ProgressFn | None
                         ) -> tuple[list[Diagnostic], tuple[int, int, int, int], EntityTable, set[FactTriple], RecordFile]:
    """Read and extract every document, resolve the entities and make the provenance records: the
    diagnostics, the counts (documents, sentences, extracted, cached), the entity table, the fact
    triples, and the records, spooled to a file in ``output`` that ``spools`` removes. The
    extraction results are kept on disk meanwhile, and read in three passes."""
    from .cache import DocumentCache
    from .record_file import spooled_records
    from .result_file import spooled_results

    from .batch import Plan, extract_documents, read_each

    rules, lexicon = load_resources()
    plan = plan_documents([Path(p) for p in inputs])
    expected = Plan.of([p for p in plan if isinstance(p, Path)])
    diagnostics: list[Diagnostic] = []  # filled in the plan's order as extraction reads the documents
    docs = read_each(plan, diagnostics, fail_fast=fail_fast, max_bytes=max_bytes, expected=expected)
    store = DocumentCache(cache, owner=output) if cache is not None else None
    with spooled_results(output) as results:
        extraction = extract_documents(docs, rules, lexicon, workers=workers, cache=store, progress=progress,
                                       into=results, plan=expected)
        if store is not None:  # a cache inside the output folder keeps only what this build used
            store.prune()
        (progress or _silent)(Step("resolve"))
        names = store.names() if store is not None else None
        table = resolve_table(results, workers, names)
        table.forget_nodes()  # the records pass then grows into the memory the nodes leave
        if names is not None:
            names.save()
        triples: set[FactTriple] = set()  # filled as the records are made, in the same pass
        records = spools.enter_context(spooled_records(provenance_records(table, results, triples), output))
        counts = (len(results), extraction.sentences, extraction.extracted, extraction.cached)
    return diagnostics, counts, table, triples, records


def start_validation(lines: Iterable[str], *, background: bool, chunk: int = CHUNK_TRIPLES
                     ) -> Callable[[], list[Finding]]:
    """SHACL validation (validation.validate_lines, ``chunk`` triples at a time) of the graph whose
    sorted N-Triples ``lines`` are given; returns a function that gives the findings. With
    ``background`` (and where processes can fork), it runs in a forked child."""
    from . import validation

    validate = functools.partial(validation.validate_lines, chunk_triples=chunk)
    return in_background(validate, lines) if background else done(validate(lines))


def write_outputs(lines: Iterable[str], merges: Iterable[Merge], records: list[dict[str, Any]] | RecordFile,
                  output: Path, *, view: bool = True, progress: ProgressFn | None = None, background: bool = False,
                  view_max_nodes: int | None = None, view_workers: int = 1,
                  sort_buffer: int = SORT_BUFFER_LINES, exports: Collection[str] | None = None,
                  layouts: LayoutCache | None = None) -> None:
    """graph.ttl, provenance.jsonl, merges.tsv (entity resolution's ``merges``), the ``exports``
    (exports.py; None: all) and (``view``) graph.html of the graph whose sorted N-Triples ``lines`` are given
    (a ``rdf_text.LineFile``: read once by each), each written atomically. With ``background``, the
    exports are written by a forked child while this process writes the rest; ``view_workers``
    processes write the view's group pages (one fewer until that child is done), with the ``layouts``
    of earlier builds (view.render_html).
    ``sort_buffer``: see memory.py."""
    from .export import write_merges, write_provenance, write_turtle
    from .exports import EXPORTS, write_exports
    from .record_file import RecordFile

    tell = progress or _silent
    tell(Step("write"))
    chosen = tuple(EXPORTS) if exports is None else tuple(exports)
    exports_of = functools.partial(write_exports, exports=chosen, buffer_lines=sort_buffer)
    pending = in_background(exports_of, lines, records, output) if background and chosen else None
    write_turtle(lines, output / "graph.ttl")
    if isinstance(records, RecordFile):  # the records are provenance lines on disk already
        records.copy_to(output / "provenance.jsonl")
    else:
        write_provenance(records, output / "provenance.jsonl")
    write_merges(merges, output / "merges.tsv")
    tell(Step("export"))
    if pending is None:
        exports_of(lines, records, output)
    if view:
        from .view import render_html

        tell(Step("view"))
        # while the exports' child keeps a core busy, one more page writer would only share that core
        # with it, holding a copy of the view's data beside the exports' own: it starts when they end
        render_html(lines, records, output / "graph.html", max_nodes=view_max_nodes, workers=view_workers,
                    layouts=layouts, busy=pending.running if pending is not None else None)
    if pending is not None:
        pending()


def _silent(step: Step) -> None:
    pass

"""Entities and provenance from the extraction results: the step between extraction and RDF.

``resolve_table`` resolves the entities of every document in two passes over the results
(which a build keeps on disk: ``result_file.py``), making the table ``entities.resolve_entities``
makes of all of them at once; ``provenance_records`` then gives, in a third pass, one record per
fact and sentence, and the fact triples on the way. ``resolve_results`` does all three for a
list of results (the Dask example, the benchmark, the tests).
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator, TypeVar

from .entities import EntityTable, load_aliases, located_committees, owns_nothing, settle_entities
from .model import Fact, Mention
from .resources import aliases_file
from .result_file import ResultFile

if TYPE_CHECKING:
    from .cache import NameCache
    from .pipeline import DocumentResult

__all__ = ["FactTriple", "PARALLEL_NAMES", "add_mentions", "fact_records", "provenance_records", "resolve_results",
           "resolve_table"]

T = TypeVar("T")
U = TypeVar("U")

FactTriple = tuple[str, str, str, str]


def fact_records(table: EntityTable, results: Iterable[DocumentResult]) -> tuple[set[FactTriple], list[dict[str, Any]]]:
    """Triples for the graph and one provenance record per supporting sentence."""
    triples: set[FactTriple] = set()
    records = list(provenance_records(table, results, triples))
    return triples, records


def provenance_records(table: EntityTable, results: Iterable[DocumentResult],
                       triples: set[FactTriple] | None = None) -> Iterator[dict[str, Any]]:
    """One provenance record per fact and sentence, in document order; on the way, the triple of
    each fact, (subject IRI, relation, object IRI or literal value, detail), is added to ``triples``."""
    for result in _without_mentions(results):
        titles = {a.index: a.title for a in result.articles}
        for fact in result.facts:
            subj, obj = _ends(table, fact)
            if subj != obj:
                if triples is not None:
                    triples.add(_triple(fact, subj, obj))
                yield _record(table, fact, subj, obj, titles)


def _ends(table: EntityTable, fact: Fact) -> tuple[str, str]:
    return table.iri(fact.subject), fact.object.name if fact.object.cls == "Literal" else table.iri(fact.object)


def _triple(fact: Fact, subj: str, obj: str) -> FactTriple:
    return subj, fact.relation, obj, fact.object.text if fact.object.cls == "Literal" else fact.detail


def _record(table: EntityTable, fact: Fact, subj: str, obj: str, titles: dict[int, str]) -> dict[str, Any]:
    sent = fact.sentence
    start, end = sent.source_span(*fact.span)
    sent_start, sent_end = sent.source_span()
    entities = table.entities
    obj_entity = entities.get(obj)
    return {
        "s": subj, "p": _predicate(fact.relation), "o": obj,
        "s_label": entities[subj].label, "p_name": fact.relation,
        "o_label": fact.object.text if obj_entity is None else obj_entity.label,
        "rule": fact.rule_id, "doc": sent.doc_path, "article": sent.article_index,
        "article_title": titles.get(sent.article_index, ""), "sentence": sent.index,
        "start": start, "end": end, "sentence_start": sent_start, "sentence_end": sent_end,
        "sentence_text": sent.text, "detail": fact.detail,
    }


@lru_cache(maxsize=None)
def _predicate(relation: str) -> str:
    """The IRI of a relation (the vocabulary is imported here: it loads rdflib)."""
    from .vocab import RC

    return str(RC[relation])


PARALLEL_NAMES = 5_000  # entities from which names are romanised in worker processes


def resolve_results(results: list[DocumentResult], workers: int = 1, names: NameCache | None = None
                    ) -> tuple[EntityTable, set[FactTriple], list[dict[str, Any]]]:
    """Entities across all documents (``resolve_table``), the triples of the facts, and their provenance records."""
    table = resolve_table(results, workers, names)
    triples, records = fact_records(table, results)
    return table, triples, records


def resolve_table(results: Iterable[DocumentResult], workers: int = 1, names: NameCache | None = None) -> EntityTable:
    """Entities across all documents: the table ``entities.resolve_entities`` makes of their mentions and
    facts, made in two passes over ``results`` (``add_mentions``). Entity names come from ``names`` (the
    build cache's) where known; the others are romanised here, or in a pool of ``workers`` processes when
    there are many."""
    table = EntityTable(*load_aliases(aliases_file()))
    located = add_mentions(table, results)
    settle_entities(table, located, _NameMapper(workers, names))
    return table


def add_mentions(table: EntityTable, results: Iterable[DocumentResult]) -> list[tuple[Mention, Mention]]:
    """Every mention, then every end of a fact, of ``results`` added to ``table`` in the order of
    ``resolve_entities``: those without an owner first (``owns_nothing``), the mentions of every document
    before the fact ends of any. Two passes over ``results``; what they hold meanwhile: the mentions with
    an owner (7 % at 10 MB), added last, and the (committee, place) ends of the locatedIn facts, returned."""
    owned: list[Mention] = []
    for mentions in _mentions_of(results):
        for found in mentions.values():
            _add_unowned(table, found, owned)
    located: list[tuple[Mention, Mention]] = []
    for result in _without_mentions(results):
        _add_unowned(table, [m for fact in result.facts for m in (fact.subject, fact.object)], owned)
        located += located_committees(result.facts)
    for mention in owned:
        table.add(mention)
    return located


def _mentions_of(results: Iterable[DocumentResult]) -> Iterable[dict[int, list[Mention]]]:
    """Each result's mentions; from a file of results, without reading the rest of them."""
    return results.mentions() if isinstance(results, ResultFile) else (r.mentions for r in results)


def _without_mentions(results: Iterable[DocumentResult]) -> Iterable[DocumentResult]:
    """The results, for the passes that do not read their mentions: from a file, without them."""
    return results.without_mentions() if isinstance(results, ResultFile) else results


def _add_unowned(table: EntityTable, mentions: list[Mention], owned: list[Mention]) -> None:
    """Add those of ``mentions`` without an owner; those with one go to ``owned``; literals to neither."""
    for mention in mentions:
        if mention.cls == "Literal":
            continue
        if owns_nothing(mention):
            table.add(mention)
        else:
            owned.append(mention)


class _NameMapper:
    """The ``map_fn`` of entity resolution (entities._finish): looks names up in the cache,
    computes the rest, in a forked pool when there are ``PARALLEL_NAMES`` or more."""

    def __init__(self, workers: int, names: NameCache | None) -> None:
        self.workers, self.names = workers, names

    def __call__(self, fn: Callable[[T], U], jobs: list[T]) -> list[U]:
        if self.names is None:
            return self._map(fn, jobs)
        known = [self.names.get(job) for job in jobs]
        todo = [job for job, found in zip(jobs, known) if found is None]
        fresh = iter(self._map(fn, todo))
        out = [found if found is not None else next(fresh) for found in known]
        for job, result in zip(jobs, out):
            self.names.add(job, result)
        return out

    def _map(self, fn: Callable[[T], U], jobs: list[T]) -> list[U]:
        if self.workers <= 1 or len(jobs) < PARALLEL_NAMES or not jobs:
            return list(map(fn, jobs))
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        first = fn(jobs[0])  # here, before the fork: the workers inherit what it loads (pypinyin, its dictionaries)
        with ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("fork")) as pool:
            return [first, *pool.map(fn, jobs[1:], chunksize=max(1, len(jobs) // (8 * self.workers)))]

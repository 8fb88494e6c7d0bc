"""Parallel extraction, the incremental cache and the progress line (issue #7).

All builds read one small generated archive (~20 files of 2–13 KB). No timing is asserted."""

from __future__ import annotations

import importlib.util
import io
import os
import pickle
import sys
from pathlib import Path

import pytest

from graph.cache import CACHE_DIRNAME, DocumentCache, default_cache_dir, document_key
from graph.cli import main
from graph.model import Document
from graph.pipeline import build
from graph.batch import extract_documents, read_all
from graph.progress import Step, TerminalProgress
from graph.result_file import PackedResult

ROOT = Path(__file__).resolve().parent.parent
OUTPUTS = ("graph.ttl", "provenance.jsonl", "merges.tsv", "graph.html")


def load_generator():
    """benchmarks/generate.py (a script folder, not a package)."""
    if "generate" not in sys.modules:
        spec = importlib.util.spec_from_file_location("generate", ROOT / "benchmarks" / "generate.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules["generate"] = module  # dataclasses look their module up while the file runs
        spec.loader.exec_module(module)
    return sys.modules["generate"]


@pytest.fixture(scope="module")
def archive(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("archive")
    paths = load_generator().generate(folder, 0.14, seed=11, min_kb=2, max_kb=4)
    assert 15 <= len(paths) <= 35
    return folder


@pytest.fixture(scope="module")
def plain_build(archive, tmp_path_factory) -> Path:
    """The reference: --workers 1, no cache."""
    out = tmp_path_factory.mktemp("plain")
    report = build([archive], out, workers=1)
    assert (report.extracted, report.cached) == (report.documents, 0)
    return out


@pytest.fixture(scope="module")
def small(archive, tmp_path_factory) -> Path:
    """Three files of the archive, for the CLI tests."""
    folder = tmp_path_factory.mktemp("small")
    for path in sorted(archive.glob("*.txt"))[:3]:
        (folder / path.name).write_bytes(path.read_bytes())
    return folder


def outputs(folder: Path, names=None) -> dict[str, bytes]:
    """Every output file (exports too), or only ``names``."""
    if names is None:
        names = sorted(p.name for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))
        assert set(OUTPUTS) <= set(names)
    return {name: (folder / name).read_bytes() for name in names}


def copy_archive(src: Path, dst: Path) -> Path:
    dst.mkdir()
    for path in sorted(src.glob("*.txt")):
        (dst / path.name).write_bytes(path.read_bytes())
    return dst


# ── parallel ──────────────────────────────────────────────────────────────────────

def test_parallel_results_pickle_round_trip(archive, resources):
    rules, lexicon = resources
    docs, _ = read_all([archive])
    result = extract_documents(docs[:1], rules, lexicon).results[0]
    assert pickle.loads(pickle.dumps(result)) == result


def test_parallel_workers_2_extract_the_same_results_in_order(archive, resources):
    rules, lexicon = resources
    docs, _ = read_all([archive])
    serial = extract_documents(docs, rules, lexicon, workers=1)
    parallel = extract_documents(docs, rules, lexicon, workers=2)
    assert [r.doc.path for r in parallel.results] == [d.path for d in docs]
    assert parallel.results == serial.results
    assert (parallel.extracted, parallel.cached) == (len(docs), 0)


def test_parallel_entity_names_from_a_pool_equal_the_serial_ones(archive, resources, monkeypatch):
    """Resolution romanises entity names in worker processes on a big corpus: the same entities."""
    import graph.resolution

    rules, lexicon = resources
    docs, _ = read_all([archive])
    results = extract_documents(docs, rules, lexicon, workers=1).results
    serial = graph.resolution.resolve_results(results, workers=1)
    monkeypatch.setattr(graph.resolution, "PARALLEL_NAMES", 0)  # the archive is small: use the pool anyway
    parallel = graph.resolution.resolve_results(results, workers=2)
    assert parallel[0].entities == serial[0].entities
    assert parallel[1:] == serial[1:]


def test_parallel_workers_2_outputs_byte_identical_to_workers_1(archive, plain_build, tmp_path):
    report = build([archive], tmp_path, workers=2)
    assert report.documents >= 15
    assert outputs(tmp_path) == outputs(plain_build)


def test_memory_settings_change_no_byte(archive, plain_build, tmp_path):
    """--validation-chunk 1 and --sort-buffer 3: validation a subject at a time, the graph's N-Triples
    lines and graph.jsonld's node objects sorted through temporary files; the same outputs, no temporary file left."""
    args = ["build", "--input", str(archive), "--output", str(tmp_path), "--no-cache", "-q", "--workers", "1"]
    assert main(args + ["--validation-chunk", "1", "--sort-buffer", "3"]) == 0
    names = OUTPUTS + ("graph.nq", "graph.trig", "graph.nt", "graph.jsonld")
    assert outputs(tmp_path, names) == outputs(plain_build, names)
    assert not [p for p in tmp_path.rglob("*") if p.name.startswith(".") and p.is_file()]


def test_memory_settings_must_be_positive(tmp_path, capsys):
    for flag in ("--validation-chunk", "--sort-buffer"):
        with pytest.raises(SystemExit):
            main(["build", "--output", str(tmp_path), flag, "0"])
        assert flag in capsys.readouterr().err


def test_parallel_cli_workers_option(small, tmp_path, capsys):
    assert main(["build", "--input", str(small), "--output", str(tmp_path), "--workers", "2", "--no-cache"]) == 0
    err = capsys.readouterr().err
    assert "extracted, 0 cached)" in err and "\r" not in err  # not a terminal: no progress line
    assert not (tmp_path / CACHE_DIRNAME).exists()


VIOLATING = """
@prefix rc: <https://w3id.org/redchain/ns#> . @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<urn:x:p> a rc:Person ; rdfs:label "何炳辉"@zh ; rc:secretaryOf <urn:x:e> .
<urn:x:e> a rc:Enterprise ; rdfs:label "江西天一航空装备有限公司"@zh .
"""


def test_parallel_background_validation_gives_the_same_findings(monkeypatch):
    from rdflib import Graph

    from graph.pipeline import start_validation
    from graph.rdf_text import ntriples_lines
    from graph.validation import validate_graph

    g = Graph().parse(data=VIOLATING, format="turtle")
    expected = validate_graph(g)
    assert len(expected) == 1 and expected[0].focus_label == "何炳辉"
    assert start_validation(ntriples_lines(g), background=True)() == expected
    assert start_validation(ntriples_lines(g), background=False)() == expected


def test_parallel_background_validation_failure_is_raised_in_the_parent(monkeypatch):
    from graph.pipeline import start_validation

    def broken(*args, **kwargs):
        raise RuntimeError("shapes broken")

    monkeypatch.setattr("graph.validation.validate_lines", broken)
    pending = start_validation([], background=True)
    with pytest.raises(RuntimeError, match="shapes broken"):
        pending()


@pytest.mark.parametrize("value", ["0", "-1", "two"])
def test_parallel_cli_rejects_bad_worker_counts(value, tmp_path, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["build", "--input", "seeds", "--output", str(tmp_path), "--workers", value])
    assert exc.value.code == 2
    assert "--workers" in capsys.readouterr().err


def _children(pid: int) -> set[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return set()
    return {int(c) for c in text.split()}


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


def test_parallel_killed_build_leaves_no_workers_behind(archive, tmp_path):
    import signal
    import subprocess
    import time

    proc = subprocess.Popen([sys.executable, "-m", "graph", "build", "--input", str(archive), "--output",
                             str(tmp_path), "--workers", "2", "--no-cache", "-q"], cwd=ROOT)
    workers: set[int] = set()
    deadline = time.monotonic() + 60
    while len(workers) < 2 and proc.poll() is None and time.monotonic() < deadline:
        workers = _children(proc.pid)
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert len(workers) >= 2, "the pool never started"
    deadline = time.monotonic() + 10
    while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [pid for pid in workers if _alive(pid)]


# ── results on disk ───────────────────────────────────────────────────────────────

def spools(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.glob(".results.*.tmp"))


def test_results_spooled_during_the_build_and_removed_after(archive, tmp_path):
    seen: dict[str, list[str]] = {}

    def progress(step: Step) -> None:
        seen.setdefault(step.stage, spools(tmp_path))

    (tmp_path / ".results.killed.pickle.tmp").write_bytes(b"what a killed build left")
    build([archive], tmp_path, workers=1, progress=progress)
    assert len(seen["resolve"]) == 1 and seen["resolve"] != [".results.killed.pickle.tmp"]
    assert seen["validate"] == []  # removed once the records are made
    assert spools(tmp_path) == []


def test_results_spool_removed_after_a_failing_build(archive, tmp_path, monkeypatch):
    import graph.pipeline

    def fail(*args, **kwargs):
        assert len(spools(tmp_path)) == 1
        raise RuntimeError("resolution failed")

    monkeypatch.setattr(graph.pipeline, "resolve_table", fail)
    with pytest.raises(RuntimeError, match="resolution failed"):
        build([archive], tmp_path, workers=1)
    assert spools(tmp_path) == []


@pytest.mark.parametrize("corpus", ["archive", "seeds"])
def test_results_resolved_in_passes_give_the_table_of_resolve_entities(corpus, archive, resources, tmp_path):
    """The table made in passes over the results on disk (resolution.resolve_table) is the one that
    entities.resolve_entities makes of all mentions and facts at once: same nodes in the same order,
    merges, entities, and IRI of every mention."""
    from graph.entities import resolve_entities
    from graph.resolution import resolve_table
    from graph.resources import aliases_file
    from graph.result_file import spooled_results

    rules, lexicon = resources
    docs, _ = read_all([archive if corpus == "archive" else ROOT / "seeds"])
    with spooled_results(tmp_path) as results:
        extract_documents(docs, rules, lexicon, into=results)
        passes = resolve_table(results)
        kept = list(results)
    mentions = [m for r in kept for ms in r.mentions.values() for m in ms]
    facts = [f for r in kept for f in r.facts]
    at_once = resolve_entities(mentions, facts, aliases_file())
    assert list(passes.nodes.items()) == list(at_once.nodes.items())
    assert passes.redirect == at_once.redirect and passes.merges == at_once.merges
    assert passes.entities == at_once.entities and passes.place_facts == at_once.place_facts
    ends = [m for f in facts for m in (f.subject, f.object) if m.cls != "Literal"]
    assert [passes.iri(m) for m in mentions + ends] == [at_once.iri(m) for m in mentions + ends]
    assert any(m.part("owner") for m in mentions) and passes.merges  # the order of the owners was at stake


def test_results_resolved_forgetting_repeated_mentions_give_the_same_table(archive, resources, monkeypatch):
    """EntityTable.add remembers the key of each distinct mention, REPEATS_KEPT of them before it
    starts afresh: a cache, so remembering one at a time gives the table that remembering all does."""
    import graph.entities
    from graph.entities import EntityTable, load_aliases
    from graph.resolution import add_mentions, resolve_results
    from graph.resources import aliases_file

    rules, lexicon = resources
    docs, _ = read_all([archive])
    results = extract_documents(docs, rules, lexicon, workers=1).results

    def memo_after_adding() -> int:  # the memo once every mention is added (settling drops it)
        table = EntityTable(*load_aliases(aliases_file()))
        add_mentions(table, results)
        return len(table._added)

    kept, memo_kept = resolve_results(results), memo_after_adding()
    monkeypatch.setattr(graph.entities, "REPEATS_KEPT", 1)
    forgetting, memo_forgetting = resolve_results(results), memo_after_adding()
    assert memo_forgetting <= 1 < memo_kept  # it did forget
    assert list(forgetting[0].nodes.items()) == list(kept[0].nodes.items())
    assert forgetting[0].entities == kept[0].entities and forgetting[0].merges == kept[0].merges
    assert forgetting[1:] == kept[1:]


def test_records_made_after_the_nodes_are_forgotten_are_the_same(archive, resources):
    """A build drops the table's nodes before its records pass (EntityTable.forget_nodes), keeping only
    their labels: the triples, records and graph lines are those the table with its nodes gives, and
    owners' labels (江铜集团党委 spelled 江西铜业集团党委) are found among the labels kept."""
    from graph.rdf import graph_lines
    from graph.resolution import fact_records, resolve_table
    from graph.validation import load_ontology

    rules, lexicon = resources
    docs, _ = read_all([archive])
    results = extract_documents(docs, rules, lexicon, workers=1).results
    whole, slim = resolve_table(results), resolve_table(results)
    slim.forget_nodes()
    assert not slim.nodes and len(slim._labels) == len(whole.nodes)
    found = []
    label_of = slim._label_of

    def noting_label_of(key):
        found.append(label_of(key))
        return found[-1]

    slim._label_of = noting_label_of
    triples, records = fact_records(slim, results)
    assert any(label is not None for label in found)  # owner labels were looked up, and found
    assert (triples, records) == fact_records(whole, results)
    ontology = load_ontology()
    assert list(graph_lines(slim, triples, ontology)) == list(graph_lines(whole, triples, ontology))


# ── cache ─────────────────────────────────────────────────────────────────────────

def test_cache_warm_build_is_byte_identical(archive, plain_build, tmp_path):
    cache = default_cache_dir(tmp_path)
    first = build([archive], tmp_path, cache=cache, workers=2)
    assert (first.extracted, first.cached) == (first.documents, 0)
    assert outputs(tmp_path) == outputs(plain_build)
    warm = build([archive], tmp_path, cache=cache, force=True)  # (without force: up to date, nothing built)
    assert (warm.extracted, warm.cached) == (0, warm.documents)
    assert outputs(tmp_path) == outputs(plain_build)
    assert warm.summary().startswith(f"read {warm.documents} documents (0 skipped, 0 extracted, {warm.documents} cached)")


def test_cache_reextracts_only_the_changed_file(archive, tmp_path):
    inputs = copy_archive(archive, tmp_path / "in")  # provenance names the files: a copy of its own
    cache = default_cache_dir(tmp_path / "out")
    first = build([inputs], tmp_path / "out", cache=cache, view=False)
    assert (first.extracted, first.cached) == (first.documents, 0)

    changed = sorted(inputs.glob("*.txt"))[3]
    changed.write_text(changed.read_text(encoding="utf-8") + "\n江西省九江市成立新材料产业链党委。\n", encoding="utf-8")
    again = build([inputs], tmp_path / "out", cache=cache, view=False)
    assert (again.extracted, again.cached) == (1, again.documents - 1)
    fresh = build([inputs], tmp_path / "fresh", view=False)
    assert outputs(tmp_path / "out", OUTPUTS[:3]) == outputs(tmp_path / "fresh", OUTPUTS[:3])
    assert (again.facts, again.triples) == (fresh.facts, fresh.triples)


def test_cache_keeps_entity_names_a_warm_build_romanises_none(archive, plain_build, tmp_path, monkeypatch):
    """pypinyin takes most of resolution: a warm build takes every entity's names from the cache."""
    cache = tmp_path / "cache"
    build([archive], tmp_path / "out", cache=cache, view=False)
    [names_file] = cache.glob("*/names-*.pickle")
    stored = pickle.loads(names_file.read_bytes())
    named = spy_names(monkeypatch)
    report = build([archive], tmp_path / "out", cache=cache, view=False)
    assert named == []
    assert report.entities == len(stored)
    assert outputs(tmp_path / "out", OUTPUTS[:3]) == outputs(plain_build, OUTPUTS[:3])


def test_cache_keeps_the_views_layouts_a_warm_build_lays_out_only_what_changed(archive, tmp_path, monkeypatch):
    import graph.layout

    inputs, cache = copy_archive(archive, tmp_path / "in"), tmp_path / "cache"
    build([inputs], tmp_path / "out", cache=cache, workers=2, view_max_nodes=60)  # pages written by two processes
    [layouts_file] = cache.glob("*/layouts-*.pickle")
    kept = pickle.loads(layouts_file.read_bytes())
    calls = spy_layouts(monkeypatch)
    build([inputs], tmp_path / "out", cache=cache, workers=1, view_max_nodes=60, force=True)
    assert not [n for n in calls if n > graph.layout.CACHED], "every larger component's layout was kept"
    assert len(kept) >= 5 and pickle.loads(layouts_file.read_bytes()) == kept
    build([inputs], tmp_path / "fresh", workers=1, view_max_nodes=60)
    assert outputs(tmp_path / "out") == outputs(tmp_path / "fresh")
    assert group_page_bytes(tmp_path / "out") == group_page_bytes(tmp_path / "fresh"), "the same group pages"

    changed = sorted(inputs.glob("*.txt"))[3]
    changed.write_text(changed.read_text(encoding="utf-8") + "\n江西省九江市成立新材料产业链党委。\n", encoding="utf-8")
    calls.clear()
    build([inputs], tmp_path / "out", cache=cache, workers=1, view_max_nodes=60)
    laid_out = [n for n in calls if n > graph.layout.CACHED]
    assert len(laid_out) < len(kept) / 2, "a new sentence changes few components"


def test_shared_cache_keeps_the_names_and_layouts_of_every_build(archive, tmp_path, monkeypatch):
    """A cache outside the output folders, shared by two archives: building the second keeps the first's
    entity names and layouts, so the first builds again without romanising or laying out anything."""
    import graph.layout

    first, second = tmp_path / "first", tmp_path / "second"
    for k, path in enumerate(sorted(archive.glob("*.txt"))):
        folder = first if k % 2 == 0 else second
        folder.mkdir(exist_ok=True)
        (folder / path.name).write_bytes(path.read_bytes())
    named = spy_names(monkeypatch)
    calls = spy_layouts(monkeypatch)
    cache = tmp_path / "shared-cache"
    build([first], tmp_path / "out1", cache=cache, workers=1, view_max_nodes=60)
    assert named and [n for n in calls if n > graph.layout.CACHED], "names and layouts made the first time"
    build([second], tmp_path / "out2", cache=cache, workers=1, view_max_nodes=60)
    named.clear()
    calls.clear()
    again = build([first], tmp_path / "out1", cache=cache, workers=1, view_max_nodes=60, force=True)
    assert again.cached == again.documents
    assert named == [], "the first archive's names were kept"
    assert not [n for n in calls if n > graph.layout.CACHED], "and its layouts"


def test_view_command_reuses_and_keeps_the_builds_layouts(archive, tmp_path, monkeypatch):
    """`redchain view` lays out only what the build's cache does not hold; a view of part of the graph
    keeps the build's other layouts; --no-cache lays out afresh, to the same bytes."""
    import graph.layout

    out = tmp_path / "out"
    build([archive], out, cache=default_cache_dir(out), workers=1, view_max_nodes=60)
    [layouts_file] = default_cache_dir(out).glob("*/layouts-*.pickle")
    kept = pickle.loads(layouts_file.read_bytes())
    calls = spy_layouts(monkeypatch)
    view = ["view", "--graph", str(out / "graph.ttl"), "--view-max-nodes", "60", "--workers", "1"]
    assert main([*view, "--output", str(tmp_path / "again" / "graph.html")]) == 0
    assert not [n for n in calls if n > graph.layout.CACHED], "every larger component's layout was the build's"
    assert (tmp_path / "again" / "graph.html").read_bytes() == (out / "graph.html").read_bytes()
    assert group_page_bytes(tmp_path / "again") == group_page_bytes(out)

    first = (out / "graph.nt").read_text(encoding="utf-8").split(">", 1)[0].lstrip("<")  # a node's IRI
    assert main([*view, "--focus", first, "--output", str(tmp_path / "part.html")]) == 0
    assert pickle.loads(layouts_file.read_bytes()) == kept, "the build's layouts, all of them, still there"

    calls.clear()
    assert main([*view, "--no-cache", "--output", str(tmp_path / "fresh" / "graph.html")]) == 0
    assert [n for n in calls if n > graph.layout.CACHED], "laid out afresh"
    assert (tmp_path / "fresh" / "graph.html").read_bytes() == (out / "graph.html").read_bytes()


def spy_layouts(monkeypatch) -> list[int]:
    """The size of each component the force layout lays out from now on (none that a cache gives)."""
    import graph.layout

    calls: list[int] = []
    real = graph.layout._force_layout
    monkeypatch.setattr(graph.layout, "_force_layout", lambda n, pairs, seed: (calls.append(n), real(n, pairs, seed))[1])
    return calls


def spy_names(monkeypatch) -> list[object]:
    """Each job of entity names made from now on (none that a cache gives)."""
    import graph.entities

    named: list[object] = []
    real = graph.entities.entity_names
    monkeypatch.setattr(graph.entities, "entity_names", lambda job: named.append(job) or real(job))
    return named


def group_page_bytes(out: Path) -> dict[str, bytes]:
    """Each file of the view's folder (group pages, search index, vis-network) by name."""
    return {p.name: p.read_bytes() for p in sorted((out / "graph-view").iterdir())}


def test_cache_names_file_unreadable_is_rebuilt(archive, plain_build, tmp_path):
    cache = tmp_path / "cache"
    build([archive], tmp_path / "out", cache=cache, view=False)
    [names_file] = cache.glob("*/names-*.pickle")
    names_file.write_bytes(names_file.read_bytes()[:50])  # truncated
    build([archive], tmp_path / "out", cache=cache, view=False, force=True)
    assert outputs(tmp_path / "out", OUTPUTS[:3]) == outputs(plain_build, OUTPUTS[:3])
    assert len(pickle.loads(names_file.read_bytes())) > 0  # written whole again
    assert not list(cache.rglob("*.tmp"))


def test_cache_corrupt_entry_is_rebuilt(archive, plain_build, tmp_path):
    cache = tmp_path / "cache"
    build([archive], tmp_path / "out", cache=cache, view=False)
    entries = sorted(cache.glob("*/*/*.pickle"))
    assert len(entries) >= 15
    entries[0].write_bytes(b"not a pickle")
    entries[1].write_bytes(entries[1].read_bytes()[:100])  # truncated
    report = build([archive], tmp_path / "out", cache=cache, view=False, force=True)
    assert (report.extracted, report.cached) == (2, report.documents - 2)
    assert outputs(tmp_path / "out", OUTPUTS[:3]) == outputs(plain_build, OUTPUTS[:3])
    assert pickle.loads(entries[0].read_bytes())[1].path.endswith(".txt")  # rewritten whole
    assert not list(cache.rglob("*.tmp"))


def test_cache_that_cannot_be_written_does_not_stop_the_build(small, tmp_path):
    blocked = tmp_path / "cache"
    blocked.write_text("a file where the cache folder should be", encoding="utf-8")
    report = build([small], tmp_path / "out", cache=blocked, view=False)
    assert (report.extracted, report.cached) == (report.documents, 0)
    assert (tmp_path / "out" / "graph.ttl").exists()


def test_cache_entry_for_another_document_is_not_used(tmp_path):
    store = DocumentCache(tmp_path, stamp="0" * 16)
    doc = Document("a.txt", "江西省", "utf-8")
    other = Document("b.txt", "江苏省", "utf-8")
    path = store._path(document_key(doc))
    path.parent.mkdir(parents=True)
    path.write_bytes(pickle.dumps("result for a"))  # anything but a packed result is refused
    assert store.get(doc) is None
    store.put(doc, PackedResult(other.path, other.encoding, 1, b"m", b"r"))  # another document's result
    assert store.get(doc) is None
    mine = PackedResult(doc.path, doc.encoding, 1, b"m", b"r")
    store.put(doc, mine)
    assert store.get(doc) == mine
    check, _ = pickle.loads(path.read_bytes())
    path.write_bytes(pickle.dumps((check, PackedResult(doc.path, doc.encoding, 1, b"m", b"R"))))  # damaged inside
    assert store.get(doc) is None


def test_cache_key_changes_with_path_text_and_fingerprint(tmp_path):
    doc = Document("a.txt", "江西省", "utf-8")
    assert document_key(doc) != document_key(Document("b.txt", "江西省", "utf-8"))
    assert document_key(doc) != document_key(Document("a.txt", "江西", "utf-8"))
    assert DocumentCache(tmp_path, "a" * 16).folder != DocumentCache(tmp_path, "b" * 16).folder


def test_cache_prune_drops_other_fingerprints_and_marks_the_folder(tmp_path):
    old = tmp_path / ("f" * 16)
    (old / "ab").mkdir(parents=True)
    (old / "ab" / "x.pickle").write_bytes(b"")
    keep = tmp_path / "not-a-fingerprint"
    keep.mkdir()
    store = DocumentCache(tmp_path, stamp="0" * 16, owner=tmp_path)
    doc = Document("a.txt", "江西省", "utf-8")
    store.put(doc, PackedResult(doc.path, doc.encoding, 0, b"", b""))
    store.prune()
    assert not old.exists() and keep.exists()
    assert (tmp_path / ".gitignore").read_text() == "*\n"
    assert (tmp_path / "CACHEDIR.TAG").read_text().startswith("Signature: 8a477f597d28d172789f06886806bc55")
    assert store._path(document_key(doc)).exists()  # used by this build
    DocumentCache(tmp_path, stamp="0" * 16, owner=tmp_path).prune()
    assert not store._path(document_key(doc)).exists()  # unused by the next one


def test_cache_cli_default_location_and_no_cache(small, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["build", "--input", str(small), "--output", str(out), "--workers", "1"]) == 0
    assert "0 cached)" in capsys.readouterr().err
    assert (out / CACHE_DIRNAME / ".gitignore").exists()
    assert main(["build", "--input", str(small), "--output", str(out), "--workers", "1", "--force"]) == 0
    assert " 0 extracted, " in capsys.readouterr().err
    assert main(["build", "--input", str(small), "--output", str(out), "--no-cache", "-q"]) == 0
    assert capsys.readouterr().err == ""


# ── up to date: the manifest of the last build ───────────────────────────────────────

def stamps(folder: Path) -> dict[str, int]:
    """Every file of a build's output folder but the cache, and when it was last written."""
    return {p.relative_to(folder).as_posix(): p.stat().st_mtime_ns for p in sorted(folder.rglob("*"))
            if p.is_file() and CACHE_DIRNAME not in p.parts}


def test_build_with_nothing_changed_is_up_to_date_and_writes_nothing(small, tmp_path, capsys):
    inputs = copy_archive(small, tmp_path / "in")
    (inputs / "empty.txt").write_text("", encoding="utf-8")  # D002: skipped, exit 1
    out = tmp_path / "out"
    assert main(["build", "--input", str(inputs), "--output", str(out), "--workers", "1"]) == 1
    first = capsys.readouterr().err
    written = stamps(out)
    assert "graph.ttl" in written and "D002" in first and "3 extracted" in first
    assert main(["build", "--input", str(inputs), "--output", str(out), "--workers", "2"]) == 1  # workers change no byte
    again = capsys.readouterr().err
    assert stamps(out) == written, "nothing written"
    assert "up to date" in again and "--force builds again" in again
    assert [line for line in again.splitlines() if "D002" in line] == [line for line in first.splitlines() if "D002" in line]
    report = build([inputs], out, cache=default_cache_dir(out))
    assert report.up_to_date and (report.extracted, report.cached, report.skipped) == (0, 0, 1)
    assert report.triples > 0 and stamps(out) == written
    assert main(["build", "--input", str(inputs), "--output", str(out), "--force", "-q"]) == 1
    assert stamps(out) != written and capsys.readouterr().err.count("D002") == 1


def _changes(inputs: Path, out: Path):
    """Each a change after which a build into ``out`` from ``inputs`` has something to do."""
    def same_size_same_time():  # only the bytes tell: the hash, not the file's size or time
        path = sorted(inputs.glob("*.txt"))[1]
        info, text = path.stat(), path.read_text(encoding="utf-8")
        path.write_text(text.replace("党", "团", 1), encoding="utf-8")  # three bytes for three
        os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns))
        assert path.stat().st_size == info.st_size and path.read_text(encoding="utf-8") != text
    return [
        ("an input's bytes", same_size_same_time, {}),
        ("a new input", lambda: (inputs / "new.txt").write_text("江西省九江市成立新材料产业链党委。\n", encoding="utf-8"), {}),
        ("an option", lambda: None, {"view_max_nodes": 5}),
        ("an output edited", lambda: (out / "graph.ttl").write_text("# mine\n", encoding="utf-8"), {}),
        ("an output removed", lambda: (out / "merges.tsv").unlink(), {}),
        ("the code", lambda: None, {"code": "another"}),
        ("force", lambda: None, {"force": True}),
    ]


def test_build_has_something_to_do_when_an_input_an_option_an_output_or_the_code_changed(small, tmp_path, monkeypatch):
    import graph.manifest

    inputs, out = copy_archive(small, tmp_path / "in"), tmp_path / "out"
    cache = default_cache_dir(out)
    options: dict = {}
    assert not build([inputs], out, cache=cache).up_to_date
    for name, change, new in _changes(inputs, out):
        change()
        if "code" in new:
            monkeypatch.setattr(graph.manifest, "code_key", lambda code=new["code"]: code)
        options.update((k, v) for k, v in new.items() if k != "code")
        report = build([inputs], out, cache=cache, **options)
        assert not report.up_to_date and report.triples > 0, name
        options.pop("force", None)
        assert build([inputs], out, cache=cache, **options).up_to_date, f"after {name}, up to date again"
    fresh = build([inputs], tmp_path / "fresh", **options)
    assert outputs(out) == outputs(tmp_path / "fresh") and not fresh.up_to_date
    assert not build([inputs], tmp_path / "fresh", **options).up_to_date, "without a cache, never up to date"


def test_build_that_fails_leaves_no_manifest(small, tmp_path, monkeypatch):
    import graph.pipeline

    out, cache = tmp_path / "out", tmp_path / "cache"
    build([small], out, cache=cache, view=False)
    [manifest] = (cache / "builds").glob("*.json")

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(graph.pipeline, "write_outputs", broken)
    with pytest.raises(OSError):
        build([small], out, cache=cache, view=False, force=True)
    assert not manifest.exists(), "a failed build may have replaced some outputs"
    monkeypatch.undo()
    assert not build([small], out, cache=cache, view=False).up_to_date and manifest.exists()


# ── progress ──────────────────────────────────────────────────────────────────────

class FakeTTY(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_line_is_throttled_and_cleared():
    now = [0.0]
    stream = FakeTTY()
    progress = TerminalProgress(stream, interval=0.1, clock=lambda: now[0])
    for done in range(1, 11):
        now[0] += 0.02
        progress(Step("extract", done, 10, done * 100_000, 1_000_000))
    draws = stream.getvalue().count("\r")
    assert 2 <= draws <= 4  # first, every 0.1 s, and the last
    assert "10/10 documents, 1.0/1.0 MB" in stream.getvalue()
    progress(Step("validate"))
    assert stream.getvalue().endswith("validating…\x1b[K")
    progress.close()
    assert stream.getvalue().endswith("\r\x1b[K")


def test_progress_line_shows_rate_and_eta():
    progress = TerminalProgress(FakeTTY(), clock=lambda: 0.0)
    progress(Step("extract", 0, 4, 0, 4_000_000))
    assert progress.line(Step("extract", 2, 4, 2_000_000, 4_000_000), 2.0) == \
        "extracting 2/4 documents, 2.0/4.0 MB, 1.00 MB/s, ETA 0:02"


def test_progress_cli_draws_on_a_terminal_only(small, tmp_path, monkeypatch):
    tty = FakeTTY()
    monkeypatch.setattr("sys.stderr", tty)
    assert main(["build", "--input", str(small), "--output", str(tmp_path), "--no-cache", "-j", "1"]) == 0
    text = tty.getvalue()
    assert "\rextracting " in text and "documents" in text
    last = text.rsplit("\r\x1b[K", 1)[1]  # the progress line is cleared before the summary
    assert last.startswith("read ") and last.count("\n") == 1
    quiet = FakeTTY()
    monkeypatch.setattr("sys.stderr", quiet)
    assert main(["build", "--input", str(small), "--output", str(tmp_path), "--no-cache", "-j", "1", "-q"]) == 0
    assert quiet.getvalue() == ""


def test_build_pauses_the_cyclic_gc_and_restores_it(small, tmp_path):
    """The collector is off while a build runs (progress is called inside it) and back on after,
    also when the build fails; a caller that had switched it off keeps it off."""
    import gc

    seen: list[bool] = []
    assert gc.isenabled()
    build([small], tmp_path / "a", progress=lambda step: seen.append(gc.isenabled()))
    assert seen and not any(seen) and gc.isenabled()

    def fail(step: Step) -> None:
        raise RuntimeError("stop")

    with pytest.raises(RuntimeError, match="stop"):
        build([small], tmp_path / "b", progress=fail)
    assert gc.isenabled()
    gc.disable()
    try:
        build([small], tmp_path / "c")
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_build_leaves_no_cyclic_garbage_of_its_own(archive, tmp_path):
    """With the collector paused, an object in a reference cycle lives until the build ends: the
    view's recursive place-path closure once kept every node of the graph alive that way. No
    object of a redchain class may be cyclic garbage after a build."""
    import gc

    gc.collect()
    gc.disable()  # kept off after the build too, which would otherwise collect at its first allocation
    try:
        build([archive], tmp_path / "out", workers=1, view_max_nodes=20)  # an overview, with its place groups
        assert (tmp_path / "out" / "graph-view").is_dir()
        gc.set_debug(gc.DEBUG_SAVEALL)
        gc.collect()
        ours = sorted({type(o).__qualname__ for o in gc.garbage if type(o).__module__.startswith("graph.")})
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.enable()
    assert ours == []

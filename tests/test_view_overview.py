"""The view of a graph over the node budget: an overview of groups (provinces, industrial
chains) in graph.html and one bounded page per group in graph-view/.

The graphs are synthesised with rdflib in the pipeline's shape (places with division
levels in a province → prefecture → county tree, national chains with committees per
county, covered enterprises, party branches, secretaries, government bodies, pairings),
with one provenance record per fact, so that no build is needed.
"""

from __future__ import annotations

import json
import math
import os
import random
import re
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any, Callable, Iterable
from urllib.parse import unquote

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS

from graph import view_overview
from graph.rdf_text import ntriples_lines
from graph.view import ViewStats, render_html
from graph.view_data import CLASSES, ViewNode, read_view_graph
from graph.view_facts import FactIndex
from graph.view_groups import partition
from graph.view_overview import _column, _PageQueue, pages_folder, write_overview, write_search_index
from graph.view_page import vis_network_js
from graph.vocab import ID, RC

from .test_view import XSS, page_data, sample_graph, sample_provenance

DATA_BLOCK = re.compile(r'<script type="application/json" id="redchain-data">(.*?)</script>', re.S)
INDEX_FILE = re.compile(r"/\* redchain search index \*/\nredchainIndexShard\((\d+),(.*)\);\n", re.S)


class Synth:
    """A graph and its provenance records, built node by node."""

    def __init__(self) -> None:
        self.g, self.prov, self.count = Graph(), [], 0

    def node(self, path: str, cls: URIRef, zh: str, pinyin: str = "", en: str = "") -> URIRef:
        ref = ID[path]
        if (ref, RDF.type, None) not in self.g:
            self.count += 1
            self.g.add((ref, RDF.type, cls))
            self.g.add((ref, RDFS.label, Literal(zh, lang="zh")))
            self.g.add((ref, RDFS.label, Literal(pinyin or f"pin yin {path}", lang="zh-Latn-pinyin")))
            if en:
                self.g.add((ref, RDFS.label, Literal(en, lang="en")))
        return ref

    def place(self, code: str, zh: str, level: str, parent: URIRef | None) -> URIRef:
        ref = self.node(f"place/{code}", RC.Place, zh)
        self.g.add((ref, RC.divisionLevel, Literal(level)))
        if parent is not None:
            self.fact(ref, "locatedIn", parent, 0)
        return ref

    def fact(self, s: URIRef, p: str, o: URIRef, k: int) -> None:
        self.g.add((s, RC[p], o))
        self.prov.append({"s": str(s), "p": str(RC[p]), "o": str(o), "s_label": "", "p_name": p, "o_label": "",
                          "rule": f"synthetic.{p}", "doc": f"seeds/synthetic-{k % 50:02d}.txt", "article": 0,
                          "article_title": f"第{k % 50}篇", "sentence": k,
                          "sentence_text": f"第{k}句：某某产业链党委吸纳某某有限公司，某某任书记。"})


def national_graph(n: int, seed: int = 11, provinces: int = 31) -> tuple[Graph, list[dict[str, Any]]]:
    """About ``n`` nodes across ``provinces`` provinces, with national chains of very
    different sizes (the first chains are the popular ones) and a few unplaced nodes."""
    rnd, sy = random.Random(seed), Synth()
    counties: list[tuple[URIRef, URIRef, URIRef]] = []
    for p in range(provinces):
        prov = sy.place(f"{11 + p}0000", f"第{p}省", "province", None)
        for c in range(rnd.randint(4, 12)):
            city = sy.place(f"{11 + p}{c + 1:02d}00", f"第{p}省第{c}市", "prefecture", prov)
            counties += [(sy.place(f"{11 + p}{c + 1:02d}{d + 1:02d}", f"第{p}省第{c}市第{d}县", "county", city), city, prov)
                         for d in range(rnd.randint(2, 6))]
    chains = [sy.node(f"chain/c{k}", RC.IndustrialChain, f"第{k}号产业链", en=f"Chain {k}")
              for k in range(max(4, n // 900))]
    weights = [1 / (k + 1) for k in range(len(chains))]
    k = 0
    while sy.count < n:
        county, city, prov = rnd.choice(counties)
        committee(sy, rnd, k, rnd.choices(range(len(chains)), weights)[0], chains, county, city)
        if k % 8 == 0:
            body = sy.node(f"org/gov{k}", RC.GovernmentBody, f"第{k}号组织部")
            sy.fact(body, "locatedIn", city, k)
            sy.fact(sy.node(f"person/gov{k}", RC.Person, f"部长{k}"), "affiliatedWith", body, k)
            sy.node(f"person/loose{k}", RC.Person, f"无名{k}")  # no fact: unplaced
        k += 1
    return sy.g, sy.prov


def committee(sy: Synth, rnd: random.Random, k: int, c: int, chains: list[URIRef], county: URIRef, city: URIRef) -> None:
    cm = sy.node(f"org/cm{k}", RC.ChainPartyCommittee, f"第{k}号{c}链党委", en=f"Committee {k}")
    sy.fact(cm, "servesChain", chains[c], k)
    sy.fact(cm, "locatedIn", county, k)
    sy.fact(sy.node(f"person/s{k}", RC.Person, f"书记{k}", f"shu ji {k}"), "secretaryOf", cm, k)
    for j in range(rnd.randint(4, 20)):
        ent = sy.node(f"org/e{k}-{j}", RC.Enterprise, f"第{k}委第{j}号科技有限公司", en=f"Tech {k}-{j}")
        sy.g.add((ent, SKOS.altLabel, Literal(f"科技{k}-{j}", lang="zh")))
        sy.fact(cm, "covers", ent, k * 31 + j)
        if rnd.random() < 0.9:
            sy.fact(ent, "locatedIn", rnd.choice([county, city]), k)
        if j == 0:
            sy.fact(ent, "leadsChain", chains[c], k)
        if rnd.random() < 0.3:
            branch = sy.node(f"org/b{k}-{j}", RC.PartyOrganization, f"第{k}委第{j}号公司党支部")
            sy.fact(branch, "partyOrganizationOf", ent, k)
            sy.fact(sy.node(f"person/b{k}-{j}", RC.Person, f"支书{k}-{j}"), "secretaryOf", branch, k)
    if k and rnd.random() < 0.3:
        sy.fact(cm, "partnersWith", ID[f"org/cm{rnd.randrange(k)}"], k)


def group_pages(html: Path) -> dict[str, Any]:
    """The overview's data, with its search index (files of its own) as ``index``."""
    data = page_data(html.read_text(encoding="utf-8"))
    assert "groups" in data and "index" not in data, "not an overview"
    data["index"] = joined_index([index_file(page_of(href, html), k) for k, href in enumerate(data["search"])])
    return data


def index_file(path: Path, k: int) -> dict[str, Any]:
    """The part of the search index in ``path``, which must be the ``k``-th."""
    found = INDEX_FILE.fullmatch(path.read_text(encoding="utf-8"))
    assert found and int(found.group(1)) == k, path
    part: dict[str, Any] = json.loads(found.group(2))
    return part


def joined_index(parts: list[dict[str, Any]]) -> dict[str, Any]:
    """The parts of the search index as one (each column's values end a line, so they join as they are)."""
    return {"cls": [c for part in parts for c in part["cls"]],
            **{c: "".join(part[c] for part in parts) for c in ("zh", "py", "en", "alts")}}


def page_of(href: str, html: Path) -> Path:
    return html.parent / unquote(href)


def index_rows(data: dict[str, Any]) -> list[list[Any]]:
    """The overview's search index as rows [Chinese, pinyin, English, other names joined by |,
    class, group, index in the group's page]: the columns' values, one per line, are the nodes
    of the groups in turn."""
    index = data["index"]
    columns = [index[c].split("\n") for c in ("zh", "py", "en", "alts")]
    assert all(col[-1] == "" and len(col) == len(index["cls"]) + 1 for col in columns), "every value ends a line"
    places = [(k, i) for k, g in enumerate(data["groups"]) for i in range(g["n"])]
    assert len(places) == len(index["cls"])
    return [[*values, cls, *place] for *values, cls, place in zip(*(col[:-1] for col in columns), index["cls"], places)]


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, ViewStats, Graph]:
    g, prov = national_graph(500, provinces=4)
    path = tmp_path_factory.mktemp("overview") / "graph.html"
    return path, render_html(ntriples_lines(g), prov, path, max_nodes=50), g


def test_view_overview_above_the_budget_single_page_below(tmp_path: Path) -> None:
    g, prov = sample_graph(), sample_provenance()
    nodes = len(read_view_graph(ntriples_lines(g))[0])
    at = render_html(ntriples_lines(g), prov, tmp_path / "at.html", max_nodes=nodes)
    assert at.pages == 1 and "groups" not in page_data((tmp_path / "at.html").read_text(encoding="utf-8"))
    assert not (tmp_path / "at-view").exists()
    over = render_html(ntriples_lines(g), prov, tmp_path / "over.html", max_nodes=nodes - 1)
    assert over.pages > 2 and over.nodes == nodes
    assert "groups" in page_data((tmp_path / "over.html").read_text(encoding="utf-8"))
    assert render_html(ntriples_lines(g), prov, tmp_path / "default.html").pages == 1  # the default budget is far above


def test_view_overview_pages_are_bounded_and_hold_every_node_once(big: tuple[Path, ViewStats, Graph]) -> None:
    path, stats, g = big
    data = group_pages(path)
    hrefs = [g["href"] for g in data["groups"]]
    seen: Counter[str] = Counter()
    linked = 0
    for group in data["groups"]:
        page = page_of(group["href"], path)
        assert page.is_file(), group["href"]
        inner = page_data(page.read_text(encoding="utf-8"))
        assert 0 < len(inner["nodes"]) == group["n"] <= 50
        assert inner["nav"]["overview"] == "../graph.html"
        linked += len(inner["outside"])
        for href in inner["outside"].values():  # a fact's end drawn on another page links there
            target, n = href.split("#n=")
            assert int(n) < data["groups"][hrefs.index(f"graph-view/{target}")]["n"], href
        seen.update(inner["base"] + m["i"] if ":" not in m["i"] else m["i"] for m in inner["meta"])
    assert set(seen.values()) == {1} and linked > 0
    assert set(seen) == set(read_view_graph(ntriples_lines(g))[0]) and len(seen) == stats.nodes == data["total"]["nodes"]
    assert stats.pages == len(data["groups"]) + 1
    assert sorted(p.name for p in path.parent.iterdir()) == ["graph-view", "graph.html"]
    assert sorted(p.name for p in (path.parent / "graph-view").iterdir()) == sorted(
        [page_of(h, path).name for h in hrefs] + ["vis-network.min.js", "search-index-0000.js"])


def test_view_overview_group_pages_share_one_vis_network(big: tuple[Path, ViewStats, Graph]) -> None:
    path, folder, vis = big[0], big[0].parent / "graph-view", vis_network_js()
    assert (folder / "vis-network.min.js").read_bytes() == vis.encode()
    overview = path.read_text(encoding="utf-8")
    assert vis in overview and "<script src" not in overview, "the overview inlines vis-network"
    csp = re.search(r'script-src ([^;"]*)', overview)
    assert csp and csp.group(1).split()[:2] == ["'self'", "file:"], "it loads its search index from graph-view/"
    for page in folder.glob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert vis[:2000] not in text and text.count('<script src="vis-network.min.js"></script>') == 1, page.name
        csp = re.search(r'script-src ([^;"]*)', text)
        assert csp and csp.group(1).split()[:2] == ["'self'", "file:"], page.name
        assert text.count("<script") == 3, page.name  # the data, vis-network, the view


def test_view_overview_groups_follow_provinces_and_chains(big: tuple[Path, ViewStats, Graph]) -> None:
    data = group_pages(big[0])
    kinds = Counter(g["kind"] for g in data["groups"])
    assert kinds["province"] >= 4 and kinds["chain"] >= 4 and kinds["unplaced"] >= 1
    labels = {g["label"] for g in data["groups"]}
    assert any(re.fullmatch(r"第0号产业链 · 第\d省.*", label) for label in labels), "the big chain is split by province"
    assert all(len(g["label"]) < 60 for g in data["groups"])
    rows = index_rows(data)
    index = {row[0]: row for row in rows}
    assert len(rows) == data["total"]["nodes"]
    secretary = index["书记0"]  # a committee's secretary is in the committee's chain group
    committee = next(row for zh, row in index.items() if re.fullmatch(r"第0号\d+链党委", zh))
    assert secretary[5] == committee[5] and data["groups"][secretary[5]]["kind"] == "chain"
    gov = index["部长0"]  # a body's official goes with the body, to its province
    assert data["groups"][gov[5]]["kind"] == "province"
    assert data["groups"][index["无名0"][5]]["kind"] == "unplaced"


def test_view_overview_search_index_keeps_one_value_a_line() -> None:
    assert _column(["甲\n乙", "a\r\x01b\x02", "", "lu\u0308"]) == "甲 乙\na  b \n\nlü\n"  # and in NFC


def test_view_overview_search_index_is_split_into_files_of_so_many_rows(tmp_path: Path) -> None:
    nodes = [ViewNode(f"n{i}", "Person", f"人{i}", f"ren {i}", f"Person {i}" if i % 2 else "", ("甲", "乙") if i % 3 else ())
             for i in range(7)]
    assert write_search_index(tmp_path / "whole", nodes) == ["search-index-0000.js"]
    assert write_search_index(tmp_path / "parts", nodes, rows=3) == [f"search-index-000{k}.js" for k in range(3)]
    parts = [index_file(tmp_path / "parts" / f"search-index-000{k}.js", k) for k in range(3)]
    assert [len(part["cls"]) for part in parts] == [3, 3, 1]
    assert [part["zh"] for part in parts] == ["人0\n人1\n人2\n", "人3\n人4\n人5\n", "人6\n"]
    assert joined_index(parts) == index_file(tmp_path / "whole" / "search-index-0000.js", 0)
    assert parts[2] == {"cls": [list(CLASSES).index("Person")], "zh": "人6\n", "py": "ren 6\n", "en": "\n", "alts": "\n"}
    assert parts[1]["alts"] == "\n甲|乙\n甲|乙\n" and parts[0]["en"] == "\nPerson 1\n\n"
    assert write_search_index(tmp_path / "none", []) == [] and not (tmp_path / "none").exists()


def test_view_overview_writes_the_index_files_the_overview_names(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    g, prov = national_graph(200, seed=3, provinces=3)
    monkeypatch.setattr(view_overview, "INDEX_ROWS", 60)
    stats = render_html(ntriples_lines(g), prov, tmp_path / "graph.html", max_nodes=40)
    data = group_pages(tmp_path / "graph.html")
    files = math.ceil(stats.nodes / 60)
    assert data["search"] == [f"graph-view/search-index-{k:04d}.js" for k in range(files)] and files > 2
    assert len(index_rows(data)) == stats.nodes


def test_view_overview_search_index_points_at_the_node_in_its_page(big: tuple[Path, ViewStats, Graph]) -> None:
    path = big[0]
    data = group_pages(path)
    classes = list(CLASSES)
    for row in index_rows(data)[::37]:
        zh, py, en, alts, cls, group, local = row
        inner = page_data(page_of(data["groups"][group]["href"], path).read_text(encoding="utf-8"))
        meta = inner["meta"][local]
        assert (meta["zh"], meta.get("py", ""), meta.get("en", ""), "|".join(meta.get("alt", []))) == (zh, py, en, alts)
        assert classes[cls] == inner["nodes"][local]["group"]


def test_view_overview_is_deterministic_and_removes_stale_pages(tmp_path: Path) -> None:
    g, prov = national_graph(200, seed=3, provinces=3)
    a, b = tmp_path / "a" / "graph.html", tmp_path / "b" / "graph.html"
    render_html(ntriples_lines(g), prov, a, max_nodes=40)
    stale = a.parent / "graph-view" / "place-990000.html"
    stale.write_text('<!DOCTYPE html>\n<meta name="generator" content="redchain">', encoding="utf-8")
    mine = a.parent / "graph-view" / "notes.html"
    mine.write_text("my own notes", encoding="utf-8")
    (a.parent / "graph-view" / ".x.html.1234.tmp").write_text("", encoding="utf-8")  # a killed build's
    (a.parent / "graph-view" / ".vis-network.min.js.5678.tmp").write_text("", encoding="utf-8")
    (a.parent / "graph-view" / ".search-index-0000.js.9012.tmp").write_text("", encoding="utf-8")
    stale_index = a.parent / "graph-view" / "search-index-0007.js"  # of a larger graph
    stale_index.write_text("/* redchain search index */\nredchainIndexShard(7,{});\n", encoding="utf-8")
    my_index = a.parent / "graph-view" / "search-index-mine.js"
    my_index.write_text("// my own script", encoding="utf-8")
    shuffled = list(g)
    random.Random(1).shuffle(shuffled)
    g2 = Graph()
    for triple in shuffled:
        g2.add(triple)
    render_html(ntriples_lines(g2), list(reversed(prov)), a, max_nodes=40)
    render_html(ntriples_lines(g), prov, b, max_nodes=40)
    assert not stale.exists() and not stale_index.exists(), "what an earlier build wrote is removed"
    assert mine.exists() and my_index.exists(), "only files this program wrote are removed"
    mine.unlink()
    my_index.unlink()
    files = sorted(p.relative_to(a.parent) for p in a.parent.rglob("*"))
    assert files == sorted(p.relative_to(b.parent) for p in b.parent.rglob("*"))
    for name in files:
        if (a.parent / name).is_file():
            assert (a.parent / name).read_bytes() == (b.parent / name).read_bytes(), name
    render_html(ntriples_lines(g), prov, a, max_nodes=5000)  # small again: one page, the group pages go
    assert sorted(p.name for p in a.parent.iterdir()) == ["graph.html"]


def test_view_overview_pages_written_by_several_processes_are_the_same_bytes(tmp_path: Path) -> None:
    g, prov = national_graph(200, seed=5, provinces=3)
    one, three = tmp_path / "one" / "graph.html", tmp_path / "three" / "graph.html"
    stats = render_html(ntriples_lines(g), prov, one, max_nodes=40)
    assert render_html(ntriples_lines(g), prov, three, max_nodes=40, workers=3) == stats
    assert stats.pages > 4, "too few pages to share out"
    files = sorted(p.relative_to(one.parent) for p in one.parent.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(three.parent) for p in three.parent.rglob("*") if p.is_file())
    for name in files:
        assert (one.parent / name).read_bytes() == (three.parent / name).read_bytes(), name


def test_view_overview_page_queue_hands_each_page_once_to_a_forked_writer_and_this_one(tmp_path: Path) -> None:
    queue = _PageQueue([5, 3, 9, 0, 7, 1, 2, 8], shared=True)
    taken = iter(queue)
    mine = [next(taken)]  # the first page goes before the other writer starts: it starts later
    theirs = tmp_path / "theirs"
    pid = os.fork()
    if pid == 0:  # the child writes down what it takes, then leaves at once
        try:
            theirs.write_text(" ".join(str(k) for k in queue))
        finally:
            os._exit(0)
    mine += list(taken)
    os.waitpid(pid, 0)
    others = [int(k) for k in theirs.read_text().split()]
    assert sorted(mine + others) == [0, 1, 2, 3, 5, 7, 8, 9] and mine[0] == 5, (mine, others)
    assert not queue.left()


def _pages_written_by(monkeypatch: pytest.MonkeyPatch, log: Path) -> Callable[[], dict[int, list[str]]]:
    """Record which process writes each group page (a file appended to by every writer)."""
    write = view_overview.write_atomic

    def logged(path: Path, data: Any) -> None:
        write(path, data)
        if path.parent.name.endswith("-view") and path.suffix == ".html":
            with open(log, "a", encoding="utf-8") as out:
                out.write(f"{os.getpid()} {path.name}\n")
    monkeypatch.setattr(view_overview, "write_atomic", logged)

    def by_process() -> dict[int, list[str]]:
        found: dict[int, list[str]] = defaultdict(list)
        for line in log.read_text().splitlines():
            pid, name = line.split()
            found[int(pid)].append(name)
        return dict(found)
    return by_process


def test_view_overview_holds_a_writer_back_while_another_process_is_busy(tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """``busy`` (the exports' child at work): one writer fewer; the last starts once it is done, and
    takes its pages from the same queue. The pages are the same bytes whoever writes them."""
    g, prov = national_graph(200, seed=5, provinces=3)
    one = tmp_path / "one" / "graph.html"
    stats = render_html(ntriples_lines(g), prov, one, max_nodes=40)
    assert stats.pages > 4, "too few pages to share out"
    runs: dict[str, Callable[[], bool]] = {"always": lambda: True,
                                           "after two pages": iter([True] * 3 + [False] * 1000).__next__}
    for name, busy in runs.items():
        by_process = _pages_written_by(monkeypatch, tmp_path / f"{name}.log")
        out = tmp_path / name / "graph.html"
        nodes, edges = read_view_graph(ntriples_lines(g))
        order = sorted(nodes)
        pages = write_overview(order, nodes, edges, FactIndex(prov), out, title="redchain", budget=40, workers=2,
                               busy=busy)
        assert pages + 1 == stats.pages
        writers = by_process()
        assert sorted(n for names in writers.values() for n in names) == sorted(
            p.name for p in pages_folder(one).glob("*.html")), name
        assert len(writers) == (1 if name == "always" else 2), (name, {pid: len(n) for pid, n in writers.items()})
        for file in pages_folder(one).iterdir():
            assert (pages_folder(out) / file.name).read_bytes() == file.read_bytes(), (name, file.name)


def test_view_overview_writes_the_pages_a_failed_writer_took(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from graph.processes import done

    g, prov = national_graph(200, seed=5, provinces=3)
    one, two = tmp_path / "one" / "graph.html", tmp_path / "two" / "graph.html"
    render_html(ntriples_lines(g), prov, one, max_nodes=40)

    def dies_after_taking_two(fn: Callable[..., Any], queue: Iterable[int]) -> Any:
        taken = iter(queue)
        next(taken), next(taken)  # taken from the queue, never written
        return done(fn(iter(())))  # as in_background gives it when the child failed: fn run here, on nothing left
    monkeypatch.setattr(view_overview, "in_background", dies_after_taking_two)
    render_html(ntriples_lines(g), prov, two, max_nodes=40, workers=2)
    files = sorted(p.name for p in pages_folder(one).iterdir())
    assert files == sorted(p.name for p in pages_folder(two).iterdir())
    for name in files:
        assert (pages_folder(two) / name).read_bytes() == (pages_folder(one) / name).read_bytes(), name


def test_view_overview_pages_are_self_contained_and_escaped(big: tuple[Path, ViewStats, Graph], tmp_path: Path) -> None:
    path = big[0]
    data = group_pages(path)
    pages = [path] + [page_of(g["href"], path) for g in data["groups"][:3]]
    for page in pages:
        text = page.read_text(encoding="utf-8")
        for needle in ('src="http', 'href="http', "//cdn", "sourceMappingURL"):
            assert needle not in text, (page, needle)
        assert not set("<>&") & set(DATA_BLOCK.search(text).group(1))  # type: ignore[union-attr]
    g = sample_graph()
    render_html(ntriples_lines(g), sample_provenance(), tmp_path / "x.html", max_nodes=3, title="<b>x</b>")
    text = (tmp_path / "x.html").read_text(encoding="utf-8")
    assert "<script>alert" not in text and "<title>&lt;b&gt;x&lt;/b&gt;</title>" in text
    index = INDEX_FILE.fullmatch((tmp_path / "x-view" / "search-index-0000.js").read_text(encoding="utf-8"))
    assert index and not set("<>&\u2028\u2029") & set(index.group(2))
    assert XSS in json.loads(index.group(2))["zh"].split("\n"), "the index holds the name as it is"
    for f in (tmp_path / "x-view").iterdir():
        assert "<script>alert" not in f.read_text(encoding="utf-8")


def test_view_overview_cuts_a_group_with_no_places_into_connected_pages() -> None:
    sy = Synth()
    org = sy.node("org/x", RC.OtherOrganization, "某协会")
    for i in range(4):
        sy.fact(sy.node(f"person/a{i}", RC.Person, f"会员{i}"), "affiliatedWith", org, i)
    for i in range(6):
        sy.node(f"person/x{i}", RC.Person, f"某{i}")
    nodes, edges = read_view_graph(ntriples_lines(sy.g))
    groups = partition(nodes, edges, 4)
    assert [len(gr.members) for gr in groups] == [4, 4, 3]
    assert all(gr.kind == "unplaced" and gr.note and gr.label.startswith("未定位") for gr in groups)
    assert [gr.label[-5:] for gr in groups] == ["(1/3)", "(2/3)", "(3/3)"]
    first = {nodes[i].zh for i in groups[0].members}
    assert first <= {"某协会", "会员0", "会员1", "会员2", "会员3"}, "a connected piece is kept together first"
    assert len({i for gr in groups for i in gr.members}) == len(nodes) == 11
    g, _ = national_graph(400, seed=5, provinces=2)
    nodes, edges = read_view_graph(ntriples_lines(g))
    whole = partition(nodes, edges, 10**6)  # no budget pressure: one group per province or chain
    assert len(whole) == len({(gr.kind, gr.key[0]) for gr in whole}) and not any(gr.note for gr in whole)


def test_view_overview_json_is_valid_for_every_page(big: tuple[Path, ViewStats, Graph]) -> None:
    path = big[0]
    for page in [path, *sorted((path.parent / "graph-view").glob("*.html"))]:
        block = DATA_BLOCK.search(page.read_text(encoding="utf-8"))
        assert block and json.loads(block.group(1))["version"] == 1


def test_view_overview_cli_budget_for_view_and_build(seed_build: tuple[Path, Any], tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    from graph.cli import main
    from graph.view import DEFAULT_MAX_NODES

    graph_ttl = seed_build[0] / "graph.ttl"
    assert main(["view", "--graph", str(graph_ttl), "--output", str(tmp_path / "v.html"), "--view-max-nodes", "60"]) == 0
    assert "group pages" in capsys.readouterr().err and (tmp_path / "v-view").is_dir()
    assert main(["view", "--graph", str(graph_ttl), "--output", str(tmp_path / "v.html")]) == 0
    assert not (tmp_path / "v-view").exists(), "the seeds are under the default budget: one page"
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.txt").write_text("景德镇高新区航空产业链党委吸纳江西天一航空装备有限公司等企业，何炳辉任书记。\n", encoding="utf-8")
    out = tmp_path / "out"
    assert main(["build", "--input", str(docs), "--output", str(out), "--view-max-nodes", "2", "-q", "--no-cache",
                 "--workers", "1"]) == 0
    assert "groups" in page_data((out / "graph.html").read_text(encoding="utf-8")) and (out / "graph-view").is_dir()
    with pytest.raises(SystemExit):
        main(["view", "--view-max-nodes", "0"])
    with pytest.raises(SystemExit):
        main(["view", "--help"])
    assert f"(default {DEFAULT_MAX_NODES})" in " ".join(capsys.readouterr().out.split())


@pytest.mark.parametrize("name", ["graph.ttl", "graph.nt", "graph.trig", "graph.nq", "graph.jsonld"])
def test_view_cli_draws_the_build_s_view_from_every_graph_format(seed_build: tuple[Path, Any], tmp_path: Path,
                                                                name: str) -> None:
    """Oxigraph reads the file (a dataset's graphs merged: its provenance draws nothing): the page is
    the one the build wrote."""
    from graph.cli import main

    folder = seed_build[0]
    assert main(["view", "--graph", str(folder / name), "--output", str(tmp_path / "v.html")]) == 0
    assert (tmp_path / "v.html").read_bytes() == (folder / "graph.html").read_bytes()


def test_view_cli_names_a_graph_that_does_not_parse(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from graph.cli import main

    bad = tmp_path / "graph.ttl"
    bad.write_text("@prefix x: <http://x/> .\nx:a x:b", encoding="utf-8")
    assert main(["view", "--graph", str(bad), "--output", str(tmp_path / "v.html")]) == 2
    assert "is not a graph redchain can read" in capsys.readouterr().err and not (tmp_path / "v.html").exists()

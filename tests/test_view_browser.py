"""The HTML view in headless Chromium (Debian's, driven by Playwright) with the network cut.

Every request that is not ``file:`` or ``data:`` is recorded and aborted; the tests check
that none was made, that nothing logged an error, that vis-network holds every node and
edge, and that search, click, filters and escaping work through the real page.
"""

from __future__ import annotations

import os
import re
import shutil
import time
import unicodedata
from pathlib import Path
from typing import Any, Iterator

import pytest
from rdflib import Literal
from rdflib.namespace import RDF, RDFS, SKOS

from graph import view_overview
from graph.rdf_text import ntriples_lines
from graph.view import ViewStats, render_html
from graph.vocab import ID, RC

from .test_view import NODES, XSS, sample_graph, sample_provenance, synthetic_graph
from .test_view_overview import index_rows, joined_index

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync"]

if not Path(CHROMIUM).exists():
    pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium, or set $CHROMIUM)", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install playwright)")


class Page:
    """A page with the network blocked, and a record of what it tried and logged."""

    def __init__(self, browser: Any, html: Path, width: int = 1300, height: int = 850) -> None:
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.page = browser.new_page(viewport={"width": width, "height": height})
        self.page.route("**/*", self._route)
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("dialog", self._dialog)
        self.page.on("request", lambda r: self.requests.append(r.url))
        start = time.perf_counter()
        self.page.goto(html.resolve().as_uri())
        self.page.wait_for_function("window.redchainReady === true", timeout=60_000)
        self.load_seconds = time.perf_counter() - start

    def _route(self, route: Any) -> None:
        if route.request.url.startswith(("file:", "data:")):
            route.continue_()
        else:
            route.abort()

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def js(self, expression: str, arg: Any = None) -> Any:
        return self.page.evaluate(expression, arg)

    def node_id(self, label: str) -> int:
        return int(self.js("l => window.redchain.data.meta.findIndex(m => m.zh === l)", label))

    def outside(self) -> list[str]:
        return [u for u in self.requests if not u.startswith(("file:", "data:"))]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, ViewStats]:
    path = tmp_path_factory.mktemp("view") / "graph.html"
    return path, render_html(ntriples_lines(sample_graph()), sample_provenance(), path, title="redchain 测试")


@pytest.fixture()
def page(browser: Any, built: tuple[Path, ViewStats]) -> Iterator[Page]:
    p = Page(browser, built[0])
    yield p
    p.page.close()


def test_draws_every_node_and_edge_offline(page: Page, built: tuple[Path, ViewStats]) -> None:
    stats = built[1]
    counts = page.js("""() => ({nodes: redchain.nodes.length, edges: redchain.edges.length,
        drawnNodes: redchain.network.body.nodeIndices.length, drawnEdges: redchain.network.body.edgeIndices.length,
        visible: redchain.visibleCounts()})""")
    assert (counts["nodes"], counts["edges"]) == (stats.nodes, stats.edges)
    assert (counts["drawnNodes"], counts["drawnEdges"]) == (stats.nodes, stats.edges)
    assert counts["visible"] == {"nodes": stats.nodes, "edges": stats.edges}
    assert page.js("document.querySelectorAll('#class-filters input').length") == len({c for _, c, *_ in NODES.values()})
    assert page.outside() == [] and page.errors == [] and page.dialogs == []


@pytest.mark.parametrize("query", ["天一", "tianyi", "Tiān Yī", "TIANYI hangkong", "Tianyi Aviation", "天一航空"])
def test_search_finds_and_selects(page: Page, query: str) -> None:
    page.page.fill("#search", query)
    first = page.page.locator("#search-results button").first
    assert first.inner_text().startswith("江西天一航空装备有限公司")
    if query.isascii():
        page.page.press("#search", "Enter")
    else:
        first.click()
    target = page.node_id("江西天一航空装备有限公司")
    assert page.js("redchain.network.getSelectedNodes()") == [target]
    assert page.page.locator("#panel h2").inner_text() == "江西天一航空装备有限公司"
    assert page.page.locator("#panel").is_visible()
    assert page.errors == []


@pytest.mark.parametrize("query", ["lv si", "Lǚ", "ls", "lǚ sì"])
def test_search_reads_u_umlaut_as_v(page: Page, query: str) -> None:
    """Pinyin's ü, with a tone mark or without, is typed as v (吕 lǚ: lv)."""
    assert page.js("q => redchain.search(q)[0]", query) == page.node_id("吕四")


def test_click_on_node_shows_its_evidence(page: Page) -> None:
    target = page.node_id("何炳辉")
    page.js("id => redchain.network.moveTo({position: redchain.network.getPositions([id])[id], scale: 1.5})", target)
    point = page.js("id => redchain.network.canvasToDOM(redchain.network.getPositions([id])[id])", target)
    box = page.page.locator("#network").bounding_box()
    page.page.mouse.click(box["x"] + point["x"], box["y"] + point["y"])
    page.page.wait_for_selector("#panel:not([hidden])")
    assert page.js("redchain.network.getSelectedNodes()") == [target]
    panel = page.page.locator("#panel")
    assert "航空产业链党委吸纳江西天一航空装备有限公司等12家企业，何炳辉任书记。" in panel.inner_text()
    assert "secretary.org-title-name" in panel.inner_text() and "seeds/01-test.txt" in panel.inner_text()
    assert "党建聚链，激发产业活力<b>" in panel.inner_text()  # the title as text, not markup
    hood = page.js("redchain.highlighted()")  # the rest is dimmed
    assert hood["nodes"] == sorted([target, page.node_id("航空产业链党委"), page.node_id("江西天一航空装备有限公司")])
    assert len(hood["edges"]) == 2
    page.page.mouse.click(box["x"] + 5, box["y"] + box["height"] - 5)  # empty canvas: clear
    assert page.page.locator("#panel").is_hidden()
    assert page.js("redchain.highlighted()") is None
    assert page.errors == []


def test_class_and_relation_filters_hide(page: Page, built: tuple[Path, ViewStats]) -> None:
    stats = built[1]
    page.page.uncheck('input[data-class="Person"]')
    after = page.js("redchain.visibleCounts()")
    assert after["nodes"] == stats.nodes - 3  # 何炳辉, 吕四, 王五
    assert after["edges"] == stats.edges - 4  # two secretaryOf, two affiliatedWith (董事长, 总经理)
    page.page.uncheck('input[data-relation="locatedIn"]')
    assert page.js("redchain.visibleCounts()")["edges"] == stats.edges - 4 - 4
    page.page.click("#reset")
    assert page.js("redchain.visibleCounts()") == {"nodes": stats.nodes, "edges": stats.edges}
    assert "15 / 15" in page.page.locator("#counts").inner_text()


def test_article_text_stays_inert(page: Page) -> None:
    scripts = page.js("document.scripts.length")
    page.page.fill("#search", "script")
    page.page.press("#search", "Enter")
    xss = page.node_id(XSS)
    assert page.js("redchain.network.getSelectedNodes()") == [xss]
    page.page.wait_for_timeout(500)  # the focus animation
    point = page.js("id => redchain.network.canvasToDOM(redchain.network.getPositions([id])[id])", xss)
    box = page.page.locator("#network").bounding_box()
    page.page.mouse.move(box["x"] + point["x"] - 3, box["y"] + point["y"] - 3)
    page.page.mouse.move(box["x"] + point["x"], box["y"] + point["y"], steps=3)  # the tooltip
    page.page.wait_for_selector("#tip:not([hidden])")
    assert page.page.locator("#panel h2").inner_text() == XSS
    assert "<img src=x onerror=alert(2)>" in page.page.locator("#panel").inner_text()
    assert XSS in page.page.locator("#tip").inner_text()
    assert page.js("document.scripts.length") == scripts == 3
    assert page.js("document.querySelectorAll('img, iframe, object, embed').length") == 0
    assert page.dialogs == [] and page.errors == [] and page.outside() == []


def test_a_thousand_nodes_draw_quickly(browser: Any, tmp_path: Path) -> None:
    g, prov = synthetic_graph(1000)
    path = tmp_path / "big.html"
    stats = render_html(ntriples_lines(g), prov, path)
    page = Page(browser, path, 1400, 900)
    try:
        assert page.js("redchain.nodes.length") == stats.nodes >= 1000
        assert page.js("redchain.network.body.edgeIndices.length") == stats.edges
        assert page.load_seconds < 30, f"first draw after {page.load_seconds:.1f} s"
        assert page.errors == [] and page.outside() == []
    finally:
        page.page.close()


def test_search_results_by_keyboard(page: Page) -> None:
    page.page.fill("#search", "产业链党委")
    names = page.page.locator("#search-results button > span:nth-child(2)").all_inner_texts()
    assert names[:2] == ["铜产业链党委", "航空产业链党委"]  # shorter names first
    page.page.press("#search", "ArrowDown")
    page.page.press("#search", "Enter")
    assert page.js("redchain.network.getSelectedNodes()") == [page.node_id("航空产业链党委")]
    assert page.page.locator("#search-results").is_hidden()


def test_screenshot_script(built: tuple[Path, ViewStats], tmp_path: Path) -> None:
    import subprocess
    import sys

    script = Path(__file__).parents[1] / "scripts" / "screenshot_view.py"
    png = tmp_path / "view.png"
    run = subprocess.run([sys.executable, str(script), str(built[0]), str(png), "--width", "800", "--height", "600",
                          "--search", "tianyi"], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert "first draw after" in run.stdout and run.stderr == ""
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


# ── the overview of a graph over the node budget ─────────────────────────────────────

@pytest.fixture(scope="module")
def overview(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, ViewStats]:
    from .test_view_overview import national_graph

    g, prov = national_graph(500, provinces=4)
    for k, (zh, py, en, alts) in enumerate([("北京市地矿局", "běi jīng shì dì kuàng jú", "Beijing Bureau of Geology",
                                             ["市地矿局", "地矿局"]), ("北京市绿化局", "běi jīng shì lǜ huà jú", "", []),
                                            ("市地矿局分局", "shì dì kuàng jú fēn jú", "", [])]):
        body = ID[f"gov/search{k}"]  # real pinyin, with tones and ü, for the search
        g.add((body, RDF.type, RC.GovernmentBody))
        g.add((body, RDFS.label, Literal(zh, lang="zh")))
        g.add((body, RDFS.label, Literal(py, lang="zh-Latn-pinyin")))
        if en:
            g.add((body, RDFS.label, Literal(en, lang="en")))
        for alt in alts:
            g.add((body, SKOS.altLabel, Literal(alt, lang="zh")))
    path = tmp_path_factory.mktemp("overview") / "graph.html"
    with pytest.MonkeyPatch.context() as patch:  # the search index in several files, so that the search spans them
        patch.setattr(view_overview, "INDEX_ROWS", 101)
        return path, render_html(ntriples_lines(g), prov, path, max_nodes=50, title="redchain 总览")


def _with_index(page: Page) -> dict[str, Any]:
    """The overview's data, with its search index (loaded, as the first search loads it) as ``index``."""
    page.js("redchain.loadIndex()")  # a Promise: evaluate waits for it
    return {**page.js("redchain.data"), "index": joined_index(page.js("redchain.shards()"))}


def _open_group_page(page: Page, action: Any) -> None:
    with page.page.expect_navigation():
        action()
    page.page.wait_for_function("window.redchainReady === true", timeout=30_000)


def test_overview_opens_offline_and_a_click_opens_the_group(browser: Any, overview: tuple[Path, ViewStats]) -> None:
    path, stats = overview
    page = Page(browser, path)
    try:
        data = page.js("redchain.data")
        assert page.js("redchain.network.body.nodeIndices.length") == len(data["groups"]) == stats.pages - 1
        assert page.js("document.querySelectorAll('#group-list a').length") == len(data["groups"])
        page.page.wait_for_function("redchain.shards().filter(Boolean).length === redchain.data.search.length")
        assert page.errors == [], "the search index is loaded after the first draw, before any search"
        k = data["order"][0]  # the largest group
        page.js("k => redchain.network.moveTo({position: redchain.network.getPositions([k])[k], scale: 1.5})", k)
        point = page.js("k => redchain.network.canvasToDOM(redchain.network.getPositions([k])[k])", k)
        box = page.page.locator("#network").bounding_box()
        _open_group_page(page, lambda: page.page.mouse.click(box["x"] + point["x"], box["y"] + point["y"]))
        assert page.page.url.endswith(data["groups"][k]["href"])
        assert page.js("redchain.network.body.nodeIndices.length") == data["groups"][k]["n"] <= 50
        assert page.page.locator("#overview-link").get_attribute("href") == "../graph.html"
        _open_group_page(page, lambda: page.page.click("#overview-link"))
        assert page.page.url == path.resolve().as_uri()
        assert page.outside() == [] and page.errors == [] and page.dialogs == []
    finally:
        page.page.close()


def test_overview_search_opens_the_node_in_its_group_page(browser: Any, overview: tuple[Path, ViewStats]) -> None:
    page = Page(browser, overview[0])
    try:
        data = _with_index(page)
        assert len(data["search"]) > 2, "the index is in several files"
        rows = index_rows(data)
        for query, name in (("shu ji 5", "书记5"), ("Tech 3-2", "第3委第2号科技有限公司")):  # pinyin, English
            r, row = next((r, row) for r, row in enumerate(rows) if row[0] == name)
            assert page.js("q => redchain.search(q)[0]", query) == {"group": row[5], "node": row[6], "row": r}
            assert page.js("r => redchain.row(r)", r) == [row[0], row[1], row[2], row[4], row[5], row[6]]
        page.page.fill("#search", "科技3-2")  # another name (skos:altLabel)
        first = page.page.locator("#search-results button").first
        assert first.locator("span").first.inner_text() == "第3委第2号科技有限公司"
        _open_group_page(page, lambda: page.page.press("#search", "Enter"))
        assert "#n=" in page.page.url
        page.page.wait_for_function("redchain.network.getSelectedNodes().length === 1")
        assert page.page.locator("#panel h2").inner_text() == "第3委第2号科技有限公司"
        assert page.outside() == [] and page.errors == []
    finally:
        page.page.close()


def test_overview_search_says_when_its_index_is_missing(browser: Any, overview: tuple[Path, ViewStats],
                                                       tmp_path: Path) -> None:
    shutil.copytree(overview[0].parent, tmp_path, dirs_exist_ok=True)
    (tmp_path / "graph-view" / "search-index-0001.js").unlink()
    page = Page(browser, tmp_path / "graph.html")
    try:
        page.page.fill("#search", "第1省")
        missing = page.page.locator("#search-results li.empty", has_text="missing")  # once the loading has failed
        assert "the nodes' search index is missing: keep the folder graph-view/ beside this page" in missing.inner_text()
        assert page.page.locator("#search-results li.empty").count() == 1, "no 'loading' line left"
        first = page.page.locator("#search-results button").first
        assert first.get_attribute("data-node") is None and first.inner_text().startswith("第1省"), "groups are still found"
        assert page.js("redchain.search('书记5')") == [], "no node without the index"
        assert page.errors and all("ERR_FILE_NOT_FOUND" in e for e in page.errors), page.errors
        assert page.outside() == []
    finally:
        page.page.close()


def test_overview_search_finds_groups_by_name(browser: Any, overview: tuple[Path, ViewStats]) -> None:
    page = Page(browser, overview[0])
    try:
        page.page.fill("#search", "第1省")
        first = page.page.locator("#search-results button").first
        assert first.get_attribute("data-node") is None and first.inner_text().startswith("第1省")
        _open_group_page(page, first.click)
        assert page.js("redchain.data.title").startswith("redchain 总览 · 第1省")
        assert page.errors == [] and page.outside() == []
    finally:
        page.page.close()


def _norm(s: str) -> str:
    """The search's normal form: ü as v (with a tone too: ǜ), no tone marks, lower case, no spaces or
    name punctuation."""
    s = unicodedata.normalize("NFD", s).replace("u\u0308", "v").replace("U\u0308", "v")
    return re.sub(r"[\s'’·\-_.,()（）]", "", re.sub("[\u0300-\u036f]", "", s).lower())


def _expected_search(data: dict[str, Any], query: str) -> list[dict[str, int]]:
    """What the overview's search should give, from its rule: a group or node whose name (any of
    them) is the query ranks 0, starts with it 1, holds it 2; a node whose pinyin initials start
    with a query of two or more letters 3; groups before nodes at the same rank, then shorter
    Chinese names, then the order of the index. A query of only spaces and punctuation finds nothing."""
    q, hits = _norm(query), []
    if not q:
        return []

    def rank(names: list[str]) -> int:
        found = [0 if n == q else 1 if n.startswith(q) else 2 for n in map(_norm, names) if q in n]
        return min(found, default=9)

    for k, g in enumerate(data["groups"]):
        if (best := rank([g["label"]])) < 9:
            hits.append(((best, -1, len(g["label"]), k), {"group": k, "node": -1}))
    for r, (zh, py, en, alts, _cls, group, local) in enumerate(index_rows(data)):
        best = rank([zh, py, en, *alts.split("|")])
        initials = "".join(_norm(w)[:1] for w in py.split())
        if best == 9 and len(q) > 1 and initials.startswith(q):
            best = 3
        if best < 9:
            hits.append(((best, 0, len(zh), r), {"group": group, "node": local, "row": r}))
    return [hit for _, hit in sorted(hits, key=lambda h: h[0])]


def test_overview_search_ranks_names_as_its_rule_says(browser: Any, overview: tuple[Path, ViewStats]) -> None:
    page = Page(browser, overview[0])
    try:
        data = _with_index(page)
        for query in ("书记", "书记5", "shu ji 5", "SHU JI", "shuji", "sj", "s", "tech", "Tech 3-2", "科技3-2", "第1省",
                      "链党委", "0", "部长", "pyp", "无名0", "北京", "kuàng", "kuang ju", "bjs", "bjsl", "lv hua",
                      "lü", "beijing", "市地矿局", "地矿局", "矿局", "(", "nothing like it"):
            expected = _expected_search(data, query)
            assert page.js("q => redchain.search(q)", query) == expected, query
            assert bool(expected) == (query not in ("(", "nothing like it")), query
        assert page.errors == []
    finally:
        page.page.close()


def test_group_page_links_a_fact_to_the_page_of_its_other_end(browser: Any, overview: tuple[Path, ViewStats]) -> None:
    path = overview[0]
    pages = sorted((path.parent / "graph-view").glob("chain-*.html"))
    page = Page(browser, pages[0])
    try:
        f, inside, name = page.js("""() => { const d = redchain.data, f = Number(Object.keys(d.outside)[0]), fact = d.facts[f];
            return fact[0] >= 0 ? [f, fact[0], fact[4]] : [f, fact[3], fact[1]]; }""")
        page.js("id => redchain.selectNode(id, {focus: false})", inside)
        link = page.page.locator(f'.fact[data-fact="{f}"] a.out-link')
        assert link.inner_text() == name + " ↗"
        _open_group_page(page, link.click)
        page.page.wait_for_function("redchain.network.getSelectedNodes().length === 1")
        assert page.page.locator("#panel h2").inner_text() == name
        assert page.errors == [] and page.outside() == []
    finally:
        page.page.close()

"""How the overview's first draw and search grow with its search index, in headless Chromium.

    python benchmarks/overview_search.py OUTPUT/graph.html [--times 1 --times 3 --times 7]

``graph.html`` is the overview of a large build (over the view's node budget). For each
``--times`` k the script writes a copy whose search index holds every node k times (the
copies' Chinese names numbered, the extra nodes counted to the last group, whose page is not
opened), with the index files beside it, opens it with the network blocked, and reports the
overview's size and its index files', the time to the first draw, then how much longer the
page takes to load and normalise the index files (which it starts after the first draw), the
first search and a later one, and the page's JS heap.
Needs Debian's chromium and playwright (the test extras). No figure is asserted anywhere.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import unquote

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent)]

from graph.view_data import CLASSES, ViewNode  # noqa: E402
from graph.view_overview import write_search_index  # noqa: E402
from graph.view_page import page_html, write_atomic  # noqa: E402

DATA = re.compile(r'<script type="application/json" id="redchain-data">(.*?)</script>', re.S)
INDEX_FILE = re.compile(r"/\* redchain search index \*/\nredchainIndexShard\((\d+),(.*)\);\n", re.S)
QUERIES = ("北斗", "hang kong")


def inflated(data: dict[str, Any], index: dict[str, Any], times: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """The overview's data and search index with every node of the index ``times`` times."""
    columns = {c: index[c].split("\n")[:-1] for c in ("zh", "py", "en", "alts")}
    copy = dict(data, groups=[dict(g) for g in data["groups"]])
    copy["groups"][-1]["n"] += len(index["cls"]) * (times - 1)
    grown: dict[str, Any] = {c: "".join(v + (str(k) if k and c == "zh" else "") + "\n" for k in range(times)
                                        for v in values) for c, values in columns.items()}
    grown["cls"] = index["cls"] * times
    return copy, grown


def read_index(overview: Path, hrefs: list[str]) -> dict[str, Any]:
    """The overview's search index, its files read and joined."""
    parts = []
    for href in hrefs:
        found = INDEX_FILE.fullmatch((overview.parent / unquote(href)).read_text(encoding="utf-8"))
        if not found:
            raise SystemExit(f"{href}: not a search-index file")
        parts.append(json.loads(found.group(2)))
    return {"cls": [c for p in parts for c in p["cls"]], **{c: "".join(p[c] for p in parts) for c in ("zh", "py", "en", "alts")}}


def index_nodes(index: dict[str, Any]) -> list[ViewNode]:
    """The nodes whose search index is ``index`` (what of them it holds)."""
    classes = list(CLASSES)
    zh, py, en, alts = (index[c].split("\n")[:-1] for c in ("zh", "py", "en", "alts"))
    return [ViewNode("", classes[k], *names[:3], tuple(names[3].split("|")) if names[3] else ())
            for k, *names in zip(index["cls"], zh, py, en, alts)]


def measure(page_path: Path, browser: Any) -> dict[str, Any]:
    page = browser.new_page()
    page.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file:") else r.abort())
    start = time.perf_counter()
    page.goto(page_path.resolve().as_uri())
    page.wait_for_function("window.redchainReady === true", timeout=300_000)
    ready = time.perf_counter() - start
    load, first, later = page.evaluate("""async qs => { const t0 = performance.now(); await redchain.prepareIndex();
        const t1 = performance.now(); redchain.search(qs[0]); const t2 = performance.now(); redchain.search(qs[1]);
        return [t1 - t0, t2 - t1, performance.now() - t2]; }""", list(QUERIES))
    heap = page.evaluate("() => performance.memory ? performance.memory.usedJSHeapSize : -1")
    page.close()
    return {"ready_s": ready, "load_s": load / 1000, "first_search_s": first / 1000, "later_search_s": later / 1000,
            "heap_mb": heap / 1e6}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("overview", type=Path)
    parser.add_argument("--times", type=int, action="append", help="index copies (repeatable; default 1, 3, 7)")
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    data = DATA.search(args.overview.read_text(encoding="utf-8"))
    overview = json.loads(data.group(1)) if data else {}
    if "search" not in overview:
        parser.error(f"{args.overview} is not an overview (no search index)")
    index = read_index(args.overview, overview["search"])
    print("| nodes in the index | overview file | index files | first draw | index ready after it | first search | later search "
          "| JS heap after |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=args.chromium, args=["--no-sandbox", "--disable-gpu"])
        for times in args.times or [1, 3, 7]:
            copy, grown = inflated(overview, index, times)
            folder = Path(tmp) / f"graph-{times}-view"
            copy["search"] = [f"{folder.name}/{name}" for name in write_search_index(folder, index_nodes(grown))]
            path = Path(tmp) / f"graph-{times}.html"
            write_atomic(path, page_html(copy, copy["title"], template="overview.html", app=("search_keys.js", "overview.js"),
                                         css=("view.css", "overview.css"), script_files=True))
            m = measure(path, browser)
            files = sum(f.stat().st_size for f in folder.iterdir())
            print(f"| {len(grown['cls']):,} | {path.stat().st_size / 1e6:.1f} MB | {files / 1e6:.1f} MB in "
                  f"{len(copy['search'])} | {m['ready_s']:.2f} s | {m['load_s']:.2f} s | {m['first_search_s'] * 1000:.0f} ms "
                  f"| {m['later_search_s'] * 1000:.0f} ms | {m['heap_mb']:.0f} MB |", flush=True)
        browser.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

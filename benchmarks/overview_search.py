"""How the overview's first draw and search grow with its search index, in headless Chromium.

    python benchmarks/overview_search.py OUTPUT/graph.html [--times 1 --times 3 --times 7]

``graph.html`` is the overview of a large build (over the view's node budget). For each
``--times`` k the script writes a copy whose search index holds every node k times (the
copies' Chinese names numbered, the extra nodes counted to the last group, whose page is not
opened), opens it with the network blocked, and reports the file's size, the time to the first
draw, the first search (which normalises the index) and a later one, and the page's JS heap.
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

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent)]

from graph.view_page import json_for_html, page_html, write_atomic  # noqa: E402

DATA = re.compile(r'<script type="application/json" id="redchain-data">(.*?)</script>', re.S)
INDEX = re.compile(r'<script type="application/json" id="redchain-index">(.*?)</script>', re.S)
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


def measure(page_path: Path, browser: Any) -> dict[str, Any]:
    page = browser.new_page()
    page.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file:") else r.abort())
    start = time.perf_counter()
    page.goto(page_path.resolve().as_uri())
    page.wait_for_function("window.redchainReady === true", timeout=300_000)
    ready = time.perf_counter() - start
    first, later = page.evaluate("""qs => { const t0 = performance.now(); redchain.search(qs[0]);
        const t1 = performance.now(); redchain.search(qs[1]); return [t1 - t0, performance.now() - t1]; }""", list(QUERIES))
    heap = page.evaluate("() => performance.memory ? performance.memory.usedJSHeapSize : -1")
    page.close()
    return {"ready_s": ready, "first_search_s": first / 1000, "later_search_s": later / 1000, "heap_mb": heap / 1e6}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("overview", type=Path)
    parser.add_argument("--times", type=int, action="append", help="index copies (repeatable; default 1, 3, 7)")
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    text = args.overview.read_text(encoding="utf-8")
    data, index = DATA.search(text), INDEX.search(text)
    if not data or not index:
        parser.error(f"{args.overview} is not an overview (no search index)")
    print("| nodes in the index | overview file | first draw | first search | later search | JS heap after |")
    print("|---:|---:|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=args.chromium, args=["--no-sandbox", "--disable-gpu"])
        for times in args.times or [1, 3, 7]:
            copy, grown = inflated(json.loads(data.group(1)), json.loads(index.group(1)), times)
            path = Path(tmp) / f"graph-{times}.html"
            write_atomic(path, page_html(copy, copy["title"], template="overview.html", app=("search_keys.js", "overview.js"),
                                         css=("view.css", "overview.css"), blocks={"INDEX": [json_for_html(grown)]}))
            m = measure(path, browser)
            print(f"| {len(grown['cls']):,} | {path.stat().st_size / 1e6:.1f} MB | {m['ready_s']:.2f} s "
                  f"| {m['first_search_s']:.2f} s | {m['later_search_s'] * 1000:.0f} ms | {m['heap_mb']:.0f} MB |", flush=True)
        browser.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

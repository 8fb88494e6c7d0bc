#!/usr/bin/env python3
"""Screenshot a redchain view in headless Chromium, with every network request blocked.

    python scripts/screenshot_view.py outputs/graph.html view.png [--width 1400 --height 900]
        [--search 航空] [--timeout 120]

Waits for ``window.redchainReady`` (set by the page after its first draw), optionally
types a search and picks the first hit (on the overview of a large view, that opens the
hit's group page, which is waited for too), then saves the PNG. Uses Debian's Chromium
(``/usr/bin/chromium``; override with ``$CHROMIUM``): Playwright's own browser download
is not needed. Prints the time to first draw in milliseconds.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("html", type=Path)
    parser.add_argument("png", type=Path)
    parser.add_argument("--width", type=int, default=1400)
    parser.add_argument("--height", type=int, default=900)
    parser.add_argument("--search", help="type this into the search box and pick the first hit")
    parser.add_argument("--timeout", type=float, default=120, help="seconds to wait for the first draw")
    args = parser.parse_args(argv)
    if not args.html.is_file():
        print(f"{args.html}: error: file not found; nothing written", file=sys.stderr)
        return 2
    from playwright.sync_api import sync_playwright

    blocked: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=os.environ.get("CHROMIUM", "/usr/bin/chromium"),
                                     args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": args.width, "height": args.height})

        def route(r):  # type: ignore[no-untyped-def]
            if r.request.url.startswith(("file:", "data:")):
                r.continue_()
            else:
                blocked.append(r.request.url)
                r.abort()

        page.route("**/*", route)
        page.goto(args.html.resolve().as_uri())
        page.wait_for_function("window.redchainReady === true", timeout=args.timeout * 1000)
        first_draw = page.evaluate("window.redchainFirstDraw")
        if args.search:
            page.fill("#search", args.search)
            page.keyboard.press("Enter")
            page.wait_for_timeout(600)
            page.wait_for_load_state()  # on an overview, the search opens the hit's group page
            page.wait_for_function("window.redchainReady === true", timeout=args.timeout * 1000)
        page.wait_for_timeout(200)
        args.png.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(args.png))
        browser.close()
    print(f"{args.png}: first draw after {first_draw:.0f} ms")
    for url in blocked:
        print(f"{args.html}: warning: blocked a request to {url}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

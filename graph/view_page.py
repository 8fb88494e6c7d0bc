"""One HTML page from a template in ``data/view/``: vis-network (from pyvis's package) and the
page's own scripts inlined and allowed by hash in a Content-Security-Policy, the data as
escaped JSON in a ``<script type="application/json">`` block; written atomically, piece by
piece (the overview of a large view holds every node's names: its data is never one str,
nor the page). The group pages of a large view load vis-network from one file beside them
instead of each carrying its 0.5 MB.
"""

from __future__ import annotations

import base64
import hashlib
import html
import os
import re
import tempfile
from functools import cache
from importlib.util import find_spec
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping, Sequence

import orjson

from .resources import data_path

__all__ = ["VIS_NETWORK_FILE", "json_for_html", "page_html", "vis_network_js", "write_atomic", "write_vis_network"]

VIS_NETWORK_FILE = "vis-network.min.js"

# in UTF-8, whose bytes \xe2\x80\xa8 are U+2028 wherever they stand (no character's encoding holds another's)
_JSON_ESCAPES = {b"<": b"\\u003c", b">": b"\\u003e", b"&": b"\\u0026", "\u2028".encode(): b"\\u2028",
                 "\u2029".encode(): b"\\u2029"}
_TO_ESCAPE = re.compile(b"[<>&]|\xe2\x80[\xa8\xa9]")


def json_for_html(data: Any) -> bytes:
    """``data`` as JSON safe inside a ``<script>`` block, in UTF-8: the bytes of ``json.dumps(data,
    ensure_ascii=False, sort_keys=True, separators=(",", ":"))``, written by orjson (3–4× faster
    on a page's data), then ``<``, ``>``, ``&``, U+2028 and U+2029 escaped. The two agree on
    what a page holds: str keys, ints, and finite floats written without an exponent (orjson
    writes ``1e16`` and ``0.00001`` where json writes ``1e+16`` and ``1e-05``; a page's floats
    are rounded sizes and its positions ints). orjson refuses non-str keys and lone surrogates
    (which json would let through to fail when the page is written)."""
    return _TO_ESCAPE.sub(lambda m: _JSON_ESCAPES[m.group()], orjson.dumps(data, option=orjson.OPT_SORT_KEYS))


@cache
def vis_network_js() -> str:
    """vis-network as pyvis ships it, found without importing pyvis (which imports IPython: 0.3 s)."""
    spec = find_spec("pyvis")
    if spec is None or spec.origin is None:
        raise ModuleNotFoundError("pyvis is not installed: the view inlines the vis-network it ships", name="pyvis")
    lib = Path(spec.origin).parent / "templates" / "lib" / "vis-9.1.2" / "vis-network.min.js"
    return re.sub(r"\n//# sourceMappingURL=\S*\s*$", "\n", lib.read_text(encoding="utf-8"))


@cache
def _asset(name: str) -> str:
    return (data_path("view") / name).read_text(encoding="utf-8")


@cache  # the same scripts on every page of a large view: vis-network alone is 0.5 MB to scan and hash
def _inline_hash(name: str, script: str) -> str:
    """The CSP hash of ``script``, which must be safe to inline."""
    if re.search(r"</script|<!--", script, re.IGNORECASE):
        raise ValueError(f"{name} script cannot be inlined: it contains '</script' or '<!--'")
    return _csp_hash(script)


def _csp_hash(script: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii") + "'"


def page_html(payload: Mapping[str, Any], title: str, *, template: str = "template.html",
              app: Sequence[str] = ("search_keys.js", "view.js"), css: Sequence[str] = ("view.css",),
              vis_src: str | None = None, script_files: bool = False) -> Iterator[bytes]:
    """The page in UTF-8, in pieces made as they are written: ``template`` with the payload,
    vis-network, the ``app`` scripts (joined into one script) and the ``css`` files from
    ``data/view/``. vis-network is inlined, or with ``vis_src`` loaded from that relative URL, a
    file next to the page (``write_vis_network``) that many pages share. ``script_files``: the
    page's script loads files beside it (the overview's search index), which its
    Content-Security-Policy then allows, as it does a ``vis_src``."""
    app_js = "\n".join(_asset(name) for name in app)
    allowed = [_inline_hash("app", app_js)]
    if vis_src is None:
        allowed.insert(0, _inline_hash("vis-network", vis_network_js()))
        vis = "<script>" + vis_network_js() + "</script>"
    else:
        vis = f'<script src="{html.escape(vis_src, quote=True)}"></script>'
    if vis_src is not None or script_files:
        # 'self' for pages served over HTTP and for Chromium's file: pages; browsers differ on
        # whether 'self' covers a page opened from disk (an opaque origin), hence file: too
        allowed[:0] = ["'self'", "file:"]
    parts = {
        "TITLE": html.escape(title, quote=True),
        "CSP": " ".join(allowed),
        "CSS": "\n".join(_asset(name) for name in css),
        "VIS": vis,
        "APP": app_js,
    }
    for k, piece in enumerate(_FIELD.split(_asset(template))):  # text, field name, text, field name … text
        if k % 2 == 0:
            yield piece.encode()
        elif piece == "DATA":
            yield json_for_html(payload)
        else:
            yield parts[piece].encode()


_FIELD = re.compile(r"\{\{([A-Z]+)\}\}")


def write_vis_network(folder: Path) -> str:
    """Write vis-network into ``folder`` for the pages there to share; return its file name."""
    write_atomic(folder / VIS_NETWORK_FILE, [vis_network_js().encode()])
    return VIS_NETWORK_FILE


def write_atomic(path: Path, pieces: Iterable[bytes]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            out.writelines(pieces)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise

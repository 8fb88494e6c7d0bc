"""The view of a graph over the node budget: ``graph.html`` becomes an overview of groups
(provinces, industrial chains, parts of them: ``view_groups.py``) and every group gets its
own page in the folder ``graph-view/`` next to it, a normal view of at most the budget with
a link back. A file: page cannot fetch its siblings in Chromium, so each page carries its own
data; a script element can still load a sibling file, so the pages share vis-network, written
once into the folder, and the overview's search index of every node's names (and the page
that draws it) is in script files there too (``search-index-0000.js`` …), which the overview
loads after its first draw. Group pages are written first (by ``workers`` processes: each page is a
pure function of the graph, so who writes it changes no byte), then the search index, the
overview last, then files left over from an earlier build are removed.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator, Mapping, Sequence
from urllib.parse import quote

from .layout import compute_layout
from .processes import Background, in_background
from .view_data import CLASSES, ViewEdge, ViewNode
from .view_facts import FactIndex
from .view_groups import KINDS, Group, group_of, partition
from .view_page import VIS_NETWORK_FILE, json_for_html, page_html, write_atomic, write_vis_network
from .view_payload import FONT, page_payload
from .vocab import ID

if TYPE_CHECKING:
    from .cache import LayoutCache

__all__ = ["INDEX_ROWS", "pages_folder", "remove_group_pages", "write_overview", "write_search_index"]

GROUP_LINKS = 6  # the overview draws each group's strongest links to other groups
INDEX_ROWS = 50_000  # nodes per search-index file: each of its columns a string of a few MB
_GENERATOR = b'<meta name="generator" content="redchain">'
_INDEX_MARK = b"/* redchain search index */\n"  # the first line of an index file this program wrote
_WRITTEN_BY_US = {".html": _GENERATOR, ".js": _INDEX_MARK}


def pages_folder(path: Path) -> Path:
    """Where the group pages of the view ``path`` go: ``graph.html`` → ``graph-view/``."""
    return path.with_name(f"{path.stem}-view")


def write_overview(order: Sequence[str], nodes: Mapping[str, ViewNode], edges: Sequence[ViewEdge],
                   facts: FactIndex, path: Path, *, title: str, budget: int, workers: int = 1,
                   layouts: LayoutCache | None = None, busy: Callable[[], bool] | None = None) -> int:
    """Write one page per group and the overview at ``path``; return the number of groups. With
    ``workers`` > 1, forked children write group pages beside this process, taking them one at a
    time, largest first, from a queue that all share (and hand back the ``layouts`` they used).
    ``busy``: while it says so, another process keeps a core busy, and one child fewer is started;
    the last one starts as soon as it says no more (between two pages of this process)."""
    groups = partition({iri: nodes[iri] for iri in order}, edges, budget)
    member = group_of(groups)
    inner: list[list[ViewEdge]] = [[] for _ in groups]
    links: Counter[tuple[int, int]] = Counter()
    for e in edges:
        a, b = member[e.s], member[e.o]
        if a == b:
            inner[a].append(e)
        else:
            links[(min(a, b), max(a, b))] += 1
    folder, names = pages_folder(path), _file_names(groups)
    local = {iri: i for group in groups for i, iri in enumerate(group.members)}

    def link(iri: str) -> str | None:
        return f"{names[member[iri]]}#n={local[iri]}" if iri in member else None

    vis_src = write_vis_network(folder)

    def write_page(k: int) -> None:
        group = groups[k]
        payload = page_payload(list(group.members), nodes, inner[k], facts, f"{title} · {group.label}", link=link,
                               layouts=layouts)
        payload["nav"] = {"overview": "../" + quote(path.name), "overviewTitle": title, "note": group.note}
        write_atomic(folder / names[k], page_html(payload, payload["title"], app=("search_keys.js", "view.js",
                                                  "drill.js"), css=("view.css", "drill.css"), vis_src=vis_src))

    def write_pages(queue: Iterable[int], after_each: Callable[[], None] | None = None
                    ) -> tuple[list[int], dict[Any, Any]]:
        written = []
        for k in queue:
            write_page(k)
            written.append(k)
            if after_each is not None:
                after_each()
        return written, layouts.used if layouts is not None else {}

    sizes = [len(g.members) for g in groups]  # the layout, most of a page's cost, grows with its nodes
    queue = _PageQueue(sorted(range(len(groups)), key=lambda k: (-sizes[k], k)), shared=workers > 1)
    helpers: list[Background[tuple[list[int], dict[Any, Any]]]] = []

    def start_helpers() -> None:
        wanted = min(workers, len(groups)) - 1 - (1 if busy is not None and busy() else 0)
        while len(helpers) < wanted and queue.left():
            helpers.append(in_background(write_pages, queue))

    start_helpers()
    written = set(write_pages(queue, after_each=start_helpers)[0])
    for helper in helpers:
        theirs, used = helper()  # a helper that failed ran again here, on an empty queue (in_background)
        written.update(theirs)
        if layouts is not None:
            layouts.used.update(used)
    for k in sorted(set(range(len(groups))) - written):  # taken by a helper that failed before it wrote them
        write_page(k)
    hrefs = [f"{quote(folder.name)}/{name}" for name in names]
    members = [nodes[iri] for group in groups for iri in group.members]
    index = write_search_index(folder, members, rows=INDEX_ROWS)  # the module's value now (tests lower it)
    overview = _overview_payload(groups, nodes, links, hrefs, title=title, budget=budget, n_edges=len(edges),
                                 layouts=layouts)
    overview["search"] = [f"{quote(folder.name)}/{name}" for name in index]
    write_atomic(path, page_html(overview, title, template="overview.html", app=("search_keys.js", "overview.js"),
                                 css=("view.css", "overview.css"), script_files=True))
    remove_group_pages(path, keep={*names, *index})
    return len(groups)


class _PageQueue:
    """The group pages (by index) in the order they are to be written, handed out one at a time to
    whichever writer asks next. ``shared``: the position is a counter in shared memory, which the
    writers forked from this process take pages from, however late they start."""

    def __init__(self, pages: Sequence[int], *, shared: bool) -> None:
        self.pages = list(pages)
        self._position: Any = None
        self._local = 0
        if shared:
            import multiprocessing

            self._position = multiprocessing.Value("q", 0)  # with a lock, which forked writers share

    def _take(self) -> int:
        if self._position is None:
            self._local += 1
            return self._local - 1
        with self._position.get_lock():
            taken: int = self._position.value
            self._position.value = taken + 1
        return taken

    def left(self) -> bool:
        position = self._local if self._position is None else self._position.value
        return bool(position < len(self.pages))

    def __iter__(self) -> Iterator[int]:
        while (i := self._take()) < len(self.pages):
            yield self.pages[i]


def remove_group_pages(path: Path, *, keep: set[str] | None = None) -> None:
    """Remove the group pages and search-index files next to the view ``path`` that are not in
    ``keep`` (only files this program wrote) and temporary files, then their folder once it is
    empty; vis-network goes when nothing is kept."""
    folder = pages_folder(path)
    if not folder.is_dir():
        return
    for file in sorted([*folder.glob("*.html"), *folder.glob("search-index-*.js")]):
        if file.name not in (keep or set()) and _written_by_us(file):
            file.unlink()
    if not keep:
        (folder / VIS_NETWORK_FILE).unlink(missing_ok=True)
    for stale in [*folder.glob(".*.html.*.tmp"), *folder.glob(".search-index-*.js.*.tmp"),
                  *folder.glob(f".{VIS_NETWORK_FILE}.*.tmp")]:
        stale.unlink(missing_ok=True)  # left by a killed build (view_page.write_atomic)
    if not any(folder.iterdir()):
        folder.rmdir()


def _written_by_us(file: Path) -> bool:
    with file.open("rb") as f:
        return _WRITTEN_BY_US[file.suffix] in f.read(2048)


def _file_names(groups: Sequence[Group]) -> list[str]:
    """ASCII file names from the groups' keys (IRIs): place-360000_place-360100.html."""
    names: list[str] = []
    used: set[str] = set()
    for group in groups:
        base = "_".join(_slug(part) for part in group.key)[:150].strip("_-") or "group"
        name, n = base, 1
        while name in used:
            n += 1
            name = f"{base}_{n}"
        used.add(name)
        names.append(f"{name}.html")
    return names


def _slug(part: str) -> str:
    tail = part[len(str(ID)):] if part.startswith(str(ID)) else re.split(r"[/#]", part.rstrip("/#"))[-1]
    return re.sub(r"[^a-z0-9]+", "-", (tail or "other").lower()).strip("-")[:80] or "x"


# ── the overview page's data ──────────────────────────────────────────────────────────

def _overview_payload(groups: Sequence[Group], nodes: Mapping[str, ViewNode], links: Counter[tuple[int, int]],
                      hrefs: Sequence[str], *, title: str, budget: int, n_edges: int,
                      layouts: LayoutCache | None) -> dict[str, Any]:
    kept = _strongest(links, len(groups))
    top = max((w for _, w in kept), default=1)
    pairs = [(a, b, 0.3 + 0.7 * math.log1p(w) / math.log1p(top)) for (a, b), w in kept]
    xy = compute_layout(len(groups), pairs, layouts)
    vis_nodes = [{"id": k, "label": g.label.replace(" · ", "\n", 1), "group": g.kind, "x": x * 2, "y": y * 2,
                  "value": len(g.members)} for k, (g, (x, y)) in enumerate(zip(groups, xy))]
    vis_edges = [{"id": i, "from": a, "to": b, "value": w} for i, ((a, b), w) in enumerate(kept)]
    total = sum(len(g.members) for g in groups)
    return {
        "version": 1, "title": title, "nodes": vis_nodes, "edges": vis_edges, "options": _options(),
        "total": {"nodes": total, "edges": n_edges, "budget": budget},
        "about": (f"{total} 个节点，超过每页 {budget} 个：按省份和产业链分组，点击分组打开它的页面 · "
                  f"{total} nodes, more than {budget} per page: grouped by province and industrial chain; "
                  f"click a group to open its page. Lines: facts between groups ({GROUP_LINKS} strongest per group)."),
        "kinds": _kinds(groups), "classes": [list(v) for v in CLASSES.values()],
        "groups": [_group_entry(g, nodes, href) for g, href in zip(groups, hrefs)],
        "order": sorted(range(len(groups)), key=lambda k: (-len(groups[k].members), groups[k].label, k)),
    }


def _strongest(links: Counter[tuple[int, int]], n: int) -> list[tuple[tuple[int, int], int]]:
    """The links that are among the ``GROUP_LINKS`` heaviest of either end, sorted by pair."""
    seen = [0] * n
    kept = []
    for (a, b), w in sorted(links.items(), key=lambda kv: (-kv[1], kv[0])):
        if seen[a] < GROUP_LINKS or seen[b] < GROUP_LINKS:
            kept.append(((a, b), w))
            seen[a] += 1
            seen[b] += 1
    return sorted(kept)


def _kinds(groups: Sequence[Group]) -> list[dict[str, Any]]:
    out = []
    for key, (zh, en, shape, color) in KINDS.items():
        mine = [g for g in groups if g.kind == key]
        if mine:
            out.append({"key": key, "zh": zh, "en": en, "shape": shape, "color": color, "count": len(mine),
                        "nodes": sum(len(g.members) for g in mine)})
    return out


def _group_entry(group: Group, nodes: Mapping[str, ViewNode], href: str) -> dict[str, Any]:
    rank = {cls: i for i, cls in enumerate(CLASSES)}
    counts = Counter(rank[nodes[iri].cls] for iri in group.members)
    classes = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:4]
    entry: dict[str, Any] = {"label": group.label, "href": href, "kind": group.kind, "n": len(group.members),
                             "c": [list(c) for c in classes]}
    if group.note:
        entry["note"] = group.note
    return entry


def write_search_index(folder: Path, members: Sequence[ViewNode], rows: int = INDEX_ROWS) -> list[str]:
    """Write the overview's search index of ``members`` (every node, in group order) into
    ``folder``, ``rows`` nodes a file; return the files' names. Each file is a script that calls
    ``redchainIndexShard(k, index)`` (``_search_index``): the overview loads them after its first
    draw, so that draw does not wait for the names of a million nodes, and no string of the
    page grows with the whole graph (V8's strings end at 2^29 characters)."""
    names = []
    for k, start in enumerate(range(0, len(members), rows)):
        names.append(f"search-index-{k:04d}.js")
        write_atomic(folder / names[-1], _index_script(k, _search_index(members[start:start + rows])))
    return names


def _index_script(k: int, index: Iterable[bytes]) -> Iterator[bytes]:
    """A script that hands the ``k``-th part of the index to the overview. JSON is a JS
    expression here: json_for_html escapes U+2028 and U+2029 (and <, > and &)."""
    yield _INDEX_MARK + f"redchainIndexShard({k},".encode()
    yield from index
    yield b");\n"


def _search_index(members: Sequence[ViewNode]) -> Iterator[bytes]:
    """A part of the overview's search index, a JSON object of its nodes' names in columns, the
    nodes in group order (a node's group and its index in the group's page follow from the
    groups' sizes): ``zh``, ``py``, ``en`` and ``alts`` (other names joined by |) each one string
    with every node's value ended by a line break, and ``cls`` the class numbers. A few long
    strings are quick to parse and search in the page (an array per node took 7.6 s to search
    first at 780,000 nodes; README). Made a column at a time as the file is written."""
    rank = {cls: i for i, cls in enumerate(CLASSES)}
    columns: dict[str, Callable[[ViewNode], str]] = {
        "alts": lambda n: "|".join(n.alts), "en": lambda n: n.en, "py": lambda n: n.pinyin, "zh": lambda n: n.zh}
    yield b'{"cls":' + json_for_html([rank[n.cls] for n in members])
    for key, value in columns.items():
        yield b',"' + key.encode() + b'":' + json_for_html(_column(value(n) for n in members))
    yield b"}"


def _column(values: Iterable[str]) -> str:
    """The values, each ended by a line break, in NFC (the page normalises them a character at a
    time). Joined from the values themselves (normalize and sub return a value that needs no
    change as it is): a str per value made to end it took ~20 MB more at 265,000 nodes."""
    return "\n".join([*(unicodedata.normalize("NFC", _ONE_LINE.sub(" ", v)) for v in values), ""])


# a line break ends a value, and the page's search separates names by U+0001 and U+0002:
# labels hold none of them (normalize.py), and this keeps it so
_ONE_LINE = re.compile(r"[\r\n\x01\x02]")


def _options() -> dict[str, Any]:
    colors = {k: {"background": color, "border": "#37474f", "highlight": {"background": color, "border": "#000000"},
                  "hover": {"background": color, "border": "#000000"}} for k, (_, _, _, color) in KINDS.items()}
    return {
        "autoResize": True,
        "physics": {"enabled": False},
        "layout": {"improvedLayout": False, "randomSeed": 1},
        "interaction": {"hover": True, "tooltipDelay": 150, "multiselect": False, "navigationButtons": False},
        "nodes": {"font": {"size": 14, "face": FONT, "color": "#212121", "strokeWidth": 3, "strokeColor": "#ffffff"},
                  "borderWidth": 1, "scaling": {"min": 10, "max": 60, "label": {
                      "enabled": True, "min": 14, "max": 30, "drawThreshold": 4, "maxVisible": 40}}},
        "edges": {"smooth": False, "arrows": {"to": {"enabled": False}}, "scaling": {"min": 1, "max": 10},
                  "color": {"color": "#b0bec5", "highlight": "#455a64", "hover": "#455a64", "inherit": False}},
        "groups": {k: {"shape": shape, "color": colors[k]} for k, (_, _, shape, _) in KINDS.items()},
    }

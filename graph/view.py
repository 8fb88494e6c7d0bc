"""The interactive view: a self-contained ``graph.html`` that works with no network.

Up to the node budget (``DEFAULT_MAX_NODES``; ``--view-max-nodes``) the view is one page:
``view_data.py`` reads the nodes and edges (``rc:Post`` nodes become the titles on
Person→organisation ``affiliatedWith`` edges), ``view_payload.py`` lays them out
(``layout.py``: a seeded force layout, physics off, so the page draws once and stays put)
and attaches each fact's evidence (``view_facts.py``), and ``view_page.py`` writes the page:
vis-network inlined from pyvis's package, the data as escaped JSON, a Content-Security-Policy
that allows only the page's own scripts and no request, the DOM built with ``textContent``.

Over the budget, ``graph.html`` is an overview of groups (provinces and industrial chains,
``view_groups.py``) and every group has its own page in ``graph-view/`` (``view_overview.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable, Mapping

from .record_file import RecordFile
from .view_data import ViewError, read_view_graph, select_subgraph
from .view_facts import FactIndex
from .view_overview import remove_group_pages, write_overview
from .view_page import page_html, write_atomic
from .view_payload import page_payload

if TYPE_CHECKING:
    from .cache import LayoutCache

__all__ = ["DEFAULT_MAX_NODES", "ViewError", "ViewStats", "render_html"]

# a single page up to this many nodes: it draws in about 1–2 s and filters stay quick (README)
DEFAULT_MAX_NODES = 3000


@dataclass(frozen=True, slots=True)
class ViewStats:
    nodes: int
    edges: int
    pages: int = 1  # with an overview: the overview and one page per group


def render_html(lines: Iterable[str], provenance: Iterable[Mapping[str, Any]] | RecordFile, path: Path | str, *,
                focus: str | None = None, depth: int = 1, chain: str | None = None,
                title: str = "redchain", max_nodes: int | None = None, workers: int = 1,
                layouts: LayoutCache | None = None, busy: Callable[[], bool] | None = None) -> ViewStats:
    """Write the interactive view of the graph whose N-Triples ``lines`` are given (or of the subgraph
    ``focus``/``depth``, ``chain``) to ``path``: one self-contained page, or, over ``max_nodes`` nodes (default
    ``DEFAULT_MAX_NODES``), an overview with one page per group. ``provenance``: the records,
    as a list or a ``RecordFile`` (kept on disk). ``workers``: processes that write the group pages,
    one fewer while ``busy`` says another process keeps a core busy (view_overview.py). ``layouts``:
    the layouts of earlier builds, and where this one's go (the build cache's; the caller saves
    it). The same input gives the same bytes."""
    budget = DEFAULT_MAX_NODES if max_nodes is None else max_nodes
    if budget < 1:
        raise ValueError(f"the node budget must be at least 1, not {budget}")
    path = Path(path)
    nodes, edges = read_view_graph(lines)
    order, edges = select_subgraph(nodes, edges, focus, depth, chain)
    facts = FactIndex(provenance)
    if len(order) > budget:
        pages = write_overview(order, nodes, edges, facts, path, title=title, budget=budget, workers=workers,
                               layouts=layouts, busy=busy)
        return ViewStats(nodes=len(order), edges=len(edges), pages=pages + 1)
    write_atomic(path, page_html(page_payload(order, nodes, edges, facts, title, layouts=layouts), title))
    remove_group_pages(path)
    return ViewStats(nodes=len(order), edges=len(edges))

"""redchain: knowledge graphs of party building along Chinese industrial chains.

Public API: ``build`` (documents → graph.ttl, provenance.jsonl, graph.html),
``load_graph`` and ``run_query``.
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__", "build", "load_graph", "run_query"]


def __getattr__(name: str) -> object:  # keep `import graph` light: stages load on first use
    if name == "build":
        from .pipeline import build

        return build
    if name in ("load_graph", "run_query"):
        from . import query

        return getattr(query, name)
    raise AttributeError(name)

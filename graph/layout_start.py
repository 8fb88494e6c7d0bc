"""Where the force layout of a component starts (``layout.py``): a radial drawing of a spanning tree.

The component's centre sits in the middle and each node's subtree in a wedge as wide as its
share of the leaves, ring after ring outwards. The graphs are nearly trees (a committee, what
it covers, their branches and secretaries), so this start has few crossings and the nodes
already near their neighbours: a short force layout from it keeps the crossings few and
settles further than a long one from random positions.
"""

from __future__ import annotations

import math
from typing import Any, Iterable, Sequence

__all__ = ["adjacency", "tree_start"]

RING_GAP = 0.9  # units between neighbours on a ring
GRID = 1 / 1024  # the drawing is rounded to this grid (see tree_start)


def adjacency(n: int, links: Iterable[Sequence[int]]) -> list[list[int]]:
    """Each node's neighbours, sorted, once each (no loops); ``links``: pairs of node indices."""
    neighbours: list[set[int]] = [set() for _ in range(n)]
    for a, b in links:
        if a != b:
            neighbours[a].add(b)
            neighbours[b].add(a)
    return [sorted(s) for s in neighbours]


def tree_start(n: int, neighbours: Sequence[Sequence[int]]) -> Any:
    """A radial drawing of a breadth-first tree from the centre of a connected component (nodes
    ``0..n-1``; ``neighbours``: sorted), as an (n, 2) array in units.

    The positions are rounded to a grid of 1/1024 unit: cos and sin come from the C library,
    whose last bit may differ between CPUs (glibc picks an FMA variant where it can), and the
    force layout would carry such a bit to other pixels; rounded, the start is the same bytes
    everywhere (short of a value within an ulp of a grid midpoint)."""
    import numpy as np

    root = _centre(n, neighbours)
    order, depth, parent = _breadth_first(n, neighbours, root)
    children: list[list[int]] = [[] for _ in range(n)]
    for v in order[1:]:
        children[parent[v]].append(v)
    leaves = [1] * n
    for v in reversed(order):
        if children[v]:
            leaves[v] = sum(leaves[c] for c in children[v])
    radius = _ring_radii([depth[v] for v in order])
    low, high = [0.0] * n, [2 * math.pi] * n  # each node's wedge
    xy = np.zeros((n, 2))
    for v in order:
        start = low[v]
        for c in children[v]:
            low[c] = start
            start = high[c] = start + (high[v] - low[v]) * leaves[c] / leaves[v]
        if v != root:
            angle = (low[v] + high[v]) / 2
            xy[v] = radius[depth[v]] * math.cos(angle), radius[depth[v]] * math.sin(angle)
    return np.round(xy / GRID) * GRID


def _ring_radii(depths: Sequence[int]) -> list[float]:
    """Each ring a unit past the last, or wider if its nodes need more room."""
    count = [0] * (max(depths) + 1)
    for d in depths:
        count[d] += 1
    radius = [0.0] * len(count)
    for d in range(1, len(count)):
        radius[d] = max(radius[d - 1] + 1, count[d] * RING_GAP / (2 * math.pi))
    return radius


def _breadth_first(n: int, neighbours: Sequence[Sequence[int]], root: int) -> tuple[list[int], list[int], list[int]]:
    """The nodes in breadth-first order from ``root``, with their depths and parents (−1: none)."""
    depth, parent, order = [-1] * n, [-1] * n, [root]
    depth[root] = 0
    for v in order:
        for u in neighbours[v]:
            if depth[u] < 0:
                depth[u], parent[u] = depth[v] + 1, v
                order.append(u)
    return order, depth, parent


def _centre(n: int, neighbours: Sequence[Sequence[int]]) -> int:
    """The middle of a longest shortest path found by two sweeps (a tree's centre)."""
    far = _breadth_first(n, neighbours, 0)[0][-1]
    order, _, parent = _breadth_first(n, neighbours, far)
    path = [order[-1]]
    while parent[path[-1]] >= 0:
        path.append(parent[path[-1]])
    return path[len(path) // 2]

"""Node positions for the view: a seeded force layout per connected component, packed on shelves.

The page draws with physics off, so these positions are what the reader sees. Everything
here is a pure function of its input (a fixed seed per component size), so the same
graph gives the same coordinates and the same bytes.
"""

from __future__ import annotations

import math
from collections import defaultdict
from typing import Any, Sequence

__all__ = ["LAYOUT_SEED", "UNIT_PX", "compute_layout"]

UNIT_PX = 130  # one layout unit (the ideal edge length) in canvas pixels
LAYOUT_SEED = 20240601
DENSE, NEIGHBOURS = 3000, 12  # see _force_layout

# (a, b, pull): an edge between node indices a and b, with its spring strength
Pairs = Sequence[tuple[int, int, float]]


def compute_layout(n: int, pairs: Pairs) -> list[tuple[int, int]]:
    """Pixel positions of ``n`` nodes: each connected component laid out on its own, then
    packed in rows, largest first."""
    comps = _components(n, pairs)
    where = {v: (k, i) for k, comp in enumerate(comps) for i, v in enumerate(comp)}
    local: list[list[tuple[int, int, float]]] = [[] for _ in comps]
    for a, b, w in pairs:
        (ka, ia), (_, ib) = where[a], where[b]
        local[ka].append((ia, ib, w))
    boxes = []
    for k, comp in enumerate(comps):
        if len(comp) < 3:
            xy = [(i - (len(comp) - 1) / 2, 0.0) for i in range(len(comp))]
        else:
            xy = [(float(x), float(y)) for x, y in _force_layout(len(comp), local[k], LAYOUT_SEED + len(comp))]
        boxes.append(xy)
    return _pack(comps, boxes, n)


def _components(n: int, pairs: Pairs) -> list[list[int]]:
    parent = list(range(n))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for a, b, _ in pairs:
        parent[find(a)] = find(b)
    groups: dict[int, list[int]] = defaultdict(list)
    for i in range(n):
        groups[find(i)].append(i)
    return sorted(groups.values(), key=lambda c: (-len(c), c[0]))


def _force_layout(n: int, pairs: Pairs, seed: int) -> Any:
    """Fruchterman-Reingold (k = 1 unit) with repulsion cut off at 2.5 units, their grid
    variant: each step costs O(n + edges), so 5,000 nodes take seconds, not minutes.

    A large component (over ``DENSE`` nodes) gathers around its hubs (a province with
    thousands of places and companies in it), where a node can have hundreds of
    neighbours within the cut-off and a step grows towards O(n²); there each node is
    pushed by its ``NEIGHBOURS`` nearest only, so a step stays O(n)."""
    import numpy as np
    from scipy.spatial import cKDTree

    rng = np.random.default_rng(seed)
    side = math.sqrt(n) * 1.5
    pos = rng.uniform(-side / 2, side / 2, (n, 2))
    links = np.asarray([(a, b) for a, b, _ in pairs], dtype=np.int64).reshape(-1, 2)
    strength = np.asarray([w for _, _, w in pairs], dtype=float)
    steps, cutoff = (250 if n < 1500 else 160 if n <= DENSE else 120), 2.5

    def push(disp: Any, pairs_: Any, weight: Any) -> None:  # disp[i] += w·(pos_i − pos_j), disp[j] −= it
        d = pos[pairs_[:, 0]] - pos[pairs_[:, 1]]
        dist = np.maximum(np.hypot(d[:, 0], d[:, 1]), 1e-3)
        for axis in (0, 1):
            f = d[:, axis] * weight(dist)
            disp[:, axis] += np.bincount(pairs_[:, 0], f, n) - np.bincount(pairs_[:, 1], f, n)

    def near(tree: Any) -> Any:
        if n <= DENSE:
            return tree.query_pairs(cutoff, output_type="ndarray")
        _dist, idx = tree.query(pos, k=NEIGHBOURS + 1, distance_upper_bound=cutoff)
        rows, cols = np.repeat(np.arange(n), NEIGHBOURS), idx[:, 1:].reshape(-1)
        found = cols < n  # a missing neighbour comes back as index n
        lo, hi = np.minimum(rows[found], cols[found]), np.maximum(rows[found], cols[found])
        keys = np.unique(lo * n + hi)  # each pair once, whichever end found the other
        return np.stack([keys // n, keys % n], axis=1)

    for step in range(steps):
        disp = -pos * 0.002  # a little gravity keeps the component round
        push(disp, near(cKDTree(pos)), lambda dist: 1.6 / dist**2 * (1 - dist / cutoff))
        push(disp, links, lambda dist: -dist * strength)
        length = np.maximum(np.hypot(disp[:, 0], disp[:, 1]), 1e-9)
        temp = side / 6 * (1 - step / steps) + 0.02
        pos += disp * (np.minimum(length, temp) / length)[:, None]
    return pos - pos.mean(axis=0)


def _pack(comps: list[list[int]], boxes: list[list[tuple[float, float]]], n: int) -> list[tuple[int, int]]:
    out = [(0, 0)] * n
    if not boxes:
        return out
    extents = [(min(x for x, _ in b), min(y for _, y in b), max(x for x, _ in b), max(y for _, y in b))
               for b in boxes]
    row_width = max(max(x1 - x0 for x0, _, x1, _ in extents) + 2,
                    math.sqrt(sum((x1 - x0 + 2) * (y1 - y0 + 2) for x0, y0, x1, y1 in extents)) * 1.3)
    cx = cy = row_h = 0.0
    for comp, xy, (x0, y0, x1, y1) in zip(comps, boxes, extents):
        if cx > 0 and cx + (x1 - x0) > row_width:
            cx, cy, row_h = 0.0, cy + row_h + 1.5, 0.0
        for v, (x, y) in zip(comp, xy):
            out[v] = (round((cx + x - x0) * UNIT_PX), round((cy + y - y0) * UNIT_PX))
        cx += x1 - x0 + 1.5
        row_h = max(row_h, y1 - y0)
    return out

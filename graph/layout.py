"""Node positions for the view: a seeded force layout per connected component, packed on shelves.

The page draws with physics off, so these positions are what the reader sees. Everything
here is a pure function of its input (a fixed seed per component size), so the same
graph gives the same coordinates and the same bytes.
"""

from __future__ import annotations

import functools
import hashlib
import math
from collections import defaultdict
from typing import Any, Callable, Protocol, Sequence

from .layout_start import adjacency, tree_start

__all__ = ["KnownLayouts", "LAYOUT_SEED", "UNIT_PX", "compute_layout"]

UNIT_PX = 130  # one layout unit (the ideal edge length) in canvas pixels
LAYOUT_SEED = 20240601
DENSE, NEIGHBOURS = 3000, 12  # see _near_pairs
# up to here every pair is pushed (_all_pairs): faster than a k-d tree, and its n × n complex
# arrays stay under glibc's 128 KiB mmap threshold (larger ones are fresh pages every step, 5–10× slower)
SMALL = 90
CUTOFF = 2.5  # no repulsion beyond this distance (units)
CACHED = 20  # components up to this size are laid out once per process (_cached_layout)
# components of up to DENSE nodes (all of them, on a view page of the default budget) start from
# a tree drawing scaled by START_SCALE and move with MOMENTUM (see _schedule); larger ones start at random
START_SCALE, MOMENTUM = 0.6, 0.5

# (a, b, pull): an edge between node indices a and b, with its spring strength
Pairs = Sequence[tuple[int, int, float]]


class KnownLayouts(Protocol):
    """Layouts computed before (cache.LayoutCache), by a hash of the component's input."""

    def get(self, key: bytes) -> Any | None: ...

    def add(self, key: bytes, result: Any) -> None: ...


def compute_layout(n: int, pairs: Pairs, known: KnownLayouts | None = None) -> list[tuple[int, int]]:
    """Pixel positions of ``n`` nodes: each connected component laid out on its own, then
    packed in rows, largest first. ``known``: the layouts of components of over ``CACHED``
    nodes are looked up there, and those computed added (the same positions: a layout is
    a pure function of its component)."""
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
        elif len(comp) <= CACHED:
            xy = list(_cached_layout(len(comp), tuple(local[k])))
        else:
            xy = _layout_of(len(comp), local[k]) if known is None else _known_layout(len(comp), local[k], known)
        boxes.append(xy)
    return _pack(comps, boxes, n)


def _layout_of(n: int, pairs: Pairs) -> list[tuple[float, float]]:
    return [(float(x), float(y)) for x, y in _force_layout(n, pairs, LAYOUT_SEED + n)]


def _known_layout(n: int, pairs: Pairs, known: KnownLayouts) -> list[tuple[float, float]]:
    key = hashlib.sha256(repr((n, list(pairs))).encode()).digest()  # repr: the exact floats
    xy: tuple[tuple[float, float], ...] | None = known.get(key)
    if xy is None:
        xy = tuple(_layout_of(n, pairs))
        known.add(key, xy)
    return list(xy)


@functools.lru_cache(maxsize=1024)
def _cached_layout(n: int, pairs: tuple[tuple[int, int, float], ...]) -> tuple[tuple[float, float], ...]:
    """Cached: the pages of a large view repeat the same few small shapes (a company, its
    committee, its chain): one 3-node path was 91 of the 115 components under 10 nodes of
    a 10 MB archive. Kept to ``CACHED`` nodes so the cache stays small."""
    return tuple(_layout_of(n, pairs))


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

    Positions are complex numbers (x + iy): gathering ``z[i]`` from one flat array is about
    ten times faster than gathering rows of an (n, 2) array. Up to ``SMALL`` nodes all pairs
    are pushed at once (an n × n matrix, no k-d tree). Up to ``DENSE`` nodes the layout starts
    from a tree drawing (``layout_start.py``, with a seeded jitter that breaks its symmetries),
    cools by the square of the steps left and keeps half of each step's move for the next
    (momentum: the slow, global moves of a spring layout then take fewer steps)."""
    import numpy as np

    rng = np.random.default_rng(seed)
    side = math.sqrt(n) * 1.5
    links = np.asarray([(a, b) for a, b, _ in pairs], dtype=np.int64).reshape(-1, 2)
    strength = np.asarray([w for _, _, w in pairs], dtype=float)
    treed = n <= DENSE
    if treed:
        xy = tree_start(n, adjacency(n, links.tolist())) * START_SCALE + rng.uniform(-0.05, 0.05, (n, 2))
    else:
        xy = rng.uniform(-side / 2, side / 2, (n, 2))
    z = xy[:, 0] + 1j * xy[:, 1]
    forces = _all_pairs(n, links, strength) if n <= SMALL else _near_pairs(n, links, strength)
    steps, heat = _schedule(n)
    cooling, momentum = (2, MOMENTUM) if treed else (1, 0.0)
    velocity = np.zeros(n, complex)
    # Nodes move by the whole temperature almost every step until the end, so the pairs within
    # reach change every step: a Verlet list (pairs within the cut-off plus a margin, kept while
    # no node has moved half the margin) was rebuilt every step and made it slower, and reusing
    # the pairs for three steps let dense clusters (a committee and its 150 secretaries) overlap
    # their neighbours on the 10 MB benchmark's largest components
    for step in range(steps):
        disp = forces(z) - z * 0.002  # a little gravity keeps the component round
        length = np.maximum(np.abs(disp), 1e-9)
        temp = side * heat * (1 - step / steps) ** cooling + 0.02
        velocity *= momentum
        velocity += disp * (np.minimum(length, temp) / length)
        z += velocity
    z -= z.mean()
    return np.stack([z.real, z.imag], axis=1)


def _schedule(n: int) -> tuple[int, float]:
    """Steps, and the first step's temperature as a share of the side, for ``n`` nodes.

    Up to ``DENSE`` nodes: 90 steps (120 up to ``SMALL``) from side/12, from a tree drawing, with
    momentum. Over the 219 components of 3+ nodes of the 10 MB benchmark and the seeds, six
    layout seeds each (``benchmarks/layout_quality.py``), that gave fewer crossings and close
    nodes and the same energy (within 0.3 %, inside the old schedule's spread over seeds) as 250
    steps from side/6 (up to ``SMALL`` nodes) and 200 from side/9 (above) from a random start, in
    half the time. Without momentum the same steps left more energy (5.11 per node vs 4.99 over
    the 32 components of 91+ nodes); a random start with momentum more crossings. The 30
    components of 1,500–3,000 nodes of the 100 MB benchmark (two seeds), which had kept 160 steps
    from side/6 from a random start, got half the crossings per edge (6.70 → 3.14), 8 % less
    energy, their closest pair twice as far apart and 56 % of the CPU time. Larger components
    (a page over the default budget) keep 120 steps from a random start: nothing measured them."""
    if n <= DENSE:
        return (120 if n <= SMALL else 90), 1 / 12
    return 120, 1 / 6


def _repulsion(dist: Any) -> Any:
    """Force per unit of distance, 1.6/d² fading to 0 at the cut-off (``dist``: changed in place)."""
    import numpy as np

    np.maximum(dist, 1e-3, out=dist)  # two nodes on one spot
    push = 1.6 / dist
    fade = np.divide(1.0, dist)
    fade -= 1 / CUTOFF
    push *= np.maximum(fade, 0.0, out=fade)
    return push


def _all_pairs(n: int, links: Any, strength: Any) -> Callable[[Any], Any]:
    """The forces on every node from every other: for small n a few n × n array operations
    cost less than building a k-d tree and querying it."""
    import numpy as np

    pull = np.zeros((n, n))
    np.add.at(pull, (links[:, 0], links[:, 1]), strength)  # add.at: a repeated link pulls twice
    pull += pull.T

    def forces(z: Any) -> Any:
        d = z[:, None] - z[None, :]
        dist = np.abs(d)
        push = _repulsion(dist)  # clamps dist too, as the pull wants it
        return (d * (push - pull * dist)).sum(axis=1)
    return forces


def _near_pairs(n: int, links: Any, strength: Any) -> Callable[[Any], Any]:
    """The forces from the nodes within the cut-off (a k-d tree each step) and along links.

    A large component (over ``DENSE`` nodes) gathers around its hubs (a province with
    thousands of places and companies in it), where a node can have hundreds of
    neighbours within the cut-off and a step grows towards O(n²); there each node is
    pushed by its ``NEIGHBOURS`` nearest only, so a step stays O(n). The pairs and the links
    are summed apart: joining them cost a copy of every array of the step."""
    import numpy as np

    near = _within_reach if n <= DENSE else _nearest
    li, lj = np.ascontiguousarray(links[:, 0]), np.ascontiguousarray(links[:, 1])

    def forces(z: Any) -> Any:
        close = near(z.view(float).reshape(n, 2))  # the same memory, as (x, y) rows
        i, j = np.ascontiguousarray(close.T)  # contiguous: gathered from and counted twice each
        d = z[i] - z[j]
        _scale(d, _repulsion(np.abs(d)))
        dl = z[li] - z[lj]
        _scale(dl, strength * np.abs(dl))
        return _sum_at(n, i, j, d) - _sum_at(n, li, lj, dl)
    return forces


def _scale(f: Any, by: Any) -> None:
    """``f *= by`` for complex ``f`` and real ``by``, without the complex copy of ``by`` that
    numpy makes (the same products; a zero's sign may differ, which no sum sees)."""
    f.real *= by
    f.imag *= by


def _sum_at(n: int, i: Any, j: Any, f: Any) -> Any:
    """Per node, the sum of ``f`` at ``i`` and of −``f`` at ``j`` (bincount: real and imaginary apart,
    each part copied once to contiguous memory, as bincount wants it)."""
    import numpy as np

    re, im = np.ascontiguousarray(f.real), np.ascontiguousarray(f.imag)
    out = np.empty(n, complex)
    out.real = np.bincount(i, re, n) - np.bincount(j, re, n)
    out.imag = np.bincount(i, im, n) - np.bincount(j, im, n)
    return out


def _within_reach(xy: Any) -> Any:
    from scipy.spatial import cKDTree

    # balanced_tree=False: a sliding-midpoint tree, ~25 % quicker to build and as quick to query here
    return cKDTree(xy, balanced_tree=False, compact_nodes=False).query_pairs(CUTOFF, output_type="ndarray")


def _nearest(xy: Any) -> Any:
    """Each pair of nodes where one is among the ``NEIGHBOURS`` nearest of the other, within the cut-off."""
    import numpy as np
    from scipy.spatial import cKDTree

    n = len(xy)
    _dist, idx = cKDTree(xy).query(xy, k=NEIGHBOURS + 1, distance_upper_bound=CUTOFF)
    rows, cols = np.repeat(np.arange(n), NEIGHBOURS), idx[:, 1:].reshape(-1)
    found = cols < n  # a missing neighbour comes back as index n
    lo, hi = np.minimum(rows[found], cols[found]), np.maximum(rows[found], cols[found])
    keys = np.unique(lo * n + hi)  # each pair once, whichever end found the other
    return np.stack([keys // n, keys % n], axis=1)


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

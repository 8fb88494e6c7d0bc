"""The force layout of the view: nodes kept apart, components packed apart, the same input gives
the same positions, the two ways of computing the forces (all pairs for small components, a
k-d tree for larger ones) agree, the tree drawing it starts from rings out from the tree's
centre, and it settles as far as the old schedules from a random start did (200 steps, and 160
for components of 1,500 nodes or more)."""

from __future__ import annotations

import itertools
import math

import networkx as nx
import numpy as np
import pytest

from graph import layout, layout_start
from graph.layout import UNIT_PX, compute_layout

# a committee with eight members, one of them in a chain of three; a triangle; a 3-node path
SMALL_PAIRS = ([(0, i, 1.0) for i in range(1, 9)] + [(8, 9, 0.3), (9, 10, 0.3), (10, 11, 1.0)]
               + [(12, 13, 1.0), (13, 14, 1.0), (14, 12, 1.0), (15, 16, 1.0), (16, 17, 1.0)])


def _tree(n: int, seed: int) -> list[tuple[int, int, float]]:
    """A random tree with a few hubs, the shape of a chain's component."""
    rng = np.random.default_rng(seed)
    parents = [int(rng.integers(0, k)) if rng.random() < 0.5 else int(rng.integers(0, min(k, 5))) for k in range(1, n)]
    return [(k, p, 1.0 if k % 3 else 0.3) for k, p in zip(range(1, n), parents)]


def _closest(xy: list[tuple[int, int]]) -> float:
    return min(math.dist(a, b) for a, b in itertools.combinations(xy, 2)) / UNIT_PX


def test_layout_small_components_keep_nodes_apart_and_repeat_exactly() -> None:
    first = compute_layout(18, SMALL_PAIRS)
    layout._cached_layout.cache_clear()  # lay them out again, not from the cache
    assert compute_layout(18, SMALL_PAIRS) == first
    assert _closest(first) > 0.5


@pytest.mark.parametrize("n", [61, 150])  # all pairs, then a k-d tree
def test_layout_hubs_keep_nodes_apart_and_repeat_exactly(n: int) -> None:
    pairs = _tree(n, seed=n)
    first = compute_layout(n, pairs)
    assert compute_layout(n, pairs) == first
    assert _closest(first) > 0.4


def test_layout_known_layouts_give_the_same_positions_without_laying_out_again(tmp_path, monkeypatch) -> None:
    from graph.cache import LayoutCache

    pairs = _tree(61, seed=3) + [(61 + a, 61 + b, w) for a, b, w in _tree(40, seed=4)] + SMALL_PAIRS[-2:]
    plain = compute_layout(101 + 18, pairs)  # two components of over CACHED nodes, and small ones
    known = LayoutCache(tmp_path)
    assert compute_layout(101 + 18, pairs, known) == plain and len(known.used) == 2
    assert known.save()
    calls: list[int] = []
    monkeypatch.setattr(layout, "_force_layout", lambda n, pairs, seed: (calls.append(n), np.zeros((n, 2)))[1])
    again = LayoutCache(tmp_path)  # read back from its file
    assert compute_layout(101 + 18, pairs, again) == plain and calls == [], "laid out from what is known"
    assert pairs[0] == (1, 0, 1.0)
    compute_layout(101 + 18, [(1, 0, 0.3), *pairs[1:]], again)  # one pull of the 61-node component changed
    assert calls == [61], "only that component is laid out again"


def test_layout_all_pairs_and_near_pairs_give_the_same_forces() -> None:
    n, pairs = 60, _tree(60, seed=1)
    links = np.asarray([(a, b) for a, b, _ in pairs])
    strength = np.asarray([w for _, _, w in pairs])
    rng = np.random.default_rng(2)
    z = rng.uniform(-6, 6, n) + 1j * rng.uniform(-6, 6, n)
    expected = layout._near_pairs(n, links, strength)(z)
    assert np.allclose(layout._all_pairs(n, links, strength)(z), expected, rtol=1e-9, atol=1e-9)


def _energy(xy: np.ndarray, pairs: list[tuple[int, int, float]]) -> float:
    """The potential of the layout's forces, written out over all pairs: springs w·d³/3,
    repulsion 1.6·(ln(c/d) + d/c − 1) within c = 2.5 units, gravity 0.001·|z|²."""
    d = np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1))[np.triu_indices(len(xy), 1)]
    near = d[d < 2.5]
    springs = sum(w * math.dist(xy[a], xy[b]) ** 3 / 3 for a, b, w in pairs)
    return float((1.6 * (np.log(2.5 / near) + near / 2.5 - 1)).sum() + springs + 0.001 * (xy ** 2).sum())


def _crossings(xy: np.ndarray, pairs: list[tuple[int, int, float]]) -> int:
    def side(p: np.ndarray, q: np.ndarray, r: np.ndarray) -> float:
        return float(np.sign((q[0] - p[0]) * (r[1] - p[1]) - (q[1] - p[1]) * (r[0] - p[0])))

    count = 0
    for (a, b, _), (c, d, _) in itertools.combinations(pairs, 2):
        if len({a, b, c, d}) == 4 and side(xy[a], xy[b], xy[c]) * side(xy[a], xy[b], xy[d]) < 0 \
                and side(xy[c], xy[d], xy[a]) * side(xy[c], xy[d], xy[b]) < 0:
            count += 1
    return count


def _old_schedule(n: int, pairs: list[tuple[int, int, float]], seed: int, steps: int = 200,
                  heat: float = 1 / 9) -> np.ndarray:
    """The layout as it was before the tree start (the oracle): a random start, ``steps`` steps
    cooling linearly from side × ``heat``, no momentum (components of 1,500–3,000 nodes had 160
    from side/6)."""
    rng = np.random.default_rng(seed)
    side = math.sqrt(n) * 1.5
    xy = rng.uniform(-side / 2, side / 2, (n, 2))
    z = xy[:, 0] + 1j * xy[:, 1]
    links = np.asarray([(a, b) for a, b, _ in pairs])
    forces = layout._near_pairs(n, links, np.asarray([w for _, _, w in pairs]))
    for step in range(steps):
        disp = forces(z) - z * 0.002
        length = np.maximum(np.abs(disp), 1e-9)
        z += disp * (np.minimum(length, side * heat * (1 - step / steps) + 0.02) / length)
    z -= z.mean()
    return np.stack([z.real, z.imag], axis=1)


def _crossings_counted_at_once(xy: np.ndarray, pairs: list[tuple[int, int, float]]) -> int:
    """``_crossings`` for many edges: the same test on every pair of edges, as arrays."""
    links = np.asarray([(a, b) for a, b, _ in pairs])
    a, b = np.triu_indices(len(links), 1)
    p, q, r, s = (xy[links[a, 0]], xy[links[a, 1]], xy[links[b, 0]], xy[links[b, 1]])

    def side(u: np.ndarray, v: np.ndarray, w: np.ndarray) -> np.ndarray:
        return np.sign((v[:, 0] - u[:, 0]) * (w[:, 1] - u[:, 1]) - (v[:, 1] - u[:, 1]) * (w[:, 0] - u[:, 0]))

    apart = (links[a, 0] != links[b, 0]) & (links[a, 0] != links[b, 1]) & (links[a, 1] != links[b, 0]) \
        & (links[a, 1] != links[b, 1])
    return int((apart & (side(p, q, r) * side(p, q, s) < 0) & (side(r, s, p) * side(r, s, q) < 0)).sum())


def _closest_units(xy: np.ndarray) -> float:
    return float(min(math.dist(a, b) for a, b in itertools.combinations(xy.tolist(), 2)))


def _hub_tree(n: int) -> list[tuple[int, int, float]]:
    """A committee (node 1) with ``n`` − 30 secretaries, on a chain with 28 other members in a small tree."""
    return ([(0, 1, 1.0)] + [(1, k, 1.0) for k in range(30, n)]
            + [(k, (k - 2) // 3, 0.3 if k % 2 else 1.0) for k in range(2, 30)])


def test_layout_tree_start_rings_out_from_the_tree_centre() -> None:
    n, pairs = 150, _tree(150, seed=3)
    xy = layout_start.tree_start(n, layout_start.adjacency(n, [(a, b) for a, b, _ in pairs]))
    assert len({(x, y) for x, y in xy.tolist()}) == n
    assert np.array_equal(xy * 1024, np.round(xy * 1024))  # on its grid
    radius = np.hypot(xy[:, 0], xy[:, 1])
    centre = int(np.argmin(radius))
    assert centre in nx.center(nx.Graph([(a, b) for a, b, _ in pairs]))
    # a tree's every edge joins a ring to the next (at least a unit further out, less the grid)
    assert all(abs(radius[a] - radius[b]) >= 1 - 2 ** -9 for a, b, _ in pairs)


def test_layout_tree_start_drops_loops_and_repeated_links() -> None:
    assert layout_start.adjacency(3, [(0, 1), (1, 0), (2, 2), (2, 1)]) == [[1], [0, 2], [1]]


@pytest.mark.parametrize("n", [60, 200])  # all pairs, then a k-d tree
def test_layout_settles_as_far_as_the_old_schedule_with_no_more_crossings(n: int) -> None:
    pairs = _tree(n, seed=n + 1)
    new = layout._force_layout(n, pairs, layout.LAYOUT_SEED + n)
    old = _old_schedule(n, pairs, layout.LAYOUT_SEED + n)
    assert _crossings(new, pairs) <= _crossings(old, pairs)
    assert _energy(new, pairs) <= 1.01 * _energy(old, pairs)


def test_layout_crossings_counted_at_once_are_those_counted_pair_by_pair() -> None:
    n, pairs = 80, _tree(80, seed=5)
    xy = _old_schedule(n, pairs, seed=6, steps=20)
    assert _crossings_counted_at_once(xy, pairs) == _crossings(xy, pairs) > 0


def test_layout_large_component_settles_further_than_its_old_schedule() -> None:
    """A component of 1,600 nodes (the 100 MB benchmark's pages hold 30 of 1,500–3,000) now starts
    from the tree too: fewer crossings and less energy than its old 160 steps from side/6."""
    n = 1600
    pairs = _tree(n, seed=n)
    new = layout._force_layout(n, pairs, layout.LAYOUT_SEED + n)
    old = _old_schedule(n, pairs, layout.LAYOUT_SEED + n, steps=160, heat=1 / 6)
    assert _crossings_counted_at_once(new, pairs) < _crossings_counted_at_once(old, pairs)
    assert _energy(new, pairs) < _energy(old, pairs)


def test_layout_committee_with_many_secretaries_keeps_them_apart_from_its_chain() -> None:
    n, pairs = 200, _hub_tree(200)
    xy = layout._force_layout(n, pairs, layout.LAYOUT_SEED + n)
    # 170 secretaries on one committee crowd its ring: no closer than the old schedule left them
    assert _closest_units(xy) >= _closest_units(_old_schedule(n, pairs, layout.LAYOUT_SEED + n))
    chain, secretaries = xy[[0, *range(2, 30)]], xy[30:]  # the ring stays out of the chain's area
    assert np.hypot(*(secretaries[:, None, :] - chain[None, :, :]).transpose(2, 0, 1)).min() > 0.5


def test_layout_components_are_packed_apart() -> None:
    first, second = _tree(120, seed=8), _tree(100, seed=9)
    pairs = first + [(a + 120, b + 120, w) for a, b, w in second] + [(220, 221, 1.0), (221, 222, 1.0)]
    xy = np.asarray(compute_layout(223, pairs), dtype=float) / UNIT_PX
    boxes = [(xy[lo:hi].min(axis=0), xy[lo:hi].max(axis=0)) for lo, hi in [(0, 120), (120, 220), (220, 223)]]
    for (lo1, hi1), (lo2, hi2) in itertools.combinations(boxes, 2):
        apart = (hi1 < lo2) | (hi2 < lo1)  # per axis
        assert apart.any()

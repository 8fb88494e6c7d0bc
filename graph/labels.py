"""Labels for readers without Chinese: pinyin with tone marks, and English.

The English label is built from a glossary of the words organisation names are
made of (党委 Party Committee, 有限公司 Co., Ltd., 航空 Aviation, 省 Province …,
``data/glossary.tsv``); the rest of a name is spelled in pinyin, so
江西天一航空装备有限公司 reads "Jiangxi Tianyi Aviation Equipment Co., Ltd.".
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable

from .resources import data_path

_CJK = re.compile(r"[\u4e00-\u9fff]+")


@lru_cache(maxsize=1)
def _romaniser() -> Any:
    """pypinyin's Pinyin, converting each word of its segmentation once (names share most of their
    words: 有限公司, 产业链, 党委; pypinyin spends ~0.2 ms a word), and segmenting each text once
    for its slug and its labels (the segmentation was half the time of romanising a name)."""
    from pypinyin import Style
    from pypinyin.converter import DefaultConverter
    from pypinyin.core import Pinyin

    class CachedConverter(DefaultConverter):
        def __init__(self) -> None:
            super().__init__()
            self.seen: dict[tuple[Any, ...], list[list[str]]] = {}

        def convert(self, words: str, style: Style, heteronym: bool, errors: Callable[[str], str] | str,
                    strict: bool = True, **kwargs: Any) -> list[list[str]]:
            key = (words, style, heteronym, errors, strict, tuple(sorted(kwargs.items())) if kwargs else ())
            found = self.seen.get(key)
            if found is None:
                found = self.seen[key] = super().convert(words, style, heteronym, errors, strict, **kwargs)
            return [list(syllables) for syllables in found]  # callers may change what they get

    class CachedPinyin(Pinyin):
        def seg(self, hans: str, **kwargs: Any) -> list[str]:
            return list(_segmented(self, hans)) if not kwargs else super().seg(hans, **kwargs)

    @lru_cache(maxsize=1 << 12)  # a name is segmented for its IRI and its labels one after the other
    def _segmented(pinyin: Pinyin, hans: str) -> tuple[str, ...]:
        return tuple(Pinyin.seg(pinyin, hans))

    return CachedPinyin(CachedConverter())


def lazy_pinyin(text: str) -> list[str]:
    """pypinyin.lazy_pinyin (syllables without tones), with converted words cached."""
    result: list[str] = _romaniser().lazy_pinyin(text)
    return result


def pinyin_slug(text: str, length: int = 48) -> str:
    """ASCII slug for IRIs: 景德镇航空 → 'jing-de-zhen-hang-kong' (empty if nothing is left)."""
    return re.sub(r"[^a-z0-9]+", "-", "-".join(lazy_pinyin(text)).lower()).strip("-")[:length].strip("-")


def _keep_whole(chars: str) -> list[str]:
    return [chars]  # a non-Chinese run stays one piece (pypinyin accepts a list)


@lru_cache(maxsize=1)
def glossary() -> dict[str, str]:
    terms: dict[str, str] = {}
    for line in data_path("glossary.tsv").read_text(encoding="utf-8").splitlines()[1:]:
        if line.strip() and not line.startswith("#"):
            zh, en = line.split("\t", 1)
            terms[zh.strip()] = en.strip()
    return terms


def pinyin_label(name: str) -> str:
    """江西省 → 'Jiāngxī Shěng'-style syllables with tone marks (one word per character run)."""
    from pypinyin import Style

    syllables = [s[0] for s in _romaniser().pinyin(name, style=Style.TONE, errors=_keep_whole)]
    return " ".join(syllables).strip()


@lru_cache(maxsize=1 << 16)
def _plain_pinyin(text: str) -> str:
    """Syllables joined as one word, with an apostrophe where they would run together (Ji'an)."""
    syllables = lazy_pinyin(text)
    word = syllables[0] if syllables else ""
    for syllable in syllables[1:]:
        word += ("'" if syllable[:1] in "aoe" else "") + syllable
    return word.capitalize()


def _split_places(run: str) -> list[str]:
    """江西天一 → 江西, 天一: place names are words of their own in a romanised name."""
    from .places import label_place_names

    names = label_place_names()
    words: list[str] = []
    rest = ""
    i = 0
    while i < len(run):
        size = next((n for n in range(min(8, len(run) - i), 1, -1) if run[i:i + n] in names), 0)
        if size:
            words += [rest] if rest else []
            words.append(run[i:i + size])
            rest, i = "", i + size
        else:
            rest, i = rest + run[i], i + 1
    return words + ([rest] if rest else [])


def english_label(name: str, short: str = "") -> str:
    """Glossary words in English, place names romanised as words, the rest in pinyin.

    ``short``: a place's short name (景德镇 of 景德镇市), romanised as one word."""
    from .places import label_place_names, short_name

    if short and name.startswith(short) and len(name) > len(short):
        return f"{_plain_pinyin(short)} {english_label(name[len(short):])}"
    terms, places = glossary(), label_place_names()
    words: list[str] = []
    pending = ""
    i = 0
    while i < len(name):
        place = next((name[i:i + n] for n in range(min(10, len(name) - i), 1, -1) if name[i:i + n] in places), "")
        term = next((name[i:i + n] for n in range(min(12, len(name) - i), 0, -1) if name[i:i + n] in terms), "")
        if place and len(place) >= len(term):
            words += [_romanise(pending)] if pending else []
            stem = short_name(place) if place.endswith(("省", "市", "县", "区", "盟", "旗", "州")) else ""
            words.append(f"{_plain_pinyin(stem)} {terms.get(place[len(stem):], '')}" if stem else _plain_pinyin(place))
            pending, i = "", i + len(place)
        elif term:
            words += [_romanise(pending)] if pending else []
            words.append(terms[term])
            pending, i = "", i + len(term)
        else:
            pending, i = pending + name[i], i + 1
    if pending:
        words.append(_romanise(pending))
    return re.sub(r"\s+", " ", " ".join(w for w in words if w)).strip()


COMPOUND_SURNAMES = frozenset({"欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "令狐", "慕容", "司徒", "夏侯", "尉迟", "长孙", "宇文"})


def person_label(name: str) -> str:
    """何炳辉 → He Binghui (surname first, as Chinese names are written)."""
    cut = 2 if len(name) > 2 and name[:2] in COMPOUND_SURNAMES else 1
    return f"{_plain_pinyin(name[:cut])} {_plain_pinyin(name[cut:])}".strip()


def _romanise(text: str) -> str:
    parts: list[str] = []
    for chunk in re.split(r"([\u4e00-\u9fff]+)", text):
        if _CJK.fullmatch(chunk):
            parts.extend(_plain_pinyin(word) for word in _split_places(chunk))
        elif chunk.strip("（）() "):
            parts.append(chunk.replace("（", "(").replace("）", ")"))
    return " ".join(parts)


def glossary_path() -> Path:
    return data_path("glossary.tsv")

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
from typing import Any, Callable, Iterable

from .places import label_place_names, short_name
from .resources import data_path
from .words import Words

_CJK = re.compile(r"[\u4e00-\u9fff]+")
_CJK_SPLIT = re.compile(r"([\u4e00-\u9fff]+)")
_NOT_SLUG = re.compile(r"[^a-z0-9]+")
_SPACES = re.compile(r"\s+")


class _Romaniser:
    """pypinyin's romanisation of a text done as ``pypinyin.core.Pinyin.pinyin`` does it (the text
    segmented, then each word converted), keeping what repeats: each word's syllables in each style
    (names share most of their words: 有限公司, 产业链, 党委; pypinyin spends ~0.2 ms a word) and the
    segmentation of the last texts (a name is romanised for its IRI and its labels one after the other)."""

    def __init__(self) -> None:
        from pypinyin import Style
        from pypinyin.constants import PHRASES_DICT, RE_HANS
        from pypinyin.converter import DefaultConverter
        from pypinyin.seg.mmseg import p_set

        # a phrase of one character is cut as one character anyway
        self._phrases = Words(PHRASES_DICT, 2)
        self._prefixes = p_set  # mmseg's: every beginning of a phrase
        # runs of characters with pinyin (RE_HANS matches a whole string of them)
        self._han_runs = re.compile(RE_HANS.pattern.removeprefix("^").removesuffix("$"), RE_HANS.flags)
        self._segment: Callable[[str], tuple[str, ...]] = lru_cache(maxsize=1 << 12)(self._words)
        convert = DefaultConverter().convert
        # per word: every syllable (lazy_pinyin: no tones, a run without pinyin kept as it is);
        # the first reading of each character, with tone marks (a run without pinyin kept whole)
        self._plain = _Memo(lambda word: tuple(s for item in convert(word, Style.NORMAL, False, "default", True)
                                               for s in item))
        keep_whole: Any = _keep_whole  # pypinyin accepts a list, which its annotation does not say
        self._toned = _Memo(lambda word: tuple(item[0] for item in convert(word, Style.TONE, False, keep_whole, True)))

    def plain(self, text: str) -> list[str]:
        return [syllable for word in self._segment(text) for syllable in self._plain[word]]

    def toned(self, text: str) -> list[str]:
        return [syllable for word in self._segment(text) for syllable in self._toned[word]]

    def _words(self, text: str) -> tuple[str, ...]:
        """pypinyin's segmentation (``Pinyin().seg``): runs of characters with and without pinyin
        (its ``simple_seg``), each run with pinyin cut as its mmseg cuts it, into the longest phrase of
        its dictionary at each position or else one character (mmseg's scan stops at the first prefix
        of no phrase, so it finds the longest); without a step of Python per character. One case
        as mmseg has it: where no phrase begins and the rest of the run begins a phrase (七返还, of
        七返还丹), every character of the rest stands alone (qi fan hai, not the phrase 返还)."""
        if not text:
            return ("",)
        words: list[str] = []
        done = 0
        for run in self._han_runs.finditer(text):
            if run.start() > done:
                words.append(text[done:run.start()])
            i, done = run.start(), run.end()
            while i < done:
                word = self._phrases.at(text, i, done)
                # (two characters or fewer left: each alone either way, as no phrase fits after the first)
                if not word and done - i > 2 and text[i:done] in self._prefixes:
                    words.extend(text[i:done])  # each character alone
                    break
                words.append(word or text[i])
                i += len(word or text[i])
        if done < len(text):
            words.append(text[done:])
        return tuple(words)


class _Memo(dict[str, tuple[str, ...]]):
    """A dict that computes a missing value with ``make`` and keeps it."""

    def __init__(self, make: Callable[[str], tuple[str, ...]]) -> None:
        super().__init__()
        self.make = make

    def __missing__(self, key: str) -> tuple[str, ...]:
        value = self[key] = self.make(key)
        return value


@lru_cache(maxsize=1)
def _romaniser() -> _Romaniser:
    return _Romaniser()


def lazy_pinyin(text: str) -> list[str]:
    """pypinyin.lazy_pinyin (syllables without tones)."""
    return _romaniser().plain(text)


def pinyin_slug(text: str, length: int = 48) -> str:
    """ASCII slug for IRIs: 景德镇航空 → 'jing-de-zhen-hang-kong' (empty if nothing is left)."""
    return _NOT_SLUG.sub("-", "-".join(lazy_pinyin(text)).lower()).strip("-")[:length].strip("-")


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
    return " ".join(_romaniser().toned(name)).strip()


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
    words: list[str] = []
    done = 0
    for _index, start, end in _place_matcher().find_matches_as_indexes(run):
        words += [run[done:start], run[start:end]] if start > done else [run[start:end]]
        done = end
    return words + ([run[done:]] if done < len(run) else [])


def english_label(name: str, short: str = "") -> str:
    """Glossary words in English, place names romanised as words, the rest in pinyin.

    ``short``: a place's short name (景德镇 of 景德镇市), romanised as one word."""
    if short and name.startswith(short) and len(name) > len(short):
        return f"{_plain_pinyin(short)} {english_label(name[len(short):])}"
    terms, known = glossary(), _label_words()
    words: list[str] = []
    done = 0
    for index, start, end in known.matcher.find_matches_as_indexes(name):
        if start > done:
            words.append(_romanise(name[done:start]))
        word = known.words[index]
        if word in known.places:
            stem = short_name(word) if word.endswith(("省", "市", "县", "区", "盟", "旗", "州")) else ""
            words.append(f"{_plain_pinyin(stem)} {terms.get(word[len(stem):], '')}" if stem else _plain_pinyin(word))
        else:
            words.append(terms[word])
        done = end
    if done < len(name):
        words.append(_romanise(name[done:]))
    return _SPACES.sub(" ", " ".join(w for w in words if w)).strip()


class _LabelWords:
    """The words of an English label found in a name: place names (2 to 10 characters) and glossary
    terms, the longest at the leftmost position each time (ahocorasick's leftmost-longest search,
    one call a name instead of two dictionary lookups a character)."""

    def __init__(self, places: Iterable[str], terms: Iterable[str]) -> None:
        self.places = frozenset(p for p in places if 2 <= len(p) <= 10)
        self.words = sorted(self.places | {t for t in terms if 1 <= len(t) <= 12})
        self.matcher = _leftmost_longest(self.words)


@lru_cache(maxsize=1)
def _label_words() -> _LabelWords:
    return _LabelWords(label_place_names(), glossary())


@lru_cache(maxsize=1)
def _place_matcher() -> Any:
    """Place names of 2 to 8 characters, found as ``_label_words`` finds its words (``_split_places``)."""
    return _leftmost_longest(sorted(p for p in label_place_names() if 2 <= len(p) <= 8))


def _leftmost_longest(words: list[str]) -> Any:
    """An ahocorasick_rs automaton of ``words`` that finds the longest word at the leftmost position."""
    import ahocorasick_rs

    return ahocorasick_rs.AhoCorasick(words, matchkind=ahocorasick_rs.MatchKind.LeftmostLongest)


COMPOUND_SURNAMES = frozenset({"欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "令狐", "慕容", "司徒", "夏侯", "尉迟", "长孙", "宇文"})


def person_label(name: str) -> str:
    """何炳辉 → He Binghui (surname first, as Chinese names are written)."""
    cut = 2 if len(name) > 2 and name[:2] in COMPOUND_SURNAMES else 1
    return f"{_plain_pinyin(name[:cut])} {_plain_pinyin(name[cut:])}".strip()


def _romanise(text: str) -> str:
    parts: list[str] = []
    for chunk in _CJK_SPLIT.split(text):
        if _CJK.fullmatch(chunk):
            parts.extend(_plain_pinyin(word) for word in _split_places(chunk))
        elif chunk.strip("（）() "):
            parts.append(chunk.replace("（", "(").replace("）", ")"))
    return " ".join(parts)


def glossary_path() -> Path:
    return data_path("glossary.tsv")

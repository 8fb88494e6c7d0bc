"""Labels: pypinyin's romanisation word by word, English labels from the glossary and place names."""

from __future__ import annotations

import random

import pypinyin
import pytest

from graph.labels import _keep_whole, english_label, lazy_pinyin, person_label, pinyin_label, pinyin_slug
from graph.places import load_divisions
from graph.words import Words

# Heteronyms whose reading a phrase of pypinyin's dictionary decides (重庆 chóng, 银行 háng, 长沙 cháng,
# 蚌埠 bèng), runs without pinyin (ASCII, full-width brackets, digits), 〇 and characters beyond the BMP.
TRICKY = ["重庆银行股份有限公司", "长沙市长江路", "行长", "六安市", "蚌埠", "朝阳区朝阳门", "中国银行重庆分行",
          "昌河飞机工业（集团）有限责任公司", "5G产业链", "ABC公司", "〇二一厂", "\U00020000\u3400公司", "", " ", "a"]


def pypinyin_texts() -> list[str]:
    """Every division name, the tricky ones, and random strings of their characters mixed with others."""
    names = [div.name for div in load_divisions().values()] + TRICKY
    chars = sorted(set("".join(names[:400])) | set("AZ09 ,.（）-_\n〇\U00020000"))
    rng = random.Random(7)
    return names + ["".join(rng.choice(chars) for _ in range(rng.randint(0, 24))) for _ in range(3000)]


def test_labels_romanise_as_pypinyin_does():
    for text in pypinyin_texts():
        assert lazy_pinyin(text) == pypinyin.lazy_pinyin(text), text
        toned = [s[0] for s in pypinyin.pinyin(text, style=pypinyin.Style.TONE, errors=_keep_whole)]
        assert pinyin_label(text) == " ".join(toned).strip(), text


def phrase_beginnings(count: int) -> list[str]:
    """Beginnings of pypinyin's phrases that hold no phrase at their start (七返还 of 七返还丹): at the end
    of a run, its segmenter leaves each of their characters alone, even where a phrase starts inside."""
    from pypinyin.constants import PHRASES_DICT

    found: list[str] = []
    for phrase in sorted(PHRASES_DICT):
        for end in range(2, len(phrase)):
            head = phrase[:end]
            if not any(head[:k] in PHRASES_DICT for k in range(2, end + 1)):
                found.append(head)
        if len(found) >= count:
            return found[:count]
    return found


def test_labels_romanise_phrase_beginnings_as_pypinyin_does():
    heads = phrase_beginnings(3000)
    for text in [*heads, *(f"江西{h}" for h in heads[:500]), *(f"{h}，有限公司" for h in heads[:500])]:
        assert lazy_pinyin(text) == pypinyin.lazy_pinyin(text), text
    assert lazy_pinyin("七返还") == ["qi", "fan", "hai"] and lazy_pinyin("七返还丹") == ["qi", "fan", "huan", "dan"]


def test_labels_slug_and_pinyin_of_heteronyms():
    assert pinyin_slug("重庆银行") == "chong-qing-yin-hang"
    assert pinyin_label("长沙") == "cháng shā"
    assert pinyin_slug("5G产业链") == "5g-chan-ye-lian"


@pytest.mark.parametrize(("name", "short", "english"), [
    ("江西天一航空装备有限公司", "", "Jiangxi Tianyi Aviation Equipment Co., Ltd."),
    ("景德镇市", "景德镇", "Jingdezhen City"),
    ("铜产业链", "", "Copper Industrial Chain"),
])
def test_labels_english_label(name, short, english):
    assert english_label(name, short) == english


def test_labels_person_label_puts_the_surname_first():
    assert person_label("何炳辉") == "He Binghui"
    assert person_label("欧阳明") == "Ouyang Ming"


def test_labels_words_finds_the_longest_word_at_a_position():
    words = Words(["江西", "江西省", "江西省南昌市", "南昌", "省", "西"], 2, 4)  # 省, 西: too short; the city too long
    assert words.at("江西省南昌市", 0) == "江西省"
    assert words.at("江西省南昌市", 3) == "南昌"
    assert words.at("江西省南昌市", 1) == ""
    assert words.at("江西省南昌市", 0, 2) == "江西"  # not past the end given
    assert words.at("江", 0) == ""


def test_words_finds_every_word_at_a_position_and_learns_new_ones():
    words = Words(["江西", "江西省", "南昌", "x"], 2)  # x: too short
    assert words.all_at("江西省南昌市", 0) == ["江西省", "江西"]
    assert words.all_at("江西省南昌市", 0, 2) == ["江西"]
    assert words.all_at("江西省南昌市", 1) == [] and words.all_at("x", 0) == []
    words.add("江西省南昌市")
    assert words.all_at("江西省南昌市", 0) == ["江西省南昌市", "江西省", "江西"]
    assert words.at("江西省南昌市", 0) == "江西省南昌市"


def _scanned_english_words(name: str) -> list[tuple[int, int]]:
    """Where the words of an English label are, as a scan finds them, character by character: at each
    position the longest place name (2 to 10 characters) or glossary term (1 to 12)."""
    from graph.labels import glossary
    from graph.places import label_place_names

    words = label_place_names() | set(glossary())
    found: list[tuple[int, int]] = []
    i = 0
    while i < len(name):
        size = next((n for n in range(12, 0, -1) if i + n <= len(name) and name[i:i + n] in words
                     and (n > 1 or name[i] in glossary()) and (n <= 10 or name[i:i + n] in glossary())), 0)
        found += [(i, i + size)] if size else []
        i += size or 1
    return found


def test_labels_english_label_finds_its_words_as_a_scan_does():
    """The words of an English label (one leftmost-longest search a name) where a scan of every
    position finds them."""
    from graph.labels import _label_words, glossary
    from graph.places import label_place_names

    pieces = sorted(label_place_names()) + sorted(glossary()) + list("天一航的是了不人在有这个上们来到时大和国地为子中")
    rng = random.Random(11)
    names = [div.name for div in load_divisions().values()]
    names += ["".join(rng.choice(pieces) for _ in range(rng.randint(1, 5))) for _ in range(3000)]
    for name in names:
        found = [(start, end) for _i, start, end in _label_words().matcher.find_matches_as_indexes(name)]
        assert found == _scanned_english_words(name), name

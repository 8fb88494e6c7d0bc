"""Stage 2a: normalisation, and the offset map back to the input."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graph import normalize as normalize_module
from graph.model import OffsetMap
from graph.normalize import HAN, is_standalone, normalize, normalize_runs

ROOT = Path(__file__).resolve().parent.parent  # not imported from conftest: tests/ is no package

_WIDE = dict(zip(",:;?!()", "，：；？！（）"))


def norm(text: str) -> str:
    return normalize(text)[0]


@pytest.mark.parametrize("text,expected", [
    ("2022年,张家港市氢能产业链联合党委成立", "2022年，张家港市氢能产业链联合党委成立"),
    ("景德镇高新区:党建引领", "景德镇高新区：党建引领"),
    ("前进还是撤离?想", "前进还是撤离？想"),
    ("再累都值得!", "再累都值得！"),
    ("上游;下游", "上游；下游"),
    ("昌河飞机工业(集团)有限责任公司", "昌河飞机工业（集团）有限责任公司"),
    ("(以下简称“昌飞”)", "（以下简称“昌飞”）"),
    ("他说, 这", "他说，这"),
])
def test_normalize_widens_punctuation_next_to_cjk(text, expected):
    assert norm(text) == expected


@pytest.mark.parametrize("text", ["共1,000家", "增长3.5%", "上午10:30开会", "Hello, world! (ok)", "比分2:1", "EVA,AGV"])
def test_normalize_keeps_punctuation_in_numbers_and_ascii_words(text):
    assert norm(text) == text


def test_normalize_widens_a_bracket_pair_together():
    # ")" sits between a digit and the line end, but its partner follows a Han character.
    assert norm("南康区(2023)") == "南康区（2023）"
    assert norm("f(x) = y 南康区") == "f(x) = y 南康区"


def test_normalize_folds_full_width_letters_and_digits_only():
    assert norm("ＡＢＣ１２３，ｘｙｚ。") == "ABC123，xyz。"


@pytest.mark.parametrize("text,expected", [
    ("党建工作就跟进到哪里，要通过在产业链上建堡垒、聚\n\n合力，把链上企业党组织聚合起来。",
     "党建工作就跟进到哪里，要通过在产业链上建堡垒、聚合力，把链上企业党组织聚合起来。"),
    ("前进还是撤离?想\n\n\n\n着受困群众还在焦急等待。", "前进还是撤离？想着受困群众还在焦急等待。"),
    ("共创建党建品牌40余个。各有关单位组织党员下沉项目建设第一\n\n线，主动亮旗帜。",
     "共创建党建品牌40余个。各有关单位组织党员下沉项目建设第一线，主动亮旗帜。"),
    ("30多年下来，这样的本子已\n\n累积了十几个。", "30多年下来，这样的本子已累积了十几个。"),
    ("希诺股份有限公司车间主任李廷凯说,\n\n过去工人要在火焰旁作业。", "希诺股份有限公司车间主任李廷凯说，过去工人要在火焰旁作业。"),
    ("“全流程”问效。县委书记\n\n采取听取专题汇报。", "“全流程”问效。县委书记采取听取专题汇报。"),
    ("先锋力量聚在“链”上 激活发展合力\n\n福安市创新“组团式”挂钩\n\n联系模式，凝聚发展强大合力。",
     "先锋力量聚在“链”上激活发展合力\n\n福安市创新“组团式”挂钩联系模式，凝聚发展强大合力。"),
    ("到哪里，建设  第一 \r\n  线。", "到哪里，建设第一线。"),
])
def test_normalize_joins_lines_broken_inside_a_paragraph(text, expected):
    assert norm(text) == expected


@pytest.mark.parametrize("text", [
    "深度关注\n\n江西省探索以产业链党建引领现代化产业体系建设——\n\n# 党建聚链，激发产业活力",
    "建立产业链党建工作矩阵后，如何发\n\n金台潮声\n\n“遵道而行，但到半途须努力。",
    "同题共答、上下联动。\n\n引领\n\n围绕产业抓党建 抓好党建兴产业\n\n党建兴则事业兴。",
    "深度关注·高质量党建引领高质量发展①\n\n江苏省大力推进产业链党建工作，推动政企高效沟通——",
    "本报记者 朱磊\n\n走进江西天一航空装备有限公司的生产车间。",
    "张洋\n\n“我是党员，我在岗位”",
    "## 产业发展到哪里，把链上企业聚合起来\n\n9月28日，气氛热烈。",
    "本版责编：沈童睿\n版式设计：张丹峰",
    "打造集党群活动、协商议\n\n\n\n江西省九江市修水县书记领航项目启动。\n修水县委组织部供图\n\n事、爱心驿站。",
    "实现“产业\n\n\n\n# 党建引领产业兴",
])
def test_normalize_keeps_standalone_lines_apart(text):
    lines = [line for line in norm(text).split("\n") if line]
    expected = [norm(line) for line in text.split("\n") if line.strip()]
    assert lines == expected


def test_normalize_short_line_after_heading_starts_a_paragraph():
    assert not is_standalone("福安市创新“组团式”挂钩", "先锋力量聚在“链”上 激活发展合力")
    assert is_standalone("深度关注·高质量党建引领高质量发展①", None)
    assert is_standalone("引领", "新路径。")
    assert not is_standalone("累积了十几个。", None)
    assert not is_standalone("车间主任李廷凯说，", None)  # a clause that goes on is no heading


def test_normalize_collapses_blank_lines_to_one_paragraph_break():
    assert norm("第一段。\n\n\n\n第二段。\n第三行。") == "第一段。\n\n第二段。\n第三行。"


@pytest.mark.parametrize("text,expected", [
    ("围绕产业抓党建 抓好党建兴产业", "围绕产业抓党建抓好党建兴产业"),
    ("本报记者\t朱磊", "本报记者朱磊"),
    ("福安市： 汇聚", "福安市：汇聚"),
    ("AGV  智能   搬运", "AGV 智能搬运"),
    ("LED   chips and\t\tmore", "LED chips and more"),
    ("\u3000\u3000两个全角空格开头。", "两个全角空格开头。"),
])
def test_normalize_spaces(text, expected):
    assert norm(text) == expected


def test_normalize_folds_traditional_to_simplified_with_exact_offsets():
    text = "江西省九江市修水縣：臺灣頭髮，乾隆年間。"
    result, offsets = normalize(text)
    assert result == "江西省九江市修水县：台湾头发，乾隆年间。"
    assert offsets == tuple(range(len(text)))


def test_normalize_drops_zero_width_and_control_characters():
    text = "\ufeff党\u200b建\u00ad引\x07领\r\n产业"
    result, offsets = normalize(text)
    assert result == "党建引领\n产业"
    assert [text[o] for o in offsets] == list("党建引领\n产业")


def test_normalize_empty_and_blank_input():
    assert normalize("") == ("", ())
    assert normalize(" \n\t\u3000\n") == ("", ())


def _allowed_change(orig: str, new: str) -> bool:
    """The only replacements normalize() may make."""
    return (_WIDE.get(orig) == new
            or ("\uff10" <= orig <= "\uff5a" and unicodedata.normalize("NFKC", orig) == new)
            or (new == " " and (orig == "\t" or unicodedata.category(orig) == "Zs"))
            or (new == "\n" and orig in "\r\x0b\x0c\x85\u2028\u2029")
            or (orig != new and all(_is_han(ch) for ch in orig + new)))  # Traditional → Simplified


def _is_han(ch: str) -> bool:
    return re.fullmatch(f"[{HAN}]", ch) is not None


_ALPHABET = st.sampled_from(list("党建聚链，。！？；：、“”‘’（）,.:;?!()# \t\n\r\u3000\u200b\ufeff\x07ＡＢ１２ab12—…·■►臺灣縣頭髮乾"))


@settings(max_examples=400, deadline=None)
@given(st.text(_ALPHABET | st.characters(), max_size=80))
def test_normalize_offsets_round_trip(text):
    result, offsets = normalize(text)
    assert len(result) == len(offsets)
    assert all(a < b for a, b in zip(offsets, offsets[1:]))
    assert all(0 <= o < len(text) for o in offsets)
    for ch, offset in zip(result, offsets):
        assert ch == text[offset] or _allowed_change(text[offset], ch), (ch, text[offset])


@settings(max_examples=300, deadline=None)
@given(st.text(_ALPHABET | st.characters(), max_size=80), st.integers(min_value=0, max_value=10**6))
def test_normalize_runs_are_maximal_and_start_at_the_base(text, base):
    result, mapped = normalize_runs(text, base)
    offsets = [o - base for o in mapped]
    assert (result, tuple(offsets)) == normalize(text)
    assert mapped == OffsetMap.of(list(mapped))  # a new run only where the positions jump


@pytest.mark.parametrize("path", sorted((ROOT / "seeds").glob("*.txt")), ids=lambda p: p.name[:2])
def test_normalize_seed_pages_map_back_exactly(path):
    text = path.read_text(encoding="utf-8")
    result, offsets = normalize(text)
    changed = [(text[o], ch) for ch, o in zip(result, offsets) if ch != text[o]]
    assert all(_allowed_change(orig, new) for orig, new in changed)
    assert "\n\n\n" not in result


_CAPTION_AS_ONE_REGEX = re.compile(  # is_caption's head test as it was, one regex with a ^ branch (the oracle)
    r"^(?:[上下左右中]?图[①-⑳\d一二三四五六七八九十]*[：:]|本版责编|责任编辑|版式设计|美术编辑|图片编辑)"
    r"|图片均[为由]|版式设计[：:]")


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(["图", "①", "1", "：", ":", "上", "版式设计", "本版责编", "图片均", "为", "由", "编辑",
                                 "美术", "江西", "，", "摄", "\n", " "]), max_size=12))
def test_normalize_caption_head_as_one_regex(pieces):
    line = "".join(pieces)
    expected = _CAPTION_AS_ONE_REGEX.search(line) is not None
    head, words = normalize_module._CAPTION_HEAD, normalize_module._CAPTION_WORDS
    assert (head.match(line) is not None or words.search(line) is not None) == expected

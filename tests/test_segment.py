"""Stage 2b: pages → articles → sentences, with offsets into the original text."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graph.documents import read_document, read_documents
from graph.model import Document, OffsetMap, Sentence
from graph.normalize import normalize
from graph.segment import _sentence_offsets, split_articles, split_document, split_sentences

ROOT = Path(__file__).resolve().parent.parent  # not imported from conftest: tests/ is no package
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))
_WIDE = dict(zip(",:;?!()", "，：；？！（）"))

# Titles and bylines read off the pages by hand.
EXPECTED = {
    "01": [("党建聚链，激发产业活力", "本报记者 朱磊"),
           ("做孜孜不倦的攀登者、奋斗者", "张洋"),
           ("“群众有了获得感，我就有了成就感”", "本报记者 罗阳奇"),
           ("产业联合党委带动增收致富", "本报记者 何昭宇")],
    "02": [("党建聚合力发展增动能", "本报记者 沈童睿"),
           ("看准了就坚定不移抓", "张洋"),
           ("“为了群众安全，再累都值得”", "本报记者 王欣悦"),
           ("激活“两新”力量凝聚治理合力", "邱春风")],
    "03": [("党建引领产业兴", "沈祖文 本报全媒体记者 卢瑛琦")],
    "04": [("景德镇高新区：党建引领航空产业链奏响发展“奋进曲”", "周佳"),
           ("阿拉善高新区：党建聚“链”成势产业攀高向强", "赵小丽 王诚诚 王涛")],
    "05": [("福建省福安市：汇聚党建红色力量不锈钢产业聚势前行", "中共福安市委组织部"),
           ("江西省九江市修水县：城市社区一网统管多元共治", "中共修水县委组织部")],
}


def seed(number: str) -> Document:
    [path] = [p for p in SEEDS if p.name.startswith(number)]
    doc = read_document(path)
    assert isinstance(doc, Document)
    return doc


def page(text: str) -> Document:
    return Document("page.txt", text, "utf-8")


def article_text(doc: Document, index: int) -> str:
    article = split_articles(doc)[index]
    return doc.text[article.start:article.end]


def texts(doc: Document, kind: str | None = None) -> list[str]:
    return [s.text for s in split_document(doc)[1] if kind is None or s.kind == kind]


@pytest.mark.parametrize("number", sorted(EXPECTED))
def test_segment_splits_seed_page_into_articles(number):
    articles = split_articles(seed(number))
    assert [(a.title, a.byline) for a in articles] == EXPECTED[number]
    assert [a.index for a in articles] == list(range(len(articles)))
    assert all(a.start < a.end <= b.start for a, b in zip(articles, articles[1:]))


def test_segment_article_starts_at_its_kicker_lines():
    doc = seed("01")
    assert article_text(doc, 0).startswith("深度关注\n\n江西省探索以产业链党建引领现代化产业体系建设——\n\n# 党建聚链")
    assert article_text(doc, 2).startswith("“我是党员，我在岗位”\n\n# “群众有了获得感")
    assert article_text(doc, 3).startswith("天津市西青区——\n\n# 产业联合党委带动增收致富")
    assert article_text(doc, 2).endswith("版式设计：张丹峰")  # credits stay with the article above
    assert article_text(seed("02"), 3).startswith("## 内蒙古呼伦贝尔市——\n\n# 激活")


@pytest.mark.parametrize("number,first_body", [("01", "“遵道而行"), ("02", "习近平总书记任在山东考察")])
def test_segment_column_body_printed_before_its_title(number, first_body):
    doc = seed(number)
    column = article_text(doc, 1)
    assert re.match(r"(## )?金台潮声\n\n" + first_body, column)
    assert column.rstrip().endswith("张洋")
    assert "金台潮声" not in article_text(doc, 0)


def test_segment_column_rule_on_a_small_page():
    doc = page("# 甲\n\n本报记者 张三\n\n正文一。\n\n金台潮声\n\n评论正文。\n\n# 评论标题\n\n李四\n\n栏目\n\n"
               "# 乙\n\n本报记者 王五\n\n正文二。")
    assert [(a.title, a.byline) for a in split_articles(doc)] == [("甲", "本报记者 张三"), ("评论标题", "李四"), ("乙", "本报记者 王五")]
    assert article_text(doc, 1) == "金台潮声\n\n评论正文。\n\n# 评论标题\n\n李四"


def test_segment_seed_03_text_before_the_title_belongs_to_its_article():
    doc = seed("03")
    [article] = split_articles(doc)
    assert article.start == doc.text.index("开辟世界第三条")
    assert "引领" in texts(doc, "heading") and "强基" in texts(doc, "heading")


@pytest.mark.parametrize("lead", ["上一版转来的正文。", "上一版转来的正文。\n\n图①：照片。\n\n以上图片均为某某摄"])
def test_segment_complete_text_before_the_first_title_is_an_untitled_article(lead):
    doc = page(lead + "\n\n# 标题\n\n本报记者 张三\n\n正文。")
    assert [(a.title, a.byline) for a in split_articles(doc)] == [("", ""), ("标题", "本报记者 张三")]


def test_segment_page_without_titles_is_one_untitled_article():
    doc = page("\n\n第一段。\n\n第二段。\n")
    [article] = split_articles(doc)
    assert (article.title, article.start, article.end) == ("", 2, len(doc.text) - 1)
    assert texts(doc) == ["第一段。", "第二段。"]


def test_segment_unmarked_titles_need_a_byline():
    doc = seed("05")
    headings = texts(doc, "heading")
    assert "“红色堡垒”嵌在“链”上注入强劲动力" in headings  # a section heading, not an article
    assert texts(doc, "title") == [t for t, _ in EXPECTED["05"]]


def test_segment_html_headings_become_titles(tmp_path):
    (tmp_path / "p.html").write_text("<h1>党建聚链</h1><p>本报记者 朱磊</p><p>正文。</p>", encoding="utf-8")
    [doc] = read_documents([tmp_path])
    assert isinstance(doc, Document)
    assert [(a.title, a.byline) for a in split_articles(doc)] == [("党建聚链", "本报记者 朱磊")]


def test_segment_splits_quote_from_the_reporting_sentence():
    paragraph = ("“刀具是我们加工过程中的关键一环，但是耐磨度不够，此前一直困扰企业。”江西天一航空装备有限公司副总经理、"
                 "党支部书记何炳辉介绍，在航空产业链党委的牵头下，公司党支部联合北航江西研究院景德镇分院党支部，"
                 "组建党员攻关团队，采用深小孔加工技术，成功破解了技术难题。现在，公司的刀具使用效率提升了15倍，制作成本大大降低。")
    assert texts(page(paragraph)) == [
        "“刀具是我们加工过程中的关键一环，但是耐磨度不够，此前一直困扰企业。”",
        "江西天一航空装备有限公司副总经理、党支部书记何炳辉介绍，在航空产业链党委的牵头下，公司党支部联合北航江西研究院"
        "景德镇分院党支部，组建党员攻关团队，采用深小孔加工技术，成功破解了技术难题。",
        "现在，公司的刀具使用效率提升了15倍，制作成本大大降低。",
    ]


@pytest.mark.parametrize("text,expected", [
    ("“小崩小塌不停止……”他把知识编成顺口溜。", ["“小崩小塌不停止……”", "他把知识编成顺口溜。"]),
    ("应变局、化危机……面对百年未有之大变局。", ["应变局、化危机……面对百年未有之大变局。"]),
    ("“‘王管家’来啦！”周末,大家打招呼。", ["“‘王管家’来啦！”", "周末，大家打招呼。"]),
    ("前进还是撤离?想着群众。真的吗？！是的。", ["前进还是撤离？", "想着群众。", "真的吗？！", "是的。"]),
    ("路虽远，行则将至；事虽难，做则必成", ["路虽远，行则将至；事虽难，做则必成"]),
    ("第一行没有句号\n第二行。", ["第一行没有句号", "第二行。"]),
])
def test_segment_sentence_boundaries(text, expected):
    assert texts(page(text)) == expected


def test_segment_sentence_kinds_on_seed_01():
    sentences = split_document(seed("01"))[1]
    assert [(s.kind, s.text) for s in sentences[:4]] == [
        ("heading", "深度关注"), ("heading", "江西省探索以产业链党建引领现代化产业体系建设——"),
        ("title", "党建聚链，激发产业活力"), ("byline", "本报记者朱磊")]
    kinds = {s.text: s.kind for s in sentences}
    assert kinds["产业发展到哪里，党建工作就跟进到哪里，把链上企业聚合起来"] == "heading"
    assert kinds["金台潮声"] == "heading"
    for caption in ["图①：赵玉莲（右）正在看望社区居民。", "以上图片均为安宣宝摄", "本版责编：沈童睿", "版式设计：张丹峰"]:
        assert kinds[caption] == "caption"
    assert kinds["杨朝云说。"] == "body"


def test_segment_caption_above_its_credit_line():
    kinds = {s.text: s.kind for s in split_document(seed("05"))[1]}
    assert kinds["江西省九江市修水县“一网统管、多元共治”“秋收红”城市基层党建书记领航项目启动。"] == "caption"
    assert kinds["修水县委组织部供图"] == "caption"


def test_segment_bold_and_bulleted_header_lines_lose_their_markup():
    sentences = split_document(seed("03"))[1] + split_document(seed("04"))[1]
    assert "党建月刊" in [s.text for s in sentences if s.kind == "heading"]
    assert ["周佳", "赵小丽王诚诚王涛"] == [s.text for s in sentences if s.kind == "byline"][1:]


@pytest.mark.parametrize("path", SEEDS, ids=lambda p: p.name[:2])
def test_segment_paragraph_sentences_join_to_its_normalised_text(path):
    paragraphs = [line for line in path.read_text(encoding="utf-8").split("\n") if "。" in line and not line.startswith("#")]
    for paragraph in paragraphs:
        joined = "".join(texts(page(paragraph)))
        assert joined == re.sub(r"\s", "", normalize(paragraph)[0]), paragraph


@pytest.mark.parametrize("path", SEEDS, ids=lambda p: p.name[:2])
def test_segment_offsets_point_into_the_document(path):
    doc = read_document(path)
    assert isinstance(doc, Document)
    articles, sentences = split_document(doc)
    for sent in sentences:
        article = articles[sent.article_index]
        assert len(sent.offsets) == len(sent.text) > 0
        assert article.start <= sent.offsets[0] and sent.offsets[-1] < article.end
        for ch, offset in zip(sent.text, sent.offsets):
            assert ch == doc.text[offset] or _WIDE.get(doc.text[offset]) == ch, (sent.index, ch)
        start, end = sent.source_span()
        assert normalize(doc.text[start:end])[0].replace("\n", "").endswith(sent.text[-3:])


@pytest.mark.parametrize("path", SEEDS, ids=lambda p: p.name[:2])
def test_segment_sentences_are_numbered_through_the_document(path):
    doc = read_document(path)
    assert isinstance(doc, Document)
    articles, sentences = split_document(doc)
    assert [s.index for s in sentences] == list(range(len(sentences)))
    assert [s.article_index for s in sentences] == sorted(s.article_index for s in sentences)
    assert {s.article_index for s in sentences} == {a.index for a in articles}
    assert all(a.offsets[-1] < b.offsets[0] for a, b in zip(sentences, sentences[1:]))
    later = split_sentences(doc, articles[-1], start_index=7)
    assert later[0].index == 7 and [s.text for s in later] == [s.text for s in sentences if s.article_index == articles[-1].index]


@pytest.mark.parametrize("path", SEEDS, ids=lambda p: p.name[:2])
def test_segment_no_sentence_contains_markup(path):
    doc = read_document(path)
    assert isinstance(doc, Document)
    for sent in split_document(doc)[1]:
        assert "#" not in sent.text and not sent.text.startswith("**")
        assert sent.text == sent.text.strip()


_ALPHABET = st.sampled_from(list("党建聚链金台潮声引领，。！？；“”（）,:?!()# *■►\n\n\n图①：摄本报记者——…张洋") + ["# ", "## ", "\n\n"])


@settings(max_examples=300, deadline=None)
@given(st.lists(_ALPHABET, max_size=60).map("".join))
def test_segment_any_text_gives_consistent_sentences(text):
    doc = page(text)
    articles, sentences = split_document(doc)
    assert [s.index for s in sentences] == list(range(len(sentences)))
    for sent in sentences:
        assert isinstance(sent, Sentence) and sent.text and sent.text == sent.text.strip()
        assert len(sent.offsets) == len(sent.text)
        assert all(a < b for a, b in zip(sent.offsets, sent.offsets[1:]))
        article = articles[sent.article_index]
        assert article.start <= sent.offsets[0] and sent.offsets[-1] < article.end


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(min_value=1, max_value=3), max_size=40), st.integers(min_value=0, max_value=10**6))
def test_segment_offset_map_is_the_sequence_it_compresses(steps, first):
    offsets = [first + sum(steps[:i]) for i in range(len(steps))]  # increasing, with gaps where a step is > 1
    mapped = OffsetMap.of(offsets)
    assert len(mapped) == len(offsets) and list(mapped) == offsets
    assert [mapped[i] for i in range(-len(offsets), len(offsets))] == offsets + offsets
    assert mapped[1:-1] == tuple(offsets[1:-1]) and mapped[::2] == tuple(offsets[::2])
    assert len(mapped.starts) == (1 + sum(1 for step in steps[:-1] if step != 1) if offsets else 0)  # maximal runs
    with pytest.raises(IndexError):
        mapped[len(offsets)]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(min_value=1, max_value=3), min_size=1, max_size=40), st.data())
def test_segment_sentence_offsets_are_the_runs_of_the_slice(steps, data):
    """A sentence's runs, one run or several, are those OffsetMap.of makes of its slice of the article's offsets."""
    offsets = [sum(steps[:i]) for i in range(len(steps))]
    start = data.draw(st.integers(0, len(offsets) - 1))
    end = data.draw(st.integers(start + 1, len(offsets)))
    assert _sentence_offsets(OffsetMap.of(offsets), start, end) == OffsetMap.of(offsets[start:end])


def test_segment_a_sentence_keeps_a_run_per_stretch_of_the_source():
    doc = page("党支部书记何炳辉介绍，在航空产业链党委的牵\n头下，公司发展很快。\n")  # a word broken across lines is joined
    sentence = split_document(doc)[1][0]
    assert sentence.text == "党支部书记何炳辉介绍，在航空产业链党委的牵头下，公司发展很快。"
    assert sentence.offsets.starts == (0, 21) and list(sentence.offsets) == [*range(21), *range(22, 32)]


def _lines_by_regex(text: str) -> list[tuple[int, int, str, int]]:
    """The page's non-blank lines as the regex scan over the lines found them (the oracle for
    the str.split version): content span, stripped text, line breaks since the last one."""
    lines, breaks = [], 0
    for match in re.finditer(r"[^\n]*\n?", text):
        raw = match.group().rstrip("\n")
        if raw.strip():
            start = match.start() + len(raw) - len(raw.lstrip())
            lines.append((start, start + len(raw.strip()), raw.strip(), breaks))
            breaks = 0
        breaks += match.group().endswith("\n")
    return lines


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="甲乙 \n\t\u3000\r\x0b", max_size=40))
def test_segment_raw_lines_keep_spans_and_breaks(text):
    from graph.segment import _raw_lines

    assert [(x.start, x.end, x.text, x.breaks) for x in _raw_lines(text)] == _lines_by_regex(text)

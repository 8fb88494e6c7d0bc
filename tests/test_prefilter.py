"""The rule prefilter: a rule is skipped only when its regex cannot match."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graph import prefilter
from graph.batch import read_all
from graph.pipeline import extract_document, load_resources
from graph.prefilter import RuleFilter, may_match, required_all, required_literals
from graph.rules import CLASS_CHARS, compile_pattern

from .conftest import ROOT

CLASS_MARKS = sorted(CLASS_CHARS.values())

SEEDS = ROOT / "seeds"

# (pattern, the literals every match must contain one of)
CASES = [
    ("公司", {"公司"}),
    ("(?:有限公司|集团)", {"有限公司", "集团"}),
    ("[\u4e00-\u9fff]{2,8}(?:有限公司|股份公司)", {"有限公司", "股份公司"}),
    ("a?书记", {"书记"}),
    ("(?:ab)*c", {"c"}),
    ("(?:党委|党总支)+", {"党委", "党总支"}),
    ("x(?=书记)", {"书记"}),  # a lookahead's text is in the sentence too
    ("[甲乙丙]", {"甲", "乙", "丙"}),
    ("纳入(?P<x>.{0,9})产业链", {"产业链"}),  # the longer literal is the better test
]
NOTHING_REQUIRED = ["[^x]+", "(?:ab)?", ".*", "(?i)company", "a|b*", "(?!书记)..", "[\u4e00-\u9fff]+"]


@pytest.mark.parametrize("pattern,expected", CASES)
def test_required_literals(pattern, expected):
    assert required_literals(pattern) == expected


@pytest.mark.parametrize("pattern", NOTHING_REQUIRED)
def test_patterns_that_require_nothing_are_never_filtered(pattern):
    assert required_literals(pattern) is None
    assert may_match(required_literals(pattern), "")


PATTERNS = [p for p, _ in CASES if "(?=" not in p] + [
    "(?:江西|湖南)(?:省|市)?[\u4e00-\u9fa5]{1,4}(?:党委|党支部)",
    "(?:书记|主任)、?(?P<name>[\u4e00-\u9fa5]{2,3})",
    "(?:[甲乙]|丙丁)+戊?(?:己庚|辛)",
]


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_every_generated_match_passes_the_filter(data):
    pattern = data.draw(st.sampled_from(PATTERNS))
    text = data.draw(st.from_regex(re.compile(pattern), fullmatch=False))
    assert re.search(pattern, text)
    assert may_match(required_literals(pattern), text)


def test_filter_reads_the_encoded_text():
    """Rules run over the encoded sentence: their literals, with or without mention characters, are
    looked up there, and a rule runs only when each of its requirements has a literal in it."""
    mark = "\ue005"
    family = RuleFilter([(frozenset({"公司"}),), (frozenset({mark + "党委"}),), (), (frozenset({"书记", mark}),),
                         (frozenset({"等"}), frozenset({"企业", "单位"}))])
    assert family.possible("某某公司党委书记") == (0, 2, 3)  # rule 3 has 书记 in the text
    assert family.possible("某某" + mark + "党委书记") == (1, 2, 3)  # 公司 is inside the mention now
    assert family.possible("无关的句子") == (2,)
    assert family.possible("甲、乙等企业") == (2, 4)
    assert family.possible("一些企业") == (2,)  # 企业 without 等


def test_required_all_keeps_every_requirement():
    assert set(required_all("(?P<name>[\u4e00-\u9fff]{2,4}?)(?=等(?:企业|单位))")) == {frozenset({"等企业", "等单位"})}
    assert set(required_all("(?:书记|主任)[^，]{0,4}等(?:企业|单位)")) == {
        frozenset({"书记", "主任"}), frozenset({"等企业", "等单位"})}
    assert required_all("(?i)company") == ()


def test_every_rule_has_a_prefilter():
    """All shipped rules are anchored on some literal; a rule without one runs on every sentence."""
    rules, _ = load_resources()
    assert [r.id for r in rules.all() if not r.needs] == []


def test_prefilter_changes_no_result_on_the_seeds(monkeypatch):
    """Extraction with the prefilter equals extraction that runs every rule on every sentence."""
    rules, lexicon = load_resources()
    docs, _ = read_all([SEEDS])

    def run() -> list[str]:
        out = []
        for doc in docs:
            result = extract_document(doc, rules, lexicon)
            out += [repr(m) for ms in result.mentions.values() for m in ms]
            out += [f"{f.relation} {f.subject.name} {f.object.name} {f.rule_id} {f.span}" for f in result.facts]
        return out

    filtered = run()
    monkeypatch.setattr(prefilter.RuleFilter, "possible", lambda self, text: tuple(range(self.size)))
    assert run() == filtered


def test_families_sharing_a_scan_answer_as_on_their_own():
    """Two families read one scan (names and relations do): each still gets exactly the answer
    of a filter with a scan of its own, for a text met first by either family, and again after
    the scan forgets its texts."""
    mark = "\ue005"
    names = [(frozenset({"公司"}),), (frozenset({mark + "党委"}),), (), (frozenset({"等"}), frozenset({"企业"}))]
    relations = [(frozenset({"书记"}),), (frozenset({mark, "公司"}), frozenset({"是"})), ()]
    alone = RuleFilter(names), RuleFilter(relations)
    scan = prefilter.LiteralScan()
    shared = RuleFilter(names, scan), RuleFilter(relations, scan)
    texts = ["某某公司党委书记", "某" + mark + "党委书记是", "甲、乙等企业", "无关", "某某公司党委书记"]
    for k, text in enumerate(texts):
        order = (0, 1) if k % 2 else (1, 0)  # either family may see a text first
        for family in order:
            assert shared[family].possible(text) == alone[family].possible(text), (text, family)
    shared[0].forget_texts()
    assert [shared[1].possible(t) for t in texts] == [alone[1].possible(t) for t in texts]


GUARDED = [("甲乙|丙|丁戊|己|庚辛", "丙丁己庚甲"), ("书记|主任|(?:副|正)处长|经理|组长", "主书副正组经")]


@pytest.mark.parametrize("fragment,firsts", GUARDED)
def test_first_char_guard_names_the_first_characters(fragment, firsts):
    guard = prefilter.first_char_guard(fragment)
    assert guard.startswith("(?=[") and guard.endswith("])")
    assert sorted(guard[4:-2]) == sorted(firsts)


@pytest.mark.parametrize("fragment", ["甲|乙", "书记|主任|处长|经理", "说|的|表示|等|[，。]|$", "[\u4e00-\u9fff]{2,4}",
                                      "(?:a|b|c|d|e)", "a|b|c|d|e?", "x?书记|主任|处长|经理|组长", "(?i)ab|cd|ef|gh|ij"])
def test_first_char_guard_only_for_a_long_alternation_of_known_starts(fragment):
    """Too few words, an alternative that may be empty or start anywhere, or a case-blind pattern: no guard."""
    assert prefilter.first_char_guard(fragment) == ""


def test_guarded_rules_match_as_written(resources):
    """Every rule's regex, guards and all, finds the very matches of its pattern as written (the
    oracle: the pattern compiled without guards), on its examples and on strings made of its own
    literals and the mention characters."""
    rules, _ = resources
    marks = "".join(CLASS_CHARS.values())
    for rule in rules.all():
        plain = re.compile(compile_pattern(rule.pattern, rules.macros)[0])
        words = sorted({w for needs in rule.needs for w in needs})
        texts = [ex.text for ex in rule.examples] + ["、".join(words), marks.join(words), "".join(words) + marks]
        for text in texts:
            assert [(m.span(), m.groups()) for m in rule.regex.finditer(text)] == \
                [(m.span(), m.groups()) for m in plain.finditer(text)], (rule.id, text)


@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_guarded_rules_match_as_written_on_random_text(resources, data):
    rules, _ = resources
    rule = data.draw(st.sampled_from(rules.all()))
    words = sorted({w for needs in rule.needs for w in needs}) or ["书记"]
    pieces = st.sampled_from(words + list(CLASS_CHARS.values()) + ["、", "，", "等", "王", "张", "有限公司", "的"])
    text = "".join(data.draw(st.lists(pieces, max_size=30)))
    plain = re.compile(compile_pattern(rule.pattern, rules.macros)[0])
    assert [(m.span(), m.groups()) for m in rule.regex.finditer(text)] == \
        [(m.span(), m.groups()) for m in plain.finditer(text)]


def test_last_needing_is_the_last_rule_with_a_mark():
    mark = "\ue005"
    family = RuleFilter([(frozenset({"公司"}),), (frozenset({mark + "党委"}),), (frozenset({"书记"}),), ()])
    assert family.last_needing(mark) == 2
    assert family.last_needing("\ue001") == 0


@settings(max_examples=300, deadline=None)
@given(text=st.text(alphabet="公司党委书记等企业\ue005\ue003", max_size=16), cut=st.tuples(st.integers(0, 16), st.integers(0, 16)),
       mark=st.sampled_from("\ue005\ue003"))
def test_folding_a_mention_lets_in_no_rule_after_last_needing(resources, text, cut, mark):
    """What a rule after ``last_needing`` may match in a text with a span folded into a mention
    character, it could already match before: the name rules skip the re-filter on that ground."""
    rules, _ = resources
    family = rules.name_filter
    start, end = sorted(cut)
    folded = text[:start] + mark + text[end:]
    after = family.last_needing("".join(CLASS_MARKS))
    assert {i for i in family.possible(folded) if i >= after} <= set(family.possible(text))

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

from .conftest import ROOT

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

"""Every rule runs on its own examples: what it must find, and what it must not."""

from __future__ import annotations

import pytest

from graph.mentions import find_document_mentions
from graph.pipeline import load_resources
from graph.relations import apply_rules, flatten_mentions

from .conftest import make_sentences

RULES, _ = load_resources()
CASES = [(rule, i) for rule in RULES.all() for i in range(len(rule.examples))]


def _analyse(text, resources):
    rules, lexicon = resources
    [sent] = make_sentences(text)
    mentions = find_document_mentions([sent], lexicon, rules)[sent.index]
    return sent, mentions, apply_rules(sent, mentions, rules)


@pytest.mark.parametrize("rule,index", CASES, ids=[f"{r.id}[{i}]" for r, i in CASES])
def test_rule_examples_match_their_examples(rule, index, resources):
    example = rule.examples[index]
    sent, mentions, facts = _analyse(example.text, resources)
    if rule.kind == "name":
        found = {m.name for m in flatten_mentions(mentions) if m.found_by == f"name:{rule.id}" and m.cls == rule.cls}
        assert found == set(example.expect), f"{rule.id} on {example.text!r}"
        return
    found = {(f.subject, f.object) for f in facts if f.rule_id == rule.id and f.relation == rule.relation}
    for want in example.expect:
        assert any(want["subject"] in (s.text, s.name) and want["object"] in (o.text, o.name) for s, o in found), (
            f"{rule.id} missed {want} in {example.text!r}; found {[(s.name, o.name) for s, o in found]}")
    assert len(found) == len(example.expect), f"{rule.id} on {example.text!r}: {[(s.name, o.name) for s, o in found]}"


def test_rule_examples_every_rule_has_an_example():
    assert all(rule.examples for rule in RULES.all())

"""Bad rule files are reported with file, line, rule id and code — all of them, before anything runs."""

from __future__ import annotations

import re
import time

import pytest

from graph.diagnostics import RuleFileError, format_diagnostic
from graph.pipeline import load_resources
from graph.resources import rule_dirs
from graph.rules import load_rules

GOOD = '''schema = 1

[[rule]]
id = "test.good"
relation = "secretaryOf"
subject = "person"
object = "org"
pattern = '{org:PartyOrganization}书记{person:Person}'

  [[rule.example]]
  text = "x"
  expect = []
'''

BAD = {  # code → (file text, line the diagnostic must name)
    "R001": (GOOD.replace('object = "org"', 'object = "org"\npriorty = 3'), 4),
    "R003": (GOOD.replace('"secretaryOf"', '"secretaryof"'), 4),
    "R010": (GOOD.replace("书记{person", "书记.*{person"), 4),
    "R006": (GOOD.replace("书记{person", "书记(?P<x{person"), 4),
    "R007": (GOOD.replace("书记{person", "书记{NOSUCHMACRO}{person"), 4),
    "R005": (GOOD.replace("{org:PartyOrganization}", "{org:Party}"), 4),
    "R008": (GOOD.replace('subject = "person"', 'subject = "boss"'), 4),
    "R009": (GOOD.split("  [[rule.example]]")[0], 4),
    "R000": (GOOD.replace("schema = 1", "schema = = 1"), 1),
}


def load(tmp_path, files):
    rules = tmp_path / "rules"
    names = tmp_path / "names"
    rules.mkdir()
    names.mkdir()
    for name, text in files.items():
        (rules / name).write_text(text, encoding="utf-8")
    return load_rules(rules, names, rule_dirs()[2])


@pytest.mark.parametrize("code", sorted(BAD))
def test_rules_loader_reports_code_file_and_line(tmp_path, code):
    text, line = BAD[code]
    with pytest.raises(RuleFileError) as failed:
        load(tmp_path, {"bad.toml": text})
    diagnostics = [d for d in failed.value.diagnostics if d.code == code]
    assert diagnostics, [format_diagnostic(d) for d in failed.value.diagnostics]
    assert diagnostics[0].path.endswith("bad.toml") and diagnostics[0].line == line
    if code != "R000":
        assert diagnostics[0].rule_id == "test.good"


def test_rules_loader_collects_every_problem_in_every_file(tmp_path):
    with pytest.raises(RuleFileError) as failed:
        load(tmp_path, {"a.toml": BAD["R003"][0], "b.toml": BAD["R010"][0].replace("test.good", "test.other")})
    assert {d.code for d in failed.value.diagnostics} == {"R003", "R010"}
    assert {d.path.rsplit("/", 1)[-1] for d in failed.value.diagnostics} == {"a.toml", "b.toml"}


def test_rules_loader_duplicate_ids(tmp_path):
    with pytest.raises(RuleFileError) as failed:
        load(tmp_path, {"a.toml": GOOD, "b.toml": GOOD})
    assert [d.code for d in failed.value.diagnostics] == ["R002"]


def test_rules_loader_hint_suggests_the_right_relation(tmp_path):
    with pytest.raises(RuleFileError) as failed:
        load(tmp_path, {"bad.toml": BAD["R003"][0]})
    assert "did you mean 'secretaryOf'?" in format_diagnostic(failed.value.diagnostics[0])


def test_rules_no_pattern_backtracks_catastrophically():
    """Every compiled pattern on a long adversarial sentence: bounded gaps keep each search fast."""
    rules, _ = load_resources()
    hostile = ("江西省" + "有限公司党委书记、" * 40 + "产业链" * 30 + "、" * 200 + "等" * 50) * 3
    encoded = re.sub(r"江西省", "\ue005", hostile)
    for rule in rules.all():
        start = time.perf_counter()
        list(rule.regex.finditer(encoded))
        # a generous bound: catastrophic backtracking takes minutes, not milliseconds
        assert time.perf_counter() - start < 2.0, rule.id

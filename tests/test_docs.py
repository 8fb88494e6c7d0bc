"""The README stays true: every subcommand, every diagnostic code, every named query, the test command."""

from __future__ import annotations

import re

from graph.cli import _parser

from .conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_docs_readme_lists_every_subcommand():
    sub = next(a for a in _parser()._actions if a.dest == "command")
    for name in sub.choices:
        assert f"redchain {name}" in README, name


def test_docs_readme_lists_every_diagnostic_code_used_in_the_code():
    used = set()
    for path in (ROOT / "graph").rglob("*.py"):
        used |= set(re.findall(r'"([DGRMSQCE]\d{3})"', path.read_text(encoding="utf-8")))
    documented = set(re.findall(r"^\| ([A-Z]\d{3}) \|", README, flags=re.M))
    assert used <= documented, sorted(used - documented)


def test_docs_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "bash scripts/test.sh" in ci and "bash scripts/test.sh" in README

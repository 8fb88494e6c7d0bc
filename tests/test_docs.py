"""The README stays true: every subcommand, every diagnostic code, every named query, the test command."""

from __future__ import annotations

import re

import pytest

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


_QUERY_BLOCK = re.compile(r"^```\n\$ redchain (query [^\n]+)\n(.*?)^```", re.M | re.S)


@pytest.mark.parametrize("command, shown", _QUERY_BLOCK.findall(README), ids=lambda v: v if v.startswith("query") else "")
def test_docs_readme_query_output_is_what_the_query_prints(command, shown, monkeypatch, capsys):
    """On the committed outputs (test_outputs keeps them equal to a fresh build): every line shown
    is printed, in order; an excerpt marks what it leaves out with a line of its own, "…"."""
    from graph.cli import main

    monkeypatch.chdir(ROOT)
    assert main(command.split()) == 0
    printed = capsys.readouterr().out.splitlines()
    lines = shown.rstrip("\n").splitlines()
    assert lines, command
    if "…" not in lines:
        assert lines == printed, command
        return
    position = 0
    for line in (line for line in lines if line != "…"):
        assert line in printed[position:], f"{command}: {line!r} is not printed (in this order)"
        position = printed.index(line, position) + 1
    assert lines[0] == printed[0] and (lines[-1] == "…" or lines[-1] == printed[-1]), command


def test_docs_readme_shows_every_named_query_with_its_output():
    shown = {command.split()[1] for command, _ in _QUERY_BLOCK.findall(README)}
    assert shown == {p.stem for p in (ROOT / "queries").glob("*.rq")}

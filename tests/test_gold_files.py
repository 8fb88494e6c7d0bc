"""The gold files are well-formed: every text is verbatim from its seed, every triple names its entities."""

from __future__ import annotations

import importlib.util

from .conftest import ROOT


def test_gold_files_pass_their_checker(capsys):
    spec = importlib.util.spec_from_file_location("check_gold", ROOT / "tests" / "gold" / "check_gold.py")
    checker = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(checker)
    assert checker.main(["check_gold.py", str(ROOT / "tests" / "gold")]) == 0, capsys.readouterr().out

"""CI holds the extraction quality reached on the seed gold (issue #3)."""

from __future__ import annotations

from graph.evaluation import check_thresholds, load_gold, run_eval

from .conftest import ROOT

FLOOR = {"min_precision": 0.95, "min_recall": 0.90, "min_relation_recall": 0.80}


def test_eval_floor_on_seed_gold(tmp_path):
    report = run_eval(ROOT / "tests" / "gold", workdir=tmp_path)
    assert check_thresholds(report, **FLOOR) == []


def test_eval_gold_covers_every_seed_article():
    sources = {article.source for article in load_gold(ROOT / "tests" / "gold")}
    assert sources == {f"seeds/{p.name}" for p in (ROOT / "seeds").glob("*.txt")}

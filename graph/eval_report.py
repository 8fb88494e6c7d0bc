"""`redchain eval` output: aligned tables or JSON, the missed and false facts, thresholds."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Sequence

from .diagnostics import display_width

if TYPE_CHECKING:
    from .evaluation import EvalReport, FalseFact, MissedFact, Score

_HEAD = ("gold", "pred", "tp", "fp", "fn", "precision", "recall", "F1")


def format_report(report: EvalReport, *, show_errors: bool = False, fmt: Literal["table", "json"] = "table") -> str:
    """The scores as aligned tables (or JSON); with ``show_errors``, every missed and every false fact."""
    if fmt == "json":
        return json.dumps(_report_dict(report, show_errors), ensure_ascii=False, indent=2) + "\n"
    parts = [f"{report.articles} gold articles; facts (partnersWith unordered, locatedIn up to transitivity):",
             _table("relation", [*report.relations, report.overall]),
             "entities (a ChainPartyCommittee node also finds a gold PartyOrganization):",
             _table("class", [*report.entities, report.entities_overall])]
    if show_errors:
        parts += [_missed_text(report.missed), _false_text(report.false)]
    return "\n\n".join(parts) + "\n"


def _ratio(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"


def _table(first: str, scores: Sequence[Score]) -> str:
    rows = [[first, *_HEAD]] + [[s.name, str(s.gold), str(s.predicted), str(s.tp), str(s.fp), str(s.fn),
                                 _ratio(s.precision), _ratio(s.recall), _ratio(s.f1)] for s in scores]
    widths = [max(display_width(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for n, row in enumerate(rows):
        if n == len(rows) - 1:
            lines.append("─" * (sum(widths) + 2 * (len(widths) - 1)))
        cells = [_pad(cell, width, left=(i == 0)) for i, (cell, width) in enumerate(zip(row, widths))]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


def _pad(text: str, width: int, *, left: bool) -> str:
    space = " " * (width - display_width(text))
    return text + space if left else space + text


def _missed_text(missed: Sequence[MissedFact]) -> str:
    lines = [f"missed facts ({len(missed)}):"]
    for fact in missed:
        lines.append(f"  {fact.subject} {fact.relation} {fact.object}  [{', '.join(fact.articles)}]")
        lines.append(f"      {fact.sentence}" if fact.sentence else "      (no sentence of the gold text names both)")
    return "\n".join(lines)


def _false_text(false: Sequence[FalseFact]) -> str:
    lines = [f"false facts ({len(false)}):"]
    for fact in false:
        lines.append(f"  {fact.subject} {fact.relation} {fact.object}  — {fact.reason}")
        if not fact.evidence:
            lines.append("      (no provenance record)")
        for record in fact.evidence:
            where = f"{Path(str(record.get('doc', '?'))).name} sentence {record.get('sentence', '?')}"
            lines.append(f"      [rule {record.get('rule', '?')}; {where}] {record.get('sentence_text', '')}")
    return "\n".join(lines)


def _report_dict(report: EvalReport, show_errors: bool) -> dict[str, Any]:
    data: dict[str, Any] = {
        "articles": report.articles,
        "relations": [s.as_dict() for s in report.relations], "overall": report.overall.as_dict(),
        "entities": [s.as_dict() for s in report.entities], "entities_overall": report.entities_overall.as_dict()}
    if show_errors:
        keep = ("rule", "doc", "article", "sentence", "sentence_text")
        data["missed"] = [asdict(m) for m in report.missed]
        data["false"] = [{**asdict(f), "evidence": [{k: r.get(k) for k in keep} for r in f.evidence]}
                         for f in report.false]
    return data


def check_thresholds(report: EvalReport, *, min_precision: float | None = None, min_recall: float | None = None,
                     min_relation_recall: float | None = None) -> list[str]:
    """Failures as messages (empty: every threshold met). Precision and recall are the micro-averaged
    fact scores; ``min_relation_recall`` applies to every relation with gold facts."""
    failures: list[str] = []
    overall = report.overall
    if min_precision is not None and overall.predicted + overall.gold:
        value = overall.precision or 0.0
        if value < min_precision:
            failures.append(f"precision {value:.3f} < {min_precision:.3f} "
                            f"({overall.tp} of {overall.predicted} predicted facts correct)")
    if min_recall is not None:
        failures += _recall_failure("recall", overall, min_recall)
    if min_relation_recall is not None:
        for score in report.relations:
            failures += _recall_failure(f"{score.name} recall", score, min_relation_recall)
    return failures


def _recall_failure(what: str, score: Score, minimum: float) -> list[str]:
    if score.recall is None or score.recall >= minimum:
        return []
    found = score.gold - score.fn
    return [f"{what} {score.recall:.3f} < {minimum:.3f} ({found} of {score.gold} gold facts found)"]

"""SHACL findings carry the sentence behind their focus node (issue #5): the finding, the
S001 diagnostic a build reports, and the wiring in pipeline.build."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from rdflib import RDF, RDFS, Graph, Literal

from graph.diagnostics import format_diagnostic
from graph.entities import mint_iri
from graph.validation import Evidence, Finding, attach_evidence, finding_diagnostic, validate_graph
from graph.vocab import ID, RC, bind_prefixes

PERSON, COMPANY = ID["person/he-bing-hui"], ID["org/tian-yi"]
SENTENCE = "江西天一航空装备有限公司副总经理、党支部书记何炳辉介绍，在航空产业链党委的牵头下，公司党支部联合北航江西研究院景德镇分院党支部，组建党员攻关团队。"
LONG = "这是一个很长的开头" * 12 + SENTENCE + "这是一个很长的结尾" * 12


def record(s: str, p_name: str, o: str, *, doc: str = "seeds/02.txt", sentence: int = 14, text: str = SENTENCE,
           start: int = 17, end: int = 25, rule: str = "secretary.unit-posts-branch") -> dict[str, Any]:
    offset = 1000  # source offsets are into the file; the sentence starts here
    return {"s": s, "p": str(RC[p_name]), "p_name": p_name, "o": o, "rule": rule, "doc": doc, "article": 0,
            "sentence": sentence, "sentence_text": text, "sentence_start": offset, "sentence_end": offset + len(text),
            "start": offset + start, "end": offset + end}


def broken_graph() -> Graph:
    """何炳辉 secretaryOf a company: the object must be a party organisation."""
    g = bind_prefixes(Graph())
    for node, cls, zh, pinyin in ((PERSON, RC.Person, "何炳辉", "he bing hui"),
                                  (COMPANY, RC.Enterprise, "江西天一航空装备有限公司", "jiang xi tian yi")):
        g.add((node, RDF.type, cls))
        g.add((node, RDFS.label, Literal(zh, lang="zh")))
        g.add((node, RDFS.label, Literal(pinyin, lang="zh-Latn-pinyin")))
    g.add((PERSON, RC.secretaryOf, COMPANY))
    return g


def test_validation_evidence_finding_carries_the_sentence_of_the_breaking_fact() -> None:
    findings = validate_graph(broken_graph())
    assert [f.shape for f in findings] == ["rcsh:SecretaryOfObjectShape"]
    records = [record(str(PERSON), "affiliatedWith", str(COMPANY), sentence=3, text="何炳辉是公司副总经理。", start=0, end=3,
                      rule="affiliation.x"),
               record(str(PERSON), "secretaryOf", str(COMPANY))]
    [finding] = attach_evidence(findings, records)
    assert finding.evidence == Evidence("seeds/02.txt", 14, SENTENCE, 17, 25, "secretary.unit-posts-branch")
    assert finding == findings[0]  # evidence does not take part in comparisons


def test_validation_evidence_prefers_subject_then_object_and_document_order() -> None:
    finding = Finding(str(COMPANY), "江西天一航空装备有限公司", "rc:leadsChain", "rcsh:X", "m", "")
    as_object = record(str(PERSON), "secretaryOf", str(COMPANY), doc="a.txt", sentence=1)
    later = record(str(COMPANY), "locatedIn", "place", doc="b.txt", sentence=9, rule="later")
    earlier = record(str(COMPANY), "locatedIn", "place", doc="b.txt", sentence=2, rule="earlier")
    [found] = attach_evidence([finding], [as_object, later, earlier])
    assert found.evidence is not None and found.evidence.rule == "earlier"
    [found] = attach_evidence([finding], [as_object])
    assert found.evidence is not None and found.evidence.document == "a.txt"
    [found] = attach_evidence([finding], [])
    assert found.evidence is None


def test_validation_evidence_excerpt_is_about_80_characters_around_the_match() -> None:
    start = LONG.index("何炳辉")
    evidence = Evidence("x.txt", 0, LONG, start, start + 3, "r")
    excerpt = evidence.excerpt()
    assert "党支部书记何炳辉介绍" in excerpt
    assert excerpt.startswith("…") and excerpt.endswith("…") and len(excerpt) == 82
    assert Evidence("x.txt", 0, SENTENCE, 22, 25, "r").excerpt() == SENTENCE  # short: whole
    assert Evidence("x.txt", 0, LONG, 0, 2, "r").excerpt() == LONG[:80] + "…"
    assert Evidence("x.txt", 0, LONG, len(LONG) - 2, len(LONG), "r").excerpt() == "…" + LONG[-80:]


def test_validation_evidence_diagnostic_shows_node_shape_message_sentence_and_document() -> None:
    finding = Finding(str(PERSON), "何炳辉", "rc:secretaryOf", "rcsh:SecretaryOfObjectShape",
                      "rc:secretaryOf must point to an rc:PartyOrganization", str(COMPANY))
    start = LONG.index("何炳辉")
    [finding] = attach_evidence([finding], [record(str(PERSON), "secretaryOf", str(COMPANY), text=LONG, start=start,
                                                   end=start + 3)])
    diag = finding_diagnostic(finding)
    text = format_diagnostic(diag)
    head, hint = text.splitlines()
    assert head.startswith("graph.ttl: warning S001: 何炳辉: rc:secretaryOf must point to an rc:PartyOrganization "
                           "(rcsh:SecretaryOfObjectShape); evidence seeds/02.txt sentence 14 "
                           "[rule secretary.unit-posts-branch]: 「…")
    assert "党支部书记何炳辉介绍" in head and len(head) < 300
    assert hint == "  hint: redchain explain --doc seeds/02.txt --sentence 14 shows how the fact was found"
    assert finding_diagnostic(finding, strict=True).severity == "error"
    bare = finding_diagnostic(Finding(str(PERSON), "", "", "rcsh:X", "m", ""))
    assert bare.message == f"{PERSON}: m (rcsh:X)" and bare.hint is None


def test_validation_evidence_build_reports_findings_with_their_sentence(tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    from graph import pipeline

    (tmp_path / "in").mkdir()
    doc = tmp_path / "in" / "a.txt"
    doc.write_text(SENTENCE + "\n", encoding="utf-8")
    person = mint_iri(("person", "何炳辉"))
    fake = Finding(person, "何炳辉", "rc:secretaryOf", "rcsh:SecretaryOfObjectShape", "a made-up violation", "")
    monkeypatch.setattr(pipeline, "start_validation", lambda lines, background, chunk: lambda: [fake])
    report = pipeline.build([tmp_path / "in"], tmp_path / "out", view=False)
    [diag] = [d for d in report.diagnostics if d.code == "S001"]
    assert diag.message.startswith(f"何炳辉: a made-up violation (rcsh:SecretaryOfObjectShape); evidence {doc} sentence 0 ")
    assert "党支部书记何炳辉介绍" in diag.message and report.violations == 1

"""The scorer behind `redchain eval`, on hand-built graphs and gold articles.

Every expected number is counted by hand in the comment above its assertion.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rdflib import RDF, RDFS, SKOS, Graph, Literal, Namespace

from graph import evaluation
from graph.diagnostics import display_width
from graph.evaluation import (GoldArticle, GoldEntity, GoldError, Score, build_gold_graph, check_thresholds,
                              evaluate, format_report, load_gold, name_key, run_eval)

RC = Namespace("https://w3id.org/redchain/ns#")
ID = Namespace("https://w3id.org/redchain/id/test/")


def add_node(g: Graph, key: str, cls: str | None, label: str, *alts: str):
    node = ID[key]
    if cls:
        g.add((node, RDF.type, RC[cls]))
    g.add((node, RDFS.label, Literal(label, lang="zh")))
    for alt in alts:
        g.add((node, SKOS.altLabel, Literal(alt, lang="zh")))
    return node


def gold_article(article_id: str, entities, triples=(), text: str = "") -> GoldArticle:
    return GoldArticle(article_id, "a test", f"seeds/{article_id}.txt", text,
                       tuple(GoldEntity(cls, tuple(names)) for cls, names in entities),
                       tuple(tuple(t) for t in triples))


def counts(score: Score) -> tuple[int, int, int, int]:
    return score.gold, score.tp, score.fp, score.fn


# ── names ─────────────────────────────────────────────────────────────────────


def test_evaluation_name_key_folds_width_space_and_script():
    assert name_key("景德镇陶瓷（集团）有限公司") == name_key("景德镇陶瓷(集团)有限公司")
    assert name_key("江西 铜业\u3000集团") == name_key("江西铜业集团")
    assert name_key("江西銅業集團") == name_key("江西铜业集团")
    assert name_key("江铜") != name_key("江铜集团")


def test_evaluation_matches_labels_through_altlabel_and_half_width_parentheses():
    gold = [gold_article("a1", [("Enterprise", ["江西铜业集团", "江铜"]),
                                ("Enterprise", ["景德镇陶瓷（集团）有限公司"]),
                                ("Enterprise", ["江西天一航空装备有限公司"])])]
    g = Graph()
    add_node(g, "jc", "Enterprise", "江西铜业股份有限公司", "江铜")  # matches through its altLabel
    add_node(g, "tc", "Enterprise", "景德镇陶瓷(集团)有限公司")  # half-width parentheses
    add_node(g, "sh", "Enterprise", "九江石化")  # not in the gold
    ty = add_node(g, "ty", "Enterprise", "天一航空")
    g.add((ty, RDFS.label, Literal("江西天一航空装备有限公司", lang="en")))  # English labels are not names
    g.add((ty, RDFS.label, Literal("江西天一航空装备有限公司", lang="zh-Latn-pinyin")))
    report = evaluate(g, gold)
    # gold 3; nodes jc, tc correct, sh and ty wrong → tp 2, fp 2; 天一 not found → fn 1
    assert counts(report.entity("Enterprise")) == (3, 2, 2, 1)
    assert report.entity("Enterprise").precision == pytest.approx(0.5)
    assert report.entity("Enterprise").recall == pytest.approx(2 / 3)


def test_evaluation_chain_committee_node_counts_as_party_organization():
    gold = [gold_article("a1", [("ChainPartyCommittee", ["铜产业链党委"]),
                                ("ChainPartyCommittee", ["航空产业链党委"]),
                                ("PartyOrganization", ["南康区家具产业综合党委"]),
                                ("PartyOrganization", ["天一航空党支部"])])]
    g = Graph()
    add_node(g, "n1", "ChainPartyCommittee", "铜产业链党委")
    add_node(g, "n2", "ChainPartyCommittee", "南康区家具产业综合党委")  # over-specific
    add_node(g, "n3", "PartyOrganization", "航空产业链党委")  # not specific enough
    add_node(g, "n4", "PartyOrganization", "天一航空党支部")
    report = evaluate(g, gold)
    # ChainPartyCommittee: nodes n1 (right), n2 (gold says plain) → tp 1, fp 1;
    # gold 铜 found by n1, 航空 needs a ChainPartyCommittee node (n3 is not one) → fn 1
    assert counts(report.entity("ChainPartyCommittee")) == (2, 1, 1, 1)
    # PartyOrganization: plain nodes n3 (gold says chain committee) and n4 (right) → tp 1, fp 1;
    # gold 南康区… found by n2 (a ChainPartyCommittee is a PartyOrganization), 天一 by n4 → fn 0
    assert counts(report.entity("PartyOrganization")) == (2, 1, 1, 0)


def test_evaluation_subclass_declared_in_the_graph_counts():
    gold = [gold_article("a1", [("Place", ["景德镇高新区"])])]
    g = Graph()
    g.add((RC.DevelopmentZone, RDFS.subClassOf, RC.Place))
    add_node(g, "z", "DevelopmentZone", "景德镇高新区")
    report = evaluate(g, gold)
    assert counts(report.entity("Place")) == (1, 1, 0, 0)


def test_evaluation_entity_of_wrong_class_not_counted():
    gold = [gold_article("a1", [("Place", ["景德镇市", "景德镇"])])]
    g = Graph()
    add_node(g, "j", "Enterprise", "景德镇市")
    report = evaluate(g, gold)
    # the Place is not found (fn 1); the Enterprise node matches no gold Enterprise (fp 1)
    assert counts(report.entity("Place")) == (1, 0, 0, 1)
    assert counts(report.entity("Enterprise")) == (0, 0, 1, 0)
    assert report.entity("Enterprise").precision == 0.0


def test_evaluation_ignores_posts_and_classes_outside_the_contract():
    gold = [gold_article("a1", [("Enterprise", ["江铜"])])]
    g = Graph()
    add_node(g, "post", "Post", "江铜董事长")
    add_node(g, "assoc", "Association", "江西省铜业协会")
    add_node(g, "jc", "Enterprise", "江铜")
    report = evaluate(g, gold)
    assert counts(report.entities_overall) == (1, 1, 0, 0)


# ── facts ─────────────────────────────────────────────────────────────────────


def test_evaluation_partners_with_is_symmetric():
    gold = [gold_article("a1", [("PartyOrganization", ["甲党支部"]), ("PartyOrganization", ["乙党支部"]),
                                ("PartyOrganization", ["丙党支部"]), ("PartyOrganization", ["丁党支部"])],
                         [["甲党支部", "partnersWith", "乙党支部"], ["丙党支部", "partnersWith", "丁党支部"]])]
    g = Graph()
    a, b, c = (add_node(g, k, "PartyOrganization", name) for k, name in
               (("a", "甲党支部"), ("b", "乙党支部"), ("c", "丙党支部")))
    g.add((b, RC.partnersWith, a))  # reversed: still the gold pair
    g.add((a, RC.partnersWith, b))  # both directions are one fact
    g.add((c, RC.partnersWith, a))  # not a gold pair
    g.add((a, RC.partnersWith, c))  # … counted once
    score = evaluate(g, gold).relation("partnersWith")
    # tp {甲,乙}; fp {甲,丙}; fn {丙,丁}
    assert counts(score) == (2, 1, 1, 1)


def test_evaluation_located_in_up_to_transitivity_both_ways():
    places = [("Place", ["江西省"]), ("Place", ["九江市"]), ("Place", ["修水县"]),
              ("Enterprise", ["九江润禾合成材料有限公司"]), ("Enterprise", ["南康家具公司"])]
    gold = [gold_article("a1", places, [["九江润禾合成材料有限公司", "locatedIn", "修水县"],
                                        ["修水县", "locatedIn", "九江市"],
                                        ["九江市", "locatedIn", "江西省"],
                                        ["南康家具公司", "locatedIn", "江西省"]])]
    g = Graph()
    jx, jj, xs = (add_node(g, k, "Place", n) for k, n in (("jx", "江西省"), ("jj", "九江市"), ("xs", "修水县")))
    rh = add_node(g, "rh", "Enterprise", "九江润禾合成材料有限公司")
    nk = add_node(g, "nk", "Enterprise", "南康家具公司")
    g.add((rh, RC.locatedIn, jj))  # gold closure: 润禾 → 修水县 → 九江市, so correct
    g.add((xs, RC.locatedIn, jj))  # correct
    g.add((jj, RC.locatedIn, jx))  # correct
    g.add((nk, RC.locatedIn, jj))  # gold closure of 南康家具公司 is {江西省}: false
    score = evaluate(g, gold).relation("locatedIn")
    # predicted: 3 correct, 1 false. gold found through the predicted closure:
    # 润禾→修水县 no (润禾 reaches 九江市, 江西省 only); 修水县→九江市 yes; 九江市→江西省 yes;
    # 南康家具公司→江西省 yes (via 九江市) → found 3, fn 1
    assert counts(score) == (4, 3, 1, 1)
    assert score.precision == pytest.approx(0.75) and score.recall == pytest.approx(0.75)


def test_evaluation_false_triples_counted_as_false_positives():
    text = "江西铜业集团是铜产业链链主企业。九江石化也在其中。"
    gold = [gold_article("a1", [("Enterprise", ["江西铜业集团", "江铜"]), ("Enterprise", ["九江润禾"]),
                                ("IndustrialChain", ["铜产业链"])],
                         [["江西铜业集团", "leadsChain", "铜产业链"]], text)]
    g = Graph()
    jc = add_node(g, "jc", "Enterprise", "江铜")
    rh = add_node(g, "rh", "Enterprise", "九江润禾")
    sh = add_node(g, "sh", "Enterprise", "九江石化")
    chain = add_node(g, "chain", "IndustrialChain", "铜产业链")
    g.add((jc, RC.leadsChain, chain))  # right
    g.add((rh, RC.leadsChain, chain))  # both ends in the gold, fact is not
    g.add((sh, RC.leadsChain, chain))  # subject not in the gold
    g.add((chain, RC.holder, jc))  # not a contract relation: not scored
    provenance = [{"s": str(rh), "p": str(RC.leadsChain), "o": str(chain), "rule": "chain.leader-is",
                   "doc": "input/a1.txt", "sentence": 1, "sentence_text": "九江润禾是链主。"}]
    report = evaluate(g, gold, provenance)
    # leadsChain: tp 1, fp 2, fn 0 → P 1/3, R 1
    assert counts(report.relation("leadsChain")) == (1, 1, 2, 0)
    assert report.relation("leadsChain").precision == pytest.approx(1 / 3)
    assert counts(report.overall) == (1, 1, 2, 0)
    reasons = sorted(f.reason for f in report.false)
    assert reasons == ["not in the gold", "subject matches no gold entity"]
    text_out = format_report(report, show_errors=True, fmt="table")
    assert "chain.leader-is" in text_out and "九江润禾是链主。" in text_out
    assert "(no provenance record)" in text_out  # the 九江石化 fact has none


def test_evaluation_missed_fact_shows_the_gold_sentence():
    text = "江西省委组织部牵头。铜产业链党委覆盖了江铜。其他内容。"
    gold = [gold_article("a1", [("ChainPartyCommittee", ["铜产业链党委"]), ("Enterprise", ["江西铜业集团", "江铜"])],
                         [["铜产业链党委", "covers", "江西铜业集团"]], text)]
    report = evaluate(Graph(), gold)
    assert counts(report.relation("covers")) == (1, 0, 0, 1)
    assert report.relation("covers").precision is None  # nothing predicted
    [missed] = report.missed
    assert (missed.subject, missed.object, missed.articles) == ("铜产业链党委", "江西铜业集团", ("a1",))
    assert missed.sentence == "铜产业链党委覆盖了江铜。"
    assert "铜产业链党委覆盖了江铜。" in format_report(report, show_errors=True, fmt="table")


def test_evaluation_merges_gold_entities_across_articles():
    gold = [gold_article("a1", [("Enterprise", ["江西铜业集团", "江铜集团"]), ("IndustrialChain", ["铜产业链"]),
                                ("Place", ["贵溪市", "贵溪"])],
                         [["江西铜业集团", "leadsChain", "铜产业链"]]),
            gold_article("a2", [("Enterprise", ["江铜集团", "江铜"]), ("IndustrialChain", ["铜产业链"]),
                                ("GovernmentBody", ["贵溪"])],
                         [["江铜集团", "leadsChain", "铜产业链"]])]
    g = Graph()
    jc = add_node(g, "jc", "Enterprise", "江铜")  # a name only article a2 gives
    chain = add_node(g, "chain", "IndustrialChain", "铜产业链")
    g.add((jc, RC.leadsChain, chain))
    report = evaluate(g, gold)
    # one company, one chain, one fact; 贵溪 Place and 贵溪 GovernmentBody stay apart
    assert counts(report.entity("Enterprise")) == (1, 1, 0, 0)
    assert counts(report.entity("IndustrialChain")) == (1, 1, 0, 0)
    assert counts(report.entity("Place")) == (1, 0, 0, 1)
    assert counts(report.entity("GovernmentBody")) == (1, 0, 0, 1)
    assert counts(report.relation("leadsChain")) == (1, 1, 0, 0)


def test_evaluation_duplicate_nodes_count_one_fact():
    gold = [gold_article("a1", [("Enterprise", ["江西铜业集团", "江铜"]), ("IndustrialChain", ["铜产业链"])],
                         [["江西铜业集团", "leadsChain", "铜产业链"]])]
    g = Graph()
    chain = add_node(g, "chain", "IndustrialChain", "铜产业链")
    for key, name in (("x", "江西铜业集团"), ("y", "江铜")):  # the system did not merge them
        g.add((add_node(g, key, "Enterprise", name), RC.leadsChain, chain))
    assert counts(evaluate(g, gold).relation("leadsChain")) == (1, 1, 0, 0)


# ── report, thresholds ────────────────────────────────────────────────────────


def _small_report():
    gold = [gold_article("a1", [("Enterprise", ["江铜"]), ("Enterprise", ["九江润禾"]), ("Enterprise", ["天一"]),
                                ("IndustrialChain", ["铜产业链"]), ("PartyOrganization", ["甲党支部"]),
                                ("PartyOrganization", ["乙党支部"])],
                         [["江铜", "leadsChain", "铜产业链"], ["甲党支部", "partnersWith", "乙党支部"],
                          ["甲党支部", "covers", "天一"]])]
    g = Graph()
    jc, rh = add_node(g, "jc", "Enterprise", "江铜"), add_node(g, "rh", "Enterprise", "九江润禾")
    chain = add_node(g, "chain", "IndustrialChain", "铜产业链")
    a = add_node(g, "a", "PartyOrganization", "甲党支部")
    g.add((jc, RC.leadsChain, chain))
    g.add((rh, RC.leadsChain, chain))
    g.add((a, RC.covers, jc))
    return evaluate(g, gold)


def test_evaluation_thresholds():
    report = _small_report()
    # overall: gold 3; predicted 3 of which 1 correct → P 1/3; found 1 → R 1/3
    assert counts(report.overall) == (3, 1, 2, 2)
    assert check_thresholds(report, min_precision=None, min_recall=None, min_relation_recall=None) == []
    assert check_thresholds(report, min_precision=0.3, min_recall=0.3, min_relation_recall=None) == []
    failures = check_thresholds(report, min_precision=0.5, min_recall=0.2, min_relation_recall=None)
    assert failures == ["precision 0.333 < 0.500 (1 of 3 predicted facts correct)"]
    failures = check_thresholds(report, min_precision=None, min_recall=0.5, min_relation_recall=0.5)
    # leadsChain recall 1; covers 0 of 1; partnersWith 0 of 1; relations without gold facts are skipped
    assert failures == ["recall 0.333 < 0.500 (1 of 3 gold facts found)",
                        "covers recall 0.000 < 0.500 (0 of 1 gold facts found)",
                        "partnersWith recall 0.000 < 0.500 (0 of 1 gold facts found)"]


def test_evaluation_table_is_aligned_and_json_parses():
    report = _small_report()
    table = format_report(report, show_errors=False, fmt="table")
    block = table.split("\n\n")[1].splitlines()
    assert block[0].split()[0] == "relation" and block[-1].startswith("overall")
    assert len({display_width(line) for line in block if not line.startswith("─")}) == 1
    assert "missed facts" not in table
    data = json.loads(format_report(report, show_errors=True, fmt="json"))
    leads = next(r for r in data["relations"] if r["name"] == "leadsChain")
    assert (leads["tp"], leads["fp"], leads["fn"], leads["precision"]) == (1, 1, 0, 0.5)
    assert len(data["missed"]) == 2 and len(data["false"]) == 2


# ── loading the gold ──────────────────────────────────────────────────────────


def _gold_json(**overrides):
    data = {"id": "jx-copper", "tests": "链主企业", "source": "seeds/01.txt",
            "text": "江西铜业集团是铜产业链链主企业。",
            "entities": [{"type": "Enterprise", "names": ["江西铜业集团", "江铜"]},
                         {"type": "IndustrialChain", "names": ["铜产业链"]}],
            "triples": [["江西铜业集团", "leadsChain", "铜产业链"]]}
    data.update(overrides)
    return json.dumps(data, ensure_ascii=False, indent=1)


def test_evaluation_load_gold_reads_articles_and_ignores_other_files(tmp_path: Path):
    (tmp_path / "01.json").write_text(_gold_json(), encoding="utf-8")
    (tmp_path / "GUIDELINES.md").write_text("# not gold", encoding="utf-8")
    (tmp_path / "check_gold.py").write_text("raise SystemExit", encoding="utf-8")
    [article] = load_gold(tmp_path)
    assert article.id == "jx-copper"
    assert article.entities[0] == GoldEntity("Enterprise", ("江西铜业集团", "江铜"))
    assert article.triples == (("江西铜业集团", "leadsChain", "铜产业链"),)


def test_evaluation_load_gold_reports_every_problem_with_file_and_field(tmp_path: Path):
    (tmp_path / "good.json").write_text(_gold_json(id="good"), encoding="utf-8")
    (tmp_path / "bad.json").write_text(_gold_json(id="bad", triples=[
        ["江西铜业集团", "leadChain", "铜产业链"],
        ["江西铜业集团", "leadsChain", "钨产业链"],
        ["江铜", "leadsChain", "铜产业链"]]), encoding="utf-8")
    (tmp_path / "broken.json").write_text("{\"id\": ", encoding="utf-8")
    with pytest.raises(GoldError) as info:
        load_gold(tmp_path)
    message = str(info.value)
    lines = message.splitlines()
    assert any("bad.json" in ln and "E004" in ln and "triples[0][1]" in ln and "'leadChain'" in ln for ln in lines)
    assert any("bad.json" in ln and "E005" in ln and "triples[1][2]" in ln and "'钨产业链'" in ln for ln in lines)
    assert any("bad.json" in ln and "E005" in ln and "use its first name '江西铜业集团'" in ln for ln in lines)
    assert any("broken.json" in ln and "E001" in ln for ln in lines)
    assert "good.json" not in message
    assert len(info.value.diagnostics) == 4


def test_evaluation_load_gold_rejects_unknown_class_key_and_signature(tmp_path: Path):
    (tmp_path / "x.json").write_text(_gold_json(
        note="extra",
        entities=[{"type": "Company", "names": ["江铜"]}, {"type": "Person", "names": ["张三"]},
                  {"type": "IndustrialChain", "names": ["铜产业链"]}],
        triples=[["张三", "leadsChain", "铜产业链"]]), encoding="utf-8")
    with pytest.raises(GoldError) as info:
        load_gold(tmp_path)
    # the unknown key 'note', the unknown class, a Person cannot lead a chain
    assert sorted(d.code for d in info.value.diagnostics) == ["E002", "E003", "E008"]
    (tmp_path / "x.json").write_text(_gold_json(
        entities=[{"type": "Company", "names": ["江铜"]}, {"type": "Person", "names": ["张三"]},
                  {"type": "IndustrialChain", "names": ["铜产业链", "江铜"]}],
        triples=[["张三", "leadsChain", "铜产业链"], ["张三", "leadsChain", "铜产业链"]]), encoding="utf-8")
    with pytest.raises(GoldError) as info:
        load_gold(tmp_path)
    # unknown class, 江铜 named twice, a Person cannot lead a chain (in both triples), the same triple twice
    assert sorted(d.code for d in info.value.diagnostics) == ["E003", "E006", "E008", "E008", "E009"]
    e008 = next(d for d in info.value.diagnostics if d.code == "E008")
    assert e008.line is not None and "张三" in (tmp_path / "x.json").read_text(encoding="utf-8").splitlines()[e008.line - 1]


def test_evaluation_load_gold_empty_folder(tmp_path: Path):
    with pytest.raises(GoldError, match="E010"):
        load_gold(tmp_path)


# ── building the gold texts ───────────────────────────────────────────────────


def test_evaluation_run_eval_builds_the_gold_texts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    gold_dir = tmp_path / "gold"
    gold_dir.mkdir()
    (gold_dir / "01.json").write_text(_gold_json(), encoding="utf-8")
    calls = []

    def fake_build(inputs, output, **_):
        calls.append([p.name for p in sorted(Path(inputs[0]).iterdir())])
        output.mkdir(parents=True, exist_ok=True)
        (output / "graph.ttl").write_text(
            "@prefix rc: <https://w3id.org/redchain/ns#> . @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
            "<urn:x:jc> a rc:Enterprise ; rdfs:label \"江西铜业集团\"@zh ; rc:leadsChain <urn:x:chain> .\n"
            "<urn:x:chain> a rc:IndustrialChain ; rdfs:label \"铜产业链\"@zh .\n", encoding="utf-8")
        (output / "provenance.jsonl").write_text(json.dumps(
            {"s": "urn:x:jc", "p": str(RC.leadsChain), "o": "urn:x:chain", "rule": "r"}) + "\n", encoding="utf-8")

    monkeypatch.setattr("graph.pipeline.build", fake_build)
    workdir = tmp_path / "work"
    (workdir / "input").mkdir(parents=True)
    (workdir / "input" / "stale.txt").write_text("old", encoding="utf-8")
    report = run_eval(gold_dir, workdir=workdir)
    assert calls == [["jx-copper.txt"]]
    assert (workdir / "input" / "jx-copper.txt").read_text(encoding="utf-8") == "江西铜业集团是铜产业链链主企业。"
    assert counts(report.relation("leadsChain")) == (1, 1, 0, 0)
    g, provenance = build_gold_graph(load_gold(gold_dir), workdir)
    assert len(g) == 5 and provenance[0]["rule"] == "r"
    assert counts(run_eval(gold_dir).overall) == (1, 1, 0, 0)  # in a temporary folder


def test_evaluation_module_lists_contract_vocabulary():
    from graph import gold

    assert len(evaluation.CLASSES) == 8 and len(evaluation.RELATIONS) == 9
    assert set(gold.SIGNATURES) == set(gold.RELATIONS)


def test_evaluation_missed_fact_prefers_a_sentence_naming_both_apart():
    text = "铜产业链党委成立。铜产业链党委围绕铜产业链开展工作。"
    gold = [gold_article("a1", [("ChainPartyCommittee", ["铜产业链党委"]), ("IndustrialChain", ["铜产业链"])],
                         [["铜产业链党委", "servesChain", "铜产业链"]], text)]
    [missed] = evaluate(Graph(), gold).missed
    assert missed.sentence == "铜产业链党委围绕铜产业链开展工作。"
    # no sentence names the chain on its own: the one naming it inside the committee's name will do
    only_inside = [gold_article("a1", [("ChainPartyCommittee", ["铜产业链党委"]), ("IndustrialChain", ["铜产业链"])],
                                [["铜产业链党委", "servesChain", "铜产业链"]], "铜产业链党委成立。")]
    [missed] = evaluate(Graph(), only_inside).missed
    assert missed.sentence == "铜产业链党委成立。"

"""Named queries answer on the seed graph, the same on rdflib and on Oxigraph; result formats."""

from __future__ import annotations

import csv
import io
import json

import pytest
from rdflib import Literal

from graph.query import QUERY_DIR, Result, format_result, load_graph, query_graph_file, resolve_query_text, run_query

NAMED = sorted(p.stem for p in QUERY_DIR.glob("*.rq"))


def rows(result):
    return {tuple(str(t) if t is not None else "" for t in row) for row in result.rows}


def oxigraph_rows(path, text):
    import pyoxigraph

    store = pyoxigraph.Store()
    store.bulk_load(path=str(path), format=pyoxigraph.RdfFormat.from_extension(path.suffix[1:]))
    solutions = store.query(text, use_default_graph_as_union=True)
    names = [v.value for v in solutions.variables]
    return {tuple(s[n].value if s[n] is not None else "" for n in names) for s in solutions}


def test_query_there_are_at_least_twelve_named_questions():
    assert len(NAMED) >= 12
    for name in NAMED:
        assert (QUERY_DIR / f"{name}.rq").read_text(encoding="utf-8").startswith("# "), f"{name} states no question"


@pytest.mark.parametrize("name", NAMED)
def test_query_named_query_runs_identically_on_rdflib_and_oxigraph(name, seed_graph, seed_build):
    source, text = resolve_query_text(name)
    path = seed_build[0] / query_graph_file(text)
    result = run_query(seed_graph if path.name == "graph.ttl" else load_graph(path), text, source)
    assert result.rows, f"{name} returned nothing on the seeds"
    assert rows(result) == oxigraph_rows(path, text)


def test_query_fact_evidence_gives_each_fact_its_sentence_article_and_rule(seed_build):
    text = resolve_query_text("fact-evidence")[1]
    assert query_graph_file(text) == "graph.trig"
    found = rows(run_query(load_graph(seed_build[0] / "graph.trig"), text))
    # from seed 04 as written: 景德镇高新区航空产业链党委书记罗文军举例说
    assert any(r[:3] == ("罗文军", "secretaryOf", "景德镇高新区航空产业链党委") and "罗文军举例说" in r[3]
               and r[5].endswith("04-gaoxinqu-jingdezhen-alashan.txt") and r[6].startswith("secretary.") for r in found)
    records = [json.loads(line) for line in (seed_build[0] / "provenance.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(found) == len({(r["doc"], r["sentence"], r["rule"], r["s"], r["p"], r["o"]) for r in records})


def test_query_chain_committees_lists_chain_and_place(seed_graph):
    result = run_query(seed_graph, resolve_query_text("chain-committees")[1])
    table = {r[0]: r[1:3] for r in rows(result)}
    assert table["张家港市氢能产业链联合党委"] == ("氢能产业链", "张家港市")
    assert table["福安市不锈钢新材料产业链党委"] == ("不锈钢新材料产业链", "福安市")
    assert table["景德镇高新区航空产业链党委"] == ("航空产业链", "景德镇高新区")


def test_query_secretaries_match_the_gold(seed_graph):
    found = {(r[0], r[1]) for r in rows(run_query(seed_graph, resolve_query_text("secretaries")[1]))}
    assert ("罗文军", "景德镇高新区航空产业链党委") in found
    assert ("郑昊", "江西耐普矿机股份有限公司党支部") in found
    assert not any(person == "郑江伟" for person, _ in found)  # a deputy secretary


def test_query_csv_neutralises_formulas():
    result = Result(("name",), ((Literal("=HYPERLINK(\"x\")"),), (Literal("-1"),), (Literal("江西"),)))
    cells = [r[0] for r in csv.reader(io.StringIO(format_result(result, "csv")))][1:]
    assert cells == ["'=HYPERLINK(\"x\")", "'-1", "江西"]


def test_query_json_is_sparql_results_json():
    result = Result(("x",), ((Literal("江西", lang="zh"),), (None,)))
    doc = json.loads(format_result(result, "json"))
    assert doc["head"]["vars"] == ["x"]
    assert doc["results"]["bindings"] == [{"x": {"type": "literal", "value": "江西", "xml:lang": "zh"}}, {}]


def test_query_table_aligns_chinese_by_display_width():
    result = Result(("a", "b"), ((Literal("江西省"), Literal("x")), (Literal("ab"), Literal("y"))))
    lines = format_result(result, "table").splitlines()
    assert lines[2].index("x") + 3 == lines[3].index("y")  # 江西省: 3 characters, 6 cells


# Named queries whose first two columns are the two ends of one contract relation:
# (query, relation, whether the columns are the relation reversed).
GOLD_BACKED = [
    ("secretaries", "secretaryOf", False),
    ("chain-leaders", "leadsChain", True),
    ("pairings", "partnersWith", False),
    ("sub-organisations", "subOrganizationOf", False),
    ("enterprise-party-organisations", "partyOrganizationOf", True),
]


def _gold_facts(relation: str) -> set[tuple[tuple[str, ...], tuple[str, ...]]]:
    """The relation's facts in the seed gold, each end as all the names the gold gives it."""
    from graph.evaluation import load_gold, name_key

    from .conftest import ROOT

    facts = set()
    for article in load_gold(ROOT / "tests" / "gold"):
        names = {e.name: e.names for e in article.entities}
        for s, p, o in article.triples:
            if p == relation:
                facts.add((tuple(sorted(map(name_key, names.get(s, (s,))))),
                           tuple(sorted(map(name_key, names.get(o, (o,)))))))
    return facts


def _names(seed_graph, label: str) -> set[str]:
    """A node's label and its skos:altLabels, by its @zh label."""
    from rdflib.namespace import RDFS, SKOS

    from graph.evaluation import name_key

    nodes = set(seed_graph.subjects(RDFS.label, Literal(label, lang="zh")))
    return {name_key(label)} | {name_key(str(alt)) for node in nodes for alt in seed_graph.objects(node, SKOS.altLabel)}


@pytest.mark.parametrize(("name", "relation", "reversed_"), GOLD_BACKED, ids=[g[0] for g in GOLD_BACKED])
def test_query_rows_agree_with_the_gold(name, relation, reversed_, seed_graph):
    """Every row of the query is a fact of the gold (matching names and altLabels), and the
    rows find at least 80 % of the gold's facts (the extractor's recall floor per relation)."""
    gold = _gold_facts(relation)
    symmetric = relation == "partnersWith"

    def matches(a: set[str], b: set[str], fact: tuple[tuple[str, ...], tuple[str, ...]]) -> bool:
        s, o = set(fact[0]), set(fact[1])
        return bool(a & s and b & o) or (symmetric and bool(a & o and b & s))

    found = []
    for row in rows(run_query(seed_graph, resolve_query_text(name)[1])):
        a, b = _names(seed_graph, row[0]), _names(seed_graph, row[1])
        found.append((b, a) if reversed_ else (a, b))
    assert found, name
    unmatched = [row for row in found if not any(matches(*row, fact) for fact in gold)]
    assert not unmatched, unmatched
    hit = [fact for fact in gold if any(matches(*row, fact) for row in found)]
    assert len(hit) >= 0.8 * len(gold), sorted(set(gold) - set(hit))


def test_query_command_reads_the_file_a_query_runs_on(seed_build, tmp_path, monkeypatch, capsys):
    from graph.cli import main

    (tmp_path / "outputs").symlink_to(seed_build[0], target_is_directory=True)
    monkeypatch.chdir(tmp_path)
    assert main(["query", "fact-evidence", "--format", "csv"]) == 0  # no --graph: outputs/graph.trig
    assert "罗文军举例说" in capsys.readouterr().out
    assert main(["query", "secretaries", "--format", "csv"]) == 0  # outputs/graph.ttl
    assert "罗文军" in capsys.readouterr().out

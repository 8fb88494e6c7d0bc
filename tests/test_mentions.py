"""The recogniser: gazetteer places, names by their suffixes, names a document introduces."""

from __future__ import annotations

from graph.mentions import find_document_mentions
from graph.relations import flatten_mentions

from .conftest import make_sentences


def mentions_of(resources, *texts):
    rules, lexicon = resources
    sentences = make_sentences(*texts)
    found = find_document_mentions(sentences, lexicon, rules)
    return [m for s in sentences for m in flatten_mentions(found[s.index])]


def names(mentions, cls):
    return {m.name for m in mentions if m.cls == cls}


def test_mentions_county_short_name_needs_its_province_or_city_in_the_document(resources):
    # 南江 is short for 南江县 (四川省巴中市); in a text about 重庆 it is not a place.
    alone = mentions_of(resources, "重庆市地矿局南江地质队驻守地质工程师陈昊说。")
    assert "南江县" not in names(alone, "Place")
    placed = mentions_of(resources, "四川省巴中市南江县发展茶叶产业。", "南江茶叶远销各地。")
    assert "南江县" in names(placed, "Place")


def test_mentions_place_resolves_to_official_name_and_code(resources):
    found = mentions_of(resources, "前些年，瑞昌市人民冲压有限公司发展瓶颈期凸显。")
    ruichang = [m for m in found if m.name == "瑞昌市"]
    assert ruichang and ruichang[0].attr("code") == "360481"


def test_mentions_declared_abbreviation_is_used_for_the_rest_of_the_document(resources):
    found = mentions_of(resources,
                        "昌河飞机工业（集团）有限责任公司（以下简称“昌飞”）是骨干企业。",
                        "昌飞党委与多家企业开展共建。")
    party = [m for m in found if m.cls == "PartyOrganization"]
    assert [m.name for m in party] == ["昌河飞机工业（集团）有限责任公司党委"]
    assert party[0].text == "昌飞党委"


def test_mentions_company_name_starts_at_its_place_not_at_the_verb(resources):
    found = mentions_of(resources, "走进江西天一航空装备有限公司的生产车间。")
    assert names(found, "Enterprise") == {"江西天一航空装备有限公司"}


def test_mentions_company_short_form_matches_later_in_the_document(resources):
    found = mentions_of(resources, "瑞昌市人民冲压有限公司发展瓶颈期凸显。", "人民冲压有限公司党支部只有7名成员。")
    party = [m for m in found if m.cls == "PartyOrganization"]
    assert party and party[0].name == "瑞昌市人民冲压有限公司党支部"


def test_mentions_bare_committee_takes_the_one_named_just_before(resources):
    found = mentions_of(resources, "作为航空产业链党委的一名红管家，她帮助企业解决了难题。", "王煜及时将情况报告给产业链党委。")
    committees = [m for m in found if m.cls == "ChainPartyCommittee"]
    assert [m.name for m in committees] == ["航空产业链党委", "航空产业链党委"]


def test_mentions_bare_committee_without_antecedent_is_dropped(resources):
    found = mentions_of(resources, "王煜及时将情况报告给产业链党委。")
    assert not [m for m in found if m.cls == "ChainPartyCommittee"]


def test_mentions_list_sharing_head_noun_names_one_chain_per_item(resources):
    found = mentions_of(resources, "针对汽车、铜、钨等产业链上企业的需求。")
    assert names(found, "IndustrialChain") == {"汽车产业链", "铜产业链", "钨产业链"}


def test_mentions_traditional_characters_match_like_simplified(resources):
    found = mentions_of(resources, "江西省九江市修水縣推進社區治理。")
    assert "修水县" in names(found, "Place")


def test_mentions_gazetteer_matches_of_joined_sentences_are_those_of_each(resources):
    _, lexicon = resources
    texts = ["江西省九江市", "", "九江", "瑞昌市人民冲压有限公司在瑞昌", "江西", "省九江市修水县"]
    assert lexicon.find_each(texts) == [lexicon.find(text) for text in texts]
    assert lexicon.find_each([]) == []

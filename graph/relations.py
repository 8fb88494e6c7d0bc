"""Stage 4: the rule engine. Runs compiled relation rules over a sentence.

It never reads TOML: rules arrive compiled (rules.py). Two sources of facts:
- relation rules matched against the encoded sentence (one fact per subject
  and object mention; list slots give one fact per item);
- the grammar of names: a name rule may declare what a name implies
  (张家港市氢能产业链联合党委 servesChain 氢能产业链, locatedIn 张家港市).
"""

from __future__ import annotations

import re

from .encoding import Encoded, encode
from .model import Fact, Mention, Sentence
from .rules import DATA_PROPERTIES, SIGNATURES, Rule, RuleSet

_DATE = re.compile(r"((?:19|20)[0-9]{2})年(?:([0-9]{1,2})月(?:([0-9]{1,2})日)?)?")

PARTY_ORG_OF_UNKNOWN_LEVEL = "党组织"  # 天一航空党组织: merged later with the one known branch of the owner


def apply_rules(sent: Sentence, mentions: list[Mention], rules: RuleSet,
                context: list[Mention] | None = None) -> list[Fact]:
    """Facts of one sentence. ``context``: mentions of the preceding sentences, oldest first."""
    enc = encode(sent.text, mentions)
    facts: list[Fact] = []
    for i in rules.relation_filter.possible(enc.text):
        rule = rules.relations[i]
        for match in _all_matches(rule.regex, enc.text):
            facts.extend(_facts_from_match(rule, match, enc, sent, context or []))
    for mention in mentions:
        facts.extend(implied_facts(mention, sent, rules))
    return _unique([f for f in facts if fits_signature(f)])


def fits_signature(fact: Fact) -> bool:
    """The contract's domain and range: covers never points at a university, and so on."""
    domain, range_ = SIGNATURES[fact.relation]
    return fact.subject.cls in domain and fact.object.cls in range_


def _all_matches(regex: re.Pattern[str], text: str) -> list[re.Match[str]]:
    """Overlapping matches: one per start position, so chained clauses each match."""
    matches = []
    pos = 0
    while pos <= len(text):
        match = regex.search(text, pos)
        if match is None:
            break
        matches.append(match)
        pos = match.start() + 1
    return matches


def _facts_from_match(rule: Rule, match: re.Match[str], enc: Encoded, sent: Sentence,
                      context: list[Mention]) -> list[Fact]:
    subjects = _role_mentions(rule, rule.subject, match, enc, context)
    objects = _role_mentions(rule, rule.object, match, enc, context)
    span = enc.span(*match.span())
    detail = match.group("post") if "post" in match.re.groupindex and match.group("post") else ""
    facts = []
    for subj in subjects:
        for obj in objects:
            if subj.name != obj.name:
                facts.append(Fact(subj, rule.relation, obj, rule.id, sent, span, detail))
                facts.extend(_derived_membership(subj, rule, sent, span) + _derived_membership(obj, rule, sent, span))
    return facts


def _role_mentions(rule: Rule, role: str, match: re.Match[str], enc: Encoded, context: list[Mention]) -> list[Mention]:
    if "." in role:  # "org.owner": a part of the mention in the slot
        base, part = role.split(".", 1)
        found = _role_mentions(rule, base, match, enc, context)
        return [p for p in (m.part(part) for m in found) if p is not None]
    if rule.relation in DATA_PROPERTIES and role == rule.object:
        return _literal(rule, match, enc)
    if role in match.re.groupindex and match.group(role) is not None:
        found = enc.mentions_in(*match.span(role))
    else:
        wanted = dict(rule.context).get(role)
        before = enc.mentions_in(0, match.start())
        pool = flatten_mentions(before) if rule.scope == "sentence" else context + flatten_mentions(before)
        found = [m for m in reversed(pool) if wanted and _is_a(m.cls, wanted)][:1]
    level = dict(rule.derive).get(role)
    if level:
        level = match.group("level") if level == "{level}" and "level" in match.re.groupindex else level
        found = [derive_party_organization(m, level or PARTY_ORG_OF_UNKNOWN_LEVEL, rule.id) for m in found]
    return found


def _literal(rule: Rule, match: re.Match[str], enc: Encoded) -> list[Mention]:
    """The value of a data property as a pseudo-mention of class "Literal" (name = normalised value)."""
    group = rule.object
    if match.group(group) is None:
        return []
    start, end = enc.span(*match.span(group))
    raw = match.group(group)
    if DATA_PROPERTIES[rule.relation] == "count":
        value = re.match(r"[0-9]+", raw)
        name = value[0] if value else ""
    else:
        date = _DATE.search(raw)
        name = "-".join(f"{int(p):02d}" if i else p for i, p in enumerate(date.groups()) if p) if date else ""
    return [Mention(raw, "Literal", start, end, name, f"literal:{rule.id}")] if name else []


def flatten_mentions(mentions: list[Mention]) -> list[Mention]:
    """Mentions with their parts, in text order (a committee's chain counts as named)."""
    out: list[Mention] = []
    for mention in mentions:
        if mention.parts:  # most mentions have none: no recursion for them
            out.extend(flatten_mentions([p for _, p in mention.parts]))
        out.append(mention)
    return out


def _is_a(cls: str, wanted: str) -> bool:
    from .rules import SUBCLASSES

    return cls in SUBCLASSES.get(wanted, (wanted,))


def derive_party_organization(owner: Mention, level: str, rule_id: str) -> Mention:
    """The party organisation (党支部, 党委 …) of a company or body named in the text."""
    if owner.cls in ("PartyOrganization", "ChainPartyCommittee"):
        return owner
    return Mention(owner.text, "PartyOrganization", owner.start, owner.end, owner.name + level,
                   f"derived:{rule_id}", (("owner", owner),), (("level", level),))


def _derived_membership(mention: Mention, rule: Rule, sent: Sentence, span: tuple[int, int]) -> list[Fact]:
    owner = mention.part("owner")
    if mention.found_by.startswith("derived:") and owner is not None:
        return [Fact(mention, "partyOrganizationOf", owner, rule.id, sent, span)]
    return []


def implied_facts(mention: Mention, sent: Sentence, rules: RuleSet, span: tuple[int, int] | None = None) -> list[Fact]:
    """Facts that the grammar of a name states, recursively through its parts.

    ``span``: where in this sentence the outermost name stands (parts resolved from an
    earlier sentence, 产业链党委 → 航空产业链党委, keep pointing here)."""
    if not mention.parts and not mention.found_by.startswith("name:"):
        return []  # most mentions: a place or a name from the gazetteer
    span = span or (mention.start, mention.end)
    facts: list[Fact] = []
    rule = _name_rule(mention, rules)
    if rule is not None:
        for relation, subj_role, obj_role in rule.implies:
            subj = mention if subj_role == "self" else mention.part(subj_role)
            obj = mention if obj_role == "self" else mention.part(obj_role)
            if subj is not None and obj is not None and subj.name != obj.name:
                facts.append(Fact(subj, relation, obj, rule.id, sent, span))
    for _, part in mention.parts:
        facts.extend(implied_facts(part, sent, rules, span))
    return facts


def _name_rule(mention: Mention, rules: RuleSet) -> Rule | None:
    if not mention.found_by.startswith("name:"):
        return None
    return rules.name_rule(mention.found_by[5:])


def _unique(facts: list[Fact]) -> list[Fact]:
    seen: set[tuple[str, str, str, str]] = set()
    out = []
    for fact in facts:
        key = (fact.subject.name, fact.relation, fact.object.name, fact.rule_id)
        if key not in seen:
            seen.add(key)
            out.append(fact)
    return out


"""`redchain explain`: why a sentence did or did not yield a fact.

Shows the normalised text, each mention with its class and the rule or
gazetteer entry that found it, each rule that fired with its triple, and the
relation rules that came close: every slot class is present in the sentence,
but the text between them did not match the pattern.
"""

from __future__ import annotations

import re
from pathlib import Path

from .model import Mention, OffsetMap, Sentence
from .normalize import normalize
from .relations import apply_rules, flatten_mentions
from .rules import SUBCLASSES, Rule, RuleSet


def explain_text(text: str) -> str:
    from .mentions import find_document_mentions
    from .pipeline import load_resources

    rules, lexicon = load_resources()
    norm, offsets = normalize(text)
    sent = Sentence("<text>", 0, 0, norm, OffsetMap.of(offsets))
    mentions = find_document_mentions([sent], lexicon, rules)[0]
    return _explain_sentence(sent, mentions, [], rules)


def explain_document(path: Path, *, sentence: int | None = None) -> str:
    from .documents import read_documents
    from .model import Diagnostic
    from .pipeline import extract_document, load_resources

    rules, lexicon = load_resources()
    out = []
    for doc in read_documents([path]):
        if isinstance(doc, Diagnostic):
            out.append(f"{doc.path}: {doc.code}: {doc.message}\n")
            continue
        result = extract_document(doc, rules, lexicon)
        for sent in result.sentences:
            if sentence is None or sent.index == sentence:
                out.append(_explain_sentence(sent, result.mentions[sent.index], [], rules))
    return "".join(out)


def _describe(mention: Mention, depth: int = 0) -> list[str]:
    pad = "    " * depth
    line = f"  {pad}[{mention.start}:{mention.end}] {mention.text} → {mention.cls} 「{mention.name}」 by {mention.found_by}"
    lines = [line]
    for role, part in mention.parts:
        lines += [f"  {pad}  {role}:"] + _describe(part, depth + 1)
    return lines


def _explain_sentence(sent: Sentence, mentions: list[Mention], context: list[Mention], rules: RuleSet) -> str:
    facts = apply_rules(sent, mentions, rules, context)
    lines = [f"sentence {sent.index} (article {sent.article_index}, {sent.doc_path}):", f"  {sent.text}", "mentions:"]
    for mention in mentions:
        lines += _describe(mention)
    lines.append("facts:")
    for fact in facts:
        detail = f" ({fact.detail})" if fact.detail else ""
        lines.append(f"  {fact.subject.name} {fact.relation} {fact.object.name}{detail}  [rule {fact.rule_id}]")
    fired = {f.rule_id for f in facts}
    close = [r for r in rules.relations
             if r.id not in fired and _slots_present(r, mentions) and _keyword_present(r, sent.text)]
    lines.append("came close (slot classes and a keyword present, pattern did not match):")
    for rule in close:
        lines.append(f"  {rule.id}: {rule.pattern}")
    return "\n".join(lines) + "\n\n"


def _keyword_present(rule: Rule, text: str) -> bool:
    """A word the pattern spells out (书记, 结对共建, 链主企业) occurs in the sentence."""
    words = re.findall(r"[\u4e00-\u9fff]{2,}", re.sub(r"\[[^\]]*\]", "", rule.pattern))
    return not words or any(word in text for word in words)


def _slots_present(rule: Rule, mentions: list[Mention]) -> bool:
    classes = {m.cls for m in flatten_mentions(mentions)}
    context_roles = {role for role, _ in rule.context}
    for role, cls, _ in rule.roles:
        if role not in context_roles and not classes & set(SUBCLASSES.get(cls, (cls,))):
            return False
    return bool(rule.roles)

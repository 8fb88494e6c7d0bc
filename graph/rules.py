"""The rule language: TOML files of name rules and relation rules.

A pattern is a Python regular expression with two additions:
- a slot ``{role:Class}`` matches one recognised mention of that class (or a
  subclass); ``{role:Class+}`` matches a list of them joined by 、/和/及/与;
  ``{role:A|B}`` matches either class;
- a macro ``{NAME}`` (upper case) expands to a fragment defined in
  ``data/macros.toml`` (lists of posts, surnames, boundary words …).

Mentions are encoded as one private-use character per mention, so a slot is a
character class and the text between slots is matched as written. Loading
checks every file and reports every problem (unknown keys, relations, classes,
unbounded gaps, regexes that do not compile) before anything runs.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .diagnostics import RuleFileError
from .model import Diagnostic
from .prefilter import Literals, LiteralScan, RuleFilter, first_char_guard, may_match, required_all

# One private-use character per class; a slot compiles to the characters of its
# class and subclasses.
CLASS_CHARS = {
    "PartyOrganization": "\ue001", "ChainPartyCommittee": "\ue002", "Enterprise": "\ue003",
    "IndustrialChain": "\ue004", "Place": "\ue005", "GovernmentBody": "\ue006",
    "ResearchInstitution": "\ue007", "Person": "\ue008", "OtherOrganization": "\ue009",
}
SUBCLASSES = {
    "PartyOrganization": ("PartyOrganization", "ChainPartyCommittee"),
    "Organization": ("PartyOrganization", "ChainPartyCommittee", "Enterprise", "GovernmentBody",
                     "ResearchInstitution", "OtherOrganization"),
    "Unit": ("Enterprise", "GovernmentBody", "ResearchInstitution", "OtherOrganization"),
    "Any": tuple(CLASS_CHARS),
}
RELATIONS = frozenset({
    "covers", "servesChain", "leadsChain", "locatedIn", "partyOrganizationOf", "subOrganizationOf",
    "secretaryOf", "affiliatedWith", "partnersWith",
})
# Data properties a rule may state; the object is a regex group, not a mention.
DATA_PROPERTIES = {"statedMemberCount": "count", "foundingDate": "date"}
RELATIONS = RELATIONS | frozenset(DATA_PROPERTIES)
# What each relation may link (the contract's from → to), checked on every fact.
_PARTY = ("PartyOrganization", "ChainPartyCommittee")
_ORGS = _PARTY + ("Enterprise", "GovernmentBody", "ResearchInstitution", "OtherOrganization")
SIGNATURES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "covers": (_PARTY, _PARTY + ("Enterprise",)),
    "servesChain": (("ChainPartyCommittee",), ("IndustrialChain",)),
    "leadsChain": (("Enterprise",), ("IndustrialChain",)),
    "locatedIn": (tuple(CLASS_CHARS), ("Place",)),
    "partyOrganizationOf": (_PARTY, ("Enterprise", "ResearchInstitution", "GovernmentBody")),
    "subOrganizationOf": (_PARTY, _PARTY),
    "secretaryOf": (("Person",), _PARTY),
    "affiliatedWith": (("Person",), _ORGS),
    "partnersWith": (_ORGS, _ORGS),
    "statedMemberCount": (_PARTY, ("Literal",)),
    "foundingDate": (_ORGS, ("Literal",)),
}
LIST_JOINERS = "(?:、|，|和|及|以及|与|同)"
_SLOT = re.compile(r"\{(?:(?P<role>[a-z_][a-z0-9_]*):(?P<classes>[A-Za-z|]+)(?P<many>\+)?|(?P<macro>[A-Z][A-Z0-9_]*))\}")
_UNBOUNDED = re.compile(r"(?<!\\)(?:\.|\])[*+]")
RULE_KEYS = {"id", "relation", "subject", "object", "pattern", "note", "derive", "context", "scope", "example", "symmetric"}
NAME_KEYS = {"id", "class", "pattern", "note", "trim", "implies", "inner", "example", "anaphor", "split", "reject"}


def class_chars(cls: str) -> str:
    return "".join(CLASS_CHARS[c] for c in SUBCLASSES.get(cls, (cls,)))


def known_class(cls: str) -> bool:
    return cls in CLASS_CHARS or cls in SUBCLASSES


@dataclass(frozen=True, slots=True)
class Example:
    text: str
    expect: tuple[Any, ...]  # relation rules: ({subject, object}); name rules: names


@dataclass(frozen=True, slots=True)
class Rule:
    """A relation rule (kind "relation") or a name rule (kind "name")."""

    id: str
    kind: str
    path: str
    line: int
    pattern: str
    regex: re.Pattern[str]
    roles: tuple[tuple[str, str, bool], ...]  # (role, class, is_list)
    note: str = ""
    relation: str = ""
    subject: str = ""
    object: str = ""
    cls: str = ""  # name rules: the class of the new mention
    derive: tuple[tuple[str, str], ...] = ()  # role → party-organisation level ("党支部")
    context: tuple[tuple[str, str], ...] = ()  # role → class filled from the preceding text
    trim: str = ""
    implies: tuple[tuple[str, str, str], ...] = ()  # (relation, subject role, object role)
    inner: tuple[tuple[str, str], ...] = ()  # text group → class of a nested mention
    anaphor: bool = False  # a bare phrase (产业链党委) that stands for the nearest preceding mention of its class
    split: bool = False  # group "items" joined by 、 names one thing per item, each + group "head"
    reject: re.Pattern[str] | None = None  # names that fullmatch this are generic, not names
    symmetric: bool = False
    scope: str = "article"  # where a context role may be found: "sentence" or the recent "article" text
    examples: tuple[Example, ...] = ()
    needs: tuple[Literals, ...] = ()  # text without one literal of each set cannot match (prefilter.py)

    def may_match(self, text: str) -> bool:
        return all(may_match(literals, text) for literals in self.needs)


@dataclass(frozen=True, slots=True)
class RuleSet:
    names: tuple[Rule, ...]
    relations: tuple[Rule, ...]
    macros: dict[str, str]
    files: tuple[str, ...]
    name_filter: RuleFilter
    relation_filter: RuleFilter
    names_by_id: dict[str, Rule] = field(default_factory=dict)  # the first name rule of each id

    def all(self) -> tuple[Rule, ...]:
        return self.names + self.relations

    def name_rule(self, rule_id: str) -> Rule | None:
        return self.names_by_id.get(rule_id)


def compile_pattern(pattern: str, macros: dict[str, str], *,
                    guarded: bool = False) -> tuple[str, tuple[tuple[str, str, bool], ...]]:
    """Expand slots and macros into a plain regex; return it with the slot roles.

    ``guarded``: a macro that is a list of words gets a lookahead on their first characters
    (prefilter.first_char_guard), which changes no match but spares the regex engine a try
    of every word at every position; the prefilter reads the pattern without them."""
    roles: list[tuple[str, str, bool]] = []

    def expand(match: re.Match[str]) -> str:
        if match["macro"]:
            if match["macro"] not in macros:
                raise KeyError(match["macro"])
            fragment = macros[match["macro"]]
            guard = first_char_guard(fragment) if guarded else ""
            return f"(?:{guard}(?:{fragment}))" if guard else f"(?:{fragment})"
        classes = match["classes"].split("|")
        for cls in classes:
            if not known_class(cls):
                raise LookupError(cls)
        chars = "".join(dict.fromkeys("".join(class_chars(c) for c in classes)))
        roles.append((match["role"], classes[0], bool(match["many"])))
        one = f"[{chars}]"
        body = f"{one}(?:{LIST_JOINERS}{one})*" if match["many"] else one
        return f"(?P<{match['role']}>{body})"

    return _SLOT.sub(expand, pattern), tuple(roles)


def load_rules(rule_dir: Path, name_dir: Path, macro_file: Path) -> RuleSet:
    """Load, check and compile every rule file; raise RuleFileError with all problems."""
    problems: list[Diagnostic] = []
    macros = _load_macros(macro_file, problems)
    names = [r for p in sorted(name_dir.glob("*.toml")) for r in _load_file(p, "name", macros, problems)]
    relations = [r for p in sorted(rule_dir.glob("*.toml")) for r in _load_file(p, "relation", macros, problems)]
    seen: dict[str, str] = {}
    for rule in names + relations:
        if rule.id in seen:
            problems.append(Diagnostic(rule.path, "R002", f"duplicate rule id '{rule.id}' (first in {seen[rule.id]})",
                                       line=rule.line, rule_id=rule.id))
        seen.setdefault(rule.id, rule.path)
    if problems:
        raise RuleFileError(problems)
    files = tuple(str(p) for p in [macro_file, *sorted(name_dir.glob("*.toml")), *sorted(rule_dir.glob("*.toml"))])
    by_id: dict[str, Rule] = {}
    for rule in names:
        by_id.setdefault(rule.id, rule)
    scan = LiteralScan()  # one pass over a sentence's encoding serves both families (prefilter.py)
    return RuleSet(tuple(names), tuple(relations), macros, files, RuleFilter([r.needs for r in names], scan),
                   RuleFilter([r.needs for r in relations], scan), by_id)


def _load_macros(path: Path, problems: list[Diagnostic]) -> dict[str, str]:
    data = _read_toml(path, problems)
    macros: dict[str, str] = {}
    for name, value in data.get("macro", {}).items():
        if isinstance(value, list):  # a word list becomes an alternation, longest first
            value = "|".join(re.escape(w) for w in sorted(set(value), key=lambda w: (-len(w), w)))
        macros[name] = str(value)
    # Macros may use other macros; expand until stable (no slots allowed inside).
    for _ in range(5):
        macros = {k: _SLOT.sub(lambda m: f"(?:{macros.get(m['macro'] or '', m[0])})", v) for k, v in macros.items()}
    return macros


def _read_toml(path: Path, problems: list[Diagnostic]) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        line = re.search(r"line (\d+)", str(exc))
        problems.append(Diagnostic(str(path), "R000", f"not valid TOML: {exc}",
                                   line=int(line[1]) if line else None, hint="nothing was built"))
    except OSError as exc:
        problems.append(Diagnostic(str(path), "R000", f"cannot read rule file: {exc.strerror or exc}"))
    return {}


def _id_lines(path: Path) -> dict[str, int]:
    """Line of each `id = "…"`: TOML parsers do not report positions of values."""
    lines: dict[str, int] = {}
    for lineno, text in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        match = re.match(r'\s*id\s*=\s*"([^"]+)"', text)
        if match:
            lines.setdefault(match[1], lineno)
    return lines


def _load_file(path: Path, kind: str, macros: dict[str, str], problems: list[Diagnostic]) -> list[Rule]:
    data = _read_toml(path, problems)
    if not data:
        return []
    if data.get("schema") != 1:
        problems.append(Diagnostic(str(path), "R011", "missing or unsupported 'schema' (expected schema = 1)", line=1))
    lines = _id_lines(path)
    table = "name" if kind == "name" else "rule"
    rules = []
    for raw in data.get(table, []):
        rule = _build_rule(raw, kind, str(path), lines.get(str(raw.get("id")), 0), macros, problems)
        if rule:
            rules.append(rule)
    return rules


def _build_rule(raw: dict[str, Any], kind: str, path: str, line: int, macros: dict[str, str],
                problems: list[Diagnostic]) -> Rule | None:
    rid = str(raw.get("id", "?"))
    before = len(problems)

    def bad(code: str, message: str, hint: str | None = None) -> None:
        problems.append(Diagnostic(path, code, message, line=line or None, rule_id=rid, hint=hint))

    allowed = NAME_KEYS if kind == "name" else RULE_KEYS
    for key in sorted(set(raw) - allowed):
        bad("R001", f"unknown key '{key}'", hint="allowed: " + ", ".join(sorted(allowed)))
    for key in ("id", "pattern") + (("class",) if kind == "name" else ("relation", "subject", "object")):
        if not isinstance(raw.get(key), str) or not raw.get(key):
            bad("R004", f"missing or empty '{key}'")
    if kind == "relation" and raw.get("relation") and raw["relation"] not in RELATIONS:
        near = [r for r in RELATIONS if r.lower() == str(raw["relation"]).lower()]
        bad("R003", f"unknown relation '{raw['relation']}'",
            hint=f"did you mean '{near[0]}'?" if near else "relations: " + ", ".join(sorted(RELATIONS)))
    if kind == "name" and raw.get("class") and raw["class"] not in CLASS_CHARS:
        bad("R005", f"unknown class '{raw['class']}'")
    pattern = str(raw.get("pattern", ""))
    if _UNBOUNDED.search(pattern):
        bad("R010", "unbounded gap in pattern", hint="use a bounded class such as [^，。；]{0,12}")
    regex, roles = _compile(pattern, macros, bad)
    if regex is not None:
        _check_roles(raw, kind, roles, regex, bad)
    examples = _examples(raw, bad)
    if len(problems) > before or regex is None:
        return None
    return _make_rule(raw, kind, path, line, pattern, regex, roles, examples, macros)


def _compile(pattern: str, macros: dict[str, str], bad: Any) -> tuple[re.Pattern[str] | None, tuple[Any, ...]]:
    try:
        text, roles = compile_pattern(pattern, macros, guarded=True)
        return re.compile(text), roles
    except KeyError as exc:
        bad("R007", f"unknown macro {{{exc.args[0]}}}", hint="macros are defined in data/macros.toml")
    except LookupError as exc:
        bad("R005", f"unknown class '{exc.args[0]}' in slot")
    except re.error as exc:
        bad("R006", f"pattern does not compile: {exc.msg} at position {exc.pos}")
    return None, ()


def _check_roles(raw: dict[str, Any], kind: str, roles: tuple[Any, ...], regex: re.Pattern[str], bad: Any) -> None:
    # "place" is also a part that trimming or an elided place (省委 → 江西省委) supplies
    implicit = {"place"} if raw.get("trim") or "elided" in regex.groupindex else set()
    names = {r[0] for r in roles} | set(regex.groupindex) | implicit
    context = raw.get("context", {}) or {}
    wanted = [raw.get("subject"), raw.get("object")] if kind == "relation" else []
    for implied in raw.get("implies", []) or []:
        wanted += [implied.get("subject"), implied.get("object")]
    for role in (str(w).split(".")[0] for w in wanted if w):
        if role not in names and role not in context and role != "self":
            bad("R008", f"role '{role}' is not a slot or group of the pattern")
    for rel in (i.get("relation") for i in raw.get("implies", []) or []):
        if rel not in RELATIONS:
            bad("R003", f"unknown relation '{rel}' in implies")
    for cls in list(context.values()) + list((raw.get("inner") or {}).values()):
        if not known_class(cls):
            bad("R005", f"unknown class '{cls}'")


def _examples(raw: dict[str, Any], bad: Any) -> tuple[Example, ...]:
    examples = raw.get("example", [])
    if not examples:
        bad("R009", "rule has no example", hint="add [[rule.example]] with text and expect")
    out = []
    for ex in examples:
        if not isinstance(ex, dict) or "text" not in ex or "expect" not in ex:
            bad("R009", "example needs 'text' and 'expect'")
            continue
        out.append(Example(str(ex["text"]), tuple(ex["expect"])))
    return tuple(out)


def _make_rule(raw: dict[str, Any], kind: str, path: str, line: int, pattern: str, regex: re.Pattern[str],
               roles: tuple[Any, ...], examples: tuple[Example, ...], macros: dict[str, str]) -> Rule:
    implies = tuple((i["relation"], i["subject"], i["object"]) for i in raw.get("implies", []) or [])
    return Rule(
        id=raw["id"], kind=kind, path=path, line=line, pattern=pattern, regex=regex, roles=roles,
        note=str(raw.get("note", "")), relation=str(raw.get("relation", "")), subject=str(raw.get("subject", "")),
        object=str(raw.get("object", "")), cls=str(raw.get("class", "")),
        derive=tuple(sorted((raw.get("derive") or {}).items())), context=tuple(sorted((raw.get("context") or {}).items())),
        trim=str(raw.get("trim", "")), implies=implies, inner=tuple(sorted((raw.get("inner") or {}).items())),
        anaphor=bool(raw.get("anaphor", False)), split=bool(raw.get("split", False)),
        reject=re.compile(compile_pattern(raw["reject"], macros)[0]) if raw.get("reject") else None,
        symmetric=bool(raw.get("symmetric", False)), scope=str(raw.get("scope", "article")), examples=examples,
        needs=required_all(compile_pattern(pattern, macros)[0], regex.flags),  # without the guards
    )

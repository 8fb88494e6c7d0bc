#!/usr/bin/env python3
"""Validate the gold annotations in this folder and print their totals.

Usage:  python tests/gold/check_gold.py [GOLD_DIR]

Standard library only.  Exit status 0 when every file is valid, 1 otherwise.
Checks, for every ``*.json`` file in the folder:

* keys are exactly id, tests, source, text, entities, triples, with the right types;
* ``id`` equals the file name without ``.json`` and has the form ``<source-stem>--a<N>``;
* ``source`` names an existing file (relative to the repository root) and ``text``
  occurs in it verbatim; articles of one source appear in the order of N and do not overlap;
* every entity has a contract class and a non-empty list of distinct names; no name
  belongs to two entities of one file; every further name (all but the first) occurs
  in the text, since further names are the forms the text uses;
* every triple is [subject, property, object] with one of the nine properties, its
  subject and object are first names of entities of the same file, the classes fit the
  property's domain and range, no triple repeats, and partnersWith pairs appear once.
"""
from __future__ import annotations

import json
import os
import re
import sys
from collections import Counter

CLASSES = ["PartyOrganization", "ChainPartyCommittee", "Enterprise", "IndustrialChain",
           "Place", "GovernmentBody", "ResearchInstitution", "Person"]
PROPERTIES = ["covers", "servesChain", "leadsChain", "locatedIn", "partyOrganizationOf",
              "subOrganizationOf", "secretaryOf", "affiliatedWith", "partnersWith"]

PARTY = {"PartyOrganization", "ChainPartyCommittee"}
ORGS = PARTY | {"Enterprise", "GovernmentBody", "ResearchInstitution"}
ANY = set(CLASSES)
# property -> (allowed subject classes, allowed object classes), from CONTRACT.md
SIGNATURE = {
    "covers": (PARTY, PARTY | {"Enterprise"}),
    "servesChain": ({"ChainPartyCommittee"}, {"IndustrialChain"}),
    "leadsChain": ({"Enterprise"}, {"IndustrialChain"}),
    "locatedIn": (ANY, {"Place"}),
    "partyOrganizationOf": (PARTY, {"Enterprise", "ResearchInstitution", "GovernmentBody"}),
    "subOrganizationOf": (PARTY, PARTY),
    "secretaryOf": ({"Person"}, PARTY),
    "affiliatedWith": ({"Person"}, ORGS),
    "partnersWith": (ORGS, ORGS),
}
KEYS = ["id", "tests", "source", "text", "entities", "triples"]
ID_RE = re.compile(r"^(?P<stem>.+)--a(?P<n>[1-9][0-9]*)$")


def check_file(path: str, root: str, sources: dict) -> tuple[list[str], dict | None]:
    errs: list[str] = []
    name = os.path.basename(path)
    try:
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
    except (OSError, ValueError) as e:
        return [f"{name}: cannot read JSON: {e}"], None
    if not isinstance(doc, dict):
        return [f"{name}: top level is not an object"], None
    if sorted(doc) != sorted(KEYS):
        errs.append(f"{name}: keys {sorted(doc)} != {sorted(KEYS)}")
    for k in ("id", "tests", "source", "text"):
        if not isinstance(doc.get(k), str) or not doc.get(k):
            errs.append(f"{name}: '{k}' must be a non-empty string")
    if not isinstance(doc.get("entities"), list) or not isinstance(doc.get("triples"), list):
        errs.append(f"{name}: 'entities' and 'triples' must be lists")
        return errs, None
    if errs:
        return errs, None
    if "\n" in doc["tests"]:
        errs.append(f"{name}: 'tests' must be one line")

    # id, file name and source
    m = ID_RE.match(doc["id"])
    if doc["id"] + ".json" != name:
        errs.append(f"{name}: id {doc['id']!r} does not match the file name")
    src = doc["source"]
    src_path = os.path.join(root, src)
    if not m:
        errs.append(f"{name}: id {doc['id']!r} is not <seed-stem>--a<N>")
    elif os.path.splitext(os.path.basename(src))[0] != m.group("stem"):
        errs.append(f"{name}: id stem {m.group('stem')!r} does not match source {src!r}")
    if not os.path.isfile(src_path):
        errs.append(f"{name}: source {src!r} not found")
    else:
        with open(src_path, encoding="utf-8") as f:
            content = f.read()
        pos = content.find(doc["text"])
        if pos < 0:
            errs.append(f"{name}: text does not occur verbatim in {src}")
        elif m:
            if content.find(doc["text"], pos + 1) >= 0:
                errs.append(f"{name}: text occurs more than once in {src}")
            sources.setdefault(src, []).append((int(m.group("n")), pos, pos + len(doc["text"]), name))

    # entities
    first: dict[str, str] = {}
    owner: dict[str, int] = {}
    text = doc["text"]
    for i, ent in enumerate(doc["entities"]):
        where = f"{name}: entity #{i + 1}"
        if not isinstance(ent, dict) or sorted(ent) != ["names", "type"]:
            errs.append(f"{where}: must be an object with exactly 'type' and 'names'")
            continue
        if ent["type"] not in CLASSES:
            errs.append(f"{where}: unknown type {ent['type']!r}")
        names = ent["names"]
        if (not isinstance(names, list) or not names
                or not all(isinstance(n, str) and n.strip() == n and n for n in names)):
            errs.append(f"{where}: 'names' must be a non-empty list of trimmed strings")
            continue
        if len(set(names)) != len(names):
            errs.append(f"{where}: repeated name in {names}")
        for n in names:
            if n in owner and owner[n] != i:
                errs.append(f"{where}: name {n!r} already belongs to entity #{owner[n] + 1}")
            owner[n] = i
        for n in names[1:]:
            if n not in text:
                errs.append(f"{where}: further name {n!r} does not occur in the text")
        first[names[0]] = ent["type"]

    # triples
    seen: set[tuple[str, str, str]] = set()
    for j, t in enumerate(doc["triples"]):
        where = f"{name}: triple #{j + 1} {t}"
        if not (isinstance(t, list) and len(t) == 3 and all(isinstance(x, str) for x in t)):
            errs.append(f"{where}: must be [subject, property, object] strings")
            continue
        s, p, o = t
        if p not in PROPERTIES:
            errs.append(f"{where}: unknown property {p!r}")
            continue
        for role, x in (("subject", s), ("object", o)):
            if x not in first:
                errs.append(f"{where}: {role} {x!r} is not the first name of an entity")
        if s == o:
            errs.append(f"{where}: subject equals object")
        if s in first and o in first:
            dom, rng = SIGNATURE[p]
            if first[s] not in dom:
                errs.append(f"{where}: subject class {first[s]} not in domain of {p}")
            if first[o] not in rng:
                errs.append(f"{where}: object class {first[o]} not in range of {p}")
        key = (s, p, o)
        if key in seen:
            errs.append(f"{where}: repeated triple")
        if p == "partnersWith" and (o, p, s) in seen:
            errs.append(f"{where}: partnersWith pair listed twice (both directions)")
        seen.add(key)

    stats = {"entities": Counter(e["type"] for e in doc["entities"] if isinstance(e, dict)),
             "triples": Counter(t[1] for t in doc["triples"] if isinstance(t, list) and len(t) == 3)}
    return errs, stats


def table(header: list[str], rows: list[list]) -> str:
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    out += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(out)


def main(argv: list[str]) -> int:
    gold = os.path.abspath(argv[1] if len(argv) > 1 else os.path.dirname(os.path.abspath(__file__)))
    root = os.path.dirname(os.path.dirname(gold))  # tests/gold -> repository root
    files = sorted(f for f in os.listdir(gold) if f.endswith(".json"))
    if not files:
        print(f"no gold files in {gold}", file=sys.stderr)
        return 1
    errors: list[str] = []
    sources: dict = {}
    per_file: list[tuple[str, dict]] = []
    for f in files:
        errs, stats = check_file(os.path.join(gold, f), root, sources)
        errors += errs
        if stats:
            per_file.append((f[:-5], stats))
    # article order and overlap within each source
    for src, arts in sources.items():
        arts.sort()
        ns = [a[0] for a in arts]
        if ns != list(range(1, len(ns) + 1)):
            errors.append(f"{src}: article numbers {ns} are not 1..{len(ns)}")
        for (n1, s1, e1, f1), (n2, s2, e2, f2) in zip(arts, arts[1:]):
            if s2 < e1:
                errors.append(f"{src}: {f2} starts before {f1} ends (order or overlap)")

    ent_abbr = {"PartyOrganization": "PO", "ChainPartyCommittee": "CPC", "Enterprise": "Ent",
                "IndustrialChain": "Chain", "Place": "Place", "GovernmentBody": "Gov",
                "ResearchInstitution": "RI", "Person": "Person"}
    total_e, total_t = Counter(), Counter()
    erows, trows = [], []
    for fid, st in per_file:
        total_e += st["entities"]
        total_t += st["triples"]
        erows.append([fid] + [st["entities"][c] for c in CLASSES] + [sum(st["entities"].values())])
        trows.append([fid] + [st["triples"][p] for p in PROPERTIES] + [sum(st["triples"].values())])
    erows.append(["**all**"] + [total_e[c] for c in CLASSES] + [sum(total_e.values())])
    trows.append(["**all**"] + [total_t[p] for p in PROPERTIES] + [sum(total_t.values())])
    print(f"Gold files: {len(per_file)} of {len(files)} read\n")
    print("Entities per type (PO PartyOrganization, CPC ChainPartyCommittee, Ent Enterprise, "
          "Chain IndustrialChain, Gov GovernmentBody, RI ResearchInstitution)\n")
    print(table(["file"] + [ent_abbr[c] for c in CLASSES] + ["total"], erows))
    print("\nTriples per property\n")
    print(table(["file"] + PROPERTIES + ["total"], trows))
    if errors:
        print(f"\n{len(errors)} error(s):", file=sys.stderr)
        for e in errors:
            print("  " + e, file=sys.stderr)
        return 1
    print("\nOK: all gold files are valid.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

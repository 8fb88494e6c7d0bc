"""graph.jsonld: compact JSON-LD of the graph, written by exports.write_exports.

``write_jsonld(out, fact_lines)`` reads the graph's sorted N-Triples lines once, makes each
subject's node object from its lines as they come (its lines are contiguous), compacting it
as rdflib's JSON-LD converter does with ``JSONLD_CONTEXT`` (tests/test_jsonld.py keeps
the converter as the oracle), and sorts the node objects by @id in bounded memory.
"""

from __future__ import annotations

import functools
import json
import re
from contextlib import closing
from pathlib import Path
from typing import Any, BinaryIO, Iterable, Iterator

from rdflib import RDF, RDFS, Literal
from rdflib.namespace import DCTERMS, FOAF, ORG, OWL, PROV, SKOS, XSD

from . import rdf_text
from .memory import SORT_BUFFER_LINES
from .vocab import GEO, ID, RC, SCHEMA, WGS84

__all__ = ["JSONLD_CONTEXT", "write_jsonld"]

# Compact JSON-LD context. Prefixes for every namespace the graph uses, ``rcid:`` for the
# redchain entity IRIs, and two language maps: ``"label": {"zh": …, "en": …,
# "zh-Latn-pinyin": …}`` (rdfs:label) and ``"altLabel": {"zh": […]}`` (skos:altLabel).
# A label without a language tag stays under ``rdfs:label`` in expanded form.
JSONLD_CONTEXT: dict[str, Any] = {
    "rc": str(RC._NS), "rcid": str(ID), "rdfs": str(RDFS), "skos": str(SKOS), "xsd": str(XSD),
    "prov": str(PROV), "org": str(ORG), "schema": str(SCHEMA), "dcterms": str(DCTERMS),
    "owl": str(OWL), "foaf": str(FOAF), "geo": str(GEO._NS), "wgs": str(WGS84._NS),
    "label": {"@id": "rdfs:label", "@container": "@language"},
    "altLabel": {"@id": "skos:altLabel", "@container": "@language"},
}

_JSON_SORTED = json.JSONEncoder(ensure_ascii=False, sort_keys=True)  # one encoder, not one a call


def write_jsonld(out: BinaryIO, fact_lines: Iterable[str], *, buffer_lines: int = SORT_BUFFER_LINES,
                 tmpdir: Path | None = None) -> None:
    r"""Compact JSON-LD with ``JSONLD_CONTEXT`` of the graph's sorted, unique N-Triples ``fact_lines``:
    the node objects in ``@graph`` sorted by @id, one a line (a reader can grep or stream the
    file by line), every value array sorted (arrays outside @list are unordered in JSON-LD, so
    sorting changes nothing).

    A subject's lines come together, so its node object is made as they come. @id order is not
    line order (``<…/360200/geometry>`` sorts before ``<…/360200>`` as a line, after it as an
    @id; ``rc:X`` sorts by its prefix), so each node object goes through an external sort as
    "<@id>\t<JSON>" (``rdf_text.sorted_unique_lines``: at most ``buffer_lines`` of them in
    memory, temporary files in ``tmpdir`` beyond; a JSON line holds no raw tab or newline).

    The node objects are those rdflib's JSON-LD converter makes with this context (the oracle
    in tests/test_jsonld.py), made here from the text of the lines, no rdflib term built:
    0.5-0.6 s of CPU for the 10 MB graph where the converter took 1.6-2.1 s. (Not parsed by Oxigraph,
    which lower-cases language tags: ``zh-Latn-pinyin`` is a key of the ``label`` map.) No blank
    nodes, no RDF lists."""
    context = json.dumps(JSONLD_CONTEXT, ensure_ascii=False, indent=2, sort_keys=True).replace("\n", "\n  ")
    out.write(f'{{\n  "@context": {context},\n  "@graph": [\n'.encode("utf-8"))
    with closing(rdf_text.sorted_unique_lines(_node_lines(fact_lines), max_lines=buffer_lines,
                                              tmpdir=tmpdir)) as keyed:
        rdf_text.write_lines(out, _graph_items(keyed))
    out.write("\n  ]\n}\n".encode("utf-8"))


def _graph_items(keyed: Iterable[str]) -> Iterator[str]:
    r"""The JSON of each "<@id>\t<JSON>\n" line, indented, with a comma before all but the first."""
    separator = ""
    for line in keyed:
        yield separator + "    " + line.rpartition("\t")[2][:-1]
        separator = ",\n"


def _node_lines(fact_lines: Iterable[str]) -> Iterator[str]:
    r""""<@id>\t<JSON>\n" for the node object of each subject of the sorted N-Triples lines."""
    subject, previous = "", ""
    node: dict[str, Any] = {}
    for line in fact_lines:
        if line <= previous:
            raise ValueError(f"N-Triples lines out of order or repeated: {line!r} after {previous!r}")
        previous = line
        s, p, o = _split_line(line)
        if s != subject:
            if node:
                yield _node_line(node)
            subject, node = s, {"@id": _shrink_iri(s)}
        _add_value(node, p, o)
    if node:
        yield _node_line(node)


def _node_line(node: dict[str, Any]) -> str:
    return f"{node['@id']}\t{_JSON_SORTED.encode(_sorted_arrays(node))}\n"


def _split_line(line: str) -> tuple[str, str, str]:
    r"""Subject IRI, predicate IRI and object (N-Triples text) of ``<s> <p> o .\n``."""
    end = line.find("> <")
    stop = line.find("> ", end + 3)
    if not line.startswith("<") or end < 0 or stop < 0 or not line.endswith(" .\n"):
        raise ValueError(f"not an N-Triples line of IRIs and literals: {line!r}")
    return line[1:end], line[end + 3:stop], line[stop + 2:-3]


# rdflib's JSON-LD converter with JSONLD_CONTEXT, rule by rule (Converter.add_to_node, to_raw_value;
# Context.shrink_iri, to_symbol, find_term in rdflib 7):
_PREFIX_OF = {ns: name for name, ns in JSONLD_CONTEXT.items() if isinstance(ns, str)}
# rdfs:label → "label", skos:altLabel → "altLabel": language maps, for language-tagged literals only
_LANGUAGE_MAPS = {JSONLD_CONTEXT[dfn["@id"].partition(":")[0]] + dfn["@id"].partition(":")[2]: name
                  for name, dfn in JSONLD_CONTEXT.items() if isinstance(dfn, dict) and dfn["@container"] == "@language"}
_RDF_TYPE = str(RDF.type)
# rdflib.plugins.serializers.jsonld.PLAIN_LITERAL_TYPES: a context makes the converter use native
# JSON values for them ("20"^^xsd:integer → 20) whatever use_native_types says
_NATIVE_TYPES = frozenset(str(t) for t in (XSD.boolean, XSD.integer, XSD.double, XSD.string))


def _add_value(node: dict[str, Any], predicate: str, obj: str) -> None:
    """Add the object (N-Triples text) of ``predicate`` to the node object as the converter does:
    rdf:type as @type (use_rdf_type=False), language-tagged labels in their language maps, an
    IRI as {"@id": …}, a literal as a value object or a native value."""
    if obj.startswith("<"):
        iri = obj[1:-1]
        if " " in iri:  # an IRI has no space: an N-Quads line
            raise ValueError(f"not an N-Triples object: {obj!r}")
        if predicate == _RDF_TYPE:
            _put(node, "@type", _term(iri))
        else:
            _put(node, _term(predicate), {"@id": _shrink_iri(iri)})
        return
    text, language, datatype = _literal(obj)
    if language and predicate in _LANGUAGE_MAPS:
        _put(node.setdefault(_LANGUAGE_MAPS[predicate], {}), language, text)
        return
    key = "@type" if predicate == _RDF_TYPE else _term(predicate)
    if datatype is None:
        _put(node, key, {"@language": language, "@value": text} if language else text)
    elif datatype in _NATIVE_TYPES:  # rdflib's own reading of the lexical form; an ill-typed one stays text
        _put(node, key, Literal(text, datatype=datatype).toPython())
    else:
        _put(node, key, {"@type": _term(datatype), "@value": text})


def _put(node: dict[str, Any], key: str, value: Any) -> None:
    """One value bare, more in an array. (The converter tests ``if node[key]`` where this tests
    ``key in node``: it drops a "" or 0 that is followed by another value of the key.)"""
    if key not in node:
        node[key] = value
    elif isinstance(node[key], list):
        node[key].append(value)
    else:
        node[key] = [node[key], value]


def _shrink_iri(iri: str) -> str:
    """A CURIE when the IRI up to its last "#" (else "/", else ":") is a namespace of the context
    (so ``rcid:`` only for an IRI directly under ``…/id/``, never for ``…/id/org/…``), else the IRI."""
    for delimiter in "#/:":
        at = iri.rfind(delimiter)
        if at > -1:
            prefix = _PREFIX_OF.get(iri[:at + 1])
            return f"{prefix}:{iri[at + 1:]}" if prefix else iri
    return iri


@functools.lru_cache(maxsize=4096)
def _term(iri: str) -> str:
    """A property, class or datatype as the converter names it: a namespace of the context is its
    prefix (``rc``), anything else as ``_shrink_iri`` makes it."""
    return _PREFIX_OF.get(iri) or _shrink_iri(iri)


def _literal(term: str) -> tuple[str, str | None, str | None]:
    """Lexical form, language tag and datatype IRI of a literal in N-Triples form."""
    if not term.startswith('"'):
        raise ValueError(f"JSON-LD export: not an IRI or a literal (blank nodes are not written): {term!r}")
    end = term.rindex('"')  # neither a language tag nor a datatype IRI holds a quote
    text, suffix = term[1:end], term[end + 1:]
    if "\\" in text:
        text = _ESCAPE.sub(_unescape, text)
    if suffix.startswith("@"):
        return text, suffix[1:], None
    return text, None, suffix[3:-1] if suffix.startswith("^^<") else None


_ESCAPE = re.compile(r"\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|(.))", re.DOTALL)
_ECHAR = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", '"': '"', "'": "'", "\\": "\\"}


def _unescape(match: re.Match[str]) -> str:
    hex4, hex8, char = match.groups()
    if char is not None:
        if char not in _ECHAR:
            raise ValueError(f"not an N-Triples escape: \\{char}")
        return _ECHAR[char]
    return chr(int(hex4 or hex8, 16))


def _sorted_arrays(node: dict[str, Any]) -> dict[str, Any]:
    """The node object with every array in it sorted, in place. ``_add_value`` makes arrays in two
    places only, a key's values and a language's in a language map, and puts none inside them."""
    for key, value in node.items():
        if isinstance(value, list):
            node[key] = sorted(value, key=_value_order)
        elif key in _MAP_NAMES:
            for language, texts in value.items():
                if isinstance(texts, list):
                    value[language] = sorted(texts, key=_value_order)
    return node


_MAP_NAMES = frozenset(_LANGUAGE_MAPS.values())


def _value_order(value: Any) -> tuple[str, str]:
    return str(value.get("@id", "")) if isinstance(value, dict) else "", _JSON_SORTED.encode(value)

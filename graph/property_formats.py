"""Stage 8: the property graph (property_graph.py) written as GraphML, GEXF and Neo4j CSV.

The writers stream: each node or edge is written as it is made, so besides the property
graph itself (O(entities + edges)) a writer holds one element at a time. GraphML and GEXF
are written here as text, laid out byte for byte as networkx's writers (ElementTree,
pretty-printed) lay out a MultiDiGraph of the same nodes and edges: the same key ids, element
order, indentation and escaping (tests/test_exports.py compares them), except that the GEXF
creator is redchain. networkx's writers hold the graph, an element tree and the whole text:
~170 MB each at 10 MB of articles (~1.5 GB at 100 MB, extrapolated): the largest transient
of a build. Neo4j CSVs are for ``neo4j-admin database import full --nodes=nodes.csv
--relationships=relationships.csv --multiline-fields=true``; node labels are the class and
its rc: superclasses in PascalCase (``Enterprise;Organization``), relationship types
UPPER_SNAKE_CASE.
"""

from __future__ import annotations

import csv
import functools
import io
import itertools
import re
from contextlib import contextmanager
from typing import Any, BinaryIO, Callable, Iterable, Iterator, Mapping, Sequence

from .property_graph import PEdge, PGraph, PNode

__all__ = ["write_gexf", "write_graphml", "write_neo4j_nodes", "write_neo4j_relationships", "xml_text"]

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # OWASP CSV injection list
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


# ── GraphML and GEXF ─────────────────────────────────────────────────────────────────

_XML_DECLARATION = "<?xml version='1.0' encoding='utf-8'?>\n"
_XSI = "http://www.w3.org/2001/XMLSchema-instance"
# ElementTree's escapes; a CR in text too, which an XML parser would otherwise read as LF
_XML_TEXT = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})
_XML_ATTRIBUTE = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "\r": "&#13;",
                                "\n": "&#10;", "\t": "&#09;"})
# translate() with a table is slow on Chinese text: a search finds that most values need nothing
_XML_TEXT_SPECIAL, _XML_ATTRIBUTE_SPECIAL = re.compile("[&<>\r]"), re.compile('[&<>"\r\n\t]')


def xml_text(text: str) -> str:
    """XML 1.0 cannot carry most C0 controls (a form feed from a page layout): they become U+FFFD."""
    return _XML_ILLEGAL.sub("\ufffd", text) if _XML_ILLEGAL.search(text) else text  # a search takes half a sub


def _attr(value: object) -> str:
    if type(value) is not str:
        return str(value).translate(_XML_ATTRIBUTE)  # numbers: nothing to escape, and ASCII translates fast
    return value.translate(_XML_ATTRIBUTE) if _XML_ATTRIBUTE_SPECIAL.search(value) else value


def _xml_content(value: object) -> str:
    if type(value) is not str:
        return str(value).translate(_XML_TEXT)
    return value.translate(_XML_TEXT) if _XML_TEXT_SPECIAL.search(value) else value


@contextmanager
def _text_output(out: BinaryIO, errors: str = "strict") -> Iterator[io.TextIOWrapper]:
    """``out`` as UTF-8 text; left open (and flushed) for the caller."""
    text = io.TextIOWrapper(out, encoding="utf-8", errors=errors, newline="")
    try:
        yield text
        text.flush()
    finally:
        text.detach()


def _node_data(node: PNode) -> list[tuple[str, str, object]]:
    """A node's attributes (name, GraphML type, value) in the order networkx kept: lat/long only for places."""
    data: list[tuple[str, str, object]] = [("label", "string", xml_text(node.label)),
                                           ("label_en", "string", xml_text(node.label_en)),
                                           ("class", "string", node.cls), ("iri", "string", node.iri)]
    point = node.point
    return data if point is None else data + [("lat", "double", point[0]), ("long", "double", point[1])]


def _edge_data(edge: PEdge) -> list[tuple[str, str, object]]:
    return [("relation", "string", edge.relation), ("relation_zh", "string", xml_text(edge.relation_zh)),
            ("evidence_count", "long", edge.evidence_count), ("title", "string", xml_text(edge.title))]


def _gexf_node_data(node: PNode) -> list[tuple[str, str, object]]:
    return _node_data(node)[1:]  # the label is an XML attribute of the node


def _gexf_edge_data(edge: PEdge) -> list[tuple[str, str, object]]:
    return [*_edge_data(edge), ("networkx_key", "string", edge.relation)]  # networkx adds the edge's key


_DataFn = Callable[[Any], list[tuple[str, str, object]]]


def _attribute_ids(pgraph: PGraph, node_data: _DataFn, edge_data: _DataFn) -> dict[tuple[str, str], tuple[str, str]]:
    """(scope, name) → (number, type) of every attribute the graph uses, numbered in order of
    first use as networkx's writers number them: the nodes' first, then the edges'."""
    used: dict[tuple[str, str], str] = {}
    if pgraph.nodes:
        used.update({("node", name): kind for name, kind, _ in node_data(pgraph.nodes[0])})
    if any(node.point is not None for node in pgraph.nodes):
        used.update({("node", "lat"): "double", ("node", "long"): "double"})
    if pgraph.edges:
        used.update({("edge", name): kind for name, kind, _ in edge_data(pgraph.edges[0])})
    return {key: (str(number), kind) for number, (key, kind) in enumerate(used.items())}


def _networkx_edge_order(edges: Iterable[PEdge]) -> Iterator[PEdge]:
    """The edges in a networkx MultiDiGraph's order: by source, then each target in order of its
    first edge, then its edges in the given order."""
    for _, group in itertools.groupby(edges, key=lambda e: e.source):
        first: dict[str, int] = {}
        items = list(group)
        for edge in items:
            first.setdefault(edge.target, len(first))
        yield from sorted(items, key=lambda e: first[e.target])


def write_graphml(out: BinaryIO, pgraph: PGraph) -> None:
    """GraphML of ``pgraph``, one node or edge element at a time."""
    ids = {key: ("d" + number, kind) for key, (number, kind) in _attribute_ids(pgraph, _node_data, _edge_data).items()}
    node_keys, edge_keys = _keys(ids, "node"), _keys(ids, "edge")
    with _text_output(out, "xmlcharrefreplace") as text:
        text.write(f'{_XML_DECLARATION}<graphml xmlns="http://graphml.graphdrawing.org/xmlns" xmlns:xsi="{_XSI}" '
                   'xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns '
                   'http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">\n')
        for (scope, name), (key, kind) in reversed(ids.items()):  # networkx inserts each new key first
            text.write(f'  <key id="{key}" for="{scope}" attr.name="{_attr(name)}" attr.type="{kind}" />\n')
        if not pgraph.nodes and not pgraph.edges:
            text.write('  <graph edgedefault="directed" />\n</graphml>\n')
            return
        text.write('  <graph edgedefault="directed">\n')
        for node in pgraph.nodes:
            text.write(f'    <node id="{_attr(node.iri)}">\n'
                       f'{_graphml_data(node_keys, _node_data(node))}    </node>\n')
        for edge in _networkx_edge_order(pgraph.edges):
            text.write(f'    <edge source="{_attr(edge.source)}" target="{_attr(edge.target)}" '
                       f'id="{_attr(edge.relation)}">\n{_graphml_data(edge_keys, _edge_data(edge))}    </edge>\n')
        text.write("  </graph>\n</graphml>\n")


def _keys(ids: Mapping[tuple[str, str], tuple[str, str]], scope: str) -> dict[str, str]:
    """Attribute name → id, of one scope (looked up for every value)."""
    return {name: key for (of, name), (key, _) in ids.items() if of == scope}


def _graphml_data(keys: Mapping[str, str], data: Iterable[tuple[str, str, object]]) -> str:
    lines = []
    for name, _, value in data:
        key, content = keys[name], _xml_content(value)
        lines.append(f'      <data key="{key}">{content}</data>\n' if content else f'      <data key="{key}" />\n')
    return "".join(lines)


def write_gexf(out: BinaryIO, pgraph: PGraph) -> None:
    """GEXF 1.2 of ``pgraph``, one node or edge element at a time, laid out as networkx's writer lays
    it out (no <meta lastmodifieddate>: the same input gives the same bytes)."""
    ids = _attribute_ids(pgraph, _gexf_node_data, _gexf_edge_data)
    node_keys, edge_keys = _keys(ids, "node"), _keys(ids, "edge")
    from . import __version__ as version
    with _text_output(out, "xmlcharrefreplace") as text:
        text.write(f'{_XML_DECLARATION}<gexf xmlns="http://www.gexf.net/1.2draft" xmlns:xsi="{_XSI}" '
                   'xsi:schemaLocation="http://www.gexf.net/1.2draft http://www.gexf.net/1.2draft/gexf.xsd" '
                   f'version="1.2">\n  <meta>\n    <creator>redchain {version}</creator>\n  </meta>\n'
                   '  <graph defaultedgetype="directed" mode="static" name="">\n')
        for scope in ("edge", "node"):  # networkx inserts each new <attributes> first
            declared = [(name, number, kind) for (of, name), (number, kind) in ids.items() if of == scope]
            if declared:
                text.write(f'    <attributes mode="static" class="{scope}">\n' + "".join(
                    f'      <attribute id="{number}" title="{_attr(name)}" type="{kind}" />\n'
                    for name, number, kind in declared) + "    </attributes>\n")
        text.write("    <nodes>\n" if pgraph.nodes else "    <nodes />\n")
        for node in pgraph.nodes:
            label, *values = _node_data(node)  # the label is an attribute of the element (_gexf_node_data)
            text.write(f'      <node id="{_attr(node.iri)}" label="{_attr(label[2])}">\n'
                       f'{_gexf_values(node_keys, values)}      </node>\n')
        text.write("    </nodes>\n" if pgraph.nodes else "")
        text.write("    <edges>\n" if pgraph.edges else "    <edges />\n")
        for number, edge in enumerate(_networkx_edge_order(pgraph.edges)):
            text.write(f'      <edge source="{_attr(edge.source)}" target="{_attr(edge.target)}" id="{number}">\n'
                       f'{_gexf_values(edge_keys, _gexf_edge_data(edge))}      </edge>\n')
        text.write(("    </edges>\n" if pgraph.edges else "") + "  </graph>\n</gexf>\n")


_GEXF_FLOATS = {"inf": "INF", "-inf": "-INF", "nan": "NaN"}  # as networkx writes them


def _gexf_values(keys: Mapping[str, str], data: Iterable[tuple[str, str, object]]) -> str:
    values = []
    for name, kind, value in data:
        shown = _GEXF_FLOATS.get(str(value), str(value)) if kind == "double" else value
        values.append(f'          <attvalue for="{keys[name]}" value="{_attr(shown)}" />\n')
    return "        <attvalues>\n" + "".join(values) + "        </attvalues>\n"


# ── Neo4j CSV ────────────────────────────────────────────────────────────────────────

@functools.lru_cache(maxsize=256)  # a few relations, one call per edge
def neo4j_type(relation: str) -> str:
    """servesChain → SERVES_CHAIN (Cypher style: relationship types in upper snake case)."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", relation).upper()


def safe_cell(text: str) -> str:
    """A cell a spreadsheet would run as a formula gets a leading apostrophe."""
    return "'" + text if text.startswith(_FORMULA_START) else text


def _check_id(iri: str) -> str:
    if iri.startswith(_FORMULA_START):
        raise ValueError(f"node id {iri!r} starts with a formula character")
    return iri


def _write_csv(out: BinaryIO, header: list[str], rows: Iterable[Sequence[object]]) -> None:
    with _text_output(out) as text:
        writer = csv.writer(text, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")  # \r\n: a lone \r gets quoted
        writer.writerow(header)
        writer.writerows(rows)


def write_neo4j_nodes(out: BinaryIO, pgraph: PGraph) -> None:
    rows = ([_check_id(n.iri), safe_cell(n.label), safe_cell(n.label_en), ";".join(n.labels),
             "" if n.lat is None else repr(n.lat), "" if n.long is None else repr(n.long)] for n in pgraph.nodes)
    _write_csv(out, ["iri:ID", "label", "label_en", ":LABEL", "lat:float", "long:float"], rows)


def write_neo4j_relationships(out: BinaryIO, pgraph: PGraph) -> None:
    rows = ([_check_id(e.source), _check_id(e.target), neo4j_type(e.relation), e.evidence_count, safe_cell(e.title)]
            for e in pgraph.edges)
    _write_csv(out, [":START_ID", ":END_ID", ":TYPE", "evidence_count:int", "title"], rows)

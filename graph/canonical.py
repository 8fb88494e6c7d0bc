"""Canonical spelling of names, shared by the recogniser and entity resolution."""

from __future__ import annotations

import re
import unicodedata

_FULL_WIDTH = str.maketrans({"(": "（", ")": "）", ",": "，", ":": "：", ";": "；"})
_SPACES = re.compile(r"\s+")


def canonical_name(name: str, cls: str) -> str:
    """Full-width punctuation, no spaces; a chain is always …产业链 (锂电新能源 → 锂电新能源产业链)."""
    name = unicodedata.normalize("NFC", name).translate(_FULL_WIDTH)
    name = _SPACES.sub("", name)
    if cls == "IndustrialChain" and not name.endswith("产业链"):
        name += "链" if name.endswith("产业") else "产业链"
    return name

"""The page's data block (view_page.json_for_html): orjson's bytes, escaped as bytes, checked
against the json module's text escaped as text, the oracle (the page wrote ``json.dumps``
before), on hostile strings and on floats."""

from __future__ import annotations

import json
import math
import re
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graph.view_page import json_for_html

HOSTILE = ['say "hi"', "back\\slash\\", "</script><script>alert(1)</script>", "<!-- -->", "a & b > c < d",
           "line\u2028sep\u2029para", "".join(map(chr, range(0x20))) + "\x7f\x80\x9f\xa0", "\ufeff\ufffe\uffff",
           "😀 𠀀 𪚥 astral", "江西省\n景德镇市\t航空", "\ue000 private use", "", "\\u003c literal escape",
           "……——‰†\u2027\u202a"]  # UTF-8 bytes e2 80 xx, as U+2028 and U+2029 have, and not escaped


def json_module(data: Any) -> bytes:
    """What the page wrote before orjson: json.dumps, then the HTML escapes, in UTF-8."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return re.sub("[<>&\u2028\u2029]", lambda m: {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026",
                                                  "\u2028": "\\u2028", "\u2029": "\\u2029"}[m.group()],
                  text).encode("utf-8")


@pytest.mark.parametrize("text", HOSTILE)
def test_view_page_json_is_the_json_modules_for_hostile_strings(text: str) -> None:
    data = {text: [text, {"z": text, text + "k": 1}], "nested": {"b": [text], "a": (text, None, True, False)}}
    assert json_for_html(data) == json_module(data)


def test_view_page_json_escapes_what_would_end_or_break_the_script_block() -> None:
    out = json_for_html(HOSTILE).decode("utf-8")
    assert not set("<>&\u2028\u2029") & set(out)
    assert "</script" not in out.lower() and "<!--" not in out
    assert json.loads(out) == HOSTILE  # the escapes are JSON's: the data reads back whole


def test_view_page_json_sorts_keys_by_code_point_as_json_does() -> None:
    data = {k: i for i, k in enumerate(["b", "a", "B", "10", "2", "é", "中", "😀", "\uffff", "😀a", "\ue000", ""])}
    assert json_for_html(data) == json_module(data)


def test_view_page_json_floats_a_page_holds_are_written_as_json_writes_them() -> None:
    sizes = [round(math.sqrt(degree + 1), 2) for degree in range(5000)]  # view_payload's node values
    data = {"value": sizes, "options": [0.5, 1.2, 1 / 9, 1 / 6, 0.3, 1.0, -0.0, 0.0001, 123456.789, 9.99e15]}
    assert json_for_html(data) == json_module(data)


def test_view_page_json_refuses_what_json_would_pass_to_a_failing_write() -> None:
    with pytest.raises(TypeError):
        json_for_html({"text": "lone \ud800 surrogate"})  # json.dumps passes it; encoding the page fails
    with pytest.raises(TypeError):
        json_for_html({1: "an int key"})  # json.dumps would write "1"; a page's keys are all str


plain_floats = st.floats(allow_nan=False, allow_infinity=False).filter(lambda x: x == 0 or 1e-4 <= abs(x) < 1e16)
values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1) | plain_floats | st.text(),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(), inner, max_size=5), max_leaves=30)


@settings(max_examples=300, deadline=None)
@given(values)
def test_view_page_json_is_the_json_modules_for_any_page_like_data(data: Any) -> None:
    assert json_for_html(data) == json_module(data)

"""Bad input gets a clear error and nothing is lost; hostile text is escaped wherever it lands."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import Graph, Literal

from graph import export
from graph.cli import main
from graph.pipeline import build

GOOD = "江西天一航空装备有限公司副总经理、党支部书记何炳辉介绍，公司发展很快。\n"
XSS = "<script>alert(1)</script>"


def literals_rdflib(path):
    g = Graph().parse(path, format="turtle")
    return len(g), {(str(o), (o.language or "").lower()) for o in g.objects() if isinstance(o, Literal)}


def literals_oxigraph(path):
    import pyoxigraph

    store = pyoxigraph.Store()
    store.bulk_load(path=str(path), format=pyoxigraph.RdfFormat.TURTLE)
    found = {(q.object.value, (q.object.language or "").lower()) for q in store if isinstance(q.object, pyoxigraph.Literal)}
    return len(store), found


def test_robustness_bad_files_are_reported_and_the_rest_is_built(tmp_path, capsys):
    inputs = tmp_path / "in"
    inputs.mkdir()
    (inputs / "a-good.txt").write_text(GOOD, encoding="utf-8")
    (inputs / "b-empty.txt").write_bytes(b"")
    (inputs / "c-binary.txt").write_bytes(b"\x00\x01\x02\xff" * 100)
    (inputs / "d-gbk.txt").write_bytes("九江润禾合成材料有限公司党支部书记、总经理助理张晶冰说。".encode("gb18030"))
    (inputs / "e-utf16.md").write_bytes("新时代造船有限公司党委书记周灿荣说。".encode("utf-16"))
    (inputs / "f-page.html").write_text(f"<html><body><h1>标题</h1><p>景德镇高新区航空产业链党委书记罗文军举例说。</p>"
                                        f"<script>{XSS}</script></body></html>", encoding="utf-8")
    (inputs / "g-traditional.txt").write_text("江蘇骥骜氫能科技有限公司黨支部書記、總經理黃利虎說。", encoding="utf-8")
    code = main(["build", "--input", str(inputs), "--output", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 1
    assert "b-empty.txt" in err and "c-binary.txt" in err
    facts = [json.loads(line) for line in (tmp_path / "out" / "provenance.jsonl").read_text(encoding="utf-8").splitlines()]
    secretaries = {(f["s_label"], f["o_label"]) for f in facts if f["p_name"] == "secretaryOf"}
    assert ("何炳辉", "江西天一航空装备有限公司党支部") in secretaries
    assert ("张晶冰", "九江润禾合成材料有限公司党支部") in secretaries
    assert ("周灿荣", "新时代造船有限公司党委") in secretaries
    assert ("罗文军", "景德镇高新区航空产业链党委") in secretaries
    assert ("黄利虎", "江苏骥骜氢能科技有限公司党支部") in secretaries


def test_robustness_fail_fast_stops_at_the_first_unreadable_file(tmp_path, capsys):
    inputs = tmp_path / "in"
    inputs.mkdir()
    (inputs / "a-binary.txt").write_bytes(b"\x00\xff" * 10)
    (inputs / "b-good.txt").write_text(GOOD, encoding="utf-8")
    assert main(["build", "--fail-fast", "--input", str(inputs), "--output", str(tmp_path / "out")]) == 1
    assert not (tmp_path / "out" / "graph.ttl").exists()


def test_robustness_a_file_over_the_size_limit_is_refused_and_the_rest_is_built(tmp_path, capsys):
    inputs = tmp_path / "in"
    inputs.mkdir()
    (inputs / "a-good.txt").write_text(GOOD, encoding="utf-8")
    (inputs / "b-big.txt").write_text(GOOD * 100, encoding="utf-8")  # 11 KB, over a limit of 0.005 MiB (5 KiB)
    code = main(["build", "--max-document-mb", "0.005", "-q", "--input", str(inputs), "--output", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 1
    assert "b-big.txt" in err and "D006" in err and "--max-document-mb" in err and "a-good.txt" not in err
    facts = (tmp_path / "out" / "provenance.jsonl").read_text(encoding="utf-8")
    assert "a-good.txt" in facts and "b-big.txt" not in facts


def test_robustness_a_size_limit_that_is_not_a_positive_number_is_a_usage_error(tmp_path, capsys):
    with pytest.raises(SystemExit) as stop:
        main(["build", "--max-document-mb", "0", "--output", str(tmp_path / "out")])
    assert stop.value.code == 2 and "expected a number above 0" in capsys.readouterr().err


def test_robustness_missing_input_folder_is_an_error(tmp_path, capsys):
    assert main(["build", "--input", str(tmp_path / "nowhere"), "--output", str(tmp_path / "out")]) == 1
    assert "nowhere" in capsys.readouterr().err


def test_robustness_failed_write_leaves_previous_outputs_whole(tmp_path, monkeypatch):
    out = tmp_path / "out"
    out.mkdir()
    (out / "graph.ttl").write_text("# the previous build\n", encoding="utf-8")
    inputs = tmp_path / "in"
    inputs.mkdir()
    (inputs / "a.txt").write_text(GOOD, encoding="utf-8")

    class FullDisk(io.BufferedWriter):  # the disk fills up halfway through the new graph.ttl
        def write(self, data):
            if self.tell() + len(data) > 200:
                raise OSError(28, "No space left on device")
            return super().write(data)

    monkeypatch.setattr(export, "_open_for_writing", lambda fd: FullDisk(io.FileIO(fd, "wb")))
    with pytest.raises(OSError):
        build([inputs], out, view=False)
    assert (out / "graph.ttl").read_text(encoding="utf-8") == "# the previous build\n"
    assert [p.name for p in out.iterdir()] == ["graph.ttl"]  # no temporary file left behind


def test_robustness_killed_build_leaves_outputs_whole(tmp_path):
    inputs = tmp_path / "in"
    inputs.mkdir()
    for i in range(40):
        (inputs / f"{i:03d}.txt").write_text(GOOD * 20, encoding="utf-8")
    out = tmp_path / "out"
    build([inputs], out, view=False)
    before = (out / "graph.ttl").read_bytes()
    for delay in (0.5, 1.0, 2.0, 3.0):
        proc = subprocess.Popen([sys.executable, "-m", "graph", "build", "--input", str(inputs), "--output", str(out)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        after = (out / "graph.ttl").read_bytes()
        assert after == before  # the same input: a complete new file equals the old one byte for byte
    build([inputs], out, view=False)  # the next build clears what a killed one left
    assert not [p for p in os.listdir(out) if p.endswith(".tmp")]


hostile_text = st.text(
    alphabet=st.one_of(st.characters(codec="utf-8", exclude_categories=("Cs",)),
                       st.sampled_from(list("\"'\\<>&\n\r\t\x00\x1b\u2028\u2029\ufeff“”（）、，。"))),
    max_size=60,
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(noise=hostile_text)
def test_robustness_any_text_gives_outputs_that_parse_and_round_trip(tmp_path_factory, noise):
    tmp = tmp_path_factory.mktemp("prop")
    (tmp / "in").mkdir()
    name = f"江西\\ud800{noise}有限公司"  # a lone surrogate, escaped as text
    text = f"走进{name}的车间。{name}党支部书记、总经理张三说，{XSS}“{noise}”。\n{noise}\n"
    (tmp / "in" / "a.txt").write_text(text, encoding="utf-8")
    build([tmp / "in"], tmp / "out", view=False)
    path = tmp / "out" / "graph.ttl"
    count_rdflib, lits_rdflib = literals_rdflib(path)
    count_ox, lits_ox = literals_oxigraph(path)
    assert count_rdflib == count_ox
    assert lits_rdflib == lits_ox
    for line in (tmp / "out" / "provenance.jsonl").read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        assert 0 <= record["sentence_start"] <= record["start"] < record["end"] <= record["sentence_end"] <= len(text)

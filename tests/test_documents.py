"""Stage 1: reading files. Fixture files are written into tmp_path by each test."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graph import documents
from graph.documents import decode_bytes, html_to_text, read_documents
from graph.model import Diagnostic, Document

ROOT = Path(__file__).resolve().parent.parent  # not imported from conftest: tests/ is no package

TEXT = "党建聚链，激发产业活力\n本报记者 朱磊\n"


def read_all(*dirs: Path | str, **kwargs: int) -> list[Document | Diagnostic]:
    return list(read_documents(list(dirs), **kwargs))


def only(items: list[Document | Diagnostic]) -> Document | Diagnostic:
    assert len(items) == 1, items
    return items[0]


@pytest.mark.parametrize("data,encoding", [
    (TEXT.encode("utf-8"), "utf-8"),
    (b"\xef\xbb\xbf" + TEXT.encode("utf-8"), "utf-8-sig"),
    (b"\xff\xfe" + TEXT.encode("utf-16-le"), "utf-16-le"),
    (b"\xfe\xff" + TEXT.encode("utf-16-be"), "utf-16-be"),
    (TEXT.encode("gb18030"), "gb18030"),
], ids=["utf-8", "utf-8-bom", "utf-16-le-bom", "utf-16-be-bom", "gb18030"])
def test_documents_decodes_supported_encodings(tmp_path, data, encoding):
    (tmp_path / "page.txt").write_bytes(data)
    doc = only(read_all(tmp_path))
    assert isinstance(doc, Document)
    assert (doc.text, doc.encoding) == (TEXT, encoding)  # no BOM left in the text


def test_documents_gbk_only_characters_decode_as_gb18030(tmp_path):
    text = "江西省九江市修水县：城市社区一网统管多元共治\n" * 3
    (tmp_path / "gbk.txt").write_bytes(text.encode("gbk"))
    doc = only(read_all(tmp_path))
    assert isinstance(doc, Document) and doc.text == text and doc.encoding == "gb18030"


def test_documents_undecodable_bytes_give_d001(tmp_path):
    (tmp_path / "bad.txt").write_bytes(b"line one\nabc\x80\xff def")
    diag = only(read_all(tmp_path))
    assert isinstance(diag, Diagnostic) and diag.code == "D001" and diag.severity == "error"
    assert diag.message == "not UTF-8, UTF-16 or GB18030 (bad byte 0x80 at offset 12); document skipped"
    assert diag.line == 2 and diag.path.endswith("bad.txt")


@pytest.mark.parametrize("data,offset", [
    (b"\xef\xbb\xbfab\n\xff", 6),
    (b"\xff\xfe" + "党建".encode("utf-16-le") + b"\x00", 6),
    (b"\xfe\xff\xdc\x00", 2),
], ids=["utf-8-bom", "utf-16-le-odd-length", "utf-16-be-lone-surrogate"])
def test_documents_bad_bytes_after_a_bom_give_d001_with_the_file_offset(data, offset):
    diag = decode_bytes(data, "x.txt")
    assert isinstance(diag, Diagnostic) and diag.code == "D001"
    assert f"at offset {offset})" in diag.message


def test_documents_utf32_is_not_mistaken_for_utf16():
    diag = decode_bytes(b"\xff\xfe\x00\x00" + "党".encode("utf-32-le"), "x.txt")
    assert isinstance(diag, Diagnostic) and diag.code == "D003"


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=64))
def test_documents_any_bytes_decode_or_give_a_diagnostic(data):
    result = decode_bytes(data, "x.txt")
    if isinstance(result, Diagnostic):
        assert result.code in {"D001", "D002", "D003"} and result.path == "x.txt"
    else:
        text, encoding = result
        assert encoding in {"utf-8", "utf-8-sig", "utf-16-le", "utf-16-be", "gb18030"}


def test_documents_gb18030_that_does_not_look_like_text_gives_d001(tmp_path):
    # Decodes as GB18030, but to control characters: not a text file.
    (tmp_path / "controls.txt").write_bytes(bytes(range(1, 9)) * 4 + b"\x81\x30\x81\x30")
    diag = only(read_all(tmp_path))
    assert isinstance(diag, Diagnostic) and diag.code == "D001"


@pytest.mark.parametrize("data", [b"", b"  \n\t\r\n", "\u3000\n\ufeff".encode("utf-8"), b"\xef\xbb\xbf"],
                         ids=["zero-bytes", "whitespace", "ideographic-space", "bom-only"])
def test_documents_empty_file_gives_d002_warning(tmp_path, data):
    (tmp_path / "empty.md").write_bytes(data)
    diag = only(read_all(tmp_path))
    assert isinstance(diag, Diagnostic) and (diag.code, diag.severity) == ("D002", "warning")


def test_documents_nul_bytes_give_d003(tmp_path):
    (tmp_path / "image.txt").write_bytes(b"GIF89a\x00\x01\x02\x00binary")
    diag = only(read_all(tmp_path))
    assert isinstance(diag, Diagnostic) and diag.code == "D003"
    assert "offset 6" in diag.message and diag.message.endswith("document skipped")


def test_documents_missing_folder_gives_d005(tmp_path):
    diag = only(read_all(tmp_path / "nowhere"))
    assert isinstance(diag, Diagnostic) and diag.code == "D005"
    assert diag.path.endswith("nowhere")


def test_documents_file_over_the_limit_gives_d006(tmp_path):
    (tmp_path / "big.txt").write_text("党建" * 100, encoding="utf-8")
    diag = only(read_all(tmp_path, max_bytes=100))
    assert isinstance(diag, Diagnostic) and diag.code == "D006" and "600 bytes" in diag.message


def test_documents_unreadable_file_gives_d004_and_the_others_are_read(tmp_path, monkeypatch):
    (tmp_path / "a.txt").write_text("第一篇。", encoding="utf-8")
    (tmp_path / "b.txt").write_text("第二篇。", encoding="utf-8")
    real = Path.read_bytes

    def deny(self: Path) -> bytes:
        if self.name == "a.txt":
            raise PermissionError(13, "Permission denied", str(self))
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", deny)
    first, second = read_all(tmp_path)
    assert isinstance(first, Diagnostic) and first.code == "D004" and "Permission denied" in first.message
    assert isinstance(second, Document) and second.text == "第二篇。"


def test_documents_unlistable_folder_gives_d004(tmp_path, monkeypatch):
    (tmp_path / "ok.txt").write_text("文。", encoding="utf-8")
    real_walk = os.walk

    def walk(top, onerror=None, **kwargs):
        onerror(PermissionError(13, "Permission denied", str(tmp_path / "locked")))
        yield from real_walk(top, onerror=onerror, **kwargs)

    monkeypatch.setattr(documents.os, "walk", walk)
    doc, diag = read_all(tmp_path)
    assert isinstance(doc, Document) and isinstance(diag, Diagnostic)
    assert diag.code == "D004" and diag.path.endswith("locked") and "files in it were skipped" in diag.message


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_documents_named_pipe_is_not_opened(tmp_path):
    os.mkfifo(tmp_path / "pipe.txt")  # opening it would block
    diag = only(read_all(tmp_path))
    assert isinstance(diag, Diagnostic) and diag.code == "D004" and "not a regular file" in diag.message


def test_documents_one_bad_file_among_good_ones(tmp_path):
    (tmp_path / "1.txt").write_text("甲。", encoding="utf-8")
    (tmp_path / "2.txt").write_bytes(b"\xff\xff\xff")
    (tmp_path / "3.txt").write_bytes(b"\x00\x00")
    (tmp_path / "4.md").write_text("乙。", encoding="utf-8")
    items = read_all(tmp_path, tmp_path / "missing")
    assert [i.text if isinstance(i, Document) else i.code for i in items] == ["甲。", "D001", "D003", "乙。", "D005"]


def test_documents_sorted_by_relative_posix_path(tmp_path):
    for name in ["b.txt", "a/z.md", "a/b/c.txt", "A.txt", "a.htm", "skip.json", "a/skip.pdf", "C.MD"]:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("<p>文</p>" if name.endswith("htm") else "文。", encoding="utf-8")
    names = [Path(d.path).relative_to(tmp_path).as_posix() for d in read_all(tmp_path)]
    assert names == ["A.txt", "C.MD", "a.htm", "a/b/c.txt", "a/z.md", "b.txt"]


def test_documents_single_file_is_read(tmp_path):
    path = tmp_path / "one.txt"
    path.write_text("一篇。", encoding="utf-8")
    doc = only(read_all(path))
    assert isinstance(doc, Document) and doc.text == "一篇。"


def test_documents_path_is_relative_to_the_current_folder_when_under_it(tmp_path, monkeypatch):
    (tmp_path / "in" / "sub").mkdir(parents=True)
    (tmp_path / "in" / "sub" / "x.txt").write_text("文。", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert only(read_all("in")).path == "in/sub/x.txt"
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")
    assert only(read_all(tmp_path / "in")).path == (tmp_path / "in" / "sub" / "x.txt").as_posix()


def test_documents_overlapping_inputs_give_one_document_per_file(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "x.txt").write_text("文。", encoding="utf-8")
    assert len(read_all(tmp_path, tmp_path / "sub")) == 1


def test_documents_strips_html(tmp_path):
    html = ("<html><head><title>站点</title><style>p {color: red}</style>"
            "<script>var x = '<p>不要</p>';</script></head><body>"
            "<h1>党建聚链，激发产业活力</h1><p>本报记者 朱磊</p>"
            "<p>走进江西天一航空装备有限公司&nbsp;的\n车间&amp;工厂，<b>机器</b>运转不停。<br>第二行&#12290;</p>"
            "<h2>产业发展到哪里</h2><ul><li>一</li><li>二</li></ul></body></html>")
    (tmp_path / "page.html").write_text(html, encoding="utf-8")
    doc = only(read_all(tmp_path))
    assert isinstance(doc, Document)
    assert doc.text == ("# 党建聚链，激发产业活力\n\n本报记者 朱磊\n\n"
                        "走进江西天一航空装备有限公司\u00a0的 车间&工厂，机器运转不停。\n第二行。\n\n"
                        "## 产业发展到哪里\n\n一\n\n二")


def test_documents_html_keeps_line_breaks_of_pre_only():
    assert html_to_text("<pre>a\n  b</pre><p>c\n d</p>") == "a\nb\n\nc d"


def test_documents_html_without_text_gives_d002(tmp_path):
    (tmp_path / "blank.html").write_text("<html><script>x()</script><p> </p></html>", encoding="utf-8")
    diag = only(read_all(tmp_path))
    assert isinstance(diag, Diagnostic) and diag.code == "D002"


def test_documents_reads_every_seed_page(capsys):
    docs = read_all(ROOT / "seeds")
    assert all(isinstance(d, Document) and d.encoding == "utf-8" for d in docs)
    assert sum(d.path.endswith(".txt") for d in docs if isinstance(d, Document)) == 5
    assert capsys.readouterr() == ("", "")  # never prints

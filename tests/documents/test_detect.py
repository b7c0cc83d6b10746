"""Format detection by content: the extension is never trusted."""

from __future__ import annotations

import codecs
import io
import random
import zipfile

import pytest

from gaibao_pipeline.documents.detect import OLE_MAGIC, detect_format


def _zip(names: list[str], mimetype: str | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        if mimetype is not None:
            archive.writestr("mimetype", mimetype)
        for name in names:
            archive.writestr(name, "<x/>")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (b"%PDF-1.7\n...", "pdf"),
        (_zip(["[Content_Types].xml", "word/document.xml"]), "docx"),
        (_zip(["xl/workbook.xml"]), "xlsx"),
        (_zip(["xl/workbook.bin"]), "xlsb"),
        (_zip(["ppt/presentation.xml"]), "pptx"),
        (_zip(["OFD.xml", "Doc_0/Document.xml"]), "ofd"),
        (_zip(["ofd.xml"]), "ofd"),
        (_zip(["content.xml"], "application/vnd.oasis.opendocument.spreadsheet"), "ods"),
        (_zip(["content.xml"], "application/vnd.oasis.opendocument.text"), "odt"),
        (_zip(["content.xml"], "application/vnd.oasis.opendocument.presentation"), "odp"),
        (_zip(["content.xml"]), "odt"),
        (_zip(["report.pdf", "tables.xlsx"]), "zip"),
        (_zip([]), "zip"),
        (b"Rar!\x1a\x07\x00" + bytes(40), "rar"),
        (b"Rar!\x1a\x07\x01\x00" + bytes(40), "rar"),
        (b"7z\xbc\xaf\x27\x1c" + bytes(40), "7z"),
        (b"\x1f\x8b\x08\x00" + bytes(40), "gzip"),
        (b"BZh91AY&SY" + bytes(40), "bzip2"),
        (b"BZhang Wei's report\n" * 5, "text"),  # no bzip2 stream
        (b"\xfd7zXZ\x00" + bytes(40), "xz"),
        (bytes(257) + b"ustar\x0000" + bytes(300), "tar"),
        (OLE_MAGIC + b"\x00" * 100, "doc"),
        (b"{\\rtf1\\ansi ...}", "rtf"),
        (b"<!DOCTYPE html><html><body><p>x</p></body></html>", "html"),
        ("<html><head><meta charset='gb2312'></head><body>报告</body></html>".encode("gb18030"), "html"),
        ("一、总体情况\n二、主动公开".encode(), "text"),
        ("一、总体情况".encode("utf-16"), "text"),
        (b"\x89PNG\r\n\x1a\n....", "image"),
        (bytes(range(256)) * 4, "binary"),
        (b"\x00\xff" * 500, "binary"),  # zero bytes on one side, yet no text in either byte order
        (b"\x00garbage" * 100, "binary"),
        (b"   \n", "empty"),
        (b"PK\x03\x04garbage", "unreadable"),
    ],
)
def test_detect_format(data: bytes, kind: str) -> None:
    assert detect_format(data) == kind


def test_ole_files_are_told_apart_by_their_streams() -> None:
    from tests.documents.test_legacy_office import fib, make_ole

    assert detect_format(make_ole({"WordDocument": fib(), "1Table": bytes(600)}), "x.xls") == "doc"
    assert detect_format(make_ole({"Workbook": bytes(5000)}), "report.doc") == "xls"
    assert detect_format(make_ole({"Book": bytes(5000)}), "report.et") == "xls"
    assert detect_format(make_ole({"PowerPoint Document": bytes(5000)})) == "ppt"


def test_formats_not_read_say_which_they_are() -> None:
    from gaibao_pipeline.documents import read_document
    from gaibao_pipeline.errors import DocumentError, Status

    for data, kind in ((_zip(["xl/workbook.bin"]), "xlsb"), (b"\x1f\x8b\x08\x00" + bytes(40), "gzip")):
        with pytest.raises(DocumentError) as caught:
            read_document(data, "file")
        assert caught.value.status is Status.UNSUPPORTED_FORMAT
        assert str(caught.value).startswith(f"unsupported_format: {kind}: ")


def test_extension_does_not_decide() -> None:
    assert detect_format(b"%PDF-1.4 ...", "report.docx") == "pdf"
    assert detect_format(b"<html><body>x</body></html>", "report.txt") == "html"


NARRATIVE = (
    "\n\n某某市某某局2022年政府信息公开工作年度报告\n\n一、总体情况\n\n"
    "2022年，我局坚持以公开为常态、不公开为例外，推进决策公开、执行公开、管理公开、服务公开、结果公开，"
    "主动公开政府信息一百余条，依申请公开工作依法依规开展，公开平台建设不断加强。\n"
)


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be", "utf-16"])
def test_utf16_text_without_a_bom_is_text(encoding: str) -> None:
    """Zero bytes are ASCII's high bytes, not binary: even where 开 and 一 put theirs on the other side."""
    assert detect_format(NARRATIVE.encode(encoding)) == "text"


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be", "utf-16"])
def test_utf16_html_is_html(encoding: str) -> None:
    page = "<html><head><title>报告</title></head><body><p>" + NARRATIVE + "</p></body></html>"
    assert detect_format(page.encode(encoding)) == "html"


def test_random_bytes_are_binary_even_with_html_fragments_or_a_bom() -> None:
    """Regression: random bytes holding '<p ' and '</' were read as an HTML page (a flaky hostile test)."""
    rng = random.Random(7)
    for _ in range(300):
        blob = rng.randbytes(3000)
        assert detect_format(blob) == "binary"
        assert detect_format(blob[:1000] + b"<p " + blob[1000:2000] + b"</" + blob[2000:]) == "binary"
        assert detect_format(codecs.BOM_UTF16_LE + blob) == "binary"

"""Format detection by content: the extension is never trusted."""

from __future__ import annotations

import codecs
import io
import random
import zipfile

import pytest

from gaibao_pipeline.documents.detect import OLE_MAGIC, detect_format


def _zip(names: list[str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in names:
            archive.writestr(name, "<x/>")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (b"%PDF-1.7\n...", "pdf"),
        (_zip(["[Content_Types].xml", "word/document.xml"]), "docx"),
        (_zip(["xl/workbook.xml"]), "xlsx"),
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

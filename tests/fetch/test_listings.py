"""Reading list pages and articles as CMSs write them: links, pagination styles, JSON lists, attachments."""

from __future__ import annotations

import json

from gaibao_pipeline.fetch.listings import read_article, read_listing
from gaibao_pipeline.fetch.store import extension_for, file_name, safe_stem, with_agency

BASE = "https://www.example.gov.cn/xxgk/ndbg/"


def test_static_pagination_and_links() -> None:
    page = (
        '<html><body><ul><li><a href="./202402/t1.html" title="三明市人民政府2023年政府信息公开工作年度报告">'
        "三明市人民政府2023年政府信息公开工作…</a><span>2024-01-20</span></li></ul>"
        '<a href="index_1.htm">下一页</a><a href="index_9.htm">尾页</a><a href="../other/index_1.htm">别的栏目</a>'
        '<a href="javascript:void(0)">打印</a><a href="mailto:a@b.cn">邮箱</a></body></html>'
    ).encode()
    listing = read_listing(page, BASE + "index.htm")
    assert listing.pages == [BASE + "index_1.htm", BASE + "index_9.htm"]
    (link,) = [lk for lk in listing.links if "年度报告" in lk.title]
    assert (
        link.url == BASE + "202402/t1.html"
        and link.title.endswith("年度报告")
        and link.published_at == "2024-01-20"
    )
    assert not [lk for lk in listing.links if lk.url.startswith(("javascript", "mailto"))]


def test_query_pagination() -> None:
    page = b'<html><body><a href="?page=2">2</a><a href="list.jsp?page=3&col=5">3</a></body></html>'
    listing = read_listing(page, "https://x.gov.cn/list.jsp?page=1&col=5")
    assert listing.pages == ["https://x.gov.cn/list.jsp?page=2", "https://x.gov.cn/list.jsp?page=3&col=5"]


def test_trs_create_page_html_with_literals_and_variables() -> None:
    literal = b'<html><body><script>createPageHTML(3, 0, "index", "shtml");</script></body></html>'
    listing = read_listing(literal, BASE + "index.shtml")
    assert listing.pages == [BASE + "index_1.shtml", BASE + "index_2.shtml"] and listing.page_count == 3
    newer = b"<html><body><script>var c = 2;createPageHTML('page_div', c, 1, 'index', 'htm', 40);</script></body></html>"
    assert read_listing(newer, BASE + "index_1.htm").pages == [BASE + "index.htm"]


def test_gbk_list_page() -> None:
    page = '<html><head><meta charset="gbk"></head><body><a href="a.html">政府信息公开工作年度报告</a></body></html>'
    listing = read_listing(page.encode("gbk"), BASE)
    assert listing.links[0].title == "政府信息公开工作年度报告"


def test_json_list_endpoint_and_jsonp() -> None:
    payload = {
        "code": 0,
        "data": {
            "totalPage": 4,
            "records": [
                {
                    "DOCTITLE": "<em>某区</em>2023年政府信息公开工作年度报告",
                    "DOCPUBURL": "/a/1.html",
                    "DOCRELTIME": "2024-01-31 10:00:00",
                },
                {
                    "title": "某区2023年政府信息公开工作年度报告（PDF）",
                    "linkUrl": "https://cdn.example.gov.cn/f.pdf",
                },
            ],
        },
    }
    listing = read_listing(
        json.dumps(payload, ensure_ascii=False).encode(), "https://x.gov.cn/api/list?page=1"
    )
    assert [(lk.title, lk.url, lk.published_at) for lk in listing.links] == [
        ("某区2023年政府信息公开工作年度报告", "https://x.gov.cn/a/1.html", "2024-01-31T10:00:00"),
        ("某区2023年政府信息公开工作年度报告（PDF）", "https://cdn.example.gov.cn/f.pdf", None),
    ]
    assert listing.page_count == 4
    jsonp = b"callback(" + json.dumps(payload).encode() + b");"
    assert len(read_listing(jsonp, "https://x.gov.cn/api/list?page=1").links) == 2


def test_article_attachments_and_viewers() -> None:
    page = """<html><head><meta name="ArticleTitle" content="某局2023年政府信息公开工作年度报告">
    <meta name="PubDate" content="2024-01-25 09:30"></head><body>
    <div class="header"><a href="/app.pdf">客户端下载.pdf</a></div>
    <div class="article"><div id="zoom"><p>现将本机关2023年度政府信息公开工作情况报告如下。一、总体情况……二、主动公开政府信息情况……</p>
    <iframe src="/pdfjs/web/viewer.html?file=/files/r.pdf"></iframe></div>
    <div class="fj">附件：<a href="/files/r.docx">年度报告.docx</a> <a href="/download.jsp?id=7">统计表.xls</a>
    <a href="/files/photo.jpg">照片</a></div></div>
    <div class="footer"><a href="/guide.pdf">网站使用说明.pdf</a></div></body></html>"""
    found = read_article(page.encode(), "https://x.gov.cn/art/2024/1/25/art_1.html")
    assert found.title == "某局2023年政府信息公开工作年度报告" and found.published_at == "2024-01-25T09:30:00"
    assert [a.url for a in found.attachments] == [
        "https://x.gov.cn/files/r.pdf",
        "https://x.gov.cn/files/r.docx",
        "https://x.gov.cn/download.jsp?id=7",
    ]


def test_file_names_come_from_no_server_path() -> None:
    assert safe_stem("../../etc/passwd") == "etc_passwd"
    assert safe_stem('a\\b:c*?"<>|\x00d') == "a_b_c_d"
    assert safe_stem("   ") == "report" and len(safe_stem("长" * 500)) == 60
    name = file_name("../x/三明市2023年报告", "https://x.gov.cn/a/../../b.pdf", "pdf")
    assert "/" not in name and name.startswith("x_三明市2023年报告_") and name.endswith(".pdf")
    assert (
        with_agency("2023年度政府信息公开工作年报", "三明市人民政府")
        == "三明市人民政府2023年度政府信息公开工作年报"
    )
    assert with_agency("三明市教育局2023年报告", "三明市人民政府") == "三明市教育局2023年报告"


def test_extensions_are_sniffed_not_believed() -> None:
    pdf = b"%PDF-1.4\n" + bytes(100)
    assert extension_for(pdf, "https://x.gov.cn/f.exe") == "pdf"
    assert extension_for(b"<html><body><p>hi</p></body></html>", "https://x.gov.cn/f.pdf") == "html"
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100)
    assert (
        extension_for(ole, "https://x.gov.cn/a.wps") == "wps"
        and extension_for(ole, "https://x.gov.cn/a.sh") == "doc"
    )
    assert extension_for(b"\x7fELF\x02\x01\x01" + bytes(100), "https://x.gov.cn/a.pdf") == "bin"

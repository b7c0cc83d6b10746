"""The HTML reader: decoding (BOM, meta charset, gb2312 read as GB18030), the article without
site chrome, rowspan/colspan laid out like a browser, &nbsp; blanks vs '0', <br> in cells,
nested and layout tables, published_at from meta tags and visible text, hostile tables."""

from __future__ import annotations

import quopri
import random
import time
from dataclasses import replace

import pytest

from gaibao_pipeline.documents import read_document
from gaibao_pipeline.documents.html.reader import parse_datetime, read_html
from gaibao_pipeline.errors import DocumentError, Status
from gaibao_pipeline.limits import Limits
from gaibao_pipeline.model import Document, Grid, Paragraph
from gaibao_pipeline.synth import SynthReport, build_html, random_report
from gaibao_pipeline.synth.layout import cell_positions
from gaibao_pipeline.synth.values import format_value

from .test_docx_fixtures import assert_slots_disjoint, spans

LIMITS = Limits()


def page(body: str, head: str = "", charset: str = "utf-8") -> bytes:
    html = f'<html><head><meta charset="{charset}">{head}</head><body>{body}</body></html>'
    return html.encode("gb18030" if charset.lower() in ("gb2312", "gbk", "gb18030") else charset)


def blocks(data: bytes) -> list[str]:
    doc = read_html(data, LIMITS)
    return [b.text if isinstance(b, Paragraph) else b.text() for b in doc.blocks]


@pytest.fixture(scope="module", params=["2021", "2019"])
def built(request: pytest.FixtureRequest) -> tuple[SynthReport, Document]:
    report = random_report(random.Random(11), request.param, int(request.param), "某某市生态环境局")
    return report, read_html(build_html(report), LIMITS)


def test_built_page_values_each_once(built: tuple[SynthReport, Document]) -> None:
    report, doc = built
    assert [g.index for g in doc.grids] == [0, 1, 2]
    at = {c.where: c for g in doc.grids for c in g.cells}
    for key, where in cell_positions(report.template).items():
        assert at[where].text == format_value(report.cells[key]), key
    for grid in doc.grids:
        assert_slots_disjoint(grid)


def test_built_page_spans(built: tuple[SynthReport, Document]) -> None:
    report, doc = built
    t3, t4 = doc.grids[1], doc.grids[2]
    by_text = spans(t3)
    results = 22 if report.template == "2021" else 20
    assert by_text["三、本年度办理结果"] == (5, 0, results, 1)
    assert by_text["（三）不予公开"] == (7, 1, 8, 1)
    assert by_text["（二）部分公开\n（区分处理的，只计这一情形，不计其他情形）"] == (6, 1, 1, 2)
    assert by_text["自然人"] == (1, 3, 2, 1)
    assert spans(t4)["行政复议"] == (0, 0, 1, 5)
    assert spans(t4)["未经复议直接起诉"] == (1, 5, 1, 5)
    assert (t4.n_rows, t4.n_cols, t3.n_cols) == (4, 15, 10)


def test_built_page_chrome_stripped(built: tuple[SynthReport, Document]) -> None:
    report, doc = built
    text = doc.text()
    assert doc.paragraphs[0].text == report.title  # the headline sits outside the article box
    for chrome in ("首页", "当前位置", "政务服务", "主办单位", "不应出现", "分享到", "打印本页", "访问统计"):
        assert chrome not in text
    assert doc.paragraphs[-1].text.endswith("日") and report.agency == doc.paragraphs[-2].text
    assert doc.metadata.title == report.title
    assert doc.metadata.author == report.agency
    assert report.published_at is not None
    assert doc.metadata.published_at == report.published_at.isoformat()


def test_blank_nbsp_vs_zero() -> None:
    data = page("<table><tr><td>&nbsp;</td><td>0</td><td>\u3000</td><td> &nbsp;7&nbsp; </td></tr></table>")
    (grid,) = read_html(data, LIMITS).grids
    assert [c.text for c in grid.cells] == ["", "0", "", "7"]


def test_2019_blanks_survive() -> None:
    report = random_report(random.Random(3), "2019", 2019, "某某镇人民政府")
    blanks = [k for k, v in report.cells.items() if v is None]
    assert blanks
    doc = read_html(build_html(report), LIMITS)
    at = {c.where: c.text for g in doc.grids for c in g.cells}
    positions = cell_positions("2019")
    assert all(at[positions[k]] == "" for k in blanks)


def test_gb2312_declaration_decoded_as_gb18030() -> None:
    report = random_report(random.Random(5), "2021", 2021, "某某县人民政府")
    sections = ("申请人张㛃和𠀀先生的申请已办结，此后的文字必须完整。", *report.sections[1:])
    data = build_html(replace(report, sections=sections), encoding="gb2312")
    assert b"charset=gb2312" in data
    with pytest.raises(UnicodeEncodeError):
        "㛃".encode("gb2312")  # outside GB2312: only a GB18030 reading keeps it
    doc = read_document(data, "report.htm")
    assert "申请人张㛃和𠀀先生的申请已办结，此后的文字必须完整。" in [p.text for p in doc.paragraphs]
    assert doc.warnings == []


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        # UTF-8 with a BOM and no declaration
        (
            b"\xef\xbb\xbf<html><body><p>\xe5\xb9\xb4\xe5\xba\xa6\xe6\x8a\xa5\xe5\x91\x8a</p></body></html>",
            "年度报告",
        ),
        # http-equiv declaration, GBK bytes
        (
            '<html><head><meta http-equiv="Content-Type" content="text/html; charset=GBK"></head>'
            "<body><p>政府信息公开</p></body></html>".encode("gbk"),
            "政府信息公开",
        ),
        # XHTML with an XML declaration naming the encoding
        (
            '<?xml version="1.0" encoding="gb2312"?><html><body><p>工作年度报告</p></body></html>'.encode(
                "gbk"
            ),
            "工作年度报告",
        ),
        # a wrong declaration: says utf-8, is GB18030
        (page("<p>本年度共收到申请</p>", charset="utf-8").decode().encode("gb18030"), "本年度共收到申请"),
    ],
)
def test_decoding(data: bytes, expected: str) -> None:
    assert blocks(data) == [expected]


def test_rowspan_colspan_like_a_browser() -> None:
    table = (
        "<table>"
        '<tr><td rowspan="3">A</td><td colspan="2">B</td><td rowspan="2">C</td></tr>'
        "<tr><td>D</td><td>E</td></tr>"
        '<tr><td colspan="3">F</td></tr>'
        '<tr><td>G</td><td rowspan="9">H</td><td>I</td></tr>'  # rowspan past the end is clamped
        '<tr><td rowspan="0">J</td></tr>'  # rowspan=0 reaches the last row
        "</table>"
    )
    (grid,) = read_html(page(table), LIMITS).grids
    assert_slots_disjoint(grid)
    assert spans(grid) == {
        "A": (0, 0, 3, 1),
        "B": (0, 1, 1, 2),
        "C": (0, 3, 2, 1),
        "D": (1, 1, 1, 1),
        "E": (1, 2, 1, 1),
        "F": (2, 1, 1, 3),
        "G": (3, 0, 1, 1),
        "H": (3, 1, 2, 1),
        "I": (3, 2, 1, 1),
        "J": (4, 0, 1, 1),
    }


def test_br_and_source_line_breaks_in_cells() -> None:
    cells = "<td>本年新收政府信息\n    公开申请数量</td><td>结果<br>维持</td><td><p>甲</p><p>乙</p></td>"
    table = f"<table><tr>{cells}</tr></table>"
    (grid,) = read_html(page(table), LIMITS).grids
    assert [c.text for c in grid.cells] == ["本年新收政府信息公开申请数量", "结果\n维持", "甲\n乙"]


def test_nested_table_follows_outer() -> None:
    body = (
        "<p>前</p><table><tr><td>外层<table><tr><td>内1</td><td>内2</td></tr></table></td><td>右</td></tr></table>"
        "<p>后</p><table><tr><td>x</td><td>y</td></tr></table>"
    )
    doc = read_html(page(body), LIMITS)
    assert [b.text if isinstance(b, Paragraph) else b.text() for b in doc.blocks] == [
        "前",
        "外层\t右",
        "内1\t内2",
        "后",
        "x\ty",
    ]
    assert [g.index for g in doc.grids] == [0, 1, 2]
    assert doc.grids[2].cells[0].where.table_index == 2


def test_layout_table_is_flowed_not_gridded() -> None:
    article = "".join(
        f"<p>第{i}段政府信息公开工作情况说明文字内容较长以便识别为正文。</p>" for i in range(12)
    )
    inner = "<table><tr><td>申请</td><td>5</td></tr></table>"
    body = f'<table width="100%"><tr><td>{article}{inner}</td></tr></table>'
    doc = read_html(page(body), LIMITS)
    assert len(doc.grids) == 1 and doc.grids[0].text() == "申请\t5"
    assert len(doc.paragraphs) == 12


def test_main_container_found_without_known_names() -> None:
    nav = "<div class='menu'>" + "".join(f"<a href='#'>栏目{i}导航链接</a>" for i in range(40)) + "</div>"
    article = "".join(f"<p>第{i}条：本机关全年主动公开政府信息情况良好。</p>" for i in range(20))
    body = (
        f"{nav}<div class='wrap'><div class='left'>{article}</div>"
        "<div class='right'><a href='#'>相关链接</a></div></div>"
        "<div class='bottom'>版权所有：某某市人民政府　地址：某某路1号　电话：12345</div>"
    )
    texts = blocks(page(body))
    assert texts == [f"第{i}条：本机关全年主动公开政府信息情况良好。" for i in range(20)]


def test_scripts_styles_hidden_and_forms_dropped() -> None:
    body = (
        "<div id='zoom'><script>var a='脚本';</script><style>p{}</style><noscript>请启用</noscript>"
        "<p>正文一</p><!-- 注释 --><div style='display: none'>隐藏</div><span hidden>也隐藏</span>"
        "<form><input value='搜索'><button>提交</button>检索</form><p onclick='alert(1)'>正文二</p></div>"
    )
    assert blocks(page(body)) == ["正文一", "正文二"]


@pytest.mark.parametrize(
    ("head", "body", "expected"),
    [
        ('<meta name="PubDate" content="2022-02-08 16:34">', "", "2022-02-08T16:34:00"),
        (
            '<meta property="article:published_time" content="2021-03-01T08:00:00+08:00">',
            "",
            "2021-03-01T08:00:00+08:00",
        ),
        ('<meta name="firstpublishedtime" content="2022-02-08-16:34:12">', "", "2022-02-08T16:34:12"),
        ("", "<div>发布时间：2022-02-08 16:34</div>", "2022-02-08T16:34:00"),
        ("", "<span>发布日期：</span><span>2022年02月08日</span>", "2022-02-08"),
        ("", "<div>时间:2021-02-05　来源：本站</div>", "2021-02-05"),
        ("", "<div>發布日期:2023-05-15 10:44來源:國務院辦公廳</div>", "2023-05-15T10:44:00"),  # 繁體 page
        ("", "<div>作者: 來自: 時間:2021-09-29 10:05:00</div>", "2021-09-29T10:05:00"),
        ("", "<p>发布于 2020-03-31</p>", "2020-03-31"),
        # 发布日期 wins over an earlier 成文日期; a bare 日期 label must stand alone
        ("", "<td>成文日期：2021-01-04</td><td>发布日期：2021-01-06</td>", "2021-01-06"),
        ("", "<div>更新时间：2023-05-01</div>", None),
        ("", "<div>发布时间：2022-13-45</div>", None),  # not a date
    ],
)
def test_published_at(head: str, body: str, expected: str | None) -> None:
    doc = read_html(page(f"{body}<div id='zoom'><p>报告正文</p></div>", head=head), LIMITS)
    assert doc.metadata.published_at == expected


def test_parse_datetime() -> None:
    assert parse_datetime("2022年2月8日 9时05分") == "2022-02-08T09:05:00"
    assert parse_datetime("2022/02/08") == "2022-02-08"
    assert parse_datetime("无日期") is None


def test_title_from_title_tag_without_meta() -> None:
    doc = read_html(page("<p>正文</p>", head="<title>某某区2022年政府信息公开工作年度报告</title>"), LIMITS)
    assert doc.metadata.title == "某某区2022年政府信息公开工作年度报告"


def test_hostile_spans_are_bounded() -> None:
    rows = "".join('<tr><td rowspan="65534" colspan="1000">x</td></tr>' for _ in range(3000))
    started = time.perf_counter()
    with pytest.raises(DocumentError) as caught:
        read_html(page(f"<table>{rows}</table>"), LIMITS)
    assert caught.value.status == Status.TOO_LARGE
    assert time.perf_counter() - started < 5.0


@pytest.mark.parametrize(
    "data", [b"<html><body></body></html>", b"<html><body><script>x()</script></body></html>"]
)
def test_no_visible_text_is_unreadable(data: bytes) -> None:
    with pytest.raises(DocumentError) as caught:
        read_html(data, LIMITS)
    assert caught.value.status == Status.UNREADABLE


def test_dispatcher_reads_html() -> None:
    doc = read_document(page("<p>年度报告</p>"), "index.html")
    assert doc.format == "html" and isinstance(doc.blocks[0], Paragraph)
    assert not any(isinstance(b, Grid) for b in doc.blocks)


def test_gb_declaration_on_utf8_page_is_overruled() -> None:
    data = '<html><head><meta charset="gb2312"></head><body><p>政府信息公开年度报告</p></body></html>'
    doc = read_html(data.encode("utf-8"), LIMITS)
    assert doc.paragraphs[0].text == "政府信息公开年度报告"
    assert doc.warnings == ["page declares gb2312 but is UTF-8; read as UTF-8"]


def test_pre_keeps_its_lines() -> None:
    body = "<pre>一、本年新收申请  12\n<b>二、上年</b>结转  3<script>x</script>\n\n三、办结  15</pre>"
    assert blocks(page(body)) == ["一、本年新收申请 12", "二、上年结转 3", "三、办结 15"]


def test_published_at_inside_html5_header() -> None:
    body = "<article><header><h1>某某市2022年报告</h1><time>发布时间：2023-01-30 10:00</time></header>"
    body += "<p>正文内容</p></article>"
    doc = read_html(page(body), LIMITS)
    assert doc.metadata.published_at == "2023-01-30T10:00:00"
    assert doc.paragraphs[0].text == "某某市2022年报告"  # headline kept though <header> is chrome


def test_mht_single_file_web_page() -> None:
    html = "<html><body><div class=WordSection1><p class=MsoNormal>一、总体情况</p>"
    html += "<table><tr><td>申请</td><td>&nbsp;</td></tr></table></div></body></html>"
    encoded = quopri.encodestring(html.encode("gb18030")).decode("ascii")
    mht = (
        'MIME-Version: 1.0\r\nContent-Type: multipart/related; boundary="----=_NextPart_01"\r\n\r\n'
        "------=_NextPart_01\r\nContent-Location: file:///C:/report.htm\r\n"
        'Content-Transfer-Encoding: quoted-printable\r\nContent-Type: text/html; charset="gb2312"\r\n\r\n'
        f"{encoded}\r\n------=_NextPart_01--\r\n"
    ).encode("ascii")
    doc = read_document(mht, "report.doc")
    assert doc.format == "html"
    assert doc.paragraphs[0].text == "一、总体情况"
    assert [c.text for c in doc.grids[0].cells] == ["申请", ""]


@pytest.mark.parametrize(
    ("table", "grids"),
    [
        ("<table><tr><td><p>一段</p><p>两段</p></td></tr></table>", 0),  # a lone cell is a box
        ("<table><tr><td></td><td><p>正文</p><p>正文</p></td><td></td></tr></table>", 0),  # spacer cells
        ("<table><tr><td>申请</td><td>&nbsp;</td></tr></table>", 1),  # sparse, but data
        ("<table><tr><td>合计</td><td>0</td></tr></table>", 1),
    ],
)
def test_layout_or_data_table(table: str, grids: int) -> None:
    assert len(read_html(page(table), LIMITS).grids) == grids

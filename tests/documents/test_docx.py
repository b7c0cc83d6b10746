"""The DOCX reader: merged cells as spans (never double counted), body order, nested tables,
content controls, blanks vs '0', metadata, and hostile packages (entity bombs, zip bombs,
corrupt zips)."""

from __future__ import annotations

import io
import random
import time
import zipfile
from pathlib import Path

import pytest

from gaibao_pipeline.documents import read_document
from gaibao_pipeline.documents.docx.numbering import format_number
from gaibao_pipeline.documents.docx.reader import read_docx
from gaibao_pipeline.errors import DocumentError, Status
from gaibao_pipeline.limits import Limits
from gaibao_pipeline.model import Document, Grid, Paragraph
from gaibao_pipeline.synth import SynthReport, build_docx, random_report
from gaibao_pipeline.synth.layout import cell_positions
from gaibao_pipeline.synth.values import format_value

from .test_docx_fixtures import W_NS, assert_slots_disjoint, document_xml, make_docx, p, spans, tbl, tc, tr

TEMPLATE = Path(__file__).parents[1] / "data" / "documents" / "template-2021-blank.docx"
LIMITS = Limits()


@pytest.fixture(scope="module")
def report_and_doc() -> tuple[SynthReport, Document]:
    report = random_report(random.Random(7), "2021", 2021, "某某县人民政府办公室")
    return report, read_docx(build_docx(report, TEMPLATE), LIMITS)


def test_template_t3_spans(report_and_doc: tuple[SynthReport, Document]) -> None:
    _, doc = report_and_doc
    t3 = doc.grids[1]
    assert_slots_disjoint(t3)
    by_text = spans(t3)
    assert by_text["三、本年度办理结果"] == (5, 0, 22, 1)
    assert by_text["（三）不予公开"] == (7, 1, 8, 1)
    assert by_text["申请人情况"] == (0, 3, 1, 7)
    assert by_text["一、本年新收政府信息公开申请数量"] == (3, 0, 1, 3)
    assert (t3.n_rows, t3.n_cols) == (28, 10)


def test_template_values_each_once(report_and_doc: tuple[SynthReport, Document]) -> None:
    report, doc = report_and_doc
    at = {c.where: c for g in doc.grids for c in g.cells}
    for key, where in cell_positions("2021").items():
        cell = at[where]
        assert cell.text == format_value(report.cells[key]), key
        assert cell.where == where
    for grid in doc.grids:
        assert_slots_disjoint(grid)
    # 行政许可's one value cell spans the three value columns and is read once
    licensing = next(c for c in doc.grids[0].cells if c.row == 6 and c.col == 1)
    assert (licensing.colspan, len([c for c in doc.grids[0].cells if c.row == 6])) == (3, 2)


def test_python_docx_repeats_merged_cells() -> None:
    """Why the reader does not use python-docx's row.cells: it returns a merged cell per slot."""
    import docx

    table = docx.Document(str(TEMPLATE)).tables[0]
    assert [c.text for c in table.rows[6].cells].count("") == 3  # 行政许可's one value cell, thrice


def test_body_order(report_and_doc: tuple[SynthReport, Document]) -> None:
    report, doc = report_and_doc
    kinds = ["grid" if isinstance(b, Grid) else b.text for b in doc.blocks]
    assert kinds[0] == report.title
    heading = kinds.index("三、收到和处理政府信息公开申请情况")
    assert kinds.index("grid") < heading < kinds.index("四、政府信息公开行政复议、行政诉讼情况")
    assert kinds[heading + 2] == "grid"  # the narrative under the heading, then table 三
    assert kinds[-2:] == [
        report.agency,
        f"{report.report_date.year}年{report.report_date.month}月{report.report_date.day}日",
    ]
    assert [g.index for g in doc.grids] == [0, 1, 2]
    assert all(isinstance(b, Paragraph) and b.where.line for b in doc.blocks if not isinstance(b, Grid))


def test_metadata(report_and_doc: tuple[SynthReport, Document]) -> None:
    report, doc = report_and_doc
    assert doc.format == "docx"
    assert doc.metadata.title == report.title
    assert doc.metadata.author == report.agency
    assert doc.metadata.created_at == f"{report.report_date.isoformat()}T09:00:00Z"


def test_blank_ideographic_space_vs_zero() -> None:
    body = tbl(tr(tc("\u3000\u3000"), tc("0"), tc("\u00a0"), tc("  12 ")))
    (grid,) = read_docx(make_docx(body), LIMITS).grids
    assert [c.text for c in grid.cells] == ["", "0", "", "12"]


def test_vmerge_gridspan_gridbefore_gridafter() -> None:
    body = tbl(
        tr(tc("A", vmerge="restart"), tc("B", span=2), tc("C")),
        tr(tc(vmerge=""), tc("D"), tc("E"), tc("F")),  # bare w:vMerge means continue
        tr(tc("G", span=2), after=2),
        tr(tc("H"), tc("I", span=2, vmerge="restart"), before=1),
        tr(tc("J"), tc("K"), tc(span=2, vmerge="continue")),
    )
    (grid,) = read_docx(make_docx(body), LIMITS).grids
    assert_slots_disjoint(grid)
    assert spans(grid) == {
        "A": (0, 0, 2, 1),
        "B": (0, 1, 1, 2),
        "C": (0, 3, 1, 1),
        "D": (1, 1, 1, 1),
        "E": (1, 2, 1, 1),
        "F": (1, 3, 1, 1),
        "G": (2, 0, 1, 2),
        "H": (3, 1, 1, 1),
        "I": (3, 2, 2, 2),
        "J": (4, 0, 1, 1),
        "K": (4, 1, 1, 1),
    }
    assert len(grid.cells) == 11


def test_legacy_hmerge() -> None:
    body = tbl(
        tr(tc("合并", hmerge="restart"), tc(hmerge="continue"), tc("X")), tr(tc("a"), tc("b"), tc("c"))
    )
    (grid,) = read_docx(make_docx(body), LIMITS).grids
    assert spans(grid)["合并"] == (0, 0, 1, 2)
    assert spans(grid)["X"] == (0, 2, 1, 1)
    assert len(grid.cells) == 5


def test_nested_table_follows_outer() -> None:
    inner = tbl(tr(tc("内1"), tc("内2")))
    body = p("前") + tbl(tr(tc(p("外层文字") + inner), tc("右"))) + p("中") + tbl(tr(tc("后表")))
    doc = read_docx(make_docx(body), LIMITS)
    blocks = [b.text if isinstance(b, Paragraph) else b.text() for b in doc.blocks]
    assert blocks == ["前", "外层文字\t右", "内1\t内2", "中", "后表"]
    assert [g.index for g in doc.grids] == [0, 1, 2]
    assert doc.grids[1].cells[1].where.table_index == 1


def test_content_controls_and_revisions() -> None:
    body = (
        "<w:sdt><w:sdtPr/><w:sdtContent>" + p("块级控件") + "</w:sdtContent></w:sdt>"
        "<w:p><w:r><w:t>行内</w:t></w:r><w:sdt><w:sdtContent><w:r><w:t>控件</w:t></w:r>"
        "</w:sdtContent></w:sdt><w:del><w:r><w:delText>删除</w:delText></w:r></w:del>"
        '<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText>PAGE</w:instrText></w:r>'
        "<w:ins><w:r><w:t>插入</w:t></w:r></w:ins></w:p>"
        + tbl(
            tr(
                "<w:sdt><w:sdtContent>" + tc("单元格控件") + "</w:sdtContent></w:sdt>",
                tc("<w:p><w:sdt><w:sdtContent><w:r><w:t>17</w:t></w:r></w:sdtContent></w:sdt></w:p>"),
            )
        )
    )
    doc = read_docx(make_docx(body), LIMITS)
    assert [b.text for b in doc.paragraphs] == ["块级控件", "行内控件插入"]
    assert [c.text for c in doc.grids[0].cells] == ["单元格控件", "17"]


def test_text_box_read_once() -> None:
    box = "<w:txbxContent>" + p("文本框") + "</w:txbxContent>"
    body = (
        "<w:p><w:r><w:t>正文</w:t></w:r><w:r><mc:AlternateContent>"
        f'<mc:Choice Requires="wps"><w:drawing><wps:txbx>{box}</wps:txbx></w:drawing></mc:Choice>'
        f"<mc:Fallback><w:pict><v:textbox>{box}</v:textbox></w:pict></mc:Fallback>"
        "</mc:AlternateContent></w:r></w:p>"
    )
    assert [b.text for b in read_docx(make_docx(body), LIMITS).paragraphs] == ["正文", "文本框"]


def test_alt_chunk_html_is_read() -> None:
    rels = (
        '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rIdHtml" Target="part.html" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/aFChunk"/></Relationships>'
    )
    page = "<html><body><p>嵌入的网页正文</p><table><tr><td>申请</td><td>3</td></tr></table></body></html>"
    docx = make_docx(
        tbl(tr(tc("先"))) + '<w:altChunk r:id="rIdHtml"/>',
        parts={"word/_rels/document.xml.rels": rels.encode(), "word/part.html": page.encode()},
    )
    doc = read_docx(docx, LIMITS)
    assert [b.text if isinstance(b, Paragraph) else b.text() for b in doc.blocks] == [
        "先",
        "嵌入的网页正文",
        "申请\t3",
    ]
    assert [g.index for g in doc.grids] == [0, 1]
    assert doc.grids[1].cells[0].where.table_index == 1


def _bomb_prolog(levels: int = 10) -> str:
    entities = '<!ENTITY lol0 "lol">' + "".join(
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, levels)
    )
    return f"<!DOCTYPE w:document [{entities}]>"


def test_billion_laughs_neither_expands_nor_hangs() -> None:
    xml = document_xml(p("开头") + "<w:p><w:r><w:t>&lol9;</w:t></w:r></w:p>", _bomb_prolog())
    started = time.perf_counter()
    try:
        doc = read_docx(make_docx(xml=xml), LIMITS)
    except DocumentError as exc:
        assert exc.status == Status.UNREADABLE  # libxml2 refuses the amplification outright
    else:
        assert "lollol" not in doc.text() and len(doc.text()) < 1000
    assert time.perf_counter() - started < 2.0


def test_external_entity_not_loaded() -> None:
    prolog = '<!DOCTYPE w:document [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    xml = document_xml("<w:p><w:r><w:t>x&xxe;y</w:t></w:r></w:p>", prolog)
    try:
        doc = read_docx(make_docx(xml=xml), LIMITS)
    except DocumentError as exc:
        assert exc.status == Status.UNREADABLE
    else:
        assert "root:" not in doc.text()


def test_zip_bomb_member_is_too_large() -> None:
    zeros = b"\0" * (50 * 1024 * 1024)  # deflates ~1000:1
    with pytest.raises(DocumentError) as caught:
        read_docx(make_docx(p("正文"), parts={"word/media/image1.bin": zeros}), LIMITS)
    assert caught.value.status == Status.TOO_LARGE
    assert "compression ratio" in caught.value.message


def test_total_inflated_size_limit() -> None:
    with pytest.raises(DocumentError) as caught:
        read_docx(TEMPLATE.read_bytes(), Limits(max_decompressed_bytes=100_000))
    assert caught.value.status == Status.TOO_LARGE


@pytest.mark.parametrize(
    "data",
    [
        TEMPLATE.read_bytes()[:8000],  # truncated download
        b"PK\x03\x04" + bytes(random.Random(1).randrange(256) for _ in range(3000)),  # garbage
        make_docx(xml=b"<w:document><w:body><w:p>"),  # malformed XML
    ],
)
def test_corrupt_is_unreadable(data: bytes) -> None:
    with pytest.raises(DocumentError) as caught:
        read_docx(data, LIMITS)
    assert caught.value.status == Status.UNREADABLE


def test_zip_without_document_part() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("_rels/.rels", "<Relationships/>")
    with pytest.raises(DocumentError) as caught:
        read_docx(out.getvalue(), LIMITS)
    assert caught.value.status == Status.UNREADABLE


def test_dispatcher_reads_docx() -> None:
    doc = read_document(make_docx(p("年度报告")), "report.docx")
    assert doc.format == "docx" and doc.text() == "年度报告"


NUMBERING = f"""<?xml version="1.0" encoding="UTF-8"?><w:numbering xmlns:w="{W_NS}">
<w:abstractNum w:abstractNumId="0">
  <w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="%1、"/></w:lvl>
  <w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="（%2）"/></w:lvl>
  <w:lvl w:ilvl="2"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%3."/></w:lvl>
</w:abstractNum>
<w:abstractNum w:abstractNumId="1">
  <w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="bullet"/><w:lvlText w:val="●"/></w:lvl>
</w:abstractNum>
<w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num>
<w:num w:numId="2"><w:abstractNumId w:val="1"/></w:num>
<w:num w:numId="3"><w:abstractNumId w:val="0"/>
  <w:lvlOverride w:ilvl="2"><w:startOverride w:val="1"/></w:lvlOverride></w:num>
</w:numbering>""".encode()
STYLES = f"""<?xml version="1.0" encoding="UTF-8"?><w:styles xmlns:w="{W_NS}">
<w:style w:type="paragraph" w:styleId="Heading1">
  <w:pPr><w:numPr><w:numId w:val="1"/></w:numPr></w:pPr></w:style>
</w:styles>""".encode()


def _numbered(
    text: str, num_id: int | None = None, level: int | None = None, style: str | None = None
) -> str:
    props = f'<w:pStyle w:val="{style}"/>' if style else ""
    if num_id is not None or level is not None:
        props += "<w:numPr>"
        props += f'<w:ilvl w:val="{level}"/>' if level is not None else ""
        props += f'<w:numId w:val="{num_id}"/>' if num_id is not None else ""
        props += "</w:numPr>"
    return f"<w:p><w:pPr>{props}</w:pPr><w:r><w:t>{text}</w:t></w:r></w:p>"


def test_automatic_numbering_is_rendered() -> None:
    body = (
        _numbered("总体情况", style="Heading1")  # numbered through its style
        + _numbered("主动公开", 1, 1)
        + _numbered("依申请公开", 1, 1)
        + _numbered("主动公开政府信息情况", 1, 0)  # level 0 advances, level 1 restarts
        + _numbered("网站", 1, 1)
        + _numbered("要点", 2, 0)  # bullets add nothing
        + tbl(
            tr(tc(_numbered("属于国家秘密", 1, 2)), tc("0")),
            tr(tc(_numbered("其他法律行政法规禁止公开", 1, 2)), tc("1")),
        )
        + _numbered("重新编号", 3, 2)  # startOverride restarts level 2
        + _numbered("不编号", 0, 0)  # numId 0 switches numbering off
    )
    parts = {"word/numbering.xml": NUMBERING, "word/styles.xml": STYLES}
    doc = read_docx(make_docx(body, parts=parts), LIMITS)
    assert [b.text if isinstance(b, Paragraph) else b.text() for b in doc.blocks] == [
        "一、总体情况",
        "（一）主动公开",
        "（二）依申请公开",
        "二、主动公开政府信息情况",
        "（一）网站",
        "要点",
        "1.属于国家秘密\t0\n2.其他法律行政法规禁止公开\t1",
        "1.重新编号",
        "不编号",
    ]


@pytest.mark.parametrize(
    ("n", "fmt", "expected"),
    [
        (1, "chineseCounting", "一"),
        (10, "chineseCounting", "十"),
        (21, "chineseCountingThousand", "二十一"),
        (105, "chineseCounting", "一百零五"),
        (3, "ideographTraditional", "丙"),
        (4, "decimalEnclosedCircle", "④"),
        (12, "decimalFullWidth", "１２"),
        (14, "upperRoman", "XIV"),
        (28, "lowerLetter", "bb"),
        (7, "somethingNew", "7"),
    ],
)
def test_number_formats(n: int, fmt: str, expected: str) -> None:
    assert format_number(n, fmt) == expected


def test_alt_chunk_text_and_missing() -> None:
    rels = (
        '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rIdTxt" Target="part.txt" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/aFChunk"/></Relationships>'
    )
    docx = make_docx(
        '<w:altChunk r:id="rIdTxt"/><w:altChunk r:id="rIdGone"/>',
        parts={"word/_rels/document.xml.rels": rels.encode(), "word/part.txt": "第一行\n第二行\n".encode()},
    )
    doc = read_docx(docx, LIMITS)
    assert [b.text for b in doc.paragraphs] == ["第一行", "第二行"]
    assert len(doc.warnings) == 1 and "altChunk" in doc.warnings[0]

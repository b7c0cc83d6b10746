"""The OFD reader on packages written here: positioned text, ruled tables, templates, composite
units, producers' path and namespace quirks, and hostile packages. Whole reports in every
variant of the generator's OFD writer round-trip in tests/test_formats_roundtrip.py.
"""

from __future__ import annotations

import io
import time
import zipfile
from dataclasses import replace

import pytest

from gaibao_pipeline.documents import detect_format, read_document
from gaibao_pipeline.errors import DocumentError, Status
from gaibao_pipeline.limits import Limits
from gaibao_pipeline.model import Grid, Paragraph

NS = 'xmlns:ofd="http://www.ofdspec.org/2016"'
MM = 72 / 25.4


def text(x: float, y: float, chars: str, size: float = 3.5, extra: str = "") -> str:
    """A text object at (x, y) mm (its boundary's corner), baseline 3 mm down; each character's
    advance in DeltaX (one em for Chinese, half an em for digits and Latin letters)."""
    steps = " ".join(f"{size / 2 if ch.isascii() else size:g}" for ch in chars[:-1])
    deltas = f' DeltaX="{steps}"' if steps else ""
    return (
        f'<ofd:TextObject ID="1" Boundary="{x} {y} 100 {size * 1.2}" Font="1" Size="{size}"{extra}>'
        f'<ofd:TextCode X="0" Y="3"{deltas}>{chars}</ofd:TextCode></ofd:TextObject>'
    )


def line(x0: float, y0: float, x1: float, y1: float, extra: str = "") -> str:
    return (
        f'<ofd:PathObject ID="2" Boundary="0 0 210 297" LineWidth="0.25"{extra}>'
        f"<ofd:AbbreviatedData>M {x0} {y0} L {x1} {y1}</ofd:AbbreviatedData></ofd:PathObject>"
    )


def ruled_table(left: float, top: float, widths: list[float], height: float, rows: list[list[str]]) -> str:
    """A table drawn as Word exports it: one path per rule, each cell's text inside its box."""
    xs = [left]
    for width in widths:
        xs.append(xs[-1] + width)
    ys = [top + height * i for i in range(len(rows) + 1)]
    parts = [line(xs[0], y, xs[-1], y) for y in ys] + [line(x, ys[0], x, ys[-1]) for x in xs]
    for r, cells in enumerate(rows):
        for c, value in enumerate(cells):
            if value:
                parts.append(text(xs[c] + 1, ys[r] + 1, value))
    return "".join(parts)


def page(objects: str, head: str = "") -> str:
    return (
        f'<ofd:Page {NS}>{head}<ofd:Content><ofd:Layer ID="9">{objects}</ofd:Layer></ofd:Content></ofd:Page>'
    )


def package(
    pages: list[str],
    *,
    template: str | None = None,
    public: str = "",
    doc_root: str = "Doc_0/Document.xml",
    page_loc: str = "Pages/Page_{n}/Content.xml",
    extra: dict[str, bytes] | None = None,
) -> bytes:
    """An OFD package of the given page contents (and a template, public resources)."""
    templates = '<ofd:TemplatePage ID="5" BaseLoc="Tpl/Content.xml"/>' if template else ""
    refs = "".join(f'<ofd:Page ID="{10 + n}" BaseLoc="{page_loc.format(n=n)}"/>' for n in range(len(pages)))
    document = (
        f"<ofd:Document {NS}><ofd:CommonData><ofd:PageArea><ofd:PhysicalBox>0 0 210 297</ofd:PhysicalBox>"
        f"</ofd:PageArea><ofd:PublicRes>PublicRes.xml</ofd:PublicRes>{templates}</ofd:CommonData>"
        f"<ofd:Pages>{refs}</ofd:Pages></ofd:Document>"
    )
    root = (
        f'<ofd:OFD {NS} Version="1.1" DocType="OFD"><ofd:DocBody><ofd:DocInfo>'
        "<ofd:Title>某某局年报</ofd:Title>"
        f"<ofd:CreationDate>2024-01-20</ofd:CreationDate></ofd:DocInfo>"
        f"<ofd:DocRoot>{doc_root}</ofd:DocRoot></ofd:DocBody></ofd:OFD>"
    )
    parts = {
        "OFD.xml": root.encode(),
        "Doc_0/Document.xml": document.encode(),
        "Doc_0/PublicRes.xml": f"<ofd:Res {NS}>{public}</ofd:Res>".encode(),
        **{f"Doc_0/Pages/Page_{n}/Content.xml": p.encode() for n, p in enumerate(pages)},
        **({"Doc_0/Tpl/Content.xml": template.encode()} if template else {}),
        **(extra or {}),
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return out.getvalue()


TABLE = [["申请人", "自然人", "法人"], ["一、本年新收", "12", "3"], ["二、上年结转", "", "1"]]


def test_positioned_text_and_rules_make_paragraphs_and_a_ruled_table() -> None:
    content = text(30, 20, "某某局2023年政府信息公开工作年度报告") + ruled_table(
        25, 40, [60, 30, 30], 8, TABLE
    )
    document = read_document(package([page(content)]), "report.ofd")
    assert document.format == "ofd" and document.page_count == 1
    assert document.metadata.title == "某某局年报" and document.metadata.created_at == "2024-01-20"
    (title,) = [b for b in document.blocks if isinstance(b, Paragraph)]
    assert title.text == "某某局2023年政府信息公开工作年度报告" and title.where.page == 1
    assert title.where.bbox is not None and title.where.bbox[0] == pytest.approx(30 * MM, abs=0.5)
    (grid,) = document.grids
    assert [[c.text for c in row] for row in grid.rows()] == TABLE
    cell = next(c for c in grid.cells if c.text == "12")
    assert (cell.row, cell.col, cell.where.page, cell.where.table_index) == (1, 1, 1, 0)
    x0, top, x1, bottom = cell.where.bbox or (0, 0, 0, 0)
    assert (x0, top, x1, bottom) == pytest.approx((85 * MM, 48 * MM, 115 * MM, 56 * MM), abs=0.5)


def test_merged_cells_span_where_rules_are_missing() -> None:
    # the header's first cell spans two rows: no rule between them in its column
    xs, ys = [20, 60, 90, 120], [40, 48, 56, 64]
    rules = [line(xs[0], ys[0], xs[-1], ys[0]), line(xs[1], ys[1], xs[-1], ys[1])]
    rules += [line(xs[0], y, xs[-1], y) for y in ys[2:]]
    rules += [line(x, ys[0], x, ys[-1]) for x in (xs[0], xs[1], xs[3])] + [line(xs[2], ys[1], xs[2], ys[-1])]
    words = text(21, 41, "项目") + text(61, 41, "申请") + text(61, 49, "自然人") + text(91, 49, "法人")
    words += text(21, 57, "新收") + text(61, 57, "7") + text(91, 57, "0")
    (grid,) = read_document(package([page("".join(rules) + words)]), "x.ofd").grids
    label = next(c for c in grid.cells if c.text == "项目")
    assert (label.rowspan, label.colspan) == (2, 1)
    assert next(c for c in grid.cells if c.text == "申请").colspan == 2


def test_delta_x_ctm_and_vertical_text() -> None:
    # DeltaX in its `g n d` shorthand; a CTM doubles the unit; DeltaY stacks 三 四 五 六
    spread = (
        '<ofd:TextObject ID="3" Boundary="20 20 80 10" Font="1" Size="3.5">'
        '<ofd:TextCode X="0" Y="3" DeltaX="g 4 1.75 3.5 g 2 7">2023年度 报</ofd:TextCode></ofd:TextObject>'
    )
    scaled = text(20, 40, "放大", size=2, extra=' CTM="2 0 0 2 0 0"')
    vertical = (
        '<ofd:TextObject ID="4" Boundary="150 60 10 40" Font="1" Size="3.5">'
        '<ofd:TextCode X="0" Y="3" DeltaY="g 3 5">三四五六</ofd:TextCode></ofd:TextObject>'
    )
    document = read_document(package([page(spread + scaled + vertical)]), "x.ofd")
    texts = [b.text for b in document.paragraphs]
    assert texts[:2] == ["2023年度 报", "放大"]  # 7 mm on from 度: a gap, then the space
    assert texts[2:] == ["三", "四", "五", "六"]  # one character a line, as a PDF's vertical text reads
    big = document.paragraphs[1].where.bbox
    assert big is not None and big[3] - big[1] == pytest.approx(2 * 2 * MM, rel=0.05)  # size 2 × CTM 2


def test_templates_composite_units_blocks_and_hidden_objects() -> None:
    template = page(text(20, 280, "模板中的落款"))
    public = (
        '<ofd:CompositeGraphicUnits><ofd:CompositeGraphicUnit ID="77" Width="50" Height="10"><ofd:Content>'
        + text(0, 0, "复合对象文字")
        + "</ofd:Content></ofd:CompositeGraphicUnit></ofd:CompositeGraphicUnits>"
    )
    objects = (
        f"<ofd:PageBlock>{text(20, 60, '块中文字')}</ofd:PageBlock>"
        '<ofd:CompositeObject ID="8" Boundary="20 80 50 10" ResourceID="77"/>'
        + text(20, 100, "看不见", extra=' Visible="false"')
    )
    head = '<ofd:Template TemplateID="5" ZOrder="Background"/>'
    document = read_document(package([page(objects, head)], template=template, public=public), "x.ofd")
    assert [p.text for p in document.paragraphs] == ["块中文字", "复合对象文字", "模板中的落款"]


def test_a_composite_unit_naming_itself_ends() -> None:
    public = (
        '<ofd:CompositeGraphicUnits><ofd:CompositeGraphicUnit ID="1"><ofd:Content>'
        '<ofd:CompositeObject ID="2" Boundary="0 0 10 10" ResourceID="1"/>'
        + text(0, 0, "循环")
        + "</ofd:Content></ofd:CompositeGraphicUnit></ofd:CompositeGraphicUnits>"
    )
    obj = '<ofd:CompositeObject ID="3" Boundary="20 20 10 10" ResourceID="1"/>'
    started = time.monotonic()
    document = read_document(package([page(obj)], public=public), "x.ofd")
    assert time.monotonic() - started < 10 and document.paragraphs


def test_white_and_unstroked_paths_are_no_rules_and_thin_bars_are() -> None:
    white_rules = "".join(
        f'<ofd:PathObject ID="2" Boundary="0 0 210 297"><ofd:StrokeColor Value="255 255 255"/>'
        f"<ofd:AbbreviatedData>{d}</ofd:AbbreviatedData></ofd:PathObject>"
        for d in ["M 20 40 L 120 40", "M 20 48 L 120 48", "M 20 56 L 120 56", "M 20 40 L 20 56",
                  "M 70 40 L 70 56", "M 120 40 L 120 56"]
    )  # fmt: skip
    words = text(21, 41, "甲乙") + text(71, 41, "3") + text(21, 49, "丙丁") + text(71, 49, "4")
    assert not read_document(package([page(white_rules + words)]), "x.ofd").grids
    bars = "".join(
        f'<ofd:PathObject ID="2" Boundary="0 0 210 297" Stroke="false" Fill="true">'
        f"<ofd:FillColor Value=\"0 0 0\"/><ofd:AbbreviatedData>{d} C</ofd:AbbreviatedData></ofd:PathObject>"
        for d in ["M 20 40 L 120 40 L 120 40.2 L 20 40.2", "M 20 48 L 120 48 L 120 48.2 L 20 48.2",
                  "M 20 56 L 120 56 L 120 56.2 L 20 56.2", "M 20 40 L 20.2 40 L 20.2 56.2 L 20 56.2",
                  "M 70 40 L 70.2 40 L 70.2 56.2 L 70 56.2", "M 120 40 L 120.2 40 L 120.2 56.2 L 120 56.2"]
    )  # fmt: skip
    (grid,) = read_document(package([page(bars + words)]), "x.ofd").grids
    assert [[c.text for c in row] for row in grid.rows()] == [["甲乙", "3"], ["丙丁", "4"]]


def test_producers_paths_and_files_without_a_namespace() -> None:
    # a page without the namespace; the document named from the root with a backslash, the
    # page from the root in the wrong case: viewers open such files, so must we
    data = package(
        [page(text(20, 20, "无命名空间")).replace("ofd:", "").replace(f" {NS}", "")],
        doc_root="/Doc_0\\Document.xml",
        page_loc="/Doc_0/PAGES/Page_{n}/Content.xml",
    )
    document = read_document(data, "x.ofd")
    assert [p.text for p in document.paragraphs] == ["无命名空间"]


def test_ofd_is_recognised_by_content_whatever_its_name() -> None:
    data = package([page(text(20, 20, "报告"))])
    for name in ("report.ofd", "report.zip", "report.pdf", ""):
        assert detect_format(data, name) == "ofd"


def test_hostile_packages() -> None:
    limits = Limits()
    cases: list[tuple[bytes, Status]] = []
    cases.append((package([page("")], doc_root="Doc_9/Document.xml"), Status.UNREADABLE))  # no document
    cases.append((package([page(text(20, 20, "密"))], extra={"Encryptions.xml": b"<x/>"}), Status.ENCRYPTED))
    bomb = package(
        [page(text(20, 20, "x"))], extra={"Doc_0/Res/big.xml": b"<a>" + b" " * 250_000_000 + b"</a>"}
    )
    cases.append((bomb, Status.TOO_LARGE))
    cases.append((package([page("")] * 401), Status.TOO_LARGE))
    scan = '<ofd:ImageObject ID="5" Boundary="0 0 210 297" CTM="210 0 0 297 0 0" ResourceID="9"/>'
    cases.append((package([page(scan), page(scan)]), Status.NEEDS_OCR))
    cases.append((package([page(text(20, 20, "x")).replace("</ofd:Page>", "")]), Status.UNREADABLE))
    for data, status in cases:
        with pytest.raises(DocumentError) as caught:
            read_document(data, "hostile.ofd", limits)
        assert caught.value.status is status, caught.value.message


def test_entities_are_never_expanded() -> None:
    laughs = (
        '<?xml version="1.0"?><!DOCTYPE p [<!ENTITY a "哈哈哈哈哈哈哈哈哈哈">'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">'
        '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>'
        + page(text(20, 20, "开头&d;结尾"))
    )
    started = time.monotonic()
    document = read_document(package([laughs]), "x.ofd")
    assert time.monotonic() - started < 10
    assert "哈" not in document.text()


def test_page_area_and_text_limits() -> None:
    area = "<ofd:Area><ofd:PhysicalBox>0 0 9000000 9000000</ofd:PhysicalBox></ofd:Area>"
    huge = package([page(text(20, 20, "大"), head=area)])
    with pytest.raises(DocumentError) as caught:
        read_document(huge, "x.ofd")
    assert caught.value.status is Status.TOO_LARGE
    wordy = package([page("".join(text(20, 10 + 5 * i, "字" * 50) for i in range(60)))])
    with pytest.raises(DocumentError) as caught:
        read_document(wordy, "x.ofd", replace(Limits(), max_text_chars=1000))
    assert caught.value.status is Status.TOO_LARGE


def test_grids_are_grids() -> None:
    content = ruled_table(25, 40, [60, 30, 30], 8, TABLE)
    blocks = read_document(package([page(content)]), "x.ofd").blocks
    assert [type(b) for b in blocks] == [Grid]

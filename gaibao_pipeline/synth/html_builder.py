"""Render a `SynthReport` as a government article page, tables laid out like the template.

The page carries what real pages carry around the article (site header, navigation,
breadcrumb, a 发布时间 line, share buttons, footer, scripts, a hidden element) so the
reader's clean-up is exercised; the tables use the official rowspan/colspan structure,
`&nbsp;` for blank cells and `<br>` inside some labels. A legacy report carries its 统计表
as an attachment after the signature (`legacy_render.py`).
"""

from __future__ import annotations

from html import escape

from gaibao_pipeline.codes import T2_ROWS, T3_APPLICANT_COLS, T4_COL_CODES, T4_ROWS, t3_rows
from gaibao_pipeline.documents.encoding import canonical_encoding
from gaibao_pipeline.synth import legacy_render
from gaibao_pipeline.synth.layout import T2_BLOCKS, T2_WIDTH, t2_colspans
from gaibao_pipeline.synth.legacy import signature_date
from gaibao_pipeline.synth.values import SECTION_NUMBERS, SynthReport, format_value

_T3_GROUPS = (
    ("（三）不予公开", "3.3."),
    ("（四）无法提供", "3.4."),
    ("（五）不予处理", "3.5."),
    ("（六）其他处理", "3.6."),
)
_T3_LABELS = {
    "3.1": "（一）予以公开",
    "3.2": "（二）部分公开<br>（区分处理的，只计这一情形，不计其他情形）",
    "3.6": "（六）其他处理",
    "3.7": "（七）总计",
}
# Leaf labels as the form prints them, where that differs from the canonical label
_PRINTED = {
    "3.3.3": "危及“三安全一稳定”",
    "3.6.1": "申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
    "3.6.2": "申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
}


def _td(content: str, rowspan: int = 1, colspan: int = 1) -> str:
    spans = (f' rowspan="{rowspan}"' if rowspan > 1 else "") + (
        f' colspan="{colspan}"' if colspan > 1 else ""
    )
    return f"<td{spans}>{content}</td>"


def _value(report: SynthReport, table: str, row: str, col: str) -> str:
    text = format_value(report.value(table, row, col))
    return _td(escape(text) if text else "&nbsp;")


def _t2(report: SynthReport) -> str:
    labels = {spec.code: spec.label for spec in T2_ROWS[report.template]}
    cols = {spec.code: spec.cols for spec in T2_ROWS[report.template]}
    rows: list[str] = []
    for heading, headers, codes in T2_BLOCKS[report.template]:
        spans = t2_colspans(headers)
        rows.append(f"<tr>{_td(heading, colspan=T2_WIDTH)}</tr>")
        head = "".join(_td(h, colspan=span) for h, span in zip(headers, spans, strict=True))
        rows.append(f"<tr>{_td('信息内容')}{head}</tr>")
        for code in codes:
            cells = []
            for col, span in zip(cols[code], spans, strict=True):
                text = format_value(report.value("t2", code, col))
                cells.append(_td(escape(text) if text else "&nbsp;", colspan=span))
            rows.append(f"<tr>{_td(labels[code])}{''.join(cells)}</tr>")
    return '<table border="1" cellspacing="0" cellpadding="0">' + "".join(rows) + "</table>"


def _t3_row(report: SynthReport, code: str, *label_cells: str) -> str:
    values = "".join(_value(report, "t3", code, col) for col in (*T3_APPLICANT_COLS, "total"))
    return f"<tr>{''.join(label_cells)}{values}</tr>"


def _t3(report: SynthReport) -> str:
    specs = t3_rows(report.split_other)
    result_rows = [s for s in specs if s.code.startswith("3.")]
    rows = [
        "<tr>"
        + _td(
            "（本列数据的勾稽关系为：第一项加第二项之和，<br>等于第三项加第四项之和）", rowspan=3, colspan=3
        )
        + _td("申请人情况", colspan=7)
        + "</tr>",
        "<tr>"
        + _td("自然人", rowspan=2)
        + _td("法人或其他组织", colspan=5)
        + _td("总计", rowspan=2)
        + "</tr>",
        "<tr>"
        + "".join(_td(h) for h in ("商业<br>企业", "科研<br>机构", "社会公益组织", "法律服务机构", "其他"))
        + "</tr>",
        _t3_row(report, "1", _td("一、本年新收政府信息公开申请数量", colspan=3)),
        _t3_row(report, "2", _td("二、上年结转政府信息公开申请数量", colspan=3)),
    ]
    outer = _td("三、本年度办理结果", rowspan=len(result_rows))
    for spec in result_rows:
        cells = [outer] if spec is result_rows[0] else []
        group = next(((name, prefix) for name, prefix in _T3_GROUPS if spec.code.startswith(prefix)), None)
        if group is None:
            cells.append(_td(_T3_LABELS[spec.code], colspan=2))
        else:
            members = [s for s in result_rows if s.code.startswith(group[1])]
            if spec is members[0]:
                cells.append(_td(group[0], rowspan=len(members)))
            cells.append(_td(f"{spec.number}.{escape(_PRINTED.get(spec.code, spec.label))}"))
        rows.append(_t3_row(report, spec.code, *cells))
    rows.append(_t3_row(report, "4", _td("四、结转下年度继续办理", colspan=3)))
    return '<table border="1" cellspacing="0" cellpadding="0">' + "".join(rows) + "</table>"


def _t4(report: SynthReport) -> str:
    heads = ("结果<br>维持", "结果<br>纠正", "其他<br>结果", "尚未<br>审结", "总计")
    rows = [
        "<tr>" + _td("行政复议", colspan=5) + _td("行政诉讼", colspan=10) + "</tr>",
        "<tr>"
        + "".join(_td(h, rowspan=2) for h in heads)
        + _td("未经复议直接起诉", colspan=5)
        + _td("复议后起诉", colspan=5)
        + "</tr>",
        "<tr>" + "".join(_td(h) for h in heads * 2) + "</tr>",
        "<tr>"
        + "".join(_value(report, "t4", row.code, col) for row in T4_ROWS for col in T4_COL_CODES)
        + "</tr>",
    ]
    return '<table border="1" cellspacing="0" cellpadding="0">' + "".join(rows) + "</table>"


def official_table(report: SynthReport, table: str) -> str:
    """Table "t2", "t3", "t4" or "legacy" as the form lays it out: a `<table>` with its spans."""
    return {"t2": _t2, "t3": _t3, "t4": _t4, "legacy": legacy_render.table_html}[table](report)


def _article(report: SynthReport) -> str:
    legacy = report.legacy is not None
    tables = {} if legacy else {1: _t2(report), 2: _t3(report), 3: _t4(report)}
    parts: list[str] = []
    for i, (number, title) in enumerate(zip(SECTION_NUMBERS, report.section_titles, strict=True)):
        parts.append(f'<p style="text-indent:2em"><strong>{number}、{title}</strong></p>')
        parts += [f'<p style="text-indent:2em">{escape(line)}</p>' for line in report.sections[i].split("\n")]
        if i in tables:
            parts.append(tables[i])
    signed = signature_date(report, chinese=report.legacy is not None and report.legacy.cn_date)
    parts.append(f'<p style="text-align:right">{escape(report.agency)}</p>')
    parts.append(f'<p style="text-align:right">{signed}</p>')
    if legacy:
        parts.append(legacy_render.appendix_html(report))
    return "\n".join(parts)


def build_html(report: SynthReport, encoding: str = "utf-8") -> bytes:
    """A full article page for `report`, declared and encoded as `encoding` (gb2312 → GB18030)."""
    moment = report.published_at
    shown = moment.strftime("%Y-%m-%d %H:%M") if moment else report.report_date.isoformat()
    title, agency = escape(report.title), escape(report.agency)
    page = f"""<!DOCTYPE html>
<html>
<head>
<meta http-equiv="Content-Type" content="text/html; charset={escape(encoding)}">
<title>{title}_{agency}门户网站</title>
<meta name="ArticleTitle" content="{title}">
<meta name="PubDate" content="{shown}">
<meta name="ContentSource" content="{agency}">
<style>.nav li {{ display: inline; }} body {{ font-family: 宋体; }}</style>
<script>var siteName = "政府门户网站统计代码"; document.title = document.title + "（访问统计）";</script>
</head>
<body>
<div class="header"><div class="logo">{agency}门户网站</div>
<ul class="nav"><li><a href="/">首页</a></li><li><a href="/zwgk/">政务公开</a></li>
<li><a href="/zwfw/">政务服务</a></li><li><a href="/hdjl/">互动交流</a></li></ul></div>
<div class="position">当前位置：<a href="/">首页</a> &gt;
<a href="/zwgk/">政府信息公开</a> &gt; 年度报告</div>
<div class="article">
<h1 class="title">{title}</h1>
<div class="info">发布时间：{shown}　来源：{agency}　浏览次数：<span id="hits">128</span></div>
<div id="zoom" class="TRS_Editor">
{_article(report)}
</div>
<div class="share">分享到：微信 微博 <a href="javascript:window.print()">【打印本页】</a>
<a href="javascript:window.close()">【关闭窗口】</a></div>
<div style="display:none">隐藏的统计文字不应出现</div>
</div>
<div class="footer"><p>主办单位：{agency}办公室　承办单位：{agency}大数据中心</p>
<p>网站标识码：1234000000　备案号：京ICP备00000000号</p></div>
<script>document.write("<p>脚本写入的文字不应出现</p>");</script>
</body>
</html>
"""
    return page.encode(canonical_encoding(encoding))

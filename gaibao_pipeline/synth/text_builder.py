"""Render a `SynthReport` as text the way crawlers and exports deliver real reports.

Each layout reproduces one flattening seen in real scraped reports: `|`-terminated cells
one per line with `||` row padding, `|`-separated rows, tab-separated rows with the empty
slots of merged cells, Word's tab-indented text export, space-separated rows copied from a
PDF, and a web page whose table cells ran together with no separator at all. A legacy
report prints its 统计表 after the signature (`legacy_render.py`), in simplified or, as many
reports of those years do, traditional script.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from gaibao_pipeline.codes import T2_ROWS, T4_ROWS, t3_rows
from gaibao_pipeline.synth import legacy_render
from gaibao_pipeline.synth.layout import T2_BLOCKS
from gaibao_pipeline.synth.legacy import signature_date, to_traditional
from gaibao_pipeline.synth.values import SECTION_NUMBERS, SynthReport, format_value

LAYOUTS = ("pipe_cells", "pipe_rows", "tab_rows", "word_export", "spaced", "run_together")
# Layouts that cannot show a blank cell (an empty cell leaves no trace in them).
NEEDS_NO_BLANKS = ("spaced", "run_together")

PAD = None  # the empty slot a merged cell leaves in a crawler's row

_T3_HEADER: tuple[tuple[str | None, ...], ...] = (
    ("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", PAD, PAD, "申请人情况"),
    (PAD, PAD, PAD, "自然人", "法人或其他组织", PAD, PAD, PAD, PAD, "总计"),
    (PAD, PAD, PAD, PAD, "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", PAD),
)
_T3_LABELS = {
    "1": "一、本年新收政府信息公开申请数量",
    "2": "二、上年结转政府信息公开申请数量",
    "3.1": "（一）予以公开",
    "3.2": "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
    "3.6": "（六）其他处理",
    "3.7": "（七）总计",
    "4": "四、结转下年度继续办理",
}
_T3_GROUPS = {
    "3.3": "（三）不予公开",
    "3.4": "（四）无法提供",
    "3.5": "（五）不予处理",
    "3.6": "（六）其他处理",
}
_PRINTED = {
    "3.3.3": "危及“三安全一稳定”",
    "3.6.1": "申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
    "3.6.2": "申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
}
_T4_HEADER: tuple[tuple[str | None, ...], ...] = (
    ("行政复议", PAD, PAD, PAD, PAD, "行政诉讼"),
    (
        "结果维持",
        "结果纠正",
        "其他结果",
        "尚未审结",
        "总计",
        "未经复议直接起诉",
        PAD,
        PAD,
        PAD,
        PAD,
        "复议后起诉",
    ),
    (PAD, PAD, PAD, PAD, PAD, *(("结果维持", "结果纠正", "其他结果", "尚未审结", "总计") * 2)),
)

Row = tuple[str | None, ...]


def table_rows(report: SynthReport, table: str) -> Iterator[Row]:
    """The official table's rows as a crawler sees them: merged slots are `PAD`."""
    if table == "t2":
        cols = {spec.code: spec.cols for spec in T2_ROWS[report.template]}
        labels = {spec.code: spec.label for spec in T2_ROWS[report.template]}
        for heading, headers, codes in T2_BLOCKS[report.template]:
            yield (heading, PAD, PAD, PAD)
            yield ("信息内容", *headers)
            for code in codes:
                yield (labels[code], *(format_value(report.value("t2", code, c)) for c in cols[code]))
    elif table == "t3":
        yield from _T3_HEADER
        seen: set[str] = set()
        for spec in t3_rows(report.split_other):
            values = tuple(format_value(report.value("t3", spec.code, c)) for c in spec.cols)
            group = spec.code[:3] if spec.code.count(".") == 2 else None
            if spec.code in ("1", "2", "4"):
                yield (_T3_LABELS[spec.code], PAD, PAD, *values)
                continue
            block = "三、本年度办理结果" if spec.code == "3.1" else PAD
            if group is None:
                yield (block, _T3_LABELS[spec.code], PAD, *values)
                continue
            heading = _T3_GROUPS[group] if group not in seen else PAD
            seen.add(group)
            leaf = f"{spec.number}.{_PRINTED.get(spec.code, spec.label)}"
            yield (block, heading, leaf, *values)
    else:
        yield from _T4_HEADER
        yield tuple(format_value(report.value("t4", row.code, col)) for row in T4_ROWS for col in row.cols)


def build_text(
    report: SynthReport, layout: str, crawler_header: bool = False, traditional: bool = False
) -> bytes:
    """The report as UTF-8 text in one of `LAYOUTS` (a legacy report: `LEGACY_LAYOUTS`).

    `traditional` prints the report in traditional script; a crawler's header stays as the
    crawler wrote it.
    """
    _check_layout(report, layout)
    lines: list[str] = []
    if crawler_header:
        stamp = report.published_at.strftime("%Y-%m-%d %H:%M") if report.published_at else ""
        lines += [
            f"标题: {report.title}",
            f"发布时间: {stamp}",
            "==================== 正文 ====================",
        ]
    body = [report.title]
    for n, (number, title) in enumerate(zip(SECTION_NUMBERS, report.section_titles, strict=True)):
        body.append(f"{number}、{title}")
        body += report.sections[n].split("\n")
        table = {1: "t2", 2: "t3", 3: "t4"}.get(n) if report.legacy is None else None
        if table is not None:
            body += _table(list(table_rows(report, table)), layout)
    # run-together text has no line of its own for a date: older reports sign it in numerals
    chinese = report.legacy is not None and (report.legacy.cn_date or layout == "run_together")
    body += [report.agency, signature_date(report, chinese)]
    if report.legacy is not None:
        body += legacy_render.above_table(report)
        # text whose cells ran together kept no indentation either
        body += _table(legacy_render.rows(report, indent=layout != "run_together"), layout)
        body += legacy_render.below_table(report)
    if traditional:
        body = [to_traditional(line) for line in body]
    lines += [" ".join(body)] if layout == "run_together" else body
    return ("\n".join(lines) + "\n").encode("utf-8")


def _check_layout(report: SynthReport, layout: str) -> None:
    if report.legacy is None:
        if layout not in LAYOUTS:
            raise ValueError(f"layout must be one of {LAYOUTS}, not {layout!r}")
        if layout in NEEDS_NO_BLANKS and any(v is None for v in report.cells.values()):
            raise ValueError(f"layout {layout!r} cannot show blank cells; this report has some")
        return
    allowed = legacy_render.CODED_LAYOUTS if report.legacy.form.coded else legacy_render.LEGACY_LAYOUTS
    if layout not in allowed:
        raise ValueError(f"a {report.legacy.form.name} legacy form is printed in {allowed}, not {layout!r}")
    shown = report.legacy.printed if report.legacy.printed is not None else report.cells
    if layout in NEEDS_NO_BLANKS and any(v is None or isinstance(v, float) for v in shown.values()):
        raise ValueError(f"{layout!r} text needs whole values and no blanks (see legacy.whole_values)")


def _table(rows: Sequence[Row], layout: str) -> list[str]:
    return [_run_together(rows)] if layout == "run_together" else _render(rows, layout)


def _render(rows: Sequence[Row], layout: str) -> list[str]:
    out: list[str] = []
    for row in rows:
        cells = ["" if c is None else c for c in row]
        if layout == "pipe_cells":
            out += [f"{c} |" if c else "|" for c in cells]
            out.append("||")  # the crawler's padding line that ends a row
        elif layout == "pipe_rows":
            out.append(" | ".join(cells) + " |")
        elif layout == "tab_rows":
            out.append("\t".join(cells))
        elif layout == "word_export":
            out += ["\t" + c for c in cells] + [""]
        else:  # spaced: merged slots leave no trace
            out.append(" ".join(c for c in row if c is not None))
    return out


def _run_together(rows: Sequence[Row]) -> str:
    return "".join(c for row in rows for c in row if c is not None)

"""What a reviewer sees for one report: failed checks, expected against found, and where.

`review_text` is for the terminal (`gaibao review`); `review_html` is a self-contained page
(inline CSS, no scripts) that rebuilds tables 二–四 (or the legacy form) with the cells of
failed checks highlighted, each cell showing its raw text and its page, line or grid slot.
Everything taken from a document is escaped: a report's text is data, never markup.
"""

from __future__ import annotations

from collections import defaultdict
from html import escape
from pathlib import Path
from typing import Any

from gaibao_pipeline.codes import T2_COLS, T2_ROWS, T3_COLS, T4_COLS, T4_ROWS, t3_rows
from gaibao_pipeline.contracts.explain import shown_cells, where_text
from gaibao_pipeline.report import CellKey, CheckResult, Report, ReportCell

_T3_ROW_LABELS = {r.code: r.label for split in (False, True) for r in t3_rows(split)}


def failed_checks(report: Report) -> list[CheckResult]:
    return [c for c in report.checks if c.passed is False]


def _scope(check: CheckResult) -> str:
    return " ".join(f"{k} {check.detail[k]}" for k in ("row", "col") if k in check.detail)


def _name(key: CellKey) -> str:
    return " ".join(key)


def review_text(report: Report) -> str:
    """A plain-text review: status, metadata, then each failed check with its cells."""
    meta = report.report
    lines = [
        f"{report.source.file}  [{report.status.value}]",
        f"agency {meta.agency}  year {meta.year}  template {meta.template}  report date {meta.report_date}",
    ]
    if not report.ok:
        lines.append(f"no report: {report.message}")
        return "\n".join(lines) + "\n"
    failed = failed_checks(report)
    lines.append(f"{len(report.checks)} checks, {len(failed)} failed; {len(report.warnings)} warnings")
    cells = report.cell_map()
    for check in failed:
        detail = check.detail
        lines.append("")
        lines.append(f"FAILED {check.id} ({check.severity}) {_scope(check)}")
        if "expected" in detail:
            lines.append(f"  expected {detail['expected']}, found {detail['actual']}")
        for cell in shown_cells(check, cells):
            raw = "" if cell.raw is None else cell.raw
            lines.append(
                f"  {_name(cell.key):32s} value {cell.value!s:>10}  raw {raw!r:12}  {where_text(cell)}"
            )
        for field in ("rule", "statement", "problems"):
            if field in detail:
                lines.append(f"  {field}: {detail[field]}")
    if report.warnings:
        lines.append("")
        lines.append("warnings:")
        lines += [f"  - {w}" for w in report.warnings]
    return "\n".join(lines) + "\n"


TABLE_TITLES = (
    ("t2", "二、主动公开政府信息情况"),
    ("t3", "三、收到和处理政府信息公开申请情况"),
    ("t4", "四、行政复议、行政诉讼情况"),
    ("legacy", "统计表"),
)
_CSS = """
body{font-family:"Noto Sans CJK SC","Microsoft YaHei",sans-serif;margin:2em;color:#222}
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #999;padding:.25em .5em;font-size:90%}
th{background:#eee}td.num{text-align:right}td.bad{background:#fbb;font-weight:bold}
td.inferred{background:#ffe9a8}td.blank{color:#999}small{color:#666}
.check{border-left:4px solid #c00;padding:.3em 1em;margin:.6em 0;background:#fff6f6}
.ok{color:#070}.meta td{border:none;padding:.1em 1em .1em 0}
"""


def review_html(report: Report) -> str:
    """A self-contained HTML review page for one report."""
    meta = report.report
    failed = failed_checks(report)
    bad: dict[CellKey, list[str]] = defaultdict(list)
    for check in failed:
        for key in check.cells:
            bad[key].append(check.id)
    body = [
        f"<h1>{escape(meta.agency or report.source.file)} {escape(str(meta.year or ''))}</h1>",
        "<table class='meta'>",
        *(
            f"<tr><td>{escape(k)}</td><td>{escape(str(v))}</td></tr>"
            for k, v in (
                ("file", report.source.file),
                ("sha256", report.source.sha256),
                ("status", report.status.value),
                ("template", meta.template),
                ("report date", meta.report_date),
                ("published", meta.published_at),
            )
        ),
        "</table>",
    ]
    if not report.ok:
        body.append(f"<p>No report: {escape(report.message or '')}</p>")
    else:
        body.append(f"<h2>Failed checks ({len(failed)} of {len(report.checks)})</h2>")
        if not failed:
            body.append("<p class='ok'>Every check passed.</p>")
        body += [_check_html(c, report) for c in failed]
        cells = report.cell_map()
        for table, title in TABLE_TITLES:
            rows = table_rows(report, table)
            if rows:
                body.append(f"<h2>{escape(title)}</h2>")
                body.append(_table_html(table, rows, cells, bad))
        if report.warnings:
            body.append(
                "<h2>Warnings</h2><ul>" + "".join(f"<li>{escape(w)}</li>" for w in report.warnings) + "</ul>"
            )
    title = escape(f"review: {report.source.file}")
    return (
        f"<!DOCTYPE html><html lang='zh-CN'><head><meta charset='utf-8'><title>{title}</title>"
        f"<style>{_CSS}</style></head><body>{''.join(body)}</body></html>"
    )


def _check_html(check: CheckResult, report: Report) -> str:
    detail = check.detail
    cells = report.cell_map()
    head = f"<b>{escape(check.id)}</b> <small>{escape(check.severity)}</small> {escape(_scope(check))}"
    parts = [f"<div class='check'>{head}"]
    if "expected" in detail:
        expected, actual = escape(str(detail["expected"])), escape(str(detail["actual"]))
        parts.append(f"<br>expected <b>{expected}</b>, found <b>{actual}</b>")
    for field in ("rule", "statement", "problems"):
        if field in detail:
            parts.append(f"<br>{escape(field)}: {escape(str(detail[field]))}")
    items = [
        f"<li>{escape(_name(cell.key))}: {escape(str(cell.value))} "
        f"<small>raw {escape(repr(cell.raw))}; {escape(where_text(cell))}</small></li>"
        for cell in shown_cells(check, cells)
    ]
    if items:
        parts.append("<ul>" + "".join(items) + "</ul>")
    return "".join(parts) + "</div>"


def table_rows(report: Report, table: str) -> list[tuple[str, str, list[str]]]:
    """(row code, label, columns) of a table as the report's template defines it."""
    present = [c for c in report.cells if c.table == table]
    if not present:
        return []
    if table == "t2":
        specs = T2_ROWS.get(report.report.template or "", ())
        return [(s.code, s.label, list(s.cols)) for s in specs]
    if table == "t3":
        codes = list(dict.fromkeys(c.row for c in present))
        return [(code, _T3_ROW_LABELS.get(code, code), [c.code for c in T3_COLS]) for code in codes]
    if table == "t4":
        return [(s.code, s.label, [c.code for c in T4_COLS]) for s in T4_ROWS]
    codes = list(dict.fromkeys(c.row for c in present))
    return [(code, code, ["period", "cumulative"]) for code in codes]


# Per table: t3 and t4 share the code `other` (t3 其他, an applicant; t4 其他结果, an outcome).
_COL_LABELS: dict[str, dict[str, str]] = {
    "t2": {code: spec.label for code, spec in T2_COLS.items()},
    "t3": {c.code: c.label for c in T3_COLS},
    "t4": {c.code: c.label for c in T4_COLS},
    "legacy": {"period": "本期", "cumulative": "累计"},
}


def col_label(table: str, col: str) -> str:
    """The column's printed heading in `table` (the code itself when unknown)."""
    return _COL_LABELS.get(table, {}).get(col, col)


def _table_html(
    table: str,
    rows: list[tuple[str, str, list[str]]],
    cells: dict[CellKey, ReportCell],
    bad: dict[CellKey, list[str]],
) -> str:
    width = max(len(cols) for _, _, cols in rows)
    out = ["<table>"]
    if table != "t2":
        out.append(
            "<tr><th></th>" + "".join(f"<th>{escape(col_label(table, c))}</th>" for c in rows[0][2]) + "</tr>"
        )
    for code, label, cols in rows:
        tds = [f"<th>{escape(label)} <small>{escape(code)}</small></th>"]
        for col in cols:
            cell = cells.get((table, code, col))
            tds.append(_cell_html(table, code, col, cell, bad))
        tds += ["<td></td>"] * (width - len(cols))
        out.append("<tr>" + "".join(tds) + "</tr>")
    out.append("</table>")
    return "".join(out)


def _cell_html(table: str, row: str, col: str, cell: ReportCell | None, bad: dict[CellKey, list[str]]) -> str:
    if cell is None:
        return "<td></td>"
    classes = ["num"]
    if (table, row, col) in bad:
        classes.append("bad")
    if cell.inferred:
        classes.append("inferred")
    if cell.value is None:
        classes.append("blank")
    shown = (
        "blank" if cell.value is None and not cell.raw else ("—" if cell.value is None else str(cell.value))
    )
    title: dict[str, Any] = {"cell": f"{table}.{row}.{col}", "raw": cell.raw, "where": where_text(cell)}
    if (table, row, col) in bad:
        title["failed"] = ", ".join(bad[(table, row, col)])
    tooltip = "; ".join(f"{k}: {v}" for k, v in title.items())
    label = f"{col_label(table, col)}: " if table == "t2" else ""
    return (
        f"<td class='{' '.join(classes)}' title='{escape(tooltip, quote=True)}'>{escape(label + shown)}</td>"
    )


def write_review_page(directory: Path, report_id: str, report: Report) -> Path:
    """Write the report's review page to `directory/<report_id>.html`; return its path."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{report_id}.html"
    temp = path.with_name(f".{path.name}.tmp")
    temp.write_text(review_html(report), encoding="utf-8")
    temp.replace(path)
    return path

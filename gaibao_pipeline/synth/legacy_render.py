"""A legacy report's 统计表 as every builder prints it: rows of cells, an HTML table, the appendix.

Legacy reports put the form after the signature, as an attachment (附件) with its own title;
the coded national form has its header fields (单位名称 … 报出日期) above the table and a note
on half-year indicators under it. Parts are indented under their total, as forms print them.
"""

from __future__ import annotations

from html import escape

from gaibao_pipeline.synth.legacy_form import Indicator, LegacyTable
from gaibao_pipeline.synth.values import SynthReport, format_value

# Text layouts a legacy form is printed in; cells that ran together only on uncoded forms (a
# code glued to the values would be a different number).
CODED_LAYOUTS = ("pipe_cells", "pipe_rows", "tab_rows", "word_export", "spaced")
LEGACY_LAYOUTS = (*CODED_LAYOUTS, "run_together")
DASH = "----"  # what the national form prints where an indicator has no value
INDENT = "\u3000\u3000"


def legacy_table(report: SynthReport) -> LegacyTable:
    """The report's form, or an error naming the report for a non-legacy one."""
    if report.legacy is None:
        raise ValueError(f"{report.title} is a {report.template}-template report, not a legacy one")
    return report.legacy


def header(table: LegacyTable) -> tuple[str, ...]:
    """The form's column headers."""
    code = ("代码",) if table.form.coded else ()
    named = {"period": table.period_header, "cumulative": table.cumulative_header}
    return ("指标名称", "计量单位", *code, *(named[col] for col in table.form.cols))


def label(row: Indicator, indent: bool = True) -> str:
    """A row's label as printed: indented under its total, `*` after a half-year indicator."""
    text = row.label + (" *" if row.half_year else "")
    # a part that opens with 其中 stands at the margin, the parts after it are indented
    return INDENT + text if indent and row.level > 0 and not text.startswith("其中") else text


def value_text(report: SynthReport, i: int, col: str) -> str:
    """One cell as printed: the number, blank, or the dash of a cell the indicator has no value for."""
    table = legacy_table(report)
    row = table.form.indicators[i]
    key = ("legacy", table.keys[i], col)
    value = table.printed[key] if table.printed is not None else report.value(*key)
    if value is None and table.dashes and col == "cumulative" and not row.running:
        return DASH
    return format_value(value)


def rows(report: SynthReport, indent: bool = True) -> list[tuple[str, ...]]:
    """The header and one row per indicator: label, unit, [code], period, cumulative."""
    table = legacy_table(report)
    out = [header(table)]
    for i, row in enumerate(table.form.indicators):
        code = (f"{i + 1:02d}",) if table.form.coded else ()
        values = tuple(value_text(report, i, col) for col in table.form.cols)
        out.append((label(row, indent), row.unit, *code, *values))
    return out


def above_table(report: SynthReport) -> list[str]:
    """The lines between the signature and the table: the attachment's title, the header fields."""
    table = legacy_table(report)
    return [table.title, *table.preamble]


def below_table(report: SynthReport) -> list[str]:
    """The note under the table, if the form has one."""
    note = legacy_table(report).form.note
    return [note] if note else []


def table_html(report: SynthReport) -> str:
    """The form as a ruled `<table>`: a header row, then one row per indicator."""
    out = []
    for n, cells in enumerate(rows(report, indent=False)):
        row = legacy_table(report).form.indicators[n - 1] if n else None
        tds = []
        for m, text in enumerate(cells):
            content = escape(text) if text else "&nbsp;"
            if m == 0 and row is not None and row.level > 0 and not row.label.startswith("其中"):
                content = "&nbsp;" * 4 * row.level + content
            tds.append(f"<td><strong>{content}</strong></td>" if n == 0 else f"<td>{content}</td>")
        out.append("<tr>" + "".join(tds) + "</tr>")
    return '<table border="1" cellspacing="0" cellpadding="0">' + "".join(out) + "</table>"


def appendix_html(report: SynthReport) -> str:
    """The attachment as HTML: its title, the header fields, the table and the note."""
    table = legacy_table(report)
    parts = [f'<p style="text-align:center"><strong>{escape(table.title)}</strong></p>']
    parts += [f"<p>{escape(line)}</p>" for line in table.preamble]
    parts.append(table_html(report))
    parts += [f"<p>{escape(line)}</p>" for line in below_table(report)]
    return "\n".join(parts)

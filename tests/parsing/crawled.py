"""Small crawled report pages for the damage tests: tables whose values the test chooses.

`report_with` builds a report on the 2019 or 2021 form from a few non-zero t3/t4/t2 rows
(every other cell 0, the identities holding); `synth.crawl.crawl_text` writes it as a crawler
would. Tests then damage or rearrange the text's lines where a pattern needs it.
"""

from __future__ import annotations

from datetime import date, datetime

from gaibao_pipeline.codes import T2_ROWS, T4_COL_CODES, T4_ROWS, t3_rows
from gaibao_pipeline.report import Report
from gaibao_pipeline.runner.parse import parse_bytes
from gaibao_pipeline.synth.values import SynthReport, Value

CellKey = tuple[str, str, str]


def report_with(
    agency: str,
    year: int,
    template: str,
    t3: dict[str, list[Value]] | None = None,
    t4: list[Value] | None = None,
    t2: dict[str, list[Value]] | None = None,
) -> SynthReport:
    """A report whose given rows hold the given values and every other cell 0."""
    cells: dict[CellKey, Value] = {}
    for spec in T2_ROWS[template]:
        values = (t2 or {}).get(spec.code, [0] * len(spec.cols))
        cells.update({("t2", spec.code, col): v for col, v in zip(spec.cols, values, strict=True)})
    for spec in t3_rows(template == "2021"):
        values = (t3 or {}).get(spec.code, [0] * 7)
        cells.update({("t3", spec.code, col): v for col, v in zip(spec.cols, values, strict=True)})
    flat = t4 or [0] * 15
    for n, spec in enumerate(T4_ROWS):
        cells.update({("t4", spec.code, col): flat[n * 5 + m] for m, col in enumerate(T4_COL_CODES)})
    received = (t3 or {}).get("1", [0] * 7)[-1]
    return SynthReport(
        agency=agency,
        year=year,
        template=template,
        report_date=date(year + 1, 1, 20),
        sections=(
            f"{year}年，{agency}认真贯彻落实《中华人民共和国政府信息公开条例》。",
            "主动公开政府信息情况见下表。",
            f"本年度共收到政府信息公开申请{received}件。",
            "行政复议、行政诉讼情况见下表。",
            "公开内容还不够全面。",
            "本年度未收取信息处理费。",
        ),
        cells=cells,
        published_at=datetime(year + 1, 1, 25, 9, 30),
    )


def parse_text(text: str) -> Report:
    return parse_bytes(text.encode("utf-8"), "page.txt")


def values(report: Report, table: str, row: str) -> list[object]:
    return [c.value for c in report.cells if c.table == table and c.row == row]


def cell(report: Report, table: str, row: str, col: str):  # type: ignore[no-untyped-def]
    return next(c for c in report.cells if c.key == (table, row, col))


def warned(report: Report, prefix: str) -> list[str]:
    return [w for w in report.warnings if w.startswith(prefix)]

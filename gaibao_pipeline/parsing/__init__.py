"""The parser: one `Document` (from any reader) in, one canonical `Report` out.

Pure Python: no Dagster, no database. The steps, each in its own module:
stream of cell tokens (`stream`, `runs`) → tables located and rows matched (`rows`) →
readings of each row (`alignment`, `splits`) → the readings the identities agree with
(`repair`) → canonical cells (`tables`, `legacy`); values read by OCR checked against the
identities (`ocr_repair`); template (`template`), metadata, sections and narrative
statements beside; then the single-report checks (`contracts.report_checks`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from gaibao_pipeline.chinese import to_simplified
from gaibao_pipeline.codes import cell_codes
from gaibao_pipeline.contracts.identities import Identity
from gaibao_pipeline.contracts.invariants import Statement, template_identities
from gaibao_pipeline.contracts.report_checks import check_report, not_evaluable_warnings
from gaibao_pipeline.errors import Status
from gaibao_pipeline.model import Document, Grid, Paragraph
from gaibao_pipeline.parsing.damage import is_collapsed_crawl, value_runs
from gaibao_pipeline.parsing.legacy import parse_legacy
from gaibao_pipeline.parsing.matching import nfkc
from gaibao_pipeline.parsing.metadata import extract_metadata, report_titles
from gaibao_pipeline.parsing.narrative import statements
from gaibao_pipeline.parsing.ocr_repair import ocr_check_warnings, repair_ocr_cells
from gaibao_pipeline.parsing.rows import Region, find_regions, table_count
from gaibao_pipeline.parsing.sections import find_sections
from gaibao_pipeline.parsing.stream import Token, recover_tables, tokens_of
from gaibao_pipeline.parsing.tables import TableResult, parse_t2, parse_t3, parse_t4, region_of
from gaibao_pipeline.parsing.template import detect_template, looks_like_report, own_t2_region
from gaibao_pipeline.report import CellKey, Number, Report, ReportCell, ReportMeta, SourceInfo

__all__ = ["parse_document"]

COLLAPSED_ROW = 5  # a row of table 三 with fewer cells than this lost more than a page break loses


def parse_document(document: Document, source: SourceInfo) -> Report:
    """Parse a read document into the `gaibao.report/1` report."""
    lines = document_lines(document)
    blocks = recover_tables(document)
    tokens = tokens_of(blocks)
    regions = find_regions(tokens)
    said = statements([b.text for b in blocks if isinstance(b, Paragraph)])
    found = extract_metadata(lines, document.metadata.title, document.metadata.published_at, source.file)
    template, split_other = detect_template(
        tokens, regions, to_simplified(nfkc("\n".join(lines[:80]))), found.year
    )
    meta = ReportMeta(found.agency, found.year, template, found.report_date, document.metadata.published_at)
    report = Report(
        source=source, report=meta, page_count=document.page_count, warnings=list(document.warnings)
    )
    report.sections = find_sections(lines)

    identities: list[Identity] = []
    results: list[TableResult] = []
    if template in ("2019", "2021"):
        results = _template_tables(tokens, regions, template, split_other, _hints(said))
        report.cells = _ordered(results, template, split_other)
        identities = template_identities(template, split_other)
    elif (legacy_region := region_of(regions, "legacy")) is not None:
        legacy = parse_legacy(tokens, legacy_region)
        report.cells, identities = legacy.cells, legacy.identities
        report.warnings += legacy.warnings
        rows = tuple(legacy.keys)
        with_values = {c.row for c in legacy.cells if c.value is not None}
        results.append(TableResult("legacy", legacy.cells, [], with_values or set(rows), rows))
    for result in results:
        report.warnings += result.warnings

    # a table counts as found when it holds a value: labels alone (a README quoting them) do not
    tables_found = [r.table for r in results if r.rows_found and any(c.value is not None for c in r.cells)]
    titles, tables_three = report_titles(lines), table_count(tokens)
    if tables_three >= 2 and len(titles) >= 2:  # two tables 三 under two different titles
        named = "; ".join(f"{agency or '?'} {year}" for agency, year in titles)
        report.status = Status.MULTIPLE_REPORTS
        report.message = (
            f"the file holds {max(tables_three, len(titles))} reports ({named}); split it to load them"
        )
        report.cells = []
        return report
    if tables_three >= 2:
        report.warnings.append(f"table 三 appears {tables_three} times; the first one is used")
    if not tables_found and not looks_like_report(lines, document.metadata.title, len(report.sections)):
        report.status = Status.NOT_A_REPORT
        report.message = "no information-disclosure report title, sections or tables found"
        report.cells = []
        report.report.template = None  # a file that is no report has no template
        report.warnings = list(document.warnings)
        return report

    missing = {r.table: [row for row in r.rows_expected if row not in r.rows_found] for r in results}
    report.warnings += repair_ocr_cells(report.cells, identities)
    report.checks = check_report(report, identities, said, missing, tables_found)
    report.warnings += not_evaluable_warnings(report.checks)
    report.warnings += ocr_check_warnings(report.checks, report.cells)
    return report


def document_lines(document: Document) -> list[str]:
    """The document as lines in reading order: paragraphs, and grid rows of text-made grids.

    Text readers turn short lines near numbers into grid rows, so a heading or a signature
    can sit in a grid; real tables (PDF, DOCX, HTML) hold neither.
    """
    lines: list[str] = []
    for block in document.blocks:
        if isinstance(block, Grid):
            if document.format == "text":
                lines += [" ".join(c.text for c in row if c.text) for row in block.rows()]
        else:
            lines.append(block.text)
    return lines


def _hints(said: Sequence[Statement]) -> dict[CellKey, list[Number]]:
    """Numbers the narrative gives for cells: tie-breakers for run-together digits."""
    hints: dict[CellKey, list[Number]] = defaultdict(list)
    for statement in said:
        hints[statement.cell].append(statement.value)
    return hints


def _template_tables(
    tokens: Sequence[Token],
    regions: Sequence[Region],
    template: str,
    split_other: bool,
    hints: dict[CellKey, list[Number]],
) -> list[TableResult]:
    results = []
    collapsed = _collapsed(tokens, regions)
    if (t2 := region_of(regions, "t2")) is not None:
        own, stray = own_t2_region(tokens, t2, template)
        results.append(parse_t2(tokens, own, template, hints, collapsed))
        results[-1].warnings += stray
    if (t3 := region_of(regions, "t3")) is not None:
        results.append(parse_t3(tokens, t3, split_other, collapsed))
    if (t4 := region_of(regions, "t4")) is not None:
        results.append(parse_t4(tokens, t4, collapsed))
    return results


def _collapsed(tokens: Sequence[Token], regions: Sequence[Region]) -> bool:
    """Whether a crawler collapsed the tables' repeated cells: table 三's rows are far too short."""
    runs = [run for r in regions for run in value_runs(tokens, r.start, r.end)]
    t3 = region_of(regions, "t3")
    short = (
        len([run for run in value_runs(tokens, t3.start, t3.end) if len(run) < COLLAPSED_ROW]) if t3 else 0
    )
    return is_collapsed_crawl(runs, short)


def _ordered(results: Sequence[TableResult], template: str, split_other: bool) -> list[ReportCell]:
    """Every cell of the template, in table order; cells of tables not found are null."""
    by_key = {c.key: c for r in results for c in r.cells}
    return [
        by_key.get(key) or ReportCell(*key, value=None, raw=None) for key in cell_codes(template, split_other)
    ]

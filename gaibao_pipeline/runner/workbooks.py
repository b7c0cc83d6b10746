"""A workbook of statistics tables is a report only when it names its agency and year.

Agencies attach the statistics tables as a workbook, beside the report's text (an article
page, a document in the same archive) or as the whole report. A workbook whose title or
first rows name the agency and the year (the parser reads them as it reads any title, the
file's name included) is a report of its own. One that names neither cannot be told apart
from any other agency's tables: it gets `not_a_report` with a message saying so, and its
tables are read with the document beside it where there is one (`runner.archives`), or
can be joined with the article it came with (the fetcher links attachments to their page).
"""

from __future__ import annotations

from gaibao_pipeline.documents.sheets.reader import WORKBOOK_FORMATS
from gaibao_pipeline.errors import Status
from gaibao_pipeline.model import Document
from gaibao_pipeline.parsing import document_lines
from gaibao_pipeline.parsing.metadata import extract_metadata
from gaibao_pipeline.report import Report

UNNAMED = "a workbook of statistics tables that names no agency and year in its title or first rows"


def is_workbook(document: Document | None) -> bool:
    return document is not None and document.format in WORKBOOK_FORMATS


def names_report(document: Document, file_name: str) -> bool:
    """Whether the workbook names its agency and year, as the parser reads a title."""
    found = extract_metadata(
        document_lines(document), document.metadata.title, document.metadata.published_at, file_name
    )
    return found.agency is not None and found.year is not None


def settle(document: Document | None, report: Report) -> Report:
    """A parsed workbook's report, or `not_a_report` when it names no agency and year."""
    if not is_workbook(document) or not report.ok:
        return report
    if report.report.agency is not None and report.report.year is not None:
        return report
    message = (
        f"{UNNAMED}; its tables belong to the report it was published with (the article page it came with)"
    )
    return Report.failed(report.source, Status.NOT_A_REPORT, message)

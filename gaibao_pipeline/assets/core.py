"""Core layer: each file read into a Document, then parsed into its canonical, checked Report."""

import dagster as dg

from gaibao_pipeline.partitions import BACKFILL_POLICY, REPORTS
from gaibao_pipeline.report import Report
from gaibao_pipeline.resources import ParseSettingsResource
from gaibao_pipeline.stages import ExtractedDocument, SourceFile, extract_each, parse

from .partition_metadata import partition_metadata

GROUP = "core"


@dg.asset(
    partitions_def=REPORTS,
    backfill_policy=BACKFILL_POLICY,
    group_name=GROUP,
    code_version="1",
    kinds={"python"},
)
def core_documents(
    context: dg.AssetExecutionContext,
    raw_source_files: dict[str, SourceFile],
    parse_settings: ParseSettingsResource,
) -> dict[str, ExtractedDocument]:
    """The file read into paragraphs and table grids with provenance, or the status saying why not."""
    add_metadata = partition_metadata(context)
    documents: dict[str, ExtractedDocument] = {}
    sources = (raw_source_files[key] for key in context.partition_keys)
    # Results arrive as the reader processes finish them: one log line each, as it happens.
    for key, item in extract_each(sources, parse_settings.limits(), parse_settings.read_workers):
        document = item.document
        if document is None:
            context.log.warning(f"{key} {item.source.file}: {item.status.value}: {item.message}")
        else:
            context.log.debug(f"{key} {item.source.file}: read {item.source.format}")
        add_metadata(
            key,
            {
                "file": item.source.file,
                "format": item.source.format,
                "status": item.status.value,
                "pages": document.page_count if document else None,
                "tables": len(document.grids) if document else 0,
                "paragraphs": len(document.paragraphs) if document else 0,
            },
        )
        documents[key] = item
    return documents


@dg.asset(
    partitions_def=REPORTS,
    backfill_policy=BACKFILL_POLICY,
    group_name=GROUP,
    # The parser's output for the same document changes with the package; bump with parsing/.
    code_version="1",
    kinds={"python"},
)
def core_reports(
    context: dg.AssetExecutionContext, core_documents: dict[str, ExtractedDocument]
) -> dict[str, Report]:
    """The parsed report: agency, year, template, sections, canonical cells and check results."""
    add_metadata = partition_metadata(context)
    reports: dict[str, Report] = {}
    for key in context.partition_keys:
        report = parse(core_documents[key])
        failed = [c for c in report.checks if c.passed is False]
        meta = report.report
        context.log.info(
            f"{key} {report.source.file}: {report.status.value}"
            + (
                f" {meta.agency} {meta.year} template {meta.template}"
                if report.ok
                else f" ({report.message})"
            )
            + f", {len(report.cells)} cells, {len(failed)} failed checks"
        )
        add_metadata(
            key,
            {
                "status": report.status.value,
                "agency": meta.agency,
                "year": meta.year,
                "template": meta.template,
                "sections": len(report.sections),
                "cells": len(report.cells),
                "inferred_cells": sum(1 for c in report.cells if c.inferred),
                "checks_failed": len(failed),
                "errors_failed": sum(1 for c in failed if c.severity == "error"),
                "warnings": len(report.warnings),
            },
        )
        reports[key] = report
    return reports

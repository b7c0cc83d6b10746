"""The per-report step: read, parse, check and load a run's reports in one streaming pass.

One step materialises core_documents, core_reports and out_loaded_reports for every
partition of the run and evaluates the checks on core_reports. The reader workers parse
each document where they read it, pack both for storage (`packed.Packed`) and run ahead of
this step (`batch.process_batch`), which records each report's check evaluations as it
arrives and loads the reports a chunk at a time; the three assets keep their own lineage
(file → document → report → loaded rows) and per-partition metadata. One step rather than
three, so that no document or report is stored and loaded again between steps and the
workers never wait while the run's process works alone.
"""

from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg

from gaibao_pipeline.checks import PER_REPORT_CHECK_SPECS
from gaibao_pipeline.checks.report_checks import invariant_evaluations, rendition_evaluations
from gaibao_pipeline.checks.table_checks import contract_evaluation
from gaibao_pipeline.db import upgrade_schema
from gaibao_pipeline.db.engine import redact
from gaibao_pipeline.errors import Status
from gaibao_pipeline.orchestration.instance.bulk_writes import prepare_bulk_writes
from gaibao_pipeline.orchestration.instance.partition_metadata import PartitionMetadata
from gaibao_pipeline.orchestration.keys import (
    CORE_DOCUMENTS,
    CORE_REPORTS,
    OUT_LOADED_REPORTS,
    RAW_SOURCE_FILES,
)
from gaibao_pipeline.orchestration.partitions import BACKFILL_POLICY, REPORTS
from gaibao_pipeline.orchestration.resources import (
    DatabaseResource,
    ParseSettingsResource,
    ReviewPagesResource,
)
from gaibao_pipeline.report import Report
from gaibao_pipeline.review.pages import write_review_page
from gaibao_pipeline.runner.batch import Parsed, process_batch
from gaibao_pipeline.runner.packed import Packed
from gaibao_pipeline.runner.stages import ExtractedDocument, SourceFile

from . import core, load


@dg.multi_asset(
    name="read_parse_load",
    outs={**core.OUTS, load.LOADED_OUT: load.OUT},
    ins={"raw_source_files": dg.AssetIn(RAW_SOURCE_FILES)},
    # the lineage inside the step: file → document → report → loaded rows
    internal_asset_deps={
        core.DOCUMENTS_OUT: {RAW_SOURCE_FILES},
        core.REPORTS_OUT: {CORE_DOCUMENTS},
        load.LOADED_OUT: {RAW_SOURCE_FILES, CORE_REPORTS},
    },
    check_specs=PER_REPORT_CHECK_SPECS,
    partitions_def=REPORTS,
    backfill_policy=BACKFILL_POLICY,
)
def read_parse_load(
    context: dg.AssetExecutionContext,
    raw_source_files: dict[str, SourceFile],
    parse_settings: ParseSettingsResource,
    database: DatabaseResource,
    review_pages: ReviewPagesResource,
) -> Iterator[dg.Output | dg.AssetCheckEvaluation]:  # type: ignore[type-arg]
    """Read and parse each report in the reader workers, check it, and load it into the database."""
    prepare_bulk_writes(context.instance)  # ~18 events per report: see instance_writes
    document_metadata = PartitionMetadata(context, CORE_DOCUMENTS)
    report_metadata = PartitionMetadata(context, CORE_REPORTS)
    loaded_metadata = PartitionMetadata(context, OUT_LOADED_REPORTS)
    engine = database.engine()
    upgrade_schema(engine)  # one read when the schema is already current
    review_root = review_pages.root()
    sources = [raw_source_files[key] for key in context.partition_keys]
    context.log.info(f"reading {len(sources)} reports; loading into {redact(database.resolved_url())}")
    # Packed by the workers and stored as they are: a few KB per report, not its object graph.
    documents: dict[str, Packed[ExtractedDocument]] = {}
    reports: dict[str, Packed[Report]] = {}
    outcomes: Counter[str] = Counter()
    batch = process_batch(
        sources,
        parse_settings.limits(),
        parse_settings.read_workers,
        engine,
        run_id=context.run.run_id,
        loaded_at=datetime.now(UTC),  # one load time for the whole run
    )
    for event in batch:
        key = event.key
        if isinstance(event, Parsed):
            parsed = event.file
            # one line per report as it is parsed: what `gaibao run` counts for its progress bar
            line = core.log_line(key, parsed.report)
            if parsed.document.read:
                context.log.info(line)
            else:
                context.log.warning(line)
            document_metadata.add(key, core.document_metadata(parsed.document))
            report_metadata.add(key, core.report_metadata(parsed.report))
            documents[key], reports[key] = parsed.stored_document, parsed.stored_report
            page = _review_page(context, review_root, key, parsed.report)
            yield from invariant_evaluations(key, parsed.report, page, review_pages.report_url(key))
            continue
        result = event.result
        outcomes[result.status if result else "missing, not loaded"] += 1
        if result is None:
            context.log.warning(f"{key} (missing): {load.missing_reason(event.source)}")
        elif result.status == Status.INVALID.value:  # refused by a table contract: a parser bug
            context.log.warning(f"{key} {event.source.relative_path}: not loaded: {result.refused}")
        loaded_metadata.add(key, load.loaded_metadata(event.source, event.report, result))
        yield contract_evaluation(key, result)
        yield from rendition_evaluations(key, event.report)
    context.log.info(
        f"loaded {len(sources)} reports: " + ", ".join(f"{n} {s}" for s, n in sorted(outcomes.items()))
    )
    for metadata in (document_metadata, report_metadata, loaded_metadata):
        metadata.write()
    yield dg.Output(documents, output_name=core.DOCUMENTS_OUT)
    yield dg.Output(reports, output_name=core.REPORTS_OUT)
    yield dg.Output(None, output_name=load.LOADED_OUT)
    # each check's output is the run's record that it ran; the outcomes are the evaluations above
    for spec in PER_REPORT_CHECK_SPECS:
        yield dg.Output(None, output_name=spec.get_python_identifier())


def _review_page(context: dg.AssetExecutionContext, root: Path, key: str, report: Report) -> Path | None:
    """The review page of a report with a failed check; a page that cannot be written is a warning."""
    if not any(check.passed is False for check in report.checks) and report.ok:
        return None
    try:
        return write_review_page(root, key, report)
    except OSError as exc:  # a side effect: the report still loads and its checks are recorded
        context.log.warning(f"{key}: review page not written to {root}: {type(exc).__name__}: {exc}")
        return None

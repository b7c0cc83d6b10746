"""core_reports: each report file registered, read, parsed, checked and loaded, in one streaming step.

One asset per report rather than one per stage (file, document, report, loaded rows): each
materialization and its planned event are stored per report on a kept instance, and four
of each per report were most of what Dagster added to a bulk run, for stages that only ever
run together. The step registers the run's files, then `batch.process_batch` reads and
parses them in the reader workers (running ahead in a thread) and loads them a chunk at a
time; as each report's chunk is loaded, its one `report_checks` evaluation is recorded.
Each partition's materialization carries what every stage found (`report_metadata`); the
lineage of every row (file, hash, run) is in the database (`source_files` and the
`source_sha256`, `run_id` of every row). Nothing is stored between steps: the rows are the
asset's value, in the database.

Logs: one line per chunk of reports parsed (`progress`), a warning per report only when
something went wrong with it (unreadable, missing, refused by a table contract, review page
not written), and one line when the run's reports are loaded.
"""

from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg

from gaibao_pipeline.checks import REPORT_CHECKS
from gaibao_pipeline.checks.report_checks import report_evaluation
from gaibao_pipeline.db import upgrade_schema
from gaibao_pipeline.db.engine import redact
from gaibao_pipeline.errors import Status
from gaibao_pipeline.orchestration.instance.bulk_writes import prepare_bulk_writes
from gaibao_pipeline.orchestration.instance.partition_metadata import PartitionMetadata
from gaibao_pipeline.orchestration.keys import CORE_REPORTS
from gaibao_pipeline.orchestration.partitions import BACKFILL_POLICY, REPORTS, observed_states
from gaibao_pipeline.orchestration.progress import CHUNK, progress_line
from gaibao_pipeline.orchestration.resources import (
    DatabaseResource,
    LandingFolderResource,
    ParseSettingsResource,
    ReviewPagesResource,
)
from gaibao_pipeline.report import Report
from gaibao_pipeline.review.pages import write_review_page
from gaibao_pipeline.runner import landing
from gaibao_pipeline.runner.batch import Parsed, process_batch
from gaibao_pipeline.runner.stages import ParsedFile, SourceFile, register

from . import report_metadata
from .raw import raw_landing_files

GROUP = "core"


@dg.asset(
    key=CORE_REPORTS,
    deps=[raw_landing_files],
    partitions_def=REPORTS,
    backfill_policy=BACKFILL_POLICY,
    check_specs=[REPORT_CHECKS],
    group_name=GROUP,
    # The parser's output for the same file changes with the package; bump with parsing/.
    code_version="2",
    kinds={"python", "sql"},
    dagster_type=dg.Nothing,  # the rows are in the database; nothing is stored between steps
)
def core_reports(
    context: dg.AssetExecutionContext,
    landing_folder: LandingFolderResource,
    parse_settings: ParseSettingsResource,
    database: DatabaseResource,
    review_pages: ReviewPagesResource,
) -> Iterator[dg.Output[None] | dg.AssetCheckEvaluation]:
    """The report file read, parsed, checked and loaded: agency, year, template, cells, check results."""
    prepare_bulk_writes(context.instance)  # a materialization per report, written as one batch
    metadata = PartitionMetadata(context)
    sources = _register(context, landing_folder.root(), metadata)
    engine = database.engine()
    upgrade_schema(engine)  # one read when the schema is already current
    review_root = review_pages.root()
    total = len(sources)
    context.log.info(f"reading {total} reports; loading into {redact(database.resolved_url())}")
    # each report's parse and review page, from when it is parsed until its chunk is loaded
    waiting: dict[str, tuple[Report, Path | None]] = {}
    missing = {source.report_id for source in sources if source.missing}
    outcomes: Counter[str] = Counter()
    done = since_line = 0
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
            if key not in missing:  # a missing file is warned about when it is not loaded
                _warn_unread(context, key, parsed)
            metadata.add(key, report_metadata.parsed_metadata(parsed))
            waiting[key] = parsed.report, _review_page(context, review_root, key, parsed.report)
            done, since_line = done + 1, since_line + 1
            if since_line == CHUNK or done == total:
                context.log.info(progress_line(since_line, done, total))
                since_line = 0
            continue
        result = event.result
        outcomes[result.status if result else "missing, not loaded"] += 1
        if result is None:
            context.log.warning(f"{key} (missing): {report_metadata.missing_reason(event.source)}")
        elif result.status == Status.INVALID.value:  # refused by a table contract: a parser bug
            context.log.warning(f"{key} {event.source.relative_path}: not loaded: {result.refused}")
        metadata.add(key, report_metadata.loaded_metadata(event.source, event.report, result))
        parsed_report, page = waiting.pop(key)
        yield report_evaluation(key, parsed_report, event.report, result, page, review_pages.report_url(key))
    context.log.info(f"loaded {total} reports: " + ", ".join(f"{n} {s}" for s, n in sorted(outcomes.items())))
    metadata.write()
    yield dg.Output(None)
    # the check's output is the run's record that it ran; the outcomes are the evaluations above
    yield dg.Output(None, output_name=REPORT_CHECKS.get_python_identifier())


def _register(context: dg.AssetExecutionContext, root: Path, metadata: PartitionMetadata) -> list[SourceFile]:
    """The run's report files: one walk of the landing folder maps every key of the run to its file."""
    paths = landing.index(root)
    # what the landing plan recorded of each file: its hash is not computed again while it holds
    known = observed_states(context.instance, context.partition_keys)
    sources = [register(key, root, paths.get(key), known.get(key)) for key in context.partition_keys]
    for source in sources:
        metadata.add(source.report_id, report_metadata.source_metadata(source))
    return sources


def _warn_unread(context: dg.AssetExecutionContext, key: str, parsed: ParsedFile) -> None:
    """A warning for a file that could not be read (one removed before reading: when not loaded)."""
    document = parsed.document
    if document.read or document.gone:
        return
    message = f" ({parsed.report.message})" if parsed.report.message else ""
    context.log.warning(
        f"{key} {document.source.file}: {document.source.format}, {document.status.value}{message}"
    )


def _review_page(context: dg.AssetExecutionContext, root: Path, key: str, report: Report) -> Path | None:
    """The review page of a report with a failed check; a page that cannot be written is a warning."""
    if not any(check.passed is False for check in report.checks) and report.ok:
        return None
    try:
        return write_review_page(root, key, report)
    except OSError as exc:  # a side effect: the report still loads and its checks are recorded
        context.log.warning(f"{key}: review page not written to {root}: {type(exc).__name__}: {exc}")
        return None

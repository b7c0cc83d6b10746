"""A run's batch of reports end to end, as a stream: read and parse in the workers, load in chunks.

Pure Python (no Dagster). Each report is yielded as `Parsed` as soon as its worker has read
and parsed it, and as `Loaded` once its chunk of `LOAD_CHUNK` reports is in the database,
so the caller can record both as they happen while the reader pool (running ahead in its
own thread) keeps parsing. The Dagster step that materialises core_reports is a thin
wrapper around `process_batch`; the benchmark's run without Dagster calls it directly. The
files of one fetched article (a web page and its attachments) are loaded together, one
rendition of each report chosen (`renditions`).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.engine import Engine

from gaibao_pipeline.db import LoadResult, ReportToLoad, load_reports
from gaibao_pipeline.limits import Limits
from gaibao_pipeline.report import Report
from gaibao_pipeline.runner.renditions import ArticleGroups, Resolved, siblings
from gaibao_pipeline.runner.stages import ParsedFile, SourceFile, read_and_parse_each

# Reports per `load_reports` call: large enough for one contract validation and a few
# statements per table to cover many reports, small enough that rows reach the database
# while the rest of the batch is still being parsed.
LOAD_CHUNK = 50


@dataclass(frozen=True, slots=True)
class Parsed:
    """A report read and parsed (or the status saying why it could not be)."""

    key: str
    file: ParsedFile


@dataclass(frozen=True, slots=True)
class Loaded:
    """A report's load: `result` is None when its file is missing (its rows, if any, are kept).

    `report` is the one loaded: a rendition not chosen has the status `rendition`, the chosen
    one carries the `renditions.agree` checks. A file is missing when no file has its key any
    more, or when it was removed between registration and reading (`DocumentSummary.gone`):
    either way its earlier load stands.
    """

    key: str
    source: SourceFile
    report: Report
    result: LoadResult | None


def process_batch(
    sources: Sequence[SourceFile],
    limits: Limits,
    workers: int | None,
    engine: Engine,
    *,
    run_id: str | None,
    loaded_at: datetime,
    chunk: int = LOAD_CHUNK,
) -> Iterator[Parsed | Loaded]:
    """Read, parse and load every source; each report is yielded as `Parsed`, then as `Loaded`.

    The other files of a fetched article are read and loaded with it, but yield nothing:
    they are not this batch's reports.
    """
    requested = {source.report_id for source in sources}
    everything = [*sources, *siblings(sources)]
    by_key = {source.report_id: source for source in everything}
    groups = ArticleGroups(everything)
    pending: list[Resolved] = []

    def load_pending() -> Iterator[Loaded]:
        items = [
            ReportToLoad(
                report,
                source.report_id,
                source.relative_path or "",
                source_url=source.source_url,
                article_url=source.article_url,
                rendition=choice,
            )
            for source, report, choice in pending
        ]
        results = load_reports(engine, items, run_id=run_id, loaded_at=loaded_at)
        for (source, report, _), result in zip(pending, results, strict=True):
            if source.report_id in requested:
                yield Loaded(source.report_id, source, report, result)
        pending.clear()

    for key, parsed in read_and_parse_each(everything, limits, workers):
        if key in requested:
            yield Parsed(key, parsed)
        source = by_key[key]
        if source.missing or parsed.document.gone:
            if key in requested:
                yield Loaded(key, source, parsed.report, None)
            pending.extend(groups.drop(source))  # its article is chosen among the files left
            continue
        pending.extend(groups.add(source, parsed.report))
        if len(pending) >= chunk:
            yield from load_pending()
    if pending:
        yield from load_pending()

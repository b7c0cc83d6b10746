"""Renditions in a batch: the files of one fetched article are parsed, chosen among and loaded together.

Which rendition of a report is loaded depends on all of them (`contracts.renditions`), so
when a batch holds one file of a fetched article, the article's other files (their
`fetch.sidecar` records name the article) are read too, and none of them is loaded before all
are parsed. Their rows are written by this batch even when their own partitions are not in
it: the outcome is the same whichever of the files asked for it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path, PurePosixPath

from gaibao_pipeline.contracts.renditions import Candidate, Choice, choose
from gaibao_pipeline.fetch.sidecar import records_in
from gaibao_pipeline.report import Report
from gaibao_pipeline.runner.keys import report_key
from gaibao_pipeline.runner.landing import is_candidate
from gaibao_pipeline.runner.stages import SourceFile, register

Resolved = tuple[SourceFile, Report, Choice | None]


def article_of(source: SourceFile) -> str | None:
    """The web article a fetched file belongs to (an attachment's page, or the page itself)."""
    return source.article_url or source.source_url


def siblings(sources: Iterable[SourceFile]) -> list[SourceFile]:
    """The other files of the fetched articles among `sources`, registered, those in `sources` left out."""
    sources = list(sources)
    have = {source.report_id for source in sources}
    found: dict[str, SourceFile] = {}
    for source in sources:
        article = article_of(source)
        if article is None or source.path is None or source.relative_path is None:
            continue
        folder = Path(source.path).parent
        relative_folder = PurePosixPath(source.relative_path).parent
        root = Path(source.path).parents[len(PurePosixPath(source.relative_path).parts) - 1]
        for name, record in records_in(folder).items():
            if record.article != article or not is_candidate(name) or not (folder / name).is_file():
                continue
            relative = (relative_folder / name).as_posix()
            key = report_key(relative)
            if key not in have and key not in found:
                found[key] = register(key, root, relative)
    return list(found.values())


class ArticleGroups:
    """Holds the parsed files of each fetched article until all have come, then chooses among them."""

    def __init__(self, sources: Sequence[SourceFile]) -> None:
        self._members: dict[str, set[str]] = defaultdict(set)
        self._article: dict[str, str] = {}
        for source in sources:
            article = article_of(source)
            if article is not None and not source.missing:
                self._members[article].add(source.report_id)
                self._article[source.report_id] = article
        self._arrived: dict[str, list[tuple[SourceFile, Report]]] = defaultdict(list)

    def add(self, source: SourceFile, report: Report) -> list[Resolved]:
        """What can be loaded now: this file alone, nothing yet, or its whole article, chosen among."""
        article = self._article.get(source.report_id)
        if article is None or len(self._members[article]) < 2:
            return [(source, report, None)]
        self._arrived[article].append((source, report))
        return self._resolve(article)

    def drop(self, source: SourceFile) -> list[Resolved]:
        """A file that will not come (it left the folder before it was read): its article is
        chosen among the files left, once they have all come."""
        article = self._article.pop(source.report_id, None)
        if article is None:
            return []
        self._members[article].discard(source.report_id)
        return self._resolve(article) if self._arrived.get(article) else []

    def _resolve(self, article: str) -> list[Resolved]:
        arrived = self._arrived[article]
        if len(arrived) < len(self._members[article]):
            return []
        del self._arrived[article]
        if len(arrived) < 2:
            return [(s, report, None) for s, report in arrived]
        chosen = choose([Candidate(s.report_id, r, s.article_url is not None) for s, r in arrived])
        return [(s, report, choice) for (s, _), (_, report, choice) in zip(arrived, chosen, strict=True)]

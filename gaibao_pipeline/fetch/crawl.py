"""One crawl: list pages → report links → article pages and their attachments, saved with records.

For each source: the list pages are read (and their pagination followed, at most
`max_pages`), the links whose titles are annual disclosure reports kept (a title cut short
is decided by the article's own title), each report's page saved and every attachment it
links. Every file gets a record (`sidecar`). A file asked for again sends the validators
of its record, so an unchanged file costs a 304 and no transfer; one checked less than
`recheck_after` ago is not asked for at all, so an interrupted crawl resumes where it stopped.
Sites are crawled `hosts_at_once` at a time; one site's requests go one after another.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from gaibao_pipeline.fetch import store
from gaibao_pipeline.fetch.client import Fetcher, FetchFailed, Response
from gaibao_pipeline.fetch.listings import Link, read_article, read_listing
from gaibao_pipeline.fetch.safety import Refused
from gaibao_pipeline.fetch.settings import FetchSettings
from gaibao_pipeline.fetch.sidecar import FetchRecord, read_record, records_in, write_atomically, write_record
from gaibao_pipeline.fetch.sources import Source
from gaibao_pipeline.fetch.titles import is_truncated
from gaibao_pipeline.runner.keys import sha256_hex

log = logging.getLogger(__name__)

# What happened to one file: new, changed (new bytes), unchanged (304 or the same bytes),
# skipped (checked less than `recheck_after` ago: not asked for).
Progress = Callable[[str, str, str], None]  # (source name, event, URL or relative path)


@dataclass(slots=True)
class SourceOutcome:
    """What one source's crawl found and did."""

    source: str
    list_pages: int = 0
    reports: int = 0  # report links kept
    files: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))  # event → paths
    refused: list[str] = field(default_factory=list)  # "URL: reason" (unsafe or robots.txt)
    failed: list[str] = field(default_factory=list)  # "URL: reason" (after retries)

    def count(self, event: str) -> int:
        return len(self.files.get(event, []))

    @property
    def written(self) -> list[str]:
        """Relative paths of files written this time (new or changed)."""
        return [*self.files.get("new", []), *self.files.get("changed", [])]


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _recent(record: FetchRecord, seconds: float) -> bool:
    try:
        checked = datetime.fromisoformat(record.checked_at)
    except ValueError:
        return False
    return seconds > 0 and (datetime.now(UTC) - checked).total_seconds() < seconds


class SourceCrawl:
    """The crawl of one source into the landing folder."""

    def __init__(self, source: Source, landing: Path, fetcher: Fetcher, progress: Progress | None) -> None:
        self.source = source
        self.landing = landing
        self.fetcher = fetcher
        self.settings: FetchSettings = fetcher.settings
        self.outcome = SourceOutcome(source.name)
        self._progress = progress or (lambda _s, _e, _u: None)

    def _event(self, event: str, what: str) -> None:
        self._progress(self.source.name, event, what)

    def _problem(self, exc: Refused | FetchFailed) -> None:
        if isinstance(exc, Refused):
            self.outcome.refused.append(f"{exc.url}: {exc.reason}")
            self._event("refused", f"{exc.url}: {exc.reason}")
        else:
            self.outcome.failed.append(f"{exc.url}: {exc.reason}")
            self._event("failed", f"{exc.url}: {exc.reason}")

    def _get(
        self, url: str, previous: FetchRecord | None, kept: Path | None
    ) -> tuple[Response | None, bytes]:
        """The body of `url`: from the kept file when checked recently or unchanged (304), else fetched."""
        usable = previous is not None and kept is not None and kept.is_file()
        if usable and previous and kept and _recent(previous, self.settings.recheck_after):
            return None, kept.read_bytes()
        response = self.fetcher.get(
            url,
            etag=previous.etag if usable and previous else None,
            last_modified=previous.last_modified if usable and previous else None,
        )
        if response.not_modified and kept is not None:
            return response, kept.read_bytes()
        return response, response.body or b""

    # -- list pages ----------------------------------------------------------------------

    def _list_page(self, url: str) -> bytes | None:
        cache = store.list_cache(self.landing, self.source.name, url)
        previous = read_record(cache)
        try:
            response, body = self._get(url, previous, cache)
        except (Refused, FetchFailed) as exc:
            self._problem(exc)
            return None
        self.outcome.list_pages += 1
        self._event("list", url)
        if response is not None:
            write_atomically(cache, body)
            write_record(cache, self._record(url, response, body, cache.name, "list", previous))
        return body

    def links(self) -> list[tuple[Link, str]]:
        """Every report link of the source's list pages and the page it is on, following the pagination."""
        source = self.source
        queue = [source.page_url(source.first_page)] if source.paged else [source.list_url]
        visited: set[str] = set()
        listed: set[str] = set()  # every link seen, reports or not
        found: dict[str, tuple[Link, str]] = {}
        page_number = source.first_page
        while queue and len(visited) < source.max_pages:
            url = queue.pop(0)
            if url in visited:
                continue
            visited.add(url)
            body = self._list_page(url)
            if body is None:
                continue
            listing = read_listing(body, url)
            unseen = [link for link in listing.links if link.url not in listed]
            listed.update(link.url for link in listing.links)
            for link in unseen:
                if source.titles.matches(link.title) or (
                    is_truncated(link.title) and source.titles.may_match(link.title)
                ):
                    found.setdefault(link.url, (link, url))
            if source.paged:
                # the next page, until the listing says this was the last or a page brings nothing new
                # (an endpoint that ignores the page number would otherwise be asked max_pages times)
                page_number += 1
                last = (
                    listing.page_count is not None and page_number >= source.first_page + listing.page_count
                )
                if unseen and not last:
                    queue.append(source.page_url(page_number))
            else:
                queue += [page for page in listing.pages if page not in visited]
        return list(found.values())

    # -- reports ---------------------------------------------------------------------------

    def _record(
        self,
        url: str,
        response: Response,
        body: bytes,
        name: str,
        role: str,
        previous: FetchRecord | None,
        **extra: str | None,
    ) -> FetchRecord:
        now = _now()
        changed = previous is None or not response.not_modified
        return FetchRecord(
            url=url,
            final_url=response.final_url,
            role=role,
            source=self.source.name,
            fetched_at=now if changed or previous is None else previous.fetched_at,
            checked_at=now,
            http_status=response.status,
            format=store.sniffed_format(body),
            sha256=sha256_hex(body),
            size=len(body),
            file=name,
            agency=self.source.agency,
            content_type=response.content_type or (previous.content_type if previous else None),
            etag=response.etag,
            last_modified=response.last_modified,
            **extra,
        )

    def _save(
        self,
        folder: Path,
        url: str,
        title: str,
        role: str,
        known: dict[str, FetchRecord],
        fetched: tuple[Response | None, bytes] | None = None,
        **extra: str | None,
    ) -> bytes | None:
        """Fetch (unless given) and keep one file of a report; its bytes, or None when it failed."""
        previous = known.get(url)
        kept = folder / previous.file if previous else None
        try:
            response, body = fetched or self._get(url, previous, kept)
        except (Refused, FetchFailed) as exc:
            self._problem(exc)
            return None
        if response is None:  # checked recently: this run resumes after it
            self._record_event("skipped", folder / (previous.file if previous else ""))
            return body
        name = store.file_name(
            store.with_agency(title, self.source.agency), url, store.extension_for(body, url)
        )
        path = folder / name
        record = self._record(url, response, body, name, role, previous, title=title, **extra)
        same = previous is not None and previous.sha256 == record.sha256 and previous.file == name
        if same and previous is not None:
            record = replace(record, fetched_at=previous.fetched_at)
        else:
            write_atomically(path, body)
            if previous is not None and previous.file != name and kept is not None:
                kept.unlink(missing_ok=True)  # the bytes changed format: the new name replaces it
        write_record(path, record)
        self._record_event("unchanged" if same else "changed" if previous else "new", path)
        return body

    def _record_event(self, event: str, path: Path) -> None:
        relative = path.relative_to(self.landing).as_posix()
        self.outcome.files[event].append(relative)
        self._event(event, relative)

    def report(self, link: Link, list_url: str) -> None:
        """Save a report's page (or file, when the list links one directly) and its attachments."""
        folder = store.article_folder(self.landing, self.source.name, link.url)
        known = {record.url: record for record in records_in(folder).values()}
        previous = known.get(link.url)
        try:
            fetched = self._get(link.url, previous, folder / previous.file if previous else None)
        except (Refused, FetchFailed) as exc:
            self._problem(exc)
            return
        body = fetched[1]
        if store.sniffed_format(body) != "html":
            self.outcome.reports += 1
            when = link.published_at
            self._save(
                folder, link.url, link.title, "document", known, fetched, list_url=list_url, published_at=when
            )
            return
        article = read_article(body, link.url)
        title = link.title
        if is_truncated(title):
            if not (article.title and self.source.titles.matches(article.title)):
                return  # the full title shows it is no report
            title = article.title
        self.outcome.reports += 1
        when = link.published_at or article.published_at
        self._save(folder, link.url, title, "article", known, fetched, list_url=list_url, published_at=when)
        for attachment in article.attachments:
            self._save(
                folder,
                attachment.url,
                title,
                "attachment",
                known,
                article_url=link.url,
                list_url=list_url,
                published_at=when,
            )

    def run(self) -> SourceOutcome:
        for link, list_url in self.links():
            self.report(link, list_url)
        return self.outcome


def crawl(
    sources: Sequence[Source],
    landing: Path,
    settings: FetchSettings,
    progress: Progress | None = None,
    on_request: Callable[[str], None] | None = None,
) -> list[SourceOutcome]:
    """Crawl every source into `landing`; sources on different hosts in parallel."""
    by_host: dict[str, list[Source]] = defaultdict(list)
    for source in sources:
        by_host[urlsplit(source.page_url(source.first_page)).hostname or ""].append(source)
    outcomes: dict[str, SourceOutcome] = {}
    with Fetcher(settings, on_request) as fetcher:

        def crawl_host(group: Iterable[Source]) -> None:
            for source in group:
                crawling = SourceCrawl(source, landing, fetcher, progress)
                try:
                    outcomes[source.name] = crawling.run()
                except Exception as exc:  # a bug or a full disk on one source must not stop the others
                    log.exception("crawl of %s stopped", source.name)
                    crawling.outcome.failed.append(
                        f"{source.list_url}: crawl stopped ({type(exc).__name__}: {exc})"
                    )
                    outcomes[source.name] = crawling.outcome

        workers = max(1, min(settings.hosts_at_once, len(by_host)))
        with ThreadPoolExecutor(workers, thread_name_prefix="gaibao-fetch") as pool:
            for done in [pool.submit(crawl_host, group) for group in by_host.values()]:
                done.result()
    return [outcomes[source.name] for source in sources]

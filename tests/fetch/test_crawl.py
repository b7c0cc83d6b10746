"""A crawl of the fixture site: every report and attachment found and nothing else, robots.txt and
the delay honoured (checked from the server's log), transient failures retried, sidecar records
complete; a second crawl transfers only what changed and picks up a newly added report."""

from __future__ import annotations

import hashlib
import itertools
import json
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from gaibao_pipeline.documents.archive.tree import SEPARATOR
from gaibao_pipeline.fetch.crawl import SourceOutcome, crawl
from gaibao_pipeline.fetch.sidecar import SIDECAR_DIR, FetchRecord, read_record
from gaibao_pipeline.runner.landing import scan
from tests.fetch.conftest import AGENCY, EXPECTED_FILES, NEVER_REQUESTED, TEST_DELAY, article, xlsx


def _records(landing: Path) -> dict[str, tuple[Path, FetchRecord]]:
    """Site path → (file, record) of every file the crawl saved."""
    found = {}
    for landed in scan(landing):
        # the landing scan lists a saved archive's files: the archive is the file the crawl saved
        path = landing / landed.relative_path.split(SEPARATOR)[0]
        record = read_record(path)
        assert record is not None, f"{landed.relative_path} has no record"
        parts = urlsplit(record.url)
        found[parts.path + (f"?{parts.query}" if parts.query else "")] = (path, record)
    return found


def _by_source(outcomes: list[SourceOutcome]) -> dict[str, SourceOutcome]:
    return {o.source: o for o in outcomes}


def test_first_crawl_finds_every_report_and_nothing_else(site, sources, settings, landing) -> None:
    outcomes = _by_source(crawl(sources, landing, settings))
    records = _records(landing)
    assert set(records) == EXPECTED_FILES
    requested = {hit.path for hit in site.hits()}
    assert not requested & NEVER_REQUESTED
    assert outcomes["static"].reports == 5 and outcomes["trs"].reports == 2 and outcomes["json"].reports == 2
    # refused with a reason: robots.txt, and a loopback address outside the allow-list
    refused = "\n".join(outcomes["static"].refused)
    assert "/private/secret.html: disallowed by robots.txt" in refused
    assert "/private/a.pdf: disallowed by robots.txt" in refused
    assert "127.0.0.2 is a loopback address (not in --allow-host)" in refused
    assert not any(o.failed for o in outcomes.values())
    # the 503 and the body cut short were retried
    assert [h.status for h in site.hits("/files/t3.docx")] == [503, 200]
    truncated = site.hits("/files/2020.pdf")
    assert len(truncated) == 2 and truncated[0].sent < truncated[1].sent


def test_records_say_where_each_file_came_from(site, sources, settings, landing, documents) -> None:
    crawl(sources, landing, settings)
    records = _records(landing)
    for site_path, (path, record) in records.items():
        data = path.read_bytes()
        assert record.sha256 == hashlib.sha256(data).hexdigest() and record.size == len(data)
        assert record.http_status == 200 and record.etag and record.last_modified
        assert record.fetched_at and record.checked_at and record.source in ("static", "trs", "json")
        assert path.name == record.file and ".." not in path.name and "/" not in path.name
        assert record.url == site.url(site_path)
    pdf_path, pdf = records["/files/t1.pdf"]
    assert pdf.role == "attachment" and pdf.article_url == site.url("/static/ndbg/202402/t1.html")
    assert pdf.format == "pdf" and pdf_path.suffix == ".pdf" and pdf.agency == AGENCY
    assert pdf.title == "三明市人民政府2023年政府信息公开工作年度报告"
    assert pdf.published_at == "2024-01-20"  # the list page's date, given to the attachments
    page_path, page = records["/static/ndbg/202402/t1.html"]
    assert page.role == "article" and page.article_url is None and page_path.parent == pdf_path.parent
    # content types are sniffed from the bytes, the server's word only recorded
    xlsx_path, sheet = records["/files/t4.xlsx"]
    assert (
        sheet.content_type.startswith("text/html") and sheet.format == "xlsx" and xlsx_path.suffix == ".xlsx"
    )
    suffixes = {
        records[p][0].suffix for p in ("/files/t4.ofd", "/files/t4.zip", "/files/t4.wps", "/files/t3.docx")
    }
    assert suffixes == {".ofd", ".zip", ".wps", ".docx"}
    assert records["/files/2020.pdf"][1].role == "document"
    assert records["/files/2020.pdf"][1].list_url == site.url("/static/ndbg/index_1.htm")
    assert pdf.list_url == site.url("/static/ndbg/index.htm")
    # a title cut short on the list is the article's own; a title without agency gets the source's
    assert records["/static/ndbg/202202/t3.html"][1].title == "三明市人民政府2021年政府信息公开工作年度报告"
    assert records["/static/ndbg/202302/t2.html"][0].name.startswith(AGENCY + "2022年度")
    assert records["/trs/t5.shtml"][1].published_at == "2024-01-25"  # the 目录 row's date
    # records are hidden from the landing scan: never taken for reports
    assert all(SIDECAR_DIR not in p for p in (f.relative_path for f in scan(landing)))
    assert json.loads((pdf_path.parent / SIDECAR_DIR / f"{pdf_path.name}.json").read_text())["schema"]


def test_robots_and_the_delay_are_honoured(site, sources, settings, landing) -> None:
    crawl(sources, landing, settings)
    hits = site.hits()
    assert [h.path for h in hits].count("/robots.txt") == 1
    assert hits[0].path == "/robots.txt"  # asked before anything else of the site
    assert not [h for h in hits if h.path.startswith("/private/")]
    gaps = [b.at - a.at for a, b in itertools.pairwise(hits)]
    assert min(gaps) >= TEST_DELAY * 0.9, "two requests to one host closer than the delay"
    assert all("gaibao-pipeline/" in h.headers.get("User-Agent", "") for h in hits)


def test_second_crawl_transfers_only_what_changed(site, sources, settings, landing) -> None:
    crawl(sources, landing, settings)
    before = {p: r.sha256 for p, (_, r) in _records(landing).items()}
    site.clear_log()
    # a new report is published on the first list page; one attachment is replaced
    index = site.routes["/static/ndbg/index.htm"]
    index.body = index.body.replace(
        b'<ul class="list">',
        '<ul class="list"><li><a href="./202403/t7.html">三明市人民政府2024年政府信息公开工作年度报告</a></li>'.encode(),
    )
    site.add(
        "/static/ndbg/202403/t7.html", article("三明市人民政府2024年政府信息公开工作年度报告", "一、总体情况")
    )
    site.routes["/files/t4.xlsx"].body = xlsx("2019 revised")
    outcomes = _by_source(crawl(sources, landing, settings))
    transferred = {h.path for h in site.hits() if h.sent > 0}
    assert transferred == {
        "/robots.txt",
        "/static/ndbg/index.htm",
        "/static/ndbg/202403/t7.html",
        "/files/t4.xlsx",
    }
    assert all(h.status == 304 for h in site.hits() if h.path not in transferred)
    static = outcomes["static"]
    assert [Path(p).suffix for p in static.files["new"]] == [".html"]
    assert [Path(p).suffix for p in static.files["changed"]] == [".xlsx"]
    after = _records(landing)
    assert set(after) == EXPECTED_FILES | {"/static/ndbg/202403/t7.html"}
    assert after["/files/t4.xlsx"][1].sha256 != before["/files/t4.xlsx"]


def test_an_interrupted_crawl_resumes_without_asking_again(site, sources, settings, landing) -> None:
    from dataclasses import replace

    crawl(sources[:1], landing, settings)
    site.clear_log()
    outcomes = crawl(sources, landing, replace(settings, recheck_after=3600))
    asked = {h.path for h in site.hits()}
    assert not asked & {"/static/ndbg/index.htm", "/files/t1.pdf", "/static/ndbg/202402/t1.html"}
    assert "/trs/t5.shtml" in asked and outcomes[0].count("skipped") == 11


def test_a_crawl_delay_slows_down_and_a_failing_robots_txt_closes_the_site(site, settings) -> None:
    from gaibao_pipeline.fetch.client import Fetcher
    from gaibao_pipeline.fetch.safety import Refused

    site.routes["/robots.txt"].body = b"User-agent: gaibao\nCrawl-delay: 0.3\nDisallow: /private/\n"
    with Fetcher(settings) as fetcher:
        for path in ("/files/t4.zip", "/files/t4.ofd", "/files/t4.wps"):
            fetcher.get(site.url(path))
    hits = site.hits()
    assert min(b.at - a.at for a, b in itertools.pairwise(hits[1:])) >= 0.3 * 0.9
    site.clear_log()
    site.add("/robots.txt", "busy", status=500)
    with Fetcher(settings) as fetcher, pytest.raises(Refused, match=r"robots\.txt of .* could not be read"):
        fetcher.get(site.url("/files/t4.zip"))
    assert {h.path for h in site.hits()} == {"/robots.txt"}  # asked again after backoff, nothing else


def test_a_source_that_breaks_does_not_stop_the_others(site, sources, settings, landing, monkeypatch) -> None:
    from gaibao_pipeline.fetch import crawl as crawling

    real = crawling.SourceCrawl.report

    def report(self, link, list_url):  # a bug, or a full disk, while saving one source's report
        if self.source.name == "trs":
            raise OSError("No space left on device")
        return real(self, link, list_url)

    monkeypatch.setattr(crawling.SourceCrawl, "report", report)
    outcomes = _by_source(crawl(sources, landing, settings))
    assert "crawl stopped (OSError: No space left on device)" in outcomes["trs"].failed[0]
    assert outcomes["json"].count("new") == 2 and outcomes["static"].count("new") == 11


def test_a_numbered_listing_stops_when_a_page_brings_nothing_new(site, settings, landing) -> None:
    from gaibao_pipeline.fetch.sources import parse_sources

    body = '{"list": [{"title": "某区2023年政府信息公开工作年度报告", "url": "/json/a1.html"}]}'
    for page in range(1, 5):  # an endpoint that ignores the page number
        site.add(f"/same?page={page}", body, content_type="application/json")
    [source] = parse_sources({"sources": [{"name": "same", "list_url": site.url("/same?page={page}")}]})
    [outcome] = crawl([source], landing, settings)
    assert outcome.list_pages == 2 and outcome.reports == 1
    assert not site.hits("/same?page=3")

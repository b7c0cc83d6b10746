"""A fetched article's files are loaded together: a batch holding only the PDF attachment also
reads the article page (its sidecar names the article), loads the better rendition and records
the other as `rendition`, with `renditions.agree` on the loaded one; when the PDF turns bad,
reloading it alone makes the page the report again."""

from __future__ import annotations

import hashlib
import random
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from gaibao_pipeline.db import make_engine, upgrade_schema
from gaibao_pipeline.db.schema import check_results, renditions, reports, source_files
from gaibao_pipeline.fetch.sidecar import FetchRecord, write_record
from gaibao_pipeline.limits import Limits
from gaibao_pipeline.runner.batch import Loaded, Parsed, process_batch
from gaibao_pipeline.runner.keys import report_key
from gaibao_pipeline.runner.landing import scan
from gaibao_pipeline.runner.stages import register
from gaibao_pipeline.synth.html_builder import build_html
from gaibao_pipeline.synth.pdf_builder import build_report_pdf
from gaibao_pipeline.synth.values import random_report

AT = datetime(2026, 3, 31, tzinfo=UTC)
PAGE_URL = "https://www.example.gov.cn/ndbg/t1.html"
PDF_URL = "https://www.example.gov.cn/files/t1.pdf"


def _land(folder: Path, name: str, data: bytes, url: str, article_url: str | None) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(data)
    record = FetchRecord(
        url=url,
        final_url=url,
        role="attachment" if article_url else "article",
        source="example",
        fetched_at="2024-02-01T02:00:00+00:00",
        checked_at="2024-02-01T02:00:00+00:00",
        http_status=200,
        format=name.rsplit(".", 1)[-1],
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        file=name,
        article_url=article_url,
        title="三明市人民政府2023年政府信息公开工作年度报告",
        published_at="2024-01-20",
    )
    write_record(folder / name, record)


def _rows(engine: sa.Engine, table: sa.Table, *columns: str) -> list[tuple[object, ...]]:
    with engine.connect() as conn:
        return [
            tuple(r)
            for r in conn.execute(sa.select(*(table.c[c] for c in columns)).order_by(*table.primary_key))
        ]


@pytest.mark.slow  # three batches, each starting its reader processes
def test_one_file_of_an_article_loads_the_article(tmp_path: Path) -> None:
    synth = random_report(random.Random(5), "2021", 2023, "三明市人民政府")
    folder = tmp_path / "landing" / "example" / "0123456789ab"
    _land(folder, "page.html", build_html(synth), PAGE_URL, None)
    _land(folder, "report.pdf", build_report_pdf(synth), PDF_URL, PAGE_URL)
    root = tmp_path / "landing"
    assert [f.relative_path for f in scan(root)] == [
        "example/0123456789ab/page.html",
        "example/0123456789ab/report.pdf",
    ]
    page_key, pdf_key = (
        report_key("example/0123456789ab/page.html"),
        report_key("example/0123456789ab/report.pdf"),
    )
    engine = make_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    upgrade_schema(engine)

    def load_pdf_alone() -> list[Parsed | Loaded]:
        source = register(pdf_key, root, "example/0123456789ab/report.pdf")
        assert (source.source_url, source.article_url) == (PDF_URL, PAGE_URL)
        return list(process_batch([source], Limits(), 1, engine, run_id="run", loaded_at=AT))

    events = load_pdf_alone()
    assert {e.key for e in events} == {pdf_key}  # the page was read and loaded, but is not this batch's
    assert _rows(engine, reports, "report_id", "status") == sorted([(page_key, "rendition"), (pdf_key, "ok")])
    assert _rows(engine, source_files, "report_id", "source_url", "article_url") == sorted(
        [(page_key, PAGE_URL, None), (pdf_key, PDF_URL, PAGE_URL)]
    )
    assert _rows(engine, renditions, "report_id", "loaded_report_id", "rank", "article_url") == sorted(
        [(page_key, pdf_key, 2, PAGE_URL), (pdf_key, pdf_key, 1, PAGE_URL)]
    )
    [agree] = [
        r
        for r in _rows(engine, check_results, "report_id", "check_id", "passed")
        if r[1] == "renditions.agree"
    ]
    assert agree == (pdf_key, "renditions.agree", True)
    loaded = next(e for e in events if isinstance(e, Loaded))
    assert any(c.id == "renditions.agree" for c in loaded.report.checks)
    # the same batch again: the same rows (idempotent)
    before = [
        _rows(engine, t, *(c.name for c in t.columns if c.name not in ("run_id",)))
        for t in (reports, renditions)
    ]
    load_pdf_alone()
    assert [
        _rows(engine, t, *(c.name for c in t.columns if c.name not in ("run_id",)))
        for t in (reports, renditions)
    ] == before
    # the PDF is replaced by a broken file: the page is the report now, no renditions left
    (folder / "report.pdf").write_bytes(b"%PDF-1.4\n broken")
    load_pdf_alone()
    assert _rows(engine, reports, "report_id", "status") == sorted(
        [(page_key, "ok"), (pdf_key, "unreadable")]
    )
    assert _rows(engine, renditions, "report_id") == []

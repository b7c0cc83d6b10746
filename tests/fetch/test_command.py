"""`gaibao fetch` then `gaibao run`: the fetched reports load with the URL each file came from (and
the article that linked an attachment) in source_files, and the web page's date as publication time;
an article page and its PDF of the same report are renditions: one loaded, their values compared."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from gaibao_pipeline.cli import main
from gaibao_pipeline.db import make_engine
from tests.fetch.conftest import sources_yaml
from tests.fetch.site import Site

QUICK = ["--delay", "0.05", "--allow-host", "127.0.0.1", "--recheck-after", "0", "--no-progress"]


def _fetch(site: Site, tmp_path: Path, landing: Path, *extra: str) -> int:
    path = tmp_path / "sources.yaml"
    path.write_text(sources_yaml(site), encoding="utf-8")
    return main(["fetch", "--sources", str(path), "--landing", str(landing), *QUICK, *extra])


def test_fetch_prints_what_it_did(site, tmp_path, landing, capsys) -> None:
    assert _fetch(site, tmp_path, landing, "--source", "trs") == 0
    out = capsys.readouterr().out
    assert "trs: 2 list pages, 2 reports, files: new 2; refused 0, failed 0" in out
    assert f"`gaibao run --landing {landing}` loads them" in out


def test_fetch_explains_bad_input(tmp_path, landing, capsys, monkeypatch) -> None:
    monkeypatch.delenv("GAIBAO_SOURCES", raising=False)
    assert main(["fetch", "--landing", str(landing)]) == 2
    assert "give --sources and --landing" in capsys.readouterr().err
    bad = tmp_path / "bad.yaml"
    bad.write_text("sources: [{list_url: 'file:///etc/'}]", encoding="utf-8")
    assert main(["fetch", "--sources", str(bad), "--landing", str(landing)]) == 2
    assert "scheme 'file' is not http or https" in capsys.readouterr().err
    good = tmp_path / "good.yaml"
    good.write_text("sources: [{list_url: 'https://x.gov.cn/'}]", encoding="utf-8")
    assert main(["fetch", "--sources", str(good), "--landing", str(landing), "--delay", "-1"]) == 2
    assert "must be ≥ 0" in capsys.readouterr().err
    assert main(["fetch", "--sources", str(good), "--landing", str(landing), "--source", "nope"]) == 2
    assert "no source named nope" in capsys.readouterr().err


@pytest.mark.slow
def test_fetched_reports_load_with_their_urls(site, tmp_path, landing, monkeypatch) -> None:
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    monkeypatch.setenv("GAIBAO_REVIEW_DIR", str(tmp_path / "review"))
    assert _fetch(site, tmp_path, landing) == 0
    url = f"sqlite:///{(tmp_path / 'db.sqlite').as_posix()}"
    assert main(["run", "--landing", str(landing), "--database-url", url, "--no-progress"]) == 0
    engine = make_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text(
                "SELECT s.source_url, s.article_url, s.format, r.status, r.agency, r.year, r.published_at "
                "FROM source_files s JOIN reports r USING (report_id)"
            )
        ).all()
    by_url = {row.source_url.removeprefix(site.url("")): row for row in rows}
    # every fetched file, the ZIP attachment's file inside it as a report of its own (with the ZIP's URL)
    assert len(rows) == 16 and all(row.source_url for row in rows), rows
    pdf = by_url["/files/t1.pdf"]
    assert pdf.article_url == site.url("/static/ndbg/202402/t1.html") and pdf.format == "pdf"
    assert (pdf.status, pdf.agency, pdf.year) == ("ok", "三明市人民政府", 2023)
    assert pdf.published_at == "2024-01-20"  # the list page's date: the PDF itself has none
    page = by_url["/static/ndbg/202402/t1.html"]
    assert page.article_url is None and page.status == "rendition"  # the PDF is loaded instead
    with engine.connect() as conn:
        ranks = conn.execute(
            sa.text("SELECT rank, format, loaded_report_id FROM renditions ORDER BY rank")
        ).all()
        agree = conn.execute(
            sa.text("SELECT passed FROM check_results WHERE check_id = 'renditions.agree'")
        ).scalars()
        # the 2023 page and its PDF agree; the 2021 page only points to its DOCX: nothing to compare
        assert sorted((r.rank, r.format) for r in ranks) == [
            (1, "docx"),
            (1, "pdf"),
            (2, "html"),
            (2, "html"),
        ]
        assert sorted((None if p is None else bool(p) for p in agree), key=str) == [None, True]
    assert by_url["/static/ndbg/202202/t3.html"].status == "rendition"
    assert by_url["/files/t3.docx"].status == "ok" and by_url["/files/t3.docx"].year == 2021
    assert by_url["/files/2020.pdf"].status == "ok" and by_url["/files/2020.pdf"].year == 2020
    engine.dispose()

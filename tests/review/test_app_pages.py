"""The review app's pages: document text is escaped everywhere (hostile agency names, raw text,
warnings); the PDF page image marks the cell's box; a text report shows the lines around a value; a
missing source file gets a clear note; the agency page carries the panel as data for plotly.js.
"""

from __future__ import annotations

import io
import json
import re
import shutil
from pathlib import Path
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from PIL import Image

from gaibao_pipeline.chinese import normalize_agency
from gaibao_pipeline.db import load_report, make_engine, upgrade_schema
from gaibao_pipeline.runner.parse import parse_file
from tests.conftest import corpus_dir
from tests.review.conftest import HONGZE, HOSTILE, HOSTILE_AGENCY, HOSTILE_RAW, make_client


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    """Pages read through the same queries as the API (tested on both backends): SQLite is enough."""
    return f"sqlite:///{(tmp_path / 'db.sqlite').as_posix()}"


def test_document_text_is_escaped_on_every_page(client: TestClient) -> None:
    pages = [
        client.get("/queue").text,
        client.get(f"/reports/{HOSTILE}").text,
        client.get(f"/reports/{HOSTILE}?table=t4&row=review&col=total").text,
        client.get(f"/agencies/{quote(normalize_agency(HOSTILE_AGENCY) or '', safe='')}").text,
    ]
    for page in pages:
        assert "<script>alert" not in page and HOSTILE_RAW not in page and "<iframe" not in page
        assert "&lt;script&gt;alert(" in page
        assert '" onmouseover="x' not in page  # an attribute cannot be closed by the name either
    report = pages[2]
    assert "&lt;img src=x onerror=alert(1)&gt;" in report  # the raw text, shown as text
    assert "&lt;b&gt;warning&lt;/b&gt; &amp; &lt;iframe" in report


def test_pdf_page_image_marks_the_cell(client: TestClient) -> None:
    page = client.get(f"/reports/{HONGZE}?table=t4&row=review&col=total")
    assert page.status_code == 200
    src = re.search(r'<img id="page-image" class="page" src="([^"]+)"', page.text)
    assert src, "the report page shows the PDF page"
    image = client.get(src.group(1).replace("&amp;", "&"))
    assert image.status_code == 200 and image.headers["content-type"] == "image/png"
    picture = Image.open(io.BytesIO(image.content)).convert("RGB")
    # the hand-built report puts t4 review total (col 4) at (76, 100.5)-(90.25, 112) pt on page 4
    scale = picture.width / 595.0
    red = picture.getpixel((int(76 * scale) - 2, int(106 * scale)))
    assert red[0] > 180 and red[1] < 80 and red[2] < 80, red  # the selected cell's red outline
    assert client.get(f"/reports/{HONGZE}/pages/99.png").status_code == 404


def test_a_missing_source_file_is_said_plainly(client: TestClient) -> None:
    page = client.get(f"/reports/{HOSTILE}").text
    assert "source file not found" in page and "GAIBAO_LANDING_DIR" in page


def test_text_report_shows_the_lines_around_the_value(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    landing.mkdir()
    shutil.copy(corpus_dir() / "pingtan2021.txt", landing / "pingtan2021.txt")
    url = f"sqlite:///{(tmp_path / 'text.sqlite').as_posix()}"
    engine = make_engine(url)
    upgrade_schema(engine)
    report = parse_file(landing / "pingtan2021.txt")
    load_report(engine, report, report_id="rpingtan", source_path="pingtan2021.txt")
    engine.dispose()
    cell = next(c for c in report.cells if c.key == ("t3", "1", "total"))
    assert cell.where is not None and cell.where.line is not None
    with make_client(url, landing) as client:
        page = client.get("/reports/rpingtan?table=t3&row=1&col=total").text
    lines = re.search(r'<pre class="lines" id="source-lines">(.*?)</pre>', page, re.S)
    assert lines, "a text source shows its lines"
    target = re.search(r'<span class="line target"><span class="no">(\d+)</span>', lines.group(1))
    assert target and int(target.group(1)) == cell.where.line
    assert "<mark>" in lines.group(1)


def test_agency_page_carries_the_panel_for_plotly(client: TestClient) -> None:
    page = client.get(f"/agencies/{quote('淮安市洪泽区人民政府')}").text
    figure = json.loads(
        re.search(r'<script type="application/json" id="panel-figure">(.*?)</script>', page).group(1)
    )
    received = next(t for t in figure["data"] if t["name"].startswith("applications received"))
    assert received["x"] == [2023] and received["y"] == [21]
    assert '<script src="/vendor/plotly.min.js"></script>' in page
    js = client.get("/vendor/plotly.min.js")
    assert js.status_code == 200 and "plotly" in js.text[:2000].lower()


def test_queue_shows_counts_and_pages(client: TestClient) -> None:
    page = client.get("/queue").text
    assert re.search(r"<b>2</b> reports to look at", page)
    assert client.get("/queue", params={"status": "nonsense"}).status_code == 422
    assert client.get("/reports/rnothing").status_code == 404

"""The review app in a real browser (Debian's chromium through chromedriver, headless): a reviewer
opens the queue, opens the hongze2023 PDF report loaded by `gaibao run`, sees the page image with the
failing cell marked, sets a verdict and corrects the value; the reviewed view and the export show the
correction, and `gaibao run --all` afterwards keeps both. The agency's panel is drawn by plotly.js
under the app's Content-Security-Policy.

The browser starts once per session; the app runs under uvicorn on 127.0.0.1, port 0, in a thread.
Nothing is downloaded: Selenium gets the driver's and the browser's paths, so its manager never runs.
"""

from __future__ import annotations

import io
import os
import shutil
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa
import uvicorn
from PIL import Image

from gaibao_pipeline.cli import main
from gaibao_pipeline.db import export_tables, make_engine
from gaibao_pipeline.review.app import ReviewSettings, create_app
from gaibao_pipeline.runner.keys import report_key
from tests.conftest import corpus_dir

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
pytestmark = [
    pytest.mark.slow,
    pytest.mark.browser,
    pytest.mark.skipif(
        not (CHROMIUM.exists() and CHROMEDRIVER.exists()),
        reason="needs Debian's chromium and chromium-driver (.ci/run installs them)",
    ),
]
HONGZE = report_key("hongze2023.pdf")


@dataclass
class Served:
    url: str  # http://127.0.0.1:<port>
    database_url: str
    landing: Path


@pytest.fixture(scope="session")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """hongze2023.pdf loaded by `gaibao run` into a fresh SQLite database, and the app serving it."""
    root = tmp_path_factory.mktemp("review-app")
    landing = root / "landing"
    landing.mkdir()
    shutil.copy(corpus_dir() / "hongze2023.pdf", landing / "hongze2023.pdf")
    url = f"sqlite:///{(root / 'gaibao.sqlite').as_posix()}"
    assert main(["run", "--landing", str(landing), "--database-url", url, "--no-progress"]) == 0
    app = create_app(ReviewSettings(database_url=url, landing_dir=landing))
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning"))
    thread = threading.Thread(target=server.run, name="review-app", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the app did not start"
        time.sleep(0.05)
    port = server.servers[0].sockets[0].getsockname()[1]
    yield Served(f"http://127.0.0.1:{port}", url, landing)
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    os.environ.setdefault("SE_OFFLINE", "true")  # belt and braces: Selenium Manager never downloads
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
        "--window-size=1500,1100",
        f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}",
    ):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()


def _rows(database_url: str, sql: str) -> list[tuple[object, ...]]:
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(sa.text(sql))]
    finally:
        engine.dispose()


def _red_pixels(png: bytes) -> int:
    pixels = Image.open(io.BytesIO(png)).convert("RGB").tobytes()  # r, g, b, r, g, b, …
    reds, greens, blues = pixels[0::3], pixels[1::3], pixels[2::3]
    return sum(1 for r, g, b in zip(reds, greens, blues, strict=True) if r > 190 and g < 70 and b < 70)


def test_reviewer_marks_verdict_and_correction_which_survive_a_reload(
    served: Served, browser: object, tmp_path: Path
) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import Select, WebDriverWait

    driver = browser  # a selenium WebDriver
    wait = WebDriverWait(driver, 30)  # type: ignore[arg-type]

    # the queue lists the report with its failed check; open it
    driver.get(f"{served.url}/queue")  # type: ignore[attr-defined]
    queue = driver.find_element(By.ID, "queue")  # type: ignore[attr-defined]
    assert "t4.block_total" in queue.text and "洪泽区人民政府" in queue.text
    queue.find_element(By.PARTIAL_LINK_TEXT, "洪泽区人民政府").click()
    wait.until(ec.presence_of_element_located((By.ID, "report-title")))
    assert driver.current_url.endswith(f"/reports/{HONGZE}")  # type: ignore[attr-defined]

    # the source: page 4 with 行政复议 总计 (printed 0 beside 10 + 1) marked in red
    selected = driver.find_element(By.ID, "selected-cell").text  # type: ignore[attr-defined]
    assert "t4 review total" in selected and "page 4" in selected
    image = driver.find_element(By.ID, "page-image")  # type: ignore[attr-defined]
    wait.until(lambda d: d.execute_script("return arguments[0].complete && arguments[0].naturalWidth", image))
    assert _red_pixels(image.screenshot_as_png) > 40

    # a verdict on the failed identity of row review
    check = driver.find_element(  # type: ignore[attr-defined]
        By.XPATH, "//div[@data-check='t4.block_total'][.//code[text()='review']]"
    )
    assert "expected 11, found 0" in check.text
    form = check.find_element(By.CLASS_NAME, "verdict-form")
    Select(form.find_element(By.NAME, "verdict")).select_by_value("source_error")
    form.find_element(By.NAME, "note").send_keys("the report prints 总计 0 beside 10 + 1")
    form.find_element(By.NAME, "reviewer").send_keys("审核员甲")
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, ".verdict .verdict-value")))
    check = driver.find_element(  # type: ignore[attr-defined]
        By.XPATH, "//div[@data-check='t4.block_total'][.//code[text()='review']]"
    )
    assert "source_error" in check.find_element(By.CLASS_NAME, "verdict").text

    # a correction of the selected cell; the reviewer's name is remembered from the verdict
    form = driver.find_element(By.ID, "correction-form")  # type: ignore[attr-defined]
    assert form.find_element(By.NAME, "reviewer").get_attribute("value") == "审核员甲"
    form.find_element(By.NAME, "value").send_keys("11")
    form.find_element(By.NAME, "reason").send_keys("the parts add up to 11")
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    cell = wait.until(
        ec.presence_of_element_located((By.CSS_SELECTOR, "td.corrected[data-cell='t4 review total']"))
    )
    assert cell.text.split()[-1] == "11"
    assert "审核员甲" in driver.find_element(By.ID, "corrections").text  # type: ignore[attr-defined]

    # the reviewed view and the export show the correction; the parsed cell is untouched
    reviewed = (
        "SELECT value, parsed_value, corrected FROM cells_t4_reviewed"
        " WHERE row_code = 'review' AND col_code = 'total'"
    )
    assert [(float(v), float(p), bool(c)) for v, p, c in _rows(served.database_url, reviewed)] == [
        (11, 0, True)
    ]
    engine = make_engine(served.database_url)
    try:
        export_tables(
            engine, tmp_path, formats=["csv"], tables=["cells_t4_reviewed", "corrections", "reviews"]
        )
    finally:
        engine.dispose()
    assert f"{HONGZE},review,total,11,0," in (tmp_path / "cells_t4_reviewed.csv").read_text(
        encoding="utf-8-sig"
    )
    assert "source_error" in (tmp_path / "reviews.csv").read_text(encoding="utf-8-sig")

    # reloading every file keeps both decisions, current and not stale (the file did not change)
    assert main(["run", "--all", "--landing", str(served.landing), "--database-url", served.database_url,
                 "--no-progress"]) == 0  # fmt: skip
    assert _rows(served.database_url, "SELECT verdict, is_current, stale FROM reviews") == [
        ("source_error", 1, 0)
    ]
    assert [(float(v), float(p), bool(c)) for v, p, c in _rows(served.database_url, reviewed)] == [
        (11, 0, True)
    ]
    driver.refresh()  # type: ignore[attr-defined]
    wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, "td.corrected[data-cell='t4 review total']")))
    assert "source_error" in driver.find_element(By.ID, "verdicts").text  # type: ignore[attr-defined]


def test_agency_panel_is_drawn_by_plotly(served: Served, browser: object) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    driver = browser
    driver.get(f"{served.url}/reports/{HONGZE}")  # type: ignore[attr-defined]
    driver.find_element(By.ID, "metadata").find_element(By.PARTIAL_LINK_TEXT, "洪泽区人民政府").click()  # type: ignore[attr-defined]
    WebDriverWait(driver, 30).until(  # type: ignore[arg-type]
        lambda d: d.find_element(By.ID, "panel-chart").get_attribute("data-drawn") == "true"
    )
    chart = driver.find_element(By.ID, "panel-chart")  # type: ignore[attr-defined]
    assert chart.find_elements(By.CSS_SELECTOR, "svg.main-svg")  # plotly drew its SVG
    assert "2023" in driver.find_element(By.ID, "agency-reports").text  # type: ignore[attr-defined]

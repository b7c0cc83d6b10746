"""Random reports (2019, 2021 and legacy forms) written as crawled pages, one cell per line, with
every kind of damage `synth.crawl` does, parse back: clean crawls, labels broken at brackets,
titles naming only the place and numbers split over lines read exactly; crawls that collapsed
repeated cells read every cell the identities pin, and leave the rest blank with a warning."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import replace

import pytest

from gaibao_pipeline.limits import Limits
from gaibao_pipeline.report import Report
from gaibao_pipeline.runner.parse import parse_bytes
from gaibao_pipeline.synth.agencies import random_agency
from gaibao_pipeline.synth.crawl import Crawl, crawl_text, place_of
from gaibao_pipeline.synth.legacy import YEARS, whole_values
from gaibao_pipeline.synth.values import SynthReport, random_report

EXACT = [Crawl(), Crawl(broken_labels=True), Crawl(place_title=True), Crawl(split_numbers=0.4)]
DAMAGED = [Crawl(collapsed=True), Crawl(collapsed=True, broken_labels=True, place_title=True)]
SEEDS = range(5)


def _report(seed: int, template: str, zeros_blank: bool = False) -> SynthReport:
    rng = random.Random(f"crawl-test:{seed}:{template}")
    year = (
        rng.choice(YEARS)
        if template == "legacy"
        else rng.choice((2019, 2020) if template == "2019" else (2022, 2023))
    )
    report = random_report(rng, template, year, random_agency(rng))
    if template == "legacy":
        # a form prints every value (blank filled), or leaves some cells blank
        return report if zeros_blank else whole_values(report)
    # a form prints its zeros, or leaves every zero blank (tables 三 and 四), as real ones do
    return replace(
        report,
        cells={
            k: None if zeros_blank and k[0] != "t2" and v in (0, None) else (0 if v is None else v)
            for k, v in report.cells.items()
        },
    )


def _tally(report: SynthReport, parsed: Report) -> Counter[str]:
    """Cells right, left blank with a warning saying the text does not determine them, or wrong."""
    got = {c.key: c.value for c in parsed.cells}
    warnings = "\n".join(parsed.warnings)
    out: Counter[str] = Counter()
    for key, want in report.cells.items():
        value = got.get(key, "missing")
        if value == want or (
            want is not None and isinstance(value, int | float) and abs(value - want) < 1e-6
        ):
            out["right"] += 1
        elif value is None and f"{key[0]} {key[1]}.{key[2]}:" in warnings and "do not pin" in warnings:
            out["open"] += 1
        else:
            out["wrong"] += 1
    return out


def _meta(report: SynthReport, parsed: Report) -> tuple[object, ...]:
    return (parsed.report.agency, parsed.report.year, parsed.report.template, parsed.report.report_date)


def _want(report: SynthReport) -> tuple[object, ...]:
    return (report.agency, report.year, report.template, report.report_date.isoformat())


@pytest.mark.parametrize("template", ["2019", "2021", "legacy"])
@pytest.mark.parametrize("crawl", EXACT, ids=lambda c: c.name)
def test_crawled_pages_parse_back_exactly(template: str, crawl: Crawl) -> None:
    for seed in SEEDS:
        report = _report(seed, template)
        parsed = parse_bytes(crawl_text(report, crawl, seed), "page.txt", Limits())
        assert parsed.ok, (seed, parsed.message)
        assert _meta(report, parsed) == _want(report), seed
        tally = _tally(report, parsed)
        assert tally["right"] == len(report.cells), (seed, tally)


@pytest.mark.parametrize("crawl", EXACT, ids=lambda c: c.name)
def test_crawled_legacy_forms_with_blank_cells(crawl: Crawl) -> None:
    # a form's blank cell leaves no line: a row of one value among rows of two is not guessed
    total: Counter[str] = Counter()
    for seed in SEEDS:
        report = _report(seed, "legacy", zeros_blank=True)
        parsed = parse_bytes(crawl_text(report, crawl, seed), "page.txt", Limits())
        assert _meta(report, parsed) == _want(report), seed
        total += _tally(report, parsed)
    assert total["wrong"] == 0 and total["open"] <= 0.05 * sum(total.values()), total


@pytest.mark.parametrize("template", ["2019", "2021", "legacy"])
@pytest.mark.parametrize("crawl", DAMAGED, ids=lambda c: c.name)
def test_collapsed_crawls_read_what_the_identities_pin(template: str, crawl: Crawl) -> None:
    total: Counter[str] = Counter()
    for seed in SEEDS:
        report = _report(seed, template)
        parsed = parse_bytes(crawl_text(report, crawl, seed), "page.txt", Limits())
        assert parsed.ok, (seed, parsed.message)
        assert _meta(report, parsed) == _want(report), seed
        total += _tally(report, parsed)
    cells = sum(total.values())
    assert total["wrong"] <= 0.01 * cells, total  # a placement the identities could not tell
    assert total["right"] >= 0.9 * cells, total


def test_pages_whose_forms_leave_zeros_blank() -> None:
    # a blank cell leaves no line: its place is read from the row's shape and the identities
    total: Counter[str] = Counter()
    for seed in SEEDS:
        for template in ("2019", "2021"):
            report = _report(seed, template, zeros_blank=True)
            parsed = parse_bytes(crawl_text(report, Crawl(), seed), "page.txt", Limits())
            total += _tally(report, parsed)
    cells = sum(total.values())
    # where every row alike has its values in the same columns, the text does not say which:
    # those are left blank with a warning, or (several rows exchanging several columns) guessed
    assert total["right"] >= 0.9 * cells and total["wrong"] <= 0.02 * cells, total


def test_place_title_names_the_government() -> None:
    reports = [r for r in (_report(s, "2021") for s in range(40)) if place_of(r.agency)][:4]
    assert reports
    for report in reports:
        page = crawl_text(report, Crawl(place_title=True)).decode()
        assert f"标题：{place_of(report.agency)}{report.year}年" in page
        assert parse_bytes(page.encode(), "page.txt").report.agency == report.agency

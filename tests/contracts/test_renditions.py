"""Renditions of one report: the rule that picks the one to load, and `renditions.agree` on the cells
both read. Real renditions: the same generated report as an article page and as a PDF."""

from __future__ import annotations

import random
from dataclasses import replace

from gaibao_pipeline.contracts.renditions import Candidate, agreement, choose, preference, same_report
from gaibao_pipeline.errors import Status
from gaibao_pipeline.limits import Limits
from gaibao_pipeline.report import Report, ReportMeta
from gaibao_pipeline.runner.stages import extract_bytes, parse
from gaibao_pipeline.synth.html_builder import build_html
from gaibao_pipeline.synth.pdf_builder import build_report_pdf
from gaibao_pipeline.synth.values import random_report

AGENCY = "三明市人民政府"


def _parsed(data: bytes, name: str) -> Report:
    return parse(extract_bytes(data, name, Limits()))


def _pair(seed: int = 1) -> tuple[Report, Report]:
    synth = random_report(random.Random(seed), "2021", 2023, AGENCY)
    return _parsed(build_html(synth), "page.html"), _parsed(build_report_pdf(synth), "report.pdf")


def test_page_and_pdf_of_one_report_agree_and_the_attachment_is_loaded() -> None:
    page, pdf = _pair()
    assert page.ok and pdf.ok and same_report(page.report, pdf.report)
    [(_, loaded_page, page_choice), (_, loaded_pdf, pdf_choice)] = choose(
        [Candidate("rpage", page, attachment=False), Candidate("rpdf", pdf, attachment=True)]
    )
    # equally complete and correct: the attachment (the document as issued) is loaded
    assert pdf_choice is not None and pdf_choice.rank == 1 and pdf_choice.loaded_key == "rpdf"
    assert page_choice is not None and page_choice.rank == 2 and page_choice.loaded_key == "rpdf"
    assert loaded_page.status is Status.RENDITION and not loaded_page.cells and not loaded_page.checks
    assert "rpdf" in (loaded_page.message or "") and loaded_page.report.agency == AGENCY
    [agree] = [c for c in loaded_pdf.checks if c.id == "renditions.agree"]
    assert agree.passed is True and agree.severity == "warning"
    assert agree.detail["rendition"] == "rpage" and agree.detail["compared"] > 100
    assert agree.detail["n_differences"] == 0
    assert "complete, 0 failed error checks" in pdf_choice.basis and "pdf attachment" in pdf_choice.basis


def test_values_that_differ_between_renditions_are_listed() -> None:
    page, pdf = _pair()
    cell = next(c for c in pdf.cells if c.value and not c.inferred)
    changed = replace(pdf, cells=[replace(c, value=c.value + 7) if c is cell else c for c in pdf.cells])
    check = agreement(page, Candidate("rpdf", changed, attachment=True))
    assert check.passed is False and check.cells == (cell.key,)
    [difference] = check.detail["differences"]
    assert difference["loaded"] == cell.value and difference["rendition"] == cell.value + 7
    assert difference["rendition_raw"] == cell.raw and "rendition_where" in difference


def test_the_rule_prefers_what_reads_better() -> None:
    page, pdf = _pair()
    broken = replace(pdf, cells=pdf.cells[: len(pdf.cells) // 2])  # half the cells lost
    assert preference(Candidate("a", page, False)) < preference(Candidate("b", broken, True))
    failing = replace(
        pdf, checks=[*pdf.checks, replace(next(c for c in pdf.checks if c.severity == "error"), passed=False)]
    )
    assert preference(Candidate("a", page, False)) < preference(Candidate("b", failing, True))


def test_different_reports_in_one_article_are_no_renditions() -> None:
    """A collection article linking each department's report: every one is loaded."""
    first = _parsed(build_report_pdf(random_report(random.Random(2), "2021", 2023, "三明市教育局")), "a.pdf")
    second = _parsed(build_report_pdf(random_report(random.Random(3), "2021", 2023, "三明市财政局")), "b.pdf")
    page = Report(first.source, Status.NOT_A_REPORT, "no report")  # the article's own page lists them
    resolved = choose(
        [Candidate("ra", first, True), Candidate("rb", second, True), Candidate("rp", page, False)]
    )
    assert [(r.status, choice) for _, r, choice in resolved] == [
        (Status.OK, None),
        (Status.OK, None),
        (Status.NOT_A_REPORT, None),
    ]
    assert not same_report(ReportMeta("某局", 2022), ReportMeta("某局", 2023))
    assert same_report(ReportMeta(None, 2023), ReportMeta("某局", 2023))

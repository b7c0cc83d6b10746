"""Round trips: reports built from known values, in every format, parse back to those values.

Values are drawn at random (consistent with the 勾稽关系) so no sample's exact numbers or
strings are involved. DOCX fills the official blank 2021 template (real merges); HTML uses
the official rowspan/colspan layout; PDFs are exported from both by LibreOffice; text comes
in each layout crawlers produce; OFD packages are laid out like the PDF builder's pages;
XLSX workbooks hold the tables alone (XLS, WPS .et and ODS: tests/documents/test_sheets.py).
"""

from __future__ import annotations

import random
import shutil
import subprocess
from pathlib import Path

import pytest

from gaibao_pipeline.report import Report
from gaibao_pipeline.runner.parse import parse_bytes
from gaibao_pipeline.synth import SynthReport, build_docx, build_html, random_report
from gaibao_pipeline.synth.ofd_builder import VARIANTS as OFD_VARIANTS
from gaibao_pipeline.synth.ofd_builder import build_ofd
from gaibao_pipeline.synth.text_builder import LAYOUTS, NEEDS_NO_BLANKS, build_text
from gaibao_pipeline.synth.xlsx_builder import VARIANTS as XLSX_VARIANTS
from gaibao_pipeline.synth.xlsx_builder import build_xlsx
from tests.conftest import DATA

TEMPLATE_DOCX = DATA / "documents" / "template-2021-blank.docx"
AGENCIES = (
    "淮安市洪泽区人民政府",
    "河南省生态环境厅",
    "某某自治州某某县交通运输局",
    "深圳市福田区华富街道办事处",
)


def make_report(seed: int, template: str) -> SynthReport:
    rng = random.Random(seed)
    year = rng.choice((2021, 2022, 2023)) if template == "2021" else rng.choice((2019, 2020))
    return random_report(rng, template, year, AGENCIES[seed % len(AGENCIES)])


def mismatches(built: SynthReport, parsed: Report, skip_rows: set[str] = frozenset()) -> list[str]:
    got = {c.key: c.value for c in parsed.cells}
    problems = []
    for key, want in built.cells.items():
        if key[1] in skip_rows:
            continue
        value = got.get(key, "missing")
        same = value is None if want is None else value not in (None, "missing") and abs(value - want) < 1e-6
        if not same:
            problems.append(f"{key}: built {want!r}, parsed {value!r}")
    meta = parsed.report
    for field, want in (("agency", built.agency), ("year", built.year), ("template", built.template)):
        if getattr(meta, field) != want:
            problems.append(f"{field}: built {want!r}, parsed {getattr(meta, field)!r}")
    if meta.report_date != built.report_date.isoformat():
        problems.append(f"report_date: built {built.report_date}, parsed {meta.report_date}")
    return problems


@pytest.mark.parametrize("seed", range(6))
def test_docx_from_the_official_template(seed: int) -> None:
    built = make_report(seed, "2021")
    parsed = parse_bytes(build_docx(built, TEMPLATE_DOCX), "report.docx")
    assert parsed.ok and parsed.source.format == "docx"
    assert not mismatches(built, parsed)


@pytest.mark.parametrize("template", ["2021", "2019"])
@pytest.mark.parametrize("encoding", ["utf-8", "gb2312"])
@pytest.mark.parametrize("seed", range(3))
def test_html_article_page(seed: int, encoding: str, template: str) -> None:
    built = make_report(seed, template)
    parsed = parse_bytes(build_html(built, encoding), "report.html")
    assert parsed.ok and parsed.source.format == "html"
    assert not mismatches(built, parsed)
    assert parsed.report.published_at is not None


@pytest.mark.parametrize("layout", [x for x in LAYOUTS if x != "run_together"])
@pytest.mark.parametrize("template", ["2021", "2019"])
@pytest.mark.parametrize("seed", range(4))
def test_text_layouts(seed: int, template: str, layout: str) -> None:
    built = make_report(seed, template)
    if layout in NEEDS_NO_BLANKS and None in built.cells.values():
        pytest.skip(f"{layout} text cannot show this report's blank cells")
    parsed = parse_bytes(build_text(built, layout, crawler_header=seed % 2 == 0), "report.txt")
    assert not mismatches(built, parsed)


@pytest.mark.parametrize("seed", range(8))
def test_run_together_text(seed: int) -> None:
    """Tables 三 and 四 are pinned by their identities; table 二 only where its split is unambiguous."""
    built = make_report(seed, "2021")
    parsed = parse_bytes(build_text(built, "run_together"), "report.txt")
    ambiguous = {w.split()[1].rstrip(":") for w in parsed.warnings if "ambiguous split" in w}
    assert not mismatches(built, parsed, skip_rows=ambiguous)


@pytest.mark.libreoffice
@pytest.mark.parametrize("seed", range(2))
def test_pdf_exported_by_libreoffice(seed: int, tmp_path: Path) -> None:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed: apt-get install libreoffice-writer-nogui")
    reports = {"docx": make_report(seed, "2021"), "html": make_report(seed + 100, "2019")}
    (tmp_path / "from_docx.docx").write_bytes(build_docx(reports["docx"], TEMPLATE_DOCX))
    (tmp_path / "from_html.html").write_bytes(build_html(reports["html"]))
    profile = tmp_path / "profile"
    subprocess.run(
        [soffice, "--headless", f"-env:UserInstallation=file://{profile}", "--convert-to", "pdf", "--outdir",
         str(tmp_path), str(tmp_path / "from_docx.docx"), str(tmp_path / "from_html.html")],
        check=True, capture_output=True, timeout=240,
    )  # fmt: skip
    for stem, kind in (("from_docx", "docx"), ("from_html", "html")):
        parsed = parse_bytes((tmp_path / f"{stem}.pdf").read_bytes(), f"{stem}.pdf")
        assert parsed.ok and parsed.source.format == "pdf"
        assert not mismatches(reports[kind], parsed), stem


@pytest.mark.parametrize("seed", range(3))
def test_html_page_whose_tables_are_lines_of_text(seed: int) -> None:
    """A page that prints each table row as a paragraph (`一、本年新收… 21 0 0 0 0 0 21`)."""
    built = make_report(seed, "2021")
    if None in built.cells.values():
        pytest.skip("space-separated rows cannot show blank cells")
    lines = build_text(built, "spaced").decode("utf-8").splitlines()
    body = "".join(f"<p>{line}</p>" for line in lines if line.strip())
    page = f"<html><head><meta charset='utf-8'><title>{built.title}</title></head><body>{body}</body></html>"
    parsed = parse_bytes(page.encode("utf-8"), "report.html")
    assert parsed.ok and parsed.source.format == "html"
    assert not mismatches(built, parsed)


@pytest.mark.parametrize("variant", OFD_VARIANTS)
@pytest.mark.parametrize("template", ["2021", "2019"])
@pytest.mark.parametrize("seed", range(3))
def test_ofd_package(seed: int, template: str, variant: str) -> None:
    """The whole report as an OFD package: positioned text, tables ruled by paths, split across pages."""
    built = make_report(seed, template)
    parsed = parse_bytes(build_ofd(built, variant, open_breaks=seed % 2 == 0), "report.ofd")
    assert parsed.ok and parsed.source.format == "ofd"
    assert not mismatches(built, parsed)
    assert parsed.page_count is not None and parsed.page_count > 1
    cell = next(c for c in parsed.cells if c.raw)
    assert cell.where is not None and cell.where.page is not None and cell.where.bbox is not None


@pytest.mark.parametrize("variant", XLSX_VARIANTS)
@pytest.mark.parametrize("template", ["2021", "2019"])
@pytest.mark.parametrize("seed", range(3))
def test_xlsx_workbook_of_the_tables(seed: int, template: str, variant: str) -> None:
    """The statistics tables as a workbook: merged headers, formulas, the title naming agency and year."""
    built = make_report(seed, template)
    parsed = parse_bytes(build_xlsx(built, variant), "tables.xlsx")
    assert parsed.ok and parsed.source.format == "xlsx"
    assert not mismatches(built, parsed)

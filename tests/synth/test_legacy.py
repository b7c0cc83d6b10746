"""Legacy (pre-2019) synthetic reports: the values keep the form's 其中 hierarchy and the value
rules in every form family, and every variant of every format (text layouts in simplified
and traditional script, HTML, DOCX, drawn PDF, LibreOffice PDF) parses back to exactly its
values: agency, year, template `legacy`, every cell with blank kept apart from 0."""

from __future__ import annotations

import math
import random
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from gaibao_pipeline.codes import LEGACY_CODES
from gaibao_pipeline.limits import Limits
from gaibao_pipeline.report import Report
from gaibao_pipeline.runner.parse import parse_bytes, parse_file
from gaibao_pipeline.synth import build_docx, build_html, random_report
from gaibao_pipeline.synth.corpus import template_docx
from gaibao_pipeline.synth.expected import expected_record, score
from gaibao_pipeline.synth.legacy import (
    YEARS,
    in_traditional,
    random_legacy_report,
    to_traditional,
    whole_values,
)
from gaibao_pipeline.synth.legacy_form import COUNTY, FORMS, NATIONAL, PROVINCE, LegacyForm
from gaibao_pipeline.synth.legacy_render import CODED_LAYOUTS, LEGACY_LAYOUTS
from gaibao_pipeline.synth.pdf_builder import build_report_pdf
from gaibao_pipeline.synth.pdf_export import export_pdfs
from gaibao_pipeline.synth.text_builder import NEEDS_NO_BLANKS, build_text
from gaibao_pipeline.synth.values import SynthReport, Value

SEEDS = range(30)


def _report(seed: int, form: LegacyForm) -> SynthReport:
    rng = random.Random(f"legacy-test:{seed}")
    return random_legacy_report(rng, YEARS[seed % len(YEARS)], "某某市某某区人民政府办公室", form)


def _n(value: Value) -> float:
    return 0 if value is None else value  # blank counts as 0 in sums (spec §4)


def _check_values(report: SynthReport) -> None:
    """The spec's rules for a legacy form, from the form's own hierarchy; amounts held in 万元."""
    table = report.legacy
    assert table is not None and report.template == "legacy" and table.printed is not None
    form, keys = table.form, table.keys
    assert list(report.cells) == [("legacy", key, col) for key in keys for col in form.cols]
    assert len(set(keys)) == len(keys)
    assert all(key in LEGACY_CODES or not key[0].isdigit() for key in keys)  # codes or labels

    def cell(i: int, col: str) -> Value:
        return report.cells.get(("legacy", keys[i], col))

    for i, row in enumerate(form.indicators):
        for col in form.cols:
            shown, held = table.printed[("legacy", keys[i], col)], cell(i, col)
            if row.unit == "元" and shown is not None:
                assert held is not None and math.isclose(held * 10000, shown), keys[i]  # 元 → 万元
            else:
                assert held == shown, keys[i]
    for total, parts in form.children().items():
        for col in form.cols:
            if len(parts) >= 2:  # legacy.sums: a total equals its parts, a blank total has none
                assert math.isclose(_n(cell(total, col)), sum(_n(cell(k, col)) for k in parts)), keys[total]
                if cell(total, col) is None:
                    assert all(cell(k, col) is None for k in parts), keys[total]
            else:  # a lone part is at most its total
                assert _n(cell(parts[0], col)) <= _n(cell(total, col)), keys[parts[0]]
    for i, row in enumerate(form.indicators):
        now, to_date = cell(i, "period"), cell(i, "cumulative")
        if now is not None and to_date is not None:
            assert to_date >= now, keys[i]  # a running total includes this year
        for value in (now, to_date):
            if value is None:
                continue
            assert value >= 0  # values.domain
            if row.unit == "元":
                assert round(value, 6) == value  # hundredths of 元 are whole millionths of 万元
            elif row.unit == "万元":
                assert round(value, 2) == value
            else:
                assert isinstance(value, int), keys[i]


@pytest.mark.parametrize("form", FORMS, ids=lambda f: f.name)
def test_values_keep_the_hierarchy_and_the_value_rules(form: LegacyForm) -> None:
    for seed in SEEDS:
        report = _report(seed, form)
        assert report.legacy is not None and report.legacy.form is form
        _check_values(report)
        _check_values(whole_values(report))
        assert report.year in YEARS and report.report_date.year == report.year + 1
        assert len(report.sections) == len(report.section_titles) == 6


def test_values_are_varied_and_realistic() -> None:
    reports = [_report(seed, form) for seed in SEEDS for form in FORMS]
    values = [v for r in reports for v in r.cells.values()]
    assert None in values and 0 in values  # blank is not 0: both occur
    assert any(isinstance(v, float) and not v.is_integer() for v in values)  # amounts with decimals
    published = [r.cells[("legacy", r.legacy.keys[0], "period")] for r in reports if r.legacy]
    assert max(_n(v) for v in published) >= 500 and min(_n(v) for v in published) < 500
    assert {r.legacy.cumulative_header for r in reports if r.legacy} >= {"累计", "历年累计", "到本月累计数"}
    assert {r.legacy.form.cols for r in reports if r.legacy} == {("period", "cumulative"), ("period",)}
    # indicators no canonical code names keep their label as their key
    assert any(key not in LEGACY_CODES for r in reports if r.legacy for key in r.legacy.keys)
    # the uncoded forms' period header names the year, as 平潭县's "2011年度" does
    assert any(r.legacy and r.legacy.period_header == f"{r.year}年度" for r in reports)
    drawn = [random_report(random.Random(s), "legacy", 2012, "某局") for s in SEEDS]
    assert {r.legacy.form.name for r in drawn if r.legacy} == {f.name for f in FORMS}
    assert _report(1, NATIONAL) == _report(1, NATIONAL)  # a seed gives the same report


def test_text_without_blanks_gets_whole_values() -> None:
    for seed in SEEDS:
        report = whole_values(_report(seed, COUNTY))
        assert all(isinstance(v, int) for v in report.cells.values())
    for layout in NEEDS_NO_BLANKS:
        with pytest.raises(ValueError, match="whole values"):
            build_text(_report(0, COUNTY), layout)
    with pytest.raises(ValueError, match="national"):
        build_text(whole_values(_report(0, NATIONAL)), "run_together")


def test_traditional_script_and_keys_read_back() -> None:
    report = in_traditional(_report(3, COUNTY))
    text = build_text(report, "pipe_rows", traditional=True).decode("utf-8")
    assert "指標名稱" in text and "政府信息公開" in text and "答覆" in text
    assert report.agency == "某某市某某区人民政府办公室"  # simplified back, character by character
    assert report.legacy is not None and "replies_total" in report.legacy.keys
    assert to_traditional("政府信息公开") == "政府信息公開"
    coded = _report(3, NATIONAL)
    assert in_traditional(coded).cells == coded.cells  # codes do not change with the script
    province = in_traditional(_report(3, PROVINCE))
    assert province.legacy is not None and "政务微博发布信息数" in province.legacy.keys


def _parse(data: bytes, name: str) -> Report:
    return parse_bytes(data, name, Limits())


def _assert_parses_back(report: SynthReport, parsed: Report, name: str, run_together: bool = False) -> int:
    """Metadata, template, checks and every cell as built; run-together text: cells up to the
    digit splits it cannot tell apart (their number is returned)."""
    record = expected_record(report, file=name, format="", variant="", shows_published_at=False)
    result = score(record, parsed)
    assert parsed.ok, (name, parsed.message)
    assert parsed.report.template == "legacy", name
    assert result.meta_right == result.meta_total, (name, result.wrong)
    failed = [c.id for c in parsed.checks if c.passed is False and c.id in ("legacy.sums", "values.domain")]
    assert not failed, (name, failed)
    if run_together:
        ambiguous, wrong = _misread_rows(report, parsed)
        assert not wrong, (name, wrong, result.wrong)
        return len(ambiguous)
    assert result.perfect, (name, result.wrong)
    blanks = {k for k, v in report.cells.items() if v is None}
    assert blanks == {c.key for c in parsed.cells if c.value is None}, name  # blank stays blank
    return 0


def _misread_rows(report: SynthReport, parsed: Report) -> tuple[list[str], list[str]]:
    """Rows of run-together text read other than printed: (ambiguous, wrong).

    With every separator lost, "51200" is 5|1200 or 51|200: where no 其中 identity pins a
    row, two splits with cumulative ≥ period are both right readings of the text. Any other
    difference (digits lost, added, or a split no rule allows) is a parser failure.
    """
    assert report.legacy is not None
    got = {c.key: c.value for c in parsed.cells}
    ambiguous, wrong = [], []
    for key in report.legacy.keys:
        want = tuple(report.cells[("legacy", key, col)] for col in report.legacy.form.cols)
        have = tuple(got.get(("legacy", key, col)) for col in report.legacy.form.cols)
        if want == have:
            continue
        now, to_date = (*have, None)[:2]
        same_digits = "".join(map(str, want)) == f"{now}{'' if to_date is None else to_date}"
        if same_digits and isinstance(now, int) and isinstance(to_date, int) and to_date >= now:
            ambiguous.append(key)
        else:
            wrong.append(key)
    return ambiguous, wrong


def _text_variants(form: LegacyForm) -> list[tuple[str, bool]]:
    layouts = CODED_LAYOUTS if form.coded else LEGACY_LAYOUTS
    return [(layout, traditional) for layout in layouts for traditional in (False, True)]


@pytest.mark.parametrize("form", FORMS, ids=lambda f: f.name)
def test_text_variants_parse_back(form: LegacyForm) -> None:
    ambiguous = rows = 0
    for seed in range(8):
        for layout, traditional in _text_variants(form):
            report = _report(seed, form)
            report = whole_values(report) if layout in NEEDS_NO_BLANKS else report
            report = in_traditional(report) if traditional else report
            data = build_text(report, layout, crawler_header=seed % 2 == 0, traditional=traditional)
            encoded = data if seed % 3 else data.decode("utf-8").encode("gb18030")
            name = f"{form.name}-{seed}-{layout}{'-trad' if traditional else ''}.txt"
            run_together = layout == "run_together"
            ambiguous += _assert_parses_back(report, _parse(encoded, name), name, run_together)
            rows += len(form.indicators) if run_together else 0
    assert ambiguous <= 0.05 * rows, (ambiguous, rows)  # the 其中 identities pin most splits


Builder = Callable[[SynthReport], bytes]
_BUILDERS: dict[str, tuple[str, Builder]] = {
    "html-utf8": (".html", lambda r: build_html(r, "utf-8")),
    "html-gb2312": (".html", lambda r: build_html(r, "gb2312")),
    "docx": (".docx", lambda r: build_docx(r, template_docx())),
    "pdf-open": (".pdf", lambda r: build_report_pdf(r, open_breaks=True)),
    "pdf-closed": (".pdf", lambda r: build_report_pdf(r, open_breaks=False)),
}


@pytest.mark.parametrize("variant", list(_BUILDERS))
@pytest.mark.parametrize("form", FORMS, ids=lambda f: f.name)
def test_page_document_and_pdf_parse_back(form: LegacyForm, variant: str) -> None:
    suffix, build = _BUILDERS[variant]
    for seed in range(4):
        report = _report(100 + seed, form)
        name = f"{form.name}-{seed}{suffix}"
        _assert_parses_back(report, _parse(build(report), name), name)


def test_builders_are_deterministic() -> None:
    report = _report(5, NATIONAL)
    for suffix, build in _BUILDERS.values():
        assert build(report) == build(report), suffix


def test_national_form_in_a_pdf_runs_over_pages() -> None:
    report = _report(7, NATIONAL)
    parsed = _parse(build_report_pdf(report), "report.pdf")
    pages = {c.where.page for c in parsed.cells if c.table == "legacy" and c.where and c.value is not None}
    assert len(pages) >= 2, pages  # the 57 indicators do not fit one page: the table is split


def test_docx_is_a_word_document_with_the_form() -> None:
    import io

    import docx

    report = _report(2, COUNTY)
    document = docx.Document(io.BytesIO(build_docx(report, template_docx())))
    assert document.core_properties.title == report.title
    table = document.tables[0]
    assert [c.text for c in table.rows[0].cells][:2] == ["指标名称", "计量单位"]
    assert len(table.rows) == len(COUNTY.indicators) + 1


@pytest.mark.libreoffice
@pytest.mark.slow
def test_libreoffice_pdfs_of_legacy_reports(tmp_path: Path) -> None:
    if shutil.which("soffice") is None and shutil.which("libreoffice") is None:
        pytest.skip("LibreOffice (soffice) is not installed: apt-get install libreoffice-writer-nogui")
    reports: dict[str, SynthReport] = {}
    sources = []
    for n, form in enumerate(FORMS):
        for suffix, data_of in ((".docx", lambda r: build_docx(r, template_docx())), (".html", build_html)):
            report = _report(200 + n, form)
            stem = f"{form.name}-{suffix[1:]}"
            source = tmp_path / "src" / f"{stem}{suffix}"
            source.parent.mkdir(exist_ok=True)
            source.write_bytes(data_of(report))
            reports[stem] = report
            sources.append(source)
    made = export_pdfs(sources, tmp_path / "pdf", batch_size=len(sources))
    assert all(made.values()), made
    for source, pdf in made.items():
        assert pdf is not None
        _assert_parses_back(reports[source.stem], parse_file(pdf, Limits()), pdf.name)

"""The generated corpus: deterministic and prefix-stable for a seed, formats taking turns,
every template in every format (legacy reports a minority), every variant the builders
offer, an expected record per file that the pipeline's parse matches, LibreOffice PDFs
when soffice is installed, and the `gaibao synth` command."""

from __future__ import annotations

import json
import shutil
from collections import Counter
from pathlib import Path

import pytest

from gaibao_pipeline.cli import main
from gaibao_pipeline.limits import Limits
from gaibao_pipeline.runner.parse import parse_bytes, parse_file
from gaibao_pipeline.synth.corpus import FORMATS, plan_corpus, render, template_docx, write_corpus
from gaibao_pipeline.synth.expected import expected_record, score
from gaibao_pipeline.synth.legacy_form import FORMS as LEGACY_FORMS
from gaibao_pipeline.synth.legacy_render import LEGACY_LAYOUTS
from gaibao_pipeline.synth.ofd_builder import VARIANTS as OFD_VARIANTS
from gaibao_pipeline.synth.text_builder import LAYOUTS, NEEDS_NO_BLANKS
from gaibao_pipeline.synth.xlsx_builder import VARIANTS as XLSX_VARIANTS


def test_same_seed_same_reports_and_prefix_stable() -> None:
    big, small = plan_corpus(40, seed=5), plan_corpus(10, seed=5)
    assert big[:10] == small  # the first reports of a bigger corpus are the smaller corpus
    assert plan_corpus(10, seed=6) != small
    assert [render(i) for i in small] == [render(i) for i in plan_corpus(10, seed=5)]


def test_formats_take_turns_and_every_variant_occurs() -> None:
    items = plan_corpus(600, seed=1)
    assert Counter(i.format for i in items) == dict.fromkeys(FORMATS, 100)
    assert [i.format for i in items[: 2 * len(FORMATS)]] == [*FORMATS, *FORMATS]
    layouts = {i.variant.split("-")[0] for i in items if i.format == "text"}
    assert layouts == set(LAYOUTS)
    assert {i.variant.split("-")[1] for i in items if i.format == "text"} == {"utf8", "gb18030"}
    for fmt in ("text", "html", "pdf", "ofd", "xlsx"):
        assert {i.report.template for i in items if i.format == fmt} == {"2019", "2021", "legacy"}, fmt
    assert {i.report.template for i in items if i.format == "docx"} == {"2021", "legacy"}
    assert {i.variant for i in items if i.format == "html"} == {"utf-8", "gb2312"}
    assert {i.variant for i in items if i.format == "ofd"} == set(OFD_VARIANTS)
    assert {i.variant for i in items if i.format == "xlsx"} == set(XLSX_VARIANTS)
    assert len({i.report.agency for i in items}) > 100  # many agencies, as in a real collection


def test_legacy_reports_are_a_minority_in_every_format() -> None:
    items = plan_corpus(3000, seed=11)
    for fmt in FORMATS:
        templates = Counter(i.report.template for i in items if i.format == fmt)
        assert 0.07 < templates["legacy"] / 500 < 0.18, (fmt, templates)
        if fmt != "docx":  # the rest keep the 2021/2019 split of real collections
            assert 0.55 < templates["2021"] / (templates["2021"] + templates["2019"]) < 0.75, (fmt, templates)
    legacy = [i for i in items if i.report.template == "legacy"]
    assert {i.report.year for i in legacy} == set(range(2008, 2019))
    text = [i.variant for i in legacy if i.format == "text"]
    assert {v.split("-")[0] for v in text} == set(LEGACY_LAYOUTS)
    assert any("-trad" in v for v in text) and any("-trad" not in v for v in text)
    assert {i.variant for i in legacy if i.format == "docx"} == {"document"}
    assert {i.variant for i in legacy if i.format == "pdf"} == {"drawn_open", "drawn_closed"}
    assert {i.report.legacy.form.name for i in legacy if i.report.legacy} == {f.name for f in LEGACY_FORMS}


def test_legacy_reports_of_the_corpus_parse_back() -> None:
    legacy = [i for i in plan_corpus(600, seed=12) if i.report.template == "legacy"][:20]
    assert len({i.format for i in legacy}) == len(FORMATS)
    for item in legacy:
        report = parse_bytes(render(item), item.file_name, Limits())
        record = expected_record(
            item.report,
            file=item.file_name,
            format=item.format,
            variant=item.variant,
            shows_published_at=item.shows_published_at,
        )
        result = score(record, report)
        assert report.ok and report.report.template == "legacy", item.stem
        # run-together text may split a row's digits one of two right ways (test_legacy.py)
        assert result.perfect or "run_together" in item.stem, (item.stem, result.wrong)


def test_layouts_that_cannot_show_blanks_get_zeros() -> None:
    for item in plan_corpus(400, seed=2):
        if item.format == "text" and item.variant.split("-")[0] in NEEDS_NO_BLANKS:
            assert None not in item.report.cells.values(), item.stem


def test_template_ships_with_the_package() -> None:
    assert template_docx().is_file()
    assert template_docx().read_bytes()[:2] == b"PK"


def test_write_corpus_files_expected_and_manifest(tmp_path: Path) -> None:
    written = write_corpus(tmp_path / "a", 12, seed=3, pdf_engine="builtin")
    again = write_corpus(tmp_path / "b", 12, seed=3, pdf_engine="builtin")
    names = sorted(p.name for p in written.reports_dir.iterdir())
    assert len(names) == 12 and names == sorted(p.name for p in again.reports_dir.iterdir())
    for name in names:  # byte for byte the same without LibreOffice
        assert (written.reports_dir / name).read_bytes() == (again.reports_dir / name).read_bytes()
    manifest = json.loads((tmp_path / "a" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["seed"] == 3 and manifest["pdf_engine"] == "builtin" and not manifest["failed"]
    assert sorted(f["file"] for f in manifest["files"]) == names
    record = json.loads(next(written.expected_dir.glob("000001-*.json")).read_text(encoding="utf-8"))
    item = plan_corpus(12, seed=3)[1]
    assert record["file"] == item.file_name and record["agency"] == item.report.agency
    assert {(t, r, c): v for t, r, c, v in record["cells"]} == item.report.cells


def _scores(corpus: Path) -> dict[str, tuple[object, ...]]:
    out = {}
    for path in sorted((corpus / "expected").glob("*.json")):
        record = json.loads(path.read_text(encoding="utf-8"))
        report = parse_file(corpus / "reports" / record["file"], Limits())
        result = score(record, report)
        out[record["file"]] = (report.status.value, result.perfect, result.wrong)
    return out


def test_every_generated_report_parses_back_to_its_values(tmp_path: Path) -> None:
    write_corpus(tmp_path, 24, seed=4, pdf_engine="builtin")
    for file, (status, perfect, wrong) in _scores(tmp_path).items():
        assert status == "ok", file
        # run-together text loses cell boundaries; table 二 may then split ambiguously
        assert perfect or "run_together" in file, (file, wrong)


@pytest.mark.libreoffice
@pytest.mark.slow
def test_libreoffice_pdfs_from_docx_and_html(tmp_path: Path) -> None:
    if shutil.which("soffice") is None and shutil.which("libreoffice") is None:
        pytest.skip("LibreOffice (soffice) is not installed: apt-get install libreoffice-writer-nogui")
    written = write_corpus(tmp_path, 16, seed=7, formats=["pdf"], pdf_engine="soffice", soffice_batch=3)
    assert written.pdf_engine == "soffice" and written.n_files == 16 and not written.failed
    variants = {json.loads(p.read_text(encoding="utf-8"))["variant"] for p in written.expected_dir.iterdir()}
    assert variants == {"lo_docx", "lo_html"}
    for file, (status, perfect, wrong) in _scores(tmp_path).items():
        assert status == "ok" and perfect, (file, wrong)


def test_gaibao_synth_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "corpus"
    assert main(["synth", "--out", str(out), "-n", "5", "--seed", "9", "--pdf-engine", "builtin"]) == 0
    assert len(list((out / "reports").iterdir())) == 5 and len(list((out / "expected").iterdir())) == 5
    assert "PDFs by builtin" in capsys.readouterr().out
    assert main(["synth", "--out", str(out), "-n", "2", "--formats", "text,xlsb"]) == 2
    assert "formats must be among" in capsys.readouterr().err

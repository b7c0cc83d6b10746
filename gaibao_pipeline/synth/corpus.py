"""A corpus of N generated reports in every format and template, with the values each was built from.

`plan_corpus` decides, for each report, its values, format and variant; report `i` depends
only on the seed and `i`, so the first 100 reports of a 10,000-report corpus are the 100 of
a 100-report corpus. Formats take turns (report `i` gets `formats[i % len(formats)]`), so
any prefix of the corpus has an even mix. `write_corpus` writes `reports/<stem>.<ext>` and
`expected/<stem>.json` (see `expected.py`) plus `manifest.json`.

Variants: text in every crawler layout of `text_builder` (UTF-8 or GB18030, with or
without the crawler's header; legacy reports also in traditional script); HTML pages in
UTF-8 or GB2312; DOCX from the official 2021 template, or written directly for a legacy
report; PDF exported by LibreOffice from that DOCX or from the HTML page when `soffice` is
installed, otherwise drawn by `pdf_builder`; OFD packages laid out like `pdf_builder`'s
pages in each way producers write text and rules (`ofd_builder`); XLSX workbooks of the
statistics tables alone, on one sheet or a sheet per table (`xlsx_builder`). Every template
in every format: a minority of legacy reports (2008–2018, `LEGACY_SHARE`), the rest on the
2021 and 2019 forms (the blank DOCX template is the 2021 form). Everything except
LibreOffice's PDFs is byte-for-byte deterministic; those carry a creation time, but the
same values.
"""

from __future__ import annotations

import json
import random
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from gaibao_pipeline.synth.agencies import random_agency
from gaibao_pipeline.synth.docx_builder import build_docx
from gaibao_pipeline.synth.expected import expected_record
from gaibao_pipeline.synth.html_builder import build_html
from gaibao_pipeline.synth.legacy import YEARS as LEGACY_YEARS
from gaibao_pipeline.synth.legacy import in_traditional, whole_values
from gaibao_pipeline.synth.legacy_render import CODED_LAYOUTS, LEGACY_LAYOUTS
from gaibao_pipeline.synth.ofd_builder import VARIANTS as OFD_VARIANTS
from gaibao_pipeline.synth.ofd_builder import build_ofd
from gaibao_pipeline.synth.pdf_builder import build_report_pdf
from gaibao_pipeline.synth.pdf_export import export_pdfs, find_soffice
from gaibao_pipeline.synth.text_builder import LAYOUTS, NEEDS_NO_BLANKS, build_text
from gaibao_pipeline.synth.values import SynthReport, random_report
from gaibao_pipeline.synth.xlsx_builder import VARIANTS as XLSX_VARIANTS
from gaibao_pipeline.synth.xlsx_builder import build_xlsx

FORMATS = ("text", "html", "docx", "pdf", "ofd", "xlsx")
PdfEngine = Literal["auto", "soffice", "builtin"]
SUFFIXES = {"text": ".txt", "html": ".html", "docx": ".docx", "pdf": ".pdf", "ofd": ".ofd", "xlsx": ".xlsx"}
MANIFEST_SCHEMA = "gaibao.synth.corpus/1"
# Bump when the same seed would give other reports or names, so cached corpora are remade.
GENERATOR_VERSION = 5
# Reports on a pre-2019 form among all reports: collections of recent years hold a few.
LEGACY_SHARE = 0.12
TRADITIONAL = "-trad"  # a text variant printed in traditional script


def template_docx() -> Path:
    """The official blank 2021 template shipped with the package."""
    return Path(str(resources.files("gaibao_pipeline.synth") / "template-2021-blank.docx"))


@dataclass(frozen=True, slots=True)
class Item:
    """One report of the corpus: its values and how it is rendered."""

    index: int
    format: str  # text, html, docx, pdf
    variant: str  # text: layout-codec[-trad][-header]; html: its charset; pdf: engine and source
    report: SynthReport

    @property
    def stem(self) -> str:
        return f"{self.index:06d}-{self.format}-{self.report.template}-{self.variant}"

    @property
    def file_name(self) -> str:
        return self.stem + SUFFIXES[self.format]

    @property
    def shows_published_at(self) -> bool:
        return self.format == "html" or self.variant.endswith("-header")


def _no_blanks(report: SynthReport) -> SynthReport:
    """Blanks as 0, for layouts where an empty cell leaves no trace (blank counts as 0 in sums)."""
    return replace(report, cells={k: 0 if v is None else v for k, v in report.cells.items()})


def _template(rng: random.Random, fmt: str) -> str:
    if rng.random() < LEGACY_SHARE:
        return "legacy"
    if fmt == "docx":
        return "2021"  # the only blank template is the 2021 form
    # reports on the 2021 form (2021 on) outnumber those on the 2019 form (2019, 2020)
    return "2021" if rng.random() < 0.65 else "2019"


def _year(rng: random.Random, template: str) -> int:
    if template == "legacy":
        return rng.choice(LEGACY_YEARS)
    return rng.choice((2021, 2022, 2023, 2024) if template == "2021" else (2019, 2020))


def _variant(rng: random.Random, fmt: str, report: SynthReport, pdf_engine: str) -> str:
    template, legacy = report.template, report.legacy
    if fmt == "text":
        encoding = rng.choice(("utf8", "utf8", "utf8", "gb18030"))  # codec names without a hyphen
        header = "-header" if rng.random() < 0.5 else ""
        if legacy is None:
            return f"{rng.choice(LAYOUTS)}-{encoding}{header}"
        layouts = CODED_LAYOUTS if legacy.form.coded else LEGACY_LAYOUTS
        script = TRADITIONAL if rng.random() < 0.4 else ""  # many reports of those years print it
        return f"{rng.choice(layouts)}-{encoding}{script}{header}"
    if fmt == "html":
        return rng.choice(("utf-8", "gb2312"))
    if fmt == "docx":
        return "document" if legacy else "template"
    if fmt == "ofd":
        return rng.choice(OFD_VARIANTS)
    if fmt == "xlsx":
        return rng.choice(XLSX_VARIANTS)
    if pdf_engine == "soffice":
        # LibreOffice exports the DOCX (2021 form or legacy document) or the web page
        return "lo_docx" if template in ("2021", "legacy") and rng.random() < 0.6 else "lo_html"
    return rng.choice(("drawn_open", "drawn_closed"))


def plan_item(seed: int, index: int, fmt: str, pdf_engine: str = "builtin") -> Item:
    """Report `index` of the corpus of `seed`, rendered as `fmt` (pdf_engine: soffice or builtin)."""
    rng = random.Random(f"gaibao-synth:{seed}:{index}")
    template = _template(rng, fmt)
    report = random_report(rng, template, _year(rng, template), random_agency(rng))
    variant = _variant(rng, fmt, report, pdf_engine)
    if fmt == "text":
        # what the text can show: no blanks where a cell leaves no trace, the script's labels
        if variant.split("-")[0] in NEEDS_NO_BLANKS:
            report = whole_values(report) if report.legacy else _no_blanks(report)
        if TRADITIONAL in variant:
            report = in_traditional(report)
    return Item(index, fmt, variant, report)


def resolve_pdf_engine(engine: PdfEngine) -> Literal["soffice", "builtin"]:
    """`auto`: LibreOffice when installed, else the pure-Python writer."""
    if engine == "auto":
        return "soffice" if find_soffice() else "builtin"
    if engine == "soffice" and not find_soffice():
        raise RuntimeError("pdf engine soffice asked for, but LibreOffice (soffice) is not installed")
    return engine


def plan_corpus(
    n: int, seed: int = 0, formats: Sequence[str] = FORMATS, pdf_engine: PdfEngine = "builtin"
) -> list[Item]:
    """The N reports of a corpus, formats taking turns."""
    unknown = set(formats) - set(FORMATS)
    if unknown or not formats:
        raise ValueError(f"formats must be among {FORMATS}, got {list(formats)}")
    engine = resolve_pdf_engine(pdf_engine)
    return [plan_item(seed, i, formats[i % len(formats)], engine) for i in range(n)]


def render(item: Item) -> bytes:
    """The file's bytes; LibreOffice PDFs are made in batches by `write_corpus` instead."""
    report = item.report
    if item.format == "text":
        layout, encoding = item.variant.split("-")[:2]
        text = build_text(
            report,
            layout,
            crawler_header=item.variant.endswith("-header"),
            traditional=TRADITIONAL in item.variant,
        )
        return text if encoding == "utf8" else text.decode("utf-8").encode(encoding)
    if item.format == "html":
        return build_html(report, item.variant)
    if item.format == "docx":
        return build_docx(report, template_docx())
    if item.format == "ofd":
        return build_ofd(report, item.variant, open_breaks=item.index % 2 == 0)
    if item.format == "xlsx":
        return build_xlsx(report, item.variant)
    if item.variant.startswith("drawn_"):
        return build_report_pdf(report, open_breaks=item.variant == "drawn_open")
    raise ValueError(f"{item.stem}: LibreOffice PDFs are exported in batches (write_corpus)")


def _pdf_source(item: Item) -> tuple[str, bytes]:
    if item.variant == "lo_docx":
        return ".docx", build_docx(item.report, template_docx())
    return ".html", build_html(item.report, "utf-8")


@dataclass(frozen=True, slots=True)
class Written:
    """What `write_corpus` wrote."""

    reports_dir: Path
    expected_dir: Path
    n_files: int
    by_format: dict[str, int]
    pdf_engine: str
    failed: list[str]  # stems LibreOffice could not export (no report file written)


def write_corpus(
    out: Path,
    n: int,
    *,
    seed: int = 0,
    formats: Sequence[str] = FORMATS,
    pdf_engine: PdfEngine = "auto",
    soffice_batch: int = 100,
    soffice_lanes: int = 2,
    progress: Callable[[int], None] | None = None,
) -> Written:
    """Write `out/reports/<stem>.<ext>`, `out/expected/<stem>.json` and `out/manifest.json`."""
    items = plan_corpus(n, seed, formats, pdf_engine)
    reports_dir, expected_dir = out / "reports", out / "expected"
    reports_dir.mkdir(parents=True, exist_ok=True)
    expected_dir.mkdir(parents=True, exist_ok=True)
    pending: list[Item] = []
    for item in items:
        if item.format == "pdf" and item.variant.startswith("lo_"):
            pending.append(item)
            continue
        (reports_dir / item.file_name).write_bytes(render(item))
        if progress:
            progress(1)
    failed = _export_with_libreoffice(pending, reports_dir, soffice_batch, soffice_lanes, progress)
    written = [item for item in items if item.stem not in failed]
    for item in written:
        record = expected_record(
            item.report,
            file=item.file_name,
            format=item.format,
            variant=item.variant,
            shows_published_at=item.shows_published_at,
        )
        (expected_dir / f"{item.stem}.json").write_text(
            json.dumps(record, ensure_ascii=False, indent=1), encoding="utf-8"
        )
    engine = "soffice" if pending else ("builtin" if "pdf" in formats else "none")
    by_format = {fmt: sum(1 for i in written if i.format == fmt) for fmt in formats}
    manifest: dict[str, Any] = {
        "schema": MANIFEST_SCHEMA,
        "generator": GENERATOR_VERSION,
        "seed": seed,
        "n": n,
        "formats": list(formats),
        "pdf_engine": engine,
        "files": [{"file": i.file_name, "format": i.format, "variant": i.variant} for i in written],
        "failed": sorted(failed),
    }
    (out / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    return Written(reports_dir, expected_dir, len(written), by_format, engine, sorted(failed))


def _export_with_libreoffice(
    items: list[Item], reports_dir: Path, batch: int, lanes: int, progress: Callable[[int], None] | None
) -> set[str]:
    """Export the LibreOffice PDFs; the stems that failed."""
    if not items:
        return set()
    with tempfile.TemporaryDirectory(prefix="gaibao-synth-src-") as tmp:
        sources = []
        for item in items:
            suffix, data = _pdf_source(item)
            source = Path(tmp) / f"{item.stem}{suffix}"
            source.write_bytes(data)
            sources.append(source)
        made = export_pdfs(sources, reports_dir, batch_size=batch, lanes=lanes)
    if progress:
        progress(len(items))
    return {source.stem for source, pdf in made.items() if pdf is None}

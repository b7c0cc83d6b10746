"""Synthetic reports: consistent values rendered as DOCX and HTML, for tests and benchmarks.

Pure Python (no Dagster): `random_report` draws a `SynthReport` on the 2021, 2019 or legacy
(pre-2019 统计表) template, `build_docx` fills the official blank 2021 template with it (or
writes a legacy report's document) and `build_html` renders it as a government web page.
"""

from gaibao_pipeline.synth.docx_builder import build_docx
from gaibao_pipeline.synth.html_builder import build_html
from gaibao_pipeline.synth.values import SynthReport, random_report

__all__ = ["SynthReport", "build_docx", "build_html", "random_report"]

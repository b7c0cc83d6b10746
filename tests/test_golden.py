"""Golden tests: every real document of the sample corpus parses to its hand-checked JSON.

Cells (value and blank-vs-0), metadata, section numbers and check outcomes must all match,
through the same entry point as `gaibao parse`. Documents outside the sample corpus (scans
read by OCR, in tests/data/documents) are slow and parsed once per session.
"""

from __future__ import annotations

import json

import pytest

from gaibao_pipeline.cli import main
from gaibao_pipeline.runner.parse import parse_bytes
from tests.conftest import corpus_file, golden_names, load_golden, parsed_golden, sample_golden_names
from tests.golden import differences


@pytest.mark.parametrize(
    "stem",
    [
        stem if stem in sample_golden_names() else pytest.param(stem, marks=pytest.mark.slow)
        for stem in golden_names()
    ],
)
def test_document_matches_golden(stem: str) -> None:
    report = parsed_golden(stem)
    assert report.ok, report.message
    problems = differences(load_golden(stem), report.to_dict())
    assert not problems, "\n".join(problems)


def test_cli_writes_one_json_per_file(tmp_path, capsys) -> None:
    files = [str(corpus_file(stem)) for stem in sample_golden_names()]
    assert main(["parse", *files, "--out", str(tmp_path)]) == 0
    for stem in sample_golden_names():
        written = json.loads((tmp_path / f"{stem}.json").read_text(encoding="utf-8"))
        assert written["schema"] == "gaibao.report/1"
        assert not differences(load_golden(stem), written)


@pytest.mark.parametrize("stem", [s for s in sample_golden_names() if corpus_file(s).suffix == ".txt"])
def test_text_saved_as_utf16_without_a_bom_matches_golden(stem: str) -> None:
    """Regression: UTF-16 text without a BOM was taken for binary data and reported unreadable."""
    path = corpus_file(stem)
    data = path.read_bytes().decode("utf-8-sig").encode("utf-16-le")
    report = parse_bytes(data, path.name)
    assert report.ok, report.message
    problems = differences(load_golden(stem), report.to_dict())
    assert not problems, "\n".join(problems)

"""Shared fixtures: the bundled sample corpus and its hand-checked golden files."""

from __future__ import annotations

import functools
import json
import shutil
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any

import dagster as dg
import pytest

from gaibao_pipeline.report import Report

DATA = Path(__file__).parent / "data"
GOLDEN = DATA / "golden"
DOCUMENTS = DATA / "documents"  # real documents too slow for the sample corpus (scans read by OCR)


def corpus_dir() -> Path:
    """The sample corpus shipped inside the package (the README's first command runs on it)."""
    return Path(str(resources.files("gaibao_pipeline") / "sample_corpus"))


def golden_names() -> list[str]:
    """Every document with a golden file: the sample corpus and tests/data/documents."""
    return sorted(p.stem for p in GOLDEN.glob("*.json"))


def sample_golden_names() -> list[str]:
    """The golden documents of the bundled sample corpus (quick to parse, no OCR)."""
    bundled = {p.stem for p in corpus_dir().iterdir()}
    return [stem for stem in golden_names() if stem in bundled]


def load_golden(stem: str) -> dict[str, Any]:
    return json.loads((GOLDEN / f"{stem}.json").read_text(encoding="utf-8"))


def corpus_file(stem: str) -> Path:
    """The document of a golden file: in the sample corpus, else in tests/data/documents."""
    for folder in (corpus_dir(), DOCUMENTS):
        matches = [p for p in folder.iterdir() if p.stem == stem]
        if matches:
            return matches[0]
    raise AssertionError(f"no corpus file for {stem}")


@functools.cache
def parsed_golden(stem: str) -> Report:
    """A golden document parsed once per session (a scan takes a minute of OCR).

    Scans get a file time limit of 15 minutes, not 3: on a machine shared with other work
    their OCR may take several times its ~10 s of CPU a page, and what is tested here is the
    reading, not the limit (tests/documents/ocr/test_pictures.py tests the OCR budget).
    """
    from gaibao_pipeline.limits import Limits
    from gaibao_pipeline.runner.parse import parse_file

    slow = corpus_file(stem).parent == DOCUMENTS
    return parse_file(corpus_file(stem), Limits(timeout_seconds=900.0) if slow else None)


@pytest.fixture(scope="session")
def sample_corpus() -> Path:
    return corpus_dir()


@pytest.fixture
def landing(tmp_path: Path) -> Path:
    """A landing folder holding a copy of the sample corpus (tests add and change files in it)."""
    folder = tmp_path / "landing"
    shutil.copytree(corpus_dir(), folder)
    return folder


@pytest.fixture
def instance(tmp_path: Path) -> Iterator[dg.DagsterInstance]:
    """A temporary Dagster instance (storage under tmp_path)."""
    with dg.DagsterInstance.ephemeral(tempdir=str(tmp_path / "dagster")) as inst:
        yield inst

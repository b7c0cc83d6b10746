"""Shared fixtures: the bundled sample corpus and its hand-checked golden files."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any

import dagster as dg
import pytest

DATA = Path(__file__).parent / "data"
GOLDEN = DATA / "golden"


def corpus_dir() -> Path:
    """The sample corpus shipped inside the package (the README's first command runs on it)."""
    return Path(str(resources.files("gaibao_pipeline") / "sample_corpus"))


def golden_names() -> list[str]:
    return sorted(p.stem for p in GOLDEN.glob("*.json"))


def load_golden(stem: str) -> dict[str, Any]:
    return json.loads((GOLDEN / f"{stem}.json").read_text(encoding="utf-8"))


def corpus_file(stem: str) -> Path:
    matches = [p for p in corpus_dir().iterdir() if p.stem == stem]
    assert matches, f"no corpus file for {stem}"
    return matches[0]


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

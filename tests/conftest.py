"""Shared fixtures: the bundled sample corpus and its hand-checked golden files."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

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

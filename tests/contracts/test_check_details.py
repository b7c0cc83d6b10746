"""Each check's cell details are its own: made once per report, copied into every check.

`identity_checks` describes a cell once and copies that description into each identity the
cell is in; a reviewer (or the JSON writer) that edits one check's detail must not change
another's.
"""

from __future__ import annotations

from pathlib import Path

from gaibao_pipeline.runner.parse import parse_bytes

SAMPLE = Path(__file__).parents[2] / "gaibao_pipeline" / "sample_corpus" / "hongze2023.pdf"


def test_shared_cells_are_described_alike_in_separate_dicts() -> None:
    report = parse_bytes(SAMPLE.read_bytes(), SAMPLE.name)
    seen: dict[tuple[object, ...], dict[str, object]] = {}
    shared = 0
    for check in report.checks:
        for involved in check.detail.get("involved", []):
            key = tuple(involved["cell"])
            first = seen.setdefault(key, involved)
            if first is involved:
                continue
            shared += 1
            assert involved == first
            assert involved is not first and involved["cell"] is not first["cell"]
            if "where" in involved:
                assert involved["where"] is not first["where"]
                assert involved["where"].get("bbox") is not first["where"].get("bbox")
    assert shared > 10, "totals sit in several identities"

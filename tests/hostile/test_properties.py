"""Property-based tests: random inputs to value parsing, digit-run splitting and the grid
normaliser never raise anything but the documented errors, and round trips hold."""

from __future__ import annotations

import contextlib
import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gaibao_pipeline.documents.text.reader import read_text
from gaibao_pipeline.errors import DocumentError
from gaibao_pipeline.model import Cell, Document, Grid, Paragraph
from gaibao_pipeline.parsing import parse_document
from gaibao_pipeline.parsing.splits import Group, split_runs
from gaibao_pipeline.parsing.values import ValueKind, parse_value
from gaibao_pipeline.report import SourceInfo

SOURCE = SourceInfo(file="x.txt", sha256="0" * 64, format="text", size=0)
LABELS = [
    "规章",
    "行政许可",
    "一、本年新收政府信息公开申请数量",
    "（七）总计",
    "行政复议",
    "结果维持",
    "总计",
    "第二十条第（一）项",
]
cell_text = st.one_of(
    st.sampled_from(["", "0", "12", "-3", "增5", "/", "——", "2192.3万元", "無", "?", "&nbsp;"]),
    st.sampled_from(LABELS),
    st.text(max_size=12),
)


@given(st.text(max_size=40), st.sampled_from(["count", "change", "amount"]))
def test_parse_value_never_raises(raw: str, kind: str) -> None:
    parsed = parse_value(raw, kind)
    assert parsed.kind in ValueKind
    assert (parsed.value is not None) == (parsed.kind == ValueKind.NUMBER)


@given(st.integers(min_value=0, max_value=10**9))
def test_whole_numbers_round_trip(n: int) -> None:
    assert parse_value(str(n)).value == n
    assert parse_value(f"{n:,}").value == n
    assert parse_value(str(n).translate(str.maketrans("0123456789", "０１２３４５６７８９"))).value == n


@given(st.integers(min_value=1, max_value=10**6))
def test_signed_changes_round_trip(n: int) -> None:
    assert parse_value(f"增{n}", "change").value == n
    assert parse_value(f"减{n}(划转)", "change").value == -n


@settings(deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=99999), min_size=6, max_size=6))
def test_run_together_row_with_total_splits_back(parts: list[int]) -> None:
    """Digits of a row whose last cell is the sum: the true split is always among the cuts."""
    cells = [*parts, sum(parts)]
    cuts = split_runs(["".join(str(c) for c in cells)], [Group(7, has_total=True)])
    assert [str(c) for c in cells] in cuts
    for cut in cuts:
        assert sum(int(c) for c in cut[:-1]) == int(cut[-1])


@settings(deadline=None)
@given(st.text(alphabet="0123456789 .-", max_size=30), st.integers(min_value=1, max_value=8))
def test_split_runs_never_raises(digits: str, width: int) -> None:
    for cut in split_runs(digits.split(), [Group(width)]):
        assert len(cut) == width


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(cell_text, min_size=1, max_size=10), min_size=1, max_size=30), st.integers(0, 2**32))
def test_normaliser_never_raises_on_random_grids(rows: list[list[str]], seed: int) -> None:
    cells = [Cell(r, c, text) for r, row in enumerate(rows) for c, text in enumerate(row)]
    blocks = [
        Paragraph("某某县人民政府2021年政府信息公开工作年度报告"),
        Grid(cells, run_together=random.Random(seed).random() < 0.3),
    ]
    report = parse_document(Document(format="text", blocks=blocks), SOURCE)
    assert report.status.value in ("ok", "not_a_report", "multiple_reports")


@settings(max_examples=150)
@given(st.binary(max_size=2000))
def test_text_reader_never_raises_anything_undocumented(data: bytes) -> None:
    with contextlib.suppress(DocumentError):
        read_text(data)

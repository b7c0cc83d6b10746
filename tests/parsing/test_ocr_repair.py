"""Values read by OCR checked by the identities: marked, chosen among readings, one doubtful digit
inferred, or named in a warning; never silently changed otherwise."""

from __future__ import annotations

from gaibao_pipeline.codes import T4_COL_CODES
from gaibao_pipeline.contracts.identities import t4_identities
from gaibao_pipeline.contracts.invariants import identity_checks
from gaibao_pipeline.model import OcrReading, Provenance
from gaibao_pipeline.parsing.ocr_repair import ocr_check_warnings, repair_ocr_cells
from gaibao_pipeline.report import ReportCell


def read(
    text: str,
    confidence: float = 0.99,
    chars: tuple[float, ...] | None = None,
    alternatives: tuple[OcrReading, ...] = (),
) -> OcrReading:
    return OcrReading(
        text, confidence, chars if chars is not None else (confidence,) * len(text), alternatives
    )


def t4_review(values: dict[str, OcrReading]) -> list[ReportCell]:
    """Row `review` of table 四 read by OCR (upheld, corrected, other, pending, total)."""
    cells = []
    for col in T4_COL_CODES:
        reading = values[col]
        where = Provenance(page=4, table_index=2, row=3, col=len(cells), bbox=(0, 0, 1, 1), ocr=reading)
        value = int(reading.text) if reading.text.isdigit() else None
        cells.append(ReportCell("t4", "review", col, value, reading.text, where=where))
    return cells


def by_col(cells: list[ReportCell]) -> dict[str, ReportCell]:
    return {c.col: c for c in cells}


def review_row(upheld: str, corrected: str, other: str, pending: str, total: OcrReading) -> list[ReportCell]:
    return t4_review(
        {
            "upheld": read(upheld),
            "corrected": read(corrected),
            "other": read(other),
            "pending": read(pending),
            "total": total,
        }
    )


def test_every_ocr_cell_is_marked_with_its_confidence() -> None:
    cells = review_row("3", "1", "0", "0", read("4", 0.95))
    assert repair_ocr_cells(cells, t4_identities()) == []
    assert all(c.ocr for c in cells) and by_col(cells)["total"].confidence == 0.95
    assert by_col(cells)["total"].to_dict()["ocr"] is True


def test_another_reading_the_identities_agree_with_replaces_the_first() -> None:
    total = read("9", 0.6, alternatives=(read("4", 0.4),))
    cells = review_row("3", "1", "0", "0", total)
    notes = repair_ocr_cells(cells, t4_identities())
    cell = by_col(cells)["total"]
    assert cell.value == 4 and cell.raw == "4" and not cell.inferred
    assert any("t4 review total" in n and "'4'" in n for n in notes)


def test_one_doubtful_digit_pinned_by_an_identity_is_inferred() -> None:
    total = read("19", 0.7, chars=(0.99, 0.41))  # truth 14: the second digit was doubtful
    cells = review_row("10", "3", "1", "0", total)
    notes = repair_ocr_cells(cells, t4_identities())
    cell = by_col(cells)["total"]
    assert cell.value == 14 and cell.inferred and cell.raw == "19"
    assert any("pins it to 14: inferred" in n for n in notes)


def test_a_confident_value_that_breaks_an_identity_stays_and_is_named() -> None:
    """The report's own inconsistency (总计 printed 0 beside 10 and 1) is not 'corrected'."""
    cells = review_row("10", "1", "0", "0", read("0", 0.99))
    repair_ocr_cells(cells, t4_identities())
    assert by_col(cells)["total"].value == 0 and not by_col(cells)["total"].inferred
    checks = identity_checks({c.key: c for c in cells}, t4_identities())
    (warning,) = ocr_check_warnings(checks, cells)
    assert "t4.block_total fails for review" in warning
    assert "t4 review total, page 4 read '0' (confidence 0.99)" in warning


def test_a_doubtful_digit_that_would_need_two_changes_is_not_inferred() -> None:
    total = read("0", 0.5, chars=(0.5,))  # the identity wants 11: two digits, not one
    cells = review_row("10", "1", "0", "0", total)
    repair_ocr_cells(cells, t4_identities())
    assert by_col(cells)["total"].value == 0 and not by_col(cells)["total"].inferred


def unreadable(cells: list[ReportCell], index: int, *alternatives: str) -> None:
    cells[index].value, cells[index].raw = None, ""
    readings = tuple(OcrReading(a, 0.2, (0.2,)) for a in alternatives)
    cells[index].where = Provenance(page=4, bbox=(0, 0, 1, 1), ocr=OcrReading("", 0.0, (), readings))


def test_ink_that_could_not_be_read_is_pinned_by_an_identity() -> None:
    cells = review_row("1", "0", "0", "0", read("3"))
    unreadable(cells, 1)
    notes = repair_ocr_cells(cells, t4_identities())
    assert by_col(cells)["corrected"].value == 2 and by_col(cells)["corrected"].inferred
    assert any("t4 review corrected" in n and "pin it to 2: inferred" in n for n in notes)


def test_an_unreadable_cell_takes_the_reading_the_identity_pins() -> None:
    cells = review_row("1", "0", "0", "0", read("3"))
    unreadable(cells, 1, "8", "2")
    repair_ocr_cells(cells, t4_identities())
    corrected = by_col(cells)["corrected"]
    assert corrected.value == 2 and corrected.raw == "2" and not corrected.inferred


def test_ink_nothing_pins_stays_blank_and_is_named() -> None:
    cells = review_row("1", "0", "0", "0", read("3"))
    unreadable(cells, 1)
    unreadable(cells, 2)
    notes = repair_ocr_cells(cells, t4_identities())
    assert by_col(cells)["corrected"].value is None
    assert any("t4 review corrected" in n and "could not read it" in n for n in notes)


def test_a_low_confidence_value_no_identity_checks_is_named() -> None:
    where = Provenance(page=2, bbox=(0, 0, 1, 1), ocr=read("5", 0.4))
    cell = ReportCell("t2", "rules", "issued", 5, "5", where=where)
    notes = repair_ocr_cells([cell], [])
    assert any("t2 rules issued" in n and "no identity confirms it" in n for n in notes)

"""Values read by OCR, checked by the 勾稽 identities: chosen, corrected, or named in a warning.

A cell whose text came from an image carries its OCR reading (`Provenance.ocr`): the
engine's confidence overall and per character, and the other readings of the same spot (the
same output decoded as digits only, the cell read again enlarged). Here, after the parser
built the canonical cells:

1. every such cell is marked `ocr`, with its confidence;
2. where an identity fails, another reading of its OCR cells that makes more identities hold
   (and breaks none that held) replaces the first one: it was read, not inferred;
3. where one still fails and exactly one of its OCR cells has a doubtful digit whose
   replacement by the value the identity pins changes only that digit (and breaks nothing
   else), the value is corrected and marked `inferred`;
4. anything else stays as read; the failed check then gets a warning naming each OCR cell
   it involves and its confidence (`ocr_check_warnings`), and a value read with low
   confidence that no holding identity confirms (table 二 has none) is named too.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from gaibao_pipeline.contracts.identities import Identity, count_violations, evaluate
from gaibao_pipeline.model import Document, OcrReading, Provenance
from gaibao_pipeline.parsing.values import ValueKind, parse_value
from gaibao_pipeline.report import CellKey, CheckResult, Number, ReportCell, SourceInfo

DOUBTFUL_DIGIT = 0.9  # a digit read with less confidence than this may be the one that is wrong
UNCHECKED_BELOW = 0.8  # a value read with less confidence that no identity confirms gets a warning
MAX_ROUNDS = 20
IDENTITY_CHECKS = ("t3.", "t4.", "legacy.")


def _name(cell: ReportCell) -> str:
    where = cell.where
    page = f", page {where.page}" if where is not None and where.page is not None else ""
    return f"{cell.table} {cell.row} {cell.col}{page}"


def _reading(cell: ReportCell) -> OcrReading | None:
    """The OCR reading behind the cell's raw text, when the cell holds that text whole."""
    where = cell.where
    if where is None or where.ocr is None:
        return None
    if (cell.raw or "").strip() != where.ocr.text.strip():
        return None  # the parser split or joined the text: the reading is not this value's alone
    return where.ocr


def mark_ocr(cells: Sequence[ReportCell]) -> None:
    """Flag every cell whose text was read from an image, with the engine's confidence."""
    for cell in cells:
        where = cell.where
        if where is not None and where.ocr is not None:
            cell.ocr = True
            cell.confidence = round(where.ocr.confidence, 4)


def _value(text: str) -> Number | str | None:
    """The number a reading gives, None for blank, or "text" when it is no value."""
    parsed = parse_value(text)
    if parsed.kind == ValueKind.NUMBER:
        return parsed.value
    if parsed.kind in (ValueKind.BLANK, ValueKind.NOT_APPLICABLE):
        return None
    return "text"


def _failing(values: Mapping[CellKey, Number | None], identities: Sequence[Identity]) -> list[Identity]:
    return [e.identity for e in evaluate(values, identities) if e.passed is False]


def _choose_alternatives(
    cells: dict[CellKey, ReportCell], identities: Sequence[Identity], notes: list[str]
) -> None:
    values = {key: cell.value for key, cell in cells.items()}
    for _ in range(MAX_ROUNDS):
        failing = _failing(values, identities)
        if not failing:
            return
        current = count_violations(values, identities)
        best: tuple[int, float, CellKey, OcrReading, Number | None] | None = None
        for key in {k for identity in failing for k in identity.cells}:
            cell = cells.get(key)
            reading = _reading(cell) if cell is not None else None
            if cell is None or reading is None or cell.inferred:
                continue
            for other in reading.alternatives:
                value = _value(other.text)
                if isinstance(value, str) or value == cell.value:
                    continue
                trial = {**values, key: value}
                violations = count_violations(trial, identities)
                if violations < current and _holds_what_held(values, trial, identities):
                    candidate = (violations, -other.confidence, key, other, value)
                    if best is None or candidate[:2] < best[:2]:
                        best = candidate
        if best is None:
            return
        _, _, key, other, value = best
        cell = cells[key]
        notes.append(
            f"{_name(cell)}: OCR read {cell.raw!r} (confidence {cell.confidence}); its other reading "
            f"{other.text!r} (confidence {other.confidence:.3f}) is the one the identities agree with"
        )
        cell.raw, cell.value, cell.confidence = other.text, value, round(other.confidence, 4)
        values[key] = value


def _holds_what_held(
    before: Mapping[CellKey, Number | None],
    after: Mapping[CellKey, Number | None],
    identities: Sequence[Identity],
) -> bool:
    held = {id(e.identity) for e in evaluate(before, identities) if e.passed is not False}
    return all(e.passed is not False for e in evaluate(after, identities) if id(e.identity) in held)


def _pinned(identity: Identity, key: CellKey, values: Mapping[CellKey, Number | None]) -> Number | None:
    """The value of `key` that makes `identity` hold, the other cells as they are."""

    def total(keys: Sequence[CellKey]) -> Number:
        return sum((values.get(k) or 0) for k in keys if k != key)

    if key in identity.actual:
        return total(identity.expected) - total(identity.actual)
    return total(identity.actual) - total(identity.expected)


def _one_doubtful_digit(reading: OcrReading, read: Number, wanted: Number) -> bool:
    """True when `wanted` differs from what was read in one digit, and that digit was doubtful."""
    if not isinstance(read, int) or not isinstance(wanted, int) or wanted < 0:
        return False
    text, target = reading.text.strip(), str(wanted)
    if text != str(read) or len(text) != len(target) or len(reading.char_confidences) != len(text):
        return False
    changed = [i for i, (a, b) in enumerate(zip(text, target, strict=True)) if a != b]
    if len(changed) != 1:
        return False
    position = changed[0]
    others_say = any(
        len(alt.text) == len(text) and alt.text[position] == target[position] for alt in reading.alternatives
    )
    return reading.char_confidences[position] < DOUBTFUL_DIGIT or others_say


def _unknown(cell: ReportCell | None) -> bool:
    """A cell whose value nobody knows: not found, or ink OCR could not read (a blank is known)."""
    if cell is None or (cell.raw is None and cell.value is None):
        return True
    return cell.ocr and cell.value is None and cell.confidence == 0.0


def _fill_unreadable(
    cells: dict[CellKey, ReportCell], identities: Sequence[Identity], notes: list[str]
) -> None:
    """A cell whose ink could not be read, where an identity with every other cell read pins it.

    The pinned value is taken as read when one of the cell's other readings says it, else as
    inferred; either way the warning says so. A total left unreadable is no total left blank.
    """
    values = {key: cell.value for key, cell in cells.items()}
    for key, cell in cells.items():
        reading = _reading(cell)
        if reading is None or cell.value is not None or reading.confidence > 0.0:
            continue
        pinned: set[Number] = set()
        for identity in identities:
            others = [k for k in identity.cells if k != key]
            if key in identity.cells and not any(_unknown(cells.get(k)) for k in others):
                wanted = _pinned(identity, key, values)
                if wanted is not None and float(wanted).is_integer() and wanted >= 0:
                    pinned.add(int(wanted))
        if len(pinned) != 1:
            continue  # nothing pins it, or the identities disagree: it stays blank, and is named
        (wanted,) = pinned
        trial = {**values, key: wanted}
        if not _holds_what_held(values, trial, identities):
            continue
        said = next((alt for alt in reading.alternatives if _value(alt.text) == wanted), None)
        if said is not None:
            cell.raw, cell.confidence = said.text, round(said.confidence, 4)
            notes.append(
                f"{_name(cell)}: unreadable at first; its reading {said.text!r} is the one the identities pin"
            )
        else:
            cell.inferred = True
            cell.note = "OCR could not read this cell; the identities pin its value"
            notes.append(
                f"{_name(cell)}: OCR could not read the cell; the identities pin it to {wanted}: inferred"
            )
        cell.value = wanted
        values[key] = wanted


def _infer_digits(cells: dict[CellKey, ReportCell], identities: Sequence[Identity], notes: list[str]) -> None:
    values = {key: cell.value for key, cell in cells.items()}
    for identity in _failing(values, identities):
        fixes: list[tuple[CellKey, int]] = []
        for key in identity.cells:
            cell = cells.get(key)
            reading = _reading(cell) if cell is not None else None
            if cell is None or reading is None or cell.value is None or cell.inferred:
                continue
            wanted = _pinned(identity, key, values)
            if wanted is None or not _one_doubtful_digit(reading, cell.value, wanted):
                continue
            trial = {**values, key: wanted}
            if _holds_what_held(values, trial, identities) and count_violations(
                trial, identities
            ) < count_violations(values, identities):
                fixes.append((key, int(wanted)))
        if len(fixes) != 1:
            continue  # nothing pins a digit, or two cells could each be the wrong one
        key, wanted = fixes[0]
        cell = cells[key]
        notes.append(
            f"{_name(cell)}: OCR read {cell.raw!r} (confidence {cell.confidence}) with a doubtful digit; "
            f"{identity.check} pins it to {wanted}: inferred"
        )
        cell.value, cell.inferred = wanted, True
        cell.note = f"OCR read {cell.raw!r}; corrected by {identity.check}"
        values[key] = wanted


def repair_ocr_cells(cells: Sequence[ReportCell], identities: Sequence[Identity]) -> list[str]:
    """Mark OCR cells, and let the identities choose or correct their readings; the warnings."""
    mark_ocr(cells)
    if not any(c.ocr for c in cells):
        return []
    by_key = {c.key: c for c in cells}
    notes: list[str] = []
    _choose_alternatives(by_key, identities, notes)
    _infer_digits(by_key, identities, notes)
    _fill_unreadable(by_key, identities, notes)
    unread = [
        f"{_name(c)}: the image shows ink in this cell but OCR could not read it (confidence 0); "
        "it is blank here"
        for c in cells
        if c.ocr and c.value is None and c.confidence == 0.0 and not c.inferred
    ]
    return notes + unread + _unconfirmed(cells, identities)


def _unconfirmed(cells: Sequence[ReportCell], identities: Sequence[Identity]) -> list[str]:
    """Values read with low confidence that no holding identity vouches for: named, to be looked at."""
    values = {c.key: c.value for c in cells}
    confirmed = {k for e in evaluate(values, identities) if e.passed for k in e.identity.cells}
    return [
        f"{_name(c)}: OCR read {c.raw!r} with confidence {c.confidence}, and no identity confirms it"
        for c in cells
        if c.ocr
        and c.value is not None
        and not c.inferred
        and c.confidence is not None
        and c.confidence < UNCHECKED_BELOW
        and c.key not in confirmed
    ]


def ocr_check_warnings(checks: Sequence[CheckResult], cells: Sequence[ReportCell]) -> list[str]:
    """For each failed identity check, the OCR cells it involves with their confidence."""
    by_key = {c.key: c for c in cells}
    out: list[str] = []
    for check in checks:
        if check.passed is not False or not check.id.startswith(IDENTITY_CHECKS):
            continue
        read = [by_key[k] for k in check.cells if k in by_key and by_key[k].ocr and by_key[k].raw]
        if not read:
            continue
        scope = " ".join(str(check.detail[k]) for k in ("row", "col") if k in check.detail)
        named = "; ".join(f"{_name(c)} read {c.raw!r} (confidence {c.confidence})" for c in read)
        weakest = min(read, key=lambda c: c.confidence if c.confidence is not None else 0.0)
        out.append(
            f"{check.id} fails for {scope} on values read by OCR: {named}; "
            f"check {_name(weakest)} against the image first"
        )
    return out


def ocr_suspects(document: Document) -> list[Provenance]:
    """Where the OCR'd values that break the identities came from: what the reader reads again.

    Given to `documents.read_document` (as its `SuspectFinder`) by the runner: the document is
    parsed once here, and the cells of its failed identity checks that OCR read are returned.
    """
    from gaibao_pipeline.parsing import parse_document  # the parser uses this module

    report = parse_document(document, SourceInfo(file="", sha256="", format=document.format, size=0))
    cells = report.cell_map()
    out: list[Provenance] = []
    for check in report.checks:
        if check.passed is not False or not check.id.startswith(IDENTITY_CHECKS):
            continue
        for key in check.cells:
            cell = cells.get(key)
            if cell is not None and cell.ocr and cell.where is not None and not cell.inferred:
                out.append(cell.where)
    return out

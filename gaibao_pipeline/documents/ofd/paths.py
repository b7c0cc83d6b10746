"""OFD path data (`AbbreviatedData`) into subpaths of points, and which of their segments are straight.

The commands (GB/T 33190 §9.3.4): `S x y` and `M x y` start a subpath, `L x y` draws a line,
`Q x1 y1 x y` and `B x1 y1 x2 y2 x y` draw curves, `A rx ry angle large sweep x y` an arc,
`C` closes the subpath. Only straight segments can be table rules; curves and arcs only move
the pen. A command missing its numbers ends the path (what was read before it is kept).
Subpaths are the PDF reader's (`pdf.rules.Subpath`), so both judge rules the same way.
"""

from __future__ import annotations

from collections.abc import Callable

from gaibao_pipeline.documents.pdf.rules import Point, Subpath

_OPERANDS = {"S": 2, "M": 2, "L": 2, "Q": 4, "B": 6, "A": 7, "C": 0}
MAX_COMMANDS = 100_000  # per path object: more is a drawing, not a table's rules


def parse_path(data: str, place: tuple[float, float, float, float, float, float]) -> list[Subpath]:
    """The subpaths of `data`, each point mapped by the matrix `place` (a b c d e f)."""
    a, b, c, d, e, f = place

    def at(x: float, y: float) -> Point:
        return a * x + c * y + e, b * x + d * y + f

    tokens = data.replace(",", " ").split()
    subpaths: list[Subpath] = []
    current: Subpath | None = None
    i = commands = 0
    while i < len(tokens) and commands < MAX_COMMANDS:
        command = tokens[i]
        count = _OPERANDS.get(command)
        if count is None:
            i += 1  # an unknown token: skipped, as a viewer does
            continue
        operands = _numbers(tokens[i + 1 : i + 1 + count], count)
        if operands is None:
            break
        i += 1 + count
        commands += 1
        if command == "C":
            if current is not None:
                current.close()
            continue
        end = at(operands[-2], operands[-1])
        if command in ("S", "M") or current is None:
            current = Subpath(end)
            subpaths.append(current)
        else:
            current.add(end, command == "L")
    return subpaths


def _numbers(tokens: list[str], count: int, to_float: Callable[[str], float] = float) -> list[float] | None:
    if len(tokens) < count:
        return None
    try:
        values = [to_float(t) for t in tokens]
    except ValueError:
        return None
    return values if all(v == v and abs(v) != float("inf") for v in values) else None

"""Tables without rules, rebuilt from OCR'd text boxes: columns from the values, rows by label."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont

from gaibao_pipeline.documents import read_document
from gaibao_pipeline.documents.ocr.columns import TextBox, borderless_tables
from gaibao_pipeline.model import OcrReading

FONT = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
ROWS = [  # label, then the values of four columns; None is a blank cell
    ("一、本年新收申请数量", ["21", "3", None, "24"]),
    ("二、上年结转申请数量", ["0", None, "1", "1"]),
    ("三、本年办理结果", ["12", "2", "1", "15"]),
]


def box(text: str, x0: float, top: float, width: float = 20.0) -> TextBox:
    return TextBox(text, (x0, top, x0 + width, top + 12.0), OcrReading(text, 0.99))


def test_values_are_put_in_their_columns_and_blanks_kept() -> None:
    boxes = [box("标题文字", 60, 20, 200)]
    for number, (label, values) in enumerate(ROWS):
        top = 60 + 30 * number
        boxes.append(box(label, 60, top, 120))
        for col, value in enumerate(values):
            if value is not None:
                boxes.append(box(value, 220 + 70 * col, top))
    boxes.append(box("（第二行标签的续行）", 60, 60 + 30 + 14, 120))  # a label broken over two lines
    tables, rest = borderless_tables(boxes, page=1)
    assert [b.text for b in rest] == ["标题文字"]
    (table,) = tables
    grid = {(c.row, c.col): c.text for c in table.cells}
    for number, (label, values) in enumerate(ROWS):
        assert grid[(number, 0)].startswith(label)
        assert [grid[(number, col + 1)] or None for col in range(4)] == values
    assert "续行" in grid[(1, 0)]
    assert all(c.ocr is not None for c in table.cells)


def test_lines_with_one_number_are_no_table() -> None:
    boxes = [box("共收到申请21件", 60, 20, 200), box("-3-", 280, 700), box("2024年1月20日", 300, 60, 100)]
    tables, rest = borderless_tables(boxes, page=1)
    assert not tables and len(rest) == 3


@pytest.mark.slow
@pytest.mark.skipif(not FONT.exists(), reason="fonts-noto-cjk is not installed")
def test_a_picture_of_a_table_without_rules_is_read_into_columns() -> None:
    picture = Image.new("L", (1500, 420), 255)
    draw = ImageDraw.Draw(picture)
    font = ImageFont.truetype(str(FONT), 34)
    for col, name in enumerate(["自然人", "商业企业", "科研机构", "总计"]):
        draw.text((620 + 210 * col, 40), name, font=font, fill=0)
    for number, (label, values) in enumerate(ROWS):
        top = 130 + 90 * number
        draw.text((40, top), label, font=font, fill=0)
        for col, value in enumerate(values):
            if value is not None:
                draw.text((650 + 210 * col, top), value, font=font, fill=0)
    data = io.BytesIO()
    picture.save(data, format="PNG", dpi=(200, 200))
    document = read_document(data.getvalue(), "unruled.png")
    (grid,) = document.grids
    rows = [[re.sub(r"\s+", "", c.text) for c in row] for row in grid.rows()]
    assert [row[1:] for row in rows] == [[v or "" for v in values] for _, values in ROWS]
    assert rows[0][0].endswith("本年新收申请数量")

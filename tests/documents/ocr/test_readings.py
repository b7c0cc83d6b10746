"""Choosing among OCR readings of a value, and pictures refused before they are decoded."""

from __future__ import annotations

import base64
import io
import struct
import zlib

import pytest
from PIL import Image

from gaibao_pipeline.documents import read_document
from gaibao_pipeline.documents.html.pictures import picture_bytes
from gaibao_pipeline.documents.ocr.pictures import PictureError, decode_pictures
from gaibao_pipeline.documents.ocr.readings import digits_for_symbols, looks_like_value, with_alternatives
from gaibao_pipeline.errors import DocumentError, Status
from gaibao_pipeline.model import OcrReading


def test_the_most_confident_reading_wins_and_the_others_are_kept() -> None:
    best = with_alternatives(OcrReading("8", 0.6), [OcrReading("3", 0.93), OcrReading("8", 0.5)])
    assert best.text == "3" and [a.text for a in best.alternatives] == ["8"]


def test_a_reading_that_keeps_the_minus_sign_wins_when_sure() -> None:
    best = with_alternatives(OcrReading("20", 0.999), [OcrReading("-20", 0.94)])
    assert best.text == "-20"
    unsure = with_alternatives(OcrReading("20", 0.999), [OcrReading("-20", 0.5)])
    assert unsure.text == "20"


@pytest.mark.parametrize(
    ("read", "digits", "want"),
    [
        ("□", ["0", "0"], "0"),
        ("U", ["0"], "0"),
        ("一", ["1"], "1"),
        ("□", ["0", "1"], ""),
        ("/", ["1"], "/"),
        ("三", ["3"], "三"),
    ],
)
def test_letters_and_look_alikes_become_digits_when_the_digit_readings_agree_else_unreadable(
    read: str, digits: list[str], want: str
) -> None:
    reading = OcrReading(read, 0.9, (0.9,), tuple(OcrReading(d, 0.3, (0.3,)) for d in digits))
    assert digits_for_symbols(reading).text == want


def test_what_looks_like_a_value() -> None:
    assert looks_like_value("12") and looks_like_value("o") and looks_like_value("一")
    assert not looks_like_value("行政许可") and not looks_like_value("一、本年新收")


def _png_header(width: int, height: int) -> bytes:
    """A PNG that claims a huge size and holds almost nothing: a decompression bomb's header."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b""))
        + chunk(b"IEND", b"")
    )


def test_a_huge_picture_is_refused_before_it_is_decoded() -> None:
    with pytest.raises(PictureError, match="limit"):
        decode_pictures(_png_header(100_000, 100_000))
    with pytest.raises(DocumentError) as caught:
        read_document(_png_header(100_000, 100_000), "bomb.png")
    assert caught.value.status is Status.TOO_LARGE


def test_an_image_file_that_cannot_be_decoded_is_unreadable() -> None:
    with pytest.raises(DocumentError) as caught:
        read_document(b"\x89PNG\r\n\x1a\n" + bytes(2000), "broken.png")
    assert caught.value.status is Status.UNREADABLE


def test_data_uris_are_decoded_and_nothing_else_without_a_folder() -> None:
    picture = io.BytesIO()
    Image.new("L", (4, 4), 255).save(picture, format="PNG")
    uri = "data:image/png;base64," + base64.b64encode(picture.getvalue()).decode("ascii")
    assert picture_bytes(uri, None, 10**6) == picture.getvalue()
    assert picture_bytes("data:text/html;base64,PGI+", None, 10**6) is None
    assert picture_bytes(uri, None, 10) is None  # over the size limit
    assert picture_bytes("https://example.invalid/a.png", None, 10**6) is None

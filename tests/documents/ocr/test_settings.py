"""The OCR switches: every accepted value, and a clear error naming the variable otherwise."""

from __future__ import annotations

import pytest

from gaibao_pipeline.documents.ocr.settings import OcrSettings, OcrSettingsError, ocr_settings


def test_defaults_when_nothing_is_set() -> None:
    assert ocr_settings({}) == OcrSettings()
    assert ocr_settings({}).engine == "rapidocr" and ocr_settings({}).enabled


@pytest.mark.parametrize(
    ("raw", "engine"),
    [
        ("1", "rapidocr"),
        ("on", "rapidocr"),
        ("AUTO", "rapidocr"),
        ("rapidocr", "rapidocr"),
        ("tesseract", "tesseract"),
        ("0", "off"),
        ("off", "off"),
        ("False", "off"),
        (" no ", "off"),
    ],
)
def test_engine_switch(raw: str, engine: str) -> None:
    assert ocr_settings({"GAIBAO_OCR": raw}).engine == engine


def test_budget_and_limits() -> None:
    settings = ocr_settings(
        {"GAIBAO_OCR_SECONDS_PER_PAGE": "45.5", "GAIBAO_OCR_MAX_PAGES": "12", "GAIBAO_OCR_THREADS": "2"}
    )
    assert (settings.seconds_per_page, settings.max_pages, settings.threads) == (45.5, 12, 2)


@pytest.mark.parametrize(
    ("variable", "raw"),
    [
        ("GAIBAO_OCR", "paddle"),
        ("GAIBAO_OCR_SECONDS_PER_PAGE", "fast"),
        ("GAIBAO_OCR_SECONDS_PER_PAGE", "0"),
        ("GAIBAO_OCR_SECONDS_PER_PAGE", "-5"),
        ("GAIBAO_OCR_SECONDS_PER_PAGE", "nan"),
        ("GAIBAO_OCR_MAX_PAGES", "2.5"),
        ("GAIBAO_OCR_MAX_PAGES", "many"),
        ("GAIBAO_OCR_THREADS", "0"),
    ],
)
def test_a_bad_value_names_the_variable_and_what_it_accepts(variable: str, raw: str) -> None:
    with pytest.raises(OcrSettingsError) as caught:
        ocr_settings({variable: raw})
    message = str(caught.value)
    assert variable in message and repr(raw) in message
    assert ("accepted values" in message) if variable == "GAIBAO_OCR" else ("expected" in message)

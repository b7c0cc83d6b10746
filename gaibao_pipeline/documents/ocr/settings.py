"""The OCR switches an operator sets, read and validated in one pure function.

`ocr_settings(environ)` is what every reader calls before recognising an image, and what a
start-up check calls to refuse a bad value before any file is read: a value that is not
understood raises `OcrSettingsError`, naming the variable and the values it accepts.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

Engine = Literal["rapidocr", "tesseract", "off"]

ON = frozenset({"1", "on", "yes", "true", "auto"})
OFF = frozenset({"0", "off", "no", "false"})
ENGINES: tuple[Engine, ...] = ("rapidocr", "tesseract")

DEFAULT_SECONDS_PER_PAGE = 120.0  # ~10 s of CPU a page; room for a machine shared with other work
DEFAULT_MAX_PAGES = 50
DEFAULT_THREADS = 1  # one per worker process: the pool already uses every core

VARIABLES = {
    "engine": "GAIBAO_OCR",
    "seconds_per_page": "GAIBAO_OCR_SECONDS_PER_PAGE",
    "max_pages": "GAIBAO_OCR_MAX_PAGES",
    "threads": "GAIBAO_OCR_THREADS",
}


class OcrSettingsError(ValueError):
    """An OCR variable holds a value that is not understood."""


@dataclass(frozen=True, slots=True)
class OcrSettings:
    """Which engine reads images, and how much time and how many pages it may spend on one file."""

    engine: Engine = "rapidocr"
    seconds_per_page: float = DEFAULT_SECONDS_PER_PAGE  # a page still unread after this is given up
    max_pages: int = DEFAULT_MAX_PAGES  # pages (or pictures) of one file read by OCR; the rest are listed
    threads: int = DEFAULT_THREADS  # onnxruntime threads in one process

    @property
    def enabled(self) -> bool:
        return self.engine != "off"


def _engine(raw: str) -> Engine:
    value = raw.strip().lower()
    if value in ON or value == "":
        return "rapidocr"
    if value in OFF:
        return "off"
    if value in ENGINES:
        return "rapidocr" if value == "rapidocr" else "tesseract"
    accepted = ", ".join([*sorted(ON - {"auto"}), "auto", *ENGINES, *sorted(OFF)])
    raise OcrSettingsError(f"GAIBAO_OCR={raw!r} is not understood; accepted values: {accepted}")


def _positive(name: str, raw: str, *, whole: bool, ceiling: float) -> float:
    variable = VARIABLES[name]
    what = "a whole number" if whole else "a number of seconds"
    try:
        value = float(raw.strip())
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value <= 0 or value > ceiling or (whole and value != int(value)):
        raise OcrSettingsError(
            f"{variable}={raw!r} is not valid; expected {what} > 0 and at most {ceiling:g}"
        )
    return value


def ocr_settings(environ: Mapping[str, str] | None = None) -> OcrSettings:
    """The OCR settings from the environment (defaults where unset); raises OcrSettingsError."""
    env = os.environ if environ is None else environ
    settings = OcrSettings()
    engine = _engine(env.get(VARIABLES["engine"], ""))
    seconds, pages, threads = settings.seconds_per_page, settings.max_pages, settings.threads
    if raw := env.get(VARIABLES["seconds_per_page"], "").strip():
        seconds = _positive("seconds_per_page", raw, whole=False, ceiling=3600)
    if raw := env.get(VARIABLES["max_pages"], "").strip():
        pages = int(_positive("max_pages", raw, whole=True, ceiling=10_000))
    if raw := env.get(VARIABLES["threads"], "").strip():
        threads = int(_positive("threads", raw, whole=True, ceiling=256))
    return OcrSettings(engine, seconds, pages, threads)

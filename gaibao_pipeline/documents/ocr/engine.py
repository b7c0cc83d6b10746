"""The OCR engine: RapidOCR's PaddleOCR PP-OCRv4 Chinese models, run by onnxruntime on the CPU.

`rapidocr-onnxruntime` ships the detection and recognition models inside its wheel, so
nothing is downloaded at run time. Its detector finds text boxes on a page; its recogniser
reads a list of crops. The recogniser is called here directly (not through RapidOCR's
page-level call) because a checked number needs more than the text: the probability of each
character, and, when a cell is read again, a reading limited to the characters a number
can hold.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from gaibao_pipeline.documents.ocr.readings import CONFIDENT, adds_marks, looks_like_value
from gaibao_pipeline.model import OcrReading

Gray = npt.NDArray[np.uint8]
PixelBox = tuple[int, int, int, int]  # x0, top, x1, bottom in pixels (x1, bottom exclusive)

INSTALL_HINT = 'pip install "rapidocr-onnxruntime>=1.4,<1.5"'
BATCH = 8  # crops recognised in one call; similar widths are batched together
NUMBER_CHARS = "0123456789.-+"


class OcrError(Exception):
    """The engine failed, or a page ran out of time."""


@dataclass(frozen=True, slots=True)
class _Loaded:
    detector: Any
    recognizer: Any
    characters: list[str]  # index → character of the recogniser's output; 0 is the CTC blank
    number_indices: npt.NDArray[np.int64]  # the blank and the characters of a number


def missing_reason() -> str | None:
    """Why the engine cannot run here, or None when it can."""
    try:
        import cv2  # noqa: F401
        import onnxruntime  # noqa: F401
        import rapidocr_onnxruntime  # noqa: F401
    except ImportError as exc:  # the package, or a system library OpenCV needs (libGL)
        return f"the OCR engine could not be loaded ({exc}; install it with `{INSTALL_HINT}`)"
    return None


@functools.lru_cache(maxsize=2)
def _load(threads: int) -> _Loaded:
    from rapidocr_onnxruntime import RapidOCR

    engine = RapidOCR(intra_op_num_threads=threads, inter_op_num_threads=1)
    characters = list(engine.text_rec.postprocess_op.character)
    allowed = [0, *(i for i, ch in enumerate(characters) if ch in NUMBER_CHARS)]
    return _Loaded(engine.text_det, engine.text_rec, characters, np.array(allowed, dtype=np.int64))


class RapidEngine:
    """Text detection on a page and recognition of crops, with per-character confidences."""

    name = "rapidocr (PP-OCRv4)"

    def __init__(self, threads: int = 1) -> None:
        self._threads = threads

    @property
    def _models(self) -> _Loaded:
        try:
            return _load(self._threads)
        except Exception as exc:  # a broken install must cost the file its OCR, not the run
            raise OcrError(f"the OCR engine could not start ({type(exc).__name__}: {exc})") from exc

    def detect(self, gray: Gray) -> list[PixelBox]:
        """Boxes of the text lines on a (deskewed) page, top to bottom."""
        import cv2

        height, width = gray.shape
        boxes, _ = self._models.detector(cv2.cvtColor(gray, cv2.COLOR_GRAY2BGR))
        found: list[PixelBox] = []
        for quad in [] if boxes is None else boxes:
            xs, ys = quad[:, 0], quad[:, 1]
            x0, x1 = max(int(xs.min()), 0), min(int(np.ceil(xs.max())) + 1, width)
            top, bottom = max(int(ys.min()), 0), min(int(np.ceil(ys.max())) + 1, height)
            if x1 - x0 > 2 and bottom - top > 2:
                found.append((x0, top, x1, bottom))
        found.sort(key=lambda b: (b[1], b[0]))
        return found

    def recognize(self, crops: Sequence[Gray], *, deadline: float | None = None) -> list[OcrReading]:
        """One reading per crop (a line of text each).

        When the text looks like a number, the same output decoded with only the characters
        of a number (digits, . - +) is kept as an alternative if it differs: a 0 read as the
        letter o, or a 1 as l, costs no second pass to recover.
        """
        import cv2

        models = self._models
        readings: list[OcrReading] = [OcrReading("", 0.0)] * len(crops)
        _, height, width = models.recognizer.rec_image_shape
        order = sorted(range(len(crops)), key=lambda i: crops[i].shape[1] / max(crops[i].shape[0], 1))
        for start in range(0, len(order), BATCH):
            if deadline is not None and time.monotonic() > deadline:
                raise OcrError("the page took longer than its OCR time budget")
            batch = order[start : start + BATCH]
            # a narrow crop (a cell's digits) is padded to the model's 48 × 320 like in training:
            # read narrower, lone digits come out blank or doubled
            ratio = max(width / height, *(crops[i].shape[1] / max(crops[i].shape[0], 1) for i in batch))
            tensors = [
                models.recognizer.resize_norm_img(cv2.cvtColor(crops[i], cv2.COLOR_GRAY2BGR), ratio)[None]
                for i in batch
            ]
            probabilities = models.recognizer.session(np.concatenate(tensors).astype(np.float32))[0]
            for i, steps in zip(batch, probabilities, strict=True):
                plain = _decode(steps, models, numbers_only=False)
                if plain.text and looks_like_value(plain.text):
                    plain = _with_digits(plain, _decode(steps, models, numbers_only=True))
                readings[i] = plain
        return readings


def _with_digits(plain: OcrReading, digits: OcrReading) -> OcrReading:
    """The plain reading with the digits-only one as its alternative, or first when it only adds
    characters of a number the plain reading let go (the minus sign of -20, read as a space)."""
    if not digits.text or digits.text == plain.text:
        return plain
    if digits.confidence >= CONFIDENT and adds_marks(digits.text, plain.text.replace(" ", "")):
        return OcrReading(digits.text, digits.confidence, digits.char_confidences, (plain,))
    return OcrReading(plain.text, plain.confidence, plain.char_confidences, (digits,))


def _decode(steps: npt.NDArray[np.float32], models: _Loaded, numbers_only: bool) -> OcrReading:
    """CTC decoding: the best character per step, repeats and blanks dropped, with probabilities."""
    if numbers_only:
        restricted = steps[:, models.number_indices]
        best = models.number_indices[restricted.argmax(axis=1)]
    else:
        best = steps.argmax(axis=1)
    chosen = steps[np.arange(len(best)), best]
    text: list[str] = []
    confidences: list[float] = []
    previous = -1
    for index, probability in zip(best.tolist(), chosen.tolist(), strict=True):
        if index != previous and index != 0:
            text.append(models.characters[index])
            confidences.append(float(probability))
        elif index == previous and index != 0:
            confidences[-1] = max(confidences[-1], float(probability))
        previous = index
    if not text:
        return OcrReading("", 0.0)
    mean = float(np.mean(confidences))
    return OcrReading("".join(text), mean, tuple(round(c, 4) for c in confidences))

"""Page images before recognition: greyscale, straightened, and their ruling lines found.

A scan is turned by a degree or two; the angle is the one at which the rows of ink line up
best (the horizontal projection is sharpest), searched coarse to fine on a small copy. The
ruling lines of tables are found by OpenCV morphology on the straightened page: an opening
with a long thin kernel keeps only straight runs of ink longer than any character stroke.
They become the same edges as a PDF's vector rules, so one cell finder serves both.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

from gaibao_pipeline.documents.pdf.tables import Edge, TableLayout, make_edge

Gray = npt.NDArray[np.uint8]

MAX_SKEW = 6.0  # degrees: a page turned further is not straightened (a rotated page, not a skew)
SKEW_SIDE = 1000  # pixels: the long side of the copy the angle is searched on
MIN_RULE = 20.0  # points: straight runs of ink shorter than this are strokes of characters
MAX_RULE_THICKNESS = 4.0  # points: thicker straight runs are filled areas, not rules
MIN_TABLE_WIDTH = 60.0  # points: a smaller grid is a character such as 田, not a table
PAD = 2  # pixels around a rule's run painted with it: its anti-aliased, blurred edges
SNAP_POINTS = 3.0  # points: a run this close to a table boundary is that boundary


def to_gray(image: npt.NDArray[np.uint8]) -> Gray:
    """A greyscale copy of an image with 1, 3 or 4 channels (alpha composed onto white)."""
    if image.ndim == 2:
        return np.ascontiguousarray(image)
    channels = image.shape[2]
    if channels == 1:
        return np.ascontiguousarray(image[:, :, 0])
    if channels == 4:
        alpha = image[:, :, 3:4].astype(np.float32) / 255.0
        composed = image[:, :, :3].astype(np.float32) * alpha + 255.0 * (1.0 - alpha)
        image = composed.astype(np.uint8)
    return np.asarray(cv2.cvtColor(np.ascontiguousarray(image[:, :, :3]), cv2.COLOR_RGB2GRAY), dtype=np.uint8)


def ink_mask(gray: Gray) -> Gray:
    """255 where there is ink: a local threshold, so shaded cells and uneven scans read alike."""
    block = max(15, (min(gray.shape) // 40) | 1)
    mask = cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, block, 15)
    return np.asarray(mask, dtype=np.uint8)


def _profile_sharpness(ink: Gray, angle: float) -> float:
    height, width = ink.shape
    matrix = cv2.getRotationMatrix2D((width / 2, height / 2), angle, 1.0)
    turned = cv2.warpAffine(ink, matrix, (width, height), flags=cv2.INTER_NEAREST)
    profile = turned.sum(axis=1, dtype=np.float64)
    return float(np.square(np.diff(profile)).sum())


def skew_angle(gray: Gray) -> float:
    """Degrees (counter-clockwise) that straighten the page; 0 for a page without lines of ink."""
    height, width = gray.shape
    factor = min(1.0, SKEW_SIDE / max(height, width, 1))
    small = cv2.resize(
        gray, (max(int(width * factor), 1), max(int(height * factor), 1)), interpolation=cv2.INTER_AREA
    )
    _, threshold = cv2.threshold(small, 0, 1, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    ink: Gray = np.asarray(threshold, dtype=np.uint8)
    if int(ink.sum()) < 50:
        return 0.0
    best = 0.0
    for step, reach in ((0.5, MAX_SKEW), (0.1, 0.5), (0.02, 0.1)):
        candidates = np.arange(best - reach, best + reach + step / 2, step)
        best = float(max(candidates, key=lambda a: _profile_sharpness(ink, float(a))))
    return round(best, 2) if abs(best) >= 0.05 else 0.0


def rotate(gray: Gray, angle: float) -> Gray:
    """The image turned by `angle` degrees about its centre, corners filled white."""
    if angle == 0.0:
        return gray
    height, width = gray.shape
    matrix = cv2.getRotationMatrix2D((width / 2, height / 2), angle, 1.0)
    turned = cv2.warpAffine(gray, matrix, (width, height), flags=cv2.INTER_CUBIC, borderValue=255)
    return np.asarray(turned, dtype=np.uint8)


@dataclass(frozen=True, slots=True)
class Rule:
    """One straight run of ink: its edge in points and the pixels it covers."""

    edge: Edge
    pixels: tuple[int, int, int, int]  # x0, top, x1, bottom (exclusive)


def find_rules(gray: Gray, scale: float) -> list[Rule]:
    """Horizontal and vertical rules of a straightened page; `scale` is pixels per point.

    The opening runs on the ink as it is: bridging gaps first would join the strokes of
    neighbouring characters into runs as long as a rule. Pieces of a rule broken by noise
    are joined afterwards by the cell finder, which merges collinear edges.
    """
    ink = ink_mask(gray)
    length = max(int(MIN_RULE * scale), 8)
    max_thickness = MAX_RULE_THICKNESS * scale
    rules: list[Rule] = []
    for orientation, size in (("h", (length, 1)), ("v", (1, length))):
        lines = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, size))
        count, _, stats, _ = cv2.connectedComponentsWithStats(lines, connectivity=8)
        for label in range(1, count):
            x, y, w, h, _area = (int(v) for v in stats[label])
            if (h if orientation == "h" else w) > max_thickness:
                continue
            if orientation == "h":
                middle = (y + h / 2) / scale
                edge = make_edge("h", x / scale, middle, (x + w) / scale, middle)
            else:
                middle = (x + w / 2) / scale
                edge = make_edge("v", middle, y / scale, middle, (y + h) / scale)
            rules.append(Rule(edge, (x, y, x + w, y + h)))
    return rules


def erase_rules(gray: Gray, rules: Sequence[Rule], layouts: Sequence[TableLayout], scale: float) -> Gray:
    """A copy with the rules of the found tables painted white, so borders are not read as 1 or 一.

    Only runs that lie on a table's own column or row boundaries are painted: an underline
    or a long stroke elsewhere is left to the recogniser.
    """
    clean = gray.copy()
    near = SNAP_POINTS
    for rule in rules:
        edge = rule.edge
        for layout in layouts:
            x0, top, x1, bottom = layout.bbox
            if edge["orientation"] == "h":
                on_boundary = any(abs(edge["top"] - y) <= near for y in layout.ys)
                inside = top - near <= edge["top"] <= bottom + near and edge["x0"] < x1 and edge["x1"] > x0
            else:
                on_boundary = any(abs(edge["x0"] - x) <= near for x in layout.xs)
                inside = (
                    x0 - near <= edge["x0"] <= x1 + near and edge["top"] < bottom and edge["bottom"] > top
                )
            if on_boundary and inside:
                # the run and its blurred edges, all of it: a grey edge left behind reads as 1
                px0, ptop, px1, pbottom = rule.pixels
                clean[max(ptop - PAD, 0) : pbottom + PAD, max(px0 - PAD, 0) : px1 + PAD] = 255
                break
    return clean


def has_ink(gray: Gray, box: tuple[int, int, int, int], min_pixels: int) -> bool:
    """True when the pixel box (x0, top, x1, bottom) holds at least `min_pixels` dark pixels."""
    x0, top, x1, bottom = box
    crop = gray[max(top, 0) : bottom, max(x0, 0) : x1]
    return crop.size > 0 and int((crop < 128).sum()) >= min_pixels


def ink_bounds(
    gray: Gray, box: tuple[int, int, int, int], dark: int = 128
) -> tuple[int, int, int, int] | None:
    """The tight box of the pixels darker than `dark` inside `box`, or None when it has none."""
    x0, top, x1, bottom = box
    left, upper = max(x0, 0), max(top, 0)
    crop = gray[upper:bottom, left:x1]
    if crop.size == 0:
        return None
    ys, xs = np.nonzero(crop < dark)
    if len(xs) == 0:
        return None
    return (left + int(xs.min()), upper + int(ys.min()), left + int(xs.max()) + 1, upper + int(ys.max()) + 1)

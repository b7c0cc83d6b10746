"""Scans made by the tests from text-layer PDFs: rendered, turned, blurred and JPEG-compressed.

What a scanner or a fax does to a printed report, at a chosen resolution, so that OCR is
tested on pages whose every value is known (they come from a document with a golden file).
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import pypdfium2 as pdfium
from PIL import Image, ImageDraw, ImageFilter

from gaibao_pipeline.model import BBox


@dataclass(frozen=True, slots=True)
class ScanStyle:
    dpi: int
    angle: float  # degrees, counter-clockwise
    blur: float  # Gaussian radius in pixels
    quality: int  # JPEG quality


def page_picture(
    source: bytes, index: int, style: ScanStyle, smudge: list[BBox] | None = None
) -> Image.Image:
    """One page as the scanner saw it: grey, turned, blurred; `smudge` boxes (points) inked over."""
    document = pdfium.PdfDocument(source)
    try:
        page = document[index]
        picture = page.render(scale=style.dpi / 72, grayscale=True).to_pil().convert("L")
        page.close()
    finally:
        document.close()
    if smudge:
        draw = ImageDraw.Draw(picture)
        scale = style.dpi / 72
        for x0, top, x1, bottom in smudge:
            # a blot of ink over the printed digits, as a wet finger or a fax line leaves
            box = (x0 * scale, top * scale, x1 * scale, bottom * scale)
            draw.rectangle(box, fill=40)
    if style.angle:
        picture = picture.rotate(style.angle, resample=Image.Resampling.BICUBIC, fillcolor=255)
    if style.blur:
        picture = picture.filter(ImageFilter.GaussianBlur(style.blur))
    return picture


def jpeg(picture: Image.Image, quality: int) -> bytes:
    out = io.BytesIO()
    picture.save(out, format="JPEG", quality=quality)
    return out.getvalue()


def scan_pdf(
    source: bytes, pages: list[int], style: ScanStyle, smudge: dict[int, list[BBox]] | None = None
) -> bytes:
    """An image-only PDF of some pages of `source`, one JPEG per page at the page's size."""
    original = pdfium.PdfDocument(source)
    sizes = [original[i].get_size() for i in pages]
    original.close()
    scan = pdfium.PdfDocument.new()
    for index, (width, height) in zip(pages, sizes, strict=True):
        picture = page_picture(source, index, style, (smudge or {}).get(index))
        target = scan.new_page(width, height)
        image = pdfium.PdfImage.new(scan)
        image.load_jpeg(io.BytesIO(jpeg(picture, style.quality)), inline=False)
        image.set_matrix(pdfium.PdfMatrix().scale(width, height))
        target.insert_obj(image)
        target.gen_content()
        target.close()
    out = io.BytesIO()
    scan.save(out)
    return out.getvalue()

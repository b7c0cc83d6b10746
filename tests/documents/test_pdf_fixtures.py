"""Small PDFs written byte by byte for the PDF reader's tests: Chinese text, ruled tables,
images, broken fonts and encryption, without binary fixtures in the repository.

The page and file writer live in `gaibao_pipeline.synth.pdf_canvas` (the benchmark corpus
draws whole reports with them); the scanner imitation stays here because it needs pdfium.
"""

from __future__ import annotations

import io

import pypdfium2 as pdfium

from gaibao_pipeline.synth.pdf_canvas import HEIGHT, WIDTH, Cell, Page, build_pdf

__all__ = ["HEIGHT", "WIDTH", "Cell", "Page", "build_pdf", "scanned_copy"]


def scanned_copy(source: bytes, pages: list[int], dpi: int = 200) -> bytes:
    """An image-only PDF of some pages of `source`, as a scanner would make it (JPEG per page)."""
    original = pdfium.PdfDocument(source)
    scan = pdfium.PdfDocument.new()
    for index in pages:
        page = original[index]
        width, height = page.get_size()
        picture = page.render(scale=dpi / 72, grayscale=True).to_pil()
        jpeg = io.BytesIO()
        picture.save(jpeg, format="JPEG", quality=85)
        jpeg.seek(0)
        target = scan.new_page(width, height)
        image = pdfium.PdfImage.new(scan)
        image.load_jpeg(jpeg, inline=False)
        image.set_matrix(pdfium.PdfMatrix().scale(width, height))
        target.insert_obj(image)
        target.gen_content()
        target.close()
        page.close()
    out = io.BytesIO()
    scan.save(out)
    return out.getvalue()

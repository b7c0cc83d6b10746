"""PDF with a text layer: pdfium reads pages, characters and rules; ruled tables become grids.

Entry point: `reader.read_pdf`.
"""

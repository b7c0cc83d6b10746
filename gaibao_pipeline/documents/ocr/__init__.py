"""OCR of pages that carry no usable text layer: the image read into lines and ruled tables."""

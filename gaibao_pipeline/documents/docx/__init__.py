"""DOCX (Office Open XML) read defensively with lxml: merges, numbering, embedded HTML parts.

Entry point: `reader.read_docx`.
"""

"""DOC, WPS, RTF and ODT, converted to DOCX by LibreOffice in a sandboxed process.

Entry point: `convert.read_legacy_office`.
"""

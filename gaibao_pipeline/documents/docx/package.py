"""Open an OOXML/ODF zip container defensively: size limits first, then XML without entities.

A DOCX is a zip of XML parts. Both layers can be hostile: a zip member that inflates a
thousandfold (zip bomb), or XML whose entity declarations expand exponentially (billion
laughs). Sizes are checked from the zip directory before any member is inflated; `zipfile`
never returns more bytes than a member's declared size, so the declared sizes bound memory.
"""

from __future__ import annotations

import io
import zipfile
import zlib

from lxml import etree

from gaibao_pipeline.errors import DocumentError, Status
from gaibao_pipeline.limits import Limits

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W = "{" + W_NS + "}"
MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"

# A member below this inflated size cannot exhaust anything, whatever its ratio: a legitimate
# 100 KB part of repeated spaces compresses 1000:1 and must not be called a bomb.
RATIO_FLOOR_BYTES = 1024 * 1024


# lxml options that neither expand entities, load DTDs, lift the size limits nor touch the network
SAFE_XML_OPTIONS = {"resolve_entities": False, "no_network": True, "huge_tree": False, "load_dtd": False}


def safe_xml_parser() -> etree.XMLParser:
    """An XML parser that neither expands entities, loads DTDs nor touches the network."""
    return etree.XMLParser(**SAFE_XML_OPTIONS, remove_comments=True, remove_pis=True)


def open_zip(data: bytes, limits: Limits, what: str = "DOCX") -> zipfile.ZipFile:
    """Open a zip container after checking its total and per-member inflated sizes."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError) as exc:
        raise DocumentError(Status.UNREADABLE, f"{what} is not a readable zip container: {exc}") from exc
    total = sum(info.file_size for info in infos)
    if total > limits.max_decompressed_bytes:
        archive.close()
        raise DocumentError(
            Status.TOO_LARGE,
            f"{what} inflates to {total:,} bytes; the limit is {limits.max_decompressed_bytes:,}",
        )
    for info in infos:
        if info.file_size < RATIO_FLOOR_BYTES:
            continue
        ratio = info.file_size / max(info.compress_size, 1)
        if ratio > limits.max_compression_ratio:
            archive.close()
            raise DocumentError(
                Status.TOO_LARGE,
                f"{what} member {info.filename} has compression ratio {ratio:,.0f}; "
                f"the limit is {limits.max_compression_ratio:,.0f}",
            )
    return archive


def read_member(archive: zipfile.ZipFile, name: str) -> bytes | None:
    """A member's bytes, or None when absent; a corrupt member is an unreadable file."""
    if name not in archive.NameToInfo:
        return None
    try:
        return archive.read(name)
    except RuntimeError as exc:  # zipfile's "password required" for an encrypted member
        raise DocumentError(Status.ENCRYPTED, f"zip member {name} is encrypted") from exc
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError) as exc:
        # NotImplementedError: a compression method zipfile lacks (e.g. deflate64)
        raise DocumentError(Status.UNREADABLE, f"zip member {name} is corrupt: {exc}") from exc


def parse_xml(data: bytes, name: str) -> etree._Element:
    """Parse one XML part safely; malformed or entity-bombed XML is an unreadable file."""
    try:
        return etree.fromstring(data, safe_xml_parser())
    except etree.XMLSyntaxError as exc:
        raise DocumentError(Status.UNREADABLE, f"{name} is not well-formed XML: {exc}") from exc

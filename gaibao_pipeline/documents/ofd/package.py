"""An OFD package (GB/T 33190): the zip of XML parts, from OFD.xml down to each page's content.

OFD.xml names one or more documents (`DocBody/DocRoot` → Document.xml); a document names its
pages (`Pages/Page/@BaseLoc` → Content.xml), its templates (`CommonData/TemplatePage`) and
its resources (`CommonData/PublicRes`, `DocumentRes`: fonts, composite graphic units). The
parts are read with the DOCX package's defences: sizes and compression ratios checked from
the zip directory first, XML without entities or DTDs.

Producers disagree on paths: relative to the referencing part (the standard), from the
package root, with a leading `/`, with backslashes, in another case. A location is tried in
that order, and never outside the package. Element names are matched without their
namespace: files use `http://www.ofdspec.org/2016`, older URIs, or none.
"""

from __future__ import annotations

import posixpath
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field

from lxml import etree

from gaibao_pipeline.documents.docx.package import open_zip, parse_xml, read_member
from gaibao_pipeline.errors import DocumentError, Status
from gaibao_pipeline.limits import Limits
from gaibao_pipeline.model import DocumentMetadata

Box = tuple[float, float, float, float]  # x, y, width, height in millimetres
A4: Box = (0.0, 0.0, 210.0, 297.0)


def local(element: etree._Element) -> str:
    """An element's name without its namespace ('' for comments)."""
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


def children(element: etree._Element | None, name: str) -> Iterator[etree._Element]:
    if element is not None:
        yield from (child for child in element if local(child) == name)


def child(element: etree._Element | None, name: str) -> etree._Element | None:
    return next(children(element, name), None)


def child_text(element: etree._Element | None, name: str) -> str | None:
    found = child(element, name)
    text = (found.text or "").strip() if found is not None else ""
    return text or None


def numbers(value: str | None) -> list[float]:
    """The numbers of an attribute such as `0 0 210 297`; junk yields what parsed before it."""
    out: list[float] = []
    for token in (value or "").replace(",", " ").split():
        try:
            number = float(token)
        except ValueError:
            break
        if number != number or number in (float("inf"), float("-inf")):
            break
        out.append(number)
    return out


def parse_box(value: str | None) -> Box | None:
    found = numbers(value)
    return (found[0], found[1], found[2], found[3]) if len(found) >= 4 else None


@dataclass(frozen=True, slots=True)
class PageRef:
    """A page of a document: where its content is, and the document it belongs to."""

    location: str | None  # the Content.xml part; None when the page's part is missing
    body: DocumentBody


@dataclass(slots=True)
class DocumentBody:
    """One document of the package (usually the only one)."""

    location: str  # its Document.xml
    page_box: Box
    templates: dict[str, tuple[str, str]]  # template ID → (Content.xml part, ZOrder)
    resources: list[str]  # PublicRes and DocumentRes parts
    pages: list[PageRef] = field(default_factory=list)


class OfdPackage:
    """The parts of an OFD file and how they refer to each other."""

    def __init__(self, data: bytes, limits: Limits) -> None:
        self.zip: zipfile.ZipFile = open_zip(data, limits, what="OFD")
        self._names = {name.replace("\\", "/").lstrip("/"): name for name in self.zip.namelist()}
        self._folded = {name.casefold(): stored for name, stored in self._names.items()}
        self.warnings: list[str] = []
        self.metadata = DocumentMetadata()
        self.bodies: list[DocumentBody] = []
        try:
            self._read_root()
        except BaseException:
            self.zip.close()
            raise

    def close(self) -> None:
        self.zip.close()

    def find(self, path: str) -> str | None:
        """The stored member name of a package path, matched exactly, then without case."""
        normal = posixpath.normpath(path.replace("\\", "/")).lstrip("/")
        if normal.startswith("../") or normal == "..":
            return None  # never outside the package
        return self._names.get(normal) or self._folded.get(normal.casefold())

    def resolve(self, base: str | None, location: str | None) -> str | None:
        """A location written in part `base`, as a member name: relative to `base`, then to the root."""
        location = (location or "").strip().replace("\\", "/")
        if not location:
            return None
        candidates = [location] if location.startswith("/") else []
        if base and not location.startswith("/"):
            candidates.append(posixpath.join(posixpath.dirname(base), location))
        candidates.append(location)
        for candidate in candidates:
            found = self.find(candidate)
            if found is not None:
                return found
        return None

    def xml(self, name: str) -> etree._Element:
        data = read_member(self.zip, name)
        if data is None:
            raise DocumentError(Status.UNREADABLE, f"OFD part {name} is missing")
        return parse_xml(data, name)

    def _read_root(self) -> None:
        root_name = self.find("OFD.xml")
        if root_name is None:
            raise DocumentError(Status.UNREADABLE, "OFD package has no OFD.xml")
        root = self.xml(root_name)
        bodies = list(children(root, "DocBody"))
        if not bodies:
            raise DocumentError(Status.UNREADABLE, "OFD.xml names no document (DocBody)")
        # GM/T 0099 encrypts a document's parts and lists how in Encryptions.xml
        if self.find("Encryptions.xml") is not None or any(
            child(b, "Encryptions") is not None for b in bodies
        ):
            raise DocumentError(Status.ENCRYPTED, "OFD document is encrypted")
        self.metadata = _metadata(child(bodies[0], "DocInfo"))
        for number, body in enumerate(bodies, start=1):
            location = self.resolve(root_name, child_text(body, "DocRoot"))
            if location is None:
                self.warnings.append(
                    f"document {number} of the OFD is missing ({child_text(body, 'DocRoot')})"
                )
                continue
            self.bodies.append(self._read_document(location))
        if not self.bodies:
            raise DocumentError(Status.UNREADABLE, "no document of the OFD package could be found")

    def _read_document(self, location: str) -> DocumentBody:
        document = self.xml(location)
        common = child(document, "CommonData")
        page_box = parse_box(child_text(child(common, "PageArea"), "PhysicalBox")) or A4
        templates: dict[str, tuple[str, str]] = {}
        for template in children(common, "TemplatePage"):
            template_id = (template.get("ID") or "").strip()
            found = self.resolve(location, template.get("BaseLoc"))
            if template_id and found is not None:
                templates[template_id] = (found, template.get("ZOrder") or "Background")
        resources = [
            found
            for element in (common if common is not None else [])
            if local(element) in ("PublicRes", "DocumentRes")
            and (found := self.resolve(location, element.text)) is not None
        ]
        body = DocumentBody(location, page_box, templates, resources)
        for page in children(child(document, "Pages"), "Page"):
            found = self.resolve(location, page.get("BaseLoc"))
            if found is None:
                self.warnings.append(
                    f"page {len(body.pages) + 1}: content {page.get('BaseLoc')!r} is missing"
                )
            body.pages.append(PageRef(found, body))
        return body

    def pages(self) -> list[PageRef]:
        return [page for body in self.bodies for page in body.pages]


def _metadata(info: etree._Element | None) -> DocumentMetadata:
    created = child_text(info, "CreationDate")
    return DocumentMetadata(
        title=child_text(info, "Title"), author=child_text(info, "Author"), created_at=created
    )

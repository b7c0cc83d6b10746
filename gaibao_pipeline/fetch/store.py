"""Where fetched files land, named so that nothing the server says reaches the file system as a path.

`<landing>/<source>/<article>/<title>_<file>.<ext>`, where <article> is 12 hex digits of the
SHA-256 of the article's URL and <file> 8 of the file's URL. The source name is validated by
`sources`, the folders are hashes, the title is reduced to letters, digits and a few safe
marks and cut short, and the extension comes from the sniffed format of the bytes
(`documents.detect_format`), never from the URL or the Content-Type.
One folder holds one article: its page and its attachments, the renditions of one report.
"""

from __future__ import annotations

import hashlib
import io
import re
import unicodedata
import zipfile
from pathlib import Path
from urllib.parse import unquote, urlsplit

from gaibao_pipeline.documents.detect import detect_format

_FORMAT_EXTENSIONS = {
    "pdf": "pdf",
    "docx": "docx",
    "doc": "doc",
    "odt": "odt",
    "rtf": "rtf",
    "html": "html",
    "text": "txt",
    "xlsx": "xlsx",
    "zip": "zip",
}
# One container holds several formats; the URL's extension may only choose among them.
_OLE_EXTENSIONS = frozenset({"doc", "wps", "xls", "et", "ppt", "dps"})
_ZIP_EXTENSIONS = frozenset({"zip", "ofd", "docx", "xlsx", "wps", "et"})
_IMAGE_MAGIC = {
    b"\x89PNG": "png",
    b"\xff\xd8\xff": "jpg",
    b"GIF8": "gif",
    b"II*\x00": "tif",
    b"MM\x00*": "tif",
}
_UNSAFE = re.compile(r"[^\w()（）\-]+")
_STARTS_WITHOUT_AGENCY = re.compile(
    r"^(\d|[〇零一二三四五六七八九]{4}年|年度|本(机关|单位)|政府信息公开|政务公开|信息公开)"
)
MAX_STEM = 60


def short_hash(text: str, digits: int) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:digits]


def _url_extension(url: str) -> str:
    path = unquote(urlsplit(url).path)
    return path.rsplit(".", 1)[-1].lower() if "." in path.rsplit("/", 1)[-1] else ""


def sniffed_format(data: bytes) -> str:
    """The format of the bytes, as the readers will see it; OFD told apart from other ZIPs."""
    found = detect_format(data)
    if found == "zip":
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                if any(name.lower().endswith("ofd.xml") for name in archive.namelist()):
                    return "ofd"
        except (zipfile.BadZipFile, OSError, ValueError):
            return "unreadable"
    if found == "image":
        return "image"
    return found


def extension_for(data: bytes, url: str) -> str:
    """The file extension the sniffed bytes deserve (the URL only picks among one container's kinds)."""
    found = sniffed_format(data)
    hinted = _url_extension(url)
    if found == "doc" and hinted in _OLE_EXTENSIONS:
        return hinted
    if found == "zip" and hinted in _ZIP_EXTENSIONS:
        return hinted
    if found == "ofd":
        return "ofd"
    if found == "image":
        return next((ext for magic, ext in _IMAGE_MAGIC.items() if data.startswith(magic)), "img")
    return _FORMAT_EXTENSIONS.get(found, "bin")


def safe_stem(title: str | None, fallback: str = "report") -> str:
    """`title` as a file-name stem: letters, digits, brackets and '-' only, at most MAX_STEM characters."""
    text = unicodedata.normalize("NFKC", title or "")
    text = _UNSAFE.sub("_", text).strip("_-.")[:MAX_STEM].strip("_-.")
    return text or fallback


def with_agency(title: str, agency: str | None) -> str:
    """The title, led by the source's agency when the title itself starts without one ("2023年…")."""
    if agency and _STARTS_WITHOUT_AGENCY.match(title.strip()):
        return f"{agency}{title.strip()}"
    return title


def article_folder(landing: Path, source: str, article_url: str) -> Path:
    return landing / source / short_hash(article_url, 12)


def file_name(title: str | None, url: str, extension: str) -> str:
    return f"{safe_stem(title)}_{short_hash(url, 8)}.{extension}"


def list_cache(landing: Path, source: str, url: str) -> Path:
    """Where a list page's last body is kept (hidden: never a report), for conditional requests."""
    return landing / source / ".fetch" / "lists" / f"{short_hash(url, 16)}.body"

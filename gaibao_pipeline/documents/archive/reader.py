"""An archive handed to `read_document` as one file: the report it holds, if it holds one.

In the landing folder every file inside an archive is a report of its own
(`runner.archives`), so this is the road of a single call on an archive's bytes
(`gaibao parse bundle.zip` lists the members instead, `gaibao review`, tests) and of an
archive the landing scan could not list: it gives that archive's status.
"""

from __future__ import annotations

from gaibao_pipeline.documents.archive.tree import list_archive, read_entry
from gaibao_pipeline.errors import DocumentError, Status
from gaibao_pipeline.limits import Limits
from gaibao_pipeline.model import Document

_NAMED = 8  # members named in a message before "and N more"


def read_archive(data: bytes, kind: str, limits: Limits) -> Document:
    """The document of an archive's only file, or `DocumentError` saying why there is none."""
    listing = list_archive(data, kind, limits)
    entries = listing.entries
    if not entries:
        raise DocumentError(Status.NOT_A_REPORT, f"{kind} archive holds no files")
    if len(entries) > 1:
        names = ", ".join(e.inner_path for e in entries[:_NAMED])
        more = f" and {len(entries) - _NAMED} more" if len(entries) > _NAMED else ""
        raise DocumentError(
            Status.MULTIPLE_REPORTS,
            f"{kind} archive holds {len(entries)} files ({names}{more}); "
            "in the landing folder each is read as a report of its own",
        )
    (entry,) = entries
    if entry.problem is not None:
        raise DocumentError(*entry.problem)
    from gaibao_pipeline.documents import read_document  # the member is any format, archives aside

    document = read_document(read_entry(data, kind, entry.path, limits), entry.path[-1], limits)
    document.warnings.insert(0, f"read from {entry.inner_path}, the only file in the {kind} archive")
    return document

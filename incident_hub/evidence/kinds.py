"""The kinds of file an attachment may be: a leaf (config.py validates ALLOWED_TYPES with it).

Each kind is named by its file extension. A binary kind is recognised by its content's magic
bytes (``filetype``, see :mod:`.detect`), which must agree with the extension; a text kind must
decode as UTF-8 text. No kind is shown inline by a browser: every download is an attachment.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Kind:
    ext: str  # the extension that names it (lower case, no dot)
    mime: str  # the Content-Type it is served with
    label: str  # in people's words
    magic: str = ""  # the extension ``filetype`` gives its content; "" for a text kind


_OOXML = "application/vnd.openxmlformats-officedocument"
_ODF = "application/vnd.oasis.opendocument"
KINDS: dict[str, Kind] = {
    k.ext: k
    for k in (
        Kind("pdf", "application/pdf", "PDF document", "pdf"),
        Kind("png", "image/png", "PNG image", "png"),
        Kind("jpg", "image/jpeg", "JPEG image", "jpg"),
        Kind("jpeg", "image/jpeg", "JPEG image", "jpg"),
        Kind("gif", "image/gif", "GIF image", "gif"),
        Kind("webp", "image/webp", "WebP image", "webp"),
        Kind("tif", "image/tiff", "TIFF image", "tif"),
        Kind("tiff", "image/tiff", "TIFF image", "tif"),
        Kind("docx", f"{_OOXML}.wordprocessingml.document", "Word document", "docx"),
        Kind("xlsx", f"{_OOXML}.spreadsheetml.sheet", "Excel workbook", "xlsx"),
        Kind("pptx", f"{_OOXML}.presentationml.presentation", "PowerPoint presentation", "pptx"),
        Kind("odt", f"{_ODF}.text", "OpenDocument text", "odt"),
        Kind("ods", f"{_ODF}.spreadsheet", "OpenDocument spreadsheet", "ods"),
        Kind("odp", f"{_ODF}.presentation", "OpenDocument presentation", "odp"),
        Kind("txt", "text/plain; charset=utf-8", "Plain text"),
        Kind("csv", "text/csv; charset=utf-8", "CSV table"),
        Kind("md", "text/markdown; charset=utf-8", "Markdown text"),
    )
}
# What [ATTACHMENTS] ALLOWED_TYPES allows unless configured: every kind above.
DEFAULT_ALLOWED = list(KINDS)

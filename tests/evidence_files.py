"""Small real files of each kind the evidence tests attach (made here, not shipped)."""

from __future__ import annotations

import io
import zipfile

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48
HTML = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"
TEXT = "Liste der beanstandeten URLs\nhttps://example.org/post/1\nStraße 5\n".encode()


def docx(text: str = "Counsel's memo") -> bytes:
    """A minimal Word document, its parts in the order Word writes them (dated, so the same
    text always makes the same bytes)."""
    parts = [
        ("[Content_Types].xml", '<?xml version="1.0"?><Types/>'),
        ("_rels/.rels", '<?xml version="1.0"?><Relationships/>'),
        ("word/document.xml", f'<?xml version="1.0"?><w:document>{text}</w:document>'),
    ]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name, content in parts:
            z.writestr(zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0)), content)
    return out.getvalue()


def upload(data: bytes, name: str, **fields: str) -> dict:
    """A multipart body for the test client: the file and the other fields."""
    return {"file": (io.BytesIO(data), name), **fields}

"""What the evidence API answers: the documented shape of ``serialize.py``'s dictionary."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field, RootModel

from ..cases.outputs import Shape


class Attachment(Shape):
    id: int
    case: str = Field(description="The case's reference")
    function: str | None = Field(description="The function whose analysis it belongs to")
    filename: str = Field(description="The name it is shown under (cleaned; never a path)")
    type: str = Field(description="Its kind, by extension (pdf, docx, png, txt…)")
    content_type: str = Field(description="The Content-Type it is downloaded with")
    size: int = Field(description="Bytes")
    sha256: str = Field(description="SHA-256 of the content, hex")
    description: str
    privileged: bool
    uploaded_by: str = Field(description="Email of whoever attached it")
    uploaded_at: datetime
    download_url: str


class AttachmentList(RootModel[list[Attachment]]):
    pass

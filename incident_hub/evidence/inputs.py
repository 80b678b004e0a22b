# mypy: disable-error-code="valid-type"
"""What an upload takes besides the file: the typed input every door builds (see
:mod:`..schemas`). The file itself (its name and bytes) is checked by :mod:`.detect`."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import Field

from ..schemas import Flag, Input, Text
from .models import LIMITS


class NewAttachment(Input):
    function: Text(50) = Field(
        "",
        description="The function whose analysis the file belongs to (a function of the case); "
        "empty: the case itself",
    )
    description: Text(LIMITS["description"]) = Field("", description="What the file is")
    privileged: Flag = Field(
        False,
        description="Legal advice: read only by the case's members, executives and admins "
        "(a file on a function whose analysis is privileged is protected so anyway)",
    )


class UploadForm(NewAttachment):
    """The multipart form of ``POST /cases/<ref>/attachments`` (the API documents it)."""

    file: bytes = Field(description="The file (its name is shown, cleaned; never a path)")


@dataclass(frozen=True)
class Upload:
    """A file as a door received it: the name the client sent, and its bytes."""

    filename: str
    data: bytes

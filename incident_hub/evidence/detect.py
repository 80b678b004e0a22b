"""What a file is, from its content: the name it is shown under, and its kind.

The client's Content-Type is never read and the extension alone proves nothing: the content's
magic bytes (``filetype``, pure Python) must name the kind the extension names, and a text kind
must decode as UTF-8 text with no control characters but tabs and line breaks. The name the
client sent is only ever shown (its last path component, cleaned); it is never a path here.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

import filetype

from ..errors import Invalid
from .kinds import KINDS, Kind

MAX_NAME = 200  # characters of a shown file name, extension included
_TEXT_CONTROLS = {"\t", "\n", "\r", "\f"}
_DRIVE = re.compile(r"^[A-Za-z]:")


def clean_name(sent: str | None) -> str:
    """The file name to show: the last component of whatever path was sent (``/`` and ``\\``
    both split, a drive letter dropped), in NFC, without control or format characters, no
    leading dots, at most :data:`MAX_NAME` characters with its extension kept; a name that is
    only an extension becomes ``attachment.<ext>``; "" when nothing is left of it."""
    name = unicodedata.normalize("NFC", str(sent or ""))
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = _DRIVE.sub("", name)
    name = "".join(ch for ch in name if ch.isprintable() and unicodedata.category(ch) != "Cf")
    name = " ".join(name.split())
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    stem, ext = stem.strip(". "), ext.strip()
    if ext and not stem:
        stem = "attachment"
    ext = ext[:10]
    room = MAX_NAME - (len(ext) + 1 if ext else 0)
    stem = stem[:room].rstrip(". ")
    return f"{stem}.{ext}" if ext else stem


def extension(name: str) -> str:
    stem, dot, ext = name.rpartition(".")
    return ext.lower() if dot and stem else ""


def detect(name: str, data: bytes, allowed: Iterable[str]) -> Kind:
    """The kind of ``data`` sent as ``name``, or Invalid (422) saying why it is refused."""
    allowed = [a.lower() for a in allowed]
    ext = extension(name)
    listed = ", ".join(f".{a}" for a in allowed)
    if ext not in allowed or ext not in KINDS:
        what = f"“.{ext}” files are" if ext else "a file without an extension is"
        raise Invalid(
            f"{what} not accepted: attach one of {listed}",
            field="file",
        )
    kind = KINDS[ext]
    if not kind.magic:
        _check_text(kind, data)
        return kind
    found = filetype.guess(data)
    if found is None or found.extension != kind.magic:
        seen = f"a {found.extension.upper()} file" if found is not None else "not recognised"
        raise Invalid(
            f"the file is named .{ext} but its content is {seen}: attach a real "
            f"{kind.label} (the content is checked, not the name)",
            field="file",
        )
    return kind


def _check_text(kind: Kind, data: bytes) -> None:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise Invalid(
            f"a .{kind.ext} file must be UTF-8 text; byte {exc.start} is not "
            "(save it as UTF-8, or attach it as a PDF)",
            field="file",
        ) from None
    bad = next(
        (ch for ch in text if unicodedata.category(ch) == "Cc" and ch not in _TEXT_CONTROLS), None
    )
    if bad is not None:
        raise Invalid(
            f"a .{kind.ext} file must be plain text; it holds the control character "
            f"U+{ord(bad):04X} (is it a binary file renamed?)",
            field="file",
        )

"""What the watch actions take: a new feed source, an admin's changes to one (see
:mod:`..schemas`)."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlsplit

from pydantic import AfterValidator, Field
from pydantic_core import PydanticCustomError

from ..playbooks import KEY_RE
from ..schemas import Blank, Changes, Flag, Input, Jurisdiction, Required, Text, Whole

MAX_URL = 2000


def _key(value: str) -> str:
    if not KEY_RE.match(value):
        raise PydanticCustomError("key", "must be lowercase letters, digits and dashes")
    return value


def _web_address(value: str) -> str:
    try:
        parts = urlsplit(value)
    except ValueError:
        parts = urlsplit("")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise PydanticCustomError("url", "must be an http:// or https:// address")
    return value


class NewSource(Input):
    """A feed to poll (admins add them; feed files under FEEDS_DIR define the rest)."""

    key: Annotated[
        Required(60),  # type: ignore[valid-type]
        AfterValidator(_key),
        Field(json_schema_extra={"pattern": KEY_RE.pattern}, examples=["bailii-new"]),
    ]
    title: Required(200)  # type: ignore[valid-type]
    url: Annotated[Required(MAX_URL), AfterValidator(_web_address)]  # type: ignore[valid-type]
    jurisdiction: Annotated[Jurisdiction | None, Blank] = Field(
        None, description="ISO 3166 alpha-2 code the source reports on, or EU"
    )
    language: Text(10) = Field(  # type: ignore[valid-type]
        "en", description="ISO 639-1 code of the feed's usual language (blank: en)"
    )
    covers: Text(2000) = ""  # type: ignore[valid-type]
    interval_min: Whole | None = Field(
        None, ge=1, description="Minutes between polls (kept within the configured bounds)"
    )


WebAddress = Annotated[Required(MAX_URL), AfterValidator(_web_address)]  # type: ignore[valid-type]


class SourceChanges(Changes):
    """An admin's changes to a source: only the fields sent change (a jurisdiction sent blank
    or null clears it). Fields an admin changes are no longer set by the feed files."""

    title: Required(200) = None  # type: ignore[valid-type]
    url: WebAddress = None  # type: ignore[valid-type]
    jurisdiction: Annotated[Jurisdiction | None, Blank] = Field(
        None, description="ISO 3166 alpha-2 code or EU (or an English country name); blank clears"
    )
    language: Text(10) = Field(  # type: ignore[valid-type]
        None, description="ISO 639-1 code of a language the watcher reads (en, fr, ru, …)"
    )
    covers: Text(2000) = None  # type: ignore[valid-type]
    interval_min: Whole | None = Field(
        None, ge=1, description="Minutes between polls (kept within the configured bounds)"
    )
    enabled: Flag | None = Field(None, description="false: the source is not polled")


class SourceSwitch(Input):
    """Turn polling of a source on or off."""

    enabled: Flag

# mypy: disable-error-code="valid-type,assignment"
# (field types built by functions, and None meaning "not sent" in partial changes)
"""What each engagement action takes: the typed inputs every door builds (see :mod:`..schemas`).

Rules that join two fields (an organisation chosen *or* added, not both) and rules that need
the database (the organisation exists, its name is free) stay in the service.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Any, Literal, get_args

from pydantic import AfterValidator, BeforeValidator, ConfigDict, Field
from pydantic_core import PydanticCustomError

from .. import schemas
from ..clock import now
from ..schemas import Blank, Changes, Flag, Input, Page, Required, Text, required_in_document
from .models import KINDS, LIMITS

Kind = Literal["civil_society", "expert", "government", "peer", "intergovernmental", "other"]
assert set(get_args(Kind)) == set(KINDS), "Kind must list the keys of models.KINDS"
# The latest calendar date anywhere on Earth (UTC+14): "today" for whoever types it.
AHEAD = timedelta(hours=14)


def _one_line(name: str) -> str:
    return " ".join(name.split())


_http = schemas.http_url  # one rule for every link people follow


def _country(value: Any) -> Any:
    """A country's ISO 3166 code (or EU) from its code or name; None and blanks are no
    country (""). The same rule as a case's jurisdiction (see ``schemas.Jurisdiction``)."""
    if value is None:
        return ""
    if isinstance(value, str) and not value.strip():
        return ""
    return schemas.country_code(value)


Name = Annotated[Required(LIMITS["name"]), AfterValidator(_one_line)]
Country = Annotated[
    str,
    BeforeValidator(_country),
    Field(
        strict=True,
        description="ISO 3166 country code (or EU; an English country name is also accepted "
        "and stored as its code); empty if none",
    ),
]
Website = Annotated[
    Text(LIMITS["website"]),
    AfterValidator(_http),
    Field(description="An http:// or https:// address"),
]
Notes = Text(LIMITS["notes"])


class NewOrganisation(Input):
    """An organisation to add to the directory."""

    name: Name = Field(description="Unique in the directory, ignoring case")
    kind: Kind
    country: Country = ""
    website: Website = ""
    notes: Notes = ""


class OrganisationChanges(Changes):
    """What to change in an organisation: only the fields given."""

    name: Name = None
    kind: Kind = None
    country: Country = None
    website: Website = None
    notes: Notes = None


class OrganisationQuery(Input):
    """Which organisations of the directory to list."""

    q: Text(200) = Field("", description="Part of the name")
    kind: Annotated[Kind | None, Blank] = None
    country: Country = ""


class OrganisationFilters(Page, OrganisationQuery):
    """A page of the directory."""


def _day_given(value: Any) -> Any:
    if value in (None, ""):
        raise PydanticCustomError("engaged_on", "(the date of the consultation) is required")
    return value


def _day(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            raise PydanticCustomError("date", "must be a date like 2026-03-01") from None
    return value


def _not_ahead(day: date) -> date:
    if day > (now() + AHEAD).date():
        raise PydanticCustomError("future", "cannot be in the future")
    return day


def _said(value: Any) -> Any:
    if value is None or value == "":
        raise PydanticCustomError(
            "confidential",
            "is required: say whether the organisation may be named (true means it may not)",
        )
    return value


EngagedOn = Annotated[
    date,
    AfterValidator(_not_ahead),
    BeforeValidator(_day),
    BeforeValidator(_day_given),
    Field(description="The date of the consultation; not in the future"),
]
Confidential = Annotated[
    Flag,
    BeforeValidator(_said),
    Field(
        description="true: the organisation may NOT be named (shown only to admins, "
        "executives, human-rights leads and the person who recorded it)"
    ),
]
Contact = Annotated[Text(LIMITS["contact"]), Field(description="The person or role")]
Summary = Required(LIMITS["summary"])
Advice = Annotated[Text(LIMITS["advice"]), Field(description="What they advised")]
OrganisationId = Annotated[
    int | str | None,
    Blank,
    Field(description="An organisation of the directory (its id)", examples=[1]),
]


def _no_new(value: Any) -> Any:
    return None if value in ("", {}) else value


class NewEngagement(Input):
    """A consultation to record. Give organisation_id (from the directory) or organisation
    (added to the directory in the same step), not both."""

    model_config = ConfigDict(json_schema_extra=required_in_document("engaged_on", "confidential"))

    contact: Contact = ""
    engaged_on: EngagedOn = Field(None, validate_default=True)
    summary: Summary
    advice: Advice = ""
    confidential: Confidential = Field(None, validate_default=True)
    organisation_id: OrganisationId = None
    organisation: Annotated[NewOrganisation | None, BeforeValidator(_no_new)] = None


class EngagementChanges(Changes):
    """Corrections to an entry: only the fields given."""

    contact: Contact = None
    engaged_on: EngagedOn = None
    summary: Summary = None
    advice: Advice = None
    confidential: Confidential = None
    organisation_id: OrganisationId = None

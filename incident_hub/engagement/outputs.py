"""What the engagement API answers: the documented shapes of ``serialize.py``'s dictionaries."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import Field, RootModel

from ..cases.outputs import Shape
from .inputs import Kind


class Organisation(Shape):
    id: int
    name: str
    kind: Kind
    kind_label: str = Field(description="The kind in words")
    country: str = Field(description="ISO 3166 country code (or EU); empty if none")
    website: str
    notes: str
    created_by: str = Field(description="Email of whoever added it")
    created_at: datetime


class OrganisationList(RootModel[list[Organisation]]):
    pass


class Consultation(Shape):
    """One entry of an engagement log that names the organisation."""

    engagement: int = Field(description="The entry's id")
    case: str = Field(description="The case's reference")
    case_title: str
    engaged_on: date
    confidential: bool


class OrganisationDetail(Organisation):
    consultations: list[Consultation] = Field(
        description="Entries of engagement logs you may see, newest first"
    )


class EngagedOrganisation(Shape):
    id: int
    name: str
    kind: Kind


class Engagement(Shape):
    id: int
    case: str = Field(description="The case's reference")
    organisation: EngagedOrganisation
    contact: str
    engaged_on: date
    summary: str
    advice: str
    confidential: bool = Field(description="true: the organisation may not be named")
    recorded_by: str = Field(description="Email of whoever recorded it")
    recorded_at: datetime


class EngagementList(RootModel[list[Engagement]]):
    pass

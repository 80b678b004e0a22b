"""What the watch API answers: the documented shapes of ``serialize.py``'s dictionaries."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import Field, RootModel

from ..schemas import Shape
from ..vocabulary import AlertStatus


class Source(Shape):
    key: str
    title: str
    url: str
    moved_from: str | None = Field(
        None, description="Where it was configured before permanent redirects moved it"
    )
    moved_at: datetime | None = None
    jurisdiction: str = ""
    language: str = ""
    covers: str = ""
    interval_min: int = 0
    effective_interval_min: int = 0
    origin: str = ""
    enabled: bool = True
    admin_fields: list[str] = Field(
        default_factory=list,
        description="Settings an admin changed, which the feed files no longer set",
    )
    healthy: bool
    last_status: Literal["never", "ok", "not_modified", "error"]
    last_error: str = ""
    error_count: int = 0
    last_polled_at: datetime | None = None
    last_success_at: datetime | None = None
    next_poll_at: datetime | None = None
    items_seen: int = 0
    alerts_flagged: int = 0


class SourceList(RootModel[list[Source]]):
    pass


class SourcePoll(Shape):
    """What polling one source now found (``incident-hub poll --source KEY`` prints it)."""

    source: Source
    status: Literal["ok", "not_modified", "error"]
    new: int = Field(ge=0)
    updated: int = Field(ge=0)
    flagged: int = Field(ge=0)
    joined: int = Field(0, ge=0, description="Items that joined an alert already raised")
    error: str = ""
    moved_to: str = Field("", description="The new address, if permanent redirects moved it")


class AlertReport(Shape):
    source: str = Field(description="The source's key")
    source_title: str = ""
    title: str
    url: str
    published_at: datetime | None
    matched_by: Literal["first", "url", "title"] = Field(
        "first",
        description="Why it joined: it raised the alert, the same canonical URL, or a "
        "near-identical title from another feed within FEEDS.SAME_STORY_DAYS",
    )


class Alert(Shape):
    id: int
    source: str
    title: str
    summary: str = ""
    url: str
    published_at: datetime | None
    topics: list[str]
    rights: list[str]
    jurisdictions: list[str]
    regions: list[str] = Field(
        default_factory=list,
        description="Places below the national level the reports name, each with its "
        "country: 'Manipur (IN)', 'Balochistan (PK)'.",
    )
    language: str = Field(
        "",
        description="ISO 639-1 code of the language detected in the item that raised the "
        "alert ('' for alerts from before detection).",
    )
    matched: list[str] = []
    score: float
    suggested_playbook: str | None
    status: AlertStatus
    triage_note: str = ""
    triaged_at: datetime | None = None
    version: int = 1
    changes: dict[str, Any] | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    reports: list[AlertReport] = Field(
        description="Every feed item that reported this development, the one that raised the "
        "alert first: the same story from several feeds is one alert."
    )


class AlertList(RootModel[list[Alert]]):
    pass

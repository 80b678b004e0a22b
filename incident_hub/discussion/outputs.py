"""What the discussion API answers: the documented shapes of ``serialize.py``'s dictionaries."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field, RootModel

from ..schemas import Shape


class EarlierText(Shape):
    version: int
    text: str
    written_at: datetime = Field(description="When this text was posted or last edited")


class Comment(Shape):
    id: int
    function: str | None = Field(description="The analysis thread it is in; null: the case's own")
    to_function: str | None = Field(description="The function it asks a question, if any")
    author: str = Field(description="The author's e-mail")
    author_name: str
    text: str
    privileged: bool = Field(description="Written in a privileged analysis's thread")
    analysis_version: int | None = Field(
        description="The version of the function's analysis current when it was written"
    )
    round: int
    version: int = Field(description="1, plus one per edit")
    created_at: datetime
    edited_at: datetime | None
    editable_until: datetime = Field(description="Its author may edit it until then")
    editable: bool = Field(description="You may edit it now")
    mentioned: list[str] = Field(description="E-mails of the people it mentioned and told")
    history: list[EarlierText] = Field(description="Every earlier text, oldest first")


class CommentList(RootModel[list[Comment]]):
    pass


class NotNotified(Shape):
    address: str
    reason: str = Field(description="Why they were not told (e.g. not on the need-to-know list)")


class PostedComment(Comment):
    notified: list[str] = Field(description="E-mails of the people this post or edit told")
    not_notified: list[NotNotified] = Field(
        description="Addresses mentioned and not told: only people who may read the comment "
        "are told"
    )

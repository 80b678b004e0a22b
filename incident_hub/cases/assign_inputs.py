"""What the assignment doors take: naming an owner and delegates, adding a function to a
running case, changing a case's playbook (services in :mod:`.assignees` and
:mod:`.case_functions`)."""

from __future__ import annotations

from pydantic import Field

from ..schemas import Flag, Input, OptionalMoment, Required, Text

Email = Text(320)
MAX_DELEGATES = 20  # people one assignment may be delegated to


class ChangeAssignees(Input):
    """Name the owner of a function's assignment and who it is delegated to: only what is
    sent changes. ``delegates`` replaces the whole list; ``add_delegates`` and
    ``remove_delegates`` change it (send one or the other)."""

    owner: Email = Field(  # type: ignore[valid-type]
        "", description="The new owner's email (or user id); blank: the owner stays"
    )
    delegates: list[Required(320)] | None = Field(  # type: ignore[valid-type]
        None, max_length=MAX_DELEGATES, description="Every delegate, by email (replaces the list)"
    )
    add_delegates: list[Required(320)] = Field(  # type: ignore[valid-type]
        default_factory=list, max_length=MAX_DELEGATES, description="Delegates to add, by email"
    )
    remove_delegates: list[Required(320)] = Field(  # type: ignore[valid-type]
        default_factory=list,
        max_length=MAX_DELEGATES,
        description="Delegates to take off, by email",
    )


class AddFunction(Input):
    """Add a function to a case still open or awaiting its decision."""

    function: Required(50) = Field(  # type: ignore[valid-type]
        description="A function key (e.g. engineering) not yet on the case"
    )
    owner: Email = Field(  # type: ignore[valid-type]
        "",
        description="Its owner's email; blank: its one lead if it has exactly one, else "
        "unowned until a lead takes it",
    )
    due_at: OptionalMoment = Field(
        None, description="When its analysis is due; blank: planned as at opening, from now"
    )
    required: Flag = Field(True, description="Must file before the decision (default true)")
    questions_from: Text(100) = Field(  # type: ignore[valid-type]
        "",
        description="The playbook whose questions it answers, when the case's own does not "
        "list the function; blank: the first playbook (by key) that does",
    )


class ChangePlaybook(Input):
    """Move a case to another playbook before anything is filed on it."""

    playbook: Required(100) = Field(description="The new playbook's key")  # type: ignore[valid-type]
    version: int | None = Field(None, description="The case version you read (stale: 409)")

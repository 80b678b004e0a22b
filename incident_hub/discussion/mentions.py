"""@-mentions: who a comment names, and who of them may be told.

A mention is ``@`` followed by the person's e-mail address (``@alice@example.org``): addresses
are unique and never change with a display name, so a mention always names exactly one person.
The web form also offers the people on the case to tick (they arrive as ``mentions``).

Only a person who may read the comment is told: someone who may see the case and, in a
privileged thread, may read privileged analyses. Anyone else named is not told and nothing is
kept of them; the author hears why (on a restricted case or in a privileged thread the reason
never says whether the address belongs to anyone).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sqlalchemy import select

from ..auth import permissions as perm
from ..auth.models import User
from ..errors import Invalid
from ..extensions import db
from .inputs import MAX_MENTIONS

MENTION_RE = re.compile(
    r"(?<![\w.%+-])@([A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63})*\.[A-Za-z]{2,24})"
)
ADDRESS_RE = re.compile(r"[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63})+")
NOT_ON_LIST = "not on this case's need-to-know list"
NO_USER = "no active user has this address"
NOT_ADDRESS = "not an e-mail address"


@dataclass
class Mentioned:
    """Who a comment told, and the addresses it named but did not tell (with why)."""

    told: list[User] = field(default_factory=list)
    not_told: list[tuple[str, str]] = field(default_factory=list)

    def message(self) -> str:
        """What the author reads about the mentions that told nobody ('' when none)."""
        if not self.not_told:
            return ""
        return "Not notified: " + "; ".join(f"{a} ({why})" for a, why in self.not_told) + "."


def addresses(text: str, extra: list[str]) -> list[str]:
    """Every address mentioned in ``text`` and listed in ``extra``, lower case, each once, in
    order (a leading ``@`` on a listed one is dropped); at most MAX_MENTIONS."""
    found = [m.group(1) for m in MENTION_RE.finditer(text)]
    found += [e.strip().removeprefix("@") for e in extra]
    out = list(dict.fromkeys(a.lower() for a in found if a))
    if len(out) > MAX_MENTIONS:
        raise Invalid(
            f"a comment may mention at most {MAX_MENTIONS} people ({len(out)} named)",
            field="mentions",
        )
    return out


def resolve(case, wanted: list[str], *, privileged: bool, author: User) -> Mentioned:  # noqa: ANN001
    """Split the addresses into people to tell and addresses not told (and why). The author
    is never told of their own comment."""
    out = Mentioned()
    valid = [a for a in wanted if ADDRESS_RE.fullmatch(a)]
    users = (
        {
            u.email.lower(): u
            for u in db.session.execute(
                select(User).where(User.email.in_(valid), User.active.is_(True))
            ).scalars()
        }
        if valid
        else {}
    )
    hidden = bool(case.restricted or privileged)
    for address in wanted:
        user = users.get(address)
        if user is not None and user.id == author.id:
            continue
        if address not in valid:
            shown = "".join(ch for ch in address if ch.isprintable() and not _surrogate(ch))
            out.not_told.append((shown[:100], NOT_ADDRESS))
        elif (
            user is not None
            and perm.can_view_case(user, case)
            and (not privileged or perm.can_read_privileged(user, case))
        ):
            out.told.append(user)
        elif not hidden and user is None:
            out.not_told.append((address, NO_USER))
        else:  # one reason whether or not the address is anyone's
            out.not_told.append((address, NOT_ON_LIST))
    return out


def _surrogate(ch: str) -> bool:
    return "\ud800" <= ch <= "\udfff"

"""Who may write what: the roles, each including the ones before it.

A role is a rank: `reader` may ask every question; `reporter` may also record
what is seen and done (registrations, movements, plans, assignments,
observations, a leak, an incident opened); `investigator` may also record what
an investigation establishes (findings, damage assessments, statements, a
commission convened); `authority` may also decide (decisions, an incident
closed); `admin` may also issue and revoke tokens.

Which role writes an event type is declared with the type itself
(`domain.vocabulary`, the `role` of each payload class). A correction or a
retraction is worth what the event it amends is worth: amending a decision
needs the authority that may take one. This module has no I/O: the caller
says what an amended event is (`role_to_write`'s `amended`).
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from typing import TYPE_CHECKING
from uuid import UUID

if TYPE_CHECKING:
    from domain.vocabulary import Payload


class Role(enum.IntEnum):
    """Ordered: a role may do everything the roles below it may."""

    READER = 1
    REPORTER = 2
    INVESTIGATOR = 3
    AUTHORITY = 4
    ADMIN = 5

    @property
    def label(self) -> str:
        """The role's name as people type it (`--role reporter`)."""
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Role:
        """The role named `text`; `ValueError` naming the roles otherwise."""
        try:
            return cls[text.strip().upper()]
        except KeyError:
            raise ValueError(f"unknown role {text!r}; the roles are {', '.join(r.label for r in cls)}") from None

    def covers(self, needed: Role) -> bool:
        return self >= needed


# A chain of amendments (a retraction of a retraction of ...) is followed at most
# this far; a longer one, like a target the log does not hold, needs only the
# amendment's own role and is left to the log's rules to judge.
MAX_AMENDMENT_CHAIN = 100


def role_to_write(payload: Payload, amended: Callable[[UUID], Payload | None]) -> Role:
    """The role a writer needs to record `payload`.

    For a correction or retraction, the role that may write the event it
    amends, found with `amended` (the payload of an event by id, or None when
    unknown), following amendments of amendments to the event at the root.
    """
    seen: set[UUID] = set()
    current = payload
    while (target := current.amended_event) is not None and target not in seen and len(seen) < MAX_AMENDMENT_CHAIN:
        seen.add(target)
        found = amended(target)
        if found is None:
            break
        current = found
    return current.role

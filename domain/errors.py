"""Every refusal the domain can give, under one base class.

Each error names the field it is about (a dotted path such as
``data.vehicle`` or ``events[3].occurred_at``) and the rule that was broken,
so an interface can tell the writer exactly what to fix.
"""

from __future__ import annotations


class DomainError(Exception):
    """A write was refused; nothing was stored."""

    kind = "refused"

    def __init__(self, field: str, rule: str) -> None:
        super().__init__(f"{field}: {rule}")
        self.field = field
        self.rule = rule

    def at(self, prefix: str) -> DomainError:
        """The same error, its field placed under `prefix` (e.g. a batch index)."""
        moved = type(self)(f"{prefix}.{self.field}" if self.field else prefix, self.rule)
        return moved


class InvalidValue(DomainError):
    """A field is missing, of the wrong type, or out of range."""

    kind = "invalid"


class UnknownReference(DomainError):
    """A field names an event, vehicle, crew member or incident that does not exist."""

    kind = "unknown_reference"


class RuleViolation(DomainError):
    """The event is well formed but contradicts what the log already holds."""

    kind = "conflict"


class IdConflict(DomainError):
    """An event id was reused for different content."""

    kind = "id_conflict"

"""Points in time as writers state them, and the dates plans aim at.

A writer may know an instant to the second or only the day it happened, so a
`TimePoint` keeps the precision it was given. Ordering uses the start of a day;
a query bound given as a bare date means the *end* of that day, so that
"as of 14 December" includes what happened on 14 December.

A plan's target is not always a day: "no earlier than 24 Feb", "late March",
"March 2023", "not announced". `TargetDate` keeps the qualifier and the
precision instead of inventing a day.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal

from domain.errors import InvalidValue

Precision = Literal["day", "instant"]

_BARE_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True, order=False)
class TimePoint:
    """An instant in UTC, with the precision the writer gave it."""

    start: datetime
    precision: Precision

    @classmethod
    def parse(cls, text: str, field: str = "time") -> TimePoint:
        if not isinstance(text, str) or not text.strip():
            raise InvalidValue(field, "must be an ISO 8601 date or date-time string")
        text = text.strip()
        if _BARE_DATE.match(text):
            try:
                day = date.fromisoformat(text)
            except ValueError as error:
                raise InvalidValue(field, f"is not a real date: {text!r}") from error
            return cls(datetime.combine(day, time.min, tzinfo=UTC), "day")
        try:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError as error:
            raise InvalidValue(
                field, f"must be ISO 8601 (e.g. 2022-12-14 or 2022-12-14T20:45:00Z), not {text!r}"
            ) from error
        if moment.tzinfo is None:
            raise InvalidValue(field, f"needs a UTC offset or Z, got {text!r}")
        return cls(moment.astimezone(UTC), "instant")

    @classmethod
    def at(cls, moment: datetime) -> TimePoint:
        if moment.tzinfo is None:
            raise InvalidValue("time", "must be timezone-aware")
        return cls(moment.astimezone(UTC), "instant")

    @property
    def end(self) -> datetime:
        """The last instant this point may stand for (the end of a bare day)."""
        if self.precision == "day":
            return self.start + timedelta(days=1) - timedelta(microseconds=1)
        return self.start

    @property
    def day(self) -> date:
        return self.start.date()

    def not_after(self, other: TimePoint) -> bool:
        """`self <= other` at the coarser of the two precisions."""
        if "day" in (self.precision, other.precision):
            return self.day <= other.day
        return self.start <= other.start

    def isoformat(self) -> str:
        if self.precision == "day":
            return self.day.isoformat()
        return self.start.isoformat().replace("+00:00", "Z")

    def __str__(self) -> str:
        return self.isoformat()


def query_bound(text: str | None, field: str, default: datetime) -> datetime:
    """A query time: a bare date means the end of that UTC day."""
    if text is None or text == "":
        return default
    return TimePoint.parse(text, field).end


Qualifier = Literal["on", "no_earlier_than", "not_later_than", "early", "mid", "late"]

_QUALIFIER_WORDS: dict[str, Qualifier] = {
    "no earlier than": "no_earlier_than",
    "net": "no_earlier_than",
    "not later than": "not_later_than",
    "nlt": "not_later_than",
    "early": "early",
    "mid": "mid",
    "late": "late",
}
_TARGET = re.compile(r"^(?P<year>\d{4})(?:-(?P<month>\d{2})(?:-(?P<day>\d{2}))?)?$")
NOT_ANNOUNCED = "not announced"


@dataclass(frozen=True)
class TargetDate:
    """When a plan aims to happen: a day, a month or a year, maybe qualified.

    Written as text: ``2023-02-20``, ``2023-03``, ``no earlier than 2023-02-24``,
    ``late 2023-03``, or ``not announced``.
    """

    text: str

    @classmethod
    def parse(cls, raw: object, field: str = "target") -> TargetDate:
        if not isinstance(raw, str) or not raw.strip():
            raise InvalidValue(field, "must be a date such as 2023-02-20, 2023-03, "
                               "'no earlier than 2023-02-24', 'late 2023-03' or 'not announced'")
        text = " ".join(raw.strip().lower().split())
        if text == NOT_ANNOUNCED:
            return cls(NOT_ANNOUNCED)
        qualifier = ""
        for words in sorted(_QUALIFIER_WORDS, key=len, reverse=True):
            if text.startswith(words + " "):
                qualifier, text = words, text[len(words) + 1 :]
                break
        match = _TARGET.match(text)
        if not match:
            raise InvalidValue(field, f"is not a target date: {raw!r}")
        try:
            date(int(match["year"]), int(match["month"] or 1), int(match["day"] or 1))
        except ValueError as error:
            raise InvalidValue(field, f"is not a real date: {raw!r}") from error
        prefix = (_canonical_words(_QUALIFIER_WORDS[qualifier]) + " ") if qualifier else ""
        return cls(prefix + text)

    @property
    def announced(self) -> bool:
        return self.text != NOT_ANNOUNCED

    def __str__(self) -> str:
        return self.text


def _canonical_words(qualifier: Qualifier) -> str:
    return qualifier.replace("_", " ")

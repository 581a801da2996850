"""Points in time as writers state them, and the dates plans aim at.

A writer may know an instant to the second or only the day it happened, so a
`TimePoint` keeps the precision it was given. Ordering uses the start of a day;
a query bound given as a bare date means the *end* of that day, so that
"as of 14 December" includes what happened on 14 December.

A plan's target is not always a day: "no earlier than 24 Feb", "late March",
"March 2023", "not announced", "to be set"; sometimes it is a time of day.
`TargetDate` keeps the qualifier and the precision instead of inventing a day,
and `TargetDate.window()` turns it into the period it allows (`TargetWindow`),
so that plans can be ordered and compared.
"""

from __future__ import annotations

import calendar
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
        try:
            return cls(moment.astimezone(UTC), "instant")
        except OverflowError:  # 9999-12-31T23:00-05:00 is in year 10000 in UTC
            raise InvalidValue(field, f"is outside the years 1 to 9999 in UTC: {text!r}") from None

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
TargetKind = Literal["instant", "day", "month", "year", "not_announced", "to_be_set"]
_PointKind = Literal["instant", "day", "month", "year"]

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
# Matched against lower-cased text, hence `t` and `z`.
_TARGET_TIME = re.compile(r"^(?P<day>\d{4}-\d{2}-\d{2})t(?P<hour>\d{2}):(?P<minute>\d{2})(?::(?P<second>\d{2}))?"
                          r"(?P<offset>z|[+-]\d{2}:\d{2})?$")
_STARTS_WITH_DAY_AND_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}t")
NOT_ANNOUNCED = "not announced"
TO_BE_SET = "to be set"
_TO_BE_SET_WORDS = frozenset({TO_BE_SET, "tbd", "to be determined", "date to be set"})
_TARGET_FORMS = ("must be a date such as 2023-02-20, 2023-02-20T14:30Z, 2023-03, 'no earlier than 2023-02-24', "
                 "'late 2023-03', 'not announced' or 'to be set'")
_PARTS: tuple[Qualifier, ...] = ("early", "mid", "late")
# The parts of a month or a year that early, mid and late name: (first, last) day of a month, month of a year.
_PART_OF_MONTH: dict[Qualifier, tuple[int, int | None]] = {"early": (1, 10), "mid": (11, 20), "late": (21, None)}
_PART_OF_YEAR: dict[Qualifier, tuple[int, int]] = {"early": (1, 4), "mid": (5, 8), "late": (9, 12)}


@dataclass(frozen=True)
class TargetDate:
    """When a plan aims to happen: an instant, a day, a month or a year, maybe
    qualified; or no date at all.

    Written as canonical text: ``2023-02-20``, ``2023-02-20T14:30Z`` (a time of
    day, always in UTC), ``2023-03``, ``2023``, ``no earlier than 2023-02-24``,
    ``not later than 2023-03``, ``late 2023-03``; ``not announced`` (a date
    exists but was not made public) or ``to be set`` (no date has been set).
    `window()` gives the same target as the period it allows, for ordering.
    """

    text: str

    @classmethod
    def parse(cls, raw: object, field: str = "target") -> TargetDate:
        if not isinstance(raw, str) or not raw.strip():
            raise InvalidValue(field, _TARGET_FORMS)
        text = " ".join(raw.strip().lower().split())
        if text == NOT_ANNOUNCED:
            return cls(NOT_ANNOUNCED)
        if text in _TO_BE_SET_WORDS:
            return cls(TO_BE_SET)
        qualifier, point = _split_qualifier(text)
        kind, start, _ = _read_point(point, field, raw)
        if kind == "instant" and qualifier in _PARTS:
            raise InvalidValue(field, f"early, mid and late qualify a day, a month or a year, not a time of day: "
                                      f"{raw!r}")
        canonical = _instant_text(start) if kind == "instant" else point
        prefix = "" if qualifier == "on" else _canonical_words(qualifier) + " "
        return cls(prefix + canonical)

    @property
    def announced(self) -> bool:
        """False when no date is public, whether or not one has been set."""
        return self.text not in (NOT_ANNOUNCED, TO_BE_SET)

    def window(self) -> TargetWindow:
        """The period this target allows, as UTC bounds (None: open or unknown)."""
        if self.text == NOT_ANNOUNCED:
            return TargetWindow(self.text, "not_announced", None, None, None)
        if self.text == TO_BE_SET:
            return TargetWindow(self.text, "to_be_set", None, None, None)
        qualifier, point = _split_qualifier(self.text.lower())
        kind, start, end = _read_point(point, "target", self.text)
        if qualifier == "no_earlier_than":
            return TargetWindow(self.text, kind, qualifier, start, None)
        if qualifier == "not_later_than":
            return TargetWindow(self.text, kind, qualifier, None, end)
        if qualifier != "on" and kind == "month":
            first, last = _PART_OF_MONTH[qualifier]
            start = start.replace(day=first)
            end = end if last is None else datetime.combine(start.replace(day=last).date(), time.max, tzinfo=UTC)
        elif qualifier != "on" and kind == "year":
            first_month, last_month = _PART_OF_YEAR[qualifier]
            start = start.replace(month=first_month)
            end = _end_of_month(start.year, last_month)
        # Early, mid or late of a single day (a form stored events may hold) stands for the whole day.
        return TargetWindow(self.text, kind, qualifier, start, end)

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class TargetWindow:
    """A target as the period it allows, so that plans can be ordered and compared.

    `earliest` is the first microsecond the target allows and `latest` the
    last (both UTC); None where the target leaves that side open ("no earlier
    than", "not later than") or gives no date ("not announced", "to be set",
    whose `qualifier` is None too). An instant has `earliest == latest`.
    """

    text: str
    kind: TargetKind
    qualifier: Qualifier | None
    earliest: datetime | None
    latest: datetime | None

    def to_json(self) -> dict[str, str | None]:
        """Times as ISO 8601 with microseconds and Z, so that the strings sort as the times do."""
        return {"text": self.text, "kind": self.kind, "qualifier": self.qualifier,
                "earliest": _window_bound(self.earliest), "latest": _window_bound(self.latest)}


def _split_qualifier(text: str) -> tuple[Qualifier, str]:
    for words in sorted(_QUALIFIER_WORDS, key=len, reverse=True):
        if text.startswith(words + " "):
            return _QUALIFIER_WORDS[words], text[len(words) + 1 :]
    return "on", text


def _read_point(text: str, field: str, raw: object) -> tuple[_PointKind, datetime, datetime]:
    """What a lower-cased target names, with its first and last instant in UTC."""
    if _STARTS_WITH_DAY_AND_TIME.match(text):
        return _read_instant(text, field, raw)
    match = _TARGET.match(text)
    if not match:
        raise InvalidValue(field, f"is not a target date: {raw!r}")
    year, month, day = int(match["year"]), match["month"], match["day"]
    try:
        first = date(year, int(month or 1), int(day or 1))
    except ValueError as error:
        raise InvalidValue(field, f"is not a real date: {raw!r}") from error
    start = datetime.combine(first, time.min, tzinfo=UTC)
    if day is not None:
        return "day", start, datetime.combine(first, time.max, tzinfo=UTC)
    if month is not None:
        return "month", start, _end_of_month(year, first.month)
    return "year", start, _end_of_month(year, 12)


def _read_instant(text: str, field: str, raw: object) -> tuple[_PointKind, datetime, datetime]:
    match = _TARGET_TIME.match(text)
    if not match:
        raise InvalidValue(field, f"a target time is a date, hours and minutes (seconds if need be) and a UTC "
                                  f"offset, e.g. 2023-02-20T14:30Z or 2023-02-20T14:30:00+00:00; not {raw!r}")
    if match["offset"] is None:
        raise InvalidValue(field, f"a target time needs a UTC offset or Z, got {raw!r}")
    try:
        moment = datetime.fromisoformat(text.upper().replace("Z", "+00:00")).astimezone(UTC)
    except (ValueError, OverflowError) as error:
        raise InvalidValue(field, f"is not a real date and time: {raw!r}") from error
    return "instant", moment, moment


def _instant_text(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M" if moment.second == 0 else "%Y-%m-%dT%H:%M:%S") + "Z"


def _end_of_month(year: int, month: int) -> datetime:
    return datetime.combine(date(year, month, calendar.monthrange(year, month)[1]), time.max, tzinfo=UTC)


def _window_bound(moment: datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def _canonical_words(qualifier: Qualifier) -> str:
    return qualifier.replace("_", " ")

"""The text forms of times the API takes, as patterns for its OpenAPI document.

`domain.times.TimePoint` reads a time: a date (`2022-12-14`) or a date-time
with a UTC offset (`2022-12-14T20:45Z`, `2022-12-14T20:45:00.5+03:00`). A
pattern that only looked like one (`\\d{4}-\\d{2}-\\d{2}`) would admit
`2023-02-29`, which the log refuses with 422: a client generating requests
from the document would be told a value is valid that is not. So the patterns
here admit real days only (30 days hath September; 29 February in leap
years), hours to 23, offsets under a day, and date-times whose instant in UTC
still falls within years 1 to 9999. (Python's reader takes a few rarer ISO 8601
forms too, such as `20221214T2045Z`; the document names the usual ones.)

An empty value is the parameter left out (the default), as the parsers read it.
"""

from __future__ import annotations

_MONTH_31 = r"(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])"
_MONTH_30 = r"(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)"
_FEBRUARY = r"02-(?:0[1-9]|1[0-9]|2[0-8])"
# Divisible by 4 and not by 100, or by 400 (0000 is not a year).
_LEAP_YEAR = r"(?:[0-9]{2}(?:0[48]|[2468][048]|[13579][26])|(?:0[48]|[2468][048]|[13579][26])00)"
_DATE = rf"(?:(?!0000)[0-9]{{4}}-(?:{_MONTH_31}|{_MONTH_30}|{_FEBRUARY})|{_LEAP_YEAR}-02-29)"
_TIME_OF_DAY = r"(?:[01][0-9]|2[0-3]):[0-5][0-9](?::[0-5][0-9](?:\.[0-9]{1,6})?)?"
_OFFSET = r"(?:Z|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9])"
# A date-time is moved to UTC by its offset: on the first and the last day of
# the calendar that could leave it, so an offset that points outward is not admitted there.
_INSIDE_THE_CALENDAR = r"(?!0001-01-01T[^+]*\+|9999-12-31T[^-]*-)"
_TIME = rf"{_INSIDE_THE_CALENDAR}{_DATE}(?:T{_TIME_OF_DAY}{_OFFSET})?"

TIME_PATTERN = rf"^(?:{_TIME})?$"
"""A query time (`as_of`, `known_at`, `occurred_from`…): a date, a date-time with Z or an offset, or empty."""

POSITION_OR_TIME_PATTERN = rf"^(?:[0-9]+|{_TIME})?$"
"""`recorded_before`: a log position (a whole number) or a time, or empty."""

EVENT_TIME_PATTERN = rf"^{_TIME}$"
"""An event's `occurred_at` and `reported_at`: a date or a date-time with Z or an offset."""

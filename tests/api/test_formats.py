"""The time patterns the OpenAPI document states agree with the parsers the log uses."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from api.formats import EVENT_TIME_PATTERN, POSITION_OR_TIME_PATTERN, TIME_PATTERN
from domain.errors import InvalidValue
from domain.times import TimePoint
from projections.horizon import Horizon

NOW = datetime(2026, 1, 1, tzinfo=UTC)


@settings(max_examples=300)
@given(st.from_regex(TIME_PATTERN, fullmatch=True), st.from_regex(POSITION_OR_TIME_PATTERN, fullmatch=True),
       st.from_regex(EVENT_TIME_PATTERN, fullmatch=True))
def test_every_time_the_document_admits_is_read(query: str, bound: str, event_time: str) -> None:
    Horizon.parse(query, query, bound, NOW)
    TimePoint.parse(event_time, "occurred_at")


@pytest.mark.parametrize("text", ["2023-02-29", "1900-02-29", "2022-04-31", "2022-13-01", "0000-01-01",
                                  "2022-12-14T24:00Z", "2022-12-14T10:00", "2022-12-14T10:00+24:00",
                                  "9999-12-31T23:00-05:00", "yesterday"])
def test_a_time_the_log_refuses_is_not_admitted_by_the_document(text: str) -> None:
    with pytest.raises(InvalidValue):
        TimePoint.parse(text)
    assert not re.match(TIME_PATTERN, text)


@pytest.mark.parametrize("text", ["2024-02-29", "2000-02-29", "0001-01-01", "9999-12-31", "2022-12-14T20:45Z",
                                  "2022-12-14T20:45:00.123456+05:30", ""])
def test_the_usual_forms_are_admitted(text: str) -> None:
    assert re.match(TIME_PATTERN, text)
    assert re.match(POSITION_OR_TIME_PATTERN, text) and re.match(POSITION_OR_TIME_PATTERN, "42")

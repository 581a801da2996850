from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import InvalidValue
from domain.times import TargetDate, TimePoint, query_bound

NOW = datetime(2024, 1, 1, tzinfo=UTC)


def test_a_bare_date_means_that_utc_day() -> None:
    point = TimePoint.parse("2022-12-14")
    assert point.precision == "day"
    assert point.start == datetime(2022, 12, 14, tzinfo=UTC)
    assert point.end.date().isoformat() == "2022-12-14"


def test_an_instant_is_stored_in_utc() -> None:
    point = TimePoint.parse("2022-12-14T23:30:00-05:00")
    assert point.isoformat() == "2022-12-15T04:30:00Z"


def test_a_time_without_an_offset_is_refused() -> None:
    with pytest.raises(InvalidValue, match="UTC offset"):
        TimePoint.parse("2022-12-14T10:00:00", "occurred_at")


@pytest.mark.parametrize("text", ["", "yesterday", "2022-02-30", "2022-13-01T00:00Z"])
def test_nonsense_times_are_refused_naming_the_field(text: str) -> None:
    with pytest.raises(InvalidValue) as refused:
        TimePoint.parse(text, "reported_at")
    assert refused.value.field == "reported_at"


def test_a_query_bound_given_as_a_bare_date_is_the_end_of_that_day() -> None:
    assert query_bound("2022-12-14", "as_of", NOW) == datetime(2022, 12, 14, 23, 59, 59, 999999, tzinfo=UTC)
    assert query_bound(None, "as_of", NOW) == NOW


def test_times_compare_at_the_coarser_precision() -> None:
    day = TimePoint.parse("2022-12-14")
    evening = TimePoint.parse("2022-12-14T22:00:00Z")
    assert evening.not_after(day) and day.not_after(evening)
    assert not TimePoint.parse("2022-12-15").not_after(evening)


@given(st.datetimes(min_value=datetime(1957, 10, 4), max_value=datetime(2200, 1, 1), timezones=st.just(UTC)))
def test_every_instant_survives_a_round_trip_through_text(moment: datetime) -> None:
    point = TimePoint.at(moment)
    assert TimePoint.parse(point.isoformat()) == point


@pytest.mark.parametrize(("raw", "text"), [
    ("2023-02-20", "2023-02-20"),
    ("2023-03", "2023-03"),
    ("NET 2023-02-24", "no earlier than 2023-02-24"),
    ("No earlier than 2023-02-24", "no earlier than 2023-02-24"),
    ("late 2023-03", "late 2023-03"),
    ("Not announced", "not announced"),
])
def test_plans_aim_at_dates_of_any_precision(raw: str, text: str) -> None:
    assert TargetDate.parse(raw).text == text


@pytest.mark.parametrize("raw", ["soon", "2023-13", "late", "", 20230220])
def test_a_target_that_is_no_date_is_refused(raw: object) -> None:
    with pytest.raises(InvalidValue):
        TargetDate.parse(raw, "data.target")

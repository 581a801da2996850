from datetime import UTC, date, datetime, time, timedelta, timezone

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


@pytest.mark.parametrize("text", ["9999-12-31T23:00-05:00", "0001-01-01T00:30+01:00"])
def test_a_time_outside_the_calendar_in_utc_is_refused(text: str) -> None:
    with pytest.raises(InvalidValue, match="years 1 to 9999") as refused:
        TimePoint.parse(text, "as_of")
    assert refused.value.field == "as_of"


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


QUALIFIERS = ["", "no earlier than ", "not later than ", "early ", "mid ", "late "]
# Every canonical form a stored event may hold today: a day, a month or a year, maybe qualified.
STORED_FORMS = [q + point for q in QUALIFIERS for point in ("2023-02-20", "2023-03", "2023")] + ["not announced"]


@pytest.mark.parametrize("text", STORED_FORMS)
def test_every_stored_target_still_reads_as_written(text: str) -> None:
    assert TargetDate.parse(text).text == text


@pytest.mark.parametrize(("raw", "text"), [
    ("2023-02-20T14:30Z", "2023-02-20T14:30Z"),
    ("2023-02-20T14:30:00Z", "2023-02-20T14:30Z"),
    ("2023-02-20t14:30:05z", "2023-02-20T14:30:05Z"),
    ("2023-02-20T14:30:00+00:00", "2023-02-20T14:30Z"),
    ("2023-02-20T01:30:00+05:00", "2023-02-19T20:30Z"),
    ("NET 2023-02-20T14:30-02:00", "no earlier than 2023-02-20T16:30Z"),
])
def test_a_target_may_be_a_time_of_day_kept_in_utc(raw: str, text: str) -> None:
    assert TargetDate.parse(raw).text == text


def test_a_target_time_without_an_offset_is_refused_naming_the_field() -> None:
    with pytest.raises(InvalidValue, match="UTC offset") as refused:
        TargetDate.parse("2023-02-20T14:30", "data.target")
    assert refused.value.field == "data.target"


@pytest.mark.parametrize("raw", ["early 2023-02-20T14:30Z", "2023-02-20T14:30:00.5Z", "2023-02-30T10:00Z",
                                 "2023-02-20T25:00Z", "9999-12-31T23:00-05:00", "2023-02-20 14:30Z"])
def test_a_target_time_that_is_no_time_is_refused(raw: str) -> None:
    with pytest.raises(InvalidValue):
        TargetDate.parse(raw, "data.target")


@pytest.mark.parametrize("raw", ["to be set", "TBD", "To be determined", "date to be set"])
def test_a_date_not_yet_set_is_to_be_set(raw: str) -> None:
    target = TargetDate.parse(raw)
    assert (target.text, target.announced) == ("to be set", False)


def test_not_announced_and_to_be_set_are_different_unknowns() -> None:
    hidden, unset = TargetDate.parse("not announced").window(), TargetDate.parse("tbd").window()
    assert (hidden.kind, unset.kind) == ("not_announced", "to_be_set")
    assert (hidden.qualifier, hidden.earliest, hidden.latest) == (None, None, None)
    assert (unset.qualifier, unset.earliest, unset.latest) == (None, None, None)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0, *, end: bool = False) -> datetime:
    """A UTC instant; `end`: the last microsecond of that day."""
    return datetime.combine(date(year, month, day), time.max if end else time(hour, minute), tzinfo=UTC)


@pytest.mark.parametrize(("text", "kind", "qualifier", "earliest", "latest"), [
    ("2023-02-20", "day", "on", utc(2023, 2, 20), utc(2023, 2, 20, end=True)),
    ("2024-02", "month", "on", utc(2024, 2, 1), utc(2024, 2, 29, end=True)),
    ("2023", "year", "on", utc(2023, 1, 1), utc(2023, 12, 31, end=True)),
    ("2023-02-20T14:30Z", "instant", "on", utc(2023, 2, 20, 14, 30), utc(2023, 2, 20, 14, 30)),
    ("early 2023-03", "month", "early", utc(2023, 3, 1), utc(2023, 3, 10, end=True)),
    ("mid 2023-03", "month", "mid", utc(2023, 3, 11), utc(2023, 3, 20, end=True)),
    ("late 2023-04", "month", "late", utc(2023, 4, 21), utc(2023, 4, 30, end=True)),
    ("early 2023", "year", "early", utc(2023, 1, 1), utc(2023, 4, 30, end=True)),
    ("mid 2023", "year", "mid", utc(2023, 5, 1), utc(2023, 8, 31, end=True)),
    ("late 2023", "year", "late", utc(2023, 9, 1), utc(2023, 12, 31, end=True)),
    ("late 2023-02-20", "day", "late", utc(2023, 2, 20), utc(2023, 2, 20, end=True)),
    ("no earlier than 2023-02-24", "day", "no_earlier_than", utc(2023, 2, 24), None),
    ("not later than 2023-03", "month", "not_later_than", None, utc(2023, 3, 31, end=True)),
    ("no earlier than 2023-02-20T14:30Z", "instant", "no_earlier_than", utc(2023, 2, 20, 14, 30), None),
])
def test_a_target_is_the_window_it_allows(text: str, kind: str, qualifier: str, earliest: datetime | None,
                                          latest: datetime | None) -> None:
    window = TargetDate.parse(text).window()
    assert (window.text, window.kind, window.qualifier, window.earliest, window.latest) == (
        text, kind, qualifier, earliest, latest)


def test_a_window_as_json_gives_its_bounds_in_utc_with_z() -> None:
    assert TargetDate.parse("late 2023-03").window().to_json() == {
        "text": "late 2023-03", "kind": "month", "qualifier": "late",
        "earliest": "2023-03-21T00:00:00.000000Z", "latest": "2023-03-31T23:59:59.999999Z"}
    assert TargetDate.parse("to be set").window().to_json() == {
        "text": "to be set", "kind": "to_be_set", "qualifier": None, "earliest": None, "latest": None}


points = st.one_of(
    st.dates(min_value=date(1957, 10, 4), max_value=date(2200, 12, 31)).map(date.isoformat),
    st.dates(min_value=date(1957, 10, 4), max_value=date(2200, 12, 31)).map(lambda d: d.isoformat()[:7]),
    st.integers(1957, 2200).map(str),
)
instants = st.datetimes(min_value=datetime(1957, 10, 4), max_value=datetime(2200, 1, 1),
                        timezones=st.sampled_from([UTC, timezone(timedelta(hours=-5)), timezone(timedelta(hours=9))]))
targets = st.one_of(
    st.tuples(st.sampled_from(QUALIFIERS), points).map("".join),
    st.tuples(st.sampled_from(QUALIFIERS[:3]), instants.map(lambda m: m.replace(microsecond=0).isoformat())).map(
        "".join),
    st.sampled_from(["not announced", "to be set", "tbd"]),
)


@given(targets)
def test_every_target_reads_back_as_its_own_text_and_window(raw: str) -> None:
    target = TargetDate.parse(raw)
    window = target.window()
    assert TargetDate.parse(target.text) == target
    assert TargetDate.parse(window.text).window() == window


@given(targets)
def test_a_window_never_ends_before_it_starts_and_its_bounds_are_utc(raw: str) -> None:
    window = TargetDate.parse(raw).window()
    bounds = [b for b in (window.earliest, window.latest) if b is not None]
    assert all(b.utcoffset() == timedelta(0) for b in bounds)
    assert window.earliest is None or window.latest is None or window.earliest <= window.latest
    assert all(v is None or v.endswith("Z") for v in (window.to_json()["earliest"], window.to_json()["latest"]))


@given(instants)
def test_a_target_time_is_the_same_instant_in_utc(moment: datetime) -> None:
    moment = moment.replace(microsecond=0)
    window = TargetDate.parse(moment.isoformat()).window()
    assert window.earliest == window.latest == moment

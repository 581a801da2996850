import uuid

import pytest

from domain.entry import Draft
from domain.errors import InvalidValue
from tests.factories import draft, event


def read(raw: object) -> Draft:
    return Draft.from_json(raw, uuid.uuid4)


def refusal(raw: object) -> InvalidValue:
    with pytest.raises(InvalidValue) as refused:
        read(raw)
    return refused.value


def test_an_event_is_read_with_its_envelope_and_typed_data() -> None:
    draft = read(event("VehicleDocked", "2022-09-21", reported_at="2022-09-22", vehicle="soyuz-ms-22",
                       station="iss", incident="leak"))
    assert draft.type == "VehicleDocked"
    assert draft.payload.to_json()["vehicle"] == "soyuz-ms-22"
    assert draft.incidents == ("leak",)
    assert str(draft.reported_at) == "2022-09-22"


def test_a_client_supplied_id_is_kept() -> None:
    given = str(uuid.uuid4())
    assert str(read(event("IncidentClosed", summary="done", event_id=given)).id) == given


def test_an_unknown_event_type_is_refused() -> None:
    assert refusal(event("VehicleTeleported")).field == "type"


def test_a_missing_data_field_is_named() -> None:
    error = refusal(event("VehicleDocked", vehicle="soyuz-ms-22"))
    assert error.field == "data.station"
    assert "required" in error.rule


def test_a_wrongly_typed_field_is_named() -> None:
    assert refusal(event("SeatCapacityChanged", vehicle="x", seats="three", reason="r")).field == "data.seats"


def test_a_field_the_type_does_not_have_is_refused() -> None:
    assert refusal(event("IncidentClosed", summary="s", colour="red")).field == "data.colour"


def test_a_fact_cannot_be_reported_before_it_happened() -> None:
    error = refusal(event("IncidentClosed", "2022-12-14", reported_at="2022-12-13", summary="s"))
    assert error.field == "reported_at"


def test_the_log_sets_recorded_at_never_the_writer() -> None:
    raw = event("IncidentClosed", summary="s") | {"recorded_at": "2022-12-14"}
    assert refusal(raw).field == "recorded_at"


def test_a_source_is_required() -> None:
    raw = event("IncidentClosed", summary="s")
    del raw["source"]
    assert refusal(raw).field == "source"


def test_ids_are_slugs() -> None:
    assert refusal(event("VehicleRegistered", id="Soyuz MS-22", name="n", kind="k", seats=3)).field == "data.id"


@pytest.mark.parametrize(("raw", "field"), [
    (event("VehicleRegistered", id="capsule-1\n", name="n", kind="k", seats=3), "data.id"),
    (event("IncidentClosed", summary="s", incident="leak\n"), "incident"),
    (event("IncidentClosed", summary="s", event_id=str(uuid.uuid4()) + "\n"), "id"),
    (event("EntryRetracted", target=str(uuid.uuid4()) + "\n", reason="r"), "data.target"),
])
def test_an_id_with_a_line_break_after_it_is_refused(raw: dict[str, object], field: str) -> None:
    assert refusal(raw).field == field


def test_based_on_must_name_event_ids() -> None:
    assert refusal(event("IncidentClosed", summary="s", based_on=["the leak"])).field == "based_on[0]"


def test_an_event_may_belong_to_several_incidents() -> None:
    assert read(event("IncidentClosed", summary="s", incident=["a", "b"])).incidents == ("a", "b")


def test_line_breaks_and_tabs_are_kept_in_quoted_text() -> None:
    raw = event("StatementIssued", speaker="s", summary="first line\n\tsecond line")
    assert draft(raw).payload.to_json()["summary"] == "first line\n\tsecond line"


@pytest.mark.parametrize("text", ["\x00", "a\x07b", "\x1b[31mred", "\x7f", "\u0085"])
def test_control_characters_are_refused_in_any_text(text: str) -> None:
    with pytest.raises(InvalidValue) as refused:
        draft(event("StatementIssued", speaker=text, summary="s"))
    assert refused.value.field == "data.speaker"


def test_a_plan_withdrawn_names_a_vehicle_or_a_crew_member_not_both() -> None:
    with pytest.raises(InvalidValue) as refused:
        draft(event("PlanWithdrawn", plan="launch", reason="r", vehicle="v", crew_member="c"))
    assert refused.value.field == "data.vehicle"

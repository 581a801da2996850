"""Every projected value can say which event set it, and what that rests on."""

from datetime import UTC, datetime

from projections.history import history
from projections.horizon import Horizon
from projections.state import find_crew, project
from tests.factories import NOW, crew_member, docked_with_crew, event, new_id
from tests.projections.test_station_state import entries_of

LATER = datetime(2030, 1, 1, tzinfo=UTC)
LEAK, FINDING, ASSESSMENT = new_id(), new_id(), new_id()
STORY = [
    *docked_with_crew("soyuz", ["a", "b", "c"]),
    event("LeakDetected", "2022-12-14", event_id=LEAK, vehicle="soyuz", system="cooling", description="d"),
    event("FindingIssued", "2023-01-11", event_id=FINDING, based_on=[LEAK], authority="commission",
          cause="micrometeoroid", method="proven experimentally", summary="s"),
    event("VehicleDamageAssessed", "2023-01-11", event_id=ASSESSMENT, based_on=[FINDING], vehicle="soyuz",
          health="damaged", crewed_return="emergency_only"),
]


def test_a_field_names_the_event_that_set_it_and_its_evidence_chain() -> None:
    state = project(entries_of(*STORY), Horizon(LATER, LATER))
    why = state.explain(state.picture.vehicles["soyuz"], "crewed_return")
    assert why["value"] == "emergency_only"
    assert why["set_by"]["id"] == ASSESSMENT
    assert [e["id"] for e in why["evidence"]] == [FINDING, LEAK]
    assert why["evidence"][0]["source"] == "test"


def test_evidence_not_yet_reported_is_named_not_hidden() -> None:
    late_story = [*STORY[:-3], event("LeakDetected", "2022-12-14", reported_at="2023-02-01", event_id=LEAK,
                                     vehicle="soyuz", system="cooling", description="d"), *STORY[-2:]]
    state = project(entries_of(*late_story), Horizon.parse(None, "2023-01-20", None, NOW))
    why = state.explain(state.picture.vehicles["soyuz"], "crewed_return")
    assert why["evidence"][1] == {"id": LEAK, "known": False, "note": "not reported by known_at, or retracted"}


def test_state_json_explains_every_field_on_request() -> None:
    body = project(entries_of(*STORY), Horizon(LATER, LATER)).to_json(explain=True)
    assert body["vehicles"]["soyuz"]["explain"]["health"]["set_by"]["type"] == "VehicleDamageAssessed"


def test_a_history_lists_each_change_with_its_cause_in_valid_time() -> None:
    changes = history(entries_of(*STORY), Horizon(LATER, LATER), "vehicle", "soyuz")
    assert changes is not None
    health = [(c["occurred_at"], c["changes"]["health"]["to"]) for c in changes if "health" in c["changes"]]
    assert health == [("2022-09-01", "nominal"), ("2022-12-14", "damaged")]
    assert changes[-1]["event"]["id"] == ASSESSMENT


def test_a_history_as_known_earlier_leaves_out_what_was_learned_later() -> None:
    changes = history(entries_of(*STORY), Horizon.parse(None, "2022-12-31", None, NOW), "vehicle", "soyuz")
    assert changes is not None and changes[-1]["event"]["id"] == LEAK


def test_a_crew_history_finds_them_by_alias_and_an_unknown_name_has_none() -> None:
    entries = entries_of(*STORY)
    assert history(entries, Horizon(LATER, LATER), "crew", "A") is not None
    assert history(entries, Horizon(LATER, LATER), "crew", "nobody") is None


def test_a_crew_id_names_that_member_even_where_an_earlier_one_has_it_as_an_alias() -> None:
    """As for vehicles, and as the read model keeps views: by id first; a
    name that is no one's id goes to the first member to answer to it."""
    entries = entries_of(crew_member("a", occurred_at="2022-01-01", aliases=["b"]),
                         crew_member("b", occurred_at="2022-06-01"))
    picture = project(entries, Horizon(LATER, LATER)).picture
    assert find_crew(picture, "b") is picture.crew["b"]
    assert find_crew(picture, "B") is picture.crew["a"]  # no one's id: the first to answer, by alias
    for name, member in (("b", "b"), ("B", "a")):
        changes = history(entries, Horizon(LATER, LATER), "crew", name)
        assert changes is not None and changes[0]["changes"]["name"]["to"] == member.upper(), name

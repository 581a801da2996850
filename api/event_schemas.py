"""What `POST /events` and `/events/batch` take, as OpenAPI schemas generated
from the domain's declaration of every event type (`domain.vocabulary`).

The handlers read the body as JSON and let the domain (`domain.entry.Draft`)
check it, so that every refusal names its field the same way whatever sent
it. These schemas only say the same thing to a client: one schema per event
type, in a union discriminated on `type`, with each data field's type and
bounds as the domain checks them. A field's type is read from its
annotation, so a new event type or field appears here without being written
twice.

What no schema can say is left to the domain and answered with 422 or 409: a
vehicle that is not registered, a movement out of order, a report before the
fact, a target date that is not one of the forms it reads.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel, ConfigDict, Field, RootModel, TypeAdapter, create_model

from api.formats import EVENT_TIME_PATTERN
from domain.times import TargetDate
from domain.vocabulary import (
    EVENT_TYPES,
    MAX_ITEMS,
    MAX_SEATS,
    MAX_SLUG,
    MAX_TEXT,
    SLUG,
    Changes,
    CrewId,
    EventId,
    IncidentId,
    NewId,
    Payload,
    Seats,
    VehicleId,
    describe_types,
)

REF = "#/components/schemas/{model}"
# Not `uniqueItems`: the log refuses a repeat (422) all the same, and a generator asked for a
# thousand distinct ids at the bound takes minutes to find them.
EACH_ONCE = "each named once."
EVENT_SCHEMA = "Event"  # the union, as a component of the document

# Characters the domain refuses in text (`domain.vocabulary.checked_text`): controls but tab and line breaks.
_CONTROL = r"\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f"
# What Python's str.strip() removes, less the controls above: a text of only these is blank.
_BLANK = r"\t\n\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
TEXT_PATTERN = rf"^[^{_CONTROL}]*[^{_CONTROL}{_BLANK}][^{_CONTROL}]*$"
SLUG_PATTERN = SLUG.pattern
UUID_PATTERN = "^" + "-?".join(f"[0-9a-fA-F]{{{n}}}" for n in (8, 4, 4, 4, 12)) + "$"

# Named, so that the document holds each pattern once and every field refers to it.
class Text(RootModel[str]):
    """Text: not blank, at most 10,000 characters, no control characters but tabs and line breaks."""

    root: str = Field(min_length=1, max_length=MAX_TEXT, pattern=TEXT_PATTERN)


class Slug(RootModel[str]):
    """An id: a lowercase slug (letters, digits, single hyphens), e.g. `capsule-1`."""

    root: str = Field(max_length=MAX_SLUG, pattern=SLUG_PATTERN)


class EventIdText(RootModel[str]):
    """An event id: a UUID."""

    root: str = Field(pattern=UUID_PATTERN)


class EventTime(RootModel[str]):
    """A time: a date (`2025-05-14`) or a date-time with Z or an offset (`2025-05-14T20:45Z`)."""

    root: str = Field(json_schema_extra={"pattern": EVENT_TIME_PATTERN})  # only documented: pydantic has no look-ahead


class TargetDateText(RootModel[str]):
    """A target date: `2025-02-20`, `2025-02-20T14:30Z`, `2025-03`, `2025`, `no earlier than 2025-02-24`,
    `not later than 2025-03`, `early|mid|late 2025-03`, `not announced` or `to be set`."""

    root: str = Field(pattern=rf"[^{_BLANK}]")


# Each kind of value a payload field may hold, as the domain reads it (`domain.vocabulary._coerce`).
_KINDS: dict[Any, Any] = {
    VehicleId: Slug, CrewId: Slug, IncidentId: Slug, NewId: Slug,
    EventId: EventIdText,
    Seats: Annotated[int, Field(ge=0, le=MAX_SEATS)],
    bool: bool,
    str: Text,
    TargetDate: TargetDateText,
    Changes: Annotated[dict[str, Any], Field(min_length=1)],
}


def _annotation(hint: Any) -> Any:
    """The pydantic type that describes what the domain accepts for a field annotated `hint`."""
    origin = get_origin(hint)
    if origin in (Union, types.UnionType):
        (option,) = [a for a in get_args(hint) if a is not type(None)]
        return _annotation(option) | None
    if origin is Literal:
        return hint
    if origin is tuple:
        item = _annotation(get_args(hint)[0])
        return Annotated[list[item], Field(max_length=MAX_ITEMS, description=EACH_ONCE)]  # type: ignore[valid-type]
    return _KINDS[hint]


def _data_model(cls: type[Payload], summary: str) -> type[BaseModel]:
    hints = typing.get_type_hints(cls)
    fields: dict[str, Any] = {}
    for field in dataclasses.fields(cls):  # type: ignore[arg-type]
        default = field.default
        if default is dataclasses.MISSING:
            fields[field.name] = (_annotation(hints[field.name]), ...)
        else:
            fields[field.name] = (_annotation(hints[field.name]), list(default) if isinstance(default, tuple)
                                  else default)
    return create_model(f"{cls.type_name}Data", __config__=ConfigDict(extra="forbid", title=f"{cls.type_name} data"),
                        __doc__=summary, **fields)


def _event_model(cls: type[Payload], summary: str) -> type[BaseModel]:
    data = _data_model(cls, summary)
    discriminator: Any = Literal[cls.type_name]
    has_required_data = any(f.default is dataclasses.MISSING for f in dataclasses.fields(cls))  # type: ignore[arg-type]
    return create_model(
        f"{cls.type_name}Event", __config__=ConfigDict(extra="forbid", title=cls.type_name), __doc__=summary,
        id=(EventIdText | None, Field(None, description="Chosen by the writer to make retries safe: the same id with "
                                                 "the same content is the same event. Default: a new id.")),
        type=(discriminator, ...),
        occurred_at=(EventTime, Field(description="Valid time: when it happened (a date, or a date-time with "
                                                  "Z or an offset).")),
        reported_at=(EventTime | None, Field(None, description="Knowledge time: when it became known (not "
                                                               "before occurred_at). Default: when it is recorded.")),
        source=(Text, Field(description="Who said it, and where.")),
        based_on=(Annotated[list[EventIdText], Field(max_length=MAX_ITEMS)],
                  Field([], description="Ids of the events it rests on, already in the log; " + EACH_ONCE)),
        incident=(Annotated[str, Field(pattern=SLUG_PATTERN)] | None,
                  Field(None, description="The incident it belongs to (or give `incidents`, not both).")),
        incidents=(list[Annotated[str, Field(pattern=SLUG_PATTERN)]] | None,
                   Field(None, description="The incidents it belongs to.")),
        data=(data, ... if has_required_data else None),
    )


def _event_union() -> Any:
    summaries = {t.name: t.summary for t in describe_types()}
    models = tuple(_event_model(cls, summaries[name]) for name, cls in EVENT_TYPES.items())
    return Annotated[Union[models], Field(discriminator="type")]  # noqa: UP007 - a union built at run time


EventIn = _event_union()


def event_components() -> dict[str, Any]:
    """The schemas to add to the document's components: `Event` and one per event type and its data."""
    schema = TypeAdapter(EventIn).json_schema(ref_template=REF)
    components: dict[str, Any] = schema.pop("$defs")
    components[EVENT_SCHEMA] = {**schema, "title": "Event",
                                "description": "An event, as a writer sends it: its `type` says which fields "
                                               "`data` holds."}
    return components


def refer_to_event(schema: dict[str, Any]) -> None:
    """For a body read as any JSON object: document it as an event instead."""
    schema.clear()
    schema["$ref"] = REF.format(model=EVENT_SCHEMA)


def refer_to_events(schema: dict[str, Any]) -> None:
    """For a list read as any JSON objects: document each as an event instead."""
    schema["items"] = {"$ref": REF.format(model=EVENT_SCHEMA)}

"""Events as JSON Lines: reading a file into drafts, and naming the line that is wrong.

An import is checked in full before anything is stored: every line is parsed
(syntax and field rules), then the whole file is checked against the log as it
stands, with the same write-side rules the store applies (references, movement
order, duplicate ids). Only then is it appended, in batches; each batch is
atomic. A batch can still be refused if another writer changed the log in
between (say, registered the same vehicle), and then the earlier batches stay
stored: importing the file again skips them if its events carry ids.

An export carries each event's hash (`store.chain`). Its lines are checked
against their own content and order before anything else: a line whose hash
does not follow from what it says and the line before it is refused, so an
export changed after it was written is not imported as if it were the
original. The importing store chains the events anew, at their new
positions. Lines without a hash (events written by hand, or the tail of an
export whose store was not wholly sealed) are imported unchecked, after the
hashed ones only.
"""

from __future__ import annotations

import dataclasses
import json
import re
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from domain.entry import SYSTEM_FIELDS, Draft, Entry
from domain.errors import DomainError
from store.application import IncidentLogApplication
from store.chain import LINE_ONLY, ExportCheck, record_of

MAX_REPORTED = 10  # bad lines listed before the rest are only counted
_IN_BATCH = re.compile(r"^events\[(\d+)\](?:\.(.*))?$")


@dataclass(frozen=True)
class Line:
    """An event read from line `number` of the file (counting from 1)."""

    number: int
    draft: Draft


@dataclass(frozen=True)
class LineError:
    number: int
    field: str
    rule: str

    def __str__(self) -> str:
        return f"line {self.number}: {self.field}: {self.rule}" if self.field else f"line {self.number}: {self.rule}"


class BadLines(Exception):
    """The file cannot be imported; `errors` are the first few bad lines."""

    def __init__(self, errors: list[LineError], count: int | None = None) -> None:
        super().__init__("; ".join(map(str, errors)))
        self.errors = errors
        self.count = len(errors) if count is None else count


def read_events(stream: Iterable[str], new_id: Callable[[], UUID] = uuid.uuid4,
                on_line: Callable[[int], None] | None = None, on_behalf_of: str | None = None) -> list[Line]:
    """Parse every line; raise `BadLines` naming the bad ones, or return the events
    (entered `on_behalf_of` someone, when given).

    Blank lines and lines starting with ``#`` are skipped. The keys only an
    export carries (``recorded_at``, ``actor``, ``on_behalf_of``, ``position``)
    are dropped, so an export imports again, once its hashes are checked.
    """
    lines: list[Line] = []
    errors: list[LineError] = []
    first_seen: dict[UUID, int] = {}
    chain = ExportCheck()
    number = 0
    try:
        for number, text in enumerate(stream, 1):
            if on_line is not None:
                on_line(number)
            error = _parse(number, text.strip(), new_id, first_seen, lines, on_behalf_of, chain)
            if error is not None:
                errors.append(error)
    except UnicodeDecodeError:
        errors.append(LineError(number + 1, "", "is not UTF-8 text"))
    if errors:
        raise BadLines(errors[:MAX_REPORTED], len(errors))
    return lines


def _parse(number: int, text: str, new_id: Callable[[], UUID], first_seen: dict[UUID, int],
           lines: list[Line], on_behalf_of: str | None, chain: ExportCheck) -> LineError | None:
    if not text or text.startswith("#"):
        return None
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as error:
        return LineError(number, "", f"is not valid JSON: {error.msg} (column {error.colno})")
    if isinstance(raw, dict):
        if (broken := chain.line(number, raw)) is not None:
            return LineError(number, "hash", broken.detail)
        raw = {key: value for key, value in raw.items() if key not in SYSTEM_FIELDS and key not in LINE_ONLY}
    try:
        draft = Draft.from_json(raw, new_id)
    except DomainError as error:
        return LineError(number, error.field, error.rule)
    if draft.id in first_seen:
        return LineError(number, "id", f"event {draft.id} is already on line {first_seen[draft.id]}; "
                         "an event appears once in a file")
    first_seen[draft.id] = number
    lines.append(Line(number, dataclasses.replace(draft, on_behalf_of=on_behalf_of)))
    return None


def export_lines(entries: Sequence[Entry], hashes: Sequence[str | None]) -> Iterator[dict[str, Any]]:
    """Entries as export lines: each one's record, with its hash where the chain reaches it."""
    for entry, digest in zip(entries, hashes, strict=True):
        line = record_of(entry)
        if digest is not None:
            line["hash"] = digest
        yield line


def chain_hashes(application: IncidentLogApplication, entries: Sequence[Entry]) -> list[str | None]:
    """The chain's hash of each entry (None where it does not reach), in their order."""
    if not entries:
        return []
    found = dict(application.chain.hashes(entries[0].position, entries[-1].position))
    return [found.get(entry.position) for entry in entries]


def check_against(application: IncidentLogApplication, lines: Sequence[Line], actor: str) -> int:
    """Check the whole file against the log, as one batch would be; return how
    many of its events the log already holds (idempotent retries)."""
    try:
        return application.check([line.draft for line in lines], actor)
    except DomainError as error:
        raise BadLines([refusal_at_line(error, lines)]) from None


def refusal_at_line(error: DomainError, batch: Sequence[Line]) -> LineError:
    """Turn a refusal of a batch (``events[3].data.vehicle``) into one of a line."""
    match = _IN_BATCH.match(error.field)
    if match and len(batch) > 1:
        return LineError(batch[int(match[1])].number, match[2] or "", error.rule)
    return LineError(batch[0].number, error.field, error.rule)


def batches(lines: Sequence[Line], size: int) -> Iterator[Sequence[Line]]:
    for start in range(0, len(lines), size):
        yield lines[start:start + size]

"""Events as JSON Lines: reading a file into drafts, and naming the line that is wrong.

An import is checked in full before anything is stored: every line is parsed
(syntax and field rules) and checked against the log as it stands and the
lines before it, with the same write-side rules the store applies
(references, movement order, duplicate ids), a part at a time. Only then is
the file read again and appended, in batches; each batch is atomic. Neither
pass holds the file: the check keeps where each event's line is and reads
back the few that later lines amend or rest on (`HeldEvents`), so an event
may name events of earlier lines (or of its own batch), as the batches will
be stored. A batch can still be refused if another writer changed the log in
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
import itertools
import json
import re
import uuid
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, MutableMapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from uuid import UUID

from domain.entry import SYSTEM_FIELDS, Draft, Entry
from domain.errors import DomainError
from store.application import IncidentLogApplication
from store.chain import LINE_ONLY, ExportCheck, record_of

MAX_REPORTED = 10  # bad lines listed before the rest are only counted
_IN_BATCH = re.compile(r"^events\[(\d+)\](?:\.(.*))?$")
_BYTE_ORDER_MARK = b"\xef\xbb\xbf"  # not part of line 1, if a file starts with one


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


class EventFile:
    """A file of events, read one line at a time as often as an import needs
    (to check it, then to store it), and never held whole."""

    def __init__(self, path: Path, on_behalf_of: str | None = None,
                 new_id: Callable[[], UUID] = uuid.uuid4) -> None:
        self.path, self.on_behalf_of, self._new_id = path, on_behalf_of, new_id

    @property
    def size(self) -> int:
        return self.path.stat().st_size

    def read(self, errors: list[LineError], on_bytes: Callable[[int], None] | None = None) -> Iterator[
            tuple[int, Line]]:
        """(where its line starts, the event) for every event, in file order. A
        bad line is added to `errors` and skipped; `on_bytes` hears how far
        the reading got.

        Blank lines and lines starting with ``#`` are skipped. The keys only an
        export carries (``recorded_at``, ``actor``, ``on_behalf_of``,
        ``position``) are dropped, so an export imports again, once its hashes
        are checked.
        """
        first_seen: dict[int, int] = {}  # event id (as a number: smaller than a UUID) -> its line
        chain = ExportCheck()
        offset = 0
        with self.path.open("rb") as stream:
            for number, raw in enumerate(stream, 1):
                at, offset = offset, offset + len(raw)
                if on_bytes is not None:
                    on_bytes(offset)
                try:
                    text = (raw.removeprefix(_BYTE_ORDER_MARK) if number == 1 else raw).decode()
                except UnicodeDecodeError:
                    errors.append(LineError(number, "", "is not UTF-8 text"))
                    continue
                found = _parse(number, text.strip(), self._new_id, first_seen, self.on_behalf_of, chain)
                if isinstance(found, LineError):
                    errors.append(found)
                elif found is not None:
                    yield at, found

    def line_at(self, offset: int, number: int = 0) -> Line:
        """The event on the line starting at `offset`, read again."""
        with self.path.open("rb") as stream:
            stream.seek(offset)
            raw = stream.readline()
        found = _parse(number, raw.removeprefix(_BYTE_ORDER_MARK).decode().strip(), self._new_id, {},
                       self.on_behalf_of, None)
        assert isinstance(found, Line), f"the line at byte {offset} of {self.path} changed while it was imported"
        return found


class HeldEvents(MutableMapping[UUID, Entry]):
    """The events of a file checked so far (`domain.log.PartsCheck`), held as
    where each one's line is: an event a later one names (it amends or rests
    on it) is read from the file again, and the last few read are kept."""

    def __init__(self, file: EventFile, keep: int = 10_000) -> None:
        self._file, self._keep = file, keep
        self._at: dict[int, int] = {}  # event id (as a number) -> where its line starts
        self._noted: dict[int, int] = {}  # the same, for the part being checked
        self._kept: OrderedDict[UUID, Entry] = OrderedDict()
        self._made: tuple[datetime, str] | None = None  # the recording time and actor the check gives

    def note(self, event_id: UUID, offset: int) -> None:
        """Where the line of an event about to be checked starts."""
        self._noted[event_id.int] = offset

    def __setitem__(self, event_id: UUID, entry: Entry) -> None:
        self._at[event_id.int] = self._noted.pop(event_id.int)
        self._made = (entry.recorded_at, entry.actor)
        self._keep_one(entry)

    def __getitem__(self, event_id: UUID) -> Entry:
        if event_id in self._kept:
            self._kept.move_to_end(event_id)
            return self._kept[event_id]
        offset = self._at[event_id.int]  # KeyError: not checked yet
        assert self._made is not None
        entry = Entry.record(self._file.line_at(offset).draft, *self._made, position=0)
        self._keep_one(entry)
        return entry

    def __contains__(self, event_id: object) -> bool:
        return isinstance(event_id, UUID) and event_id.int in self._at

    def __delitem__(self, event_id: UUID) -> None:
        del self._at[event_id.int]
        self._kept.pop(event_id, None)

    def __iter__(self) -> Iterator[UUID]:
        return (UUID(int=key) for key in self._at)

    def __len__(self) -> int:
        return len(self._at)

    def _keep_one(self, entry: Entry) -> None:
        self._kept[entry.id] = entry
        if len(self._kept) > self._keep:
            self._kept.popitem(last=False)


def _parse(number: int, text: str, new_id: Callable[[], UUID], first_seen: dict[int, int],
           on_behalf_of: str | None, chain: ExportCheck | None) -> Line | LineError | None:
    if not text or text.startswith("#"):
        return None
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as error:
        return LineError(number, "", f"is not valid JSON: {error.msg} (column {error.colno})")
    if isinstance(raw, dict):
        if chain is not None and (broken := chain.line(number, raw)) is not None:
            return LineError(number, "hash", broken.detail)
        raw = {key: value for key, value in raw.items() if key not in SYSTEM_FIELDS and key not in LINE_ONLY}
    try:
        draft = Draft.from_json(raw, new_id)
    except DomainError as error:
        return LineError(number, error.field, error.rule)
    if draft.id.int in first_seen:
        return LineError(number, "id", f"event {draft.id} is already on line {first_seen[draft.id.int]}; "
                         "an event appears once in a file")
    first_seen[draft.id.int] = number
    return Line(number, dataclasses.replace(draft, on_behalf_of=on_behalf_of))


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


def refusal_at_line(error: DomainError, batch: Sequence[Line]) -> LineError:
    """Turn a refusal of a batch (``events[3].data.vehicle``) into one of a line."""
    match = _IN_BATCH.match(error.field)
    if match and len(batch) > 1:
        return LineError(batch[int(match[1])].number, match[2] or "", error.rule)
    return LineError(batch[0].number, error.field, error.rule)


def batches(lines: Iterable[Line], size: int) -> Iterator[list[Line]]:
    """`lines` in lists of `size` (the last may be shorter)."""
    stream = iter(lines)
    while batch := list(itertools.islice(stream, size)):
        yield batch

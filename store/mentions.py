"""What each entry names, so that an audit or a case file loads only the
entries it is about (`store.bounded_reads`) instead of the whole log.

One table, `incidentlog_mentions`, rows (kind, name, root, position), written
in the same transaction as the entries they come from (like the entry index,
`store.entry_index`, whose *families* they use: `root` is the event an entry
ultimately amends, itself for an event). An entry gives:

- ``type``: its type (every entry has one, so the table's highest position is
  the last entry indexed);
- ``incident``: each incident it is filed under (`incidents`) and the incident
  it opens; neither can be corrected;
- ``rests_on``: each event it rests on (`based_on`, which no correction changes),
  for a fact;
- ``vehicle``, ``crew``: the vehicles and crew members its data names or registers;
- ``supersedes``: each decision it supersedes.

Corrections can change what an event's data names. A correction gives, for its
family's root, a row of kind ``*`` for every text anywhere in its changes: a
superset of what any version of the event names, so a question asks for
`(kind or *, name)` and checks what it loads. Retractions name nothing new.

Rows are built from the stored record's JSON (`Named.of_record`), so that a
rebuild need not check every payload again.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from domain import vocabulary as v
from domain.entry import Entry
from store.database import Database, Rows, chunks, marks
from store.records import EntryRecorded

MENTIONS_VERSION = "1"
ANY = "*"  # a correction's text: it may name anything
SUBJECTS = ("vehicle", "crew")


@dataclass(frozen=True)
class Named:
    """What the index reads of an entry: its envelope, and its data as JSON."""

    position: int
    id: UUID
    type: str
    incidents: tuple[str, ...]
    based_on: tuple[str, ...]
    data: dict[str, Any]

    @classmethod
    def of_entry(cls, entry: Entry) -> Named:
        return cls(entry.position, entry.id, entry.type, entry.incidents, tuple(str(i) for i in entry.based_on),
                   entry.payload.to_json())

    @classmethod
    def of_record(cls, record: EntryRecorded, position: int) -> Named:
        return cls(position, record.originator_id, record.type, tuple(record.incidents), tuple(record.based_on),
                   record.data)

    def mentions(self) -> Iterator[tuple[str, str]]:
        """(kind, name) for each thing the entry names; for an amendment, `*` rows."""
        kind = v.EVENT_TYPES[self.type]
        yield "type", self.type
        if kind.amends:
            for text in _texts({k: value for k, value in self.data.items() if k != "target"}):
                yield ANY, text
            return
        for incident in self.incidents:
            yield "incident", incident
        registered = self.data.get("id") if kind.registers else None
        if isinstance(registered, str):
            yield kind.registers or "", registered  # an incident, vehicle or crew member it registers
        for evidence in self.based_on:
            yield "rests_on", UUID(evidence).hex
        for field, named in _referring_fields(self.type):
            value = self.data.get(field)
            for item in value if isinstance(value, list) else [value]:
                if isinstance(item, str):
                    yield named, item
        for superseded in self.data.get("supersedes", []) if self.type == "DecisionTaken" else []:
            yield "supersedes", UUID(superseded).hex


def _referring_fields(type_name: str) -> tuple[tuple[str, str], ...]:
    return tuple((name, kind) for name, kind in v._referring_fields(type_name) if kind in SUBJECTS)


def _texts(data: Any) -> Iterator[str]:
    if isinstance(data, str):
        yield data
        with contextlib.suppress(ValueError):
            yield UUID(data).hex  # an id in a correction's `supersedes`, as the supersedes rows write it
    elif isinstance(data, dict):
        for value in data.values():
            yield from _texts(value)
    elif isinstance(data, list):
        for value in data:
            yield from _texts(value)


class MentionIndex:
    """The table, kept with the log, and the questions asked of it."""

    def __init__(self, database: Database) -> None:
        self.db = database
        self.table = database.table("mentions")
        self.entries = database.table("entries")  # the entry index: an amendment's root
        self.meta = database.table("meta")  # created by the entry index

    def create(self, rows: Rows) -> None:
        rows.execute(self.db.ddl(f"CREATE TABLE IF NOT EXISTS {self.table} (kind TEXT NOT NULL, "
                                 "name TEXT NOT NULL, root TEXT NOT NULL, position {int} NOT NULL)"))
        rows.execute(f"CREATE INDEX IF NOT EXISTS incidentlog_mentions_name ON {self.table} (kind, name, position)")
        rows.execute(f"CREATE INDEX IF NOT EXISTS incidentlog_mentions_position ON {self.table} (position)")

    def add(self, rows: Rows, entries: Sequence[Entry]) -> None:
        """Index newly stored entries, inside their transaction (after the
        entry index has its rows: an amendment's root is read from it)."""
        self._insert(rows, [Named.of_entry(e) for e in entries])

    def _insert(self, rows: Rows, items: Sequence[Named]) -> None:
        amended = [UUID(item.data["target"]) for item in items if v.EVENT_TYPES[item.type].amends]
        roots = self._roots(rows, amended)
        inserts = []
        for item in items:
            root = roots[UUID(item.data["target"])] if v.EVENT_TYPES[item.type].amends else item.id.hex
            inserts += [(kind, name, root, item.position) for kind, name in dict.fromkeys(item.mentions())]
        rows.executemany(f"INSERT INTO {self.table} (kind, name, root, position) VALUES (?, ?, ?, ?)", inserts)

    def _roots(self, rows: Rows, ids: Sequence[UUID]) -> dict[UUID, str]:
        found: dict[UUID, str] = {}
        for chunk in chunks([i.hex for i in ids]):
            for event_id, root in rows.execute(f"SELECT id, root FROM {self.entries} WHERE id IN ({marks(chunk)})",
                                               chunk).all():
                found[UUID(event_id)] = str(root)
        return found

    def behind(self, head: int) -> bool:
        """Does the table lack entries the log holds (a store from before it), or have another shape?"""
        with self.db.reading() as rows:
            version = rows.execute(f"SELECT value FROM {self.meta} WHERE key = 'mentions'").one()
            last = rows.execute(f"SELECT MAX(position) FROM {self.table}").one()
        indexed = int(last[0]) if last and last[0] is not None else 0
        return (version[0] if version else None) != MENTIONS_VERSION or indexed < head

    # Rebuilt with the read model's index, in its pass and transaction (`ReadModel.index_log`).

    def clear(self, rows: Rows) -> None:
        rows.execute(f"DELETE FROM {self.table}")
        rows.execute(f"DELETE FROM {self.meta} WHERE key = 'mentions'")

    def add_records(self, rows: Rows, records: Sequence[tuple[EntryRecorded, int]]) -> None:
        self._insert(rows, [Named.of_record(record, position) for record, position in records])

    def set_version(self, rows: Rows) -> None:
        rows.execute(f"DELETE FROM {self.meta} WHERE key = 'mentions'")
        rows.execute(f"INSERT INTO {self.meta} (key, value) VALUES ('mentions', ?)", (MENTIONS_VERSION,))

    # --- Reading ------------------------------------------------------------

    def roots(self, rows: Rows, kind: str, names: Iterable[str], position: int, any_kind: bool = False) -> set[str]:
        """Families with an entry (up to `position`) naming one of `names` as
        `kind` (or, with `any_kind`, in a correction's changes)."""
        kinds = [kind, ANY] if any_kind else [kind]
        found: set[str] = set()
        for chunk in chunks(sorted(set(names))):
            found |= {str(r[0]) for r in rows.execute(
                f"SELECT root FROM {self.table} WHERE kind IN ({marks(kinds)}) AND name IN ({marks(chunk)}) "
                "AND position <= ?", (*kinds, *chunk, position)).all()}
        return found

    def typed(self, rows: Rows, type_name: str, prefix: str = "", limit: int | None = None) -> list[int]:
        """Positions of the events of a type (whose id starts `prefix`, in hex), in log order."""
        statement = f"SELECT position FROM {self.table} WHERE kind = 'type' AND name = ?"
        params: list[Any] = [type_name]
        if prefix:
            statement += " AND root >= ? AND root < ?"
            params += [prefix, prefix + "g"]  # hex digits sort before "g"
        statement += " ORDER BY position"
        if limit is not None:
            statement += " LIMIT ?"
            params.append(limit)
        return [int(r[0]) for r in rows.execute(statement, params).all()]

    def count_typed(self, rows: Rows, type_name: str, prefix: str = "") -> int:
        found = rows.execute(f"SELECT COUNT(*) FROM {self.table} WHERE kind = 'type' AND name = ? "
                             "AND root >= ? AND root < ?", (type_name, prefix, prefix + "g")).one()
        return int(found[0]) if found else 0

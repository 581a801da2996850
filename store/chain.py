"""The hash chain: evidence that the log was not changed behind its back.

Stored events are never rewritten, so their hashes live beside them, in a
table of our own (`incidentlog_chain`: position, hash, content), written in
the same transaction as the events (`store.recorders`, like the read model).
The previous hash is read in that transaction too, and appends take turns
(the library locks its table on PostgreSQL, SQLite has one writer at a time),
so two writers can never chain onto the same event: the chain cannot fork.

The encoding, so that anyone can check a hash without this code:

- The *record* of an event is its export line without ``hash``: the JSON
  object of `Entry.to_json()` (id, type, occurred_at, reported_at,
  recorded_at, source, actor, on_behalf_of, based_on, incidents, position,
  data) plus ``reported_at_given`` (did the writer give reported_at, or did the
  log fill in its recording time).
- *canonical(x)*: ``json.dumps(x, sort_keys=True, separators=(",", ":"),
  ensure_ascii=False)`` encoded as UTF-8: keys sorted, no spaces, non-ASCII
  text as itself, numbers as Python writes them.
- ``hash`` = SHA-256 (lower-case hex) of canonical(record with ``"previous"``
  added: the hash of the event before it in the log, 64 zeros for the first).
  Said otherwise: take an export line, replace its ``hash`` by the previous
  line's, and hash the canonical text.
- ``content`` = SHA-256 of canonical(record without id and position): what the
  event says, wherever it stands. It decides nothing (the hash covers it); it
  only tells a swap of two events from an edit when the chain breaks.

The chain covers the event as the log reads it (the library's stored state,
decoded), not the bytes: an edit that changes nothing the log reads is no
change. `verify` recomputes the chain from the events as stored, never from a
process's memory, and names the first position where it breaks and how; it
compares positions with the chain's rows, never with each other, since
PostgreSQL leaves gaps after a rollback. A head kept elsewhere (`POS:HASH`)
also catches a tail cut off or rewritten together with its chain rows.

A store from before the chain has events and no chain rows. Appends do not
chain onto such a log, and opening it does not seal it: sealing asserts that
what the store holds now is what was written, which only its operator can
say. `HashChain.seal` (the `incidentlog chain seal` command) does so once, in
pages, each in its own transaction under the writer lock, and can be resumed.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, Literal
from uuid import UUID

from eventsourcing.persistence import ApplicationRecorder, Notification

from domain.entry import Entry
from store.database import Database, Rows

GENESIS = "0" * 64  # the "previous" hash of the first event
PAGE = 1000  # events hashed or checked at a time
LINE_ONLY = frozenset({"hash", "reported_at_given"})  # the keys an export line adds for the chain

Decode = Callable[[Notification], Entry]
Kind = Literal["changed", "missing", "inserted", "reordered", "unchained", "unsealed", "truncated", "rewritten"]


def canonical(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False).encode("utf-8")


def record_of(entry: Entry) -> dict[str, Any]:
    """The event as the chain covers it: its export line without ``hash``."""
    return {**entry.to_json(), "reported_at_given": entry.draft.reported_at is not None}


def link_hash(record: dict[str, Any], previous: str) -> str:
    return hashlib.sha256(canonical({**record, "previous": previous})).hexdigest()


def content_hash(record: dict[str, Any]) -> str:
    return hashlib.sha256(canonical({k: v for k, v in record.items() if k not in ("id", "position")})).hexdigest()


@dataclass(frozen=True)
class Link:
    """A place in the chain: the hash of the event at `position` (0 and 64
    zeros before the first event)."""

    position: int
    hash: str

    @classmethod
    def parse(cls, text: str) -> Link:
        """``POS:HASH``, as `incidentlog head` prints it."""
        position, colon, digest = text.strip().partition(":")
        if not colon or not position.isdigit() or len(digest) != 64 \
                or any(c not in "0123456789abcdef" for c in digest.lower()):
            raise ValueError(f"{text!r} is not POS:HASH (a position, a colon and 64 hex digits)")
        return cls(int(position), digest.lower())

    def __str__(self) -> str:
        return f"{self.position}:{self.hash}"

    def to_json(self) -> dict[str, Any]:
        return {"position": self.position, "hash": self.hash}


START = Link(0, GENESIS)


@dataclass(frozen=True)
class Break:
    """Where the chain first fails to hold, and how."""

    position: int
    kind: Kind
    detail: str
    line: int | None = None  # in an export file

    def to_json(self) -> dict[str, Any]:
        found: dict[str, Any] = {"position": self.position, "kind": self.kind, "detail": self.detail}
        if self.line is not None:
            found["line"] = self.line
        return found


@dataclass(frozen=True)
class Verdict:
    """What a check found: `head` is the last event it found chained, and
    `broken` the first break after it, if any."""

    checked: int
    head: Link
    broken: Break | None

    @property
    def intact(self) -> bool:
        return self.broken is None

    def to_json(self) -> dict[str, Any]:
        return {"intact": self.intact, "checked": self.checked, "head": self.head.to_json(),
                "broken": self.broken.to_json() if self.broken else None}


class ChainError(Exception):
    """The chain cannot be extended (an event that cannot be read)."""


@dataclass(frozen=True)
class _Row:
    position: int
    hash: str
    content: str


class HashChain:
    """The chain's table, kept with the log, sealed once for an older store,
    and checked against the events as stored."""

    def __init__(self, database: Database, recorder: ApplicationRecorder, decode: Decode) -> None:
        self.db = database
        self.table = database.table("chain")
        self._recorder = recorder
        self._decode = decode

    def create(self, rows: Rows) -> None:
        rows.execute(self.db.ddl(f"CREATE TABLE IF NOT EXISTS {self.table} (position {{int}} PRIMARY KEY, "
                                 "hash TEXT NOT NULL, content TEXT NOT NULL)"))

    # --- Keeping it -----------------------------------------------------------

    def add(self, rows: Rows, entries: Sequence[Entry]) -> None:
        """Chain newly stored entries, inside the transaction that stores them,
        if the chain reaches the events stored before them (else the store is
        not sealed yet, and sealing will chain these too)."""
        if not entries:
            return
        ordered = sorted(entries, key=lambda e: e.position)
        db = self.db
        before, last, previous = rows.execute(
            f"SELECT (SELECT MAX({db.position_column}) FROM {db.events_table} WHERE {db.position_column} < ?), "
            f"(SELECT position FROM {self.table} ORDER BY position DESC LIMIT 1), "
            f"(SELECT hash FROM {self.table} ORDER BY position DESC LIMIT 1)", (ordered[0].position,)).one() \
            or (None, None, None)
        if before != last:
            return
        self._insert(rows, ordered, previous or GENESIS)

    def _insert(self, rows: Rows, ordered: Sequence[Entry], previous: str) -> None:
        made = []
        for entry in ordered:
            record = record_of(entry)
            previous = link_hash(record, previous)
            made.append((entry.position, previous, content_hash(record)))
        rows.executemany(f"INSERT INTO {self.table} (position, hash, content) VALUES (?, ?, ?)", made)

    def seal(self, lock: AbstractContextManager[Any], progress: Callable[[int], None] | None = None) -> int:
        """Chain the events the chain does not reach yet, a page per transaction,
        each under the writer `lock`; stopped, it resumes where it was. Returns
        how many events it chained."""
        sealed = 0
        while True:
            with lock, self.db.writing() as rows:
                last = self._last(rows)
                page = self._stored_after(rows, last.position)
                if not page:
                    return sealed
                entries = []
                for notification in page:
                    try:
                        entries.append(self._decode(notification))
                    except Exception as error:  # whatever the library or the domain refuses in it
                        raise ChainError(f"the event at position {notification.id} cannot be read, so it "
                                         f"cannot be sealed: {error}") from error
                self._insert(rows, entries, last.hash)
            sealed += len(page)
            if progress is not None:
                progress(len(page))

    def _last(self, rows: Rows) -> Link:
        found = rows.execute(f"SELECT position, hash FROM {self.table} ORDER BY position DESC LIMIT 1").one()
        return START if found is None else Link(int(found[0]), str(found[1]))

    def _stored_after(self, rows: Rows, position: int) -> list[Notification]:
        db = self.db
        return [Notification(id=int(n), originator_id=UUID(str(o)), originator_version=v, topic=t, state=bytes(s))
                for n, o, v, t, s in rows.execute(
                    f"SELECT {db.position_column}, originator_id, originator_version, topic, state "
                    f"FROM {db.events_table} WHERE {db.position_column} > ? ORDER BY {db.position_column} LIMIT ?",
                    (position, PAGE)).all()]

    # --- Reading it -----------------------------------------------------------

    def head(self) -> Link:
        """The chain's last link, unchecked (`verify` checks it)."""
        with self.db.reading() as rows:
            return self._last(rows)

    def events_after_head(self) -> int:
        """Events the chain does not reach (a store not sealed, or not wholly)."""
        db = self.db
        with self.db.reading() as rows:
            found = rows.execute(f"SELECT COUNT(*) FROM {db.events_table} WHERE {db.position_column} > ?",
                                 (self._last(rows).position,)).one()
        return int(found[0]) if found else 0

    def hashes(self, first: int, last: int) -> Iterator[tuple[int, str]]:
        """(position, hash) of the chained events in [first, last], in order."""
        for row in self._rows(first - 1, last):
            yield row.position, row.hash

    def _rows(self, after: int, until: int) -> Iterator[_Row]:
        while after < until:
            with self.db.reading() as rows:
                page = rows.execute(f"SELECT position, hash, content FROM {self.table} WHERE position > ? "
                                    "AND position <= ? ORDER BY position LIMIT ?", (after, until, PAGE)).all()
            yield from (_Row(int(p), str(h), str(c)) for p, h, c in page)
            if len(page) < PAGE:
                return
            after = int(page[-1][0])

    def _events(self, after: int, until: int) -> Iterator[Notification]:
        while after < until:
            page = self._recorder.select_notifications(after, limit=PAGE, stop=until, inclusive_of_start=False)
            yield from page
            if len(page) < PAGE:
                return
            after = page[-1].id

    def _bound(self) -> int:
        """The last position to check: what the log and the chain held at one
        moment (an append commits its events and links together, so a later
        one lies wholly beyond it)."""
        db = self.db
        with self.db.reading() as rows:
            found = rows.execute(f"SELECT (SELECT MAX({db.position_column}) FROM {db.events_table}), "
                                 f"(SELECT MAX(position) FROM {self.table})").one()
        return max((int(v) for v in (found or ()) if v is not None), default=0)

    def verify(self, expect: Link | None = None, progress: Callable[[int], None] | None = None,
               total: Callable[[int], None] | None = None) -> Verdict:
        """Recompute the chain from the events as stored and compare it, position
        by position, with the chain's rows; then, if given, with a head kept
        elsewhere. `total` is told how many positions there are to check,
        `progress` how many more were."""
        bound = self._bound()
        if total is not None:
            total(bound)
        walk = _Walk(expect)
        events, links = _Peek(self._events(0, bound)), _Peek(self._rows(0, bound))
        while (event := events.next) is not None or links.next is not None:
            row = links.next
            if event is None or (row is not None and row.position < event.id):
                assert row is not None
                return walk.broken(row.position, "missing", f"the chain holds position {row.position}, and the log "
                                   "holds no event there: it was deleted")
            if row is None or row.position > event.id:
                return walk.broken(*self._unchained(event.id, walk.head, more=row is not None))
            if (found := self._check(event, row, walk.head.hash)) is not None:
                return walk.broken(event.id, *found)
            walk.step(Link(event.id, row.hash))
            events.take()
            links.take()
            if progress is not None and walk.checked % PAGE == 0:
                progress(PAGE)
        if progress is not None:
            progress(walk.checked % PAGE)
        return walk.end()

    def _unchained(self, position: int, head: Link, more: bool) -> tuple[int, Kind, str]:
        if more:
            return position, "inserted", (f"the log holds an event at position {position} that the chain never "
                                          "held: it was inserted (or its chain row deleted)")
        if head == START:
            return position, "unsealed", ("the log holds events and no chain: it was never sealed "
                                          "(`incidentlog chain seal` asserts its present content is original)")
        return position, "unchained", (f"the chain ends at position {head.position} and the log goes on: a seal "
                                       "that did not finish (run `incidentlog chain seal` again), or events "
                                       "written around the log")

    def _check(self, event: Notification, row: _Row, previous: str) -> tuple[Kind, str] | None:
        """None if the event at this position is what was chained there."""
        try:
            record = record_of(self._decode(event))
        except Exception as error:  # whatever the library or the domain refuses in an edited event
            return "changed", f"the event at position {event.id} was changed: it cannot be read ({error})"
        if link_hash(record, previous) == row.hash:
            return None
        content = content_hash(record)
        if content != row.content:
            partner = self._swapped_with(event.id, content, row.content)
            if partner is not None:
                return "reordered", (f"the events at positions {event.id} and {partner} were swapped: each holds "
                                     "what the chain holds for the other")
            return "changed", f"the event at position {event.id} was changed: its content is not what was chained"
        return "changed", (f"the event at position {event.id}, or the chain's row for it, was changed: the "
                           "event's id or the chain's hash is not what was chained")

    def _swapped_with(self, position: int, content: str, chained: str) -> int | None:
        """The position whose chained content this event holds, and which holds
        this position's chained content, if any (only asked once the chain broke)."""
        with self.db.reading() as rows:
            others = rows.execute(f"SELECT position FROM {self.table} WHERE content = ? AND position <> ? "
                                  "ORDER BY position LIMIT 20", (content, position)).all()
        for (other,) in others:
            found = self._recorder.select_notifications(int(other), limit=1, stop=int(other))
            try:
                if found and found[0].id == int(other) and content_hash(record_of(self._decode(found[0]))) == chained:
                    return int(other)
            except Exception:  # an unreadable partner is no partner: the edit is reported as such
                continue
        return None


class _Peek:
    """An iterator whose next item can be looked at before it is taken."""

    def __init__(self, items: Iterator[Any]) -> None:
        self._items = items
        self.next: Any = next(items, None)

    def take(self) -> None:
        self.next = next(self._items, None)


class _Walk:
    """The chain as far as a check has followed it, and its verdict."""

    def __init__(self, expect: Link | None) -> None:
        self.expect = expect
        self.head = START
        self.checked = 0
        self.at_expected: str | None = GENESIS if expect is not None and expect.position == 0 else None

    def step(self, link: Link) -> None:
        self.head = link
        self.checked += 1
        if self.expect is not None and link.position == self.expect.position:
            self.at_expected = link.hash

    def broken(self, position: int, kind: Kind, detail: str, line: int | None = None) -> Verdict:
        return Verdict(self.checked, self.head, Break(position, kind, detail, line))

    def end(self) -> Verdict:
        """The verdict once every event was found chained: still broken if a head
        kept elsewhere is not on this chain."""
        expect = self.expect
        if expect is None or self.at_expected == expect.hash:
            return Verdict(self.checked, self.head, None)
        if self.at_expected is not None:
            return self.broken(expect.position, "rewritten", (
                f"the chain holds another hash at position {expect.position} than the head kept elsewhere: "
                "the log was rewritten from there or before"))
        if self.head.position < expect.position:
            return self.broken(expect.position, "truncated", (
                f"the log ends at position {self.head.position}, before the head kept elsewhere "
                f"({expect.position}): its tail was cut off"))
        return self.broken(expect.position, "rewritten", (
            f"the chain holds no event at position {expect.position}, the head kept elsewhere: "
            "the log was rewritten from there or before"))


class ExportCheck:
    """An export's lines checked against their own hashes, in file order.

    Each line's hash must follow from its content and the hash the line
    before it carries (so an edited line is named alone, and every later line
    still checks). Lines without a hash may only follow the hashed ones (a
    tail the store's chain did not reach); a file without any is not checked.
    """

    def __init__(self, expect: Link | None = None) -> None:
        self.walk = _Walk(expect)  # the lines found chained
        self._previous = GENESIS  # the hash the last hashed line carries
        self._position: int | None = None
        self._unhashed: tuple[int, int] | None = None  # (line, position) of the first line without a hash

    def line(self, number: int, raw: object) -> Break | None:
        """The break this line makes, if any."""
        if not isinstance(raw, dict):
            return Break(0, "changed", "is not a JSON object", number)
        given = raw.get("position")
        position = given if isinstance(given, int) and not isinstance(given, bool) else 0
        claimed = raw.get("hash")
        if claimed is None:
            if self._unhashed is None:
                self._unhashed = (number, position)
            return None
        if self._unhashed is not None:
            return Break(position, "inserted", f"carries a hash, and line {self._unhashed[0]} before it carries "
                         "none: hashed lines come first", number)
        if not isinstance(claimed, str) or position <= 0:
            return Break(position, "changed", "an export line carries its hash as text beside its position "
                         "(a whole number)", number)
        found = None
        if position <= (self._position or 0):
            found = Break(position, "reordered", f"position {position} comes after {self._position or 0}: "
                          "the lines are out of the log's order", number)
        elif link_hash({k: v for k, v in raw.items() if k != "hash"}, self._previous) != claimed:
            first = "the genesis hash (64 zeros)" if self._position is None else "the hash of the line before"
            found = Break(position, "changed", f"its hash does not follow from its content and {first}: the line "
                          "was changed, or a line before it removed or moved", number)
        else:
            self.walk.step(Link(position, claimed))
        self._previous, self._position = claimed, position
        return found

    def end(self) -> Verdict:
        """The verdict on the whole file, once every line was checked and none broke."""
        if self._unhashed is not None:
            number, position = self._unhashed
            kind: Kind = "unsealed" if self.walk.checked == 0 else "unchained"
            why = "no line carries a hash" if kind == "unsealed" else "it carries no hash"
            return self.walk.broken(position, kind, f"cannot be checked: {why}", number)
        return self.walk.end()


def verify_lines(lines: Iterable[tuple[int, object]], expect: Link | None = None,
                 progress: Callable[[int], None] | None = None) -> Verdict:
    """Check an export's (line number, parsed JSON) pairs: the first break, or the head."""
    check = ExportCheck(expect)
    rest = iter(lines)
    for count, (number, raw) in enumerate(rest, 1):
        if (found := check.line(number, raw)) is not None:
            return Verdict(check.walk.checked, check.walk.head, _moved(found, rest) or found)
        if progress is not None and count % PAGE == 0:
            progress(PAGE)
    return check.end()


def _moved(found: Break, rest: Iterator[tuple[int, object]]) -> Break | None:
    """A line that breaks the chain and a later line with an earlier position:
    lines were moved (only looked for once the chain broke)."""
    if found.kind != "changed" or found.line is None:
        return None
    for number, raw in rest:
        position = raw.get("position") if isinstance(raw, dict) else None
        if isinstance(position, int) and position < found.position:
            return Break(found.position, "reordered", f"it holds position {found.position}, and line {number} "
                         f"after it holds position {position}: lines were moved out of the log's order", found.line)
    return None

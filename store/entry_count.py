"""How many entries the log holds, kept as a number rather than counted.

`/health` says it on every call, and counting reads the whole entry index:
about 80 ms at 1,000,000 entries on PostgreSQL, growing with the log. So the
number is one row of the meta table, ('entries', N), written in the
transaction that stores the entries (`add`, after the entry index has them),
as every table derived from the log is.

A store from before this row has none: the count is then counted, and the
first append writes the row, counting inside its own transaction, under the
writer lock (nothing else is stored meanwhile, and the new entries are
counted with the rest). A rebuild of the index writes it again the same way
(`clear`, then `add_records` for each page, as a `read_model.Beside`).
"""

from __future__ import annotations

from collections.abc import Sequence

from store.database import Database, Rows
from store.entry_index import EntryIndex
from store.records import EntryRecorded

KEY = "entries"


class EntryCount:
    def __init__(self, database: Database, index: EntryIndex) -> None:
        self.db, self.index = database, index

    def count(self, rows: Rows) -> int:
        """The entries the log holds (counted, for a store without the row)."""
        kept = self._kept(rows)
        return kept if kept is not None else self.index.count(rows)

    def add(self, rows: Rows, stored: int) -> None:
        """`stored` entries more, inside the transaction that stores them."""
        if stored <= 0:
            return
        kept = self._kept(rows)
        if kept is not None:
            rows.execute(f"UPDATE {self.index.meta} SET value = ? WHERE key = ?", (str(kept + stored), KEY))
            return
        counted = self.index.count(rows)  # the index holds the new entries already: counted with the rest
        rows.execute(f"INSERT INTO {self.index.meta} (key, value) VALUES (?, ?)", (KEY, str(counted)))

    def _kept(self, rows: Rows) -> int | None:
        found = rows.execute(f"SELECT value FROM {self.index.meta} WHERE key = ?", (KEY,)).one()
        return None if found is None else int(found[0])

    # --- Rebuilt with the index (`read_model.Beside`) ------------------------------

    def clear(self, rows: Rows) -> None:
        rows.execute(f"DELETE FROM {self.index.meta} WHERE key = ?", (KEY,))

    def add_records(self, rows: Rows, records: Sequence[tuple[EntryRecorded, int]]) -> None:
        self.add(rows, len(records))

    def set_version(self, rows: Rows) -> None:
        """Nothing to mark: a store without the row is counted (see the module's notes)."""

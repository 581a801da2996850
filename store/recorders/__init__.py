"""Event store recorders that let rows derived from new events be written in
the same transaction as the events (an inline projection).

`IncidentLogApplication.save(..., inline=write)` passes `write` down to the
recorder, which calls it with a cursor inside the insert's transaction and
the positions (notification ids) the events were given. If `write` fails,
nothing is stored; if the events are refused, none of its rows are kept. So
the read model can never be behind or ahead of the log.

The application names these classes to the library (`APPLICATION_RECORDER_TOPIC`),
one module per store, so that a process on SQLite never loads PostgreSQL's driver.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

Inline = Callable[[Any, Sequence[int]], None]  # (the transaction's cursor, the new events' positions)


def write_inline(kwargs: dict[str, Any], cursor: Any, positions: Sequence[int] | None) -> None:
    """Run the `inline=` writer passed to `Application.save`, if any."""
    write: Inline | None = kwargs.get("inline")
    if write is not None and positions:
        write(cursor, positions)

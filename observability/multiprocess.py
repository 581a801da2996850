"""Where several worker processes keep their metrics (``PROMETHEUS_MULTIPROC_DIR``).

prometheus-client opens its files in that directory as soon as a metric is
defined, in every process that imports `observability.metrics`; so the
directory must exist, emptied of an earlier server's files, before that
import. This module does not import prometheus-client, so that `incidentlog
serve` can prepare the directory first.
"""

from __future__ import annotations

import os
from pathlib import Path

MULTIPROCESS_DIR_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"


def multiprocess_dir() -> Path | None:
    """The directory shared by worker processes, if one is configured."""
    value = os.environ.get(MULTIPROCESS_DIR_VARIABLE)
    return Path(value) if value else None


def prepare_multiprocess_dir() -> None:
    """Create the directory, and forget what an earlier server's processes
    counted there (it would be added to this one's). Call it once, before
    the workers start."""
    directory = multiprocess_dir()
    if directory is None:
        return
    directory.mkdir(parents=True, exist_ok=True)
    for stale in directory.glob("*.db"):  # prometheus-client's files: counter_123.db, gauge_max_123.db…
        stale.unlink(missing_ok=True)

"""What a benchmark run must report, and the table it prints (Markdown, so it
can go into the README as printed)."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from benchmarks.questions import KINDS, TITLES
from benchmarks.stores import KINDS as STORE_NAMES

QUERY_FIGURES = ("p50_ms", "p99_ms", "samples", "ratio_to_naive")
STORE_FIGURES = (
    "events",
    "import.events_per_s", "import.raw_events_per_s", "import.ratio",
    "http_append.raw_single_saves_per_s",
    *(f"http_append.clients.{clients}.{figure}" for clients in ("1", "32")
      for figure in ("events_per_s", "ratio", "server_cpu_ms_per_event", "client_cpu_ms_per_event")),
    "rebuild.label", "rebuild.events_per_s", "rebuild.raw_decoded_read_events_per_s", "rebuild.ratio",
    "server.start_s", "server.rss_after_start_mb", "server.peak_rss_mb",
    *(f"queries.{kind}.naive_replay_ms" for kind in KINDS),
    *(f"queries.{kind}.{mode}.{figure}" for kind in KINDS for mode in ("in_process", "http")
      for figure in QUERY_FIGURES),
)


def missing(results: dict[str, Any]) -> list[str]:
    """Every figure a measured store lacks (a skipped store lacks none: it says why)."""
    absent = [key for key in ("size", "seed", "log", "stores", "notes") if key not in results]
    for kind, figures in results.get("stores", {}).items():
        if "skipped" in figures:
            continue
        for path in STORE_FIGURES:
            value: Any = figures
            for part in path.split("."):
                value = value.get(part) if isinstance(value, dict) else None
            if value is None or (not isinstance(value, str) and not _positive(value)):
                absent.append(f"stores.{kind}.{path}")
    return absent


def check_figures(results: dict[str, Any]) -> None:
    absent = missing(results)
    if absent:
        raise ValueError(f"the run lacks figures: {', '.join(absent)}")


def _positive(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value) and value > 0


def shape(log: dict[str, Any]) -> str:
    """What a generated log holds, in words."""
    counts = [(log["capsules"], "capsule"), (log["cargo_ships"], "cargo ship"), (log["crew"], "crew"),
              (log["stations"], "station"), (log["incidents"], "incident"), (log["corrections"], "correction"),
              (log["retractions"], "retraction")]
    return ", ".join(f"{n:,} {word}{'s' if n != 1 and word != 'crew' else ''}" for n, word in counts)


def table(results: dict[str, Any]) -> str:
    stores = results["stores"]
    log = results["log"]
    heading = [
        f"{results['size']:,} events: {shape(log)} (`make bench SIZE={results['size']}`, seed {results['seed']}). "
        "Medians; p99 by nearest rank "
        "(the slowest below 100 samples); n = random horizons asked.",
        "",
        "| figure | " + " | ".join(STORE_NAMES[kind] for kind in stores) + " |",
        "|---|" + "---|" * len(stores),
    ]
    rows: list[tuple[str, list[str]]] = []
    for kind in KINDS:
        for mode, where in (("in_process", "in process"), ("http", "HTTP")):
            rows.append((f"{TITLES[kind]}, {where}: p50 / p99",
                         [_cell(stores[s], lambda f, k=kind, m=mode: _question(f["queries"][k][m])) for s in stores]))
    rows.append(("p50 in process, as known now / at a past `known_at`: " + "; ".join(SPLIT),
                 [_cell(stores[s], lambda f: "; ".join(_split(f["queries"][k]["in_process"]) for k in SPLIT))
                  for s in stores]))
    rows.append(("naive replay (read all, fold, answer): " + " / ".join(KINDS),
                 [_cell(stores[s], lambda f: " / ".join(_ms(f["queries"][k]["naive_replay_ms"]) for k in KINDS)
                        + " ms") for s in stores]))
    rows.append(("import, batches of 500 (every check made)",
                 [_cell(stores[s], lambda f: _rate(f["import"]["events_per_s"], f["import"]["ratio"],
                                                    "raw batched saves", f["import"]["raw_events_per_s"]))
                  for s in stores]))
    for clients in ("1", "32"):
        rows.append((f"HTTP append, {clients} client{'s' if clients != '1' else ''}",
                     [_cell(stores[s], lambda f, c=clients: _rate(
                         f["http_append"]["clients"][c]["events_per_s"], f["http_append"]["clients"][c]["ratio"],
                         "raw single saves", f["http_append"]["raw_single_saves_per_s"])
                         + _cpu(f["http_append"]["clients"][c])) for s in stores]))
    labels = {f["rebuild"]["label"] for f in stores.values() if "rebuild" in f}
    rows.append(("rebuild" + (f" ({labels.pop()})" if len(labels) == 1 else ""),
                 [_cell(stores[s], lambda f: _rate(f["rebuild"]["events_per_s"], f["rebuild"]["ratio"],
                                                    "raw decoded read", f["rebuild"]["raw_decoded_read_events_per_s"])
                        + f", {f['rebuild']['seconds']:,.2f} s") for s in stores]))
    rows.append(("verify (the hash chain, from every stored event)",
                 [_cell(stores[s], lambda f: _rate(f["verify"]["events_per_s"], f["verify"]["ratio"],
                                                    "raw decoded read", f["verify"]["raw_decoded_read_events_per_s"])
                        + f", {f['verify']['seconds']:,.2f} s" if "verify" in f else "–") for s in stores]))
    rows.append(("server start (until /health answers)",
                 [_cell(stores[s], lambda f: f"{f['server']['start_s']:,.2f} s") for s in stores]))
    rows.append(("server peak RSS: after start / after the run",
                 [_cell(stores[s], lambda f: f"{f['server']['rss_after_start_mb']:,.0f} / "
                                             f"{f['server']['peak_rss_mb']:,.0f} MB") for s in stores]))
    lines = heading + [f"| {name} | " + " | ".join(cells) + " |" for name, cells in rows]
    if results["notes"]:
        lines += ["", "Cut down to fit the time budget:", *(f"- {note}" for note in results["notes"])]
    return "\n".join(lines)


def _cpu(figures: dict[str, Any]) -> str:
    """Processor time per event on each side (nothing for a run from before it was measured)."""
    server, client = figures.get("server_cpu_ms_per_event"), figures.get("client_cpu_ms_per_event")
    if server is None or client is None:
        return ""
    return f"; processor time per event: server {server:.2f} ms, clients {client:.2f} ms"


SPLIT = ("vehicle", "crew", "history")  # the questions answered from versions of a view as known now


def _split(figures: dict[str, Any]) -> str:
    """p50 as known now / at a past `known_at` (a dash for a run from before the split)."""
    now, past = figures.get("known_now_p50_ms"), figures.get("past_known_at_p50_ms")
    return f"{_ms(now) if now is not None else '–'} / {_ms(past) if past is not None else '–'} ms"


def _cell(figures: dict[str, Any], text: Any) -> str:
    if "skipped" in figures:
        return "skipped"
    value: str = text(figures)
    return value


def _question(figures: dict[str, Any]) -> str:
    return (f"{_ms(figures['p50_ms'])} / {_ms(figures['p99_ms'])} ms, {_ratio(figures['ratio_to_naive'])} naive, "
            f"n={figures['samples']}")


def _rate(rate: float, ratio: float, limit: str, limit_rate: float) -> str:
    return f"{rate:,.0f} events/s ({_ratio(ratio)} {limit} {limit_rate:,.0f})"


def _ms(value: float) -> str:
    if value >= 100:
        return f"{value:,.0f}"
    if value >= 10:
        return f"{value:.1f}"
    if value >= 1:
        return f"{value:.2f}"
    return f"{value:.3f}"


def _ratio(value: float) -> str:
    if value >= 10:
        return f"{value:,.0f}×"
    digits = max(2, 1 - math.floor(math.log10(value))) if value > 0 else 2
    return f"{value:.{digits}f}×"


def into_readme(readme: Path, size: int, text: str) -> bool:
    """Put `text` between the README's markers for this size (`<!-- bench SIZE -->`
    and `<!-- /bench SIZE -->`), so the README shows what `make bench` measured
    last. Returns False when the README has no markers for this size."""
    start, end = f"<!-- bench {size} -->", f"<!-- /bench {size} -->"
    body = readme.read_text()
    if start not in body or end not in body:
        return False
    before, rest = body.split(start, 1)
    _, after = rest.split(end, 1)
    readme.write_text(f"{before}{start}\n{text}\n{end}{after}")
    return True

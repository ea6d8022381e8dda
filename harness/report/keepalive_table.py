"""The "Keep-alive timers" table: per server and transport, the idle close that
keepalive.server.idle_timer observed beside the timer the server documents, with the cell's
status (a skip where the server documents none: observed only); in a run with ``-m slow``,
keepalive.server.idle_timer_long's row follows, timing the timers longer than that watch (or
saying "not measured" where even the slow run's bound is too short: a skip).

The case records its observation as an ``observed`` entry and the documented timer as one
beginning with DOCUMENTED: ``documented: <value>: <the statement and where it is written>``.
A cell skipped before it observed anything (a server without persistent connections) has no
row.
"""

from __future__ import annotations

from dataclasses import dataclass

from harness.report.document import status
from harness.results import Document

CASE = "keepalive.server.idle_timer"
LONG_CASE = "keepalive.server.idle_timer_long"
CASES = (CASE, LONG_CASE)
DOCUMENTED = "documented: "


@dataclass(frozen=True)
class TimerRow:
    server: str
    transport: str
    documented: str  # the value, "-" where the server documents none known here
    source: str  # the statement and where it is written
    observed: str
    status: str


def keepalive_timers(cells: list[Document], names: list[str]) -> list[TimerRow]:
    """The table's rows, servers in ``names`` order; empty without any such cell."""
    mine = [cell for cell in cells if cell["case"] in CASES and cell["server"] and cell["observed"]]
    order = {name: n for n, name in enumerate(names)}
    mine.sort(
        key=lambda cell: (
            order.get(cell["server"], len(order)),
            cell["transport"],
            CASES.index(cell["case"]),
        )
    )
    rows = []
    for cell in mine:
        documented = [text for text in cell["observed"] if text.startswith(DOCUMENTED)]
        observed = [text for text in cell["observed"] if not text.startswith(DOCUMENTED)]
        value, _, source = (
            documented[0].removeprefix(DOCUMENTED).partition(": ") if documented else ("-", "", "")
        )
        rows.append(
            TimerRow(
                cell["server"],
                cell["transport"],
                value,
                source,
                "; ".join(observed) or "-",
                status(cell),
            )
        )
    return rows

"""The "Graceful shutdown" table: per server, what lifecycle.shutdown.graceful saw after
SIGTERM during a slow request (the request in flight, a new connection, the exit) beside
what the server documents, with the cell's status (a skip where it documents nothing:
observed only).

The case records its observation as three ``observed`` entries in harness/shutdown.py's
``Shutdown.lines`` order, then, where documented, one beginning with DOCUMENTED (the prefix
the keep-alive table reads too).
"""

from __future__ import annotations

from dataclasses import dataclass

from harness.report.document import status
from harness.report.keepalive_table import DOCUMENTED
from harness.results import Document

CASE = "lifecycle.shutdown.graceful"
# The prefixes of Shutdown.lines(), in order.
_IN_FLIGHT, _NEW = "in-flight request: ", "new connection: "


@dataclass(frozen=True)
class ShutdownRow:
    server: str
    transport: str
    in_flight: str
    new_connection: str
    exit: str
    documented: str  # what the server documents, "-" where nothing is known here
    source: str  # the statement and where it is written
    status: str


def shutdown_rows(cells: list[Document], names: list[str]) -> list[ShutdownRow]:
    """The table's rows, servers in ``names`` order; empty without any such cell."""
    mine = [cell for cell in cells if cell["case"] == CASE and cell["server"] and cell["observed"]]
    order = {name: n for n, name in enumerate(names)}
    mine.sort(key=lambda cell: (order.get(cell["server"], len(order)), cell["transport"]))
    rows = []
    for cell in mine:
        seen = [text for text in cell["observed"] if not text.startswith(DOCUMENTED)]
        documented = [text for text in cell["observed"] if text.startswith(DOCUMENTED)]
        value, _, source = (
            documented[0].removeprefix(DOCUMENTED).partition(": ") if documented else ("-", "", "")
        )
        in_flight, new, exited = [*seen, "-", "-", "-"][:3]
        rows.append(
            ShutdownRow(
                cell["server"],
                cell["transport"],
                in_flight.removeprefix(_IN_FLIGHT),
                new.removeprefix(_NEW),
                exited,
                value,
                source,
                status(cell),
            )
        )
    return rows

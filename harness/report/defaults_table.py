"""The "Defaults as shipped" table: per client, what the defaults suite observed of it
(suites/test_defaults.py records each observation as the cell's ``observed``), with the
cell's status where the library documents the default (a skip: observed only)."""

from __future__ import annotations

from dataclasses import dataclass

from harness.report.document import status
from harness.results import Document

SUITE = "defaults"


@dataclass(frozen=True)
class DefaultsTable:
    cases: list[str]  # the columns: the defaults suite's case ids
    rows: list[tuple[str, list[tuple[str, str]]]]  # per client: (observed, status) per case


def shipped_defaults(cells: list[Document], names: list[str]) -> DefaultsTable | None:
    """The table of a run's defaults cells, clients in ``names`` order; None without any."""
    mine = [cell for cell in cells if cell["suite"] == SUITE and cell["client"]]
    if not mine:
        return None
    cases = sorted({cell["case"] for cell in mine})
    found = {(cell["client"], cell["case"]): cell for cell in mine}
    clients = [name for name in names if any(cell["client"] == name for cell in mine)]
    rows = []
    for client in clients:
        entries = []
        for case in cases:
            cell = found.get((client, case))
            observed = "; ".join(cell["observed"]) if cell else ""
            entries.append((observed or "-", status(cell) if cell else ""))
        rows.append((client, entries))
    return DefaultsTable(cases, rows)

"""The "Read differently" table: per replayed regression of the differential suite
(suites/test_differential.py), one row whose servers read the request in more than one way
in this run, one column per server, each cell naming the group of its reading (A, B, ...:
A the largest); the rows the hunt found smuggling-relevant first.

A cell records its observations as ``observed`` entries beginning with REQUEST (the bytes,
escaped), READING (the interpretation) and, where the hunt saw two servers disagree about
where the message ends, FOUND (those pairs).
"""

from __future__ import annotations

from dataclasses import dataclass
from string import ascii_uppercase

from harness.differential.record import UNKNOWN_TEXT, readings_agree
from harness.results import Document

SUITE = "differential"
REQUEST = "request: "
READING = "reading: "
FOUND = "smuggling-relevant when found: "


@dataclass(frozen=True)
class DisagreementRow:
    case: str
    request: str  # escaped
    found: str  # the smuggling-relevant pairs when found, "" for none
    groups: list[tuple[str, str]]  # (letter, reading), largest group first
    cells: list[str]  # per column: the letter of the server's group, "" where no cell


@dataclass(frozen=True)
class DifferentialTable:
    columns: list[str]  # servers (with their transport where not plain HTTP)
    rows: list[DisagreementRow]


def _first(cell: Document, prefix: str) -> str:
    return next((t.removeprefix(prefix) for t in cell["observed"] if t.startswith(prefix)), "")


def _column(cell: Document) -> str:
    return (
        cell["server"] if cell["transport"] == "http" else f"{cell['server']} ({cell['transport']})"
    )


def read_differently(cells: list[Document], names: list[str]) -> DifferentialTable | None:
    """The table of a run's differential cells, servers in ``names`` order; None without a
    request read in more than one way."""
    mine = [c for c in cells if c["suite"] == SUITE and c["server"] and _first(c, READING)]
    order = {name: n for n, name in enumerate(names)}
    columns = sorted({_column(c) for c in mine}, key=lambda col: (order.get(col, len(order)), col))
    rows = []
    for case in sorted({c["case"] for c in mine}):
        of_case = [c for c in mine if c["case"] == case]
        readings: dict[str, list[str]] = {}
        # Known readings first; one with unknown answers (normalise rule 9) joins the
        # largest group it agrees with, as groups.group does.
        for cell in sorted(of_case, key=lambda c: UNKNOWN_TEXT in _first(c, READING)):
            reading = _first(cell, READING)
            if UNKNOWN_TEXT in reading:
                largest = sorted(readings, key=lambda r: (-len(readings[r]), readings[r]))
                reading = next((r for r in largest if readings_agree(reading, r)), reading)
            readings.setdefault(reading, []).append(_column(cell))
        if len(readings) < 2:
            continue
        ranked = sorted(readings.items(), key=lambda item: (-len(item[1]), sorted(item[1])))
        letter = {reading: ascii_uppercase[n % 26] for n, (reading, _) in enumerate(ranked)}
        by_column = {col: letter[reading] for reading, cols in readings.items() for col in cols}
        rows.append(
            DisagreementRow(
                case,
                _first(of_case[0], REQUEST),
                _first(of_case[0], FOUND),
                [(letter[reading], reading) for reading, _ in ranked],
                [by_column.get(col, "") for col in columns],
            )
        )
    rows.sort(key=lambda row: not row.found)  # stable: by case within
    return DifferentialTable(columns, rows) if rows else None

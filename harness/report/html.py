"""reports/conformance.html: one self-contained page (no network: CSS and JS inline),
rendered with Jinja2 from a results document.

This module shapes the document into what the template shows: the overview (scores per
implementation and suite, the servers x clients pair matrix) and, per suite, one matrix of
cases x pairings for each kind of cell (interop, server probed by the harness, client
against a scripted server). Every cell's details travel once, as JSON in the page, and the
page's script shows them on a click.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import jinja2

from harness.report import scores
from harness.report.defaults_table import shipped_defaults
from harness.report.differential_table import read_differently
from harness.report.document import pairing_label, run_notes, status
from harness.report.keepalive_table import keepalive_timers
from harness.report.shutdown_table import shutdown_rows
from harness.results import BLAME_LINE, Document

ENVIRONMENT = jinja2.Environment(
    loader=jinja2.PackageLoader("harness.report", "templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,  # a misspelt name in the template fails the render
    trim_blocks=True,
    lstrip_blocks=True,
)
_EXPECTED_GOT = re.compile(r"expected (?P<expected>.*?), got (?P<got>.*)", re.DOTALL)
# The symbol in each matrix cell, so the outcome reads without colour too.
SYMBOLS = {
    "pass": "✓",
    "warn": "W",
    "insecure": "⚠",
    "known": "K",
    "fixed": "F",
    "fail": "✗",
    "error": "!",
    "skip": "\N{EN DASH}",
}
KINDS = (
    ("interop", "Interop: a real server and a real client"),
    ("probe", "Server cases: the harness probes each server (raw bytes, or a TLS handshake)"),
    (
        "client",
        "Client cases: each client against a scripted server (exact bytes, or a TLS set-up)",
    ),
)


def kind_of(cell: Document) -> str:
    if cell["server"] and cell["client"]:
        return "interop"
    return "probe" if cell["server"] else "client"


@dataclass
class Column:
    server: str | None
    client: str | None
    transport: str

    @property
    def label(self) -> str:
        return " · ".join(filter(None, (self.server, self.client, self.transport)))

    @property
    def group(self) -> str:
        """The header above this column and its neighbours: the server, or the client of a
        client case."""
        return self.server or self.client or ""

    @property
    def sub(self) -> str:
        """The column's own header, under its group's."""
        return (
            f"{self.client} · {self.transport}" if self.server and self.client else self.transport
        )

    @property
    def implementations(self) -> str:
        return " ".join(filter(None, (self.server, self.client)))


@dataclass
class Row:
    case: str
    rfc: str
    level: str
    requirement: str
    cells: list[int | None]  # index into the page's cell list, per column
    statuses: list[str] = field(default_factory=list)


@dataclass
class Matrix:
    kind: str
    title: str
    columns: list[Column]
    rows: list[Row]

    @property
    def groups(self) -> list[tuple[str, int, int]]:
        """(name, first column, number of columns) of each run of columns in one group."""
        groups: list[tuple[str, int, int]] = []
        for index, column in enumerate(self.columns):
            if groups and groups[-1][0] == column.group:
                name, first, count = groups[-1]
                groups[-1] = (name, first, count + 1)
            else:
                groups.append((column.group, index, 1))
        return groups


def _matrices(cells: list[Document], indices: dict[int, int], names: list[str]) -> list[Matrix]:
    def order(key: tuple[str, str, str]) -> tuple[int, int, str]:
        server, client, transport = key
        return (
            names.index(server) if server else -1,
            names.index(client) if client else -1,
            transport,
        )

    matrices = []
    for kind, title in KINDS:
        mine = [c for c in cells if kind_of(c) == kind]
        if not mine:
            continue
        keys = sorted(
            {(c["server"] or "", c["client"] or "", c["transport"]) for c in mine}, key=order
        )
        columns = [Column(s or None, c or None, t) for s, c, t in keys]
        position = {key: i for i, key in enumerate(keys)}
        rows: dict[str, Row] = {}
        for cell in mine:
            row = rows.get(cell["case"])
            if row is None:
                row = rows[cell["case"]] = Row(
                    cell["case"],
                    cell["rfc"],
                    cell["level"],
                    cell["requirement"],
                    [None] * len(keys),
                )
            column = position[(cell["server"] or "", cell["client"] or "", cell["transport"])]
            row.cells[column] = indices[id(cell)]
        matrices.append(Matrix(kind, title, columns, [rows[k] for k in sorted(rows)]))
    return matrices


def _detail(cell: Document) -> dict[str, Any]:
    """What the detail view shows of a cell."""
    # The evidence's verdict on an interop failure is the message's last line (harness/blame.py).
    check, _, verdict = cell["message"].partition(BLAME_LINE)
    found = _EXPECTED_GOT.fullmatch(check.strip())
    return {
        "nodeid": cell["nodeid"],
        "case": cell["case"],
        "rfc": cell["rfc"],
        "level": cell["level"],
        "requirement": cell["requirement"],
        "pairing": pairing_label(cell["server"], cell["client"], cell["transport"]),
        "status": status(cell),
        "message": cell["message"],
        "expected": found["expected"] if found else None,
        "got": found["got"] if found else None,
        "transcript": cell.get("transcript", ""),
        "deviation": cell.get("deviation"),
        "blame": " ".join(part for part in (cell.get("blame", ""), verdict) if part),
        "observed": cell.get("observed", []),
        "outcomes": cell.get("outcomes", []),
        "flaky": bool(cell.get("flaky")),
        "duration_s": cell.get("duration_s", 0),
    }


def _pair_matrix(cells: list[Document], names: list[str]) -> dict[str, Any]:
    """Servers (rows) x clients (columns), plus the column of server cases and the row of
    client cases (where the harness plays the other side); each entry the tally of its cells
    over every suite and transport."""
    servers = [name for name in names if any(c["server"] == name for c in cells)]
    clients = [name for name in names if any(c["client"] == name for c in cells)]

    def entry(server: str | None, client: str | None) -> dict[str, Any] | None:
        mine = [c for c in cells if c["server"] == server and c["client"] == client]
        if not mine:
            return None
        counts = scores.tally(mine)
        return {
            "fraction": scores.fraction(counts),
            "outcome": scores.outcome(counts),
            "breakdown": scores.breakdown(counts),
        }

    return {
        "servers": servers,
        "clients": clients,
        "rows": [
            (server, [entry(server, client) for client in clients], entry(server, None))
            for server in servers
        ],
        "scripted": [entry(None, client) for client in clients],
    }


def render(document: Document, coverage: str = "coverage.html") -> str:
    """The page; ``coverage`` names the coverage page beside it, which it links to."""
    run, cells = document["run"], document["cells"]
    names = scores.implementation_names(document)
    suites = scores.suites(cells)
    ordered = sorted(cells, key=lambda c: (c["suite"], c["case"], c["nodeid"]))
    indices = {id(cell): i for i, cell in enumerate(ordered)}
    details = [_detail(cell) for cell in ordered]
    per_suite = {
        suite: _matrices([c for c in ordered if c["suite"] == suite], indices, names)
        for suite in suites
    }
    for matrices in per_suite.values():
        for matrix in matrices:
            for row in matrix.rows:
                row.statuses = [details[i]["status"] if i is not None else "" for i in row.cells]
    totals = scores.tally(cells)
    suite_counts: dict[str, scores.Tally] = {
        s: scores.tally(c for c in cells if c["suite"] == s) for s in suites
    }
    return ENVIRONMENT.get_template("conformance.html.j2").render(
        run=run,
        schema_version=document["schema_version"],
        names=names,
        described={impl["name"]: impl for impl in run.get("implementations", [])},
        suites=suites,
        totals=totals,
        total_score=scores.fraction(totals),
        # The overview's count columns: known and fail always, the rarer ones when they occur.
        counted=[
            "known",
            "fail",
            *(s for s in ("warn", "insecure", "fixed", "error") if totals[s]),
        ],
        statuses=scores.STATUSES,
        symbols=SYMBOLS,
        suite_counts=suite_counts,
        scores=scores.by_implementation_and_suite(cells, names),
        overall=scores.by_implementation(cells, names),
        fraction=scores.fraction,
        breakdown=scores.breakdown,
        outcome=scores.outcome,
        notes=run_notes(document),
        pairs=_pair_matrix(cells, names),
        per_suite=per_suite,
        details=details,
        flaky=sum(1 for c in cells if c.get("flaky")),
        defaults=shipped_defaults(cells, names),
        timers=keepalive_timers(cells, names),
        shutdowns=shutdown_rows(cells, names),
        differential=read_differently(cells, names),
        coverage=coverage,
    )

"""Differential suite: the regressions the differential mode's hunt kept
(suites/regressions/<digest>.json, harness/differential/regressions.py), every entry a
server-probe cell over every server x transport, replayed in each run.

A cell has no verdict: two servers may both stay inside what the RFC allows and still read
the same bytes differently. Each cell records how its server read the request (the
interpretation, normalised as harness/differential/normalise.py says) and skips with it,
"observed only"; the report's "Read differently" table (harness/report/differential_table.py)
puts the servers of one request side by side, grouped by reading.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from harness.cases import Case, Level
from harness.differential import regressions
from harness.differential.record import interpret
from harness.differential.sweep import escaped
from harness.plugin import properties
from harness.probe import ServerProbe
from harness.report.differential_table import FOUND, READING, REQUEST

# The folder beside this module (locations.regressions() where installed): a checkout's
# suites run against its own entries even where another copy of the package is installed.
ENTRIES = regressions.load_all(Path(__file__).with_name("regressions"))
CASES = {
    entry.probe().id: Case(
        entry.probe().id,
        entry.rfc,
        Level.MAY,
        "Observed only: how the server reads a request on which servers were found to disagree",
        outside_index="no verdict: two readings may both conform; the differential mode's data",
        # TLS changes nothing in how the bytes are read; replayed over HTTPS too, every
        # entry would cost twice as much
        transports=("http",),
    )
    for entry in ENTRIES
}
BY_CASE = {entry.probe().id: entry for entry in ENTRIES}


@pytest.mark.parametrize("case", [pytest.param(case, id=case.id) for case in CASES.values()])
def test_regression(
    case: Case, server_probe: ServerProbe, record_property: Callable[[str, object], None]
) -> None:
    entry = BY_CASE[case.id]
    reading = interpret(entry.probe(), server_probe.target)
    record_property(properties.OBSERVED, REQUEST + escaped(entry.request))
    pairs = ", ".join(" vs ".join(pair) for pair in entry.smuggling_pairs)
    if pairs:
        record_property(properties.OBSERVED, FOUND + pairs)
    record_property(properties.OBSERVED, READING + reading.describe())
    pytest.skip(f"observed only: {reading.describe()}")

"""Differential suite: the regressions the differential mode kept (suites/regressions/*.json,
harness/differential/regressions.py: shrunk generated requests and catalogue entries), and a
bounded hunt on the fixed seed (generate.SUITE_EXAMPLES generated requests), every request a
server-probe cell over every server, on plain HTTP.

A cell has no verdict: two servers may both stay inside what the RFC allows and still read
the same bytes differently. Each cell records how its server read the request (the
interpretation, normalised as harness/differential/normalise.py says) and skips with it,
"observed only"; the report's "Read differently" table (harness/report/differential_table.py)
puts the servers of one request side by side, grouped by reading.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from harness.cases import Case, Level
from harness.differential import generate, regressions
from harness.differential.record import HANDLED_WITHOUT_ECHO, Probe, interpret
from harness.differential.sweep import escaped
from harness.implementation import Capability, Kind
from harness.plugin import properties
from harness.probe import ServerProbe
from harness.registry import REGISTRY
from harness.report.differential_table import FOUND, READING, REQUEST

# The folder beside this module (locations.regressions() where installed): a checkout's
# suites run against its own entries even where another copy of the package is installed.
ENTRIES = regressions.load_all(Path(__file__).with_name("regressions"))


@dataclass(frozen=True)
class Replay:
    """A request every server is sent, and what the report says of it beside the readings."""

    probe: Probe
    rfc: str
    requirement: str
    found: tuple[tuple[str, str], ...] = ()  # smuggling-relevant pairs when it was kept


KEPT = "Observed only: how the server reads a request on which servers were found to disagree"
DRAWN = "Observed only: how the server reads a generated request (the hunt's fixed seed)"
# The kept regressions, then the hunt inside the run: generate.SUITE_EXAMPLES generated
# requests on the fixed seed (none shrunk: a disagreement shows in the report's "Read
# differently" table; `python -m harness differential` shrinks and keeps them).
_kept = {entry.request for entry in ENTRIES}
REPLAYS = [Replay(e.probe(), e.rfc, KEPT, e.smuggling_pairs) for e in ENTRIES] + [
    Replay(replace(p, id=f"differential.{p.id}"), generate.rfc(changes), DRAWN)
    for changes in generate.drawn(generate.SUITE_EXAMPLES)
    if (p := generate.probe(generate.request(changes))).request not in _kept
]
CASES = {
    replay.probe.id: Case(
        replay.probe.id,
        replay.rfc,
        Level.MAY,
        replay.requirement,
        outside_index="no verdict: two readings may both conform; the differential mode's data",
        uses_contract=False,  # /echo's, or for a server without it what it shows (rule 9)
        # TLS changes nothing in how the bytes are read; replayed over HTTPS too, every
        # request would cost twice as much
        transports=("http",),
    )
    for replay in REPLAYS
}
BY_CASE = {replay.probe.id: replay for replay in REPLAYS}


@pytest.mark.parametrize("case", [pytest.param(case, id=case.id) for case in CASES.values()])
def test_regression(
    case: Case,
    server_probe: ServerProbe,
    request: pytest.FixtureRequest,
    record_property: Callable[[str, object], None],
) -> None:
    replay = BY_CASE[case.id]
    server = request.node.callspec.params["server_probe"].server
    lacks = REGISTRY.get(Kind.SERVER, server).cannot(Capability.CONTRACT_ENDPOINTS)
    if lacks and server not in HANDLED_WITHOUT_ECHO:
        pytest.skip(f"not applicable: {server} cannot do {Capability.CONTRACT_ENDPOINTS}: {lacks}")
    reading = interpret(replay.probe, server_probe.target, server)
    record_property(properties.OBSERVED, REQUEST + escaped(replay.probe.request))
    pairs = ", ".join(" vs ".join(pair) for pair in replay.found)
    if pairs:
        record_property(properties.OBSERVED, FOUND + pairs)
    record_property(properties.OBSERVED, READING + reading.describe())
    pytest.skip(f"observed only: {reading.describe()}")

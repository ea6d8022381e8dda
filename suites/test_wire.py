"""Wire-output suite: what each client puts on the wire (harness/wire.py), every case a
scripted-client cell over every client x transport.

The cases are tables in suites/wire/, one module per theme; this module only runs them. Each
cell has the client send the case's request to a scripted server that keeps every byte, and
passes when those bytes meet the case's requirement on senders (or the client refused a
request no sender may send).
"""

from __future__ import annotations

import pytest

from harness import wire
from harness.cases import Case, RecordProperty
from harness.cells import ScriptedClient

from .wire import CASES

BY_CASE = {case.id: case for case in CASES}


@pytest.mark.parametrize("case", [pytest.param(case.case, id=case.id) for case in CASES])
def test_wire(case: Case, scripted_client: ScriptedClient, record_property: RecordProperty) -> None:
    record_property("observed", wire.run(BY_CASE[case.id], scripted_client))

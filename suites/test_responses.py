"""Responses suite: the response catalogue (harness/responses.py), every entry a
scripted-client cell over every client x transport.

The entries are tables in suites/responses/, one module per theme; this module only runs them.
Each cell has a scripted server play the entry's exact bytes to the client and passes when what
the client made of them (a response, or an error, per request; the connection the second
request went on) is one of the outcomes the entry's RFC sentence allows.
"""

from __future__ import annotations

import pytest

from harness import responses
from harness.cases import Case, RecordProperty
from harness.cells import ScriptedClient

from .responses import ENTRIES

BY_CASE = {entry.id: entry for entry in ENTRIES}


@pytest.mark.parametrize("case", [pytest.param(entry.case, id=entry.id) for entry in ENTRIES])
def test_response(
    case: Case, scripted_client: ScriptedClient, record_property: RecordProperty
) -> None:
    record_property("observed", responses.run(BY_CASE[case.id], scripted_client))

"""Self-tests of the Expect: 100-continue suite's verdict: a client that presents the 100 as
its response fails it, one that skips interim responses passes. The other cases are data."""

from __future__ import annotations

import pytest

from harness.cases import CheckFailed, case_of
from harness.cells import ScriptedClient
from harness.clients import Client
from suites import test_expect as expect
from tests.fake_clients import CorrectClient, NaiveClient

VERDICTS = [expect.test_continue_then_final]
DATA_ONLY = [expect.test_no_continue, expect.test_final_instead_of_continue]


def test_every_expect_case_is_checked_or_data() -> None:
    cases = {obj for obj in vars(expect).values() if callable(obj) and case_of(obj)}
    assert cases == set(VERDICTS + DATA_ONLY)


def _cell(client: Client) -> tuple[ScriptedClient, list[tuple[str, object]]]:
    return ScriptedClient(client), []


def test_continue_check_fails_on_client_presenting_the_100() -> None:
    cell, recorded = _cell(NaiveClient())
    with pytest.raises(CheckFailed) as failure:
        expect.test_continue_then_final(cell, lambda *item: recorded.append(item))
    assert "presented 100" in str(failure.value)
    assert f"({expect.WAITS.rfc})" in str(failure.value)


def test_continue_check_passes_on_client_skipping_interim_responses() -> None:
    cell, recorded = _cell(CorrectClient())
    expect.test_continue_then_final(cell, lambda *item: recorded.append(item))
    assert [name for name, _ in recorded] == ["observed"]

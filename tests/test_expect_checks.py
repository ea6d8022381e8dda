"""Self-tests of the Expect: 100-continue suite's verdicts: a client that presents the 100 as
its response fails one, one that skips interim responses passes; a client that holds its
content back until the server answers warns, one that sends it or gives up without the 100
passes. The other case is data."""

from __future__ import annotations

import pytest

from harness.cases import CheckFailed, case_of
from harness.cells import ScriptedClient
from harness.clients import Client
from harness.errors import ClientError, ErrorKind
from harness.model import Exchange, RequestSpec, Target
from harness.plugin import properties
from harness.probe import send_raw
from suites import test_expect as expect
from tests.fake_clients import CorrectClient, NaiveClient

VERDICTS = [expect.test_continue_then_final, expect.test_no_continue]
DATA_ONLY = [expect.test_final_instead_of_continue]
PAUSE = 0.2  # how long ExpectingClient waits for a 100 before it goes on or gives up


class ExpectingClient:
    """Sends the head of a request with Expect: 100-continue, then, without a 100: "proceeds"
    sends the content after PAUSE, "gives_up" closes after PAUSE, "waits" sends nothing
    until the server answers (the wait without end that RFC 9110 §10.1.1 advises against)."""

    def __init__(self, way: str) -> None:
        self.way = way

    def send(self, spec: RequestSpec, target: Target) -> Exchange:
        assert isinstance(spec.body, bytes)
        head = (
            f"{spec.method} {spec.target} HTTP/1.1\r\nHost: {target.authority}\r\n"
            f"Expect: 100-continue\r\nContent-Length: {len(spec.body)}\r\n\r\n"
        ).encode()
        pieces: list[bytes | float] = [head, PAUSE, spec.body] if self.way == "proceeds" else [head]
        idle = PAUSE if self.way == "gives_up" else spec.timeouts.read
        result = send_raw(target, pieces, methods=[spec.method], idle_timeout=idle)
        if not result.final:
            raise ClientError(ErrorKind.OTHER, TimeoutError(f"gave up: {result.describe()}"))
        final = result.final[0]
        return Exchange(final.status, "", final.version, final.headers, final.body, False, 0.0)

    def close(self) -> None:
        pass


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


@pytest.mark.parametrize(
    ("way", "warns"), [("waits", True), ("proceeds", False), ("gives_up", False)]
)
def test_no_continue_warns_on_a_client_waiting_without_end(way: str, warns: bool) -> None:
    cell, recorded = _cell(ExpectingClient(way))
    expect.test_no_continue(cell, lambda *item: recorded.append(item))
    warnings = [str(value) for name, value in recorded if name == properties.WARN]
    assert bool(warnings) is warns, recorded
    if warns:
        assert "SHOULD NOT wait for an indefinite period" in warnings[0]

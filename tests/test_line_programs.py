"""The json-lines protocol of external clients (docs/contract.md, "External clients"): one
long-lived program answers many requests; one that breaks an exchange (silent, garbage, an
early exit) fails that request as the adapter's fault, within its deadline, and the next
request gets a new program (tests/programs/line_client.py); stopping leaves nothing, the
program's children included (tests/programs/client_leaving_a_child.py)."""

from __future__ import annotations

import os
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from harness import deadlines
from harness.clients.external import SLACK, ExternalClient, ExternalClientFailure
from harness.clients.line_programs import LINE_PROGRAMS
from harness.errors import ClientError
from harness.implementation import ClientProtocol
from harness.model import RequestSpec, Target, Timeouts
from tests.leak_probe import kill_all, left_after_stop, processes_with

PROGRAMS = Path(__file__).parent / "programs"
TARGET = Target("http", "127.0.0.1", 9)
QUICK = RequestSpec(timeouts=Timeouts(connect=0.1, read=0.1))
DEADLINE = 0.2 + SLACK  # QUICK's exchange deadline, as ExternalClient computes it


@pytest.fixture(autouse=True)
def _stopped() -> Iterator[None]:
    yield
    LINE_PROGRAMS.stop_all()


def _line_client(tmp_path: Path, mode: str) -> ExternalClient:
    command = [sys.executable, str(PROGRAMS / "line_client.py"), str(tmp_path / "state"), mode]
    return ExternalClient("lines", command, ClientProtocol.JSON_LINES)


def _pid(client: ExternalClient) -> int:
    """The process id the answering program reports (as its error text)."""
    with pytest.raises(ClientError) as caught:
        client.send(QUICK, TARGET)
    return int(caught.value.original_text)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"


def test_one_program_answers_every_request(tmp_path: Path) -> None:
    client = _line_client(tmp_path, "answer")
    pids = {_pid(client) for _ in range(20)}
    assert len(pids) == 1
    LINE_PROGRAMS.stop_all()
    assert not _alive(pids.pop())


@pytest.mark.parametrize(
    ("mode", "answered_first", "fragment"),
    [
        ("silent", False, f"did not answer within {DEADLINE:.1f}s"),
        ("garbage", False, "printed no valid result"),
        # The exit comes after the first answer: the next request finds it gone.
        ("once", True, "exited with status 0"),
    ],
)
def test_a_broken_exchange_fails_and_the_next_request_gets_a_new_program(
    tmp_path: Path, mode: str, answered_first: bool, fragment: str
) -> None:
    client = _line_client(tmp_path, mode)
    first = _pid(client) if answered_first else None
    started = time.monotonic()
    with pytest.raises(ExternalClientFailure) as caught:
        client.send(QUICK, TARGET)
    assert time.monotonic() - started < DEADLINE + deadlines.SERVER_KILL_WAIT
    message = str(caught.value)
    assert message.startswith(f"client 'lines' {fragment}"), message
    assert "(command: " in message and "line_client.py" in message
    if mode != "once":  # it wrote its stderr line in the exchange before
        assert "got a line" in message
    assert _pid(client) != first


def test_a_program_that_cannot_start_is_named() -> None:
    client = ExternalClient("ghost", ["/no/such/client"], ClientProtocol.JSON_LINES)
    with pytest.raises(ExternalClientFailure, match="client 'ghost' could not be started"):
        client.send(QUICK, TARGET)


@pytest.mark.skipif(not Path("/proc/self").exists(), reason="reads processes from /proc")
def test_stopping_a_program_stops_its_children() -> None:
    marker = f"http-interop-line-leak-{uuid.uuid4()}"
    command = [sys.executable, str(PROGRAMS / "client_leaving_a_child.py"), marker, "lines"]
    client = ExternalClient("leaver", command, ClientProtocol.JSON_LINES)
    try:
        for _ in range(3):
            with pytest.raises(ClientError):
                client.send(QUICK, TARGET)
        # The program and its three children, between requests.
        assert len(processes_with(marker)) == 4
        LINE_PROGRAMS.stop_all()
        assert left_after_stop(marker) == []
    finally:  # a failed check leaves nothing running either
        kill_all(marker)

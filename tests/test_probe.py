"""The probe client: its strict response parser (a table) and its reading of real servers."""

from __future__ import annotations

import pytest

from harness import contract
from harness.fixtures.servers import ServerPool
from harness.probe import Ending, ServerProbe, parse_responses, send_raw
from harness.scripted import Close, Hang, Pause, Reset, ScriptedServer, Send

OK_HEAD = b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n"

# (bytes, methods, at_eof) -> (statuses, bodies, malformation fragment or None)
PARSE_CASES = [
    (OK_HEAD + b"abc", (), False, [200], [b"abc"], None),
    (OK_HEAD + b"ab", (), False, [], [], None),  # incomplete: wait for more
    (OK_HEAD + b"ab", (), True, [], [], "shorter than Content-Length"),
    (OK_HEAD + b"abc" + OK_HEAD + b"xyz", (), False, [200, 200], [b"abc", b"xyz"], None),
    (OK_HEAD, ("HEAD",), False, [200], [b""], None),
    (
        b"HTTP/1.1 100 Continue\r\n\r\n" + OK_HEAD + b"abc",
        (),
        False,
        [100, 200],
        [b"", b"abc"],
        None,
    ),
    (b"HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\n", (), False, [204], [b""], None),
    (b"HTTP/1.0 200 OK\r\n\r\nuntil close", (), True, [200], [b"until close"], None),
    (b"HTTP/1.0 200 OK\r\n\r\nuntil close", (), False, [], [], None),
    (
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"3;ext=1\r\nabc\r\nA\r\n0123456789\r\n0\r\nT: v\r\n\r\n",
        (),
        False,
        [200],
        [b"abc0123456789"],
        None,
    ),
    (
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcXY",
        (),
        False,
        [],
        [],
        "not followed by CRLF",
    ),
    (
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n-1\r\n",
        (),
        False,
        [],
        [],
        "chunk size",
    ),
    (
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + b"1" * 17 + b"\r\n",
        (),
        False,
        [],
        [],
        "chunk size",
    ),
    (b"HTTP/1.1 200 OK\nContent-Length: 0\r\n\r\n", (), False, [], [], "bare LF"),
    (b"HTTP/1.1 200 OK\r\nBad Name: x\r\n\r\n", (), False, [], [], "invalid field line"),
    (b"HTTP/1.1 200 OK\r\nX: a\r\n  folded\r\n\r\n", (), False, [], [], "obs-fold"),
    (b"HTTP/1.1 2000 OK\r\n\r\n", (), False, [], [], "invalid status line"),
    (b"garbage\r\n\r\n", (), False, [], [], "invalid status line"),
    (
        b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
        (),
        False,
        [],
        [],
        "invalid Content-Length",
    ),
    (OK_HEAD + b"abc" + b"junk\r\n", (), False, [200], [b"abc"], "invalid status line"),
]


@pytest.mark.parametrize(
    ("data", "methods", "at_eof", "statuses", "bodies", "malformed"), PARSE_CASES
)
def test_parse_responses(
    data: bytes,
    methods: tuple[str, ...],
    at_eof: bool,
    statuses: list[int],
    bodies: list[bytes],
    malformed: str | None,
) -> None:
    responses, problem = parse_responses(data, methods, at_eof=at_eof)
    assert [r.status for r in responses] == statuses
    assert [r.body for r in responses] == bodies
    if malformed is None:
        assert problem is None
    else:
        assert problem is not None and malformed in problem


def test_trailers_are_kept() -> None:
    data = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX-Sum: 1\r\n\r\n"
    (response,), _ = parse_responses(data)
    assert (response.framing, response.trailers) == ("chunked", [("X-Sum", "1")])


@pytest.mark.parametrize("transport", ["http", "https"])
def test_probe_reads_a_real_server(server_pool: ServerPool, transport: str) -> None:
    probe = ServerProbe(server_pool.get(("stdlib-threading", transport)).target)
    pipelined = probe.request("GET", "/bytes/5") + probe.request("HEAD", "/bytes/5")
    result = probe.send(pipelined, responses=2, methods=("GET", "HEAD"))
    assert [r.status for r in result.final] == [200, 200]
    assert result.final[0].body == contract.deterministic_bytes(5)
    assert result.final[1].body == b"" and result.ending is Ending.OPEN
    assert result.malformed is None and result.sent == pipelined


@pytest.mark.parametrize(
    ("script", "ending"),
    [
        ([Send(OK_HEAD + b"abc"), Close()], Ending.CLOSED),
        ([Send(OK_HEAD + b"abc"), Pause(5.0)], Ending.OPEN),
        ([Reset()], Ending.RESET),
        ([Hang()], Ending.TIMEOUT),
    ],
)
def test_probe_reports_how_the_connection_ended(script: list, ending: Ending) -> None:
    with ScriptedServer(script) as server:
        result = send_raw(
            server.target, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n", idle_timeout=0.5, linger=0.3
        )
    assert result.ending is ending
    assert result.elapsed < 3.0


def test_probe_gives_up_on_a_server_that_trickles_forever() -> None:
    trickle = [Send(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n")]
    trickle += [Send(b"x"), Pause(0.1)] * 50
    with ScriptedServer(trickle) as server:
        result = send_raw(
            server.target, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n", idle_timeout=5.0, total_timeout=0.5
        )
    assert result.ending is Ending.TIMEOUT
    assert result.elapsed < 2.0


# A watch (linger) longer than the total deadline: the server's close after the total but
# within the watch is seen, and a server that stays open is watched for the whole linger.
@pytest.mark.parametrize(
    ("script", "ending", "at_least"),
    [
        ([Send(OK_HEAD + b"abc"), Pause(1.0), Close()], Ending.CLOSED, 1.0),
        ([Send(OK_HEAD + b"abc"), Hang()], Ending.OPEN, 1.5),
    ],
)
def test_the_total_deadline_does_not_cut_a_linger_short(
    script: list, ending: Ending, at_least: float
) -> None:
    with ScriptedServer(script) as server:
        result = send_raw(
            server.target, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n", total_timeout=0.5, linger=1.5
        )
    assert result.ending is ending
    assert at_least <= result.elapsed < 3.0

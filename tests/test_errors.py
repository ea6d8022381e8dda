"""The error taxonomy: each client maps the same failure to the same normalised kind."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest
import trustme

from harness import deadlines
from harness.clients import Client
from harness.clients.deadline import Stage
from harness.errors import ClientError, ErrorKind
from harness.fixtures.servers import ServerPool, make_client
from harness.implementation import Kind
from harness.launcher import launch, server_command
from harness.model import TRANSPORTS, RequestSpec, Target, Timeouts, Verify
from harness.registry import REGISTRY
from harness.scripted import (
    Action,
    Close,
    Hang,
    Pause,
    Reset,
    ScriptedServer,
    Send,
    full_backlog_listener,
)
from harness.tls import ServerCertificate

# Every registered client that runs here: built-ins, entry points, implementations.toml
# (but a WebSocket-only one, which sends no HTTP request).
CLIENTS = [
    name
    for name in REGISTRY.names(Kind.CLIENT)
    if not REGISTRY.get(Kind.CLIENT, name).unavailable()
    and not REGISTRY.get(Kind.CLIENT, name).websocket_only
]
SHORT = Timeouts(connect=0.5, read=0.5)


@pytest.fixture(params=CLIENTS)
def client(request: pytest.FixtureRequest) -> Iterator[Client]:
    instance = make_client(request.param)
    yield instance
    instance.close()


def failure_kind(client: Client, target: Target, spec: RequestSpec | None = None) -> ErrorKind:
    with pytest.raises(ClientError) as caught:
        client.send(spec or RequestSpec("GET", "/", timeouts=SHORT), target)
    assert caught.value.original_type and caught.value.original_text is not None
    return caught.value.kind


SCRIPTED = {
    ErrorKind.PROTOCOL_BAD_STATUS_LINE: [Send(b"garbage, not HTTP\r\n\r\n"), Close()],
    ErrorKind.PROTOCOL_INCOMPLETE_BODY: [
        Send(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc"),
        Close(),
    ],
    ErrorKind.PROTOCOL_INVALID_HEADER: [
        # 200 KiB: beyond every client's limit on a field line (http.client 64 KiB, curl
        # 100 KiB, h11 16 KiB, aiohttp 8 KiB).
        Send(b"HTTP/1.1 200 OK\r\nX-Long: " + b"a" * 200_000 + b"\r\n\r\n"),
        Close(),
    ],
    ErrorKind.CONNECTION_RESET: [Reset()],
    ErrorKind.CONNECTION_CLOSED: [Close()],
    ErrorKind.TIMEOUT_READ: [Hang()],
}


@pytest.mark.parametrize("kind", SCRIPTED, ids=str)
def test_scripted_failure_maps_to_kind(client: Client, kind: ErrorKind) -> None:
    with ScriptedServer(SCRIPTED[kind]) as server:
        assert failure_kind(client, server.target) == kind


def test_refused_connection(client: Client) -> None:
    with closing(socket.create_server(("127.0.0.1", 0))) as listener:
        port = listener.getsockname()[1]
    assert failure_kind(client, Target("http", "127.0.0.1", port)) == ErrorKind.CONNECT_REFUSED


def test_connect_timeout(client: Client) -> None:
    with full_backlog_listener() as target:
        assert failure_kind(client, target) == ErrorKind.TIMEOUT_CONNECT


def test_default_trust_rejects_the_session_ca(client: Client, server_pool: ServerPool) -> None:
    target = server_pool.get(("stdlib-threading", "https")).target
    spec = RequestSpec("GET", "/bytes/1", verify=Verify.SYSTEM)
    assert failure_kind(client, target, spec) == ErrorKind.TLS_UNTRUSTED


@pytest.fixture(scope="module")
def wrong_host_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Target]:
    """An HTTPS server whose certificate names a host that is not the one dialled."""
    directory: Path = tmp_path_factory.mktemp("wrong-host")
    ca = trustme.CA()
    leaf = ca.issue_cert("not-this-host.test")
    ca.cert_pem.write_to_path(directory / "ca.pem")
    leaf.private_key_and_cert_chain_pem.write_to_path(directory / "leaf.pem")
    command = server_command("stdlib-threading", certfile=str(directory / "leaf.pem"))
    server = launch("stdlib-threading", command, scheme="https", ca_file=str(directory / "ca.pem"))
    yield server.target
    server.stop()


def test_wrong_host_is_a_hostname_error(client: Client, wrong_host_server: Target) -> None:
    spec = RequestSpec("GET", "/bytes/1", timeouts=Timeouts())
    assert failure_kind(client, wrong_host_server, spec) == ErrorKind.TLS_HOSTNAME


# In-process clients keep a total deadline on each exchange (harness/clients/deadline.py);
# an external client's program keeps its own (docs/contract.md).
IN_PROCESS = [name for name in CLIENTS if REGISTRY.get(Kind.CLIENT, name).factory]
# Each byte in time for the read deadline, the response never in time for the exchange's:
# TRICKLE_BYTES gaps last past twice the total deadline, so only the total deadline ends it.
TRICKLE_GAP = 0.2 * deadlines.SCALE
TRICKLE = Timeouts(
    connect=0.5 * deadlines.SCALE, read=0.5 * deadlines.SCALE, total=1.0 * deadlines.SCALE
)
TRICKLE_BYTES = 20
TRICKLED_HEAD = b"HTTP/1.1 200 OK\r\nContent-Length: 20\r\n\r\n"


def _trickled(data: bytes) -> list[Action]:
    return [
        action for i in range(len(data)) for action in (Send(data[i : i + 1]), Pause(TRICKLE_GAP))
    ]


# name: (the stage the deadline passes in, the script). A body delimited by the close
# would look whole once the socket is shut down: the deadline's verdict must win.
TRICKLES: dict[str, tuple[Stage, list[Action]]] = {
    "head": (Stage.HEAD, _trickled(TRICKLED_HEAD + b"x" * TRICKLE_BYTES)[: 2 * TRICKLE_BYTES]),
    "body": (Stage.BODY, [Send(TRICKLED_HEAD), *_trickled(b"x" * TRICKLE_BYTES)]),
    "body-until-close": (
        Stage.BODY,
        [Send(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n"), *_trickled(b"x" * TRICKLE_BYTES)],
    ),
}


@pytest.fixture(params=IN_PROCESS)
def in_process_client(request: pytest.FixtureRequest) -> Iterator[Client]:
    instance = make_client(request.param)
    yield instance
    instance.close()


def _timed_failure(client: Client, target: Target, timeouts: Timeouts) -> tuple[ClientError, float]:
    started = time.monotonic()
    with pytest.raises(ClientError) as caught:
        client.send(RequestSpec("GET", "/", timeouts=timeouts), target)
    return caught.value, time.monotonic() - started


@pytest.mark.parametrize("transport", TRANSPORTS)
@pytest.mark.parametrize("trickle", TRICKLES)
def test_trickling_server_ends_at_the_total_deadline(
    in_process_client: Client,
    trickle: str,
    transport: str,
    session_certificate: ServerCertificate,
) -> None:
    stage, script = TRICKLES[trickle]
    certificate = session_certificate if transport == "https" else None
    with ScriptedServer(script, certificate=certificate) as server:
        target = server.target
        error, elapsed = _timed_failure(in_process_client, target, TRICKLE)
    assert error.kind is ErrorKind.TIMEOUT_TOTAL, error
    assert TRICKLE.exchange <= elapsed <= 2 * TRICKLE.exchange
    assert error.original_text.startswith(target.base_url), error
    assert f"stage: {stage}" in error.original_text, error
    if "body bytes received" in error.original_text:
        received = int(error.original_text.rpartition("; ")[2].split()[0])
        assert 0 < received < TRICKLE_BYTES, error
    else:
        assert "bytes received so far not exposed by" in error.original_text, error


def test_total_deadline_names_the_connect_stage(in_process_client: Client) -> None:
    # A connect that outlasts the whole deadline: a connecting socket cannot be shut down,
    # so the connect deadline ends it (urllib.request connects under the read deadline);
    # what is reported is the total deadline, passed.
    short = Timeouts(connect=1.0, read=1.0, total=0.5)
    with full_backlog_listener() as target:
        error, elapsed = _timed_failure(in_process_client, target, short)
    assert error.kind is ErrorKind.TIMEOUT_TOTAL, error
    assert short.exchange <= elapsed <= 2 * short.connect
    assert "stage: connect" in error.original_text, error

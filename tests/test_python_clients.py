"""The urllib.request, urllib3, httpx and aiohttp adapters: what they send is what the spec
says, what they report is true, and their failures map onto the taxonomy as the other
clients' do (tests/test_errors.py's scripted failures)."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import closing

import pytest

from fixtures.servers import ServerPool
from harness import contract
from harness.clients import Client
from harness.clients.aiohttp_client import AiohttpClient
from harness.clients.httpx_client import HttpxClient
from harness.clients.urllib3_client import Urllib3Client
from harness.clients.urllib_client import UrllibClient
from harness.errors import ErrorKind
from harness.model import RequestSpec, Target, Timeouts, Verify
from harness.scripted import Close, ScriptedServer, Send, full_backlog_listener
from harness.tls import ServerCertificate
from tests.test_errors import SCRIPTED, SHORT, failure_kind

CLIENTS: dict[str, type[Client]] = {
    "urllib.request": UrllibClient,
    "urllib3": Urllib3Client,
    "httpx": HttpxClient,
    "aiohttp": AiohttpClient,
}
# Scripted failures a client does not fail on, and why: a response is what it returns.
# httpcore reads a response head of up to 100 KiB (httpcore/_sync/http11.py:
# HTTP11Connection.MAX_INCOMPLETE_EVENT_SIZE), so SCRIPTED's 70,000-octet field line is
# accepted, which RFC 9110 §5.4 allows (no limit is set; a client may have one).
ACCEPTED = {("httpx", ErrorKind.PROTOCOL_INVALID_HEADER)}
HTTPCORE_HEAD_LIMIT = 100 * 1024
# urllib.request opens a connection per request (Lib/urllib/request.py: do_open).
NEW_CONNECTION_EACH_TIME = {"urllib.request"}
OK = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"


@pytest.fixture(params=CLIENTS)
def client(request: pytest.FixtureRequest) -> Iterator[Client]:
    instance = CLIENTS[request.param]()
    yield instance
    instance.close()


@pytest.fixture
def target(server_pool: ServerPool) -> Target:
    return server_pool.get(("stdlib-threading", "http")).target


def _name(request: pytest.FixtureRequest) -> str:
    return request.node.callspec.params["client"]


@pytest.mark.parametrize("kind", SCRIPTED, ids=str)
def test_scripted_failure_maps_to_kind(
    client: Client, kind: ErrorKind, request: pytest.FixtureRequest
) -> None:
    with ScriptedServer(SCRIPTED[kind]) as server:
        if (_name(request), kind) in ACCEPTED:
            exchange = client.send(RequestSpec("GET", "/", timeouts=SHORT), server.target)
            assert exchange.status == 200
        else:
            assert failure_kind(client, server.target) == kind


def test_httpx_refuses_a_head_beyond_its_limit() -> None:
    field = b"X-Long: " + b"a" * (2 * HTTPCORE_HEAD_LIMIT) + b"\r\n"
    client = HttpxClient()
    try:
        with ScriptedServer([Send(b"HTTP/1.1 200 OK\r\n" + field + b"\r\n"), Close()]) as server:
            assert failure_kind(client, server.target) == ErrorKind.PROTOCOL_INVALID_HEADER
    finally:
        client.close()


def test_refused_connection(client: Client) -> None:
    with closing(socket.create_server(("127.0.0.1", 0))) as listener:
        port = listener.getsockname()[1]
    assert failure_kind(client, Target("http", "127.0.0.1", port)) == ErrorKind.CONNECT_REFUSED


def test_connect_timeout(client: Client) -> None:
    with full_backlog_listener() as target:
        assert failure_kind(client, target) == ErrorKind.TIMEOUT_CONNECT


def test_plain_exchange(client: Client, target: Target) -> None:
    exchange = client.send(RequestSpec("GET", "/bytes/3"), target)
    assert (exchange.status, exchange.reason, exchange.http_version) == (200, "OK", "HTTP/1.1")
    assert [name for name, _ in exchange.headers][:2] == ["Server", "Date"]
    assert exchange.header("content-length") == "3"
    assert exchange.body == contract.deterministic_bytes(3)


def test_error_statuses_are_responses(client: Client, target: Target) -> None:
    for code in (404, 503):
        exchange = client.send(RequestSpec("GET", f"/status/{code}"), target)
        assert (exchange.status, exchange.body) == (code, contract.status_body(code))


def test_redirects_are_not_followed(client: Client) -> None:
    script = [Send(b"HTTP/1.1 302 Found\r\nLocation: /elsewhere\r\nContent-Length: 0\r\n\r\n")]
    with ScriptedServer([*script, Close()]) as server:
        exchange = client.send(RequestSpec("GET", "/"), server.target)
    assert (exchange.status, exchange.header("Location")) == (302, "/elsewhere")
    assert len(server.received) == 1, "no request for the Location"


def test_reuse_is_reported_truly(
    client: Client, target: Target, request: pytest.FixtureRequest
) -> None:
    first = client.send(RequestSpec("GET", "/conn"), target)
    second = client.send(RequestSpec("GET", "/conn"), target)
    if _name(request) in NEW_CONNECTION_EACH_TIME:
        assert (first.reused, second.reused) == (False, False)
        assert first.body != second.body, "the server saw two connections"
    else:
        assert (first.reused, second.reused) == (False, True)
        assert first.body == second.body, "the server saw one connection"


def test_client_works_again_after_close(client: Client, target: Target) -> None:
    client.send(RequestSpec("GET", "/conn"), target)
    client.close()
    assert client.send(RequestSpec("GET", "/bytes/1"), target).body == b"\x00"


def test_iterable_body_is_sent_chunked(client: Client, server_pool: ServerPool) -> None:
    # Werkzeug decodes chunked request content, so flask shows both framing and content.
    target = server_pool.get(("flask", "http")).target
    exchange = client.send(RequestSpec("POST", "/echo", body=iter([b"ab", b"cd"])), target)
    echo = contract.parse_echo(exchange.body)
    assert echo.header_values("Transfer-Encoding") == ["chunked"]
    assert echo.body == b"abcd"


def test_repeated_fields_or_their_declared_lack(
    client: Client, target: Target, request: pytest.FixtureRequest
) -> None:
    fields = [("X-Interop-List", "1"), ("X-Interop-List", "2")]
    spec = RequestSpec("GET", "/echo", headers=fields)
    if _name(request) == "urllib.request":
        with pytest.raises(ValueError, match="repeat a field name"):
            client.send(spec, target)
        return
    echo = contract.parse_echo(client.send(spec, target).body)
    assert echo.header_values("X-Interop-List") == ["1", "2"]


def test_http10_or_its_declared_lack(
    client: Client, target: Target, request: pytest.FixtureRequest
) -> None:
    spec = RequestSpec("GET", "/echo", http_version="HTTP/1.0")
    if _name(request) != "aiohttp":
        with pytest.raises(ValueError, match=r"HTTP/1\.0"):
            client.send(spec, target)
        return
    assert contract.parse_echo(client.send(spec, target).body).http_version == "HTTP/1.0"


@pytest.mark.parametrize("verify", list(Verify), ids=lambda verify: verify.value)
def test_verify_modes(
    client: Client, verify: Verify, session_certificate: ServerCertificate
) -> None:
    with ScriptedServer([Send(OK), Close()], certificate=session_certificate) as server:
        spec = RequestSpec("GET", "/", timeouts=Timeouts(), verify=verify)
        if verify is Verify.SYSTEM:
            # The session's CA is made for this run: no default trust store holds it.
            assert failure_kind(client, server.target, spec) == ErrorKind.TLS_UNTRUSTED
        else:
            assert client.send(spec, server.target).body == b"ok"

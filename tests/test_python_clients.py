"""The urllib.request, urllib3, httpx and aiohttp adapters, where they differ from the other
clients: what each cannot express, responses urllib.request raises, redirects, trust modes,
and a client used again after close.

What every registered client must do (the error taxonomy, reuse, field order, chunked
uploads) is checked for these four too, by tests/test_errors.py and tests/test_clients.py.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from harness import contract
from harness.clients import Client
from harness.clients.aiohttp_client import AiohttpClient
from harness.clients.httpx_client import HttpxClient
from harness.clients.urllib3_client import Urllib3Client
from harness.clients.urllib_client import UrllibClient
from harness.fixtures.servers import ServerPool
from harness.model import RequestSpec, Target, Timeouts, Verify
from harness.scripted import Close, ScriptedServer, Send
from harness.tls import ServerCertificate

CLIENTS: dict[str, type[Client]] = {
    "urllib.request": UrllibClient,
    "urllib3": Urllib3Client,
    "httpx": HttpxClient,
    "aiohttp": AiohttpClient,
}
# What each cannot express, and so refuses with ValueError instead of sending something else.
CANNOT_REPEAT_FIELDS = {"urllib.request"}  # Request keeps headers in a dict
CANNOT_CHOOSE_VERSION = {"urllib.request", "urllib3", "httpx"}  # aiohttp: ClientSession(version=)
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


def test_error_statuses_are_responses(client: Client, target: Target) -> None:
    # urllib.request raises HTTPError for them; it carries the response.
    for code in (404, 503):
        exchange = client.send(RequestSpec("GET", f"/status/{code}"), target)
        assert (exchange.status, exchange.body) == (code, contract.status_body(code))
        assert exchange.http_version == "HTTP/1.1"


def test_redirects_are_not_followed(client: Client) -> None:
    redirect = b"HTTP/1.1 302 Found\r\nLocation: /elsewhere\r\nContent-Length: 0\r\n\r\n"
    with ScriptedServer([Send(redirect), Close()]) as server:
        exchange = client.send(RequestSpec("GET", "/"), server.target)
    assert (exchange.status, exchange.header("Location")) == (302, "/elsewhere")
    assert len(server.received) == 1, "no request for the Location"


def test_urllib_request_opens_a_connection_per_request(target: Target) -> None:
    client = UrllibClient()
    try:
        first = client.send(RequestSpec("GET", "/conn"), target)
        second = client.send(RequestSpec("GET", "/conn"), target)
    finally:
        client.close()
    assert (first.reused, second.reused) == (False, False)
    assert first.body != second.body, "the server saw two connections"


def test_client_works_again_after_close(client: Client, target: Target) -> None:
    # The chunked suite's property closes the cell's client between examples.
    client.send(RequestSpec("GET", "/conn"), target)
    client.close()
    assert client.send(RequestSpec("GET", "/bytes/1"), target).body == b"\x00"


def test_repeated_fields_or_their_declared_lack(
    client: Client, target: Target, request: pytest.FixtureRequest
) -> None:
    spec = RequestSpec("GET", "/echo", headers=[("X-Interop-List", "1"), ("X-Interop-List", "2")])
    if _name(request) in CANNOT_REPEAT_FIELDS:
        with pytest.raises(ValueError, match="repeat a field name"):
            client.send(spec, target)
        return
    echo = contract.parse_echo(client.send(spec, target).body)
    assert echo.header_values("X-Interop-List") == ["1", "2"]


def test_http10_or_its_declared_lack(
    client: Client, target: Target, request: pytest.FixtureRequest
) -> None:
    spec = RequestSpec("GET", "/echo", http_version="HTTP/1.0")
    if _name(request) in CANNOT_CHOOSE_VERSION:
        with pytest.raises(ValueError, match=r"HTTP/1\.0"):
            client.send(spec, target)
        return
    exchange = client.send(spec, target)
    assert contract.parse_echo(exchange.body).http_version == "HTTP/1.0"
    # The session for HTTP/1.1 is another one, and still sends 1.1.
    echo = contract.parse_echo(client.send(RequestSpec("GET", "/echo"), target).body)
    assert echo.http_version == "HTTP/1.1"


@pytest.mark.parametrize("verify", [Verify.TARGET_CA, Verify.NONE], ids=lambda v: v.value)
def test_trust_modes_that_connect(
    client: Client, verify: Verify, session_certificate: ServerCertificate
) -> None:
    # Verify.SYSTEM is refused: tests/test_errors.py, test_default_trust_rejects_the_session_ca.
    with ScriptedServer([Send(OK), Close()], certificate=session_certificate) as server:
        spec = RequestSpec("GET", "/", timeouts=Timeouts(), verify=verify)
        assert client.send(spec, server.target).body == b"ok"

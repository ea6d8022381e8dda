"""The client adapters: what they send is what the spec says, and what they report is true."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from harness import contract
from harness.clients import Client
from harness.fixtures.servers import ServerPool, make_client
from harness.implementation import Capability, Kind
from harness.model import RequestSpec, Target
from harness.registry import REGISTRY

# Every registered client that runs here: built-ins, entry points, implementations.toml
# (but a WebSocket-only one, which sends no HTTP request).
CLIENTS = [
    name
    for name in REGISTRY.names(Kind.CLIENT)
    if not REGISTRY.get(Kind.CLIENT, name).unavailable()
    and not REGISTRY.get(Kind.CLIENT, name).websocket_only
]


@pytest.fixture(params=CLIENTS)
def client(request: pytest.FixtureRequest) -> Iterator[Client]:
    instance = make_client(request.param)
    yield instance
    instance.close()


@pytest.fixture
def target(server_pool: ServerPool) -> Target:
    return server_pool.get(("stdlib-threading", "http")).target


def test_second_request_reuses_the_connection(
    client: Client, target: Target, request: pytest.FixtureRequest
) -> None:
    impl = REGISTRY.get(Kind.CLIENT, request.node.callspec.params["client"])
    if impl.cannot(Capability.PERSISTENT_CONNECTIONS):
        pytest.skip(f"not applicable: {impl.cannot(Capability.PERSISTENT_CONNECTIONS)}")
    first = client.send(RequestSpec("GET", "/conn"), target)
    second = client.send(RequestSpec("GET", "/conn"), target)
    assert first.reused is False and second.reused is True
    assert first.body == second.body, "the server saw the same peer: one connection"


def test_response_fields_keep_order_and_case(client: Client, target: Target) -> None:
    exchange = client.send(RequestSpec("GET", "/bytes/3"), target)
    names = [name for name, _ in exchange.headers]
    assert names[:2] == ["Server", "Date"]
    assert exchange.header("content-length") == "3"
    assert (exchange.status, exchange.reason, exchange.http_version) == (200, "OK", "HTTP/1.1")
    assert exchange.body == contract.deterministic_bytes(3)


def test_iterable_body_is_sent_chunked(client: Client, server_pool: ServerPool) -> None:
    # Werkzeug decodes chunked request bodies (BaseHTTPRequestHandler does not, and may
    # answer before the chunks are sent), so flask shows both framing and content.
    target = server_pool.get(("flask", "http")).target
    exchange = client.send(RequestSpec("POST", "/echo", body=iter([b"ab", b"cd"])), target)
    echo = contract.parse_echo(exchange.body)
    assert echo.header_values("Transfer-Encoding") == ["chunked"]
    assert echo.body == b"abcd"


def test_requests_refuses_instead_of_dropping(target: Target) -> None:
    client = REGISTRY.get(Kind.CLIENT, "requests").load()()
    try:
        with pytest.raises(ValueError, match="repeat a field name"):
            client.send(RequestSpec(headers=[("X-A", "1"), ("x-a", "2")]), target)
        with pytest.raises(ValueError, match=r"HTTP/1\.0"):
            client.send(RequestSpec(http_version="HTTP/1.0"), target)
    finally:
        client.close()


def test_http_client_sends_the_chosen_version(target: Target) -> None:
    client = REGISTRY.get(Kind.CLIENT, "http.client").load()()
    try:
        exchange = client.send(RequestSpec("GET", "/echo", http_version="HTTP/1.0"), target)
    finally:
        client.close()
    assert contract.parse_echo(exchange.body).http_version == "HTTP/1.0"

"""Every reference server implements docs/contract.md, over HTTP and HTTPS.

Requests go through http.client, one connection per request, so each endpoint is checked
on its own; what the contract leaves to the implementation (keep-alive, framing of
/stream) is not checked here but by the suites.
"""

from __future__ import annotations

import http.client
import json
import time

import pytest

from harness import contract
from harness.clients import ssl_context
from harness.fixtures.servers import ServerPool
from harness.implementation import Capability, Kind
from harness.model import RequestSpec, Target
from harness.registry import REGISTRY

# Every server that serves the contract and runs here (an optional one may be missing),
# over each transport it serves: built-ins, entry points and implementations.toml alike.
CONTRACT_SERVERS = [
    impl
    for impl in REGISTRY.all()
    if impl.kind is Kind.SERVER
    and not impl.cannot(Capability.CONTRACT_ENDPOINTS)
    and not impl.unavailable()
]
CELLS = [
    (impl.name, transport)
    for impl in CONTRACT_SERVERS
    for transport in ("http", "https")
    if transport == "http" or not impl.https_unsupported()
]
TIMEOUT = 10.0


@pytest.fixture(params=CELLS, ids="-".join)
def target(request: pytest.FixtureRequest, server_pool: ServerPool) -> Target:
    return server_pool.get(request.param).target


def fetch(
    target: Target, method: str, path: str, body: bytes | None = None
) -> tuple[http.client.HTTPResponse, bytes]:
    if target.scheme == "https":
        context = ssl_context(RequestSpec(), target)
        conn: http.client.HTTPConnection = http.client.HTTPSConnection(
            target.host, target.port, timeout=TIMEOUT, context=context
        )
    else:
        conn = http.client.HTTPConnection(target.host, target.port, timeout=TIMEOUT)
    try:
        conn.request(method, path, body=body, headers={"X-Contract": "yes"})
        response = conn.getresponse()
        return response, response.read()
    finally:
        conn.close()


def test_echo_reports_the_request(target: Target) -> None:
    response, body = fetch(target, "PUT", "/echo?a=1&b=two", b"payload\x00\xff")
    assert response.status == 200
    assert response.getheader("Content-Type", "").startswith("application/json")
    echo = contract.parse_echo(body)
    assert (echo.method, echo.target, echo.path, echo.query) == (
        "PUT",
        "/echo?a=1&b=two",
        "/echo",
        "a=1&b=two",
    )
    assert echo.http_version == "HTTP/1.1"
    assert echo.header_values("X-Contract") == ["yes"]
    assert echo.header_values("Host") == [f"{target.host}:{target.port}"]
    assert echo.body == b"payload\x00\xff"


@pytest.mark.parametrize("code", [200, 201, 301, 400, 404, 418, 500, 503, 599])
def test_status_answers_with_the_code(target: Target, code: int) -> None:
    response, body = fetch(target, "GET", f"/status/{code}")
    assert (response.status, body) == (code, contract.status_body(code))


@pytest.mark.parametrize("code", [204, 304])
def test_status_without_content(target: Target, code: int) -> None:
    response, body = fetch(target, "GET", f"/status/{code}")
    assert (response.status, body) == (code, b"")


@pytest.mark.parametrize("n", [0, 1, 255, 256, 100_000])
def test_bytes_sends_n_deterministic_bytes_with_length(target: Target, n: int) -> None:
    response, body = fetch(target, "GET", f"/bytes/{n}")
    assert response.status == 200
    assert response.getheader("Content-Length") == str(n)
    assert body == contract.deterministic_bytes(n)
    assert body[:3] == bytes([0, 1, 2])[:n]


def lengths_of_unknown_length_body(n: int) -> tuple[str | None, ...]:
    """The Content-Length a body handed over without one may go out with: none, or "0" for
    an empty body that a server saw end before it sent the head (docs/contract.md, GET
    /stream/{n}; wsgiref's BaseHandler.finish_content, under Django's development server)."""
    return (None, "0") if n == 0 else (None,)


@pytest.mark.parametrize("n", [0, 1, 10_000])
def test_stream_sends_n_bytes_without_length(target: Target, n: int) -> None:
    response, body = fetch(target, "GET", f"/stream/{n}")
    assert response.status == 200
    assert response.getheader("Content-Length") in lengths_of_unknown_length_body(n)
    assert body == contract.deterministic_bytes(n)


@pytest.mark.parametrize(("n", "size"), [(0, 1), (1, 1), (100, 7), (5000, 1024)])
def test_chunked_sends_n_bytes_in_pieces_without_length(target: Target, n: int, size: int) -> None:
    response, body = fetch(target, "GET", f"/chunked/{n}?size={size}")
    assert response.status == 200
    assert response.getheader("Content-Length") in lengths_of_unknown_length_body(n)
    assert body == contract.deterministic_bytes(n)


def test_drip_sends_its_bytes_slowly_with_length(target: Target) -> None:
    started = time.monotonic()
    response, body = fetch(target, "GET", "/drip/4?interval_ms=50")
    assert response.status == 200
    assert response.getheader("Content-Length") == "4"
    assert body == contract.deterministic_bytes(4)
    assert time.monotonic() - started >= 0.2


def test_delay_waits_before_answering(target: Target) -> None:
    started = time.monotonic()
    response, _ = fetch(target, "GET", "/delay/200")
    assert response.status == 200
    assert time.monotonic() - started >= 0.2


def test_close_answers_with_connection_close(
    target: Target, request: pytest.FixtureRequest
) -> None:
    name = request.node.callspec.params["target"][0]
    reason = REGISTRY.get(Kind.SERVER, name).cannot(Capability.CLOSE_FROM_APPLICATION)
    if reason:
        pytest.skip(f"not applicable: {reason}")
    response, body = fetch(target, "GET", "/close")
    assert (response.status, body) == (200, b"closing\n")
    assert "close" in response.getheader("Connection", "").lower()


def test_health_answers_ok(target: Target) -> None:
    response, body = fetch(target, "GET", "/health")
    assert (response.status, body) == (200, contract.HEALTH_BODY)
    assert response.getheader("Content-Length") == str(len(contract.HEALTH_BODY))
    assert response.getheader("Content-Type", "").startswith("text/plain")


@pytest.mark.parametrize(
    ("path", "code", "location"),
    [
        ("/redirect/301?to=%2Fecho%3Fa%3D1", 301, "/echo?a=1"),
        ("/redirect/302?to=https%3A%2F%2Fexample.test%2Fx", 302, "https://example.test/x"),
        ("/redirect/303?to=landing", 303, "landing"),
        ("/redirect/307", 307, contract.DEFAULT_REDIRECT_TO),
        ("/redirect/308?to=%2Fa&to=%2Fb", 308, "/b"),
    ],
)
def test_redirect_answers_with_location(
    target: Target, path: str, code: int, location: str
) -> None:
    response, body = fetch(target, "GET", path)
    assert (response.status, body) == (code, contract.status_body(code))
    assert response.headers.get_all("Location") == [location]
    assert response.getheader("Content-Type", "").startswith("text/plain")


def test_conn_reports_the_peer_address(target: Target) -> None:
    response, body = fetch(target, "GET", "/conn")
    assert response.status == 200
    host, _, port = json.loads(body)["peer"].rpartition(":")
    assert host == "127.0.0.1" and 0 < int(port) < 65536


@pytest.mark.parametrize(
    "path",
    [
        "/nowhere",
        "/status/99",
        "/status/600",
        "/bytes/999999999",
        "/delay/600000",
        "/chunked/10?size=0",
        "/chunked/10?size=x",
        "/drip/1001",
        "/drip/1000?interval_ms=100",
        "/redirect/300",
        "/redirect/304",
        "/redirect/302?to=",
        "/redirect/302?to=a+b",
        "/redirect/302?to=%0D%0AX:1",
    ],
)
def test_outside_the_contract_is_404(target: Target, path: str) -> None:
    response, _ = fetch(target, "GET", path)
    assert response.status == 404


def test_head_has_get_fields_and_no_content(target: Target) -> None:
    get, _ = fetch(target, "GET", "/bytes/10")
    head, body = fetch(target, "HEAD", "/bytes/10")
    assert (head.status, body) == (200, b"")
    assert head.getheader("Content-Type") == get.getheader("Content-Type")

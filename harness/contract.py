"""The behaviour contract's application logic, shared by every Python server adapter.

This module holds only what docs/contract.md defines as the application: which route
answers what, the bytes of ``/bytes/{n}``, the JSON of ``/echo``. It does no HTTP framing:
each adapter hands these values to its framework, which does the protocol work itself.
"""

from __future__ import annotations

import base64
import json
import re
import urllib.parse
from dataclasses import dataclass

MAX_BODY_BYTES = 64 * 1024 * 1024  # /bytes and /stream refuse more, to keep a run bounded
MAX_DELAY_MS = 60_000
STREAM_PIECE_BYTES = 4096  # /stream/{n} hands its body to the framework in pieces this big
DEFAULT_CHUNK_BYTES = 1024  # /chunked/{n} without ?size=
MAX_DRIP_BYTES = 1000
DEFAULT_DRIP_INTERVAL_MS = 100
# /redirect/{code}: the redirecting codes of RFC 9110 §15.4 that carry a Location, and the
# Location without ?to= (docs/contract.md).
REDIRECT_CODES = (301, 302, 303, 307, 308)
DEFAULT_REDIRECT_TO = "/echo"
# A ?to= value the adapters can put in a field unchanged: visible ASCII only (RFC 9110 §5.5,
# no CR, LF or NUL), and a bound on its length.
_LOCATION = re.compile(r"[!-~]{1,2048}")
# The methods /echo answers; every other route answers GET and HEAD (docs/contract.md).
ECHO_METHODS = ("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS")
READ_METHODS = ("GET", "HEAD")

_PATTERN = bytes(range(256))

# Path patterns of the contract's routes (docs/contract.md).
_ROUTES = {
    "echo": re.compile(r"/echo"),
    "status": re.compile(r"/status/(\d{3})"),
    "bytes": re.compile(r"/bytes/(\d{1,9})"),
    "stream": re.compile(r"/stream/(\d{1,9})"),
    "chunked": re.compile(r"/chunked/(\d{1,9})"),
    "drip": re.compile(r"/drip/(\d{1,4})"),
    "delay": re.compile(r"/delay/(\d{1,6})"),
    "close": re.compile(r"/close"),
    "conn": re.compile(r"/conn"),
    "health": re.compile(r"/health"),
    "redirect": re.compile(r"/redirect/(\d{3})"),
}


@dataclass(frozen=True)
class Route:
    name: str  # one of _ROUTES, or "not-found"
    number: int = 0  # the {code}, {n} or {ms} of the path
    piece: int = STREAM_PIECE_BYTES  # /stream, /chunked: bytes handed over at a time
    interval_ms: int = 0  # /drip: pause before each byte
    location: str = ""  # /redirect: the Location field's value


def _query_int(query: str, name: str, default: int, low: int, high: int) -> int | None:
    """An integer query parameter within [low, high]; None when present but invalid."""
    values = urllib.parse.parse_qs(query).get(name)
    if not values:
        return default
    value = values[-1]
    return int(value) if value.isdigit() and low <= int(value) <= high else None


def route(path: str, query: str = "") -> Route:
    """The contract route for a path and its query string (docs/contract.md)."""
    for name, pattern in _ROUTES.items():
        match = pattern.fullmatch(path)
        if not match:
            continue
        number = int(match.group(1)) if match.groups() else 0
        if name in ("bytes", "stream", "chunked") and number > MAX_BODY_BYTES:
            return Route("not-found")
        if name == "delay" and number > MAX_DELAY_MS:
            return Route("not-found")
        if name == "status" and not 200 <= number <= 599:
            return Route("not-found")
        if name == "chunked":
            size = _query_int(query, "size", DEFAULT_CHUNK_BYTES, 1, MAX_BODY_BYTES)
            return Route(name, number, piece=size) if size else Route("not-found")
        if name == "drip":
            interval = _query_int(query, "interval_ms", DEFAULT_DRIP_INTERVAL_MS, 0, 10_000)
            if number > MAX_DRIP_BYTES or interval is None or number * interval > MAX_DELAY_MS:
                return Route("not-found")
            return Route(name, number, interval_ms=interval)
        if name == "redirect":
            return _redirect(number, query)
        return Route(name, number)
    return Route("not-found")


def _redirect(code: int, query: str) -> Route:
    """/redirect/{code}?to=...: the percent-decoded ``to`` (default /echo) as the Location."""
    values = urllib.parse.parse_qs(query, keep_blank_values=True).get("to")
    location = values[-1] if values else DEFAULT_REDIRECT_TO
    if code not in REDIRECT_CODES or not _LOCATION.fullmatch(location):
        return Route("not-found")
    return Route("redirect", code, location=location)


def methods(route_name: str) -> tuple[str, ...]:
    """The methods a route answers, for applications that dispatch on the method themselves
    (where the implementation leaves that to the application, as WSGI and ASGI do)."""
    return ECHO_METHODS if route_name == "echo" else READ_METHODS


def deterministic_bytes(n: int) -> bytes:
    """The n bytes ``/bytes/{n}`` and ``/stream/{n}`` send: 0, 1, ..., 255, 0, 1, ..."""
    repeats = n // len(_PATTERN) + 1
    return (_PATTERN * repeats)[:n]


def pieces(n: int, size: int = STREAM_PIECE_BYTES) -> list[bytes]:
    """The bytes of ``/stream/{n}`` or ``/chunked/{n}``, in the pieces handed to the framework."""
    data = deterministic_bytes(n)
    return [data[i : i + size] for i in range(0, n, size)]


# GET /health's body: the server is up and its application answers (docs/contract.md).
HEALTH_BODY = b"ok\n"


def status_body(code: int) -> bytes:
    return f"status {code}\n".encode()


def echo_document(
    *,
    method: str,
    target: str,
    http_version: str,
    headers: list[tuple[str, str]],
    body: bytes,
) -> bytes:
    """The JSON body ``/echo`` answers with (docs/contract.md, "ANY /echo")."""
    path, _, query = target.partition("?")
    return json.dumps(
        {
            "method": method,
            "target": target,
            "path": path,
            "query": query,
            "http_version": http_version,
            "headers": [[name, value] for name, value in headers],
            "body_length": len(body),
            "body_base64": base64.b64encode(body).decode("ascii"),
        }
    ).encode()


def conn_document(peer_host: str, peer_port: int) -> bytes:
    """The JSON body ``/conn`` answers with: the connection as the server sees it."""
    return json.dumps({"peer": f"{peer_host}:{peer_port}"}).encode()


@dataclass(frozen=True)
class Echo:
    """What ``/echo`` reported about the request it received."""

    method: str
    target: str
    path: str
    query: str
    http_version: str
    headers: list[tuple[str, str]]
    body: bytes

    def header_values(self, name: str) -> list[str]:
        """Values of a field as received, matched case-insensitively (RFC 9110 §5.1)."""
        return [value for key, value in self.headers if key.lower() == name.lower()]


def parse_echo(document: bytes) -> Echo:
    """Read ``/echo``'s JSON; raises ValueError when it is not the contract's document."""
    data = json.loads(document)
    body = base64.b64decode(data["body_base64"], validate=True)
    if len(body) != data["body_length"]:
        raise ValueError("body_length does not match body_base64")
    return Echo(
        method=data["method"],
        target=data["target"],
        path=data["path"],
        query=data["query"],
        http_version=data["http_version"],
        headers=[(name, value) for name, value in data["headers"]],
        body=body,
    )


# GET /ws: the WebSocket echo (docs/contract.md, "WebSocket"), served by servers that
# provide Capability.WEBSOCKET. It sends back every text and binary message as it came, and
# agrees to this one subprotocol when the client offers it (RFC 6455 §4.2.2, /subprotocol/).
WEBSOCKET_PATH = "/ws"
WEBSOCKET_SUBPROTOCOL = "interop.echo"

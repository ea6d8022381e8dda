"""The behaviour contract as a plain WSGI application (PEP 3333), for gunicorn and waitress.

No framework sits between the application and the server, so what the suites see is the
server's HTTP machinery: the application hands over a status, header fields and an iterable
of bytes, and the server frames them. A body of unknown length is a generator without
Content-Length (the server chooses chunked coding or a close); the content of a response
to HEAD, and of a 204, 205 or 304, is handed over like any other, and leaving it out is the
server's job (docs/contract.md, GET /status/{code}). Request content is read as PEP 3333
says: to its end where the server marks ``wsgi.input_terminated`` (it has removed the
framing), else up to CONTENT_LENGTH.

PEP 3333 forbids applications hop-by-hop fields ("Other HTTP Features"): a WSGI application
cannot set ``Connection: close``, so GET /close answers without it (waitress refuses the
field with an AssertionError, gunicorn drops it).
"""

from __future__ import annotations

import http.client
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from harness import contract

StartResponse = Callable[..., Any]
Environ = dict[str, Any]


def application(environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
    """The contract's routes (docs/contract.md); the WSGI callable gunicorn and waitress run."""
    method = environ["REQUEST_METHOD"]
    found = contract.route(environ.get("PATH_INFO", ""), environ.get("QUERY_STRING", ""))
    if found.name == "not-found":
        return _fixed(start_response, 404, "text/plain", b"not found\n")
    allowed = contract.methods(found.name)
    if method not in allowed:
        # RFC 9110 §15.5.6: a 405 carries Allow. The server leaves dispatch by method to the
        # application, as it does every routing decision.
        headers = [("Allow", ", ".join(allowed))]
        return _fixed(start_response, 405, "text/plain", b"method not allowed\n", headers)
    if found.name == "echo":
        document = contract.echo_document(
            method=method,
            target=_target(environ),
            http_version=environ["SERVER_PROTOCOL"],
            headers=_received_fields(environ),
            body=_content(environ),
        )
        return _fixed(start_response, 200, "application/json", document)
    if found.name == "status":
        # Content-Length as the contract's table has it (none for 204 and 304), and the
        # content for every code: whether it goes out is the server's decision.
        length = found.number not in (204, 304)
        body = contract.status_body(found.number)
        return _fixed(start_response, found.number, "text/plain", body, length=length)
    if found.name == "bytes":
        body = contract.deterministic_bytes(found.number)
        return _fixed(start_response, 200, "application/octet-stream", body)
    if found.name in ("stream", "chunked"):
        start_response("200 OK", [("Content-Type", "application/octet-stream")])
        # An iterator, not a list: a server may take the length of a one-item list as the
        # Content-Length (waitress does), and here the length must stay unknown.
        return iter(contract.pieces(found.number, found.piece))
    if found.name == "drip":
        fields = [
            ("Content-Type", "application/octet-stream"),
            ("Content-Length", str(found.number)),
        ]
        start_response("200 OK", fields)
        return _drip(found)
    if found.name == "delay":
        time.sleep(found.number / 1000)
        return _fixed(start_response, 200, "text/plain", f"delayed {found.number} ms\n".encode())
    if found.name == "close":
        return _fixed(start_response, 200, "text/plain", b"closing\n")
    if found.name == "health":
        return _fixed(start_response, 200, "text/plain", contract.HEALTH_BODY)
    if found.name == "redirect":
        body = contract.status_body(found.number)
        location = [("Location", found.location)]
        return _fixed(start_response, found.number, "text/plain", body, location)
    document = contract.conn_document(environ["REMOTE_ADDR"], int(environ["REMOTE_PORT"]))
    return _fixed(start_response, 200, "application/json", document)


def _fixed(
    start_response: StartResponse,
    code: int,
    content_type: str,
    body: bytes,
    headers: list[tuple[str, str]] | None = None,
    *,
    length: bool = True,
) -> list[bytes]:
    fields = [("Content-Type", content_type), *(headers or [])]
    if length:
        fields.append(("Content-Length", str(len(body))))
    # WSGI makes the application write the reason phrase; the standard library's table
    # gives it, and an unknown code gets an empty one (as http.server sends it).
    start_response(f"{code} {http.client.responses.get(code, '')}", fields)
    return [body]


def _drip(found: contract.Route) -> Iterator[bytes]:
    for byte in contract.pieces(found.number, 1):
        time.sleep(found.interval_ms / 1000)
        yield byte


def _target(environ: Environ) -> str:
    """The request-target as received. PEP 3333 has no key for it (PATH_INFO is decoded):
    gunicorn reports it as RAW_URI, waitress as REQUEST_URI (a server with neither fails the
    request with KeyError rather than have /echo report a target it did not receive)."""
    return environ["RAW_URI"] if "RAW_URI" in environ else environ["REQUEST_URI"]


def _received_fields(environ: Environ) -> list[tuple[str, str]]:
    """The request's header fields as the server reports them: CGI meta-variables in the
    environ's order (RFC 3875 §4.1.18: HTTP_ and the name upper-cased, "-" as "_"; Content-Type
    and Content-Length without the prefix), named back with "-". Case, and whether repeated
    fields were merged, are the server's."""
    fields = []
    for key, value in environ.items():
        if key.startswith("HTTP_"):
            fields.append((key[5:].replace("_", "-"), value))
        elif key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            fields.append((key.replace("_", "-"), value))
    return fields


def _content(environ: Environ) -> bytes:
    stream = environ["wsgi.input"]
    if environ.get("wsgi.input_terminated"):
        return stream.read()
    return stream.read(int(environ.get("CONTENT_LENGTH") or 0))

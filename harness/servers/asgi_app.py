"""The behaviour contract as a plain ASGI application (ASGI 3, HTTP scope), for uvicorn.

No framework sits between the application and the server: the application sends
``http.response.start`` and ``http.response.body`` messages and the server frames them. A
body of unknown length is sent in several body messages without Content-Length (the server
chooses chunked coding or a close). The content of a response to HEAD, and of a 205, is sent
like any other, and leaving it out is the server's job (docs/contract.md, GET
/status/{code}). A 204 and a 304 are sent without content: uvicorn (h11) refuses content on
them by raising into the application's ``send`` ("Too much data for declared
Content-Length"), so there leaving it out is the application's job. GET /close sets
``Connection: close``; closing after it is the server's reaction.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from harness import contract

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
Fields = list[tuple[bytes, bytes]]


async def application(scope: Scope, receive: Receive, send: Send) -> None:
    """The contract's routes (docs/contract.md) for an ``http`` scope, and /ws for a
    ``websocket`` one."""
    if scope["type"] == "websocket":
        await _websocket_echo(scope, receive, send)
        return
    if scope["type"] != "http":
        # The server runs with lifespan off: nothing else should arrive.
        raise ValueError(f"unsupported ASGI scope type {scope['type']!r}")
    method = scope["method"]
    found = contract.route(scope["path"], scope["query_string"].decode("latin-1"))
    if found.name == "not-found":
        await _fixed(send, 404, b"text/plain", b"not found\n")
        return
    allowed = contract.methods(found.name)
    if method not in allowed:
        # RFC 9110 §15.5.6: a 405 carries Allow. ASGI leaves dispatch by method to the
        # application, as it does every routing decision.
        extra = [(b"allow", ", ".join(allowed).encode("ascii"))]
        await _fixed(send, 405, b"text/plain", b"method not allowed\n", extra)
        return
    if found.name == "echo":
        document = contract.echo_document(
            method=method,
            target=_target(scope),
            http_version=f"HTTP/{scope['http_version']}",
            headers=[(k.decode("latin-1"), v.decode("latin-1")) for k, v in scope["headers"]],
            body=await _content(receive),
        )
        await _fixed(send, 200, b"application/json", document)
    elif found.name == "status":
        # RFC 9110 §15.3.5, §15.4.5: no content, and no Content-Length, for 204 and 304.
        empty = found.number in (204, 304)
        body = b"" if empty else contract.status_body(found.number)
        await _fixed(send, found.number, b"text/plain", body, length=not empty)
    elif found.name == "bytes":
        body = contract.deterministic_bytes(found.number)
        await _fixed(send, 200, b"application/octet-stream", body)
    elif found.name in ("stream", "chunked"):
        await _start(send, 200, [(b"content-type", b"application/octet-stream")])
        for piece in contract.pieces(found.number, found.piece):
            await send({"type": "http.response.body", "body": piece, "more_body": True})
        await send({"type": "http.response.body", "body": b""})
    elif found.name == "drip":
        length = str(found.number).encode("ascii")
        fields = [(b"content-type", b"application/octet-stream"), (b"content-length", length)]
        await _start(send, 200, fields)
        for byte in contract.pieces(found.number, 1):
            await asyncio.sleep(found.interval_ms / 1000)
            await send({"type": "http.response.body", "body": byte, "more_body": True})
        await send({"type": "http.response.body", "body": b""})
    elif found.name == "delay":
        await asyncio.sleep(found.number / 1000)
        await _fixed(send, 200, b"text/plain", f"delayed {found.number} ms\n".encode())
    elif found.name == "close":
        await _fixed(send, 200, b"text/plain", b"closing\n", [(b"connection", b"close")])
    elif found.name == "health":
        await _fixed(send, 200, b"text/plain", contract.HEALTH_BODY)
    elif found.name == "redirect":
        location = [(b"location", found.location.encode("ascii"))]
        await _fixed(
            send, found.number, b"text/plain", contract.status_body(found.number), location
        )
    else:
        host, port = scope["client"]
        await _fixed(send, 200, b"application/json", contract.conn_document(host, port))


async def _start(send: Send, status: int, fields: Fields) -> None:
    await send({"type": "http.response.start", "status": status, "headers": fields})


async def _fixed(
    send: Send,
    status: int,
    content_type: bytes,
    body: bytes,
    extra: Fields | None = None,
    *,
    length: bool = True,
) -> None:
    fields = [(b"content-type", content_type), *(extra or [])]
    if length:
        fields.append((b"content-length", str(len(body)).encode("ascii")))
    await _start(send, status, fields)
    await send({"type": "http.response.body", "body": body})


def _target(scope: Scope) -> str:
    """The request-target as received: ASGI splits it into ``raw_path`` and ``query_string``
    at the first "?" (a "?" with nothing after it is not told apart from none)."""
    query = scope["query_string"]
    target = scope["raw_path"] + (b"?" + query if query else b"")
    return target.decode("latin-1")


async def _content(receive: Receive) -> bytes:
    """The request content, as the server hands it over in ``http.request`` messages."""
    body = bytearray()
    while True:
        message = await receive()
        if message["type"] != "http.request":  # http.disconnect: the client went away
            return bytes(body)
        body += message.get("body", b"")
        if not message.get("more_body", False):
            return bytes(body)


async def _websocket_echo(scope: Scope, receive: Receive, send: Send) -> None:
    """GET /ws. The server did the opening handshake's checks before the scope arrived; ASGI
    leaves the choice of subprotocol to the application (``websocket.accept``), which picks
    the contract's only if the client offered it (RFC 6455 §4.2.2, /subprotocol/)."""
    if (await receive())["type"] != "websocket.connect":
        return
    if scope["path"] != contract.WEBSOCKET_PATH:
        await send({"type": "websocket.close", "code": 1008})  # uvicorn answers 403
        return
    offered = contract.WEBSOCKET_SUBPROTOCOL in scope.get("subprotocols", [])
    chosen = contract.WEBSOCKET_SUBPROTOCOL if offered else None
    await send({"type": "websocket.accept", "subprotocol": chosen})
    while (message := await receive())["type"] == "websocket.receive":
        if message.get("text") is not None:
            await send({"type": "websocket.send", "text": message["text"]})
        else:
            await send({"type": "websocket.send", "bytes": message["bytes"]})

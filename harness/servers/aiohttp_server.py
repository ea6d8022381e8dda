"""aiohttp's web server with the contract's routes as native aiohttp handlers.

    python -m harness.servers.aiohttp_server --host 127.0.0.1 --port 0 [--certfile F --keyfile F]

An application on a web.AppRunner and a TCPSite, stopped by SIGTERM or SIGINT with
``runner.cleanup()`` (connections get ``shutdown_timeout`` to finish). aiohttp does the
protocol work: HEAD and 204/304 bodies, chunked request content, the framing of a
StreamResponse without Content-Length; its router answers methods a route lacks (405).
"""

from __future__ import annotations

import asyncio
import ssl
import sys

from aiohttp import WSMsgType, web

from harness import contract, deadlines
from harness.servers import command


def _found(request: web.Request, name: str) -> contract.Route:
    """The contract route of a request the router sent to ``name``'s handler; a parameter
    outside the contract's limits is a 404 (docs/contract.md, "Routing and limits")."""
    found = contract.route(request.path, request.query_string)
    if found.name != name:
        raise web.HTTPNotFound()
    return found


async def echo(request: web.Request) -> web.Response:
    _found(request, "echo")
    document = contract.echo_document(
        method=request.method,
        target=request.raw_path,  # the request-target as received, query included
        http_version=f"HTTP/{request.version.major}.{request.version.minor}",
        headers=list(request.headers.items()),
        body=await request.read(),
    )
    return web.Response(body=document, content_type="application/json")


async def status(request: web.Request) -> web.Response:
    code = _found(request, "status").number
    # The content for every code: leaving it out of a 204 or 304 is aiohttp's decision.
    return web.Response(body=contract.status_body(code), status=code, content_type="text/plain")


async def bytes_(request: web.Request) -> web.Response:
    body = contract.deterministic_bytes(_found(request, "bytes").number)
    return web.Response(body=body, content_type="application/octet-stream")


async def stream(request: web.Request) -> web.StreamResponse:
    found = contract.route(request.path, request.query_string)
    if found.name not in ("stream", "chunked"):
        raise web.HTTPNotFound()
    # No content length: aiohttp chooses the framing (chunked for HTTP/1.1).
    response = web.StreamResponse(headers={"Content-Type": "application/octet-stream"})
    await response.prepare(request)
    for piece in contract.pieces(found.number, found.piece):
        await response.write(piece)
    await response.write_eof()
    return response


async def drip(request: web.Request) -> web.StreamResponse:
    found = _found(request, "drip")
    response = web.StreamResponse(headers={"Content-Type": "application/octet-stream"})
    response.content_length = found.number
    await response.prepare(request)
    for byte in contract.pieces(found.number, 1):
        await asyncio.sleep(found.interval_ms / 1000)
        await response.write(byte)
    await response.write_eof()
    return response


async def delay(request: web.Request) -> web.Response:
    ms = _found(request, "delay").number
    await asyncio.sleep(ms / 1000)
    return web.Response(text=f"delayed {ms} ms\n", content_type="text/plain")


async def close(request: web.Request) -> web.Response:
    _found(request, "close")
    response = web.Response(body=b"closing\n", content_type="text/plain")
    # aiohttp's way to end the connection after a response: it then sends
    # "Connection: close" itself (web_response.py: StreamResponse._prepare_headers).
    response.force_close()
    return response


async def conn(request: web.Request) -> web.Response:
    _found(request, "conn")
    transport = request.transport
    if transport is None:  # the connection closed before its response: no one to answer
        raise ConnectionResetError("the client closed the connection")
    host, port = transport.get_extra_info("peername")[:2]
    return web.Response(body=contract.conn_document(host, port), content_type="application/json")


async def websocket_echo(request: web.Request) -> web.WebSocketResponse:
    """GET /ws: aiohttp does the opening handshake (WebSocketResponse.prepare, which also
    picks the subprotocol among those offered); the handler only echoes messages."""
    socket = web.WebSocketResponse(protocols=(contract.WEBSOCKET_SUBPROTOCOL,))
    await socket.prepare(request)
    async for message in socket:
        if message.type is WSMsgType.TEXT:
            await socket.send_str(message.data)
        elif message.type is WSMsgType.BINARY:
            await socket.send_bytes(message.data)
    return socket


async def health(request: web.Request) -> web.Response:
    _found(request, "health")
    return web.Response(body=contract.HEALTH_BODY, content_type="text/plain")


async def redirect(request: web.Request) -> web.Response:
    found = _found(request, "redirect")
    body = contract.status_body(found.number)
    headers = {"Location": found.location}
    return web.Response(body=body, status=found.number, content_type="text/plain", headers=headers)


def create_app() -> web.Application:
    app = web.Application()
    # A GET route takes HEAD too (the router's add_get, allow_head=True).
    methods = [method for method in contract.ECHO_METHODS if method != "HEAD"]
    app.add_routes([web.route(method, "/echo", echo) for method in methods])
    app.add_routes(
        [
            web.get("/status/{code}", status),
            web.get("/bytes/{n}", bytes_),
            web.get("/stream/{n}", stream),
            web.get("/chunked/{n}", stream),
            web.get("/drip/{n}", drip),
            web.get("/delay/{ms}", delay),
            web.get("/close", close),
            web.get("/conn", conn),
            web.get(contract.WEBSOCKET_PATH, websocket_echo, allow_head=False),
            web.get("/health", health),
            web.get("/redirect/{code}", redirect),
        ]
    )
    return app


async def run(options: command.Options) -> None:
    context = None
    if options.certfile:
        # aiohttp takes an SSLContext from the application; this is the one its docs make.
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(options.certfile, options.keyfile)
    runner = web.AppRunner(create_app(), shutdown_timeout=deadlines.SERVER_SHUTDOWN_GRACE)
    await runner.setup()
    try:
        site = web.TCPSite(runner, options.host, options.port, ssl_context=context)
        await site.start()
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in command.STOP_SIGNALS:
            loop.add_signal_handler(signum, stop.set)
        command.announce(runner.addresses[0])
        await stop.wait()
    finally:
        await runner.cleanup()


def serve(options: command.Options) -> None:
    asyncio.run(run(options))


if __name__ == "__main__":
    sys.exit(
        command.main(serve, prog="python -m harness.servers.aiohttp_server", description=__doc__)
    )

"""The WebSocket clients, by the registry name of the client that provides
Capability.WEBSOCKET: each opens a connection with its library's own API, sends messages
and reads one echo of each, and closes; or reports that its library failed the connection
during the opening handshake. The adapters make no check of their own (RFC 6455 §4.1's
checks of the server's handshake are the library's)."""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from harness import contract, deadlines
from harness.model import Target

if TYPE_CHECKING:
    from harness.clients.aiohttp_client import ConnectorSockets

Message = str | bytes


@dataclass(frozen=True)
class Opened:
    """The client accepted the server's handshake."""

    protocol: str | None  # the subprotocol as the library reports it
    echoed: list[Message]  # what came back, one message per message sent


@dataclass(frozen=True)
class Failed:
    """The library failed the WebSocket connection during the opening handshake."""

    error: str  # its exception, "Type: message"


Outcome = Opened | Failed


def url(target: Target, path: str) -> str:
    """The ws:// or wss:// URL of ``path`` on ``target`` (RFC 6455 §3)."""
    scheme = "wss" if target.scheme == "https" else "ws"
    return f"{scheme}://{target.authority}{path}"


def trust(target: Target) -> ssl.SSLContext | None:
    """The client context trusting the target's CA (the session CA), None for ws://."""
    if target.scheme != "https":
        return None
    return ssl.create_default_context(cafile=target.ca_file)


def _failed(exc: BaseException) -> Failed:
    return Failed(f"{type(exc).__name__}: {exc}")


async def _aiohttp(
    address: str,
    context: ssl.SSLContext | None,
    protocols: Sequence[str],
    messages: Sequence[Message],
    sockets: ConnectorSockets,
) -> Outcome:
    import aiohttp

    timeout = aiohttp.ClientWSTimeout(
        ws_receive=deadlines.WEBSOCKET_EXCHANGE, ws_close=deadlines.WEBSOCKET_EXCHANGE
    )
    # The connector as shipped, given only a socket factory that notes its sockets.
    connector = aiohttp.TCPConnector(socket_factory=sockets.new)
    async with aiohttp.ClientSession(connector=connector) as session:
        try:
            connection = await session.ws_connect(
                address, protocols=tuple(protocols), ssl=context or True, timeout=timeout
            )
        except aiohttp.WSServerHandshakeError as exc:
            return _failed(exc)
        async with connection:
            echoed: list[Message] = []
            for message in messages:
                if isinstance(message, str):
                    await connection.send_str(message)
                else:
                    await connection.send_bytes(message)
                echoed.append((await connection.receive()).data)
            return Opened(connection.protocol, echoed)


def aiohttp_exchange(
    address: str,
    context: ssl.SSLContext | None,
    protocols: Sequence[str],
    messages: Sequence[Message],
) -> Outcome:
    """aiohttp's ClientSession.ws_connect, on a loop of its own, which closes only once the
    connection's socket has (ConnectorSockets.closed: over TLS asyncio closes it after the
    close_notify exchange, which aiohttp's session does not wait for)."""
    # Optional (the implementations extra): imported when the client runs, before the deadline.
    from harness.clients.aiohttp_client import ConnectorSockets

    async def run() -> Outcome:
        sockets = ConnectorSockets()
        try:
            return await _within_deadline(_aiohttp(address, context, protocols, messages, sockets))
        finally:
            await sockets.closed()

    return asyncio.run(run())


def websockets_exchange(
    address: str,
    context: ssl.SSLContext | None,
    protocols: Sequence[str],
    messages: Sequence[Message],
) -> Outcome:
    """websockets' asyncio client (websockets.asyncio.client.connect), on a loop of its own;
    leaving its ``async with`` waits for the TCP connection's end (its close_timeout)."""
    from websockets.asyncio.client import connect
    from websockets.exceptions import InvalidHandshake
    from websockets.typing import Subprotocol

    async def run() -> Outcome:
        try:
            connection = await connect(
                address,
                ssl=context,
                subprotocols=[Subprotocol(p) for p in protocols] or None,
                proxy=None,  # loopback: never through a proxy from the environment
                open_timeout=deadlines.WEBSOCKET_EXCHANGE,
                close_timeout=deadlines.WEBSOCKET_EXCHANGE,
            )
        except InvalidHandshake as exc:
            return _failed(exc)
        async with connection:
            echoed: list[Message] = []
            for message in messages:
                await connection.send(message)
                echoed.append(await connection.recv())
            return Opened(connection.subprotocol, echoed)

    return asyncio.run(_within_deadline(run()))


async def _within_deadline(exchange: Coroutine[Any, Any, Outcome]) -> Outcome:
    """The whole connection under deadlines.WEBSOCKET_EXCHANGE."""
    async with asyncio.timeout(deadlines.WEBSOCKET_EXCHANGE):
        return await exchange


Exchange = Callable[[str, ssl.SSLContext | None, Sequence[str], Sequence[Message]], Outcome]

# By the registry's client name; a client providing Capability.WEBSOCKET has a row.
CLIENTS: dict[str, Exchange] = {"aiohttp": aiohttp_exchange, "websockets": websockets_exchange}


def exchange(
    client: str,
    target: Target,
    *,
    protocols: Sequence[str] = (),
    messages: Sequence[Message] = (),
) -> Outcome:
    """Open a WebSocket connection to ``target``'s /ws with ``client``, echo ``messages``."""
    return CLIENTS[client](url(target, contract.WEBSOCKET_PATH), trust(target), protocols, messages)

"""GET /ws for twisted_server.py: autobahn's WebSocket server in twisted.web's Resource tree.

autobahn's WebSocketResource takes the connection over from twisted.web and hands the request
to a WebSocketServerProtocol, which does the opening handshake (RFC 6455 §4.2) with the
factory's default options; the protocol here only picks the subprotocol and echoes messages.
Imported only where autobahn is installed (twisted_server.websocket_resource).
"""

from __future__ import annotations

from autobahn.twisted.resource import WebSocketResource
from autobahn.twisted.websocket import WebSocketServerFactory, WebSocketServerProtocol
from autobahn.websocket.types import ConnectionRequest
from twisted.web import pages
from twisted.web.server import Request

from harness import contract


class EchoProtocol(WebSocketServerProtocol):
    def onConnect(self, request: ConnectionRequest) -> str | None:
        # autobahn leaves the choice to the application (and refuses one the client did not
        # offer): the contract's, only if offered (RFC 6455 §4.2.2, /subprotocol/).
        offered = contract.WEBSOCKET_SUBPROTOCOL in request.protocols
        return contract.WEBSOCKET_SUBPROTOCOL if offered else None

    def onMessage(self, payload: bytes, isBinary: bool) -> None:
        self.sendMessage(payload, isBinary)


class EchoResource(WebSocketResource):
    """A leaf, as every route is: /ws/anything is not the endpoint (a 404)."""

    def render(self, request: Request) -> bytes | int:
        if request.path.decode("latin-1") != contract.WEBSOCKET_PATH:
            return pages.notFound().render(request)  # type: ignore[call-arg,misc]
        return super().render(request)


def echo_resource() -> EchoResource:
    # No url: autobahn would then check the Host field's port against the url's, and the
    # port is chosen when the server binds.
    factory = WebSocketServerFactory()
    factory.protocol = EchoProtocol
    return EchoResource(factory)

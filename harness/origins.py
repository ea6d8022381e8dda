"""Scripted origins: scripted servers whose answer depends on the request (a redirect, an
authentication challenge, a cookie), and the requests each one saw, for the redirect, auth
and cookie suites' client cells.

A site is a callable from a request (read with the probe's strict parser) to the response's
bytes, played by ``scripted.Answer`` for every request of every connection; a frozen
dataclass, so that transcripts show it.
"""

from __future__ import annotations

import contextlib
import http
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace

from harness.cells import ScriptedClient, ScriptedExchange, collect_abandoned_sockets
from harness.errors import ClientError
from harness.model import Exchange, Headers, RequestSpec, Target
from harness.probe import Request, parse_request
from harness.scripted import Answer, ScriptedServer, ServerTls

# More requests than any client's own redirect limit (requests' 30 is the largest): a client
# still asking after this many is answered with a close instead.
MAX_REQUESTS = 40
LANDED = b"landed"
FIRST = "first"  # the origin a cell sends its request to
# Why a case runs in http cells only: what it checks is the client's redirect, auth or cookie
# logic, the same over either transport, and the run's time is budgeted (one cell of it
# each); the cases where the scheme matters (another origin, Secure) run in both.
HTTP_ONLY = "the client's logic here does not depend on the transport: its http cell checks it"

Site = Callable[[Request], bytes]


def reply(request: Request, status: int, fields: Headers, body: bytes = b"") -> bytes:
    """A complete response to ``request`` with Content-Length (its content left out after
    HEAD, RFC 9110 §9.3.2), the connection left open."""
    head = [f"HTTP/1.1 {status} {http.HTTPStatus(status).phrase}"]
    head += [f"{name}: {value}" for name, value in fields]
    head.append(f"Content-Length: {len(body)}")
    content = b"" if request.method == "HEAD" else body
    return ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + content


CLOSING = b"Connection: close\r\nContent-Length: 0\r\n\r\n"
BAD_REQUEST = b"HTTP/1.1 400 Bad Request\r\n" + CLOSING
TOO_MANY = b"HTTP/1.1 503 Service Unavailable\r\n" + CLOSING


@dataclass
class Played:
    """A site as a scripted server plays it: the head read as a request (400 and a close for
    one that cannot be), and a close after MAX_REQUESTS, however many connections."""

    site: Site
    answered: int = 0

    def __call__(self, head: bytes) -> bytes:
        self.answered += 1
        request, _ = parse_request(head)
        if request is None:
            return BAD_REQUEST
        return TOO_MANY if self.answered > MAX_REQUESTS else self.site(request)


@dataclass
class Origins:
    """Scripted servers started together, each playing its site; ``send`` goes through the
    cell's client. ``seen`` is complete once the ``origins`` block has been left."""

    cell: ScriptedClient
    servers: dict[str, ScriptedServer]
    result: Exchange | ClientError | None = None

    def target(self, name: str = FIRST, host: str | None = None) -> Target:
        """Where ``name`` listens, dialled as ``host`` when given (``localhost``: another
        origin for the same address)."""
        target = self.servers[name].target
        return target if host is None else replace(target, host=host)

    def url(self, name: str, path: str, host: str | None = None) -> str:
        return self.target(name, host).base_url + path

    def send(
        self, specs: Sequence[RequestSpec], name: str = FIRST, host: str | None = None
    ) -> Exchange | ClientError:
        """Send each spec in turn (one client: one session); the last result or first error."""
        target = self.target(name, host)
        for spec in specs:
            try:
                self.result = self.cell.client.send(spec, target)
            except ClientError as exc:
                self.result = exc
                break
        assert self.result is not None
        return self.result

    def seen(self, name: str = FIRST) -> list[Request | None]:
        """Every request ``name`` received, in order, read with the probe's strict parser
        (None for bytes it cannot read as a request)."""
        return [
            parse_request(data)[0] for heads in self.servers[name].connections for data in heads
        ]

    def describe(self) -> str:
        """The requests per origin and the client's result, for a cell's ``observed``."""
        parts = [
            f"{name}: " + (", ".join(map(_summary, self.seen(name))) or "no request")
            for name in self.servers
        ]
        return "; ".join([*parts, f"result {_ending(self.result)}"])


def _summary(request: Request | None) -> str:
    return "unreadable" if request is None else f"{request.method} {request.target}"


def _ending(result: Exchange | ClientError | None) -> str:
    if isinstance(result, ClientError):
        return f"client error {result.kind} ({result.original_type})"
    return "none" if result is None else f"status {result.status}"


@contextlib.contextmanager
def origins(
    cell: ScriptedClient,
    sites: Mapping[str, Callable[[Origins], Site]],
    tls: Mapping[str, ServerTls | None] | None = None,
) -> Iterator[Origins]:
    """One scripted server per named site, over the cell's transport unless ``tls`` names
    another for it; each site is made once every address is known (a redirect to another
    origin names its port). On leaving, every server's record goes to the transcript."""
    tls = tls or {}
    servers = {
        name: ScriptedServer([], certificate=tls.get(name, cell.certificate), whole_requests=True)
        for name in sites
    }
    state = Origins(cell, servers)
    for name, make in sites.items():
        servers[name].script = [Answer(Played(make(state)), MAX_REQUESTS + 1)]
    try:
        with contextlib.ExitStack() as stack:
            for server in servers.values():
                stack.enter_context(server)
            yield state
    finally:
        collect_abandoned_sockets()
        for server in servers.values():
            if state.result is not None:  # after the servers stopped: their records are whole
                cell.runs.append(
                    (
                        server.script,
                        ScriptedExchange(
                            state.result,
                            list(server.received),
                            list(server.connections),
                            list(server.handshakes),
                        ),
                    )
                )

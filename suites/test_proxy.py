"""Proxy suite: clients told an HTTP forward proxy (RFC 9110 §3.7, §9.3.6, §11.7.2; RFC 9112
§3.2.2, §3.2.3).

Each client sends through a real proxy (tinyproxy, harness/forward_proxy.py) to a scripted
origin over the cell's transport: over http the request goes to the proxy in absolute-form,
over https through a CONNECT tunnel, with TLS from the client to the origin. The proxy
connects to origins from another loopback address (forward_proxy.ORIGIN_SIDE_ADDRESS), so
the origin's record says whether a request came through it. A proxy that refuses is a
scripted one (403, 407), so that the refusal is exact. Tunnels to real HTTPS servers
(REAL_ORIGINS) are counted by the proxy itself (its statistics page), since a real server's
answer does not show who connected.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import pytest

from harness import contract, forward_proxy
from harness.cases import Case, Level, RecordProperty
from harness.cells import SCRIPTED_TIMEOUTS, ScriptedClient, ScriptedExchange
from harness.errors import ClientError, ErrorKind
from harness.forward_proxy import ORIGIN_SIDE_ADDRESS, ForwardProxies
from harness.implementation import Capability, Kind
from harness.model import Exchange, Proxy, RequestSpec, Target, Verify
from harness.registry import REGISTRY
from harness.scripted import Close, ScriptedServer, Send

if TYPE_CHECKING:
    from harness.fixtures.servers import ServerPool

MUST = Level.MUST

ORIGIN_BODY = b"from the origin"
ORIGIN_SCRIPT = [
    Send(
        b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s"
        % (len(ORIGIN_BODY), ORIGIN_BODY)
    ),
    Close(),
]
TARGET = "/through?proxy"
# Real HTTPS servers a tunnel is opened to: one single-threaded (http.server), one on h11.
REAL_ORIGINS = ("stdlib-http11", "uvicorn")
ECHO_TARGET = "/echo?through=proxy"


@pytest.fixture(scope="session")
def forward_proxies(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ForwardProxies]:
    """The proxies (per xdist worker), started on first use: session-scoped, as a worker
    meets this module's cells once per server (harness/plugin/schedule.py)."""
    why = forward_proxy.missing()
    if why is not None:
        pytest.skip(why)
    with forward_proxy.running(tmp_path_factory.mktemp("proxy")) as proxies:
        yield proxies


def _spec(proxy: Proxy, verify: Verify = Verify.TARGET_CA, target: str = TARGET) -> RequestSpec:
    return RequestSpec("GET", target, timeouts=SCRIPTED_TIMEOUTS, verify=verify, proxy=proxy)


def _send(cell: ScriptedClient, spec: RequestSpec, target: Target) -> Exchange | ClientError:
    try:
        return cell.client.send(spec, target)
    except ClientError as exc:
        return exc


def _echoed_target(result: Exchange) -> str | None:
    """The target a contract server's /echo says it received, or None."""
    try:
        return contract.parse_echo(result.body).target if result.status == 200 else None
    except (ValueError, KeyError, TypeError):
        return None


def _describe(result: Exchange | ClientError) -> str:
    if isinstance(result, ClientError):
        return f"{result.kind} ({result.original_type}: {result.original_text[:120]})"
    echoed = _echoed_target(result)
    if echoed is not None:
        return f"{result.status}, /echo received {echoed!r}"
    return f"{result.status} with {result.body[:120]!r}"


def _expect_from_origin(case: Case, run: ScriptedExchange) -> Exchange:
    """The client presented the origin's response, and the origin got the request from the
    proxy, not from the client directly."""
    if isinstance(run.result, ClientError):
        raise case.failure("the origin's 200 through the proxy", run.describe())
    case.expect_that(
        (run.result.status, run.result.body) == (200, ORIGIN_BODY),
        f"the origin's 200 with {ORIGIN_BODY!r}",
        f"{run.result.status} with {run.result.body[:120]!r}",
    )
    case.expect_that(
        run.peers == [ORIGIN_SIDE_ADDRESS],
        f"one connection to the origin, from the proxy ({ORIGIN_SIDE_ADDRESS})",
        f"connections from {run.peers or 'nobody'}",
    )
    return run.result


def _field_names(head: bytes) -> set[str]:
    lines = head.split(b"\r\n\r\n", 1)[0].split(b"\r\n")[1:]
    return {line.split(b":", 1)[0].strip().lower().decode("latin-1") for line in lines}


THROUGH = Case(
    "proxy.client.through",
    "RFC 9112 §3.2.2, §3.2.3; RFC 9110 §9.3.6",
    MUST,
    "A client told a proxy sends through it: http in absolute-form, https through a CONNECT "
    "tunnel with TLS verified against the origin's certificate, not accepted unverified",
    requires=(Capability.PROXY,),
    requirement_ids=("9112-3.2.2-1", "9112-3.2.3-1"),
)


@THROUGH
def test_through_the_proxy(
    scripted_client: ScriptedClient, forward_proxies: ForwardProxies
) -> None:
    # tinyproxy answers a request whose target is not in absolute-form with 400, and a CONNECT
    # whose target is not host:port with 400: the origin's answer means the client sent both
    # as RFC 9112 §3.2.2 and §3.2.3 require.
    run = scripted_client.against(ORIGIN_SCRIPT, [_spec(forward_proxies.open)])
    _expect_from_origin(THROUGH, run)
    if scripted_client.certificate is None:
        return
    # The tunnel carries the client's TLS to the origin: with only the system's trust store,
    # the origin's certificate (from the session's own CA) must be refused. A client that
    # checked nothing, or the proxy's side, would get the origin's 200.
    untrusted = scripted_client.against(ORIGIN_SCRIPT, [_spec(forward_proxies.open, Verify.SYSTEM)])
    THROUGH.expect_that(
        isinstance(untrusted.result, ClientError)
        and untrusted.result.kind is ErrorKind.TLS_UNTRUSTED,
        f"{ErrorKind.TLS_UNTRUSTED} from the origin's certificate with the system's trust only",
        untrusted.describe(),
    )


TUNNEL_TO_SERVERS = Case(
    "proxy.client.tunnel_to_servers",
    "RFC 9110 §9.3.6; RFC 9112 §3.2.3",
    MUST,
    "A client told a proxy reaches a real HTTPS server through a CONNECT tunnel, its TLS "
    "verified against that server's certificate (refused with the system's trust only)",
    requires=(Capability.PROXY,),
    requirement_ids=("9112-3.2.3-1",),
    transports=("https",),
)


@TUNNEL_TO_SERVERS
def test_tunnel_to_real_servers(
    scripted_client: ScriptedClient,
    forward_proxies: ForwardProxies,
    server_pool: ServerPool,
    record_property: RecordProperty,
) -> None:
    proxy, observed = forward_proxies.open, []
    for name in REAL_ORIGINS:
        why = REGISTRY.get(Kind.SERVER, name).unavailable()
        if why is not None:
            observed.append(f"{name}: not run ({why})")
            continue
        origin = server_pool.get((name, "https")).target
        # The refused handshake first: the single-threaded server is then free for the
        # verified one, whose connection the client may keep until the cell ends.
        untrusted = _send(scripted_client, _spec(proxy, Verify.SYSTEM, ECHO_TARGET), origin)
        before = forward_proxy.requests_served(proxy)
        result = _send(scripted_client, _spec(proxy, target=ECHO_TARGET), origin)
        # Less the statistics request itself, which the count includes.
        tunnelled = forward_proxy.requests_served(proxy) - before - 1
        observed.append(
            f"{name}: {_describe(result)}; with the system's trust {_describe(untrusted)}"
        )
        TUNNEL_TO_SERVERS.expect_that(
            isinstance(untrusted, ClientError) and untrusted.kind is ErrorKind.TLS_UNTRUSTED,
            f"{ErrorKind.TLS_UNTRUSTED} from {name}'s certificate with the system's trust only",
            _describe(untrusted),
        )
        TUNNEL_TO_SERVERS.expect_that(
            isinstance(result, Exchange) and _echoed_target(result) == ECHO_TARGET,
            f"{name}'s /echo of {ECHO_TARGET!r} through the tunnel",
            _describe(result),
        )
        TUNNEL_TO_SERVERS.expect_that(
            tunnelled >= 1,
            f"the request to {name} read by the proxy (a CONNECT)",
            f"{tunnelled} requests read by the proxy meanwhile",
        )
    record_property("observed", "; ".join(observed))


CREDENTIALS = Case(
    "proxy.client.credentials",
    "RFC 9110 §11.7.2, §15.5.8",
    MUST,
    "A client given proxy credentials sends them to the proxy (which then forwards instead of "
    "answering 407), and never inside the tunnel to the origin",
    requires=(Capability.PROXY,),
    outside_index='RFC 9110 §11.7.2 has no keyword: Proxy-Authorization "applies only to '
    'the next inbound proxy that demanded authentication"',
)


@CREDENTIALS
def test_proxy_credentials(
    scripted_client: ScriptedClient, forward_proxies: ForwardProxies
) -> None:
    run = scripted_client.against(ORIGIN_SCRIPT, [_spec(forward_proxies.authenticating)])
    _expect_from_origin(CREDENTIALS, run)
    if scripted_client.certificate is None:
        # Over http the proxy decides what it forwards (tinyproxy removes the field it
        # consumed): what reaches the origin would be the proxy's doing, not the client's.
        return
    # Over https the origin reads what the client itself wrote inside the tunnel.
    heads = [head for connection in run.connections for head in connection]
    leaked = [head for head in heads if "proxy-authorization" in _field_names(head)]
    CREDENTIALS.expect_that(
        not leaked,
        "no Proxy-Authorization field at the origin",
        leaked[0][:300] if leaked else None,
    )


@dataclass(frozen=True)
class Refusal:
    status: int
    reason: str
    fields: bytes = b""

    @property
    def response(self) -> bytes:
        return b"HTTP/1.1 %d %s\r\n%sContent-Length: 0\r\nConnection: close\r\n\r\n" % (
            self.status,
            self.reason.encode(),
            self.fields,
        )


REFUSALS = [
    Refusal(403, "Forbidden"),
    Refusal(407, "Proxy Authentication Required", b'Proxy-Authenticate: Basic realm="p"\r\n'),
]

REFUSED = Case(
    "proxy.client.refused",
    "RFC 9110 §9.3.6, §15.5.8",
    MUST,
    "A CONNECT refused by the proxy (403, 407) fails the request with proxy.refused, and a "
    "refused plain request is presented as the proxy's response",
    requires=(Capability.PROXY,),
    outside_index='RFC 9110 §9.3.6 has no keyword: "Any response other than a successful '
    'response indicates that the tunnel has not yet been formed."',
)


@REFUSED
def test_refused_by_the_proxy(scripted_client: ScriptedClient) -> None:
    for refusal in REFUSALS:
        _expect_refusal(scripted_client, refusal)


def _expect_refusal(scripted_client: ScriptedClient, refusal: Refusal) -> None:
    script = [Send(refusal.response), Close()]
    # The refusing proxy speaks plain HTTP whatever the cell's transport; the origin it names
    # is never reached (nothing listens on port 1).
    with ScriptedServer(script) as proxy:
        origin = replace(proxy.target, port=1)
        if scripted_client.certificate is not None:
            origin = replace(origin, scheme="https", ca_file=scripted_client.certificate.ca_file)
        host, port = proxy.target.host, proxy.target.port
        try:
            result: Exchange | ClientError = scripted_client.client.send(
                _spec(Proxy(host, port)), origin
            )
        except ClientError as exc:
            result = exc
    run = ScriptedExchange(
        result, list(proxy.received), list(proxy.connections), peers=list(proxy.peers)
    )
    scripted_client.runs.append((script, run))
    if scripted_client.certificate is None:
        REFUSED.expect_that(
            isinstance(result, Exchange) and result.status == refusal.status,
            f"the proxy's {refusal.status} as the response",
            run.describe(),
        )
        return
    REFUSED.expect_that(
        isinstance(result, ClientError) and result.kind is ErrorKind.PROXY_REFUSED,
        f"{ErrorKind.PROXY_REFUSED} for a CONNECT answered {refusal.status}",
        run.describe() + (f": {result.original_text}" if isinstance(result, ClientError) else ""),
    )

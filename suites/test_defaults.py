"""Defaults suite: each client as shipped (RequestSpec.defaults: no timeout, TLS context,
proxy or redirect setting of the harness), against scripted servers.

A default is data: each cell records what the client did (``observed``, the report's
"Defaults as shipped" table). A verdict is given only where the library's own documentation
(or an RFC) states the default: the cell then checks the observation against that
statement; elsewhere it records the observation and skips with it. Plain-HTTP rows are
``shipped_client`` cells, the TLS rows ``tls_client`` cells (https).
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field

import pytest

from harness import deadlines
from harness.cases import Case, Level, RecordProperty
from harness.cells import ScriptedClient
from harness.client_hello import alpn_offered, hello_listener
from harness.clients import Client
from harness.errors import ClientError, ErrorKind
from harness.model import Exchange, Pairing, RequestSpec, Target
from harness.scripted import Close, Hang, Reset, ScriptedServer, Send
from harness.tls_zoo import Zoo

# RFC 9110/9112 leave these defaults to each implementation; the verdicts come from the
# libraries' own documentation, so no requirement of the index applies.
AS_SHIPPED = "a library's default as its documentation states it, not an RFC 9110/9112 requirement"

SHIPPED = RequestSpec("GET", "/", defaults=True)
MAY = Level.MAY


@dataclass(frozen=True)
class Observed:
    """What a client did: ``value`` is what a documented default speaks to (``followed``,
    ``refused``, a count), ``text`` the table's entry."""

    value: str
    text: str


@dataclass(frozen=True)
class Documented:
    """A library's statement of its default: the value it implies, and the statement with
    where it is written."""

    value: str
    source: str


Observe = Callable[[ScriptedClient, Zoo], Observed]


@dataclass(frozen=True)
class DefaultsRow:
    case: Case
    observe: Observe
    tls: bool = False  # a tls_client cell (https) instead of a shipped_client one
    documented: Mapping[str, Documented] = field(default_factory=dict)


def judged(row: DefaultsRow, client: str, observed: Observed) -> bool:
    """Whether ``client`` documents this default (False: no verdict); raises CheckFailed
    when the observation contradicts what it documents."""
    documented = row.documented.get(client)
    if documented is None:
        return False
    row.case.expect_that(
        observed.value == documented.value,
        f"{documented.value}, as {client} documents: {documented.source}",
        observed.text,
    )
    return True


def _outcome(client: Client, spec: RequestSpec, target: Target) -> Exchange | ClientError:
    try:
        return client.send(spec, target)
    except ClientError as exc:
        return exc


def _ending(result: Exchange | ClientError) -> str:
    if isinstance(result, ClientError):
        return f"error {result.kind} ({result.original_type})"
    return f"status {result.status}"


# --- redirects -----------------------------------------------------------------------------


def redirects(status: int, reason: str) -> Observe:
    """Every request answered with a redirect to /moved on the same server (and a close): a
    client that follows goes on until its limit or loop detection stops it."""
    response = (
        f"HTTP/1.1 {status} {reason}\r\nLocation: /moved\r\nContent-Length: 0\r\n"
        "Connection: close\r\n\r\n"
    ).encode()

    def observe(cell: ScriptedClient, _: Zoo) -> Observed:
        exchange = cell.against([Send(response), Close()], [SHIPPED])
        hops = sum(len(heads) for heads in exchange.connections) - 1
        if hops == 0:
            return Observed("not followed", f"not followed ({_ending(exchange.result)})")
        return Observed("followed", f"followed {hops} times, then {_ending(exchange.result)}")

    return observe


REQUESTS_REDIRECTS = Documented(
    "followed",
    '"allow_redirects: (optional) Boolean. Enable/disable GET/OPTIONS/POST/PUT/PATCH/DELETE/'
    'HEAD redirection. Defaults to True." (requests 2.34.2, requests/api.py:48)',
)
HTTPX_REDIRECTS = Documented(
    "not followed",
    '"HTTPX does not follow redirects by default" (httpx docs, Compatibility: Redirects; '
    "httpx 0.29.0, httpx/_client.py:654: follow_redirects: bool = False)",
)
URLLIB3_REDIRECTS = Documented(
    "followed",
    '"By default, urllib3 will retry requests 3 times and follow up to 3 redirects." '
    "(urllib3 user guide, Retrying Requests; urllib3 2.8.0, urllib3/poolmanager.py:426: "
    "redirect: bool = True)",
)
AIOHTTP_REDIRECTS = Documented(
    "followed",
    '"allow_redirects (bool) - Whether to process redirects or not. ... True by default" '
    "(aiohttp ClientSession.request; aiohttp 3.14.5, aiohttp/client.py:570)",
)
URLLIB_REDIRECTS = Documented(
    "followed",
    'build_opener: "instances of the following classes will be in front of the handlers, '
    'unless the handlers contain them ... HTTPRedirectHandler" (Python docs, urllib.request)',
)
CURL_REDIRECTS = Documented(
    "not followed",
    '-L, --location: "If the server reports that the requested page has moved to a '
    'different location ..., this option makes curl redo the request on the new place" '
    "(curl(1)): without it, curl does not",
)


def _redirect_row(status: int, reason: str) -> DefaultsRow:
    return DefaultsRow(
        Case(
            f"defaults.redirect.status_{status}",
            "RFC 9110 §15.4",
            MAY,
            f"A {status} ({reason}) to another path of the same server is followed as the "
            "client documents (observed: how many times)",
            uses_contract=False,
            outside_index=AS_SHIPPED,
        ),
        redirects(status, reason),
        documented={
            "requests": REQUESTS_REDIRECTS,
            "httpx": HTTPX_REDIRECTS,
            "urllib3": URLLIB3_REDIRECTS,
            "aiohttp": AIOHTTP_REDIRECTS,
            "urllib.request": URLLIB_REDIRECTS,
            "curl": CURL_REDIRECTS,
        },
    )


# --- the default timeout -------------------------------------------------------------------


def default_timeout(cell: ScriptedClient, _: Zoo) -> Observed:
    """A server that reads the request and never answers, watched for
    deadlines.DEFAULT_TIMEOUT_WATCH; then the harness closes the connection itself."""
    watch = deadlines.DEFAULT_TIMEOUT_WATCH
    results: list[Exchange | ClientError] = []
    with ScriptedServer([Hang()]) as server:
        target = server.target
        worker = threading.Thread(
            target=lambda: results.append(_outcome(cell.client, SHIPPED, target)), daemon=True
        )
        started = time.monotonic()
        worker.start()
        worker.join(watch)
        elapsed = time.monotonic() - started
        answered = bool(results)
    # The server has stopped and closed the connection: a client still waiting returns now.
    worker.join(deadlines.SCRIPTED_IO)
    if worker.is_alive():
        raise RuntimeError(f"the client did not return once the connection closed ({target})")
    if not answered:
        return Observed("none", f"no timeout within {watch:.0f} s")
    result = results[0]
    if isinstance(result, ClientError) and result.kind is ErrorKind.TIMEOUT_READ:
        return Observed("timed out", f"timed out after {elapsed:.1f} s")
    return Observed("other", f"{_ending(result)} after {elapsed:.1f} s")


NO_TIMEOUT = "none"


def _no_timeout(source: str) -> Documented:
    return Documented(NO_TIMEOUT, source)


TIMEOUT_ROW = DefaultsRow(
    Case(
        "defaults.timeout.unanswered",
        "RFC 9112 §9.5",
        MAY,
        "Against a server that never answers, the client's default timeout (observed: when "
        "it gives up, within a bounded watch)",
        uses_contract=False,
        outside_index=AS_SHIPPED,
    ),
    default_timeout,
    documented={
        "httpx": Documented(
            "timed out",
            '"The default behavior is to raise a TimeoutException after 5 seconds of network '
            'inactivity." (httpx docs, Timeouts; httpx 0.29.0, httpx/_config.py:246)',
        ),
        "requests": _no_timeout(
            '"By default, requests do not time out unless a timeout value is set explicitly." '
            "(requests docs, Advanced Usage: Timeouts)"
        ),
        "http.client": _no_timeout(
            'HTTPConnection: "if it is not given, the global default timeout setting is used" '
            "(Python docs, http.client; socket.getdefaulttimeout() is None by default)"
        ),
        "urllib.request": _no_timeout(
            'urlopen: "if not specified, the global default timeout setting will be used" '
            "(Python docs, urllib.request; socket.getdefaulttimeout() is None by default)"
        ),
        "aiohttp": _no_timeout(
            '"By default aiohttp uses a total 300 seconds (5min) timeout" (aiohttp docs, '
            "Client Quickstart: Timeouts; aiohttp 3.14.5, aiohttp/client.py:274): none within "
            "the watch"
        ),
    },
)


# --- retries -------------------------------------------------------------------------------


def connections_after_reset(cell: ScriptedClient, _: Zoo) -> Observed:
    """Every connection reset right after the request head: how many the client opens."""
    exchange = cell.against([Reset()], [SHIPPED])
    count = len(exchange.connections)
    return Observed(str(count), f"{count} connection(s), then {_ending(exchange.result)}")


RETRIES_ROW = DefaultsRow(
    Case(
        "defaults.retries.reset",
        "RFC 9110 §9.2.2",
        MAY,
        "A GET whose connection is reset after the request: how many connections the client "
        "makes by default (an idempotent request may be retried automatically)",
        uses_contract=False,
        outside_index=AS_SHIPPED,
    ),
    connections_after_reset,
    documented={
        "requests": Documented(
            "1",
            '"By default, Requests does not retry failed connections." (requests 2.34.2, '
            "requests/adapters.py:171, HTTPAdapter's max_retries)",
        ),
        "urllib3": Documented(
            "4",
            '"By default, urllib3 will retry requests 3 times" (urllib3 user guide, Retrying '
            "Requests; urllib3 2.8.0, urllib3/util/retry.py:569: Retry.DEFAULT = Retry(3))",
        ),
    },
)


# --- proxies from the environment ------------------------------------------------------------


@contextmanager
def environment(**values: str) -> Iterator[None]:
    """Set environment variables for the block (the cell's scrub removed the runner's)."""
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


PROXY_ANSWER = Send(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: close\r\n\r\nproxy")
ORIGIN_ANSWER = Send(b"HTTP/1.1 200 OK\r\nContent-Length: 6\r\nConnection: close\r\n\r\norigin")


def proxy_from_environment(no_proxy: bool) -> Observe:
    """HTTP_PROXY names a scripted proxy on loopback (and NO_PROXY the origin's address, if
    ``no_proxy``): which of the two gets the request."""

    def observe(cell: ScriptedClient, _: Zoo) -> Observed:
        with (
            ScriptedServer([PROXY_ANSWER, Close()]) as proxy,
            ScriptedServer([ORIGIN_ANSWER, Close()]) as origin,
        ):
            names = {"HTTP_PROXY": f"http://{proxy.target.authority}"}
            if no_proxy:
                names["NO_PROXY"] = origin.target.host
            with environment(**names):
                result = _outcome(cell.client, SHIPPED, origin.target)
        at_proxy = [head.split(b"\r\n", 1)[0] for head in proxy.received if head]
        at_origin = [head for head in origin.received if head]
        if at_proxy and not at_origin:
            line = at_proxy[0].decode("latin-1")
            return Observed("proxy", f"sent to the proxy ({line!r})")
        if at_origin and not at_proxy:
            return Observed("direct", "sent to the origin directly")
        return Observed(
            "other",
            f"{len(at_proxy)} at the proxy, {len(at_origin)} at the origin, {_ending(result)}",
        )

    return observe


ENV_PROXIES = {
    "requests": '"Requests also supports ... the standard environment variables http_proxy, '
    "https_proxy, no_proxy, and all_proxy. Uppercase variants of these variables are also "
    'supported." (requests docs, Advanced Usage: Proxies; trust_env = True, '
    "requests 2.34.2, requests/sessions.py:492)",
    "httpx": '"HTTPX supports setting up HTTP proxies via ... the HTTP_PROXY, HTTPS_PROXY, '
    'ALL_PROXY and NO_PROXY environment variables" with trust_env=True, the default '
    "(httpx docs, Environment Variables; httpx 0.29.0, httpx/_client.py:648)",
    "urllib.request": 'ProxyHandler: "By default, it reads the list of proxies from the '
    'environment variables <protocol>_proxy" and honours no_proxy (Python docs, '
    "urllib.request)",
    "aiohttp": '"trust_env - Trust environment settings for proxy configuration if the '
    'parameter is True (False by default)" (aiohttp docs, ClientSession; aiohttp 3.14.5, '
    "aiohttp/client.py:355)",
}

PROXY_ROW = DefaultsRow(
    Case(
        "defaults.proxy.http_proxy",
        "RFC 9110 §3.7",
        MAY,
        "HTTP_PROXY in the environment: the request goes through the proxy it names, or not, "
        "as the client documents",
        uses_contract=False,
        outside_index=AS_SHIPPED,
    ),
    proxy_from_environment(no_proxy=False),
    documented={
        "requests": Documented("proxy", ENV_PROXIES["requests"]),
        "httpx": Documented("proxy", ENV_PROXIES["httpx"]),
        "urllib.request": Documented("proxy", ENV_PROXIES["urllib.request"]),
        "aiohttp": Documented("direct", ENV_PROXIES["aiohttp"]),
    },
)
NO_PROXY_ROW = DefaultsRow(
    Case(
        "defaults.proxy.no_proxy",
        "RFC 9110 §3.7",
        MAY,
        "HTTP_PROXY with NO_PROXY naming the origin: the request goes to the origin directly "
        "where the client reads NO_PROXY",
        uses_contract=False,
        outside_index=AS_SHIPPED,
    ),
    proxy_from_environment(no_proxy=True),
    documented={
        "requests": Documented("direct", ENV_PROXIES["requests"]),
        "httpx": Documented("direct", ENV_PROXIES["httpx"]),
        "urllib.request": Documented("direct", ENV_PROXIES["urllib.request"]),
        "aiohttp": Documented("direct", ENV_PROXIES["aiohttp"]),
    },
)


# --- TLS: trust store and ALPN ---------------------------------------------------------------


def private_ca(ssl_cert_file: bool) -> Observe:
    """The zoo's valid server, whose root no trust store holds (and, if ``ssl_cert_file``,
    SSL_CERT_FILE naming that root: OpenSSL's variable, which some clients read)."""

    def observe(cell: ScriptedClient, zoo: Zoo) -> Observed:
        entry = zoo["valid"]
        names = {"SSL_CERT_FILE": entry.ca_file} if ssl_cert_file else {}
        with environment(**names):
            exchange = cell.against([Send(KEPT_OK), Close()], [SHIPPED], tls=entry)
        result = exchange.result
        if isinstance(result, ClientError) and result.kind is ErrorKind.TLS_UNTRUSTED:
            return Observed("refused", f"refused: {result.kind}")
        if isinstance(result, Exchange):
            return Observed("trusted", f"trusted ({_ending(result)})")
        return Observed("other", _ending(result))

    return observe


KEPT_OK = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"
VERIFIES = {
    "requests": '"Requests verifies SSL certificates for HTTPS requests, just like a web '
    'browser. By default, SSL verification is enabled" (requests docs, Advanced Usage)',
    "httpx": '"By default httpx will verify HTTPS connections" (httpx docs, SSL)',
    "urllib3": 'cert_reqs defaults to CERT_REQUIRED: "urllib3 will verify certificates by '
    'default" (urllib3 2.x user guide, Certificate Verification)',
    "aiohttp": '"By default, Python uses the system CA certificates" and ssl=True verifies '
    "(aiohttp docs, Advanced Client Usage: SSL control for TCP sockets)",
    "http.client": 'HTTPSConnection "now performs all the necessary certificate and hostname '
    'checks by default" (Python docs, http.client, changed in 3.4.3; PEP 476)',
    "urllib.request": "urlopen: HTTPS verification on by default since 3.4.3 (PEP 476: "
    '"Python\'s HTTP clients verify certificates by default")',
    "curl": '"curl verifies whether the certificate is authentic" by default; --insecure '
    "skips it (curl(1), -k)",
}
TRUST_ROW = DefaultsRow(
    Case(
        "defaults.tls.private_ca",
        "RFC 9110 §4.3.4",
        Level.MUST,
        "As shipped, the client refuses a certificate from a private CA it was not told to trust",
        uses_contract=False,
        outside_index=AS_SHIPPED,
    ),
    private_ca(ssl_cert_file=False),
    tls=True,
    documented={client: Documented("refused", text) for client, text in VERIFIES.items()},
)
SSL_CERT_FILE_ROW = DefaultsRow(
    Case(
        "defaults.tls.ssl_cert_file",
        "RFC 9110 §4.3.4",
        MAY,
        "SSL_CERT_FILE naming the private CA: whether the client as shipped then trusts it "
        "(observed only)",
        uses_contract=False,
        outside_index=AS_SHIPPED,
    ),
    private_ca(ssl_cert_file=True),
    tls=True,
)


def alpn(cell: ScriptedClient, _: Zoo) -> Observed:
    """The protocols the client offers in its ClientHello (RFC 7301 §3.1)."""
    with hello_listener() as listener:
        _outcome(cell.client, SHIPPED, listener.target)
    if not listener.hellos:
        raise RuntimeError("the client sent no ClientHello")
    offered = alpn_offered(listener.hellos[0])
    if offered is None:
        return Observed("none", "no ALPN extension")
    return Observed(",".join(offered), ", ".join(offered))


ALPN_ROW = DefaultsRow(
    Case(
        "defaults.tls.alpn",
        "RFC 7301 §3.1",
        MAY,
        "The protocols the client offers in ALPN as shipped (observed only)",
        uses_contract=False,
        outside_index=AS_SHIPPED,
    ),
    alpn,
    tls=True,
)

ROWS = (
    _redirect_row(301, "Moved Permanently"),
    _redirect_row(302, "Found"),
    _redirect_row(307, "Temporary Redirect"),
    TIMEOUT_ROW,
    RETRIES_ROW,
    PROXY_ROW,
    NO_PROXY_ROW,
    TRUST_ROW,
    SSL_CERT_FILE_ROW,
    ALPN_ROW,
)


def run_row(
    row: DefaultsRow, cell: ScriptedClient, client: str, zoo: Zoo, record: RecordProperty
) -> None:
    """Observe, record, and judge where the client documents the default."""
    observed = row.observe(cell, zoo)
    record("observed", observed.text)
    if not judged(row, client, observed):
        pytest.skip(f"observed: {observed.text}; {client} documents no default for this")


def _client(request: pytest.FixtureRequest, fixture: str) -> str:
    pairing: Pairing = request.node.callspec.params[fixture]
    assert pairing.client is not None
    return pairing.client


def _params(tls: bool) -> list[object]:
    return [pytest.param(row.case, row, id=row.case.id) for row in ROWS if row.tls is tls]


@pytest.mark.parametrize(("case", "row"), _params(tls=False))
def test_shipped(
    case: Case,
    row: DefaultsRow,
    shipped_client: ScriptedClient,
    zoo: Zoo,
    request: pytest.FixtureRequest,
    record_property: RecordProperty,
) -> None:
    run_row(row, shipped_client, _client(request, "shipped_client"), zoo, record_property)


@pytest.mark.parametrize(("case", "row"), _params(tls=True))
def test_shipped_tls(
    case: Case,
    row: DefaultsRow,
    tls_client: ScriptedClient,
    zoo: Zoo,
    request: pytest.FixtureRequest,
    record_property: RecordProperty,
) -> None:
    run_row(row, tls_client, _client(request, "tls_client"), zoo, record_property)

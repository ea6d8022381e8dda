"""Self-tests of the defaults suite: every row's observation against fake clients whose
defaults are known, and every verdict failing on a client that contradicts what the library
documents."""

from __future__ import annotations

import http.client
import os
import socket
import ssl
import urllib.parse
from pathlib import Path

import pytest

from harness.cases import CheckFailed
from harness.cells import ScriptedClient
from harness.client_hello import alpn_offered, hello_listener
from harness.errors import ClientError, classify
from harness.model import Exchange, RequestSpec, Target
from harness.report.defaults_table import shipped_defaults
from harness.tls_zoo import Zoo, make_zoo
from suites import test_defaults as defaults


class FakeClient:
    """A client whose defaults are chosen: it follows ``redirects`` redirects, gives up
    after ``timeout`` seconds, tries ``attempts`` connections, uses HTTP_PROXY if
    ``proxies``, verifies certificates if ``verify`` and offers ``alpn``."""

    def __init__(
        self,
        *,
        redirects: int = 0,
        timeout: float | None = None,
        attempts: int = 1,
        proxies: bool = False,
        verify: bool = True,
        alpn: tuple[str, ...] = (),
    ) -> None:
        self.redirects, self.timeout, self.attempts = redirects, timeout, attempts
        self.proxies, self.verify, self.alpn = proxies, verify, alpn

    def send(self, spec: RequestSpec, target: Target) -> Exchange:
        path = spec.target
        for _ in range(self.redirects + 1):
            exchange = self._retried(target, path)
            location = exchange.header("Location")
            if exchange.status // 100 != 3 or location is None:
                return exchange
            path = location
        return exchange

    def _retried(self, target: Target, path: str) -> Exchange:
        for attempt in range(self.attempts):
            try:
                return self._once(target, path)
            except (OSError, http.client.HTTPException) as exc:
                if attempt == self.attempts - 1:
                    raise ClientError(classify(exc, connecting=False), exc) from exc
        raise AssertionError("unreachable")

    def _once(self, target: Target, path: str) -> Exchange:
        host, port = target.host, target.port
        proxy = os.environ.get("HTTP_PROXY") if self.proxies else None
        if proxy:
            parsed = urllib.parse.urlsplit(proxy)
            host, port = parsed.hostname or host, parsed.port or port
            path = target.base_url + path
        if target.scheme == "https":
            context = ssl.create_default_context()
            if not self.verify:
                context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
            if self.alpn:
                context.set_alpn_protocols(list(self.alpn))
            connection: http.client.HTTPConnection = http.client.HTTPSConnection(
                host, port, timeout=self.timeout, context=context
            )
        else:
            connection = http.client.HTTPConnection(host, port, timeout=self.timeout)
        try:
            connection.request("GET", path)
            response = connection.getresponse()
            return Exchange(
                response.status,
                response.reason,
                "HTTP/1.1",
                response.getheaders(),
                response.read(),
                False,
                0.0,
            )
        finally:
            connection.close()

    def close(self) -> None:
        pass


@pytest.fixture(scope="module")
def zoo(tmp_path_factory: pytest.TempPathFactory) -> Zoo:
    return make_zoo(Path(tmp_path_factory.mktemp("zoo")))


def _row(case_id: str) -> defaults.DefaultsRow:
    return next(row for row in defaults.ROWS if row.case.id == case_id)


def _observe(case_id: str, client: FakeClient, zoo: Zoo) -> defaults.Observed:
    return _row(case_id).observe(ScriptedClient(client), zoo)


# (row, a client that contradicts the documented default, one that agrees, the library)
VERDICTS = [
    ("defaults.redirect.status_301", FakeClient(redirects=3), FakeClient(), "httpx"),
    ("defaults.redirect.status_302", FakeClient(), FakeClient(redirects=30), "requests"),
    ("defaults.redirect.status_307", FakeClient(), FakeClient(redirects=3), "urllib3"),
    ("defaults.timeout.unanswered", FakeClient(), FakeClient(timeout=1.0), "httpx"),
    ("defaults.retries.reset", FakeClient(attempts=2), FakeClient(), "requests"),
    ("defaults.retries.reset", FakeClient(), FakeClient(attempts=4), "urllib3"),
    ("defaults.proxy.http_proxy", FakeClient(), FakeClient(proxies=True), "requests"),
    ("defaults.proxy.http_proxy", FakeClient(proxies=True), FakeClient(), "aiohttp"),
    # A client that reads HTTP_PROXY but not NO_PROXY.
    ("defaults.proxy.no_proxy", FakeClient(proxies=True), FakeClient(), "requests"),
    ("defaults.tls.private_ca", FakeClient(verify=False), FakeClient(), "http.client"),
]


@pytest.mark.parametrize(("case_id", "wrong", "right", "library"), VERDICTS)
def test_verdict_fails_on_a_client_that_contradicts_the_documentation(
    case_id: str, wrong: FakeClient, right: FakeClient, library: str, zoo: Zoo
) -> None:
    row = _row(case_id)
    with pytest.raises(CheckFailed, match=library):
        defaults.judged(row, library, _observe(case_id, wrong, zoo))
    assert defaults.judged(row, library, _observe(case_id, right, zoo))


def test_every_documented_row_has_a_breaking_client() -> None:
    documented = {row.case.id for row in defaults.ROWS if row.documented}
    assert documented - {case_id for case_id, *_ in VERDICTS} == set()


def test_no_verdict_where_the_library_documents_nothing(zoo: Zoo) -> None:
    row = _row("defaults.tls.alpn")
    assert not defaults.judged(row, "httpx", _observe(row.case.id, FakeClient(), zoo))


@pytest.mark.parametrize(
    ("client", "expected"),
    [
        (FakeClient(redirects=5), "followed 5 times, then status 301"),
        (FakeClient(), "not followed (status 301)"),
    ],
)
def test_redirect_observation_counts_hops(client: FakeClient, expected: str, zoo: Zoo) -> None:
    assert _observe("defaults.redirect.status_301", client, zoo).text == expected


@pytest.mark.parametrize(
    ("offered", "expected"), [(("h2", "http/1.1"), "h2,http/1.1"), ((), "none")]
)
def test_alpn_observation(offered: tuple[str, ...], expected: str, zoo: Zoo) -> None:
    assert _observe("defaults.tls.alpn", FakeClient(alpn=offered), zoo).value == expected


def test_alpn_reader_on_a_real_client_hello() -> None:
    context = ssl.create_default_context()
    context.set_alpn_protocols(["spdy/3", "http/1.1"])
    with hello_listener() as listener:
        raw = socket.create_connection((listener.target.host, listener.target.port))
        with pytest.raises(OSError), context.wrap_socket(raw, server_hostname="localhost"):
            pass
    assert alpn_offered(listener.hellos[0]) == ["spdy/3", "http/1.1"]


def test_report_table_from_recorded_observations() -> None:
    def cell(client: str, case: str, outcome: str, observed: list[str]) -> dict[str, object]:
        return {
            "suite": "defaults",
            "case": case,
            "client": client,
            "server": None,
            "outcome": outcome,
            "observed": observed,
            "insecure": False,
        }

    cells = [
        cell("httpx", "defaults.tls.alpn", "skip", ["http/1.1"]),
        cell("requests", "defaults.redirect.status_301", "pass", ["followed 30 times"]),
        {**cell("x", "methods.get", "pass", []), "suite": "methods"},
    ]
    table = shipped_defaults(cells, ["requests", "httpx", "x"])
    assert table is not None
    assert table.cases == ["defaults.redirect.status_301", "defaults.tls.alpn"]
    assert table.rows == [
        ("requests", [("followed 30 times", "pass"), ("-", "")]),
        ("httpx", [("-", ""), ("http/1.1", "skip")]),
    ]
    assert shipped_defaults(cells[2:], ["x"]) is None

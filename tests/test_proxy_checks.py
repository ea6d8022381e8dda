"""Self-tests of the proxy suite's checks: each fails on a client with one defect and passes
on a working one, through the real proxy (tinyproxy) where the check needs it; and the checks
that rest on the proxy fail through a proxy that tunnels elsewhere (tests/programs/
broken_proxy.py), and pass through the same program without the defect."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from harness import forward_proxy
from harness.cases import CheckFailed, case_of
from harness.cells import ScriptedClient
from harness.clients import Client
from harness.clients.http_client import HttpClientClient
from harness.errors import ClientError, ErrorKind
from harness.fixtures.servers import ServerPool
from harness.forward_proxy import ForwardProxies
from harness.launcher import free_port, launch
from harness.model import Exchange, Proxy, RequestSpec, Target, Verify
from harness.scripted import ScriptedServer
from harness.tls import ServerCertificate
from suites import test_proxy as proxy_suite
from tests.pytest_run import ROOT

PROXY_PROGRAM = ROOT / "tests" / "programs" / "broken_proxy.py"

pytestmark = pytest.mark.skipif(
    forward_proxy.missing() is not None, reason=str(forward_proxy.missing())
)


class Defective:
    """A working client (http.client) with one defect:

    - "bypass": ignores the proxy and goes straight to the origin;
    - "unverified": does not verify the origin's certificate when asked for the system's trust;
    - "no-credentials": drops the proxy's credentials;
    - "leak": also writes the proxy's credentials into the request, which the tunnel carries
      to the origin;
    - "refusal-unnamed": reports a refused CONNECT as some other error.
    """

    def __init__(self, inner: Client, defect: str) -> None:
        self.inner, self.defect = inner, defect

    def send(self, spec: RequestSpec, target: Target) -> Exchange:
        proxy = spec.proxy
        if self.defect == "bypass":
            spec = replace(spec, proxy=None)
        elif self.defect == "unverified" and spec.verify is Verify.SYSTEM:
            spec = replace(spec, verify=Verify.NONE)
        elif self.defect == "no-credentials" and proxy is not None:
            spec = replace(spec, proxy=replace(proxy, credentials=None))
        elif self.defect == "leak" and proxy is not None and proxy.credentials is not None:
            spec = replace(spec, headers=[*spec.headers, ("Proxy-Authorization", "Basic eDp5")])
        try:
            return self.inner.send(spec, target)
        except ClientError as exc:
            if self.defect == "refusal-unnamed" and exc.kind is ErrorKind.PROXY_REFUSED:
                raise ClientError(ErrorKind.OTHER, exc) from exc
            raise

    def close(self) -> None:
        self.inner.close()


@pytest.fixture(scope="module")
def proxies(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ForwardProxies]:
    with forward_proxy.running(Path(tmp_path_factory.mktemp("proxy"))) as running:
        yield running


Check = Callable[..., None]
# (check, defect, transport, the part of the failure that names what caught it)
BREAKS: list[tuple[Check, str, str, str]] = [
    (proxy_suite.test_through_the_proxy, "bypass", "http", "from the proxy"),
    (proxy_suite.test_through_the_proxy, "bypass", "https", "from the proxy"),
    (proxy_suite.test_through_the_proxy, "unverified", "https", "tls.untrusted"),
    (proxy_suite.test_tunnel_to_real_servers, "bypass", "https", "read by the proxy"),
    (proxy_suite.test_tunnel_to_real_servers, "unverified", "https", "tls.untrusted"),
    (proxy_suite.test_proxy_credentials, "no-credentials", "http", "got 407"),
    (proxy_suite.test_proxy_credentials, "no-credentials", "https", "the origin's 200"),
    (proxy_suite.test_proxy_credentials, "leak", "https", "no Proxy-Authorization"),
    (proxy_suite.test_refused_by_the_proxy, "refusal-unnamed", "https", "proxy.refused"),
]
CHECKS = [
    proxy_suite.test_through_the_proxy,
    proxy_suite.test_tunnel_to_real_servers,
    proxy_suite.test_proxy_credentials,
    proxy_suite.test_refused_by_the_proxy,
]


def _cell(client: Client, transport: str, certificate: ServerCertificate) -> ScriptedClient:
    return ScriptedClient(client, certificate if transport == "https" else None)


def _run(check: Check, cell: ScriptedClient, proxies: ForwardProxies, pool: ServerPool) -> None:
    if check is proxy_suite.test_refused_by_the_proxy:
        check(cell)
    elif check is proxy_suite.test_tunnel_to_real_servers:
        check(cell, proxies, pool, lambda *_: None)
    else:
        check(cell, proxies)


def test_every_proxy_case_has_a_breaking_defect() -> None:
    cases = {obj for obj in vars(proxy_suite).values() if callable(obj) and case_of(obj)}
    assert cases == set(CHECKS)
    assert {check for check, *_ in BREAKS} == set(CHECKS)


@pytest.mark.parametrize(
    ("check", "defect", "transport", "because"),
    BREAKS,
    ids=[f"{case_of(c).id}-{d}-{t}" for c, d, t, _ in BREAKS],
)
def test_check_fails_on_defective_client(
    check: Check,
    defect: str,
    transport: str,
    because: str,
    proxies: ForwardProxies,
    session_certificate: ServerCertificate,
    server_pool: ServerPool,
) -> None:
    client = Defective(HttpClientClient(), defect)
    case = case_of(check)
    try:
        with pytest.raises(CheckFailed) as failure:
            _run(check, _cell(client, transport, session_certificate), proxies, server_pool)
    finally:
        client.close()
    message = str(failure.value)
    assert message.startswith("expected ") and f"({case.rfc})" in message
    assert because in message, f"caught by another expectation than {because!r}: {message}"


# Every check over each transport its case runs over.
WORKING = [
    (check, transport)
    for check in CHECKS
    for transport in case_of(check).transports or ("http", "https")
]


@pytest.mark.parametrize(
    ("check", "transport"), WORKING, ids=[f"{case_of(c).id}-{t}" for c, t in WORKING]
)
def test_check_passes_on_working_client(
    check: Check,
    transport: str,
    proxies: ForwardProxies,
    session_certificate: ServerCertificate,
    server_pool: ServerPool,
) -> None:
    client = HttpClientClient()
    try:
        _run(check, _cell(client, transport, session_certificate), proxies, server_pool)
    finally:
        client.close()


@contextlib.contextmanager
def _program_proxies(elsewhere: Target | None = None) -> Iterator[ForwardProxies]:
    """broken_proxy.py as the suite's two proxies (open, and asking for its credentials),
    tunnelling every CONNECT to ``elsewhere`` if given."""
    with contextlib.ExitStack() as stack:
        proxies = []
        for credentials in (None, forward_proxy.CREDENTIALS):
            port = free_port()
            argv = [sys.executable, str(PROXY_PROGRAM), str(port)]
            argv += ["--bind", forward_proxy.ORIGIN_SIDE_ADDRESS]
            argv += ["--stat-host", forward_proxy.STAT_HOST]
            argv += ["--credentials", ":".join(credentials)] if credentials else []
            argv += ["--elsewhere", elsewhere.authority] if elsewhere else []
            stack.callback(launch("broken_proxy.py", argv, ready_port=port).stop)
            proxies.append(Proxy("127.0.0.1", port, credentials))
        yield ForwardProxies(*proxies)


# The checks that go through the proxies, over their transports.
THROUGH_PROXIES = [(c, t) for c, t in WORKING if c is not proxy_suite.test_refused_by_the_proxy]


@pytest.mark.parametrize(
    ("check", "transport"),
    THROUGH_PROXIES,
    ids=[f"{case_of(c).id}-{t}" for c, t in THROUGH_PROXIES],
)
def test_check_passes_through_the_proxy_program_without_defect(
    check: Check, transport: str, session_certificate: ServerCertificate, server_pool: ServerPool
) -> None:
    client = HttpClientClient()
    try:
        with _program_proxies() as proxies:
            _run(check, _cell(client, transport, session_certificate), proxies, server_pool)
    finally:
        client.close()


# A check that rests on the proxy's CONNECT, and what in its failure shows the decoy answered.
ELSEWHERE = [
    (proxy_suite.test_through_the_proxy, "from the proxy"),
    (proxy_suite.test_tunnel_to_real_servers, "through the tunnel"),
]


@pytest.mark.parametrize(("check", "because"), ELSEWHERE, ids=lambda v: getattr(v, "__name__", v))
def test_check_fails_through_a_proxy_tunnelling_elsewhere(
    check: Check, because: str, session_certificate: ServerCertificate, server_pool: ServerPool
) -> None:
    # The decoy holds a certificate the client trusts for the address (the session's), and
    # answers as the scripted origin does: only where the bytes went tells it apart.
    client = HttpClientClient()
    try:
        with (
            ScriptedServer(list(proxy_suite.ORIGIN_SCRIPT), session_certificate) as decoy,
            _program_proxies(elsewhere=decoy.target) as proxies,
            pytest.raises(CheckFailed) as failure,
        ):
            _run(check, _cell(client, "https", session_certificate), proxies, server_pool)
    finally:
        client.close()
    assert because in str(failure.value), str(failure.value)

"""Every TLS check fails on an implementation broken in the way it checks, and passes on a
correct one.

The suite's test functions are called directly. Client checks run with fake clients that
each get one thing wrong (ignore verification, ignore the CA they are given, verify when
told not to, drop the client certificate, offer TLS 1.0, mislabel their errors, send the
wrong SNI) and, to pass, with the real clients. Server checks run against scripted servers
serving a zoo entry with the defect (TLS 1.0 only, a leaf without the intermediate that
issued it) and a program that starts whatever its key, and, to pass, against a correct
server (a leaf sent with its intermediate, as the session's certificate is).
"""

from __future__ import annotations

import http.client
import socket
import ssl
import sys
from collections.abc import Callable, Iterator
from dataclasses import replace

import pytest

from harness.cases import CATALOGUE, Case, CheckFailed
from harness.cells import HttpsServer, ScriptedClient
from harness.clients import Client
from harness.clients.http_client import HttpClientClient
from harness.clients.requests_client import RequestsClient
from harness.errors import ClientError, ErrorKind, classify
from harness.launcher import ServerProcess, launch, start_server
from harness.model import Exchange, RequestSpec, Target, Verify
from harness.scripted import ScriptedServer
from harness.tls import legacy_client_context
from harness.tls_zoo import Zoo, make_zoo
from suites import test_tls as tls

Observed = list[tuple[str, object]]


@pytest.fixture(scope="module")
def zoo(tmp_path_factory: pytest.TempPathFactory) -> Zoo:
    return make_zoo(tmp_path_factory.mktemp("zoo"))


class _Rewrites(HttpClientClient):
    """http.client with the spec rewritten before sending: the way each fake gets it wrong."""

    rewrite: Callable[[RequestSpec], RequestSpec]

    def send(self, spec: RequestSpec, target: Target) -> Exchange:
        return super().send(type(self).rewrite(spec), target)


class IgnoresVerification(_Rewrites):
    rewrite = staticmethod(lambda spec: replace(spec, verify=Verify.NONE))


class IgnoresGivenCa(_Rewrites):
    rewrite = staticmethod(lambda spec: replace(spec, verify=Verify.SYSTEM))


class IgnoresClientCertificate(_Rewrites):
    rewrite = staticmethod(lambda spec: replace(spec, client_certificate=None))


class MislabelsErrors(HttpClientClient):
    """Fails as the real client does, but reports every failure as 'other'."""

    def send(self, spec: RequestSpec, target: Target) -> Exchange:
        try:
            return super().send(spec, target)
        except ClientError as exc:
            raise ClientError(ErrorKind.OTHER, exc) from exc


class RawTlsClient:
    """One GET over a TLS socket made by ``context(spec, target)``, with ``sni(target)`` as
    the server_hostname: what a client with a home-made TLS set-up does."""

    def __init__(
        self,
        context: Callable[[RequestSpec, Target], ssl.SSLContext],
        sni: Callable[[Target], str | None] = lambda target: target.host,
    ) -> None:
        self.context, self.sni = context, sni

    def send(self, spec: RequestSpec, target: Target) -> Exchange:
        address = (target.host, target.port)
        try:
            with (
                socket.create_connection(address, timeout=spec.timeouts.connect) as raw,
                self.context(spec, target).wrap_socket(raw, server_hostname=self.sni(target)) as s,
            ):
                s.sendall(f"GET / HTTP/1.1\r\nHost: {target.authority}\r\n\r\n".encode())
                response = http.client.HTTPResponse(s)
                response.begin()
                body = response.read()
        except (OSError, http.client.HTTPException) as exc:
            raise ClientError(classify(exc, connecting=False), exc) from exc
        return Exchange(response.status, response.reason, "HTTP/1.1", [], body, False, 0.0)

    def close(self) -> None:
        pass


def _verifying_context(spec: RequestSpec, target: Target, sni_checked: bool) -> ssl.SSLContext:
    context = ssl.create_default_context(cafile=target.ca_file)
    context.check_hostname = sni_checked
    return context


def allows_old_tls() -> Client:
    """Verifies as it should, but offers TLS 1.0 and up at OpenSSL security level 0."""

    def context(spec: RequestSpec, target: Target) -> ssl.SSLContext:
        legacy = legacy_client_context(ssl.TLSVersion.TLSv1, ssl.TLSVersion.MAXIMUM_SUPPORTED)
        if spec.verify is not Verify.NONE:
            legacy.verify_mode = ssl.CERT_REQUIRED
            legacy.load_verify_locations(target.ca_file)
        return legacy

    return RawTlsClient(context)


def sends_no_sni() -> Client:
    """Verifies the chain but passes no server_hostname, so it sends no SNI."""
    return RawTlsClient(
        lambda spec, target: _verifying_context(spec, target, False), lambda _: None
    )


def sends_sni_for_an_ip() -> Client:
    """Sends "localhost" as the SNI whatever it dialled, even an IP address."""
    return RawTlsClient(
        lambda spec, target: _verifying_context(spec, target, False), lambda _: tls.DNS_NAME
    )


def strict_client() -> Client:
    """Verifies with OpenSSL's X509_STRICT, as Python 3.13's default context does."""

    def context(spec: RequestSpec, target: Target) -> ssl.SSLContext:
        strict = _verifying_context(spec, target, True)
        strict.verify_flags |= ssl.VERIFY_X509_STRICT
        return strict

    return RawTlsClient(context)


def _correct(mode: str, scenario: tls.Scenario) -> Client:
    """A client that gets ``mode``'s check of ``scenario`` right: requests, but where
    requests deviates on this Python (suites/expectations), a strict client."""
    if mode == "ca_given" and scenario.id == "missing_aki":
        return strict_client()
    return RequestsClient()


def _breaker(mode: str, scenario: tls.Scenario) -> Callable[[], Client]:
    """The fake client that must fail ``mode``'s check of ``scenario``."""
    wants_connection = {
        "ca_given": scenario.expected is None,
        "system_trust": False,
        "verify_off": scenario.expected_unverified is None,
    }[mode]
    if wants_connection:
        return IgnoresGivenCa  # refuses what it should have trusted (or not checked)
    if scenario.entry == "client-cert-required":
        return MislabelsErrors  # the server refuses it, but the kind is wrong
    if scenario.expected is ErrorKind.TLS_HANDSHAKE:
        return allows_old_tls
    return IgnoresVerification


CHECKS: dict[str, Callable[..., None]] = {
    "ca_given": tls.test_ca_given,
    "system_trust": tls.test_system_trust,
    "verify_off": tls.test_verify_off,
}
CASE_OF: dict[str, Callable[[tls.Scenario], Case]] = {
    "ca_given": tls._ca_given_case,
    "system_trust": tls._system_trust_case,
    "verify_off": tls._verify_off_case,
}
CLIENT_CELLS = [(mode, scenario) for mode in CHECKS for scenario in tls.SCENARIOS]
CLIENT_IDS = [f"{mode}-{scenario.id}" for mode, scenario in CLIENT_CELLS]


def _run_client_check(
    mode: str, scenario: tls.Scenario, client: Client, zoo: Zoo, observed: Observed
) -> None:
    def record(key: str, value: object) -> None:
        observed.append((key, value))

    try:
        CHECKS[mode](CASE_OF[mode](scenario), scenario, ScriptedClient(client), zoo, record)
    finally:
        client.close()


@pytest.mark.parametrize(("mode", "scenario"), CLIENT_CELLS, ids=CLIENT_IDS)
def test_client_check_fails_on_a_broken_client(mode: str, scenario: tls.Scenario, zoo: Zoo) -> None:
    with pytest.raises(CheckFailed, match=r"^expected .*\(RFC"):
        _run_client_check(mode, scenario, _breaker(mode, scenario)(), zoo, [])


@pytest.mark.parametrize(("mode", "scenario"), CLIENT_CELLS, ids=CLIENT_IDS)
def test_client_check_passes_on_a_correct_client(
    mode: str, scenario: tls.Scenario, zoo: Zoo
) -> None:
    # Not http.client: it falls back to the common name (suites/expectations).
    observed: Observed = []
    _run_client_check(mode, scenario, _correct(mode, scenario), zoo, observed)
    assert ("insecure", "certificate verification disabled") in observed or mode != "verify_off"
    assert any(str(value).startswith("client: ") for _, value in observed)


@pytest.mark.parametrize(
    ("check", "broken", "correct"),
    [
        (tls.test_sni_sent_for_a_host_name, sends_no_sni, HttpClientClient),
        (tls.test_no_sni_for_an_ip_address, sends_sni_for_an_ip, HttpClientClient),
    ],
    ids=["dns_name", "no_ip_literal"],
)
def test_sni_checks(
    check: Callable[..., None],
    broken: Callable[[], Client],
    correct: Callable[[], Client],
    zoo: Zoo,
) -> None:
    for make, fails in ((broken, True), (correct, False)):
        client = make()
        try:
            if fails:
                with pytest.raises(CheckFailed, match="server names received"):
                    check(ScriptedClient(client), zoo, lambda *_: None)
            else:
                check(ScriptedClient(client), zoo, lambda *_: None)
        finally:
            client.close()


def _not_started(cert: str, key: str, ca: str) -> ServerProcess:
    raise AssertionError("the scripted zoo servers are not started by command")


@pytest.fixture
def zoo_server(zoo: Zoo) -> Iterator[Callable[[str], HttpsServer]]:
    """``zoo_server(entry)``: an HttpsServer that is a scripted server serving ``entry``."""
    servers: list[ScriptedServer] = []

    def serve(entry: str) -> HttpsServer:
        server = ScriptedServer(tls.RESPONSE, certificate=zoo[entry]).__enter__()
        servers.append(server)
        return HttpsServer(f"zoo-{entry}", server.target, _not_started)

    yield serve
    for server in servers:
        server.__exit__(None, None, None)


@pytest.mark.parametrize(
    ("check", "broken_entry"),
    [
        (tls.test_server_handshake, "tls1_0-only"),
        (tls.test_server_refuses_tls1_0, "tls1_0-only"),
        (tls.test_server_refuses_tls1_1, "tls1_1-only"),
        (tls.test_server_sends_intermediate, "incomplete-chain"),
    ],
    ids=["modern_handshake", "refuses_tls1_0", "refuses_tls1_1", "sends_intermediate"],
)
def test_server_tls_checks(
    check: Callable[..., None],
    broken_entry: str,
    zoo: Zoo,
    zoo_server: Callable[[str], HttpsServer],
) -> None:
    def run(server: HttpsServer) -> None:
        if check in (tls.test_server_handshake, tls.test_server_sends_intermediate):
            check(server, lambda *_: None)
        else:
            check(server, zoo, lambda *_: None)

    if zoo[broken_entry].unavailable:
        pytest.skip(zoo[broken_entry].unavailable)
    with pytest.raises(CheckFailed, match=r"^expected .*\(RFC"):
        run(zoo_server(broken_entry))
    run(zoo_server("valid-chain"))  # a leaf from an intermediate, sent with it: the session's


STARTS_WHATEVER_ITS_KEY = [
    sys.executable,
    "-c",
    # Listens (the launcher checks the ready line's port) but never looks at a key.
    "import socket, time; s = socket.create_server(('127.0.0.1', 0)); "
    "print('LISTENING 127.0.0.1', s.getsockname()[1], flush=True); time.sleep(60)",
]


def test_bad_key_pair_check(zoo: Zoo) -> None:
    target = Target("https", "127.0.0.1", 9, zoo.ca_file)
    broken = HttpsServer(
        "starts-anyway",
        target,
        lambda cert, key, ca: launch("starts-anyway", STARTS_WHATEVER_ITS_KEY, scheme="https"),
    )
    with pytest.raises(CheckFailed, match="it started"):
        tls.test_server_refuses_a_bad_key_pair(broken, zoo, lambda *_: None)
    correct = HttpsServer(
        "stdlib-threading",
        target,
        lambda cert, key, ca: start_server(
            "stdlib-threading", certfile=cert, keyfile=key, ca_file=ca
        ),
    )
    tls.test_server_refuses_a_bad_key_pair(correct, zoo, lambda *_: None)


def test_every_tls_case_has_a_self_test() -> None:
    covered = {CASE_OF[mode](scenario).id for mode, scenario in CLIENT_CELLS} | {
        "tls.sni.dns_name",
        "tls.sni.no_ip_literal",
        "tls.server.modern_handshake",
        "tls.server.refuses_tls1_0",
        "tls.server.refuses_tls1_1",
        "tls.server.sends_intermediate",
        "tls.server.bad_key_pair",
    }
    defined = {case.id for case in CATALOGUE.cases("tls")}
    assert defined == covered

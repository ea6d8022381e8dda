"""TLS suite: every client's certificate verification against a zoo of server certificates,
and every HTTPS server's TLS set-up.

RFC 9110 §4.3.4: a client MUST NOT accept a server whose certificate is not valid for the
target's origin (a bad certificate error ends the connection, unless a person overrides
it). Validity is RFC 5280 §6 (a path to a trusted root, within its dates) and RFC 9110
§4.3.4 / RFC 6125 §6 (the name dialled is in the subjectAltName; "A reference identity of
type CN-ID MUST NOT be used by clients"). RFC 8996 retires TLS 1.0 and 1.1.

Client cells (``tls_client``) run every scenario in three trust modes:

- ``ca_given``: the client is told to trust the zoo's root. The valid entries must connect;
  every other must be refused with the right normalised kind (harness/errors.py).
- ``system_trust``: the client's default trust store, which does not hold the zoo's root
  (created for this session). Every entry must be refused.
- ``verify_off``: verification disabled. The connection must work where only verification
  stood in its way; these cells are marked insecure in the results, so that nobody reads
  them as a pass of verification.

Beside each verdict a cell records what the zoo server saw: the negotiated protocol and
cipher, the SNI host name and the ALPN protocol (observed data). Server cells
(``tls_server``) check the HTTPS servers of the matrix the other way round.
"""

from __future__ import annotations

import ssl
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from harness import deadlines
from harness.cases import Case, Level, RecordProperty
from harness.cells import SCRIPTED_TIMEOUTS, HttpsServer, ScriptedClient, ScriptedExchange
from harness.errors import ClientError, ErrorKind
from harness.implementation import Capability
from harness.launcher import LaunchError
from harness.model import ClientCertificate, Exchange, RequestSpec, Verify
from harness.scripted import Close, Send
from harness.tls import client_handshake, legacy_client_context
from harness.tls_zoo import ALPN_PROTOCOLS, DNS_NAME, IP_ADDRESS, Zoo

MUST, SHOULD, MAY = Level.MUST, Level.SHOULD, Level.MAY
BODY = b"zoo"
RESPONSE = [
    Send(b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\nConnection: close\r\n\r\n" + BODY),
    Close(),
]
HANDSHAKE_TIMEOUT = deadlines.CONNECT
MODERN_VERSIONS = ("TLSv1.2", "TLSv1.3")  # RFC 8996 §2-3: nothing older may be negotiated
HOSTNAME, UNTRUSTED = ErrorKind.TLS_HOSTNAME, ErrorKind.TLS_UNTRUSTED
CLIENT_CERT_REQUIRED = ErrorKind.TLS_CLIENT_CERT_REQUIRED


@dataclass(frozen=True)
class Scenario:
    """A zoo entry, how the client dials it, and the right answer with the zoo's CA given."""

    id: str  # the case id's last part, and the test id's
    entry: str  # the zoo entry (harness/tls.py)
    expected: ErrorKind | None  # with the CA given; None: the connection must work
    rfc: str
    level: Level
    dial: str = IP_ADDRESS
    client_cert: str | None = None  # "trusted" or "foreign": which one the client presents
    # With verification off, what still fails: not a certificate check of the client's.
    expected_unverified: ErrorKind | None = None

    @property
    def requires(self) -> tuple[Capability, ...]:
        return (Capability.CLIENT_CERTIFICATE,) if self.client_cert else ()

    def describe(self) -> str:
        cert = {None: "", "trusted": ", presenting a trusted client certificate"}.get(
            self.client_cert, ", presenting a client certificate from another CA"
        )
        return f"the {self.entry} server dialled as {self.dial}{cert}"


_VALIDITY = "RFC 5280 §6.1.3, RFC 9110 §4.3.4"
_NAMES = "RFC 9110 §4.3.4, RFC 6125 §6"
_PATH = "RFC 5280 §6.1, RFC 9110 §4.3.4"
_MTLS = "RFC 8446 §4.4.2.4"
_OLD_TLS = "RFC 8996 §2-3"

SCENARIOS = [
    Scenario("valid", "valid", None, _NAMES, MUST),
    Scenario("valid_by_name", "valid", None, _NAMES, MUST, dial=DNS_NAME),
    Scenario("valid_chain", "valid-chain", None, _PATH, MUST),
    Scenario("incomplete_chain", "incomplete-chain", UNTRUSTED, _PATH, MUST),
    Scenario("wrong_host", "wrong-host", HOSTNAME, _NAMES, MUST, dial=DNS_NAME),
    Scenario("ip_only.by_ip", "ip-only", None, _NAMES, MUST),
    Scenario("ip_only.by_name", "ip-only", HOSTNAME, _NAMES, MUST, dial=DNS_NAME),
    Scenario("dns_only.by_name", "dns-only", None, _NAMES, MUST, dial=DNS_NAME),
    Scenario("dns_only.by_ip", "dns-only", HOSTNAME, _NAMES, MUST),
    Scenario("expired", "expired", ErrorKind.TLS_EXPIRED, _VALIDITY, MUST),
    Scenario("not_yet_valid", "not-yet-valid", ErrorKind.TLS_NOT_YET_VALID, _VALIDITY, MUST),
    Scenario("untrusted_root", "untrusted-root", UNTRUSTED, _PATH, MUST),
    Scenario("self_signed", "self-signed", UNTRUSTED, _PATH, MUST),
    # RFC 9110 §4.3.4: "A reference identity of type CN-ID MUST NOT be used by clients."
    Scenario("no_san", "no-san", HOSTNAME, "RFC 9110 §4.3.4", MUST, dial=DNS_NAME),
    # RFC 5280 §4.2.1.1: conforming CAs MUST include the authorityKeyIdentifier; path
    # validation (§6) does not require a client to check it, so refusing is a MAY (what
    # OpenSSL's X509_STRICT does, on by default from Python 3.13).
    Scenario("missing_aki", "missing-aki", UNTRUSTED, "RFC 5280 §4.2.1.1", MAY),
    # RFC 9325 §4.4 asks for RSA keys of 2048 bits or more; a client that accepts 1024
    # accepts a key that can be factored.
    Scenario("weak_key", "weak-key", UNTRUSTED, "RFC 9325 §4.4", SHOULD),
    Scenario(
        "client_cert_required.trusted_cert",
        "client-cert-required",
        None,
        _MTLS,
        MUST,
        client_cert="trusted",
    ),
    Scenario(
        "client_cert_required.foreign_cert",
        "client-cert-required",
        CLIENT_CERT_REQUIRED,
        _MTLS,
        MUST,
        client_cert="foreign",
        expected_unverified=CLIENT_CERT_REQUIRED,
    ),
    Scenario(
        "client_cert_required.no_cert",
        "client-cert-required",
        CLIENT_CERT_REQUIRED,
        _MTLS,
        MUST,
        expected_unverified=CLIENT_CERT_REQUIRED,
    ),
    # RFC 9325 §3.1.1: implementations MUST support TLS 1.2 and SHOULD support TLS 1.3.
    Scenario("tls1_2_only", "tls1_2-only", None, "RFC 9325 §3.1.1", MUST),
    Scenario("tls1_3_only", "tls1_3-only", None, "RFC 9325 §3.1.1", SHOULD),
    Scenario(
        "tls1_0_only",
        "tls1_0-only",
        ErrorKind.TLS_HANDSHAKE,
        _OLD_TLS,
        MUST,
        expected_unverified=ErrorKind.TLS_HANDSHAKE,
    ),
    Scenario(
        "tls1_1_only",
        "tls1_1-only",
        ErrorKind.TLS_HANDSHAKE,
        _OLD_TLS,
        MUST,
        expected_unverified=ErrorKind.TLS_HANDSHAKE,
    ),
]
SCENARIO_IDS = [scenario.id for scenario in SCENARIOS]
# The sentences of RFC 9110 §4.3.4 a scenario's reference brings: "a client MUST verify that
# the service's identity is an acceptable match" (-1), by RFC 6125 §6 (-2) with an IP-ID or
# DNS-ID reference identity (-3), never a CN-ID (-4). Scenarios citing only RFC 5280, 8446,
# 8996 or 9325 check nothing of RFC 9110/9112.
VERIFIES = {
    _NAMES: ("9110-4.3.4-1", "9110-4.3.4-2", "9110-4.3.4-3"),
    _VALIDITY: ("9110-4.3.4-1",),
    _PATH: ("9110-4.3.4-1",),
    "RFC 9110 §4.3.4": ("9110-4.3.4-4",),
}
# "If the certificate is not valid for the target URI's origin, a user agent MUST either
# obtain confirmation from the user before proceeding (see Section 3.5) or terminate the
# connection with a bad certificate error."
TERMINATES = "9110-4.3.4-5"
# "Automated clients MAY provide a configuration setting that disables this check, but MUST
# provide a setting which enables it."
DISABLES = "9110-4.3.4-7"
OUTSIDE = "TLS: {} is outside the index of RFC 9110/9112"


def _ties(rfc: str, ids: tuple[str, ...]) -> dict[str, Any]:
    """A case's requirement_ids, or its outside_index where ``ids`` is empty."""
    return {"requirement_ids": ids} if ids else {"outside_index": OUTSIDE.format(rfc)}


def _ca_given_case(scenario: Scenario) -> Case:
    if scenario.expected is None:
        requirement = f"trusting the zoo's CA, connects to {scenario.describe()}"
    else:
        requirement = f"refuses {scenario.describe()} with {scenario.expected}"
    ids = VERIFIES.get(scenario.rfc, ())
    if ids and scenario.expected is not None:
        ids = (*ids, TERMINATES)
    return Case(
        f"tls.ca_given.{scenario.id}",
        scenario.rfc,
        scenario.level,
        requirement,
        requires=scenario.requires,
        **_ties(scenario.rfc, ids),
    )


def _system_trust_case(scenario: Scenario) -> Case:
    return Case(
        f"tls.system_trust.{scenario.id}",
        "RFC 9110 §4.3.4",
        MUST,
        f"with its default trust store (no zoo CA in it), refuses {scenario.describe()}",
        requires=scenario.requires,
        requirement_ids=("9110-4.3.4-1", TERMINATES),
    )


def _verify_off_case(scenario: Scenario) -> Case:
    ids: tuple[str, ...] = ()
    if scenario.expected_unverified is None:
        rfc, level, ids = "RFC 9110 §4.3.4", MAY, (DISABLES,)
        requirement = f"with verification disabled, connects to {scenario.describe()}"
    else:
        rfc, level = scenario.rfc, scenario.level
        requirement = (
            f"with verification disabled, still refuses {scenario.describe()} with "
            f"{scenario.expected_unverified}"
        )
    return Case(
        f"tls.verify_off.{scenario.id}",
        rfc,
        level,
        requirement,
        scenario.requires,
        **_ties(rfc, ids),
    )


def _with_cases(case_of_scenario: Callable[[Scenario], Case]) -> list[Any]:
    """Every scenario with its case, the case id as its id (the cell's id begins with it)."""
    cases = [(case_of_scenario(scenario), scenario) for scenario in SCENARIOS]
    return [pytest.param(case, scenario, id=case.id) for case, scenario in cases]


def _client_certificate(zoo: Zoo, scenario: Scenario) -> ClientCertificate | None:
    return {None: None, "trusted": zoo.client_cert, "foreign": zoo.foreign_client_cert}[
        scenario.client_cert
    ]


def _connect(
    tls_client: ScriptedClient,
    zoo: Zoo,
    scenario: Scenario,
    verify: Verify,
    record_property: RecordProperty,
) -> ScriptedExchange:
    """One request to a fresh server of the scenario's zoo entry; records what it saw."""
    entry = zoo[scenario.entry]
    if entry.unavailable:
        pytest.skip(f"not applicable here: {entry.unavailable}")
    spec = RequestSpec(
        timeouts=SCRIPTED_TIMEOUTS,
        verify=verify,
        client_certificate=_client_certificate(zoo, scenario),
    )
    exchange = tls_client.against(RESPONSE, [spec], tls=entry, host=scenario.dial)
    _record_handshakes(exchange, record_property)
    return exchange


def _record_handshakes(exchange: ScriptedExchange, record_property: RecordProperty) -> None:
    for handshake in exchange.handshakes:
        record_property("observed", f"tls: {handshake.describe()}")
        record_property("observed", f"sni: {handshake.sni or 'none sent'}")
        if handshake.error is None:
            record_property("observed", f"alpn: {handshake.alpn or 'none offered'}")
    record_property("observed", f"client: {_outcome(exchange)}")


def _outcome(exchange: ScriptedExchange) -> str:
    result = exchange.result
    if isinstance(result, ClientError):
        return f"refused, {result.kind} ({result.original_type}: {result.original_text[:300]})"
    return f"connected, status {result.status}, {len(result.body)} body bytes"


def _expect_connected(case: Case, exchange: ScriptedExchange) -> None:
    result = exchange.result
    case.expect_that(
        isinstance(result, Exchange) and result.status == 200 and result.body == BODY,
        f"a connection and the zoo server's 200 response ({len(BODY)} bytes)",
        _outcome(exchange),
    )


def _expect_refused(case: Case, exchange: ScriptedExchange, kind: ErrorKind | None) -> None:
    """Refused with ``kind``, or with any tls.* kind where ``kind`` is None."""
    result = exchange.result
    refused = isinstance(result, ClientError) and (
        result.kind == kind if kind else str(result.kind).startswith("tls.")
    )
    case.expect_that(refused, f"a refusal with {kind or 'a tls.* error'}", _outcome(exchange))


@pytest.mark.parametrize(("case", "scenario"), _with_cases(_ca_given_case))
def test_ca_given(
    case: Case,
    scenario: Scenario,
    tls_client: ScriptedClient,
    zoo: Zoo,
    record_property: RecordProperty,
) -> None:
    exchange = _connect(tls_client, zoo, scenario, Verify.TARGET_CA, record_property)
    if scenario.expected is None:
        _expect_connected(case, exchange)
    else:
        _expect_refused(case, exchange, scenario.expected)


@pytest.mark.parametrize(("case", "scenario"), _with_cases(_system_trust_case))
def test_system_trust(
    case: Case,
    scenario: Scenario,
    tls_client: ScriptedClient,
    zoo: Zoo,
    record_property: RecordProperty,
) -> None:
    exchange = _connect(tls_client, zoo, scenario, Verify.SYSTEM, record_property)
    _expect_refused(case, exchange, None)


@pytest.mark.parametrize(("case", "scenario"), _with_cases(_verify_off_case))
def test_verify_off(
    case: Case,
    scenario: Scenario,
    tls_client: ScriptedClient,
    zoo: Zoo,
    record_property: RecordProperty,
) -> None:
    record_property("insecure", "certificate verification disabled")
    exchange = _connect(tls_client, zoo, scenario, Verify.NONE, record_property)
    if scenario.expected_unverified is None:
        _expect_connected(case, exchange)
    else:
        _expect_refused(case, exchange, scenario.expected_unverified)


SNI_DNS_NAME = Case(
    "tls.sni.dns_name",
    "RFC 6066 §3, RFC 8446 §9.2",
    SHOULD,
    "a client dialling a host name sends it as the server_name (SNI) of its ClientHello",
    outside_index="TLS: RFC 6066 and RFC 8446, outside the index of RFC 9110/9112",
)


@SNI_DNS_NAME
def test_sni_sent_for_a_host_name(
    tls_client: ScriptedClient, zoo: Zoo, record_property: RecordProperty
) -> None:
    scenario = SCENARIOS[SCENARIO_IDS.index("valid_by_name")]
    exchange = _connect(tls_client, zoo, scenario, Verify.TARGET_CA, record_property)
    seen = [handshake.sni for handshake in exchange.handshakes]
    SNI_DNS_NAME.expect("the server names received", [DNS_NAME], seen)


SNI_NO_IP_LITERAL = Case(
    "tls.sni.no_ip_literal",
    "RFC 6066 §3",
    MUST,
    "a client dialling an IP address sends no server_name (literal addresses are not "
    "permitted in HostName)",
    outside_index="TLS: RFC 6066, outside the index of RFC 9110/9112",
)


@SNI_NO_IP_LITERAL
def test_no_sni_for_an_ip_address(
    tls_client: ScriptedClient, zoo: Zoo, record_property: RecordProperty
) -> None:
    scenario = SCENARIOS[SCENARIO_IDS.index("valid")]
    exchange = _connect(tls_client, zoo, scenario, Verify.TARGET_CA, record_property)
    seen = [handshake.sni for handshake in exchange.handshakes]
    SNI_NO_IP_LITERAL.expect("the server names received", [None], seen)


SERVER_HANDSHAKE = Case(
    "tls.server.modern_handshake",
    "RFC 8996 §2-3, RFC 9110 §4.3.4",
    MUST,
    "completes a handshake with TLS 1.2 or 1.3 and a certificate valid for the address dialled",
    uses_contract=False,
    outside_index=(
        "TLS: RFC 8996 for the server's versions; RFC 9110 §4.3.4 binds the client that "
        "verifies its certificate"
    ),
)


@SERVER_HANDSHAKE
def test_server_handshake(tls_server: HttpsServer, record_property: RecordProperty) -> None:
    context = ssl.create_default_context(cafile=tls_server.target.ca_file)
    context.minimum_version = ssl.TLSVersion.TLSv1_2  # whatever this Python's default is
    context.set_alpn_protocols(ALPN_PROTOCOLS)
    handshake = client_handshake(tls_server.target, context, HANDSHAKE_TIMEOUT)
    record_property("observed", f"tls: {handshake.describe()}")
    if handshake.error is None:
        record_property("observed", f"alpn: {handshake.alpn or 'none selected'}")
    SERVER_HANDSHAKE.expect_that(
        handshake.error is None and handshake.version in MODERN_VERSIONS,
        f"a verified handshake with one of {', '.join(MODERN_VERSIONS)}",
        handshake.describe(),
    )


# RFC 8446 §4.4.2: "The sender's certificate MUST come in the first CertificateEntry in the
# list. Each following certificate SHOULD directly certify the one immediately preceding it.
# Because certificate validation requires that trust anchors be distributed independently, a
# certificate that specifies a trust anchor MAY be omitted from the chain, provided that
# supported peers are known to possess any omitted certificates." RFC 5246 §7.4.2 (TLS 1.2):
# "The sender's certificate MUST come first in the list. Each following certificate MUST
# directly certify the one preceding it." The one certificate a sender may leave out is the
# trust anchor; the session's leaf is issued by an intermediate (harness/tls.py), which no
# client holds, so a server that drops it cannot be verified by anyone trusting the root.
SERVER_SENDS_INTERMEDIATE = Case(
    "tls.server.sends_intermediate",
    "RFC 8446 §4.4.2, RFC 5246 §7.4.2",
    MUST,
    "given a certificate file of leaf and intermediate, sends both: a client that trusts "
    "only the root verifies the chain",
    uses_contract=False,
    outside_index="TLS: RFC 8446 and RFC 5246, outside the index of RFC 9110/9112",
)


@SERVER_SENDS_INTERMEDIATE
def test_server_sends_intermediate(
    tls_server: HttpsServer, record_property: RecordProperty
) -> None:
    # Verification off: what the server sent, whatever it is (read on Python 3.13+ only).
    sent = client_handshake(
        tls_server.target,
        legacy_client_context(ssl.TLSVersion.TLSv1_2, ssl.TLSVersion.MAXIMUM_SUPPORTED),
        HANDSHAKE_TIMEOUT,
    ).chain
    chain = " | ".join(sent) if sent is not None else "not readable before Python 3.13"
    record_property("observed", f"certificates sent: {chain}")
    # Without the intermediate, OpenSSL's verdict is "unable to get local issuer certificate".
    handshake = client_handshake(
        tls_server.target,
        ssl.create_default_context(cafile=tls_server.target.ca_file),
        HANDSHAKE_TIMEOUT,
    )
    record_property("observed", f"tls: {handshake.describe()}")
    SERVER_SENDS_INTERMEDIATE.expect_that(
        handshake.error is None,
        "the leaf, then the intermediate: a handshake that verifies against the root alone",
        f"{handshake.describe()} (certificates sent: {chain})",
    )


def _refuses_old_tls(
    case: Case,
    version: ssl.TLSVersion,
    entry: str,
    tls_server: HttpsServer,
    zoo: Zoo,
    record_property: RecordProperty,
) -> None:
    """The server refuses a client that offers only ``version``. The zoo's ``entry`` for
    that version says whether the local OpenSSL can offer it at all."""
    if zoo[entry].unavailable:
        pytest.skip(f"not applicable here: {zoo[entry].unavailable}")
    handshake = client_handshake(
        tls_server.target, legacy_client_context(version, version), HANDSHAKE_TIMEOUT
    )
    record_property("observed", f"tls: {handshake.describe()}")
    case.expect_that(
        handshake.error is not None, f"a refused handshake for {version.name}", handshake.describe()
    )


SERVER_REFUSES_TLS1_0 = Case(
    "tls.server.refuses_tls1_0",
    "RFC 8996 §2",
    MUST,
    "refuses a client that offers TLS 1.0 only",
    uses_contract=False,
    outside_index="TLS: RFC 8996, outside the index of RFC 9110/9112",
)


@SERVER_REFUSES_TLS1_0
def test_server_refuses_tls1_0(
    tls_server: HttpsServer, zoo: Zoo, record_property: RecordProperty
) -> None:
    _refuses_old_tls(
        SERVER_REFUSES_TLS1_0,
        ssl.TLSVersion.TLSv1,
        "tls1_0-only",
        tls_server,
        zoo,
        record_property,
    )


SERVER_REFUSES_TLS1_1 = Case(
    "tls.server.refuses_tls1_1",
    "RFC 8996 §3",
    MUST,
    "refuses a client that offers TLS 1.1 only",
    uses_contract=False,
    outside_index="TLS: RFC 8996, outside the index of RFC 9110/9112",
)


@SERVER_REFUSES_TLS1_1
def test_server_refuses_tls1_1(
    tls_server: HttpsServer, zoo: Zoo, record_property: RecordProperty
) -> None:
    _refuses_old_tls(
        SERVER_REFUSES_TLS1_1,
        ssl.TLSVersion.TLSv1_1,
        "tls1_1-only",
        tls_server,
        zoo,
        record_property,
    )


BAD_KEY_PAIR = Case(
    "tls.server.bad_key_pair",
    "RFC 8446 §4.4.3",
    SHOULD,
    "exits at start with an error, not serving, when its private key does not match its "
    "certificate (it could never prove possession of the key in a handshake)",
    uses_contract=False,
    outside_index="TLS: RFC 8446, outside the index of RFC 9110/9112",
)


@BAD_KEY_PAIR
def test_server_refuses_a_bad_key_pair(
    tls_server: HttpsServer, zoo: Zoo, record_property: RecordProperty
) -> None:
    try:
        server = tls_server.start(
            zoo["valid"].certificate.cert_file, zoo.mismatched_key_file, zoo.ca_file
        )
    except LaunchError as exc:
        record_property("observed", f"launcher: {str(exc).splitlines()[0]}")
        BAD_KEY_PAIR.expect_that(
            "exited with status" in str(exc),
            "an exit at start",
            f"no exit: {str(exc).splitlines()[0]}",
        )
        return
    server.stop()
    raise BAD_KEY_PAIR.failure("an exit at start", "it started and printed its ready line")

"""The implementations that come in as programs: the Node.js contract server and the curl
client adapter (examples/). Each is skipped, saying why, where node or curl is not installed.

- The node server follows the launch protocol; that it serves the contract is
  tests/test_contract.py's to check (it covers every registered server, node included).
- curl_client.py is driven through harness/clients/external.py, as a run drives it: it maps
  the failures of tests/test_errors.py to the same kinds as the Python clients do, and plain
  exchanges send what the spec says.
"""

from __future__ import annotations

import dataclasses
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import trustme

from harness import contract, deadlines
from harness.clients.external import ExternalClient
from harness.clients.line_programs import LINE_PROGRAMS
from harness.errors import ClientError, ErrorKind
from harness.fixtures.servers import ServerPool
from harness.implementation import ClientProtocol
from harness.launcher import LaunchError, launch
from harness.model import RequestSpec, Target
from harness.probe import send_raw
from harness.scripted import Close, Hang, ScriptedServer, Send
from harness.tls import ServerCertificate
from tests import test_errors

ROOT = Path(__file__).resolve().parent.parent
NODE_SERVER = ROOT / "examples" / "node-server" / "server.js"
CURL_CLIENT = ROOT / "examples" / "curl-client" / "curl_client.py"
PROGRAM_DEADLINE = 15.0  # for a node server that must exit at once


def _skip_without(program: str, role: str) -> None:
    if shutil.which(program) is None:
        pytest.skip(f"{program} is not installed (not on PATH): {role} cannot run here")


def node_command(certfile: str | None = None, keyfile: str | None = None) -> list[str]:
    """The node server's command line (docs/contract.md, "Launching")."""
    command = ["node", str(NODE_SERVER), "--host", "127.0.0.1", "--port", "0"]
    command.append("--stop-on-stdin-eof")
    if certfile:
        command += ["--certfile", certfile]
        if keyfile:
            command += ["--keyfile", keyfile]
    return command


# --- the node server ------------------------------------------------------------------------


@pytest.fixture(scope="module", params=["http", "https"])
def target(
    request: pytest.FixtureRequest, session_certificate: ServerCertificate
) -> Iterator[Target]:
    """The node server over the parameter's transport; tests/test_contract.py's checks take it."""
    _skip_without("node", "the Node.js server")
    if request.param == "https":
        cert = session_certificate
        command = node_command(cert.cert_file, cert.key_file)
        server = launch("node", command, scheme="https", ca_file=cert.ca_file)
    else:
        server = launch("node", node_command())
    yield server.target
    server.stop()


def _echo(target: Target, request: bytes) -> contract.Echo:
    result = send_raw(target, request)
    assert result.final and result.final[0].status == 200, result.describe()
    return contract.parse_echo(result.final[0].body)


def test_node_echo_reports_the_fields_as_received(target: Target) -> None:
    # docs/contract.md, ANY /echo: name case, order and repeated lines as received; each
    # octet as the code point of the same value.
    request = (
        b"GET /echo?x=%20 HTTP/1.1\r\nHost: h\r\nX-Case: 1\r\nx-case: 2\r\nX-Octet: \xe9\r\n\r\n"
    )
    echo = _echo(target, request)
    assert echo.headers == [("Host", "h"), ("X-Case", "1"), ("x-case", "2"), ("X-Octet", "\xe9")]
    assert (echo.target, echo.path, echo.query) == ("/echo?x=%20", "/echo", "x=%20")


def test_node_echo_reports_the_request_version(target: Target) -> None:
    assert _echo(target, b"GET /echo HTTP/1.0\r\n\r\n").http_version == "HTTP/1.0"


def test_node_routes_an_absolute_form_target_by_its_path(target: Target) -> None:
    # docs/contract.md, "Routing": absolute-form routes by the URI's path (RFC 9112 §3.2.2).
    echo = _echo(target, b"GET http://h/echo?q HTTP/1.1\r\nHost: h\r\n\r\n")
    assert (echo.target, echo.path, echo.query) == ("http://h/echo?q", "http://h/echo", "q")


@pytest.fixture
def node_installed() -> None:
    _skip_without("node", "the Node.js server")


@pytest.mark.usefixtures("node_installed")
def test_node_stops_on_sigterm_with_status_0() -> None:
    server = launch("node", node_command())
    assert server.stop() == 0


@pytest.mark.usefixtures("node_installed")
def test_node_stops_at_the_end_of_stdin() -> None:
    server = launch("node", node_command())
    try:
        server.process.stdin.close()
        assert server.process.wait(timeout=deadlines.SERVER_STOP_GRACE) == 0
    finally:
        server.stop()


@pytest.mark.usefixtures("node_installed")
def test_node_refuses_a_key_that_is_not_the_certificates(
    session_certificate: ServerCertificate, tmp_path: Path
) -> None:
    other_key = tmp_path / "other-key.pem"
    trustme.CA().issue_cert("localhost").private_key_pem.write_to_path(other_key)
    with pytest.raises(LaunchError, match="exited with status 1"):
        launch("node", node_command(session_certificate.cert_file, str(other_key)))


@pytest.mark.usefixtures("node_installed")
def test_node_refuses_a_keyfile_without_a_certfile() -> None:
    command = ["node", str(NODE_SERVER), "--port", "0", "--keyfile", "key.pem"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=PROGRAM_DEADLINE)
    assert done.returncode == 2 and "--keyfile needs --certfile" in done.stderr


# --- the curl client ------------------------------------------------------------------------


# The adapter's two ways of being run: once per request, and long-lived with --json-lines.
PROTOCOL_ARGUMENTS = {ClientProtocol.ONE_SHOT: [], ClientProtocol.JSON_LINES: ["--json-lines"]}


@pytest.fixture(params=list(PROTOCOL_ARGUMENTS))
def client(request: pytest.FixtureRequest) -> Iterator[ExternalClient]:
    """curl through its adapter program, in either protocol, which must make no difference;
    tests/test_errors.py's checks below take it."""
    _skip_without("curl", "the curl client")
    protocol: ClientProtocol = request.param
    command = [sys.executable, str(CURL_CLIENT), *PROTOCOL_ARGUMENTS[protocol]]
    yield ExternalClient("curl", command, protocol)
    LINE_PROGRAMS.stop_all()


# Failures that are not scripted, each mapped as for the Python clients.
test_refused_connection = test_errors.test_refused_connection
test_connect_timeout = test_errors.test_connect_timeout
test_default_trust_rejects_the_session_ca = test_errors.test_default_trust_rejects_the_session_ca
wrong_host_server = test_errors.wrong_host_server
test_wrong_host_is_a_hostname_error = test_errors.test_wrong_host_is_a_hostname_error

# curl reads header fields of up to 100 KiB (include/curl/curl.h: CURL_MAX_HTTP_HEADER), so
# the table's 70,000-octet field is a valid response to it (RFC 9110 §5.4 sets no limit); one
# beyond its limit is the same failure.
BEYOND_CURL_FIELD_LIMIT = 110_000
SCRIPTED = {
    **test_errors.SCRIPTED,
    ErrorKind.PROTOCOL_INVALID_HEADER: [
        Send(b"HTTP/1.1 200 OK\r\nX-Long: " + b"a" * BEYOND_CURL_FIELD_LIMIT + b"\r\n\r\n"),
        Close(),
    ],
}


OK_LINE = b"HTTP/1.1 200 OK\r\n"
INVALID_HEADER = ErrorKind.PROTOCOL_INVALID_HEADER
# Failures curl reports with other exit codes or messages than the table's, one reply each.
CURL_SCRIPTED = {
    "chunk_data_without_crlf": (
        OK_LINE + b"Transfer-Encoding: chunked\r\n\r\n5\r\nhello!!0\r\n\r\n",
        ErrorKind.PROTOCOL_BAD_CHUNK,
    ),
    "field_without_colon": (OK_LINE + b"NoColon\r\nContent-Length: 2\r\n\r\nok", INVALID_HEADER),
    "field_with_nul": (OK_LINE + b"X-A: a\x00b\r\nContent-Length: 2\r\n\r\nok", INVALID_HEADER),
    "invalid_content_length": (OK_LINE + b"Content-Length: abc\r\n\r\nok", INVALID_HEADER),
    "status_code_not_digits": (
        b"HTTP/1.1 abc Not a status\r\n\r\n",
        ErrorKind.PROTOCOL_BAD_STATUS_LINE,
    ),
}


@pytest.mark.parametrize("transport", ["http", "https"])
@pytest.mark.parametrize("kind", SCRIPTED, ids=str)
def test_scripted_failure_maps_to_kind(
    client: ExternalClient,
    kind: ErrorKind,
    transport: str,
    session_certificate: ServerCertificate,
) -> None:
    certificate = session_certificate if transport == "https" else None
    with ScriptedServer(SCRIPTED[kind], certificate=certificate) as server:
        assert test_errors.failure_kind(client, server.target) == kind


@pytest.mark.parametrize("name", CURL_SCRIPTED)
def test_curl_failure_maps_to_kind(client: ExternalClient, name: str) -> None:
    reply, kind = CURL_SCRIPTED[name]
    with ScriptedServer([Send(reply), Close()]) as server:
        assert test_errors.failure_kind(client, server.target) == kind


def test_a_stalled_handshake_is_a_connect_timeout(client: ExternalClient) -> None:
    # The TLS handshake is part of connecting, as for http.client (harness/errors.py).
    with ScriptedServer([Hang()]) as server:
        target = dataclasses.replace(server.target, scheme="https")
        assert test_errors.failure_kind(client, target) == ErrorKind.TIMEOUT_CONNECT


def test_curl_takes_a_field_within_its_limit(client: ExternalClient) -> None:
    # 70,000 octets: over http.client's 64 KiB limit, within curl's 100 KiB.
    script = [Send(b"HTTP/1.1 200 OK\r\nX-Long: " + b"a" * 70_000 + b"\r\n\r\n"), Close()]
    with ScriptedServer(script) as server:
        exchange = client.send(RequestSpec("GET", "/", timeouts=test_errors.SHORT), server.target)
    assert exchange.status == 200 and len(exchange.header("X-Long") or "") == 70_000


@pytest.fixture
def reference(server_pool: ServerPool) -> Target:
    return server_pool.get(("stdlib-threading", "http")).target


def test_curl_reports_the_final_response(client: ExternalClient, reference: Target) -> None:
    exchange = client.send(RequestSpec("GET", "/bytes/3"), reference)
    assert (exchange.status, exchange.reason, exchange.http_version) == (200, "OK", "HTTP/1.1")
    assert [name for name, _ in exchange.headers][:2] == ["Server", "Date"]
    assert exchange.header("content-length") == "3"
    assert exchange.body == contract.deterministic_bytes(3)
    assert exchange.reused is False, "a curl process makes one new connection"


def test_curl_reports_the_final_response_after_interim_ones(client: ExternalClient) -> None:
    interim = b"HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n"
    final = b"HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok"
    with ScriptedServer([Send(interim + final), Close()]) as server:
        exchange = client.send(RequestSpec("GET", "/", timeouts=test_errors.SHORT), server.target)
    assert (exchange.status, exchange.headers, exchange.body) == (
        201,
        [("Content-Length", "2")],
        b"ok",
    )


def test_curl_sends_the_target_as_given(client: ExternalClient) -> None:
    # No dot-segment removal (RFC 3986 §5.2.4 is the recipient's business), no URL globbing.
    with ScriptedServer([Send(OK_LINE + b"Content-Length: 0\r\n\r\n"), Close()]) as server:
        client.send(RequestSpec("GET", "/a/../b/./c?x=[1]&y={2}"), server.target)
    assert server.received[0].startswith(b"GET /a/../b/./c?x=[1]&y={2} HTTP/1.1\r\n")


def test_curl_sends_the_spec(client: ExternalClient, reference: Target) -> None:
    # Fields in order with a repeated name and an empty value, the content, and no field
    # curl would add for a form.
    target = "/echo?x=1"
    fields = [("X-A", "1"), ("X-Empty", ""), ("x-a", "2")]
    spec = RequestSpec("PUT", target, headers=fields, body=b"\x00payload\xff")
    echo = contract.parse_echo(client.send(spec, reference).body)
    assert (echo.method, echo.target, echo.body) == ("PUT", target, b"\x00payload\xff")
    assert [(n, v) for n, v in echo.headers if n.lower().startswith("x-")] == fields
    assert echo.header_values("Content-Type") == []
    assert echo.header_values("Content-Length") == ["9"]


def test_curl_sends_an_iterable_body_chunked(
    client: ExternalClient, server_pool: ServerPool
) -> None:
    target = server_pool.get(("flask", "http")).target
    spec = RequestSpec("POST", "/echo", body=iter([b"ab", b"cd"]))
    echo = contract.parse_echo(client.send(spec, target).body)
    assert echo.header_values("Transfer-Encoding") == ["chunked"]
    assert echo.body == b"abcd"


def test_curl_sends_head_and_http10(client: ExternalClient, reference: Target) -> None:
    head = client.send(RequestSpec("HEAD", "/bytes/10"), reference)
    assert (head.status, head.header("Content-Length"), head.body) == (200, "10", b"")
    old = client.send(RequestSpec("GET", "/echo", http_version="HTTP/1.0"), reference)
    assert contract.parse_echo(old.body).http_version == "HTTP/1.0"


def test_curl_cannot_send_http09(client: ExternalClient, reference: Target) -> None:
    with pytest.raises(ClientError) as caught:
        client.send(RequestSpec("GET", "/", http_version="HTTP/0.9"), reference)
    assert caught.value.kind == ErrorKind.OTHER
    assert "cannot send an HTTP/0.9 request" in caught.value.original_text

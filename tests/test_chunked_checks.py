"""Every chunked check fails on an implementation broken in the way it checks, and passes on
one that is not.

- Interop checks run through http.client against tests/broken_chunked_server.py.
- Server probes run against a scripted server playing a broken server's answer, then a
  conforming server's answer.
- The client property (any split) runs with RawBodyClient, which ignores the chunked coding
  and returns what arrives until the connection closes, then with StrictClient, the probe's
  strict RFC 9112 parser behind the Client interface. The other client checks are
  response catalogue entries now, tested with the catalogue (tests/test_responses_checks.py).
"""

from __future__ import annotations

import functools
import gzip
from collections.abc import Callable
from http import HTTPStatus
from pathlib import Path

import pytest

from harness import contract
from harness.cases import CheckFailed, case_of
from harness.cells import Conversation, ScriptedClient
from harness.clients.http_client import HttpClientClient
from harness.errors import ClientError, ErrorKind
from harness.launcher import ServerProcess
from harness.model import Exchange, RequestSpec, Target
from harness.probe import Malformed, ServerProbe, request, send_raw
from harness.scripted import Close, ScriptedServer, Send
from suites import test_chunked as chunked

BROKEN_CHUNKED_SERVER = Path(__file__).with_name("broken_chunked_server.py")


def _response(status: int, body: bytes = b"") -> bytes:
    head = f"HTTP/1.1 {status} {HTTPStatus(status).phrase}\r\nContent-Length: {len(body)}\r\n\r\n"
    return head.encode("ascii") + body


def _echoed(
    content: bytes, *, method: str = "POST", target: str = "/echo", headers: tuple = ()
) -> bytes:
    """/echo's 200 answer for a request that arrived with ``content``."""
    document = contract.echo_document(
        method=method,
        target=target,
        http_version="HTTP/1.1",
        headers=list(headers),
        body=content,
    )
    return _response(200, document)


FOLLOW_UP_ECHO = _echoed(b"", method="GET", target=chunked.FOLLOW_UP)

# Each interop check, and the defect of tests/broken_chunked_server.py that must make it fail.
INTEROP_BREAKS = {
    chunked.test_empty_chunked_response: "extra-chunk",
    chunked.test_one_byte_chunked_response: "extra-chunk",
    chunked.test_tiny_chunks_response: "short-size",
    chunked.test_large_chunked_response: "short-size",
    chunked.test_chunked_request_body: "answer-leftover",
    chunked.test_request_any_split: "drop-last-byte",
}
# Each server probe, with what a broken server answers and what a conforming one answers
# (then closing the connection).
PROBE_ANSWERS = {
    chunked.test_chunk_extensions_are_ignored: (
        _response(500),
        _echoed(b"hello world") + FOLLOW_UP_ECHO,
    ),
    chunked.test_trailer_section_is_read: (
        _echoed(b"hello", headers=(("X-Interop-Trailer", "sum"),)),  # merged into the header
        _echoed(b"hello") + FOLLOW_UP_ECHO,
    ),
    chunked.test_uppercase_chunk_size: (_echoed(b""), _echoed(chunked.LETTERS)),
    chunked.test_lowercase_chunk_size: (
        _echoed(chunked.LETTERS) + _response(400),  # the last chunk read as a request
        _echoed(chunked.LETTERS) + FOLLOW_UP_ECHO,
    ),
    chunked.test_leading_zeros_in_chunk_size: (_response(400), _echoed(b"hello")),
    chunked.test_hex_prefix_chunk_size_is_refused: (_echoed(b"hello"), _response(400)),
    chunked.test_plus_sign_chunk_size_is_refused: (_echoed(b"hello"), _response(400)),
    chunked.test_negative_chunk_size_is_refused: (
        _response(400) + _response(400),  # refused, then the rest read as a request
        _response(400),
    ),
    chunked.test_non_hex_chunk_size_is_refused: (_echoed(b""), _response(400)),
    chunked.test_overflowing_chunk_size_is_refused: (
        _echoed(b"hello") + FOLLOW_UP_ECHO,  # the size wrapped around to 5
        _response(400),
    ),
    chunked.test_invalid_chunk_size_gets_400: (_response(500), _response(400)),
    chunked.test_missing_final_crlf: (_echoed(b"hello") + FOLLOW_UP_ECHO, _response(400)),
    chunked.test_transfer_encoding_with_content_length: (
        _echoed(b"hello") + FOLLOW_UP_ECHO,  # processed by Transfer-Encoding, but not closed
        _echoed(b"hello"),
    ),
    chunked.test_unknown_transfer_coding: (
        _echoed(gzip.compress(b"hello", mtime=0)),  # the gzip coding left on the content
        _response(501),
    ),
    chunked.test_http10_request_with_transfer_encoding: (
        _echoed(b"hello") + FOLLOW_UP_ECHO,
        _echoed(b"hello"),
    ),
}
CLIENT_CHECKS = [chunked.test_response_any_split]


def _case_id(check: Callable[..., None]) -> str:
    return case_of(check).id


def _expect_verdict_message(check: Callable[..., None], failure: CheckFailed) -> None:
    assert f"({case_of(check).rfc})" in str(failure), "a failure names the RFC section"
    assert str(failure).startswith("expected "), "a failure reads 'expected X (RFC), got Y'"


def test_every_chunked_case_has_a_breaking_defect() -> None:
    cases = {name: obj for name, obj in vars(chunked).items() if case_of(obj) and callable(obj)}
    covered = {*INTEROP_BREAKS, *PROBE_ANSWERS, *CLIENT_CHECKS}
    missing = sorted(name for name, check in cases.items() if check not in covered)
    assert not missing, f"chunked checks without a self-test defect: {missing}"


# --- Interop checks -------------------------------------------------------------------------


@pytest.fixture(scope="session")
def broken_chunked_server(
    broken_server: Callable[..., ServerProcess],
) -> Callable[[str], ServerProcess]:
    """tests/broken_chunked_server.py with the given defect, running."""
    return functools.partial(broken_server, program="broken_chunked_server.py")


def _converse(check: Callable[[Conversation], None], server: ServerProcess) -> None:
    client = HttpClientClient()
    try:
        check(Conversation(server.target, client))
    finally:
        client.close()


@pytest.mark.parametrize("check", sorted(INTEROP_BREAKS, key=_case_id), ids=_case_id)
def test_interop_check_fails_on_broken_server(
    check: Callable[[Conversation], None],
    broken_chunked_server: Callable[[str], ServerProcess],
) -> None:
    with pytest.raises(CheckFailed) as failure:
        _converse(check, broken_chunked_server(INTEROP_BREAKS[check]))
    _expect_verdict_message(check, failure.value)


@pytest.mark.parametrize("check", sorted(INTEROP_BREAKS, key=_case_id), ids=_case_id)
def test_interop_check_passes_on_unbroken_server(
    check: Callable[[Conversation], None],
    broken_chunked_server: Callable[[str], ServerProcess],
) -> None:
    _converse(check, broken_chunked_server("none"))


# --- Server probes --------------------------------------------------------------------------


def _probe(check: Callable[[ServerProbe], None], answer: bytes) -> None:
    with ScriptedServer([Send(answer), Close()]) as server:
        check(ServerProbe(server.target))


@pytest.mark.parametrize("check", sorted(PROBE_ANSWERS, key=_case_id), ids=_case_id)
def test_probe_check_fails_on_broken_answer(check: Callable[[ServerProbe], None]) -> None:
    broken, _ = PROBE_ANSWERS[check]
    with pytest.raises(CheckFailed) as failure:
        _probe(check, broken)
    _expect_verdict_message(check, failure.value)


@pytest.mark.parametrize("check", sorted(PROBE_ANSWERS, key=_case_id), ids=_case_id)
def test_probe_check_passes_on_conforming_answer(check: Callable[[ServerProbe], None]) -> None:
    _, conforming = PROBE_ANSWERS[check]
    _probe(check, conforming)


# --- Client checks --------------------------------------------------------------------------


class RawBodyClient:
    """Ignores Transfer-Encoding: the content is every byte after the header section until the
    connection closes, as an HTTP/1.0 client reads it. It never reports an error."""

    def send(self, spec: RequestSpec, target: Target) -> Exchange:
        raw = request(spec.method, spec.target, host=target.authority)
        # Waiting for a second response reads until the scripted server closes.
        result = send_raw(target, raw, responses=2, idle_timeout=spec.timeouts.read)
        head, _, body = result.received.partition(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1])
        return Exchange(status, "", "HTTP/1.1", [], body, None, result.elapsed)

    def close(self) -> None:
        """Nothing to close: every exchange has a connection of its own."""


class StrictClient:
    """The probe's strict RFC 9112 parser behind the Client interface: a malformed response or
    an early end is a protocol error, never content."""

    def send(self, spec: RequestSpec, target: Target) -> Exchange:
        raw = request(spec.method, spec.target, host=target.authority)
        result = send_raw(target, raw, idle_timeout=spec.timeouts.read)
        if result.malformed is not None:
            raise ClientError(ErrorKind.PROTOCOL_BAD_CHUNK, Malformed(result.malformed))
        if not result.final:
            raise ClientError(ErrorKind.PROTOCOL_INCOMPLETE_BODY, EOFError(result.describe()))
        response = result.final[0]
        return Exchange(
            response.status,
            response.reason,
            response.version,
            response.headers,
            response.body,
            None,
            result.elapsed,
        )

    def close(self) -> None:
        """Nothing to close: every exchange has a connection of its own."""


@pytest.mark.parametrize("check", sorted(CLIENT_CHECKS, key=_case_id), ids=_case_id)
def test_client_check_fails_on_raw_body_client(check: Callable[[ScriptedClient], None]) -> None:
    with pytest.raises(CheckFailed) as failure:
        check(ScriptedClient(RawBodyClient()))
    _expect_verdict_message(check, failure.value)


@pytest.mark.parametrize("check", sorted(CLIENT_CHECKS, key=_case_id), ids=_case_id)
def test_client_check_passes_on_strict_client(check: Callable[[ScriptedClient], None]) -> None:
    check(ScriptedClient(StrictClient()))

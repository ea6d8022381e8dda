"""Every errors check fails on an implementation broken in the way it checks, and passes on a
correct one.

- Interop checks run through http.client against tests/broken_errors_server.py.
- Server probes run against a scripted server answering the wrong (or the right) bytes, or
  against the broken server where the check is about how a server answers its own routes, or
  sends a request a scripted server cannot read (its lines end in bare LF).

The client checks it held are response catalogue entries now, tested with the catalogue
(tests/test_responses_checks.py).
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from harness import contract
from harness.cases import Case, CheckFailed, case_of
from harness.cells import Conversation
from harness.clients.http_client import HttpClientClient
from harness.launcher import ServerProcess
from harness.model import Headers
from harness.probe import ServerProbe
from harness.scripted import Action, Close, ScriptedServer, Send
from suites import test_errors as errors

BROKEN_SERVER = Path(__file__).with_name("broken_errors_server.py")


def _answer(status: bytes, body: bytes = b"", content_type: bytes = b"text/plain") -> list[Action]:
    head = b"HTTP/1.1 %s\r\nContent-Type: %s\r\nContent-Length: %d\r\n" % (
        status,
        content_type,
        len(body),
    )
    return [Send(head + b"Connection: close\r\n\r\n" + body), Close()]


def _served(headers: Headers) -> list[Action]:
    """A 200 from /echo reporting a GET /echo that arrived with ``headers``."""
    document = contract.echo_document(
        method="GET", target="/echo", http_version="HTTP/1.1", headers=headers, body=b""
    )
    return _answer(b"200 OK", document, b"application/json")


REFUSED = _answer(b"400 Bad Request")
SERVED = _served([("Host", "localhost")])
# What http.server sends when it cannot read the request-line: its error page, as HTTP/0.9.
NO_STATUS_LINE = [Send(b"<!DOCTYPE HTML>\n<p>Error code: 400</p>\n"), Close()]

# Each interop check, and the defect of tests/broken_errors_server.py that must make it fail.
INTEROP_BREAKS = {
    errors.test_success_statuses_reach_the_client: "status-200",
    errors.test_redirections_reach_the_client: "status-200",
    errors.test_client_errors_reach_the_client: "status-200",
    errors.test_server_errors_reach_the_client: "status-200",
    errors.test_no_content_has_no_content: "no-content-body",
    errors.test_reset_content_has_no_content: "no-content-body",
    errors.test_not_modified_has_no_content: "no-content-body",
}

Implementation = list[Action] | str  # a scripted server's script, or a broken server's defect
# Each probe check: (a server that must fail it, a server that must pass it).
PROBE_SERVERS: dict[Callable[..., None], tuple[Implementation, Implementation]] = {
    errors.test_no_content_sends_nothing_after_head: ("no-content-body", "none"),
    errors.test_reset_content_sends_no_content: ("no-content-body", "none"),
    errors.test_not_modified_sends_nothing_after_head: ("no-content-body", "none"),
    errors.test_request_line_with_spaces_is_rejected: (SERVED, REFUSED),
    errors.test_request_line_garbage_is_rejected: (NO_STATUS_LINE, REFUSED),
    errors.test_version_with_letters_is_rejected: (NO_STATUS_LINE, REFUSED),
    errors.test_version_with_two_digits_is_rejected: (SERVED, REFUSED),
    errors.test_unsupported_major_version_is_answered_in_http1: (
        NO_STATUS_LINE,
        _answer(b"505 HTTP Version Not Supported"),
    ),
    errors.test_overlong_target_gets_414: (REFUSED, _answer(b"414 URI Too Long")),
    errors.test_too_many_fields_get_4xx: (
        _served(errors.MANY_FIELDS[:100]),
        _answer(b"431 Request Header Fields Too Large"),
    ),
    errors.test_too_large_field_gets_4xx: (SERVED, _answer(b"431 Request Header Fields Too Large")),
    errors.test_missing_host_is_rejected: (SERVED, REFUSED),
    errors.test_duplicate_host_is_rejected: (SERVED, REFUSED),
    errors.test_whitespace_before_colon_is_rejected: (SERVED, REFUSED),
    errors.test_obs_fold_is_rejected_or_unfolded: (
        _served([("X-Interop-Fold", "first\r\n second")]),
        _served([("X-Interop-Fold", "first second")]),
    ),
    # A scripted server waits for the CRLF CRLF that ends a head: these lines end in bare LF.
    errors.test_bare_lf_is_read_or_rejected: ("bare-lf-500", "none"),
    errors.test_bare_cr_is_rejected_or_replaced: (
        _served([("X-Interop-CR", "a")]),
        _served([("X-Interop-CR", "a b"), ("X-After", "1")]),
    ),
}


@pytest.fixture(scope="session")
def broken_errors_server(
    broken_server: Callable[..., ServerProcess],
) -> Callable[[str], ServerProcess]:
    """tests/broken_errors_server.py with the given defect, running."""
    return functools.partial(broken_server, program="broken_errors_server.py")


def _call(check: Callable[..., None], cell: object) -> None:
    """Call a suite check with its cell (and a record_property that keeps nothing)."""
    if "record_property" in inspect.signature(check).parameters:
        check(cell, record_property=lambda name, value: None)
    else:
        check(cell)


def _expect_verdict_fails(case: Case, run: Callable[[], None]) -> None:
    with pytest.raises(CheckFailed) as failure:
        run()
    assert f"({case.rfc})" in str(failure.value), "a failure names the RFC section"
    assert str(failure.value).startswith("expected "), "a failure reads 'expected X (RFC), got Y'"


def _case_id(check: Callable[..., None]) -> str:
    return case_of(check).id


def _by_id(checks: Iterable[Callable[..., None]]) -> list[Callable[..., None]]:
    return sorted(checks, key=_case_id)


def test_every_errors_case_has_a_breaking_defect() -> None:
    cases = {name: obj for name, obj in vars(errors).items() if case_of(obj) and callable(obj)}
    covered = {*INTEROP_BREAKS, *PROBE_SERVERS}
    missing = sorted(name for name, check in cases.items() if check not in covered)
    assert not missing, f"errors checks without a self-test defect: {missing}"


def _converse(check: Callable[..., None], server: ServerProcess) -> None:
    client = HttpClientClient()
    try:
        check(Conversation(server.target, client))
    finally:
        client.close()


@pytest.mark.parametrize("check", _by_id(INTEROP_BREAKS), ids=_case_id)
def test_interop_check_fails_on_broken_server(
    check: Callable[..., None], broken_errors_server: Callable[[str], ServerProcess]
) -> None:
    server = broken_errors_server(INTEROP_BREAKS[check])
    _expect_verdict_fails(case_of(check), lambda: _converse(check, server))


@pytest.mark.parametrize("check", _by_id(INTEROP_BREAKS), ids=_case_id)
def test_interop_check_passes_on_unbroken_server(
    check: Callable[..., None], broken_errors_server: Callable[[str], ServerProcess]
) -> None:
    _converse(check, broken_errors_server("none"))


@contextmanager
def _probe(
    implementation: Implementation, broken_errors_server: Callable[[str], ServerProcess]
) -> Iterator[ServerProbe]:
    if isinstance(implementation, str):
        yield ServerProbe(broken_errors_server(implementation).target)
        return
    with ScriptedServer(implementation) as server:
        yield ServerProbe(server.target)


@pytest.mark.parametrize("check", _by_id(PROBE_SERVERS), ids=_case_id)
def test_probe_check_fails_on_broken_server(
    check: Callable[..., None], broken_errors_server: Callable[[str], ServerProcess]
) -> None:
    with _probe(PROBE_SERVERS[check][0], broken_errors_server) as probe:
        _expect_verdict_fails(case_of(check), lambda: _call(check, probe))


@pytest.mark.parametrize("check", _by_id(PROBE_SERVERS), ids=_case_id)
def test_probe_check_passes_on_correct_server(
    check: Callable[..., None], broken_errors_server: Callable[[str], ServerProcess]
) -> None:
    with _probe(PROBE_SERVERS[check][1], broken_errors_server) as probe:
        _call(check, probe)

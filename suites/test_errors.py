"""Errors suite: status codes end to end, malformed requests.

RFC 9110 §15 (status codes) and RFC 9112 §2-8 (message syntax and framing). Two kinds of
cells:

- interop: every status class, from every server through every client, unchanged;
- server probes: exact bytes to each server, read back strictly by harness/probe.py: the
  octets after a 204, 205 or 304 head, and the answers to malformed requests. Even a refusal
  is a response: a reply without a valid status line fails.

Broken responses at clients are entries of the response catalogue (suites/responses/), where
the client cases this suite held (``errors.client.*``) went under ``responses.*`` ids.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from harness import contract, deadlines
from harness.cases import Case, Level, RecordProperty, define_tests
from harness.cells import Conversation
from harness.errors import ClientError
from harness.implementation import Capability
from harness.model import Exchange, Headers, RequestSpec
from harness.probe import Response, ServerProbe

MUST, SHOULD, MAY = Level.MUST, Level.SHOULD, Level.MAY

# ---------------------------------------------------------------------------------------------
# Interop: status codes through real servers and clients
# ---------------------------------------------------------------------------------------------

FOLLOW_UP_BYTES = 64


def _status(case: Case, conversation: Conversation, code: int) -> Exchange:
    """GET /status/{code}; a client error instead of the response fails the case."""
    try:
        return conversation.send(RequestSpec("GET", f"/status/{code}"))
    except ClientError as exc:
        raise case.failure(f"the {code} response", f"client error {exc}") from exc


def _expect_statuses(case: Case, conversation: Conversation, codes: tuple[int, ...]) -> None:
    """Each code reaches the client as sent, with its content (an unregistered x99 may also be
    reported as its class's x00)."""
    for code in codes:
        response = _status(case, conversation, code)
        allowed = {code, code - code % 100} if code % 100 == 99 else {code}
        case.expect_that(
            response.status in allowed,
            f"status {' or '.join(map(str, sorted(allowed)))} for /status/{code}",
            f"{response.status} {response.reason}",
        )
        case.expect(f"the content of /status/{code}", contract.status_body(code), response.body)


@dataclass(frozen=True)
class StatusClass:
    """The status codes of one class that the contract's /status/{code} sends."""

    test: str
    case: Case
    codes: tuple[int, ...]


# Registered codes of each class and one unregistered (x99): RFC 9110 §15, "a client MUST
# understand the class of any status code ... and treat an unrecognized status code as being
# equivalent to the x00 status code of that class".
STATUS_CLASSES = [
    StatusClass(
        "test_success_statuses_reach_the_client",
        Case(
            "errors.status.class_2xx",
            "RFC 9110 §15, §15.3",
            MUST,
            "2xx responses, unregistered ones too, reach the client with their status and content",
            requirement_ids=("9110-15-1",),
        ),
        (200, 201, 202, 299),
    ),
    # RFC 9110 §15.4: only "if a Location header field is provided" may a user agent redirect
    # automatically; without one the 3xx itself is the answer. (The adapters never follow.)
    StatusClass(
        "test_redirections_reach_the_client",
        Case(
            "errors.status.class_3xx",
            "RFC 9110 §15, §15.4",
            MUST,
            "3xx responses without Location reach the client as they are, not followed or refused",
            requirement_ids=("9110-15-1",),
        ),
        (301, 302, 303, 307, 308),  # the contract sends them without Location
    ),
    StatusClass(
        "test_client_errors_reach_the_client",
        Case(
            "errors.status.class_4xx",
            "RFC 9110 §15, §15.5",
            MUST,
            "4xx responses, unregistered ones too, reach the client with their status and content",
            requirement_ids=("9110-15-1",),
        ),
        (400, 404, 418, 429, 499),
    ),
    StatusClass(
        "test_server_errors_reach_the_client",
        Case(
            "errors.status.class_5xx",
            "RFC 9110 §15, §15.6",
            MUST,
            "5xx responses, unregistered ones too, reach the client with their status and content",
            requirement_ids=("9110-15-1",),
        ),
        (500, 502, 503, 599),
    ),
]


def _status_class_test(row: StatusClass) -> Callable[[Conversation], None]:
    def test(interop: Conversation) -> None:
        _expect_statuses(row.case, interop, row.codes)

    return test


define_tests(globals(), STATUS_CLASSES, _status_class_test)


def _expect_no_content(case: Case, conversation: Conversation, code: int) -> Exchange:
    """/status/{code} arrives without content, and leaves nothing behind on the connection."""
    response = _status(case, conversation, code)
    case.expect("status", code, response.status)
    case.expect(f"no content in the {code} response", b"", response.body)
    # Content wrongly sent after a 204 or 304 head is not part of that response (RFC 9112
    # §6.3, rule 1): on a persistent connection it is read as the start of the next one, where
    # this follow-up exposes it, unless the client's read-ahead swallowed it with the head
    # (http.client buffers 8 KiB; urllib3 sees unread bytes and opens a new connection). The
    # ".wire" probe cases check the server's octets exactly.
    try:
        follow = conversation.send(RequestSpec("GET", f"/bytes/{FOLLOW_UP_BYTES}"))
    except ClientError as exc:
        raise case.failure(f"the GET after the {code} to succeed", f"client error {exc}") from exc
    case.expect(
        f"the GET's content after the {code}",
        contract.deterministic_bytes(FOLLOW_UP_BYTES),
        follow.body,
    )
    return response


NO_CONTENT = Case(
    "errors.status.no_content_204",
    "RFC 9110 §15.3.5, §8.6; RFC 9112 §6.1",
    MUST,
    "A 204 has no content, no Content-Length and no Transfer-Encoding",
    requirement_ids=(
        "9110-8.6-5",
        "9112-6.1-7",
    ),
)


@NO_CONTENT
def test_no_content_has_no_content(interop: Conversation) -> None:
    response = _expect_no_content(NO_CONTENT, interop, 204)
    # RFC 9110 §8.6: "A server MUST NOT send a Content-Length header field in any response
    # with a status code of 1xx (Informational) or 204 (No Content)"; RFC 9112 §6.1 says the
    # same of Transfer-Encoding.
    for name in ("Content-Length", "Transfer-Encoding"):
        NO_CONTENT.expect(f"no {name} in the 204 response", [], response.header_values(name))


RESET_CONTENT = Case(
    "errors.status.reset_content_205",
    "RFC 9110 §15.3.6",
    MUST,
    "A 205 has no content",
    requirement_ids=("9110-15.3.6-1",),
)


@RESET_CONTENT
def test_reset_content_has_no_content(interop: Conversation) -> None:
    # RFC 9110 §15.3.6: "a server MUST NOT generate content in a 205 response". Unlike 204 and
    # 304, a 205 is framed as usual, so content sent with a length is read as its content.
    _expect_no_content(RESET_CONTENT, interop, 205)


NOT_MODIFIED = Case(
    "errors.status.not_modified_304",
    "RFC 9110 §15.4.5",
    MUST,
    "A 304 has no content",
    requirement_ids=("9110-2.2-1",),
)


@NOT_MODIFIED
def test_not_modified_has_no_content(interop: Conversation) -> None:
    # RFC 9110 §15.4.5: "A 304 response is terminated by the end of the header section; it
    # cannot contain content or trailers."
    _expect_no_content(NOT_MODIFIED, interop, 304)


# ---------------------------------------------------------------------------------------------
# Server probes: responses without content on the wire, malformed requests
# ---------------------------------------------------------------------------------------------

# Longer than the 8,000 octets RFC 9112 §3 recommends every recipient support, and than the
# 64 KiB a line may have in http.server (Lib/http/server.py: handle_one_request).
LONG_TARGET = "/echo?pad=" + "a" * 66_000
LARGE_FIELD = ("X-Interop-Large", "a" * 66_000)
# More fields than http.server reads (100: Lib/http/client.py: _MAXHEADERS).
MANY_FIELDS = [(f"X-Interop-Fill-{i}", "v") for i in range(150)]


def _line_status(response: Response) -> str:
    return f"{response.version} {response.status} {response.reason}"


def _reply(case: Case, probe: ServerProbe, request: bytes) -> Response:
    """Send ``request`` on a fresh connection; the server's final response, which must be a
    valid one: a refusal too has a status line (RFC 9112 §4)."""
    result = probe.send(request, idle_timeout=deadlines.PROBE_QUIET)
    case.expect_that(
        result.malformed is None and bool(result.final),
        "a response with a valid status line",
        f"{result.describe()}; the reply began {result.received[:40]!r}",
    )
    return result.final[0]


def _expect_status(
    case: Case, probe: ServerProbe, request: bytes, allowed: tuple[int, ...] = (400,)
) -> None:
    response = _reply(case, probe, request)
    case.expect_that(
        response.status in allowed,
        f"status {' or '.join(map(str, allowed))}",
        _line_status(response),
    )


def _served(case: Case, response: Response, alternative: str) -> contract.Echo:
    """The /echo document of a response that served the request; any other status fails,
    naming the ``alternative`` the case accepts instead of serving it."""
    case.expect_that(
        response.status == 200,
        f"{alternative}, or the request served (200 from /echo)",
        _line_status(response),
    )
    try:
        return contract.parse_echo(response.body)
    except (ValueError, KeyError, TypeError) as exc:
        raise case.failure(
            "/echo's JSON document (docs/contract.md)", f"{response.body[:200]!r} ({exc})"
        ) from None


def _head(probe: ServerProbe, request_line: bytes, *field_lines: bytes) -> bytes:
    """A request head from raw lines, with Host first, for probes that break the syntax."""
    host = b"Host: " + probe.target.authority.encode("ascii")
    return b"\r\n".join([request_line, host, *field_lines]) + b"\r\n\r\n"


def _expect_nothing_after_head(case: Case, probe: ServerProbe, code: int) -> None:
    """GET /status/{code} pipelined with a GET /bytes: the {code} response has no content, and
    the next thing on the connection is the second response, or its end."""
    # Read strictly, so octets a client would drop with its read-ahead buffer show here: after
    # a 204 or 304 head they are the start of the next response (RFC 9112 §6.3, rule 1).
    follow = f"/bytes/{FOLLOW_UP_BYTES}"
    pipelined = probe.request("GET", f"/status/{code}") + probe.request("GET", follow)
    result = probe.send(pipelined, responses=2, idle_timeout=deadlines.PROBE_QUIET)
    case.expect_that(
        result.malformed is None and bool(result.final),
        f"the {code} response, then only the next response or the close",
        f"{result.describe()}; the reply began {result.received[:60]!r}",
    )
    first, *rest = result.final
    case.expect("status", code, first.status)
    case.expect(f"no content in the {code} response", b"", first.body)
    for response in rest:
        case.expect(
            f"the content of {follow}", contract.deterministic_bytes(FOLLOW_UP_BYTES), response.body
        )


@dataclass(frozen=True)
class NoContentStatus:
    """A status whose response has no content, as the probe sees it on the wire."""

    test: str
    case: Case
    code: int


NO_CONTENT_ON_THE_WIRE = [
    NoContentStatus(
        "test_no_content_sends_nothing_after_head",
        Case(
            "errors.status.no_content_204.wire",
            "RFC 9110 §15.3.5",
            MUST,
            "On the wire, nothing follows a 204's header section but the next response",
            requirement_ids=("9110-2.2-1",),
        ),
        204,
    ),
    NoContentStatus(
        "test_reset_content_sends_no_content",
        Case(
            "errors.status.reset_content_205.wire",
            "RFC 9110 §15.3.6",
            MUST,
            "On the wire, a 205 is framed with no content",
            requirement_ids=("9110-15.3.6-1",),
        ),
        205,
    ),
    NoContentStatus(
        "test_not_modified_sends_nothing_after_head",
        Case(
            "errors.status.not_modified_304.wire",
            "RFC 9110 §15.4.5",
            MUST,
            "On the wire, nothing follows a 304's header section but the next response",
            requirement_ids=("9110-2.2-1",),
        ),
        304,
    ),
]


def _no_content_on_the_wire_test(row: NoContentStatus) -> Callable[[ServerProbe], None]:
    def test(server_probe: ServerProbe) -> None:
        _expect_nothing_after_head(row.case, server_probe, row.code)

    return test


define_tests(globals(), NO_CONTENT_ON_THE_WIRE, _no_content_on_the_wire_test)


LINE_SPACES = Case(
    "errors.request.line_spaces",
    "RFC 9112 §3",
    SHOULD,
    "A request-line with spaces in its target gets 400 (or a 301 to the encoded target)",
    uses_contract=False,  # an invalid request-line reaches no endpoint
    requirement_ids=("9112-3.2-1", "9112-3.2-2"),
)


@LINE_SPACES
def test_request_line_with_spaces_is_rejected(server_probe: ServerProbe) -> None:
    # RFC 9112 §3: "Recipients of an invalid request-line SHOULD respond with either a 400 (Bad
    # Request) error or a 301 (Moved Permanently) redirect with the request-target properly
    # encoded." Whitespace-lenient parsing (also §3) cannot make four words valid.
    request = _head(server_probe, b"GET /echo with spaces HTTP/1.1")
    _expect_status(LINE_SPACES, server_probe, request, (400, 301))


LINE_GARBAGE = Case(
    "errors.request.line_garbage",
    "RFC 9112 §2.2, §3",
    SHOULD,
    "A first line that is not a request-line at all gets a 400 response",
    requirement_ids=("9112-2.2-10",),
)


@LINE_GARBAGE
def test_request_line_garbage_is_rejected(server_probe: ServerProbe) -> None:
    # RFC 9112 §2.2: a server that "receives a sequence of octets that does not match the
    # HTTP-message grammar ... SHOULD respond with a 400 (Bad Request) response".
    _expect_status(LINE_GARBAGE, server_probe, _head(server_probe, b"NOT-A-REQUEST-LINE"))


VERSION_NOT_DIGITS = Case(
    "errors.request.version_not_digits",
    "RFC 9112 §2.3, §3",
    SHOULD,
    "HTTP/1.x (not DIGIT.DIGIT) gets 400 (or a 301)",
    requirement_ids=("9112-3.2-1",),
)


@VERSION_NOT_DIGITS
def test_version_with_letters_is_rejected(server_probe: ServerProbe) -> None:
    # RFC 9112 §2.3: HTTP-version = HTTP-name "/" DIGIT "." DIGIT; an invalid request-line
    # gets 400 (§3).
    request = server_probe.request("GET", "/echo", version="HTTP/1.x")
    _expect_status(VERSION_NOT_DIGITS, server_probe, request, (400, 301))


VERSION_LEADING_ZERO = Case(
    "errors.request.version_leading_zero",
    "RFC 9112 §2.3, §3",
    SHOULD,
    "HTTP/01.1 is invalid: 400 (or a 301), not corrected to HTTP/1.1 and served",
    requirement_ids=(
        "9112-3.2-1",
        "9112-3.2-2",
    ),
)


@VERSION_LEADING_ZERO
def test_version_with_two_digits_is_rejected(server_probe: ServerProbe) -> None:
    # RFC 9112 §3: "A recipient SHOULD NOT attempt to autocorrect and then process the request
    # without a redirect, since the invalid request-line might be deliberately crafted to
    # bypass security filters along the request chain."
    request = server_probe.request("GET", "/echo", version="HTTP/01.1")
    _expect_status(VERSION_LEADING_ZERO, server_probe, request, (400, 301))


VERSION_UNSUPPORTED = Case(
    "errors.request.version_major_unsupported",
    "RFC 9110 §2.5, §15.6.6",
    SHOULD,
    "HTTP/2.0 on HTTP/1.1 framing gets an HTTP/1.x response: 505, or the request served",
    requirement_ids=("9110-6.2-4",),
)


@VERSION_UNSUPPORTED
def test_unsupported_major_version_is_answered_in_http1(server_probe: ServerProbe) -> None:
    # RFC 9110 §2.5: "A server can send a 505 (HTTP Version Not Supported) response if it
    # wishes, for any reason, to refuse service of the client's major protocol version." Or it
    # serves the request: it "SHOULD send a response version equal to the highest version to
    # which the server is conformant that has a major version less than or equal to the one
    # received" and "MUST NOT send a version to which it is not conformant". Either way the
    # answer is an HTTP/1.x response.
    request = server_probe.request("GET", "/echo", version="HTTP/2.0")
    response = _reply(VERSION_UNSUPPORTED, server_probe, request)
    VERSION_UNSUPPORTED.expect_that(
        response.version.startswith("HTTP/1."), "an HTTP/1.x response", _line_status(response)
    )
    if response.status != 505:
        echo = _served(VERSION_UNSUPPORTED, response, "status 505")
        VERSION_UNSUPPORTED.expect("the request's version", "HTTP/2.0", echo.http_version)


TARGET_TOO_LONG = Case(
    "errors.request.target_too_long",
    "RFC 9112 §3",
    MUST,
    "A request-target longer than the server will parse gets 414",
    requirement_ids=("9112-3-3",),
)


@TARGET_TOO_LONG
def test_overlong_target_gets_414(
    server_probe: ServerProbe, record_property: RecordProperty
) -> None:
    # RFC 9112 §3: "A server that receives a request-target longer than any URI it wishes to
    # parse MUST respond with a 414 (URI Too Long) status code". A server that does parse it
    # serves it: /echo then reports the whole target.
    response = _reply(TARGET_TOO_LONG, server_probe, server_probe.request("GET", LONG_TARGET))
    record_property("observed", _line_status(response))
    if response.status != 414:
        echo = _served(TARGET_TOO_LONG, response, "status 414")
        TARGET_TOO_LONG.expect_that(
            echo.target == LONG_TARGET,
            f"the whole {len(LONG_TARGET)}-octet target at /echo",
            f"{len(echo.target)} octets",
        )


def _expect_fields_refused_or_kept(
    case: Case,
    probe: ServerProbe,
    fields: Headers,
    record_property: RecordProperty,
) -> None:
    # RFC 9110 §5.4: "A server that receives a request header field line, field value, or set
    # of fields larger than it wishes to process MUST respond with an appropriate 4xx (Client
    # Error) status code. Ignoring such header fields would increase the server's vulnerability
    # to request smuggling attacks". 431 is the code for it (RFC 6585 §5).
    response = _reply(case, probe, probe.request("GET", "/echo", headers=fields))
    record_property("observed", _line_status(response))
    if 400 <= response.status < 500:
        return
    echo = _served(case, response, "a 4xx status (431)")
    missing = [name for name, value in fields if echo.header_values(name) != [value]]
    case.expect_that(
        not missing,
        "every field sent, unchanged at /echo",
        f"{len(missing)} of {len(fields)} missing or changed, first {missing[:3]}",
    )


FIELDS_TOO_MANY = Case(
    "errors.request.fields_too_many",
    "RFC 9110 §5.4; RFC 6585 §5",
    MUST,
    "More header fields than the server processes get a 4xx (431), never silently dropped",
    requirement_ids=("9110-5.4-1",),
)


@FIELDS_TOO_MANY
def test_too_many_fields_get_4xx(
    server_probe: ServerProbe, record_property: RecordProperty
) -> None:
    _expect_fields_refused_or_kept(FIELDS_TOO_MANY, server_probe, MANY_FIELDS, record_property)


FIELD_TOO_LARGE = Case(
    "errors.request.field_too_large",
    "RFC 9110 §5.4; RFC 6585 §5",
    MUST,
    "A header field larger than the server processes gets a 4xx (431), never ignored",
    requirement_ids=("9110-5.4-1",),
)


@FIELD_TOO_LARGE
def test_too_large_field_gets_4xx(
    server_probe: ServerProbe, record_property: RecordProperty
) -> None:
    _expect_fields_refused_or_kept(FIELD_TOO_LARGE, server_probe, [LARGE_FIELD], record_property)


HOST_MISSING = Case(
    "errors.request.host_missing",
    "RFC 9112 §3.2",
    MUST,
    "An HTTP/1.1 request without Host gets 400",
    # The rule binds HTTP/1.1 servers; an HTTP/1.0-only server is outside it.
    requires=(Capability.HTTP11_SERVER,),
    requirement_ids=("9112-3.2-6",),
)


@HOST_MISSING
def test_missing_host_is_rejected(server_probe: ServerProbe) -> None:
    # RFC 9112 §3.2: "A server MUST respond with a 400 (Bad Request) status code to any
    # HTTP/1.1 request message that lacks a Host header field".
    request = b"GET /echo HTTP/1.1\r\nX-Interop-Token: alpha\r\n\r\n"
    _expect_status(HOST_MISSING, server_probe, request)


HOST_DUPLICATE = Case(
    "errors.request.host_duplicate",
    "RFC 9112 §3.2",
    MUST,
    "A request with two Host field lines gets 400",
    requirement_ids=("9112-3.2-6",),
)


@HOST_DUPLICATE
def test_duplicate_host_is_rejected(server_probe: ServerProbe) -> None:
    # RFC 9112 §3.2: "... and to any request message that contains more than one Host header
    # field line or a Host header field with an invalid field value."
    request = server_probe.request("GET", "/echo", headers=[("Host", "other.invalid")])
    _expect_status(HOST_DUPLICATE, server_probe, request)


FIELD_NAME_WHITESPACE = Case(
    "errors.request.field_name_whitespace",
    "RFC 9112 §5.1",
    MUST,
    "Whitespace between a field name and its colon gets 400",
    requirement_ids=("9112-5.1-1",),
)


@FIELD_NAME_WHITESPACE
def test_whitespace_before_colon_is_rejected(server_probe: ServerProbe) -> None:
    # RFC 9112 §5.1: "A server MUST reject, with a response status code of 400 (Bad Request),
    # any received request message that contains whitespace between a header field name and
    # colon."
    request = _head(server_probe, b"GET /echo HTTP/1.1", b"X-Interop-Token : alpha")
    _expect_status(FIELD_NAME_WHITESPACE, server_probe, request)


OBS_FOLD = Case(
    "errors.request.obs_fold",
    "RFC 9112 §5.2",
    MUST,
    "A folded field line gets 400, or the fold is replaced with SP before use",
    requirement_ids=("9112-5.2-2",),
)


@OBS_FOLD
def test_obs_fold_is_rejected_or_unfolded(server_probe: ServerProbe) -> None:
    # RFC 9112 §5.2: a server "MUST either reject the message by sending a 400 (Bad Request)
    # ... or replace each received obs-fold with one or more SP octets prior to interpreting
    # the field value".
    request = _head(server_probe, b"GET /echo HTTP/1.1", b"X-Interop-Fold: first", b" second")
    response = _reply(OBS_FOLD, server_probe, request)
    if response.status == 400:
        return
    values = _served(OBS_FOLD, response, "status 400").header_values("X-Interop-Fold")
    OBS_FOLD.expect_that(
        len(values) == 1 and re.fullmatch("first +second", values[0]) is not None,
        "X-Interop-Fold 'first second' (the fold replaced with SP)",
        repr(values),
    )


BARE_LF = Case(
    "errors.request.bare_lf",
    "RFC 9112 §2.2",
    MAY,
    "A request whose lines end in bare LF is read as CRLF (or rejected with 400)",
    requirement_ids=("9112-2.2-2",),
)


@BARE_LF
def test_bare_lf_is_read_or_rejected(server_probe: ServerProbe) -> None:
    # RFC 9112 §2.2: "a recipient MAY recognize a single LF as a line terminator and ignore any
    # preceding CR". A server that does not must treat the request as invalid (400), not
    # misread it or wait for a CRLF that will not come.
    host = server_probe.target.authority.encode("ascii")
    request = b"GET /echo HTTP/1.1\nHost: " + host + b"\nX-Interop-Token: alpha\n\n"
    response = _reply(BARE_LF, server_probe, request)
    if response.status == 400:
        return
    echo = _served(BARE_LF, response, "status 400")
    BARE_LF.expect("the request-target", "/echo", echo.target)
    BARE_LF.expect("X-Interop-Token values", ["alpha"], echo.header_values("X-Interop-Token"))


BARE_CR = Case(
    "errors.request.bare_cr",
    "RFC 9112 §2.2",
    MUST,
    "A bare CR in a field value gets 400, or is replaced with SP before use",
    requirement_ids=("9112-2.2-4",),
)


@BARE_CR
def test_bare_cr_is_rejected_or_replaced(server_probe: ServerProbe) -> None:
    # RFC 9112 §2.2: "A recipient of such a bare CR MUST consider that element to be invalid or
    # replace each bare CR with SP before processing the element or forwarding the message."
    request = _head(server_probe, b"GET /echo HTTP/1.1", b"X-Interop-CR: a\rb", b"X-After: 1")
    response = _reply(BARE_CR, server_probe, request)
    if response.status == 400:
        return
    echo = _served(BARE_CR, response, "status 400")
    BARE_CR.expect(
        "X-Interop-CR values (CR replaced with SP)", ["a b"], echo.header_values("X-Interop-CR")
    )
    BARE_CR.expect("X-After values", ["1"], echo.header_values("X-After"))

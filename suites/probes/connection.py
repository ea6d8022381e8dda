"""Pipelining and connection state at the server: RFC 9112 §9.3, §9.6.

Every probe sends several requests at once on one connection, each to its own ``/echo?N``
target, then the follow-up ``GET /echo?next``; /echo's answer names the request it answers.
Responses come in the order the requests came; a server may close the connection between
responses (a pipelining client retries what is left unanswered), never answer out of order.
After a request with the ``close`` connection option (in any case, anywhere in the list), an
HTTP/1.0 request without ``keep-alive``, or a request refused as invalid (400), the server
closes the connection and answers nothing that follows on it.
"""

from __future__ import annotations

from harness.cases import Level
from harness.catalogue import After, Entry, InOrder, Outcome, message
from harness.requirements import INTERPRET, Definition

from .sentences import GRAMMAR
from .sentences import INVALID_CONTENT_LENGTH as INVALID

ORDER = (
    "A server MAY process a sequence of pipelined requests in parallel if they all have safe "
    "methods (Section 9.2.1 of [HTTP]), but it MUST send the corresponding responses in the "
    "same order that the requests were received."
)
CLOSE_RECEIVED = (
    'A server that receives a "close" connection option MUST initiate closure of the '
    "connection (see below) after it sends the final response to the request that contained "
    'the "close" connection option. The server SHOULD send a "close" connection option in its '
    "final response on that connection. The server MUST NOT process any further requests "
    "received on that connection."
)
# Bound by what a server MUST do on a "close" option (RFC 9112 §9.6), however spelled
# (RFC 9110 §2.4).
CASE_INSENSITIVE = Definition(
    "Connection options are case-insensitive.", (INTERPRET, "9112-9.6-3", "9112-9.6-5")
)
HTTP10 = Definition(
    'If the received protocol is HTTP/1.0, the "keep-alive" connection option is present, '
    "either the recipient is not a proxy or the message is a response, and the recipient "
    'wishes to honor the HTTP/1.0 "keep-alive" mechanism, the connection will persist after '
    "the current response; otherwise, The connection will close after the current response.",
    (INTERPRET,),
)


def _get(target: str, *field_lines: str, version: str = "HTTP/1.1") -> bytes:
    return message(f"GET {target} {version}", *field_lines)


def _post(target: str, content: bytes, *field_lines: str) -> bytes:
    return message(
        f"POST {target} HTTP/1.1", *field_lines, f"Content-Length: {len(content)}", body=content
    )


def _in_order(*answers: str | int) -> tuple[Outcome, ...]:
    """Every answer in order, then the follow-up's; or the connection closed after some."""
    return (
        InOrder(answers, After.NEXT),
        *(InOrder(answers[:n], After.CLOSE) for n in range(1, len(answers))),
    )


def _closing(answered: tuple[str | int, ...]) -> tuple[Outcome, ...]:
    """``answered`` in order, then the connection closed; or closed after fewer of them."""
    return tuple(InOrder(answered[:n], After.CLOSE) for n in range(len(answered), 0, -1))


def _pipelined(name: str, *requests: bytes, methods: tuple[str, ...] = ()) -> Entry:
    """Requests to /echo?1, /echo?2 ...: answered in that order."""
    return Entry(
        f"probes.connection.{name}",
        "RFC 9112 §9.3.2",
        Level.MUST,
        ORDER,
        b"".join(requests),
        _in_order(*(f"/echo?{n}" for n in range(1, len(requests) + 1))),
        "each /echo answer names the request it answers",
        methods=methods,
        requests=len(requests),
    )


def _close(name: str, requirement: str, *requests: bytes, rfc: str, note: str) -> Entry:
    """The last of ``requests`` but one (all but the follow-up) closes the connection: every
    request up to it answered in order, the rest (and the follow-up) never."""
    return Entry(
        f"probes.connection.{name}",
        rfc,
        Level.MUST,
        requirement,
        b"".join(requests),
        _closing(tuple(f"/echo?{n}" for n in range(1, len(requests)))),
        note,
        requests=len(requests),
    )


def _refused(
    name: str, rfc: str, level: Level, requirement: str, invalid: bytes, note: str
) -> Entry:
    """/echo?1, an invalid request, /echo?3: the invalid one refused (400) and the connection
    closed, /echo?3 and the follow-up unanswered."""
    return Entry(
        f"probes.connection.{name}",
        rfc,
        level,
        requirement,
        _get("/echo?1") + invalid + _get("/echo?3"),
        _closing(("/echo?1", 400)),
        note,
        requests=3,
    )


LAST = _get("/echo?2")  # the request after the one that closes, not to be answered

ENTRIES = (
    _pipelined("pipelined_gets", _get("/echo?1"), _get("/echo?2"), _get("/echo?3")),
    _pipelined(
        "pipelined_posts",
        _post("/echo?1", b"hello"),
        _post("/echo?2", b"world!"),
        _get("/echo?3"),
    ),
    _pipelined(
        "pipelined_unsafe_methods",
        message("PUT /echo?1 HTTP/1.1", "Content-Length: 5", body=b"hello"),
        message("DELETE /echo?2 HTTP/1.1"),
        _get("/echo?3"),
    ),
    Entry(
        "probes.connection.pipelined_head_then_get",
        "RFC 9112 §9.3.2",
        Level.MUST,
        ORDER,
        message("HEAD /echo?1 HTTP/1.1") + _get("/echo?2"),
        _in_order(200, "/echo?2"),
        "the response to HEAD ends at its header section (RFC 9112 §6.3, rule 1), then the GET's",
        methods=("HEAD",),
        requests=2,
    ),
    _close(
        "close_then_request",
        CLOSE_RECEIVED,
        _get("/echo?1", "Connection: close"),
        LAST,
        rfc="RFC 9112 §9.6",
        note="the request after Connection: close is not answered",
    ),
    _close(
        "close_mid_pipeline",
        CLOSE_RECEIVED,
        _get("/echo?1"),
        _get("/echo?2", "Connection: close"),
        _get("/echo?3"),
        rfc="RFC 9112 §9.6",
        note="the second of three requests closes: the third is not answered",
    ),
    _close(
        "close_after_content",
        CLOSE_RECEIVED,
        _post("/echo?1", b"hello", "Connection: close"),
        LAST,
        rfc="RFC 9112 §9.6",
        note="a POST with content and Connection: close: the request after it is not answered",
    ),
    _close(
        "close_upper_case",
        CASE_INSENSITIVE,
        _get("/echo?1", "Connection: CLOSE"),
        LAST,
        rfc="RFC 9110 §7.6.1; RFC 9112 §9.6",
        note="CLOSE is the close option",
    ),
    _close(
        "close_in_list",
        CLOSE_RECEIVED,
        _get("/echo?1", "Connection: x-option, close"),
        LAST,
        rfc="RFC 9112 §9.6; RFC 9110 §7.6.1",
        note="close is one option of the list",
    ),
    _close(
        "http10_without_keep_alive",
        HTTP10,
        _get("/echo?1", version="HTTP/1.0"),
        LAST,
        rfc="RFC 9112 §9.3",
        note="HTTP/1.0 without keep-alive: the connection closes after the response",
    ),
    _refused(
        "invalid_length_mid_pipeline",
        "RFC 9112 §6.3",
        Level.MUST,
        INVALID,
        message("POST /echo?2 HTTP/1.1", "Content-Length: 5x", body=b"hello"),
        "the invalid Content-Length of the second request: 400, then closed",
    ),
    _refused(
        "field_without_colon_mid_pipeline",
        "RFC 9112 §2.2, §5",
        Level.SHOULD,
        GRAMMAR,
        _get("/echo?2", "no colon here"),
        "a field line without a colon in the second request: 400, then closed",
    ),
)

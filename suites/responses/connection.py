"""Connection persistence and message ends at the client: RFC 9112 §6.3 (body length), §8
(incomplete messages), §9.3 (persistence), §9.6 (close).

Entries with a second request keep the first connection open and answer a second ``GET /`` on
it with ``next`` (as does any new connection), so where the client sent it shows: after a
"close" option or an HTTP/1.0 response it must go on a new connection; after content shorter
or longer than its framing the extra octets must never become a response. Close-delimited
entries answer and close.
"""

from __future__ import annotations

from harness import deadlines
from harness.cases import Level
from harness.catalogue import chunked_body
from harness.requirements import Definition
from harness.responses import (
    NEXT_CONTENT,
    REFUSALS,
    TIMED_OUT,
    Answer,
    Error,
    Outcome,
    ResponseEntry,
    kept_alive,
    response,
)
from harness.scripted import Close, Hang, Pause, Reset, Send

from .sentences import CLOSE_DELIMITED, DECODE_CHUNKED, EXTRA_DATA, INCOMPLETE, PERSISTENCE

CONTENT = b"hello"
CLOSE = (
    'A client that receives a "close" connection option MUST cease sending requests on that '
    "connection and close the connection after reading the response message containing the "
    '"close" connection option; if additional pipelined requests had been sent on the '
    "connection, the client SHOULD NOT assume that they will be processed by the server."
)
# A reset is such an error: "A client that receives an incomplete response message, ... MUST
# record the message as incomplete." (RFC 9112 §8)
NEITHER = Definition(
    "A response that has neither chunked transfer coding nor Content-Length is terminated by "
    "closure of the connection and, if the header section was received intact, is considered "
    'complete unless an error was indicated by the underlying connection (e.g., an "incomplete '
    'close" in TLS would leave the response incomplete, as described in Section 9.8).',
    ("9112-8-2",),
)
TIMES_OUT = (
    "If the sender closes the connection or the recipient times out before the indicated "
    "number of octets are received, the recipient MUST consider the message to be incomplete "
    "and close the connection."
)
# The scripted server closes TLS without close_notify, an "incomplete close" (RFC 9112 §9.8):
# over https a close-delimited response may be taken as incomplete.
TLS_NOTE = "; over https the close comes without close_notify, so an error is allowed too"


def _kept(
    name: str, rfc: str, requirement: str, first: bytes, *allowed: Outcome, note: str
) -> ResponseEntry:
    return ResponseEntry(
        f"responses.connection.{name}",
        rfc,
        Level.MUST,
        requirement,
        allowed=allowed,
        methods=("GET", "GET"),
        note=note,
        **kept_alive(first),
    )


def _not_reused(
    name: str, rfc: str, requirement: str, *field_lines: str, note: str, version: str = "HTTP/1.1"
) -> ResponseEntry:
    first = response(f"{version} 200 OK", *field_lines, "Content-Length: 5", body=CONTENT)
    return _kept(
        name,
        rfc,
        requirement,
        first,
        Outcome((Answer(200, CONTENT), Answer(200, NEXT_CONTENT)), reused=False),
        note=note,
    )


def _extra(name: str, first: bytes, content: bytes, note: str) -> ResponseEntry:
    """``first`` frames ``content`` and octets follow it: never a response of their own."""
    return _kept(
        name,
        "RFC 9112 §6.3",
        EXTRA_DATA,
        first,
        *(Outcome((Answer(200, content), then)) for then in (Answer(200, NEXT_CONTENT), Error())),
        note=note,
    )


def _close_delimited(name: str, head: bytes, note: str) -> ResponseEntry:
    return ResponseEntry(
        f"responses.connection.{name}",
        "RFC 9112 §6.3, §8",
        Level.MUST,
        CLOSE_DELIMITED,
        (Send(head + CONTENT), Close()),
        (Outcome((Answer(200, CONTENT),)), Outcome((Error(),))),
        note=note + TLS_NOTE,
    )


ENTRIES = (
    _not_reused("close_option", "RFC 9112 §9.6", CLOSE, "Connection: close", note="'close'"),
    _not_reused(
        "close_option_upper",
        "RFC 9112 §9.6; RFC 9110 §7.6.1",
        CLOSE,
        "Connection: CLOSE",
        note="Connection options are case-insensitive (RFC 9110 §7.6.1)",
    ),
    _not_reused(
        "close_option_in_list",
        "RFC 9112 §9.6",
        CLOSE,
        "Connection: keep-alive, close",
        note="'close' as the second member of a list",
    ),
    _not_reused(
        "close_option_second_line",
        "RFC 9112 §9.6",
        CLOSE,
        "Connection: keep-alive",
        "Connection: close",
        note="'close' on a second Connection field line",
    ),
    _not_reused(
        "http10_no_keep_alive",
        "RFC 9112 §9.3",
        PERSISTENCE,
        version="HTTP/1.0",
        note="an HTTP/1.0 response without keep-alive: 'otherwise, The connection will close "
        "after the current response'",
    ),
    _kept(
        "http10_keep_alive",
        "RFC 9112 §9.3",
        PERSISTENCE,
        response("HTTP/1.0 200 OK", "Connection: keep-alive", "Content-Length: 5", body=CONTENT),
        Outcome((Answer(200, CONTENT), Answer(200, NEXT_CONTENT))),
        note="an HTTP/1.0 response with keep-alive and a length: the connection may persist "
        "(§9.3, 'the recipient wishes to honor the HTTP/1.0 \"keep-alive\" mechanism') or not; "
        "either way the second request gets its own answer",
    ),
    _extra(
        "length_shorter_than_content",
        response("HTTP/1.1 200 OK", "Content-Length: 3", body=b"abcdef"),
        b"abc",
        "Content-Length 3 frames 'abc'; 'def' is extra data",
    ),
    _extra(
        "length_zero_with_content",
        response("HTTP/1.1 200 OK", "Content-Length: 0", body=CONTENT),
        b"",
        "Content-Length 0 frames nothing; 'hello' is extra data",
    ),
    _extra(
        "chunked_then_extra",
        response("HTTP/1.1 200 OK", "Transfer-Encoding: chunked", body=chunked_body(CONTENT))
        + b"extra",
        CONTENT,
        "the chunked body ends at its last chunk; 'extra' is extra data",
    ),
    _extra(
        "response_in_extra",
        response("HTTP/1.1 200 OK", "Content-Length: 3", body=b"abc")
        + response("HTTP/1.1 200 OK", "Content-Length: 6", body=b"forged"),
        b"abc",
        "a whole response sent unasked after the first: it is extra data, not the answer to "
        "the second request (response splitting)",
    ),
    _kept(
        "chunked_kept_alive",
        "RFC 9112 §7.1",
        DECODE_CHUNKED,
        response("HTTP/1.1 200 OK", "Transfer-Encoding: chunked", body=chunked_body(CONTENT)),
        Outcome((Answer(200, CONTENT), Answer(200, NEXT_CONTENT))),
        note="a chunked response ends at its last chunk; the connection goes on",
    ),
    ResponseEntry(
        "responses.connection.length_longer_kept_open",
        "RFC 9112 §6.3",
        Level.MUST,
        TIMES_OUT,
        (Send(response("HTTP/1.1 200 OK", "Content-Length: 10", body=b"abc")), Hang()),
        (Outcome((Error(REFUSALS + TIMED_OUT),)),),
        note="Content-Length 10, 'abc', and the connection held open: the client times out and "
        "the message is incomplete, never 'abc'",
    ),
    _close_delimited("close_delimited", response("HTTP/1.1 200 OK"), "no length, then the close"),
    _close_delimited(
        "close_delimited_close_option",
        response("HTTP/1.1 200 OK", "Connection: close"),
        "no length and 'Connection: close', then the close",
    ),
    _close_delimited(
        "close_delimited_http10", response("HTTP/1.0 200 OK"), "an HTTP/1.0 response, no length"
    ),
    ResponseEntry(
        "responses.connection.close_delimited_reset",
        "RFC 9112 §8",
        Level.MUST,
        NEITHER,
        (Send(response("HTTP/1.1 200 OK") + CONTENT), Reset()),
        (Outcome((Error(),)),),
        note="a reset instead of a close is 'an error ... indicated by the underlying "
        "connection': the close-delimited content is incomplete",
    ),
    ResponseEntry(
        "responses.connection.length_reset_after_content",
        "RFC 9112 §8",
        Level.MUST,
        INCOMPLETE,
        (Send(response("HTTP/1.1 200 OK", "Content-Length: 5", body=CONTENT)), Reset()),
        (Outcome((Answer(200, CONTENT),)), Outcome((Error(),))),
        note="the content is complete by its length before the reset: it may be returned; an "
        "error is allowed as the reset can overtake the content",
    ),
    ResponseEntry(
        "responses.connection.length_longer_closed",
        "RFC 9112 §6.3",
        Level.MUST,
        TIMES_OUT,
        (Send(response("HTTP/1.1 200 OK", "Content-Length: 10", body=b"abc")), Close()),
        (Outcome((Error(),)),),
        note="Content-Length 10, 'abc', then the close: the message is incomplete",
    ),
    ResponseEntry(
        "responses.connection.length_reset_mid_content",
        "RFC 9112 §8",
        Level.MUST,
        INCOMPLETE,
        (
            Send(response("HTTP/1.1 200 OK", "Content-Length: 100", body=b"0123456789")),
            Pause(deadlines.SCRIPTED_GAP),
            Reset(),
        ),
        (Outcome((Error(),)),),
        note="Content-Length 100, ten octets, a pause so the client reads the head, then a "
        "reset: 'a connection is closed prematurely'",
    ),
)

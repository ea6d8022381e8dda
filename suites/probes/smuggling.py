"""Smuggling sequences at the server, detected from responses only: RFC 9112 §6.1, §6.3.

Each probe hides a second request, ``GET /echo?smuggled``, where one reading of the framing
puts it: in the content, or after it. The runner follows it on the connection with
``GET /echo?next``. Which responses come back, and what /echo reports, show where the server
split the stream. With both Transfer-Encoding and Content-Length the server refuses the request
(400) or reads it by Transfer-Encoding alone, and in either case closes the connection, so
neither the hidden request nor the follow-up is answered. With Content-Length alone its value
frames the content whatever the method or route: the hidden request is content, never answered,
and the follow-up is.
"""

from __future__ import annotations

from harness.cases import Level
from harness.catalogue import After, Answered, Entry, Served, Status, chunked_body, message

from .sentences import INVALID_CONTENT_LENGTH as INVALID
from .sentences import NOT_FINAL

CONTENT = b"hello"
# Its own fixed Host, so that lengths are known when the entry is written.
SMUGGLED = b"GET /echo?smuggled HTTP/1.1\r\nHost: localhost\r\n\r\n"
BOTH = (
    "A server MAY reject a request that contains both Content-Length and Transfer-Encoding or "
    "process such a request in accordance with the Transfer-Encoding alone. Regardless, the "
    "server MUST close the connection after responding to such a request to avoid the potential "
    "attacks."
)
LENGTH = (
    "If a valid Content-Length header field is present without Transfer-Encoding, its decimal "
    "value defines the expected message body length in octets."
)

REFUSED = Status((400,), After.CLOSE)


def _both(name: str, *field_lines: str, body: bytes, content: bytes, note: str) -> Entry:
    """Both framing fields: refused, or ``content`` decoded by Transfer-Encoding; then closed."""
    return Entry(
        f"probes.smuggling.{name}",
        "RFC 9112 §6.1, §6.3",
        Level.MUST,
        BOTH,
        message("POST /echo HTTP/1.1", *field_lines, body=body),
        (REFUSED, Served(content, After.CLOSE)),
        note,
        ("chunked.request.te_and_content_length",),
    )


def _not_final(name: str, *field_lines: str, note: str) -> Entry:
    """Transfer-Encoding with chunked not final, and a Content-Length covering SMUGGLED."""
    return Entry(
        f"probes.smuggling.{name}",
        "RFC 9112 §6.3",
        Level.MUST,
        NOT_FINAL,
        message(
            "POST /echo HTTP/1.1",
            *field_lines,
            f"Content-Length: {len(SMUGGLED)}",
            body=SMUGGLED,
        ),
        # A server that knows it cannot decode the coding may say so with 501 (§6.1).
        (Status((400, 501), After.CLOSE),),
        note,
    )


def _framed(name: str, request_line: str, note: str) -> Entry:
    """Content-Length alone, its content SMUGGLED: the server reads it as content."""
    return Entry(
        f"probes.smuggling.{name}",
        "RFC 9112 §6.3",
        Level.MUST,
        LENGTH,
        message(request_line, f"Content-Length: {len(SMUGGLED)}", body=SMUGGLED),
        # Any answer (the route may not want content), but the hidden request is never one:
        # the only response after the first is the follow-up's.
        (Answered(After.NEXT),),
        note,
    )


ZERO_THEN_SMUGGLED = b"0\r\n\r\n" + SMUGGLED
CHUNKED_SMUGGLED = chunked_body(SMUGGLED)
HELLO = chunked_body(CONTENT)

ENTRIES = (
    _both(
        "cl_te_last_chunk_then_request",
        "Transfer-Encoding: chunked",
        f"Content-Length: {len(ZERO_THEN_SMUGGLED)}",
        body=ZERO_THEN_SMUGGLED,
        content=b"",
        note="CL.TE: the Content-Length covers the last chunk and a request after it",
    ),
    _both(
        "cl_te_covers_more",
        "Transfer-Encoding: chunked",
        f"Content-Length: {len(HELLO + SMUGGLED)}",
        body=HELLO + SMUGGLED,
        content=CONTENT,
        note="CL.TE: the Content-Length covers the chunked 'hello' and a request after it",
    ),
    _both(
        "cl_zero_te",
        "Transfer-Encoding: chunked",
        "Content-Length: 0",
        body=HELLO,
        content=CONTENT,
        note="CL.TE: Content-Length 0, so a reader by length sees the chunks as a request",
    ),
    _both(
        "te_cl_covers_less",
        "Transfer-Encoding: chunked",
        "Content-Length: 4",
        body=CHUNKED_SMUGGLED,
        content=SMUGGLED,
        note="TE.CL: the Content-Length covers the size line only; the chunk is a request",
    ),
    _both(
        "content_length_line_first",
        f"Content-Length: {len(ZERO_THEN_SMUGGLED)}",
        "Transfer-Encoding: chunked",
        body=ZERO_THEN_SMUGGLED,
        content=b"",
        note="CL.TE with the Content-Length line before the Transfer-Encoding line",
    ),
    _both(
        "te_upper_case_with_cl",
        "Transfer-Encoding: CHUNKED",
        f"Content-Length: {len(ZERO_THEN_SMUGGLED)}",
        body=ZERO_THEN_SMUGGLED,
        content=b"",
        note="TE.TE: CHUNKED is chunked (coding names are case-insensitive, RFC 9112 §7)",
    ),
    _both(
        "te_te_empty_second_line",
        "Transfer-Encoding: chunked",
        "Transfer-Encoding: ",
        f"Content-Length: {len(ZERO_THEN_SMUGGLED)}",
        body=ZERO_THEN_SMUGGLED,
        content=b"",
        note="TE.TE: 'chunked, ' has one coding, chunked (empty list elements are ignored, "
        "RFC 9110 §5.6.1); a reader of the last line sees none and uses the Content-Length",
    ),
    _not_final(
        "te_unknown_with_cl",
        "Transfer-Encoding: xchunked",
        note="TE.CL: a reader that ignores a coding it does not know frames by the length",
    ),
    _not_final(
        "te_te_second_unknown_with_cl",
        "Transfer-Encoding: chunked",
        "Transfer-Encoding: x",
        note="TE.TE: the lines combine into 'chunked, x' (RFC 9110 §5.3): chunked not final",
    ),
    Entry(
        "probes.smuggling.cl_cl_zero_first",
        "RFC 9112 §6.3; RFC 9110 §8.6, §5.3",
        Level.MUST,
        INVALID,
        message(
            "POST /echo HTTP/1.1",
            "Content-Length: 0",
            f"Content-Length: {len(SMUGGLED)}",
            body=SMUGGLED,
        ),
        (REFUSED,),
        f"CL.CL: the list '0, {len(SMUGGLED)}'; a reader of the first line answers the "
        "content as a request",
        ("probes.content_length.two_lines_differ",),
    ),
    _framed("cl0_get_echo", "GET /echo HTTP/1.1", "CL.0: GET's content is content too"),
    _framed(
        "cl0_route_without_content",
        "GET /status/200 HTTP/1.1",
        "CL.0: a route that does not read content must still skip it (or close)",
    ),
    _framed(
        "cl0_not_found",
        "GET /smuggling-not-found HTTP/1.1",
        "0.CL: an early 404 must still skip the content (or close)",
    ),
)

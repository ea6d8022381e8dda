"""Smuggling sequences at the server, detected from responses only: RFC 9112 §6.1, §6.3.

Each probe hides a second request, ``GET /echo?smuggled``, where one reading of the framing
puts it: in the content, or after it. The runner follows it on the connection with
``GET /echo?next``. Which responses come back, and what /echo reports, show where the server
split the stream. With both Transfer-Encoding and Content-Length the server refuses the request
(400) or reads it by Transfer-Encoding alone, and in either case closes the connection, so
neither the hidden request nor the follow-up is answered. With Content-Length alone its value
frames the content whatever the method or route: the hidden request is content, never answered,
and the follow-up is. The TE.TE sequences, which spell Transfer-Encoding so that one reader
sees chunked and another does not, are in smuggling_te.py.
"""

from __future__ import annotations

from harness.cases import Level
from harness.catalogue import (
    FOLLOW_UP_TARGET,
    After,
    Answered,
    Entry,
    Served,
    Status,
    chunked_body,
    message,
)
from harness.requirements import Definition

from .sentences import INVALID_CONTENT_LENGTH as INVALID
from .sentences import NOT_FINAL, VALID_LENGTH

CONTENT = b"hello"
# Its own fixed Host, so that lengths are known when the entry is written.
SMUGGLED = b"GET /echo?smuggled HTTP/1.1\r\nHost: localhost\r\n\r\n"
BOTH = (
    "A server MAY reject a request that contains both Content-Length and Transfer-Encoding or "
    "process such a request in accordance with the Transfer-Encoding alone. Regardless, the "
    "server MUST close the connection after responding to such a request to avoid the potential "
    "attacks."
)
# Bound by RFC 9112 §9.3: "A server MUST read the entire request message body or close the
# connection after sending its response; otherwise, the remaining data on a persistent
# connection would be misinterpreted as the next request."
LENGTH = Definition(VALID_LENGTH, ("9112-9.3-5",))

REFUSED = Status((400,), After.CLOSE)


def both(
    name: str,
    *field_lines: str,
    body: bytes,
    content: bytes,
    note: str,
    see_also: tuple[str, ...] = (),
) -> Entry:
    """Both framing fields: refused, or ``content`` decoded by Transfer-Encoding; then closed."""
    return Entry(
        f"probes.smuggling.{name}",
        "RFC 9112 §6.1, §6.3",
        Level.MUST,
        BOTH,
        message("POST /echo HTTP/1.1", *field_lines, body=body),
        (REFUSED, Served(content, After.CLOSE)),
        note,
        ("chunked.request.te_and_content_length", *see_also),
    )


def not_final(
    name: str,
    *field_lines: str,
    note: str,
    rfc: str = "RFC 9112 §6.3",
    see_also: tuple[str, ...] = (),
) -> Entry:
    """Transfer-Encoding with chunked not final, and a Content-Length covering SMUGGLED."""
    return Entry(
        f"probes.smuggling.{name}",
        rfc,
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
        see_also,
    )


def _framed(
    name: str, request_line: str, *field_lines: str, note: str, see_also: tuple[str, ...] = ()
) -> Entry:
    """Content-Length alone, its content SMUGGLED: the server reads it as content."""
    return Entry(
        f"probes.smuggling.{name}",
        "RFC 9112 §6.3",
        Level.MUST,
        LENGTH,
        message(request_line, *field_lines, f"Content-Length: {len(SMUGGLED)}", body=SMUGGLED),
        # Any answer (the route may not want content), but the hidden request is never one:
        # the only response after the first is the follow-up's.
        (Answered(After.NEXT),),
        note,
        see_also,
    )


LAST_CHUNK = b"0\r\n\r\n"
ZERO_THEN_SMUGGLED = LAST_CHUNK + SMUGGLED
CHUNKED_SMUGGLED = chunked_body(SMUGGLED)
HELLO = chunked_body(CONTENT)


# What a reader by Content-Length reads as content, when the follow-up's request line is in it.
NEXT_LINE = f"GET {FOLLOW_UP_TARGET} HTTP/1.1\r\n".encode()

ENTRIES = (
    both(
        "cl_te_last_chunk_then_request",
        "Transfer-Encoding: chunked",
        f"Content-Length: {len(ZERO_THEN_SMUGGLED)}",
        body=ZERO_THEN_SMUGGLED,
        content=b"",
        note="CL.TE: the Content-Length covers the last chunk and a request after it",
    ),
    both(
        "cl_te_covers_more",
        "Transfer-Encoding: chunked",
        f"Content-Length: {len(HELLO + SMUGGLED)}",
        body=HELLO + SMUGGLED,
        content=CONTENT,
        note="CL.TE: the Content-Length covers the chunked 'hello' and a request after it",
    ),
    both(
        "cl_zero_te",
        "Transfer-Encoding: chunked",
        "Content-Length: 0",
        body=HELLO,
        content=CONTENT,
        note="CL.TE: Content-Length 0, so a reader by length sees the chunks as a request",
    ),
    both(
        "te_cl_covers_less",
        "Transfer-Encoding: chunked",
        "Content-Length: 4",
        body=CHUNKED_SMUGGLED,
        content=SMUGGLED,
        note="TE.CL: the Content-Length covers the size line only; the chunk is a request",
    ),
    both(
        "content_length_line_first",
        f"Content-Length: {len(ZERO_THEN_SMUGGLED)}",
        "Transfer-Encoding: chunked",
        body=ZERO_THEN_SMUGGLED,
        content=b"",
        note="CL.TE with the Content-Length line before the Transfer-Encoding line",
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
    _framed("cl0_get_echo", "GET /echo HTTP/1.1", note="CL.0: GET's content is content too"),
    _framed(
        "cl0_route_without_content",
        "GET /status/200 HTTP/1.1",
        note="CL.0: a route that does not read content must still skip it (or close)",
    ),
    _framed(
        "cl0_not_found",
        "GET /smuggling-not-found HTTP/1.1",
        note="0.CL: an early 404 must still skip the content (or close)",
    ),
    both(
        "cl_plus_sign_with_te",
        "Transfer-Encoding: chunked",
        f"Content-Length: +{len(ZERO_THEN_SMUGGLED)}",
        body=ZERO_THEN_SMUGGLED,
        content=b"",
        note="CL.TE with an invalid Content-Length: Transfer-Encoding frames the request anyway",
        see_also=("SMUG-CLTE-SMUGGLED-GET-CL-PLUS",),
    ),
    both(
        "cl_letter_suffix_with_te",
        "Transfer-Encoding: chunked",
        f"Content-Length: {len(ZERO_THEN_SMUGGLED)}x",
        body=ZERO_THEN_SMUGGLED,
        content=b"",
        note="CL.TE with a Content-Length that is no number: still framed by Transfer-Encoding",
        see_also=("SMUG-CLTE-SMUGGLED-GET-CL-NON-NUMERIC",),
    ),
    Entry(
        "probes.smuggling.te_cl_swallows_next",
        "RFC 9112 §6.1, §6.3",
        Level.MUST,
        BOTH,
        message(
            "POST /echo HTTP/1.1",
            "Transfer-Encoding: chunked",
            f"Content-Length: {len(LAST_CHUNK + NEXT_LINE)}",
            body=LAST_CHUNK,
        ),
        (REFUSED, Served(b"", After.CLOSE)),
        "TE.CL: the Content-Length reaches into the follow-up; read by it, the follow-up's "
        "request line is content",
        ("chunked.request.te_and_content_length", "SMUG-TECL-PIPELINE", "SMUG-TECL-DESYNC"),
    ),
    _framed(
        "cl0_options_asterisk",
        "OPTIONS * HTTP/1.1",
        note="CL.0: OPTIONS * is answered by the server itself, and its content skipped",
        see_also=("SMUG-OPTIONS-CL-BODY", "SMUG-OPTIONS-CL-BODY-DESYNC"),
    ),
    _framed(
        "cl0_post_route_without_content",
        "POST /status/200 HTTP/1.1",
        note="CL.0: a POST whose route does not read the content",
    ),
    _framed(
        "cl0_error_status",
        "GET /status/400 HTTP/1.1",
        note="CL.0: an error status from the application must still skip the content",
    ),
    _framed(
        "cl0_no_content_status",
        "DELETE /status/204 HTTP/1.1",
        note="CL.0: a 204 answer carries no content, but the request's must still be skipped",
    ),
    _framed(
        "cl0_expect_continue",
        "GET /status/200 HTTP/1.1",
        "Expect: 100-continue",
        note="CL.0: the content sent without waiting for 100 (Continue) is still content",
        see_also=("SMUG-EXPECT-100-CL-DESYNC",),
    ),
)

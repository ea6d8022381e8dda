"""Smuggling sequences at the server, detected from responses only: RFC 9112 §6.1, §6.3.

Each probe hides a second request, ``GET /echo?smuggled``, where one reading of the framing
puts it: in the content, or after it. The runner follows it on the connection with
``GET /echo?next``. Which responses come back, and what /echo reports, show where the server
split the stream. With both Transfer-Encoding and Content-Length the server refuses the request
(400) or reads it by Transfer-Encoding alone, and in either case closes the connection, so
neither the hidden request nor the follow-up is answered. With Content-Length alone its value
frames the content whatever the method or route: the hidden request is content, never answered,
and the follow-up is. TE.TE probes spell Transfer-Encoding so that one reader sees chunked and
another does not (whitespace, commas, case, folding, CTLs, quotes, repeated lines): where the
value still names chunked alone the two-field rule applies; where it does not, chunked is not
final (400 or 501, then closed); an ill-formed field line is refused.
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

from .sentences import FIRST_LINE_WHITESPACE, NAME_COLON, NOT_FINAL, OBS_FOLD
from .sentences import INVALID_CONTENT_LENGTH as INVALID

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


def _both(
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


def _not_final(
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


def _te_te(name: str, te_line: str, note: str, *see_also: str) -> Entry:
    """TE.TE: a Transfer-Encoding line that still names chunked (alone, as the final coding),
    and a Content-Length covering the last chunk and SMUGGLED after it."""
    return _both(
        name,
        te_line,
        f"Content-Length: {len(ZERO_THEN_SMUGGLED)}",
        body=ZERO_THEN_SMUGGLED,
        content=b"",
        note=note,
        see_also=see_also,
    )


def _hidden_by_length(*field_lines: str) -> bytes:
    """POST /echo with ``field_lines`` and a Content-Length covering ZERO_THEN_SMUGGLED."""
    return message(
        "POST /echo HTTP/1.1",
        *field_lines,
        f"Content-Length: {len(ZERO_THEN_SMUGGLED)}",
        body=ZERO_THEN_SMUGGLED,
    )


CHUNKED_TWICE = (
    "A sender MUST NOT apply the chunked transfer coding more than once to a message body (i.e., "
    "chunking an already chunked message is not allowed)."
)
# What a reader by Content-Length reads as content, when the follow-up's request line is in it.
NEXT_LINE = f"GET {FOLLOW_UP_TARGET} HTTP/1.1\r\n".encode()

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
    _te_te(
        "te_tab_before_value",
        "Transfer-Encoding:\tchunked",
        "TE.TE: HTAB is OWS, so the value is chunked",
        "SMUG-TE-TAB-BEFORE-VALUE",
    ),
    _te_te(
        "te_trailing_space_with_cl",
        "Transfer-Encoding: chunked ",
        "TE.TE: trailing OWS is no part of the value (RFC 9112 §5.1)",
        "SMUG-TE-TRAILING-SPACE",
        "SMUG-CLTE-SMUGGLED-GET-TE-TRAILING-SPACE",
    ),
    _te_te(
        "te_leading_comma_with_cl",
        "Transfer-Encoding: , chunked",
        "TE.TE: ', chunked' is the one coding chunked (RFC 9110 §5.6.1)",
        "SMUG-TE-LEADING-COMMA",
        "SMUG-CLTE-SMUGGLED-GET-TE-LEADING-COMMA",
    ),
    _te_te(
        "te_trailing_comma_with_cl",
        "Transfer-Encoding: chunked,",
        "TE.TE: 'chunked,' is the one coding chunked (RFC 9110 §5.6.1)",
        "SMUG-TE-TRAILING-COMMA",
    ),
    _te_te(
        "te_capitalised_with_cl",
        "Transfer-Encoding: Chunked",
        "TE.TE: Chunked is chunked (coding names are case-insensitive, RFC 9112 §7)",
        "SMUG-TE-CASE-MISMATCH",
        "SMUG-CLTE-SMUGGLED-GET-TE-CASE-MISMATCH",
    ),
    _both(
        "cl_plus_sign_with_te",
        "Transfer-Encoding: chunked",
        f"Content-Length: +{len(ZERO_THEN_SMUGGLED)}",
        body=ZERO_THEN_SMUGGLED,
        content=b"",
        note="CL.TE with an invalid Content-Length: Transfer-Encoding frames the request anyway",
        see_also=("SMUG-CLTE-SMUGGLED-GET-CL-PLUS",),
    ),
    _both(
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
    Entry(
        "probes.smuggling.te_obs_fold_with_cl",
        "RFC 9112 §5.2, §6.1",
        Level.MUST,
        OBS_FOLD,
        _hidden_by_length("Transfer-Encoding:", " chunked"),
        # Unfolded, the value is chunked and both framing fields are present (§6.1): closed.
        (REFUSED, Served(b"", After.CLOSE)),
        "TE.TE: the value folded onto a second line; a reader that drops the fold frames by "
        "the Content-Length",
        ("SMUG-TE-OBS-FOLD", "SMUG-CLTE-SMUGGLED-GET-TE-OBS-FOLD"),
    ),
    Entry(
        "probes.smuggling.te_space_before_colon_with_cl",
        "RFC 9112 §5.1",
        Level.MUST,
        NAME_COLON,
        _hidden_by_length("Transfer-Encoding : chunked"),
        (Status((400,), After.ANY),),
        "TE.TE: 'Transfer-Encoding :' is read as the field by some, ignored by others",
        ("SMUG-TE-SP-BEFORE-COLON",),
    ),
    Entry(
        "probes.smuggling.te_indented_first_line_with_cl",
        "RFC 9112 §2.2",
        Level.MUST,
        FIRST_LINE_WHITESPACE,
        message(
            "POST /echo HTTP/1.1",
            " Transfer-Encoding: chunked",
            "Host: {host}",
            f"Content-Length: {len(ZERO_THEN_SMUGGLED)}",
            host=False,
            body=ZERO_THEN_SMUGGLED,
        ),
        # Ignored, the line leaves the Content-Length alone to frame the content.
        (
            Status((400,), After.ANY),
            Served(ZERO_THEN_SMUGGLED, fields=(("Transfer-Encoding", ()),)),
        ),
        "TE.TE: the Transfer-Encoding line indented right after the request line",
    ),
    Entry(
        "probes.smuggling.te_chunked_twice_with_cl",
        "RFC 9112 §6.1, §6.3",
        Level.MUST,
        CHUNKED_TWICE,
        _hidden_by_length("Transfer-Encoding: chunked, chunked"),
        # The final coding is chunked, so it frames the content (§6.3) and, with a
        # Content-Length too, the connection closes (§6.1); the content, once unchunked, is
        # no chunked body, which a server may refuse.
        (Status((400, 501), After.CLOSE), Served(b"", After.CLOSE)),
        "TE.TE: chunked applied twice; a reader that refuses to decode it must not fall back "
        "to the Content-Length",
        ("SMUG-TE-DOUBLE-CHUNKED",),
    ),
    Entry(
        "probes.smuggling.te_chunked_two_lines_with_cl",
        "RFC 9112 §6.1, §6.3; RFC 9110 §5.3",
        Level.MUST,
        CHUNKED_TWICE,
        _hidden_by_length("Transfer-Encoding: chunked", "Transfer-Encoding: chunked"),
        (Status((400, 501), After.CLOSE), Served(b"", After.CLOSE)),
        "TE.TE: two chunked lines combine into 'chunked, chunked'",
    ),
    _not_final(
        "te_quoted_with_cl",
        'Transfer-Encoding: "chunked"',
        note="TE.CL: a quoted string is no coding name: chunked is not final",
    ),
    _not_final(
        "te_identity_with_cl",
        "Transfer-Encoding: identity",
        note="TE.CL: identity is no longer a coding; a reader that skips it frames by the length",
        see_also=("SMUG-TE-IDENTITY",),
    ),
    _not_final(
        "te_te_second_identity_with_cl",
        "Transfer-Encoding: chunked",
        "Transfer-Encoding: identity",
        note="TE.TE: the lines combine into 'chunked, identity': chunked not final",
        see_also=("SMUG-TE-DUPLICATE-HEADERS", "SMUG-TE-DUPLICATE-HEADERS-SMUGGLED-GET"),
    ),
    _not_final(
        "te_vertical_tab_with_cl",
        "Transfer-Encoding: \x0bchunked",
        note="TE.TE: VT is no OWS, so the coding is '\\x0bchunked', not chunked",
        see_also=("SMUG-TE-VTAB",),
    ),
    _not_final(
        "te_form_feed_with_cl",
        "Transfer-Encoding: \x0cchunked",
        note="TE.TE: FF is no OWS, so the coding is '\\x0cchunked', not chunked",
        see_also=("SMUG-TE-FORMFEED",),
    ),
    _not_final(
        "te_nul_with_cl",
        "Transfer-Encoding: chunked\x00",
        note="TE.TE: NUL rejected (RFC 9110 §5.5), or replaced with SP, when the content, "
        "decoded as chunked, is no chunked body: refused either way",
        rfc="RFC 9112 §6.3; RFC 9110 §5.5",
        see_also=("SMUG-TE-NULL",),
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

"""Chunk-size, chunk-extension and trailer confusion at the server, detected from responses
only: RFC 9112 §7.1 (chunk-size), §7.1.1 (extensions), §7.1.2 (trailers), §2.2 (line ends).

Every probe is ``POST /echo`` with ``Transfer-Encoding: chunked`` and a chunked body in which
a lenient reading of one line ends the content early and leaves ``GET /echo?smuggled`` as the
next request; the runner follows on the connection with ``GET /echo?next``. A body that does not
match the chunked grammar gets 400 and a close (§2.2), so neither the hidden request nor the
follow-up is answered; a size beyond what the server holds is refused (4xx) or waited for,
never wrapped to a small number. A valid body is decoded exactly, then the follow-up answered;
trailer fields that would change framing never reach the header section (§7.1.2), though
decoding may set Content-Length to the decoded length (§7.1.3).
"""

from __future__ import annotations

from harness.cases import Level
from harness.catalogue import After, Closed, Entry, Served, Silent, Status, chunked_body, message

from .sentences import GRAMMAR
from .smuggling import SMUGGLED

CONTENT = b"hello"
HELLO_CHUNK = b"5\r\nhello\r\n"
LARGE_NUMERALS = (
    "Therefore, recipients MUST anticipate potentially large hexadecimal numerals and prevent "
    "parsing errors due to integer conversion overflows or precision loss due to integer "
    "representation."
)
BARE_CR = (
    "A recipient of such a bare CR MUST consider that element to be invalid or replace each "
    "bare CR with SP before processing the element or forwarding the message."
)
DECODE = "A recipient MUST be able to parse and decode the chunked transfer coding."
# The sender broke this rule (RFC 9110 §6.5.1), so the message may be refused.
NOT_IN_TRAILERS = (
    "A sender MUST NOT generate a trailer field unless the sender knows the corresponding header "
    "field name's definition permits the field to be sent in trailers."
)
TRAILER_MERGE = (
    "A recipient MUST NOT merge a received trailer field into the header section unless its "
    "corresponding header field definition explicitly permits and instructs how the trailer "
    "field value can be safely merged."
)

REFUSED = Status((400,), After.CLOSE)


def _post(body: bytes) -> bytes:
    return message("POST /echo HTTP/1.1", "Transfer-Encoding: chunked", body=body)


def _hiding(name: str, body: bytes, note: str, *see_also: str) -> Entry:
    """A chunked body off the grammar where a lenient reader ends the content before
    SMUGGLED: 400, then the connection closed."""
    return Entry(
        f"probes.smuggling_chunks.{name}",
        "RFC 9112 §2.2, §7.1",
        Level.SHOULD,
        GRAMMAR,
        _post(body),
        (REFUSED,),
        note,
        see_also,
    )


def _wrapped(name: str, body: bytes, note: str, *see_also: str) -> Entry:
    """A chunk-size of 2**64 and more, which a 64-bit reader wraps to a small size."""
    return Entry(
        f"probes.smuggling_chunks.{name}",
        "RFC 9112 §7.1",
        Level.MUST,
        LARGE_NUMERALS,
        _post(body),
        # Too large to hold or to accept (400, 413), or waited for: never read as small.
        (Status((400, 413), After.NOTHING), Silent()),
        note,
        see_also,
    )


def _trailer(
    name: str, trailer: str, field: str, merged: tuple[str, ...], note: str, see_also: str
) -> Entry:
    """A trailer field that would change framing: ``field`` in the header section is absent,
    or what the decoding itself leaves there (``merged``), never the trailer's value; or the
    message refused, as its sender broke NOT_IN_TRAILERS."""
    return Entry(
        f"probes.smuggling_chunks.{name}",
        "RFC 9112 §7.1.2, §7.1.3; RFC 9110 §6.5.1",
        Level.MUST,
        TRAILER_MERGE,
        _post(HELLO_CHUNK + b"0\r\n" + trailer.encode() + b"\r\n\r\n"),
        (
            Served(CONTENT, fields=((field, ()),)),
            Served(CONTENT, fields=((field, merged),)),
            Status((400,), After.ANY),
        ),
        note,
        (see_also,),
    )


# Chunk data that looks like the end of the content and a request: data all the same.
LOOKALIKE = CONTENT + b"\r\n0\r\n\r\n" + SMUGGLED
TWO_TO_THE_64 = b"1" + b"0" * 16

ENTRIES = (
    _hiding(
        "hex_prefix_last_chunk",
        b"0x0\r\n\r\n" + SMUGGLED,
        "'0x0': int(x, 16) reads 0, the last chunk; SMUGGLED would follow",
        "SMUG-CHUNK-HEX-PREFIX",
    ),
    _hiding(
        "plus_zero_last_chunk",
        b"+0\r\n\r\n" + SMUGGLED,
        "'+0': a sign is no HEXDIG; read as the last chunk, SMUGGLED would follow",
        "SMUG-CHUNK-INVALID-SIZE-DESYNC",
    ),
    _hiding(
        "underscore_zero_last_chunk",
        b"0_0\r\n\r\n" + SMUGGLED,
        "'0_0': Python's int() reads 0; SMUGGLED would follow",
    ),
    _hiding(
        "open_quote_extension",
        b'0;a="\r\n\r\n' + SMUGGLED,
        "a quoted extension value never closed (qdtext holds no CR or LF): a reader that ends "
        "the line at CRLF anyway sees the last chunk",
    ),
    _hiding(
        "lf_last_chunk",
        HELLO_CHUNK + b"0\n\n" + SMUGGLED,
        "the last chunk and the trailer section ended with LF alone",
        "SMUG-CHUNK-LF-TRAILER",
    ),
    _hiding(
        "data_crlf_unchecked",
        b"5\r\nhelloXX0\r\n\r\n" + SMUGGLED,
        "'XX' where CRLF belongs after the data: a reader that skips two octets unchecked sees "
        "the last chunk",
        "SMUG-CHUNK-SPILL",
    ),
    _hiding(
        "data_crlf_missing",
        b"5\r\nhello0\r\n\r\n" + SMUGGLED,
        "no CRLF after the data: a reader that skips to the end of the line sees none",
        "SMUG-CHUNK-MISSING-TRAILING-CRLF",
    ),
    _hiding(
        "request_as_trailer",
        HELLO_CHUNK + b"0\r\n" + SMUGGLED,
        "no empty line after the last chunk: SMUGGLED's request line is no trailer field line",
    ),
    Entry(
        "probes.smuggling_chunks.bare_cr_in_extension",
        "RFC 9112 §2.2, §7.1.1",
        Level.MUST,
        BARE_CR,
        _post(b"0;a\r\r\n\r\n" + SMUGGLED),
        # With SP for the CR the line is '0;a ', still off the grammar (no BWS without '=').
        (REFUSED, Closed()),
        "a bare CR after an extension name: a reader taking it for a line end sees the last chunk",
        ("SMUG-CHUNK-EXT-CR",),
    ),
    _wrapped(
        "size_wraps_to_zero",
        TWO_TO_THE_64 + b"\r\n\r\n" + SMUGGLED,
        "2**64: wrapped to 64 bits it is 0, the last chunk, and SMUGGLED would follow",
        "MAL-CHUNK-SIZE-OVERFLOW",
    ),
    _wrapped(
        "size_wraps_to_five",
        TWO_TO_THE_64[:-1] + b"5\r\nhello\r\n0\r\n\r\n" + SMUGGLED,
        "2**64 + 5: wrapped to 64 bits it is 5, so 'hello', the last chunk, then SMUGGLED",
    ),
    Entry(
        "probes.smuggling_chunks.data_looks_like_last_chunk",
        "RFC 9112 §7.1",
        Level.MUST,
        DECODE,
        _post(chunked_body(LOOKALIKE)),
        (Served(LOOKALIKE), Status((411,), After.ANY)),
        "one chunk whose data holds a last chunk and a request: data all the same, counted by "
        "its size, never split at lines",
    ),
    Entry(
        "probes.smuggling_chunks.size_upper_case",
        "RFC 9112 §7.1",
        Level.MUST,
        DECODE,
        _post(b"A\r\nhelloworld\r\n0\r\n\r\n"),
        (Served(b"helloworld"), Status((411,), After.ANY)),
        "chunk-size = 1*HEXDIG, and HEXDIG holds A-F: 'A' is 10",
        ("COMP-CHUNKED-HEX-UPPERCASE",),
    ),
    _trailer(
        "trailer_content_length",
        "Content-Length: 50",
        "Content-Length",
        (str(len(CONTENT)),),
        "a Content-Length in the trailer section",
        "SMUG-TRAILER-CL",
    ),
    _trailer(
        "trailer_transfer_encoding",
        "Transfer-Encoding: chunked",
        "Transfer-Encoding",
        ("chunked",),
        "a second chunked in the trailer section",
        "SMUG-TRAILER-TE",
    ),
)

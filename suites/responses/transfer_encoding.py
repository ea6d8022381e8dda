"""Transfer-Encoding values at the client: RFC 9112 §6.1 (the field), §6.3 (framing), §7
(transfer codings).

Every entry answers ``GET /`` with a Transfer-Encoding spelled some way and ``hello`` coded as
it says, then closes. Where the coding can be decoded, the RFC's outcome is ``hello``; where
the client does not implement a coding (only chunked is required of it), an error is allowed,
but never the coded octets presented as the content: "Unlike Content-Encoding (Section 8.4.1 of
[HTTP]), Transfer-Encoding is a property of the message, not of the representation" (§6.1).
An HTTP/1.0 response with Transfer-Encoding is kept alive by the server and answered again: its
framing is faulty, so the second request goes on a new connection.
"""

from __future__ import annotations

import gzip
import zlib

from harness.cases import Level
from harness.catalogue import chunked_body
from harness.requirements import INTERPRET, Definition
from harness.responses import (
    NEXT_CONTENT,
    Answer,
    Error,
    Outcome,
    ResponseEntry,
    kept_alive,
    response,
)
from harness.scripted import Close, Send

from ..probes.sentences import TRANSFER_CODING_NAMES as NAMES
from .sentences import DECODE_CHUNKED

CONTENT = b"hello"
DECODED = Outcome((Answer(200, CONTENT),))
REFUSED = Outcome((Error(),))
CHUNKED_NOT_LAST = Definition(
    "If a Transfer-Encoding header field is present in a response and the chunked transfer "
    "coding is not the final encoding, the message body length is determined by reading the "
    "connection until it is closed by the server.",
    (INTERPRET,),
)
DECODE_ANY = (
    "Any recipient along the request/response chain MAY decode the received transfer coding(s) "
    "or apply additional transfer coding(s) to the message body, assuming that corresponding "
    "changes are made to the Transfer-Encoding field value."
)
HTTP10 = (
    "A server or client that receives an HTTP/1.0 message containing a Transfer-Encoding "
    "header field MUST treat the message as if the framing is faulty, even if a Content-Length "
    "is present, and close the connection after processing the message."
)
LISTS = (
    "In other words, a recipient MUST accept lists that satisfy the following syntax: "
    '#element => [ element ] *( OWS "," OWS [ element ] )'
)
# Rule 3 of RFC 9112 §6.3, a definition a client is bound to as the semantics it MUST
# interpret (RFC 9110 §2.4).
OVERRIDES = Definition(
    "If a message is received with both a Transfer-Encoding and a Content-Length header field, "
    "the Transfer-Encoding overrides the Content-Length. Such a message might indicate an "
    "attempt to perform request smuggling (Section 11.2) or response splitting (Section 11.1) "
    "and ought to be handled as an error.",
    (INTERPRET,),
)
CHUNKED = chunked_body(CONTENT)
GZIPPED = gzip.compress(CONTENT, mtime=0)
DEFLATED = zlib.compress(CONTENT)


def _entry(
    name: str,
    value: str,
    body: bytes,
    requirement: str,
    *allowed: Outcome,
    note: str,
    level: Level = Level.MUST,
    rfc: str = "RFC 9112 §6.1, §6.3, §7",
) -> ResponseEntry:
    head = response("HTTP/1.1 200 OK", f"Transfer-Encoding: {value}")
    return ResponseEntry(
        f"responses.transfer_encoding.{name}",
        rfc,
        level,
        requirement,
        (Send(head + body), Close()),
        allowed,
        note=note,
    )


def _http10(name: str, *field_lines: str, note: str) -> ResponseEntry:
    first = response("HTTP/1.0 200 OK", "Transfer-Encoding: chunked", *field_lines, body=CHUNKED)
    return ResponseEntry(
        f"responses.transfer_encoding.{name}",
        "RFC 9112 §6.1",
        Level.MUST,
        HTTP10,
        allowed=tuple(
            Outcome((first, Answer(200, NEXT_CONTENT)), reused=False)
            for first in (Answer(200, CONTENT), Error())
        ),
        methods=("GET", "GET"),
        note=note,
        **kept_alive(first),
    )


ENTRIES = (
    _entry("chunked_upper", "Chunked", CHUNKED, NAMES, DECODED, note="'Chunked' is chunked"),
    _entry("chunked_mixed_case", "cHuNkEd", CHUNKED, NAMES, DECODED, note="'cHuNkEd' is chunked"),
    _entry(
        "chunked_ows",
        "\tchunked ",
        CHUNKED,
        DECODE_CHUNKED,
        DECODED,
        note="OWS around a field value is not part of it (RFC 9112 §5.1)",
        rfc="RFC 9112 §7.1, §5.1",
    ),
    _entry(
        "chunked_empty_members",
        ", chunked",
        CHUNKED,
        LISTS,
        DECODED,
        note="an empty list element before chunked: the list is chunked",
        rfc="RFC 9110 §5.6.1.2; RFC 9112 §7.1",
    ),
    _entry(
        "gzip_chunked",
        "gzip, chunked",
        chunked_body(GZIPPED),
        DECODE_ANY,
        DECODED,
        REFUSED,
        note="chunked frames it; gzip (RFC 9110 §8.4.1.3) is decoded to 'hello', or the client, "
        "which need not implement it, fails: the gzip octets are not the content",
        level=Level.MAY,
    ),
    _entry(
        "deflate_chunked",
        "deflate, chunked",
        chunked_body(DEFLATED),
        DECODE_ANY,
        DECODED,
        REFUSED,
        note="as gzip_chunked, with the deflate coding (RFC 9110 §8.4.1.2)",
        level=Level.MAY,
    ),
    _entry(
        "unknown_chunked",
        "x-interop-unknown, chunked",
        chunked_body(CONTENT),
        DECODE_ANY,
        REFUSED,
        note="a coding no client implements: the dechunked octets are still coded, so they are "
        "not the content; an error is the only outcome",
        level=Level.MAY,
    ),
    _entry(
        "chunked_twice",
        "chunked, chunked",
        chunked_body(CHUNKED),
        DECODE_CHUNKED,
        DECODED,
        REFUSED,
        note="'A sender MUST NOT apply the chunked transfer coding more than once' (§6.1): decoded "
        "twice it is 'hello', or it is refused; once-decoded chunk lines are not the content",
    ),
    _entry(
        "chunked_not_last",
        "chunked, gzip",
        gzip.compress(CHUNKED, mtime=0),
        CHUNKED_NOT_LAST,
        DECODED,
        REFUSED,
        note="read until the close, gunzipped and dechunked it is 'hello'; a client that takes "
        "chunked as the framing reads gzip octets as a chunk size",
    ),
    _entry(
        "gzip_only",
        "gzip",
        GZIPPED,
        CHUNKED_NOT_LAST,
        DECODED,
        REFUSED,
        note="chunked is absent, so the close frames the gzip octets, which decode to 'hello'",
    ),
    _entry(
        "identity_only",
        "identity",
        CONTENT,
        CHUNKED_NOT_LAST,
        DECODED,
        REFUSED,
        note="'identity' is no transfer coding the RFCs define any more: read as no coding, the "
        "close frames 'hello'; or it is refused",
    ),
    _http10(
        "http10_chunked",
        note="the framing is faulty: the content may be decoded or refused, but the connection "
        "is closed, so the second request goes on a new connection",
    ),
    _http10(
        "http10_chunked_keep_alive",
        "Connection: keep-alive",
        note="even with keep-alive, 'close the connection after processing the message'",
    ),
    _http10(
        "http10_chunked_and_length",
        "Content-Length: 3",
        note="'even if a Content-Length is present'",
    ),
    ResponseEntry(
        "responses.transfer_encoding.chunked_and_length",
        "RFC 9112 §6.3",
        Level.MUST,
        OVERRIDES,
        (
            Send(
                response("HTTP/1.1 200 OK", "Transfer-Encoding: chunked", "Content-Length: 3")
                + CHUNKED
            ),
            Close(),
        ),
        (DECODED, REFUSED),
        note="the chunked coding frames 'hello', never the 3 octets the Content-Length says; "
        "the message 'ought to be handled as an error', so refusing it conforms too",
    ),
)

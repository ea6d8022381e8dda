"""The RFC sentences that more than one theme of the response catalogue quotes, each written
once (the probe catalogue's, suites/probes/sentences.py, are for requests)."""

from __future__ import annotations

from harness.requirements import INTERPRET, Definition

from ..probes import sentences as requests

INCOMPLETE = (
    "A client that receives an incomplete response message, which can occur when a connection "
    "is closed prematurely or when decoding a supposedly chunked transfer coding fails, MUST "
    "record the message as incomplete."
)

DECODE_CHUNKED = "A recipient MUST be able to parse and decode the chunked transfer coding."

# The framing rules of RFC 9112 §6.3 are definitions; a client is bound to them as the
# semantics it MUST interpret (RFC 9110 §2.4).
NO_CONTENT = Definition(
    "Any response to a HEAD request and any response with a 1xx (Informational), 204 (No "
    "Content), or 304 (Not Modified) status code is always terminated by the first empty line "
    "after the header fields, regardless of the header fields present in the message, and thus "
    "cannot contain a message body or trailer section.",
    (INTERPRET,),
)

EXTRA_DATA = (
    "A client MUST NOT process, cache, or forward such extra data as a separate response, "
    "since such behavior would be vulnerable to cache poisoning."
)

BARE_LF = (
    "Although the line terminator for the start-line and fields is the sequence CRLF, a "
    "recipient MAY recognize a single LF as a line terminator and ignore any preceding CR."
)

VALID_LENGTH = Definition(requests.VALID_LENGTH, (INTERPRET,))

CLOSE_DELIMITED = Definition(
    "Otherwise, this is a response message without a declared message body length, so the "
    "message body length is determined by the number of octets received prior to the server "
    "closing the connection.",
    (INTERPRET,),
)

# Also bound by "A client MAY send additional requests on a persistent connection until it
# sends or receives a "close" connection option or receives an HTTP/1.0 response without a
# "keep-alive" connection option." (RFC 9112 §9.3)
PERSISTENCE = Definition(
    "A recipient determines whether a connection is persistent or not based on the protocol "
    "version and Connection header field (Section 7.6.1 of [HTTP]) in the most recently "
    "received message, if any:",
    (INTERPRET, "9112-9.3-4"),
)

"""The RFC sentences that more than one theme of the response catalogue quotes, each written
once (the probe catalogue's, suites/probes/sentences.py, are for requests)."""

from __future__ import annotations

INCOMPLETE = (
    "A client that receives an incomplete response message, which can occur when a connection "
    "is closed prematurely or when decoding a supposedly chunked transfer coding fails, MUST "
    "record the message as incomplete."
)

DECODE_CHUNKED = "A recipient MUST be able to parse and decode the chunked transfer coding."

NO_CONTENT = (
    "Any response to a HEAD request and any response with a 1xx (Informational), 204 (No "
    "Content), or 304 (Not Modified) status code is always terminated by the first empty line "
    "after the header fields, regardless of the header fields present in the message, and thus "
    "cannot contain a message body or trailer section."
)

EXTRA_DATA = (
    "A client MUST NOT process, cache, or forward such extra data as a separate response, "
    "since such behavior would be vulnerable to cache poisoning."
)

BARE_LF = (
    "Although the line terminator for the start-line and fields is the sequence CRLF, a "
    "recipient MAY recognize a single LF as a line terminator and ignore any preceding CR."
)

VALID_LENGTH = (
    "If a valid Content-Length header field is present without Transfer-Encoding, its decimal "
    "value defines the expected message body length in octets."
)

CLOSE_DELIMITED = (
    "Otherwise, this is a response message without a declared message body length, so the "
    "message body length is determined by the number of octets received prior to the server "
    "closing the connection."
)

PERSISTENCE = (
    "A recipient determines whether a connection is persistent or not based on the protocol "
    "version and Connection header field (Section 7.6.1 of [HTTP]) in the most recently "
    "received message, if any:"
)

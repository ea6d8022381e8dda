"""Content-Length syntax at the client: RFC 9110 §8.6 (the field), RFC 9112 §6.3 (framing).

Every entry answers ``GET /`` with ``HTTP/1.1 200 OK``, a Content-Length spelled some way and
the content ``abc``, then closes. An invalid value is an unrecoverable framing error (§6.3
rule 5): "If it is in a response message received by a user agent, the user agent MUST close
the connection to the server and discard the received response", so the request fails. A
valid value frames exactly ``abc``. (Whether the connection is closed after the error is not
observed here: a client that reads such a response to its end would wait on a connection
kept open, and a timeout tells nothing more than the close.)
"""

from __future__ import annotations

from harness.cases import Level
from harness.responses import Answer, Error, Outcome, ResponseEntry, response
from harness.scripted import Close, Send

from ..probes.content_length import SAME_REPEATED, VALID
from ..probes.sentences import OWS

CONTENT = b"abc"
INVALID = (
    "If a message is received without Transfer-Encoding and with an invalid Content-Length "
    "header field, then the message framing is invalid and the recipient MUST treat it as an "
    "unrecoverable error, unless the field value can be successfully parsed as a "
    "comma-separated list (Section 5.6.1 of [HTTP]), all values in the list are valid, and all "
    "values in the list are the same (in which case, the message is processed with that single "
    "value used as the Content-Length field value)."
)
REFUSED = Outcome((Error(),))
FRAMED = Outcome((Answer(200, CONTENT),))


def _entry(
    name: str,
    rfc: str,
    requirement: str,
    field_lines: tuple[str, ...],
    *allowed: Outcome,
    note: str,
) -> ResponseEntry:
    return ResponseEntry(
        f"responses.content_length.{name}",
        rfc,
        Level.MUST,
        requirement,
        (Send(response("HTTP/1.1 200 OK", *field_lines, body=CONTENT)), Close()),
        allowed,
        note=note,
    )


def _invalid(name: str, value: str, note: str = "") -> ResponseEntry:
    """Content-Length: ``value`` is not 1*DIGIT nor a list of one repeated value."""
    return _entry(
        name,
        "RFC 9112 §6.3; RFC 9110 §8.6",
        INVALID,
        (f"Content-Length: {value}",),
        REFUSED,
        note=note or f"Content-Length = 1*DIGIT (RFC 9110 §8.6): {value!r} is not",
    )


def _valid(
    name: str, field_lines: tuple[str, ...], note: str, requirement: str = VALID
) -> ResponseEntry:
    return _entry(name, "RFC 9110 §8.6; RFC 9112 §6.3", requirement, field_lines, FRAMED, note=note)


ENTRIES = (
    _invalid("plus_sign", "+3", "'+3' is what int() and strtol() accept, not 1*DIGIT"),
    _invalid("negative", "-3"),
    _invalid("minus_zero", "-0"),
    _invalid("hex_prefix", "0x3"),
    _invalid("underscore", "0_3", "'0_3' is a Python int literal, not 1*DIGIT"),
    _invalid("decimal_point", "3.0"),
    _invalid("non_numeric", "abc"),
    _invalid("empty", ""),
    _invalid("inner_space", "3 3", "two numbers in one value, not a list"),
    _invalid("trailing_letter", "3a"),
    _invalid("list_differing", "3, 5", "a list whose values differ cannot be recovered"),
    _invalid(
        "list_empty_member", "3,", "a list with an empty member is not a list of valid values"
    ),
    _entry(
        "overflow",
        "RFC 9110 §8.6; RFC 9112 §6.3",
        VALID,
        (f"Content-Length: {2**64 + 3}",),
        REFUSED,
        note="2**64 + 3 is 3 in a 64-bit integer. The value is valid, but that much content "
        "never comes before the close: the message is incomplete (RFC 9112 §6.3), never 'abc'",
    ),
    _valid("leading_zeros", ("Content-Length: 0003",), "1*DIGIT allows leading zeros"),
    _valid(
        "whitespace_around",
        ("Content-Length: \t 3 \t",),
        "OWS around a field value is not part of it",
        OWS,
    ),
    _entry(
        "list_same",
        "RFC 9110 §8.6",
        SAME_REPEATED,
        ("Content-Length: 3, 3",),
        FRAMED,
        REFUSED,
        note="a list of one repeated value: either refused or taken as that value",
    ),
    _entry(
        "lines_same",
        "RFC 9110 §8.6, §5.3",
        SAME_REPEATED,
        ("Content-Length: 3", "Content-Length: 3"),
        FRAMED,
        REFUSED,
        note="two field lines combine into the list '3, 3' (RFC 9110 §5.3)",
    ),
    ResponseEntry(
        "responses.content_length.lines_differing",
        "RFC 9112 §6.3",
        Level.MUST,
        INVALID,
        (
            Send(
                response("HTTP/1.1 200 OK", "Content-Length: 3", "Content-Length: 5", body=b"abcde")
            ),
            Close(),
        ),
        (REFUSED,),
        note="two field lines combine into the list '3, 5' (RFC 9110 §5.3), whose values "
        "differ; the five octets sent let either value frame a response",
    ),
)

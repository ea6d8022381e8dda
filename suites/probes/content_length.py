"""Content-Length syntax at the server: RFC 9110 §8.6 (the field), RFC 9112 §6.3 (framing).

Every probe is ``POST /echo`` with the five octets ``hello`` and a Content-Length spelled
some way, followed on the connection by ``GET /echo?next``. An invalid value is an
unrecoverable framing error (§6.3 rule 5): 400, then the connection closed, so the follow-up
is never answered. A valid one frames exactly ``hello``: the POST served with it, then the
follow-up answered.
"""

from __future__ import annotations

from harness.cases import Level
from harness.catalogue import After, Entry, Served, Silent, Status, message

from .sentences import INVALID_CONTENT_LENGTH as INVALID
from .sentences import OWS

CONTENT = b"hello"
SAME_REPEATED = (
    "Likewise, a sender MUST NOT forward a message with a Content-Length header field value "
    "that does not match the ABNF above, with one exception: a recipient of a Content-Length "
    "header field value consisting of the same decimal value "
    'repeated as a comma-separated list (e.g, "Content-Length: 42, 42") MAY either reject the '
    "message as invalid or replace that invalid field value with a single instance of the "
    "decimal value, since this likely indicates that a duplicate was generated or combined by "
    "an upstream message processor."
)
VALID = (
    "Any Content-Length field value greater than or equal to zero is valid. Since there is no "
    "predefined limit to the length of content, a recipient MUST anticipate potentially large "
    "decimal numerals and prevent parsing errors due to integer conversion overflows or "
    "precision loss due to integer conversion (Section 17.5)."
)

REFUSED = Status((400,), After.CLOSE)
SERVED = Served(CONTENT)


def _post(*field_lines: str, body: bytes = CONTENT, version: str = "HTTP/1.1") -> bytes:
    return message(f"POST /echo {version}", *field_lines, body=body)


def _invalid(name: str, value: str, note: str = "") -> Entry:
    """Content-Length: ``value`` is not 1*DIGIT nor a list of one repeated value."""
    return Entry(
        f"probes.content_length.{name}",
        "RFC 9112 §6.3; RFC 9110 §8.6",
        Level.MUST,
        INVALID,
        _post(f"Content-Length: {value}"),
        (REFUSED,),
        note or f"Content-Length = 1*DIGIT (RFC 9110 §8.6): {value!r} is not",
    )


def _valid(name: str, field_line: str, note: str, requirement: str = VALID) -> Entry:
    """A Content-Length field line that frames exactly the five content octets."""
    return Entry(
        f"probes.content_length.{name}",
        "RFC 9110 §8.6; RFC 9112 §6.3",
        Level.MUST,
        requirement,
        _post(field_line),
        (SERVED,),
        note,
    )


def _same_repeated(name: str, *field_lines: str, note: str) -> Entry:
    return Entry(
        f"probes.content_length.{name}",
        "RFC 9110 §8.6; RFC 9112 §6.3",
        Level.MAY,
        SAME_REPEATED,
        _post(*field_lines),
        (REFUSED, SERVED),
        note,
    )


# 2**64 + 5: a parser that keeps the value in 64 bits reads it as 5 and frames "hello".
OVERFLOW_64 = str(2**64 + 5)

ENTRIES = (
    _invalid("plus_sign", "+5", "a sign is not a DIGIT; int('+5') is 5"),
    _invalid("minus_one", "-1"),
    _invalid("minus_zero", "-0", "a sign is not a DIGIT; int('-0') is 0"),
    _invalid("hex_prefix", "0x5"),
    _invalid("underscore", "1_0", "int('1_0') is 10 in Python"),
    _invalid("decimal_point", "5.0"),
    _invalid("exponent", "5e0"),
    _invalid("trailing_letter", "5a"),
    _invalid("empty", ""),
    _invalid("inner_space", "5 0"),
    _invalid("list_differs", "5, 10", "a list of different values"),
    _invalid("list_thousands", "1,000", "a list of two different values, 1 and 000"),
    _invalid("non_ascii_digit", "\xb5", "MICRO SIGN (latin-1 0xB5) is no DIGIT"),
    _invalid("vertical_tab", "5\x0b", "VT is neither DIGIT nor OWS"),
    Entry(
        "probes.content_length.two_lines_differ",
        "RFC 9112 §6.3; RFC 9110 §8.6, §5.3",
        Level.MUST,
        INVALID,
        _post("Content-Length: 5", "Content-Length: 10"),
        (REFUSED,),
        "two field lines combine into the list '5, 10' (RFC 9110 §5.3): different values",
    ),
    Entry(
        "probes.content_length.two_lines_differ_last_small",
        "RFC 9112 §6.3; RFC 9110 §8.6, §5.3",
        Level.MUST,
        INVALID,
        _post("Content-Length: 10", "Content-Length: 5"),
        (REFUSED,),
        "the list '10, 5': a recipient taking the last value frames 'hello'",
    ),
    _same_repeated("list_same", "Content-Length: 5, 5", note="one value repeated in a list"),
    _same_repeated("list_same_no_space", "Content-Length: 5,5", note="one value repeated"),
    _same_repeated(
        "two_lines_same",
        "Content-Length: 5",
        "Content-Length: 5",
        note="two field lines combine into '5, 5' (RFC 9110 §5.3)",
    ),
    _valid("leading_zero", "Content-Length: 05", "05 is 1*DIGIT, the value 5"),
    _valid(
        "many_leading_zeros",
        "Content-Length: " + "0" * 30 + "5",
        "31 digits of value 5: a numeral longer than 64 bits allow, yet small",
    ),
    _valid("spaces_around", "Content-Length:   5   ", "OWS around the value", OWS),
    _valid("tabs_around", "Content-Length:\t5\t", "HTAB is OWS too", OWS),
    _valid("name_case", "content-LENGTH: 5", "field names are case-insensitive (RFC 9110 §5.1)"),
    Entry(
        "probes.content_length.overflow_64_bits",
        "RFC 9110 §8.6",
        Level.MUST,
        VALID,
        _post(f"Content-Length: {OVERFLOW_64}"),
        # The content never comes: a server may refuse it as too large (413) or as a numeral
        # it cannot hold (400), or wait for it; it must not read the value as 5.
        (Status((400, 413), After.NOTHING), Silent()),
        f"{OVERFLOW_64} is 2**64 + 5: wrapped to 64 bits it is 5",
    ),
    Entry(
        "probes.content_length.huge",
        "RFC 9110 §8.6",
        Level.MUST,
        VALID,
        _post("Content-Length: " + "9" * 40),
        (Status((400, 413), After.NOTHING), Silent()),
        "a 40-digit value: refused as too large, or waited for, never read as something small",
    ),
    Entry(
        "probes.content_length.http10_plus_sign",
        "RFC 9112 §6.3; RFC 9110 §8.6",
        Level.MUST,
        INVALID,
        _post("Content-Length: +5", version="HTTP/1.0"),
        (REFUSED,),
        "the framing rules bind HTTP/1.0 messages too",
    ),
)

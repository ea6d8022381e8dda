"""Chunk lines beyond the size digits at the server: RFC 9112 §7.1 (chunk-size), §7.1.1 (chunk
extensions), §2.2 (line ends, bare CR, invalid octets).

Every probe is ``POST /echo`` with ``Transfer-Encoding: chunked`` and a chunked body written
byte by byte, followed on the connection by ``GET /echo?next``. A valid body decodes to
``hello`` (or the content is refused with 411, which RFC 9112 §6.3 allows), then the
follow-up is answered. A body that does not match the grammar (``chunk = chunk-size
[ chunk-ext ] CRLF chunk-data CRLF``, ``chunk-ext = *( BWS ";" BWS chunk-ext-name [ BWS "="
BWS chunk-ext-val ] )``) gets 400 and a close (§2.2): the server cannot know where the next
request begins (a 400 without the close, or a close without the 400, is what that SHOULD
advises against: a warn). suites/test_chunked.py already sends ``0x5``, ``+5``, ``-5``,
``5g``, a size beyond 64 bits and the valid extension forms; these entries are the rest.
"""

from __future__ import annotations

from harness.cases import Level
from harness.catalogue import After, Closed, Entry, Served, Status, message

from .sentences import GRAMMAR

CONTENT = b"hello"
DECODE = "A recipient MUST be able to parse and decode the chunked transfer coding."
BWS = (
    "A recipient MUST parse for such bad whitespace and remove it before interpreting the "
    "protocol element."
)
IGNORE_EXTENSIONS = "A recipient MUST ignore unrecognized chunk extensions."
LARGE_NUMERALS = (
    "Therefore, recipients MUST anticipate potentially large hexadecimal numerals and prevent "
    "parsing errors due to integer conversion overflows or precision loss due to integer "
    "representation."
)
BARE_CR = (
    "A recipient of such a bare CR MUST consider that element to be invalid or replace each "
    "bare CR with SP before processing the element or forwarding the message."
)

DECODED = (Served(CONTENT), Status((411,), After.ANY))
REFUSED = Status((400,), After.CLOSE)
# What §2.2 advises against (a warn): the 400 without the close, or a close without the 400.
KEPT_OPEN = Status((400,), After.ANY)
SILENTLY_CLOSED = Closed()


def _post(body: bytes) -> bytes:
    return message("POST /echo HTTP/1.1", "Transfer-Encoding: chunked", body=body)


def _body(size_line: bytes, data: bytes = CONTENT, last: bytes = b"0\r\n\r\n") -> bytes:
    """One chunk whose size line is ``size_line`` (without its CRLF), then ``last``."""
    return size_line + b"\r\n" + data + b"\r\n" + last


def _invalid(name: str, body: bytes, note: str) -> Entry:
    """A chunked body that does not match the grammar: 400, then the connection closed; the
    400 with the connection left open is what §2.2 advises against."""
    return Entry(
        f"probes.chunk_lines.{name}",
        "RFC 9112 §2.2, §7.1",
        Level.SHOULD,
        GRAMMAR,
        _post(body),
        (REFUSED,),
        note,
        discouraged=(KEPT_OPEN,),
    )


def _valid(name: str, body: bytes, rfc: str, requirement: str, note: str) -> Entry:
    """A chunked body the grammar allows, decoding to ``hello``."""
    return Entry(
        f"probes.chunk_lines.{name}",
        rfc,
        Level.MUST,
        requirement,
        _post(body),
        DECODED,
        note,
    )


SIXTEEN = b"0123456789abcdef"  # what a reader of int("1_0", 16) takes as the chunk's data
LONG_EXTENSION = b";" + b"x" * 65536

ENTRIES = (
    _invalid("bare_semicolon", _body(b"5;"), "';' must be followed by a chunk-ext-name"),
    _invalid("bare_semicolon_last", _body(b"5", last=b"0;\r\n\r\n"), "the last chunk's ';' alone"),
    _invalid("extension_without_name", _body(b"5;=v"), "chunk-ext-name = token: not empty"),
    _invalid("extension_ctl_value", _body(b"5;a=\x01"), "SOH is no tchar"),
    _invalid("extension_del_name", _body(b"5;a\x7f"), "DEL is a CTL, no tchar"),
    _invalid("extension_nul_quoted", _body(b'5;a="\x00"'), "NUL is no qdtext"),
    _invalid("extension_lf", _body(b"5;a\nb"), "a bare LF inside the chunk line"),
    _invalid("space_after_size", _body(b"5 "), "BWS only before ';': '5 ' is no chunk line"),
    _invalid("space_before_size", _body(b" 5"), "chunk-size = 1*HEXDIG; int(' 5', 16) is 5"),
    _invalid("tab_before_size", _body(b"\t5"), "a leading HTAB; int('\\t5', 16) is 5"),
    _invalid("vertical_tab_after_size", _body(b"5\x0b"), "VT; int('5\\x0b', 16) is 5"),
    _invalid("nul_after_size", _body(b"5\x00"), "NUL ends a C string, not a chunk line"),
    _invalid("empty_size", b"\r\n" + _body(b"5"), "an empty line where a chunk-size belongs"),
    _invalid("underscore", _body(b"1_0", SIXTEEN), "int('1_0', 16) is 16: the 16 octets"),
    _invalid("minus_zero_last", _body(b"5", last=b"-0\r\n\r\n"), "int('-0', 16) is 0"),
    _invalid("plus_zero_last", _body(b"5", last=b"+0\r\n\r\n"), "int('+0', 16) is 0"),
    _invalid(
        "fullwidth_digit",
        _body("\uff15".encode()),
        "FULLWIDTH DIGIT FIVE (UTF-8): int() of the str reads 5",
    ),
    _invalid("lf_size_line", b"5\nhello\r\n0\r\n\r\n", "LF alone ends the size line"),
    _invalid("lf_after_data", b"5\r\nhello\n0\r\n\r\n", "LF alone after the chunk's data"),
    _invalid("lf_only", b"5\nhello\n0\n\n", "every line ended with LF alone"),
    _invalid("lf_last_chunk", _body(b"5", last=b"0\n\n"), "the last chunk ended with LF"),
    _invalid(
        "data_longer", _body(b"5", b"hello!!"), "7 octets after size 5: '!!' where CRLF belongs"
    ),
    _invalid(
        "data_shorter",
        _body(b"6"),
        "5 octets after size 6: the CR is data, then '\\n0' where CRLF belongs",
    ),
    Entry(
        "probes.chunk_lines.bare_cr_ends_size",
        "RFC 9112 §2.2, §7.1",
        Level.MUST,
        BARE_CR,
        _post(b"5\rhello\r\n0\r\n\r\n"),
        # Replaced with SP the line is '5 hello', which is invalid too.
        (REFUSED,),
        "a bare CR after the size: not a line end; as SP the line is still invalid. Invalid, "
        "it SHOULD get a 400 and a close (§2.2): a close without the 400, or the 400 without "
        "the close, keeps this MUST but not that SHOULD",
        discouraged=(SILENTLY_CLOSED, KEPT_OPEN),
    ),
    Entry(
        "probes.chunk_lines.bare_cr_before_extension",
        "RFC 9112 §2.2, §7.1.1",
        Level.MUST,
        BARE_CR,
        _post(_body(b"5\r;a=b")),
        (REFUSED, *DECODED),
        "'5\\r;a=b': invalid, or with SP for the CR the valid '5 ;a=b'. Invalid, it SHOULD "
        "get a 400 and a close (§2.2): a close without the 400, or the 400 without the close, "
        "keeps this MUST but not that SHOULD",
        discouraged=(SILENTLY_CLOSED, KEPT_OPEN),
    ),
    _valid("bws_before_semicolon", _body(b"5 ;a=b"), "RFC 9112 §7.1.1", BWS, "BWS before ';'"),
    _valid("bws_everywhere", _body(b"5\t; a = b ;c"), "RFC 9112 §7.1.1", BWS, "BWS at every place"),
    _valid(
        "quoted_escape",
        _body(b'5;a="x\\";y"'),
        "RFC 9112 §7.1.1",
        IGNORE_EXTENSIONS,
        "a quoted-pair hides a quote: the ';' after it is inside the string",
    ),
    _valid(
        "many_extensions",
        _body(b"5" + b";a=b" * 64),
        "RFC 9112 §7.1.1",
        IGNORE_EXTENSIONS,
        "64 extensions on one chunk",
    ),
    _valid(
        "many_leading_zeros",
        _body(b"0" * 32 + b"5"),
        "RFC 9112 §7.1",
        LARGE_NUMERALS,
        "33 hex digits of value 5: longer than 64 bits, yet small",
    ),
    Entry(
        "probes.chunk_lines.long_extension",
        "RFC 9112 §7.1.1",
        Level.MUST,
        IGNORE_EXTENSIONS,
        _post(_body(b"5" + LONG_EXTENSION)),
        # "A server ought to limit the total length of chunk extensions ... and generate an
        # appropriate 4xx (Client Error) response if that amount is exceeded."
        (*DECODED, Status((400, 413, 431), After.NOTHING)),
        "a 64 KiB extension: ignored, or refused over the server's limit (4xx)",
    ),
)

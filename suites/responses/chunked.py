"""Chunk lines at the client: RFC 9112 §7.1 (chunked-body), §7.1.1 (extensions), §7.1.2
(trailers), §8 (incomplete messages).

Every entry answers ``GET /`` with ``Transfer-Encoding: chunked`` and a chunked body that holds
``hello`` with one chunk line spelled some way, then closes. A valid spelling decodes to
``hello``. An invalid one cannot be decoded: "decoding a supposedly chunked transfer coding
fails", and the client "MUST record the message as incomplete" (§8), which a client shows as an
error.
"""

from __future__ import annotations

from harness.cases import Level
from harness.responses import Answer, Error, Outcome, ResponseEntry, response
from harness.scripted import Close, Send

from .sentences import DECODE_CHUNKED, INCOMPLETE

CONTENT = b"hello"
HEAD = response("HTTP/1.1 200 OK", "Transfer-Encoding: chunked")
DECODED = Outcome((Answer(200, CONTENT),))
REFUSED = Outcome((Error(),))
LARGE = (
    "Therefore, recipients MUST anticipate potentially large hexadecimal numerals and prevent "
    "parsing errors due to integer conversion overflows or precision loss due to integer "
    "representation."
)
EXTENSIONS = "A recipient MUST ignore unrecognized chunk extensions."
TRAILERS = (
    "A recipient MUST NOT merge a received trailer field into the header section unless its "
    "corresponding header field definition explicitly permits and instructs how the trailer "
    "field value can be safely merged."
)


def _entry(
    name: str,
    body: bytes,
    *allowed: Outcome,
    note: str,
    requirement: str = INCOMPLETE,
    rfc: str = "RFC 9112 §7.1, §8",
) -> ResponseEntry:
    return ResponseEntry(
        f"responses.chunked.{name}",
        rfc,
        Level.MUST,
        requirement,
        (Send(HEAD + body), Close()),
        allowed,
        note=note,
    )


def _invalid(name: str, body: bytes, note: str) -> ResponseEntry:
    return _entry(name, body, REFUSED, note=note)


def _valid(
    name: str, body: bytes, note: str, requirement: str = DECODE_CHUNKED, rfc: str = "RFC 9112 §7.1"
) -> ResponseEntry:
    return _entry(name, body, DECODED, note=note, requirement=requirement, rfc=rfc)


LAST = b"0\r\n\r\n"
ENTRIES = (
    _invalid("size_plus", b"+5\r\nhello\r\n" + LAST, "chunk-size = 1*HEXDIG: '+5' is int()'s"),
    _invalid("size_underscore", b"0_5\r\nhello\r\n" + LAST, "'0_5' is a Python int literal"),
    _invalid("last_chunk_underscore", b"5\r\nhello\r\n0_0\r\n\r\n", 'last-chunk = 1*("0")'),
    _invalid("size_leading_space", b" 5\r\nhello\r\n" + LAST, "no whitespace before chunk-size"),
    _invalid(
        "size_trailing_space",
        b"5 \r\nhello\r\n" + LAST,
        "BWS is allowed only before a ';' of an extension: '5 ' alone is invalid",
    ),
    _invalid("size_trailing_tab", b"5\t\r\nhello\r\n" + LAST, "as size_trailing_space, a tab"),
    _invalid(
        "size_line_bare_lf",
        b"5\nhello\r\n" + LAST,
        "a recipient MAY take a bare LF for CRLF only on the start-line and fields (RFC 9112 "
        "§2.2); a chunk line ends in CRLF",
    ),
    _invalid("data_bare_lf", b"5\r\nhello\n" + LAST, "chunk = ... chunk-data CRLF"),
    _invalid("ext_bare_semicolon", b"5;\r\nhello\r\n" + LAST, "chunk-ext-name = token (1*tchar)"),
    _invalid("ext_nul", b"5;a=\x00\r\nhello\r\n" + LAST, "NUL is neither a token nor quoted"),
    _invalid("size_empty", b"\r\nhello\r\n" + LAST, "chunk-size = 1*HEXDIG: none at all"),
    _entry(
        "size_max_u64",
        b"ffffffffffffffff\r\nhello\r\n" + LAST,
        REFUSED,
        note="2**64 - 1 is -1 as a signed 64-bit integer; that much data never comes before the "
        "close, so the message is incomplete",
        requirement=LARGE,
    ),
    _valid("size_leading_zeros", b"0005\r\nhello\r\n" + LAST, "1*HEXDIG allows leading zeros"),
    _entry(
        "size_upper_hex",
        b"A\r\nhelloworld\r\n" + LAST,
        Outcome((Answer(200, b"helloworld"),)),
        note="HEXDIG is case-insensitive (RFC 5234 §B.1, RFC 9110 §2.1)",
        requirement=DECODE_CHUNKED,
        rfc="RFC 9112 §7.1",
    ),
    _valid("last_chunk_zeros", b"5\r\nhello\r\n000\r\n\r\n", 'last-chunk = 1*("0") ...'),
    _valid(
        "ext_name_value",
        b"5;name=value\r\nhello\r\n" + LAST,
        "an unrecognized extension is ignored",
        EXTENSIONS,
        "RFC 9112 §7.1.1",
    ),
    _valid(
        "ext_name_only",
        b"5;name\r\nhello\r\n" + LAST,
        "chunk-ext-val is optional",
        EXTENSIONS,
        "RFC 9112 §7.1.1",
    ),
    _valid(
        "ext_quoted",
        b'5;name="a b;c=\\"d\\""\r\nhello\r\n' + LAST,
        "a quoted-string value holding SP, ';', '=' and quoted-pairs",
        EXTENSIONS,
        "RFC 9112 §7.1.1",
    ),
    _valid(
        "ext_bws",
        b"5 ; name = value\r\nhello\r\n" + LAST,
        'chunk-ext = *( BWS ";" BWS chunk-ext-name [ BWS "=" BWS chunk-ext-val ] )',
        EXTENSIONS,
        "RFC 9112 §7.1.1",
    ),
    _valid(
        "ext_on_last_chunk",
        b"5\r\nhello\r\n0;name=value\r\n\r\n",
        'last-chunk = 1*("0") [ chunk-ext ] CRLF',
        EXTENSIONS,
        "RFC 9112 §7.1.1",
    ),
    _valid(
        "trailer_field",
        b"5\r\nhello\r\n0\r\nX-Interop-Trailer: yes\r\n\r\n",
        "a trailer section of one field, then the empty line",
        rfc="RFC 9112 §7.1, §7.1.2",
    ),
    _entry(
        "trailer_not_merged",
        b"5\r\nhello\r\n0\r\nContent-Length: 99\r\n\r\n",
        Outcome((Answer(200, CONTENT, (("Content-Length", ()),)),)),
        note="a Content-Length trailer field has no definition that lets it be merged: the "
        "response's header section has none",
        requirement=TRAILERS,
        rfc="RFC 9110 §6.5.1; RFC 9112 §7.1.2",
    ),
    _invalid("size_non_hex", b"5g\r\nhello\r\n" + LAST, "chunk-size = 1*HEXDIG: 'g' is none"),
    _invalid("size_hex_prefix", b"0x5\r\nhello\r\n" + LAST, "'0x5' is int(line, 16)'s"),
    _invalid("size_negative", b"-5\r\nhello\r\n" + LAST, "chunk-size = 1*HEXDIG: no sign"),
    _entry(
        "size_overflow",
        b"1" + b"0" * 18 + b"5\r\nhello\r\n" + LAST,
        REFUSED,
        note="16**19 + 5 is 5 in a 64-bit integer; that much data never comes before the "
        "close, so the message is incomplete, never 'hello'",
        requirement=LARGE,
    ),
    _invalid(
        "data_without_crlf",
        b"5\r\nhello!!" + LAST,
        "chunk = chunk-size [ chunk-ext ] CRLF chunk-data CRLF: a decoder that skips two "
        "octets unseen finds a valid last chunk after '!!'",
    ),
    _entry(
        "no_last_chunk",
        b"5\r\nhello\r\n",
        REFUSED,
        note="a complete chunk, then the close: the zero-sized chunk that ends the coding "
        "never came",
        rfc="RFC 9112 §8",
    ),
    _entry(
        "truncated_chunk",
        b"a\r\nhello",
        REFUSED,
        note="a 10-octet chunk closed after 5",
        rfc="RFC 9112 §8",
    ),
)

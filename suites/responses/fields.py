"""Field lines at the client: RFC 9110 §5.5 (field values), RFC 9112 §2.2 (line ends), §5.1
(field line parsing), §5.2 (obs-fold).

Every entry answers ``GET /`` with ``HTTP/1.1 200 OK``, one odd field line among
``X-Interop-Before: 1`` and ``X-Interop-After: 2`` (or around the Content-Length), then
``Content-Length: 5`` and ``hello``, and closes. The outcomes say what the client may present:
the odd field's value as the RFC has it read, each neighbour unchanged, and ``hello``; or an
error where the RFC lets the recipient reject the message.
"""

from __future__ import annotations

import re

from harness.cases import Level
from harness.requirements import INTERPRET, Definition
from harness.responses import Answer, Error, Outcome, ResponseEntry
from harness.scripted import Close, Send

from ..probes.sentences import OWS

CONTENT = b"hello"
STATUS = b"HTTP/1.1 200 OK\r\n"
BEFORE = b"X-Interop-Before: 1\r\n"
AFTER = b"X-Interop-After: 2\r\n"
TAIL = b"Content-Length: 5\r\n\r\n" + CONTENT
NEIGHBOURS = (("X-Interop-Before", ("1",)), ("X-Interop-After", ("2",)))
REFUSED = Outcome((Error(),))
CR_LF_NUL = (
    "Field values containing CR, LF, or NUL characters are invalid and dangerous, due to the "
    "varying ways that implementations might parse and interpret those characters; a recipient "
    "of CR, LF, or NUL within a field value MUST either reject the message or replace each of "
    "those characters with SP before further processing or forwarding of that message."
)
BARE_CR = (
    "A recipient of such a bare CR MUST consider that element to be invalid or replace each "
    "bare CR with SP before processing the element or forwarding the message."
)
OBS_FOLD = (
    "A user agent that receives an obs-fold in a response message that is not within a "
    '"message/http" container MUST replace each received obs-fold with one or more SP octets '
    "prior to interpreting the field value."
)
START_LINE_WHITESPACE = (
    "A recipient that receives whitespace between the start-line and the first header field "
    "MUST either reject the message as invalid or consume each whitespace-preceded line without "
    "further processing of it (i.e., ignore the entire line, along with any subsequent lines "
    "preceded by whitespace, until a properly formed header field is received or the header "
    "section is terminated)."
)
TOO_LARGE = (
    "A client MAY discard or truncate received field lines that are larger than the client "
    "wishes to process if the field semantics are such that the dropped value(s) can be safely "
    "ignored without changing the message framing or response semantics."
)
# The grammar of a field line, a definition a client is bound to as the semantics it MUST
# interpret (RFC 9110 §2.4).
NAMES = Definition("field-name = token", (INTERPRET,))
NO_SPACE = Definition("No whitespace is allowed between the field name and colon.", (INTERPRET,))
VALUE = Definition("field-value = *field-content", (INTERPRET,))


def _with(name: str, values: tuple[str, ...]) -> Outcome:
    """``hello``, the neighbours unchanged, and ``name``'s values matching ``values``."""
    return Outcome((Answer(200, CONTENT, ((name, values), *NEIGHBOURS)),))


def _entry(
    name: str,
    rfc: str,
    level: Level,
    requirement: str,
    line: bytes,
    *allowed: Outcome,
    note: str,
    head: bytes = b"",
) -> ResponseEntry:
    return ResponseEntry(
        f"responses.fields.{name}",
        rfc,
        level,
        requirement,
        (Send(STATUS + head + BEFORE + line + AFTER + TAIL), Close()),
        allowed,
        note=note,
    )


def _odd_octet(name: str, octet: bytes, rfc: str, requirement: str, note: str) -> ResponseEntry:
    """``X-Interop-Odd: a<octet>b``: rejected, or the octet replaced with SP."""
    return _entry(
        name,
        rfc,
        Level.MUST,
        requirement,
        b"X-Interop-Odd: a" + octet + b"b\r\n",
        REFUSED,
        _with("X-Interop-Odd", ("a b",)),
        note=note,
    )


def _fold(name: str, fold: bytes, note: str) -> ResponseEntry:
    """``X-Interop-Fold: first<fold>second``: the fold becomes SP, and only SP."""
    return _entry(
        name,
        "RFC 9112 §5.2",
        Level.MUST,
        OBS_FOLD,
        b"X-Interop-Fold: first" + fold + b"second\r\n",
        _with("X-Interop-Fold", ("first +second",)),
        note=note,
    )


def _lenient(
    name: str,
    line: bytes,
    note: str,
    requirement: str = NAMES,
    rfc: str = "RFC 9110 §5.1; RFC 9112 §5",
) -> ResponseEntry:
    """An invalid field line: rejected, or the line dropped and the rest read as sent."""
    return _entry(
        name,
        rfc,
        Level.MUST,
        requirement,
        line,
        REFUSED,
        Outcome((Answer(200, CONTENT, NEIGHBOURS),)),
        note=note,
    )


def _many_fields(name: str, count: int, note: str) -> ResponseEntry:
    """``count`` fields before Content-Length 5, then more octets than it frames before the
    close: a client that drops the Content-Length with the fields beyond its limit reads them
    all instead of ``hello``."""
    fill = b"".join(b"X-Interop-Fill-%d: v\r\n" % i for i in range(count))
    return ResponseEntry(
        f"responses.fields.{name}",
        "RFC 9110 §5.4",
        Level.MAY,
        TOO_LARGE,
        (Send(STATUS + fill + TAIL + b", and more"), Close()),
        (REFUSED, Outcome((Answer(200, CONTENT),))),
        note=f"{note}, then more octets than it frames before the close",
    )


ENTRIES = (
    _odd_octet("value_nul", b"\x00", "RFC 9110 §5.5", CR_LF_NUL, "a NUL inside a value"),
    _odd_octet("value_bare_cr", b"\r", "RFC 9112 §2.2", BARE_CR, "a CR not followed by LF"),
    _entry(
        "value_bare_cr_framing",
        "RFC 9112 §2.2",
        Level.MUST,
        BARE_CR,
        b"X-Interop-Odd: a\rContent-Length: 2\r\n",
        REFUSED,
        _with("X-Interop-Odd", ("a Content-Length: 2",)),
        note="a bare CR that a lenient reader takes for a line end would find a second "
        "Content-Length ('2') inside the value",
    ),
    _fold("obs_fold_space", b"\r\n ", "a fold of CRLF SP"),
    _fold("obs_fold_tab", b"\r\n\t", "a fold of CRLF HTAB"),
    _fold("obs_fold_ows", b" \r\n \t ", "a fold of OWS CRLF RWS: obs-fold = OWS CRLF RWS"),
    _entry(
        "obs_fold_two",
        "RFC 9112 §5.2",
        Level.MUST,
        OBS_FOLD,
        b"X-Interop-Fold: first\r\n second\r\n third\r\n",
        _with("X-Interop-Fold", ("first +second +third",)),
        note="a value folded twice",
    ),
    _entry(
        "whitespace_before_first_field",
        "RFC 9112 §2.2",
        Level.MUST,
        START_LINE_WHITESPACE,
        b"",
        REFUSED,
        Outcome((Answer(200, CONTENT, (("X-Interop-Ignored", ()), *NEIGHBOURS)),)),
        note="' X-Interop-Ignored: yes' right after the status line is ignored, not a field",
        head=b" X-Interop-Ignored: yes\r\n",
    ),
    _entry(
        "whitespace_before_first_field_framing",
        "RFC 9112 §2.2",
        Level.MUST,
        START_LINE_WHITESPACE,
        b"",
        REFUSED,
        Outcome((Answer(200, CONTENT, NEIGHBOURS),)),
        note="' Content-Length: 2' right after the status line is ignored: 5 frames 'hello'",
        head=b" Content-Length: 2\r\n",
    ),
    _lenient(
        "name_space_before_colon",
        b"X-Interop-Odd : v\r\n",
        "'X-Interop-Odd : v' is no valid field line",
        NO_SPACE,
        "RFC 9112 §5.1",
    ),
    _entry(
        "content_length_space_before_colon",
        "RFC 9112 §5.1",
        Level.MUST,
        NO_SPACE,
        b"Content-Length : 2\r\n",
        REFUSED,
        Outcome((Answer(200, CONTENT, NEIGHBOURS),)),
        note="'Content-Length : 2' is no Content-Length field; the valid one frames 'hello'",
    ),
    _lenient("name_empty", b": v\r\n", "field-name = token: an empty name"),
    _lenient("no_colon", b"X-Interop-No-Colon\r\n", "a field line without a colon"),
    _lenient("name_bracket", b"X-Interop(Odd): v\r\n", "'(' is no tchar"),
    _lenient("name_nul", b"X-Interop\x00Odd: v\r\n", "NUL is no tchar"),
    _entry(
        "value_ows_trimmed",
        "RFC 9112 §5.1",
        Level.MUST,
        OWS,
        b"X-Interop-Odd: \t value \t\r\n",
        _with("X-Interop-Odd", ("value",)),
        note="OWS around the value is not part of it",
    ),
    _entry(
        "value_inner_whitespace",
        "RFC 9110 §5.5",
        Level.MUST,
        VALUE,
        b"X-Interop-Odd: a \t b\r\n",
        _with("X-Interop-Odd", (re.escape("a \t b"),)),
        note="whitespace inside a value is part of it",
    ),
    _entry(
        "value_empty",
        "RFC 9110 §5.5",
        Level.MUST,
        VALUE,
        b"X-Interop-Odd:\r\n",
        _with("X-Interop-Odd", ("",)),
        note="an empty value is a value",
    ),
    _entry(
        "value_long",
        "RFC 9110 §5.4",
        Level.MAY,
        TOO_LARGE,
        b"X-Interop-Long: " + b"a" * 100_000 + b"\r\n",
        REFUSED,
        _with("X-Interop-Long", ("a{100000}",)),
        Outcome((Answer(200, CONTENT, NEIGHBOURS),)),
        note="a 100 KB field line: kept, dropped or refused; the framing stays 'hello'",
    ),
    _many_fields(
        "many_fields_before_length",
        1000,
        "1000 fields before Content-Length 5: dropping them is allowed, dropping the "
        "Content-Length after them is not",
    ),
    _many_fields(
        "many_fields_then_more_content",
        150,
        "150 fields (http.client reads 100) before Content-Length 5",
    ),
)

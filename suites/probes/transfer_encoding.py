"""Transfer-Encoding values and spellings at the server: RFC 9112 §6.1 (the field), §6.3
(framing), §7 (codings), §5.1-5.2 (field lines), RFC 9110 §5.6.1 (lists).

Every probe is ``POST /echo`` whose content is ``hello`` as one chunk (unless it says
otherwise), followed on the connection by ``GET /echo?next``. Where chunked is the final
coding the server decodes ``hello`` and then answers the follow-up (or refuses the body with
411, which RFC 9112 §6.3 allows); where it is not, the length cannot be known: 400, then the
connection closed. A coding the server does not implement SHOULD get 501 (§6.1): a 400
instead is what that advises against, a warn.
"""

from __future__ import annotations

import gzip

from harness.cases import Level
from harness.catalogue import After, Answered, Entry, Served, Status, chunked_body, message
from harness.requirements import INTERPRET, Definition

from .sentences import (
    FIRST_LINE_WHITESPACE,
    NAME_COLON,
    NOT_FINAL,
    OBS_FOLD,
    OWS,
    TRANSFER_CODING_NAMES,
    VALID_LENGTH,
)

CONTENT = b"hello"
BODY = chunked_body(CONTENT)
EMPTY_ELEMENTS = (
    "A recipient MUST parse and ignore a reasonable number of empty list elements: enough to "
    "handle common mistakes by senders that merge values, but not so much that they could be "
    "used as a denial-of-service mechanism."
)
UNKNOWN_CODING = (
    "A server that receives a request message with a transfer coding it does not understand "
    "SHOULD respond with 501 (Not Implemented)."
)
HTTP10 = (
    "A server or client that receives an HTTP/1.0 message containing a Transfer-Encoding header "
    "field MUST treat the message as if the framing is faulty, even if a Content-Length is "
    "present, and close the connection after processing the message."
)

DECODED = (Served(CONTENT), Status((411,), After.ANY))
# Chunked not final: 400 and close (§6.3 rule 4). A server that does not know the other coding
# may say so with 501 (§6.1); either way the body cannot be framed, so the connection closes.
LENGTH_UNKNOWN = (Status((400, 501), After.CLOSE),)


def _post(*field_lines: str, body: bytes = BODY, version: str = "HTTP/1.1") -> bytes:
    return message(f"POST /echo {version}", *field_lines, body=body)


def _decoded(name: str, value: str, rfc: str, requirement: str, note: str) -> Entry:
    """Transfer-Encoding: ``value`` names chunked as the final (and only) coding."""
    return Entry(
        f"probes.transfer_encoding.{name}",
        rfc,
        Level.MUST,
        requirement,
        _post(f"Transfer-Encoding: {value}"),
        DECODED,
        note,
    )


def _not_final(name: str, *field_lines: str, note: str, body: bytes = BODY) -> Entry:
    return Entry(
        f"probes.transfer_encoding.{name}",
        "RFC 9112 §6.3, §6.1",
        Level.MUST,
        NOT_FINAL,
        _post(*field_lines, body=body),
        LENGTH_UNKNOWN,
        note,
    )


def _name_colon(name: str, field_name: str, note: str) -> Entry:
    return Entry(
        f"probes.transfer_encoding.{name}",
        "RFC 9112 §5.1",
        Level.MUST,
        NAME_COLON,
        _post(f"{field_name}: chunked"),
        (Status((400,), After.ANY),),
        note,
    )


ENTRIES = (
    _decoded("capitalised", "Chunked", "RFC 9112 §7", TRANSFER_CODING_NAMES, "Chunked is chunked"),
    _decoded("upper_case", "CHUNKED", "RFC 9112 §7", TRANSFER_CODING_NAMES, "CHUNKED is chunked"),
    _decoded("mixed_case", "cHuNkEd", "RFC 9112 §7", TRANSFER_CODING_NAMES, "cHuNkEd is chunked"),
    _decoded("trailing_space", "chunked ", "RFC 9112 §5.1", OWS, "trailing OWS is no part of it"),
    _decoded("leading_spaces", "   chunked", "RFC 9112 §5.1", OWS, "leading OWS is not either"),
    _decoded("tab_before", "\tchunked", "RFC 9112 §5.1", OWS, "HTAB is OWS"),
    _decoded(
        "empty_element_after",
        "chunked,",
        "RFC 9110 §5.6.1",
        EMPTY_ELEMENTS,
        "the list 'chunked,' is the one coding chunked",
    ),
    _decoded(
        "empty_element_before",
        ", chunked",
        "RFC 9110 §5.6.1",
        EMPTY_ELEMENTS,
        "the list ', chunked' is the one coding chunked",
    ),
    _not_final("chunked_then_gzip", "Transfer-Encoding: chunked, gzip", note="gzip is final"),
    _not_final("identity", "Transfer-Encoding: identity", note="identity is no longer a coding"),
    _not_final(
        "identity_after_chunked",
        "Transfer-Encoding: chunked, identity",
        note="a recipient that skips 'identity' reads chunked",
    ),
    _not_final("unknown", "Transfer-Encoding: xchunked", note="xchunked is not chunked"),
    _not_final("quoted", 'Transfer-Encoding: "chunked"', note="a quoted string is no token"),
    _not_final(
        "empty",
        "Transfer-Encoding: ",
        note="present with no coding at all: chunked is not the final one",
        body=CONTENT,
    ),
    _not_final(
        "second_line_not_chunked",
        "Transfer-Encoding: chunked",
        "Transfer-Encoding: identity",
        note="two lines combine into 'chunked, identity' (RFC 9110 §5.3)",
    ),
    _not_final(
        "second_line_gzip",
        "Transfer-Encoding: chunked",
        "Transfer-Encoding: gzip",
        note="two lines combine into 'chunked, gzip': a recipient reading the first sees chunked",
    ),
    Entry(
        "probes.transfer_encoding.second_line_chunked",
        "RFC 9112 §6.1",
        Level.SHOULD,
        UNKNOWN_CODING,
        _post(
            "Transfer-Encoding: gzip",
            "Transfer-Encoding: chunked",
            body=chunked_body(gzip.compress(CONTENT, mtime=0)),
        ),
        (Status((501,), After.ANY), Served(CONTENT)),
        "'gzip, chunked' over two lines (RFC 9110 §5.3): 501, or decoded, gzip too; refused "
        "with 400 instead of the 501 the SHOULD names, a warn",
        discouraged=(Status((400,), After.ANY),),
    ),
    _name_colon("space_before_colon", "Transfer-Encoding ", "SP between name and colon"),
    _name_colon("tab_before_colon", "Transfer-Encoding\t", "HTAB between name and colon"),
    Entry(
        "probes.transfer_encoding.first_line_indented",
        "RFC 9112 §2.2",
        Level.MUST,
        FIRST_LINE_WHITESPACE,
        message("POST /echo HTTP/1.1", " Transfer-Encoding: chunked", "Host: {host}", host=False)
        + BODY,
        # Ignored, the line leaves no framing field: the POST has no content, and the chunked
        # bytes after it are whatever the server makes of them.
        (
            Status((400,), After.ANY),
            Served(b"", After.ANY, fields=(("Transfer-Encoding", ()),)),
        ),
        "a leading SP on the first field line: rejected, or the line ignored",
    ),
    Entry(
        "probes.transfer_encoding.obs_fold",
        "RFC 9112 §5.2",
        Level.MUST,
        OBS_FOLD,
        _post("Transfer-Encoding:", " chunked"),
        (Status((400,), After.ANY), *DECODED),
        "the value folded onto a second line: rejected, or unfolded into ' chunked'",
    ),
    Entry(
        "probes.transfer_encoding.underscore_name",
        "RFC 9112 §6.3",
        Level.MUST,
        # Framed by its Content-Length (RFC 9110 §2.4), the unknown field ignored: "Other
        # recipients SHOULD ignore unrecognized header and trailer fields." (RFC 9110 §5.1)
        Definition(VALID_LENGTH, (INTERPRET, "9110-5.1-2")),
        _post("Transfer_Encoding: chunked", "Content-Length: 5", body=CONTENT),
        (Served(CONTENT),),
        "Transfer_Encoding is another field (CGI-style name mapping makes them one)",
    ),
    Entry(
        "probes.transfer_encoding.http10_with_content_length",
        "RFC 9112 §6.1",
        Level.MUST,
        HTTP10,
        _post(
            "Connection: keep-alive",
            "Transfer-Encoding: chunked",
            f"Content-Length: {len(BODY)}",
            version="HTTP/1.0",
        ),
        (Answered(After.CLOSE),),
        "HTTP/1.0 with both fields, keep-alive asked: only this rule closes the connection",
    ),
)

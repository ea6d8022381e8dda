"""TE.TE smuggling sequences at the server: RFC 9112 §6.1, §6.3 (ids in the smuggling theme).

Each probe spells Transfer-Encoding so that one reader sees chunked and another does not
(whitespace, commas, case, folding, CTLs, quotes, repeated lines), beside a Content-Length that
covers a hidden ``GET /echo?smuggled`` (smuggling.py says how the runner and the follow-up show
where the server split the stream). Where the value still names chunked alone, the two-field
rule applies: refused, or decoded as chunked, and closed either way. Where it does not, chunked
is not final: 400 or 501, then closed. An ill-formed field line is refused.
"""

from __future__ import annotations

from harness.cases import Level
from harness.catalogue import After, Entry, Served, Status, message

from .sentences import FIRST_LINE_WHITESPACE, NAME_COLON, OBS_FOLD
from .smuggling import REFUSED, ZERO_THEN_SMUGGLED, both, not_final


def _te_te(name: str, te_line: str, note: str, *see_also: str) -> Entry:
    """TE.TE: a Transfer-Encoding line that still names chunked (alone, as the final coding),
    and a Content-Length covering the last chunk and SMUGGLED after it."""
    return both(
        name,
        te_line,
        f"Content-Length: {len(ZERO_THEN_SMUGGLED)}",
        body=ZERO_THEN_SMUGGLED,
        content=b"",
        note=note,
        see_also=see_also,
    )


def _hidden_by_length(*field_lines: str) -> bytes:
    """POST /echo with ``field_lines`` and a Content-Length covering ZERO_THEN_SMUGGLED."""
    return message(
        "POST /echo HTTP/1.1",
        *field_lines,
        f"Content-Length: {len(ZERO_THEN_SMUGGLED)}",
        body=ZERO_THEN_SMUGGLED,
    )


CHUNKED_TWICE = (
    "A sender MUST NOT apply the chunked transfer coding more than once to a message body (i.e., "
    "chunking an already chunked message is not allowed)."
)
ENTRIES = (
    both(
        "te_upper_case_with_cl",
        "Transfer-Encoding: CHUNKED",
        f"Content-Length: {len(ZERO_THEN_SMUGGLED)}",
        body=ZERO_THEN_SMUGGLED,
        content=b"",
        note="TE.TE: CHUNKED is chunked (coding names are case-insensitive, RFC 9112 §7)",
    ),
    both(
        "te_te_empty_second_line",
        "Transfer-Encoding: chunked",
        "Transfer-Encoding: ",
        f"Content-Length: {len(ZERO_THEN_SMUGGLED)}",
        body=ZERO_THEN_SMUGGLED,
        content=b"",
        note="TE.TE: 'chunked, ' has one coding, chunked (empty list elements are ignored, "
        "RFC 9110 §5.6.1); a reader of the last line sees none and uses the Content-Length",
    ),
    not_final(
        "te_unknown_with_cl",
        "Transfer-Encoding: xchunked",
        note="TE.CL: a reader that ignores a coding it does not know frames by the length",
    ),
    not_final(
        "te_te_second_unknown_with_cl",
        "Transfer-Encoding: chunked",
        "Transfer-Encoding: x",
        note="TE.TE: the lines combine into 'chunked, x' (RFC 9110 §5.3): chunked not final",
    ),
    _te_te(
        "te_tab_before_value",
        "Transfer-Encoding:\tchunked",
        "TE.TE: HTAB is OWS, so the value is chunked",
        "SMUG-TE-TAB-BEFORE-VALUE",
    ),
    _te_te(
        "te_trailing_space_with_cl",
        "Transfer-Encoding: chunked ",
        "TE.TE: trailing OWS is no part of the value (RFC 9112 §5.1)",
        "SMUG-TE-TRAILING-SPACE",
        "SMUG-CLTE-SMUGGLED-GET-TE-TRAILING-SPACE",
    ),
    _te_te(
        "te_leading_comma_with_cl",
        "Transfer-Encoding: , chunked",
        "TE.TE: ', chunked' is the one coding chunked (RFC 9110 §5.6.1)",
        "SMUG-TE-LEADING-COMMA",
        "SMUG-CLTE-SMUGGLED-GET-TE-LEADING-COMMA",
    ),
    _te_te(
        "te_trailing_comma_with_cl",
        "Transfer-Encoding: chunked,",
        "TE.TE: 'chunked,' is the one coding chunked (RFC 9110 §5.6.1)",
        "SMUG-TE-TRAILING-COMMA",
    ),
    _te_te(
        "te_capitalised_with_cl",
        "Transfer-Encoding: Chunked",
        "TE.TE: Chunked is chunked (coding names are case-insensitive, RFC 9112 §7)",
        "SMUG-TE-CASE-MISMATCH",
        "SMUG-CLTE-SMUGGLED-GET-TE-CASE-MISMATCH",
    ),
    Entry(
        "probes.smuggling.te_obs_fold_with_cl",
        "RFC 9112 §5.2, §6.1",
        Level.MUST,
        OBS_FOLD,
        _hidden_by_length("Transfer-Encoding:", " chunked"),
        # Unfolded, the value is chunked and both framing fields are present (§6.1): closed.
        (REFUSED, Served(b"", After.CLOSE)),
        "TE.TE: the value folded onto a second line; a reader that drops the fold frames by "
        "the Content-Length",
        ("SMUG-TE-OBS-FOLD", "SMUG-CLTE-SMUGGLED-GET-TE-OBS-FOLD"),
    ),
    Entry(
        "probes.smuggling.te_space_before_colon_with_cl",
        "RFC 9112 §5.1",
        Level.MUST,
        NAME_COLON,
        _hidden_by_length("Transfer-Encoding : chunked"),
        (Status((400,), After.ANY),),
        "TE.TE: 'Transfer-Encoding :' is read as the field by some, ignored by others",
        ("SMUG-TE-SP-BEFORE-COLON",),
    ),
    Entry(
        "probes.smuggling.te_indented_first_line_with_cl",
        "RFC 9112 §2.2",
        Level.MUST,
        FIRST_LINE_WHITESPACE,
        message(
            "POST /echo HTTP/1.1",
            " Transfer-Encoding: chunked",
            "Host: {host}",
            f"Content-Length: {len(ZERO_THEN_SMUGGLED)}",
            host=False,
            body=ZERO_THEN_SMUGGLED,
        ),
        # Ignored, the line leaves the Content-Length alone to frame the content.
        (
            Status((400,), After.ANY),
            Served(ZERO_THEN_SMUGGLED, fields=(("Transfer-Encoding", ()),)),
        ),
        "TE.TE: the Transfer-Encoding line indented right after the request line",
    ),
    Entry(
        "probes.smuggling.te_chunked_twice_with_cl",
        "RFC 9112 §6.1, §6.3",
        Level.MUST,
        CHUNKED_TWICE,
        _hidden_by_length("Transfer-Encoding: chunked, chunked"),
        # The final coding is chunked, so it frames the content (§6.3) and, with a
        # Content-Length too, the connection closes (§6.1); the content, once unchunked, is
        # no chunked body, which a server may refuse.
        (Status((400, 501), After.CLOSE), Served(b"", After.CLOSE)),
        "TE.TE: chunked applied twice; a reader that refuses to decode it must not fall back "
        "to the Content-Length",
        ("SMUG-TE-DOUBLE-CHUNKED",),
    ),
    Entry(
        "probes.smuggling.te_chunked_two_lines_with_cl",
        "RFC 9112 §6.1, §6.3; RFC 9110 §5.3",
        Level.MUST,
        CHUNKED_TWICE,
        _hidden_by_length("Transfer-Encoding: chunked", "Transfer-Encoding: chunked"),
        (Status((400, 501), After.CLOSE), Served(b"", After.CLOSE)),
        "TE.TE: two chunked lines combine into 'chunked, chunked'",
    ),
    not_final(
        "te_quoted_with_cl",
        'Transfer-Encoding: "chunked"',
        note="TE.CL: a quoted string is no coding name: chunked is not final",
    ),
    not_final(
        "te_identity_with_cl",
        "Transfer-Encoding: identity",
        note="TE.CL: identity is no longer a coding; a reader that skips it frames by the length",
        see_also=("SMUG-TE-IDENTITY",),
    ),
    not_final(
        "te_te_second_identity_with_cl",
        "Transfer-Encoding: chunked",
        "Transfer-Encoding: identity",
        note="TE.TE: the lines combine into 'chunked, identity': chunked not final",
        see_also=("SMUG-TE-DUPLICATE-HEADERS", "SMUG-TE-DUPLICATE-HEADERS-SMUGGLED-GET"),
    ),
    not_final(
        "te_vertical_tab_with_cl",
        "Transfer-Encoding: \x0bchunked",
        note="TE.TE: VT is no OWS, so the coding is '\\x0bchunked', not chunked",
        see_also=("SMUG-TE-VTAB",),
    ),
    not_final(
        "te_form_feed_with_cl",
        "Transfer-Encoding: \x0cchunked",
        note="TE.TE: FF is no OWS, so the coding is '\\x0cchunked', not chunked",
        see_also=("SMUG-TE-FORMFEED",),
    ),
    not_final(
        "te_nul_with_cl",
        "Transfer-Encoding: chunked\x00",
        note="TE.TE: NUL rejected (RFC 9110 §5.5), or replaced with SP, when the content, "
        "decoded as chunked, is no chunked body: refused either way",
        rfc="RFC 9112 §6.3; RFC 9110 §5.5",
        see_also=("SMUG-TE-NULL",),
    ),
)

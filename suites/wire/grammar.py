"""The ABNF the wire-output cases check sent values against, as regular expressions (RFC 9110
§5.5, §5.6, §10.1.5, §12.5.3; RFC 3986 §3.3-3.4 for the origin-form), and the checks they
share."""

from __future__ import annotations

import re
import urllib.parse

from harness.wire import Check, Sent

TOKEN = r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+"
# field-value = *field-content; field-content = field-vchar [ 1*( SP / HTAB / field-vchar )
# field-vchar ]; field-vchar = VCHAR / obs-text
FIELD_VALUE = re.compile(r"(?:[!-~\x80-\xff](?:[ \t!-~\x80-\xff]*[!-~\x80-\xff])?)?")
# User-Agent = product *( RWS ( product / comment ) ); product = token ["/" product-version];
# comment = "(" *( ctext / quoted-pair / comment ) ")", here nested one level deep.
_PRODUCT = rf"{TOKEN}(?:/{TOKEN})?"
_CTEXT = r"[\t !-'*-\[\]-~\x80-\xff]|\\[\t !-~\x80-\xff]"
_COMMENT = rf"\((?:{_CTEXT}|\((?:{_CTEXT})*\))*\)"
USER_AGENT = re.compile(rf"{_PRODUCT}(?:[ \t]+(?:{_PRODUCT}|{_COMMENT}))*")
# Accept-Encoding = #( codings [ weight ] ); weight = OWS ";" OWS "q=" qvalue
_CODINGS = rf"(?:{TOKEN})(?:[ \t]*;[ \t]*[qQ]=(?:0(?:\.[0-9]{{0,3}})?|1(?:\.0{{0,3}})?))?"
ACCEPT_ENCODING = re.compile(rf"(?:{_CODINGS}(?:[ \t]*,[ \t]*{_CODINGS})*)?")
# origin-form = absolute-path [ "?" query ]; segment = *pchar; pchar = unreserved /
# pct-encoded / sub-delims / ":" / "@"; query = *( pchar / "/" / "?" )
_PCHAR = r"(?:[A-Za-z0-9\-._~!$&'()*+,;=:@]|%[0-9A-Fa-f]{2})"
ORIGIN_FORM = re.compile(rf"(?:/{_PCHAR}*)+(?:\?(?:{_PCHAR}|[/?])*)?")


def one_field(sent: Sent, name: str) -> str | None:
    """What is wrong unless exactly one ``name`` field line was sent."""
    values = sent.fields(name)
    return None if len(values) == 1 else f"{len(values)} {name} field lines: {values}"


def field_values_valid(sent: Sent) -> str | None:
    """The first field line whose value does not match field-value (RFC 9110 §5.5)."""
    for name, value in sent.request.headers:
        if not FIELD_VALUE.fullmatch(value):
            return f"the field value of {name} is not a field-value: {value!r}"
    return None


def origin_form_of(wanted: str) -> Check:
    """A check: the request-target is in origin-form and percent-decodes to ``wanted`` (the
    caller's target, its characters encoded as RFC 3986 §2.1 says, or left as they were)."""

    def check(sent: Sent) -> str | None:
        target = sent.request.target
        if not ORIGIN_FORM.fullmatch(target):
            return f"request-target {target!r} is not in origin-form"
        try:
            decoded = urllib.parse.unquote(target, errors="strict")
        except UnicodeDecodeError:
            decoded = None
        if decoded != wanted:
            return f"request-target {target!r} is not {wanted!r}, percent-encoded as UTF-8"
        return None

    return check

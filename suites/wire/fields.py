"""Field lines a caller should not be able to send: CR, LF and NUL in a value, a folded value,
a name that is no token. A client refuses them before sending anything (a pass), or sends
something that is still valid and carries no field the caller did not name."""

from __future__ import annotations

from harness.cases import Level
from harness.implementation import Capability
from harness.wire import GRAMMAR, Sent, WireCase

from .grammar import field_values_valid

# The name the injection rows smuggle in: no client may send it as a field of its own.
INJECTED = "X-Injected"
BARE_CR = (
    "A sender MUST NOT generate a bare CR (a CR character not immediately followed by LF) "
    "within any protocol elements other than the content."
)
OBS_FOLD = (
    "A sender MUST NOT generate a message that includes line folding (i.e., that has any "
    "field line value that contains a match to the obs-fold rule) unless the message is "
    'intended for packaging within the "message/http" media type.'
)


def _no_injection(sent: Sent) -> str | None:
    if sent.fields(INJECTED):
        return f"a field line {INJECTED} the caller never named: {sent.fields(INJECTED)}"
    return field_values_valid(sent)


def _value(
    what: str, value: str, requirement: str = GRAMMAR, rfc: str = "RFC 9110 §2.2, §5.5"
) -> WireCase:
    return WireCase(
        f"wire.field_value.{what}",
        rfc,
        Level.MUST,
        requirement,
        _no_injection,
        headers=(("X-Wire", value),),
        refusable=True,
        expected=f"X-Wire: {value!r} refused, or sent as a valid field-value and nothing more",
        requires=(Capability.NUL_IN_REQUEST,) if "\x00" in value else (),
    )


CASES = (
    _value("crlf", f"a\r\n{INJECTED}: b"),
    _value("lf", f"a\n{INJECTED}: b"),
    _value("cr", "a\rb", BARE_CR, "RFC 9112 §2.2"),
    _value("nul", "a\x00b"),
    _value("obs_fold", "a\r\n b", OBS_FOLD, "RFC 9112 §5.2"),
    _value("control", "a\x7fb"),
    WireCase(
        "wire.field_name.space",
        "RFC 9110 §2.2, §5.1",
        Level.MUST,
        GRAMMAR,
        field_values_valid,
        headers=(("X Wire", "1"),),
        refusable=True,
        expected="the field name 'X Wire' refused (field-name = token)",
    ),
)

"""Host (RFC 9112 §3.2, RFC 9110 §7.2), the request line, and the fields a user agent adds of
its own accord (User-Agent, Accept-Encoding)."""

from __future__ import annotations

from harness.cases import Level
from harness.wire import GRAMMAR, Sent, WireCase

from .grammar import ACCEPT_ENCODING, USER_AGENT, one_field

HOST_SENT = (
    "A client MUST send a Host header field (Section 7.2 of [HTTP]) in all HTTP/1.1 request "
    "messages."
)
HOST_AUTHORITY = (
    "If the target URI includes an authority component, then a client MUST send a field value "
    "for Host that is identical to that authority component, excluding any userinfo "
    'subcomponent and its "@" delimiter (Section 4.2 of [HTTP]).'
)
MULTIPLE_LINES = (
    "This means that, aside from the well-known exception noted below, a sender MUST NOT "
    "generate multiple field lines with the same name in a message (whether in the headers or "
    "trailers) or append a field line when a field line of the same name already exists in "
    "the message, unless that field's definition allows multiple field line values to be "
    "recombined as a comma-separated list (i.e., at least one alternative of the field's "
    "definition allows a comma-separated list, such as an ABNF rule of #(values) defined in "
    "Section 5.6.1)."
)


def _host_is_authority(sent: Sent) -> str | None:
    values = sent.fields("Host")
    if values != [sent.target.authority]:
        return f"Host {values}"
    return None


def _host_first(sent: Sent) -> str | None:
    names = [name for name, _ in sent.request.headers]
    if "host" in (name.lower() for name in names) and names[0].lower() != "host":
        return f"the fields in the order {names}"
    return None


def _request_line(sent: Sent) -> str | None:
    request = sent.request
    line = f"{request.method} {request.target} {request.version}"
    return None if line == "GET /wire HTTP/1.1" else f"the request line {line!r}"


def _user_agent(sent: Sent) -> str | None:
    values = sent.fields("User-Agent")
    if len(values) != 1:
        return f"{len(values)} User-Agent field lines: {values}"
    if not USER_AGENT.fullmatch(values[0]):
        return f"User-Agent {values[0]!r}, not product *( RWS ( product / comment ) )"
    return None


def _accept_encoding(sent: Sent) -> str | None:
    bad = [
        value for value in sent.fields("Accept-Encoding") if not ACCEPT_ENCODING.fullmatch(value)
    ]
    return f"Accept-Encoding {bad}, not #( codings [ weight ] )" if bad else None


CASES = (
    WireCase(
        "wire.host.present",
        "RFC 9112 §3.2",
        Level.MUST,
        HOST_SENT,
        lambda sent: one_field(sent, "Host"),
        expected="one Host field line",
    ),
    WireCase(
        "wire.host.authority",
        "RFC 9112 §3.2",
        Level.MUST,
        HOST_AUTHORITY,
        _host_is_authority,
        expected="Host with the target's host and its port (not the default port)",
    ),
    WireCase(
        "wire.host.first",
        "RFC 9110 §7.2",
        Level.SHOULD,
        "A user agent that sends Host SHOULD send it as the first field in the header section "
        "of a request.",
        _host_first,
        headers=(("X-Wire", "1"),),
        expected="Host as the first field line",
    ),
    WireCase(
        "wire.host.caller_supplied",
        "RFC 9110 §5.3",
        Level.MUST,
        MULTIPLE_LINES,
        lambda sent: one_field(sent, "Host"),
        headers=(("Host", "wire.example"),),
        refusable=True,
        expected="one Host field line when the caller names a Host",
    ),
    WireCase(
        "wire.request_line.grammar",
        "RFC 9110 §2.2; RFC 9112 §3",
        Level.MUST,
        GRAMMAR,
        _request_line,
        target="/wire",
        expected="the request line 'GET /wire HTTP/1.1'",
    ),
    WireCase(
        "wire.user_agent.sent",
        "RFC 9110 §10.1.5",
        Level.SHOULD,
        "A user agent SHOULD send a User-Agent header field in each request unless "
        "specifically configured not to do so.",
        _user_agent,
        expected="one User-Agent field of product *( RWS ( product / comment ) )",
    ),
    WireCase(
        "wire.accept_encoding.grammar",
        "RFC 9110 §2.2, §12.5.3",
        Level.MUST,
        GRAMMAR,
        _accept_encoding,
        expected="Accept-Encoding absent, or #( codings [ weight ] )",
    ),
)

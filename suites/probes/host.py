"""Host at the server: RFC 9112 §3.2 (the field in requests), §3.2.2 (absolute-form), §3.3
(the target URI); RFC 9110 §7.2 (the field's grammar, ``Host = uri-host [ ":" port ]``).

Every probe is ``GET /echo`` (no content) with its Host field lines written out, followed on
the connection by ``GET /echo?next``. A missing Host in HTTP/1.1, more than one Host line, or
a value that is not ``uri-host [ ":" port ]`` gets 400; the message's framing is sound, so
what happens to the follow-up is the server's choice. Where the RFC allows serving, /echo
shows which Host the server handed the application. suites/test_errors.py already sends an
HTTP/1.1 request without Host and one with the server's Host then another; these entries are
the rest.
"""

from __future__ import annotations

from harness.cases import Level
from harness.catalogue import After, Entry, Served, Status, message
from harness.requirements import Definition

HOST_400 = (
    "A server MUST respond with a 400 (Bad Request) status code to any HTTP/1.1 request "
    "message that lacks a Host header field and to any request message that contains more "
    "than one Host header field line or a Host header field with an invalid field value."
)
ABSOLUTE_FORM = (
    "When an origin server receives a request with an absolute-form of request-target, the "
    "origin server MUST ignore the received Host header field (if any) and instead use the "
    "host information of the request-target."
)
# The default it may apply: "A server that can uniquely identify an authority from the request
# context MAY use that identity as a default without this risk." (RFC 9112 §3.3)
EMPTY_AUTHORITY = Definition(
    "If the target URI's authority component is empty and its URI scheme requires a non-empty "
    'authority (as is the case for "http" and "https"), the server can reject the request or '
    "determine whether a configured default applies that is consistent with the incoming "
    "connection's context.",
    ("9112-3.3-1",),
)

REFUSED = Status((400,), After.ANY)
OTHER = "example.com"  # a host the request-target or a second line names instead of the server


def _get(*field_lines: str, target: str = "/echo", version: str = "HTTP/1.1") -> bytes:
    """A GET whose Host field lines are exactly ``field_lines`` (no ``Host: {host}`` added)."""
    return message(f"GET {target} {version}", *field_lines, host=False)


def _refused(name: str, request: bytes, note: str, rfc: str = "RFC 9112 §3.2") -> Entry:
    return Entry(f"probes.host.{name}", rfc, Level.MUST, HOST_400, request, (REFUSED,), note)


def _invalid(name: str, value: str, note: str) -> Entry:
    """One Host line whose value is not ``uri-host [ ":" port ]``."""
    return _refused(name, _get(f"Host: {value}"), note, "RFC 9112 §3.2; RFC 9110 §7.2")


ENTRIES = (
    _refused(
        "missing_absolute_form",
        _get(target="http://{host}/echo"),
        "the target names the host, yet HTTP/1.1 requires the field too (§3.2.2)",
        "RFC 9112 §3.2, §3.2.2",
    ),
    _refused("twice_same", _get("Host: {host}", "Host: {host}"), "two lines, one value"),
    _refused(
        "twice_differs_first_other",
        _get(f"Host: {OTHER}", "Host: {host}"),
        "two hosts, the server's last: a recipient taking the last one serves it",
    ),
    _refused(
        "twice_http10",
        _get("Host: {host}", "Host: {host}", version="HTTP/1.0"),
        "'any request message': HTTP/1.0 too",
    ),
    _refused(
        "twice_with_absolute_form",
        _get("Host: {host}", f"Host: {OTHER}", target="http://{host}/echo"),
        "the target settles the host, yet two Host lines are still refused",
        "RFC 9112 §3.2, §3.2.2",
    ),
    _invalid("comma_list", "{host}, {host}", "Host is no list: ', ' (SP) is in no uri-host"),
    _invalid("userinfo", "user@{host}", "'@' is in no uri-host: userinfo is not sent"),
    _invalid("with_path", "{host}/echo", "'/' is in no uri-host: a path is not either"),
    _invalid("port_letters", f"{OTHER}:http", "port = *DIGIT"),
    _invalid("port_negative", f"{OTHER}:-1", "port = *DIGIT: no sign"),
    _invalid("two_ports", f"{OTHER}:80:80", "one port at most"),
    _invalid("ipv6_unbracketed", "::1", "an IPv6 address outside brackets"),
    _invalid("inner_space", "example .com", "SP is in no uri-host"),
    _invalid("bracket_unclosed", "[::1", "an IP-literal without its ']'"),
    Entry(
        "probes.host.empty",
        "RFC 9112 §3.3, §3.2",
        Level.MAY,
        EMPTY_AUTHORITY,
        _get("Host:"),
        # An empty value is valid (a client sends one when the target URI has no authority):
        # rejected, or served with that empty value handed on, never another one.
        (REFUSED, Served(b"", method="GET", fields=(("Host", ("",)),))),
        "an empty Host: the target URI's authority is empty",
    ),
    Entry(
        "probes.host.absolute_form_differs",
        "RFC 9112 §3.2.2",
        Level.MUST,
        ABSOLUTE_FORM,
        _get("Host: {host}", target=f"http://{OTHER}/echo"),
        # What the application is given must name the target's host: the Host it sees is
        # the target's (whatever target it is shown), or it sees no Host and the target.
        (
            Served(b"", method="GET", target="/echo", fields=(("Host", (OTHER,)),)),
            Served(b"", method="GET", target=f"http://{OTHER}/echo", fields=(("Host", (OTHER,)),)),
            Served(b"", method="GET", target=f"http://{OTHER}/echo", fields=(("Host", ()),)),
        ),
        f"the target names {OTHER}, the Host field the server itself",
    ),
)

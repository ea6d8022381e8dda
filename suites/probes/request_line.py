"""The request-line and the request-target at the server: RFC 9112 §2.2 (parsing), §2.3
(the version), §3 (the request-line), §3.2 (the request-target and its four forms).

Every probe is a ``GET`` (``/echo`` where a target is readable), followed on the connection by
``GET /echo?next``. A line the grammar does not allow gets 400 or a 301 to the properly encoded
target (§3.2); where §3 lets a recipient read whitespace leniently, serving ``/echo`` is allowed
too. Octets the target may not hold sit in the query, so a server that lets them through serves
``/echo`` and shows it. An empty line before the request-line is ignored (§2.2); a 400 or a
close instead is what that SHOULD advises against, a warn.
"""

from __future__ import annotations

from harness.cases import Level
from harness.catalogue import After, Closed, Entry, Served, Status, message

from .sentences import FIRST_LINE_WHITESPACE

INVALID = (
    "Recipients of an invalid request-line SHOULD respond with either a 400 (Bad Request) error "
    "or a 301 (Moved Permanently) redirect with the request-target properly encoded."
)
LENIENT_WHITESPACE = (
    "Although the request-line grammar rule requires that each of the component elements be "
    "separated by a single SP octet, recipients MAY instead parse on whitespace-delimited word "
    "boundaries and, aside from the CRLF terminator, treat any form of whitespace as the SP "
    "separator while ignoring preceding or trailing whitespace; such whitespace includes one or "
    "more of the following octets: SP, HTAB, VT (%x0B), FF (%x0C), or bare CR."
)
ABSOLUTE_FORM = (
    "A server MUST accept the absolute-form in requests even though most HTTP/1.1 clients will "
    "only send the absolute-form to a proxy."
)
CONNECT_PORT = (
    "A server MUST reject a CONNECT request that targets an empty or invalid port number, "
    "typically by responding with a 400 (Bad Request) status code."
)
CONNECT_ORIGIN = (
    "An origin server MAY accept a CONNECT request, but most origin servers do not implement "
    "CONNECT."
)
EMPTY_LINE = (
    "In the interest of robustness, a server that is expecting to receive and parse a "
    "request-line SHOULD ignore at least one empty line (CRLF) received prior to the "
    "request-line."
)

REFUSED = Status((400, 301), After.ANY)
# Any client or server error status: a CONNECT not honoured (RFC 9110 §9.3.6).
NOT_TUNNELLED = Status(tuple(range(400, 600)), After.ANY)
SERVED = Served(b"", method="GET")


def _invalid(name: str, request_line: str, rfc: str, note: str) -> Entry:
    """A request-line the grammar does not allow: 400, or a 301 to the encoded target."""
    return Entry(
        f"probes.request_line.{name}",
        rfc,
        Level.SHOULD,
        INVALID,
        message(request_line),
        (REFUSED,),
        note,
    )


def _bad_target(name: str, target: str, note: str) -> Entry:
    return _invalid(name, f"GET {target} HTTP/1.1", "RFC 9112 §3.2", note)


def _bad_version(name: str, version: str, note: str) -> Entry:
    return _invalid(name, f"GET /echo {version}", "RFC 9112 §2.3, §3.2", note)


def _whitespace(name: str, request_line: str, note: str) -> Entry:
    """Whitespace other than one SP around the parts: refused, or read leniently as §3 allows."""
    return Entry(
        f"probes.request_line.{name}",
        "RFC 9112 §3",
        Level.MAY,
        LENIENT_WHITESPACE,
        message(request_line),
        (REFUSED, SERVED),
        note,
    )


def _absolute(name: str, request_line: str, note: str) -> Entry:
    return Entry(
        f"probes.request_line.{name}",
        "RFC 9112 §3.2.2",
        Level.MUST,
        ABSOLUTE_FORM,
        message(request_line),
        # Accepted: /echo answers 200 (a server that took the URI for a path finds nothing).
        (Status((200,), After.NEXT),),
        note,
    )


def _indented(name: str, *lines: str, note: str) -> Entry:
    """Whitespace-preceded lines between the request-line and the first field line."""
    return Entry(
        f"probes.request_line.{name}",
        "RFC 9112 §2.2",
        Level.MUST,
        FIRST_LINE_WHITESPACE,
        message("GET /echo HTTP/1.1", *lines, "Host: {host}", host=False),
        (Status((400,), After.ANY), Served(b"", method="GET", fields=(("X-Probe", ()),))),
        note,
    )


ENTRIES = (
    _bad_target("nul_in_target", "/echo?a\x00b", "NUL is no URI octet"),
    _bad_target("ctl_in_target", "/echo?a\x01b", "SOH (%x01) is no URI octet"),
    _bad_target("del_in_target", "/echo?a\x7fb", "DEL is no URI octet"),
    _bad_target("tab_in_target", "/echo?a\tb", "no whitespace is allowed in the target"),
    _bad_target("non_ascii_in_target", "/echo?a\xb5b", "an octet above %x7F is no URI octet"),
    _bad_target("utf8_in_target", "/echo?\xc3\xa9", "raw UTF-8 (é) is not percent-encoded"),
    _bad_target(
        "overlong_utf8_in_target",
        "/echo?\xc0\xae\xc0\xae",
        "overlong UTF-8 for '..' (%xC0 %xAE twice): no URI octets, and no valid UTF-8 either",
    ),
    _bad_target("fragment", "/echo#frag", "origin-form is absolute-path [ '?' query ]: no '#'"),
    _bad_target("fragment_after_query", "/echo?a#frag", "no fragment after the query either"),
    _bad_target("no_leading_slash", "echo", "'echo' is neither an absolute-path nor a URI"),
    _bad_version("version_lower_case", "http/1.1", 'HTTP-version is case-sensitive: %s"HTTP"'),
    _bad_version("version_two_digit_minor", "HTTP/1.10", "DIGIT '.' DIGIT: one digit each"),
    _bad_version("version_no_minor", "HTTP/1", "DIGIT '.' DIGIT: the minor version is missing"),
    _bad_version("version_missing", "", "no version at all after the second SP"),
    _absolute("absolute_form", "GET http://{host}/echo?absolute HTTP/1.1", "absolute-form"),
    _absolute(
        "absolute_form_upper_scheme",
        "GET HTTP://{host}/echo?absolute HTTP/1.1",
        "the scheme is case-insensitive (RFC 3986 §3.1): still the absolute-form",
    ),
    _whitespace("trailing_space", "GET /echo HTTP/1.1 ", "SP after the version"),
    _whitespace("two_spaces", "GET  /echo  HTTP/1.1", "two SP between the parts"),
    _whitespace("tabs", "GET\t/echo\tHTTP/1.1", "HTAB between the parts"),
    _whitespace("leading_space", " GET /echo HTTP/1.1", "SP before the method"),
    _whitespace("vertical_tab", "GET\x0b/echo HTTP/1.1", "VT between method and target"),
    _whitespace("form_feed", "GET /echo\x0cHTTP/1.1", "FF between target and version"),
    Entry(
        "probes.request_line.empty_line_before",
        "RFC 9112 §2.2",
        Level.SHOULD,
        EMPTY_LINE,
        b"\r\n" + message("GET /echo HTTP/1.1"),
        (SERVED,),
        "one CRLF before the request-line, as old HTTP/1.0 clients sent after a POST; not "
        "ignored, it gets a 400 or a close, which the SHOULD advises against (a warn)",
        discouraged=(Status((400,), After.ANY), Closed()),
    ),
    _indented("whitespace_line_before_fields", " ", note="a line of one SP before Host"),
    _indented("indented_first_field", " X-Probe: hidden", note="SP before the first field"),
    _indented("tab_indented_first_field", "\tX-Probe: hidden", note="HTAB before it"),
    _indented(
        "indented_lines_before_fields",
        " X-Probe: hidden",
        " X-Probe: also hidden",
        note="two whitespace-preceded lines: both ignored, or the message rejected",
    ),
    Entry(
        "probes.request_line.connect_no_port",
        "RFC 9110 §9.3.6",
        Level.MUST,
        CONNECT_PORT,
        message("CONNECT 127.0.0.1 HTTP/1.1"),
        (NOT_TUNNELLED, Closed()),
        "authority-form without the port (RFC 9112 §3.2.3: uri-host ':' port): rejected",
    ),
    Entry(
        "probes.request_line.connect_unsupported",
        "RFC 9110 §9.3.6",
        Level.MAY,
        CONNECT_ORIGIN,
        message("CONNECT {host} HTTP/1.1"),
        (NOT_TUNNELLED, Closed()),
        "a CONNECT to the server itself, which implements no tunnel: an error status (405, "
        "501) or a close; a 2xx would announce a tunnel it does not provide",
    ),
)

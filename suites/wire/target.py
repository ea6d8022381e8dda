"""The request-target towards an origin server (RFC 9112 §3.2, §3.2.1): origin-form, no
fragment, and characters that cannot go raw (SP, CR, LF, NUL, non-ASCII) either
percent-encoded or refused; towards a proxy (§3.2.2): absolute-form, with Host."""

from __future__ import annotations

from harness.cases import Level
from harness.implementation import Capability
from harness.requirements import Definition, quoted
from harness.wire import BEHIND_PROXY, GRAMMAR, Sent, WireCase

from .grammar import origin_form_of
from .host import HOST_AUTHORITY

ORIGIN_FORM = (
    "When making a request directly to an origin server, other than a CONNECT or server-wide "
    "OPTIONS request (as detailed below), a client MUST send only the absolute path and query "
    "components of the target URI as the request-target."
)
ABSOLUTE_FORM = (
    "When making a request to a proxy, other than a CONNECT or server-wide OPTIONS request (as "
    "detailed below), a client MUST send the target URI in absolute-form as the request-target."
)
HOST_WITH_ABSOLUTE_FORM = (
    "A client MUST send a Host header field in an HTTP/1.1 request even if the request-target "
    "is in the absolute-form, since this allows the Host information to be forwarded through "
    "ancient HTTP/1.0 proxies that might not have implemented Host."
)
PROXIED_PATH = "/p/q?x=1"
# A definition: a sender is bound to it by the grammar it must not break (RFC 9110 §2.2).
NO_WHITESPACE = Definition("No whitespace is allowed in the request-target.", quoted(GRAMMAR))


def _encoded(what: str, target: str, wanted: str, requirement: str = GRAMMAR) -> WireCase:
    """A target with characters that cannot be sent raw: refused, or percent-encoded."""
    return WireCase(
        f"wire.target.{what}",
        "RFC 9110 §2.2; RFC 9112 §3.2",
        Level.MUST,
        requirement,
        origin_form_of(wanted),
        target=target,
        refusable=True,
        expected=f"the target {target!r} refused, or sent percent-encoded in origin-form",
        requires=(Capability.NUL_IN_REQUEST,) if "\x00" in target else (),
    )


def _absolute_form(sent: Sent) -> str | None:
    """The target URI in absolute-form, and one Host field identical to its authority."""
    wanted = BEHIND_PROXY.base_url + PROXIED_PATH
    if sent.request.target != wanted:
        return f"request-target {sent.request.target!r}, not {wanted!r}"
    hosts = sent.fields("Host")
    if hosts != [BEHIND_PROXY.authority]:
        return f"Host {hosts}, not [{BEHIND_PROXY.authority!r}]"
    return None


CASES = (
    WireCase(
        "wire.target.origin_form",
        "RFC 9112 §3.2.1",
        Level.MUST,
        ORIGIN_FORM,
        origin_form_of("/p/q?x=1&y=%"),
        target="/p/q?x=1&y=%25",
        expected="the request-target '/p/q?x=1&y=%25' (or the same, encoded otherwise)",
    ),
    WireCase(
        "wire.target.fragment",
        "RFC 9112 §3.2.1",
        Level.MUST,
        ORIGIN_FORM,
        origin_form_of("/p?x=1"),
        target="/p?x=1#part",
        expected="the request-target '/p?x=1' (the fragment is no part of the target URI)",
    ),
    _encoded("space", "/a b", "/a b", NO_WHITESPACE),
    _encoded("crlf", "/a\r\nX-Injected: b", "/a\r\nX-Injected: b"),
    _encoded("nul", "/a\x00b", "/a\x00b"),
    _encoded("non_ascii", "/caf\u00e9", "/caf\u00e9"),
    WireCase(
        "wire.target.absolute_form_to_proxy",
        "RFC 9112 §3.2, §3.2.2",
        Level.MUST,
        f"{ABSOLUTE_FORM} {HOST_WITH_ABSOLUTE_FORM} {HOST_AUTHORITY}",
        _absolute_form,
        target=PROXIED_PATH,
        expected=f"the request-target {BEHIND_PROXY.base_url + PROXIED_PATH!r} sent to the "
        f"proxy, with Host {BEHIND_PROXY.authority!r}",
        requires=(Capability.PROXY,),
        proxy=True,
    ),
)

"""Whose failure an interop cell's is: the server's /echo record against what the client sent.

An interop cell sees what the server says it received (/echo's JSON, docs/contract.md) but
not what the client put on the wire. When a check fails and no expectation file lists the
cell, the plugin asks ``judge``: the same client sends the same request again, to a scripted
server that reads it byte for byte (the witness), and the three are compared in what a check
can look at (method, request-target, content, the fields the request named, and the framing
fields where the server echoes them):

- the server's record differs from what the client sent: the server's (it changed, dropped
  or added something between the wire and its record, or read the wrong content);
- the record is what the client sent, and that differs from what the client was asked to
  send: the client's;
- the record is what the client sent, as asked: it cannot tell (the failure is in the
  answer, which the server wrote and the client read);
- no record (another status, no /echo document, a client error) or no witness: it cannot
  tell, and says what the client sent.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from harness import contract
from harness.cells import SCRIPTED_TIMEOUTS, Conversation, fresh
from harness.errors import ClientError
from harness.model import Headers, RequestSpec
from harness.probe import Request, parse_request
from harness.results import BLAME_LINE, Blame
from harness.scripted import Close, ScriptedServer, Send

# What the witness answers, once it has read the whole request.
WITNESS_ANSWER = b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
FRAMING = ("content-length", "transfer-encoding")
# RFC 9110 §8.6: "A user agent SHOULD NOT send a Content-Length header field when the request
# message does not contain content and the method semantics do not anticipate such data."
ANTICIPATE_CONTENT = ("POST", "PUT", "PATCH")


@dataclass(frozen=True)
class Verdict:
    side: Blame
    evidence: str

    def line(self) -> str:
        """The verdict as the last line of a failure message."""
        return f"{BLAME_LINE.strip()} {self.side}: {self.evidence}"


def _items(values: Iterable[str]) -> list[str]:
    """Field values as list items: lines combined with commas compare equal to separate ones
    (RFC 9110 §5.3)."""
    return [item.strip() for value in values for item in value.split(",")]


@dataclass(frozen=True)
class _View:
    """What a check can see of a request."""

    method: str
    target: str
    body: bytes
    fields: tuple[tuple[str, tuple[str, ...]], ...]  # (lower-case name, items)


def _view(method: str, target: str, headers: Headers, body: bytes, names: Iterable[str]) -> _View:
    def values(name: str) -> tuple[str, ...]:
        return tuple(_items(v for k, v in headers if k.lower() == name))

    return _View(method, target, body, tuple((name, values(name)) for name in names))


def _differences(got: _View, want: _View, where: str) -> list[str]:
    """How ``got`` differs from ``want``, each "X where <where> Y"."""
    found = [
        f"{what} {mine!r} where {where} {theirs!r}"
        for what, mine, theirs in (
            ("the method", got.method, want.method),
            ("the request-target", got.target, want.target),
        )
        if mine != theirs
    ]
    if got.body != want.body:
        found.append(f"{len(got.body)} content bytes where {where} {len(want.body)} (or others)")
    found += [
        f"{name}: {list(mine) or 'absent'} where {where} {list(theirs) or 'absent'}"
        for (name, mine), (_, theirs) in zip(got.fields, want.fields, strict=True)
        if mine != theirs
    ]
    return found


def _content(spec: RequestSpec) -> bytes:
    if spec.body is None:
        return b""
    return spec.body if isinstance(spec.body, bytes) else b"".join(spec.body)


def _asked_framing(spec: RequestSpec, sent: Request) -> list[str]:
    """How the client framed the content, where that is not how it was asked."""
    codings = _items(sent.header_values("Transfer-Encoding"))
    lengths = sent.header_values("Content-Length")
    chunked = bool(codings) and codings[-1].lower() == "chunked"
    if spec.body is None:
        if codings or (lengths and (lengths != ["0"] or spec.method not in ANTICIPATE_CONTENT)):
            return [f"framing fields {lengths or codings} on a request without content"]
    elif isinstance(spec.body, bytes):
        if not chunked and lengths != [str(len(spec.body))]:
            return [f"Content-Length {lengths} for {len(spec.body)} bytes of content"]
    elif not chunked:
        return [f"streamed content without the chunked coding (Transfer-Encoding {codings})"]
    return []


def witness(conversation: Conversation, spec: RequestSpec) -> Request | str:
    """What the conversation's client sends for ``spec``, read by a scripted server; or why
    it could not be read."""
    with ScriptedServer([Send(WITNESS_ANSWER), Close()], whole_requests=True) as server:
        try:
            conversation.client.send(
                replace(fresh(spec), timeouts=SCRIPTED_TIMEOUTS), server.target
            )
        except ClientError as exc:
            if not server.received:
                return f"the client sent nothing to the witness ({exc.kind})"
    if not server.received:
        return "the client's request did not arrive"
    sent, malformed = parse_request(server.received[0])
    if malformed:
        return f"the client's request is not valid HTTP/1.1: {malformed}"
    return sent if sent is not None else "the client's request did not arrive whole"


def _record(conversation: Conversation, spec: RequestSpec) -> contract.Echo | None:
    """The server's /echo record of ``spec``, if its last exchange was one."""
    if not conversation.exchanges or conversation.exchanges[-1][0] is not spec:
        return None  # the request got no answer (the client raised)
    exchange = conversation.exchanges[-1][1]
    if exchange.status != 200 or not spec.target.startswith("/echo"):
        return None
    try:
        return contract.parse_echo(exchange.body)
    except (ValueError, KeyError, TypeError):
        return None


def judge(conversation: Conversation, echoes_framing: bool) -> Verdict:
    """Whose the failure of the conversation's last request is (see the module's text);
    ``echoes_framing``: whether the server's /echo shows framing fields as they arrived."""
    spec = conversation.last
    if spec is None:
        return Verdict(Blame.UNKNOWN, "no request was sent")
    sent = witness(conversation, spec)
    if isinstance(sent, str):
        return Verdict(Blame.UNKNOWN, f"no witness of what the client sent: {sent}")
    names = list(dict.fromkeys(name.lower() for name, _ in spec.headers))
    names += [name for name in FRAMING if echoes_framing and name not in names]
    wire = _view(sent.method, sent.target, sent.headers, sent.content, names)
    asked = _view(spec.method, spec.target, spec.headers, _content(spec), names)
    unasked = [
        d for d in _differences(wire, asked, "it was asked for") if not d.startswith(FRAMING)
    ]
    unasked += _asked_framing(spec, sent)
    client_did = (
        f"the client sent {'; '.join(unasked)}"
        if unasked
        else "the client sent the request as asked"
    )
    echo = _record(conversation, spec)
    if echo is None:
        return Verdict(
            Blame.UNKNOWN,
            f"{client_did} (seen by a scripted server); no /echo record of it to compare",
        )
    record = _view(echo.method, echo.target, echo.headers, echo.body, names)
    changed = _differences(record, wire, "the client sent")
    if changed:
        return Verdict(
            Blame.SERVER,
            f"the server's /echo record shows {'; '.join(changed)} (seen by a scripted server)",
        )
    if unasked:
        return Verdict(Blame.CLIENT, f"{client_did}; the server recorded it as sent")
    # Everything the request side shows is right; what failed is in the answer, which the
    # server wrote and the client read: the evidence here cannot tell which of them erred.
    return Verdict(
        Blame.UNKNOWN,
        f"{client_did} and the server recorded it as sent: the failure is in its answer or in "
        "the client's reading of it",
    )

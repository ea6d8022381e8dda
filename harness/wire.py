"""What clients put on the wire: requests as table rows, checked byte for byte, and the runner.

A ``WireCase`` holds the request a client is asked to send (a ``RequestSpec``'s method,
target, fields and body; a ``Pieces`` body goes as a generator, of unknown length, a ``File``
body as a file opened for reading, whose length the client may learn from it), the
requirement on senders it checks (id, RFC section, level, the sentence as the RFC states
it), and the check on what arrived. A scripted server (harness/scripted.py) reads the whole
message, content included, answers with an empty response that closes the connection, and
keeps every byte the client sent on it, so bytes after the message are seen too. What
arrived is read strictly (harness/probe.py: ``parse_request``): a request that is not valid
HTTP/1.1 fails whatever the row (RFC 9110 §2.2: "A sender MUST NOT generate protocol
elements that do not match the grammar defined by the corresponding ABNF rules."). A client
that sends nothing and reports an error has refused the request: a pass where the row
allows it (a value no sender may put on the wire), a failure where the request is valid.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import BinaryIO

from harness import requirements
from harness.cases import Case, Level, row_problems
from harness.cells import SCRIPTED_TIMEOUTS, ScriptedClient, ScriptedExchange
from harness.errors import ClientError
from harness.implementation import Capability
from harness.model import Exchange, Headers, Proxy, RequestSpec, Target
from harness.probe import Request, parse_request
from harness.scripted import Close, Receive, ScriptedServer, Send

GRAMMAR = (
    "A sender MUST NOT generate protocol elements that do not match the grammar defined by "
    "the corresponding ABNF rules."
)
# The answer to every request: empty, and closing, so that the client closes its side and
# the server's second read ends with everything the client sent after its request.
ANSWER = b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
SCRIPT = (Send(ANSWER), Receive(), Close())
# The origin a request to a proxy names: nothing listens on port 1, so a client that went
# there instead of to the proxy (the scripted server) sends the server nothing.
BEHIND_PROXY = Target("http", "127.0.0.1", 1)


@dataclass(frozen=True)
class Pieces:
    """Content of unknown length: the client gets a generator of these pieces."""

    parts: tuple[bytes, ...]

    def generator(self) -> Iterator[bytes]:
        yield from self.parts

    @property
    def content(self) -> bytes:
        return b"".join(self.parts)


@dataclass(frozen=True)
class File:
    """Content in a file on disk: the client gets the file, opened for reading (binary)."""

    content: bytes

    @contextmanager
    def opened(self) -> Iterator[BinaryIO]:
        with tempfile.TemporaryDirectory(prefix="wire-") as folder:
            path = Path(folder, "content")
            path.write_bytes(self.content)
            with path.open("rb") as file:
                yield file


@dataclass(frozen=True)
class Sent:
    """What the server received on the connection, read strictly, and where it was sent."""

    request: Request
    target: Target

    def fields(self, name: str) -> list[str]:
        return self.request.header_values(name)


# A check reads what was sent and returns what is wrong with it, or None.
Check = Callable[[Sent], str | None]


@dataclass(frozen=True)
class WireCase:
    """One request a client is asked to send and the requirement its bytes must meet."""

    id: str  # "wire.<theme>.<what>", e.g. "wire.host.present"
    rfc: str
    level: Level
    requirement: str  # the requirement sentence, exactly as the RFC states it
    check: Check
    method: str = "GET"
    target: str = "/"
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes | Pieces | File | None = None
    # Whether a client may refuse to send the request (its values are ones no sender may
    # generate): refusing is then a pass, and sending judged by ``check``.
    refusable: bool = False
    expected: str = ""  # what a conforming request looks like, for the failure message
    requires: tuple[Capability, ...] = ()  # what the client must be able to be given
    # Whether the request goes to a proxy (the scripted server plays it) for BEHIND_PROXY:
    # over http only, since over https a client asks a proxy for a tunnel (CONNECT) instead.
    proxy: bool = False

    @cached_property
    def case(self) -> Case:
        return Case(
            self.id,
            self.rfc,
            self.level,
            self.requirement,
            requires=self.requires,
            requirement_ids=requirements.tied(self.requirement),
            quotes=True,
            transports=("http",) if self.proxy else (),
        )

    @contextmanager
    def spec(self, proxy: Proxy | None = None) -> Iterator[RequestSpec]:
        """A fresh spec (a generator body can be sent once), its file open while it is used."""
        headers: Headers = list(self.headers)
        if isinstance(self.body, File):
            with self.body.opened() as file:
                yield RequestSpec(
                    self.method, self.target, headers, file, timeouts=SCRIPTED_TIMEOUTS
                )
            return
        body = self.body.generator() if isinstance(self.body, Pieces) else self.body
        yield RequestSpec(
            self.method, self.target, headers, body, timeouts=SCRIPTED_TIMEOUTS, proxy=proxy
        )

    @property
    def content(self) -> bytes:
        if isinstance(self.body, Pieces | File):
            return self.body.content
        return self.body or b""


def run(case: WireCase, cell: ScriptedClient) -> str:
    """Have the cell's client send the case's request to a scripted server that records its
    bytes; fail unless they meet the case's check (or the client refused a refusable one).
    Returns what was sent, or the refusal, for the cell's ``observed``."""
    with ScriptedServer(list(SCRIPT), cell.certificate, whole_requests=True) as server:
        target, proxy = server.target, None
        if case.proxy:
            target, proxy = BEHIND_PROXY, Proxy(target.host, target.port)
        result: Exchange | ClientError
        try:
            with case.spec(proxy) as spec:
                result = cell.client.send(spec, target)
        except ClientError as exc:
            result = exc
    cell.runs.append(
        (
            list(SCRIPT),
            ScriptedExchange(
                result, list(server.received), list(server.connections), list(server.handshakes)
            ),
        )
    )
    sent = b"".join(server.connections[0]) if server.connections else b""
    if not sent:
        refusal = f"refused: {_result(result)}"
        if not case.refusable:
            raise case.case.failure(case.expected or "the request sent", refusal)
        return refusal
    observed = _observed(sent, result)
    problem = judge(case, sent, target, more=len(server.connections) > 1)
    if problem is not None:
        raise case.case.failure(case.expected or "a valid request", f"{problem}; {observed}")
    return observed


def judge(case: WireCase, sent: bytes, target: Target, *, more: bool = False) -> str | None:
    """What is wrong with ``sent`` as the case's request, or None."""
    request, malformed = parse_request(sent)
    if malformed is not None:
        return f"not a valid request: {malformed}"
    if request is None:
        return f"an incomplete request ({len(sent)} bytes)"
    after = sent[request.size :]
    if after:
        return f"{len(after)} bytes after the request: {after[:60]!r}"
    if more:
        return "a second connection for one request"
    return case.check(Sent(request, target))


def _result(result: Exchange | ClientError) -> str:
    if isinstance(result, ClientError):
        return f"error {result.kind} ({result.original_type}: {result.original_text[:120]})"
    return f"status {result.status}"


def _observed(sent: bytes, result: Exchange | ClientError) -> str:
    head = sent.partition(b"\r\n\r\n")[0]
    shown = head.decode("latin-1").replace("\r\n", " | ")
    return (
        f"sent {shown!r} and {len(sent) - len(head) - 4} octets after the head; {_result(result)}"
    )


def problems(cases: Sequence[WireCase]) -> list[str]:
    """What is wrong with a table of cases: each problem names the case."""
    common = row_problems(cases, "wire.", "case")
    found: list[str] = []
    for case in cases:
        where = f"case {case.id!r}"
        found += [f"{where}: {p}" for p in common[where]]
        if not callable(case.check):
            found.append(f"{where}: the check is not callable")
        if isinstance(case.body, File) and Capability.FILE_BODY not in case.requires:
            found.append(f"{where}: a file body without Capability.FILE_BODY in requires")
        if case.refusable and case.level is not Level.MUST:
            found.append(f"{where}: refusing is allowed only for a MUST (NOT) on senders")
        if case.proxy and Capability.PROXY not in case.requires:
            found.append(f"{where}: a request to a proxy without Capability.PROXY in requires")
    return found

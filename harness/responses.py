"""The response catalogue: exact-byte responses to clients as table entries, and the one runner.

The probe catalogue (harness/catalogue.py) turned around. A ``ResponseEntry`` holds what a
case checks: its id, RFC section, level, the requirement sentence as the RFC states it, the
script a scripted server (harness/scripted.py) plays on the first connection (exact bytes,
pauses, a close or a reset), the requests the client sends one after another (``GET /``
unless the entry names other methods), and every outcome the RFC allows. An outcome names
what each request got (a response with exactly this status, content and fields, or an error
of one of the named kinds) and, for entries with a second request, whether it went on the
first connection or a new one, as the server saw it. From the second request on, a new
connection plays ``reconnect``, so a client that rightly opens one gets a response it can
tell apart from the first.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property

from harness import requirements
from harness.cases import Case, Level, row_problems
from harness.cells import (
    SCRIPTED_TIMEOUTS,
    ScriptedClient,
    ScriptedExchange,
    collect_abandoned_sockets,
)
from harness.errors import ClientError, ErrorKind
from harness.model import Exchange, RequestSpec
from harness.scripted import Action, Close, Hang, Pause, Receive, Reset, ScriptedServer, Send

Result = Exchange | ClientError
# An error "recognised": the client saw what was wrong. A timeout is only a client that
# waited for bytes the entry never sends, which entries name where the RFC allows it.
REFUSALS = tuple(kind for kind in ErrorKind if not kind.startswith("timeout."))
# Waiting is waiting, whether a read's deadline or the whole exchange's ends it first.
TIMED_OUT = (ErrorKind.TIMEOUT_READ, ErrorKind.TIMEOUT_TOTAL)
ACTIONS = (Send, Pause, Close, Reset, Receive, Hang)


def response(status_line: str, *field_lines: str, body: bytes = b"") -> bytes:
    """A response's exact bytes: the status line and each field line as written (latin-1, so
    any octet can be spelled with ``\\xNN``), each ended with CRLF, the empty line and
    ``body``. Write bytes by hand for other line ends."""
    lines = "".join(f"{line}\r\n" for line in (status_line, *field_lines))
    return lines.encode("latin-1") + b"\r\n" + body


# The response to a second request: on the first connection after the entry's bytes, and on
# any new connection (``kept_alive``).
NEXT_CONTENT = b"next"
NEXT = response("HTTP/1.1 200 OK", "Content-Length: 4", body=NEXT_CONTENT)


def kept_alive(first: bytes) -> dict[str, tuple[Action, ...]]:
    """An entry's ``script`` and ``reconnect`` for ``first`` followed by a second request: the
    first connection sends ``first``, reads the next request and answers it with NEXT; a new
    connection answers NEXT at once. Use with ``methods`` naming two requests."""
    return {
        "script": (Send(first), Receive(), Send(NEXT), Close()),
        "reconnect": (Send(NEXT), Close()),
    }


@dataclass(frozen=True)
class Answer:
    """A response with exactly ``status`` and ``content``, and each named field's values
    matching the patterns one to one (``re.fullmatch``; an empty tuple: the field absent)."""

    status: int
    content: bytes
    fields: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def matches(self, result: Result) -> bool:
        return (
            isinstance(result, Exchange)
            and (result.status, result.body) == (self.status, self.content)
            and all(_values_match(result.header_values(n), p) for n, p in self.fields)
        )

    def describe(self) -> str:
        fields = "".join(f", {name} {list(patterns)}" for name, patterns in self.fields)
        return f"status {self.status} with content {self.content[:40]!r}{fields}"


def _values_match(values: list[str], patterns: tuple[str, ...]) -> bool:
    return len(values) == len(patterns) and all(
        re.fullmatch(p, v, re.DOTALL) for p, v in zip(patterns, values, strict=True)
    )


@dataclass(frozen=True)
class Error:
    """A client error of one of ``kinds``: which one is recorded, and judged only where the
    entry narrows the kinds (a wait that timed out is no refusal)."""

    kinds: tuple[ErrorKind, ...] = REFUSALS

    def matches(self, result: Result) -> bool:
        return isinstance(result, ClientError) and result.kind in self.kinds

    def describe(self) -> str:
        if self.kinds == REFUSALS:
            return "an error"
        return f"an error ({' or '.join(self.kinds)})"


Step = Answer | Error


@dataclass(frozen=True)
class Outcome:
    """What each request got, in order, and where the later requests went: on the first
    connection (``reused`` True), on new ones (False), or either (None)."""

    steps: tuple[Step, ...]
    reused: bool | None = None

    def matches(self, results: Sequence[Result], reused: bool) -> bool:
        return (
            len(results) == len(self.steps)
            and all(step.matches(result) for step, result in zip(self.steps, results, strict=True))
            and self.reused in (None, reused)
        )

    def describe(self) -> str:
        steps = ", then ".join(step.describe() for step in self.steps)
        if self.reused is None:
            return steps
        return f"{steps}, the second request on {_connection(self.reused)}"


def _connection(reused: bool) -> str:
    return "the first connection" if reused else "a new connection"


@dataclass(frozen=True)
class ResponseEntry:
    """One scripted response: what it checks, the exact bytes, every outcome the RFC allows."""

    id: str  # "responses.<theme>.<what>", e.g. "responses.content_length.plus_sign"
    rfc: str  # "RFC 9112 §6.3"
    level: Level
    # The requirement sentence, exactly as the RFC states it (a requirements.Definition,
    # naming what binds it, where it holds no keyword).
    requirement: str
    script: tuple[Action, ...]  # what the first connection plays
    allowed: tuple[Outcome, ...]
    methods: tuple[str, ...] = ("GET",)  # the requests, one after another, each to "/"
    reconnect: tuple[Action, ...] = ()  # what a new connection plays from the second request
    note: str = ""  # why these outcomes, where the sentence alone does not say
    see_also: tuple[str, ...] = field(default=())  # other catalogues' ids (llhttp's tests)

    @cached_property
    def case(self) -> Case:
        return Case(
            self.id,
            self.rfc,
            self.level,
            self.requirement,
            requirement_ids=requirements.tied(self.requirement),
            quotes=True,
        )

    def expected(self) -> str:
        return " | ".join(outcome.describe() for outcome in self.allowed)


def describe(results: Sequence[Result], reused: bool) -> str:
    """What the client made of it, request by request, for the failure message."""
    parts = [f"{number}: {_result(result)}" for number, result in enumerate(results, 1)]
    if len(results) > 1:
        parts.append(f"the second request on {_connection(reused)}")
    return "; ".join(parts)


def _result(result: Result) -> str:
    if isinstance(result, ClientError):
        return f"error {result.kind} ({result.original_type})"
    fields = ", ".join(f"{name}: {value!r}" for name, value in result.headers[:8])
    return f"status {result.status} with content {result.body[:40]!r} [{fields}]"


def run(entry: ResponseEntry, cell: ScriptedClient) -> str:
    """Send the entry's requests from the cell's client to a scripted server playing the
    entry's script; fail unless what the client made of it is an allowed outcome. Returns
    what it made of it, for the cell's ``observed``."""
    results: list[Result] = []
    with ScriptedServer(list(entry.script), certificate=cell.certificate) as server:
        for number, method in enumerate(entry.methods):
            if number == 1 and entry.reconnect:
                server.script = list(entry.reconnect)  # for connections accepted from now
            try:
                results.append(
                    cell.client.send(RequestSpec(method, timeouts=SCRIPTED_TIMEOUTS), server.target)
                )
            except ClientError as exc:
                results.append(exc)
    collect_abandoned_sockets()
    first = server.connections[0] if server.connections else []
    reused = len(first) > 1
    exchange = ScriptedExchange(
        results[-1], list(server.received), list(server.connections), list(server.handshakes)
    )
    cell.runs.append((list(entry.script), exchange))
    observed = describe(results, reused)
    if not any(outcome.matches(results, reused) for outcome in entry.allowed):
        raise entry.case.failure(entry.expected(), observed)
    return observed


def problems(entries: Sequence[ResponseEntry]) -> list[str]:
    """What is wrong with a table of entries: each problem names the entry."""
    common = row_problems(entries, "responses.", "entry")
    found: list[str] = []
    for entry in entries:
        where = f"entry {entry.id!r}"
        found += [f"{where}: {p}" for p in common[where]]
        found += [f"{where}: {p}" for p in _script_problems(entry)]
        if not entry.allowed:
            found.append(f"{where}: no allowed outcome")
        found += [f"{where}: {p}" for o in entry.allowed for p in _outcome_problems(entry, o)]
    return found


def _script_problems(entry: ResponseEntry) -> list[str]:
    found = []
    for name, script in (("script", entry.script), ("reconnect", entry.reconnect)):
        if not all(isinstance(action, ACTIONS) for action in script):
            found.append(f"the {name} holds something that is not an action")
        elif not all(isinstance(a.data, bytes) for a in script if isinstance(a, Send)):
            found.append(f"the {name} sends something that is not bytes")
    if not any(isinstance(action, Send) for action in entry.script):
        found.append("the script sends nothing")
    if not entry.methods:
        found.append("no request")
    if entry.reconnect and len(entry.methods) < 2:
        found.append("a reconnect script with a single request")
    return found


def _outcome_problems(entry: ResponseEntry, outcome: object) -> list[str]:
    if not isinstance(outcome, Outcome):
        return [f"{outcome!r} is not an outcome"]
    found = []
    if len(outcome.steps) != len(entry.methods):
        found.append(f"{outcome.describe()!r} does not name one result per request")
    if outcome.reused is not None and len(entry.methods) < 2:
        found.append("connection reuse named for a single request")
    for step in outcome.steps:
        if isinstance(step, Answer):
            if not 100 <= step.status <= 599:
                found.append(f"{step!r} names no valid status code")
            for _, patterns in step.fields:
                try:
                    [re.compile(p) for p in patterns]
                except re.error as exc:
                    found.append(f"{step!r}: a field pattern does not compile ({exc})")
        elif not isinstance(step, Error) or not step.kinds:
            found.append(f"{step!r} is neither a response nor an error of named kinds")
        elif not all(isinstance(kind, ErrorKind) for kind in step.kinds):
            found.append(f"{step!r} names an error kind that is not an ErrorKind")
    return found

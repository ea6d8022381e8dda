"""The probe catalogue: exact-byte requests to a server as table entries, and the one runner.

An ``Entry`` holds what a probe checks: its case id, RFC section, level, the requirement
sentence as the RFC states it, the exact bytes (``message`` builds them readably; ``{host}``
stands for the server's authority), and every outcome the RFC allows. The runner sends the
bytes and, on the same connection, a valid follow-up request (``GET /echo?next``), then reads
every response strictly (harness/probe.py): whether the follow-up is answered shows where the
server thought the probed message ended.

Some entries also list ``discouraged`` outcomes: what the RFC allows but advises against (a
SHOULD or SHOULD NOT not followed). An answer that matches only one of those passes with a
``warn`` grade (``Entry.warning`` says what the server did and what it was advised to do).
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import ClassVar

from harness import contract, deadlines, requirements
from harness.cases import Case, Level, row_problems
from harness.probe import Ending, ProbeResult, Response, ServerProbe
from harness.response_heads import content_summary, head_problems

HOST = b"{host}"  # replaced with the server's authority when the probe is sent
FOLLOW_UP_TARGET = "/echo?next"
FOLLOW_UP = b"GET " + FOLLOW_UP_TARGET.encode() + b" HTTP/1.1\r\nHost: " + HOST + b"\r\n\r\n"
_CLOSED = (Ending.CLOSED, Ending.RESET)


def message(request_line: str, *field_lines: str, body: bytes = b"", host: bool = True) -> bytes:
    """A request's exact bytes: the request line, ``Host: {host}`` (unless ``host`` is False)
    and each field line as written (latin-1, so any octet can be spelled with ``\\xNN``), each
    ended with CRLF, the empty line and ``body``. Write bytes by hand for other line ends."""
    lines = [request_line, *(["Host: {host}"] if host else []), *field_lines]
    return "".join(f"{line}\r\n" for line in lines).encode("latin-1") + b"\r\n" + body


def chunked_body(*pieces: bytes) -> bytes:
    """``pieces`` as chunks (lower-case hex sizes), then the last chunk and the empty trailer."""
    return b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in pieces) + b"0\r\n\r\n"


class After(enum.StrEnum):
    """What may follow the first response on the connection, the follow-up request sent."""

    CLOSE = "then the connection closed, the follow-up unanswered"
    NOTHING = "then the follow-up unanswered"
    NEXT = "then the follow-up answered (or the connection closed)"
    ANY = "then anything"

    @property
    def uses_contract(self) -> bool:
        """Whether judging it needs /echo: NEXT knows the follow-up's answer by /echo's
        document; the others ask only whether anything follows."""
        return self is After.NEXT

    def allows(self, result: ProbeResult, answered: int = 1) -> bool:
        """Whether what follows the first ``answered`` final responses is allowed."""
        if self is After.ANY:
            return True
        if result.malformed:
            return False
        rest = result.final[answered:]
        if self is After.CLOSE:
            return not rest and result.ending in _CLOSED
        if self is After.NOTHING:
            return not rest
        if self is After.NEXT:
            if not rest:
                return result.ending in _CLOSED
            return len(rest) == 1 and _is_follow_up(rest[0])
        raise AssertionError(self)


def served_echo(response: Response) -> contract.Echo | None:
    """/echo's document in a 200 response, or None where the response is not one."""
    if response.status != 200:
        return None
    try:
        return contract.parse_echo(response.body)
    except (ValueError, KeyError, TypeError):
        return None


def _is_follow_up(response: Response) -> bool:
    echo = served_echo(response)
    return echo is not None and echo.method == "GET" and echo.target == FOLLOW_UP_TARGET


@dataclass(frozen=True)
class Status:
    """A final response with one of ``codes`` first."""

    codes: tuple[int, ...]
    after: After

    @property
    def uses_contract(self) -> bool:
        # A refusal of the message's framing or syntax does not depend on the target's
        # route; a success (2xx) comes only from a resource that exists.
        return self.after.uses_contract or any(200 <= code < 300 for code in self.codes)

    def matches(self, result: ProbeResult) -> bool:
        return (
            bool(result.final)
            and result.final[0].status in self.codes
            and self.after.allows(result)
        )

    def describe(self) -> str:
        return f"status {' or '.join(map(str, self.codes))}, {self.after}"


@dataclass(frozen=True)
class Served:
    """Served by /echo, which shows exactly this interpretation of the request: method,
    target, content, and the named fields' values (an empty tuple: the field absent)."""

    content: bytes
    after: After = After.NEXT
    method: str = "POST"
    target: str = "/echo"
    fields: tuple[tuple[str, tuple[str, ...]], ...] = ()
    uses_contract: ClassVar[bool] = True  # /echo's document is the interpretation

    def matches(self, result: ProbeResult) -> bool:
        echo = served_echo(result.final[0]) if result.final else None
        return (
            echo is not None
            and (echo.method, echo.target, echo.body) == (self.method, self.target, self.content)
            and all(tuple(echo.header_values(n)) == values for n, values in self.fields)
            and self.after.allows(result)
        )

    def describe(self) -> str:
        fields = "".join(f", {name} {list(values)}" for name, values in self.fields)
        return (
            f"served as {self.method} {self.target} with {content_summary(self.content)}{fields}, "
            f"{self.after}"
        )


@dataclass(frozen=True)
class Answered:
    """Any final response first (a refusal or the request served)."""

    after: After
    # A server without the target's route may answer 404 before it reads the content.
    uses_contract: ClassVar[bool] = True

    def matches(self, result: ProbeResult) -> bool:
        return bool(result.final) and self.after.allows(result)

    def describe(self) -> str:
        return f"any response, {self.after}"


@dataclass(frozen=True)
class Silent:
    """No response at all while the probe waits: the server waits for content that never
    comes (or closes the connection without a word)."""

    # A server without the target's route may answer 404 before it waits for the content.
    uses_contract: ClassVar[bool] = True

    def matches(self, result: ProbeResult) -> bool:
        return not result.received

    def describe(self) -> str:
        return "no response (waiting for the content, or closed)"


@dataclass(frozen=True)
class Closed:
    """The connection closed (or reset) without a response."""

    uses_contract: ClassVar[bool] = False  # no answer to judge, from any route

    def matches(self, result: ProbeResult) -> bool:
        return not result.received and result.ending in _CLOSED

    def describe(self) -> str:
        return "the connection closed without a response"


@dataclass(frozen=True)
class Framed:
    """``outcome``, and every response's head as RFC 9110 and 9112 want it (head_problems):
    no content where none may be, no Content-Length with Transfer-Encoding and neither on a 1xx
    or 204, a Date on each 2xx, 3xx and 4xx, every Date an IMF-fixdate."""

    outcome: Status | Served | Answered

    @property
    def uses_contract(self) -> bool:
        return self.outcome.uses_contract  # the heads' rules hold for any route's response

    def matches(self, result: ProbeResult) -> bool:
        return self.outcome.matches(result) and not head_problems(result)

    def describe(self) -> str:
        return f"{self.outcome.describe()}, every response head framed as RFC 9110/9112 require"


@dataclass(frozen=True)
class Unanswered:
    """No final response while the probe waits (interim ones aside): the server waits for
    content that never comes."""

    uses_contract: ClassVar[bool] = True  # a server without the route may answer at once

    def matches(self, result: ProbeResult) -> bool:
        return not result.final and not result.malformed

    def describe(self) -> str:
        return "no final response (waiting for the content)"


@dataclass(frozen=True)
class Interim:
    """Exactly the interim (1xx) responses ``codes``, none at all when empty, and ``then``."""

    codes: tuple[int, ...]
    then: Outcome

    @property
    def uses_contract(self) -> bool:
        return self.then.uses_contract

    def matches(self, result: ProbeResult) -> bool:
        interim = tuple(r.status for r in result.responses if r.interim)
        return interim == self.codes and self.then.matches(result)

    def describe(self) -> str:
        codes = " then ".join(map(str, self.codes))
        return f"{f'interim {codes}' if codes else 'no interim response'}, {self.then.describe()}"


@dataclass(frozen=True)
class InOrder:
    """The first final responses, in order: for a string, /echo's answer to that target;
    for a number, that status; then ``after``."""

    answers: tuple[str | int, ...]
    after: After
    # /echo names each answer's target; a status a route gives needs that route.
    uses_contract: ClassVar[bool] = True

    def matches(self, result: ProbeResult) -> bool:
        got = result.final[: len(self.answers)]
        return (
            len(got) == len(self.answers)
            and all(map(_answers, got, self.answers))
            and self.after.allows(result, len(self.answers))
        )

    def describe(self) -> str:
        answers = ", ".join(
            f"status {a}" if isinstance(a, int) else f"/echo's answer to {a}" for a in self.answers
        )
        order = " in that order" if len(self.answers) > 1 else ""
        return f"{answers}{order}, {self.after}"


def _answers(response: Response, answer: str | int) -> bool:
    if isinstance(answer, int):
        return response.status == answer
    echo = served_echo(response)
    return echo is not None and echo.target == answer


Outcome = Status | Served | Answered | Silent | Closed | Framed | Unanswered | Interim | InOrder
OUTCOME_TYPES = (Status, Served, Answered, Silent, Closed, Framed, Unanswered, Interim, InOrder)


@dataclass(frozen=True)
class Entry:
    """One probe: what it checks, its exact bytes, and every outcome the RFC allows."""

    id: str  # "probes.<theme>.<what>", e.g. "probes.content_length.plus_sign"
    rfc: str  # "RFC 9112 §6.3"
    level: Level
    # The requirement sentence, exactly as the RFC states it (a requirements.Definition,
    # naming what binds it, where it holds no keyword).
    requirement: str
    request: bytes  # the exact bytes, HOST standing for the server's authority
    allowed: tuple[Outcome, ...]
    note: str = ""  # why these outcomes, where the sentence alone does not say
    see_also: tuple[str, ...] = field(default=())  # other catalogues' ids for the same check
    # The methods of the requests in ``request``, in order, where one changes how its response
    # is read (HEAD: RFC 9112 §6.3, rule 1); the follow-up and any request past them are GET.
    methods: tuple[str, ...] = ()
    # Allowed, but advised against by a SHOULD or SHOULD NOT: the cell passes with a warn.
    discouraged: tuple[Outcome, ...] = ()
    # How many requests ``request`` holds (pipelined): the probe waits for an answer to each
    # and to the follow-up.
    requests: int = 1
    # Parts sent after ``request``, each after a pause (deadlines.PROBE_STAGE): the content
    # of a request whose head asks for 100 (Continue), for one.
    staged: tuple[bytes, ...] = ()
    # False for a probe whose last part leaves the server waiting for content: the
    # follow-up would be read as that content.
    follow_up: bool = True

    @cached_property
    def case(self) -> Case:
        return Case(
            self.id,
            self.rfc,
            self.level,
            self.requirement,
            uses_contract=self.uses_contract,
            requirement_ids=requirements.tied(self.requirement),
            quotes=True,
        )

    @property
    def uses_contract(self) -> bool:
        """Whether the server must serve /echo (docs/contract.md) for the entry to be judged:
        when any allowed or discouraged outcome needs it. An entry whose every outcome is a
        refusal or a close that no route changes runs against any server (--target), its
        bytes as written: their /echo target does not matter to a server that must refuse
        their framing or syntax. Every outcome class declares ``uses_contract``."""
        # An object that is not an outcome is problems()'s to report.
        outcomes = self.allowed + self.discouraged
        return any(o.uses_contract for o in outcomes if isinstance(o, OUTCOME_TYPES))

    def pieces(self, authority: str) -> list[bytes | float]:
        """What is sent, in order: the request, each staged part after its pause, and the
        follow-up request in the same write as the part before it."""
        return pieces(self.request, self.staged, self.follow_up, authority)

    def wire(self, authority: str) -> bytes:
        """The bytes sent, pauses left out."""
        return b"".join(p for p in self.pieces(authority) if isinstance(p, bytes))

    def expected(self) -> str:
        return " | ".join(outcome.describe() for outcome in self.allowed)

    def warning(self, result: ProbeResult) -> str:
        """The warn text when the answer matches a discouraged outcome and no allowed one
        (what the server did, and the recommended outcomes); empty otherwise."""
        if any(outcome.matches(result) for outcome in self.allowed):
            return ""
        return (
            f"expected {self.expected()} ({self.rfc}, recommended), got {describe(result)}: "
            "allowed, but the RFC advises against it"
        )


def pieces(
    request: bytes, staged: Sequence[bytes], follow_up: bool, authority: str
) -> list[bytes | float]:
    """What is sent for ``request`` (HOST standing for ``authority``): it, each staged part
    after its pause, and the follow-up in the same write as the part before it (the probe
    runner's and the differential mode's one way of sending)."""
    *first, last = (request, *staged)
    parts: list[bytes | float] = []
    for part in first:
        parts += [part, deadlines.PROBE_STAGE]
    parts.append(last + FOLLOW_UP if follow_up else last)
    host = authority.encode("ascii")
    return [p.replace(HOST, host) if isinstance(p, bytes) else p for p in parts]


def describe(result: ProbeResult) -> str:
    """What the server did, for the failure message: each final response, and the ending."""
    parts = []
    for response in result.responses:
        echo = served_echo(response)
        if response.interim:
            parts.append(f"interim {response.status} {response.reason}")
        elif echo is None:
            parts.append(f"{response.status} {response.reason}")
        else:
            parts.append(f"served as {echo.method} {echo.target} with {content_summary(echo.body)}")
    parts.append(f"connection {result.ending}")
    if result.malformed:
        parts.append(f"malformed: {result.malformed}")
    return "; ".join(parts) if result.final else f"no final response; {'; '.join(parts)}"


def run(entry: Entry, probe: ServerProbe) -> ProbeResult:
    """Send the entry's parts and the follow-up on one connection; fail unless the server's
    answer is one of the allowed or discouraged outcomes (``entry.warning`` tells which)."""
    result = probe.send(
        entry.pieces(probe.target.authority),
        responses=entry.requests + entry.follow_up,
        methods=entry.methods,
        idle_timeout=deadlines.PROBE_QUIET,
        abort=True,  # a server still reading a body sees an error, not the end of data
    )
    if not any(outcome.matches(result) for outcome in entry.allowed + entry.discouraged):
        got = describe(result)
        if any(isinstance(outcome, Framed) for outcome in entry.allowed + entry.discouraged):
            got = "; ".join([got, *head_problems(result, entry.methods)])
        raise entry.case.failure(entry.expected(), got)
    return result


def problems(entries: Sequence[Entry]) -> list[str]:
    """What is wrong with a table of entries: each problem names the entry."""
    common = row_problems(entries, "probes.", "entry")
    found: list[str] = []
    for entry in entries:
        where = f"entry {entry.id!r}"
        found += [f"{where}: {p}" for p in common[where]]
        found += [f"{where}: {p}" for p in _bytes_problems(entry)]
        if not entry.allowed:
            found.append(f"{where}: no allowed outcome")
        if entry.discouraged and "SHOULD" not in entry.requirement + entry.note:
            found.append(
                f"{where}: discouraged outcomes without a SHOULD or SHOULD NOT (quote it, or "
                "say in the note which sentence advises against them)"
            )
        found += [
            f"{where}: {outcome!r} is both allowed and discouraged"
            for outcome in set(entry.allowed) & set(entry.discouraged)
        ]
        for given in entry.allowed + entry.discouraged:
            outcome = given.outcome if isinstance(given, Framed) else given
            if not isinstance(outcome, OUTCOME_TYPES) or isinstance(outcome, Framed):
                found.append(f"{where}: {given!r} is not an outcome")
            elif isinstance(outcome, Status) and not all(
                100 <= code <= 599 for code in outcome.codes or (0,)
            ):
                found.append(f"{where}: {outcome!r} names no valid status code")
            elif isinstance(outcome, Interim) and not all(
                100 <= code <= 199 for code in outcome.codes
            ):
                found.append(f"{where}: {outcome!r} names a status that is not interim")
    return found


def _bytes_problems(entry: Entry) -> list[str]:
    if not isinstance(entry.request, bytes) or not entry.request:
        return ["the request is not bytes"]
    try:
        wire = entry.wire("localhost:1")
    except (UnicodeError, TypeError) as exc:
        return [f"the bytes do not build: {exc}"]
    if HOST in wire:
        return ["the request still holds {host} after building"]
    return []

"""The probe catalogue: exact-byte requests to a server as table entries, and the one runner.

An ``Entry`` holds what a probe checks: its case id, RFC section, level, the requirement
sentence as the RFC states it, the exact bytes (``message`` builds them readably; ``{host}``
stands for the server's authority), and every outcome the RFC allows. The runner sends the
bytes and, on the same connection, a valid follow-up request (``GET /echo?next``), then reads
every response strictly (harness/probe.py): whether the follow-up is answered shows where the
server thought the probed message ended.
"""

from __future__ import annotations

import enum
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property

from harness import contract, deadlines
from harness.cases import Case, Level
from harness.probe import Ending, ProbeResult, Response, ServerProbe

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


def _echo(response: Response) -> contract.Echo | None:
    if response.status != 200:
        return None
    try:
        return contract.parse_echo(response.body)
    except (ValueError, KeyError, TypeError):
        return None


def _is_follow_up(response: Response) -> bool:
    echo = _echo(response)
    return echo is not None and echo.method == "GET" and echo.target == FOLLOW_UP_TARGET


def _content(body: bytes) -> str:
    digest = hashlib.sha256(body).hexdigest()[:12]
    return f"{len(body)} content bytes (sha256 {digest}…)"


@dataclass(frozen=True)
class Status:
    """A final response with one of ``codes`` first."""

    codes: tuple[int, ...]
    after: After

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

    def matches(self, result: ProbeResult) -> bool:
        echo = _echo(result.final[0]) if result.final else None
        return (
            echo is not None
            and (echo.method, echo.target, echo.body) == (self.method, self.target, self.content)
            and all(tuple(echo.header_values(n)) == values for n, values in self.fields)
            and self.after.allows(result)
        )

    def describe(self) -> str:
        fields = "".join(f", {name} {list(values)}" for name, values in self.fields)
        return (
            f"served as {self.method} {self.target} with {_content(self.content)}{fields}, "
            f"{self.after}"
        )


@dataclass(frozen=True)
class Answered:
    """Any final response first (a refusal or the request served)."""

    after: After

    def matches(self, result: ProbeResult) -> bool:
        return bool(result.final) and self.after.allows(result)

    def describe(self) -> str:
        return f"any response, {self.after}"


@dataclass(frozen=True)
class Silent:
    """No response at all while the probe waits: the server waits for content that never
    comes (or closes the connection without a word)."""

    def matches(self, result: ProbeResult) -> bool:
        return not result.received

    def describe(self) -> str:
        return "no response (waiting for the content, or closed)"


@dataclass(frozen=True)
class Closed:
    """The connection closed (or reset) without a response."""

    def matches(self, result: ProbeResult) -> bool:
        return not result.received and result.ending in _CLOSED

    def describe(self) -> str:
        return "the connection closed without a response"


@dataclass(frozen=True)
class Unanswered:
    """No final response while the probe waits (interim ones aside): the server waits for
    content that never comes."""

    def matches(self, result: ProbeResult) -> bool:
        return not result.final and not result.malformed

    def describe(self) -> str:
        return "no final response (waiting for the content)"


@dataclass(frozen=True)
class Interim:
    """Exactly the interim (1xx) responses ``codes``, none at all when empty, and ``then``."""

    codes: tuple[int, ...]
    then: Outcome

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
    echo = _echo(response)
    return echo is not None and echo.target == answer


Outcome = Status | Served | Answered | Silent | Closed | Unanswered | Interim | InOrder
OUTCOME_TYPES = (Status, Served, Answered, Silent, Closed, Unanswered, Interim, InOrder)


@dataclass(frozen=True)
class Entry:
    """One probe: what it checks, its exact bytes, and every outcome the RFC allows."""

    id: str  # "probes.<theme>.<what>", e.g. "probes.content_length.plus_sign"
    rfc: str  # "RFC 9112 §6.3"
    level: Level
    requirement: str  # the requirement sentence, exactly as the RFC states it
    request: bytes  # the exact bytes, HOST standing for the server's authority
    allowed: tuple[Outcome, ...]
    note: str = ""  # why these outcomes, where the sentence alone does not say
    see_also: tuple[str, ...] = field(default=())  # other catalogues' ids for the same check
    # The methods of the requests in ``request``, in order, where one changes how its response
    # is read (HEAD: RFC 9112 §6.3, rule 1); the follow-up and any request past them are GET.
    methods: tuple[str, ...] = ()
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
        return Case(self.id, self.rfc, self.level, self.requirement)

    def pieces(self, authority: str) -> list[bytes | float]:
        """What is sent, in order: the request, each staged part after its pause, and the
        follow-up request in the same write as the part before it."""
        *staged, last = (self.request, *self.staged)
        parts: list[bytes | float] = []
        for part in staged:
            parts += [part, deadlines.PROBE_STAGE]
        parts.append(last + FOLLOW_UP if self.follow_up else last)
        host = authority.encode("ascii")
        return [p.replace(HOST, host) if isinstance(p, bytes) else p for p in parts]

    def wire(self, authority: str) -> bytes:
        """The bytes sent, pauses left out."""
        return b"".join(p for p in self.pieces(authority) if isinstance(p, bytes))

    def expected(self) -> str:
        return " | ".join(outcome.describe() for outcome in self.allowed)


def describe(result: ProbeResult) -> str:
    """What the server did, for the failure message: each final response, and the ending."""
    parts = []
    for response in result.responses:
        echo = _echo(response)
        if response.interim:
            parts.append(f"interim {response.status} {response.reason}")
        elif echo is None:
            parts.append(f"{response.status} {response.reason}")
        else:
            parts.append(f"served as {echo.method} {echo.target} with {_content(echo.body)}")
    parts.append(f"connection {result.ending}")
    if result.malformed:
        parts.append(f"malformed: {result.malformed}")
    return "; ".join(parts) if result.final else f"no final response; {'; '.join(parts)}"


def run(entry: Entry, probe: ServerProbe) -> ProbeResult:
    """Send the entry's parts and the follow-up on one connection; fail unless the server's
    answer is one of the allowed outcomes."""
    result = probe.send(
        entry.pieces(probe.target.authority),
        responses=entry.requests + entry.follow_up,
        methods=entry.methods,
        idle_timeout=deadlines.PROBE_QUIET,
        abort=True,  # a server still reading a body sees an error, not the end of data
    )
    if not any(outcome.matches(result) for outcome in entry.allowed):
        raise entry.case.failure(entry.expected(), describe(result))
    return result


def problems(entries: Sequence[Entry]) -> list[str]:
    """What is wrong with a table of entries: each problem names the entry."""
    found: list[str] = []
    seen: set[str] = set()
    for entry in entries:
        where = f"entry {entry.id!r}"
        if entry.id in seen:
            found.append(f"{where}: the id is used twice")
        seen.add(entry.id)
        if not entry.id.startswith("probes."):
            found.append(f"{where}: the id does not begin with 'probes.'")
        try:
            entry.case  # noqa: B018 -- the case checks the id's form and the RFC reference
        except ValueError as exc:
            found.append(f"{where}: {exc}")
        if not isinstance(entry.level, Level):
            found.append(f"{where}: level {entry.level!r} is not MUST, SHOULD or MAY")
        if not entry.requirement.strip():
            found.append(f"{where}: no requirement sentence")
        found += [f"{where}: {p}" for p in _bytes_problems(entry)]
        if not entry.allowed:
            found.append(f"{where}: no allowed outcome")
        for outcome in entry.allowed:
            if not isinstance(outcome, OUTCOME_TYPES):
                found.append(f"{where}: {outcome!r} is not an outcome")
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

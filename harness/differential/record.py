"""One server's interpretation of one request: what it answered, what /echo saw, whether it
closed. Records are frozen and hashable, so servers group by them in a dict (groups.py);
what they leave out is normalise.py's to say."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from harness import catalogue, deadlines
from harness.catalogue import HOST, Entry
from harness.model import Target
from harness.probe import ProbeResult, send_raw

from . import normalise

DIGEST_CHARS = 16  # of the content's sha256: enough to tell contents apart in a report
# The statuses a server without /echo writes for a request it read whole and handed to its
# handler (normalise rule 9): what it saw is unknown, not refused. simplehttp, CPython
# 3.11.7 Lib/http/server.py: handle_one_request sends 501 "Unsupported method" after
# parse_request succeeded (:415-419); SimpleHTTPRequestHandler.send_head 404 "File not found"
# (:727, :732), 301 for a folder without its slash, 200 for a file; its parse errors are
# 400, 414, 431 and 505 (:309-356, :409), which stay refusals.
HANDLED_WITHOUT_ECHO: dict[str, frozenset[int]] = {"simplehttp": frozenset({200, 301, 404, 501})}


@dataclass(frozen=True)
class Probe:
    """A request the differential mode sends: a catalogue entry's bytes, or a generated
    request's (HOST standing for the server's authority)."""

    id: str
    request: bytes
    methods: tuple[str, ...] = ()
    requests: int = 1  # pipelined requests in ``request``, each to be answered
    staged: tuple[bytes, ...] = ()
    follow_up: bool = True

    @classmethod
    def of(cls, entry: Entry) -> Probe:
        return cls(
            entry.id, entry.request, entry.methods, entry.requests, entry.staged, entry.follow_up
        )

    def wire(self) -> bytes:
        """Every byte sent (HOST unreplaced), pauses left out, the follow-up included."""
        parts = catalogue.pieces(self.request, self.staged, self.follow_up, HOST.decode())
        return b"".join(p for p in parts if isinstance(p, bytes))


@dataclass(frozen=True)
class Seen:
    """What /echo reported of a request it served."""

    method: str
    target: str
    fields: normalise.Fields
    content_length: int
    content_digest: str

    def describe(self) -> str:
        return f"{self.method} {self.target} [{self.content_length} B {self.content_digest[:8]}]"


# What a server without /echo saw of a request its handler answered (rule 9): unknown.
UNKNOWN = Seen("?", "?", (), -1, "?")
UNKNOWN_TEXT = "served, unknown"  # how a reading shows it
_SERVED_TEXT = re.compile(r"\dxx .* \[\d+ B [0-9a-f]+\]")  # Answer.describe of a served one


@dataclass(frozen=True)
class Answer:
    """One final response: its status class and, where /echo wrote it, what /echo saw."""

    status: str
    seen: Seen | None

    def describe(self) -> str:
        if self.seen is UNKNOWN:
            return UNKNOWN_TEXT
        return f"{self.status} {self.seen.describe()}" if self.seen else self.status

    def agrees(self, other: Answer) -> bool:
        """Equal, or one is unknown (rule 9) and the other served too."""
        served = self.seen is not None and other.seen is not None
        return self == other or (served and UNKNOWN in (self.seen, other.seen))


HANDLED = Answer("?", UNKNOWN)  # the status class of a handler's answer is its own choice


@dataclass(frozen=True)
class Interpretation:
    answers: tuple[Answer, ...]  # every final response on the connection, in order
    closed: bool  # the server ended the connection with a request unanswered (rules 4, 8)
    malformed: bool  # the reply broke RFC 9112 somewhere after ``answers``
    complete: bool = False  # every request sent has a final response (its ending: rule 8)

    @property
    def accepted(self) -> bool:
        """Whether /echo served the first request: the server took it as a message."""
        return bool(self.answers) and self.answers[0].seen is not None

    @property
    def served(self) -> tuple[Seen, ...]:
        """The requests /echo served, in order, up to the first answer it did not write."""
        seen: list[Seen] = []
        for answer in self.answers:
            if answer.seen is None:
                break
            seen.append(answer.seen)
        return tuple(seen)

    @property
    def known(self) -> bool:
        """Whether every answer is known (rule 9: a server without /echo's are not)."""
        return HANDLED not in self.answers

    def agrees(self, other: Interpretation) -> bool:
        """Equal, but where an answer is unknown (rule 9) any served answer agrees with it."""
        ending = (self.closed, self.malformed, self.complete, len(self.answers))
        return ending == (
            other.closed,
            other.malformed,
            other.complete,
            len(other.answers),
        ) and all(a.agrees(b) for a, b in zip(self.answers, other.answers, strict=True))

    def describe(self) -> str:
        answers = "; ".join(a.describe() for a in self.answers) or "no answer"
        ending = "" if self.complete else "; closed" if self.closed else "; open"
        return answers + ending + ("; malformed" if self.malformed else "")


def readings_agree(unknown: str, known: str) -> bool:
    """Interpretation.agrees over two readings as described (the report's cells keep only
    the text): every part equal, or UNKNOWN_TEXT where the other served."""
    mine, theirs = unknown.split("; "), known.split("; ")
    return len(mine) == len(theirs) and all(
        a == b or (UNKNOWN_TEXT in (a, b) and all(map(_served_text, (a, b))))
        for a, b in zip(mine, theirs, strict=True)
    )


def _served_text(part: str) -> bool:
    return part == UNKNOWN_TEXT or _SERVED_TEXT.fullmatch(part) is not None


def interpretation(
    result: ProbeResult, authority: str, sent: int, handled: frozenset[int] = frozenset()
) -> Interpretation:
    """The record of a probe's result (``authority``: the server's, for normalise rule 7;
    ``sent``: how many requests it holds, the follow-up included, for rule 8; ``handled``:
    for a server without /echo, the statuses its handler writes, for rule 9)."""
    names = normalise.sent_names(result.sent)
    answers = []
    for response in result.final:  # normalise rule 3: interim responses dropped
        if response.status in handled:
            answers.append(HANDLED)
            continue
        echo = catalogue.served_echo(response)
        seen = None
        if echo is not None:
            seen = Seen(
                echo.method,
                normalise.target(echo.target, authority),
                normalise.fields(echo.headers, names, authority),
                len(echo.body),
                hashlib.sha256(echo.body).hexdigest()[:DIGEST_CHARS],
            )
        answers.append(Answer(normalise.status_class(response.status), seen))
    closed = normalise.closed(result.ending, len(answers), sent)
    return Interpretation(tuple(answers), closed, bool(result.malformed), len(answers) >= sent)


def interpret(probe: Probe, target: Target, server: str = "") -> Interpretation:
    """Send ``probe`` to ``target`` (the server named ``server``) on a fresh connection, the
    follow-up after it as the catalogue's runner does, and read the server's
    interpretation."""
    sent = probe.requests + probe.follow_up
    result = send_raw(
        target,
        catalogue.pieces(probe.request, probe.staged, probe.follow_up, target.authority),
        responses=sent,
        methods=probe.methods,
        idle_timeout=deadlines.PROBE_QUIET,
        abort=True,  # a server still reading a body sees an error, not the end of data
    )
    handled = HANDLED_WITHOUT_ECHO.get(server, frozenset())
    return interpretation(result, target.authority, sent, handled)

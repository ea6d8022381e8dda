"""Fake clients for the client checks' self-tests: NaiveClient takes what arrives at face
value, StrictClient reads it with the probe's strict RFC 9112 parser, CorrectClient adds what
the response catalogue's sentences ask beyond that parser, OneReadClient reads only once."""

from __future__ import annotations

import re
import socket

from harness.errors import ClientError, ErrorKind
from harness.model import Exchange, RequestSpec, Target
from harness.probe import Ending, Malformed, Response, parse_responses, request, send_raw

CLIENT_IDLE = 2.0  # every script ends by closing or resetting the connection at once


def _request(spec: RequestSpec, target: Target) -> bytes:
    return request(spec.method, spec.target, host=target.authority)


class NaiveClient:
    """A broken client: the first status line it finds (200 if it has no number), the first
    Content-Length among the first 100 fields, else every octet until the close, as success."""

    def send(self, spec: RequestSpec, target: Target) -> Exchange:
        # responses=2: more final responses than any script sends, so it reads to the close.
        result = send_raw(target, _request(spec, target), responses=2, idle_timeout=CLIENT_IDLE)
        head, _, rest = result.received.partition(b"\r\n\r\n")
        lines = head.split(b"\r\n")
        words = lines[0].split()
        status = int(words[1]) if len(words) > 1 and words[1].isdigit() else 200
        fields = [line.partition(b":") for line in lines[1:101]]
        lengths = [
            int(v)  # as int() reads it: '+3' is 3
            for n, _, v in fields
            if n.strip().lower() == b"content-length" and v.strip().lstrip(b"+-").isdigit()
        ]
        body = rest[: lengths[0]] if lengths else rest
        return Exchange(status, "", "HTTP/1.1", [], body, reused=False, elapsed=0.0)

    def close(self) -> None:
        pass


class StrictClient:
    """A correct client: the probe's strict RFC 9112 reading, interim responses skipped, and
    an error for anything that is not a complete, valid final response."""

    def send(self, spec: RequestSpec, target: Target) -> Exchange:
        result = send_raw(
            target, _request(spec, target), methods=[spec.method], idle_timeout=CLIENT_IDLE
        )
        if result.malformed is not None or not result.final:
            # The verdicts judge error against response, not the kind: OTHER will do.
            raise ClientError(ErrorKind.OTHER, Malformed(result.describe()))
        final = result.final[0]
        return Exchange(
            final.status, final.reason, final.version, final.headers, final.body, False, 0.0
        )

    def close(self) -> None:
        pass


TOKEN = rb"[!#$%&'*+\-.^_`|~0-9A-Za-z]+"
QUOTED = rb'"(?:[\t !#-\[\]-~\x80-\xff]|\\[\t -~\x80-\xff])*"'
# RFC 9112 §7.1.1: chunk-ext = *( BWS ";" BWS chunk-ext-name [ BWS "=" BWS chunk-ext-val ] )
CHUNK_EXT_LINE = re.compile(
    rb"[0-9A-Fa-f]+(?:[ \t]*;[ \t]*%s(?:[ \t]*=[ \t]*(?:%s|%s))?)*" % (TOKEN, TOKEN, QUOTED)
)
STARTS_WITH_EXT = re.compile(rb"[0-9A-Fa-f]+[ \t]*;")


def _failure(problem: str) -> ClientError:
    return ClientError(ErrorKind.OTHER, Malformed(problem))


def _unfold(data: bytes) -> bytes:
    """The first head with each obs-fold replaced by SP (RFC 9112 §5.2); whitespace before the
    first field line is left for the parser to refuse (RFC 9112 §2.2)."""
    head, end, rest = data.partition(b"\r\n\r\n")
    status, line_end, fields = head.partition(b"\r\n")
    if not line_end or fields[:1] in (b" ", b"\t"):
        return data
    return status + b"\r\n" + re.sub(rb"[ \t]*\r\n[ \t]+", b" ", fields) + end + rest


def _refusal(final: Response, data: bytes, ending: Ending) -> str | None:
    """Why a correct client that implements only the chunked coding refuses ``final``."""
    codings = [
        c.strip().lower() for v in final.header_values("Transfer-Encoding") for c in v.split(",")
    ]
    if not 100 <= final.status <= 599:
        return f"status {final.status} is outside 100..599"
    if not final.version.startswith("HTTP/1."):
        return f"{final.version} is no HTTP/1.x"
    if any("\x00" in value for _, value in final.headers):
        return "NUL in a field value"
    if any(coding not in ("", "chunked") for coding in codings) or codings.count("chunked") > 1:
        return f"a transfer coding other than chunked: {codings}"
    if any(
        STARTS_WITH_EXT.match(line) and not CHUNK_EXT_LINE.fullmatch(line)
        for line in data.split(b"\r\n")
    ):
        return "a chunk extension outside the grammar"
    if final.framing == "close" and ending is Ending.RESET:
        return "a close-delimited body ended by a reset"
    return None


class CorrectClient:
    """A client that does what the response catalogue's sentences ask: StrictClient's reading
    with obs-fold replaced by SP, refusing what it cannot recover or does not implement
    (status codes outside 100..599, other major versions, NUL in values, transfer codings
    other than chunked, chunk extensions outside the grammar, a reset ending the content)."""

    def send(self, spec: RequestSpec, target: Target) -> Exchange:
        methods = [spec.method]
        result = send_raw(target, _request(spec, target), methods=methods, idle_timeout=CLIENT_IDLE)
        data = _unfold(result.received)
        parsed, malformed = parse_responses(data, methods, at_eof=result.ending is not Ending.OPEN)
        finals = [response for response in parsed if not response.interim]
        if not finals:  # what follows the first final response is no concern of this request
            raise _failure(malformed or result.describe())
        final = finals[0]
        problem = _refusal(final, data, result.ending)
        if problem is not None:
            raise _failure(problem)
        return Exchange(
            final.status, final.reason, final.version, final.headers, final.body, False, 0.0
        )

    def close(self) -> None:
        pass


class OneReadClient:
    """A broken client: parses the first read it gets as the whole response (plain http)."""

    def send(self, spec: RequestSpec, target: Target) -> Exchange:
        with socket.create_connection((target.host, target.port), timeout=CLIENT_IDLE) as sock:
            sock.sendall(_request(spec, target))
            data = sock.recv(65536)
        parsed, malformed = parse_responses(data, [spec.method], at_eof=True)
        if malformed is not None or not parsed:
            raise _failure(malformed or "no response")
        final = parsed[-1]
        return Exchange(final.status, "", final.version, final.headers, final.body, False, 0.0)

    def close(self) -> None:
        pass

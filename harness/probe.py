"""The probe client: exact bytes to a server, and a strict, independent reading of the reply.

No HTTP library is involved on this side, so what a case sees is what the server sent: every
response on the connection (interim 1xx ones too, and several when requests are pipelined),
the raw transcript, and how the connection ended. The parser follows RFC 9112 strictly and
names the first thing a server got wrong instead of repairing it.
"""

from __future__ import annotations

import enum
import re
import socket
import ssl
import struct
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from harness import deadlines
from harness.model import Headers, Target

# RFC 9112 §4: status-line = HTTP-version SP status-code SP [ reason-phrase ]
_STATUS_LINE = re.compile(rb"HTTP/(\d)\.(\d) (\d{3}) ([\t !-~\x80-\xff]*)")
# RFC 9112 §3: request-line = method SP request-target SP HTTP-version
_REQUEST_LINE = re.compile(rb"([!#$%&'*+\-.^_`|~0-9A-Za-z]+) ([!-~]+) HTTP/(\d)\.(\d)")
# RFC 9110 §5.1, §5.6.2: field-name = token
_TOKEN = re.compile(rb"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
# RFC 9112 §7.1: chunk-size = 1*HEXDIG, then optional chunk extensions
_CHUNK_SIZE = re.compile(rb"([0-9A-Fa-f]+)((?:[ \t]*;[^\r\n]*)?)")
MAX_CHUNK_SIZE_DIGITS = 16  # more than 2**64 - 1 cannot be a real chunk
READ_SIZE = 65536
TOTAL_TIMEOUT = 4 * deadlines.READ  # the longest a probe reads, however the server trickles


class Ending(enum.StrEnum):
    """How the connection stood when the probe stopped reading."""

    CLOSED = "closed"  # the server closed it (FIN)
    RESET = "reset"  # the server reset it (RST)
    OPEN = "open"  # still open: the server neither closed it nor said more
    TIMEOUT = "timeout"  # the server went silent before the expected responses were complete


class Malformed(ValueError):
    """The bytes are not a valid HTTP/1.1 message; the message says where."""


@dataclass
class Response:
    version: str
    status: int
    reason: str
    headers: Headers
    body: bytes
    framing: str  # "none", "content-length", "chunked" or "close"
    trailers: Headers = field(default_factory=list)

    def header_values(self, name: str) -> list[str]:
        return [value for key, value in self.headers if key.lower() == name.lower()]

    @property
    def interim(self) -> bool:
        return 100 <= self.status < 200 and self.status != 101


@dataclass
class ProbeResult:
    sent: bytes
    received: bytes  # every byte the server sent, for the transcript
    responses: list[Response]  # interim and final, in order
    ending: Ending
    malformed: str | None  # why the rest of the reply could not be read, if it could not
    elapsed: float

    @property
    def final(self) -> list[Response]:
        return [response for response in self.responses if not response.interim]

    def describe(self) -> str:
        """A short account for failure messages: statuses, ending, any malformation."""
        statuses = " ".join(str(r.status) for r in self.responses) or "no response"
        text = f"{statuses}, connection {self.ending}"
        return f"{text}, malformed: {self.malformed}" if self.malformed else text


class _Incomplete(Exception):
    """More bytes are needed (or, for a close-delimited body, the end of the connection)."""


def parse_responses(
    data: bytes, methods: Sequence[str] = (), *, at_eof: bool = False
) -> tuple[list[Response], str | None]:
    """Parse every complete response in ``data``; returns them and, if the bytes after them
    are not a valid response, why (the first violation found).

    ``methods`` are the methods of the requests, in order, so that a response to HEAD is
    read without content (RFC 9112 §6.3, rule 1). With ``at_eof`` the connection has ended:
    a close-delimited body ends with the data and a short one is malformed.
    """
    responses: list[Response] = []
    offset = 0
    finals = 0
    while offset < len(data):
        method = methods[finals] if finals < len(methods) else "GET"
        try:
            response, offset = _parse_one(data, offset, method, at_eof)
        except _Incomplete:
            break
        except Malformed as exc:
            return responses, str(exc)
        responses.append(response)
        finals += not response.interim
    return responses, None


def _line(data: bytes, offset: int, what: str) -> tuple[bytes, int]:
    end = data.find(b"\n", offset)
    if end < 0:
        raise _Incomplete
    if end == offset or data[end - 1 : end] != b"\r":
        raise Malformed(f"bare LF ending the {what} at byte {end} (RFC 9112 §2.2 wants CRLF)")
    line = data[offset : end - 1]
    if b"\r" in line:
        raise Malformed(f"bare CR in the {what} at byte {offset} (RFC 9112 §2.2)")
    return line, end + 1


def _fields(data: bytes, offset: int, what: str) -> tuple[Headers, int]:
    fields: Headers = []
    while True:
        line, offset = _line(data, offset, what)
        if not line:
            return fields, offset
        if line[:1] in (b" ", b"\t"):
            raise Malformed(f"obs-fold in the {what}: {line[:60]!r} (RFC 9112 §5.2)")
        name, colon, value = line.partition(b":")
        if not colon or not _TOKEN.fullmatch(name):
            raise Malformed(f"invalid field line in the {what}: {line[:60]!r} (RFC 9112 §5.1)")
        fields.append((name.decode("ascii"), value.strip(b" \t").decode("latin-1")))


def _parse_one(data: bytes, offset: int, method: str, at_eof: bool) -> tuple[Response, int]:
    line, offset = _line(data, offset, "status line")
    match = _STATUS_LINE.fullmatch(line)
    if not match:
        raise Malformed(f"invalid status line {line[:80]!r} (RFC 9112 §4)")
    major, minor, code, reason = match.groups()
    status = int(code)
    headers, offset = _fields(data, offset, "header section")
    response = Response(
        version=f"HTTP/{major.decode()}.{minor.decode()}",
        status=status,
        reason=reason.decode("latin-1"),
        headers=headers,
        body=b"",
        framing="none",
    )
    # RFC 9112 §6.3: the order in which a recipient determines the length of the content.
    if method == "HEAD" or 100 <= status < 200 or status in (204, 304):
        return response, offset
    codings = [
        c.strip().lower() for v in response.header_values("Transfer-Encoding") for c in v.split(",")
    ]
    if codings:
        if codings[-1] == "chunked":
            response.framing = "chunked"
            response.body, response.trailers, offset = _chunked(data, offset)
            return response, offset
        response.framing = "close"
        return _until_close(response, data, offset, at_eof)
    lengths = {v.strip() for v in response.header_values("Content-Length")}
    if lengths:
        if len(lengths) != 1 or not next(iter(lengths)).isdigit():
            raise Malformed(f"invalid Content-Length {sorted(lengths)} (RFC 9112 §6.3, rule 5)")
        length = int(lengths.pop())
        if len(data) - offset < length:
            if at_eof:
                raise Malformed(f"content shorter than Content-Length {length} (RFC 9112 §6.3)")
            raise _Incomplete
        response.framing = "content-length"
        response.body = data[offset : offset + length]
        return response, offset + length
    response.framing = "close"
    return _until_close(response, data, offset, at_eof)


def _until_close(
    response: Response, data: bytes, offset: int, at_eof: bool
) -> tuple[Response, int]:
    if not at_eof:
        raise _Incomplete
    response.body = data[offset:]
    return response, len(data)


def _chunked(data: bytes, offset: int) -> tuple[bytes, Headers, int]:
    body = bytearray()
    while True:
        line, offset = _line(data, offset, "chunk size line")
        match = _CHUNK_SIZE.fullmatch(line)
        if not match or len(match.group(1)) > MAX_CHUNK_SIZE_DIGITS:
            raise Malformed(f"invalid chunk size line {line[:60]!r} (RFC 9112 §7.1)")
        size = int(match.group(1), 16)
        if size == 0:
            trailers, offset = _fields(data, offset, "trailer section")
            return bytes(body), trailers, offset
        if len(data) < offset + size + 2:
            raise _Incomplete
        body += data[offset : offset + size]
        if data[offset + size : offset + size + 2] != b"\r\n":
            raise Malformed(f"chunk data of {size} bytes not followed by CRLF (RFC 9112 §7.1)")
        offset += size + 2


# RFC 9112 §3: request-line = method SP request-target SP HTTP-version; the target is any
# run of visible ASCII here, its form judged by whoever asked (harness/wire.py).
_REQUEST_LINE = re.compile(rb"(%s) ([!-~]+) (HTTP/\d\.\d)" % _TOKEN.pattern)


@dataclass
class Request:
    """A request as a client sent it, read with the same strictness as responses
    (harness/wire.py, harness/blame.py)."""

    method: str
    target: str
    version: str
    headers: Headers
    content: bytes
    framing: str  # "none", "content-length" or "chunked"
    size: int  # the octets the message took: what follows it is not part of it

    def header_values(self, name: str) -> list[str]:
        return [value for key, value in self.headers if key.lower() == name.lower()]


def parse_request(data: bytes) -> tuple[Request | None, str | None]:
    """The first request in ``data``: ``(request, None)``, ``(None, why)`` for the first
    violation of RFC 9112, or ``(None, None)`` while it is incomplete."""
    try:
        line, offset = _line(data, 0, "request line")
        match = _REQUEST_LINE.fullmatch(line)
        if not match:
            raise Malformed(f"invalid request line {line[:80]!r} (RFC 9112 §3)")
        headers, offset = _fields(data, offset, "header section")
        method, target, version = (part.decode("ascii") for part in match.groups())
        request = Request(method, target, version, headers, b"", "none", offset)
        codings = [
            c.strip().lower()
            for v in request.header_values("Transfer-Encoding")
            for c in v.split(",")
        ]
        lengths = {v.strip() for v in request.header_values("Content-Length")}
        # RFC 9112 §6.3: a request's content is chunked, of a valid Content-Length, or none.
        if codings:
            if codings[-1] != "chunked":
                raise Malformed(
                    f"a request's transfer coding not ending in chunked: {codings} (RFC 9112 §6.3)"
                )
            request.framing = "chunked"
            request.content, _, request.size = _chunked(data, offset)
        elif lengths:
            if len(lengths) != 1 or not next(iter(lengths)).isdigit():
                raise Malformed(f"invalid Content-Length {sorted(lengths)} (RFC 9112 §6.3)")
            request.size = offset + int(lengths.pop())
            if len(data) < request.size:
                raise _Incomplete
            request.framing = "content-length"
            request.content = data[offset : request.size]
    except _Incomplete:
        return None, None
    except Malformed as exc:
        return None, str(exc)
    return request, None


def connect(target: Target, deadline: float) -> socket.socket:
    """A connection to ``target`` (TLS for https, trusting its CA), within ``deadline``."""
    sock = socket.create_connection((target.host, target.port), timeout=deadline)
    if target.scheme != "https":
        return sock
    context = ssl.create_default_context(cafile=target.ca_file)
    if not target.verify:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    try:
        return context.wrap_socket(sock, server_hostname=target.host)
    except BaseException:
        sock.close()
        raise


def send_raw(
    target: Target,
    pieces: bytes | Sequence[bytes | float],
    *,
    responses: int = 1,
    methods: Sequence[str] = (),
    idle_timeout: float = deadlines.READ,
    linger: float = 0.0,
    abort: bool = False,
    total_timeout: float = TOTAL_TIMEOUT,
) -> ProbeResult:
    """Send ``pieces`` (bytes, or a list of bytes and pauses in seconds) and read the reply.

    Reads until ``responses`` final responses are complete, then waits up to ``linger``
    seconds more to see whether the server closes the connection; stops early when the
    server closes or resets it, says nothing for ``idle_timeout`` seconds, or
    ``total_timeout`` seconds have passed since the start, which bounds the reading of the
    responses and never cuts a linger short (an idle watch of minutes). With ``abort``
    the probe then resets the connection (RST) instead of closing it, so a server still
    reading the request sees an error rather than the end of the data.
    """
    parts = [pieces] if isinstance(pieces, bytes) else list(pieces)
    started = time.monotonic()
    # A deadline on the whole reading too: a server that trickles bytes forever must not
    # keep a cell running.
    give_up = started + total_timeout
    lingering = False
    sent = bytearray()
    received = bytearray()
    ending = Ending.OPEN
    with connect(target, deadlines.CONNECT) as sock:
        try:
            for part in parts:
                if isinstance(part, bytes):
                    sock.sendall(part)
                    sent += part
                else:
                    time.sleep(part)
        except (ConnectionResetError, BrokenPipeError):
            ending = Ending.RESET  # the server gave up on the request while it was sent
        except ssl.SSLError:
            # The server ended TLS while the request was sent (it refused it early, as
            # with a request line too long): what it sent before that is still to be read.
            pass
        while ending is Ending.OPEN:
            complete = _progress(bytes(received), methods, responses)
            if complete and not lingering:
                # The watch after the responses is as long as the caller asked: a total cut
                # under it would report a server that closes later as "open" (waitress's
                # 120 s idle timer watched for 60 s, issue 20).
                lingering = True
                give_up = max(give_up, time.monotonic() + linger)
            wait = min(linger if complete else idle_timeout, give_up - time.monotonic())
            if wait <= 0:
                ending = Ending.OPEN if complete else Ending.TIMEOUT
                break
            sock.settimeout(wait)
            try:
                chunk = sock.recv(READ_SIZE)
            except TimeoutError:
                ending = Ending.OPEN if complete else Ending.TIMEOUT
                break
            except (ConnectionResetError, ssl.SSLError):
                ending = Ending.RESET
                break
            if not chunk:
                ending = Ending.CLOSED
                break
            received += chunk
        if abort:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    parsed, malformed = parse_responses(bytes(received), methods, at_eof=ending is not Ending.OPEN)
    return ProbeResult(
        sent=bytes(sent),
        received=bytes(received),
        responses=parsed,
        ending=ending,
        malformed=malformed,
        elapsed=time.monotonic() - started,
    )


def _progress(data: bytes, methods: Sequence[str], wanted: int) -> bool:
    """Whether ``wanted`` final responses are complete, or the reply can never be valid."""
    parsed, malformed = parse_responses(data, methods)
    return malformed is not None or sum(not r.interim for r in parsed) >= wanted


def request(
    method: str = "GET",
    target: str = "/",
    *,
    host: str = "localhost",
    headers: Sequence[tuple[str, str]] = (),
    body: bytes = b"",
    version: str = "HTTP/1.1",
) -> bytes:
    """The bytes of a well-formed request, for probes that vary one part of it."""
    lines = [f"{method} {target} {version}", f"Host: {host}"]
    lines += [f"{name}: {value}" for name, value in headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


@dataclass(frozen=True)
class ServerProbe:
    """The probe client bound to one server: what a server-probe cell gets."""

    target: Target

    def send(self, pieces: bytes | Sequence[bytes | float], **options: Any) -> ProbeResult:
        """``send_raw`` to this server; see there for ``options``."""
        return send_raw(self.target, pieces, **options)

    def request(self, method: str = "GET", target: str = "/", **options: Any) -> bytes:
        """A well-formed request to this server (Host set to its authority)."""
        return request(method, target, host=self.target.authority, **options)

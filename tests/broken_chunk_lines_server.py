"""A deliberately lenient server for the chunk-line probes' self-tests
(suites/probes/chunk_lines.py): the reference stdlib server given a strict chunked decoder
(RFC 9112 §7.1, §7.1.1), with one defect switched on.

    python tests/broken_chunk_lines_server.py DEFECT [--certfile F --keyfile F]

Follows the launch protocol (ready line, SIGTERM). ``/echo`` decodes chunked content by the
grammar, every line ended with CRLF, each trailer line a field line; anything else gets 400
and a close. DEFECT "none" is that strict reference; "int-chunk-size" reads each size line as
Werkzeug's dev server does (the line up to ``;`` through Python's ``int(x, 16)``, LF alone
ending a line, trailer lines unchecked); "keep-open" sends the 400 without closing (what
RFC 9112 §2.2 advises against: the probes' warn). It is not a registered implementation: it
never enters a real run.
"""

from __future__ import annotations

import http.server
import re
import sys
import urllib.parse

from broken_base import serve_defect  # run as a script: tests/ is on sys.path

from harness import contract
from harness.servers import stdlib

MAX_CONTENT = 1 << 20
MAX_LINE = 1 << 17  # a 64 KiB chunk extension fits
DEFECTS = ("none", "int-chunk-size", "keep-open")

_TOKEN = rb"[!#$%&'*+\-.^_`|~0-9A-Za-z]+"
_QUOTED = rb'"(?:[\t !\x23-\x5b\x5d-\x7e\x80-\xff]|\\[\t \x21-\x7e\x80-\xff])*"'
_EXT = (
    rb"(?:[ \t]*;[ \t]*" + _TOKEN + rb"(?:[ \t]*=[ \t]*(?:" + _TOKEN + rb"|" + _QUOTED + rb"))?)*"
)
# chunk-size [ chunk-ext ] CRLF (RFC 9112 §7.1, §7.1.1)
CHUNK_LINE = re.compile(rb"([0-9A-Fa-f]+)" + _EXT + rb"\r\n")
# field-line CRLF in the trailer section (RFC 9112 §7.1.2, §5)
TRAILER_LINE = re.compile(_TOKEN + rb":[ \t]*[\x21-\x7e\x80-\xff \t]*\r\n")


class Refused(Exception):
    """The content does not match the chunked grammar."""


def _strict_size(line: bytes) -> int:
    match = CHUNK_LINE.fullmatch(line)
    if match is None:
        raise Refused(line)
    return int(match.group(1), 16)


def _lenient_size(line: bytes) -> int:
    try:
        return int(line.split(b";")[0].strip(), 16)
    except ValueError:
        raise Refused(line) from None


def chunk_lines_handler(defect: str) -> type[http.server.BaseHTTPRequestHandler]:
    lenient = defect == "int-chunk-size"
    size_of = _lenient_size if lenient else _strict_size

    class ChunkLinesHandler(stdlib.Http11Handler):
        def _answer(self, *, send_body: bool) -> None:
            parts = urllib.parse.urlsplit(self.path)
            chunked = "chunked" in (self.headers.get("Transfer-Encoding") or "").lower()
            if contract.route(parts.path, parts.query).name != "echo" or not chunked:
                super()._answer(send_body=send_body)
                return
            try:
                body = self._dechunked()
            except Refused:
                if defect == "keep-open":
                    self._respond(400, "text/plain", b"invalid chunked content", send_body)
                else:
                    self.send_error(400, "invalid chunked content")  # sends Connection: close
                return
            document = contract.echo_document(
                method=self.command,
                target=self.path,
                http_version=self.request_version,
                headers=list(self.headers.items()),
                body=body,
            )
            self._respond(200, "application/json", document, send_body)

        def _line(self) -> bytes:
            line = self.rfile.readline(MAX_LINE)
            if not line.endswith(b"\n") or not (lenient or line.endswith(b"\r\n")):
                raise Refused(line)
            return line

        def _dechunked(self) -> bytes:
            body = b""
            while size := size_of(self._line()):
                if len(body) + size > MAX_CONTENT:
                    raise Refused(size)
                body += self.rfile.read(size)
                end = self.rfile.readline(2) if lenient else self.rfile.read(2)
                if end not in ((b"\r\n", b"\n") if lenient else (b"\r\n",)):
                    raise Refused(end)
            while (line := self._line()).strip(b"\r\n"):
                if not (lenient or TRAILER_LINE.fullmatch(line)):
                    raise Refused(line)
            return body

    return ChunkLinesHandler


def main() -> int:
    return serve_defect(__doc__, DEFECTS, chunk_lines_handler)


if __name__ == "__main__":
    sys.exit(main())

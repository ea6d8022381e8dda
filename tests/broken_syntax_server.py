"""A deliberately lenient server for the probe catalogue's request-line and field-syntax
self-tests: the reference stdlib server given a strict request-line (RFC 9112 §3, §3.2, §2.3)
and strict field lines (RFC 9112 §5, §5.1, §5.2; RFC 9110 §5.1, §5.5), with one defect
switched on.

    python tests/broken_syntax_server.py DEFECT [--certfile F --keyfile F]

Follows the launch protocol (ready line, SIGTERM). DEFECT "none" is the strict reference: it
ignores one empty line before the request-line (RFC 9112 §2.2), accepts each target form only
with its method, and answers 400 and closes for any line the grammar does not allow (folded
and whitespace-preceded lines too); field values reach the application without the OWS around
them. Each other defect makes one family of catalogue entries fail. It is not a registered
implementation: it never enters a real run.
"""

from __future__ import annotations

import contextlib
import http.server
import io
import re
import socket
import sys

from broken_base import serve_defect  # run as a script: tests/ is on sys.path

from harness.servers import stdlib

DEFECTS = (
    "none",
    "lenient-request-line",  # http.server's own request-line parsing: split on whitespace
    "lenient-fields",  # http.server's own field parsing (the email package's)
)

TCHAR = rb"[!#$%&'*+\-.^_`|~0-9A-Za-z]"
PCHARS = rb"[A-Za-z0-9\-._~!$&'()*+,;=:@%/]"
QUERY = rb"(?:\?[A-Za-z0-9\-._~!$&'()*+,;=:@%/?]*)?"
# RFC 9112 §3: method SP request-target SP HTTP-version, the target's form fitting the method.
REQUEST_LINE = re.compile(
    rb"(?:(?!CONNECT |OPTIONS \* )"
    + TCHAR
    + rb"+ (?:/"
    + PCHARS
    + rb"*"
    + QUERY
    + rb"|[A-Za-z][A-Za-z0-9+\-.]*://"
    + PCHARS
    + rb"*"
    + QUERY
    + rb")"
    + rb"|OPTIONS \*|CONNECT [A-Za-z0-9\-.]+:[0-9]+) HTTP/[0-9]\.[0-9]\r\n"
)
VCHAR = rb"[\x21-\x7e\x80-\xff]"
# RFC 9112 §5: field-name ":" OWS field-value OWS; the value's octets VCHAR, obs-text, SP, HTAB.
FIELD_LINE = re.compile(
    rb"(" + TCHAR + rb"+):[ \t]*(" + VCHAR + rb"(?:[ \t]*" + VCHAR + rb")*)?[ \t]*\r\n"
)
MAX_FIELD_LINES = 100
DRAIN_SECONDS = 1.0  # how long a refused connection's unread input is read before the close


def syntax_handler(defect: str) -> type[http.server.BaseHTTPRequestHandler]:
    class SyntaxHandler(stdlib.Http11Handler):
        def parse_request(self) -> bool:
            if defect == "lenient-request-line":
                return self._parse_fields()
            if self.raw_requestline == b"\r\n":  # RFC 9112 §2.2: ignore one empty line
                self.raw_requestline = self.rfile.readline(65537)
            if not REQUEST_LINE.fullmatch(self.raw_requestline):
                return self._refuse("invalid request-line")
            if defect == "lenient-fields":
                return super().parse_request()
            return self._parse_fields()

        def _parse_fields(self) -> bool:
            """Read the field lines strictly, then let http.server parse what passed, each
            value without the OWS around it."""
            lines = []
            while (line := self.rfile.readline(65537)) != b"\r\n":
                match = FIELD_LINE.fullmatch(line)
                if match is None or len(lines) == MAX_FIELD_LINES:
                    return self._refuse("invalid field line")
                lines.append(match[1] + b": " + (match[2] or b"") + b"\r\n")
            wire = self.rfile
            self.rfile = io.BytesIO(b"".join(lines) + b"\r\n")
            try:
                return super().parse_request()
            finally:
                self.rfile = wire

        def _refuse(self, why: str) -> bool:
            self.requestline = self.raw_requestline.decode("latin-1").rstrip("\r\n")
            self.command, self.request_version = "", "HTTP/1.1"
            self.close_connection = True
            self.send_error(400, why)  # sends Connection: close
            self._drain()
            return False

        def _drain(self) -> None:
            """Close after the response without a reset: closing with unread input would
            reset the connection and could cut the response short at the client."""
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_WR)
            self.connection.settimeout(DRAIN_SECONDS)
            with contextlib.suppress(OSError):
                while self.connection.recv(65536):
                    pass

    return SyntaxHandler


def main() -> int:
    return serve_defect(__doc__, DEFECTS, syntax_handler)


if __name__ == "__main__":
    sys.exit(main())

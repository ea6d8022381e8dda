"""A deliberately lenient server for the self-tests of the probe catalogue's framing themes
(suites/probes/content_length.py, transfer_encoding.py, smuggling.py, smuggling_te.py) and of
the differential mode: the reference stdlib server given strict request framing on every
route (RFC 9112 §6.1, §6.3; RFC 9110 §8.6), with one defect switched on.

    python tests/broken_framing_server.py DEFECT [--certfile F --keyfile F]

Follows the launch protocol (ready line, SIGTERM). Every request's content is framed before
it is routed, and read whatever the route: a field section http.client could not read cleanly,
an invalid Content-Length, or a Transfer-Encoding whose final coding is not chunked gets 400
and a close; Transfer-Encoding overrides Content-Length, and a request with both is closed
after its response; only chunked is implemented (Werkzeug's DechunkedInput, reused). DEFECT
"none" is that strict reference; each other defect makes one family of catalogue entries
fail. It is not a registered implementation: it never enters a real run.
"""

from __future__ import annotations

import http.server
import re
import sys
import urllib.parse

from broken_base import serve_defect  # run as a script: tests/ is on sys.path
from werkzeug.serving import DechunkedInput

from harness import contract
from harness.servers import stdlib

MAX_CONTENT = 1 << 20
DEFECTS = (
    "none",
    "int-content-length",  # Content-Length read with Python's int(), the first line wins
    "chunked-anywhere",  # chunked decoded wherever it is in the list, other codings ignored
    # Framed by the first Content-Length line whenever there is one, the connection kept
    # open, as by a server that never looks at Transfer-Encoding.
    "content-length-wins",
)


def _elements(values: list[str]) -> list[str]:
    """The non-empty elements of a list-valued field's lines (RFC 9110 §5.6.1)."""
    return [e.strip(" \t") for v in values for e in v.split(",") if e.strip(" \t")]


def framing_handler(defect: str) -> type[http.server.BaseHTTPRequestHandler]:
    class FramingHandler(stdlib.Http11Handler):
        def _answer(self, *, send_body: bool) -> None:
            body = self._content()
            if body is None:
                return  # refused, the connection closing
            both = "Transfer-Encoding" in self.headers and "Content-Length" in self.headers
            close = both and defect != "content-length-wins"
            parts = urllib.parse.urlsplit(self.path)
            if contract.route(parts.path, parts.query).name != "echo":
                super()._answer(send_body=send_body)
                self.close_connection = self.close_connection or close
                return
            document = contract.echo_document(
                method=self.command,
                target=self.path,
                http_version=self.request_version,
                headers=list(self.headers.items()),
                body=body,
            )
            self._respond(200, "application/json", document, send_body, close=close)

        def _content(self) -> bytes | None:
            if self.headers.defects or any("\n" in v for v in self.headers.values()):
                self.send_error(400, "malformed field section")  # sends Connection: close
                return None
            lengths = self.headers.get_all("Content-Length")
            if defect == "content-length-wins" and lengths:
                return self.rfile.read(int(lengths[0]))
            codings = self.headers.get_all("Transfer-Encoding")
            if codings is not None:
                return self._decoded(codings)
            lengths = lengths or ["0"]
            if defect == "int-content-length":
                return self.rfile.read(int(lengths[0]))
            values = [e.strip(" \t") for v in lengths for e in v.split(",")]
            if not all(re.fullmatch("[0-9]+", v) for v in values) or len(set(map(int, values))) > 1:
                self.send_error(400, "invalid Content-Length")
                return None
            if int(values[0]) > MAX_CONTENT:
                self.send_error(413)
                return None
            return self.rfile.read(int(values[0]))

        def _decoded(self, codings: list[str]) -> bytes | None:
            names = [c.lower() for c in _elements(codings)]
            if defect == "chunked-anywhere":
                return DechunkedInput(self.rfile).read() if "chunked" in names else b""
            if self.request_version == "HTTP/1.0" or names[-1:] != ["chunked"]:
                self.send_error(400, "cannot frame the content")
                return None
            if names != ["chunked"]:
                self.send_error(501, "only chunked is implemented")
                return None
            return DechunkedInput(self.rfile).read()

    return FramingHandler


def main() -> int:
    return serve_defect(__doc__, DEFECTS, framing_handler)


if __name__ == "__main__":
    sys.exit(main())

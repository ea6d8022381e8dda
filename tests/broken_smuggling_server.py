"""A deliberately lenient server for the smuggling probes' self-tests
(suites/probes/smuggling.py): the reference stdlib server given strict request framing on
every route (RFC 9112 §6.1, §6.3; RFC 9110 §8.6), with one defect switched on.

    python tests/broken_smuggling_server.py DEFECT [--certfile F --keyfile F]

Follows the launch protocol (ready line, SIGTERM). Every request's content is framed before
it is routed, and read whatever the route: Transfer-Encoding overrides Content-Length, and a
request with both is closed after its response; a coding list whose final coding is not
chunked, or an invalid Content-Length, gets 400 and a close; only chunked is implemented
(Werkzeug's DechunkedInput, reused). DEFECT "none" is that strict reference;
"content-length-wins" frames by the first Content-Length line whenever there is one and keeps
the connection open, as a server that never looks at Transfer-Encoding does. It is not a
registered implementation: it never enters a real run.
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
DEFECTS = ("none", "content-length-wins")


def smuggling_handler(defect: str) -> type[http.server.BaseHTTPRequestHandler]:
    class SmugglingHandler(stdlib.Http11Handler):
        def _answer(self, *, send_body: bool) -> None:
            body = self._content()
            if body is None:
                return  # refused, the connection closing
            both = "Transfer-Encoding" in self.headers and "Content-Length" in self.headers
            close = both and defect == "none"
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
            if self.headers.defects:
                self.send_error(400, "malformed field section")  # sends Connection: close
                return None
            lengths = self.headers.get_all("Content-Length")
            if defect == "content-length-wins" and lengths:
                return self.rfile.read(int(lengths[0]))
            codings = self.headers.get_all("Transfer-Encoding")
            if codings is not None:
                names = [e.strip(" \t").lower() for v in codings for e in v.split(",")]
                names = [n for n in names if n]
                if self.request_version == "HTTP/1.0" or names[-1:] != ["chunked"]:
                    self.send_error(400, "cannot frame the content")
                    return None
                if names != ["chunked"]:
                    self.send_error(501, "only chunked is implemented")
                    return None
                return DechunkedInput(self.rfile).read()
            values = [e.strip(" \t") for v in lengths or ["0"] for e in v.split(",")]
            if not all(re.fullmatch("[0-9]+", v) for v in values) or len(set(map(int, values))) > 1:
                self.send_error(400, "invalid Content-Length")
                return None
            if int(values[0]) > MAX_CONTENT:
                self.send_error(413)
                return None
            return self.rfile.read(int(values[0]))

    return SmugglingHandler


def main() -> int:
    return serve_defect(__doc__, DEFECTS, smuggling_handler)


if __name__ == "__main__":
    sys.exit(main())
